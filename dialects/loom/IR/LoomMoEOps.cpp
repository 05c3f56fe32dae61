//===- LoomMoEOps.cpp - MoE op verifiers and helpers ----------------------===//
//
// Verifiers of the mixture-of-experts ops. `loom.moe.ffn` shares the routing
// checks with `loom.moe.route` and the weight checks with `loom.moe.experts`,
// so a layer is rejected with the same message as its decomposed step would be.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

/// Checks that `type` is a tensor of `shape` whose element type is
/// `elementType` (any float type when null).
static LogicalResult expectTensor(Operation *op, StringRef name, Type type,
                                  ArrayRef<int64_t> shape, Type elementType) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  bool ok = tensor && shapesCompatible(tensor.getShape(), shape) &&
            (elementType ? tensor.getElementType() == elementType
                         : isa<FloatType>(tensor.getElementType()));
  if (ok)
    return success();
  InFlightDiagnostic diag = op->emitOpError("expected ")
                            << name << " of shape " << formatShape(shape);
  if (elementType)
    diag << " and element type " << elementType;
  else
    diag << " and a float element type";
  return diag << ", got " << type;
}

static int64_t product(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  return a * b;
}

/// Checks the routing attributes against `numExperts` and returns the number of
/// slots per token.
static FailureOr<int64_t>
verifyRouting(Operation *op, MoERoutingMode mode, std::optional<int64_t> k,
              std::optional<APFloat> topP, std::optional<int64_t> kMax,
              bool renormalize, std::optional<APFloat> capacityFactor,
              int64_t numExperts) {
  if (capacityFactor && !(capacityFactor->convertToDouble() > 0.0))
    return op->emitOpError("'capacity_factor' must be positive, got ")
           << capacityFactor->convertToDouble();
  if (mode == MoERoutingMode::top_p) {
    if (k)
      return op->emitOpError("'k' does not apply to mode top_p (use 'k_max')");
    if (!topP || !kMax)
      return op->emitOpError("mode top_p requires 'top_p' and 'k_max'");
    double p = topP->convertToDouble();
    if (!(p > 0.0 && p <= 1.0))
      return op->emitOpError("'top_p' must be in (0, 1], got ") << p;
    if (*kMax < 1 || *kMax > numExperts)
      return op->emitOpError("'k_max' must be in [1, ")
             << numExperts << "] (the number of experts), got " << *kMax;
    return *kMax;
  }
  if (topP || kMax)
    return op->emitOpError("'top_p' and 'k_max' apply only to mode top_p");
  if (!k)
    return op->emitOpError("mode ")
           << stringifyMoERoutingMode(mode) << " requires 'k'";
  if (*k < 1)
    return op->emitOpError("'k' must be at least 1, got ") << *k;
  if (*k > numExperts)
    return op->emitOpError("'k' (")
           << *k << ") exceeds the number of experts (" << numExperts << ")";
  if (renormalize && mode == MoERoutingMode::topk_softmax)
    return op->emitOpError("'renormalize' does not apply to mode topk_softmax "
                           "(its weights already sum to 1)");
  return *k;
}

/// The kinds of `numExperts` experts: all `ffn` without a `kinds` attribute.
static SmallVector<MoEExpertKind> expertKinds(std::optional<ArrayAttr> kinds,
                                              int64_t numExperts) {
  SmallVector<MoEExpertKind> result;
  if (!kinds) {
    result.assign(numExperts, MoEExpertKind::ffn);
    return result;
  }
  for (Attribute kind : *kinds)
    result.push_back(cast<MoEExpertKindAttr>(kind).getValue());
  return result;
}

