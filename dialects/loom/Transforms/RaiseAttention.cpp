//===- RaiseAttention.cpp - loom-raise-attention --------------------------===//
//
// Rewrites the decomposed scaled-dot-product attention produced by the ONNX
// importer into one `loom.attention`. The match is anchored at the P x V
// `linalg.batch_matmul` and walks backwards; every step checks op kinds,
// indexing maps, reassociations and constant values. Anything not proven
// equivalent leaves the IR untouched.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEATTENTION
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {

using Reassoc = SmallVector<ReassociationIndices>;

static bool isReassoc(ArrayRef<ReassociationIndices> r,
                      ArrayRef<ArrayRef<int64_t>> want) {
  if (r.size() != want.size())
    return false;
  for (auto [a, b] : llvm::zip(r, want))
    if (ArrayRef<int64_t>(a) != b)
      return false;
  return true;
}

/// Returns the float value of a splat floating-point constant.
static std::optional<double> getSplatFloat(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// Reads all values of a f32 constant (dense or dense_resource).
static std::optional<SmallVector<float>> getF32Values(Value v) {
  Operation *def = v.getDefiningOp();
  auto cst = dyn_cast_or_null<arith::ConstantOp>(def);
  if (!cst)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    SmallVector<float> out;
    for (APFloat f : dense.getValues<APFloat>())
      out.push_back(f.convertToFloat());
    return out;
  }
  if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(cst.getValue())) {
    std::optional<ArrayRef<float>> data = res.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    int64_t n = cast<ShapedType>(res.getType()).getNumElements();
    if (static_cast<int64_t>(data->size()) != n)
      return std::nullopt;
    return SmallVector<float>(data->begin(), data->end());
  }
  return std::nullopt;
}

/// Matches an all-parallel elementwise linalg.generic with one result, whose
/// body is a single op of type OpTy applied to the block arguments in order
/// and yielded. Returns the generic.
template <typename OpTy>
static linalg::GenericOp matchElementwise(Value v, unsigned numInputs) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != numInputs || g.getNumDpsInits() != 1 ||
      g.getNumResults() != 1)
    return nullptr;
  if (!(g.getNumParallelLoops() == g.getNumLoops()))
    return nullptr;
  if (!g.getIndexingMapsArray().back().isIdentity())
    return nullptr;
  Block &body = g.getRegion().front();
  if (body.getOperations().size() != 2)
    return nullptr;
  auto op = dyn_cast<OpTy>(&body.front());
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!op || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != op->getResult(0))
    return nullptr;
  if (op->getNumOperands() != numInputs)
    return nullptr;
  for (unsigned i = 0; i < numInputs; ++i)
    if (op->getOperand(i) != body.getArgument(i))
      return nullptr;
  return g;
}

/// If `v` is `x * c` or `x / c` with c a scalar splat constant (0-d map or a
/// splat of any shape) and x mapped by identity, returns x and multiplies
/// `scale` accordingly.
static std::optional<Value> peelScale(Value v, double &scale) {
  linalg::GenericOp g = matchElementwise<arith::MulFOp>(v, 2);
  bool isDiv = false;
  if (!g) {
    g = matchElementwise<arith::DivFOp>(v, 2);
    isDiv = true;
  }
  if (!g)
    return std::nullopt;
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  std::optional<double> c = getSplatFloat(g.getDpsInputs()[1]);
  int xIdx = 0;
  if (!c && !isDiv) {
    c = getSplatFloat(g.getDpsInputs()[0]);
    xIdx = 1;
  }
  if (!c || !maps[xIdx].isIdentity())
    return std::nullopt;
  if (g.getDpsInputs()[xIdx].getType() != g.getResult(0).getType())
    return std::nullopt;
  if (isDiv) {
    if (*c == 0.0)
      return std::nullopt;
    scale /= *c;
  } else {
    scale *= *c;
  }
  return g.getDpsInputs()[xIdx];
}

