//===- ShiftAdd.cpp - loom-shiftadd ---------------------------------------===//
//
// ShiftAddLLM's binary-coding reparameterisation (loom.bcq_matmul) and
// DeepShift's power-of-two weights (loom.shift_matmul) for a model's linear
// layers. The fits are LoomQuantFitting's; this pass selects the layers,
// calibrates them for the output objective and rewrites them.
//
//===----------------------------------------------------------------------===//

#include "PassSupport.h"

#include "loom/IR/LoomOps.h"
#include "loom/Quantization/Fitting.h"
#include "loom/Quantization/Passes.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMSHIFTADD
#include "loom/Quantization/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {
constexpr StringLiteral kPass = "loom-shiftadd";

struct ShiftAddPass
    : ValidatedOptionsPass<ShiftAddPass,
                           loom::impl::LoomShiftAddBase<ShiftAddPass>> {
  using ValidatedOptionsPass::ValidatedOptionsPass;

  LogicalResult validateOptions(function_ref<LogicalResult(const Twine &)> bad);
  void rewriteBCQ(const SelectedLayer &s, ArrayRef<float> weight,
                  const LayerStatistics *stats);
  void rewritePowerOfTwo(const SelectedLayer &s, ArrayRef<float> weight);
  void runOnOperation() override;
};
} // namespace

LogicalResult
ShiftAddPass::validateOptions(function_ref<LogicalResult(const Twine &)> bad) {
  if (mode != "bcq" && mode != "power-of-two")
    return bad("mode must be bcq or power-of-two, not '" + mode + "'");
  if (bits < 2 || bits > 4)
    return bad("bits must be 2, 3 or 4, not " + Twine(bits));
  if (groupSize <= 0 || groupSize % 8)
    return bad("group-size must be a positive multiple of 8, not " +
               Twine(groupSize));
  if (objective != "weight" && objective != "output")
    return bad("objective must be weight or output, not '" + objective + "'");
  if (iterations < 0 || iterations > 100)
    return bad("iterations must be in [0, 100], not " + Twine(iterations));
  if (objective == "output" && calibration.empty())
    return bad("objective=output needs calibration=<directory of .npy "
               "inputs>");
  quant::PowerOfTwoOptions p2;
  p2.minExponent = minExponent;
  p2.maxExponent = maxExponent;
  if (minExponent < -127 || maxExponent > 127)
    return bad("min-exponent and max-exponent must lie in [-127, 127]");
  if (std::string why = quant::verifyPowerOfTwoOptions(p2); !why.empty())
    return bad(why);
  return success();
}

void ShiftAddPass::rewriteBCQ(const SelectedLayer &s, ArrayRef<float> weight,
                              const LayerStatistics *stats) {
  const LinearLayer &layer = s.layer;
  quant::BinaryCodingOptions options = bcqFitOptions(
      layer, kPass, s.bits, groupSize, iterations, objective == "output");
  quant::BinaryCodedWeights q =
      quant::quantizeBinaryCoding(weight.data(), layer.n, layer.k, options,
                                  stats ? stats->hessian.data() : nullptr);

  OpBuilder b(layer.op);
  Location loc = layer.op.getLoc();
  Type i8 = b.getI8Type();
  int64_t groups = layer.k / options.groupSize;
  std::vector<int8_t> planes(q.planes.begin(), q.planes.end());
  Value planesValue = makeConstant<int8_t>(
      b, loc, RankedTensorType::get({s.bits, layer.n, layer.k / 8}, i8), planes,
      "loom_bcq_planes");
  Value exponents = makeConstant<int8_t>(
      b, loc, RankedTensorType::get({s.bits, layer.n, groups}, i8), q.exponents,
      "loom_bcq_exponents");
  auto op = BCQMatmulOp::create(
      b, loc, layer.op.getResultTypes()[0], layer.op.getDpsInputs()[0],
      planesValue, exponents, b.getI64IntegerAttr(options.groupSize));
  layer.op.getResult(0).replaceAllUsesWith(op.getResult());
  layer.op.erase();
}

void ShiftAddPass::rewritePowerOfTwo(const SelectedLayer &s,
                                     ArrayRef<float> weight) {
  const LinearLayer &layer = s.layer;
  quant::PowerOfTwoOptions options;
  options.minExponent = minExponent;
  options.maxExponent = maxExponent;
  quant::PowerOfTwoWeights q =
      quant::quantizePowerOfTwo(weight.data(), layer.n, layer.k, options);
  OpBuilder b(layer.op);
  Location loc = layer.op.getLoc();
  auto type = RankedTensorType::get({layer.n, layer.k}, b.getI8Type());
  Value sign = makeConstant<int8_t>(b, loc, type, q.signs, "loom_shift_sign");
  Value exponent =
      makeConstant<int8_t>(b, loc, type, q.exponents, "loom_shift_exponent");
  auto op = ShiftMatmulOp::create(
      b, loc, layer.op.getResultTypes()[0], layer.op.getDpsInputs()[0], sign,
      exponent, /*frac_bits=*/IntegerAttr(), /*result_frac_bits=*/IntegerAttr(),
      b.getI64IntegerAttr(minExponent), b.getI64IntegerAttr(maxExponent));
  layer.op.getResult(0).replaceAllUsesWith(op.getResult());
  layer.op.erase();
}

void ShiftAddPass::runOnOperation() {
  if (failed(checkOptions()))
    return signalPassFailure();
  bool bcq = mode == "bcq";
  FailureOr<LayerSelection> selection = selectLayers(
      getOperation(), kPass, function, includeHead, policy, bits,
      [&](int64_t b) { return b >= 2 && b <= 4; },
      "loom.bcq_matmul takes 2, 3 or 4 planes here");
  if (failed(selection))
    return signalPassFailure();
  std::vector<LayerStatistics> stats;
  bool needStats = bcq && objective == "output";
  if (needStats) {
    auto collected = calibrateLayers(selection->func, selection->layers,
                                     calibration, /*withHessian=*/true);
    if (failed(collected))
      return signalPassFailure();
    stats = std::move(*collected);
  }
  for (auto [i, s] : llvm::enumerate(selection->layers)) {
    std::optional<std::vector<float>> weight = readWeightNK(s.layer);
    if (!weight) {
      s.layer.op->emitError()
          << kPass << ": cannot read the weight of '" << s.layer.name << "'";
      return signalPassFailure();
    }
    if (bcq)
      rewriteBCQ(s, *weight, needStats ? &stats[i] : nullptr);
    else
      rewritePowerOfTwo(s, *weight);
    ++numRewritten;
  }
  for (Operation *moe : findMoEOps(selection->func))
    mlir::emitRemark(moe->getLoc())
        << kPass
        << ": expert weights of loom.moe.ffn left in f32 (the op has "
           "no shift-add form)";
  mlir::emitRemark(selection->func.getLoc())
      << kPass << ": rewrote " << selection->layers.size() << " linear layers ("
      << (bcq ? "bcq, " + std::to_string(bits) + " planes by default, " +
                    objective.getValue() + " objective"
              : std::string("power-of-two"))
      << ")";
}
