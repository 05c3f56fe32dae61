//===- EmulateGPUKernels.cpp - loom-emulate-gpu-kernels -------------------===//
//
// A test aid (here, beside the pipeline it runs): runs loom-gpu-pipeline's
// kernel stage and turns its kernels into host loops behind the functions'
// tensor signatures, so that loom-run executes what the GPU pipeline decided
// (tiling, bound checks, one-thread kernels, host reads, deallocation) against
// the CPU reference.
//
// Sequential execution of the threads is only valid for kernels whose
// threads do not communicate (no barriers, shuffles or shared memory): the
// kernel stage makes no other kind, and the pass rejects anything else.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMEMULATEGPUKERNELS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

/// Whether `launch` contains an op through which threads communicate.
static bool hasThreadCommunication(gpu::LaunchOp launch) {
  return launch.getBody()
      .walk([](Operation *op) {
        return isa<gpu::BarrierOp, gpu::ShuffleOp, gpu::SubgroupReduceOp,
                   gpu::AllReduceOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Replaces `launch` by loops over its grid and blocks (z, y, x of blocks,
/// then of threads), with the body inlined into the innermost one.
static LogicalResult launchToLoops(RewriterBase &rewriter,
                                   gpu::LaunchOp launch) {
  if (!launch.getBody().hasOneBlock() ||
      !launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty() ||
      hasThreadCommunication(launch))
    return launch.emitOpError("cannot be emulated on the host: its threads "
                              "communicate or it has several blocks or "
                              "attributions");
  Location loc = launch.getLoc();
  rewriter.setInsertionPoint(launch);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  SmallVector<Value> bounds = {grid.z,  grid.y,  grid.x,
                               block.z, block.y, block.x};
  SmallVector<Value> ivs;
  for (Value bound : bounds) {
    auto loop = scf::ForOp::create(rewriter, loc, zero, bound, one);
    ivs.push_back(loop.getInductionVar());
    rewriter.setInsertionPoint(loop.getBody()->getTerminator());
  }
  // Body arguments: block ids, thread ids, grid sizes, block sizes (x, y, z
  // each).
  SmallVector<Value> arguments = {ivs[2], ivs[1],  ivs[0],  ivs[5],
                                  ivs[4], ivs[3],  grid.x,  grid.y,
                                  grid.z, block.x, block.y, block.z};
  Block &body = launch.getBody().front();
  Operation *terminator = body.getTerminator();
  rewriter.eraseOp(terminator);
  Operation *innermostYield = rewriter.getInsertionBlock()->getTerminator();
  rewriter.inlineBlockBefore(&body, innermostYield, arguments);
  rewriter.eraseOp(launch);
  return success();
}

/// Rewrites the GPU memory operations of host code for host memory.
static void buffersToHost(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (isa<gpu::AllocOp, gpu::DeallocOp, gpu::MemcpyOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    rewriter.setInsertionPoint(op);
    if (auto alloc = dyn_cast<gpu::AllocOp>(op))
      rewriter.replaceOpWithNewOp<memref::AllocOp>(
          alloc, cast<MemRefType>(alloc.getMemref().getType()),
          alloc.getDynamicSizes(), alloc.getSymbolOperands());
    else if (auto copy = dyn_cast<gpu::MemcpyOp>(op))
      rewriter.replaceOpWithNewOp<memref::CopyOp>(copy, copy.getSrc(),
                                                  copy.getDst());
    else
      rewriter.eraseOp(op);
  }
}

namespace {
struct EmulateGPUKernelsPass
    : loom::impl::LoomEmulateGPUKernelsBase<EmulateGPUKernelsPass> {
  using Base::Base;

  void buildKernelStage(OpPassManager &pm) const {
    loom::GPUPipelineOptions options;
    options.reference = reference;
    options.blockSize = blockSize;
    loom::buildGPUKernelPipeline(pm, options);
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // The dialects the nested pipeline creates (gpu, linalg, ...) must be
    // loaded before it runs.
    OpPassManager pm(ModuleOp::getOperationName());
    buildKernelStage(pm);
    pm.getDependentDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    // The public entry points' tensor signatures, before bufferization.
    SmallVector<std::pair<std::string, FunctionType>> entries;
    if (kernelStage) {
      for (auto func : module.getOps<func::FuncOp>())
        if (func.isPublic() && !func.isExternal())
          entries.emplace_back(func.getName().str(), func.getFunctionType());
      OpPassManager pm(ModuleOp::getOperationName());
      buildKernelStage(pm);
      if (failed(runPipeline(pm, module)))
        return signalPassFailure();
    }

    IRRewriter rewriter(context);
    for (auto func : module.getOps<func::FuncOp>()) {
      SmallVector<gpu::LaunchOp> launches;
      func.walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
      for (gpu::LaunchOp launch : launches)
        if (failed(launchToLoops(rewriter, launch)))
          return signalPassFailure();
      buffersToHost(rewriter, func);
    }

    for (auto &[name, tensorType] : entries) {
      auto impl = module.lookupSymbol<func::FuncOp>(name);
      unsigned numInputs = tensorType.getNumInputs();
      if (impl.getNumArguments() != numInputs + tensorType.getNumResults()) {
        impl.emitOpError("has no out-parameter per tensor result after the "
                         "kernel stage");
        return signalPassFailure();
      }
      impl.setName(name + ".gpu");
      impl.setPrivate();
      rewriter.setInsertionPointAfter(impl);
      auto wrapper =
          func::FuncOp::create(rewriter, impl.getLoc(), name, tensorType);
      Block *entry = wrapper.addEntryBlock();
      rewriter.setInsertionPointToStart(entry);
      Location loc = impl.getLoc();
      SmallVector<Value> operands, outputs;
      for (auto [i, argument] : llvm::enumerate(entry->getArguments()))
        operands.push_back(bufferization::ToBufferOp::create(
            rewriter, loc, cast<MemRefType>(impl.getArgumentTypes()[i]),
            argument, /*readOnly=*/true));
      for (Type type : impl.getArgumentTypes().drop_front(numInputs)) {
        Value output =
            memref::AllocOp::create(rewriter, loc, cast<MemRefType>(type));
        operands.push_back(output);
        outputs.push_back(output);
      }
      func::CallOp::create(rewriter, loc, impl, operands);
      SmallVector<Value> results;
      for (auto [output, type] : llvm::zip(outputs, tensorType.getResults()))
        results.push_back(bufferization::ToTensorOp::create(
            rewriter, loc, type, output, /*restrict=*/true,
            /*writable=*/true));
      func::ReturnOp::create(rewriter, loc, results);
    }
  }
};
} // namespace
