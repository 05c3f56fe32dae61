//===- LoomLayerOps.cpp - Verifiers of the layer building-block ops -------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

LogicalResult RoPEOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto outType = cast<RankedTensorType>(getOutput().getType());
  Type et = inType.getElementType();
  if (!isa<FloatType>(et))
    return emitOpError() << "input element type must be a float, got " << et;
  int64_t rank = inType.getRank();
  if (rank < 1)
    return emitOpError() << "input must have rank >= 1";
  if (outType != inType)
    return emitOpError() << "result type " << outType
                         << " must equal the input type " << inType;
  int64_t d = inType.getShape().back();
  for (auto [name, table] : {std::pair<StringRef, Value>{"cos", getCos()},
                             std::pair<StringRef, Value>{"sin", getSin()}}) {
    auto type = cast<RankedTensorType>(table.getType());
    if (type.getElementType() != et)
      return emitOpError() << name << " element type " << type.getElementType()
                           << " must match the input's (" << et << ")";
    if (type.getRank() != rank)
      return emitOpError() << name << " must have the input's rank (" << rank
                           << "), got " << formatShape(type.getShape());
    for (int64_t i = 0; i + 1 < rank; ++i) {
      int64_t size = type.getDimSize(i);
      if (size != 1 && !dimsCompatible(size, inType.getDimSize(i)))
        return emitOpError() << name << " dimension " << i << " is " << size
                             << ", expected 1 or " << inType.getDimSize(i);
    }
    int64_t r = type.getShape().back();
    if (ShapedType::isDynamic(r))
      return emitOpError() << name << " must have a static last dimension "
                           << "(the number of rotated channels)";
    if (r < 2 || r % 2 != 0 || (!ShapedType::isDynamic(d) && r > d))
      return emitOpError() << name << " last dimension (rotated channels) is "
                           << r << ", expected an even number in [2, " << d
                           << "]";
  }
  if (getCos().getType() != getSin().getType())
    return emitOpError() << "cos and sin must have the same type, got "
                         << getCos().getType() << " and " << getSin().getType();
  return success();
}

LogicalResult RMSNormOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto outType = cast<RankedTensorType>(getOutput().getType());
  Type et = inType.getElementType();
  if (!isa<FloatType>(et))
    return emitOpError() << "input element type must be a float, got " << et;
  if (inType.getRank() < 1)
    return emitOpError() << "input must have rank >= 1";
  if (outType != inType)
    return emitOpError() << "result type " << outType
                         << " must equal the input type " << inType;
  if (Value weight = getWeight()) {
    auto wType = cast<RankedTensorType>(weight.getType());
    if (wType.getElementType() != et)
      return emitOpError() << "weight element type " << wType.getElementType()
                           << " must match the input's (" << et << ")";
    int64_t n = inType.getShape().back();
    if (wType.getRank() != 1 || !dimsCompatible(wType.getDimSize(0), n))
      return emitOpError() << "weight must be [" << n << "] (the last input "
                           << "dimension), got "
                           << formatShape(wType.getShape());
  }
  double eps = getEpsilon().convertToDouble();
  if (!std::isfinite(eps) || eps < 0)
    return emitOpError() << "epsilon must be finite and non-negative, got "
                         << eps;
  return success();
}
