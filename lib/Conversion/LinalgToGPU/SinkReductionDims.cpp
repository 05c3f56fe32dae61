//===- SinkReductionDims.cpp - loom-sink-reduction-dims -------------------===//
//
// Interchanges the loops of every linalg op with a reduction dimension before
// a parallel one, so that convert-linalg-to-parallel-loops makes one
// scf.parallel over all parallel dimensions with the reductions inside.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMSINKREDUCTIONDIMS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

/// The loop order with the parallel dimensions first, each group in its
/// original order; empty when `op` already has it.
static SmallVector<unsigned> getParallelFirstOrder(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallel, other;
  for (auto [i, iterator] : llvm::enumerate(iterators))
    (iterator == utils::IteratorType::parallel ? parallel : other).push_back(i);
  SmallVector<unsigned> order(parallel);
  order.append(other);
  for (auto [i, dim] : llvm::enumerate(order))
    if (dim != i)
      return order;
  return {};
}

namespace {
struct SinkReductionDimsPass
    : loom::impl::LoomSinkReductionDimsBase<SinkReductionDimsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!getParallelFirstOrder(op).empty())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      SmallVector<unsigned> order = getParallelFirstOrder(op);
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized)) {
          op.emitOpError("cannot be generalized to interchange its loops");
          return signalPassFailure();
        }
        generic = *generalized;
      }
      if (failed(linalg::interchangeGenericOp(rewriter, generic, order))) {
        generic.emitOpError("cannot interchange its loops");
        return signalPassFailure();
      }
      ++numInterchanged;
    }
  }
};
} // namespace
