//===- LoomTilingInterfaceImpl.cpp - TilingInterface on loom compute ops --===//
//
// Implements upstream `TilingInterface` on the loom compute ops whose results
// can be computed tile by tile from slices of their operands: the matmul family
// (qmatmul, bcq_matmul, shift_matmul, adder_matmul), rms_norm, rope and
// tensor-key attention. One external model serves every op; each op only says
// which iteration-domain loop every dimension of its operands and results
// follows (a `TilingSpec`). Only parallel loops are tiled; a reduction loop
// (the matmuls' K) must be requested whole. See docs/Tiling.md.
//
// Preconditions: verifier-valid ops. Tiles that are not exact (a partial K, a
// query-position tile of causal attention, a query-head tile that splits GQA
// groups unevenly, attention over a KV cache or returning key scores) are
// refused with an error on the op, never approximated.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

/// A dimension that is not tiled: its operand slice or result tile is whole.
constexpr int64_t kWhole = -1;
/// The kv-head dimension of attention keys and values: it follows the
/// query-head loop divided by the GQA group size.
constexpr int64_t kKVHeads = -2;

/// How an op's iteration domain maps onto its operands and results.
struct TilingSpec {
  /// One per loop.
  SmallVector<utils::IteratorType> iterators;
  /// One per loop: the value and dimension whose size is the loop's extent.
  SmallVector<std::pair<Value, unsigned>> extents;
  /// One per operand (in operand order), then one per result: for every
  /// dimension, the loop it follows, kWhole or kKVHeads.
  SmallVector<SmallVector<int64_t>> operandDims, resultDims;
  /// One per operand: a static size-1 dimension broadcasts over its loop, so
  /// it is kept whole.
  SmallVector<bool> broadcasts;
  /// Query heads per kv head (attention only).
  int64_t group = 1;
  /// Non-empty when the op cannot be tiled at all (the reason).
  std::string unsupported;
};

/// `rank` dimensions, each whole except `dim` following `loop`.
static SmallVector<int64_t> oneLoopDim(int64_t rank, int64_t dim,
                                       int64_t loop) {
  SmallVector<int64_t> dims(rank, kWhole);
  dims[dim] = loop;
  return dims;
}

static int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

/// The matmul family: loops (M, N, K), input [M,K], result [M,N]; every other
/// operand is sliced along N at dimension `nDims[i]` (one entry per operand
/// after the input) and kept whole along its K-derived (packed) dimensions.
static TilingSpec matmulSpec(Operation *op, ArrayRef<int64_t> nDims) {
  TilingSpec spec;
  spec.iterators = {utils::IteratorType::parallel,
                    utils::IteratorType::parallel,
                    utils::IteratorType::reduction};
  Value input = op->getOperand(0), result = op->getResult(0);
  spec.extents = {{result, 0}, {result, 1}, {input, 1}};
  spec.operandDims.push_back({0, kWhole});
  for (auto [operand, nDim] :
       llvm::zip_equal(op->getOperands().drop_front(), nDims))
    spec.operandDims.push_back(oneLoopDim(rankOf(operand), nDim, 1));
  spec.resultDims.push_back({0, 1});
  spec.broadcasts.assign(op->getNumOperands(), false);
  return spec;
}

/// Ops over the last axis of `input` (rms_norm, rope): one parallel loop per
/// leading dimension, the last dimension whole. Operands listed in
/// `tokenOperands` follow the leading loops (broadcasting size-1 dimensions);
/// the others are whole.
static TilingSpec lastAxisSpec(Operation *op, ArrayRef<Value> tokenOperands) {
  TilingSpec spec;
  Value input = op->getOperand(0);
  int64_t rank = rankOf(input);
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    spec.iterators.push_back(utils::IteratorType::parallel);
    spec.extents.push_back({input, i});
    dims.push_back(i);
  }
  dims.push_back(kWhole);
  for (Value operand : op->getOperands()) {
    bool follows =
        llvm::is_contained(tokenOperands, operand) || operand == input;
    spec.operandDims.push_back(
        follows ? dims : SmallVector<int64_t>(rankOf(operand), kWhole));
    spec.broadcasts.push_back(follows && operand != input);
  }
  spec.resultDims.push_back(dims);
  return spec;
}

