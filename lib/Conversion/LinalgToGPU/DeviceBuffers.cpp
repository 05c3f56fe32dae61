//===- DeviceBuffers.cpp - loom-gpu-device-buffers ------------------------===//
//
// The temporaries a host function allocates live in GPU memory: memref.alloc
// and memref.dealloc outside kernels become gpu.alloc and gpu.dealloc, and
// bufferization.dealloc becomes gpu.dealloc under alias checks of the
// buffers' addresses. Upstream's lower-deallocations would keep the lists of
// a general bufferization.dealloc in buffers (which would be GPU memory
// here); the handful of buffers one dealloc frees are compared in registers.
//
// Precondition: no op outside a kernel reads or writes buffer contents
// (convert-serial-code-to-gpu).
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMGPUDEVICEBUFFERS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

/// Whether `value`, or a view of it, is used inside a kernel.
static bool reachesKernel(Value value) {
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (OpOperand &use : current.getUses()) {
      Operation *user = use.getOwner();
      if (isa<gpu::LaunchOp>(user) || user->getParentOfType<gpu::LaunchOp>())
        return true;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == current)
          worklist.append(user->result_begin(), user->result_end());
    }
  }
  return false;
}

/// Replaces `dealloc` by one gpu.dealloc per distinct buffer that an owner
/// gives up: buffer i is freed when some operand with its address has its
/// condition set, no retained buffer has its address and no earlier operand
/// had it (so each buffer is freed once). The updated condition of a
/// retained buffer is the disjunction of the conditions of the operands with
/// its address.
static void lowerDealloc(RewriterBase &rewriter,
                         bufferization::DeallocOp dealloc) {
  Location loc = dealloc.getLoc();
  rewriter.setInsertionPoint(dealloc);
  auto address = [&](Value memref) -> Value {
    return memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc,
                                                          memref);
  };
  auto equal = [&](Value a, Value b) -> Value {
    return arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, a, b);
  };
  Value falseValue = arith::ConstantIntOp::create(rewriter, loc, 0, 1);
  Value trueValue = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
  SmallVector<Value> buffers, retained;
  for (Value memref : dealloc.getMemrefs())
    buffers.push_back(address(memref));
  for (Value memref : dealloc.getRetained())
    retained.push_back(address(memref));
  ValueRange conditions = dealloc.getConditions();

  for (auto [i, memref] : llvm::enumerate(dealloc.getMemrefs())) {
    Value owned = falseValue;
    for (auto [j, other] : llvm::enumerate(buffers)) {
      Value same = i == j ? trueValue : equal(buffers[i], other);
      owned = arith::OrIOp::create(
          rewriter, loc, owned,
          arith::AndIOp::create(rewriter, loc, same, conditions[j]));
    }
    Value free = owned;
    for (Value kept : retained)
      free = arith::AndIOp::create(
          rewriter, loc, free,
          arith::XOrIOp::create(rewriter, loc, equal(buffers[i], kept),
                                trueValue));
    for (size_t j = 0; j < i; ++j)
      free = arith::AndIOp::create(
          rewriter, loc, free,
          arith::XOrIOp::create(rewriter, loc, equal(buffers[i], buffers[j]),
                                trueValue));
    auto ifOp = scf::IfOp::create(rewriter, loc, free, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(ifOp.thenBlock());
    gpu::DeallocOp::create(rewriter, loc, /*asyncToken=*/Type(),
                           /*asyncDependencies=*/ValueRange(), memref);
  }

  SmallVector<Value> updated;
  for (Value kept : retained) {
    Value owned = falseValue;
    for (auto [i, buffer] : llvm::enumerate(buffers))
      owned = arith::OrIOp::create(rewriter, loc, owned,
                                   arith::AndIOp::create(rewriter, loc,
                                                         equal(buffer, kept),
                                                         conditions[i]));
    updated.push_back(owned);
  }
  rewriter.replaceOp(dealloc, updated);
}

namespace {
struct DeviceBuffersPass
    : loom::impl::LoomGPUDeviceBuffersBase<DeviceBuffersPass> {
  void runOnOperation() override {
    SmallVector<Operation *> hostOps;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<memref::AllocOp, memref::DeallocOp, memref::AllocaOp,
              bufferization::DeallocOp>(op))
        hostOps.push_back(op);
      return WalkResult::advance();
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : hostOps) {
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        rewriter.replaceOpWithNewOp<gpu::AllocOp>(
            alloc, alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/false);
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        rewriter.replaceOpWithNewOp<gpu::DeallocOp>(
            dealloc, /*asyncToken=*/Type(), /*asyncDependencies=*/ValueRange(),
            dealloc.getMemref());
      } else if (auto dealloc = dyn_cast<bufferization::DeallocOp>(op)) {
        lowerDealloc(rewriter, dealloc);
      } else if (reachesKernel(op->getResult(0))) {
        op->emitOpError("is a host stack buffer that a kernel would read or "
                        "write");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
