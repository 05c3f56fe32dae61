//===- AttentionToLinalg.cpp - Reference lowering of loom.attention -------===//
//
// Lowers `loom.attention` (tensor or KV-cache keys/values) to a chain of
// linalg.generic ops: scores, masking, row max, exp, row sum, normalisation,
// value product, and optionally the per-key accumulated probability. Softmax
// runs in f32. Precondition: static shapes.
//
//===----------------------------------------------------------------------===//

#include "ComputeOpLowering.h"
#include "KVCacheParts.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;

SmallVector<Value>
mlir::loom::buildAttentionReference(OpBuilder &builder, AttentionOp op,
                                    Value query, const AttentionSources &src,
                                    Value mask) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  RankedTensorType qType = op.getQuery().getType();
  RankedTensorType outType = op.getOutput().getType();
  int64_t skv = cast<RankedTensorType>(src.keys.getType()).getDimSize(2);
  int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
          sq = qType.getDimSize(2);
  int64_t hkv = op.getNumKVHeads(), group = hq / hkv;
  int64_t dv = outType.getDimSize(3);
  Type f32 = builder.getF32Type();
  Type elemType = qType.getElementType();
  float negInf = -std::numeric_limits<float>::infinity();
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);

  // scores[b,h,i,j] = sum_d q[b,h,i,d] * k[b,h/G,j,d] (or the Hamming score).
  Value zeroScores = createFilledTensor(builder, loc, {b, hq, sq, skv}, f32,
                                        builder.getF32FloatAttr(0));
  bool hamming = op.getHamming();
  Value scores = createGeneric(
      builder, loc, {query, src.keys}, zeroScores,
      {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
       AffineMap::get(5, 0, {d0, d1.floorDiv(group), d3, d4}, ctx),
       AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
      "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value q = castToF32(nb, nl, args[0]);
        Value k = castToF32(nb, nl, args[1]);
        Value prod;
        if (hamming) {
          Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
          Value qBit =
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGE, q, zero);
          Value kBit =
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGE, k, zero);
          Value same = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                             qBit, kBit);
          prod = arith::SelectOp::create(
              nb, nl, same,
              arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(1)),
              arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(-1)));
        } else {
          prod = arith::MulFOp::create(nb, nl, q, k);
        }
        Value acc = arith::AddFOp::create(nb, nl, args[2], prod);
        yieldValue(nb, nl, acc);
      });

  // Scale, add the mask, and replace invisible keys by -inf.
  SmallVector<Value> maskInputs = {scores};
  SmallVector<AffineMap> maskMaps = {AffineMap::getMultiDimIdentityMap(4, ctx)};
  if (mask) {
    auto mType = cast<RankedTensorType>(mask.getType());
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < 4; ++i)
      exprs.push_back(mType.getDimSize(i) == 1 ? getAffineConstantExpr(0, ctx)
                                               : getAffineDimExpr(i, ctx));
    maskInputs.push_back(mask);
    maskMaps.push_back(AffineMap::get(4, 0, exprs, ctx));
  }
  bool fromCache = static_cast<bool>(src.positions);
  if (fromCache) {
    maskInputs.append({src.positions, src.length, src.next});
    maskMaps.push_back(AffineMap::get(4, 0, {d0, d1.floorDiv(group), d3}, ctx));
    maskMaps.push_back(AffineMap::get(4, 0, {d0}, ctx));
    maskMaps.push_back(AffineMap::get(4, 0, {d0}, ctx));
  }
  maskMaps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
  float scale = op.getEffectiveScale();
  bool causal = op.getCausal();
  std::optional<int64_t> window = op.getWindow();
  int64_t sinks = op.getSinks().value_or(0);
  Value masked = createGeneric(
      builder, loc, maskInputs,
      createEmptyTensor(builder, loc, {b, hq, sq, skv}, f32), maskMaps, "pppp",
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto i64Const = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(v));
        };
        Value x = arith::MulFOp::create(
            nb, nl, args[0],
            arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(scale)));
        unsigned next = 1;
        if (mask)
          x = arith::AddFOp::create(nb, nl, x, castToF32(nb, nl, args[next++]));
        Value i = indexAsI64(nb, nl, 2), j = indexAsI64(nb, nl, 3);
        Value keyPos = j, queryBase = i64Const(skv - sq);
        Value visible = arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true));
        if (fromCache) {
          keyPos = args[next];
          Value length = args[next + 1];
          queryBase =
              arith::SubIOp::create(nb, nl, args[next + 2], i64Const(sq));
          visible = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, j,
                                          length);
        }
        Value queryPos = arith::AddIOp::create(nb, nl, queryBase, i);
        auto andWith = [&](Value cond) {
          visible = arith::AndIOp::create(nb, nl, visible, cond);
        };
        if (causal)
          andWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle,
                                        keyPos, queryPos));
        if (window) {
          Value lowest =
              arith::SubIOp::create(nb, nl, queryPos, i64Const(*window));
          Value inWindow = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sgt, keyPos, lowest);
          if (sinks > 0)
            inWindow = arith::OrIOp::create(
                nb, nl, inWindow,
                arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, keyPos,
                                      i64Const(sinks)));
          andWith(inWindow);
        }
        Value result = arith::SelectOp::create(
            nb, nl, visible, x,
            arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(negInf)));
        yieldValue(nb, nl, result);
      });

  // Softmax over j. Rows whose max is -inf have no visible key: all zeros.
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap rowMap = AffineMap::get(4, 0, {d0, d1, d2}, ctx);
  Value rowMax = createGeneric(
      builder, loc, {masked},
      createFilledTensor(builder, loc, {b, hq, sq}, f32,
                         builder.getF32FloatAttr(negInf)),
      {id4, rowMap}, "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        yieldValue(nb, nl, arith::MaximumFOp::create(nb, nl, args[0], args[1]));
      });
  Value exps = createGeneric(
      builder, loc, {masked, rowMax},
      createEmptyTensor(builder, loc, {b, hq, sq, skv}, f32),
      {id4, rowMap, id4}, "pppp",
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value noKey = arith::CmpFOp::create(
            nb, nl, arith::CmpFPredicate::OEQ, args[1],
            arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(negInf)));
        Value e = math::ExpOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, args[0], args[1]));
        Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
        yieldValue(nb, nl, arith::SelectOp::create(nb, nl, noKey, zero, e));
      });
  Value rowSum = createGeneric(
      builder, loc, {exps},
      createFilledTensor(builder, loc, {b, hq, sq}, f32,
                         builder.getF32FloatAttr(0)),
      {id4, rowMap}, "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[0], args[1]));
      });
  Value probs = createGeneric(
      builder, loc, {exps, rowSum},
      createEmptyTensor(builder, loc, {b, hq, sq, skv}, f32),
      {id4, rowMap, id4}, "pppp",
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
        Value positive = arith::CmpFOp::create(
            nb, nl, arith::CmpFPredicate::OGT, args[1], zero);
        Value p = arith::DivFOp::create(nb, nl, args[0], args[1]);
        yieldValue(nb, nl, arith::SelectOp::create(nb, nl, positive, p, zero));
      });

  // out[b,h,i,e] = sum_j p[b,h,i,j] * v[b,h/G,j,e], accumulated in f32.
  Value outF32 = createGeneric(
      builder, loc, {probs, src.values},
      createFilledTensor(builder, loc, {b, hq, sq, dv}, f32,
                         builder.getF32FloatAttr(0)),
      {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
       AffineMap::get(5, 0, {d0, d1.floorDiv(group), d4, d3}, ctx),
       AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
      "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value prod =
            arith::MulFOp::create(nb, nl, args[0], castToF32(nb, nl, args[1]));
        yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
      });
  Value out = outF32;
  if (elemType != f32)
    out = createGeneric(
        builder, loc, {outF32},
        createEmptyTensor(builder, loc, {b, hq, sq, dv}, elemType), {id4, id4},
        "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, castFromF32(nb, nl, args[0], elemType));
        });

  SmallVector<Value> results = {out};
  if (op.getKeyScores()) {
    // Sum the probabilities over the queries and the query heads of a group.
    auto grouped = RankedTensorType::get({b, hkv, group, sq, skv}, f32);
    Value expanded = tensor::ExpandShapeOp::create(
        builder, loc, grouped, probs,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    Value keyScores = createGeneric(
        builder, loc, {expanded},
        createFilledTensor(builder, loc, {b, hkv, skv}, f32,
                           builder.getF32FloatAttr(0)),
        {AffineMap::getMultiDimIdentityMap(5, ctx),
         AffineMap::get(5, 0, {d0, d1, d4}, ctx)},
        "pprrp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[0], args[1]));
        });
    results.push_back(keyScores);
  }
  return results;
}

