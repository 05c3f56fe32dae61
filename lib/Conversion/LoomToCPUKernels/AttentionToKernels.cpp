//===- AttentionToKernels.cpp - loom.attention to the attention kernel ----===//
//
// convert-loom-attention-to-cpu-kernels: f32 softmax attention over tensor
// keys and values becomes a call of loom_attention_f32, the memref-descriptor
// entry of loom_kernel_attention_f32 (include/loom/Runtime/Kernels.h). The
// call takes its operands as buffers of fully dynamic strided layout, so
// bufferization hands over whatever layout the producers have without a copy.
// Forms the kernel does not cover (KV cache, key scores, Hamming, other
// element types, dynamic shapes) stay for the reference lowering.
//
// f32 static-shaped loom.block_sparse_attention (static mask, top-k or
// threshold selection) first becomes its selection as an additive mask plus
// loom.attention (the reference lowering's first step,
// buildBlockSparseAsMaskedAttention), which the kernel then takes: dense over
// the masked-out blocks, but the kernel's online softmax instead of the
// reference loops over a materialised score matrix.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/Conversion/Passes.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMATTENTIONTOCPUKERNELS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kAttentionName = "loom_attention_f32";

/// The declaration: q, k, v, mask, out descriptors, then scale, causal,
/// window, sinks and whether the mask is present.
static func::FuncOp getOrInsertAttention(ModuleOp module,
                                         RewriterBase &rewriter) {
  MLIRContext *context = module.getContext();
  Type buffer = getDynamicStridedType(Float32Type::get(context), 4);
  Type i32 = IntegerType::get(context, 32);
  Type i64 = IntegerType::get(context, 64);
  SmallVector<Type> inputs(5, buffer);
  inputs.append({Float32Type::get(context), i32, i64, i64, i32});
  return getOrInsertKernelDecl(rewriter, module, kAttentionName, inputs);
}

static bool isStaticF32(Type type) {
  return isStaticTensorOf(type, Float32Type::get(type.getContext()));
}

namespace {
struct AttentionToKernel : public OpRewritePattern<AttentionOp> {
  AttentionToKernel(MLIRContext *context, llvm::Statistic &numCalls)
      : OpRewritePattern<AttentionOp>(context), numCalls(numCalls) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.readsCache() || op.getKeyScores() || op.getHamming())
      return rewriter.notifyMatchFailure(
          op, "reads a KV cache, returns key scores or is Hamming attention");
    Value mask = op.getMask();
    if (!isStaticF32(op.getQuery().getType()) ||
        !isStaticF32(op.getKey().getType()) ||
        !isStaticF32(op.getValue().getType()) ||
        !isStaticF32(op.getOutput().getType()) ||
        (mask && !isStaticF32(mask.getType())))
      return rewriter.notifyMatchFailure(op, "not static-shaped f32");

    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    func::FuncOp kernel = getOrInsertAttention(module, rewriter);
    // Head-split transposes of q, k and v (and the head-merge transpose of
    // the output) become strided views: the kernel takes any strides.
    auto asBuffer = [&](Value tensor) {
      return toDynamicBufferThroughTranspose(rewriter, loc, tensor);
    };
    Value query = asBuffer(op.getQuery());
    SmallVector<Value> args = {query, asBuffer(op.getKey()),
                               asBuffer(op.getValue()),
                               // Any valid descriptor stands in for no mask.
                               mask ? asBuffer(mask) : query};
    KernelResultInto out =
        allocateKernelResultThroughTranspose(rewriter, loc, op);
    args.push_back(out.view);
    args.push_back(arith::ConstantOp::create(
        rewriter, loc, rewriter.getF32FloatAttr(op.getEffectiveScale())));
    args.push_back(arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI32Type(), op.getCausal() ? 1 : 0));
    args.push_back(arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI64Type(), op.getWindow().value_or(0)));
    args.push_back(arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI64Type(), op.getSinks().value_or(0)));
    args.push_back(arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI32Type(), mask ? 1 : 0));
    replaceOpWithKernelCall(rewriter, op, kernel, args, out);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};

struct ConvertLoomAttentionToCPUKernelsPass
    : public loom::impl::ConvertLoomAttentionToCPUKernelsBase<
          ConvertLoomAttentionToCPUKernelsPass> {
  void runOnOperation() override {
    // Block-sparse attention to masked attention, for the pattern below.
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](BlockSparseAttentionOp op) {
      auto f32 = Float32Type::get(op.getContext());
      if (!isStaticTensorOf(op.getQuery().getType(), f32) ||
          !isStaticTensorOf(op.getKey().getType(), f32) ||
          !isStaticTensorOf(op.getValue().getType(), f32) ||
          !isStaticTensorOf(op.getOutput().getType(), f32))
        return;
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, buildBlockSparseAsMaskedAttention(rewriter, op));
    });
    RewritePatternSet patterns(&getContext());
    patterns.add<AttentionToKernel>(&getContext(), numKernelCalls);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
