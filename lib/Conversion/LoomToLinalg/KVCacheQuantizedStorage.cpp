//===- KVCacheQuantizedStorage.cpp - Packed KIVI storage of a KV cache ----===//
//
// The reference lowering of a quantized (KIVI) cache's storage: quantizing
// windows of entries into packed codes with per-group scales and zero points,
// the full-precision residual, and reading the entries back dequantized.
// Shared by the KV cache lowerings through KVCacheLowering.h.
//
//===----------------------------------------------------------------------===//

#include "KVCacheLowering.h"
#include "KVCacheParts.h"
#include "LoweringUtils.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;

/// `value` (an i64) as an index.
Value mlir::loom::kvIndexCast(OpBuilder &b, Location loc, Value value) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

/// Per sequence, the number of leading tokens of a cache of `length` entries
/// that are stored quantized: whole groups before the last `residual` tokens.
Value mlir::loom::quantizedPrefix(OpBuilder &b, Location loc, KVCacheType type,
                                  Value length) {
  MLIRContext *ctx = b.getContext();
  int64_t batch = type.getBatch(), group = type.getQuantGroup(),
          residual = type.getQuantResidual();
  AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
  return createGeneric(
      b, loc, {length}, createEmptyTensor(b, loc, {batch}, b.getI64Type()),
      {id1, id1}, "p", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value zero = createI64Constant(nb, nl, 0);
        Value unquantized = arith::SubIOp::create(
            nb, nl, args[0], createI64Constant(nb, nl, residual));
        unquantized = arith::MaxSIOp::create(nb, nl, unquantized, zero);
        Value groups = arith::DivSIOp::create(nb, nl, unquantized,
                                              createI64Constant(nb, nl, group));
        yieldValue(nb, nl,
                   arith::MulIOp::create(nb, nl, groups,
                                         createI64Constant(nb, nl, group)));
      });
}

/// Reduces `storage` [B,H,C,X] over groups of `group` entries along dimension
/// `dim` (2: tokens, 3: channels) with min or max, in f32.
static Value groupExtremum(OpBuilder &b, Location loc, Value storage,
                           unsigned dim, int64_t group, bool isMax) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(storage.getType());
  SmallVector<int64_t> expanded(type.getShape());
  expanded[dim] /= group;
  expanded.insert(expanded.begin() + dim + 1, group);
  SmallVector<ReassociationIndices> reassociation = {{0}, {1}, {2}, {3}};
  reassociation[dim] = {dim, dim + 1};
  for (unsigned i = dim + 1; i < 4; ++i)
    reassociation[i] = {i + 1};
  Value grouped = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(expanded, type.getElementType()), storage,
      reassociation);
  SmallVector<int64_t> reducedShape(type.getShape());
  reducedShape[dim] /= group;
  float init = isMax ? -std::numeric_limits<float>::infinity()
                     : std::numeric_limits<float>::infinity();
  SmallVector<unsigned> outDims;
  std::string iterators;
  for (unsigned i = 0; i < 5; ++i) {
    if (i == dim + 1) {
      iterators += 'r';
      continue;
    }
    iterators += 'p';
    outDims.push_back(i);
  }
  return createGeneric(
      b, loc, {grouped},
      createFilledTensor(b, loc, reducedShape, b.getF32Type(),
                         b.getF32FloatAttr(init)),
      {AffineMap::getMultiDimIdentityMap(5, ctx), selectDims(ctx, 5, outDims)},
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = castToF32(nb, nl, args[0]);
        Value r =
            isMax ? arith::MaximumFOp::create(nb, nl, x, args[1]).getResult()
                  : arith::MinimumFOp::create(nb, nl, x, args[1]).getResult();
        yieldValue(nb, nl, r);
      });
}

/// min(max(v, lo), hi) on i64 scalars.
Value mlir::loom::clampI64(OpBuilder &b, Location loc, Value v, int64_t lo,
                           int64_t hi) {
  v = arith::MaxSIOp::create(b, loc, v, createI64Constant(b, loc, lo));
  return arith::MinSIOp::create(b, loc, v, createI64Constant(b, loc, hi));
}