/// Tensor-key attention: loops (B, Hq, Sq) over query [B,Hq,Sq,D]; keys and
/// values follow the batch and (through the GQA group) the query heads; the
/// mask follows all three, broadcasting its size-1 dimensions.
static TilingSpec attentionSpec(AttentionOp op) {
  TilingSpec spec;
  Value query = op.getQuery();
  spec.iterators.assign(3, utils::IteratorType::parallel);
  spec.extents = {{query, 0}, {query, 1}, {query, 2}};
  spec.operandDims.push_back({0, 1, 2, kWhole});
  spec.broadcasts.push_back(false);
  if (op.readsCache()) {
    spec.unsupported = "reads a KV cache (its positions and length are "
                       "per-batch state; lower it first)";
    spec.operandDims.push_back({});
    spec.broadcasts.push_back(false);
  } else {
    spec.operandDims.push_back({0, kKVHeads, kWhole, kWhole});
    spec.operandDims.push_back({0, kKVHeads, kWhole, kWhole});
    spec.broadcasts.append({false, false});
    spec.group = op.getQuery().getType().getDimSize(1) / op.getNumKVHeads();
  }
  if (op.getMask()) {
    spec.operandDims.push_back({0, 1, 2, kWhole});
    spec.broadcasts.push_back(true);
  }
  spec.resultDims.push_back({0, 1, 2, kWhole});
  if (op.getKeyScores()) {
    spec.unsupported = "returns key_scores (summed over query heads and "
                       "queries, so a tile only holds partial sums)";
    spec.resultDims.push_back({0, kKVHeads, kWhole});
  }
  return spec;
}

static TilingSpec getTilingSpec(Operation *op) {
  return llvm::TypeSwitch<Operation *, TilingSpec>(op)
      .Case([](QMatmulOp op) {
        // weight, scales, zero points: N is dimension 0.
        return matmulSpec(op,
                          SmallVector<int64_t>(op->getNumOperands() - 1, 0));
      })
      .Case([](ShiftMatmulOp op) { return matmulSpec(op, {0, 0}); })
      .Case([](AdderMatmulOp op) { return matmulSpec(op, {0}); })
      // planes [q,N,K/8] and scale exponents [q,N,K/g]: N is dimension 1.
      .Case([](BCQMatmulOp op) { return matmulSpec(op, {1, 1}); })
      .Case([](RMSNormOp op) { return lastAxisSpec(op, {}); })
      .Case([](RoPEOp op) {
        return lastAxisSpec(op, {op.getCos(), op.getSin()});
      })
      .Case([](AttentionOp op) { return attentionSpec(op); });
}

/// Checks that the tile (`offsets`, `sizes` over the iteration domain) can be
/// computed exactly by the op on operand slices; emits the reason otherwise.
static LogicalResult checkTile(Operation *op, const TilingSpec &spec,
                               ArrayRef<OpFoldResult> offsets,
                               ArrayRef<OpFoldResult> sizes,
                               ArrayRef<Range> domain) {
  if (!spec.unsupported.empty())
    return op->emitOpError("cannot be tiled: ") << spec.unsupported;
  if (offsets.size() != domain.size() || sizes.size() != domain.size())
    return op->emitOpError("expected a tile of ")
           << domain.size() << " loops, got " << sizes.size();
  auto isWhole = [&](unsigned loop) {
    return isZeroInteger(offsets[loop]) &&
           isEqualConstantIntOrValue(sizes[loop], domain[loop].size);
  };
  for (auto [loop, iterator] : llvm::enumerate(spec.iterators))
    if (iterator == utils::IteratorType::reduction && !isWhole(loop))
      return op->emitOpError("cannot tile reduction loop ")
             << loop
             << " (the sum over K): only the parallel loops are tiled, use "
                "tile size 0 for it";
  auto attention = dyn_cast<AttentionOp>(op);
  if (!attention)
    return success();
  if ((attention.getCausal() || attention.getWindow()) && !isWhole(2))
    return op->emitOpError(
        "cannot tile the query positions of causal attention: query i sits "
        "at position Skv - Sq + i, which a query tile would shift; tile "
        "batch and heads only");
  if (spec.group == 1)
    return success();
  std::optional<int64_t> heads = getConstantIntValue(sizes[1]);
  if (!heads)
    return op->emitOpError("a query-head tile of GQA attention needs a static "
                           "size (one that covers whole groups of ")
           << spec.group << " heads or divides one)";
  if (*heads % spec.group != 0 && spec.group % *heads != 0)
    return op->emitOpError("a query-head tile must cover whole GQA groups of ")
           << spec.group << " heads or divide one, got " << *heads;
  return success();
}

