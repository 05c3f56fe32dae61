//===- AggregatedOpInterfaceImpl.cpp - Decomposition of loom ops ----------===//
//
// Implements linalg's AggregatedOpInterface on the loom compute ops that
// implement TilingInterface: decomposeOperation is the reference lowering
// (the same builder functions as convert-loom-to-linalg, ComputeOpLowering.h),
// so `transform.structured.decompose_interface` turns a (tiled) loom op into
// linalg/tensor/arith ops. The models live here rather than in the dialect
// because the lowering depends on linalg and the dialect must not depend on
// its conversions; tools register them with
// registerLoomDecompositionInterfaces.
//
// Preconditions: static shapes, and attention on tensor keys and values (a
// `!loom.kv_cache` operand only exists as one value before the type conversion
// of convert-loom-to-linalg splits it). Otherwise decomposition fails with an
// error on the op.
//
//===----------------------------------------------------------------------===//

#include "ComputeOpLowering.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomDialect.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Checks the preconditions shared by every decomposition.
static LogicalResult checkDecomposable(Operation *op) {
  if (!hasStaticShapes(op))
    return op->emitOpError(
        "cannot be decomposed: the reference lowering needs static shapes");
  return success();
}

template <typename OpTy,
          Value (*build)(OpBuilder &, OpTy, typename OpTy::Adaptor)>
struct SingleResultDecomposition
    : linalg::AggregatedOpInterface::ExternalModel<
          SingleResultDecomposition<OpTy, build>, OpTy> {
  FailureOr<SmallVector<Value>> decomposeOperation(Operation *op,
                                                   OpBuilder &b) const {
    if (failed(checkDecomposable(op)))
      return failure();
    auto concrete = cast<OpTy>(op);
    return SmallVector<Value>{build(
        b, concrete, typename OpTy::Adaptor(op->getOperands(), concrete))};
  }
};

struct AttentionDecomposition
    : linalg::AggregatedOpInterface::ExternalModel<AttentionDecomposition,
                                                   AttentionOp> {
  FailureOr<SmallVector<Value>> decomposeOperation(Operation *op,
                                                   OpBuilder &b) const {
    auto attention = cast<AttentionOp>(op);
    if (attention.readsCache())
      return op->emitOpError(
          "cannot be decomposed: reads a KV cache; use "
          "convert-loom-to-linalg, which splits the cache into tensors");
    if (failed(checkDecomposable(op)))
      return failure();
    AttentionSources src;
    src.keys = attention.getKey();
    src.values = attention.getValue();
    return buildAttentionReference(b, attention, attention.getQuery(), src,
                                   attention.getMask());
  }
};

} // namespace

void mlir::loom::registerLoomDecompositionInterfaces(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, LoomDialect *) {
    QMatmulOp::attachInterface<
        SingleResultDecomposition<QMatmulOp, buildQMatmulReference>>(*ctx);
    BCQMatmulOp::attachInterface<
        SingleResultDecomposition<BCQMatmulOp, buildBCQMatmulReference>>(*ctx);
    ShiftMatmulOp::attachInterface<
        SingleResultDecomposition<ShiftMatmulOp, buildShiftMatmulReference>>(
        *ctx);
    AdderMatmulOp::attachInterface<
        SingleResultDecomposition<AdderMatmulOp, buildAdderMatmulReference>>(
        *ctx);
    RMSNormOp::attachInterface<
        SingleResultDecomposition<RMSNormOp, buildRMSNormReference>>(*ctx);
    RoPEOp::attachInterface<
        SingleResultDecomposition<RoPEOp, buildRoPEReference>>(*ctx);
    AttentionOp::attachInterface<AttentionDecomposition>(*ctx);
    // The decompositions create these; load them so that a transform script
    // can run decompose_interface without naming them.
    ctx->loadDialect<linalg::LinalgDialect, math::MathDialect>();
  });
}