/// `2^bits - 1` as an f32 constant.
static Value maxLevel(OpBuilder &b, Location loc, unsigned bits) {
  return arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(static_cast<float>((1u << bits) - 1)));
}

/// The code (an integral f32 in [0, 2^bits - 1]) of `x` in a group of zero
/// point `lo` and `scale` (all f32): clamp(roundeven((x - lo) / scale)); 0 for
/// a constant group (scale 0).
static Value quantizeCode(OpBuilder &b, Location loc, Value x, Value lo,
                          Value scale, unsigned bits) {
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value levels = maxLevel(b, loc, bits);
  Value q = math::RoundEvenOp::create(
      b, loc,
      arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, x, lo),
                            scale));
  q = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, q, zero), levels);
  Value constant =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, zero);
  return arith::SelectOp::create(b, loc, constant, zero, q);
}

/// What code `q` (f32) of a group of `scale` and zero point `lo` reads as:
/// `q * scale + lo`; a constant group (scale 0) reads back exactly as `lo`.
static Value dequantizeCode(OpBuilder &b, Location loc, Value q, Value scale,
                            Value lo) {
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value value = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, q, scale), lo);
  Value constant =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, zero);
  return arith::SelectOp::create(b, loc, constant, lo, value);
}

namespace {
/// The quantized storage of keys or values: packed codes, scales, zero points.
struct QuantizedStorage {
  Value codes, scales, zeros;
};
} // namespace

