//===- RaiseMoE.cpp - loom-raise-moe
//----------------------------------------===//
//
// Rewrites a mixture-of-experts layer written with upstream ops (router
// matmul, softmax, loom.topk, per-expert weight gathers, batched matmuls,
// SwiGLU, weighted sum) into one `loom.moe.ffn`. Two export forms are
// recognised, both anchored at the op that sums the experts' contributions:
//
// - flattened (HuggingFace `batched_mm` experts, e.g. Mixtral, Qwen-MoE,
//   OLMoE, Granite-MoE): the T*K (token, slot) rows are processed at once,
//   `out = sum_k reshape(expert_rows * weights, [T, K, H])` (a linalg.reduce);
// - per slot (a loop over the k slots in the model code): `out = sum_s
//   weights[:, s] * FFN_{idx[:, s]}(x)` (a chain of adds).
//
// Every row of every expert projection must be shown to be `x[t] @ W_e` for
// the token t and expert e = idx[t, s] of that row, with one weight table per
// projection (gathered rows of a [E, ., .] tensor, read through the importer's
// index wrap/clamp, which is the identity on top-k indices). Tensors are
// traced with TensorView, so reshapes and broadcasts may come in any order.
// Expert weights are rearranged to loom's `x W` layout [E, in, out] at compile
// time when they are constants.
//
// Semantics: the raised op ranks experts by logit where the source ranks by
// softmax probability; the two agree unless two different logits round to
// the same f32 probability.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"

#include "loom/Analysis/TensorView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/Debug.h"

#include <optional>

#define DEBUG_TYPE "loom-raise-moe"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEMOE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

//===----------------------------------------------------------------------===//
// Expert projections
//===----------------------------------------------------------------------===//

/// `y[r, n] = sum_c act[r, c] * W_{e(r)}[c, offset + n]` for n < size, where
/// W_e is slice e of `table` ([E, C, N] when `!outIn`, or [E, N, C] holding
/// W_e transposed, as nn.Linear stores it) and e(r) is read from `indices`.
/// `act` is the batch_matmul operand as it is: [R, C, 1] when `outIn`, else
/// [R, 1, C].
struct Projection {
  Value table;
  bool outIn = false;
  int64_t offset = 0, size = 0;
  Value act;
  Value indices; // [R] or [R, 1]
};

/// The positions of the row and column dimensions of a [R, N], [R, 1, N] or
/// [R, N, 1] tensor.
static std::optional<std::pair<int64_t, int64_t>>
rowsAndColumns(RankedTensorType type) {
  if (!type.hasStaticShape())
    return std::nullopt;
  if (type.getRank() == 2)
    return std::make_pair<int64_t, int64_t>(0, 1);
  if (type.getRank() == 3 && type.getDimSize(1) == 1)
    return std::make_pair<int64_t, int64_t>(0, 2);
  if (type.getRank() == 3 && type.getDimSize(2) == 1)
    return std::make_pair<int64_t, int64_t>(0, 1);
  return std::nullopt;
}

/// The view of a rows x columns tensor of type `type` that reads `rows` and
/// `cols` (atom lists of the source) at its row and column dimensions.
static SmallVector<ViewDim> rowsColumnsView(RankedTensorType type,
                                            const ViewDim &rows,
                                            const ViewDim &cols) {
  auto rc = rowsAndColumns(type);
  SmallVector<ViewDim> want(type.getRank());
  want[rc->first] = rows;
  want[rc->second] = cols;
  return want;
}

/// True when `view` (of a rows x columns tensor of type `type`) reads a rows x
/// columns source with the same rows and columns.
static bool isRowsColumnsOf(const TensorView &view, RankedTensorType type) {
  auto srcType = cast<RankedTensorType>(view.getSource().getType());
  auto src = rowsAndColumns(srcType);
  auto dst = rowsAndColumns(type);
  if (!src || !dst ||
      srcType.getDimSize(src->first) != type.getDimSize(dst->first) ||
      srcType.getDimSize(src->second) != type.getDimSize(dst->second))
    return false;
  ArrayRef<int64_t> s = srcType.getShape();
  return view.equals(
      rowsColumnsView(type, ViewDim{TensorView::whole(s, src->first)},
                      ViewDim{TensorView::whole(s, src->second)}));
}

