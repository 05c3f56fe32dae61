//===- LoomOps.cpp - loom dialect operations ------------------------------===//
//
// Verifiers and helpers of the loom ops. Shape checks accept dynamic dimensions
// and compare only the static ones.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

bool AttentionOp::readsCache() { return isa<KVCacheType>(getKey().getType()); }

KVCacheType AttentionOp::getCacheType() {
  return dyn_cast<KVCacheType>(getKey().getType());
}

float AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToFloat();
  int64_t d = getQuery().getType().getDimSize(3);
  return 1.0f / std::sqrt(static_cast<float>(d));
}

int64_t AttentionOp::getNumKVHeads() {
  if (KVCacheType cache = getCacheType())
    return cache.getHeads();
  return cast<RankedTensorType>(getKey().getType()).getDimSize(1);
}

LogicalResult AttentionOp::verify() {
  Operation *op = getOperation();
  RankedTensorType qType = getQuery().getType();
  if (qType.getRank() != 4)
    return emitOpError() << "query must be rank 4 [B,Hq,Sq,D], got rank "
                         << qType.getRank();
  Type elemType = qType.getElementType();
  if (!isa<FloatType>(elemType))
    return emitOpError() << "query element type must be a float, got "
                         << elemType;
  int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
          sq = qType.getDimSize(2), d = qType.getDimSize(3);
  if (ShapedType::isDynamic(d))
    return emitOpError() << "query head dim must be static";

  int64_t hkv, skv, dv;
  if (KVCacheType cache = getCacheType()) {
    if (getValue())
      return emitOpError()
             << "takes no separate value operand when reading a kv_cache";
    if (cache.getElementType() != elemType)
      return emitOpError() << "kv_cache element type " << cache.getElementType()
                           << " does not match query element type " << elemType;
    if (failed(checkDim(op, "kv_cache", "batch", cache.getBatch(), b)) ||
        failed(checkDim(op, "kv_cache", "head dim", cache.getHeadDim(), d)))
      return failure();
    hkv = cache.getHeads();
    skv = cache.getCapacity();
    dv = cache.getValueDim();
  } else {
    if (!getValue())
      return emitOpError() << "requires a value operand when keys are a tensor";
    auto kType = cast<RankedTensorType>(getKey().getType());
    auto vType = cast<RankedTensorType>(getValue().getType());
    if (kType.getRank() != 4 || vType.getRank() != 4)
      return emitOpError()
             << "key and value must be rank 4 [B,Hkv,Skv,D], got ranks "
             << kType.getRank() << " and " << vType.getRank();
    if (kType.getElementType() != elemType ||
        vType.getElementType() != elemType)
      return emitOpError() << "query, key and value must share an element type";
    hkv = kType.getDimSize(1);
    skv = kType.getDimSize(2);
    dv = vType.getDimSize(3);
    if (failed(checkDim(op, "key", "batch", kType.getDimSize(0), b)) ||
        failed(checkDim(op, "key", "head dim", kType.getDimSize(3), d)) ||
        failed(checkDim(op, "value", "batch", vType.getDimSize(0), b)) ||
        failed(checkDim(op, "value", "head count", vType.getDimSize(1), hkv)) ||
        failed(
            checkDim(op, "value", "sequence length", vType.getDimSize(2), skv)))
      return failure();
  }
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) &&
      (hkv < 1 || hq % hkv != 0))
    return emitOpError() << "query heads (" << hq
                         << ") must be a multiple of key/value heads (" << hkv
                         << ")";
  if (!ShapedType::isDynamic(sq) && !ShapedType::isDynamic(skv) && sq > skv)
    return emitOpError() << "query length (" << sq << ") exceeds key length ("
                         << skv << ")";

  RankedTensorType outType = getOutput().getType();
  if (outType.getRank() != 4 || outType.getElementType() != elemType)
    return emitOpError() << "result must be a rank-4 tensor of " << elemType
                         << " [B,Hq,Sq,Dv], got " << outType;
  if (failed(checkDim(op, "result", "batch", outType.getDimSize(0), b)) ||
      failed(checkDim(op, "result", "head count", outType.getDimSize(1), hq)) ||
      failed(
          checkDim(op, "result", "query length", outType.getDimSize(2), sq)) ||
      failed(checkDim(op, "result", "value dim", outType.getDimSize(3), dv)))
    return failure();

  if (Value mask = getMask()) {
    auto mType = cast<RankedTensorType>(mask.getType());
    if (mType.getRank() != 4 || mType.getElementType() != elemType)
      return emitOpError() << "mask must be a rank-4 tensor of " << elemType
                           << " broadcastable to [B,Hq,Sq,Skv], got " << mType;
    int64_t full[4] = {b, hq, sq, skv};
    for (int i = 0; i < 4; ++i) {
      int64_t m = mType.getDimSize(i);
      if (m != 1 && !dimsCompatible(m, full[i]))
        return emitOpError() << "mask dimension " << i << " is " << m
                             << ", expected 1 or " << full[i];
    }
  }

  if (Value scores = getKeyScores()) {
    auto sType = cast<RankedTensorType>(scores.getType());
    if (sType.getRank() != 3 || !sType.getElementType().isF32())
      return emitOpError() << "key_scores result must be a rank-3 f32 tensor "
                              "[B,Hkv,Skv], got "
                           << sType;
    if (failed(checkDim(op, "key_scores", "batch", sType.getDimSize(0), b)) ||
        failed(checkDim(op, "key_scores", "head count", sType.getDimSize(1),
                        hkv)) ||
        failed(
            checkDim(op, "key_scores", "key length", sType.getDimSize(2), skv)))
      return failure();
  }

  if (std::optional<APFloat> scale = getScale()) {
    if (!scale->isFiniteNonZero())
      return emitOpError() << "scale must be finite and non-zero";
  }
  if (std::optional<int64_t> window = getWindow()) {
    if (*window < 1)
      return emitOpError() << "window must be at least 1, got " << *window;
    if (!getCausal())
      return emitOpError() << "window requires causal";
  }
  if (std::optional<int64_t> sinks = getSinks()) {
    if (*sinks < 0)
      return emitOpError() << "sinks must be non-negative, got " << *sinks;
    if (!getWindow())
      return emitOpError() << "sinks requires a window";
  }
  return success();
}

#define GET_OP_CLASSES
#include "loom/IR/LoomOps.cpp.inc"
