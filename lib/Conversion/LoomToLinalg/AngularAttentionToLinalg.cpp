//===- AngularAttentionToLinalg.cpp - loom.angular_attention lowering -----===//
//
// Reference lowering of `loom.angular_attention` (Castling-ViT linear-angular
// attention). Precondition: static shapes. Everything is computed in f32:
//
// - q^ and k^: the rows divided by max(||x||_2, eps).
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

    Value numerator, denominator, valueSum;
    if (!op.getCausal()) {
      // kv[b,h,d,e] = sum_j k^[b,h,j,d] v[b,h,j,e] over loops (b,h,d,e,j).
      Value kv = createGeneric(
          rewriter, loc, {kHat, value}, zeros({b, hkv, d, dv}),
          {selectDims(ctx, 5, {0, 1, 4, 2}), selectDims(ctx, 5, {0, 1, 4, 3}),
           selectDims(ctx, 5, {0, 1, 2, 3})},
          "ppppr", multiplyAdd);
      auto sumOverKeys = [&](Value x, int64_t width) {
        return createGeneric(
            rewriter, loc, {x}, zeros({b, hkv, width}),
            {selectDims(ctx, 4, {0, 1, 3, 2}), selectDims(ctx, 4, {0, 1, 2})},
            "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
              yieldValue(nb, nl,
                         arith::AddFOp::create(nb, nl, args[1],
                                               castToF32(nb, nl, args[0])));
            });
      };
      Value keySum = sumOverKeys(kHat, d);
      valueSum = sumOverKeys(value, dv);
      // num[b,h,i,e] = sum_d q^[b,h,i,d] kv[b,h/G,d,e] over (b,h,i,e,d).
      numerator =
          createGeneric(rewriter, loc, {qHat, kv}, zeros({b, hq, sq, dv}),
                        {selectDims(ctx, 5, {0, 1, 2, 4}),
                         AffineMap::get(5, 0, {d0, kvHead(d1), d4, d3}, ctx),
                         selectDims(ctx, 5, {0, 1, 2, 3})},
                        "ppppr", multiplyAdd);
      // den[b,h,i] = sum_d q^[b,h,i,d] ksum[b,h/G,d] over (b,h,i,d).
      denominator =
          createGeneric(rewriter, loc, {qHat, keySum}, zeros({b, hq, sq}),
                        {id4, AffineMap::get(4, 0, {d0, kvHead(d1), d3}, ctx),
                         selectDims(ctx, 4, {0, 1, 2})},
                        "pppr", multiplyAdd);
    } else {
      // w[b,h,i,j] = 1/2 + q^_i . k^_j / pi for j <= i, else 0.
      Value dots =
          createGeneric(rewriter, loc, {qHat, kHat}, zeros({b, hq, sq, skv}),
                        {selectDims(ctx, 5, {0, 1, 2, 4}),
                         AffineMap::get(5, 0, {d0, kvHead(d1), d3, d4}, ctx),
                         selectDims(ctx, 5, {0, 1, 2, 3})},
                        "ppppr", multiplyAdd);
      Value weights = createGeneric(
          rewriter, loc, {dots},
          createEmptyTensor(rewriter, loc, {b, hq, sq, skv}, f32), {id4, id4},
          "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value visible = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::sle, indexAsI64(nb, nl, 3),
                indexAsI64(nb, nl, 2));
            Value w = arith::AddFOp::create(
                nb, nl, f32Const(nb, nl, 0.5f),
                arith::MulFOp::create(nb, nl, args[0],
                                      f32Const(nb, nl, invPi)));
            yieldValue(nb, nl,
                       arith::SelectOp::create(nb, nl, visible, w,
                                               f32Const(nb, nl, 0)));
          });
      numerator =
          createGeneric(rewriter, loc, {weights, value}, zeros({b, hq, sq, dv}),
                        {selectDims(ctx, 5, {0, 1, 2, 4}),
                         AffineMap::get(5, 0, {d0, kvHead(d1), d4, d3}, ctx),
                         selectDims(ctx, 5, {0, 1, 2, 3})},
                        "ppppr", multiplyAdd);
      denominator = createGeneric(
          rewriter, loc, {weights}, zeros({b, hq, sq}),
          {id4, selectDims(ctx, 4, {0, 1, 2})}, "pppr",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[1], args[0]));
          });
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
