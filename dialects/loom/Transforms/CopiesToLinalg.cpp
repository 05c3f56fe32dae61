//===- CopiesToLinalg.cpp - loom-copies-to-linalg
//--------------------------===//
//
// Rewrites strided memref.copy into linalg.copy (loops), so compiled code needs
// no `memrefCopy` runtime helper.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMCOPIESTOLINALG
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {
struct CopiesToLinalgPass
    : loom::impl::LoomCopiesToLinalgBase<CopiesToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    // Copies between identity-layout buffers stay memref.copy (a memcpy)
    // unless the target has no such copy.
    getOperation().walk([&](memref::CopyOp op) {
      auto src = cast<MemRefType>(op.getSource().getType());
      auto dst = cast<MemRefType>(op.getTarget().getType());
      if (allCopies || !src.getLayout().isIdentity() ||
          !dst.getLayout().isIdentity())
        copies.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp op : copies) {
      rewriter.setInsertionPoint(op);
      linalg::CopyOp::create(rewriter, op.getLoc(), op.getSource(),
                             op.getTarget());
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
