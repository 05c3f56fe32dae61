//===- RaiseRMSNorm.cpp - loom-raise-rms-norm -----------------------------===//
//
// Rewrites RMS normalisation as exporters emit HuggingFace's `LlamaRMSNorm`
// (and Qwen3's per-head q/k norms),
//
//   y = weight * (x * 1 / sqrt(mean(x^2, -1, keepdim) + eps)),
//
// into one `loom.rms_norm`. Accepted spellings: the square as `x * x` or
// `pow(x, 2)`; the mean as a `linalg.reduce` sum over the last axis (kept as a
// unit dimension or not) divided by N or multiplied by 1/N; the inverse root
// as `1 / sqrt`, `rsqrt`, or a division of x by the root; the weight on
// either side of a final multiplication (a second pattern folds it into the
// op). The op's reference lowering computes the same steps in the same order
// for f32; a multiplication by a rounded 1/N becomes a division by N and a
// division of x by the root a multiplication by its inverse (each within an
// ulp). Anything else is left alone.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"

#include "loom/Analysis/TensorView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISERMSNORM
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// If `sum` is the sum of `sq` over its last axis (a linalg.reduce with an
/// addf body and a zero-filled init), returns sq.
Value matchLastAxisSum(Value sum) {
  auto reduce = sum.getDefiningOp<linalg::ReduceOp>();
  if (!reduce || reduce.getNumDpsInputs() != 1 || reduce->getNumResults() != 1)
    return nullptr;
  Value input = reduce.getDpsInputOperand(0)->get();
  auto inType = cast<RankedTensorType>(input.getType());
  if (reduce.getDimensions() != ArrayRef<int64_t>{inType.getRank() - 1})
    return nullptr;
  auto fill = reduce.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  std::optional<double> zero =
      fill ? getScalarFloatConstant(fill.getInputs()[0]) : std::nullopt;
  if (!zero || *zero != 0.0)
    return nullptr;
  Block &body = reduce.getCombiner().front();
  if (body.getOperations().size() != 2)
    return nullptr;
  auto addf = dyn_cast<arith::AddFOp>(body.front());
  if (!addf || body.getTerminator()->getOperand(0) != addf.getResult())
    return nullptr;
  Value a = body.getArgument(0), b = body.getArgument(1);
  if (!((addf.getLhs() == a && addf.getRhs() == b) ||
        (addf.getLhs() == b && addf.getRhs() == a)))
    return nullptr;
  return input;
}

/// If `sq = x * x` or `pow(x, 2)` elementwise, returns x.
Value matchSquare(Value sq) {
  if (std::optional<ScalarOperand> pow = matchScalarPowF(sq))
    return !pow->constantIsLhs && pow->constant == 2.0 ? pow->x : nullptr;
  std::optional<BinaryOperands> mul = matchElementwiseMulF(sq);
  if (mul && mul->lhs == mul->rhs && mul->lhsMap.isIdentity() &&
      mul->rhsMap.isIdentity() && mul->lhs.getType() == sq.getType())
    return mul->lhs;
  return nullptr;
}

/// What `mean(x^2) + eps` was found to be.
struct MeanSquare {
  Value x;
  double epsilon;
};

/// If `value = mean(x^2 over the last axis of x) + eps` (with the mean's
/// unit dimension kept or dropped at any step), returns x and eps.
std::optional<MeanSquare> matchMeanSquarePlusEps(Value value) {
  std::optional<ScalarOperand> add = matchScalarAddF(peelTrailingUnit(value));
  if (!add || !std::isfinite(add->constant) || add->constant < 0)
    return std::nullopt;
  // mean = sum / N or sum * (1/N), N checked once x is known.
  Value sum;
  double divisor = 0, factor = 0;
  Value mean = peelTrailingUnit(add->x);
  if (std::optional<ScalarOperand> div = matchScalarDivF(mean)) {
    if (div->constantIsLhs)
      return std::nullopt;
    sum = div->x;
    divisor = div->constant;
  } else if (std::optional<ScalarOperand> mul = matchScalarMulF(mean)) {
    sum = mul->x;
    factor = mul->constant;
  } else {
    return std::nullopt;
  }
  sum = peelTrailingUnit(sum);
  Value sq = matchLastAxisSum(sum);
  Value x = sq ? matchSquare(sq) : nullptr;
  if (!x)
    return std::nullopt;
  auto xType = cast<RankedTensorType>(x.getType());
  double n = static_cast<double>(xType.getShape().back());
  bool meanOk =
      divisor != 0 ? divisor == n : std::abs(factor * n - 1.0) <= 1e-6;
  if (!meanOk)
    return std::nullopt;
  return MeanSquare{x, add->constant};
}

