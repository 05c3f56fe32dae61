//===- QuantToLinalg.cpp - Reference lowering of quantization ops ---------===//
//
// Lowers loom.qmatmul (dequantize the int8 / packed int4 weight to f32, then an
// f32 matmul), loom.quantize and loom.dequantize to linalg.generic ops.
// Precondition: static shapes.
//
//===----------------------------------------------------------------------===//

#include "ComputeOpLowering.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom;

/// An integer scalar converted to f32 (signed).
static Value signedToF32(OpBuilder &b, Location loc, Value v) {
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), v);
}

//===----------------------------------------------------------------------===//
// qmatmul
//===----------------------------------------------------------------------===//

Value mlir::loom::buildQMatmulReference(OpBuilder &b, QMatmulOp op,
                                        QMatmulOp::Adaptor adaptor) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getOutput().getType());
  int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
  int64_t k = op.getReductionSize();
  bool int4 = op.getBits() == 4;
  std::optional<int64_t> group = op.getGroupSize();
  bool hasZeroPoints = static_cast<bool>(op.getZeroPoints());
  Type f32 = b.getF32Type();
  AffineExpr d0, d1;
  bindDims(ctx, d0, d1);

  // w[n,k] = (q[n,k] - z[n,G]) * s[n,G] in f32; loops (n, k).
  SmallVector<Value> inputs = {adaptor.getWeight(), adaptor.getScales()};
  AffineMap scaleMap =
      group ? AffineMap::get(2, 0, {d0, d1.floorDiv(*group)}, ctx)
            : AffineMap::get(2, 0, {d0}, ctx);
  SmallVector<AffineMap> maps = {
      int4 ? AffineMap::get(2, 0, {d0, d1.floorDiv(2)}, ctx)
           : AffineMap::getMultiDimIdentityMap(2, ctx),
      scaleMap};
  if (hasZeroPoints) {
    inputs.push_back(adaptor.getZeroPoints());
    maps.push_back(scaleMap);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));
  Value weight = createGeneric(
      b, loc, inputs, createEmptyTensor(b, loc, {n, k}, f32), maps, "pp",
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value q = args[0];
        if (int4) {
          // Even k: the low nibble, odd k: the high one; both sign-extended
          // by an arithmetic right shift.
          auto i8Const = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(nb, nl, nb.getI8IntegerAttr(v));
          };
          Value low = arith::ShRSIOp::create(
              nb, nl, arith::ShLIOp::create(nb, nl, q, i8Const(4)), i8Const(4));
          Value high = arith::ShRSIOp::create(nb, nl, q, i8Const(4));
          Value kIndex = indexAsI64(nb, nl, 1);
          Value odd = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::ne,
              arith::AndIOp::create(
                  nb, nl, kIndex,
                  arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(1))),
              arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(0)));
          q = arith::SelectOp::create(nb, nl, odd, high, low);
        }
        Value value = signedToF32(nb, nl, q);
        if (hasZeroPoints)
          value = arith::SubFOp::create(nb, nl, value,
                                        signedToF32(nb, nl, args[2]));
        Value scale = castToF32(nb, nl, args[1]);
        yieldValue(nb, nl, arith::MulFOp::create(nb, nl, value, scale));
      });

  // y[m,n] = sum_k x[m,k] * w[n,k] in f32; loops (m, n, k).
  Value init = createFilledTensor(b, loc, {m, n}, f32, b.getF32FloatAttr(0));
  Value acc = createGeneric(
      b, loc, {adaptor.getInput(), weight}, init,
      {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {1, 2}),
       selectDims(ctx, 3, {0, 1})},
      "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value prod =
            arith::MulFOp::create(nb, nl, castToF32(nb, nl, args[0]), args[1]);
        yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
      });

  Type outElem = resultType.getElementType();
  if (!outElem.isF32()) {
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    acc = createGeneric(
        b, loc, {acc}, createEmptyTensor(b, loc, {m, n}, outElem), {id, id},
        "pp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, castFromF32(nb, nl, args[0], outElem));
        });
  }
  return acc;
}

