//===- QuantToKernels.cpp - Quantized matmuls to CPU kernels --------------===//
//
// convert-loom-quant-to-cpu-kernels: a statically shaped loom.qmatmul with
// f32 input, scales and result becomes a call of loom_qmatmul_f32, and a
// statically shaped loom.bcq_matmul with f32 input and result a call of
// loom_bcq_matmul_f32 (include/loom/Runtime/Kernels.h). Both kernels read the
// packed weights; the reference lowering dequantizes the whole weight (or
// recomputes every byte's signed sum) on each call. Other element types keep
// the reference lowering.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "loom/Conversion/Passes.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMQUANTTOCPUKERNELS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kQMatmulName = "loom_qmatmul_f32";
static constexpr StringLiteral kBCQMatmulName = "loom_bcq_matmul_f32";

/// Per-channel scales or zero points `[N]` as `[N, 1]`, so that the kernel
/// sees one group of K columns; `[N, G]` unchanged.
static Value asGroupedTensor(RewriterBase &rewriter, Location loc,
                             Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 2)
    return value;
  auto expanded =
      RankedTensorType::get({type.getDimSize(0), 1}, type.getElementType());
  SmallVector<ReassociationIndices> reassociation = {{0, 1}};
  return tensor::ExpandShapeOp::create(rewriter, loc, expanded, value,
                                       reassociation);
}

namespace {
struct QMatmulToKernel : public OpRewritePattern<QMatmulOp> {
  QMatmulToKernel(MLIRContext *context, llvm::Statistic &numCalls)
      : OpRewritePattern<QMatmulOp>(context), numCalls(numCalls) {}

  LogicalResult matchAndRewrite(QMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type();
    Value zeroPoints = op.getZeroPoints();
    if (!isStaticTensorOf(op.getInput().getType(), f32) ||
        !isStaticTensorOf(op.getScales().getType(), f32) ||
        !isStaticTensorOf(op.getOutput().getType(), f32))
      return rewriter.notifyMatchFailure(
          op, "input, scales or result not static-shaped f32 (other types "
              "keep the reference lowering)");
    if (!isStaticTensorOf(op.getWeight().getType(), i8) ||
        (zeroPoints && !isStaticTensorOf(zeroPoints.getType(), i8)))
      return rewriter.notifyMatchFailure(
          op, "weight or zero points not static-shaped i8");

    Location loc = op.getLoc();
    SmallVector<Type> inputs = {
        getDynamicStridedType(f32, 2), getDynamicStridedType(i8, 2),
        getDynamicStridedType(f32, 2), getDynamicStridedType(i8, 2),
        getDynamicStridedType(f32, 2), rewriter.getI32Type(),
        rewriter.getI32Type()};
    func::FuncOp kernel = getOrInsertKernelDecl(
        rewriter, op->getParentOfType<ModuleOp>(), kQMatmulName, inputs);
    Value input = toDynamicBuffer(rewriter, loc, op.getInput());
    Value weight = toDynamicBuffer(rewriter, loc, op.getWeight());
    Value scales = toDynamicBuffer(
        rewriter, loc, asGroupedTensor(rewriter, loc, op.getScales()));
    // Any valid i8 descriptor stands in for absent zero points.
    Value zeros =
        zeroPoints ? toDynamicBuffer(rewriter, loc,
                                     asGroupedTensor(rewriter, loc, zeroPoints))
                   : weight;
    SmallVector<Value> args = {input, weight, scales, zeros};
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    KernelResult out = allocateKernelResult(rewriter, loc, outType);
    args.push_back(out.view);
    Type i32 = rewriter.getI32Type();
    args.push_back(
        arith::ConstantIntOp::create(rewriter, loc, i32, op.getBits()));
    args.push_back(
        arith::ConstantIntOp::create(rewriter, loc, i32, zeroPoints ? 1 : 0));
    replaceOpWithKernelCall(rewriter, op, kernel, args, out);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};

struct BCQMatmulToKernel : public OpRewritePattern<BCQMatmulOp> {
  BCQMatmulToKernel(MLIRContext *context, llvm::Statistic &numCalls)
      : OpRewritePattern<BCQMatmulOp>(context), numCalls(numCalls) {}

  LogicalResult matchAndRewrite(BCQMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type();
    if (!isStaticTensorOf(op.getInput().getType(), f32) ||
        !isStaticTensorOf(op.getOutput().getType(), f32))
      return rewriter.notifyMatchFailure(
          op, "input or result not static-shaped f32 (other types keep the "
              "reference lowering)");
    if (!isStaticTensorOf(op.getPlanes().getType(), i8) ||
        !isStaticTensorOf(op.getScaleExponents().getType(), i8))
      return rewriter.notifyMatchFailure(
          op, "planes or exponents not static-shaped i8");

    Location loc = op.getLoc();
    SmallVector<Type> inputs = {
        getDynamicStridedType(f32, 2), getDynamicStridedType(i8, 3),
        getDynamicStridedType(i8, 3), getDynamicStridedType(f32, 2)};
    func::FuncOp kernel = getOrInsertKernelDecl(
        rewriter, op->getParentOfType<ModuleOp>(), kBCQMatmulName, inputs);
    Value input = toDynamicBuffer(rewriter, loc, op.getInput());
    Value planes = toDynamicBuffer(rewriter, loc, op.getPlanes());
    Value exponents = toDynamicBuffer(rewriter, loc, op.getScaleExponents());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    KernelResult out = allocateKernelResult(rewriter, loc, outType);
    replaceOpWithKernelCall(rewriter, op, kernel,
                            ValueRange{input, planes, exponents, out.view},
                            out);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};

struct ConvertLoomQuantToCPUKernelsPass
    : public loom::impl::ConvertLoomQuantToCPUKernelsBase<
          ConvertLoomQuantToCPUKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<QMatmulToKernel, BCQMatmulToKernel>(&getContext(),
                                                     numKernelCalls);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