static std::optional<Projection> matchProjection(Value y) {
  Projection p;
  Value base = y;
  // A column slice (the halves of a fused gate/up projection).
  if (auto slice = y.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (!slice.hasUnitStride() || slice.getSourceType().getRank() != 2 ||
        slice.getStaticOffsets()[0] != 0 ||
        slice.getStaticSizes()[0] != slice.getSourceType().getDimSize(0) ||
        ShapedType::isDynamic(slice.getStaticOffsets()[1]))
      return std::nullopt;
    p.offset = slice.getStaticOffsets()[1];
    base = slice.getSource();
  }
  auto baseType = cast<RankedTensorType>(base.getType());
  auto yType = cast<RankedTensorType>(y.getType());
  std::optional<std::pair<int64_t, int64_t>> yrc = rowsAndColumns(yType);
  if (!yrc || !rowsAndColumns(baseType))
    return std::nullopt;
  p.size = yType.getDimSize(yrc->second);
  // The base is a [R, N, 1] or [R, 1, N] batch_matmul result.
  linalg::BatchMatmulOp bmm;
  TensorView v = TensorView::identity(base);
  if (!v.stepBackUntil([&](const TensorView &view) {
        bmm = view.getSource().getDefiningOp<linalg::BatchMatmulOp>();
        return bmm && isPlainBatchMatmul(bmm) &&
               isRowsColumnsOf(view, baseType);
      }))
    return std::nullopt;
  auto outType = cast<RankedTensorType>(bmm.getResult(0).getType());
  p.outIn = outType.getDimSize(2) == 1 && outType.getDimSize(1) != 1;
  if (!p.outIn && outType.getDimSize(1) != 1)
    return std::nullopt;
  Value gathered = bmm.getDpsInputs()[p.outIn ? 0 : 1];
  p.act = bmm.getDpsInputs()[p.outIn ? 1 : 0];
  std::optional<RowGather> g = matchRowGather(gathered);
  if (!g || cast<RankedTensorType>(g->table.getType()).getRank() != 3)
    return std::nullopt;
  p.table = g->table;
  p.indices = g->indices;
  return p;
}

/// A SwiGLU expert FFN `y = (silu(x W1) * (x W3)) W2` over rows.
struct ExpertFFN {
  Projection w1, w2, w3;
};

static std::optional<ExpertFFN> matchExpertFFN(Value y) {
  std::optional<Projection> down = matchProjection(y);
  if (!down)
    return std::nullopt;
  // The down projection's activations view `silu(gate) * up`.
  auto actType = cast<RankedTensorType>(down->act.getType());
  std::optional<BinaryOperands> mul;
  TensorView av = TensorView::identity(down->act);
  if (!av.stepBackUntil([&](const TensorView &v) {
        if (!isRowsColumnsOf(v, actType))
          return false;
        mul = matchElementwiseMulF(v.getSource());
        return mul && mul->lhsMap.isIdentity() && mul->rhsMap.isIdentity();
      }))
    return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    Value gated = mul->operand(side).value;
    Value up = mul->operand(1 - side).value;
    Value gate = matchSiLU(gated);
    if (!gate)
      continue;
    std::optional<Projection> w1 = matchProjection(gate);
    std::optional<Projection> w3 = matchProjection(up);
    if (!w1 || !w3 || w1->act != w3->act || w1->indices != down->indices ||
        w3->indices != down->indices)
      continue;
    return ExpertFFN{*w1, *down, *w3};
  }
  return std::nullopt;
}

/// True when the rows of the FFN's first projection read `x` [T, H] with
/// row r = t * k + s reading token t (k = 1: row t reads token t).
static bool readsTokens(const ExpertFFN &ffn, Value x, int64_t k) {
  auto actType = cast<RankedTensorType>(ffn.w1.act.getType());
  ArrayRef<int64_t> xs = cast<RankedTensorType>(x.getType()).getShape();
  ViewDim rows{TensorView::whole(xs, 0)};
  if (k > 1)
    rows.push_back(TensorView::broadcast(k));
  SmallVector<ViewDim> want =
      rowsColumnsView(actType, rows, ViewDim{TensorView::whole(xs, 1)});
  TensorView view = TensorView::identity(ffn.w1.act);
  return view.stepBackUntil([&](const TensorView &t) {
    return t.getSource() == x && t.equals(want);
  });
}

