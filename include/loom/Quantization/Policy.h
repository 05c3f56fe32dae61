//===- Policy.h - Per-layer precision policies ------------------*- C++ -*-===//
//
// The JSON file loom-assign-precision writes and loom-quantize and
// loom-shiftadd read: per named linear layer, its code width or that it is
// left alone. docs/Quantization.md documents the format:
//
//   {"format": "loom-precision-policy", "version": 1, "scheme": "bcq",
//    "layers": [{"name": "node_linear", "bits": 3}, {"name": "x", "skip":
//    true}]}
//
// Other keys (sensitivities, budgets, parameter counts) are reports for the
// user and ignored when reading.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANTIZATION_POLICY_H
#define LOOM_QUANTIZATION_POLICY_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mlir {
namespace loom {

struct LayerPolicy {
  int64_t bits = 0; // 0: the pass's default
  bool skip = false;
};

struct PrecisionPolicy {
  std::string scheme;
  llvm::StringMap<LayerPolicy> layers;
};

/// Reads `path`; errors (unreadable file, bad JSON, wrong fields) are
/// emitted on `diagOp`.
FailureOr<PrecisionPolicy> readPrecisionPolicy(Operation *diagOp,
                                               StringRef path);

/// Writes `value` to `path` through a temporary file renamed into place, so
/// that a failure leaves no partial file. Errors are emitted on `diagOp`.
LogicalResult writeJsonFile(Operation *diagOp, StringRef path,
                            const llvm::json::Value &value);

} // namespace loom
} // namespace mlir

#endif // LOOM_QUANTIZATION_POLICY_H
