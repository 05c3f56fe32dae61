//===- SkipLayers.cpp - loom-skip-layers ----------------------------------===//
//
// Scores every transformer sublayer of the chosen granularity by how little
// it changes the residual stream on calibration inputs (cosine similarity
// of the stream before and after it, per token, averaged) and removes the
// most redundant ones: their residual add becomes its residual input.
//
//===----------------------------------------------------------------------===//

#include "Sublayers.h"

#include "loom/Pruning/Passes.h"
#include "loom/Quantization/Calibration.h"
#include "loom/Quantization/LinearLayers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/Support/Debug.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <numeric>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMSKIPLAYERS
#include "loom/Pruning/Passes.h.inc"
} // namespace loom
} // namespace mlir

#define DEBUG_TYPE "loom-skip-layers"

using namespace mlir;
using namespace mlir::loom;

/// `value` as %g prints it ("0.8", "1.5").
static std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%g", value);
  return text;
}

namespace {
constexpr StringLiteral kPass = "loom-skip-layers";

struct SkipLayersPass : loom::impl::LoomSkipLayersBase<SkipLayersPass> {
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return validateOptions([&](const Twine &what) {
      return errorHandler(Twine(kPass) + ": " + what);
    });
  }

  void runOnOperation() override;

private:
  bool hasThreshold() const { return threshold.hasValue() || threshold != 2.0; }
  bool hasCount() const { return count.hasValue() || count != -1; }
  LogicalResult validateOptions(function_ref<LogicalResult(const Twine &)> bad);
  /// The mean per-token cosine of each sublayer's input and output over the
  /// calibration samples.
  FailureOr<std::vector<double>> score(func::FuncOp func,
                                       ArrayRef<Sublayer> sublayers);
};
} // namespace

LogicalResult SkipLayersPass::validateOptions(
    function_ref<LogicalResult(const Twine &)> bad) {
  if (metric != "cosine")
    return bad("metric must be cosine, not '" + metric + "'");
  if (granularity != "attention" && granularity != "mlp" &&
      granularity != "block")
    return bad("granularity must be attention, mlp or block, not '" +
               granularity + "'");
  if (hasThreshold() == hasCount())
    return bad("exactly one of threshold and count must be given");
  if (hasThreshold() && !(threshold >= -1.0 && threshold <= 1.0))
    return bad("threshold must be in [-1, 1], not " + formatNumber(threshold));
  if (hasCount() && count < 0)
    return bad("count must be non-negative, not " +
               Twine(static_cast<int64_t>(count)));
  if (calibration.empty())
    return bad("calibration is required (a directory of .npy model inputs)");
  return success();
}

FailureOr<std::vector<double>>
SkipLayersPass::score(func::FuncOp func, ArrayRef<Sublayer> sublayers) {
  FailureOr<std::vector<CalibrationSample>> samples =
      loadCalibrationSamples(func, calibration);
  if (failed(samples))
    return failure();
  SmallVector<Value> taps;
  for (const Sublayer &s : sublayers)
    taps.append({s.input, s.output});
  std::vector<double> sums(sublayers.size(), 0.0);
  std::vector<int64_t> tokens(sublayers.size(), 0);
  auto accumulate = [&](ArrayRef<const NpyArray *> arrays) -> LogicalResult {
    for (size_t i = 0; i < sublayers.size(); ++i) {
      const NpyArray &x = *arrays[2 * i], &y = *arrays[2 * i + 1];
      if (x.dtype != DType::F32 || y.dtype != DType::F32 || x.shape.empty())
        return func.emitError() << kPass << ": the residual stream must be f32";
      int64_t dim = x.shape.back(), rows = x.numElements() / dim;
      const float *xs = reinterpret_cast<const float *>(x.data.data());
      const float *ys = reinterpret_cast<const float *>(y.data.data());
      for (int64_t r = 0; r < rows; ++r) {
        double dot = 0, xx = 0, yy = 0;
        for (int64_t c = r * dim; c < (r + 1) * dim; ++c) {
          dot += double(xs[c]) * ys[c];
          xx += double(xs[c]) * xs[c];
          yy += double(ys[c]) * ys[c];
        }
        // Two zero vectors are alike; a zero and a non-zero one are not.
        sums[i] += (xx == 0 || yy == 0) ? (xx == yy ? 1.0 : 0.0)
                                        : dot / std::sqrt(xx * yy);
      }
      tokens[i] += rows;
    }
    return success();
  };
  if (failed(runWithTaps(func, taps, *samples, accumulate)))
    return failure();
  std::vector<double> scores(sublayers.size());
  for (size_t i = 0; i < sublayers.size(); ++i)
    scores[i] = sums[i] / std::max<int64_t>(tokens[i], 1);
  return scores;
}