/// Peels the GQA expansion `collapse(broadcast(expand(base)))` of a
/// [B,Hq,S,D] tensor down to the [B,Hkv,S,D] base. Also accepts the 5-d
/// broadcast result directly (when the caller already removed the collapse).
static Value peelGQA5(Value v5) {
  auto bcast = v5.getDefiningOp<linalg::GenericOp>();
  if (!bcast || bcast.getNumDpsInputs() != 1 || bcast.getNumDpsInits() != 1)
    return nullptr;
  if (!(bcast.getNumParallelLoops() == bcast.getNumLoops()))
    return nullptr;
  Block &body = bcast.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || !yield ||
      yield.getOperand(0) != body.getArgument(0))
    return nullptr;
  MLIRContext *ctx = v5.getContext();
  SmallVector<AffineMap> maps = bcast.getIndexingMapsArray();
  AffineExpr d0, d1, d3, d4;
  bindDims(ctx, d0, d1, std::ignore, d3, d4);
  AffineMap want = AffineMap::get(
      5, 0, {d0, d1, getAffineConstantExpr(0, ctx), d3, d4}, ctx);
  if (maps[0] != want || !maps[1].isIdentity())
    return nullptr;
  auto exp = bcast.getDpsInputs()[0].getDefiningOp<tensor::ExpandShapeOp>();
  if (!exp || !isReassoc(exp.getReassociationIndices(), {{0}, {1}, {2, 3}, {4}}))
    return nullptr;
  auto inTy = cast<RankedTensorType>(exp.getType());
  if (inTy.getDimSize(2) != 1)
    return nullptr;
  return exp.getSrc();
}

/// Returns the [B,Hkv,S,D] tensor behind a [B,Hq,S,D] operand.
static Value peelKV(Value v4) {
  if (auto col = v4.getDefiningOp<tensor::CollapseShapeOp>())
    if (isReassoc(col.getReassociationIndices(), {{0}, {1, 2}, {3}, {4}}))
      if (Value base = peelGQA5(col.getSrc()))
        return base;
  return v4;
}

struct Match {
  Value q, k, v; // q [B,Hq,Sq,D], k/v [B,Hkv,Skv,*]
  double scale = 1.0;
  bool causal = false;
};

/// Matches the scores batch_matmul operand that should be K^T in the
/// collapsed [B*H, D, Skv] form; returns K as [B,Hq,Skv,D] (before GQA peel).
static std::optional<Value> matchKT(Value kt3, double &scale) {
  // kt3 = collapse [[0,1],2,3] (kt4) where kt4 is [B,H,D,Skv].
  auto col = kt3.getDefiningOp<tensor::CollapseShapeOp>();
  if (!col || !isReassoc(col.getReassociationIndices(), {{0, 1}, {2}, {3}}))
    return std::nullopt;
  Value kt4 = col.getSrc();
  while (std::optional<Value> x = peelScale(kt4, scale))
    kt4 = *x;
  // Form 1: 4-d transpose [0,1,3,2] of K.
  if (auto tr = kt4.getDefiningOp<linalg::TransposeOp>()) {
    if (tr.getPermutation() != ArrayRef<int64_t>{0, 1, 3, 2})
      return std::nullopt;
    return tr.getInput();
  }
  // Form 2: expand [[0,1],2,3] of a 3-d transpose [0,2,1] of a collapse.
  auto exp = kt4.getDefiningOp<tensor::ExpandShapeOp>();
  if (!exp || !isReassoc(exp.getReassociationIndices(), {{0, 1}, {2}, {3}}))
    return std::nullopt;
  auto tr = exp.getSrc().getDefiningOp<linalg::TransposeOp>();
  if (!tr || tr.getPermutation() != ArrayRef<int64_t>{0, 2, 1})
    return std::nullopt;
  auto inner = tr.getInput().getDefiningOp<tensor::CollapseShapeOp>();
  if (!inner)
    return std::nullopt;
  if (isReassoc(inner.getReassociationIndices(), {{0, 1}, {2}, {3}}))
    return inner.getSrc();
  if (isReassoc(inner.getReassociationIndices(), {{0, 1, 2}, {3}, {4}})) {
    // [B,Hkv,G,S,D] -> [B*Hkv*G,S,D]: the head order equals the
    // [B,Hkv*G,...] collapse, so it is the GQA form.
    if (Value base = peelGQA5(inner.getSrc()))
      return base; // already the kv-head tensor
  }
  return std::nullopt;
}

