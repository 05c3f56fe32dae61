//===- Quantize.cpp - loom-quantize ---------------------------------------===//
//
// Weight-only int8/int4 and W8A8 quantization of a model's linear layers.
// The weights are fitted by LoomQuantFitting (round to nearest, or GPTQ with
// the layer's calibration Hessian); the rewrite itself is local:
//
//   weight-only:  y = loom.qmatmul(x, codes, scales[, zero points])
//   w8a8:         s_x = max|x[m,:]| / 127            (or a calibrated scalar)
//                 acc = linalg.matmul(loom.quantize(x, s_x), codes^T) : i32
//                 y   = float(acc) * s_x * s_w[n]
//
//===----------------------------------------------------------------------===//

#include "PassSupport.h"

#include "loom/IR/LoomOps.h"
#include "loom/Quantization/Fitting.h"
#include "loom/Quantization/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMQUANTIZE
#include "loom/Quantization/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {
constexpr StringLiteral kPass = "loom-quantize";

/// A parallel linalg.generic over `shape` whose body `build` computes the
/// output element from the inputs' elements read through `maps`.
Value elementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> build) {
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<AffineMap> maps(inputMaps.begin(), inputMaps.end());
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, build(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

struct QuantizePass
    : ValidatedOptionsPass<QuantizePass,
                           loom::impl::LoomQuantizeBase<QuantizePass>> {
  using ValidatedOptionsPass::ValidatedOptionsPass;

  LogicalResult validateOptions(function_ref<LogicalResult(const Twine &)> bad);
  void rewriteWeightOnly(const SelectedLayer &s, ArrayRef<float> weight,
                         const LayerStatistics *stats);
  void rewriteW8A8(const SelectedLayer &s, ArrayRef<float> weight,
                   const LayerStatistics *stats);
  LogicalResult quantizeExperts(func::FuncOp func, int64_t bits,
                                ArrayRef<ExpertRows> rows);
  void runOnOperation() override;

  bool isW8A8() const { return mode == "w8a8"; }
};
} // namespace

LogicalResult
QuantizePass::validateOptions(function_ref<LogicalResult(const Twine &)> bad) {
  if (mode != "weight-only" && mode != "w8a8")
    return bad("mode must be weight-only or w8a8, not '" + mode + "'");
  if (bits < 2 || bits > 8)
    return bad("bits must be in [2, 8], not " + Twine(bits));
  if (granularity != "per-channel" && granularity != "group")
    return bad("granularity must be per-channel or group, not '" + granularity +
               "'");
  if (groupSize <= 0 || (bits <= 4 && groupSize % 2))
    return bad("group-size must be positive (and even for 4 bits or fewer), "
               "not " +
               Twine(groupSize));
  if (rounding != "nearest" && rounding != "gptq")
    return bad("rounding must be nearest or gptq, not '" + rounding + "'");
  if (activationScale != "dynamic" && activationScale != "static")
    return bad("activation-scale must be dynamic or static, not '" +
               activationScale + "'");
  if (rounding == "gptq" && calibration.empty())
    return bad("rounding=gptq needs calibration=<directory of .npy inputs>");
  if (isW8A8()) {
    if (bits != 8)
      return bad("mode=w8a8 computes in int8: bits must be 8");
    if (granularity != "per-channel" || !symmetric)
      return bad("mode=w8a8 uses symmetric per-channel weight scales (the "
                 "i32 accumulator is rescaled once per output)");
    if (rounding != "nearest")
      return bad("mode=w8a8 rounds to nearest");
    if (activationScale == "static" && calibration.empty())
      return bad("activation-scale=static needs calibration=<directory of "
                 ".npy inputs>");
  }
  return success();
}

void QuantizePass::rewriteWeightOnly(const SelectedLayer &s,
                                     ArrayRef<float> weight,
                                     const LayerStatistics *stats) {
  const LinearLayer &layer = s.layer;
  quant::UniformOptions options = uniformFitOptions(
      layer, kPass, s.bits, granularity == "group", groupSize, symmetric,
      /*multiple=*/s.bits <= 4 ? 2 : 1);
  options.rounding = rounding == "gptq" ? quant::UniformRounding::Gptq
                                        : quant::UniformRounding::Nearest;
  quant::UniformWeights q = quant::quantizeUniform(
      weight.data(), layer.n, layer.k, options,
      stats && !stats->hessian.empty() ? stats->hessian.data() : nullptr);

  OpBuilder b(layer.op);
  Location loc = layer.op.getLoc();
  Type i8 = b.getI8Type();
  // Codes of 2 to 4 bits are stored as int4 (two per byte), wider ones as
  // int8: loom.qmatmul's two storage formats.
  int64_t storage = s.bits <= 4 ? 4 : 8;
  if (storage == 4 && layer.k % 2) {
    mlir::emitRemark(layer.op.getLoc())
        << kPass << ": layer '" << layer.name
        << "' stores its codes as int8: K = " << layer.k << " is odd";
    storage = 8;
  }
  std::vector<int8_t> codes =
      storage == 4 ? quant::packInt4(q.codes, layer.n, layer.k) : q.codes;
  int64_t packedK = storage == 4 ? layer.k / 2 : layer.k;
  Value w = makeConstant<int8_t>(b, loc,
                                 RankedTensorType::get({layer.n, packedK}, i8),
                                 codes, "loom_qweight");
  SmallVector<int64_t> paramShape = {layer.n};
  if (options.groupSize)
    paramShape.push_back(q.numGroups());
  Value scales = makeConstant<float>(
      b, loc, RankedTensorType::get(paramShape, b.getF32Type()), q.scales,
      "loom_qscale");
  Value zeros;
  if (!q.zeroPoints.empty())
    zeros = makeConstant<int8_t>(b, loc, RankedTensorType::get(paramShape, i8),
                                 q.zeroPoints, "loom_qzero");
  IntegerAttr group = options.groupSize ? b.getI64IntegerAttr(options.groupSize)
                                        : IntegerAttr();
  auto qmatmul = QMatmulOp::create(b, loc, layer.op.getResultTypes()[0],
                                   layer.op.getDpsInputs()[0], w, scales, zeros,
                                   b.getI64IntegerAttr(storage), group);
  layer.op.getResult(0).replaceAllUsesWith(qmatmul.getResult());
  layer.op.erase();
}

void QuantizePass::rewriteW8A8(const SelectedLayer &s, ArrayRef<float> weight,
                               const LayerStatistics *stats) {
  const LinearLayer &layer = s.layer;
  quant::UniformOptions options; // 8 bits, symmetric, per channel
  quant::UniformWeights q =
      quant::quantizeUniform(weight.data(), layer.n, layer.k, options);

  OpBuilder b(layer.op);
  Location loc = layer.op.getLoc();
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
  Value x = layer.op.getDpsInputs()[0];
  int64_t m = layer.m, k = layer.k, n = layer.n;
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  AffineMap id2 = AffineMap::get(2, 0, {d0, d1}, ctx);
  AffineMap rows = AffineMap::get(2, 0, {d0}, ctx);
  AffineMap cols = AffineMap::get(2, 0, {d1}, ctx);

  // Activation scales: [M] per token, or [1] per tensor.
  Value xScale;
  bool perToken = activationScale == "dynamic";
  if (perToken) {
    // absmax[m] = max_k |x[m,k]|, then s = absmax / 127 (1 for a zero row).
    auto rowType = RankedTensorType::get({m}, f32);
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value init =
        linalg::FillOp::create(
            b, loc, zero, ValueRange{tensor::EmptyOp::create(b, loc, {m}, f32)})
            .getResult(0);
    auto reduce = linalg::GenericOp::create(
        b, loc, rowType, x, init, ArrayRef<AffineMap>{id2, rows},
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                      utils::IteratorType::reduction},
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value abs = math::AbsFOp::create(nb, nloc, args[0]);
          Value max = arith::MaximumFOp::create(nb, nloc, args[1], abs);
          linalg::YieldOp::create(nb, nloc, max);
        });
    AffineMap id1 = b.getMultiDimIdentityMap(1);
    xScale = elementwise(
        b, loc, rowType, reduce.getResult(0), {id1},
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value c127 =
              arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(127));
          Value one =
              arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(1));
          Value zeroF =
              arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(0));
          Value scaled = arith::DivFOp::create(nb, nloc, args[0], c127);
          Value isZero = arith::CmpFOp::create(
              nb, nloc, arith::CmpFPredicate::OEQ, args[0], zeroF);
          return arith::SelectOp::create(nb, nloc, isZero, one, scaled)
              .getResult();
        });
  } else {
    float scale = stats->absMax > 0 ? float(stats->absMax / 127.0) : 1.0f;
    xScale = makeConstant<float>(b, loc, RankedTensorType::get({1}, f32),
                                 ArrayRef<float>(scale), "loom_xscale");
  }
  auto qx = QuantizeOp::create(
      b, loc, RankedTensorType::get({m, k}, i8), x, xScale, Value(),
      perToken ? QuantGranularity::per_token : QuantGranularity::per_tensor);

  // Codes as the [K,N] operand of an integer matmul.
  std::vector<int8_t> codesKN = transposed<int8_t>(q.codes, n, k);
  Value w = makeConstant<int8_t>(b, loc, RankedTensorType::get({k, n}, i8),
                                 codesKN, "loom_qweight");
  Value zeroI = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  Value accInit = linalg::FillOp::create(
                      b, loc, zeroI,
                      ValueRange{tensor::EmptyOp::create(b, loc, {m, n}, i32)})
                      .getResult(0);
  Value acc = linalg::MatmulOp::create(
                  b, loc, TypeRange{RankedTensorType::get({m, n}, i32)},
                  ValueRange{qx, w}, ValueRange{accInit})
                  .getResult(0);
  Value wScale = makeConstant<float>(b, loc, RankedTensorType::get({n}, f32),
                                     q.scales, "loom_qscale");
  AffineMap xScaleMap =
      perToken ? rows
               : AffineMap::get(2, 0, {getAffineConstantExpr(0, ctx)}, ctx);
  Value y = elementwise(
      b, loc, RankedTensorType::get({m, n}, f32), {acc, xScale, wScale},
      {id2, xScaleMap, cols},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value accF =
            arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), args[0]);
        Value t = arith::MulFOp::create(nb, nloc, accF, args[1]);
        return arith::MulFOp::create(nb, nloc, t, args[2]).getResult();
      });
  layer.op.getResult(0).replaceAllUsesWith(y);
  layer.op.erase();
}