namespace {

struct AttentionOpLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType qType = op.getQuery().getType();
    RankedTensorType outType = op.getOutput().getType();
    if (!qType.hasStaticShape() || !outType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");

    AttentionSources src;
    if (op.readsCache()) {
      KVCacheParts parts = KVCacheParts::unpack(adaptor.getKey());
      // A quantized cache is dequantized on the fly.
      auto [keys, values] =
          readKVCacheEntries(rewriter, op.getLoc(),
                             cast<KVCacheType>(op.getKey().getType()), parts);
      src = {keys, values, parts.positions, parts.length, parts.next};
    } else {
      auto kType = cast<RankedTensorType>(op.getKey().getType());
      if (!kType.hasStaticShape() ||
          !cast<RankedTensorType>(op.getValue().getType()).hasStaticShape())
        return rewriter.notifyMatchFailure(op,
                                           "dynamic shapes are not lowered");
      src.keys = adaptor.getKey().front();
      src.values = adaptor.getValue().front();
    }
    Value query = adaptor.getQuery().front();
    Value mask = op.getMask() ? adaptor.getMask().front() : Value();

    rewriter.replaceOp(op,
                       buildAttentionReference(rewriter, op, query, src, mask));
    return success();
  }
};

} // namespace

void mlir::loom::populateAttentionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<AttentionOpLowering>(converter, patterns.getContext());
}