/// The expert weight of `p` in loom's [E, in, out] layout. Constant tables are
/// rearranged now; other tables get the slice and transpose as ops.
static Value expertWeight(PatternRewriter &rewriter, Location loc,
                          const Projection &p) {
  auto tType = cast<RankedTensorType>(p.table.getType());
  int64_t e = tType.getDimSize(0);
  int64_t in = tType.getDimSize(p.outIn ? 2 : 1);
  int64_t outFull = tType.getDimSize(p.outIn ? 1 : 2);
  auto type = RankedTensorType::get({e, in, p.size}, tType.getElementType());
  if (!p.outIn && p.offset == 0 && p.size == outFull)
    return p.table;
  // Read element (x, a, b) of the table as a flat index.
  auto at = [&](int64_t x, int64_t i, int64_t o) -> int64_t {
    o += p.offset;
    return p.outIn ? (x * outFull + o) * in + i : (x * in + i) * outFull + o;
  };
  Attribute value;
  if (matchPattern(p.table, m_Constant(&value)) &&
      tType.getElementType().isF32()) {
    std::optional<ArrayRef<float>> data;
    SmallVector<float> dense;
    if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
      data = res.tryGetAsArrayRef();
    } else if (auto d = dyn_cast<DenseElementsAttr>(value)) {
      for (APFloat f : d.getValues<APFloat>())
        dense.push_back(f.convertToFloat());
      data = ArrayRef<float>(dense);
    }
    if (data && static_cast<int64_t>(data->size()) == tType.getNumElements()) {
      SmallVector<float> outData(e * in * p.size);
      for (int64_t x = 0; x < e; ++x)
        for (int64_t i = 0; i < in; ++i)
          for (int64_t o = 0; o < p.size; ++o)
            outData[(x * in + i) * p.size + o] = (*data)[at(x, i, o)];
      auto attr = DenseF32ResourceElementsAttr::get(
          type, "loom_moe_weight",
          HeapAsmResourceBlob::allocateAndCopyInferAlign(
              ArrayRef<float>(outData)));
      return arith::ConstantOp::create(rewriter, loc, type,
                                       cast<TypedAttr>(Attribute(attr)));
    }
  }
  SmallVector<OpFoldResult> offsets(3, rewriter.getIndexAttr(0)),
      sizes = {rewriter.getIndexAttr(e), rewriter.getIndexAttr(in),
               rewriter.getIndexAttr(p.size)},
      strides(3, rewriter.getIndexAttr(1));
  if (p.outIn) {
    offsets[1] = rewriter.getIndexAttr(p.offset);
    std::swap(sizes[1], sizes[2]);
  } else {
    offsets[2] = rewriter.getIndexAttr(p.offset);
  }
  Value slice = tensor::ExtractSliceOp::create(rewriter, loc, p.table, offsets,
                                               sizes, strides);
  if (!p.outIn)
    return slice;
  Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                       type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, slice, init,
                                     ArrayRef<int64_t>{0, 2, 1})
      ->getResult(0);
}

//===----------------------------------------------------------------------===//
// Router
//===----------------------------------------------------------------------===//

struct Router {
  mutable loom::TopKOp topk;
  Value input;        // x [T, H]
  Value routerWeight; // [H, E]
  MoERoutingMode mode = MoERoutingMode::softmax_topk;
  bool renormalize = false;
};

