//===- LoomInterfaces.h - loom op interfaces --------------------*- C++ -*-===//
//
// Declares the op interfaces of LoomInterfaces.td and the records they
// return.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMINTERFACES_H
#define LOOM_IR_LOOMINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>

namespace mlir {
namespace loom {

/// The static cost of one op (see docs/Report.md for every convention).
struct OpCost {
  /// Elements of the constant (weight) operands, counted per use site; a
  /// packed operand counts its logical weights (two per byte for int4).
  int64_t parameters = 0;
  /// Bytes of the constant operands as stored (int4: half a byte a weight).
  int64_t weightBytes = 0;
  /// Arithmetic operations; a multiply-add counts 2.
  int64_t flops = 0;
  /// The part of `flops` spent in contractions (matmuls, attention's q k^T
  /// and p v), 2 * M * N * K for a matmul.
  int64_t matmulFlops = 0;
  /// The part of `flops` done as shifts, adds and absolute differences in
  /// place of multiplications (shift_matmul, bcq_matmul, adder_matmul).
  int64_t shiftAddOps = 0;
  /// Bytes of every operand read and every result written, at the tensors'
  /// element widths.
  int64_t bytesMoved = 0;
  /// KV-cache bytes that one more token of one sequence adds.
  int64_t kvBytesPerToken = 0;

  OpCost &operator+=(const OpCost &other) {
    parameters += other.parameters;
    weightBytes += other.weightBytes;
    flops += other.flops;
    matmulFlops += other.matmulFlops;
    shiftAddOps += other.shiftAddOps;
    bytesMoved += other.bytesMoved;
    kvBytesPerToken += other.kvBytesPerToken;
    return *this;
  }
  /// True when every field is zero (the op costs nothing worth a row).
  bool isZero() const {
    return parameters == 0 && weightBytes == 0 && flops == 0 &&
           bytesMoved == 0 && kvBytesPerToken == 0;
  }
};

} // namespace loom
} // namespace mlir

#include "loom/IR/LoomInterfaces.h.inc"

#endif // LOOM_IR_LOOMINTERFACES_H
