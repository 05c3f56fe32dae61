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

#include <memory>
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

/// `entry` of a module lowered with loom-cpu-pipeline and compiled by the JIT
/// once, to be run on many inputs (calibration and sensitivity analyses run a
/// model dozens of times).
class JitModule {
public:
  /// Compiles `entry` (a func.func with ranked static tensor arguments and
  /// results) of a copy of `module`, on loom-cpu-pipeline's fast path or with
  /// `reference` through the reference lowering only. With `isolate`, the
  /// copy lives in a context of its own, so that a pass can compile the
  /// module it is transforming without loading dialects into (or running
  /// passes on) the context it runs in. A non-empty `fixedPoint`
  /// (W,I[,rounding[,overflow]], with `reference`) computes every f32 value
  /// as ap_fixed does (docs/HLSFixedPoint.md). `module` is not modified.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(ModuleOp module, llvm::StringRef entry, bool reference = false,
          bool isolate = false, llvm::StringRef fixedPoint = "");
  ~JitModule();

  /// Runs the compiled function on `inputs` (checked against its argument
  /// types). Not thread-safe: the runtime error slot is process-wide.
  llvm::Expected<JitRunResult> run(llvm::ArrayRef<NpyArray> inputs) const;

private:
  JitModule();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Runs `entry` (a func.func with ranked static tensor arguments and results)
/// of `module` on `inputs`, lowered on loom-cpu-pipeline's fast path with the
/// CPU kernels linked in, or with `reference` through the reference lowering
/// only, in fixed point with a non-empty `fixedPoint` (JitModule::compile).
/// `module` is not modified. Errors (bad inputs or options, lowering
/// failures, JIT failures) are returned, never thrown or asserted.
llvm::Expected<JitRunResult> runOnCPU(ModuleOp module, llvm::StringRef entry,
                                      llvm::ArrayRef<NpyArray> inputs,
                                      bool reference = false,
                                      llvm::StringRef fixedPoint = "");

/// Argument types of `entry`, for callers that synthesise inputs.
llvm::Expected<std::vector<RankedTensorType>>
getEntryArgumentTypes(ModuleOp module, llvm::StringRef entry);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_JITRUNNER_H