/// `weights` is what multiplies the expert outputs ([T, K]); finds the
/// top-k and router it comes from.
static std::optional<Router> matchRouter(Value weights) {
  Router r;
  auto topkOf = [](Value v) -> loom::TopKOp {
    auto res = dyn_cast<OpResult>(v);
    auto top = v.getDefiningOp<loom::TopKOp>();
    return top && res.getResultNumber() == 0 ? top : loom::TopKOp();
  };
  if ((r.topk = topkOf(weights))) {
    // softmax -> topk, weights used as they are.
  } else if (auto sm = weights.getDefiningOp<linalg::SoftmaxOp>()) {
    // topk -> softmax over the k logits.
    r.topk = topkOf(sm.getInput());
    if (!r.topk || sm.getDimension() != 1)
      return std::nullopt;
    r.mode = MoERoutingMode::topk_softmax;
  } else if (std::optional<BinaryOperands> div =
                 [&]() -> std::optional<BinaryOperands> {
               // values / sum(values): renormalised top-k weights.
               auto g = weights.getDefiningOp<linalg::GenericOp>();
               if (!g || g.getNumDpsInputs() != 2)
                 return std::nullopt;
               Block *body = g.getBody();
               auto d = dyn_cast<arith::DivFOp>(&body->front());
               if (!d || body->getOperations().size() != 2 ||
                   d.getLhs() != body->getArgument(0) ||
                   d.getRhs() != body->getArgument(1))
                 return std::nullopt;
               SmallVector<AffineMap> maps = g.getIndexingMapsArray();
               return BinaryOperands{g.getDpsInputs()[0], g.getDpsInputs()[1],
                                     maps[0], maps[1]};
             }()) {
    r.topk = topkOf(div->lhs);
    if (!r.topk || !div->lhsMap.isIdentity())
      return std::nullopt;
    // The denominator: [T, 1] (or [T]) viewing the sum over k of the values.
    TensorView sv = TensorView::identity(div->rhs);
    linalg::ReduceOp sum;
    int64_t rank = cast<RankedTensorType>(div->rhs.getType()).getRank();
    if (!sv.stepBackUntil([&](const TensorView &v) {
          sum = v.getSource().getDefiningOp<linalg::ReduceOp>();
          if (!sum)
            return false;
          ArrayRef<int64_t> s =
              cast<RankedTensorType>(v.getSource().getType()).getShape();
          SmallVector<ViewDim> want = {ViewDim{TensorView::whole(s, 0)}};
          want.resize(rank);
          return s.size() == 1 && v.equals(want);
        }))
      return std::nullopt;
    MLIRContext *ctx = weights.getContext();
    AffineMap rows = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap rowsUnit = AffineMap::get(
        2, 0, {getAffineDimExpr(0, ctx), getAffineConstantExpr(0, ctx)}, ctx);
    Block *body = sum.getBody();
    auto add = dyn_cast<arith::AddFOp>(&body->front());
    std::optional<double> init;
    if (auto fill = sum.getInits()[0].getDefiningOp<linalg::FillOp>())
      init = getScalarFloatConstant(fill.getInputs()[0]);
    if (sum.getInputs().size() != 1 || sum.getInputs()[0] != div->lhs ||
        sum.getDimensions() != ArrayRef<int64_t>{1} || !add ||
        body->getOperations().size() != 2 || init != 0.0 ||
        !(div->rhsMap == rows || div->rhsMap == rowsUnit))
      return std::nullopt;
    // The reduce result must be [T] read as [T, 1] or [T].
    r.renormalize = true;
  } else {
    return std::nullopt;
  }
  auto inType = cast<RankedTensorType>(r.topk.getInput().getType());
  if (inType.getRank() != 2 || r.topk.getNormalizedAxis() != 1 ||
      r.topk.getSmallest() || !inType.getElementType().isF32())
    return std::nullopt;
  Value logits = r.topk.getInput();
  if (r.mode == MoERoutingMode::softmax_topk) {
    auto sm = logits.getDefiningOp<linalg::SoftmaxOp>();
    if (!sm || sm.getDimension() != 1)
      return std::nullopt;
    logits = sm.getInput();
  }
  auto mm = logits.getDefiningOp<linalg::MatmulOp>();
  if (!mm || !isPlainMatmul(mm))
    return std::nullopt;
  r.input = mm.getDpsInputs()[0];
  r.routerWeight = mm.getDpsInputs()[1];
  return r;
}

/// Traces `v` back to `source` and checks that it reads it through `want`,
/// also stepping over an integer clamp that is the identity on
/// [0, numExperts) (the exporter's `clamp(idx, 0, E - 1)`).
static bool indicesView(Value v, Value source, ArrayRef<ViewDim> want,
                        int64_t numExperts) {
  TensorView view = TensorView::identity(v);
  while (true) {
    if (view.getSource() == source)
      return view.equals(want);
    int64_t lo, hi;
    if (Value x = matchIntegerClamp(view.getSource(), lo, hi)) {
      if (lo > 0 || hi < numExperts - 1)
        return false;
      view.stepThroughElementwise(x);
      continue;
    }
    if (!view.stepBack())
      return false;
  }
}

