//===- ParallelLoops.cpp - scf.parallel on Loom's thread pool -------------===//
//
// convert-parallel-loops-to-cpu-pool: every outermost scf.parallel with
// static bounds and enough work (the loops linalg ops that no kernel took
// lower to: elementwise chains, normalisations, softmax, transposes) runs on
// the compiled model's thread pool. Its first dimension with more than one
// iteration is split into chunks by loom_parallel_for
// (include/loom/Runtime/Kernels.h); the loop is outlined into a function of the
// pool's body type, `(context, begin, end, worker)`, that runs iterations
// [begin, end) of that dimension (the others whole). The values the loop uses
// are stored in a stack struct passed as the context: scalars as they are
// (index as i64), buffers as their LLVM memref descriptors (an unrealized cast
// on each side, which memref-to-llvm turns into the descriptor itself). Every
// iteration writes its own elements and any reduction inside runs in one order,
// so results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "loom/Conversion/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTPARALLELLOOPSTOCPUPOOL
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kParallelForName = "loom_parallel_for";

/// Static trip count of `loop` dimension `dim`, if its bounds are constants.
static std::optional<int64_t> getTripCount(scf::ParallelOp loop, unsigned dim) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()[dim]);
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound()[dim]);
  std::optional<int64_t> step = getConstantIntValue(loop.getStep()[dim]);
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return *ub > *lb ? (*ub - *lb + *step - 1) / *step : 0;
}

/// Operations executed by one iteration of `block`'s enclosing loop: each op
/// counts once, times the static trip counts of the loops around it inside
/// the block (a loop with dynamic bounds counts its body once).
static int64_t countWork(Block &block) {
  int64_t work = 0;
  for (Operation &op : block) {
    ++work;
    int64_t trips = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
      std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
      std::optional<int64_t> step = getConstantIntValue(loop.getStep());
      if (lb && ub && step && *step > 0 && *ub > *lb)
        trips = (*ub - *lb + *step - 1) / *step;
    } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      for (unsigned d = 0; d < loop.getNumLoops(); ++d)
        trips *= getTripCount(loop, d).value_or(1);
    }
    for (Region &region : op.getRegions())
      for (Block &inner : region)
        work += trips * countWork(inner);
  }
  return work;
}

