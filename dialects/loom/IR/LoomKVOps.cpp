//===- LoomKVOps.cpp - KV cache op verifiers and helpers ------------------===//
//
// Verifiers of the loom.kv.* ops. Cache types are fully static (the type
// verifier guarantees it); tensor operands of cache ops must be static too, so
// every shape mismatch is caught here rather than at run time.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

/// Checks that `type` is a static tensor of `shape` x `elementType`.
static LogicalResult checkTensorType(Operation *op, StringRef what, Type type,
                                     ArrayRef<int64_t> shape,
                                     Type elementType) {
  auto expected = RankedTensorType::get(shape, elementType);
  if (type == expected)
    return success();
  return op->emitOpError() << what << " must be " << expected << ", got "
                           << type;
}

/// The cache type with the same layout as `type` but no quantization.
static KVCacheType withoutQuant(KVCacheType type) {
  return KVCacheType::get(type.getContext(), type.getBatch(), type.getHeads(),
                          type.getCapacity(), type.getHeadDim(),
                          type.getValueDim(), type.getElementType(), 0, 0, 0);
}

/// Checks a `budget` / `budget_fraction` pair: exactly one, in range.
static LogicalResult checkBudget(Operation *op, KVCacheType cache,
                                 std::optional<int64_t> budget,
                                 std::optional<APFloat> fraction) {
  if (budget.has_value() == fraction.has_value())
    return op->emitOpError()
           << "requires exactly one of 'budget' and 'budget_fraction'";
  if (budget && (*budget < 0 || *budget > cache.getCapacity()))
    return op->emitOpError()
           << "budget (" << *budget
           << ") must be in [0, capacity = " << cache.getCapacity() << "]";
  if (fraction) {
    float f = fraction->convertToFloat();
    if (!(f > 0.0f && f <= 1.0f))
      return op->emitOpError()
             << "budget_fraction must be in (0, 1], got " << f;
  }
  return success();
}

/// Checks a count attribute that is part of the budget (sinks, recent, window):
/// non-negative and, with a count budget, at most the budget.
static LogicalResult checkPartOfBudget(Operation *op, StringRef name,
                                       std::optional<int64_t> value,
                                       std::optional<int64_t> budget) {
  if (!value)
    return success();
  if (*value < 0)
    return op->emitOpError() << name << " must be non-negative, got " << *value;
  if (budget && *value > *budget)
    return op->emitOpError() << name << " (" << *value
                             << ") exceeds the budget (" << *budget << ")";
  return success();
}

static LogicalResult checkScores(Operation *op, KVCacheType cache,
                                 Value scores) {
  return checkTensorType(
      op, "scores", scores.getType(),
      {cache.getBatch(), cache.getHeads(), cache.getCapacity()},
      Float32Type::get(op->getContext()));
}

//===----------------------------------------------------------------------===//
// KVAppendOp
//===----------------------------------------------------------------------===//

