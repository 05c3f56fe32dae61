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

/// Whether `launch` can be emulated: one block, no attributions, and of the
/// ops through which threads communicate only uniform, unclustered
/// gpu.subgroup_reduce ops at the body's top level.
static bool canEmulate(gpu::LaunchOp launch) {
  if (!launch.getBody().hasOneBlock() ||
      !launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty())
    return false;
  Block *body = &launch.getBody().front();
  return !launch.getBody()
              .walk([&](Operation *op) {
                if (auto reduce = dyn_cast<gpu::SubgroupReduceOp>(op))
                  return reduce->getBlock() == body && reduce.getUniform() &&
                                 !reduce.getClusterSize()
                             ? WalkResult::advance()
                             : WalkResult::interrupt();
                return isa<gpu::BarrierOp, gpu::ShuffleOp, gpu::AllReduceOp>(op)
                           ? WalkResult::interrupt()
                           : WalkResult::advance();
              })
              .wasInterrupted();
}

/// `x` combined with `y` as gpu.subgroup_reduce's `kind` combines.
static Value combine(OpBuilder &b, Location loc, gpu::AllReduceOperation kind,
                     Value x, Value y) {
  using Kind = gpu::AllReduceOperation;
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case Kind::ADD:
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, y))
                   : Value(arith::AddIOp::create(b, loc, x, y));
  case Kind::MUL:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, y))
                   : Value(arith::MulIOp::create(b, loc, x, y));
  case Kind::MAXIMUMF:
    return arith::MaximumFOp::create(b, loc, x, y);
  case Kind::MINIMUMF:
    return arith::MinimumFOp::create(b, loc, x, y);
  case Kind::MAXNUMF:
    return arith::MaxNumFOp::create(b, loc, x, y);
  case Kind::MINNUMF:
    return arith::MinNumFOp::create(b, loc, x, y);
  case Kind::MAXSI:
    return arith::MaxSIOp::create(b, loc, x, y);
  case Kind::MINSI:
    return arith::MinSIOp::create(b, loc, x, y);
  case Kind::MAXUI:
    return arith::MaxUIOp::create(b, loc, x, y);
  case Kind::MINUI:
    return arith::MinUIOp::create(b, loc, x, y);
  case Kind::AND:
    return arith::AndIOp::create(b, loc, x, y);
  case Kind::OR:
    return arith::OrIOp::create(b, loc, x, y);
  case Kind::XOR:
    return arith::XOrIOp::create(b, loc, x, y);
  }
  llvm_unreachable("unknown subgroup_reduce kind");
}

namespace {
/// Emulates one launch: loops over its grid, and inside, the body's phases
/// (the ops between gpu.subgroup_reduce ops) each in a loop over the
/// block's threads; values that cross phases live in per-thread slots, and
/// a subgroup_reduce combines the slots of each warp's 32 lanes in lane
/// order (the GPU's butterfly order differs: float results may differ in
/// the last bits).
class LaunchEmulator {
public:
  LaunchEmulator(RewriterBase &rewriter, gpu::LaunchOp launch)
      : rewriter(rewriter), launch(launch), loc(launch.getLoc()),
        body(launch.getBody().front()) {}

  LogicalResult run() {
    // Phase 2i: the ops after the i-th subgroup_reduce (before the first
    // for i = 0); phase 2i+1: the i-th subgroup_reduce.
    int phase = 0;
    for (Operation &op : body.without_terminator()) {
      if (isa<gpu::SubgroupReduceOp>(op)) {
        reduces.push_back(cast<gpu::SubgroupReduceOp>(op));
        phaseOf[&op] = ++phase;
        ++phase;
        segments.emplace_back();
        continue;
      }
      if (segments.empty())
        segments.emplace_back();
      phaseOf[&op] = phase;
      segments.back().push_back(&op);
    }
    if (segments.size() <= reduces.size())
      segments.emplace_back();

    rewriter.setInsertionPoint(launch);
    zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    grid = launch.getGridSizeOperandValues();
    block = launch.getBlockSizeOperandValues();
    numThreads = arith::MulIOp::create(
        rewriter, loc, arith::MulIOp::create(rewriter, loc, block.x, block.y),
        block.z);
    if (failed(allocateSlots()))
      return failure();

    SmallVector<Value> blockIds;
    for (Value bound : {grid.z, grid.y, grid.x}) {
      auto loop = scf::ForOp::create(rewriter, loc, zero, bound, one);
      blockIds.push_back(loop.getInductionVar());
      rewriter.setInsertionPoint(loop.getBody()->getTerminator());
    }
    blockX = blockIds[2];
    blockY = blockIds[1];
    blockZ = blockIds[0];
    for (size_t i = 0; i < segments.size(); ++i) {
      emitSegment(segments[i]);
      if (i < reduces.size())
        emitReduce(reduces[i]);
    }
    rewriter.eraseOp(launch);
    return success();
  }

private:
  /// The top-level phase of `op` (or of its top-level ancestor).
  int getPhase(Operation *op) {
    Operation *top = body.findAncestorOpInBlock(*op);
    return top ? phaseOf.lookup(top) : -1;
  }