namespace {

struct QMatmulLowering : OpConversionPattern<QMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QMatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    rewriter.replaceOp(
        op, buildQMatmulReference(
                rewriter, op, QMatmulOp::Adaptor(flattenOneToN(adaptor), op)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// quantize / dequantize
//===----------------------------------------------------------------------===//

/// The indexing map of a per-tensor ([1]) or per-token (all but the last
/// dimension) scale over the loops of a rank-`rank` activation.
static AffineMap scaleIndexing(MLIRContext *ctx, unsigned rank,
                               QuantGranularity granularity) {
  if (granularity == QuantGranularity::per_tensor)
    return AffineMap::get(rank, 0, {getAffineConstantExpr(0, ctx)}, ctx);
  SmallVector<unsigned> dims;
  for (unsigned i = 0; i + 1 < rank; ++i)
    dims.push_back(i);
  return selectDims(ctx, rank, dims);
}

/// Shared structure of quantize and dequantize: one elementwise generic over
/// the activation with the scale (and zero point) broadcast to it.
template <typename OpTy>
struct ActivationQuantLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OneToNOpAdaptor = typename OpConversionPattern<OpTy>::OneToNOpAdaptor;

  /// The generic's body: `args` are input, scale, [zero point]; returns the
  /// result element.
  virtual Value buildElement(OpBuilder &b, Location loc, Value input,
                             Value scale, Value zeroPoint,
                             Type resultElem) const = 0;

  LogicalResult
  matchAndRewrite(OpTy op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getOutput().getType());
    unsigned rank = resultType.getRank();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap scaleMap = scaleIndexing(ctx, rank, op.getGranularity());
    SmallVector<Value> inputs = {adaptor.getInput().front(),
                                 adaptor.getScale().front()};
    SmallVector<AffineMap> maps = {id, scaleMap};
    bool hasZeroPoint = static_cast<bool>(op.getZeroPoint());
    if (hasZeroPoint) {
      inputs.push_back(adaptor.getZeroPoint().front());
      maps.push_back(scaleMap);
    }
    maps.push_back(id);
    Type resultElem = resultType.getElementType();
    Value result = createGeneric(
        rewriter, loc, inputs,
        createEmptyTensor(rewriter, loc, resultType.getShape(), resultElem),
        maps, std::string(rank, 'p'),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value zeroPoint =
              hasZeroPoint
                  ? signedToF32(nb, nl, args[2])
                  : arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0))
                        .getResult();
          yieldValue(
              nb, nl,
              buildElement(nb, nl, args[0], args[1], zeroPoint, resultElem));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// q = clamp(roundeven(x / s) + z, -128, 127); NaN gives z.
struct QuantizeLowering : ActivationQuantLowering<QuantizeOp> {
  using ActivationQuantLowering::ActivationQuantLowering;

  Value buildElement(OpBuilder &b, Location loc, Value input, Value scale,
                     Value zeroPoint, Type resultElem) const override {
    Value x = castToF32(b, loc, input);
    Value rounded = math::RoundEvenOp::create(
        b, loc, arith::DivFOp::create(b, loc, x, scale));
    Value shifted = arith::AddFOp::create(b, loc, rounded, zeroPoint);
    Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                        shifted, shifted);
    shifted = arith::SelectOp::create(b, loc, isNaN, zeroPoint, shifted);
    Value clamped = arith::MaximumFOp::create(
        b, loc, shifted,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-128)));
    clamped = arith::MinimumFOp::create(
        b, loc, clamped,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127)));
    return arith::FPToSIOp::create(b, loc, resultElem, clamped);
  }
};

/// x = (q - z) * s.
struct DequantizeLowering : ActivationQuantLowering<DequantizeOp> {
  using ActivationQuantLowering::ActivationQuantLowering;

  Value buildElement(OpBuilder &b, Location loc, Value input, Value scale,
                     Value zeroPoint, Type resultElem) const override {
    Value centered =
        arith::SubFOp::create(b, loc, signedToF32(b, loc, input), zeroPoint);
    return castFromF32(b, loc, arith::MulFOp::create(b, loc, centered, scale),
                       resultElem);
  }
};

} // namespace

void mlir::loom::populateQuantToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<QMatmulLowering, QuantizeLowering, DequantizeLowering>(
      converter, patterns.getContext());
}
