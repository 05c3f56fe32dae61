//===- ConvertLoomToLinalg.cpp - The reference lowering pass --------------===//
//
// A thin shell: sets up the kv_cache type conversion (function signatures,
// calls, returns and scf structure follow it) and gathers every family's
// patterns.
//
//===----------------------------------------------------------------------===//

#include "KVCacheLowering.h"
#include "KVCacheParts.h"
#include "ShiftAddLowering.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/Conversion/Passes.h"
#include "loom/IR/LoomDialect.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMTOLINALG
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

void mlir::loom::getKVCachePartTypes(KVCacheType type,
                                     SmallVectorImpl<Type> &types) {
  MLIRContext *ctx = type.getContext();
  Type i64 = IntegerType::get(ctx, 64);
  int64_t b = type.getBatch(), h = type.getHeads(), c = type.getCapacity(),
          d = type.getHeadDim(), dv = type.getValueDim();
  Type element = type.getElementType();
  if (!type.isQuantized()) {
    types.push_back(RankedTensorType::get(type.getKeyShape(), element));
    types.push_back(RankedTensorType::get(type.getValueShape(), element));
  } else {
    Type i8 = IntegerType::get(ctx, 8);
    int64_t perByte = type.getCodesPerByte();
    types.push_back(RankedTensorType::get({b, h, c, d / perByte}, i8));
    types.push_back(RankedTensorType::get({b, h, c, dv / perByte}, i8));
  }
  types.push_back(RankedTensorType::get({b, h, c}, i64));
  types.push_back(RankedTensorType::get({b}, i64));
  types.push_back(RankedTensorType::get({b}, i64));
  if (!type.isQuantized())
    return;
  Type f32 = Float32Type::get(ctx);
  int64_t g = type.getQuantGroup(), r = type.getResidualCapacity();
  types.append(2, RankedTensorType::get({b, h, c / g, d}, f32));
  types.append(2, RankedTensorType::get({b, h, c, dv / g}, f32));
  types.push_back(RankedTensorType::get({b, h, r, d}, element));
  types.push_back(RankedTensorType::get({b, h, r, dv}, element));
}

void mlir::loom::getKVCachePartNames(KVCacheType type,
                                     SmallVectorImpl<StringRef> &names) {
  names.append({"keys", "values", "positions", "length", "next"});
  if (type.isQuantized())
    names.append({"key_scales", "key_zeros", "value_scales", "value_zeros",
                  "residual_keys", "residual_values"});
}

void mlir::loom::populateLoomToLinalgTypeConversions(TypeConverter &converter) {
  converter.addConversion([](Type type) { return type; });
  converter.addConversion(
      [](KVCacheType type, SmallVectorImpl<Type> &results) -> LogicalResult {
        getKVCachePartTypes(type, results);
        return success();
      });
}

namespace {
struct ConvertLoomToLinalgPass
    : loom::impl::ConvertLoomToLinalgBase<ConvertLoomToLinalgPass> {
  using ConvertLoomToLinalgBase::ConvertLoomToLinalgBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    TypeConverter converter;
    populateLoomToLinalgTypeConversions(converter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<LoomDialect>();
    target.addLegalDialect<
        arith::ArithDialect, bufferization::BufferizationDialect,
        linalg::LinalgDialect, math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });

    RewritePatternSet patterns(ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);
    populateAttentionToLinalgPatterns(converter, patterns);
    populateAttentionVariantsToLinalgPatterns(converter, patterns);
    populateAngularAttentionToLinalgPatterns(converter, patterns);
    populateBlockSparseAttentionToLinalgPatterns(converter, patterns);
    populateKVCacheToLinalgPatterns(converter, patterns);
    populateKVCacheResizeToLinalgPatterns(converter, patterns);
    populateLayerOpsToLinalgPatterns(converter, patterns);
    populateMoEToLinalgPatterns(converter, patterns);
    populateQuantToLinalgPatterns(converter, patterns);
    populateShiftAddToLinalgPatterns(converter, patterns);
    if (bcqLut)
      populateBCQLookupTableToLinalgPatterns(converter, patterns);
    populateTensorOpsToLinalgPatterns(converter, patterns);
    populateTokenToLinalgPatterns(converter, patterns);

    if (failed(
            applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