/// Quantizes the entries [base[b], prefix[b]) of a quantized cache into `old`,
/// reading them from `window` [B,H,W,X], which holds entry `base[b] + w` at `w`
/// (W a multiple of the group for keys; `base` a multiple of the group).
/// Keys (`isKeys`) are grouped per channel over tokens, values per token over
/// channels. Everything outside the range is kept from `old`.
static QuantizedStorage quantizeWindow(OpBuilder &b, Location loc,
                                       KVCacheType type, Value window,
                                       bool isKeys, Value base, Value prefix,
                                       const QuantizedStorage &old) {
  MLIRContext *ctx = b.getContext();
  int64_t group = type.getQuantGroup();
  unsigned bits = type.getQuantBits();
  int64_t perByte = type.getCodesPerByte();
  auto windowType = cast<RankedTensorType>(window.getType());
  int64_t width = windowType.getDimSize(2);
  unsigned dim = isKeys ? 2 : 3;
  // Per group of the window: zero point (the minimum) and scale.
  Value lo = groupExtremum(b, loc, window, dim, group, /*isMax=*/false);
  Value hi = groupExtremum(b, loc, window, dim, group, /*isMax=*/true);
  auto groupType = cast<RankedTensorType>(lo.getType());
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap batchMap = selectDims(ctx, 4, {0});
  Value scale = createGeneric(
      b, loc, {lo, hi},
      createEmptyTensor(b, loc, groupType.getShape(), b.getF32Type()),
      {id4, id4, id4}, "pppp", [&](OpBuilder &nb, Location nl, ValueRange a) {
        yieldValue(nb, nl,
                   arith::DivFOp::create(
                       nb, nl, arith::SubFOp::create(nb, nl, a[1], a[0]),
                       maxLevel(nb, nl, bits)));
      });

  // True when cache entry `c` is being quantized; its window index.
  auto entryInRange = [&](OpBuilder &nb, Location nl, Value c, Value from,
                          Value to) {
    return arith::AndIOp::create(
        nb, nl,
        arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, c, from),
        arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, c, to));
  };
  // The window group of cache group `index` (keys: a token group; values: a
  // token), clamped so reads stay in bounds outside the range.
  auto windowGroup = [&](OpBuilder &nb, Location nl, Value c, Value from) {
    Value w = arith::SubIOp::create(nb, nl, c, from);
    if (isKeys)
      w = arith::DivSIOp::create(nb, nl, w, createI64Constant(nb, nl, group));
    return clampI64(nb, nl, w, 0, groupType.getDimSize(2) - 1);
  };

  // Scales and zero points of the new groups.
  auto updateGroups = [&](Value oldGroups, Value fresh) {
    auto t = cast<RankedTensorType>(oldGroups.getType());
    return createGeneric(
        b, loc, {oldGroups, base, prefix},
        createEmptyTensor(b, loc, t.getShape(), b.getF32Type()),
        {id4, batchMap, batchMap, id4}, "pppp",
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value c = indexAsI64(nb, nl, 2);
          if (isKeys)
            c = arith::MulIOp::create(nb, nl, c,
                                      createI64Constant(nb, nl, group));
          Value w = windowGroup(nb, nl, c, a[1]);
          Value read = tensor::ExtractOp::create(
              nb, nl, fresh,
              ValueRange{linalg::IndexOp::create(nb, nl, 0),
                         linalg::IndexOp::create(nb, nl, 1),
                         kvIndexCast(nb, nl, w),
                         linalg::IndexOp::create(nb, nl, 3)});
          yieldValue(
              nb, nl,
              arith::SelectOp::create(
                  nb, nl, entryInRange(nb, nl, c, a[1], a[2]), read, a[0]));
        });
  };
  QuantizedStorage result;
  result.scales = updateGroups(old.scales, scale);
  result.zeros = updateGroups(old.zeros, lo);

  // Codes: byte j of entry c packs channels j*perByte .. j*perByte+perByte-1,
  // the first in the low bits.
  auto codesType = cast<RankedTensorType>(old.codes.getType());
  Type i32 = b.getI32Type();
  result.codes = createGeneric(
      b, loc, {old.codes, base, prefix},
      createEmptyTensor(b, loc, codesType.getShape(), b.getI8Type()),
      {id4, batchMap, batchMap, id4}, "pppp",
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value c = indexAsI64(nb, nl, 2);
        Value w = clampI64(nb, nl, arith::SubIOp::create(nb, nl, c, a[1]), 0,
                           width - 1);
        Value wIndex = kvIndexCast(nb, nl, w);
        Value b0 = linalg::IndexOp::create(nb, nl, 0);
        Value h = linalg::IndexOp::create(nb, nl, 1);
        Value byteIndex = indexAsI64(nb, nl, 3);
        Value packed =
            arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(0));
        for (int64_t k = 0; k < perByte; ++k) {
          Value channel = arith::AddIOp::create(
              nb, nl,
              arith::MulIOp::create(nb, nl, byteIndex,
                                    createI64Constant(nb, nl, perByte)),
              createI64Constant(nb, nl, k));
          Value x = castToF32(
              nb, nl,
              tensor::ExtractOp::create(
                  nb, nl, window,
                  ValueRange{b0, h, wIndex, kvIndexCast(nb, nl, channel)}));
          SmallVector<Value> groupIndex = {b0, h, wIndex,
                                           kvIndexCast(nb, nl, channel)};
          if (isKeys)
            groupIndex[2] = arith::DivSIOp::create(
                nb, nl, wIndex, arith::ConstantIndexOp::create(nb, nl, group));
          else
            groupIndex[3] = arith::DivSIOp::create(
                nb, nl, groupIndex[3],
                arith::ConstantIndexOp::create(nb, nl, group));
          Value groupLo = tensor::ExtractOp::create(nb, nl, lo, groupIndex);
          Value groupScale =
              tensor::ExtractOp::create(nb, nl, scale, groupIndex);
          Value code = arith::FPToUIOp::create(
              nb, nl, i32, quantizeCode(nb, nl, x, groupLo, groupScale, bits));
          if (k != 0)
            code = arith::ShLIOp::create(
                nb, nl, code,
                arith::ConstantOp::create(
                    nb, nl,
                    nb.getI32IntegerAttr(static_cast<int32_t>(k * bits))));
          packed = arith::OrIOp::create(nb, nl, packed, code);
        }
        Value byte = arith::TruncIOp::create(nb, nl, nb.getI8Type(), packed);
        yieldValue(nb, nl,
                   arith::SelectOp::create(nb, nl,
                                           entryInRange(nb, nl, c, a[1], a[2]),
                                           byte, a[0]));
      });
  return result;
}

