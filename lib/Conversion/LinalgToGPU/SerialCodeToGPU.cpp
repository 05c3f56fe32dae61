//===- SerialCodeToGPU.cpp - convert-serial-code-to-gpu -------------------===//
//
// After the parallel loops became kernels, every buffer of a host function is
// GPU memory: what still reads or writes buffer contents outside a kernel
// (full reductions' loops, rank-0 bodies) runs in a kernel of one thread, and
// a single element the host itself needs is copied to the host.
//
// Precondition: bufferized IR whose parallel loops are gpu.launch ops.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTSERIALCODETOGPU
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

/// Whether `value` is a host stack buffer (the target of a host read).
static bool isHostStackBuffer(Value value) {
  Operation *def = value.getDefiningOp();
  return def && isa<memref::AllocaOp>(def) &&
         !def->getParentOfType<gpu::LaunchOp>();
}

/// Whether `op` itself reads or writes the contents of a GPU buffer.
static bool touchesBufferContents(Operation *op) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects || isa<gpu::GPUDialect>(op->getDialect()))
    return false;
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::any_of(list, [](const MemoryEffects::EffectInstance &effect) {
    if (!isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect()))
      return false;
    Value value = effect.getValue();
    return !value ||
           (isa<BaseMemRefType>(value.getType()) && !isHostStackBuffer(value));
  });
}

/// Whether `op` and everything nested in it can run inside a kernel: no
/// launches, heap allocations, calls or ops of unknown effect.
static bool canRunOnDevice(Operation *op) {
  WalkResult result = op->walk([](Operation *nested) {
    if (isa<gpu::GPUDialect>(nested->getDialect()) ||
        isa<CallOpInterface>(nested) ||
        nested->hasTrait<OpTrait::IsIsolatedFromAbove>())
      return WalkResult::interrupt();
    if (nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects)
      return WalkResult::interrupt();
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (const MemoryEffects::EffectInstance &effect : list)
      if (isa<MemoryEffects::Allocate, MemoryEffects::Free>(
              effect.getEffect()) &&
          !isa<SideEffects::AutomaticAllocationScopeResource>(
              effect.getResource()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

/// Whether `op` or an op nested in it touches buffer contents.
static bool containsBufferAccess(Operation *op) {
  return op
      ->walk([](Operation *nested) {
        return touchesBufferContents(nested) ? WalkResult::interrupt()
                                             : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Whether a result of `op` is used outside it.
static bool hasUsesAfter(Operation *op) {
  for (Value result : op->getResults())
    for (Operation *user : result.getUsers())
      if (!op->isAncestor(user))
        return true;
  return false;
}

/// Replaces `load` by a copy of the element into a host stack buffer and a
/// load from there.
static void readOnHost(RewriterBase &rewriter, memref::LoadOp load,
                       func::FuncOp func) {
  Location loc = load.getLoc();
  auto type = cast<MemRefType>(load.getMemRef().getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> ones(rank, 1);
  // One stack slot per read, at the function's entry: a slot inside a host
  // loop would grow the stack on every iteration.
  rewriter.setInsertionPointToStart(&func.getBody().front());
  auto hostType = MemRefType::get(ones, type.getElementType());
  Value host = memref::AllocaOp::create(rewriter, loc, hostType);
  rewriter.setInsertionPoint(load);
  SmallVector<OpFoldResult> offsets(load.getIndices().begin(),
                                    load.getIndices().end());
  SmallVector<OpFoldResult> sizes(rank, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
  auto viewType = memref::SubViewOp::inferRankReducedResultType(
      ones, type, offsets, sizes, strides);
  Value element = memref::SubViewOp::create(
      rewriter, loc, viewType, load.getMemRef(), offsets, sizes, strides);
  gpu::MemcpyOp::create(rewriter, loc, /*asyncToken=*/Type(),
                        /*asyncDependencies=*/ValueRange(), host, element);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  SmallVector<Value> indices(rank, zero);
  rewriter.replaceOpWithNewOp<memref::LoadOp>(load, host, indices);
}

namespace {
struct SerialCodeToGPUPass
    : loom::impl::ConvertSerialCodeToGPUBase<SerialCodeToGPUPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The outermost ops that touch buffer contents and can run on the GPU.
    SmallVector<Operation *> roots;
    WalkResult walk = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op == func.getOperation())
        return WalkResult::advance();
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (canRunOnDevice(op)) {
        if (containsBufferAccess(op))
          roots.push_back(op);
        return WalkResult::skip();
      }
      if (touchesBufferContents(op)) {
        op->emitOpError("reads or writes a buffer outside a kernel and cannot "
                        "run on the GPU");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    gpu::LaunchOp previous;
    for (Operation *root : roots) {
      if (hasUsesAfter(root)) {
        if (auto load = dyn_cast<memref::LoadOp>(root)) {
          readOnHost(rewriter, load, func);
          ++numHostReads;
          continue;
        }
        root->emitOpError("computes a value the host needs from buffer "
                          "contents; only single loaded elements can be "
                          "copied to the host");
        return signalPassFailure();
      }
      // Consecutive serial ops share one kernel.
      if (previous && root->getPrevNode() == previous.getOperation()) {
        root->moveBefore(previous.getBody().front().getTerminator());
        continue;
      }
      rewriter.setInsertionPoint(root);
      Value one = arith::ConstantIndexOp::create(rewriter, root->getLoc(), 1);
      auto launch = gpu::LaunchOp::create(rewriter, root->getLoc(), one, one,
                                          one, one, one, one);
      Block &body = launch.getBody().front();
      rewriter.setInsertionPointToEnd(&body);
      auto terminator = gpu::TerminatorOp::create(rewriter, root->getLoc());
      root->moveBefore(terminator);
      previous = launch;
      ++numSerialKernels;
    }
  }
};
} // namespace
