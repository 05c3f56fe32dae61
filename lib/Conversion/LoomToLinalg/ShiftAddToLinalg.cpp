//===- ShiftAddToLinalg.cpp - Reference lowering of shift-add ops ---------===//
//
// Lowers loom.shift_matmul, loom.bcq_matmul and loom.adder_matmul to
// linalg.generic chains that contain no multiplication: integer products by a
// power of two are shifts, float ones add to the f32 exponent field (ldexp from
// bitcasts and integer adds), signs are selects and negations. loom.bcq_matmul
// has two lowerings with identical bits: the plain one recomputes each signed
// byte sum; the lookup-table one (ShiftAddLowering.h) builds the 256 signed
// sums of every group of eight activations once and looks bytes up.
// Precondition: static shapes.
//
//===----------------------------------------------------------------------===//

#include "ComputeOpLowering.h"
#include "LoweringUtils.h"
#include "ShiftAddLowering.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom;

static Value i32Constant(OpBuilder &b, Location loc, int32_t v) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
}

/// `ldexp(x, p)` for an f32 `x` and an i32 `p`, by adding `p` to the exponent
/// field. Zero and subnormal inputs, and results below the normal range, give
/// signed zero; results above it give signed infinity; inf and NaN pass.
static Value buildLdexpF32(OpBuilder &b, Location loc, Value x, Value p) {
  Type i32 = b.getI32Type();
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value signBit = arith::AndIOp::create(
      b, loc, bits, i32Constant(b, loc, static_cast<int32_t>(0x80000000u)));
  Value field = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, i32Constant(b, loc, 23)),
      i32Constant(b, loc, 0xff));
  Value newField = arith::AddIOp::create(b, loc, field, p);
  Value normal = arith::OrIOp::create(
      b, loc,
      arith::AndIOp::create(
          b, loc, bits, i32Constant(b, loc, static_cast<int32_t>(0x807fffffu))),
      arith::ShLIOp::create(b, loc, newField, i32Constant(b, loc, 23)));
  Value infinity =
      arith::OrIOp::create(b, loc, signBit, i32Constant(b, loc, 0x7f800000));
  auto cmp = [&](arith::CmpIPredicate pred, Value lhs, int32_t rhs) -> Value {
    return arith::CmpIOp::create(b, loc, pred, lhs, i32Constant(b, loc, rhs));
  };
  Value special = cmp(arith::CmpIPredicate::eq, field, 0xff);
  Value toZero =
      arith::OrIOp::create(b, loc, cmp(arith::CmpIPredicate::eq, field, 0),
                           cmp(arith::CmpIPredicate::sle, newField, 0));
  Value overflow = cmp(arith::CmpIPredicate::sge, newField, 0xff);
  Value result = arith::SelectOp::create(b, loc, overflow, infinity, normal);
  result = arith::SelectOp::create(b, loc, toZero, signBit, result);
  result = arith::SelectOp::create(b, loc, special, bits, result);
  return arith::BitcastOp::create(b, loc, b.getF32Type(), result);
}

/// `v`, `-v` or zero by the sign of the i8 `sign` (a select, not a product).
static Value applySign(OpBuilder &b, Location loc, Value sign, Value v) {
  Value zero8 = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
  Value positive =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, sign, zero8);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, sign, zero8);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(v.getType()));
  Value negated = isa<FloatType>(v.getType())
                      ? arith::NegFOp::create(b, loc, v).getResult()
                      : arith::SubIOp::create(b, loc, zero, v).getResult();
  Value result = arith::SelectOp::create(b, loc, negative, negated, zero);
  return arith::SelectOp::create(b, loc, positive, v, result);
}

/// Converts an f32 tensor `[shape]` to `elementType` elementwise (no-op for
/// f32).
static Value convertF32Tensor(OpBuilder &b, Location loc, Value tensor,
                              Type elementType) {
  if (elementType.isF32())
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  AffineMap id =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  std::string iterators(type.getRank(), 'p');
  return createGeneric(
      b, loc, {tensor}, createEmptyTensor(b, loc, type.getShape(), elementType),
      {id, id}, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        yieldValue(nb, nl, castFromF32(nb, nl, args[0], elementType));
      });
}