static bool isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  FloatAttr f;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&f)))
    return false;
  return f.getValueAsDouble() == 0.0;
}

/// Checks that `values` (shape [.., Sq, Skv] with leading dims 1) is a
/// causal additive mask: 0 where j <= i + (Skv - Sq), <= -1e4 elsewhere.
static bool isCausalMask(ArrayRef<float> values, int64_t sq, int64_t skv) {
  if (static_cast<int64_t>(values.size()) != sq * skv)
    return false;
  int64_t off = skv - sq;
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < skv; ++j) {
      float x = values[i * skv + j];
      if (j <= i + off) {
        if (x != 0.0f)
          return false;
      } else if (!(x <= -1.0e4f)) {
        return false;
      }
    }
  return true;
}

/// Matches the additive mask generic `scores + mask` (either operand order).
/// On success returns the scores value and sets causal.
static std::optional<Value> peelMask(Value v, int64_t sq, int64_t skv,
                                     bool &causal) {
  linalg::GenericOp g = matchElementwise<arith::AddFOp>(v, 2);
  if (!g)
    return std::nullopt;
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  for (int s = 0; s < 2; ++s) {
    Value scores = g.getDpsInputs()[s], mask = g.getDpsInputs()[1 - s];
    if (!maps[s].isIdentity() || scores.getType() != v.getType())
      continue;
    auto maskTy = cast<RankedTensorType>(mask.getType());
    AffineMap mm = maps[1 - s];
    // The mask map must broadcast only over leading unit dims and keep the
    // last two dims: (d0..d3) -> (0|dk, ..., d2, d3) with size-1 where 0.
    if (mm.getNumDims() != 4 || mm.getNumResults() != maskTy.getRank() ||
        maskTy.getRank() < 2)
      continue;
    int64_t r = maskTy.getRank();
    bool ok = true;
    for (int64_t i = 0; i < r; ++i) {
      AffineExpr e = mm.getResult(i);
      int64_t dim = 4 - r + i;
      if (i >= r - 2) {
        ok &= e == getAffineDimExpr(dim, v.getContext());
      } else {
        ok &= maskTy.getDimSize(i) == 1 &&
              (e == getAffineConstantExpr(0, v.getContext()) ||
               e == getAffineDimExpr(dim, v.getContext()));
      }
    }
    if (!ok || maskTy.getDimSize(r - 2) != sq || maskTy.getDimSize(r - 1) != skv)
      continue;
    std::optional<SmallVector<float>> vals = getF32Values(mask);
    if (!vals || !isCausalMask(*vals, sq, skv))
      continue;
    causal = true;
    return scores;
  }
  return std::nullopt;
}

/// Boolean mask: select(cond, scores, -big) with cond a constant i1 tensor
/// that is true exactly on the causal triangle.
static std::optional<Value> peelBoolMask(Value v, int64_t sq, int64_t skv,
                                         bool &causal) {
  linalg::GenericOp g = matchElementwise<arith::SelectOp>(v, 3);
  if (!g)
    return std::nullopt;
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  Value cond = g.getDpsInputs()[0], scores = g.getDpsInputs()[1];
  std::optional<double> fillV = getSplatFloat(g.getDpsInputs()[2]);
  if (!maps[1].isIdentity() || scores.getType() != v.getType() || !fillV ||
      !(*fillV <= -1.0e4))
    return std::nullopt;
  DenseElementsAttr c;
  if (!matchPattern(cond, m_Constant(&c)) || !c.getElementType().isInteger(1))
    return std::nullopt;
  auto cTy = cast<RankedTensorType>(c.getType());
  int64_t r = cTy.getRank();
  AffineMap mm = maps[0];
  if (r < 2 || mm.getNumResults() != r || cTy.getDimSize(r - 2) != sq ||
      cTy.getDimSize(r - 1) != skv)
    return std::nullopt;
  for (int64_t i = 0; i < r; ++i) {
    AffineExpr e = mm.getResult(i);
    int64_t dim = 4 - r + i;
    if (i >= r - 2 ? e != getAffineDimExpr(dim, v.getContext())
                   : (cTy.getDimSize(i) != 1 ||
                      (e != getAffineConstantExpr(0, v.getContext()) &&
                       e != getAffineDimExpr(dim, v.getContext()))))
      return std::nullopt;
  }
  SmallVector<bool> bits(c.getValues<bool>());
  int64_t off = skv - sq;
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < skv; ++j)
      if (bits[i * skv + j] != (j <= i + off))
        return std::nullopt;
  causal = true;
  return scores;
}

