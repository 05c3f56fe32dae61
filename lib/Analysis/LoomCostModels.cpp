//===- LoomCostModels.cpp - LoomCostInterface on the loom ops -------------===//
//
// The cost records of the loom compute ops. Every model starts from the
// operand traffic (getOperandTrafficCost: parameters, weight bytes, bytes
// moved) and adds the arithmetic the op's definition performs
// (TECHNIQUES.md), with the operation counts fixed in docs/Report.md:
// a multiply-add is 2, every other arithmetic step (add, compare, exp,
// shift, abs) is 1.
//
// Preconditions: verifier-valid ops. Models that need a static size fail
// through getOperandTrafficCost, which rejects every dynamic shape first.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/CostModel.h"

#include "loom/IR/LoomOps.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::loom;

/// The static shape of the ranked tensor `value`.
static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// The number of elements of the ranked tensor `value`.
static int64_t numElements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

/// Bytes of one element of `value`'s element type.
static int64_t elementBytes(Type elementType) {
  return (getElementStorageBits(elementType).value_or(0) + 7) / 8;
}

//===----------------------------------------------------------------------===//
// Matmuls: y [M,N] = x [M,K] W^T
//===----------------------------------------------------------------------===//

/// Dequantization (subtract the zero point, scale) once per weight, then a
/// dense f32 matmul. Packed int4 weights count two parameters a byte.
static void addComputeCost(QMatmulOp op, OpCost &cost) {
  int64_t m = shapeOf(op.getInput())[0], k = shapeOf(op.getInput())[1];
  int64_t n = shapeOf(op.getOutput())[1];
  cost.matmulFlops = 2 * m * n * k;
  cost.flops = cost.matmulFlops + 2 * n * k;
  if (op.getBits() == 4 && getWeightConstant(op.getWeight()))
    cost.parameters += numElements(op.getWeight());
}

/// Every bit of a plane is one signed add per output; every plane and group
/// one ldexp (an exponent add) and one add into the output.
static void addComputeCost(BCQMatmulOp op, OpCost &cost) {
  ArrayRef<int64_t> planes = shapeOf(op.getPlanes());
  int64_t m = shapeOf(op.getInput())[0], k = shapeOf(op.getInput())[1];
  int64_t q = planes[0], n = planes[1];
  int64_t groups = k / op.getGroupSize();
  cost.flops = q * m * n * k + 2 * q * m * n * groups;
  cost.matmulFlops = cost.flops;
  cost.shiftAddOps = cost.flops;
  // Eight binary weights a byte.
  if (getWeightConstant(op.getPlanes()))
    cost.parameters += 7 * numElements(op.getPlanes());
}

/// One shift and one add (subtract for negative signs) per product.
static void addComputeCost(ShiftMatmulOp op, OpCost &cost) {
  int64_t m = shapeOf(op.getInput())[0], k = shapeOf(op.getInput())[1];
  int64_t n = shapeOf(op.getOutput())[1];
  cost.flops = 2 * m * n * k;
  cost.matmulFlops = cost.flops;
  cost.shiftAddOps = cost.flops;
}

/// acc - |x - w|: a subtract, an absolute value and a subtract per term.
static void addComputeCost(AdderMatmulOp op, OpCost &cost) {
  int64_t m = shapeOf(op.getInput())[0], k = shapeOf(op.getInput())[1];
  int64_t n = shapeOf(op.getOutput())[1];
  cost.flops = 3 * m * n * k;
  cost.matmulFlops = cost.flops;
  cost.shiftAddOps = cost.flops;
}

//===----------------------------------------------------------------------===//
// Layer building blocks
//===----------------------------------------------------------------------===//

/// Per element: square and add (the sum), scale by the inverse root, scale
/// by the weight; per row: mean, + epsilon, sqrt, reciprocal.
static void addComputeCost(RMSNormOp op, OpCost &cost) {
  int64_t elements = numElements(op.getInput());
  int64_t rows = elements / std::max<int64_t>(1, shapeOf(op.getInput()).back());
  cost.flops = (op.getWeight() ? 4 : 3) * elements + 4 * rows;
}