/// Checks expert kinds, weights and constants of `numExperts` experts over rows
/// of width `hidden`.
/// Checks the quantization operands of expert weights `weights` (w1, w2 and
/// w3 when present), given as codes: `[NF,K,N]` i8, or `[NF,K/2,N]` for
/// `bits = 4`, with `[NF,G,N]` f32 scales (and i8 zero points).
static LogicalResult
verifyExpertQuantization(Operation *op, int64_t numFFN,
                         ArrayRef<std::pair<Value, StringRef>> weights,
                         ArrayRef<std::pair<int64_t, int64_t>> kn,
                         ValueRange scales, ValueRange zeroPoints,
                         std::optional<int64_t> bits,
                         std::optional<int64_t> groupSize) {
  Builder b(op->getContext());
  int64_t storage = bits.value_or(8);
  if (storage != 8 && storage != 4)
    return op->emitOpError("'bits' must be 8 or 4 (int8 or packed int4 "
                           "codes), got ")
           << storage;
  if (scales.size() != weights.size())
    return op->emitOpError("scales needs one tensor per expert weight (")
           << weights.size() << "), got " << scales.size();
  if (!zeroPoints.empty() && zeroPoints.size() != scales.size())
    return op->emitOpError("zero_points needs one tensor per scale (")
           << scales.size() << "), got " << zeroPoints.size();
  for (auto [i, weight] : llvm::enumerate(weights)) {
    auto [k, n] = kn[i];
    if (ShapedType::isDynamic(k))
      return op->emitOpError("quantized ")
             << weight.second << " needs a static input dimension";
    if (storage == 4 && k % 2)
      return op->emitOpError("bits = 4 packs two codes per byte: ")
             << weight.second << " needs an even input dimension, got " << k;
    int64_t groups = 1;
    if (groupSize) {
      if (*groupSize <= 0 || k % *groupSize || (storage == 4 && *groupSize % 2))
        return op->emitOpError("'group_size' must be positive, divide ")
               << weight.second << "'s input dimension (" << k
               << ") and be even for bits = 4, got " << *groupSize;
      groups = k / *groupSize;
    }
    int64_t packedK = storage == 4 ? k / 2 : k;
    std::string codes = (weight.second + " codes").str();
    std::string scale = (weight.second + " scales [NF,G,N]").str();
    std::string zero = (weight.second + " zero_points [NF,G,N]").str();
    if (failed(expectTensor(op, codes, weight.first.getType(),
                            {numFFN, packedK, n}, b.getI8Type())) ||
        failed(expectTensor(op, scale, scales[i].getType(), {numFFN, groups, n},
                            b.getF32Type())) ||
        (!zeroPoints.empty() &&
         failed(expectTensor(op, zero, zeroPoints[i].getType(),
                             {numFFN, groups, n}, b.getI8Type()))))
      return failure();
  }
  return success();
}

static LogicalResult verifyExperts(Operation *op, MoEActivation activation,
                                   std::optional<ArrayAttr> kinds,
                                   int64_t numExperts, int64_t hidden, Value w1,
                                   Value w2, Value w3, Value constants,
                                   ValueRange scales, ValueRange zeroPoints,
                                   std::optional<int64_t> bits,
                                   std::optional<int64_t> groupSize) {
  if (kinds && static_cast<int64_t>(kinds->size()) != numExperts)
    return op->emitOpError("'kinds' has ")
           << kinds->size() << " entries but there are " << numExperts
           << " experts";
  SmallVector<MoEExpertKind> all = expertKinds(kinds, numExperts);
  int64_t numFFN = llvm::count(all, MoEExpertKind::ffn);
  int64_t numConstant = llvm::count(all, MoEExpertKind::constant);

  auto w1Type = dyn_cast<RankedTensorType>(w1.getType());
  if (!w1Type || w1Type.getRank() != 3)
    return op->emitOpError("w1 must be a rank-3 tensor [NF,H,F], got ")
           << w1.getType();
  int64_t ffnSize = w1Type.getDimSize(2);
  bool quantized = !scales.empty();
  if (!quantized && (bits || groupSize || !zeroPoints.empty()))
    return op->emitOpError("'bits', 'group_size' and zero_points apply only "
                           "to quantized weights (with scales)");
  if (activation == MoEActivation::swiglu) {
    if (!w3)
      return op->emitOpError("activation swiglu requires w3");
  } else if (w3) {
    return op->emitOpError("w3 is only used by activation swiglu");
  }
  if (quantized) {
    SmallVector<std::pair<Value, StringRef>> weights = {{w1, "w1"}, {w2, "w2"}};
    SmallVector<std::pair<int64_t, int64_t>> kn = {{hidden, ffnSize},
                                                   {ffnSize, hidden}};
    if (w3) {
      weights.push_back({w3, "w3"});
      kn.push_back({hidden, ffnSize});
    }
    if (failed(verifyExpertQuantization(op, numFFN, weights, kn, scales,
                                        zeroPoints, bits, groupSize)))
      return failure();
  } else if (failed(expectTensor(op, "w1 [NF,H,F]", w1.getType(),
                                 {numFFN, hidden, ffnSize}, Type())) ||
             failed(expectTensor(op, "w2 [NF,F,H]", w2.getType(),
                                 {numFFN, ffnSize, hidden}, Type())) ||
             (w3 && failed(expectTensor(op, "w3 [NF,H,F]", w3.getType(),
                                        {numFFN, hidden, ffnSize}, Type())))) {
    return failure();
  }
  if (numConstant > 0 && !constants)
    return op->emitOpError(
        "expert kind constant requires the constants operand");
  if (numConstant == 0 && constants)
    return op->emitOpError("constants given but no expert has kind constant");
  if (constants &&
      failed(expectTensor(op, "constants [NC,H]", constants.getType(),
                          {numConstant, hidden}, Type())))
    return failure();
  return success();
}