/// Builds the loom.moe.ffn replacing `root`.
static LogicalResult buildFFN(PatternRewriter &rewriter, Operation *root,
                              const Router &router, const ExpertFFN &ffn) {
  Location loc = root->getLoc();
  Value w1 = expertWeight(rewriter, loc, ffn.w1);
  Value w2 = expertWeight(rewriter, loc, ffn.w2);
  Value w3 = expertWeight(rewriter, loc, ffn.w3);
  auto outType = cast<RankedTensorType>(root->getResult(0).getType());
  auto op = loom::MoEFFNOp::create(
      rewriter, loc, outType, RankedTensorType::get({}, rewriter.getI64Type()),
      router.input, router.routerWeight, w1, w2, w3, /*constants=*/Value(),
      /*scales=*/ValueRange(), /*zero_points=*/ValueRange(), router.mode,
      rewriter.getI64IntegerAttr(router.topk.getK()),
      /*top_p=*/FloatAttr(), /*k_max=*/IntegerAttr(), router.renormalize,
      /*capacity_factor=*/FloatAttr(), MoEActivation::swiglu,
      /*kinds=*/ArrayAttr(), /*bits=*/IntegerAttr(),
      /*group_size=*/IntegerAttr());
  if (failed(mlir::verify(op))) {
    rewriter.eraseOp(op);
    return failure();
  }
  rewriter.replaceOp(root, op.getOutput());
  LLVM_DEBUG(llvm::dbgs() << "raised " << op << "\n");
  return success();
}

/// Checks the pieces every form shares: the FFN's shapes against the router,
/// and that the expert input is the router's input.
static bool consistent(const Router &router, const ExpertFFN &ffn) {
  auto xType = cast<RankedTensorType>(router.input.getType());
  int64_t h = xType.getDimSize(1);
  int64_t e =
      cast<RankedTensorType>(router.topk.getInput().getType()).getDimSize(1);
  auto dims = [](const Projection &p) {
    auto t = cast<RankedTensorType>(p.table.getType());
    int64_t in = t.getDimSize(p.outIn ? 2 : 1);
    return std::make_tuple(t.getDimSize(0), in, p.size);
  };
  auto [e1, h1, f1] = dims(ffn.w1);
  auto [e3, h3, f3] = dims(ffn.w3);
  auto [e2, f2, h2] = dims(ffn.w2);
  return e1 == e && e2 == e && e3 == e && h1 == h && h3 == h && h2 == h &&
         f1 == f3 && f2 == f1 &&
         cast<RankedTensorType>(router.routerWeight.getType()).getShape() ==
             ArrayRef<int64_t>{h, e};
}

//===----------------------------------------------------------------------===//
// Flattened form: reduce over the k slots of [T*K] rows.
//===----------------------------------------------------------------------===//