/// x * (1 / sqrt(ms)), x * rsqrt(ms) or x / sqrt(ms)  ->  loom.rms_norm x.
struct RaiseRMSNorm : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1)
      return failure();
    Value result = op.getResult(0);
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || !type.hasStaticShape() || type.getRank() < 1 ||
        !isa<FloatType>(type.getElementType()))
      return failure();
    // The operands: x through an identity map and the per-row factor through
    // a broadcast of the last axis.
    std::optional<BinaryOperands> operands;
    bool divides = false;
    if (!(operands = matchElementwiseMulF(result))) {
      linalg::GenericOp g = op;
      // x / root: the same shape of body as a multiplication.
      if (g.getNumDpsInputs() != 2 || g.getBody()->getOperations().size() != 2)
        return failure();
      auto div = g.getBody()
                     ->getTerminator()
                     ->getOperand(0)
                     .getDefiningOp<arith::DivFOp>();
      if (!div || div.getLhs() != g.getBody()->getArgument(0) ||
          div.getRhs() != g.getBody()->getArgument(1))
        return failure();
      operands = BinaryOperands{g.getDpsInputs()[0], g.getDpsInputs()[1],
                                g.getIndexingMapsArray()[0],
                                g.getIndexingMapsArray()[1]};
      divides = true;
    }
    SmallVector<int64_t> rowShape(type.getShape());
    rowShape.back() = 1;
    for (unsigned side = 0; side < (divides ? 1 : 2); ++side) {
      auto [x, xMap] = operands->operand(side);
      auto [factor, factorMap] = operands->operand(1 - side);
      auto factorType = dyn_cast<RankedTensorType>(factor.getType());
      if (x.getType() != type || !xMap.isIdentity() || !factorType)
        continue;
      std::optional<SmallVector<int64_t>> shape =
          getBroadcastShape(factorMap, factorType.getShape(), type.getShape());
      if (!shape || *shape != rowShape)
        continue;
      // The mean square under the root.
      Value root;
      factor = peelTrailingUnit(factor);
      if (divides) {
        root = matchElementwiseSqrt(factor);
      } else if (std::optional<ScalarOperand> inv = matchScalarDivF(factor)) {
        if (inv->constantIsLhs && inv->constant == 1.0)
          root = matchElementwiseSqrt(peelTrailingUnit(inv->x));
      } else if (Value ms = matchElementwiseRsqrt(factor)) {
        // rsqrt(ms): treat ms as the root's argument directly.
        std::optional<MeanSquare> m = matchMeanSquarePlusEps(ms);
        if (m && m->x == x)
          return replace(rewriter, op, x, m->epsilon);
        continue;
      }
      if (!root)
        continue;
      std::optional<MeanSquare> m = matchMeanSquarePlusEps(root);
      if (m && m->x == x)
        return replace(rewriter, op, x, m->epsilon);
    }
    return rewriter.notifyMatchFailure(op, "not x * 1/sqrt(mean(x^2) + eps)");
  }

  static LogicalResult replace(PatternRewriter &rewriter, Operation *op,
                               Value x, double epsilon) {
    rewriter.replaceOpWithNewOp<RMSNormOp>(
        op, x.getType(), x, /*weight=*/Value(),
        rewriter.getF32FloatAttr(static_cast<float>(epsilon)));
    return success();
  }
};

/// rms_norm(x) * weight[n] (either order)  ->  rms_norm(x, weight).
struct FoldRMSNormWeight : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1)
      return failure();
    Value result = op.getResult(0);
    std::optional<BinaryOperands> mul = matchElementwiseMulF(result);
    if (!mul)
      return failure();
    auto type = cast<RankedTensorType>(result.getType());
    for (unsigned side = 0; side < 2; ++side) {
      auto [normed, normedMap] = mul->operand(side);
      auto [weight, weightMap] = mul->operand(1 - side);
      auto norm = normed.getDefiningOp<RMSNormOp>();
      auto wType = dyn_cast<RankedTensorType>(weight.getType());
      if (!norm || norm.getWeight() || !norm->hasOneUse() ||
          norm.getType() != type || !normedMap.isIdentity() || !wType ||
          !wType.hasStaticShape() ||
          wType.getElementType() != type.getElementType())
        continue;
      std::optional<SmallVector<int64_t>> shape =
          getBroadcastShape(weightMap, wType.getShape(), type.getShape());
      SmallVector<int64_t> want(type.getRank(), 1);
      want.back() = type.getShape().back();
      if (!shape || *shape != want)
        continue;
      auto flat = RankedTensorType::get({want.back()}, wType.getElementType());
      rewriter.replaceOpWithNewOp<RMSNormOp>(
          op, type, norm.getInput(),
          reshapeRowMajor(rewriter, op.getLoc(), weight, flat),
          norm.getEpsilonAttr());
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not rms_norm(x) * weight");
  }
};

struct RaiseRMSNormPass : loom::impl::LoomRaiseRMSNormBase<RaiseRMSNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseRMSNormPatterns(patterns);
    FailureOr<int64_t> raised = applyRaisingPatterns<loom::RMSNormOp>(
        getOperation(), std::move(patterns));
    if (failed(raised))
      return signalPassFailure();
    numRaised += *raised;
  }
};
} // namespace

void mlir::loom::populateRaiseRMSNormPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseRMSNorm, FoldRMSNormWeight>(patterns.getContext());
}