/// Checks that `value` is a rank-`rank` tensor of floats.
static FailureOr<RankedTensorType>
expectFloatRank(Operation *op, StringRef what, Value value, int64_t rank) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() != rank || !isa<FloatType>(type.getElementType()))
    return op->emitOpError() << what << " must be a rank-" << rank
                             << " tensor of floats, got " << value.getType();
  return type;
}

//===----------------------------------------------------------------------===//
// MoERouteOp
//===----------------------------------------------------------------------===//

int64_t MoERouteOp::getNumSlots() {
  return getMode() == MoERoutingMode::top_p ? getKMax().value_or(0)
                                            : getK().value_or(0);
}

LogicalResult MoERouteOp::verify() {
  FailureOr<RankedTensorType> logits =
      expectFloatRank(*this, "logits [T,E]", getLogits(), 2);
  if (failed(logits))
    return failure();
  int64_t tokens = logits->getDimSize(0), numExperts = logits->getDimSize(1);
  if (ShapedType::isDynamic(numExperts))
    return emitOpError("the number of experts (logits dimension 1) must be "
                       "static");
  FailureOr<int64_t> slots =
      verifyRouting(*this, getMode(), getK(), getTopP(), getKMax(),
                    getRenormalize(), getCapacityFactor(), numExperts);
  if (failed(slots))
    return failure();
  Builder b(getContext());
  if (failed(expectTensor(*this, "weights [T,K]", getWeights().getType(),
                          {tokens, *slots}, logits->getElementType())) ||
      failed(expectTensor(*this, "indices [T,K]", getIndices().getType(),
                          {tokens, *slots}, b.getI64Type())) ||
      failed(expectTensor(*this, "dropped", getDropped().getType(), {},
                          b.getI64Type())))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// MoEDispatchOp
//===----------------------------------------------------------------------===//

LogicalResult MoEDispatchOp::verify() {
  auto inputType = dyn_cast<RankedTensorType>(getInput().getType());
  if (!inputType || inputType.getRank() != 2)
    return emitOpError("input must be a rank-2 tensor [T,H], got ")
           << getInput().getType();
  auto indicesType = dyn_cast<RankedTensorType>(getIndices().getType());
  if (!indicesType || indicesType.getRank() != 2)
    return emitOpError("indices must be a rank-2 tensor [T,K], got ")
           << getIndices().getType();
  int64_t tokens = inputType.getDimSize(0), hidden = inputType.getDimSize(1);
  int64_t slots = indicesType.getDimSize(1);
  Type i64 = Builder(getContext()).getI64Type();
  if (failed(expectTensor(*this, "indices [T,K]", indicesType, {tokens, slots},
                          i64)))
    return failure();
  auto offsetsType = dyn_cast<RankedTensorType>(getOffsets().getType());
  if (!offsetsType || offsetsType.getRank() != 1 ||
      offsetsType.getElementType() != i64)
    return emitOpError("offsets must be a rank-1 tensor of i64 [E], got ")
           << getOffsets().getType();
  int64_t numExperts = offsetsType.getDimSize(0);
  int64_t numRows = product(tokens, slots);
  if (failed(expectTensor(*this, "counts [E]", getCounts().getType(),
                          {numExperts}, i64)) ||
      failed(expectTensor(*this, "rows [T*K,H]", getRows().getType(),
                          {numRows, hidden}, inputType.getElementType())) ||
      failed(expectTensor(*this, "permutation [T*K]",
                          getPermutation().getType(), {numRows}, i64)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// MoEExpertsOp
//===----------------------------------------------------------------------===//

SmallVector<MoEExpertKind> MoEExpertsOp::getExpertKinds() {
  return expertKinds(getKinds(), getOffsets().getType().getDimSize(0));
}

LogicalResult MoEExpertsOp::verify() {
  FailureOr<RankedTensorType> rows =
      expectFloatRank(*this, "rows [R,H]", getRows(), 2);
  if (failed(rows))
    return failure();
  Type i64 = Builder(getContext()).getI64Type();
  auto offsetsType = getOffsets().getType();
  if (offsetsType.getRank() != 1 || offsetsType.getElementType() != i64)
    return emitOpError("offsets must be a rank-1 tensor of i64 [E], got ")
           << offsetsType;
  int64_t numExperts = offsetsType.getDimSize(0);
  if (ShapedType::isDynamic(numExperts))
    return emitOpError("the number of experts (offsets dimension 0) must be "
                       "static");
  if (failed(expectTensor(*this, "counts [E]", getCounts().getType(),
                          {numExperts}, i64)))
    return failure();
  int64_t hidden = rows->getDimSize(1);
  if (failed(verifyExperts(*this, getActivation(), getKinds(), numExperts,
                           hidden, getW1(), getW2(), getW3(), getConstants(),
                           getScales(), getZeroPoints(), getBits(),
                           getGroupSize())))
    return failure();
  return expectTensor(*this, "output [R,H]", getOutput().getType(),
                      rows->getShape(), rows->getElementType());
}

//===----------------------------------------------------------------------===//
// MoECombineOp
//===----------------------------------------------------------------------===//

LogicalResult MoECombineOp::verify() {
  FailureOr<RankedTensorType> expertOut =
      expectFloatRank(*this, "expert_output [R,H]", getExpertOutput(), 2);
  if (failed(expertOut))
    return failure();
  FailureOr<RankedTensorType> weights =
      expectFloatRank(*this, "weights [T,K]", getWeights(), 2);
  if (failed(weights))
    return failure();
  Type i64 = Builder(getContext()).getI64Type();
  if (failed(expectTensor(*this, "permutation [R]", getPermutation().getType(),
                          {expertOut->getDimSize(0)}, i64)))
    return failure();
  return expectTensor(*this, "output [T,H]", getOutput().getType(),
                      {weights->getDimSize(0), expertOut->getDimSize(1)},
                      expertOut->getElementType());
}

//===----------------------------------------------------------------------===//
// MoEFFNOp
//===----------------------------------------------------------------------===//

int64_t MoEFFNOp::getNumSlots() {
  return getMode() == MoERoutingMode::top_p ? getKMax().value_or(0)
                                            : getK().value_or(0);
}

LogicalResult MoEFFNOp::verify() {
  FailureOr<RankedTensorType> input =
      expectFloatRank(*this, "input [T,H]", getInput(), 2);
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> router =
      expectFloatRank(*this, "router_weight [H,E]", getRouterWeight(), 2);
  if (failed(router))
    return failure();
  int64_t tokens = input->getDimSize(0), hidden = input->getDimSize(1);
  int64_t numExperts = router->getDimSize(1);
  if (ShapedType::isDynamic(numExperts))
    return emitOpError("the number of experts (router_weight dimension 1) must "
                       "be static");
  if (failed(expectTensor(*this, "router_weight [H,E]", *router,
                          {hidden, numExperts}, Type())))
    return failure();
  if (failed(verifyRouting(*this, getMode(), getK(), getTopP(), getKMax(),
                           getRenormalize(), getCapacityFactor(),
                           numExperts)) ||
      failed(verifyExperts(*this, getActivation(), getKinds(), numExperts,
                           hidden, getW1(), getW2(), getW3(), getConstants(),
                           getScales(), getZeroPoints(), getBits(),
                           getGroupSize())))
    return failure();
  Type i64 = Builder(getContext()).getI64Type();
  if (failed(expectTensor(*this, "output [T,H]", getOutput().getType(),
                          {tokens, hidden}, input->getElementType())) ||
      failed(expectTensor(*this, "dropped", getDropped().getType(), {}, i64)))
    return failure();
  return success();
}
