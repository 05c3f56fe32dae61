//===- CostModel.h - Static op costs for loom-report ------------*- C++ -*-===//
//
// The helpers every LoomCostInterface model shares (storage sizes, weight
// constants, operand traffic) and the registration of the models for the
// loom ops and the upstream linalg ops. Conventions: docs/Report.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ANALYSIS_COSTMODEL_H
#define LOOM_ANALYSIS_COSTMODEL_H

#include "loom/IR/LoomInterfaces.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir {
namespace loom {

/// Bits one element of `type` occupies in memory: its width, except i1 (a
/// byte) and index (64). std::nullopt for types without a width.
std::optional<int64_t> getElementStorageBits(Type type);

/// Bytes a value of `type` occupies: a statically shaped tensor (elements
/// times element bits, rounded up to bytes), a `!loom.kv_cache` (its key and
/// value storage: B*H*C*(D+Dv) elements at the element width; quantized: the
/// packed codes, f32 scales and zero points and the residual window), or a
/// scalar. std::nullopt for dynamic shapes and unknown types.
std::optional<int64_t> getStorageBytes(Type type);

/// The result of the `arith.constant` that `value` is, possibly seen through
/// data-movement ops that keep every element (tensor reshapes and casts,
/// linalg.transpose); null when `value` is not constant or is a single
/// integer (an index or offset rather than a weight).
Value getWeightConstant(Value value);

/// The cost every op has whatever it computes: `parameters` and
/// `weightBytes` of its constant operands, `bytesMoved` of all its operands
/// and results. Fails when a size is not static.
FailureOr<OpCost> getOperandTrafficCost(Operation *op);

/// Attaches LoomCostInterface to the loom compute ops (LoomCostModels.cpp).
void registerLoomOpCostModels(DialectRegistry &registry);

/// Attaches LoomCostInterface to linalg.matmul, linalg.batch_matmul,
/// linalg.generic, linalg.reduce and linalg.conv_2d* (LinalgCostModels.cpp).
void registerLinalgCostModels(DialectRegistry &registry);

/// Both of the above: LoomCostInterface on the loom ops and on linalg.matmul,
/// linalg.batch_matmul, linalg.generic, linalg.reduce and the
/// linalg.conv_2d* ops.
void registerLoomCostModels(DialectRegistry &registry);

} // namespace loom
} // namespace mlir

#endif // LOOM_ANALYSIS_COSTMODEL_H