/// The offset and size of the slice of `value`'s dimension `dim` that the
/// tile needs.
static std::pair<OpFoldResult, OpFoldResult>
sliceOf(OpBuilder &b, Location loc, const TilingSpec &spec, Value value,
        unsigned dim, int64_t loop, bool broadcasts,
        ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  OpFoldResult whole = tensor::getMixedSize(b, loc, value, dim);
  if (loop == kWhole ||
      (broadcasts &&
       cast<RankedTensorType>(value.getType()).getDimSize(dim) == 1))
    return {b.getIndexAttr(0), whole};
  if (loop != kKVHeads)
    return {offsets[loop], sizes[loop]};
  // MHA: kv heads follow the query heads one to one (any tile size).
  if (spec.group == 1)
    return {offsets[1], sizes[1]};
  // Query heads [h, h + n) read kv heads [h / G, ...): n / G of them for a
  // tile of whole groups, one for a tile within a group (its offset is a
  // multiple of n, as every tiling loop makes it, so it stays in one group).
  AffineExpr h;
  bindDims(b.getContext(), h);
  OpFoldResult kvOffset = affine::makeComposedFoldedAffineApply(
      b, loc, h.floorDiv(spec.group), {offsets[1]});
  int64_t heads = *getConstantIntValue(sizes[1]);
  return {kvOffset, b.getIndexAttr(std::max<int64_t>(heads / spec.group, 1))};
}

/// Slices every operand to the tile and clones the op on the slices.
static FailureOr<TilingResult> tileOp(Operation *op, OpBuilder &b,
                                      const TilingSpec &spec,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  Location loc = op->getLoc();
  TilingResult result;
  SmallVector<Value> operands;
  for (auto [operand, dims, broadcasts] :
       llvm::zip_equal(op->getOperands(), spec.operandDims, spec.broadcasts)) {
    if (llvm::all_of(dims, [](int64_t d) { return d == kWhole; })) {
      operands.push_back(operand);
      continue;
    }
    SmallVector<OpFoldResult> sliceOffsets, sliceSizes;
    for (auto [dim, loop] : llvm::enumerate(dims)) {
      auto [offset, size] =
          sliceOf(b, loc, spec, operand, dim, loop, broadcasts, offsets, sizes);
      sliceOffsets.push_back(offset);
      sliceSizes.push_back(size);
    }
    SmallVector<OpFoldResult> strides(dims.size(), b.getIndexAttr(1));
    auto slice = tensor::ExtractSliceOp::create(b, loc, operand, sliceOffsets,
                                                sliceSizes, strides);
    operands.push_back(slice);
    result.generatedSlices.push_back(slice);
  }
  SmallVector<Type> resultTypes;
  for (auto [value, dims] :
       llvm::zip_equal(op->getResults(), spec.resultDims)) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    for (auto [dim, loop] : llvm::enumerate(dims))
      if (loop >= 0)
        shape[dim] =
            getConstantIntValue(sizes[loop]).value_or(ShapedType::kDynamic);
    resultTypes.push_back(type.clone(shape));
  }
  Operation *tiled = clone(b, op, resultTypes, operands);
  result.tiledOps.push_back(tiled);
  result.tiledValues.append(tiled->result_begin(), tiled->result_end());
  return result;
}

