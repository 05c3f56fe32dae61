//===- CostModel.cpp - Shared helpers of the LoomCostInterface models -----===//
//
// Storage sizes, weight-constant detection and the operand traffic that
// every cost model starts from. See docs/Report.md for the conventions.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/CostModel.h"

#include "loom/IR/LoomTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::loom;

std::optional<int64_t> mlir::loom::getElementStorageBits(Type type) {
  if (isa<IndexType>(type))
    return 64;
  if (!type.isIntOrFloat())
    return std::nullopt;
  unsigned width = type.getIntOrFloatBitWidth();
  // i1 tensors are stored a byte per element by every lowering.
  return width == 1 ? 8 : width;
}

std::optional<int64_t> mlir::loom::getStorageBytes(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    if (!tensor.hasStaticShape())
      return std::nullopt;
    std::optional<int64_t> bits =
        getElementStorageBits(tensor.getElementType());
    if (!bits)
      return std::nullopt;
    return (tensor.getNumElements() * *bits + 7) / 8;
  }
  if (auto cache = dyn_cast<KVCacheType>(type)) {
    if (ShapedType::isDynamic(cache.getBatch()) ||
        ShapedType::isDynamic(cache.getCapacity()))
      return std::nullopt;
    std::optional<int64_t> bits = getElementStorageBits(cache.getElementType());
    if (!bits)
      return std::nullopt;
    int64_t channels = cache.getHeadDim() + cache.getValueDim();
    int64_t perToken = cache.getBatch() * cache.getHeads() * channels;
    if (!cache.isQuantized())
      return (perToken * cache.getCapacity() * *bits + 7) / 8;
    // KIVI storage (KVCacheParts.h): packed codes, f32 scales and zero points
    // of the key groups [B,H,C/g,D] and value groups [B,H,C,Dv/g], and the
    // full-precision residual window [B,H,R,D+Dv].
    int64_t capacity = cache.getCapacity(), group = cache.getQuantGroup();
    int64_t codes = perToken * capacity * cache.getQuantBits() / 8;
    int64_t scales = 2 * 4 * perToken * capacity / group;
    int64_t residual = (perToken * cache.getResidualCapacity() * *bits + 7) / 8;
    return codes + scales + residual;
  }
  if (std::optional<int64_t> bits = getElementStorageBits(type))
    return (*bits + 7) / 8;
  return std::nullopt;
}

Value mlir::loom::getWeightConstant(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (isa<arith::ConstantOp>(def)) {
      // A single integer (a gather index, an offset) is an argument of the
      // op, not a weight.
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || (type.getNumElements() == 1 &&
                    isa<IntegerType, IndexType>(type.getElementType())))
        return Value();
      return value;
    }
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
      value = expand.getSrc();
    } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
      value = collapse.getSrc();
    } else if (auto reshape = dyn_cast<tensor::ReshapeOp>(def)) {
      value = reshape.getSource();
    } else if (auto cast = dyn_cast<tensor::CastOp>(def)) {
      value = cast.getSource();
    } else if (auto transpose = dyn_cast<linalg::TransposeOp>(def)) {
      value = transpose.getInput();
    } else {
      return Value();
    }
  }
  return Value();
}

FailureOr<OpCost> mlir::loom::getOperandTrafficCost(Operation *op) {
  OpCost cost;
  for (Value operand : op->getOperands()) {
    std::optional<int64_t> bytes = getStorageBytes(operand.getType());
    if (!bytes)
      return failure();
    cost.bytesMoved += *bytes;
    if (Value weight = getWeightConstant(operand)) {
      auto type = cast<RankedTensorType>(weight.getType());
      cost.parameters += type.getNumElements();
      cost.weightBytes += *getStorageBytes(type);
    }
  }
  for (Type type : op->getResultTypes()) {
    std::optional<int64_t> bytes = getStorageBytes(type);
    if (!bytes)
      return failure();
    cost.bytesMoved += *bytes;
  }
  return cost;
}
