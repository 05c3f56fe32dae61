//===- AssignPrecision.cpp - loom-assign-precision ------------------------===//
//
// Per-layer code widths under an average-bits budget. Sensitivity: the
// model's relative output error over the calibration samples when only one
// layer is reduced (its weight replaced by the dequantized fit), measured
// with one JIT compilation of the model that takes every layer's weight as
// an argument (WeightSubstitutionRunner). Allocation: minimise the summed
// sensitivity subject to sum_l params_l * bits_l <= budget * sum_l params_l,
// a multiple-choice knapsack solved by dynamic programming over the weight
// budget in units small enough to be exact for these layer sizes (HAWQ-V2,
// Dong et al. 2020; ShiftAddLLM's mixed bit allocation, You et al. 2024).
//
//===----------------------------------------------------------------------===//

#include "PassSupport.h"

#include "loom/Quantization/Fitting.h"
#include "loom/Quantization/Passes.h"
#include "loom/Quantization/Policy.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMASSIGNPRECISION
#include "loom/Quantization/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {
constexpr StringLiteral kPass = "loom-assign-precision";

/// `value` as printf's %g prints it (3, 3.5, 0.001).
std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

/// For each layer, the index into `candidates` chosen; empty if no choice
/// meets the budget. `cost[l]` is layer l's parameter count.
std::vector<size_t> allocate(ArrayRef<std::vector<double>> sensitivity,
                             ArrayRef<int64_t> params,
                             ArrayRef<int64_t> candidates, double budget) {
  // Costs in units of `unit` parameter-bits, rounded up: the allocation found
  // never exceeds the budget.
  int64_t total = std::accumulate(params.begin(), params.end(), int64_t(0));
  int64_t g = 0;
  for (int64_t p : params)
    g = std::gcd(g, p);
  int64_t maxBits = *std::max_element(candidates.begin(), candidates.end());
  int64_t unit = std::max<int64_t>(g, (total * maxBits) / 200000 + 1);
  auto units = [&](int64_t p, int64_t bits) {
    return (p * bits + unit - 1) / unit;
  };
  int64_t capacity =
      static_cast<int64_t>(std::floor(budget * double(total) / double(unit)));
  size_t layers = params.size();
  const double inf = std::numeric_limits<double>::infinity();
  // best[l][c]: least sensitivity of layers < l within c units.
  std::vector<std::vector<double>> best(layers + 1,
                                        std::vector<double>(capacity + 1, inf));
  std::vector<std::vector<int>> choice(layers,
                                       std::vector<int>(capacity + 1, -1));
  std::fill(best[0].begin(), best[0].end(), 0.0);
  for (size_t l = 0; l < layers; ++l)
    for (int64_t c = 0; c <= capacity; ++c)
      for (size_t j = 0; j < candidates.size(); ++j) {
        int64_t u = units(params[l], candidates[j]);
        if (u > c || best[l][c - u] == inf)
          continue;
        double value = best[l][c - u] + sensitivity[l][j];
        if (value < best[l + 1][c]) {
          best[l + 1][c] = value;
          choice[l][c] = static_cast<int>(j);
        }
      }
  if (best[layers][capacity] == inf)
    return {};
  std::vector<size_t> picked(layers);
  int64_t c = capacity;
  for (size_t l = layers; l-- > 0;) {
    int j = choice[l][c];
    picked[l] = j;
    c -= units(params[l], candidates[j]);
  }
  return picked;
}

struct AssignPrecisionPass
    : ValidatedOptionsPass<
          AssignPrecisionPass,
          loom::impl::LoomAssignPrecisionBase<AssignPrecisionPass>> {
  using ValidatedOptionsPass::ValidatedOptionsPass;

  LogicalResult validateOptions(function_ref<LogicalResult(const Twine &)> bad);
  /// The candidate widths, ascending: `candidates` or the scheme's default.
  SmallVector<int64_t> candidateWidths();
  std::vector<float> reduce(const SelectedLayer &s, ArrayRef<float> weight,
                            int64_t bits, const LayerStatistics &stats);
  void runOnOperation() override;
};
} // namespace

SmallVector<int64_t> AssignPrecisionPass::candidateWidths() {
  SmallVector<int64_t> widths(candidates.begin(), candidates.end());
  if (widths.empty())
    widths = scheme == "bcq" ? SmallVector<int64_t>{2, 3, 4}
                             : SmallVector<int64_t>{4, 8};
  llvm::sort(widths);
  return widths;
}

