//===- AngularAttentionToLinalg.cpp - loom.angular_attention lowering -----===//
//
// Reference lowering of `loom.angular_attention` (Castling-ViT linear-angular
// attention). Precondition: static shapes. Everything is computed in f32:
//
// - q^ and k^: the rows divided by max(||x||_2, eps).
// - The contractions on a grouped layout [B*Hkv, G*Sq, W] (one batch
//   dimension, the query heads of a kv group stacked along the rows), so
//   that each is a batched GEMM the CPU contraction kernel can take.
// - Non-causal, in linear time: K^T V [B,Hkv,D,Dv], sum_j k^_j [B,Hkv,D] and
//   sum_j v_j [B,Hkv,Dv], then per query
//   (sum_j v_j / 2 + q^ (K^T V) / pi) / (Skv / 2 + q^ . sum_j k^_j / pi).
// - Causal: the exact quadratic form, w_ij = 1/2 + q^_i . k^_j / pi for
//   j <= i and 0 otherwise, out_i = sum_j w_ij v_j / sum_j w_ij (one chunk
//   of the chunked algorithm with the whole call as the chunk, as for
//   loom.linear_attention).
// - The local branch: v zero-padded by K/2 on both ends of the token axis
//   (tensor.insert_slice into a zero tensor), then
//   conv[b,h,i,c] = sum_t w[h,t] * vpad[b,h,i+t,c], added to the output.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom;

