//===- FuseEpilogues.cpp - loom-fuse-epilogues ----------------------------===//
//
// Bias and residual adds that follow a matmul move into the matmul's
// accumulator (its destination), so that the GEMM kernel adds them while it
// accumulates and no elementwise pass over its result remains: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMFUSEEPILOGUES
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

/// True for a linalg.generic without reduction loops whose body is exactly
/// `yield addf(in0, in1)` (either order) on floats, with an identity output
/// map and an output it does not read.
static bool isElementwiseAdd(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      !op.hasPureTensorSemantics() ||
      !op.getIndexingMapsArray().back().isIdentity())
    return false;
  Block *body = op.getBlock();
  if (body->getOperations().size() != 2)
    return false;
  auto add = dyn_cast<arith::AddFOp>(body->front());
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (!add || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (add.getLhs() == a && add.getRhs() == b) ||
         (add.getLhs() == b && add.getRhs() == a);
}

namespace {
/// add(expand_shape?(matmul(x, w, init)), other)
///   -> expand_shape?(matmul(x, w, collapse_shape?(init' ))) where init' is
///      `other` (when init is a fill of +0.0) or `expand_shape?(init) + other`.
struct AddIntoAccumulator : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseAdd(op))
      return rewriter.notifyMatchFailure(op, "not an elementwise add");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    for (unsigned i = 0; i < 2; ++i) {
      Value operand = op.getDpsInputOperand(i)->get();
      if (!maps[i].isIdentity() || operand.getType() != resultType ||
          !operand.hasOneUse())
        continue;
      auto expand = operand.getDefiningOp<tensor::ExpandShapeOp>();
      Value matmulResult = expand ? expand.getSrc() : operand;
      auto matmul = matmulResult.getDefiningOp<linalg::MatmulOp>();
      if (!matmul || !matmul.hasPureTensorSemantics() ||
          !matmulResult.hasOneUse() ||
          cast<RankedTensorType>(matmulResult.getType()).getElementType() !=
              resultType.getElementType())
        continue;
      // The accumulator is built before the matmul, from the other operand.
      Value other = op.getDpsInputOperand(1 - i)->get();
      if (!DominanceInfo().properlyDominates(other, matmul))
        continue;
      rewrite(op, matmul, expand, operand, other, maps[1 - i], rewriter);
      return success();
    }
    return rewriter.notifyMatchFailure(
        op, "no operand is the single-use result of a linalg.matmul (through "
            "an expand_shape) on the same element type, with the other "
            "operand defined before the matmul");
  }

  static void rewrite(linalg::GenericOp op, linalg::MatmulOp matmul,
                      tensor::ExpandShapeOp expand, Value product, Value other,
                      AffineMap otherMap, PatternRewriter &rewriter) {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    AffineMap identity = rewriter.getMultiDimIdentityMap(resultType.getRank());
    // The new accumulator, in the add's shape. A destination filled with
    // +0.0 contributes nothing, so it is dropped.
    rewriter.setInsertionPoint(matmul);
    Value init = matmul.getDpsInitOperand(0)->get();
    auto fill = init.getDefiningOp<linalg::FillOp>();
    bool zero = fill && matchPattern(fill.getInputs()[0], m_PosZeroFloat());
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    if (!zero) {
      Value shaped = init;
      if (expand)
        shaped = tensor::ExpandShapeOp::create(rewriter, loc, resultType, init,
                                               expand.getReassociationIndices(),
                                               expand.getMixedOutputShape());
      inputs.push_back(shaped);
      maps.push_back(identity);
    }
    // A computed residual (same shape, identity map) is the accumulator
    // itself; bufferization copies it only if it is still read afterwards. A
    // function argument is copied here: the kernel must not write into the
    // caller's buffer.
    Value newInit;
    if (zero && otherMap.isIdentity() && other.getType() == resultType &&
        !isa<BlockArgument>(other)) {
      newInit = other;
    } else {
      inputs.push_back(other);
      maps.push_back(otherMap);
      maps.push_back(identity);
      newInit = buildSum(rewriter, loc, resultType, inputs, maps, zero);
    }
    if (expand)
      newInit = tensor::CollapseShapeOp::create(
          rewriter, loc, init.getType(), newInit,
          expand.getReassociationIndices());
    rewriter.modifyOpInPlace(
        matmul, [&] { matmul.getDpsInitOperand(0)->set(newInit); });
    // The add's users read the matmul (through its reshape) directly.
    rewriter.replaceOp(op, product);
  }

  /// `inputs[0]` (broadcast by its map) when `copy`, else the sum of the two
  /// inputs, in a fresh tensor of `resultType`.
  static Value buildSum(PatternRewriter &rewriter, Location loc,
                        RankedTensorType resultType, ValueRange inputs,
                        ArrayRef<AffineMap> maps, bool copy) {
    SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                               utils::IteratorType::parallel);
    Value empty = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                          resultType.getElementType());
    auto sum = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, inputs, ValueRange{empty}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value v =
              copy ? args[0]
                   : arith::AddFOp::create(b, l, args[0], args[1]).getResult();
          linalg::YieldOp::create(b, l, v);
        });
    return sum.getResult(0);
  }
};

struct FuseEpiloguesPass
    : loom::impl::LoomFuseEpiloguesBase<FuseEpiloguesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<AddIntoAccumulator>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
