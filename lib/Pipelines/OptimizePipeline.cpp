//===- OptimizePipeline.cpp - loom-optimize-pipeline ----------------------===//
//
// The target-neutral stage that loomc runs between the importer and a target
// pipeline. Every step preserves numbers; the models' tests check that by
// executing the optimised IR against the reference outputs.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::loom;

void mlir::loom::buildOptimizePipeline(OpPassManager &pm,
                                       const OptimizePipelineOptions &options) {
  // The importer emits many single-use reshapes and duplicate constants; the
  // raising patterns walk use-def chains, so clean those up first.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.raise) {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createLoomRaiseAttention());
    fpm.addPass(createLoomRaiseMoE());
    fpm.addPass(createLoomRaiseRoPE());
    fpm.addPass(createLoomRaiseRMSNorm());
    // Weight-only int8 layers (DequantizeLinear or Cast/Mul of an int8
    // constant feeding MatMul) keep their int8 weights instead of a
    // dequantized f32 copy.
    fpm.addPass(createLoomRaiseQMatmul());
    // Raising leaves the replaced chains dead and new reshapes to fold.
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
}