namespace {
struct ConvertParallelLoopsToCPUPoolPass
    : public loom::impl::ConvertParallelLoopsToCPUPoolBase<
          ConvertParallelLoopsToCPUPoolPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    LLVMTypeConverter typeConverter(&getContext());
    unsigned counter = 0;
    for (scf::ParallelOp loop : loops)
      if (failed(outline(loop, typeConverter, counter)))
        return signalPassFailure();
  }

  /// The type a captured value has in the context struct, or null when it
  /// cannot be passed (the loop then stays serial).
  Type getContextType(Type type, LLVMTypeConverter &typeConverter) {
    if (isa<IndexType>(type))
      return IntegerType::get(type.getContext(), 64);
    if (isa<MemRefType>(type) || LLVM::isCompatibleType(type))
      return typeConverter.convertType(type);
    return {};
  }

  LogicalResult outline(scf::ParallelOp loop, LLVMTypeConverter &typeConverter,
                        unsigned &counter) {
    if (loop.getNumResults() != 0 || loop.getNumLoops() == 0)
      return success();
    SmallVector<int64_t> trips;
    for (unsigned d = 0; d < loop.getNumLoops(); ++d) {
      std::optional<int64_t> trip = getTripCount(loop, d);
      if (!trip)
        return success();
      trips.push_back(*trip);
    }
    // The split dimension: the first one with more than one iteration (the
    // ones before it, usually a batch of 1, run whole). Work of one of its
    // iterations: the loop is worth the pool only when its total work is,
    // and a chunk gets at least minWork.
    unsigned dim = 0;
    while (dim + 1 < trips.size() && trips[dim] == 1)
      ++dim;
    int64_t perIteration = countWork(*loop.getBody());
    for (auto [d, trip] : llvm::enumerate(trips))
      if (d != dim)
        perIteration *= trip;
    if (trips[dim] < 2 || trips[dim] * perIteration < minWork)
      return success();

    // Values the loop uses from above; constants are cloned instead.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    for (Value bound : loop->getOperands())
      used.insert(bound);
    SmallVector<Value> captures;
    SmallVector<Type> fieldTypes;
    for (Value value : used) {
      Operation *def = value.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>())
        continue;
      Type field = getContextType(value.getType(), typeConverter);
      if (!field)
        return success();
      captures.push_back(value);
      fieldTypes.push_back(field);
    }

    MLIRContext *context = &getContext();
    Location loc = loop.getLoc();
    auto module = getOperation();
    IRRewriter rewriter(context);
    Type i64 = rewriter.getI64Type();
    Type i32 = rewriter.getI32Type();
    Type ptr = LLVM::LLVMPointerType::get(context);
    // An empty struct is not a valid alloca type: always one field.
    if (fieldTypes.empty())
      fieldTypes.push_back(i64);
    auto structType = LLVM::LLVMStructType::getLiteral(context, fieldTypes);

    // The body function: (context, begin, end, worker).
    auto fnType = rewriter.getFunctionType({ptr, i64, i64, i32}, {});
    std::string name;
    do {
      name = ("__loom_parallel_" + llvm::Twine(counter++)).str();
    } while (module.lookupSymbol(name));
    rewriter.setInsertionPointToEnd(module.getBody());
    auto fn = func::FuncOp::create(rewriter, loc, name, fnType);
    fn.setPrivate();
    Block *entry = fn.addEntryBlock();
    rewriter.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (Value value : used)
      if (Operation *def = value.getDefiningOp())
        if (def->hasTrait<OpTrait::ConstantLike>())
          mapping.map(value, rewriter.clone(*def)->getResult(0));
    for (auto [index, value] : llvm::enumerate(captures)) {
      Value field = LLVM::GEPOp::create(
          rewriter, loc, ptr, structType, entry->getArgument(0),
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
      Value loaded =
          LLVM::LoadOp::create(rewriter, loc, fieldTypes[index], field);
      Value inner;
      if (isa<IndexType>(value.getType()))
        inner =
            arith::IndexCastOp::create(rewriter, loc, value.getType(), loaded);
      else if (loaded.getType() == value.getType())
        inner = loaded;
      else
        inner = UnrealizedConversionCastOp::create(rewriter, loc,
                                                   value.getType(), loaded)
                    .getResult(0);
      mapping.map(value, inner);
    }
    auto clone = cast<scf::ParallelOp>(rewriter.clone(*loop, mapping));
    // Dimension `dim` runs iterations [begin, end): lb + begin * step on.
    Type index = rewriter.getIndexType();
    rewriter.setInsertionPoint(clone);
    Value begin =
        arith::IndexCastOp::create(rewriter, loc, index, entry->getArgument(1));
    Value end =
        arith::IndexCastOp::create(rewriter, loc, index, entry->getArgument(2));
    Value lb = clone.getLowerBound()[dim];
    Value step = clone.getStep()[dim];
    Value ub = clone.getUpperBound()[dim];
    Value newLb = arith::AddIOp::create(
        rewriter, loc, lb, arith::MulIOp::create(rewriter, loc, begin, step));
    Value newUb = arith::MinSIOp::create(
        rewriter, loc, ub,
        arith::AddIOp::create(rewriter, loc, lb,
                              arith::MulIOp::create(rewriter, loc, end, step)));
    rewriter.modifyOpInPlace(clone, [&] {
      clone.getLowerBoundMutable().slice(dim, 1).assign(newLb);
      clone.getUpperBoundMutable().slice(dim, 1).assign(newUb);
    });
    rewriter.setInsertionPointToEnd(entry);
    func::ReturnOp::create(rewriter, loc);

    // The call site: the context struct on the stack (allocated once at the
    // function entry, so loops around the call do not grow the stack).
    auto parent = loop->getParentOfType<FunctionOpInterface>();
    rewriter.setInsertionPointToStart(&parent.getFunctionBody().front());
    Value one = LLVM::ConstantOp::create(rewriter, loc, i64,
                                         rewriter.getI64IntegerAttr(1));
    Value ctx = LLVM::AllocaOp::create(rewriter, loc, ptr, structType, one);
    rewriter.setInsertionPoint(loop);
    for (auto [index, value] : llvm::enumerate(captures)) {
      Value stored = value;
      if (isa<IndexType>(value.getType()))
        stored = arith::IndexCastOp::create(rewriter, loc, i64, value);
      else if (value.getType() != fieldTypes[index])
        stored = UnrealizedConversionCastOp::create(rewriter, loc,
                                                    fieldTypes[index], value)
                     .getResult(0);
      Value field = LLVM::GEPOp::create(
          rewriter, loc, ptr, structType, ctx,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
      LLVM::StoreOp::create(rewriter, loc, stored, field);
    }
    Value fnConstant =
        func::ConstantOp::create(rewriter, loc, fnType, SymbolRefAttr::get(fn));
    Value fnPointer =
        UnrealizedConversionCastOp::create(rewriter, loc, ptr, fnConstant)
            .getResult(0);
    int64_t grain =
        std::max<int64_t>(1, minWork / std::max<int64_t>(perIteration, 1));
    Value n = arith::ConstantIntOp::create(rewriter, loc, i64, trips[dim]);
    Value grainValue = arith::ConstantIntOp::create(rewriter, loc, i64, grain);
    func::FuncOp parallelFor = getOrInsertPlainKernelDecl(
        rewriter, module, kParallelForName, {i64, i64, ptr, ptr});
    func::CallOp::create(rewriter, loc, parallelFor,
                         ValueRange{n, grainValue, fnPointer, ctx});
    rewriter.eraseOp(loop);
    ++numLoops;
    return success();
  }
};
} // namespace