Value mlir::loom::buildShiftMatmulReference(OpBuilder &b, ShiftMatmulOp op,
                                            ShiftMatmulOp::Adaptor adaptor) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getOutput().getType());
  Type inElem =
      cast<RankedTensorType>(op.getInput().getType()).getElementType();
  Type outElem = resultType.getElementType();
  bool isInteger = isa<IntegerType>(inElem);
  // Float products are summed in f32, integer ones in the result type.
  Type accType = isInteger ? outElem : b.getF32Type();
  Type shiftType = isInteger ? outElem : b.getI32Type();
  int64_t minExp = op.getMinExponent(), maxExp = op.getMaxExponent();
  int64_t fracShift = op.getFracShift();

  Value init = createFilledTensor(b, loc, resultType.getShape(), accType,
                                  b.getZeroAttr(accType));
  Value acc = createGeneric(
      b, loc, {adaptor.getInput(), adaptor.getSign(), adaptor.getExponent()},
      init,
      {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {1, 2}),
       selectDims(ctx, 3, {1, 2}), selectDims(ctx, 3, {0, 1})},
      "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto shiftConst = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(nb, nl,
                                           nb.getIntegerAttr(shiftType, v));
        };
        // The exponent, clamped so that no shift amount is out of range.
        Value p = arith::ExtSIOp::create(nb, nl, shiftType, args[2]);
        p = arith::MaxSIOp::create(nb, nl, p, shiftConst(minExp));
        p = arith::MinSIOp::create(nb, nl, p, shiftConst(maxExp));
        Value product;
        if (isInteger) {
          Value x = args[0];
          if (x.getType() != outElem)
            x = arith::ExtSIOp::create(nb, nl, outElem, x);
          Value shift = arith::AddIOp::create(nb, nl, p, shiftConst(fracShift));
          Value zero = shiftConst(0);
          Value left = arith::MaxSIOp::create(nb, nl, shift, zero);
          Value right = arith::MaxSIOp::create(
              nb, nl, arith::SubIOp::create(nb, nl, zero, shift), zero);
          product = arith::ShRSIOp::create(
              nb, nl, arith::ShLIOp::create(nb, nl, x, left), right);
        } else {
          product = buildLdexpF32(nb, nl, castToF32(nb, nl, args[0]), p);
        }
        Value term = applySign(nb, nl, args[1], product);
        Value sum =
            isInteger
                ? arith::AddIOp::create(nb, nl, args[3], term).getResult()
                : arith::AddFOp::create(nb, nl, args[3], term).getResult();
        yieldValue(nb, nl, sum);
      });
  if (!isInteger)
    acc = convertF32Tensor(b, loc, acc, outElem);
  return acc;
}

Value mlir::loom::buildAdderMatmulReference(OpBuilder &b, AdderMatmulOp op,
                                            AdderMatmulOp::Adaptor adaptor) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getOutput().getType());
  Type outElem = resultType.getElementType();
  bool isInteger = isa<IntegerType>(outElem);
  Type accType = isInteger ? outElem : b.getF32Type();
  Value init = createFilledTensor(b, loc, resultType.getShape(), accType,
                                  b.getZeroAttr(accType));
  Value acc = createGeneric(
      b, loc, {adaptor.getInput(), adaptor.getWeight()}, init,
      {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {1, 2}),
       selectDims(ctx, 3, {0, 1})},
      "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value sum;
        if (isInteger) {
          auto extend = [&](Value v) -> Value {
            return v.getType() == outElem
                       ? v
                       : arith::ExtSIOp::create(nb, nl, outElem, v).getResult();
          };
          Value diff =
              arith::SubIOp::create(nb, nl, extend(args[0]), extend(args[1]));
          Value zero =
              arith::ConstantOp::create(nb, nl, nb.getIntegerAttr(outElem, 0));
          Value absolute = arith::SelectOp::create(
              nb, nl,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, diff,
                                    zero),
              arith::SubIOp::create(nb, nl, zero, diff), diff);
          sum = arith::SubIOp::create(nb, nl, args[2], absolute);
        } else {
          Value diff = arith::SubFOp::create(nb, nl, castToF32(nb, nl, args[0]),
                                             castToF32(nb, nl, args[1]));
          sum = arith::SubFOp::create(nb, nl, args[2],
                                      math::AbsFOp::create(nb, nl, diff));
        }
        yieldValue(nb, nl, sum);
      });
  if (!isInteger)
    acc = convertF32Tensor(b, loc, acc, outElem);
  return acc;
}