LogicalResult KVAppendOp::verify() {
  KVCacheType cache = getCache().getType();
  auto keyType = cast<RankedTensorType>(getKey().getType());
  if (keyType.getRank() != 4 || !keyType.hasStaticShape())
    return emitOpError() << "key must be a static rank-4 tensor [B,H,T,D], got "
                         << keyType;
  int64_t tokens = keyType.getDimSize(2);
  if (tokens < 1)
    return emitOpError() << "must append at least one token, got " << tokens;
  if (tokens > cache.getCapacity())
    return emitOpError() << "appends " << tokens
                         << " tokens, more than the capacity ("
                         << cache.getCapacity() << ")";
  if (failed(checkTensorType(
          *this, "key", keyType,
          {cache.getBatch(), cache.getHeads(), tokens, cache.getHeadDim()},
          cache.getElementType())) ||
      failed(checkTensorType(
          *this, "value", getValue().getType(),
          {cache.getBatch(), cache.getHeads(), tokens, cache.getValueDim()},
          cache.getElementType())))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

LogicalResult KVKeysOp::verify() {
  KVCacheType cache = getCache().getType();
  return checkTensorType(*this, "result", getResult().getType(),
                         cache.getKeyShape(), cache.getElementType());
}

LogicalResult KVValuesOp::verify() {
  KVCacheType cache = getCache().getType();
  return checkTensorType(*this, "result", getResult().getType(),
                         cache.getValueShape(), cache.getElementType());
}

LogicalResult KVPositionsOp::verify() {
  KVCacheType cache = getCache().getType();
  return checkTensorType(
      *this, "result", getResult().getType(),
      {cache.getBatch(), cache.getHeads(), cache.getCapacity()},
      IntegerType::get(getContext(), 64));
}

LogicalResult KVLengthOp::verify() {
  KVCacheType cache = getCache().getType();
  return checkTensorType(*this, "result", getResult().getType(),
                         {cache.getBatch()},
                         IntegerType::get(getContext(), 64));
}

//===----------------------------------------------------------------------===//
// KVEvictOp
//===----------------------------------------------------------------------===//

LogicalResult KVEvictOp::verify() {
  KVCacheType cache = getCache().getType();
  if (cache.isQuantized())
    return emitOpError() << "cannot evict from a quantized cache; dequantize "
                            "it first";
  std::optional<int64_t> budget = getBudget();
  if (failed(checkBudget(*this, cache, budget, getBudgetFraction())))
    return failure();

  EvictionPolicy policy = getPolicy();
  bool usesScores = policy != EvictionPolicy::window_sinks;
  if (usesScores && !getScores())
    return emitOpError() << "policy '" << stringifyEvictionPolicy(policy)
                         << "' requires a scores operand";
  if (!usesScores && getScores())
    return emitOpError() << "policy 'window_sinks' takes no scores operand";
  if (getScores() && failed(checkScores(*this, cache, getScores())))
    return failure();
  if (getKeptScores() && !getScores())
    return emitOpError() << "'kept_scores' requires a scores operand";
  if (getKeptScores() &&
      failed(checkTensorType(
          *this, "kept_scores", getKeptScores().getType(),
          {cache.getBatch(), cache.getHeads(), cache.getCapacity()},
          Float32Type::get(getContext()))))
    return failure();

  // Each policy's knobs, and only those.
  auto onlyWith = [&](StringRef name, bool present,
                      EvictionPolicy owner) -> LogicalResult {
    if (present && policy != owner)
      return emitOpError() << "'" << name << "' is only valid with policy '"
                           << stringifyEvictionPolicy(owner) << "'";
    return success();
  };
  if (failed(onlyWith("sinks", getSinks().has_value(),
                      EvictionPolicy::window_sinks)) ||
      failed(
          onlyWith("recent", getRecent().has_value(), EvictionPolicy::h2o)) ||
      failed(onlyWith("window", getWindow().has_value(),
                      EvictionPolicy::snapkv)) ||
      failed(
          onlyWith("kernel", getKernel().has_value(), EvictionPolicy::snapkv)))
    return failure();
  if (policy == EvictionPolicy::snapkv && !getWindow())
    return emitOpError() << "policy 'snapkv' requires 'window'";
  if (failed(checkPartOfBudget(*this, "sinks", getSinks(), budget)) ||
      failed(checkPartOfBudget(*this, "recent", getRecent(), budget)) ||
      failed(checkPartOfBudget(*this, "window", getWindow(), budget)))
    return failure();
  if (std::optional<int64_t> kernel = getKernel())
    if (*kernel < 1 || *kernel % 2 == 0)
      return emitOpError() << "kernel must be a positive odd number, got "
                           << *kernel;
  return success();
}

//===----------------------------------------------------------------------===//
// KVMergeOp
//===----------------------------------------------------------------------===//

LogicalResult KVMergeOp::verify() {
  KVCacheType cache = getCache().getType();
  if (cache.isQuantized())
    return emitOpError() << "cannot merge a quantized cache; dequantize it "
                            "first";
  std::optional<int64_t> budget = getBudget();
  if (failed(checkBudget(*this, cache, budget, getBudgetFraction())) ||
      failed(checkScores(*this, cache, getScores())) ||
      failed(checkPartOfBudget(*this, "recent", getRecent(), budget)))
    return failure();
  if (getKeptScores() &&
      failed(checkTensorType(
          *this, "kept_scores", getKeptScores().getType(),
          {cache.getBatch(), cache.getHeads(), cache.getCapacity()},
          Float32Type::get(getContext()))))
    return failure();
  float threshold = getThreshold().convertToFloat();
  if (!(threshold >= -1.0f && threshold <= 1.0f))
    return emitOpError() << "threshold is a cosine similarity and must be in "
                            "[-1, 1], got "
                         << threshold;
  float sigma = getSigma().convertToFloat();
  if (!(sigma > 0.0f) || !std::isfinite(sigma))
    return emitOpError() << "sigma must be positive and finite, got " << sigma;
  return success();
}

//===----------------------------------------------------------------------===//
// KVQuantizeOp / KVDequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult KVQuantizeOp::verify() {
  KVCacheType source = getCache().getType();
  KVCacheType result = getResult().getType();
  if (source.isQuantized())
    return emitOpError() << "operand is already quantized";
  if (!result.isQuantized())
    return emitOpError() << "result must be a quantized kv_cache, got "
                         << result;
  if (withoutQuant(result) != source)
    return emitOpError() << "result " << result
                         << " must have the operand's layout " << source;
  return success();
}