static Value f32Const(OpBuilder &b, Location loc, float value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

namespace {

struct AngularAttentionOpLowering : OpConversionPattern<AngularAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AngularAttentionOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    for (Type type : op->getOperandTypes())
      if (!cast<RankedTensorType>(type).hasStaticShape())
        return rewriter.notifyMatchFailure(op,
                                           "dynamic shapes are not lowered");
    if (!op.getOutput().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");

    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType qType = op.getQuery().getType();
    auto kType = cast<RankedTensorType>(op.getKey().getType());
    auto vType = cast<RankedTensorType>(op.getValue().getType());
    Type elemType = qType.getElementType();
    Type f32 = rewriter.getF32Type();
    int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
            sq = qType.getDimSize(2), d = qType.getDimSize(3);
    int64_t hkv = kType.getDimSize(1), skv = kType.getDimSize(2);
    int64_t dv = vType.getDimSize(3);
    int64_t group = hq / hkv;
    float eps = op.getEps().convertToFloat();
    float invPi = static_cast<float>(1.0 / llvm::numbers::pi);

    Value query = adaptor.getQuery().front();
    Value key = adaptor.getKey().front();
    Value value = adaptor.getValue().front();

    AffineExpr d0, d1, d2, d3, d4;
    bindDims(ctx, d0, d1, d2, d3, d4);
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    auto zeros = [&](ArrayRef<int64_t> shape) {
      return createFilledTensor(rewriter, loc, shape, f32,
                                rewriter.getF32FloatAttr(0));
    };
    auto multiplyAdd = [](OpBuilder &nb, Location nl, ValueRange args) {
      Value prod = arith::MulFOp::create(nb, nl, castToF32(nb, nl, args[0]),
                                         castToF32(nb, nl, args[1]));
      yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
    };

    // x / max(||x||, eps) per row of [B,H,S,D].
    auto normalize = [&](Value x, int64_t heads, int64_t len) {
      Value sumSquares = createGeneric(
          rewriter, loc, {x}, zeros({b, heads, len}),
          {id4, selectDims(ctx, 4, {0, 1, 2})}, "pppr",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value v = castToF32(nb, nl, args[0]);
            Value sq = arith::MulFOp::create(nb, nl, v, v);
            yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[1], sq));
          });
      return createGeneric(
          rewriter, loc, {x, sumSquares},
          createEmptyTensor(rewriter, loc, {b, heads, len, d}, f32),
          {id4, selectDims(ctx, 4, {0, 1, 2}), id4}, "pppp",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value norm = math::SqrtOp::create(nb, nl, args[1]);
            norm =
                arith::MaximumFOp::create(nb, nl, norm, f32Const(nb, nl, eps));
            yieldValue(nb, nl,
                       arith::DivFOp::create(nb, nl, castToF32(nb, nl, args[0]),
                                             norm));
          });
    };
    Value qHat = normalize(query, hq, sq);
    Value kHat = normalize(key, hkv, skv);

    // Per kv head h/G of query head h, in maps over (b,h,...).
    auto kvHead = [&](AffineExpr h) { return h.floorDiv(group); };

    // The contractions run on a grouped layout with one batch dimension,
    // n = (b, kv head), and the query heads of a group stacked along the
    // rows, r = (g, i): [B,Hq,Sq,W] -> [B*Hkv, G*Sq, W] (query heads
    // h = kv*G + g are contiguous), so that each is a plain batched GEMM
    // (what the CPU contraction kernel takes).
    int64_t n = b * hkv, rows = group * sq;
    auto reshape = [&](Value x, ArrayRef<int64_t> via,
                       ArrayRef<ReassociationIndices> expand,
                       ArrayRef<int64_t> to,
                       ArrayRef<ReassociationIndices> collapse) {
      Type elem = cast<RankedTensorType>(x.getType()).getElementType();
      Value expanded = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(via, elem), x, expand);
      return tensor::CollapseShapeOp::create(rewriter, loc,
                                             RankedTensorType::get(to, elem),
                                             expanded, collapse)
          .getResult();
    };
    auto groupQueries = [&](Value x, int64_t width) {
      return reshape(x, {b, hkv, group, sq, width}, {{0}, {1, 2}, {3}, {4}},
                     {n, rows, width}, {{0, 1}, {2, 3}, {4}});
    };
    auto ungroupRows = [&](Value x) { // [n, rows, Dv] -> [B,Hq,Sq,Dv]
      return reshape(x, {b, hkv, group, sq, dv}, {{0, 1}, {2, 3}, {4}},
                     {b, hq, sq, dv}, {{0}, {1, 2}, {3}, {4}});
    };
    auto ungroupRowSums = [&](Value x) { // [n, rows] -> [B,Hq,Sq]
      return reshape(x, {b, hkv, group, sq}, {{0, 1}, {2, 3}}, {b, hq, sq},
                     {{0}, {1, 2}, {3}});
    };
    auto groupKeys = [&](Value x, int64_t width) {
      Type elem = cast<RankedTensorType>(x.getType()).getElementType();
      return tensor::CollapseShapeOp::create(
                 rewriter, loc, RankedTensorType::get({n, skv, width}, elem), x,
                 ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}})
          .getResult();
    };
    Value qRows = groupQueries(qHat, d);
    Value kRows = groupKeys(kHat, d);
    Value vRows = groupKeys(value, dv);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    auto sumLast = [](OpBuilder &nb, Location nl, ValueRange args) {
      yieldValue(
          nb, nl,
          arith::AddFOp::create(nb, nl, args[1], castToF32(nb, nl, args[0])));
    };

    Value numerator, denominator, valueSum;
    if (!op.getCausal()) {
      // kv[n,d,e] = sum_j k^[n,j,d] v[n,j,e] over loops (n,d,e,j).
      Value kv = createGeneric(rewriter, loc, {kRows, vRows}, zeros({n, d, dv}),
                               {selectDims(ctx, 4, {0, 3, 1}),
                                selectDims(ctx, 4, {0, 3, 2}),
                                selectDims(ctx, 4, {0, 1, 2})},
                               "pppr", multiplyAdd);
      // Sums over the keys: [n, Skv, W] -> [n, W].
      auto sumOverKeys = [&](Value x, int64_t width) {
        return createGeneric(
            rewriter, loc, {x}, zeros({n, width}),
            {selectDims(ctx, 3, {0, 2, 1}), selectDims(ctx, 3, {0, 1})}, "ppr",
            sumLast);
      };
      Value keySum = sumOverKeys(kRows, d);
      valueSum = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({b, hkv, dv}, f32),
          sumOverKeys(vRows, dv), ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      // num[n,r,e] = sum_d q^[n,r,d] kv[n,d,e] over (n,r,e,d).
      numerator = ungroupRows(createGeneric(
          rewriter, loc, {qRows, kv}, zeros({n, rows, dv}),
          {selectDims(ctx, 4, {0, 1, 3}), selectDims(ctx, 4, {0, 3, 2}),
           selectDims(ctx, 4, {0, 1, 2})},
          "pppr", multiplyAdd));
      // den[n,r] = sum_d q^[n,r,d] ksum[n,d] over (n,r,d).
      denominator = ungroupRowSums(createGeneric(
          rewriter, loc, {qRows, keySum}, zeros({n, rows}),
          {id3, selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {0, 1})}, "ppr",
          multiplyAdd));
    } else {
      // dots[n,r,j] = q^[n,r,:] . k^[n,j,:] over (n,r,j,d).
      Value dots = createGeneric(
          rewriter, loc, {qRows, kRows}, zeros({n, rows, skv}),
          {selectDims(ctx, 4, {0, 1, 3}), selectDims(ctx, 4, {0, 2, 3}),
           selectDims(ctx, 4, {0, 1, 2})},
          "pppr", multiplyAdd);
      // w = 1/2 + dots / pi where j <= i (i = r mod Sq), else 0.
      Value weights = createGeneric(
          rewriter, loc, {dots},
          createEmptyTensor(rewriter, loc, {n, rows, skv}, f32), {id3, id3},
          "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value i = arith::RemSIOp::create(
                nb, nl, indexAsI64(nb, nl, 1),
                arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(sq)));
            Value visible = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::sle, indexAsI64(nb, nl, 2), i);
            Value w = arith::AddFOp::create(
                nb, nl, f32Const(nb, nl, 0.5f),
                arith::MulFOp::create(nb, nl, args[0],
                                      f32Const(nb, nl, invPi)));
            yieldValue(nb, nl,
                       arith::SelectOp::create(nb, nl, visible, w,
                                               f32Const(nb, nl, 0)));
          });
      // num[n,r,e] = sum_j w[n,r,j] v[n,j,e] over (n,r,e,j).
      numerator = ungroupRows(createGeneric(
          rewriter, loc, {weights, vRows}, zeros({n, rows, dv}),
          {selectDims(ctx, 4, {0, 1, 3}), selectDims(ctx, 4, {0, 3, 2}),
           selectDims(ctx, 4, {0, 1, 2})},
          "pppr", multiplyAdd));
      denominator = ungroupRowSums(
          createGeneric(rewriter, loc, {weights}, zeros({n, rows}),
                        {id3, selectDims(ctx, 3, {0, 1})}, "ppr", sumLast));
    }

    Value conv;
    if (Value weight = op.getConvWeight()) {
      weight = adaptor.getConvWeight().front();
      int64_t kernel = cast<RankedTensorType>(weight.getType()).getDimSize(1);
      int64_t pad = kernel / 2;
      Value padded =
          createFilledTensor(rewriter, loc, {b, hkv, skv + 2 * pad, dv},
                             elemType, rewriter.getFloatAttr(elemType, 0.0));
      padded = tensor::InsertSliceOp::create(
          rewriter, loc, value, padded,
          ArrayRef<OpFoldResult>{
              rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
              rewriter.getIndexAttr(pad), rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{
              rewriter.getIndexAttr(b), rewriter.getIndexAttr(hkv),
              rewriter.getIndexAttr(skv), rewriter.getIndexAttr(dv)},
          ArrayRef<OpFoldResult>(
              SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1))));
      // conv[b,h,i,c] = sum_t w[h,t] vpad[b,h,i+t,c] over (b,h,i,c,t).
      conv = createGeneric(rewriter, loc, {weight, padded},
                           zeros({b, hkv, skv, dv}),
                           {AffineMap::get(5, 0, {d1, d4}, ctx),
                            AffineMap::get(5, 0, {d0, d1, d2 + d4, d3}, ctx),
                            selectDims(ctx, 5, {0, 1, 2, 3})},
                           "ppppr", multiplyAdd);
    }

    // out = num / den (non-causal: with the constant 1/2 terms) [+ conv].
    SmallVector<Value> inputs = {numerator, denominator};
    SmallVector<AffineMap> maps = {id4, selectDims(ctx, 4, {0, 1, 2})};
    if (valueSum) {
      inputs.push_back(valueSum);
      maps.push_back(AffineMap::get(4, 0, {d0, kvHead(d1), d3}, ctx));
    }
    if (conv) {
      inputs.push_back(conv);
      maps.push_back(AffineMap::get(4, 0, {d0, kvHead(d1), d2, d3}, ctx));
    }
    maps.push_back(id4);
    bool linearForm = static_cast<bool>(valueSum);
    bool hasConv = static_cast<bool>(conv);
    Value out = createGeneric(
        rewriter, loc, inputs,
        createEmptyTensor(rewriter, loc, {b, hq, sq, dv}, elemType), maps,
        "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value num = args[0], den = args[1];
          if (linearForm) {
            Value piInv = f32Const(nb, nl, invPi);
            num = arith::AddFOp::create(
                nb, nl,
                arith::MulFOp::create(nb, nl, args[2], f32Const(nb, nl, 0.5f)),
                arith::MulFOp::create(nb, nl, num, piInv));
            den = arith::AddFOp::create(
                nb, nl, f32Const(nb, nl, 0.5f * static_cast<float>(skv)),
                arith::MulFOp::create(nb, nl, den, piInv));
          }
          Value result = arith::DivFOp::create(nb, nl, num, den);
          if (hasConv)
            result =
                arith::AddFOp::create(nb, nl, result, args[linearForm ? 3 : 2]);
          yieldValue(nb, nl, castFromF32(nb, nl, result, elemType));
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

void mlir::loom::populateAngularAttentionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<AngularAttentionOpLowering>(converter, patterns.getContext());
}
