//===- ConvolutionsToKernels.cpp - 2-D convolutions to the conv kernel ----===//
//
// Part of convert-linalg-to-cpu-kernels: the ONNX importer's convolution, a
// linalg.generic on buffers over loops (n, g, f, oh, ow | c, kh, kw) with
//
//   x[n, g, c, oh * sh + kh * dh, ow * sw + kw * dw] * w[g, f, c, kh, kw]
//     accumulated into y[n, g, f, oh, ow]
//
// becomes a call of loom_kernel_conv2d_f32 (im2col + the packed GEMM). Other
// convolution shapes (1-D, 3-D, other loop orders) keep their loops.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kConvName = "loom_kernel_conv2d_f32";

/// Stride and dilation of `expr` = d[outputDim] * stride + d[kernelDim] *
/// dilation (either term may be the bare dimension), if it has that form.
static std::optional<std::pair<int64_t, int64_t>>
matchWindowExpr(AffineExpr expr, unsigned outputDim, unsigned kernelDim,
                unsigned numDims) {
  MLIRContext *context = expr.getContext();
  auto coefficient = [&](unsigned dim) -> std::optional<int64_t> {
    SmallVector<AffineExpr> values(numDims, getAffineConstantExpr(0, context));
    values[dim] = getAffineConstantExpr(1, context);
    auto constant = dyn_cast<AffineConstantExpr>(
        expr.replaceDimsAndSymbols(values, {}));
    if (!constant)
      return std::nullopt;
    return constant.getValue();
  };
  std::optional<int64_t> stride = coefficient(outputDim);
  std::optional<int64_t> dilation = coefficient(kernelDim);
  if (!stride || !dilation || *stride < 1 || *dilation < 1)
    return std::nullopt;
  AffineExpr rebuilt = getAffineDimExpr(outputDim, context) * *stride +
                       getAffineDimExpr(kernelDim, context) * *dilation;
  if (simplifyAffineExpr(rebuilt, numDims, 0) !=
      simplifyAffineExpr(expr, numDims, 0))
    return std::nullopt;
  return std::make_pair(*stride, *dilation);
}

/// True when `op`'s body is `out + in0 * in1` in f32.
static bool hasMultiplyAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value accumulator = body.getArgument(2);
  Value product = add.getLhs() == accumulator ? add.getRhs() : add.getLhs();
  if (add.getLhs() != accumulator && add.getRhs() != accumulator)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

namespace {
struct ConvolutionToKernel : public OpRewritePattern<linalg::GenericOp> {
  ConvolutionToKernel(MLIRContext *context, llvm::Statistic &numCalls)
      : OpRewritePattern<linalg::GenericOp>(context), numCalls(numCalls) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op.getNumLoops() != 8)
      return rewriter.notifyMatchFailure(op, "not an 8-loop generic on buffers");
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      if (!type || type.getRank() != 5 || !type.getElementType().isF32())
        return rewriter.notifyMatchFailure(op, "operands are not 5-d f32");
    }
    auto iterators = op.getIteratorTypesArray();
    for (unsigned i = 0; i < 8; ++i)
      if ((i < 5) != (iterators[i] == utils::IteratorType::parallel))
        return rewriter.notifyMatchFailure(op, "not (5 parallel, 3 reduction)");
    if (!hasMultiplyAddBody(op))
      return rewriter.notifyMatchFailure(op, "body is not a multiply-add");

    MLIRContext *context = op.getContext();
    auto dims = [&](ArrayRef<unsigned> positions) {
      SmallVector<AffineExpr> exprs;
      for (unsigned position : positions)
        exprs.push_back(getAffineDimExpr(position, context));
      return AffineMap::get(8, 0, exprs, context);
    };
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // Loops: n=0, g=1, f=2, oh=3, ow=4 | c=5, kh=6, kw=7.
    if (maps[1] != dims({1, 2, 5, 6, 7}) || maps[2] != dims({0, 1, 2, 3, 4}))
      return rewriter.notifyMatchFailure(op, "filter/output maps differ");
    AffineMap input = maps[0];
    if (input.getNumResults() != 5 ||
        input.getResult(0) != getAffineDimExpr(0, context) ||
        input.getResult(1) != getAffineDimExpr(1, context) ||
        input.getResult(2) != getAffineDimExpr(5, context))
      return rewriter.notifyMatchFailure(op, "input map differs");
    auto rows = matchWindowExpr(input.getResult(3), 3, 6, 8);
    auto cols = matchWindowExpr(input.getResult(4), 4, 7, 8);
    if (!rows || !cols)
      return rewriter.notifyMatchFailure(op, "input window is not affine");

    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    Type ptr = LLVM::LLVMPointerType::get(context);
    SmallVector<Type> inputs(12, i64);
    for (int operand = 0; operand < 3; ++operand) {
      inputs.push_back(ptr);
      inputs.append(5, i64);
    }
    func::FuncOp kernel = getOrInsertPlainKernelDecl(
        rewriter, op->getParentOfType<ModuleOp>(), kConvName, inputs);

    SmallVector<int64_t> loops = op.getStaticLoopRanges();
    if (llvm::any_of(loops, ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "dynamic loop ranges");
    SmallVector<Value> args;
    auto constant = [&](int64_t value) {
      args.push_back(arith::ConstantIntOp::create(rewriter, loc, i64, value));
    };
    // batch, groups, channels, filters, oh, ow, kh, kw.
    for (unsigned loop : {0u, 1u, 5u, 2u, 3u, 4u, 6u, 7u})
      constant(loops[loop]);
    constant(rows->first);
    constant(cols->first);
    constant(rows->second);
    constant(cols->second);
    for (OpOperand &operand : op->getOpOperands()) {
      BufferPointer buffer = getBufferPointer(rewriter, loc, operand.get());
      args.push_back(buffer.pointer);
      llvm::append_range(args, buffer.strides);
    }
    func::CallOp::create(rewriter, loc, kernel, args);
    rewriter.eraseOp(op);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};
} // namespace

void mlir::loom::populateConvolutionToKernelPatterns(
    RewritePatternSet &patterns, llvm::Statistic &numCalls) {
  patterns.add<ConvolutionToKernel>(patterns.getContext(), numCalls);
}
