//===- LoomTypes.td - loom dialect types --------------------*- tablegen -*-===//
//
// The KV cache type. A cache is an SSA value: appends and evictions return a new
// cache, and bufferization later turns the chain into in-place updates.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMTYPES_TD
#define LOOM_IR_LOOMTYPES_TD

include "loom/IR/LoomDialect.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def Loom_KVCacheType : Loom_Type<"KVCache", "kv_cache"> {
  let summary = "A per-layer key/value cache of static capacity";
  let description = [{
    `!loom.kv_cache<BxHxCxDxT>` holds, for `B` sequences and `H` key/value heads, up to
    `C` (capacity) cached keys `[B,H,C,D]` and values `[B,H,C,Dv]` of element type `T`,
    the current length of each sequence, the number of tokens appended so far (the
    absolute position of the next token) and the original position of every kept entry
    (so compressed caches still mask correctly).

    `value_dim` (default `D`) sets `Dv`. `quant` selects quantized storage
    (KIVI-style): `bits` in {2, 4, 8}, keys quantized per channel and values per token
    in groups of `group` entries, the most recent `residual` tokens kept in full
    precision. Codes of 2 and 4 bits are packed four and two to a byte along
    the channels, so `D` and `Dv` must be multiples of `8 / bits`.

    ```mlir
    !loom.kv_cache<1x2x128x16xf32>
    !loom.kv_cache<1x2x128x16xf32, value_dim = 8>
    !loom.kv_cache<2x4x256x64xf32, quant = <bits = 4, group = 32, residual = 32>>
    ```
  }];
  let parameters = (ins "int64_t":$batch, "int64_t":$heads, "int64_t":$capacity,
                        "int64_t":$headDim, "int64_t":$valueDim,
                        "::mlir::Type":$elementType,
                        "unsigned":$quantBits, "int64_t":$quantGroup,
                        "int64_t":$quantResidual);
  let builders = [
    TypeBuilderWithInferredContext<(ins "int64_t":$batch, "int64_t":$heads,
        "int64_t":$capacity, "int64_t":$headDim, "::mlir::Type":$elementType), [{
      return $_get(elementType.getContext(), batch, heads, capacity, headDim, headDim,
                   elementType, 0, 0, 0);
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True when entries are stored quantized.
    bool isQuantized() const { return getQuantBits() != 0; }
    /// The shape of the key storage, [B, H, C, D].
    ::llvm::SmallVector<int64_t> getKeyShape() const {
      return {getBatch(), getHeads(), getCapacity(), getHeadDim()};
    }
    /// The shape of the value storage, [B, H, C, Dv].
    ::llvm::SmallVector<int64_t> getValueShape() const {
      return {getBatch(), getHeads(), getCapacity(), getValueDim()};
    }
    /// Quantized caches: integer codes packed per i8 byte (8 / bits).
    int64_t getCodesPerByte() const { return 8 / getQuantBits(); }
    /// Quantized caches: the most full-precision (residual) entries a
    /// sequence can hold, `min(C, group + residual - 1)` (at least 1): after
    /// every append the whole groups before the last `residual` tokens are
    /// quantized, so fewer than `group + residual` tokens remain.
    int64_t getResidualCapacity() const {
      int64_t r = getQuantGroup() + getQuantResidual() - 1;
      r = r < getCapacity() ? r : getCapacity();
      return r < 1 ? 1 : r;
    }
  }];
}

#endif // LOOM_IR_LOOMTYPES_TD
