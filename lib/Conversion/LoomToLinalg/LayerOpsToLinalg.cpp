//===- LayerOpsToLinalg.cpp - Reference lowering of rope and rms_norm -----===//
//
// `loom.rope` becomes the exporter's own arithmetic: the rotated partner of
// every channel (`-x[d + R/2]` or `x[d - R/2]`, or the interleaved pairs) is
// assembled with slices, a negation and a concat / strided inserts, and one
// elementwise generic computes `x * cos + partner * sin`; channels past the
// rotary width are concatenated back unchanged. `loom.rms_norm` is a row
// reduction of squares in f32 followed by one elementwise generic. Static
// shapes only.
//
//===----------------------------------------------------------------------===//

#include "ComputeOpLowering.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom;

/// Offsets, sizes and strides of a slice of a tensor of `shape` that is whole
/// except along the last axis, where it takes `size` elements from `offset`
/// every `stride`.
struct LastAxisSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
static LastAxisSlice lastAxisSlice(OpBuilder &b, ArrayRef<int64_t> shape,
                                   int64_t offset, int64_t size,
                                   int64_t stride) {
  LastAxisSlice s;
  for (int64_t d : shape) {
    s.offsets.push_back(b.getIndexAttr(0));
    s.sizes.push_back(b.getIndexAttr(d));
    s.strides.push_back(b.getIndexAttr(1));
  }
  s.offsets.back() = b.getIndexAttr(offset);
  s.sizes.back() = b.getIndexAttr(size);
  s.strides.back() = b.getIndexAttr(stride);
  return s;
}

/// `x[..., offset : offset + size * stride : stride]`.
static Value sliceLastAxis(OpBuilder &b, Location loc, Value x, int64_t offset,
                           int64_t size, int64_t stride) {
  LastAxisSlice s = lastAxisSlice(
      b, cast<RankedTensorType>(x.getType()).getShape(), offset, size, stride);
  return tensor::ExtractSliceOp::create(b, loc, x, s.offsets, s.sizes,
                                        s.strides);
}

/// Writes `part` into `into` at `offset, offset + stride, ...` of the last
/// axis.
static Value insertLastAxis(OpBuilder &b, Location loc, Value part, Value into,
                            int64_t offset, int64_t stride) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(part.getType()).getShape();
  LastAxisSlice s = lastAxisSlice(b, shape, offset, shape.back(), stride);
  return tensor::InsertSliceOp::create(b, loc, part, into, s.offsets, s.sizes,
                                       s.strides);
}

static Value negate(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  return createGeneric(
      b, loc, x,
      createEmptyTensor(b, loc, type.getShape(), type.getElementType()),
      {id, id}, std::string(rank, 'p'),
      [](OpBuilder &b, Location loc, ValueRange args) {
        yieldValue(b, loc, arith::NegFOp::create(b, loc, args[0]));
      });
}

/// The map reading a table of `tableShape` (same rank as the loops, unit
/// dimensions broadcast) at the loop indices.
static AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> loopShape,
                              ArrayRef<int64_t> tableShape) {
  SmallVector<AffineExpr> results;
  for (auto [i, size] : llvm::enumerate(tableShape))
    results.push_back(size == 1 && loopShape[i] != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(i, ctx));
  return AffineMap::get(loopShape.size(), 0, results, ctx);
}