namespace {

//===----------------------------------------------------------------------===//
// shift_matmul
//===----------------------------------------------------------------------===//

struct ShiftMatmulLowering : OpConversionPattern<ShiftMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ShiftMatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    rewriter.replaceOp(
        op,
        buildShiftMatmulReference(
            rewriter, op, ShiftMatmulOp::Adaptor(flattenOneToN(adaptor), op)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// bcq_matmul
//===----------------------------------------------------------------------===//

/// Sizes of a bcq_matmul: M rows, K columns in groups of `group` with
/// `bytesPerGroup` packed bytes each, q planes, N outputs.
struct BCQSizes {
  int64_t m, k, q, n, group, groups, bytesPerGroup;

  static BCQSizes get(BCQMatmulOp op) {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto planesType = cast<RankedTensorType>(op.getPlanes().getType());
    BCQSizes s;
    s.m = inputType.getDimSize(0);
    s.k = inputType.getDimSize(1);
    s.q = planesType.getDimSize(0);
    s.n = planesType.getDimSize(1);
    s.group = op.getGroupSize();
    s.groups = s.k / s.group;
    s.bytesPerGroup = s.group / 8;
    return s;
  }
};

/// `acc + (bit ? x : -x)` with x converted to f32: one step of a signed sum.
static Value addSigned(OpBuilder &b, Location loc, Value acc, Value x,
                       Value bit) {
  Value xf = castToF32(b, loc, x);
  Value term = arith::SelectOp::create(b, loc, bit, xf,
                                       arith::NegFOp::create(b, loc, xf));
  return arith::AddFOp::create(b, loc, acc, term);
}

/// True when bit `j` of the integer `word` is set (`j` of the word's type).
static Value testBit(OpBuilder &b, Location loc, Value word, Value j) {
  Value one =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(word.getType(), 1));
  Value bit = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, word, j), one);
  return arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, bit,
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(word.getType(), 0)));
}

/// `x [M,K]` viewed as `[M, K/g, g/8, 8]`: every byte's eight activations.
static Value expandActivations(OpBuilder &b, Location loc, Value x,
                               const BCQSizes &s) {
  auto type = cast<RankedTensorType>(x.getType());
  auto expanded = RankedTensorType::get({s.m, s.groups, s.bytesPerGroup, 8},
                                        type.getElementType());
  SmallVector<ReassociationIndices> reassociation = {{0}, {1, 2, 3}};
  return tensor::ExpandShapeOp::create(b, loc, expanded, x, reassociation);
}

/// `planes [q,N,K/8]` viewed as `[q, N, K/g, g/8]`.
static Value expandPlanes(OpBuilder &b, Location loc, Value planes,
                          const BCQSizes &s) {
  auto expanded = RankedTensorType::get({s.q, s.n, s.groups, s.bytesPerGroup},
                                        b.getI8Type());
  SmallVector<ReassociationIndices> reassociation = {{0}, {1}, {2, 3}};
  return tensor::ExpandShapeOp::create(b, loc, expanded, planes, reassociation);
}

/// `y[m,n] = sum_i sum_G ldexp(groupSums[m,i,n,G], e[i,n,G])` (i then G
/// ascending), converted to the result type.
static Value scaleAndSumGroups(OpBuilder &b, Location loc, BCQMatmulOp op,
                               Value groupSums, Value exponents,
                               const BCQSizes &s) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Value init =
      createFilledTensor(b, loc, {s.m, s.n}, f32, b.getF32FloatAttr(0));
  // Loops (m, n, i, G).
  Value acc = createGeneric(
      b, loc, {groupSums, exponents}, init,
      {selectDims(ctx, 4, {0, 2, 1, 3}), selectDims(ctx, 4, {2, 1, 3}),
       selectDims(ctx, 4, {0, 1})},
      "pprr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value p = arith::ExtSIOp::create(nb, nl, nb.getI32Type(), args[1]);
        Value scaled = buildLdexpF32(nb, nl, args[0], p);
        yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], scaled));
      });
  return convertF32Tensor(
      b, loc, acc,
      cast<RankedTensorType>(op.getOutput().getType()).getElementType());
}

} // namespace

Value mlir::loom::buildBCQMatmulReference(OpBuilder &b, BCQMatmulOp op,
                                          BCQMatmulOp::Adaptor adaptor) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  BCQSizes s = BCQSizes::get(op);
  Type f32 = b.getF32Type();
  Value x = expandActivations(b, loc, adaptor.getInput(), s);
  Value planes = expandPlanes(b, loc, adaptor.getPlanes(), s);

  // byteSums[m,i,n,G,c] = sum_j (bit j of planes[i,n,G,c] ? x : -x)[m,G,c,j];
  // loops (m, i, n, G, c, j).
  Value byteInit =
      createFilledTensor(b, loc, {s.m, s.q, s.n, s.groups, s.bytesPerGroup},
                         f32, b.getF32FloatAttr(0));
  Value byteSums = createGeneric(
      b, loc, {x, planes}, byteInit,
      {selectDims(ctx, 6, {0, 3, 4, 5}), selectDims(ctx, 6, {1, 2, 3, 4}),
       selectDims(ctx, 6, {0, 1, 2, 3, 4})},
      "pppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value j = arith::IndexCastOp::create(
            nb, nl, nb.getI8Type(), linalg::IndexOp::create(nb, nl, 5));
        yieldValue(
            nb, nl,
            addSigned(nb, nl, args[2], args[0], testBit(nb, nl, args[1], j)));
      });

  // groupSums[m,i,n,G] = sum_c byteSums[m,i,n,G,c]; loops (m, i, n, G, c).
  Value groupInit = createFilledTensor(b, loc, {s.m, s.q, s.n, s.groups}, f32,
                                       b.getF32FloatAttr(0));
  Value groupSums = createGeneric(
      b, loc, {byteSums}, groupInit,
      {AffineMap::getMultiDimIdentityMap(5, ctx),
       selectDims(ctx, 5, {0, 1, 2, 3})},
      "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[1], args[0]));
      });

  return scaleAndSumGroups(b, loc, op, groupSums, adaptor.getScaleExponents(),
                           s);
}

