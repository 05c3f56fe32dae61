//===- LoomToLinalg.h - Reference lowering of loom ops ----------*- C++ -*-===//
//
// Pattern sets of the reference lowering, one populate function per op family,
// so target pipelines can take the reference lowering as the fallback for any
// family they do not specialise.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_LOOMTOLINALG_H
#define LOOM_CONVERSION_LOOMTOLINALG_H

#include "loom/IR/LoomTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace loom {

class BlockSparseAttentionOp;

/// Attaches linalg::AggregatedOpInterface to the loom compute ops that
/// implement TilingInterface; decomposeOperation is their reference lowering
/// (see docs/Tiling.md).
void registerLoomDecompositionInterfaces(DialectRegistry &registry);

/// The type converter of the reference lowering: `!loom.kv_cache` becomes its
/// five component tensors (eleven for a quantized cache; see KVCacheParts),
/// every other type is kept.
void populateLoomToLinalgTypeConversions(TypeConverter &converter);

/// The tensors a `!loom.kv_cache` of `type` becomes, in signature order, and
/// their names (keys, values, positions, length, next; then, for a quantized
/// cache, key_scales, key_zeros, value_scales, value_zeros, residual_keys,
/// residual_values). Runtimes that pass caches across the ABI use these.
void getKVCachePartTypes(KVCacheType type, llvm::SmallVectorImpl<Type> &types);
void getKVCachePartNames(KVCacheType type,
                         llvm::SmallVectorImpl<llvm::StringRef> &names);

/// Softmax and Hamming attention (tensor or cache keys/values).
void populateAttentionToLinalgPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

/// Linear attention (full, causal, recurrent with carried state).
void populateAttentionVariantsToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns);

/// Block-sparse attention (static mask, dynamic top-k or threshold).
void populateBlockSparseAttentionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns);

/// The first step of the reference lowering of a static-shaped
/// `loom.block_sparse_attention`: its block selection (static, top-k or
/// threshold) as an additive 0/-inf mask and a `loom.attention` with that
/// mask, built before `op` on its operands; returns the attention's output
/// (the caller replaces `op`). Lets an attention kernel take block-sparse
/// attention (densely, skipping nothing) instead of the reference loops.
Value buildBlockSparseAsMaskedAttention(OpBuilder &builder,
                                        BlockSparseAttentionOp op);

/// Castling-ViT angular linear attention (with its depthwise-conv branch).
void populateAngularAttentionToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns);

/// KV cache ops: init, append, accessors, eviction, merging, quantization.
void populateKVCacheToLinalgPatterns(const TypeConverter &converter,
                                     RewritePatternSet &patterns);

/// Mixture of experts: route, dispatch, experts, combine (and moe.ffn).
void populateMoEToLinalgPatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns);

/// Quantized matmuls and activation quantize/dequantize.
void populateQuantToLinalgPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);

/// Shift-add arithmetic: shift_matmul, bcq_matmul, adder_matmul.
void populateShiftAddToLinalgPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);

/// Layer building blocks: rope, rms_norm.
void populateLayerOpsToLinalgPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);

/// Tensor utilities: topk.
void populateTensorOpsToLinalgPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

/// How buildTopKSelection ranks elements.
struct TopKOrder {
  /// Largest first (else smallest first).
  bool largest = true;
  /// Integers compare as unsigned (else signed).
  bool unsignedCompare = false;
  /// Equal elements: the higher index first (else the lower).
  bool lastIndexOnTies = false;
};

/// The passes of the loom.topk reference lowering on `input` (static shape)
/// along `axis`: pass j yields the j-th best element of every slice and its
/// index (i64), each as a tensor of the input shape without `axis`. Floats:
/// NaN ranks above every number. Shared with the ONNX importer's ArgMax /
/// ArgMin / unsigned TopK.
struct TopKSelection {
  SmallVector<Value> values, indices;
};
TopKSelection buildTopKSelection(OpBuilder &b, Location loc, Value input,
                                 int64_t axis, int64_t k,
                                 const TopKOrder &order);

/// Joins the per-pass results of buildTopKSelection along `axis`.
Value concatTopKParts(OpBuilder &b, Location loc, ArrayRef<Value> parts,
                      int64_t axis);

/// Token reduction: score, prune, merge, restore.
void populateTokenToLinalgPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);

} // namespace loom
} // namespace mlir

#endif // LOOM_CONVERSION_LOOMTOLINALG_H
