//===- FittingDetail.h - Helpers shared by the fitting files ----*- C++ -*-===//
//
// Private to lib/Quantization: rounding, the dead-input rule and GPTQ's
// per-row column loop, which the uniform and binary-coding quantizers share.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_QUANTIZATION_FITTINGDETAIL_H
#define LOOM_LIB_QUANTIZATION_FITTINGDETAIL_H

#include <cmath>
#include <cstdint>
#include <vector>

namespace mlir::loom::quant::detail {

/// Round half to even, independent of the floating-point environment (GPTQ
/// rounds with torch.round and ONNX QuantizeLinear the same way).
inline double roundHalfToEven(double x) {
  double floorValue = std::floor(x);
  double fraction = x - floorValue;
  if (fraction > 0.5)
    return floorValue + 1.0;
  if (fraction == 0.5 && std::fmod(floorValue, 2.0) != 0.0)
    return floorValue + 1.0;
  return floorValue;
}

/// Inputs never active in calibration (H[k,k] = 0). GPTQ quantizes their
/// weights as 0: they cannot change the output, and 0 does not disturb the
/// group's scale.
inline std::vector<bool> deadInputs(const double *hessian, int64_t cols) {
  std::vector<bool> dead(cols);
  for (int64_t k = 0; k < cols; ++k)
    dead[k] = hessian[k * cols + k] == 0.0;
  return dead;
}

/// GPTQ's column loop on one row `row` (cols values, updated in place):
/// `startGroup(i)` when column i opens a group of `groupSize`, then
/// `quantizeColumn(i, row[i])` returns the value the format gives column i,
/// whose error (scaled by 1 / U[i,i]) is subtracted from the later columns
/// along row i of `factor` (U from inverseHessianFactor).
template <typename StartGroup, typename QuantizeColumn>
void runGptqRow(double *row, int64_t cols, int64_t groupSize,
                const double *factor, StartGroup startGroup,
                QuantizeColumn quantizeColumn) {
  for (int64_t i = 0; i < cols; ++i) {
    if (i % groupSize == 0)
      startGroup(i);
    double quantized = quantizeColumn(i, row[i]);
    const double *factorRow = factor + i * cols;
    double scaledError = (row[i] - quantized) / factorRow[i];
    for (int64_t j = i + 1; j < cols; ++j)
      row[j] -= scaledError * factorRow[j];
  }
}

} // namespace mlir::loom::quant::detail

#endif // LOOM_LIB_QUANTIZATION_FITTINGDETAIL_H