  /// A slot per thread for every value of the body that a later phase uses.
  LogicalResult allocateSlots() {
    for (Operation &bodyOp : body.without_terminator()) {
      Operation *op = &bodyOp;
      int phase = phaseOf.lookup(op);
      for (Value result : op->getResults()) {
        bool crosses = llvm::any_of(result.getUsers(), [&](Operation *user) {
          return getPhase(user) > phase;
        });
        if (!crosses)
          continue;
        Type type = result.getType();
        if (!type.isIntOrIndexOrFloat())
          return op->emitOpError("defines a value of type ")
                 << type << " that a later phase of the kernel uses; only "
                 << "scalars can cross a gpu.subgroup_reduce in the host "
                 << "emulation";
        slots[result] = memref::AllocaOp::create(
            rewriter, loc, MemRefType::get({ShapedType::kDynamic}, type),
            ValueRange{numThreads});
      }
    }
    return success();
  }

  /// Opens loops over the block's threads; returns the linear thread id and
  /// maps the body's arguments.
  Value openThreadLoops(IRMapping &mapping) {
    SmallVector<Value> ids;
    for (Value bound : {block.z, block.y, block.x}) {
      auto loop = scf::ForOp::create(rewriter, loc, zero, bound, one);
      ids.push_back(loop.getInductionVar());
      rewriter.setInsertionPoint(loop.getBody()->getTerminator());
    }
    Value values[] = {blockX, blockY, blockZ, ids[2],  ids[1],  ids[0],
                      grid.x, grid.y, grid.z, block.x, block.y, block.z};
    for (auto [argument, value] : llvm::zip(body.getArguments(), values))
      mapping.map(argument, value);
    Value linear = arith::AddIOp::create(
        rewriter, loc,
        arith::MulIOp::create(
            rewriter, loc,
            arith::AddIOp::create(
                rewriter, loc,
                arith::MulIOp::create(rewriter, loc, ids[0], block.y), ids[1]),
            block.x),
        ids[2]);
    return linear;
  }

  /// Loads the slots of the values `ops` use from earlier phases.
  void loadInputs(ArrayRef<Operation *> ops, IRMapping &mapping, Value thread) {
    for (Operation *op : ops)
      op->walk([&](Operation *nested) {
        for (Value operand : nested->getOperands()) {
          auto slot = slots.find(operand);
          if (slot != slots.end() && !mapping.contains(operand))
            mapping.map(operand,
                        memref::LoadOp::create(rewriter, loc, slot->second,
                                               ValueRange{thread}));
        }
      });
  }

  void emitSegment(ArrayRef<Operation *> ops) {
    OpBuilder::InsertionGuard guard(rewriter);
    IRMapping mapping;
    Value thread = openThreadLoops(mapping);
    loadInputs(ops, mapping, thread);
    for (Operation *op : ops) {
      rewriter.clone(*op, mapping);
      for (Value result : op->getResults())
        if (auto slot = slots.find(result); slot != slots.end())
          memref::StoreOp::create(rewriter, loc, mapping.lookup(result),
                                  slot->second, ValueRange{thread});
    }
  }

  /// Each thread's result: its warp's values combined in lane order.
  void emitReduce(gpu::SubgroupReduceOp reduce) {
    auto result = slots.find(reduce.getResult());
    if (result == slots.end())
      return;
    OpBuilder::InsertionGuard guard(rewriter);
    IRMapping mapping;
    Value thread = openThreadLoops(mapping);
    Value warpSize = arith::ConstantIndexOp::create(rewriter, loc, 32);
    Value first = arith::SubIOp::create(
        rewriter, loc, thread,
        arith::RemUIOp::create(rewriter, loc, thread, warpSize));
    Value end = arith::MinUIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, first, warpSize),
        numThreads);
    Value operand = reduce.getValue();
    auto valueAt = [&](Value lane) -> Value {
      auto slot = slots.find(operand);
      if (slot == slots.end())
        return mapping.lookupOrDefault(operand);
      return memref::LoadOp::create(rewriter, loc, slot->second,
                                    ValueRange{lane});
    };
    Value initial = valueAt(first);
    auto loop = scf::ForOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, first, one), end,
        one, ValueRange{initial});
    {
      OpBuilder::InsertionGuard inner(rewriter);
      rewriter.setInsertionPointToStart(loop.getBody());
      Value next =
          combine(rewriter, loc, reduce.getOp(), loop.getRegionIterArgs()[0],
                  valueAt(loop.getInductionVar()));
      scf::YieldOp::create(rewriter, loc, next);
    }
    memref::StoreOp::create(rewriter, loc, loop.getResult(0), result->second,
                            ValueRange{thread});
  }

  RewriterBase &rewriter;
  gpu::LaunchOp launch;
  Location loc;
  Block &body;
  SmallVector<SmallVector<Operation *>> segments;
  SmallVector<gpu::SubgroupReduceOp> reduces;
  llvm::DenseMap<Operation *, int> phaseOf;
  llvm::DenseMap<Value, Value> slots;
  Value zero, one, numThreads, blockX, blockY, blockZ;
  gpu::KernelDim3 grid, block;
};
} // namespace

/// Replaces `launch` by loops over its grid and blocks (z, y, x of blocks,
/// then of threads), with the body inlined into the innermost one, or, for
/// kernels with gpu.subgroup_reduce, by LaunchEmulator's phases.
static LogicalResult launchToLoops(RewriterBase &rewriter,
                                   gpu::LaunchOp launch) {
  if (!canEmulate(launch))
    return launch.emitOpError(
        "cannot be emulated on the host: its threads communicate other than "
        "through top-level uniform gpu.subgroup_reduce ops, or it has "
        "several blocks or attributions");
  bool reduces = !launch.getBody().getOps<gpu::SubgroupReduceOp>().empty();
  if (reduces)
    return LaunchEmulator(rewriter, launch).run();
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
    options.dtype = dtype;
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
