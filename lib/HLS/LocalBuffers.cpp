//===- LocalBuffers.cpp - loom-hls-local-buffers --------------------------===//
//
// Heap buffers become local arrays: HLS code allocates nothing at run time.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
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
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](Operation *op) {
      if (auto alloc = dyn_cast<memref::AllocOp>(op))
        allocs.push_back(alloc);
      else if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
        deallocs.push_back(dealloc);
      else if (auto copy = dyn_cast<memref::CopyOp>(op))
        copies.push_back(copy);
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
      // No alignment: a local array is a RAM (or registers) of its own.
      rewriter.replaceOpWithNewOp<memref::AllocaOp>(alloc, type);
      ++numLocalBuffers;
    }
    if (failed)
      return signalPassFailure();
    for (memref::DeallocOp dealloc : deallocs)
      dealloc.erase();
    // Copies become element loops (HLS infers bursts from them), not memcpy.
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