LogicalResult AssignPrecisionPass::validateOptions(
    function_ref<LogicalResult(const Twine &)> bad) {
  bool bcq = scheme == "bcq";
  if (!bcq && scheme != "uniform")
    return bad("scheme must be bcq or uniform, not '" + scheme + "'");
  SmallVector<int64_t> widths = candidateWidths();
  for (int64_t w : widths)
    if (bcq ? (w < 2 || w > 4) : (w < 2 || w > 8))
      return bad("candidate " + Twine(w) + " is not a width of scheme " +
                 scheme + (bcq ? " (2 to 4)" : " (2 to 8)"));
  if (std::adjacent_find(widths.begin(), widths.end()) != widths.end())
    return bad("candidates are listed twice");
  if (budgetBytes < 0 || (budgetBytes > 0 && budget != 0))
    return bad("give either budget (average bits) or budget-bytes (a positive "
               "byte count), not both");
  if (budgetBytes == 0 &&
      !(budget >= double(widths.front()) && budget <= double(widths.back())))
    return bad("budget must be an average width between the smallest and "
               "the largest candidate (" +
               Twine(widths.front()) + " to " + Twine(widths.back()) +
               "), not " + formatNumber(budget));
  if (calibration.empty())
    return bad("calibration=<directory of .npy inputs> is required: the "
               "sensitivities are measured by running the model");
  if (groupSize <= 0 || (bcq && groupSize % 8))
    return bad("group-size must be positive" +
               Twine(bcq ? " and a multiple of 8" : "") + ", not " +
               Twine(groupSize));
  if (granularity != "per-channel" && granularity != "group")
    return bad("granularity must be per-channel or group, not '" + granularity +
               "'");
  if (scheme == "bcq" && !symmetric)
    return bad("symmetric applies to scheme=uniform only (binary codes have "
               "no zero point)");
  if (objective != "weight" && objective != "output")
    return bad("objective must be weight or output, not '" + objective + "'");
  if (iterations < 0 || iterations > 100)
    return bad("iterations must be in [0, 100], not " + Twine(iterations));
  return success();
}

/// The layer's weight reduced to `bits` by the scheme, dequantized ([N,K]).
std::vector<float> AssignPrecisionPass::reduce(const SelectedLayer &s,
                                               ArrayRef<float> weight,
                                               int64_t bits,
                                               const LayerStatistics &stats) {
  // As the pass that follows fits it (without its remarks).
  const LinearLayer &layer = s.layer;
  if (scheme == "bcq") {
    bool output = objective == "output";
    quant::BinaryCodingOptions options =
        bcqFitOptions(layer, /*pass=*/"", bits, groupSize, iterations, output);
    return quant::dequantize(
        quant::quantizeBinaryCoding(weight.data(), layer.n, layer.k, options,
                                    output ? stats.hessian.data() : nullptr));
  }
  quant::UniformOptions options = uniformFitOptions(
      layer, /*pass=*/"", bits, granularity == "group", groupSize, symmetric);
  return quant::dequantize(
      quant::quantizeUniform(weight.data(), layer.n, layer.k, options));
}

