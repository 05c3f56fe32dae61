//===- LoomToHLS.h - The HLS forms of loom ops ------------------*- C++ -*-===//
//
// One function pair per op family of convert-loom-to-hls (docs/HLSOps.md):
// `why...Unsupported` says why an op keeps its reference lowering (nullopt
// when the HLS form applies) and `lower...` replaces a supported op.
// Internal to lib/Conversion/LoomToHLS.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOHLS_LOOMTOHLS_H
#define LOOM_LIB_CONVERSION_LOOMTOHLS_LOOMTOHLS_H

#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <string>

namespace mlir {
namespace loom {

/// Streaming attention with deferred normalisation (AttentionToHLS.cpp).
std::optional<std::string> whyAttentionUnsupported(AttentionOp op);
void lowerAttentionToHLS(RewriterBase &rewriter, AttentionOp op);

/// Power-of-two products as hls.shift (ShiftMatmulToHLS.cpp).
std::optional<std::string> whyShiftMatmulUnsupported(ShiftMatmulOp op);
void lowerShiftMatmulToHLS(RewriterBase &rewriter, ShiftMatmulOp op);

/// Binary-coded weights as table lookups (BCQMatmulToHLS.cpp).
std::optional<std::string> whyBCQMatmulUnsupported(BCQMatmulOp op);
void lowerBCQMatmulToHLS(RewriterBase &rewriter, BCQMatmulOp op);

namespace hlsform {

inline Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

inline Value f32Const(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// True when every tensor operand and result of `op` has a static shape.
bool hasStaticShapes(Operation *op);

/// True when `v` is a tensor of element type `elementType`.
bool isTensorOf(Value v, Type elementType);

using LoopBody =
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)>;

/// `scf.for %iv = 0 to n step 1 iter_args(inits)` whose body yields what
/// `body(builder, loc, iv, iterArgs)` returns; the loop's results.
ValueRange forLoop(OpBuilder &b, Location loc, int64_t n, ValueRange inits,
                   LoopBody body);

} // namespace hlsform
} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOHLS_LOOMTOHLS_H
