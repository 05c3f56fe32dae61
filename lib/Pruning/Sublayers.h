//===- Sublayers.h - The transformer sublayers of a function ----*- C++ -*-===//
//
// What loom-skip-layers calls a sublayer: a residual add `x + f(x)` of the
// entry block whose branch f holds an attention op (attention sublayer) or a
// matmul / loom.moe.ffn and no attention (MLP sublayer); a block is an
// attention sublayer followed by the MLP sublayer that reads its result as
// its residual input.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_PRUNING_SUBLAYERS_H
#define LOOM_LIB_PRUNING_SUBLAYERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace mlir {
namespace loom {

enum class SublayerKind { Attention, MLP, Block };

/// "attention", "mlp" or "block".
StringRef sublayerKindName(SublayerKind kind);

struct Sublayer {
  SublayerKind kind;
  /// Index among the sublayers of its kind, in program order.
  int64_t index = 0;
  /// The stream before the sublayer (x) and after it (x + f(x)); removing
  /// the sublayer replaces `output` by `input`.
  Value input, output;
  /// The residual add (for a block: the MLP's, which produces `output`).
  Operation *add = nullptr;
};

/// The sublayers of `kind` of `func`'s entry block, in program order.
std::vector<Sublayer> findSublayers(func::FuncOp func, SublayerKind kind);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_PRUNING_SUBLAYERS_H