/// The residual of a quantized cache of `length` entries whose first `prefix`
/// are quantized: residual[i] = entry prefix + i (zero from length - prefix
/// on), read from `window`, which holds entry base + w at w.
static Value residualFromWindow(OpBuilder &b, Location loc, KVCacheType type,
                                Value window, Value base, Value prefix,
                                Value length) {
  MLIRContext *ctx = b.getContext();
  auto windowType = cast<RankedTensorType>(window.getType());
  int64_t width = windowType.getDimSize(2);
  Type elementType = windowType.getElementType();
  SmallVector<int64_t> shape(windowType.getShape());
  shape[2] = type.getResidualCapacity();
  AffineMap batchMap = selectDims(ctx, 4, {0});
  return createGeneric(
      b, loc, {base, prefix, length},
      createEmptyTensor(b, loc, shape, elementType),
      {batchMap, batchMap, batchMap, AffineMap::getMultiDimIdentityMap(4, ctx)},
      "pppp", [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value i = indexAsI64(nb, nl, 2);
        Value valid =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, i,
                                  arith::SubIOp::create(nb, nl, a[2], a[1]));
        Value w = arith::AddIOp::create(
            nb, nl, arith::SubIOp::create(nb, nl, a[1], a[0]), i);
        w = clampI64(nb, nl, w, 0, width - 1);
        Value x = tensor::ExtractOp::create(
            nb, nl, window,
            ValueRange{linalg::IndexOp::create(nb, nl, 0),
                       linalg::IndexOp::create(nb, nl, 1),
                       kvIndexCast(nb, nl, w),
                       linalg::IndexOp::create(nb, nl, 3)});
        Value zero =
            arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elementType, 0));
        yieldValue(nb, nl, arith::SelectOp::create(nb, nl, valid, x, zero));
      });
}

/// Quantizes the entries [base, prefix(length)) of `parts` from the key and
/// value windows and rebuilds the residual (see quantizeWindow).
void mlir::loom::quantizeFromWindows(OpBuilder &b, Location loc,
                                     KVCacheType type, KVCacheParts &parts,
                                     Value keyWindow, Value valueWindow,
                                     Value base) {
  Value prefix = quantizedPrefix(b, loc, type, parts.length);
  QuantizedStorage keys =
      quantizeWindow(b, loc, type, keyWindow, /*isKeys=*/true, base, prefix,
                     {parts.keys, parts.keyScales, parts.keyZeros});
  QuantizedStorage values =
      quantizeWindow(b, loc, type, valueWindow, /*isKeys=*/false, base, prefix,
                     {parts.values, parts.valueScales, parts.valueZeros});
  parts.keys = keys.codes;
  parts.keyScales = keys.scales;
  parts.keyZeros = keys.zeros;
  parts.values = values.codes;
  parts.valueScales = values.scales;
  parts.valueZeros = values.zeros;
  parts.residualKeys =
      residualFromWindow(b, loc, type, keyWindow, base, prefix, parts.length);
  parts.residualValues =
      residualFromWindow(b, loc, type, valueWindow, base, prefix, parts.length);
}

