//===- RaiseAttention.cpp - loom-raise-attention --------------------------===//
//
// Rewrites decomposed scaled-dot-product attention into one `loom.attention`.
// The match is anchored at the P x V `linalg.batch_matmul` and walks back to
// the softmax, the score chain (scales and masks) and the Q x K^T
// `linalg.batch_matmul`. Every operand is traced with TensorView, so the
// reshapes, transposes and GQA broadcasts may come in any order an exporter or
// the canonicalizer leaves them in; what is checked is the index mapping they
// implement. Masks are evaluated when they are constant and classified as
// causal / sliding window / sinks; anything else becomes the additive `mask`
// operand. When equivalence cannot be shown the IR is left untouched.
//
// Preconditions: static shapes, f32. Semantics preserved exactly in real
// arithmetic; in floating point the scale is applied once instead of on Q and
// K separately, and masked entries (-inf, or at most -1e30) are dropped, which
// is exact as long as the scores are finite and below 1e29 in magnitude.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"

#include "loom/Analysis/ConstantEvaluator.h"
#include "loom/Analysis/TensorView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <optional>

#define DEBUG_TYPE "loom-raise-attention"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEATTENTION
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// An additive (or boolean) mask found on the score chain, with its indexing
/// expressed in the attention frame [B, Hq, Sq, Skv].
struct MaskTerm {
  /// The mask tensor (f32 for additive masks, i1 for boolean ones).
  Value value;
  /// Frame dims -> mask dims (each result a frame dim or the constant 0 of a
  /// unit mask dim).
  AffineMap frameMap;
  /// Boolean masks: `select(cond, score, fill)`.
  bool isBoolean = false;
  bool inverted = false;
  double fill = 0;
  /// The product of the score scales applied after the mask (they scale it).
  double scale = 1.0;
};

/// Visibility of key j to query i as causal / window / sinks attributes.
struct Visibility {
  bool causal = false;
  std::optional<int64_t> window, sinks;
};

/// A masked entry: -inf, or so negative that exp underflows to exactly 0 for
/// any score below 1e29 in magnitude.
static bool isMaskedValue(double x) { return x <= -1.0e30; }

/// Classifies `visible` (Sq x Skv, row-major) as no mask, causal, or causal
/// with a sliding window and sinks, with query i at position Skv - Sq + i.
static std::optional<Visibility> classifyVisibility(ArrayRef<bool> visible,
                                                    int64_t sq, int64_t skv) {
  auto vis = [&](int64_t i, int64_t j) { return visible[i * skv + j]; };
  if (llvm::all_of(visible, [](bool b) { return b; }))
    return Visibility();
  int64_t off = skv - sq;
  std::optional<int64_t> window;
  int64_t sinks = 0;
  for (int64_t i = 0; i < sq; ++i) {
    int64_t pos = i + off;
    if (pos < 0)
      return std::nullopt; // rows without keys: not an attribute pattern
    // The contiguous visible run ending at the query's own position.
    int64_t run = 0;
    while (pos - run >= 0 && vis(i, pos - run))
      ++run;
    if (run == pos + 1 || run == 0)
      continue;
    if (!window || run < *window) {
      window = run;
      int64_t s = 0;
      while (s < pos - run && vis(i, s))
        ++s;
      sinks = s;
    }
  }
  Visibility result;
  result.causal = true;
  if (window) {
    result.window = *window;
    if (sinks > 0)
      result.sinks = sinks;
  }
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < skv; ++j) {
      int64_t pos = i + off;
      bool want = j <= pos;
      if (want && window)
        want = j > pos - *window || j < sinks;
      if (vis(i, j) != want)
        return std::nullopt;
    }
  return result;
}

