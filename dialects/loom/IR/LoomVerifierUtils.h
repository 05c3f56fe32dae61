//===- LoomVerifierUtils.h - Shape checks shared by verifiers ---*- C++ -*-===//
//
// Helpers every loom op family's verifier uses. Verifiers accept dynamic
// dimensions and compare only static ones. Internal to dialects/loom/IR.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMVERIFIERUTILS_H
#define LOOM_IR_LOOMVERIFIERUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
namespace loom {

/// True when two dimension sizes may be equal (either is dynamic or they
/// match).
inline bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// True when `shape` may equal `expected` (same rank, compatible dimensions).
inline bool shapesCompatible(ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> expected) {
  if (shape.size() != expected.size())
    return false;
  for (auto [a, b] : llvm::zip_equal(shape, expected))
    if (!dimsCompatible(a, b))
      return false;
  return true;
}

/// Prints a shape as `[a, b, ?]`.
inline std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t size) {
    if (ShapedType::isDynamic(size))
      os << "?";
    else
      os << size;
  });
  os << "]";
  return text;
}

/// Emits "<what> <dimName> is A, expected B" when the sizes cannot match.
inline LogicalResult checkDim(Operation *op, StringRef what, StringRef dimName,
                              int64_t actual, int64_t expected) {
  if (dimsCompatible(actual, expected))
    return success();
  return op->emitOpError() << what << " " << dimName << " is " << actual
                           << ", expected " << expected;
}

} // namespace loom
} // namespace mlir

#endif // LOOM_IR_LOOMVERIFIERUTILS_H
