//===- ComputeOpLowering.h - Reference lowering of one compute op -*- C++
//-*-===//
//
// The reference lowering of the loom compute ops as plain builder functions,
// so that the conversion patterns of convert-loom-to-linalg and the
// AggregatedOpInterface decomposition (AggregatedOpInterfaceImpl.cpp) share
// one implementation. Each function builds linalg/tensor/arith IR for `op` at
// the builder's insertion point from the given operand values (the op's own
// operands, or their type-converted replacements) and returns the values that
// replace the op's results; it does not erase the op. Internal to
// lib/Conversion/LoomToLinalg.
//
// Precondition of every function: hasStaticShapes(op).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_COMPUTEOPLOWERING_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_COMPUTEOPLOWERING_H

#include "loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace loom {

/// True when every ranked-tensor operand and result of `op` has a static
/// shape (other types, such as `!loom.kv_cache`, are static by construction).
inline bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return !tensor || tensor.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// The first value of each operand of a 1:N conversion adaptor, for ops whose
/// operands all convert 1:1 (everything but `!loom.kv_cache`).
template <typename AdaptorT>
SmallVector<Value> flattenOneToN(AdaptorT adaptor) {
  SmallVector<Value> values;
  for (ValueRange converted : adaptor.getOperands())
    values.push_back(converted.front());
  return values;
}

Value buildQMatmulReference(OpBuilder &b, QMatmulOp op,
                            QMatmulOp::Adaptor adaptor);
Value buildShiftMatmulReference(OpBuilder &b, ShiftMatmulOp op,
                                ShiftMatmulOp::Adaptor adaptor);
/// The plain lowering (not the bcq-lut one); both give the same bits.
Value buildBCQMatmulReference(OpBuilder &b, BCQMatmulOp op,
                              BCQMatmulOp::Adaptor adaptor);
Value buildAdderMatmulReference(OpBuilder &b, AdderMatmulOp op,
                                AdderMatmulOp::Adaptor adaptor);
Value buildRoPEReference(OpBuilder &b, RoPEOp op, RoPEOp::Adaptor adaptor);
Value buildRMSNormReference(OpBuilder &b, RMSNormOp op,
                            RMSNormOp::Adaptor adaptor);

/// Where attention keys, values and key positions come from.
struct AttentionSources {
  /// [B,Hkv,Skv,D] and [B,Hkv,Skv,Dv]; for a cache Skv is its capacity.
  Value keys, values;
  /// Cache only: [B,Hkv,C] positions, [B] length and [B] next position.
  Value positions, length, next;
};

/// loom.attention on `query`, the keys and values of `src` and the optional
/// `mask`; returns the output and, when the op has it, key_scores.
SmallVector<Value> buildAttentionReference(OpBuilder &builder, AttentionOp op,
                                           Value query,
                                           const AttentionSources &src,
                                           Value mask);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_COMPUTEOPLOWERING_H
