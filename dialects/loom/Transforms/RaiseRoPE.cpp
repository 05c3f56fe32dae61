//===- RaiseRoPE.cpp - loom-raise-rope ------------------------------------===//
//
// Rewrites the rotate-half rotary embedding that exporters emit for
// HuggingFace's `apply_rotary_pos_emb`,
//
//   y = x * cos + concat(-x[..., R/2:], x[..., :R/2]) * sin,
//
// into one `loom.rope`, the same with GPT-J's interleaved `rotate_every_two`
// (`stack(-x[..., 1::2], x[..., 0::2], -1).flatten(-2)`) into a
// `loom.rope {interleaved}`, and folds the partial-rotary form (the rotated
// channels concatenated with the untouched rest) into the op's rotary width.
// The additions and multiplications may come in either operand order; the
// tables may be read through any broadcast (they are reshaped to the input's
// rank with unit dimensions). The op computes exactly this arithmetic, so the
// rewrite is bit-exact. Anything else (a different pairing, tables that are
// not broadcasts) is left alone.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEROPE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// If `slice` is `source[..., offset : offset + size * stride : stride]`
/// (static, whole along every other axis), returns the source.
Value matchLastAxisSlice(Value slice, int64_t offset, int64_t size,
                         int64_t stride = 1) {
  auto op = slice.getDefiningOp<tensor::ExtractSliceOp>();
  if (!op || op.getSourceType().getRank() != op.getResultType().getRank())
    return nullptr;
  ArrayRef<int64_t> shape = op.getSourceType().getShape();
  int64_t rank = shape.size();
  ArrayRef<int64_t> offsets = op.getStaticOffsets();
  ArrayRef<int64_t> sizes = op.getStaticSizes();
  ArrayRef<int64_t> strides = op.getStaticStrides();
  for (int64_t i = 0; i < rank; ++i) {
    bool last = i == rank - 1;
    if (strides[i] != (last ? stride : 1) ||
        offsets[i] != (last ? offset : 0) ||
        sizes[i] != (last ? size : shape[i]) || ShapedType::isDynamic(shape[i]))
      return nullptr;
  }
  return op.getSource();
}

/// If `partner = concat(-x[..., R/2:], x[..., :R/2])` along the last axis of
/// an `x` whose last dimension is R, returns x.
Value matchRotateHalf(Value partner) {
  auto concat = partner.getDefiningOp<tensor::ConcatOp>();
  if (!concat || concat.getInputs().size() != 2)
    return nullptr;
  auto type = cast<RankedTensorType>(concat.getType());
  int64_t rank = type.getRank(), r = type.getShape().back();
  if (static_cast<int64_t>(concat.getDim()) != rank - 1 ||
      ShapedType::isDynamic(r) || r % 2 != 0)
    return nullptr;
  Value neg = matchElementwiseNegF(concat.getInputs()[0]);
  if (!neg)
    return nullptr;
  Value x = matchLastAxisSlice(neg, r / 2, r / 2);
  if (!x || x != matchLastAxisSlice(concat.getInputs()[1], 0, r / 2) ||
      x.getType() != type)
    return nullptr;
  return x;
}

/// If `partner` is GPT-J's `rotate_every_two(x)`: `stack(-x[..., 1::2],
/// x[..., 0::2], -1).flatten(-2)`, i.e. the collapse of a concat along a new
/// unit axis of the negated odd and the even channels, returns x.
Value matchRotateEveryTwo(Value partner) {
  auto collapse = partner.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse)
    return nullptr;
  auto type = cast<RankedTensorType>(collapse.getResultType());
  auto srcType = cast<RankedTensorType>(collapse.getSrcType());
  int64_t rank = type.getRank(), r = type.getShape().back();
  // [..., R/2, 2] -> [..., R]: every group a singleton but the last.
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  if (srcType.getRank() != rank + 1 || ShapedType::isDynamic(r) || r % 2 ||
      srcType.getShape().back() != 2 ||
      groups.back() != ReassociationIndices{rank - 1, rank})
    return nullptr;
  auto concat = collapse.getSrc().getDefiningOp<tensor::ConcatOp>();
  if (!concat || concat.getInputs().size() != 2 ||
      static_cast<int64_t>(concat.getDim()) != rank)
    return nullptr;
  Value negOdd = peelTrailingUnit(concat.getInputs()[0]);
  Value even = peelTrailingUnit(concat.getInputs()[1]);
  if (negOdd == concat.getInputs()[0] || even == concat.getInputs()[1])
    return nullptr;
  Value odd = matchElementwiseNegF(negOdd);
  if (!odd)
    return nullptr;
  Value x = matchLastAxisSlice(odd, 1, r / 2, 2);
  if (!x || x != matchLastAxisSlice(even, 0, r / 2, 2) || x.getType() != type)
    return nullptr;
  return x;
}

