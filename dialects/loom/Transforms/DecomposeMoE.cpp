//===- DecomposeMoE.cpp - loom-decompose-moe ------------------------------===//
//
// Splits `loom.moe.ffn` into the router matmul and the four MoE steps (route,
// dispatch, experts, combine). The reference lowering uses the same builder,
// so the layer's meaning is exactly the composition of its steps.
// Precondition: verifier-valid ops; dynamic shapes are left alone.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#define DEBUG_TYPE "loom-decompose-moe"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMDECOMPOSEMOE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

SmallVector<Value>
mlir::loom::buildMoEFFNDecomposition(OpBuilder &b, MoEFFNOp op, Value input,
                                     Value routerWeight, Value w1, Value w2,
                                     Value w3, Value constants,
                                     ValueRange scales, ValueRange zeroPoints) {
  Location loc = op.getLoc();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto routerType = cast<RankedTensorType>(routerWeight.getType());
  int64_t tokens = inputType.getDimSize(0), hidden = inputType.getDimSize(1);
  int64_t numExperts = routerType.getDimSize(1);
  int64_t slots = op.getNumSlots();
  Type f32 = b.getF32Type(), i64 = b.getI64Type();

  // Router logits in f32 whatever the input precision (linalg.matmul extends
  // its inputs to the accumulator type).
  auto logitsType = RankedTensorType::get({tokens, numExperts}, f32);
  Value empty = tensor::EmptyOp::create(b, loc, logitsType.getShape(), f32);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  Value logits = linalg::MatmulOp::create(b, loc, TypeRange{logitsType},
                                          ValueRange{input, routerWeight},
                                          ValueRange{init})
                     .getResult(0);

  auto route = MoERouteOp::create(
      b, loc, RankedTensorType::get({tokens, slots}, f32),
      RankedTensorType::get({tokens, slots}, i64),
      RankedTensorType::get({}, i64), logits, op.getModeAttr(), op.getKAttr(),
      op.getTopPAttr(), op.getKMaxAttr(), op.getRenormalizeAttr(),
      op.getCapacityFactorAttr());

  int64_t numRows = tokens * slots;
  auto dispatch = MoEDispatchOp::create(
      b, loc,
      TypeRange{
          RankedTensorType::get({numRows, hidden}, inputType.getElementType()),
          RankedTensorType::get({numRows}, i64),
          RankedTensorType::get({numExperts}, i64),
          RankedTensorType::get({numExperts}, i64)},
      input, route.getIndices());

  auto experts = MoEExpertsOp::create(
      b, loc, dispatch.getRows().getType(), dispatch.getRows(),
      dispatch.getOffsets(), dispatch.getCounts(), w1, w2, w3, constants,
      scales, zeroPoints, op.getActivationAttr(), op.getKindsAttr(),
      op.getBitsAttr(), op.getGroupSizeAttr());

  auto combine = MoECombineOp::create(
      b, loc, op.getOutput().getType(), experts.getOutput(),
      dispatch.getPermutation(), route.getWeights());
  return {combine.getOutput(), route.getDropped()};
}

namespace {

struct DecomposeMoEFFN : OpRewritePattern<MoEFFNOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MoEFFNOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getInput().getType().hasStaticShape() ||
        !op.getRouterWeight().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not split");
    SmallVector<Value> results = buildMoEFFNDecomposition(
        rewriter, op, op.getInput(), op.getRouterWeight(), op.getW1(),
        op.getW2(), op.getW3(), op.getConstants(), op.getScales(),
        op.getZeroPoints());
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LoomDecomposeMoEPass
    : loom::impl::LoomDecomposeMoEBase<LoomDecomposeMoEPass> {
  void runOnOperation() override {
    // Counted before rewriting: the pattern applies to every static layer.
    getOperation()->walk([&](MoEFFNOp op) {
      if (op.getInput().getType().hasStaticShape() &&
          op.getRouterWeight().getType().hasStaticShape())
        ++numDecomposed;
    });
    // A walk, not the greedy driver: only the layers change (no folding of
    // unrelated ops).
    RewritePatternSet patterns(&getContext());
    populateDecomposeMoEPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::loom::populateDecomposeMoEPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeMoEFFN>(patterns.getContext());
}