/// Strips the `where(isnan(p), 0, p)` guard.
static Value peelNaNGuard(Value v) {
  linalg::GenericOp sel = matchElementwise<arith::SelectOp>(v, 3);
  if (!sel)
    return v;
  SmallVector<AffineMap> maps = sel.getIndexingMapsArray();
  Value cond = sel.getDpsInputs()[0], p = sel.getDpsInputs()[2];
  std::optional<double> zero = getSplatFloat(sel.getDpsInputs()[1]);
  if (!zero || *zero != 0.0 || !maps[0].isIdentity() || !maps[2].isIdentity())
    return v;
  linalg::GenericOp isnan = matchElementwise<arith::CmpFOp>(cond, 1);
  if (!isnan) {
    // cmpf uno %in, %in has two operands bound to the same block argument.
    auto g = cond.getDefiningOp<linalg::GenericOp>();
    if (!g || g.getNumDpsInputs() != 1 || g.getDpsInputs()[0] != p ||
        !g.getIndexingMapsArray()[0].isIdentity() ||
        !g.getIndexingMapsArray()[1].isIdentity() ||
        !(g.getNumParallelLoops() == g.getNumLoops()))
      return v;
    Block &body = g.getRegion().front();
    if (body.getOperations().size() != 2)
      return v;
    auto cmp = dyn_cast<arith::CmpFOp>(&body.front());
    if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::UNO ||
        cmp.getLhs() != body.getArgument(0) ||
        cmp.getRhs() != body.getArgument(0) ||
        body.getTerminator()->getOperand(0) != cmp.getResult())
      return v;
    return p;
  }
  return v;
}

