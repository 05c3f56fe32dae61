//===- ContractionsToKernels.cpp - f32 contractions to the GEMM kernel ----===//
//
// convert-linalg-to-cpu-kernels: linalg contractions on buffers become calls
// of loom_kernel_sgemm (include/loom/Runtime/Kernels.h). The contraction's
// loop dimensions are classified (batch, M, N, K) by upstream
// inferContractionDims; the stride of each operand along each of them comes
// from the buffer's strided layout at run time, so transposed, broadcast and
// sliced operands need no copy. Runs after buffer deallocation: the call
// stands where the linalg op stood, before any dealloc of its operands.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTLINALGTOCPUKERNELS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kSgemmName = "loom_kernel_sgemm";
static constexpr StringLiteral kIgemmName = "loom_kernel_igemm_s8s32";

/// The loop dimensions of a contraction the kernel can run, and which kernel:
/// f32 x f32 -> f32 (loom_kernel_sgemm) or i8 x i8 -> i32 with sign
/// extension, linalg.matmul's default (loom_kernel_igemm_s8s32).
struct GemmDims {
  std::optional<unsigned> batch;
  unsigned m, n, k;
  bool integer = false;
};

/// The body of a contraction whose inputs are sign-extended i8, multiplied
/// and added into i32 (what linalg.matmul on i8 x i8 -> i32 generalises to).
static bool isSignedI8Contraction(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddIOp>();
  if (!add)
    return false;
  for (Value v : add->getOperands()) {
    auto mul = v.getDefiningOp<arith::MulIOp>();
    if (!mul)
      continue;
    for (Value factor : mul->getOperands()) {
      auto ext = factor.getDefiningOp<arith::ExtSIOp>();
      if (!ext || !isa<BlockArgument>(ext.getIn()))
        return false;
    }
    return true;
  }
  return false;
}

static FailureOr<GemmDims> matchGemm(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return failure();
  SmallVector<Type> elements;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type)
      return failure();
    elements.push_back(type.getElementType());
  }
  bool isF32 = llvm::all_of(elements, [](Type t) { return t.isF32(); });
  bool isInteger = elements[0].isInteger(8) && elements[1].isInteger(8) &&
                   elements[2].isInteger(32) && isSignedI8Contraction(op);
  if (!isF32 && !isInteger)
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->batch.size() > 1 || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1 ||
      op.getNumLoops() != dims->batch.size() + 3)
    return failure();
  GemmDims gemm{std::nullopt, dims->m[0], dims->n[0], dims->k[0], isInteger};
  if (!dims->batch.empty())
    gemm.batch = dims->batch[0];
  return gemm;
}

/// The declaration of loom_kernel_sgemm or loom_kernel_igemm_s8s32 (batch,
/// m, n, k, then pointer and batch/row/column strides of A, B and C).
static func::FuncOp getOrInsertGemm(ModuleOp module, RewriterBase &rewriter,
                                    StringRef name) {
  MLIRContext *context = module.getContext();
  Type i64 = IntegerType::get(context, 64);
  Type ptr = LLVM::LLVMPointerType::get(context);
  SmallVector<Type> inputs(4, i64);
  for (int operand = 0; operand < 3; ++operand) {
    inputs.push_back(ptr);
    inputs.append(3, i64);
  }
  return getOrInsertPlainKernelDecl(rewriter, module, name, inputs);
}

namespace {
struct ContractionToSgemm
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  ContractionToSgemm(MLIRContext *context, llvm::Statistic &numCalls)
      : OpInterfaceRewritePattern<linalg::LinalgOp>(context),
        numCalls(numCalls) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<GemmDims> dims = matchGemm(op);
    if (failed(dims))
      return rewriter.notifyMatchFailure(
          op, "not an f32 (or i8 x i8 -> i32) contraction on buffers with one "
              "M, N, K dimension and at most one batch dimension");
    auto module = op->getParentOfType<ModuleOp>();
    func::FuncOp sgemm = getOrInsertGemm(module, rewriter,
                                         dims->integer ? kIgemmName : kSgemmName);

    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    auto toI64 = [&](Value index) -> Value {
      return arith::IndexCastOp::create(rewriter, loc, i64, index);
    };
    auto constant = [&](int64_t value) -> Value {
      return arith::ConstantIntOp::create(rewriter, loc, i64, value);
    };

    // Sizes of the loops from the operands' shapes.
    SmallVector<Range> ranges = op.createLoopRanges(rewriter, loc);
    auto loopSize = [&](unsigned dim) {
      return toI64(
          getValueOrCreateConstantIndexOp(rewriter, loc, ranges[dim].size));
    };
    SmallVector<Value> args = {dims->batch ? loopSize(*dims->batch)
                                           : constant(1),
                               loopSize(dims->m), loopSize(dims->n),
                               loopSize(dims->k)};

    // Per operand: the address of its first element and its stride along
    // the batch, then its two matrix dimensions (A: M, K; B: K, N; C: M, N).
    auto appendOperand = [&](OpOperand &operand, unsigned rowDim,
                             unsigned colDim) {
      BufferPointer buffer = getBufferPointer(rewriter, loc, operand.get());
      args.push_back(buffer.pointer);
      AffineMap map = op.getMatchingIndexingMap(&operand);
      auto strideAlong = [&](std::optional<unsigned> dim) -> Value {
        if (!dim)
          return constant(0);
        for (auto [position, expr] : llvm::enumerate(map.getResults()))
          if (expr == rewriter.getAffineDimExpr(*dim))
            return buffer.strides[position];
        return constant(0); // the operand is broadcast along `dim`
      };
      args.push_back(strideAlong(dims->batch));
      args.push_back(strideAlong(rowDim));
      args.push_back(strideAlong(colDim));
    };
    appendOperand(*op.getDpsInputOperand(0), dims->m, dims->k);
    appendOperand(*op.getDpsInputOperand(1), dims->k, dims->n);
    appendOperand(*op.getDpsInitOperand(0), dims->m, dims->n);

    func::CallOp::create(rewriter, loc, sgemm, args);
    rewriter.eraseOp(op);
    ++numCalls;
    return success();
  }

  llvm::Statistic &numCalls;
};

struct ConvertLinalgToCPUKernelsPass
    : public loom::impl::ConvertLinalgToCPUKernelsBase<
          ConvertLinalgToCPUKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ContractionToSgemm>(&getContext(), numKernelCalls);
    populateConvolutionToKernelPatterns(patterns, numKernelCalls);
    // One sweep: a rewrite creates nothing the pattern matches again.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