template <typename OpTy>
struct LoomTilingModel
    : TilingInterface::ExternalModel<LoomTilingModel<OpTy>, OpTy> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return getTilingSpec(op).iterators;
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    TilingSpec spec = getTilingSpec(op);
    SmallVector<Range> domain;
    for (auto [value, dim] : spec.extents)
      domain.push_back(Range{b.getIndexAttr(0),
                             tensor::getMixedSize(b, op->getLoc(), value, dim),
                             b.getIndexAttr(1)});
    return domain;
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    TilingSpec spec = getTilingSpec(op);
    if (failed(checkTile(op, spec, offsets, sizes, getIterationDomain(op, b))))
      return failure();
    return tileOp(op, b, spec, offsets, sizes);
  }

  LogicalResult
  getResultTilePosition(Operation *op, OpBuilder &b, unsigned resultNumber,
                        ArrayRef<OpFoldResult> offsets,
                        ArrayRef<OpFoldResult> sizes,
                        SmallVector<OpFoldResult> &resultOffsets,
                        SmallVector<OpFoldResult> &resultSizes) const {
    TilingSpec spec = getTilingSpec(op);
    if (resultNumber >= spec.resultDims.size())
      return failure();
    Value result = op->getResult(resultNumber);
    resultOffsets.clear();
    resultSizes.clear();
    for (auto [dim, loop] : llvm::enumerate(spec.resultDims[resultNumber])) {
      if (loop < 0) {
        // Only kWhole reaches here: key_scores (kKVHeads) is refused.
        resultOffsets.push_back(b.getIndexAttr(0));
        resultSizes.push_back(
            tensor::getMixedSize(b, op->getLoc(), result, dim));
        continue;
      }
      resultOffsets.push_back(offsets[loop]);
      resultSizes.push_back(sizes[loop]);
    }
    return success();
  }

  /// The domain tile that computes the result tile (`offsets`, `sizes`):
  /// loops a result dimension follows take that dimension's range, the
  /// others (K) stay whole. A partial request on a whole dimension (the
  /// normalised or rotated axis) computes it whole, then slices.
  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    TilingSpec spec = getTilingSpec(op);
    if (resultNumber >= spec.resultDims.size())
      return failure();
    SmallVector<Range> domain = getIterationDomain(op, b);
    SmallVector<OpFoldResult> loopOffsets, loopSizes;
    for (const Range &range : domain) {
      loopOffsets.push_back(range.offset);
      loopSizes.push_back(range.size);
    }
    bool needsSlice = false;
    Value result = op->getResult(resultNumber);
    for (auto [dim, loop] : llvm::enumerate(spec.resultDims[resultNumber])) {
      if (loop >= 0) {
        loopOffsets[loop] = offsets[dim];
        loopSizes[loop] = sizes[dim];
        continue;
      }
      needsSlice |=
          !isZeroInteger(offsets[dim]) ||
          !isEqualConstantIntOrValue(
              sizes[dim], tensor::getMixedSize(b, op->getLoc(), result, dim));
    }
    if (failed(checkTile(op, spec, loopOffsets, loopSizes, domain)))
      return failure();
    FailureOr<TilingResult> tiled = tileOp(op, b, spec, loopOffsets, loopSizes);
    if (failed(tiled) || !needsSlice)
      return tiled;
    // Keep the tiled dimensions of the tile, slice the whole ones.
    Value full = tiled->tiledValues[resultNumber];
    SmallVector<OpFoldResult> sliceOffsets, sliceSizes;
    for (auto [dim, loop] : llvm::enumerate(spec.resultDims[resultNumber])) {
      sliceOffsets.push_back(loop >= 0 ? b.getIndexAttr(0) : offsets[dim]);
      sliceSizes.push_back(sizes[dim]);
    }
    SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
    auto slice = tensor::ExtractSliceOp::create(
        b, op->getLoc(), full, sliceOffsets, sliceSizes, strides);
    tiled->tiledValues[resultNumber] = slice;
    return tiled;
  }
};

} // namespace

void mlir::loom::attachLoomTilingInterfaces(MLIRContext &ctx) {
  QMatmulOp::attachInterface<LoomTilingModel<QMatmulOp>>(ctx);
  BCQMatmulOp::attachInterface<LoomTilingModel<BCQMatmulOp>>(ctx);
  ShiftMatmulOp::attachInterface<LoomTilingModel<ShiftMatmulOp>>(ctx);
  AdderMatmulOp::attachInterface<LoomTilingModel<AdderMatmulOp>>(ctx);
  RMSNormOp::attachInterface<LoomTilingModel<RMSNormOp>>(ctx);
  RoPEOp::attachInterface<LoomTilingModel<RoPEOp>>(ctx);
  AttentionOp::attachInterface<LoomTilingModel<AttentionOp>>(ctx);
}