struct RaiseFlattenedMoE : OpRewritePattern<linalg::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::ReduceOp reduce,
                                PatternRewriter &rewriter) const override {
    // out[T, H] = sum over k of y3[T, K, H].
    if (reduce.getInputs().size() != 1 || reduce.getNumResults() != 1 ||
        reduce.getDimensions() != ArrayRef<int64_t>{1})
      return rewriter.notifyMatchFailure(reduce, "not a sum over dim 1");
    Block *body = reduce.getBody();
    auto add = dyn_cast<arith::AddFOp>(&body->front());
    auto fill = reduce.getInits()[0].getDefiningOp<linalg::FillOp>();
    if (!add || body->getOperations().size() != 2 || !fill ||
        getScalarFloatConstant(fill.getInputs()[0]) != 0.0)
      return rewriter.notifyMatchFailure(reduce, "not a plain sum");
    auto y3Type = cast<RankedTensorType>(reduce.getInputs()[0].getType());
    if (y3Type.getRank() != 3 || !y3Type.hasStaticShape() ||
        !y3Type.getElementType().isF32())
      return rewriter.notifyMatchFailure(reduce, "needs static f32 [T,K,H]");
    int64_t t = y3Type.getDimSize(0), k = y3Type.getDimSize(1),
            h = y3Type.getDimSize(2);
    // y3 views the weighted rows z[T*K, H] = expert_rows * weight_rows.
    TensorView zView = TensorView::identity(reduce.getInputs()[0]);
    std::optional<BinaryOperands> mul;
    if (!zView.stepBackUntil([&](const TensorView &v) {
          auto s = cast<RankedTensorType>(v.getSource().getType()).getShape();
          if (s != ArrayRef<int64_t>{t * k, h} ||
              !v.equals({ViewDim{ViewAtom{0, k, t}}, ViewDim{ViewAtom{0, 1, k}},
                         ViewDim{TensorView::whole(s, 1)}}))
            return false;
          mul = matchElementwiseMulF(v.getSource());
          return mul.has_value();
        }))
      return rewriter.notifyMatchFailure(reduce, "no weighted [T*K,H] rows");
    for (int side = 0; side < 2; ++side) {
      auto [rows, rowsMap] = mul->operand(side);
      auto [w, wMap] = mul->operand(1 - side);
      auto wType = cast<RankedTensorType>(w.getType());
      if (!rowsMap.isIdentity() ||
          wMap.getResult(0) != getAffineDimExpr(0, getContext()) ||
          wType.getDimSize(0) != t * k || wType.getNumElements() != t * k)
        continue;
      std::optional<ExpertFFN> ffn = matchExpertFFN(rows);
      if (!ffn)
        continue;
      // The weight rows view the router weights [T, K].
      std::optional<Router> router;
      TensorView wv = TensorView::identity(w);
      if (!wv.stepBackUntil([&](const TensorView &v) {
            auto s = cast<RankedTensorType>(v.getSource().getType()).getShape();
            if (s != ArrayRef<int64_t>{t, k})
              return false;
            SmallVector<ViewDim> want = {
                ViewDim{TensorView::whole(s, 0), TensorView::whole(s, 1)}};
            want.resize(wType.getRank());
            return v.equals(want) && (router = matchRouter(v.getSource()));
          }))
        continue;
      if (!consistent(*router, *ffn))
        continue;
      // Row r = t*K + s reads token t, expert idx[t, s].
      auto xType = cast<RankedTensorType>(router->input.getType());
      if (!readsTokens(*ffn, router->input, k))
        continue;
      auto iType = cast<RankedTensorType>(ffn->w1.indices.getType());
      SmallVector<ViewDim> want = {
          ViewDim{ViewAtom{0, 1, t}, ViewAtom{1, 1, k}}};
      want.resize(iType.getRank());
      int64_t numExperts =
          cast<RankedTensorType>(router->topk.getInput().getType())
              .getDimSize(1);
      if (!indicesView(ffn->w1.indices, router->topk.getIndices(), want,
                       numExperts))
        continue;
      if (cast<RankedTensorType>(reduce.getResult(0).getType()).getShape() !=
          xType.getShape())
        continue;
      if (succeeded(buildFFN(rewriter, reduce, *router, *ffn)))
        return success();
    }
    return rewriter.notifyMatchFailure(reduce, "not an MoE combine");
  }
};

//===----------------------------------------------------------------------===//
// Per-slot form: a sum over s of weights[:, s] * FFN_{idx[:, s]}(x).
//===----------------------------------------------------------------------===//

/// Collects the terms of an add chain (zero constants are dropped).
static void collectTerms(Value v, SmallVectorImpl<Value> &terms, int depth) {
  if (std::optional<double> c = getScalarFloatConstant(v); c && *c == 0.0)
    return;
  if (depth < 64) {
    if (std::optional<BinaryOperands> add = matchElementwiseAddF(v)) {
      if (add->lhsMap.isIdentity() && add->rhsMap.isIdentity() &&
          add->lhs.getType() == v.getType() &&
          add->rhs.getType() == v.getType()) {
        collectTerms(add->lhs, terms, depth + 1);
        collectTerms(add->rhs, terms, depth + 1);
        return;
      }
    }
  }
  terms.push_back(v);
}