struct RaiseAttentionPattern : OpRewritePattern<tensor::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExpandShapeOp outExp,
                                PatternRewriter &rewriter) const override {
    if (!isReassoc(outExp.getReassociationIndices(), {{0, 1}, {2}, {3}}))
      return failure();
    auto pv = outExp.getSrc().getDefiningOp<linalg::BatchMatmulOp>();
    if (!pv || !isZeroFill(pv.getDpsInits()[0]) ||
        pv.getIndexingMapsArray() !=
            linalg::BatchMatmulOp::getDefaultIndexingMaps(getContext()))
      return rewriter.notifyMatchFailure(outExp, "not a P x V batch_matmul");
    auto outTy = cast<RankedTensorType>(outExp.getType());
    if (!outTy.hasStaticShape() || !outTy.getElementType().isF32())
      return rewriter.notifyMatchFailure(outExp, "needs static f32 shapes");
    int64_t b = outTy.getDimSize(0), hq = outTy.getDimSize(1),
            sq = outTy.getDimSize(2);

    // P operand: collapse [[0,1],2,3] of [B,Hq,Sq,Skv].
    auto pCol = pv.getDpsInputs()[0].getDefiningOp<tensor::CollapseShapeOp>();
    auto vCol = pv.getDpsInputs()[1].getDefiningOp<tensor::CollapseShapeOp>();
    if (!pCol || !vCol ||
        !isReassoc(pCol.getReassociationIndices(), {{0, 1}, {2}, {3}}) ||
        !isReassoc(vCol.getReassociationIndices(), {{0, 1}, {2}, {3}}))
      return rewriter.notifyMatchFailure(outExp, "unexpected P/V reshapes");
    auto pTy = cast<RankedTensorType>(pCol.getSrc().getType());
    if (pTy.getDimSize(0) != b || pTy.getDimSize(1) != hq ||
        pTy.getDimSize(2) != sq)
      return failure();
    int64_t skv = pTy.getDimSize(3);

    Value p = peelNaNGuard(pCol.getSrc());
    auto sm = p.getDefiningOp<linalg::SoftmaxOp>();
    if (!sm || sm.getDimension() != 3)
      return rewriter.notifyMatchFailure(outExp, "no softmax over keys");
    Value s = sm.getInput();

    double scale = 1.0;
    bool causal = false;
    // Optional scale after the mask is not allowed (it would scale the mask);
    // the order accepted is: [scale] -> [mask] -> softmax, with mask either
    // additive or boolean.
    if (std::optional<Value> x = peelMask(s, sq, skv, causal))
      s = *x;
    else if (std::optional<Value> y = peelBoolMask(s, sq, skv, causal))
      s = *y;
    while (std::optional<Value> x = peelScale(s, scale))
      s = *x;
    // A generic over the scores we could not interpret: give up.
    auto sExp = s.getDefiningOp<tensor::ExpandShapeOp>();
    if (!sExp || !isReassoc(sExp.getReassociationIndices(), {{0, 1}, {2}, {3}}))
      return rewriter.notifyMatchFailure(outExp, "unrecognised score chain");
    auto qk = sExp.getSrc().getDefiningOp<linalg::BatchMatmulOp>();
    if (!qk || !isZeroFill(qk.getDpsInits()[0]) ||
        qk.getIndexingMapsArray() !=
            linalg::BatchMatmulOp::getDefaultIndexingMaps(getContext()))
      return rewriter.notifyMatchFailure(outExp, "no Q x K^T batch_matmul");
    auto qCol = qk.getDpsInputs()[0].getDefiningOp<tensor::CollapseShapeOp>();
    if (!qCol || !isReassoc(qCol.getReassociationIndices(), {{0, 1}, {2}, {3}}))
      return failure();
    Value q = qCol.getSrc();
    while (std::optional<Value> x = peelScale(q, scale))
      q = *x;
    std::optional<Value> k = matchKT(qk.getDpsInputs()[1], scale);
    if (!k)
      return rewriter.notifyMatchFailure(outExp, "K is not transposed");
    Value kBase = peelKV(*k);
    Value vBase = peelKV(vCol.getSrc());

    auto qTy = cast<RankedTensorType>(q.getType());
    auto kTy = cast<RankedTensorType>(kBase.getType());
    auto vTy = cast<RankedTensorType>(vBase.getType());
    if (qTy.getRank() != 4 || kTy.getRank() != 4 || vTy.getRank() != 4)
      return failure();
    int64_t hkv = kTy.getDimSize(1);
    if (qTy.getDimSize(0) != b || qTy.getDimSize(1) != hq ||
        qTy.getDimSize(2) != sq || kTy.getDimSize(0) != b ||
        kTy.getDimSize(2) != skv || kTy.getDimSize(3) != qTy.getDimSize(3) ||
        vTy.getDimSize(0) != b || vTy.getDimSize(1) != hkv ||
        vTy.getDimSize(2) != skv || vTy.getDimSize(3) != outTy.getDimSize(3) ||
        hkv <= 0 || hq % hkv != 0)
      return rewriter.notifyMatchFailure(outExp, "mismatched head grouping");

    auto att = loom::AttentionOp::create(
        rewriter, outExp.getLoc(), outTy, /*key_scores=*/Type(), q, kBase,
        vBase, /*mask=*/Value(), rewriter.getF32FloatAttr(scale),
        causal ? rewriter.getUnitAttr() : UnitAttr(), IntegerAttr(),
        IntegerAttr(), UnitAttr());
    rewriter.replaceOp(outExp, att.getOutput());
    return success();
  }
};

struct RaiseAttentionPass
    : loom::impl::LoomRaiseAttentionBase<RaiseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseAttentionPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
