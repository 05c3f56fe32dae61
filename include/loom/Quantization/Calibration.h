//===- Calibration.h - Running a model on calibration inputs ----*- C++ -*-===//
//
// The quantization passes measure the model they rewrite: the inputs each
// linear layer sees (for activation scales, GPTQ and ShiftAddLLM's output
// objective) and the model's output error when one layer is reduced (for
// loom-assign-precision). Both compile a copy of the model with the CPU JIT
// (in a context of its own, so that a pass can do it) and run it on
// calibration inputs read from a directory of .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANTIZATION_CALIBRATION_H
#define LOOM_QUANTIZATION_CALIBRATION_H

#include "loom/Quantization/LinearLayers.h"
#include "loom/Runtime/JitRunner.h"

#include <memory>
#include <vector>

namespace mlir {
namespace loom {

/// One set of model inputs, in argument order.
using CalibrationSample = std::vector<NpyArray>;

/// Reads the samples in `dir`. A model with one argument: every `*.npy` file
/// (in name order) is a sample, either of the argument's shape or a stack of
/// samples with one more leading dimension. A model with several arguments:
/// every subdirectory (in name order) is a sample holding one `.npy` file per
/// argument, taken in name order. Errors are emitted on `func`.
FailureOr<std::vector<CalibrationSample>>
loadCalibrationSamples(func::FuncOp func, StringRef dir);

/// Runs `func` on each sample with `values` (results of ops in `func`, or
/// its arguments) tapped: a copy compiled with the CPU JIT also returns them.
/// `onSample` gets their values, in the order of `values`, for each sample.
/// Errors are emitted on `func`.
LogicalResult runWithTaps(
    func::FuncOp func, ArrayRef<Value> values,
    ArrayRef<CalibrationSample> samples,
    llvm::function_ref<LogicalResult(ArrayRef<const NpyArray *>)> onSample);

/// What a layer's input rows x (the rows of its [M,K] operand) were over the
/// calibration samples.
struct LayerStatistics {
  int64_t k = 0;
  /// Number of rows seen.
  int64_t rows = 0;
  /// max |x| over every row and column.
  double absMax = 0;
  /// sum over rows of x x^T, [K,K] row-major (empty unless asked for).
  std::vector<double> hessian;
};

/// Runs `func` of `module` on each sample with the input of every layer in
/// `layers` tapped, and accumulates its statistics (with `withHessian`, the
/// [K,K] second moments). Errors are emitted on `func`.
FailureOr<std::vector<LayerStatistics>>
collectLayerStatistics(func::FuncOp func, ArrayRef<LinearLayer> layers,
                       ArrayRef<CalibrationSample> samples, bool withHessian);

/// A compiled copy of `func` that takes the weights of `layers` as extra
/// arguments, so that the model can be run with any layer's weight replaced
/// (by its dequantized approximation) without recompiling.
/// The calibration rows of a `loom.moe.ffn` over all samples: `routed[e]`,
/// the rows `[count, H]` (row-major f32) the router dispatched to expert `e`
/// (its `loom.moe.dispatch` group, after capacity drops), and `all`, every
/// input row of the layer.
struct ExpertRows {
  std::vector<std::vector<float>> routed;
  std::vector<float> all;
};

/// The ExpertRows of every op in `moeOps` (in order).
FailureOr<std::vector<ExpertRows>>
collectExpertRows(func::FuncOp func, ArrayRef<Operation *> moeOps,
                  ArrayRef<CalibrationSample> samples);

class WeightSubstitutionRunner {
public:
  /// Errors are emitted on `func`.
  static FailureOr<std::unique_ptr<WeightSubstitutionRunner>>
  create(func::FuncOp func, ArrayRef<LinearLayer> layers);

  /// The model's first result on `sample`, with layer `layer`'s weight
  /// replaced by `weightNK` ([N,K], row-major) when `layer` >= 0.
  llvm::Expected<NpyArray>
  run(const CalibrationSample &sample, int64_t layer = -1,
      const std::vector<float> *weightNK = nullptr) const;

private:
  std::unique_ptr<JitModule> jit;
  std::vector<NpyArray> weights; // [K,N] each, as in the IR
};

} // namespace loom
} // namespace mlir

#endif // LOOM_QUANTIZATION_CALIBRATION_H
