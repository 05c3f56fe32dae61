//===- LoomTokenOps.cpp - Token op verifiers and helpers ----------------===//
//
// Verifiers of loom.token.{score,prune,merge,restore}. Shape checks accept
// dynamic dimensions and compare only the static ones.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include "llvm/ADT/SmallSet.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

/// Emits "<what> dimension <idx> is A, expected B" when the two static sizes
/// differ.
static LogicalResult checkTokenDim(Operation *op, StringRef what, unsigned idx,
                                   int64_t actual, int64_t expected) {
  if (dimsCompatible(actual, expected))
    return success();
  return op->emitOpError() << what << " dimension " << idx << " is " << actual
                           << ", expected " << expected;
}

/// Checks that `type` is a rank-3 [B,S,D] float tensor named `what`.
static LogicalResult checkTokens(Operation *op, StringRef what,
                                 RankedTensorType type) {
  if (type.getRank() != 3)
    return op->emitOpError()
           << what << " must be rank 3 [B,S,D], got rank " << type.getRank();
  if (!isa<FloatType>(type.getElementType()))
    return op->emitOpError() << what << " element type must be a float, got "
                             << type.getElementType();
  return success();
}

/// Checks that `type` is rank 2 with element type `elem` and shape [b, s].
static LogicalResult checkPerToken(Operation *op, StringRef what,
                                   RankedTensorType type, Type elem, int64_t b,
                                   int64_t s) {
  if (type.getRank() != 2 || type.getElementType() != elem)
    return op->emitOpError() << what << " must be a rank-2 tensor of " << elem
                             << ", got " << type;
  if (failed(checkTokenDim(op, what, 0, type.getDimSize(0), b)) ||
      failed(checkTokenDim(op, what, 1, type.getDimSize(1), s)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// TokenScoreOp
//===----------------------------------------------------------------------===//

LogicalResult TokenScoreOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto outType = cast<RankedTensorType>(getScores().getType());
  if (!isa<FloatType>(inType.getElementType()))
    return emitOpError() << "input element type must be a float, got "
                         << inType.getElementType();
  int64_t b, s;
  if (getMethod() == TokenScoreMethod::l2norm) {
    if (inType.getRank() != 3)
      return emitOpError() << "l2norm input must be rank 3 [B,S,D], got rank "
                           << inType.getRank();
    b = inType.getDimSize(0);
    s = inType.getDimSize(1);
  } else {
    if (inType.getRank() != 4)
      return emitOpError() << stringifyTokenScoreMethod(getMethod())
                           << " input must be rank 4 [B,H,Sq,S], got rank "
                           << inType.getRank();
    if (inType.getDimSize(2) == 0)
      return emitOpError() << "attention input needs at least one query row";
    b = inType.getDimSize(0);
    s = inType.getDimSize(3);
  }
  Type f32 = Float32Type::get(getContext());
  return checkPerToken(*this, "scores result", outType, f32, b, s);
}

//===----------------------------------------------------------------------===//
// TokenPruneOp
//===----------------------------------------------------------------------===//

int64_t TokenPruneOp::getKeepCount(int64_t numTokens) {
  if (std::optional<int64_t> keep = getKeep())
    return *keep;
  double product =
      static_cast<double>(getKeepRatio()->convertToFloat()) * numTokens;
  return static_cast<int64_t>(std::ceil(product - 1e-3));
}

LogicalResult TokenPruneOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto scoreType = cast<RankedTensorType>(getScores().getType());
  auto keptType = cast<RankedTensorType>(getKept().getType());
  auto idxType = cast<RankedTensorType>(getIndices().getType());
  if (failed(checkTokens(*this, "input", inType)))
    return failure();
  int64_t b = inType.getDimSize(0), s = inType.getDimSize(1),
          d = inType.getDimSize(2);
  if (scoreType.getRank() != 2 || !isa<FloatType>(scoreType.getElementType()))
    return emitOpError() << "scores must be a rank-2 float tensor [B,S], got "
                         << scoreType;
  if (failed(checkTokenDim(*this, "scores", 0, scoreType.getDimSize(0), b)) ||
      failed(checkTokenDim(*this, "scores", 1, scoreType.getDimSize(1), s)))
    return failure();

  if (getKeep().has_value() == getKeepRatio().has_value())
    return emitOpError() << "requires exactly one of 'keep' and 'keep_ratio'";
  if (std::optional<int64_t> keep = getKeep()) {
    if (*keep < 1)
      return emitOpError() << "keep must be at least 1, got " << *keep;
    if (!ShapedType::isDynamic(s) && *keep > s)
      return emitOpError() << "keep (" << *keep
                           << ") exceeds the number of tokens (" << s << ")";
  } else {
    float ratio = getKeepRatio()->convertToFloat();
    if (!(ratio > 0.0f && ratio <= 1.0f))
      return emitOpError() << "keep_ratio must be in (0, 1], got " << ratio;
  }
  int64_t keep = ShapedType::isDynamic(s) && !getKeep() ? ShapedType::kDynamic
                                                        : getKeepCount(s);

  if (std::optional<ArrayRef<int64_t>> pinned = getPinned()) {
    llvm::SmallSet<int64_t, 8> seen;
    for (int64_t p : *pinned) {
      if (p < 0 || (!ShapedType::isDynamic(s) && p >= s))
        return emitOpError()
               << "pinned index " << p << " is out of range [0, " << s << ")";
      if (!seen.insert(p).second)
        return emitOpError() << "pinned index " << p << " is repeated";
    }
    if (!ShapedType::isDynamic(keep) &&
        static_cast<int64_t>(pinned->size()) > keep)
      return emitOpError() << "more pinned tokens (" << pinned->size()
                           << ") than kept tokens (" << keep << ")";
  }

  if (keptType.getRank() != 3 ||
      keptType.getElementType() != inType.getElementType())
    return emitOpError() << "kept result must be a rank-3 tensor of "
                         << inType.getElementType() << ", got " << keptType;
  if (failed(
          checkTokenDim(*this, "kept result", 0, keptType.getDimSize(0), b)) ||
      failed(checkTokenDim(*this, "kept result", 1, keptType.getDimSize(1),
                           keep)) ||
      failed(checkTokenDim(*this, "kept result", 2, keptType.getDimSize(2), d)))
    return failure();
  Type i64 = IntegerType::get(getContext(), 64);
  return checkPerToken(*this, "indices result", idxType, i64, b, keep);
}

//===----------------------------------------------------------------------===//
// TokenMergeOp
//===----------------------------------------------------------------------===//

LogicalResult TokenMergeOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  if (failed(checkTokens(*this, "input", inType)))
    return failure();
  int64_t b = inType.getDimSize(0), s = inType.getDimSize(1),
          d = inType.getDimSize(2);
  if (Value keys = getKeys()) {
    auto keyType = cast<RankedTensorType>(keys.getType());
    if (failed(checkTokens(*this, "keys", keyType)))
      return failure();
    if (failed(checkTokenDim(*this, "keys", 0, keyType.getDimSize(0), b)) ||
        failed(checkTokenDim(*this, "keys", 1, keyType.getDimSize(1), s)))
      return failure();
  }
  Type f32 = Float32Type::get(getContext());
  Type i64 = IntegerType::get(getContext(), 64);
  if (Value sizes = getSizes())
    if (failed(checkPerToken(*this, "sizes",
                             cast<RankedTensorType>(sizes.getType()), f32, b,
                             s)))
      return failure();

  int64_t r = getR();
  if (r < 1)
    return emitOpError() << "r must be at least 1, got " << r;
  if (!ShapedType::isDynamic(s) && r > s / 2)
    return emitOpError() << "r (" << r
                         << ") exceeds half the number of tokens (" << s
                         << " / 2 = " << s / 2 << ")";
  if (getProtectFirst() && !ShapedType::isDynamic(s) && r > (s + 1) / 2 - 1)
    return emitOpError() << "r (" << r << ") exceeds the " << (s + 1) / 2 - 1
                         << " mergeable A tokens (token 0 is protected)";
  int64_t out = ShapedType::isDynamic(s) ? s : s - r;

  auto mergedType = cast<RankedTensorType>(getMerged().getType());
  if (mergedType.getRank() != 3 ||
      mergedType.getElementType() != inType.getElementType())
    return emitOpError() << "merged result must be a rank-3 tensor of "
                         << inType.getElementType() << ", got " << mergedType;
  if (failed(checkTokenDim(*this, "merged result", 0, mergedType.getDimSize(0),
                           b)) ||
      failed(checkTokenDim(*this, "merged result", 1, mergedType.getDimSize(1),
                           out)) ||
      failed(checkTokenDim(*this, "merged result", 2, mergedType.getDimSize(2),
                           d)))
    return failure();
  if (failed(checkPerToken(*this, "merged_sizes result",
                           cast<RankedTensorType>(getMergedSizes().getType()),
                           f32, b, out)))
    return failure();
  return checkPerToken(*this, "source result",
                       cast<RankedTensorType>(getSource().getType()), i64, b,
                       s);
}

