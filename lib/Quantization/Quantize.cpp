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
  LogicalResult quantizeExperts(func::FuncOp func, int64_t bits);
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

/// The expert weights of loom.moe.ffn (weight-only): each expert's `[K,N]`
/// matrix gets `bits`-wide codes per output channel, stored as an `i8`
/// constant `[E,K,N]` with `[E,N]` scales (and zero points), and the op reads
/// `W = (q - z) * s` from an elementwise linalg.generic: the artifact holds
/// the codes, every call dequantizes them (loom.moe.ffn has no quantized
/// operands; its experts then run in f32 as before).
LogicalResult QuantizePass::quantizeExperts(func::FuncOp func, int64_t bits) {
  for (const ExpertWeight &w : findExpertWeights(func)) {
    quant::UniformOptions options;
    options.bits = bits;
    options.symmetric = symmetric;
    std::vector<int8_t> codes(w.experts * w.k * w.n);
    std::vector<float> scales(w.experts * w.n);
    std::vector<int8_t> zeros(symmetric ? 0 : w.experts * w.n);
    std::optional<std::vector<std::vector<float>>> experts =
        readExpertWeightsNK(w);
    if (!experts)
      return w.op->emitError()
             << kPass << ": cannot read the expert weight " << w.name;
    for (int64_t e = 0; e < w.experts; ++e) {
      quant::UniformWeights q =
          quant::quantizeUniform((*experts)[e].data(), w.n, w.k, options);
      for (int64_t nn = 0; nn < w.n; ++nn) {
        scales[e * w.n + nn] = q.scales[nn];
        if (!symmetric)
          zeros[e * w.n + nn] = q.zeroPoints[nn];
        for (int64_t kk = 0; kk < w.k; ++kk)
          codes[(e * w.k + kk) * w.n + nn] = q.codes[nn * w.k + kk];
      }
    }
    OpBuilder b(w.op);
    Location loc = w.op->getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type(), i8 = b.getI8Type();
    Value q = makeConstant<int8_t>(
        b, loc, RankedTensorType::get({w.experts, w.k, w.n}, i8), codes,
        "loom_qexperts");
    auto paramType = RankedTensorType::get({w.experts, w.n}, f32);
    Value s = makeConstant<float>(b, loc, paramType, scales, "loom_qscale");
    SmallVector<Value> inputs = {q, s};
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
               d2 = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {d0, d1, d2}, ctx),
                                   AffineMap::get(3, 0, {d0, d2}, ctx)};
    if (!symmetric) {
      inputs.push_back(makeConstant<int8_t>(
          b, loc, RankedTensorType::get({w.experts, w.n}, i8), zeros,
          "loom_qzero"));
      maps.push_back(maps[1]);
    }
    Value dequantized = elementwise(
        b, loc, RankedTensorType::get({w.experts, w.k, w.n}, f32), inputs, maps,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value code = arith::SIToFPOp::create(nb, nloc, f32, args[0]);
          if (args.size() > 2)
            code = arith::SubFOp::create(
                nb, nloc, code,
                arith::SIToFPOp::create(nb, nloc, f32, args[2]));
          return arith::MulFOp::create(nb, nloc, code, args[1]).getResult();
        });
    w.op->setOperand(w.operandIndex, dequantized);
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
  // Mixture-of-experts weights: weight-only codes dequantized per call, or
  // left alone.
  for (Operation *moe : findMoEOps(selection->func))
    mlir::emitRemark(moe->getLoc())
        << kPass
        << (w8a8 ? ": expert weights of loom.moe.ffn left in f32 (mode=w8a8 "
                   "rewrites linear layers only)"
                 : ": expert weights of loom.moe.ffn stored as int8 codes "
                   "per output channel, dequantized in each call");
  if (!w8a8 && failed(quantizeExperts(selection->func, bits)))
    return signalPassFailure();
  mlir::emitRemark(selection->func.getLoc())
      << kPass << ": rewrote " << selection->layers.size() << " linear layers ("
      << mode << ", " << (w8a8 ? 8 : int64_t(bits)) << "-bit"
      << (policy.empty() ? "" : " by default, policy " + policy) << ")";
}
