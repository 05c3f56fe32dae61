//===- OptimizePipeline.cpp - loom-optimize-pipeline ----------------------===//
//
// The target-neutral stage that loomc runs between the importer and a target
// pipeline. Raising and clean-ups preserve numbers; the models' tests check
// that by executing the optimised IR against the reference outputs. The
// efficiency passes (layer skipping, quantization, shift-add) change them on
// request, and their tests report the error.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Pruning/Passes.h"
#include "loom/Quantization/Passes.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::loom;

/// The options in `text`, separated by spaces or commas ("a=1,b=2 c=3");
/// a comma-separated piece without `=` continues the previous option's list
/// value ("candidates=2,3,4").
static SmallVector<std::string> splitOptions(StringRef text) {
  SmallVector<std::string> options;
  SmallVector<StringRef> pieces;
  text.split(pieces, ',', -1, /*KeepEmpty=*/false);
  for (StringRef piece : pieces) {
    SmallVector<StringRef> words;
    piece.split(words, ' ', -1, /*KeepEmpty=*/false);
    for (auto [i, word] : llvm::enumerate(words)) {
      if (i == 0 && !word.contains('=') && !options.empty())
        options.back() += ("," + word).str();
      else
        options.push_back(word.str());
    }
  }
  return options;
}

/// `pass` configured from `options`.
static FailureOr<std::unique_ptr<Pass>>
configure(std::unique_ptr<Pass> pass, StringRef flag,
          ArrayRef<std::string> options,
          function_ref<LogicalResult(const Twine &)> errorHandler) {
  std::string all = llvm::join(options, " ");
  if (failed(pass->initializeOptions(all, [&](const Twine &message) {
        return errorHandler(flag + ": " + message);
      })))
    return failure();
  return pass;
}

/// The value of option `key` in `options`, if set.
static std::optional<StringRef> findOption(ArrayRef<std::string> options,
                                           StringRef key) {
  for (const std::string &option : options) {
    auto [name, value] = StringRef(option).split('=');
    if (name == key)
      return value;
  }
  return std::nullopt;
}

LogicalResult mlir::loom::buildOptimizePipeline(
    OpPassManager &pm, const OptimizePipelineOptions &options,
    function_ref<LogicalResult(const Twine &)> errorHandler) {
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

  // Efficiency passes, on the raised model. Token pruning first: it needs
  // the raised loom.attention and f32 hidden states.
  if (!options.dropTokens.empty()) {
    auto pass = configure(createLoomDropTokens(), "drop-tokens",
                          splitOptions(options.dropTokens), errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // ToMe after token dropping: merging works on the tokens that are left.
  if (!options.mergeTokens.empty()) {
    auto pass = configure(createLoomMergeTokens(), "merge-tokens",
                          splitOptions(options.mergeTokens), errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  SmallVector<std::string> calibration;
  if (!options.calibration.empty())
    calibration.push_back("calibration=" + options.calibration.getValue());
  // Layer skipping first: the later passes then measure and rewrite only
  // the layers that remain.
  if (!options.skipLayers.empty()) {
    SmallVector<std::string> skip = splitOptions(options.skipLayers);
    if (!findOption(skip, "calibration"))
      skip.append(calibration.begin(), calibration.end());
    auto pass =
        configure(createLoomSkipLayers(), "skip-layers", skip, errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
  }
  // Token skipping next, on the f32 layers that remain.
  if (!options.skipTokens.empty()) {
    SmallVector<std::string> skip = splitOptions(options.skipTokens);
    if (!findOption(skip, "calibration"))
      skip.append(calibration.begin(), calibration.end());
    auto pass =
        configure(createLoomSkipTokens(), "skip-tokens", skip, errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
  }
  SmallVector<std::string> quantize = splitOptions(options.quantize);
  SmallVector<std::string> shiftadd = splitOptions(options.shiftadd);
  if (!options.precisionBudget.empty()) {
    if (quantize.empty() == shiftadd.empty())
      return errorHandler("precision-budget needs exactly one of quantize and "
                          "shiftadd, whose layers it sizes");
    // A number is the budget; otherwise loom-assign-precision's options.
    StringRef text = options.precisionBudget.getValue();
    SmallVector<std::string> assign;
    double number;
    if (!text.getAsDouble(number))
      assign.push_back(("budget=" + text).str());
    else
      assign = splitOptions(text);
    // The scheme, and how it fits a layer, are the ones of the pass that
    // follows and sizes nothing itself.
    ArrayRef<std::string> scheme = shiftadd.empty() ? quantize : shiftadd;
    assign.push_back(shiftadd.empty() ? "scheme=uniform" : "scheme=bcq");
    for (StringRef key : {"group-size", "granularity", "symmetric", "objective",
                          "iterations", "include-head", "function"})
      if (std::optional<StringRef> value = findOption(scheme, key))
        if (!findOption(assign, key))
          assign.push_back((key + "=" + *value).str());
    if (shiftadd.empty() && !findOption(assign, "granularity"))
      assign.push_back("granularity=per-channel");
    assign.append(calibration.begin(), calibration.end());
    auto pass = configure(createLoomAssignPrecision(), "precision-budget",
                          assign, errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
  }
  if (!shiftadd.empty()) {
    shiftadd.append(calibration.begin(), calibration.end());
    auto pass =
        configure(createLoomShiftAdd(), "shiftadd", shiftadd, errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
  }
  if (!quantize.empty()) {
    quantize.append(calibration.begin(), calibration.end());
    auto pass =
        configure(createLoomQuantize(), "quantize", quantize, errorHandler);
    if (failed(pass))
      return failure();
    pm.addPass(std::move(*pass));
  }
  if (!options.quantize.empty() || !options.shiftadd.empty() ||
      !options.skipLayers.empty() || !options.skipTokens.empty()) {
    // The dequantized f32 weights and the replaced matmuls (or the removed
    // sublayers' reshapes) are dead or foldable.
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (options.fuse) {
    // After quantization, which replaces the matmuls it takes: the
    // remaining f32 linear layers are fused (docs/Fusion.md). Projections
    // first: the epilogue pass gives a matmul a destination that is not a
    // fill, which projection fusion does not take.
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createLoomFuseProjections());
    fpm.addPass(createLoomFuseEpilogues());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  return success();
}

void mlir::loom::registerLoomOptimizePipeline() {
  // Registered without PassPipelineRegistration so that invalid options of
  // the efficiency passes are errors before anything runs.
  registerPassPipeline(
      "loom-optimize-pipeline",
      "Target-neutral optimisation of imported IR: raising, clean-ups and "
      "the efficiency passes asked for",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        OptimizePipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        return buildOptimizePipeline(pm, options, errorHandler);
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(OptimizePipelineOptions());
      });
}
