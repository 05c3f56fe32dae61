//===- ConstantEvaluator.h - Values of small constant tensors ---*- C++ -*-===//
//
// Exporters compute masks and tables from constants (`Where(cond, 0, -inf)`,
// `Expand` of a constant, casts) and the importer keeps those computations as
// ops. Raising needs the values to classify them (is this mask causal? is this
// index table in range?), so this evaluates a statically shaped tensor that
// depends on constants only: constants (dense and dense_resource), fills,
// data-movement views (see TensorView.h) and elementwise linalg.generic ops
// whose body uses arith ops.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ANALYSIS_CONSTANTEVALUATOR_H
#define LOOM_ANALYSIS_CONSTANTEVALUATOR_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir {
namespace loom {

/// The elements of `value` (row-major, as doubles; i1 as 0/1) when it is
/// computed from constants only by the ops described above, with at most
/// `maxElements` elements in `value` and in every intermediate tensor.
/// Floating-point results are rounded to their element type after every op,
/// so the values are the ones the compiled code computes.
std::optional<SmallVector<double>>
evaluateConstantTensor(Value value, int64_t maxElements = 1 << 20);

} // namespace loom
} // namespace mlir

#endif // LOOM_ANALYSIS_CONSTANTEVALUATOR_H
