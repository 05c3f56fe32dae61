//===- CollapseParallelLoops.cpp - loom-collapse-parallel-loops -----------===//
//
// Collapses every outermost scf.parallel without reductions into one
// dimension, so that upstream tiling and `gpu-map-parallel-loops` give each
// iteration a thread of its own, with consecutive threads on the innermost
// (contiguous) dimension.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMCOLLAPSEPARALLELLOOPS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {
struct CollapseParallelLoopsPass
    : loom::impl::LoomCollapseParallelLoopsBase<CollapseParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      // Nested loops are mapped to threads of their parent's blocks (or run
      // sequentially) and keep their shape.
      if (loop->getParentOfType<scf::ParallelOp>() ||
          loop->getParentOfType<gpu::LaunchOp>())
        return;
      loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops) {
      bool nested = false;
      loop.getBody()->walk([&](scf::ParallelOp) { nested = true; });
      if (nested) {
        loop.emitOpError("contains another scf.parallel, which the GPU "
                         "mapping cannot give threads of its own (run "
                         "loom-sink-reduction-dims before "
                         "convert-linalg-to-parallel-loops)");
        return signalPassFailure();
      }
    }
    llvm::erase_if(loops, [](scf::ParallelOp loop) {
      return loop.getNumReductions() != 0 || loop.getNumLoops() < 2;
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : loops) {
      std::vector<unsigned> all(loop.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
      ++numCollapsed;
    }
  }
};
} // namespace