Value mlir::loom::buildRoPEReference(OpBuilder &b, RoPEOp op,
                                     RoPEOp::Adaptor adaptor) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  auto tableType = cast<RankedTensorType>(op.getCos().getType());
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank(), d = type.getShape().back();
  int64_t r = op.getRotaryDim(), half = r / 2;
  Type et = type.getElementType();

  Value x = adaptor.getInput();
  Value rotated = r < d ? sliceLastAxis(b, loc, x, 0, r, 1) : x;
  auto rotatedType = cast<RankedTensorType>(rotated.getType());

  // partner[d] = -x[d + R/2] | x[d - R/2], or -x[2i+1] | x[2i].
  Value partner;
  if (!op.getInterleaved()) {
    Value lo = sliceLastAxis(b, loc, rotated, 0, half, 1);
    Value hi = sliceLastAxis(b, loc, rotated, half, half, 1);
    partner = tensor::ConcatOp::create(b, loc, rank - 1,
                                       ValueRange{negate(b, loc, hi), lo});
  } else {
    Value even = sliceLastAxis(b, loc, rotated, 0, half, 2);
    Value odd = sliceLastAxis(b, loc, rotated, 1, half, 2);
    partner = createEmptyTensor(b, loc, rotatedType.getShape(), et);
    partner = insertLastAxis(b, loc, negate(b, loc, odd), partner, 0, 2);
    partner = insertLastAxis(b, loc, even, partner, 1, 2);
  }

  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap tableMap =
      broadcastMap(ctx, rotatedType.getShape(), tableType.getShape());
  Value result = createGeneric(
      b, loc, ValueRange{rotated, partner, adaptor.getCos(), adaptor.getSin()},
      createEmptyTensor(b, loc, rotatedType.getShape(), et),
      {id, id, tableMap, tableMap, id}, std::string(rank, 'p'),
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value xc = arith::MulFOp::create(b, loc, args[0], args[2]);
        Value ps = arith::MulFOp::create(b, loc, args[1], args[3]);
        yieldValue(b, loc, arith::AddFOp::create(b, loc, xc, ps));
      });
  if (r < d)
    result = tensor::ConcatOp::create(
        b, loc, rank - 1,
        ValueRange{result, sliceLastAxis(b, loc, x, r, d - r, 1)});
  return result;
}

Value mlir::loom::buildRMSNormReference(OpBuilder &b, RMSNormOp op,
                                        RMSNormOp::Adaptor adaptor) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  int64_t n = type.getShape().back();
  Type et = type.getElementType(), f32 = b.getF32Type();

  // sumsq[...] = sum_n x[..., n]^2, in f32.
  SmallVector<unsigned> rowDims;
  for (unsigned i = 0; i + 1 < rank; ++i)
    rowDims.push_back(i);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap rowMap = selectDims(ctx, rank, rowDims);
  Value zero = createFilledTensor(b, loc, type.getShape().drop_back(), f32,
                                  b.getF32FloatAttr(0));
  Value sumsq = createGeneric(
      b, loc, adaptor.getInput(), zero, {id, rowMap},
      std::string(rank - 1, 'p') + "r",
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value x = castToF32(b, loc, args[0]);
        Value sq = arith::MulFOp::create(b, loc, x, x);
        yieldValue(b, loc, arith::AddFOp::create(b, loc, args[1], sq));
      });

  // y = trunc(x / sqrt(sumsq / N + eps)) * weight.
  SmallVector<Value> inputs = {adaptor.getInput(), sumsq};
  SmallVector<AffineMap> maps = {id, rowMap};
  if (Value weight = adaptor.getWeight()) {
    inputs.push_back(weight);
    maps.push_back(selectDims(ctx, rank, {rank - 1}));
  }
  maps.push_back(id);
  bool hasWeight = static_cast<bool>(adaptor.getWeight());
  double eps = op.getEpsilon().convertToDouble();
  Value result = createGeneric(
      b, loc, inputs, createEmptyTensor(b, loc, type.getShape(), et), maps,
      std::string(rank, 'p'), [&](OpBuilder &b, Location loc, ValueRange args) {
        Value count = arith::ConstantOp::create(
            b, loc, b.getF32FloatAttr(static_cast<float>(n)));
        Value epsilon = arith::ConstantOp::create(
            b, loc, b.getF32FloatAttr(static_cast<float>(eps)));
        Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
        Value mean = arith::DivFOp::create(b, loc, args[1], count);
        Value root = math::SqrtOp::create(
            b, loc, arith::AddFOp::create(b, loc, mean, epsilon));
        Value inv = arith::DivFOp::create(b, loc, one, root);
        Value y = castFromF32(
            b, loc,
            arith::MulFOp::create(b, loc, castToF32(b, loc, args[0]), inv), et);
        if (hasWeight)
          y = arith::MulFOp::create(b, loc, y, args[2]);
        yieldValue(b, loc, y);
      });
  return result;
}

namespace {
struct RoPELowering : OpConversionPattern<RoPEOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RoPEOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    rewriter.replaceOp(op, buildRoPEReference(rewriter, op, adaptor));
    return success();
  }
};

struct RMSNormLowering : OpConversionPattern<RMSNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RMSNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    rewriter.replaceOp(op, buildRMSNormReference(rewriter, op, adaptor));
    return success();
  }
};
} // namespace

void mlir::loom::populateLayerOpsToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<RoPELowering, RMSNormLowering>(converter, patterns.getContext());
}