/// Reads keys (`isKeys`) or values of a quantized cache as [B,H,C,X]: entries
/// before the quantized prefix dequantized, then the residual, then zeros.
static Value readQuantizedEntries(OpBuilder &b, Location loc, KVCacheType type,
                                  const KVCacheParts &parts, bool isKeys) {
  MLIRContext *ctx = b.getContext();
  int64_t group = type.getQuantGroup(), perByte = type.getCodesPerByte();
  unsigned bits = type.getQuantBits();
  Type elementType = type.getElementType();
  Value codes = isKeys ? parts.keys : parts.values;
  Value scales = isKeys ? parts.keyScales : parts.valueScales;
  Value zeros = isKeys ? parts.keyZeros : parts.valueZeros;
  Value residual = isKeys ? parts.residualKeys : parts.residualValues;
  int64_t residualCapacity = type.getResidualCapacity();
  Value prefix = quantizedPrefix(b, loc, type, parts.length);
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  AffineMap codeMap =
      AffineMap::get(4, 0, {d0, d1, d2, d3.floorDiv(perByte)}, ctx);
  AffineMap groupMap =
      isKeys ? AffineMap::get(4, 0, {d0, d1, d2.floorDiv(group), d3}, ctx)
             : AffineMap::get(4, 0, {d0, d1, d2, d3.floorDiv(group)}, ctx);
  AffineMap batchMap = AffineMap::get(4, 0, {d0}, ctx);
  SmallVector<int64_t> shape =
      isKeys ? type.getKeyShape() : type.getValueShape();
  return createGeneric(
      b, loc, {codes, scales, zeros, prefix, parts.length},
      createEmptyTensor(b, loc, shape, elementType),
      {codeMap, groupMap, groupMap, batchMap, batchMap,
       AffineMap::getMultiDimIdentityMap(4, ctx)},
      "pppp", [&](OpBuilder &nb, Location nl, ValueRange a) {
        Type i32 = nb.getI32Type();
        Value c = indexAsI64(nb, nl, 2);
        Value channel = indexAsI64(nb, nl, 3);
        // The code: bits (channel % perByte) * bits of the byte.
        Value shift = arith::MulIOp::create(
            nb, nl,
            arith::RemSIOp::create(nb, nl, channel,
                                   createI64Constant(nb, nl, perByte)),
            createI64Constant(nb, nl, bits));
        Value code = arith::ShRUIOp::create(
            nb, nl, arith::ExtUIOp::create(nb, nl, i32, a[0]),
            arith::TruncIOp::create(nb, nl, i32, shift));
        code = arith::AndIOp::create(
            nb, nl, code,
            arith::ConstantOp::create(
                nb, nl,
                nb.getI32IntegerAttr(static_cast<int32_t>((1u << bits) - 1))));
        Value q = arith::UIToFPOp::create(nb, nl, nb.getF32Type(), code);
        Value dequantized = castFromF32(
            nb, nl, dequantizeCode(nb, nl, q, a[1], a[2]), elementType);
        Value r = clampI64(nb, nl, arith::SubIOp::create(nb, nl, c, a[3]), 0,
                           residualCapacity - 1);
        Value stored = tensor::ExtractOp::create(
            nb, nl, residual,
            ValueRange{linalg::IndexOp::create(nb, nl, 0),
                       linalg::IndexOp::create(nb, nl, 1),
                       kvIndexCast(nb, nl, r),
                       linalg::IndexOp::create(nb, nl, 3)});
        Value zero =
            arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elementType, 0));
        Value inResidual =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, c, a[4]);
        Value quantized =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, c, a[3]);
        yieldValue(
            nb, nl,
            arith::SelectOp::create(
                nb, nl, quantized, dequantized,
                arith::SelectOp::create(nb, nl, inResidual, stored, zero)));
      });
}

std::pair<Value, Value>
mlir::loom::readKVCacheEntries(OpBuilder &b, Location loc, KVCacheType type,
                               const KVCacheParts &parts) {
  if (!type.isQuantized())
    return {parts.keys, parts.values};
  return {readQuantizedEntries(b, loc, type, parts, /*isKeys=*/true),
          readQuantizedEntries(b, loc, type, parts, /*isKeys=*/false)};
}

/// The empty quantized storage of a cache of `type` (codes, scales, zero
/// points and residual all zero) into `parts`.
void mlir::loom::initQuantizedStorage(OpBuilder &b, Location loc,
                                      KVCacheType type, KVCacheParts &parts) {
  SmallVector<Type> types;
  getKVCachePartTypes(type, types);
  auto zeroOf = [&](Type t) {
    auto tensorType = cast<RankedTensorType>(t);
    Type element = tensorType.getElementType();
    TypedAttr zero = isa<FloatType>(element)
                         ? TypedAttr(b.getFloatAttr(element, 0))
                         : TypedAttr(b.getIntegerAttr(element, 0));
    return createFilledTensor(b, loc, tensorType.getShape(), element, zero);
  };
  parts.keys = zeroOf(types[0]);
  parts.values = zeroOf(types[1]);
  parts.keyScales = zeroOf(types[5]);
  parts.keyZeros = zeroOf(types[6]);
  parts.valueScales = zeroOf(types[7]);
  parts.valueZeros = zeroOf(types[8]);
  parts.residualKeys = zeroOf(types[9]);
  parts.residualValues = zeroOf(types[10]);
}
