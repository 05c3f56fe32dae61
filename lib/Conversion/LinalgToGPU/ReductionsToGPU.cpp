//===- ReductionsToGPU.cpp - convert-linalg-reductions-to-gpu -------------===//
//
// A linalg reduction over its innermost dimension (softmax's max and sum,
// the norms' sums of squares, attention's and matmul's dot products) becomes
// a kernel with one warp per output element: each lane folds every 32nd
// element, gpu.subgroup_reduce (warp shuffles on NVIDIA GPUs) combines the 32
// partial results, and lane 0 folds the total into the output.
//
// Precondition: bufferized IR after loom-sink-reduction-dims (reduction
// dimensions innermost), before convert-linalg-to-parallel-loops.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLINALGREDUCTIONSTOGPU
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

static constexpr int64_t kWarpSize = 32;

namespace {
/// A reduction the pass handles: its combining op and that op's kind.
struct Reduction {
  Operation *combiner = nullptr;
  /// The combiner's operand that is not the accumulator.
  unsigned elementOperand = 0;
  gpu::AllReduceOperation kind;
};
} // namespace

/// The subgroup_reduce kind of a combining op, if it has one.
static std::optional<gpu::AllReduceOperation> getKind(Operation *op) {
  using Kind = gpu::AllReduceOperation;
  return llvm::TypeSwitch<Operation *, std::optional<Kind>>(op)
      .Case<arith::AddFOp, arith::AddIOp>([](auto) { return Kind::ADD; })
      .Case<arith::MulFOp, arith::MulIOp>([](auto) { return Kind::MUL; })
      .Case<arith::MaximumFOp>([](auto) { return Kind::MAXIMUMF; })
      .Case<arith::MinimumFOp>([](auto) { return Kind::MINIMUMF; })
      .Case<arith::MaxNumFOp>([](auto) { return Kind::MAXNUMF; })
      .Case<arith::MinNumFOp>([](auto) { return Kind::MINNUMF; })
      .Case<arith::MaxSIOp>([](auto) { return Kind::MAXSI; })
      .Case<arith::MinSIOp>([](auto) { return Kind::MINSI; })
      .Case<arith::MaxUIOp>([](auto) { return Kind::MAXUI; })
      .Case<arith::MinUIOp>([](auto) { return Kind::MINUI; })
      .Case<arith::AndIOp>([](auto) { return Kind::AND; })
      .Case<arith::OrIOp>([](auto) { return Kind::OR; })
      .Case<arith::XOrIOp>([](auto) { return Kind::XOR; })
      .Default([](Operation *) { return std::nullopt; });
}

/// The combining op's neutral element.
static Value getIdentity(OpBuilder &b, Location loc,
                         gpu::AllReduceOperation kind, Type type) {
  using Kind = gpu::AllReduceOperation;
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &semantics = floatType.getFloatSemantics();
    llvm::APFloat value(semantics);
    switch (kind) {
    case Kind::ADD:
      value = llvm::APFloat::getZero(semantics);
      break;
    case Kind::MUL:
      value = llvm::APFloat::getOne(semantics);
      break;
    case Kind::MAXIMUMF:
    case Kind::MAXNUMF:
      value = llvm::APFloat::getInf(semantics, /*Negative=*/true);
      break;
    default:
      value = llvm::APFloat::getInf(semantics, /*Negative=*/false);
      break;
    }
    return arith::ConstantFloatOp::create(b, loc, floatType, value);
  }
  unsigned width = type.getIntOrFloatBitWidth();
  llvm::APInt value(width, 0);
  switch (kind) {
  case Kind::MUL:
    value = llvm::APInt(width, 1);
    break;
  case Kind::MAXSI:
    value = llvm::APInt::getSignedMinValue(width);
    break;
  case Kind::MINSI:
    value = llvm::APInt::getSignedMaxValue(width);
    break;
  case Kind::MINUI:
  case Kind::AND:
    value = llvm::APInt::getAllOnes(width);
    break;
  default:
    break;
  }
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, value));
}