/// Erases the ops of `block` left without uses (users come after their
/// operands, so one reverse sweep suffices).
static void eraseDeadOps(RewriterBase &rewriter, Block &block) {
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (isOpTriviallyDead(&op))
      rewriter.eraseOp(&op);
}

void SkipLayersPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (failed(validateOptions([&](const Twine &what) {
        return emitError(module.getLoc()) << kPass << ": " << what;
      })))
    return signalPassFailure();
  func::FuncOp func = getEntryFunction(module, function);
  if (!func)
    return signalPassFailure();
  SublayerKind kind = granularity == "attention" ? SublayerKind::Attention
                      : granularity == "mlp"     ? SublayerKind::MLP
                                                 : SublayerKind::Block;
  StringRef kindName = sublayerKindName(kind);
  // "attention sublayer", "mlp sublayer" or "block".
  std::string noun =
      (kind == SublayerKind::Block ? "block" : kindName + " sublayer").str();
  std::vector<Sublayer> sublayers = findSublayers(func, kind);
  if (sublayers.empty()) {
    func.emitError() << kPass << ": found no " << noun
                     << "s (residual adds x + f(x) whose branch f "
                        "holds a loom attention op, for attention, or a "
                        "matmul and no attention, for mlp; a block is an "
                        "attention sublayer followed by its mlp sublayer)";
    return signalPassFailure();
  }
  int64_t n = sublayers.size();
  LLVM_DEBUG({
    for (const Sublayer &s : sublayers)
      llvm::dbgs() << kindName << " " << s.index << ": " << *s.add << "\n";
  });
  if (hasCount() && count > n) {
    func.emitError() << kPass << ": count=" << static_cast<int64_t>(count)
                     << " but the function has only " << n << " " << noun
                     << "s";
    return signalPassFailure();
  }
  FailureOr<std::vector<double>> scores = score(func, sublayers);
  if (failed(scores))
    return signalPassFailure();

  // Most redundant (highest cosine) first; ties keep program order.
  std::vector<int64_t> ranking(n);
  std::iota(ranking.begin(), ranking.end(), 0);
  llvm::sort(ranking, [&](int64_t a, int64_t b) {
    return (*scores)[a] != (*scores)[b] ? (*scores)[a] > (*scores)[b] : a < b;
  });
  std::vector<bool> removed(n, false);
  for (auto [rank, i] : llvm::enumerate(ranking))
    removed[i] =
        hasCount() ? int64_t(rank) < count : (*scores)[i] >= double(threshold);

  std::string ranked;
  for (int64_t i : ranking)
    ranked += llvm::formatv("{0}{1} ({2:f6}{3})", ranked.empty() ? "" : ", ", i,
                            (*scores)[i], removed[i] ? ", removed" : "")
                  .str();
  mlir::emitRemark(func.getLoc())
      << kPass << ": cosine(x, x + f(x)) of the " << n << " " << noun
      << "s, most redundant first: " << ranked;

  IRRewriter rewriter(func.getContext());
  // Program order backwards: a removed sublayer's output may be the input
  // of the next removed one (consecutive blocks).
  SmallVector<int64_t> removedIndices;
  for (int64_t i = n - 1; i >= 0; --i) {
    if (!removed[i])
      continue;
    Sublayer &s = sublayers[i];
    mlir::emitRemark(s.add->getLoc())
        << kPass << ": removed " << noun << " " << i
        << llvm::formatv(" (cosine {0:f6})", (*scores)[i]).str();
    rewriter.replaceAllUsesWith(s.output, s.input);
    removedIndices.insert(removedIndices.begin(), i);
  }
  numRemoved = removedIndices.size();
  mlir::emitRemark(func.getLoc())
      << kPass << ": removed " << removedIndices.size() << " of " << n << " "
      << noun << "s ("
      << (hasCount() ? "count=" + std::to_string(static_cast<int64_t>(count))
                     : "cosine >= " + formatNumber(threshold))
      << ")";
  if (!removedIndices.empty())
    eraseDeadOps(rewriter, func.getBody().front());

  Builder b(func.getContext());
  func->setAttr(
      "loom.skip_layers",
      b.getDictionaryAttr(
          {b.getNamedAttr("granularity", b.getStringAttr(kindName)),
           b.getNamedAttr("metric", b.getStringAttr("cosine")),
           b.getNamedAttr("cosine", b.getDenseF64ArrayAttr(*scores)),
           b.getNamedAttr("removed", b.getDenseI64ArrayAttr(removedIndices))}));
}