/// Maps the indexing map `maskMap` of a mask operand (over the dims of the
/// elementwise op's iteration space, which `view` relates to the attention
/// frame) to a map over the frame dims.
static std::optional<AffineMap> maskMapInFrame(const TensorView &view,
                                               AffineMap maskMap,
                                               RankedTensorType maskType) {
  MLIRContext *ctx = maskMap.getContext();
  auto srcType = cast<RankedTensorType>(view.getSource().getType());
  // Source dim -> the frame dim that is exactly that source dim.
  SmallVector<int64_t> frameOf(srcType.getRank(), -1);
  SmallVector<int64_t> uses(srcType.getRank(), 0);
  for (auto [f, atoms] : llvm::enumerate(view.getDims()))
    for (const ViewAtom &a : atoms)
      if (!a.isBroadcast()) {
        ++uses[a.dim];
        if (atoms.size() == 1 && a.stride == 1 &&
            a.size == srcType.getDimSize(a.dim))
          frameOf[a.dim] = f;
      }
  SmallVector<AffineExpr> exprs;
  for (auto [k, e] : llvm::enumerate(maskMap.getResults())) {
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      if (c.getValue() != 0 || maskType.getDimSize(k) != 1)
        return std::nullopt;
      exprs.push_back(e);
      continue;
    }
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return std::nullopt;
    int64_t x = d.getPosition();
    if (srcType.getDimSize(x) == 1) {
      exprs.push_back(getAffineConstantExpr(0, ctx));
      continue;
    }
    if (uses[x] != 1 || frameOf[x] < 0)
      return std::nullopt;
    exprs.push_back(getAffineDimExpr(frameOf[x], ctx));
  }
  return AffineMap::get(4, 0, exprs, ctx);
}

/// Evaluates a constant mask in the frame as an [Sq, Skv] matrix shared by all
/// batches and heads; nullopt when it is not constant or differs between
/// them.
static std::optional<SmallVector<double>>
evaluateFrameMask(const MaskTerm &m, ArrayRef<int64_t> frame) {
  // Up to a 4096 x 4096 mask: long causal prefills must be recognised too.
  std::optional<SmallVector<double>> vals =
      evaluateConstantTensor(m.value, /*maxElements=*/1 << 24);
  if (!vals)
    return std::nullopt;
  auto type = cast<RankedTensorType>(m.value.getType());
  int64_t sq = frame[2], skv = frame[3];
  SmallVector<double> out(sq * skv);
  SmallVector<int64_t> idx(4);
  for (idx[0] = 0; idx[0] < frame[0]; ++idx[0])
    for (idx[1] = 0; idx[1] < frame[1]; ++idx[1])
      for (idx[2] = 0; idx[2] < sq; ++idx[2])
        for (idx[3] = 0; idx[3] < skv; ++idx[3]) {
          int64_t off = 0;
          for (auto [k, e] : llvm::enumerate(m.frameMap.getResults())) {
            int64_t i = 0;
            if (auto d = dyn_cast<AffineDimExpr>(e))
              i = idx[d.getPosition()];
            off = off * type.getDimSize(k) + i;
          }
          double x = (*vals)[off];
          double &slot = out[idx[2] * skv + idx[3]];
          if (idx[0] == 0 && idx[1] == 0)
            slot = x;
          else if (!(slot == x || (std::isnan(slot) && std::isnan(x))))
            return std::nullopt;
        }
  return out;
}

/// Reshapes `mask` (indexed by the frame through `frameMap`) into the rank-4
/// frame-broadcastable tensor `loom.attention` takes.
static FailureOr<Value> maskToFrame(PatternRewriter &rewriter, Location loc,
                                    Value mask, AffineMap frameMap) {
  auto type = cast<RankedTensorType>(mask.getType());
  SmallVector<int64_t> shape(4, 1);
  int64_t last = -1;
  for (auto [k, e] : llvm::enumerate(frameMap.getResults())) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      continue;
    if (static_cast<int64_t>(d.getPosition()) <= last)
      return failure(); // the mask is transposed relative to the frame
    last = d.getPosition();
    shape[last] = type.getDimSize(k);
  }
  auto frameType = RankedTensorType::get(shape, type.getElementType());
  if (frameType == type)
    return mask;
  return reshapeRowMajor(rewriter, loc, mask, frameType);
}

