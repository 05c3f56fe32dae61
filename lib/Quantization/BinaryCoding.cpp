//===- BinaryCoding.cpp - ShiftAddLLM binary-coding quantization ----------===//
//
// The weight format of `loom.bcq_matmul` (ShiftAddLLM, You et al., 2024):
// per row and group of g columns, w ~ sum_{i<q} alpha_i b_i with
// b_i in {-1,+1}^g and alpha_i = 2^e_i.
//
// Fitting one group (BCQ, as in Xu et al. 2018 and ShiftAddLLM):
// - Greedy: b_i = sign(r), alpha_i = mean|r| minimise ||r - alpha_i b_i||
//   for the residual r left by the earlier planes.
// - Alternating refinement: for fixed b's the alphas solve the q x q normal
//   equations (B^T B) alpha = B^T w; for fixed alphas each weight
//   independently takes the nearest of the 2^q values sum_i +-alpha_i. Both
//   steps are exact minimisations, so the squared error never grows. A
//   negative alpha is the same set of values as its absolute value with the
//   plane flipped, so alphas stay non-negative.
// - Power-of-two: each alpha is rounded down or up to a power of two; all
//   (at most 2^q) joint choices are tried with the signs re-picked, and the
//   best is kept. Rounding after the greedy step and after every round and
//   keeping the best makes the final error non-increasing in the number of
//   rounds.
//
// The output objective (ShiftAddLLM's reparameterisation with calibration
// data) runs this quantizer inside GPTQ's column loop (Frantar et al., 2022):
// a group's exponents are fitted when the loop reaches it, from weights that
// already carry the error of the earlier columns, and each column's error
// then moves on to the columns after it.
//
//===----------------------------------------------------------------------===//

#include "FittingDetail.h"
#include "loom/Quantization/Fitting.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

using namespace mlir::loom::quant;

namespace {
/// The 2^q values a weight can take for fixed alphas, sorted, with the sign
/// combination (bit i set: b_i = +1) of each.
class CombinationTable {
public:
  /// `alphas` as doubles (refinement) or, with `asFloat`, summed in f32 over
  /// ascending planes as `loom.bcq_matmul` does (power-of-two scales).
  CombinationTable(const double *alphas, int bits, bool asFloat) {
    size = 1 << bits;
    for (int c = 0; c < size; ++c) {
      double value = 0.0;
      float floatValue = 0.0f;
      for (int i = 0; i < bits; ++i) {
        double term = (c >> i) & 1 ? alphas[i] : -alphas[i];
        value += term;
        floatValue += static_cast<float>(term);
      }
      entries[c] = {asFloat ? double(floatValue) : value,
                    static_cast<uint8_t>(c)};
    }
    std::sort(entries.begin(), entries.begin() + size,
              [](const Entry &a, const Entry &b) {
                return a.value < b.value ||
                       (a.value == b.value && a.combination < b.combination);
              });
  }

  /// The nearest entry to `weight` (the lower one on a tie).
  const std::pair<double, uint8_t> nearest(double weight) const {
    auto it = std::lower_bound(
        entries.begin(), entries.begin() + size, weight,
        [](const Entry &entry, double w) { return entry.value < w; });
    if (it == entries.begin() + size)
      --it;
    else if (it != entries.begin() &&
             weight - (it - 1)->value <= it->value - weight)
      --it;
    return {it->value, it->combination};
  }

private:
  struct Entry {
    double value;
    uint8_t combination;
  };
  std::array<Entry, 16> entries;
  int size;
};

/// A group's fit with power-of-two scales.
struct PowerOfTwoFit {
  std::array<int, 4> exponents{};
  std::vector<uint8_t> combinations;
  double error = INFINITY;
};
} // namespace

/// Re-picks every weight's combination for `alphas`; returns the squared
/// error.
static double chooseCombinations(const double *weights, int64_t count,
                                 const CombinationTable &table,
                                 uint8_t *combinations) {
  double error = 0.0;
  for (int64_t k = 0; k < count; ++k) {
    auto [value, combination] = table.nearest(weights[k]);
    combinations[k] = combination;
    error += (weights[k] - value) * (weights[k] - value);
  }
  return error;
}

static double squaredError(const double *weights, int64_t count,
                           const double *alphas, int bits,
                           const uint8_t *combinations) {
  double error = 0.0;
  for (int64_t k = 0; k < count; ++k) {
    double value = 0.0;
    for (int i = 0; i < bits; ++i)
      value += (combinations[k] >> i) & 1 ? alphas[i] : -alphas[i];
    error += (weights[k] - value) * (weights[k] - value);
  }
  return error;
}

