//===- RaisingUtils.h - Matchers shared by the raising passes ---*- C++ -*-===//
//
// Small matchers over the upstream ops that the ONNX importer (and the
// canonicalizer after it) produce for elementwise steps: NaN guards, masks,
// gathers, activations. Each matcher checks the body of a linalg.generic
// exactly; constants may be splat tensor operands or scalars captured from
// outside the body (the canonicalizer moves them there).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TRANSFORMS_RAISINGUTILS_H
#define LOOM_TRANSFORMS_RAISINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <optional>

namespace mlir {
namespace loom {

/// Adds the pattern of `loom-raise-attention`.
void populateRaiseAttentionPatterns(RewritePatternSet &patterns);
/// Adds the patterns of `loom-raise-moe`.
void populateRaiseMoEPatterns(RewritePatternSet &patterns);

/// Adds the patterns of `loom-raise-rope`.
void populateRaiseRoPEPatterns(RewritePatternSet &patterns);

/// Adds the patterns of `loom-raise-rms-norm`.
void populateRaiseRMSNormPatterns(RewritePatternSet &patterns);

/// Adds the pattern of `loom-raise-qmatmul`.
void populateRaiseQMatmulPatterns(RewritePatternSet &patterns);

/// The number of `OpTy` ops nested in `root` (for the passes' statistics).
template <typename OpTy> int64_t countOps(Operation *root) {
  int64_t n = 0;
  root->walk([&](OpTy) { ++n; });
  return n;
}

/// Applies a raising pass's `patterns` greedily to `root` and returns the
/// number of `OpTy` ops they created (for the pass's statistic).
template <typename OpTy>
FailureOr<int64_t> applyRaisingPatterns(Operation *root,
                                        RewritePatternSet &&patterns) {
  int64_t before = countOps<OpTy>(root);
  if (failed(applyPatternsGreedily(root, std::move(patterns))))
    return failure();
  return countOps<OpTy>(root) - before;
}

/// A batch_matmul or matmul with the default indexing maps whose init is a
/// fill with zero (so the result is exactly the product).
bool isPlainBatchMatmul(linalg::BatchMatmulOp op);
bool isPlainMatmul(linalg::MatmulOp op);

/// If `value = isnan(x) ? 0 : x` elementwise (one generic, or an isnan
/// generic feeding a select generic), returns x.
Value matchNaNGuard(Value value);

/// `value = x + mask` elementwise, with x read through an identity map and of
/// `value`'s type. Sets x, the mask and the mask's indexing map.
LogicalResult matchAdditiveMask(Value value, Value &x, Value &mask,
                                AffineMap &maskMap);

/// `value = select(cond, x, fill)` (or `select(cond, fill, x)`, then
/// `inverted`) elementwise with a scalar constant fill that is -inf or at most
/// -1e30. Sets x, cond (i1), cond's map and fill.
LogicalResult matchBooleanMask(Value value, Value &x, Value &cond,
                               AffineMap &condMap, double &fill,
                               bool &inverted);

/// `select(cond, 0, fill)` (`select(cond, fill, 0)` when `inverted`) as an
/// f32 tensor of cond's shape.
Value booleanToAdditiveMask(OpBuilder &b, Location loc, Value cond, double fill,
                            bool inverted);

/// `value` (static shape) reinterpreted row-major as `type` (same number of
/// elements), through collapse_shape / expand_shape; `value` itself when it
/// already has that type.
Value reshapeRowMajor(OpBuilder &b, Location loc, Value value,
                      RankedTensorType type);

/// If `value = x * sigmoid(x)` (SiLU) elementwise, in one generic or as a
/// sigmoid generic feeding a multiplication, returns x.
Value matchSiLU(Value value);

/// One operand of an elementwise op and the indexing map it is read through.
struct MappedOperand {
  Value value;
  AffineMap map;
};

/// The operands of an elementwise binary op `value = lhs (op) rhs` in one
/// linalg.generic, with their indexing maps (broadcasts allowed).
struct BinaryOperands {
  Value lhs, rhs;
  AffineMap lhsMap, rhsMap;
  /// Operand `i` (0: lhs, 1: rhs); commutative matchers try both orders as
  /// `operand(side)` and `operand(1 - side)`.
  MappedOperand operand(unsigned i) const {
    return i ? MappedOperand{rhs, rhsMap} : MappedOperand{lhs, lhsMap};
  }
};
std::optional<BinaryOperands> matchElementwiseMulF(Value value);
std::optional<BinaryOperands> matchElementwiseAddF(Value value);

/// If `value = f(x)` elementwise in one generic whose body is the single op
/// `OpTy` (arith.negf, math.sqrt, math.rsqrt) on x read through an identity
/// map, returns x.
Value matchElementwiseNegF(Value value);
Value matchElementwiseSqrt(Value value);
Value matchElementwiseRsqrt(Value value);

/// `value = x (op) c` or `value = c (op) x` elementwise in one generic, with x
/// read through an identity map and c a scalar float constant (captured from
/// outside the body, or a splat / 0-d constant input).
struct ScalarOperand {
  Value x;
  double constant;
  /// True for `c (op) x`.
  bool constantIsLhs;
};
std::optional<ScalarOperand> matchScalarAddF(Value value);
std::optional<ScalarOperand> matchScalarMulF(Value value);
std::optional<ScalarOperand> matchScalarDivF(Value value);
std::optional<ScalarOperand> matchScalarPowF(Value value);

/// If `value` is a tensor.expand_shape that appends a unit dimension (a kept
/// reduction dimension, an Unsqueeze at the end), returns its source;
/// otherwise `value`. Row-wise values are the same with or without it.
Value peelTrailingUnit(Value value);

/// If `map` reads an operand of `operandShape` at the loop indices of
/// `loopShape` with unit dimensions broadcast (each result is the loop
/// dimension it stands for, in increasing order, or the constant 0 of a unit
/// dimension; missing loop dimensions are broadcast), returns the operand's
/// shape with the loop rank: the loop size where it is read, 1 where it is
/// broadcast. The operand then reshapes row-major into that shape.
std::optional<SmallVector<int64_t>>
getBroadcastShape(AffineMap map, ArrayRef<int64_t> operandShape,
                  ArrayRef<int64_t> loopShape);

/// A gather of rows of a table: `value[r, ...] = table[idx(r), ...]` where
/// the index of row r is `indices[r]` (or `indices[r, 0]`), possibly through
/// the wrap-negative / clamp index arithmetic that the importer emits for
/// Gather and GatherND (identities for indices in `[0, E)`). `value` is
/// `[R, table dims 1...]`.
struct RowGather {
  Value table;
  /// The index tensor: `[R]` or `[R, 1]` of integers.
  Value indices;
};
std::optional<RowGather> matchRowGather(Value value);

/// If `value = clamp(x, lo, hi)` elementwise on integers with constant bounds
/// (min/max or compare+select forms), returns x and sets the bounds.
Value matchIntegerClamp(Value value, int64_t &lo, int64_t &hi);

/// If `value[i...] = from[i..., k]` for a constant k (a Gather with a scalar
/// constant index along the last axis), returns `from` and sets k.
Value matchLastAxisSelect(Value value, int64_t &k);

/// If `value[i...] = from[i..<axis, k, i axis..]` for a constant k (a Gather
/// with a scalar constant index along any axis; unit dimensions of `from`
/// may be read at constant 0), returns `from` and sets axis and k.
Value matchAxisSelect(Value value, int64_t &axis, int64_t &k);

} // namespace loom
} // namespace mlir

#endif // LOOM_TRANSFORMS_RAISINGUTILS_H
