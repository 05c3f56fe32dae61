//===- LinalgCostModels.cpp - LoomCostInterface on upstream linalg ops ----===//
//
// One model serves every structured linalg op it is attached to
// (linalg.generic, linalg.reduce, linalg.matmul, linalg.batch_matmul and the
// linalg.conv_2d* ops): FLOPs are the payload's arithmetic ops times the
// iterations of the loop nest, so a matmul's mulf + addf body gives
// 2 * M * N * K and an elementwise generic one op per body op and element.
//
// Bytes moved: every input and result, and an init only when the payload
// reads it (a matmul's accumulator, not an elementwise op's tensor.empty).
// Constants the payload reads from above (a gather's table through
// tensor.extract) are weights as if they were operands.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/CostModel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::loom;

/// True for a payload op that is arithmetic: not the terminator, an index or
/// constant, a read of a captured tensor, or a type conversion.
static bool isArithmeticPayloadOp(Operation *op) {
  return !isa<linalg::YieldOp, linalg::IndexOp, arith::ConstantOp,
              tensor::ExtractOp, CastOpInterface>(op);
}

/// Adds the bytes of `value` (a tensor operand or a captured tensor) to
/// `cost`, and its parameters when it is a weight constant.
static LogicalResult addOperand(Value value, OpCost &cost) {
  std::optional<int64_t> bytes = getStorageBytes(value.getType());
  if (!bytes)
    return failure();
  cost.bytesMoved += *bytes;
  if (Value weight = getWeightConstant(value)) {
    cost.parameters +=
        cast<RankedTensorType>(weight.getType()).getNumElements();
    cost.weightBytes += *getStorageBytes(weight.getType());
  }
  return success();
}

namespace {
template <typename OpTy>
struct LinalgCostModel
    : public LoomCostInterface::ExternalModel<LinalgCostModel<OpTy>, OpTy> {
  FailureOr<OpCost> getCost(Operation *op) const {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    if (!linalgOp.hasPureTensorSemantics())
      return failure();
    OpCost cost;
    for (OpOperand *input : linalgOp.getDpsInputOperands())
      if (failed(addOperand(input->get(), cost)))
        return failure();
    for (OpOperand &init : linalgOp.getDpsInitsMutable())
      if (linalgOp.payloadUsesValueFromOperand(&init) &&
          failed(addOperand(init.get(), cost)))
        return failure();
    for (Type type : op->getResultTypes()) {
      std::optional<int64_t> bytes = getStorageBytes(type);
      if (!bytes)
        return failure();
      cost.bytesMoved += *bytes;
    }
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    for (Value value : captured)
      if (isa<RankedTensorType>(value.getType()) && getWeightConstant(value) &&
          failed(addOperand(value, cost)))
        return failure();

    int64_t iterations = 1;
    for (int64_t range : linalgOp.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range))
        return failure();
      iterations *= range;
    }
    int64_t payloadOps = 0;
    linalgOp.getBlock()->walk([&](Operation *payloadOp) {
      if (isArithmeticPayloadOp(payloadOp))
        ++payloadOps;
    });
    cost.flops = iterations * payloadOps;
    if (linalg::isaContractionOpInterface(linalgOp))
      cost.matmulFlops = cost.flops;
    return cost;
  }
};

template <typename... OpTys> void attachLinalgCostModels(MLIRContext *ctx) {
  (OpTys::template attachInterface<LinalgCostModel<OpTys>>(*ctx), ...);
}
} // namespace

void mlir::loom::registerLinalgCostModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    attachLinalgCostModels<
        linalg::GenericOp, linalg::ReduceOp, linalg::MatmulOp,
        linalg::BatchMatmulOp, linalg::Conv2DOp, linalg::Conv2DNchwFchwOp,
        linalg::Conv2DNchwFchwQOp, linalg::Conv2DNgchwFgchwOp,
        linalg::Conv2DNgchwGfchwOp, linalg::Conv2DNgchwGfchwQOp,
        linalg::Conv2DNhwcFhwcOp, linalg::Conv2DNhwcFhwcQOp,
        linalg::Conv2DNhwcHwcfOp, linalg::Conv2DNhwcHwcfQOp,
        linalg::Conv2DNhwgcGfhwcOp, linalg::Conv2DNhwgcGfhwcQOp>(ctx);
  });
}

void mlir::loom::registerLoomCostModels(DialectRegistry &registry) {
  registerLoomOpCostModels(registry);
  registerLinalgCostModels(registry);
}
