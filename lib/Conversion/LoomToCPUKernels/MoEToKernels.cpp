//===- MoEToKernels.cpp - loom.moe.experts to the grouped expert kernel ---===//
//
// convert-loom-moe-to-cpu-kernels: a loom.moe.experts whose experts are all
// feed-forward and whose rows and weights are f32 becomes a call of
// loom_moe_experts_f32 (include/loom/Runtime/Kernels.h), which runs each
// expert's GEMMs over its own rows only. The router, dispatch and combine
// keep their reference lowering; loom.moe.combine becomes a scatter kernel
// (loom_moe_combine_f32). Run loom-decompose-moe first so that loom.moe.ffn
// is split into these steps.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "loom/Conversion/Passes.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMMOETOCPUKERNELS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kExpertsName = "loom_moe_experts_f32";
static constexpr StringLiteral kCombineName = "loom_moe_combine_f32";

namespace {
struct ExpertsToKernel : public OpRewritePattern<MoEExpertsOp> {
  ExpertsToKernel(MLIRContext *context, llvm::Statistic &numCalls)
      : OpRewritePattern<MoEExpertsOp>(context), numCalls(numCalls) {}

  LogicalResult matchAndRewrite(MoEExpertsOp op,
                                PatternRewriter &rewriter) const override {
    if (!llvm::all_of(op.getExpertKinds(), [](MoEExpertKind kind) {
          return kind == MoEExpertKind::ffn;
        }))
      return rewriter.notifyMatchFailure(op, "has non-FFN experts");
    Type f32 = rewriter.getF32Type(), i64 = rewriter.getI64Type();
    bool swiglu = op.getActivation() == MoEActivation::swiglu;
    if (!isStaticTensorOf(op.getRows().getType(), f32) ||
        !isStaticTensorOf(op.getW1().getType(), f32) ||
        !isStaticTensorOf(op.getW2().getType(), f32) ||
        (swiglu && !isStaticTensorOf(op.getW3().getType(), f32)) ||
        !isStaticTensorOf(op.getOffsets().getType(), i64) ||
        !isStaticTensorOf(op.getCounts().getType(), i64) ||
        !isStaticTensorOf(op.getOutput().getType(), f32))
      return rewriter.notifyMatchFailure(op, "not static-shaped f32 / i64");

    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    SmallVector<Type> inputs = {
        getDynamicStridedType(f32, 2), getDynamicStridedType(i64, 1),
        getDynamicStridedType(i64, 1), getDynamicStridedType(f32, 3),
        getDynamicStridedType(f32, 3), getDynamicStridedType(f32, 3),
        getDynamicStridedType(f32, 2), rewriter.getI32Type()};
    func::FuncOp kernel =
        getOrInsertKernelDecl(rewriter, module, kExpertsName, inputs);
    auto asBuffer = [&](Value tensor) {
      return toDynamicBuffer(rewriter, loc, tensor);
    };
    Value w1 = asBuffer(op.getW1());
    SmallVector<Value> args = {
        asBuffer(op.getRows()), asBuffer(op.getOffsets()),
        asBuffer(op.getCounts()), w1, asBuffer(op.getW2()),
        // Any valid descriptor stands in for no w3.
        swiglu ? asBuffer(op.getW3()) : w1};
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    KernelResult out = allocateKernelResult(rewriter, loc, outType);
    args.push_back(out.view);
    args.push_back(
        arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(),
                                     static_cast<int64_t>(op.getActivation())));
    replaceOpWithKernelCall(rewriter, op, kernel, args, out);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};

/// loom.moe.combine on f32: a scatter over the expert rows (the reference
/// lowering scans every row for every token).
struct CombineToKernel : public OpRewritePattern<MoECombineOp> {
  CombineToKernel(MLIRContext *context, llvm::Statistic &numCalls)
      : OpRewritePattern<MoECombineOp>(context), numCalls(numCalls) {}

  LogicalResult matchAndRewrite(MoECombineOp op,
                                PatternRewriter &rewriter) const override {
    Type f32 = rewriter.getF32Type(), i64 = rewriter.getI64Type();
    if (!isStaticTensorOf(op.getExpertOutput().getType(), f32) ||
        !isStaticTensorOf(op.getPermutation().getType(), i64) ||
        !isStaticTensorOf(op.getWeights().getType(), f32) ||
        !isStaticTensorOf(op.getOutput().getType(), f32))
      return rewriter.notifyMatchFailure(op, "not static-shaped f32 / i64");
    Location loc = op.getLoc();
    SmallVector<Type> inputs = {
        getDynamicStridedType(f32, 2), getDynamicStridedType(i64, 1),
        getDynamicStridedType(f32, 2), getDynamicStridedType(f32, 2)};
    func::FuncOp kernel = getOrInsertKernelDecl(
        rewriter, op->getParentOfType<ModuleOp>(), kCombineName, inputs);
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    KernelResult out = allocateKernelResult(rewriter, loc, outType);
    replaceOpWithKernelCall(
        rewriter, op, kernel,
        ValueRange{toDynamicBuffer(rewriter, loc, op.getExpertOutput()),
                   toDynamicBuffer(rewriter, loc, op.getPermutation()),
                   toDynamicBuffer(rewriter, loc, op.getWeights()), out.view},
        out);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};

struct ConvertLoomMoEToCPUKernelsPass
    : public loom::impl::ConvertLoomMoEToCPUKernelsBase<
          ConvertLoomMoEToCPUKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpertsToKernel, CombineToKernel>(&getContext(),
                                                   numKernelCalls);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
