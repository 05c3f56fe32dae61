//===- KVCacheParts.h - Converted form of !loom.kv_cache --------*- C++ -*-===//
//
// The reference lowering replaces every `!loom.kv_cache` value by tensors:
//
//  - a full-precision cache by five: keys, values, positions, length, next;
//  - a quantized (KIVI) cache by eleven, the same five where keys and values
//    hold packed integer codes, followed by the f32 scales and zero points of
//    the key groups (per channel over `group` tokens) and of the value groups
//    (per token over `group` channels) and by the full-precision residual
//    window. See docs/KVCache.md for the byte counts.
//
// The first five keep their order in both forms (the runtime passes the five
// parts of full-precision caches across the ABI).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHEPARTS_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHEPARTS_H

#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "mlir/IR/ValueRange.h"
#include "llvm/ADT/SmallVector.h"

#include <utility>

namespace mlir {
namespace loom {

/// The tensors a cache is converted to, in this order.
struct KVCacheParts {
  /// [B,H,C,D] of the cache element type; quantized: [B,H,C,D*bits/8] i8, the
  /// codes of entry c < quantizedPrefix(length), 8/bits per byte, low bits
  /// first.
  Value keys;
  /// [B,H,C,Dv]; quantized: [B,H,C,Dv*bits/8] i8.
  Value values;
  Value positions; ///< [B,H,C] i64: original position of each kept entry.
  Value length;    ///< [B] i64: number of valid entries per sequence.
  Value next;      ///< [B] i64: tokens appended so far (next token's position).

  // Quantized caches only (null otherwise).
  Value keyScales;    ///< [B,H,C/g,D] f32: per channel, per group of tokens.
  Value keyZeros;     ///< [B,H,C/g,D] f32: the group minimum.
  Value valueScales;  ///< [B,H,C,Dv/g] f32: per token, per group of channels.
  Value valueZeros;   ///< [B,H,C,Dv/g] f32.
  Value residualKeys; ///< [B,H,R,D]: entry P + i at i, P the quantized prefix.
  Value residualValues; ///< [B,H,R,Dv] of the cache element type.

  static constexpr unsigned kNumParts = 5;
  static constexpr unsigned kNumQuantizedParts = 11;

  bool isQuantized() const { return static_cast<bool>(keyScales); }

  /// Splits the converted values of one cache (5 or 11 of them).
  static KVCacheParts unpack(ValueRange parts) {
    KVCacheParts p{parts[0], parts[1], parts[2], parts[3], parts[4]};
    if (parts.size() == kNumQuantizedParts) {
      p.keyScales = parts[5];
      p.keyZeros = parts[6];
      p.valueScales = parts[7];
      p.valueZeros = parts[8];
      p.residualKeys = parts[9];
      p.residualValues = parts[10];
    }
    return p;
  }
  llvm::SmallVector<Value, kNumQuantizedParts> pack() const {
    llvm::SmallVector<Value, kNumQuantizedParts> parts = {
        keys, values, positions, length, next};
    if (isQuantized())
      parts.append({keyScales, keyZeros, valueScales, valueZeros, residualKeys,
                    residualValues});
    return parts;
  }
};

/// Appends the converted types of `type` to `types`, in KVCacheParts order.

/// The full-precision keys [B,H,C,D] and values [B,H,C,Dv] a cache reads as:
/// for a quantized cache, quantized entries dequantized on the fly
/// (`q * scale + zero`), then the residual, and zeros from the length on; for
/// a full-precision cache its storage as is.
std::pair<Value, Value> readKVCacheEntries(OpBuilder &b, Location loc,
                                           KVCacheType type,
                                           const KVCacheParts &parts);

/// `value` (an i64) as an index.
Value kvIndexCast(OpBuilder &b, Location loc, Value value);

/// min(max(v, lo), hi) on i64 scalars.
Value clampI64(OpBuilder &b, Location loc, Value v, int64_t lo, int64_t hi);

/// Per sequence, the number of leading tokens of a quantized cache of
/// `length` entries that are stored quantized: whole groups before the last
/// `residual` tokens (KVCacheQuantizedStorage.cpp).
Value quantizedPrefix(OpBuilder &b, Location loc, KVCacheType type,
                      Value length);

/// Quantizes the entries [base, prefix(length)) of `parts` from the key and
/// value windows ([B,H,W,X], entry base + w at w) and rebuilds the residual.
void quantizeFromWindows(OpBuilder &b, Location loc, KVCacheType type,
                         KVCacheParts &parts, Value keyWindow,
                         Value valueWindow, Value base);

/// The empty quantized storage of a cache of `type` (codes, scales, zero
/// points and residual all zero) into `parts`.
void initQuantizedStorage(OpBuilder &b, Location loc, KVCacheType type,
                          KVCacheParts &parts);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHEPARTS_H
