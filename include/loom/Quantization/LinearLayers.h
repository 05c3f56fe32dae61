//===- LinearLayers.h - The linear layers efficiency passes rewrite -*- C++
//-*-===//
//
// What loom-quantize, loom-shiftadd and loom-assign-precision call a linear
// layer: a `linalg.matmul(x, W)` (zero-filled init, default maps) of static
// f32 tensors whose `[K,N]` weight W is a constant. That is what the ONNX
// importer makes of `MatMul(x, W)` and `Gemm` with a constant W (and what
// loom-optimize-pipeline leaves of them). Layers are named after the ONNX
// node (the importer's NameLoc), else `linear_<i>` in program order, so that
// a policy file written for one compile applies to the next.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANTIZATION_LINEARLAYERS_H
#define LOOM_QUANTIZATION_LINEARLAYERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <string>
#include <vector>

namespace mlir {
namespace loom {

struct LinearLayer {
  mutable linalg::MatmulOp op;
  std::string name;
  /// y[M,N] = x[M,K] W[K,N].
  int64_t m = 0, k = 0, n = 0;
  /// The result reaches a function result through reshapes only: the
  /// model's output head (a language model's logits), left alone by default.
  bool isOutputHead = false;
};

/// A constant expert weight of a `loom.moe.ffn` (`w1`, `w2` or `w3`): f32
/// `[E,K,N]`, expert e computing `rows[.,K] x W[e]` (K is dimension 1 for
/// all three). Named `<moe node>/w1` etc.
struct ExpertWeight {
  mutable Operation *op = nullptr;
  unsigned operandIndex = 0;
  std::string name;
  int64_t experts = 0, k = 0, n = 0;
};

/// The constant static f32 expert weights of the `loom.moe.ffn` ops of
/// `func`, in program order.
std::vector<ExpertWeight> findExpertWeights(func::FuncOp func);

/// The `loom.moe.ffn` ops of `func`.
std::vector<Operation *> findMoEOps(func::FuncOp func);

/// Each expert's weight transposed to [N,K], row-major (the constant is
/// read once).
std::optional<std::vector<std::vector<float>>>
readExpertWeightsNK(const ExpertWeight &w);

/// The public function the passes calibrate and rewrite: `name` if given,
/// else the module's only public function with a body. Emits an error on
/// `module` and returns null when there is none (or several).
func::FuncOp getEntryFunction(ModuleOp module, StringRef name);

/// The linear layers of `func` in program order. With `remarks`, emits a
/// remark on each op that holds weights but is not a linear layer
/// (convolutions, mixture-of-experts blocks, non-f32 or dynamic matmuls by a
/// constant), saying why it is left alone.
std::vector<LinearLayer> findLinearLayers(func::FuncOp func,
                                          bool remarks = false);

/// The weight of `layer` as the IR holds it, [K,N] row-major; nullopt if its
/// constant cannot be read.
std::optional<std::vector<float>> readWeightKN(const LinearLayer &layer);

/// The weight of `layer` transposed to [N,K] (the layout of loom.qmatmul and
/// friends), row-major; nullopt if its constant cannot be read.
std::optional<std::vector<float>> readWeightNK(const LinearLayer &layer);

/// `matrix` ([rows, cols], row-major) transposed to [cols, rows].
template <typename T>
std::vector<T> transposed(ArrayRef<T> matrix, int64_t rows, int64_t cols) {
  std::vector<T> result(matrix.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      result[c * rows + r] = matrix[r * cols + c];
  return result;
}

/// The position of `op` in a pre-order walk of `func`: the same op's
/// position in a clone of `func`.
int64_t walkIndexOf(func::FuncOp func, Operation *op);
Operation *opAtWalkIndex(func::FuncOp func, int64_t index);

} // namespace loom
} // namespace mlir

#endif // LOOM_QUANTIZATION_LINEARLAYERS_H
