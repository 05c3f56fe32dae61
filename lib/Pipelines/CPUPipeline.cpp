//===- CPUPipeline.cpp - loom-cpu-pipeline ---------------------------------===//
//
// The CPU pipeline. Today it runs the reference lowering through loops; the fast
// CPU lowerings (tiled attention, vectorised GEMMs) slot in before
// convert-loom-to-linalg and are checked against this path.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

namespace {
/// Decomposes linalg ops with AggregatedOpInterface (linalg.softmax, which the
/// ONNX importer emits for Softmax) into linalg.generic chains on tensors:
/// convert-linalg-to-loops does not lower them, and upstream offers this
/// decomposition only as a transform-dialect op.
struct DecomposeAggregatesPass
    : PassWrapper<DecomposeAggregatesPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DecomposeAggregatesPass)
  StringRef getArgument() const final { return "loom-decompose-aggregate-ops"; }
  StringRef getDescription() const final {
    return "Decompose linalg aggregate ops (linalg.softmax) into generics";
  }
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> ops;
    getOperation().walk(
        [&](linalg::AggregatedOpInterface op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> repl = op.decomposeOperation(rewriter);
      if (failed(repl)) {
        op->emitError("cannot decompose this aggregate op");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *repl);
    }
  }
};

/// Rewrites memref.copy into linalg.copy so copies into strided subviews
/// (from tensor.concat / insert_slice bufferization) become loops instead of
/// calls to the `memrefCopy` runtime helper, which the JIT and the compiled
/// libraries do not link.
struct CopiesToLinalgPass
    : PassWrapper<CopiesToLinalgPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopiesToLinalgPass)
  StringRef getArgument() const final { return "loom-copies-to-linalg"; }
  StringRef getDescription() const final {
    return "Rewrite memref.copy into linalg.copy";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    // Copies between identity-layout buffers stay memref.copy (a memcpy).
    getOperation().walk([&](memref::CopyOp op) {
      auto src = cast<MemRefType>(op.getSource().getType());
      auto dst = cast<MemRefType>(op.getTarget().getType());
      if (!src.getLayout().isIdentity() || !dst.getLayout().isIdentity())
        copies.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp op : copies) {
      rewriter.setInsertionPoint(op);
      linalg::CopyOp::create(rewriter, op.getLoc(), op.getSource(),
                             op.getTarget());
      rewriter.eraseOp(op);
    }
  }
};

LogicalResult appendPipeline(OpPassManager &pm, StringRef pipeline) {
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("loom-cpu-pipeline is malformed: ") +
                             error);
  return success();
}
} // namespace

void mlir::loom::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  // Reference semantics of every loom op on tensors.
  (void)appendPipeline(pm, "convert-loom-to-linalg,canonicalize");
  // linalg.softmax (from the ONNX importer) into linalg.generic chains.
  pm.addNestedPass<func::FuncOp>(std::make_unique<DecomposeAggregatesPass>());
  // Tensors to buffers across function boundaries with plain (identity-layout)
  // memrefs, so the ABI is a dense row-major buffer per tensor.
  // Loops that carry a cache or tensor (decode loops) may yield new buffers.
  os << "one-shot-bufferize{bufferize-function-boundaries "
        "allow-return-allocs-from-loops "
        "function-boundary-type-conversion=identity-layout-map},";
  // Results become caller-allocated out-params: callers own every buffer.
  if (options.resultsToOutParams)
    os << "buffer-results-to-out-params{hoist-static-allocs=true "
          "modify-public-functions=true},";
  os << "canonicalize,";
  // Free the temporaries the body allocates.
  os << "buffer-deallocation-pipeline";
  (void)appendPipeline(pm, pipeline);
  // Strided copies (tensor.concat, insert_slice) as loops, not memrefCopy.
  pm.addNestedPass<func::FuncOp>(std::make_unique<CopiesToLinalgPass>());
  // Loops and memrefs down to the LLVM dialect. convert-math-to-libm turns
  // what convert-math-to-llvm leaves (math.erf from ONNX Gelu/Erf, ...) into
  // libm calls.
  (void)appendPipeline(
      pm, "func.func(convert-linalg-to-loops),"
          "lower-affine,convert-scf-to-cf,expand-strided-metadata,lower-affine,"
          "finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
          "convert-arith-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
          "reconcile-unrealized-casts");
}

void mlir::loom::registerLoomPipelines() {
  PassRegistration<DecomposeAggregatesPass>();
  PassRegistration<CopiesToLinalgPass>();
  PassPipelineRegistration<CPUPipelineOptions>(
      "loom-cpu-pipeline",
      "Lower loom IR on tensors to the LLVM dialect for the host CPU",
      buildCPUPipeline);
}