/// The reduction `op` performs, if the pass can give it warps: one output,
/// only the innermost dimension reduced, a 32-bit element type, and a body
/// whose accumulator is used once, by a combining op whose result is
/// yielded.
static std::optional<Reduction> matchReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op.getNumLoops() < 1 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  Type elementType = getElementTypeOrSelf(init->get().getType());
  if (!elementType.isF32() && !elementType.isInteger(32))
    return std::nullopt;
  AffineMap outputMap = op.getMatchingIndexingMap(init);
  if (!outputMap.isProjectedPermutation() ||
      outputMap.isFunctionOfDim(op.getNumLoops() - 1))
    return std::nullopt;
  BlockArgument accumulator = op.getMatchingBlockArgument(init);
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  Operation *combiner = yield.getValues()[0].getDefiningOp();
  if (!combiner || combiner->getBlock() != op.getBody() ||
      combiner->getNumOperands() != 2 || !accumulator.hasOneUse() ||
      accumulator.getUses().begin()->getOwner() != combiner ||
      combiner->getOperand(0) == combiner->getOperand(1))
    return std::nullopt;
  std::optional<gpu::AllReduceOperation> kind = getKind(combiner);
  if (!kind)
    return std::nullopt;
  Reduction reduction;
  reduction.combiner = combiner;
  reduction.elementOperand = combiner->getOperand(0) == accumulator ? 1 : 0;
  reduction.kind = *kind;
  return reduction;
}

/// `map`'s results at `dims` (affine.apply per result).
static SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                                   ValueRange dims) {
  SmallVector<Value> results;
  for (unsigned r = 0; r < map.getNumResults(); ++r)
    results.push_back(
        affine::AffineApplyOp::create(b, loc, map.getSubMap({r}), dims));
  return results;
}