struct RaisePerSlotMoE : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp root,
                                PatternRewriter &rewriter) const override {
    if (root.getNumResults() != 1 || !matchElementwiseAddF(root.getResult(0)))
      return failure();
    Value out = root.getResult(0);
    auto outType = cast<RankedTensorType>(out.getType());
    if (outType.getRank() != 2 || !outType.hasStaticShape() ||
        !outType.getElementType().isF32())
      return failure();
    int64_t t = outType.getDimSize(0);
    SmallVector<Value> terms;
    collectTerms(out, terms, 0);
    if (terms.size() < 1)
      return failure();
    std::optional<Router> router;
    std::optional<ExpertFFN> first;
    SmallVector<bool> seen;
    for (Value term : terms) {
      std::optional<BinaryOperands> mul = matchElementwiseMulF(term);
      if (!mul)
        return rewriter.notifyMatchFailure(root, "a term is not weighted");
      bool matched = false;
      for (int side = 0; side < 2 && !matched; ++side) {
        auto [rows, rowsMap] = mul->operand(side);
        auto [w, wMap] = mul->operand(1 - side);
        auto wType = cast<RankedTensorType>(w.getType());
        if (!rowsMap.isIdentity() || rows.getType() != out.getType() ||
            wMap.getResult(0) != getAffineDimExpr(0, getContext()) ||
            wType.getDimSize(0) != t || wType.getNumElements() != t)
          continue;
        std::optional<ExpertFFN> ffn = matchExpertFFN(rows);
        if (!ffn)
          continue;
        // The weight: column s of the router weights [T, K].
        int64_t slot = -1;
        std::optional<Router> r;
        TensorView wv = TensorView::identity(w);
        if (!wv.stepBackUntil([&](const TensorView &v) {
              if (!v.isIdentity() &&
                  !(wType.getRank() == 2 &&
                    v.equals({ViewDim{TensorView::whole({t}, 0)}, ViewDim{}})))
                return false;
              Value col = matchLastAxisSelect(v.getSource(), slot);
              return col && (r = matchRouter(col));
            }))
          continue;
        if (!router)
          router = r;
        else if (router->topk != r->topk || router->mode != r->mode ||
                 router->renormalize != r->renormalize)
          return rewriter.notifyMatchFailure(root, "terms of two routers");
        if (!consistent(*router, *ffn))
          continue;
        // The indices: column `slot` of the top-k indices, for every row t.
        auto iType = cast<RankedTensorType>(ffn->w1.indices.getType());
        TensorView iv = TensorView::identity(ffn->w1.indices);
        int64_t idxSlot = -1;
        bool idxOk = iv.stepBackUntil([&](const TensorView &v) {
          SmallVector<ViewDim> want = {ViewDim{ViewAtom{0, 1, t}}};
          want.resize(iType.getRank());
          if (!v.equals(want))
            return false;
          Value col = matchLastAxisSelect(v.getSource(), idxSlot);
          return col == router->topk.getIndices();
        });
        if (!idxOk || idxSlot != slot)
          continue;
        // Every row reads its own token.
        if (!readsTokens(*ffn, router->input, 1))
          continue;
        // One table per projection for all slots.
        if (first && (first->w1.table != ffn->w1.table ||
                      first->w2.table != ffn->w2.table ||
                      first->w3.table != ffn->w3.table ||
                      first->w1.outIn != ffn->w1.outIn ||
                      first->w2.outIn != ffn->w2.outIn ||
                      first->w3.outIn != ffn->w3.outIn ||
                      first->w1.offset != ffn->w1.offset ||
                      first->w3.offset != ffn->w3.offset))
          return rewriter.notifyMatchFailure(root, "slots use other weights");
        if (!first)
          first = ffn;
        int64_t k = router->topk.getK();
        seen.resize(k, false);
        if (slot < 0 || slot >= k || seen[slot])
          return rewriter.notifyMatchFailure(root, "slot repeated");
        seen[slot] = true;
        matched = true;
      }
      if (!matched)
        return rewriter.notifyMatchFailure(root, "a term is not an expert");
    }
    if (!router || !llvm::all_of(seen, [](bool b) { return b; }) ||
        seen.size() != router->topk.getK())
      return rewriter.notifyMatchFailure(root, "not every slot is summed");
    if (cast<RankedTensorType>(router->input.getType()) != outType)
      return failure();
    return buildFFN(rewriter, root, *router, *first);
  }
};

struct RaiseMoEPass : loom::impl::LoomRaiseMoEBase<RaiseMoEPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseMoEPatterns(patterns);
    FailureOr<int64_t> raised = applyRaisingPatterns<loom::MoEFFNOp>(
        getOperation(), std::move(patterns));
    if (failed(raised))
      return signalPassFailure();
    numRaised += *raised;
  }
};
} // namespace

void mlir::loom::populateRaiseMoEPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseFlattenedMoE, RaisePerSlotMoE>(patterns.getContext());
}