/// Solves the q x q system `matrix` x = `rhs` by Gaussian elimination with
/// partial pivoting; false when it is (numerically) singular.
static bool solveSmallSystem(std::array<std::array<double, 4>, 4> matrix,
                             std::array<double, 4> rhs, int size,
                             double *solution) {
  for (int column = 0; column < size; ++column) {
    int pivot = column;
    for (int row = column + 1; row < size; ++row)
      if (std::fabs(matrix[row][column]) > std::fabs(matrix[pivot][column]))
        pivot = row;
    // Planes that are equal or opposite on the group (common with few
    // weights) make B^T B singular; the alphas then stay as they are.
    if (std::fabs(matrix[pivot][column]) < 1e-9)
      return false;
    std::swap(matrix[pivot], matrix[column]);
    std::swap(rhs[pivot], rhs[column]);
    for (int row = column + 1; row < size; ++row) {
      double factor = matrix[row][column] / matrix[column][column];
      for (int j = column; j < size; ++j)
        matrix[row][j] -= factor * matrix[column][j];
      rhs[row] -= factor * rhs[column];
    }
  }
  for (int row = size - 1; row >= 0; --row) {
    double sum = rhs[row];
    for (int j = row + 1; j < size; ++j)
      sum -= matrix[row][j] * solution[j];
    solution[row] = sum / matrix[row][row];
  }
  for (int i = 0; i < size; ++i)
    if (!std::isfinite(solution[i]))
      return false;
  return true;
}

/// Least-squares alphas for the current combinations, kept when they do not
/// increase the error; negative alphas are flipped with their planes.
static void refineAlphas(const double *weights, int64_t count, int bits,
                         double *alphas, uint8_t *combinations, double &error) {
  std::array<std::array<double, 4>, 4> normal{};
  std::array<double, 4> rhs{};
  for (int64_t k = 0; k < count; ++k) {
    for (int i = 0; i < bits; ++i) {
      double bi = (combinations[k] >> i) & 1 ? 1.0 : -1.0;
      rhs[i] += bi * weights[k];
      for (int j = 0; j <= i; ++j) {
        double bj = (combinations[k] >> j) & 1 ? 1.0 : -1.0;
        normal[i][j] += bi * bj;
      }
    }
  }
  for (int i = 0; i < bits; ++i)
    for (int j = i + 1; j < bits; ++j)
      normal[i][j] = normal[j][i];
  double solution[4];
  if (!solveSmallSystem(normal, rhs, bits, solution))
    return;
  double newError = squaredError(weights, count, solution, bits, combinations);
  if (!(newError <= error))
    return;
  error = newError;
  for (int i = 0; i < bits; ++i) {
    alphas[i] = std::fabs(solution[i]);
    if (solution[i] < 0.0)
      for (int64_t k = 0; k < count; ++k)
        combinations[k] ^= static_cast<uint8_t>(1u << i);
  }
}

/// Rounds `alphas` to powers of two (each down or up, jointly the best) and
/// re-picks the combinations.
static PowerOfTwoFit roundToPowersOfTwo(const double *weights, int64_t count,
                                        int bits, const double *alphas) {
  std::array<std::array<int, 2>, 4> candidates;
  std::array<int, 4> numCandidates;
  for (int i = 0; i < bits; ++i) {
    numCandidates[i] = 1;
    if (!(alphas[i] > 0.0) || !std::isfinite(alphas[i])) {
      candidates[i][0] = kMinBinaryCodingExponent;
      continue;
    }
    int exponent;
    double mantissa = std::frexp(alphas[i], &exponent); // in [0.5, 1)
    int lower = exponent - 1;
    candidates[i][0] =
        std::clamp(lower, kMinBinaryCodingExponent, kMaxBinaryCodingExponent);
    if (mantissa != 0.5) {
      candidates[i][1] = std::clamp(lower + 1, kMinBinaryCodingExponent,
                                    kMaxBinaryCodingExponent);
      if (candidates[i][1] != candidates[i][0])
        numCandidates[i] = 2;
    }
  }
  int numChoices = 1;
  for (int i = 0; i < bits; ++i)
    numChoices *= numCandidates[i];

  PowerOfTwoFit best;
  std::vector<uint8_t> combinations(count);
  // Fits the signs to the scales 2^exponents and keeps them if they beat the
  // best so far; true if they did.
  auto tryExponents = [&](const std::array<int, 4> &exponents) {
    double powers[4];
    for (int i = 0; i < bits; ++i)
      powers[i] = std::ldexp(1.0, exponents[i]);
    CombinationTable table(powers, bits, /*asFloat=*/true);
    double error =
        chooseCombinations(weights, count, table, combinations.data());
    if (!(error < best.error))
      return false;
    best.error = error;
    best.exponents = exponents;
    best.combinations = combinations;
    return true;
  };
  for (int choice = 0; choice < numChoices; ++choice) {
    std::array<int, 4> exponents{};
    for (int i = 0, rest = choice; i < bits; ++i) {
      exponents[i] = candidates[i][rest % numCandidates[i]];
      rest /= numCandidates[i];
    }
    tryExponents(exponents);
  }

  // Rounding the least-squares alphas one by one ignores that the planes
  // share the error; moving one exponent by +-1 at a time (signs re-picked)
  // while that lowers the error often finds a better power-of-two set.
  for (bool improved = true; improved;) {
    improved = false;
    for (int i = 0; i < bits; ++i)
      for (int step : {-1, 1}) {
        std::array<int, 4> exponents = best.exponents;
        exponents[i] += step;
        if (exponents[i] < kMinBinaryCodingExponent ||
            exponents[i] > kMaxBinaryCodingExponent)
          continue;
        improved |= tryExponents(exponents);
      }
  }
  return best;
}

