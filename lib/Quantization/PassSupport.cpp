//===- PassSupport.cpp - What the quantization passes share ---------------===//

#include "PassSupport.h"

#include "loom/Quantization/Policy.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::loom;

FailureOr<LayerSelection> mlir::loom::selectLayers(
    ModuleOp module, StringRef pass, StringRef function, bool includeHead,
    StringRef policyPath, int64_t defaultBits,
    llvm::function_ref<bool(int64_t)> validBits, StringRef validText) {
  LayerSelection selection;
  selection.func = getEntryFunction(module, function);
  if (!selection.func)
    return failure();
  std::optional<PrecisionPolicy> policy;
  if (!policyPath.empty()) {
    FailureOr<PrecisionPolicy> read = readPrecisionPolicy(module, policyPath);
    if (failed(read))
      return failure();
    policy = std::move(*read);
  }
  std::vector<LinearLayer> layers =
      findLinearLayers(selection.func, /*remarks=*/true);
  llvm::StringSet<> known;
  for (LinearLayer &layer : layers) {
    known.insert(layer.name);
    int64_t bits = defaultBits;
    // loom-assign-precision's choice, when it ran before without a file.
    if (auto chosen = layer.op->getAttrOfType<IntegerAttr>(kBitsAttrName);
        chosen && !policy) {
      bits = chosen.getInt();
      if (!validBits(bits))
        return layer.op->emitError()
               << pass << ": loom-assign-precision gave layer '" << layer.name
               << "' " << bits << " bits; " << validText;
    }
    if (policy) {
      auto it = policy->layers.find(layer.name);
      if (it != policy->layers.end()) {
        if (it->second.skip) {
          mlir::emitRemark(layer.op.getLoc())
              << pass << ": layer '" << layer.name
              << "' left in f32: the policy skips it";
          continue;
        }
        bits = it->second.bits;
        if (!validBits(bits))
          return layer.op->emitError()
                 << pass << ": the policy gives layer '" << layer.name << "' "
                 << bits << " bits; " << validText;
      }
    }
    if (layer.isOutputHead && !includeHead) {
      mlir::emitRemark(layer.op.getLoc())
          << pass << ": layer '" << layer.name
          << "' left in f32: it is the output head "
             "(include-head=true rewrites it)";
      continue;
    }
    selection.layers.push_back({std::move(layer), bits});
  }
  if (policy)
    for (const auto &entry : policy->layers)
      if (!known.contains(entry.getKey()))
        return module.emitError()
               << pass << ": the policy names layer '" << entry.getKey()
               << "', which the model does not have";
  return selection;
}

FailureOr<std::vector<LayerStatistics>>
mlir::loom::calibrateLayers(func::FuncOp func, ArrayRef<SelectedLayer> layers,
                            StringRef dir, bool withHessian) {
  FailureOr<std::vector<CalibrationSample>> samples =
      loadCalibrationSamples(func, dir);
  if (failed(samples))
    return failure();
  std::vector<LinearLayer> linear;
  for (const SelectedLayer &s : layers)
    linear.push_back(s.layer);
  return collectLayerStatistics(func, linear, *samples, withHessian);
}

int64_t mlir::loom::resolveGroupSize(Operation *op, StringRef pass, int64_t k,
                                     int64_t groupSize, int64_t multiple) {
  if (groupSize > 0 && k % groupSize == 0 && groupSize % multiple == 0)
    return groupSize;
  if (pass.empty())
    return k;
  mlir::emitRemark(op->getLoc())
      << pass << ": group size " << groupSize << " does not divide K = " << k
      << "; this layer uses one group of " << k << " inputs per output channel";
  return k;
}

quant::UniformOptions
mlir::loom::uniformFitOptions(const LinearLayer &layer, StringRef pass,
                              int64_t bits, bool grouped, int64_t groupSize,
                              bool symmetric, int64_t multiple) {
  quant::UniformOptions options;
  options.bits = bits;
  options.symmetric = symmetric;
  if (grouped)
    options.groupSize =
        resolveGroupSize(layer.op, pass, layer.k, groupSize, multiple);
  if (options.groupSize == layer.k)
    options.groupSize = 0;
  return options;
}

quant::BinaryCodingOptions
mlir::loom::bcqFitOptions(const LinearLayer &layer, StringRef pass,
                          int64_t bits, int64_t groupSize, int64_t iterations,
                          bool outputObjective) {
  quant::BinaryCodingOptions options;
  options.bits = bits;
  options.groupSize =
      resolveGroupSize(layer.op, pass, layer.k, groupSize, /*multiple=*/8);
  options.iterations = iterations;
  options.objective = outputObjective ? quant::BinaryCodingObjective::Output
                                      : quant::BinaryCodingObjective::Weight;
  return options;
}