//===----------------------------------------------------------------------===//
// TokenRestoreOp
//===----------------------------------------------------------------------===//

LogicalResult TokenRestoreOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto outType = cast<RankedTensorType>(getResult().getType());
  if (failed(checkTokens(*this, "input", inType)))
    return failure();
  if (outType.getRank() != 3 ||
      outType.getElementType() != inType.getElementType())
    return emitOpError() << "result must be a rank-3 tensor of "
                         << inType.getElementType() << ", got " << outType;
  int64_t b = inType.getDimSize(0), k = inType.getDimSize(1),
          d = inType.getDimSize(2), s = outType.getDimSize(1);
  if (failed(checkTokenDim(*this, "result", 0, outType.getDimSize(0), b)) ||
      failed(checkTokenDim(*this, "result", 2, outType.getDimSize(2), d)))
    return failure();

  if (static_cast<bool>(getIndices()) == static_cast<bool>(getSource()))
    return emitOpError() << "requires exactly one of 'indices' and 'source'";
  Type i64 = IntegerType::get(getContext(), 64);
  if (Value indices = getIndices()) {
    if (failed(checkPerToken(*this, "indices",
                             cast<RankedTensorType>(indices.getType()), i64, b,
                             k)))
      return failure();
    if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(s) && k > s)
      return emitOpError() << "input has more tokens (" << k
                           << ") than the result (" << s << ")";
    if (Value fill = getFill())
      if (fill.getType() != outType)
        return emitOpError() << "fill type " << fill.getType()
                             << " must equal the result type " << outType;
    return success();
  }
  if (getFill())
    return emitOpError() << "'fill' is only valid with 'indices'";
  return checkPerToken(*this, "source",
                       cast<RankedTensorType>(getSource().getType()), i64, b,
                       s);
}
