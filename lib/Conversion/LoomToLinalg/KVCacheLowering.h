//===- KVCacheLowering.h - Shared pieces of the KV cache lowering -*- C++
//-*-===//
//
// Builders shared by the KV-cache files of the reference lowering
// (KVCacheToLinalg.cpp, KVCacheCompressionToLinalg.cpp). Internal to
// lib/Conversion/LoomToLinalg.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHELOWERING_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHELOWERING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace loom {

/// An i64 constant.
Value createI64Constant(OpBuilder &b, Location loc, int64_t value);

/// Returns `@loom_runtime_error(i32)`, declaring it in the enclosing module if
/// needed. Fails when there is no module or the symbol has another type.
FailureOr<func::FuncOp>
getOrInsertRuntimeErrorFn(ConversionPatternRewriter &rewriter, Operation *op);

/// Lowers loom.kv.resize (KVCacheResizeToLinalg.cpp).
void populateKVCacheResizeToLinalgPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);

/// Eviction and merging patterns (KVCacheCompressionToLinalg.cpp).
void populateKVCacheCompressionToLinalgPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_KVCACHELOWERING_H