/// The activation of a non-gated expert (or SwiGLU's gate), in double.
static double expertActivation(MoEActivation activation, double x) {
  switch (activation) {
  case MoEActivation::swiglu:
    return x / (1 + std::exp(-x));
  case MoEActivation::gelu:
    return 0.5 * x * (1 + std::erf(x * M_SQRT1_2));
  case MoEActivation::gelu_tanh:
    return 0.5 * x *
           (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  case MoEActivation::relu:
    return x > 0 ? x : 0;
  }
  return x;
}

/// The expert weights of each loom.moe.ffn (weight-only): every expert's
/// `[K,N]` matrix of w1, w2 (and w3) gets `bits`-wide codes per output
/// channel or per group, symmetric or with zero points, rounded to nearest
/// or by GPTQ with the Hessian of the calibration rows routed to that expert
/// (`rows` from collectExpertRows: `x` for w1 and w3, the expert's hidden
/// activation for w2). The op then takes the codes `[NF,K,N]` (int8) or
/// `[NF,K/2,N]` (packed int4) with `[NF,G,N]` scales as operands and
/// dequantizes them inside its expert loop.
LogicalResult QuantizePass::quantizeExperts(func::FuncOp func, int64_t bits,
                                            ArrayRef<ExpertRows> rows) {
  std::vector<ExpertWeight> all = findExpertWeights(func);
  for (auto [layerIndex, moeOp] : llvm::enumerate(findMoEOps(func))) {
    auto moe = cast<MoEFFNOp>(moeOp);
    SmallVector<const ExpertWeight *> weights;
    for (const ExpertWeight &w : all)
      if (w.op == moeOp)
        weights.push_back(&w);
    unsigned expected = moe.getW3() ? 3 : 2;
    if (weights.size() != expected || !moe.getScales().empty()) {
      mlir::emitRemark(moe.getLoc())
          << kPass
          << ": expert weights of loom.moe.ffn left alone (not all f32 "
             "constants)";
      continue;
    }
    // Storage: int4 (two codes per byte along K) for 2 to 4 bits, if every
    // K is even; groups if asked for and the group size divides every K.
    int64_t storage = bits <= 4 ? 4 : 8;
    for (const ExpertWeight *w : weights)
      if (storage == 4 && w->k % 2) {
        mlir::emitRemark(moe.getLoc())
            << kPass << ": expert weight '" << w->name
            << "' has an odd K = " << w->k << ": the layer stores int8 codes";
        storage = 8;
      }
    int64_t group = 0;
    if (granularity == "group") {
      group = groupSize;
      for (const ExpertWeight *w : weights)
        if (w->k % group || (storage == 4 && group % 2)) {
          mlir::emitRemark(moe.getLoc())
              << kPass << ": group size " << group
              << " does not divide K = " << w->k << " of '" << w->name
              << "'; the layer's experts use one scale per output channel";
          group = 0;
          break;
        }
    }
    quant::UniformOptions options;
    options.bits = bits;
    options.symmetric = symmetric;
    options.groupSize = group;
    bool gptq = rounding == "gptq";

    // The float weights ([N,K] per expert) and, for GPTQ, each ffn
    // expert's routed rows.
    std::vector<std::vector<std::vector<float>>> floatWeights;
    for (const ExpertWeight *w : weights) {
      std::optional<std::vector<std::vector<float>>> experts =
          readExpertWeightsNK(*w);
      if (!experts)
        return moe.emitError()
               << kPass << ": cannot read the expert weight " << w->name;
      floatWeights.push_back(std::move(*experts));
    }
    int64_t numFFN = weights[0]->experts;
    int64_t hidden = weights[0]->k, ffnSize = weights[0]->n;
    std::vector<std::vector<float>> expertRows(numFFN);
    const std::vector<float> *allRows = nullptr;
    if (gptq) {
      allRows = &rows[layerIndex].all;
      SmallVector<int64_t> ffnExperts;
      int64_t numExperts = moe.getRouterWeight().getType().getDimSize(1);
      for (int64_t e = 0; e < numExperts; ++e)
        if (!moe.getKinds() ||
            cast<MoEExpertKindAttr>((*moe.getKinds())[e]).getValue() ==
                MoEExpertKind::ffn)
          ffnExperts.push_back(e);
      for (auto [j, e] : llvm::enumerate(ffnExperts))
        expertRows[j] = rows[layerIndex].routed[e];
    }
    int64_t fromAllRows = 0;

    std::vector<std::vector<int8_t>> codes(weights.size()),
        zeros(weights.size());
    std::vector<std::vector<float>> scales(weights.size());
    for (auto [i, w] : llvm::enumerate(weights)) {
      int64_t k = w->k, n = w->n;
      int64_t numGroups = group ? k / group : 1;
      int64_t packedK = storage == 4 ? k / 2 : k;
      codes[i].assign(numFFN * packedK * n, 0);
      scales[i].assign(numFFN * numGroups * n, 0);
      if (!symmetric)
        zeros[i].assign(numFFN * numGroups * n, 0);
      bool isW2 = i == 1; // w1, w2, w3 in findExpertWeights' order
      for (int64_t e = 0; e < numFFN; ++e) {
        std::vector<double> hessian;
        // The expert's routed rows, or, when they are fewer than the
        // weight's inputs (a singular Hessian GPTQ would overfit), every
        // input row of the layer.
        const std::vector<float> *x = &expertRows[e];
        if (gptq && int64_t(x->size() / hidden) < k) {
          x = allRows;
          ++fromAllRows;
        }
        int64_t count = x->size() / hidden;
        if (gptq && count > 0) {
          hessian.assign(k * k, 0.0);
          if (!isW2) {
            quant::accumulateHessian(hessian, x->data(), count, k);
          } else {
            // The expert's hidden activation on its rows, from the float
            // w1 (and w3): the input of w2.
            const std::vector<float> &w1 = floatWeights[0][e];
            const std::vector<float> *w3 =
                weights.size() > 2 ? &floatWeights[2][e] : nullptr;
            std::vector<float> act(count * ffnSize);
            for (int64_t r = 0; r < count; ++r)
              for (int64_t f = 0; f < ffnSize; ++f) {
                double g = 0, u = 0;
                for (int64_t h = 0; h < hidden; ++h) {
                  g += double((*x)[r * hidden + h]) * w1[f * hidden + h];
                  if (w3)
                    u += double((*x)[r * hidden + h]) * (*w3)[f * hidden + h];
                }
                double a = expertActivation(moe.getActivation(), g);
                act[r * ffnSize + f] = float(w3 ? a * u : a);
              }
            quant::accumulateHessian(hessian, act.data(), count, k);
          }
        }
        quant::UniformOptions fit = options;
        fit.rounding = hessian.empty() ? quant::UniformRounding::Nearest
                                       : quant::UniformRounding::Gptq;
        quant::UniformWeights q =
            quant::quantizeUniform(floatWeights[i][e].data(), n, k, fit,
                                   hessian.empty() ? nullptr : hessian.data());
        for (int64_t nn = 0; nn < n; ++nn) {
          for (int64_t g = 0; g < numGroups; ++g) {
            int64_t at = (e * numGroups + g) * n + nn;
            scales[i][at] = q.scales[nn * numGroups + g];
            if (!symmetric)
              zeros[i][at] = q.zeroPoints[nn * numGroups + g];
          }
          for (int64_t kk = 0; kk < k; ++kk) {
            int8_t code = q.codes[nn * k + kk];
            int64_t at = (e * packedK + (storage == 4 ? kk / 2 : kk)) * n + nn;
            if (storage == 8)
              codes[i][at] = code;
            else if (kk % 2 == 0)
              codes[i][at] = int8_t((codes[i][at] & 0xF0) | (code & 0x0F));
            else
              codes[i][at] = int8_t((codes[i][at] & 0x0F) | (code << 4));
          }
        }
      }
    }

    OpBuilder b(moe);
    Location loc = moe.getLoc();
    Type f32 = b.getF32Type(), i8 = b.getI8Type();
    SmallVector<Value> codeValues, scaleValues, zeroValues;
    for (auto [i, w] : llvm::enumerate(weights)) {
      int64_t numGroups = group ? w->k / group : 1;
      int64_t packedK = storage == 4 ? w->k / 2 : w->k;
      codeValues.push_back(makeConstant<int8_t>(
          b, loc, RankedTensorType::get({numFFN, packedK, w->n}, i8), codes[i],
          "loom_qexperts"));
      auto paramType = [&](Type t) {
        return RankedTensorType::get({numFFN, numGroups, w->n}, t);
      };
      scaleValues.push_back(makeConstant<float>(b, loc, paramType(f32),
                                                scales[i], "loom_qscale"));
      if (!symmetric)
        zeroValues.push_back(makeConstant<int8_t>(b, loc, paramType(i8),
                                                  zeros[i], "loom_qzero"));
    }
    // codeValues follow `weights`, which follow w1, w2, w3 (findExpertWeights'
    // order).
    auto quantized = MoEFFNOp::create(
        b, loc, moe->getResultTypes(), moe.getInput(), moe.getRouterWeight(),
        codeValues[0], codeValues[1],
        codeValues.size() > 2 ? codeValues[2] : Value(), moe.getConstants(),
        scaleValues, zeroValues, moe.getModeAttr(), moe.getKAttr(),
        moe.getTopPAttr(), moe.getKMaxAttr(), moe.getRenormalizeAttr(),
        moe.getCapacityFactorAttr(), moe.getActivationAttr(),
        moe.getKindsAttr(),
        storage == 4 ? b.getI64IntegerAttr(4) : IntegerAttr(),
        group ? b.getI64IntegerAttr(group) : IntegerAttr());
    quantized->setDiscardableAttrs(moe->getDiscardableAttrDictionary());
    moe->replaceAllUsesWith(quantized);
    SmallVector<Value> floatValues = {moe.getW1(), moe.getW2()};
    if (moe.getW3())
      floatValues.push_back(moe.getW3());
    moe->erase();
    // The f32 expert constants are dead now: the artifact holds the codes.
    for (Value v : floatValues)
      if (Operation *def = v.getDefiningOp(); def && def->use_empty())
        def->erase();
    mlir::emitRemark(loc)
        << kPass << ": expert weights of loom.moe.ffn stored as " << bits
        << "-bit codes (" << (storage == 4 ? "packed int4" : "int8") << "), "
        << (group ? "groups of " + std::to_string(group)
                  : std::string("per output channel"))
        << ", " << (symmetric ? "symmetric" : "with zero points") << ", "
        << (gptq ? "GPTQ with each expert's routed calibration rows"
                 : "rounded to nearest")
        << "; dequantized inside the expert loop";
    if (fromAllRows)
      mlir::emitRemark(loc)
          << kPass << ": " << fromAllRows
          << " expert weight(s) were routed fewer calibration rows than "
             "they have inputs: their GPTQ Hessians come from every input "
             "row of the layer";
  }
  return success();
}

void QuantizePass::runOnOperation() {
  if (failed(checkOptions()))
    return signalPassFailure();
  ModuleOp module = getOperation();
  int64_t defaultBits = bits;
  bool w8a8 = isW8A8();
  FailureOr<LayerSelection> selection = selectLayers(
      module, kPass, function, includeHead, policy, defaultBits,
      [&](int64_t b) { return w8a8 ? b == 8 : b >= 2 && b <= 8; },
      w8a8 ? "mode=w8a8 takes 8" : "weight-only takes 2 to 8");
  if (failed(selection))
    return signalPassFailure();
  bool needStats = rounding == "gptq" || (w8a8 && activationScale == "static");
  std::vector<LayerStatistics> stats;
  if (needStats) {
    auto collected =
        calibrateLayers(selection->func, selection->layers, calibration,
                        /*withHessian=*/rounding == "gptq");
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
    const LayerStatistics *layerStats = needStats ? &stats[i] : nullptr;
    if (w8a8)
      rewriteW8A8(s, *weight, layerStats);
    else
      rewriteWeightOnly(s, *weight, layerStats);
    ++numQuantized;
  }
  // Mixture-of-experts weights: quantized operands of loom.moe.ffn
  // (weight-only), or left alone (w8a8).
  std::vector<Operation *> moeOps = findMoEOps(selection->func);
  if (w8a8) {
    for (Operation *moe : moeOps)
      mlir::emitRemark(moe->getLoc())
          << kPass
          << ": expert weights of loom.moe.ffn left in f32 (mode=w8a8 "
             "rewrites linear layers only)";
  } else if (!moeOps.empty()) {
    std::vector<ExpertRows> rows;
    if (rounding == "gptq") {
      FailureOr<std::vector<CalibrationSample>> samples =
          loadCalibrationSamples(selection->func, calibration);
      if (failed(samples))
        return signalPassFailure();
      FailureOr<std::vector<ExpertRows>> collected =
          collectExpertRows(selection->func, moeOps, *samples);
      if (failed(collected))
        return signalPassFailure();
      rows = std::move(*collected);
    }
    if (failed(quantizeExperts(selection->func, bits, rows)))
      return signalPassFailure();
  }
  mlir::emitRemark(selection->func.getLoc())
      << kPass << ": rewrote " << selection->layers.size() << " linear layers ("
      << mode << ", " << (w8a8 ? 8 : int64_t(bits)) << "-bit"
      << (policy.empty() ? "" : " by default, policy " + policy) << ")";
}
