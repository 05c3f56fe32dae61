//===- KVCacheParts.h - Converted form of !loom.kv_cache --------*- C++ -*-===//
//
// The reference lowering replaces every `!loom.kv_cache` value by five tensors.
// Quantized caches keep the same five tensors: their key/value storage holds
// the dequantized values of quantized groups (which is numerically what reading
// a packed cache produces), while the fast lowerings store packed codes.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHEPARTS_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHEPARTS_H

#include "loom/IR/LoomTypes.h"
#include "mlir/IR/Value.h"
#include "mlir/IR/ValueRange.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir {
namespace loom {

/// The tensors a cache is converted to, in this order.
struct KVCacheParts {
  Value keys;      ///< [B,H,C,D] of the cache element type.
  Value values;    ///< [B,H,C,Dv] of the cache element type.
  Value positions; ///< [B,H,C] i64: original position of each kept entry.
  Value length;    ///< [B] i64: number of valid entries per sequence.
  Value next;      ///< [B] i64: tokens appended so far (next token's position).

  static constexpr unsigned kNumParts = 5;

  /// Splits the converted values of one cache.
  static KVCacheParts unpack(ValueRange parts) {
    return {parts[0], parts[1], parts[2], parts[3], parts[4]};
  }
  llvm::SmallVector<Value, kNumParts> pack() const {
    return {keys, values, positions, length, next};
  }
};

/// Appends the converted types of `type` to `types`, in KVCacheParts order.
void getKVCachePartTypes(KVCacheType type, llvm::SmallVectorImpl<Type> &types);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHEPARTS_H
