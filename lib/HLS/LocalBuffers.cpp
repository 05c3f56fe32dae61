//===- LocalBuffers.cpp - loom-hls-local-buffers --------------------------===//
//
// Heap buffers become local arrays: HLS code allocates nothing at run time.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSLOCALBUFFERS
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {
struct LocalBuffersPass
    : public loom::impl::LoomHLSLocalBuffersBase<LocalBuffersPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    SmallVector<memref::DeallocOp> deallocs;
    getOperation()->walk([&](Operation *op) {
      if (auto alloc = dyn_cast<memref::AllocOp>(op))
        allocs.push_back(alloc);
      else if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
        deallocs.push_back(dealloc);
    });
    bool failed = false;
    IRRewriter rewriter(&getContext());
    for (memref::AllocOp alloc : allocs) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape()) {
        alloc.emitError("HLS code needs static shapes: this buffer of type ")
            << type << " has a size known only at run time";
        failed = true;
        continue;
      }
      rewriter.setInsertionPoint(alloc);
      rewriter.replaceOpWithNewOp<memref::AllocaOp>(alloc, type,
                                                    alloc.getAlignmentAttr());
      ++numLocalBuffers;
    }
    if (failed)
      return signalPassFailure();
    for (memref::DeallocOp dealloc : deallocs)
      dealloc.erase();
  }
};
} // namespace
