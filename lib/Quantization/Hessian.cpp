//===- Hessian.cpp - Calibration statistics, GPTQ's factor, errors --------===//
//
// The layer's output error for a row w replaced by w' is
// sum_x (x^T (w - w'))^2 = (w - w')^T H (w - w') with H = sum_x x x^T, so H
// is all the quantizers need from calibration data. GPTQ (Frantar et al.,
// 2022) updates the unquantized weights with rows of the upper Cholesky
// factor U of H^-1 = U^T U. With J the reversal permutation and
// J H J = L L^T (lower Cholesky), H = (J L J)(J L J)^T with J L J upper
// triangular, so H^-1 = (J L^-1 J)^T (J L^-1 J) and U = J L^-1 J: one
// Cholesky and one triangular inverse instead of GPTQ's three
// factorisations.
//
//===----------------------------------------------------------------------===//

#include "loom/Quantization/Fitting.h"

#include <cassert>
#include <cmath>

using namespace mlir::loom::quant;

void mlir::loom::quant::accumulateHessian(std::vector<double> &hessian,
                                          const float *activations,
                                          int64_t rows, int64_t cols) {
  if (hessian.empty())
    hessian.assign(cols * cols, 0.0);
  assert(static_cast<int64_t>(hessian.size()) == cols * cols &&
         "hessian must be [cols, cols]");
  std::vector<double> x(cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < cols; ++k)
      x[k] = activations[r * cols + k];
    for (int64_t i = 0; i < cols; ++i) {
      if (x[i] == 0.0)
        continue;
      double *hessianRow = hessian.data() + i * cols;
      for (int64_t j = 0; j <= i; ++j)
        hessianRow[j] += x[i] * x[j];
    }
  }
  // Only the lower triangle was accumulated (it includes earlier calls'
  // sums), so mirroring it keeps the matrix symmetric.
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = i + 1; j < cols; ++j)
      hessian[i * cols + j] = hessian[j * cols + i];
}

/// Lower Cholesky factor of `matrix` [n, n] in place (lower triangle used and
/// written). False when a pivot is not positive.
static bool choleskyInPlace(std::vector<double> &matrix, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double *rowJ = matrix.data() + j * n;
    double pivot = rowJ[j];
    for (int64_t k = 0; k < j; ++k)
      pivot -= rowJ[k] * rowJ[k];
    if (!(pivot > 0.0) || !std::isfinite(pivot))
      return false;
    rowJ[j] = std::sqrt(pivot);
    for (int64_t i = j + 1; i < n; ++i) {
      double *rowI = matrix.data() + i * n;
      double sum = rowI[j];
      for (int64_t k = 0; k < j; ++k)
        sum -= rowI[k] * rowJ[k];
      rowI[j] = sum / rowJ[j];
    }
  }
  return true;
}

std::vector<double>
mlir::loom::quant::inverseHessianFactor(const double *hessian, int64_t cols,
                                        double dampening) {
  // H with dead inputs' diagonal set to 1 (GPTQ), read from the lower
  // triangle.
  auto entry = [&](int64_t i, int64_t j) {
    if (i < j)
      std::swap(i, j);
    double value = hessian[i * cols + j];
    if (i == j && value == 0.0)
      value = 1.0;
    return value;
  };
  double meanDiagonal = 0.0;
  for (int64_t k = 0; k < cols; ++k)
    meanDiagonal += entry(k, k);
  meanDiagonal /= static_cast<double>(cols);
  double lambda = dampening * meanDiagonal;

  std::vector<double> lower(cols * cols);
  bool factored = false;
  for (int attempt = 0; attempt <= 6 && !factored; ++attempt) {
    // The reversed matrix J (H + lambda I) J.
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j <= i; ++j)
        lower[i * cols + j] =
            entry(cols - 1 - i, cols - 1 - j) + (i == j ? lambda : 0.0);
    factored = choleskyInPlace(lower, cols);
    lambda = lambda > 0.0 ? lambda * 10.0 : meanDiagonal * 1e-6 + 1e-12;
  }
  assert(factored && "damped Hessian is not positive definite");

  // X = L^-1 (lower), row by row: X[i][j] = -sum_{j<=k<i} L[i][k] X[k][j] /
  // L[i][i] for j < i.
  std::vector<double> inverse(cols * cols, 0.0);
  for (int64_t i = 0; i < cols; ++i) {
    const double *rowL = lower.data() + i * cols;
    double *rowX = inverse.data() + i * cols;
    for (int64_t k = 0; k < i; ++k) {
      double coefficient = rowL[k];
      const double *rowXk = inverse.data() + k * cols;
      for (int64_t j = 0; j <= k; ++j)
        rowX[j] -= coefficient * rowXk[j];
    }
    double reciprocal = 1.0 / rowL[i];
    for (int64_t j = 0; j < i; ++j)
      rowX[j] *= reciprocal;
    rowX[i] = reciprocal;
  }

  // U = J X J.
  std::vector<double> factor(cols * cols, 0.0);
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = i; j < cols; ++j)
      factor[i * cols + j] = inverse[(cols - 1 - i) * cols + (cols - 1 - j)];
  return factor;
}

double mlir::loom::quant::weightMeanSquaredError(const float *a, const float *b,
                                                 int64_t count) {
  double sum = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    double difference = static_cast<double>(a[i]) - b[i];
    sum += difference * difference;
  }
  return count ? sum / static_cast<double>(count) : 0.0;
}

double mlir::loom::quant::outputError(const float *a, const float *b,
                                      int64_t rows, int64_t cols,
                                      const double *hessian) {
  std::vector<double> difference(cols);
  double total = 0.0;
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t k = 0; k < cols; ++k)
      difference[k] = static_cast<double>(a[n * cols + k]) - b[n * cols + k];
    for (int64_t i = 0; i < cols; ++i) {
      if (difference[i] == 0.0)
        continue;
      const double *hessianRow = hessian + i * cols;
      double dot = 0.0;
      for (int64_t j = 0; j < cols; ++j)
        dot += hessianRow[j] * difference[j];
      total += difference[i] * dot;
    }
  }
  return total;
}