/// The type of a cos or sin table as the op takes it: `table` read through
/// `map` over the loops of `loopType`, at the loop rank with unit dimensions.
std::optional<RankedTensorType> getTableType(Value table, AffineMap map,
                                             RankedTensorType loopType) {
  auto type = dyn_cast<RankedTensorType>(table.getType());
  if (!type || !type.hasStaticShape() ||
      type.getElementType() != loopType.getElementType())
    return std::nullopt;
  std::optional<SmallVector<int64_t>> shape =
      getBroadcastShape(map, type.getShape(), loopType.getShape());
  if (!shape || shape->back() != loopType.getShape().back())
    return std::nullopt;
  return RankedTensorType::get(*shape, type.getElementType());
}

/// x * cos + rotate_half(x) * sin  ->  loom.rope x, cos, sin, and the same
/// with rotate_every_two  ->  loom.rope {interleaved}.
struct RaiseRotateHalf : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1)
      return failure();
    Value result = op.getResult(0);
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || !type.hasStaticShape() || type.getRank() < 1)
      return failure();
    std::optional<BinaryOperands> add = matchElementwiseAddF(result);
    if (!add || !add->lhsMap.isIdentity() || !add->rhsMap.isIdentity() ||
        add->lhs.getType() != type || add->rhs.getType() != type)
      return rewriter.notifyMatchFailure(op, "not an add of two tensors");

    for (unsigned side = 0; side < 2; ++side) {
      Value direct = add->operand(side).value;
      Value rotated = add->operand(1 - side).value;
      std::optional<BinaryOperands> rotMul = matchElementwiseMulF(rotated);
      std::optional<BinaryOperands> dirMul = matchElementwiseMulF(direct);
      if (!rotMul || !dirMul)
        continue;
      for (unsigned p = 0; p < 2; ++p) {
        auto [partner, partnerMap] = rotMul->operand(p);
        auto [sin, sinMap] = rotMul->operand(1 - p);
        if (!partnerMap.isIdentity())
          continue;
        bool interleaved = false;
        Value x = matchRotateHalf(partner);
        if (!x) {
          x = matchRotateEveryTwo(partner);
          interleaved = true;
        }
        if (!x || x.getType() != type)
          continue;
        for (unsigned c = 0; c < 2; ++c) {
          auto [xd, xdMap] = dirMul->operand(c);
          auto [cos, cosMap] = dirMul->operand(1 - c);
          if (xd != x || !xdMap.isIdentity())
            continue;
          // Check both tables before creating any reshape.
          std::optional<RankedTensorType> cosType =
              getTableType(cos, cosMap, type);
          std::optional<RankedTensorType> sinType =
              getTableType(sin, sinMap, type);
          if (!cosType || !sinType || *cosType != *sinType)
            return rewriter.notifyMatchFailure(op, "tables do not broadcast");
          Location loc = op.getLoc();
          rewriter.replaceOpWithNewOp<RoPEOp>(
              op, type, x, reshapeRowMajor(rewriter, loc, cos, *cosType),
              reshapeRowMajor(rewriter, loc, sin, *sinType), interleaved);
          return success();
        }
      }
    }
    return rewriter.notifyMatchFailure(op, "not x * cos + rotate(x) * sin");
  }
};

/// concat(rope(x[..., :R]), x[..., R:])  ->  rope(x) rotating R channels.
struct FoldPartialRotary : OpRewritePattern<tensor::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getInputs().size() != 2 ||
        static_cast<int64_t>(op.getDim()) != type.getRank() - 1 ||
        !type.hasStaticShape())
      return failure();
    auto rope = op.getInputs()[0].getDefiningOp<RoPEOp>();
    if (!rope || !rope->hasOneUse())
      return rewriter.notifyMatchFailure(op, "first part is not a loom.rope");
    int64_t d = type.getShape().back();
    int64_t r = cast<RankedTensorType>(rope.getType()).getShape().back();
    Value x = matchLastAxisSlice(rope.getInput(), 0, r);
    if (!x || x.getType() != type ||
        x != matchLastAxisSlice(op.getInputs()[1], r, d - r))
      return rewriter.notifyMatchFailure(op, "not the rest of the same tensor");
    rewriter.replaceOpWithNewOp<RoPEOp>(op, type, x, rope.getCos(),
                                        rope.getSin(), rope.getInterleaved());
    return success();
  }
};

struct RaiseRoPEPass : loom::impl::LoomRaiseRoPEBase<RaiseRoPEPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseRoPEPatterns(patterns);
    FailureOr<int64_t> raised =
        applyRaisingPatterns<loom::RoPEOp>(getOperation(), std::move(patterns));
    if (failed(raised))
      return signalPassFailure();
    numRaised += *raised;
  }
};
} // namespace

void mlir::loom::populateRaiseRoPEPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseRotateHalf, FoldPartialRotary>(patterns.getContext());
}