namespace {

/// The plain lowering: every byte's signed sum is recomputed from its bits.
struct BCQMatmulLowering : OpConversionPattern<BCQMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BCQMatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    rewriter.replaceOp(
        op,
        buildBCQMatmulReference(
            rewriter, op, BCQMatmulOp::Adaptor(flattenOneToN(adaptor), op)));
    return success();
  }
};

/// The lookup-table lowering: table[m,G,c,t] holds the signed sum of the
/// eight activations of byte (G,c) under the bit pattern t; each packed byte
/// of a plane is then one lookup. Same additions in the same order as the
/// plain lowering, so the same bits.
struct BCQMatmulLookupTableLowering : OpConversionPattern<BCQMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BCQMatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    BCQSizes s = BCQSizes::get(op);
    Type f32 = rewriter.getF32Type();
    Value x = expandActivations(rewriter, loc, adaptor.getInput().front(), s);
    Value planes = expandPlanes(rewriter, loc, adaptor.getPlanes().front(), s);

    // table[m,G,c,t] = sum_j (bit j of t ? x : -x)[m,G,c,j];
    // loops (m, G, c, t, j).
    Value tableInit =
        createFilledTensor(rewriter, loc, {s.m, s.groups, s.bytesPerGroup, 256},
                           f32, rewriter.getF32FloatAttr(0));
    Value table = createGeneric(
        rewriter, loc, {x}, tableInit,
        {selectDims(ctx, 5, {0, 1, 2, 4}), selectDims(ctx, 5, {0, 1, 2, 3})},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value pattern = indexAsI64(nb, nl, 3);
          Value j = indexAsI64(nb, nl, 4);
          yieldValue(
              nb, nl,
              addSigned(nb, nl, args[1], args[0], testBit(nb, nl, pattern, j)));
        });

    // groupSums[m,i,n,G] = sum_c table[m,G,c,planes[i,n,G,c]];
    // loops (m, i, n, G, c).
    Value groupInit =
        createFilledTensor(rewriter, loc, {s.m, s.q, s.n, s.groups}, f32,
                           rewriter.getF32FloatAttr(0));
    Value groupSums = createGeneric(
        rewriter, loc, {planes}, groupInit,
        {selectDims(ctx, 5, {1, 2, 3, 4}), selectDims(ctx, 5, {0, 1, 2, 3})},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value pattern =
              arith::IndexCastUIOp::create(nb, nl, nb.getIndexType(), args[0]);
          Value entry = tensor::ExtractOp::create(
              nb, nl, table,
              ValueRange{linalg::IndexOp::create(nb, nl, 0),
                         linalg::IndexOp::create(nb, nl, 3),
                         linalg::IndexOp::create(nb, nl, 4), pattern});
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[1], entry));
        });

    rewriter.replaceOp(
        op, scaleAndSumGroups(rewriter, loc, op, groupSums,
                              adaptor.getScaleExponents().front(), s));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// adder_matmul
//===----------------------------------------------------------------------===//

struct AdderMatmulLowering : OpConversionPattern<AdderMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AdderMatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    rewriter.replaceOp(
        op,
        buildAdderMatmulReference(
            rewriter, op, AdderMatmulOp::Adaptor(flattenOneToN(adaptor), op)));
    return success();
  }
};

} // namespace

void mlir::loom::populateShiftAddToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ShiftMatmulLowering, BCQMatmulLowering, AdderMatmulLowering>(
      converter, patterns.getContext());
}

void mlir::loom::populateBCQLookupTableToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BCQMatmulLookupTableLowering>(converter, patterns.getContext(),
                                             /*benefit=*/2);
}