struct RaiseAttentionPattern : OpRewritePattern<linalg::BatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::BatchMatmulOp pv,
                                PatternRewriter &rewriter) const override {
    if (!pv.hasPureTensorSemantics() || !isPlainBatchMatmul(pv))
      return rewriter.notifyMatchFailure(pv, "not a plain batch_matmul");
    auto outType = cast<RankedTensorType>(pv.getResult(0).getType());
    if (!outType.hasStaticShape() || !outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(pv, "needs static f32 shapes");

    // P: the softmax over keys, possibly behind the NaN guard.
    TensorView pView = TensorView::identity(pv.getDpsInputs()[0]);
    bool guarded = false;
    linalg::SoftmaxOp softmax;
    while (true) {
      Value src = pView.getSource();
      if ((softmax = src.getDefiningOp<linalg::SoftmaxOp>()))
        break;
      if (Value in = matchNaNGuard(src)) {
        guarded = true;
        pView.stepThroughElementwise(in);
        continue;
      }
      if (!pView.stepBack())
        return rewriter.notifyMatchFailure(pv, "P is not a softmax");
    }
    auto frameType = cast<RankedTensorType>(softmax.getInput().getType());
    if (frameType.getRank() != 4 || softmax.getDimension() != 3 ||
        !frameType.hasStaticShape())
      return rewriter.notifyMatchFailure(pv, "softmax is not over the keys "
                                             "of a [B,H,Sq,Skv] tensor");
    ArrayRef<int64_t> frame = frameType.getShape();
    int64_t b = frame[0], hq = frame[1], sq = frame[2], skv = frame[3];
    auto whole = [&](ArrayRef<int64_t> shape, int64_t d) {
      return TensorView::whole(shape, d);
    };
    if (!pView.equals({ViewDim{whole(frame, 0), whole(frame, 1)},
                       ViewDim{whole(frame, 2)}, ViewDim{whole(frame, 3)}}))
      return rewriter.notifyMatchFailure(pv, "P is not [B*H, Sq, Skv]");

    // Scores: scales and at most one mask, back to Q x K^T.
    TensorView sView = TensorView::identity(softmax.getInput());
    double scoreScale = 1.0;
    std::optional<MaskTerm> mask;
    linalg::BatchMatmulOp qk;
    while (true) {
      Value src = sView.getSource();
      if ((qk = src.getDefiningOp<linalg::BatchMatmulOp>()))
        break;
      Value in;
      if (std::optional<double> c = matchScalarScale(src, in)) {
        scoreScale *= *c;
        sView.stepThroughElementwise(in);
        continue;
      }
      Value maskValue;
      AffineMap maskMap;
      bool isBoolean = false, inverted = false;
      double fill = 0;
      if (succeeded(matchAdditiveMask(src, in, maskValue, maskMap)) ||
          succeeded(
              matchBooleanMask(src, in, maskValue, maskMap, fill, inverted))) {
        isBoolean = !isa<FloatType>(
            cast<RankedTensorType>(maskValue.getType()).getElementType());
        if (mask)
          return rewriter.notifyMatchFailure(pv, "more than one mask");
        std::optional<AffineMap> fm = maskMapInFrame(
            sView, maskMap, cast<RankedTensorType>(maskValue.getType()));
        if (!fm)
          return rewriter.notifyMatchFailure(pv, "mask does not broadcast "
                                                 "over the attention frame");
        mask = MaskTerm{maskValue, *fm, isBoolean, inverted, fill, scoreScale};
        sView.stepThroughElementwise(in);
        continue;
      }
      if (!sView.stepBack())
        return rewriter.notifyMatchFailure(pv, "unrecognised op on scores");
    }
    if (!isPlainBatchMatmul(qk))
      return rewriter.notifyMatchFailure(pv, "Q x K^T is not plain");
    auto qkType = cast<RankedTensorType>(qk.getResult(0).getType());
    ArrayRef<int64_t> qkShape = qkType.getShape();
    if (qkShape != ArrayRef<int64_t>{b * hq, sq, skv} ||
        !sView.equals({ViewDim{ViewAtom{0, hq, b}}, ViewDim{ViewAtom{0, 1, hq}},
                       ViewDim{whole(qkShape, 1)}, ViewDim{whole(qkShape, 2)}}))
      return rewriter.notifyMatchFailure(pv, "scores are not [B*H, Sq, Skv]");

    // Q [B, Hq, Sq, D].
    int64_t d =
        cast<RankedTensorType>(qk.getDpsInputs()[0].getType()).getDimSize(2);
    TensorView qView = TensorView::identity(qk.getDpsInputs()[0]);
    SmallVector<int64_t> qShape = {b, hq, sq, d};
    if (!qView.stepBackUntil(
            [&](const TensorView &v) {
              return cast<RankedTensorType>(v.getSource().getType())
                             .getShape() == ArrayRef<int64_t>(qShape) &&
                     v.equals({ViewDim{whole(qShape, 0), whole(qShape, 1)},
                               ViewDim{whole(qShape, 2)},
                               ViewDim{whole(qShape, 3)}});
            },
            /*allowScale=*/true))
      return rewriter.notifyMatchFailure(pv, "no [B,Hq,Sq,D] query");

    // K [B, Hkv, Skv, D] read as K^T and V [B, Hkv, Skv, Dv], with query head
    // h on kv head h / G. Every tensor along the chains that reads that way is
    // a candidate; the one with the fewest heads wins (the GQA source rather
    // than a materialised broadcast of it).
    auto kvCandidates = [&](Value operand, int64_t lastDim, bool transposed,
                            bool allowScale) {
      SmallVector<TensorView> found;
      TensorView v = TensorView::identity(operand);
      while (true) {
        auto t = cast<RankedTensorType>(v.getSource().getType());
        ArrayRef<int64_t> s = t.getShape();
        if (t.getRank() == 4 && s[0] == b && s[2] == skv && s[3] == lastDim &&
            s[1] > 0 && hq % s[1] == 0) {
          ViewDim heads{whole(s, 0), whole(s, 1),
                        TensorView::broadcast(hq / s[1])};
          if (transposed ? v.equals({heads, ViewDim{whole(s, 3)},
                                     ViewDim{whole(s, 2)}})
                         : v.equals({heads, ViewDim{whole(s, 2)},
                                     ViewDim{whole(s, 3)}})) {
            TensorView withScale = v;
            if (allowScale)
              while (withScale.stepBackOverScale()) {
              }
            found.push_back(withScale);
          }
        }
        if (!v.stepBack(allowScale))
          return found;
      }
    };
    SmallVector<TensorView> ks =
        kvCandidates(qk.getDpsInputs()[1], d, /*transposed=*/true, true);
    int64_t dv = outType.getDimSize(2);
    SmallVector<TensorView> vs =
        kvCandidates(pv.getDpsInputs()[1], dv, /*transposed=*/false, false);
    auto heads = [](const TensorView &v) {
      return cast<RankedTensorType>(v.getSource().getType()).getDimSize(1);
    };
    std::optional<TensorView> kChosen, vChosen;
    for (const TensorView &kc : ks)
      for (const TensorView &vc : vs)
        if (heads(kc) == heads(vc) &&
            (!kChosen || heads(kc) < heads(*kChosen))) {
          kChosen = kc;
          vChosen = vc;
        }
    if (!kChosen)
      return rewriter.notifyMatchFailure(
          pv, "no [B,Hkv,Skv,D] key and value with the same kv heads");
    TensorView kView = *kChosen, vView = *vChosen;

    double scale = scoreScale * qView.getScale() * kView.getScale();
    if (!std::isfinite(scale) || scale == 0)
      return rewriter.notifyMatchFailure(pv, "degenerate scale");

    // The mask: attributes when its constant values allow it, else an operand.
    Location loc = pv.getLoc();
    Visibility visibility;
    Value maskOperand;
    if (mask) {
      std::optional<SmallVector<double>> vals =
          mask->scale > 0 ? evaluateFrameMask(*mask, frame) : std::nullopt;
      if (vals) {
        // Entry -> visible / masked / other.
        SmallVector<bool> visible(sq * skv);
        bool binary = true, anyNegInf = false;
        for (auto [i, x] : llvm::enumerate(*vals)) {
          if (mask->isBoolean) {
            visible[i] = (x != 0) != mask->inverted;
            anyNegInf |= !visible[i] && std::isinf(mask->fill);
            continue;
          }
          visible[i] = x == 0;
          binary &= visible[i] || isMaskedValue(x);
          anyNegInf |= std::isinf(x) && x < 0;
        }
        bool fullyMaskedRow = false;
        for (int64_t i = 0; i < sq; ++i)
          fullyMaskedRow |=
              llvm::none_of(ArrayRef<bool>(visible).slice(i * skv, skv),
                            [](bool v) { return v; });
        std::optional<Visibility> cls;
        if (binary && !fullyMaskedRow)
          cls = classifyVisibility(visible, sq, skv);
        if (cls) {
          visibility = *cls;
        } else {
          if (fullyMaskedRow && anyNegInf && !guarded)
            return rewriter.notifyMatchFailure(
                pv, "fully masked rows give NaN without the guard");
          if (mask->scale != 1.0)
            return rewriter.notifyMatchFailure(pv, "scaled general mask");
        }
      } else {
        // Not constant: -inf rows would be NaN in the source, zeros here.
        if (!guarded)
          return rewriter.notifyMatchFailure(
              pv, "computed mask without the NaN guard");
        if (mask->scale != 1.0)
          return rewriter.notifyMatchFailure(pv, "scaled computed mask");
      }
      if (!vals || !visibility.causal) {
        bool dropped =
            vals && !visibility.causal && llvm::all_of(*vals, [&](double x) {
              return mask->isBoolean ? (x != 0) != mask->inverted : x == 0;
            });
        if (!dropped) {
          Value additive = mask->value;
          if (mask->isBoolean)
            additive = booleanToAdditiveMask(rewriter, loc, mask->value,
                                             mask->fill, mask->inverted);
          FailureOr<Value> framed =
              maskToFrame(rewriter, loc, additive, mask->frameMap);
          if (failed(framed))
            return rewriter.notifyMatchFailure(pv, "mask is transposed");
          maskOperand = *framed;
        }
      }
    }

    Value q = qView.getSource(), k = kView.getSource(), v = vView.getSource();
    auto attType =
        RankedTensorType::get({b, hq, sq, dv}, rewriter.getF32Type());
    auto att = loom::AttentionOp::create(
        rewriter, loc, attType, /*key_scores=*/Type(), q, k, v, maskOperand,
        rewriter.getF32FloatAttr(static_cast<float>(scale)),
        visibility.causal ? rewriter.getUnitAttr() : UnitAttr(),
        visibility.window ? rewriter.getI64IntegerAttr(*visibility.window)
                          : IntegerAttr(),
        visibility.sinks ? rewriter.getI64IntegerAttr(*visibility.sinks)
                         : IntegerAttr(),
        UnitAttr());
    Value collapsed = tensor::CollapseShapeOp::create(
        rewriter, loc, outType, att.getOutput(),
        SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    rewriter.replaceOp(pv, collapsed);
    LLVM_DEBUG(llvm::dbgs() << "raised " << att << "\n");
    return success();
  }
};

struct RaiseAttentionPass
    : loom::impl::LoomRaiseAttentionBase<RaiseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseAttentionPatterns(patterns);
    FailureOr<int64_t> raised = applyRaisingPatterns<loom::AttentionOp>(
        getOperation(), std::move(patterns));
    if (failed(raised))
      return signalPassFailure();
    numRaised += *raised;
  }
};
} // namespace

void mlir::loom::populateRaiseAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseAttentionPattern>(patterns.getContext());
}
