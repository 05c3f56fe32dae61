//===- LoomQuantOps.cpp - Quantization op verifiers and helpers -----------===//
//
// Verifiers of loom.qmatmul, loom.quantize and loom.dequantize. Shape checks
// compare static dimensions only; the reference lowering rejects dynamic shapes
// itself.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::loom;

static bool isComputeFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32();
}

//===----------------------------------------------------------------------===//
// QMatmulOp
//===----------------------------------------------------------------------===//

int64_t QMatmulOp::getReductionSize() {
  return cast<RankedTensorType>(getInput().getType()).getDimSize(1);
}

LogicalResult QMatmulOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto weightType = cast<RankedTensorType>(getWeight().getType());
  auto scalesType = cast<RankedTensorType>(getScales().getType());
  auto resultType = cast<RankedTensorType>(getOutput().getType());
  int64_t bits = getBits();
  if (bits != 4 && bits != 8)
    return emitOpError() << "bits must be 4 or 8, got " << bits;
  if (inputType.getRank() != 2)
    return emitOpError() << "input must be rank 2 [M,K], got rank "
                         << inputType.getRank();
  if (!isComputeFloat(inputType.getElementType()))
    return emitOpError() << "input element type must be f16, bf16 or f32, got "
                         << inputType.getElementType();
  if (!isComputeFloat(resultType.getElementType()))
    return emitOpError() << "result element type must be f16, bf16 or f32, got "
                         << resultType.getElementType();
  if (weightType.getRank() != 2)
    return emitOpError() << "weight must be rank 2, got rank "
                         << weightType.getRank();
  if (!weightType.getElementType().isSignlessInteger(8))
    return emitOpError() << "weight must have i8 elements (int8 or two packed "
                            "int4), got "
                         << weightType.getElementType();
  int64_t k = inputType.getDimSize(1);
  if (ShapedType::isDynamic(k))
    return emitOpError() << "input K must be static";
  int64_t n = weightType.getDimSize(0);
  if (bits == 4) {
    if (k % 2 != 0)
      return emitOpError() << "K = " << k
                           << " must be even for int4 (two values per byte)";
    SmallVector<int64_t> expected = {n, k / 2};
    if (!shapesCompatible(weightType.getShape(), expected))
      return emitOpError() << "int4 weight must be [N,K/2] = "
                           << formatShape(expected)
                           << " (two int4 per byte), got "
                           << formatShape(weightType.getShape());
  } else {
    SmallVector<int64_t> expected = {n, k};
    if (!shapesCompatible(weightType.getShape(), expected))
      return emitOpError() << "int8 weight must be [N,K] = "
                           << formatShape(expected) << ", got "
                           << formatShape(weightType.getShape());
  }

  SmallVector<int64_t> scalesShape = {n};
  if (std::optional<int64_t> g = getGroupSize()) {
    if (*g <= 0)
      return emitOpError() << "group_size must be positive, got " << *g;
    if (k % *g != 0)
      return emitOpError() << "group_size " << *g
                           << " does not divide K = " << k;
    scalesShape.push_back(k / *g);
  }
  if (!shapesCompatible(scalesType.getShape(), scalesShape))
    return emitOpError() << "scales must be "
                         << (getGroupSize() ? "[N,K/group_size] = "
                                            : "[N] (per channel) = ")
                         << formatShape(scalesShape) << ", got "
                         << formatShape(scalesType.getShape());
  if (!isComputeFloat(scalesType.getElementType()))
    return emitOpError() << "scales must have f16, bf16 or f32 elements, got "
                         << scalesType.getElementType();
  if (Value zp = getZeroPoints()) {
    auto zpType = cast<RankedTensorType>(zp.getType());
    if (!shapesCompatible(zpType.getShape(), scalesType.getShape()))
      return emitOpError() << "zero_points shape "
                           << formatShape(zpType.getShape())
                           << " must match scales shape "
                           << formatShape(scalesType.getShape());
    if (!zpType.getElementType().isSignlessInteger(8))
      return emitOpError() << "zero_points must have i8 elements, got "
                           << zpType.getElementType();
    DenseIntElementsAttr values;
    int64_t lo = -(int64_t(1) << (bits - 1)),
            hi = (int64_t(1) << (bits - 1)) - 1;
    if (matchPattern(zp, m_Constant(&values)))
      for (APInt v : values.getValues<APInt>())
        if (v.getSExtValue() < lo || v.getSExtValue() > hi)
          return emitOpError() << "constant zero point " << v.getSExtValue()
                               << " is outside the int" << bits << " range ["
                               << lo << ", " << hi << "]";
  }
  SmallVector<int64_t> resultShape = {inputType.getDimSize(0), n};
  if (!shapesCompatible(resultType.getShape(), resultShape))
    return emitOpError() << "result must be [M,N] = "
                         << formatShape(resultShape) << ", got "
                         << formatShape(resultType.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

/// Checks the scale and zero point shapes of an activation (de)quantization
/// of `floatType` (the float side).
static LogicalResult verifyActivationQuant(Operation *op,
                                           RankedTensorType floatType,
                                           RankedTensorType intType,
                                           Value scale, Value zeroPoint,
                                           QuantGranularity granularity) {
  if (floatType.getRank() < 1)
    return op->emitOpError() << "needs a tensor of rank >= 1 (the last "
                                "dimension holds the channels)";
  if (!shapesCompatible(intType.getShape(), floatType.getShape()))
    return op->emitOpError()
           << "result shape "
           << formatShape(
                  cast<RankedTensorType>(op->getResult(0).getType()).getShape())
           << " must match input shape "
           << formatShape(cast<RankedTensorType>(op->getOperand(0).getType())
                              .getShape());
  if (!intType.getElementType().isSignlessInteger(8))
    return op->emitOpError() << "quantized values must be i8 (int8), got "
                             << intType.getElementType();
  if (!isComputeFloat(floatType.getElementType()))
    return op->emitOpError() << "float values must be f16, bf16 or f32, got "
                             << floatType.getElementType();

  auto scaleType = cast<RankedTensorType>(scale.getType());
  SmallVector<int64_t> expected =
      granularity == QuantGranularity::per_tensor
          ? SmallVector<int64_t>{1}
          : SmallVector<int64_t>(floatType.getShape().drop_back());
  if (!shapesCompatible(scaleType.getShape(), expected))
    return op->emitOpError() << stringifyQuantGranularity(granularity)
                             << " scale must be " << formatShape(expected)
                             << ", got " << formatShape(scaleType.getShape());
  if (!scaleType.getElementType().isF32())
    return op->emitOpError() << "scale must have f32 elements, got "
                             << scaleType.getElementType();
  if (zeroPoint) {
    auto zpType = cast<RankedTensorType>(zeroPoint.getType());
    if (!shapesCompatible(zpType.getShape(), scaleType.getShape()))
      return op->emitOpError()
             << "zero_point shape " << formatShape(zpType.getShape())
             << " must match scale shape " << formatShape(scaleType.getShape());
    if (!zpType.getElementType().isSignlessInteger(8))
      return op->emitOpError() << "zero_point must have i8 elements, got "
                               << zpType.getElementType();
  }
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyActivationQuant(*this,
                               cast<RankedTensorType>(getInput().getType()),
                               cast<RankedTensorType>(getOutput().getType()),
                               getScale(), getZeroPoint(), getGranularity());
}

LogicalResult DequantizeOp::verify() {
  return verifyActivationQuant(*this,
                               cast<RankedTensorType>(getOutput().getType()),
                               cast<RankedTensorType>(getInput().getType()),
                               getScale(), getZeroPoint(), getGranularity());
}