/// Greedy initialisation (alphas and combinations); returns the error.
static double greedyInitialise(const double *weights, int64_t count, int bits,
                               double *alphas, uint8_t *combinations) {
  std::vector<double> residual(weights, weights + count);
  std::fill(combinations, combinations + count, 0);
  for (int i = 0; i < bits; ++i) {
    double meanAbs = 0.0;
    for (int64_t k = 0; k < count; ++k)
      meanAbs += std::fabs(residual[k]);
    meanAbs /= static_cast<double>(count);
    alphas[i] = meanAbs;
    for (int64_t k = 0; k < count; ++k) {
      bool positive = residual[k] >= 0.0;
      if (positive)
        combinations[k] |= static_cast<uint8_t>(1u << i);
      residual[k] -= positive ? meanAbs : -meanAbs;
    }
  }
  double error = 0.0;
  for (int64_t k = 0; k < count; ++k)
    error += residual[k] * residual[k];
  return error;
}

/// One round of alternating refinement.
static double refineOnce(const double *weights, int64_t count, int bits,
                         double *alphas, uint8_t *combinations, double error) {
  refineAlphas(weights, count, bits, alphas, combinations, error);
  CombinationTable table(alphas, bits, /*asFloat=*/false);
  return chooseCombinations(weights, count, table, combinations);
}

/// A group's power-of-two fit (the steps of quantizeBinaryCoding).
static PowerOfTwoFit fitPowerOfTwoGroup(const double *weights, int64_t count,
                                        int bits, int iterations) {
  double alphas[4];
  std::vector<uint8_t> combinations(count);
  double error =
      greedyInitialise(weights, count, bits, alphas, combinations.data());
  PowerOfTwoFit best = roundToPowersOfTwo(weights, count, bits, alphas);
  for (int round = 0; round < iterations; ++round) {
    error =
        refineOnce(weights, count, bits, alphas, combinations.data(), error);
    PowerOfTwoFit candidate = roundToPowersOfTwo(weights, count, bits, alphas);
    if (candidate.error < best.error)
      best = std::move(candidate);
  }
  return best;
}

double mlir::loom::quant::fitBinaryCodingGroup(const float *weights,
                                               int64_t groupSize, int bits,
                                               int iterations, float *alphas,
                                               uint8_t *combinations) {
  assert(bits >= 1 && bits <= 4 && groupSize > 0 && iterations >= 0);
  std::vector<double> values(weights, weights + groupSize);
  double workAlphas[4];
  double error = greedyInitialise(values.data(), groupSize, bits, workAlphas,
                                  combinations);
  for (int round = 0; round < iterations; ++round)
    error = refineOnce(values.data(), groupSize, bits, workAlphas, combinations,
                       error);
  for (int i = 0; i < bits; ++i)
    alphas[i] = static_cast<float>(workAlphas[i]);
  return error;
}

std::string
mlir::loom::quant::verifyBinaryCodingOptions(int64_t rows, int64_t cols,
                                             const BinaryCodingOptions &options,
                                             bool haveHessian) {
  if (rows <= 0 || cols <= 0)
    return "weight must be a non-empty [N,K] matrix";
  if (options.bits < 1 || options.bits > 4)
    return "bits must be in 1..4, got " + std::to_string(options.bits);
  if (options.groupSize <= 0 || options.groupSize % 8 != 0)
    return "group size must be a positive multiple of 8, got " +
           std::to_string(options.groupSize);
  if (cols % options.groupSize != 0)
    return "group size " + std::to_string(options.groupSize) +
           " does not divide K = " + std::to_string(cols);
  if (options.iterations < 0)
    return "iterations must be non-negative, got " +
           std::to_string(options.iterations);
  if (options.objective == BinaryCodingObjective::Output) {
    if (!haveHessian)
      return "the output objective needs calibration statistics (the Hessian)";
    if (!(options.dampening >= 0.0))
      return "dampening must be non-negative";
  }
  return "";
}

