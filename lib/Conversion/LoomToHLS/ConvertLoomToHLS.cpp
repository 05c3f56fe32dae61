//===- ConvertLoomToHLS.cpp - convert-loom-to-hls -------------------------===//
//
// Rewrites the loom ops that have a hardware-friendly form (docs/HLSOps.md)
// before the reference lowering runs: streaming attention, shift_matmul as
// shifts, bcq_matmul as table lookups. Each op family lives in its own file;
// an op whose form is not supported keeps its reference lowering, with a
// remark that says why.
//
//===----------------------------------------------------------------------===//

#include "LoomToHLS.h"
#include "hls/IR/HLSDialect.h"
#include "loom/Conversion/Passes.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMTOHLS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

bool hlsform::hasStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return !tensor || tensor.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

bool hlsform::isTensorOf(Value v, Type elementType) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getElementType() == elementType;
}

ValueRange hlsform::forLoop(OpBuilder &b, Location loc, int64_t n,
                            ValueRange inits, LoopBody body) {
  auto loop = scf::ForOp::create(
      b, loc, indexConst(b, loc, 0), indexConst(b, loc, n),
      indexConst(b, loc, 1), inits,
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange iters) {
        scf::YieldOp::create(nb, nl, body(nb, nl, iv, iters));
      });
  return loop.getResults();
}

namespace {

struct ConvertLoomToHLSPass
    : public loom::impl::ConvertLoomToHLSBase<ConvertLoomToHLSPass> {
  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation()->walk([&](Operation *op) {
      if (isa<AttentionOp, ShiftMatmulOp, BCQMatmulOp>(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : candidates) {
      rewriter.setInsertionPoint(op);
      std::optional<std::string> why;
      if (auto attention = dyn_cast<AttentionOp>(op)) {
        if (!(why = whyAttentionUnsupported(attention))) {
          lowerAttentionToHLS(rewriter, attention);
          ++numAttention;
        }
      } else if (auto shift = dyn_cast<ShiftMatmulOp>(op)) {
        if (!(why = whyShiftMatmulUnsupported(shift))) {
          lowerShiftMatmulToHLS(rewriter, shift);
          ++numShiftMatmul;
        }
      } else if (auto bcq = dyn_cast<BCQMatmulOp>(op)) {
        if (!(why = whyBCQMatmulUnsupported(bcq))) {
          lowerBCQMatmulToHLS(rewriter, bcq);
          ++numBCQMatmul;
        }
      }
      if (why) {
        op->emitRemark() << "left to the reference lowering: " << *why;
        ++numLeft;
      }
    }
  }
};

} // namespace
