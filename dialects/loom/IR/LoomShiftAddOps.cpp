//===- LoomShiftAddOps.cpp - Shift-add op verifiers and helpers -----------===//
//
// Verifiers of loom.shift_matmul, loom.bcq_matmul and loom.adder_matmul. Shape
// checks compare static dimensions only; the reference lowering rejects dynamic
// shapes itself.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::loom;

/// The float types the shift-add ops compute on (exactly representable in f32).
static bool isSmallFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32();
}

/// Checks `[M,K]` input, `[N,K]`-like weights and the `[M,N]` result shape.
static LogicalResult checkMatmulShapes(Operation *op, RankedTensorType input,
                                       StringRef weightName,
                                       RankedTensorType weight,
                                       RankedTensorType result) {
  if (input.getRank() != 2)
    return op->emitOpError()
           << "input must be rank 2 [M,K], got rank " << input.getRank();
  if (weight.getRank() != 2)
    return op->emitOpError() << weightName << " must be rank 2 [N,K], got rank "
                             << weight.getRank();
  if (!dimsCompatible(weight.getDimSize(1), input.getDimSize(1)))
    return op->emitOpError()
           << weightName << " has K = " << weight.getDimSize(1)
           << " but the input has K = " << input.getDimSize(1);
  SmallVector<int64_t> expected = {input.getDimSize(0), weight.getDimSize(0)};
  if (!shapesCompatible(result.getShape(), expected))
    return op->emitOpError()
           << "result must be [M,N] = " << formatShape(expected) << ", got "
           << formatShape(result.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// ShiftMatmulOp
//===----------------------------------------------------------------------===//

int64_t ShiftMatmulOp::getFracShift() {
  int64_t frac = getFracBits().value_or(0);
  return getResultFracBits().value_or(frac) - frac;
}

LogicalResult ShiftMatmulOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto signType = cast<RankedTensorType>(getSign().getType());
  auto expType = cast<RankedTensorType>(getExponent().getType());
  auto resultType = cast<RankedTensorType>(getOutput().getType());
  if (failed(checkMatmulShapes(*this, inputType, "sign", signType, resultType)))
    return failure();
  if (!shapesCompatible(expType.getShape(), signType.getShape()))
    return emitOpError() << "exponent shape " << formatShape(expType.getShape())
                         << " must match sign shape "
                         << formatShape(signType.getShape());
  if (!signType.getElementType().isSignlessInteger(8))
    return emitOpError() << "sign must have i8 elements, got "
                         << signType.getElementType();
  if (!expType.getElementType().isSignlessInteger(8))
    return emitOpError() << "exponent must have i8 elements, got "
                         << expType.getElementType();

  int64_t lo = getMinExponent(), hi = getMaxExponent();
  if (lo > hi)
    return emitOpError() << "min_exponent " << lo << " exceeds max_exponent "
                         << hi;
  if (lo < -128 || hi > 127)
    return emitOpError() << "exponent range [" << lo << ", " << hi
                         << "] does not fit i8";

  Type inElem = inputType.getElementType();
  Type outElem = resultType.getElementType();
  if (inElem.isSignlessInteger()) {
    unsigned width = inElem.getIntOrFloatBitWidth();
    if (!outElem.isSignlessInteger())
      return emitOpError() << "result element type must be a signless integer "
                              "for integer input, got "
                           << outElem;
    unsigned resultWidth = outElem.getIntOrFloatBitWidth();
    if (resultWidth < width)
      return emitOpError() << "result width " << resultWidth
                           << " is narrower than the input width " << width;
    int64_t frac = getFracBits().value_or(0);
    int64_t resultFrac = getResultFracBits().value_or(frac);
    if (frac < 0 || frac >= static_cast<int64_t>(width))
      return emitOpError() << "frac_bits must be in [0, " << width << "), got "
                           << frac;
    if (resultFrac < 0 || resultFrac >= static_cast<int64_t>(resultWidth))
      return emitOpError() << "result_frac_bits must be in [0, " << resultWidth
                           << "), got " << resultFrac;
    int64_t shiftLo = lo + resultFrac - frac, shiftHi = hi + resultFrac - frac;
    if (shiftLo <= -static_cast<int64_t>(resultWidth) ||
        shiftHi >= static_cast<int64_t>(resultWidth))
      return emitOpError() << "shift range [" << shiftLo << ", " << shiftHi
                           << "] exceeds the result width " << resultWidth;
  } else if (isSmallFloat(inElem)) {
    if (!isSmallFloat(outElem))
      return emitOpError() << "result element type must be f16, bf16 or f32 "
                              "for float input, got "
                           << outElem;
    if (getFracBits() || getResultFracBits())
      return emitOpError()
             << "frac_bits and result_frac_bits apply only to integer input";
  } else {
    return emitOpError() << "input element type must be a signless integer, "
                            "f16, bf16 or f32, got "
                         << inElem;
  }

  // Constant weights are checked value by value.
  DenseIntElementsAttr values;
  if (matchPattern(getExponent(), m_Constant(&values)))
    for (APInt v : values.getValues<APInt>())
      if (v.getSExtValue() < lo || v.getSExtValue() > hi)
        return emitOpError() << "constant exponent " << v.getSExtValue()
                             << " is outside [" << lo << ", " << hi << "]";
  if (matchPattern(getSign(), m_Constant(&values)))
    for (APInt v : values.getValues<APInt>())
      if (v.getSExtValue() < -1 || v.getSExtValue() > 1)
        return emitOpError()
               << "constant sign " << v.getSExtValue() << " is not -1, 0 or +1";
  return success();
}

//===----------------------------------------------------------------------===//
// BCQMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult BCQMatmulOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto planesType = cast<RankedTensorType>(getPlanes().getType());
  auto expType = cast<RankedTensorType>(getScaleExponents().getType());
  auto resultType = cast<RankedTensorType>(getOutput().getType());
  if (inputType.getRank() != 2)
    return emitOpError() << "input must be rank 2 [M,K], got rank "
                         << inputType.getRank();
  if (!isSmallFloat(inputType.getElementType()))
    return emitOpError() << "input element type must be f16, bf16 or f32, got "
                         << inputType.getElementType();
  if (!isSmallFloat(resultType.getElementType()))
    return emitOpError() << "result element type must be f16, bf16 or f32, got "
                         << resultType.getElementType();
  if (planesType.getRank() != 3)
    return emitOpError() << "planes must be rank 3 [q,N,K/8], got rank "
                         << planesType.getRank();
  if (!planesType.getElementType().isSignlessInteger(8))
    return emitOpError() << "planes must have i8 elements (8 packed bits), got "
                         << planesType.getElementType();
  if (!expType.getElementType().isSignlessInteger(8))
    return emitOpError() << "scale_exponents must have i8 elements, got "
                         << expType.getElementType();
  if (planesType.getDimSize(0) == 0)
    return emitOpError() << "needs at least one binary plane";

  int64_t g = getGroupSize();
  if (g <= 0 || g % 8 != 0)
    return emitOpError() << "group_size must be a positive multiple of 8, got "
                         << g;
  int64_t k = inputType.getDimSize(1);
  if (ShapedType::isDynamic(k))
    return emitOpError() << "input K must be static";
  if (k % g != 0)
    return emitOpError() << "group_size " << g << " does not divide K = " << k;

  int64_t q = planesType.getDimSize(0), n = planesType.getDimSize(1);
  SmallVector<int64_t> planesShape = {q, n, k / 8};
  if (!shapesCompatible(planesType.getShape(), planesShape))
    return emitOpError() << "planes must be [q,N,K/8] = "
                         << formatShape(planesShape)
                         << " (8 bits per byte), got "
                         << formatShape(planesType.getShape());
  SmallVector<int64_t> expShape = {q, n, k / g};
  if (!shapesCompatible(expType.getShape(), expShape))
    return emitOpError() << "scale_exponents must be [q,N,K/g] = "
                         << formatShape(expShape) << ", got "
                         << formatShape(expType.getShape());
  SmallVector<int64_t> resultShape = {inputType.getDimSize(0), n};
  if (!shapesCompatible(resultType.getShape(), resultShape))
    return emitOpError() << "result must be [M,N] = "
                         << formatShape(resultShape) << ", got "
                         << formatShape(resultType.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// AdderMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult AdderMatmulOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto weightType = cast<RankedTensorType>(getWeight().getType());
  auto resultType = cast<RankedTensorType>(getOutput().getType());
  if (failed(checkMatmulShapes(*this, inputType, "weight", weightType,
                               resultType)))
    return failure();
  Type inElem = inputType.getElementType();
  Type outElem = resultType.getElementType();
  if (weightType.getElementType() != inElem)
    return emitOpError() << "weight element type "
                         << weightType.getElementType()
                         << " does not match input element type " << inElem;
  if (isSmallFloat(inElem)) {
    if (!isSmallFloat(outElem))
      return emitOpError() << "result element type must be f16, bf16 or f32 "
                              "for float input, got "
                           << outElem;
    return success();
  }
  if (!inElem.isSignlessInteger())
    return emitOpError() << "input element type must be a signless integer, "
                            "f16, bf16 or f32, got "
                         << inElem;
  if (!outElem.isSignlessInteger())
    return emitOpError() << "result element type must be a signless integer "
                            "for integer input, got "
                         << outElem;
  if (outElem.getIntOrFloatBitWidth() < inElem.getIntOrFloatBitWidth())
    return emitOpError() << "result width " << outElem.getIntOrFloatBitWidth()
                         << " is narrower than the input width "
                         << inElem.getIntOrFloatBitWidth();
  return success();
}