BinaryCodedWeights mlir::loom::quant::quantizeBinaryCoding(
    const float *weights, int64_t rows, int64_t cols,
    const BinaryCodingOptions &options, const double *hessian) {
  assert(verifyBinaryCodingOptions(rows, cols, options, hessian != nullptr)
             .empty() &&
         "invalid binary-coding options");
  BinaryCodedWeights result;
  result.rows = rows;
  result.cols = cols;
  result.bits = options.bits;
  result.groupSize = options.groupSize;
  int bits = options.bits;
  int64_t groupSize = options.groupSize;
  int64_t numGroups = cols / groupSize;
  int64_t bytesPerRow = cols / 8;
  result.planes.assign(bits * rows * bytesPerRow, 0);
  result.exponents.resize(bits * rows * numGroups);

  auto storeExponents = [&](int64_t n, int64_t group,
                            const std::array<int, 4> &exponents) {
    for (int i = 0; i < bits; ++i)
      result.exponents[(i * rows + n) * numGroups + group] =
          static_cast<int8_t>(exponents[i]);
  };
  auto storeCombination = [&](int64_t n, int64_t k, uint8_t combination) {
    for (int i = 0; i < bits; ++i)
      if ((combination >> i) & 1)
        result.planes[(i * rows + n) * bytesPerRow + k / 8] |=
            static_cast<uint8_t>(1u << (k % 8));
  };

  std::vector<double> row(cols);
  if (options.objective == BinaryCodingObjective::Weight) {
    for (int64_t n = 0; n < rows; ++n) {
      for (int64_t k = 0; k < cols; ++k)
        row[k] = weights[n * cols + k];
      for (int64_t group = 0; group < numGroups; ++group) {
        PowerOfTwoFit fit =
            fitPowerOfTwoGroup(row.data() + group * groupSize, groupSize, bits,
                               options.iterations);
        storeExponents(n, group, fit.exponents);
        for (int64_t k = 0; k < groupSize; ++k)
          storeCombination(n, group * groupSize + k, fit.combinations[k]);
      }
    }
    return result;
  }

  std::vector<double> factor =
      inverseHessianFactor(hessian, cols, options.dampening);
  std::vector<bool> dead = detail::deadInputs(hessian, cols);
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t k = 0; k < cols; ++k)
      row[k] = dead[k] ? 0.0 : weights[n * cols + k];
    double powers[4] = {0.0, 0.0, 0.0, 0.0};
    CombinationTable table(powers, bits, /*asFloat=*/true);
    auto startGroup = [&](int64_t column) {
      PowerOfTwoFit fit = fitPowerOfTwoGroup(row.data() + column, groupSize,
                                             bits, options.iterations);
      storeExponents(n, column / groupSize, fit.exponents);
      for (int i = 0; i < bits; ++i)
        powers[i] = std::ldexp(1.0, fit.exponents[i]);
      table = CombinationTable(powers, bits, /*asFloat=*/true);
    };
    auto quantizeColumn = [&](int64_t column, double weight) {
      auto [value, combination] = table.nearest(weight);
      storeCombination(n, column, combination);
      return value;
    };
    detail::runGptqRow(row.data(), cols, groupSize, factor.data(), startGroup,
                       quantizeColumn);
  }
  return result;
}

std::vector<float>
mlir::loom::quant::dequantize(const BinaryCodedWeights &quantized) {
  int64_t rows = quantized.rows, cols = quantized.cols;
  int64_t numGroups = cols / quantized.groupSize;
  int64_t bytesPerRow = cols / 8;
  std::vector<float> result(rows * cols, 0.0f);
  for (int i = 0; i < quantized.bits; ++i)
    for (int64_t n = 0; n < rows; ++n)
      for (int64_t k = 0; k < cols; ++k) {
        float alpha =
            std::ldexp(1.0f, quantized.exponents[(i * rows + n) * numGroups +
                                                 k / quantized.groupSize]);
        bool positive =
            (quantized.planes[(i * rows + n) * bytesPerRow + k / 8] >>
             (k % 8)) &
            1;
        result[n * cols + k] += positive ? alpha : -alpha;
      }
  return result;
}
