//===- MoEToKernels.cpp - loom.moe.experts to the grouped expert kernel ---===//
//
// convert-loom-moe-to-cpu-kernels: a loom.moe.experts whose experts are all
// feed-forward and whose rows and weights are f32 becomes a call of
// loom_moe_experts_f32 (include/loom/Runtime/Kernels.h), which runs each
// expert's GEMMs over its own rows only; with quantized weights (scales)
// the call is loom_moe_experts_q_f32, which reads the codes and dequantizes
// one (expert, column chunk) tile before each GEMM. The router, dispatch and
// combine keep their reference lowering; loom.moe.combine becomes a scatter
// kernel (loom_moe_combine_f32). Run loom-decompose-moe first so that
// loom.moe.ffn is split into these steps.
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
static constexpr StringLiteral kQuantExpertsName = "loom_moe_experts_q_f32";
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
    if (!op.getScales().empty())
      return rewriteQuantized(op, rewriter);
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

  /// Quantized weights: loom_moe_experts_q_f32 reads the codes and
  /// dequantizes one (expert, column chunk) tile at a time.
  LogicalResult rewriteQuantized(MoEExpertsOp op,
                                 PatternRewriter &rewriter) const {
    Type f32 = rewriter.getF32Type(), i64 = rewriter.getI64Type(),
         i8 = rewriter.getI8Type();
    bool swiglu = op.getActivation() == MoEActivation::swiglu;
    auto allStatic = [&](ValueRange values, Type element) {
      return llvm::all_of(values, [&](Value v) {
        return isStaticTensorOf(v.getType(), element);
      });
    };
    SmallVector<Value> codes = {op.getW1(), op.getW2()};
    if (swiglu)
      codes.push_back(op.getW3());
    if (!isStaticTensorOf(op.getRows().getType(), f32) ||
        !allStatic(codes, i8) || !allStatic(op.getScales(), f32) ||
        !allStatic(op.getZeroPoints(), i8) ||
        !isStaticTensorOf(op.getOffsets().getType(), i64) ||
        !isStaticTensorOf(op.getCounts().getType(), i64) ||
        !isStaticTensorOf(op.getOutput().getType(), f32))
      return rewriter.notifyMatchFailure(op, "not static-shaped f32 / i8");
    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    SmallVector<Type> inputs = {getDynamicStridedType(f32, 2),
                                getDynamicStridedType(i64, 1),
                                getDynamicStridedType(i64, 1)};
    for (int i = 0; i < 3; ++i)
      inputs.push_back(getDynamicStridedType(i8, 3));
    for (int i = 0; i < 3; ++i)
      inputs.push_back(getDynamicStridedType(f32, 3));
    for (int i = 0; i < 3; ++i)
      inputs.push_back(getDynamicStridedType(i8, 3));
    inputs.push_back(getDynamicStridedType(f32, 2));
    inputs.append(3, rewriter.getI32Type());
    func::FuncOp kernel =
        getOrInsertKernelDecl(rewriter, module, kQuantExpertsName, inputs);
    auto asBuffer = [&](Value tensor) {
      return toDynamicBuffer(rewriter, loc, tensor);
    };
    // Any valid descriptor of the right type stands in for an absent w3 or
    // absent zero points.
    Value q1 = asBuffer(op.getW1()), q2 = asBuffer(op.getW2());
    Value q3 = swiglu ? asBuffer(op.getW3()) : q1;
    Value s1 = asBuffer(op.getScales()[0]), s2 = asBuffer(op.getScales()[1]);
    Value s3 = swiglu ? asBuffer(op.getScales()[2]) : s1;
    bool hasZero = !op.getZeroPoints().empty();
    Value z1 = hasZero ? asBuffer(op.getZeroPoints()[0]) : q1;
    Value z2 = hasZero ? asBuffer(op.getZeroPoints()[1]) : q1;
    Value z3 = hasZero && swiglu ? asBuffer(op.getZeroPoints()[2]) : z1;
    SmallVector<Value> args = {asBuffer(op.getRows()),
                               asBuffer(op.getOffsets()),
                               asBuffer(op.getCounts()),
                               q1,
                               q2,
                               q3,
                               s1,
                               s2,
                               s3,
                               z1,
                               z2,
                               z3};
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    KernelResult out = allocateKernelResult(rewriter, loc, outType);
    args.push_back(out.view);
    auto i32 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(),
                                          v);
    };
    args.push_back(i32(static_cast<int64_t>(op.getActivation())));
    args.push_back(i32(op.getBits().value_or(8)));
    args.push_back(i32(hasZero));
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
