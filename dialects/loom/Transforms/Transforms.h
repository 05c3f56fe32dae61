//===- Transforms.h - loom dialect rewrite patterns -------------*- C++ -*-===//
//
// Patterns and builders of the loom dialect's transformations, shared by the
// passes of dialects/loom/Transforms and by the reference lowering.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TRANSFORMS_TRANSFORMS_H
#define LOOM_TRANSFORMS_TRANSFORMS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loom {

class MoEFFNOp;

/// Builds the decomposition of `op` (router matmul, loom.moe.route, dispatch,
/// experts, combine) on the given operand values (the op's own operands, or
/// their converted values inside a dialect conversion; the optional `w3` and
/// `constants` may be null; `scales` and `zeroPoints` are empty for float
/// experts). Returns the values replacing the op's results (output, dropped).
/// Precondition: static shapes.
SmallVector<Value> buildMoEFFNDecomposition(OpBuilder &builder, MoEFFNOp op,
                                            Value input, Value routerWeight,
                                            Value w1, Value w2, Value w3,
                                            Value constants, ValueRange scales,
                                            ValueRange zeroPoints);

/// Rewrites `loom.moe.ffn` into its steps (see `loom-decompose-moe`).
void populateDecomposeMoEPatterns(RewritePatternSet &patterns);

} // namespace loom
} // namespace mlir

#endif // LOOM_TRANSFORMS_TRANSFORMS_H