LogicalResult KVDequantizeOp::verify() {
  KVCacheType source = getCache().getType();
  KVCacheType result = getResult().getType();
  if (!source.isQuantized())
    return emitOpError() << "operand must be a quantized kv_cache, got "
                         << source;
  if (result != withoutQuant(source))
    return emitOpError() << "result must be " << withoutQuant(source)
                         << ", got " << result;
  return success();
}

LogicalResult KVResizeOp::verify() {
  KVCacheType source = getCache().getType();
  KVCacheType result = getResult().getType();
  if (source.isQuantized() || result.isQuantized())
    return emitOpError() << "cannot resize a quantized cache; resize before "
                            "quantizing";
  KVCacheType expected =
      KVCacheType::get(getContext(), source.getBatch(), source.getHeads(),
                       result.getCapacity(), source.getHeadDim(),
                       source.getValueDim(), source.getElementType(), 0, 0, 0);
  if (result != expected)
    return emitOpError() << "result " << result
                         << " must differ from the operand " << source
                         << " in its capacity only";
  return success();
}

//===----------------------------------------------------------------------===//
// KVProjectOp
//===----------------------------------------------------------------------===//

LogicalResult KVProjectOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto basisType = cast<RankedTensorType>(getBasis().getType());
  if (inputType.getRank() != 4 || !inputType.hasStaticShape())
    return emitOpError() << "input must be a static rank-4 tensor [B,H,T,X], "
                            "got "
                         << inputType;
  if (basisType.getRank() != 3 || !basisType.hasStaticShape())
    return emitOpError() << "basis must be a static rank-3 tensor [H,D,r], got "
                         << basisType;
  if (!isa<FloatType>(inputType.getElementType()) ||
      basisType.getElementType() != inputType.getElementType())
    return emitOpError() << "input and basis must have the same float element "
                            "type, got "
                         << inputType.getElementType() << " and "
                         << basisType.getElementType();
  int64_t heads = basisType.getDimSize(0), dim = basisType.getDimSize(1),
          rank = basisType.getDimSize(2);
  if (rank > dim)
    return emitOpError() << "rank (" << rank
                         << ") must not exceed the head dim (" << dim << ")";
  if (inputType.getDimSize(1) % heads != 0)
    return emitOpError() << "input heads (" << inputType.getDimSize(1)
                         << ") must be a multiple of the basis heads (" << heads
                         << ")";
  int64_t from = getReconstruct() ? rank : dim;
  int64_t to = getReconstruct() ? dim : rank;
  if (inputType.getDimSize(3) != from)
    return emitOpError() << "input last dim must be " << from << " ("
                         << (getReconstruct() ? "the rank, reconstructing"
                                              : "the head dim, projecting")
                         << "), got " << inputType.getDimSize(3);
  return checkTensorType(*this, "result", getResult().getType(),
                         {inputType.getDimSize(0), inputType.getDimSize(1),
                          inputType.getDimSize(2), to},
                         inputType.getElementType());
}