/// Replaces `op` by a warp-per-output kernel with `warpsPerBlock` warps in a
/// block.
static void lowerToWarps(RewriterBase &rewriter, linalg::GenericOp op,
                         const Reduction &reduction, int64_t warpsPerBlock) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  unsigned numParallel = op.getNumLoops() - 1;
  SmallVector<Range, 4> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, loc);
  SmallVector<Value> sizes;
  for (Range &range : ranges)
    sizes.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, range.size));
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value rows = numParallel ? sizes[0] : one;
  for (unsigned d = 1; d < numParallel; ++d)
    rows = arith::MulIOp::create(rewriter, loc, rows, sizes[d]);
  Value warps = arith::ConstantIndexOp::create(rewriter, loc, warpsPerBlock);
  Value grid = arith::CeilDivUIOp::create(rewriter, loc, rows, warps);
  Value threads =
      arith::ConstantIndexOp::create(rewriter, loc, warpsPerBlock * kWarpSize);
  auto launch =
      gpu::LaunchOp::create(rewriter, loc, grid, one, one, threads, one, one);
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.setInsertionPointToStart(&body);

  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value warpSize = arith::ConstantIndexOp::create(rewriter, loc, kWarpSize);
  Value tid = launch.getThreadIds().x;
  Value lane = arith::RemUIOp::create(rewriter, loc, tid, warpSize);
  Value warp = arith::DivUIOp::create(rewriter, loc, tid, warpSize);
  Value row = arith::AddIOp::create(
      rewriter, loc,
      arith::MulIOp::create(rewriter, loc, launch.getBlockIds().x, warps),
      warp);
  // Warps past the last row compute row 0 (every lane of a warp takes part
  // in the shuffles) and store nothing.
  Value inRange = arith::CmpIOp::create(rewriter, loc,
                                        arith::CmpIPredicate::ult, row, rows);
  Value clamped = arith::SelectOp::create(rewriter, loc, inRange, row, zero);
  SmallVector<Value> ivs(numParallel);
  Value rest = clamped;
  for (int d = static_cast<int>(numParallel) - 1; d >= 0; --d) {
    ivs[d] = arith::RemUIOp::create(rewriter, loc, rest, sizes[d]);
    rest = arith::DivUIOp::create(rewriter, loc, rest, sizes[d]);
  }

  // Each lane folds elements lane, lane + 32, ... of its row.
  Operation *combiner = reduction.combiner;
  Type type = combiner->getResult(0).getType();
  Value identity = getIdentity(rewriter, loc, reduction.kind, type);
  auto loop = scf::ForOp::create(rewriter, loc, lane, sizes[numParallel],
                                 warpSize, ValueRange{identity});
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> dims(ivs);
    dims.push_back(loop.getInductionVar());
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value value = input->get();
      if (isa<MemRefType>(value.getType())) {
        SmallVector<Value> indices =
            applyMap(rewriter, loc, op.getMatchingIndexingMap(input), dims);
        value = memref::LoadOp::create(rewriter, loc, value, indices);
      }
      mapping.map(op.getMatchingBlockArgument(input), value);
    }
    for (Operation &nested : op.getBody()->without_terminator()) {
      if (&nested == combiner)
        continue;
      if (auto index = dyn_cast<linalg::IndexOp>(nested)) {
        mapping.map(index.getResult(), dims[index.getDim()]);
        continue;
      }
      rewriter.clone(nested, mapping);
    }
    Value element =
        mapping.lookup(combiner->getOperand(reduction.elementOperand));
    Operation *folded = rewriter.clone(*combiner, mapping);
    folded->setOperand(1 - reduction.elementOperand,
                       loop.getRegionIterArgs()[0]);
    folded->setOperand(reduction.elementOperand, element);
    scf::YieldOp::create(rewriter, loc, folded->getResults());
  }

  Value total = gpu::SubgroupReduceOp::create(rewriter, loc, loop.getResult(0),
                                              reduction.kind,
                                              /*uniform=*/true);
  Value first = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                      lane, zero);
  Value store = arith::AndIOp::create(rewriter, loc, first, inRange);
  auto ifOp = scf::IfOp::create(rewriter, loc, store, /*withElseRegion=*/false);
  rewriter.setInsertionPointToStart(ifOp.thenBlock());
  OpOperand *init = op.getDpsInitOperand(0);
  SmallVector<Value> dims(ivs);
  dims.push_back(zero);
  SmallVector<Value> indices =
      applyMap(rewriter, loc, op.getMatchingIndexingMap(init), dims);
  Value output = init->get();
  Value accumulated = memref::LoadOp::create(rewriter, loc, output, indices);
  IRMapping none;
  Operation *result = rewriter.clone(*combiner, none);
  result->setOperand(1 - reduction.elementOperand, accumulated);
  result->setOperand(reduction.elementOperand, total);
  memref::StoreOp::create(rewriter, loc, result->getResult(0), output, indices);
  rewriter.eraseOp(op);
}

namespace {
struct ReductionsToGPUPass
    : loom::impl::ConvertLinalgReductionsToGPUBase<ReductionsToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (warpsPerBlock < 1 || warpsPerBlock > 32) {
      getOperation().emitError("convert-linalg-reductions-to-gpu: "
                               "warps-per-block " +
                               llvm::Twine(warpsPerBlock) +
                               " is not 1 to 32 (a block has at most 1024 "
                               "threads)");
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Reduction>> reductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      std::optional<Reduction> reduction = matchReduction(op);
      if (!reduction)
        return;
      // Short rows keep a thread each: most lanes of a warp would idle.
      SmallVector<int64_t, 4> ranges =
          cast<linalg::LinalgOp>(op.getOperation()).getStaticLoopRanges();
      if (!ShapedType::isDynamic(ranges.back()) &&
          ranges.back() < minReductionSize)
        return;
      reductions.emplace_back(op, *reduction);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, reduction] : reductions) {
      lowerToWarps(rewriter, op, reduction, warpsPerBlock);
      ++numWarpReductions;
    }
  }
};
} // namespace
