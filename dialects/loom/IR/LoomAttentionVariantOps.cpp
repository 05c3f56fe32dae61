//===- LoomAttentionVariantOps.cpp - Linear / block-sparse attention ------===//
//
// Verifiers and helpers of `loom.linear_attention`,
// `loom.block_sparse_attention` and `loom.angular_attention`. Like the other
// loom verifiers, shape checks accept dynamic dimensions and compare only the
// static ones; the sizes that decide structure (head dims, block counts) must
// be static.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomVerifierUtils.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

/// Checks that `type` is a rank-`rank` tensor of `elemType` with the `expected`
/// dimension sizes (named by `dimNames`).
static LogicalResult checkTensor(Operation *op, StringRef what,
                                 RankedTensorType type, Type elemType,
                                 ArrayRef<int64_t> expected,
                                 ArrayRef<StringRef> dimNames,
                                 StringRef layout) {
  if (type.getRank() != static_cast<int64_t>(expected.size()) ||
      type.getElementType() != elemType)
    return op->emitOpError()
           << what << " must be a rank-" << expected.size() << " tensor of "
           << elemType << " " << layout << ", got " << type;
  for (auto [i, size] : llvm::enumerate(expected))
    if (failed(checkDim(op, what, dimNames[i], type.getDimSize(i), size)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// LinearAttentionOp
//===----------------------------------------------------------------------===//

/// Parses the optional `feature_map(<kind>)`; absent means the default.
ParseResult LinearAttentionOp::parseFeatureMap(OpAsmParser &parser,
                                               FeatureMapAttr &attr) {
  if (failed(parser.parseOptionalKeyword("feature_map")))
    return success();
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLParen() || parser.parseKeyword(&keyword) ||
      parser.parseRParen())
    return failure();
  std::optional<FeatureMap> kind = symbolizeFeatureMap(keyword);
  if (!kind)
    return parser.emitError(loc)
           << "unknown feature map '" << keyword
           << "' (expected elu_plus_one, relu or identity)";
  attr = FeatureMapAttr::get(parser.getContext(), *kind);
  return success();
}

/// Prints `feature_map(<kind>)` unless it is the default (elu_plus_one).
void LinearAttentionOp::printFeatureMap(OpAsmPrinter &printer,
                                        LinearAttentionOp,
                                        FeatureMapAttr attr) {
  if (!attr || attr.getValue() == FeatureMap::elu_plus_one)
    return;
  printer << "feature_map(" << stringifyFeatureMap(attr.getValue()) << ")";
}

LogicalResult LinearAttentionOp::verify() {
  Operation *op = getOperation();
  RankedTensorType qType = getQuery().getType();
  auto kType = cast<RankedTensorType>(getKey().getType());
  auto vType = cast<RankedTensorType>(getValue().getType());
  if (qType.getRank() != 4 || kType.getRank() != 4 || vType.getRank() != 4)
    return emitOpError() << "query, key and value must be rank 4 [B,H,S,D], "
                            "got ranks "
                         << qType.getRank() << ", " << kType.getRank()
                         << " and " << vType.getRank();
  Type elemType = qType.getElementType();
  if (!isa<FloatType>(elemType))
    return emitOpError() << "query element type must be a float, got "
                         << elemType;
  if (kType.getElementType() != elemType || vType.getElementType() != elemType)
    return emitOpError() << "query, key and value must share an element type";
  int64_t b = qType.getDimSize(0), h = qType.getDimSize(1),
          s = qType.getDimSize(2), d = qType.getDimSize(3);
  int64_t skv = kType.getDimSize(2), dv = vType.getDimSize(3);
  if (ShapedType::isDynamic(d) || ShapedType::isDynamic(dv))
    return emitOpError() << "head dims must be static";
  if (failed(checkDim(op, "key", "batch", kType.getDimSize(0), b)) ||
      failed(checkDim(op, "key", "head count", kType.getDimSize(1), h)) ||
      failed(checkDim(op, "key", "head dim", kType.getDimSize(3), d)) ||
      failed(checkDim(op, "value", "batch", vType.getDimSize(0), b)) ||
      failed(checkDim(op, "value", "head count", vType.getDimSize(1), h)) ||
      failed(
          checkDim(op, "value", "sequence length", vType.getDimSize(2), skv)))
    return failure();
  if (getCausal() && !dimsCompatible(s, skv))
    return emitOpError() << "causal requires equal query and key lengths, got "
                         << s << " and " << skv;

  if (failed(checkTensor(
          op, "result", getOutput().getType(), elemType, {b, h, s, dv},
          {"batch", "head count", "query length", "value dim"}, "[B,H,S,Dv]")))
    return failure();

  size_t numState = getInitialState().size();
  if (numState != 0 && numState != 2)
    return emitOpError() << "state takes two operands (S [B,H,D,Dv] and "
                            "z [B,H,D]), got "
                         << numState;
  if (getFinalState().size() != numState)
    return emitOpError() << "expects " << numState
                         << " state results (one per state operand), got "
                         << getFinalState().size();
  if (numState == 2) {
    Type f32 = Float32Type::get(getContext());
    SmallVector<int64_t> stateShape = {b, h, d, dv};
    SmallVector<int64_t> normShape = {b, h, d};
    SmallVector<StringRef> stateNames = {"batch", "head count", "key dim",
                                         "value dim"};
    SmallVector<StringRef> normNames = {"batch", "head count", "key dim"};
    auto type = [](Value v) { return cast<RankedTensorType>(v.getType()); };
    if (failed(checkTensor(op, "state", type(getInitialState()[0]), f32,
                           stateShape, stateNames, "[B,H,D,Dv]")) ||
        failed(checkTensor(op, "normalizer", type(getInitialState()[1]), f32,
                           normShape, normNames, "[B,H,D]")) ||
        failed(checkTensor(op, "state result", type(getFinalState()[0]), f32,
                           stateShape, stateNames, "[B,H,D,Dv]")) ||
        failed(checkTensor(op, "normalizer result", type(getFinalState()[1]),
                           f32, normShape, normNames, "[B,H,D]")))
      return failure();
  }

  APFloat eps = getEps();
  if (!eps.isFinite() || eps.isNegative() || eps.isZero())
    return emitOpError() << "eps must be finite and positive, got "
                         << eps.convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// BlockSparseAttentionOp
//===----------------------------------------------------------------------===//

float BlockSparseAttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToFloat();
  int64_t d = getQuery().getType().getDimSize(3);
  return 1.0f / std::sqrt(static_cast<float>(d));
}

LogicalResult BlockSparseAttentionOp::verify() {
  Operation *op = getOperation();
  RankedTensorType qType = getQuery().getType();
  auto kType = cast<RankedTensorType>(getKey().getType());
  auto vType = cast<RankedTensorType>(getValue().getType());
  if (qType.getRank() != 4 || kType.getRank() != 4 || vType.getRank() != 4)
    return emitOpError() << "query, key and value must be rank 4 [B,H,S,D], "
                            "got ranks "
                         << qType.getRank() << ", " << kType.getRank()
                         << " and " << vType.getRank();
  Type elemType = qType.getElementType();
  if (!isa<FloatType>(elemType))
    return emitOpError() << "query element type must be a float, got "
                         << elemType;
  if (kType.getElementType() != elemType || vType.getElementType() != elemType)
    return emitOpError() << "query, key and value must share an element type";
  int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
          sq = qType.getDimSize(2), d = qType.getDimSize(3);
  int64_t hkv = kType.getDimSize(1), skv = kType.getDimSize(2),
          dv = vType.getDimSize(3);
  if (ShapedType::isDynamic(d))
    return emitOpError() << "query head dim must be static";
  if (ShapedType::isDynamic(sq) || ShapedType::isDynamic(skv))
    return emitOpError() << "query and key lengths must be static (they fix "
                            "the block counts)";
  if (failed(checkDim(op, "key", "batch", kType.getDimSize(0), b)) ||
      failed(checkDim(op, "key", "head dim", kType.getDimSize(3), d)) ||
      failed(checkDim(op, "value", "batch", vType.getDimSize(0), b)) ||
      failed(checkDim(op, "value", "head count", vType.getDimSize(1), hkv)) ||
      failed(
          checkDim(op, "value", "sequence length", vType.getDimSize(2), skv)))
    return failure();
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) &&
      (hkv < 1 || hq % hkv != 0))
    return emitOpError() << "query heads (" << hq
                         << ") must be a multiple of key/value heads (" << hkv
                         << ")";
  if (sq > skv)
    return emitOpError() << "query length (" << sq << ") exceeds key length ("
                         << skv << ")";
  if (failed(checkTensor(op, "result", getOutput().getType(), elemType,
                         {b, hq, sq, dv},
                         {"batch", "head count", "query length", "value dim"},
                         "[B,Hq,Sq,Dv]")))
    return failure();

  int64_t blockQ = getBlockQ(), blockK = getBlockK();
  if (blockQ < 1 || blockK < 1)
    return emitOpError() << "block sizes must be at least 1, got block_q = "
                         << blockQ << " and block_k = " << blockK;
  if (sq % blockQ != 0)
    return emitOpError() << "block_q (" << blockQ
                         << ") must divide the query length (" << sq << ")";
  if (skv % blockK != 0)
    return emitOpError() << "block_k (" << blockK
                         << ") must divide the key length (" << skv << ")";
  int64_t numQueryBlocks = sq / blockQ, numKeyBlocks = skv / blockK;

  std::optional<DenseIntElementsAttr> mask = getBlockMask();
  std::optional<int64_t> topK = getTopK();
  std::optional<APFloat> threshold = getThreshold();
  int numSelections = (mask ? 1 : 0) + (topK ? 1 : 0) + (threshold ? 1 : 0);
  if (numSelections > 1)
    return emitOpError()
           << "takes exactly one of block_mask, top_k and threshold, got "
           << numSelections;
  if (numSelections == 0)
    return emitOpError() << "requires a block_mask, a top_k or a threshold";
  if (threshold) {
    float t = threshold->convertToFloat();
    if (!(t > 0.0f && t <= 1.0f))
      return emitOpError() << "threshold must be in (0, 1], got " << t;
  }
  if (mask) {
    auto maskType = cast<ShapedType>(mask->getType());
    if (!maskType.getElementType().isInteger(1) || maskType.getRank() != 2 ||
        maskType.getDimSize(0) != numQueryBlocks ||
        maskType.getDimSize(1) != numKeyBlocks)
      return emitOpError() << "block_mask must be an i1 tensor of shape ["
                           << numQueryBlocks << ", " << numKeyBlocks
                           << "] (query blocks x key blocks), got " << maskType;
  }
  if (topK && (*topK < 1 || *topK > numKeyBlocks))
    return emitOpError() << "top_k must be between 1 and the number of key "
                            "blocks ("
                         << numKeyBlocks << "), got " << *topK;

  if (std::optional<APFloat> scale = getScale()) {
    if (!scale->isFiniteNonZero())
      return emitOpError() << "scale must be finite and non-zero";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// AngularAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AngularAttentionOp::verify() {
  Operation *op = getOperation();
  RankedTensorType qType = getQuery().getType();
  auto kType = cast<RankedTensorType>(getKey().getType());
  auto vType = cast<RankedTensorType>(getValue().getType());
  if (qType.getRank() != 4 || kType.getRank() != 4 || vType.getRank() != 4)
    return emitOpError() << "query, key and value must be rank 4 [B,H,S,D], "
                            "got ranks "
                         << qType.getRank() << ", " << kType.getRank()
                         << " and " << vType.getRank();
  Type elemType = qType.getElementType();
  if (!isa<FloatType>(elemType))
    return emitOpError() << "query element type must be a float, got "
                         << elemType;
  if (kType.getElementType() != elemType || vType.getElementType() != elemType)
    return emitOpError() << "query, key and value must share an element type";
  int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
          sq = qType.getDimSize(2), d = qType.getDimSize(3);
  int64_t hkv = kType.getDimSize(1), skv = kType.getDimSize(2),
          dv = vType.getDimSize(3);
  if (ShapedType::isDynamic(d) || ShapedType::isDynamic(dv))
    return emitOpError() << "head dims must be static";
  if (failed(checkDim(op, "key", "batch", kType.getDimSize(0), b)) ||
      failed(checkDim(op, "key", "head dim", kType.getDimSize(3), d)) ||
      failed(checkDim(op, "value", "batch", vType.getDimSize(0), b)) ||
      failed(checkDim(op, "value", "head count", vType.getDimSize(1), hkv)) ||
      failed(
          checkDim(op, "value", "sequence length", vType.getDimSize(2), skv)))
    return failure();
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) &&
      (hkv < 1 || hq % hkv != 0))
    return emitOpError() << "query heads (" << hq
                         << ") must be a multiple of key/value heads (" << hkv
                         << ")";
  if (getCausal() && !dimsCompatible(sq, skv))
    return emitOpError() << "causal requires equal query and key lengths, got "
                         << sq << " and " << skv;
  if (failed(checkTensor(op, "result", getOutput().getType(), elemType,
                         {b, hq, sq, dv},
                         {"batch", "head count", "query length", "value dim"},
                         "[B,Hq,Sq,Dv]")))
    return failure();

  if (Value weight = getConvWeight()) {
    auto wType = cast<RankedTensorType>(weight.getType());
    if (getCausal())
      return emitOpError() << "the local (depthwise conv) branch pads 'same' "
                              "and reads future tokens; it cannot be causal";
    if (!dimsCompatible(sq, skv))
      return emitOpError() << "the local branch requires equal query and key "
                              "lengths, got "
                           << sq << " and " << skv;
    if (wType.getRank() != 2 || wType.getElementType() != elemType)
      return emitOpError() << "conv weight must be a rank-2 tensor of "
                           << elemType << " [Hkv,K], got " << wType;
    if (failed(checkDim(op, "conv weight", "head count", wType.getDimSize(0),
                        hkv)))
      return failure();
    int64_t kernel = wType.getDimSize(1);
    if (ShapedType::isDynamic(kernel))
      return emitOpError() << "conv kernel size must be static";
    if (kernel % 2 == 0)
      return emitOpError() << "conv kernel size must be odd (for 'same' "
                              "padding), got "
                           << kernel;
  }

  APFloat eps = getEps();
  if (!eps.isFinite() || eps.isNegative() || eps.isZero())
    return emitOpError() << "eps must be finite and positive, got "
                         << eps.convertToFloat();
  return success();
}
