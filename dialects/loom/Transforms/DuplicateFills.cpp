//===- DuplicateFills.cpp - loom-duplicate-fills --------------------------===//
//
// One linalg.fill per destination-style user (see Passes.td): bufferization
// then fills each destination buffer in place instead of filling one buffer
// and copying it for every user after the first.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMDUPLICATEFILLS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {
struct DuplicateFillsPass
    : loom::impl::LoomDuplicateFillsBase<DuplicateFillsPass> {
  void runOnOperation() override {
    // The destination-style uses of each fill with several uses, in program
    // order.
    llvm::MapVector<linalg::FillOp, SmallVector<OpOperand *>> inits;
    getOperation().walk([&](DestinationStyleOpInterface user) {
      for (OpOperand &init : user.getDpsInitsMutable()) {
        auto fill = init.get().getDefiningOp<linalg::FillOp>();
        if (fill && fill.hasPureTensorSemantics() &&
            !fill->getResult(0).hasOneUse())
          inits[fill].push_back(&init);
      }
    });
    IRRewriter rewriter(&getContext());
    for (auto &[fill, uses] : inits) {
      // Every destination use but the first gets its own fill (of its own
      // empty tensor when the fill writes one).
      for (OpOperand *use : llvm::drop_begin(uses)) {
        rewriter.setInsertionPoint(use->getOwner());
        Value dest = fill.getOutputs()[0];
        if (auto empty = dest.getDefiningOp<tensor::EmptyOp>())
          dest = rewriter.clone(*empty)->getResult(0);
        Value copy = linalg::FillOp::create(rewriter, fill.getLoc(),
                                            fill.getInputs()[0], dest)
                         .getResult(0);
        rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(copy); });
      }
    }
  }
};
} // namespace
