//===- LoomTensorOps.cpp - Verifiers of the tensor utility ops
//-------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

using namespace mlir;
using namespace mlir::loom;

int64_t TopKOp::getNormalizedAxis() {
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  int64_t axis = getAxis();
  return axis < 0 ? axis + rank : axis;
}

LogicalResult TopKOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto valType = cast<RankedTensorType>(getValues().getType());
  auto idxType = cast<RankedTensorType>(getIndices().getType());
  Type et = inType.getElementType();
  if (!isa<FloatType>(et) && (!et.isSignlessInteger() || et.isInteger(1)))
    return emitOpError() << "input element type must be a float or a signless "
                            "integer wider than i1, got "
                         << et;
  int64_t rank = inType.getRank();
  if (rank < 1)
    return emitOpError() << "input must have rank >= 1";
  int64_t axis = getAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  axis = getNormalizedAxis();
  int64_t k = getK(), size = inType.getDimSize(axis);
  if (k < 1 || (!ShapedType::isDynamic(size) && k > size))
    return emitOpError() << "k = " << k << " must be in [1, " << size
                         << "] (the size of axis " << axis << ")";
  SmallVector<int64_t> want(inType.getShape());
  want[axis] = k;
  if (valType.getElementType() != et ||
      !shapesCompatible(valType.getShape(), want))
    return emitOpError() << "values must be " << formatShape(want) << " of "
                         << et << ", got " << valType;
  if (!idxType.getElementType().isSignlessInteger(64) ||
      !shapesCompatible(idxType.getShape(), want))
    return emitOpError() << "indices must be " << formatShape(want)
                         << " of i64, got " << idxType;
  return success();
}