void AssignPrecisionPass::runOnOperation() {
  if (failed(checkOptions()))
    return signalPassFailure();
  SmallVector<int64_t> widths = candidateWidths();
  ModuleOp module = getOperation();
  FailureOr<LayerSelection> selection = selectLayers(
      module, kPass, function, includeHead, /*policyPath=*/"", widths.back(),
      [](int64_t) { return true; }, "");
  if (failed(selection))
    return signalPassFailure();
  func::FuncOp func = selection->func;
  std::vector<SelectedLayer> &layers = selection->layers;
  if (layers.empty()) {
    module.emitError() << kPass << ": the model has no linear layer to size";
    return signalPassFailure();
  }
  FailureOr<std::vector<CalibrationSample>> samples =
      loadCalibrationSamples(func, calibration);
  if (failed(samples))
    return signalPassFailure();
  std::vector<LinearLayer> linear;
  for (const SelectedLayer &s : layers)
    linear.push_back(s.layer);
  std::vector<LayerStatistics> stats(layers.size());
  if (scheme == "bcq" && objective == "output") {
    auto collected =
        collectLayerStatistics(func, linear, *samples, /*withHessian=*/true);
    if (failed(collected))
      return signalPassFailure();
    stats = std::move(*collected);
  }
  auto runner = WeightSubstitutionRunner::create(func, linear);
  if (failed(runner))
    return signalPassFailure();

  // Reference outputs and their energy.
  auto fail = [&](llvm::Error e) {
    func.emitError() << kPass << ": " << llvm::toString(std::move(e));
    signalPassFailure();
  };
  std::vector<NpyArray> reference;
  double energy = 0;
  for (const CalibrationSample &sample : *samples) {
    auto out = (*runner)->run(sample);
    if (!out)
      return fail(out.takeError());
    for (int64_t i = 0, e = out->numElements(); i < e; ++i)
      energy += out->getAsDouble(i) * out->getAsDouble(i);
    reference.push_back(std::move(*out));
  }
  if (energy == 0)
    energy = 1;

  std::vector<std::vector<double>> sensitivity(layers.size());
  std::vector<int64_t> params;
  for (auto [l, s] : llvm::enumerate(layers)) {
    params.push_back(s.layer.k * s.layer.n);
    std::optional<std::vector<float>> weight = readWeightNK(s.layer);
    if (!weight) {
      s.layer.op->emitError() << kPass << ": cannot read the weight";
      return signalPassFailure();
    }
    for (int64_t bits : widths) {
      std::vector<float> reduced = reduce(s, *weight, bits, stats[l]);
      double err = 0;
      for (auto [i, sample] : llvm::enumerate(*samples)) {
        auto out = (*runner)->run(sample, l, &reduced);
        if (!out)
          return fail(out.takeError());
        for (int64_t e = 0, n = out->numElements(); e < n; ++e) {
          double d = out->getAsDouble(e) - reference[i].getAsDouble(e);
          err += d * d;
        }
      }
      sensitivity[l].push_back(err / energy);
    }
  }
  // A byte budget is an average width over these layers.
  double averageBudget = budget;
  if (budgetBytes > 0) {
    int64_t total = std::accumulate(params.begin(), params.end(), int64_t(0));
    averageBudget = double(budgetBytes) * 8.0 / double(total);
    if (averageBudget < double(widths.front())) {
      module.emitError() << kPass << ": budget-bytes=" << int64_t(budgetBytes)
                         << " is below the " << widths.front()
                         << "-bit codes of the " << total
                         << " parameters sized ("
                         << (total * widths.front() + 7) / 8 << " bytes)";
      return signalPassFailure();
    }
    averageBudget = std::min(averageBudget, double(widths.back()));
  }
  std::vector<size_t> picked =
      allocate(sensitivity, params, widths, averageBudget);
  if (picked.empty()) {
    module.emitError() << kPass << ": no allocation meets budget "
                       << formatNumber(averageBudget);
    return signalPassFailure();
  }

  // The choice: attributes for the pass that follows, and the policy file.
  llvm::json::Array layerJson;
  double bitsTotal = 0, paramsTotal = 0, chosenSensitivity = 0;
  Builder b(&getContext());
  for (auto [l, s] : llvm::enumerate(layers)) {
    int64_t bits = widths[picked[l]];
    s.layer.op->setAttr(kBitsAttrName, b.getI64IntegerAttr(bits));
    bitsTotal += double(bits) * params[l];
    paramsTotal += params[l];
    chosenSensitivity += sensitivity[l][picked[l]];
    llvm::json::Object sens;
    for (auto [j, w] : llvm::enumerate(widths))
      sens[std::to_string(w)] = sensitivity[l][j];
    layerJson.push_back(llvm::json::Object{{"name", s.layer.name},
                                           {"bits", bits},
                                           {"params", params[l]},
                                           {"sensitivity", std::move(sens)}});
  }
  double average = bitsTotal / paramsTotal;
  mlir::emitRemark(func.getLoc())
      << kPass << ": " << layers.size() << " layers at "
      << llvm::formatv("{0:F3}", average).str() << " bits on average (budget "
      << formatNumber(averageBudget) << "), summed sensitivity "
      << llvm::formatv("{0:E3}", chosenSensitivity).str();
  if (!output.empty()) {
    llvm::json::Object root{{"format", "loom-precision-policy"},
                            {"version", 1},
                            {"scheme", scheme.getValue()},
                            {"symmetric", bool(symmetric)},
                            {"budget_bits", averageBudget},
                            {"budget_bytes", int64_t(budgetBytes)},
                            {"average_bits", average},
                            {"summed_sensitivity", chosenSensitivity},
                            {"calibration_samples", int64_t(samples->size())},
                            {"layers", std::move(layerJson)}};
    if (failed(
            writeJsonFile(module, output, llvm::json::Value(std::move(root)))))
      return signalPassFailure();
  }
}