/// x * cos + rotate(x) * sin on the R rotated channels: 3 per channel.
static void addComputeCost(RoPEOp op, OpCost &cost) {
  int64_t elements = numElements(op.getInput());
  int64_t rows = elements / std::max<int64_t>(1, shapeOf(op.getInput()).back());
  cost.flops = 3 * rows * op.getRotaryDim();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// Softmax per score: maximum, subtract, exp, sum, divide.
static constexpr int64_t kSoftmaxOpsPerScore = 5;

/// Dense q k^T and p v over every (query, key) pair (masking does not
/// subtract: the lowerings compute masked scores too), the scale, the mask
/// and the softmax per score, and the key-score accumulation when returned.
/// Causal attention over key/value tensors is a decoder layer whose keys and
/// values a KV cache would hold: Hkv * (D + Dv) elements per token.
static void addComputeCost(AttentionOp op, OpCost &cost) {
  ArrayRef<int64_t> q = shapeOf(op.getQuery());
  int64_t batch = q[0], heads = q[1], queries = q[2], headDim = q[3];
  int64_t valueDim = shapeOf(op.getOutput())[3];
  int64_t keys;
  if (KVCacheType cache = op.getCacheType())
    keys = cache.getCapacity();
  else
    keys = shapeOf(op.getKey())[2];
  int64_t scores = batch * heads * queries * keys;
  cost.matmulFlops = 2 * scores * (headDim + valueDim);
  cost.flops = cost.matmulFlops +
               scores * (1 + kSoftmaxOpsPerScore + (op.getMask() ? 1 : 0) +
                         (op.getKeyScores() ? 1 : 0));
  if (op.getCausal() && !op.readsCache())
    cost.kvBytesPerToken =
        op.getNumKVHeads() *
        (headDim * elementBytes(getElementTypeOrSelf(op.getKey().getType())) +
         valueDim *
             elementBytes(getElementTypeOrSelf(op.getValue().getType())));
}

/// The feature map on queries and keys (elu + 1: 2 per element, relu: 1),
/// the state update phi(k)^T v and normaliser sum over the keys, the
/// numerator phi(q) S and denominator phi(q) . z over the queries, and one
/// divide per output element.
static void addComputeCost(LinearAttentionOp op, OpCost &cost) {
  ArrayRef<int64_t> q = shapeOf(op.getQuery());
  int64_t batchHeads = q[0] * q[1], queries = q[2], headDim = q[3];
  int64_t keys = shapeOf(op.getKey())[2];
  int64_t valueDim = shapeOf(op.getOutput())[3];
  int64_t featureOps = 0;
  switch (op.getFeatureMap()) {
  case FeatureMap::elu_plus_one:
    featureOps = 2;
    break;
  case FeatureMap::relu:
    featureOps = 1;
    break;
  default:
    break;
  }
  cost.matmulFlops = 2 * batchHeads * (keys + queries) * headDim * valueDim;
  cost.flops = cost.matmulFlops +
               featureOps * batchHeads * (queries + keys) * headDim +
               batchHeads * keys * headDim +        // z += phi(k)
               2 * batchHeads * queries * headDim + // phi(q) . z
               batchHeads * queries * valueDim;     // the divide
}

/// Attention over the selected blocks only: the static mask's true blocks,
/// `top_k` key blocks per query block, or, for `threshold` (data-dependent),
/// every key block as an upper bound. The block scoring of dynamic
/// selection (a mean-pool and a dot product per block pair) is added; the
/// threshold's softmax over the blocks and its cumulative mass (a compare
/// and an add per pair of key blocks) too.
static void addComputeCost(BlockSparseAttentionOp op, OpCost &cost) {
  ArrayRef<int64_t> q = shapeOf(op.getQuery());
  int64_t batchHeads = q[0] * q[1], queries = q[2], headDim = q[3];
  int64_t keys = shapeOf(op.getKey())[2];
  int64_t valueDim = shapeOf(op.getOutput())[3];
  int64_t blockQ = op.getBlockQ(), blockK = op.getBlockK();
  int64_t queryBlocks = queries / blockQ, keyBlocks = keys / blockK;
  int64_t selectedPairs = 0, selectionOps = 0;
  if (std::optional<DenseIntElementsAttr> mask = op.getBlockMask()) {
    for (const APInt &bit : mask->getValues<APInt>())
      selectedPairs += bit.isZero() ? 0 : 1;
  } else {
    selectedPairs = queryBlocks * op.getTopK().value_or(keyBlocks);
    selectionOps = batchHeads * ((queries + keys) * headDim +
                                 2 * queryBlocks * keyBlocks * headDim);
    if (op.getThreshold())
      selectionOps += batchHeads * queryBlocks * keyBlocks *
                      (kSoftmaxOpsPerScore + 2 * keyBlocks);
  }
  int64_t scores = batchHeads * selectedPairs * blockQ * blockK;
  cost.matmulFlops = 2 * scores * (headDim + valueDim);
  cost.flops =
      cost.matmulFlops + scores * (1 + kSoftmaxOpsPerScore) + selectionOps;
  if (op.getCausal()) {
    int64_t kvHeads = shapeOf(op.getKey())[1];
    cost.kvBytesPerToken =
        kvHeads * elementBytes(getElementTypeOrSelf(op.getKey().getType())) *
        (headDim + valueDim);
  }
}

/// Castling-ViT angular attention: the L2 normalisation of queries and keys
/// (square, add, and one divide per element plus a sqrt per row), then
/// non-causal the linear form (K^T V and q^ (K^T V): 2 (Skv + Sq) D Dv per
/// head, the key and value sums, q^ . sum k^, and 5 per output element for
/// the constant terms and the divide) or causal the quadratic form (q^ k^T
/// and w v over every pair, plus 3 per weight), and the depthwise conv
/// (2 K per value element) when present.
static void addComputeCost(AngularAttentionOp op, OpCost &cost) {
  ArrayRef<int64_t> q = shapeOf(op.getQuery());
  ArrayRef<int64_t> k = shapeOf(op.getKey());
  int64_t batch = q[0], heads = q[1], queries = q[2], headDim = q[3];
  int64_t kvHeads = k[1], keys = k[2];
  int64_t valueDim = shapeOf(op.getOutput())[3];
  int64_t outputs = batch * heads * queries * valueDim;
  int64_t normalise = 3 * batch * (heads * queries + kvHeads * keys) * headDim +
                      batch * (heads * queries + kvHeads * keys);
  if (!op.getCausal()) {
    cost.matmulFlops =
        2 * batch * (kvHeads * keys + heads * queries) * headDim * valueDim;
    cost.flops = cost.matmulFlops + normalise +
                 batch * kvHeads * keys * (headDim + valueDim) +
                 2 * batch * heads * queries * headDim + 5 * outputs;
  } else {
    int64_t pairs = batch * heads * queries * keys;
    cost.matmulFlops = 2 * pairs * (headDim + valueDim);
    cost.flops = cost.matmulFlops + normalise + 4 * pairs + outputs;
    cost.kvBytesPerToken =
        kvHeads * elementBytes(getElementTypeOrSelf(op.getKey().getType())) *
        (headDim + valueDim);
  }
  if (Value weight = op.getConvWeight()) {
    int64_t kernel = shapeOf(weight)[1];
    int64_t convFlops = 2 * kernel * batch * kvHeads * keys * valueDim;
    cost.flops += convFlops + outputs;
  }
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

/// Operations of one ffn expert on one row: the matmuls (2 * H * F each:
/// three for SwiGLU, two otherwise) and the activation per ffn channel
/// (silu and the gate product: 5; gelu: 5; relu: 1).
static std::pair<int64_t, int64_t>
getExpertRowCost(MoEActivation activation, int64_t hidden, int64_t ffn) {
  bool swiglu = activation == MoEActivation::swiglu;
  int64_t matmul = (swiglu ? 3 : 2) * 2 * hidden * ffn;
  int64_t activationOps = activation == MoEActivation::relu ? 1 : 5;
  return {matmul, matmul + activationOps * ffn};
}

/// Softmax over the experts plus one compare per expert and slot (the
/// selection).
static int64_t getRoutingOps(int64_t tokens, int64_t experts, int64_t slots) {
  return tokens * experts * (kSoftmaxOpsPerScore + slots);
}

/// Every slot is assumed routed to an ffn expert (an upper bound when some
/// experts are zero/copy/constant or slots are dropped).
static void addComputeCost(MoEFFNOp op, OpCost &cost) {
  int64_t tokens = shapeOf(op.getInput())[0];
  int64_t hidden = shapeOf(op.getInput())[1];
  int64_t experts = shapeOf(op.getRouterWeight())[1];
  int64_t ffn = shapeOf(op.getW1())[2];
  int64_t slots = op.getNumSlots();
  auto [matmul, total] = getExpertRowCost(op.getActivation(), hidden, ffn);
  int64_t router = 2 * tokens * hidden * experts;
  cost.matmulFlops = router + tokens * slots * matmul;
  cost.flops = router + getRoutingOps(tokens, experts, slots) +
               tokens * slots * total + 2 * tokens * slots * hidden;
}

static void addComputeCost(MoERouteOp op, OpCost &cost) {
  ArrayRef<int64_t> logits = shapeOf(op.getLogits());
  cost.flops = getRoutingOps(logits[0], logits[1], op.getNumSlots());
}

/// Every row (padding included) through an ffn expert.
static void addComputeCost(MoEExpertsOp op, OpCost &cost) {
  int64_t rows = shapeOf(op.getRows())[0];
  int64_t hidden = shapeOf(op.getRows())[1];
  int64_t ffn = shapeOf(op.getW1())[2];
  auto [matmul, total] = getExpertRowCost(op.getActivation(), hidden, ffn);
  cost.matmulFlops = rows * matmul;
  cost.flops = rows * total;
}

/// A weighted add per row element.
static void addComputeCost(MoECombineOp op, OpCost &cost) {
  cost.flops = 2 * numElements(op.getExpertOutput());
}

/// Data movement only.
static void addComputeCost(MoEDispatchOp, OpCost &) {}

//===----------------------------------------------------------------------===//
// KV cache
//===----------------------------------------------------------------------===//

/// Bytes one token of one sequence occupies in `cache`. Quantized (KIVI): the
/// packed codes, `bits` per element, plus the f32 scale and zero point of the
/// groups, amortised per token (keys: 8 * D / group bytes, values: 8 * Dv /
/// group), i.e. `H * (D + Dv) * (bits + 64 / group)` bits. The residual window
/// is a fixed cost per sequence, not per token (see getStorageBytes).
static int64_t getCacheBytesPerToken(KVCacheType cache) {
  int64_t elements =
      cache.getHeads() * (cache.getHeadDim() + cache.getValueDim());
  if (cache.isQuantized()) {
    int64_t group = cache.getQuantGroup();
    int64_t bitsTimesGroup = cache.getQuantBits() * group + 64;
    return llvm::divideCeil(elements * bitsTimesGroup, 8 * group);
  }
  int64_t bits = getElementStorageBits(cache.getElementType()).value_or(0);
  return (elements * bits + 7) / 8;
}

/// An append updates the cache in place: it reads the new keys and values
/// and writes them, so the cache's storage is not moved. The KV bytes per
/// token are the cache's, counted here (not by attention reading the cache)
/// so that each cache counts once.
static void addComputeCost(KVAppendOp op, OpCost &cost) {
  int64_t newEntries = *getStorageBytes(op.getKey().getType()) +
                       *getStorageBytes(op.getValue().getType());
  cost.bytesMoved = 2 * newEntries;
  cost.kvBytesPerToken = getCacheBytesPerToken(op.getCache().getType());
}

/// Per element: subtract the minimum, divide by the scale, round, clamp.
static void addComputeCost(KVQuantizeOp op, OpCost &cost) {
  KVCacheType cache = op.getCache().getType();
  cost.flops = 4 * cache.getBatch() * cache.getHeads() * cache.getCapacity() *
               (cache.getHeadDim() + cache.getValueDim());
}

/// Per element: multiply by the scale, add the minimum.
static void addComputeCost(KVDequantizeOp op, OpCost &cost) {
  KVCacheType cache = op.getCache().getType();
  cost.flops = 2 * cache.getBatch() * cache.getHeads() * cache.getCapacity() *
               (cache.getHeadDim() + cache.getValueDim());
}

/// A multiply-add per input element and rank dimension.
static void addComputeCost(KVProjectOp op, OpCost &cost) {
  ArrayRef<int64_t> basis = shapeOf(op.getBasis());
  cost.flops = 2 * numElements(op.getInput()) *
               (op.getReconstruct() ? basis[1] : basis[2]);
}

//===----------------------------------------------------------------------===//
// Activation quantization and token reduction
//===----------------------------------------------------------------------===//

/// Divide, round, add the zero point, clamp.
static void addComputeCost(QuantizeOp op, OpCost &cost) {
  cost.flops = 4 * numElements(op.getInput());
}

/// Subtract the zero point, multiply by the scale.
static void addComputeCost(DequantizeOp op, OpCost &cost) {
  cost.flops = 2 * numElements(op.getInput());
}

/// l2norm: a multiply-add per element and a sqrt per token; the attention
/// methods: an add per probability they read.
static void addComputeCost(TokenScoreOp op, OpCost &cost) {
  ArrayRef<int64_t> input = shapeOf(op.getInput());
  switch (op.getMethod()) {
  case TokenScoreMethod::l2norm:
    cost.flops = 2 * numElements(op.getInput()) + input[0] * input[1];
    break;
  case TokenScoreMethod::cls_attention:
    cost.flops = input[0] * input[1] * input[3];
    break;
  case TokenScoreMethod::attention_received:
    cost.flops = numElements(op.getInput());
    break;
  }
}

/// Cosine similarity of every (A, B) pair plus the norms, and the weighted
/// means of the merged rows (a multiply-add per element).
static void addComputeCost(TokenMergeOp op, OpCost &cost) {
  ArrayRef<int64_t> input = shapeOf(op.getInput());
  int64_t batch = input[0], tokens = input[1];
  int64_t keyDim = op.getKeys() ? shapeOf(op.getKeys())[2] : input[2];
  int64_t setA = (tokens + 1) / 2, setB = tokens / 2;
  cost.flops = batch * (2 * setA * setB * keyDim + 2 * tokens * keyDim) +
               2 * numElements(op.getInput());
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

namespace {
/// LoomCostInterface for one loom op: operand traffic plus the op's
/// arithmetic (its addComputeCost overload).
template <typename OpTy>
struct LoomCostModel
    : public LoomCostInterface::ExternalModel<LoomCostModel<OpTy>, OpTy> {
  FailureOr<OpCost> getCost(Operation *op) const {
    FailureOr<OpCost> cost = getOperandTrafficCost(op);
    if (failed(cost))
      return failure();
    addComputeCost(cast<OpTy>(op), *cost);
    return cost;
  }
};

template <typename... OpTys> void attachLoomCostModels(MLIRContext *ctx) {
  (OpTys::template attachInterface<LoomCostModel<OpTys>>(*ctx), ...);
}
} // namespace

void mlir::loom::registerLoomOpCostModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, LoomDialect *) {
    attachLoomCostModels<QMatmulOp, BCQMatmulOp, ShiftMatmulOp, AdderMatmulOp,
                         RMSNormOp, RoPEOp, AttentionOp, LinearAttentionOp,
                         BlockSparseAttentionOp, AngularAttentionOp, MoEFFNOp,
                         MoERouteOp, MoEDispatchOp, MoEExpertsOp, MoECombineOp,
                         KVAppendOp, KVQuantizeOp, KVDequantizeOp, KVProjectOp,
                         QuantizeOp, DequantizeOp, TokenScoreOp, TokenMergeOp>(
        ctx);
  });
}
