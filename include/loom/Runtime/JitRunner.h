//===- JitRunner.h - Run loom IR on the host CPU ----------------*- C++ -*-===//
//
// Compiles a function of loom IR on tensors with loom-cpu-pipeline and runs it
// with the MLIR ExecutionEngine. Tensor arguments and results cross the
// boundary as dense row-major buffers (results as caller-allocated out-params),
// the same ABI compiled libraries use.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_JITRUNNER_H
#define LOOM_RUNTIME_JITRUNNER_H

#include "loom/Runtime/Npy.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <vector>

namespace mlir {
namespace loom {

/// The NumPy dtype of a tensor element type, if it crosses the ABI.
std::optional<DType> getDTypeFor(Type elementType);

struct JitRunResult {
  std::vector<NpyArray> outputs;
  /// The code passed to loom_runtime_error, 0 when none was reported.
  int32_t runtimeError = 0;
};

/// Runs `entry` (a func.func with ranked static tensor arguments and results)
/// of `module` on `inputs`, lowered on loom-cpu-pipeline's fast path with the
/// CPU kernels linked in, or with `reference` through the reference lowering
/// only. `module` is not modified. Errors (bad inputs, lowering failures, JIT
/// failures) are returned, never thrown or asserted.
llvm::Expected<JitRunResult> runOnCPU(ModuleOp module, llvm::StringRef entry,
                                      llvm::ArrayRef<NpyArray> inputs,
                                      bool reference = false);

/// Argument types of `entry`, for callers that synthesise inputs.
llvm::Expected<std::vector<RankedTensorType>>
getEntryArgumentTypes(ModuleOp module, llvm::StringRef entry);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_JITRUNNER_H
