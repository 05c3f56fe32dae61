//===- TargetBackend.h - Targets that loomc compiles for --------*- C++ -*-===//
//
// A target owns what happens to optimised loom IR on tensors: its pass
// pipeline, the serialisation of the lowered module (object code, kernel
// binaries) and the packaging of the output directory. loomc finds targets
// by name in a registry, in the style of IREE's HAL TargetBackend, and holds
// no target-specific code paths: `loomc --target=NAME`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_TARGETBACKEND_H
#define LOOM_TARGET_TARGETBACKEND_H

#include "loom/Runtime/Manifest.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class OpPassManager;

namespace loom {

/// loomc's code generation options. Each target uses those that apply to it
/// and rejects the others when set (TargetBackend::checkOptions); empty
/// strings and zero mean "not set".
struct TargetOptions {
  /// LLVM optimisation level of host code, 0-3.
  unsigned optLevel = 3;
  /// An LLVM CPU name for host code; empty: the host CPU and its features.
  std::string cpu;
  /// Lower through the reference lowering only.
  bool reference = false;
  /// Default thread count of CPU code (0: every core).
  int32_t numThreads = 0;
  /// The C compiler driver that links shared libraries; empty: the one found
  /// at configure time.
  std::string linker;
  /// Also write a static library.
  bool emitStatic = false;
  /// The GPU architecture (sm_90, ...); empty: the target's default.
  std::string gpuArch;
  /// The CUDA toolkit; empty: found as loom-gpu-pipeline finds it.
  std::string cudaPath;
  /// Replay each call's launches as a CUDA graph (HostRuntime.h).
  bool cudaGraph = false;
  /// Storage type of f32 tensors between kernels (f16, bf16); empty: f32.
  std::string dtype;
  /// The hls target's options (docs/HLS.md); empty and 0: its defaults.
  struct HLS {
    /// The C++ type of f32 data: float or fixed<W,I>.
    std::string precision;
    /// Fixed-point rounding (conv, rnd, trn) and overflow (sat, wrap).
    std::string rounding, overflow;
    /// Requested II of pipelined loops (0: 1).
    unsigned ii = 0;
    /// Unroll factor of innermost loops (-1: none, 0: full).
    int unroll = -1;
    /// The FPGA part of the resource estimate (u280, zcu102).
    std::string part;
    /// Consecutive loop nests of the top as DATAFLOW stages
    /// (loom-hls-dataflow, docs/HLSDataflow.md).
    bool dataflow = false;
    bool anySet() const {
      return !precision.empty() || !rounding.empty() || !overflow.empty() ||
             ii != 0 || unroll != -1 || !part.empty() || dataflow;
    }
  } hls;
};

/// An error when `options` sets an hls-only option and `target` is another
/// target.
llvm::Error checkNoHLSOptions(const TargetOptions &options,
                              llvm::StringRef target);

/// Where a target writes its files: the staged output directory, by paths
/// relative to it ("kernels/k.cubin").
class OutputFiles {
public:
  virtual ~OutputFiles();
  /// The absolute path of `relativePath` in the directory.
  virtual std::string getPath(llvm::StringRef relativePath) const = 0;
  /// Writes `contents` to `relativePath`; its directory must exist.
  virtual llvm::Error writeFile(llvm::StringRef relativePath,
                                llvm::StringRef contents) = 0;
  /// Creates the subdirectory `relativePath`.
  virtual llvm::Error createDirectory(llvm::StringRef relativePath) = 0;
};

/// Called when a compile phase starts, with its name (`loomc --timing`).
using PhaseCallback = llvm::function_ref<void(llvm::StringRef)>;

/// What a target made of a module, before it is written.
class TargetArtifact {
public:
  virtual ~TargetArtifact();
  /// The host code as textual LLVM IR (`loomc --emit=llvm`).
  virtual void printLLVMIR(llvm::raw_ostream &os) const = 0;
  /// Writes every file of the output directory except `manifest.json`, which
  /// the driver writes last from `manifest` (the target completes it here).
  virtual llvm::Error package(OutputFiles &out, ModelManifest &manifest,
                              PhaseCallback startPhase) = 0;
  /// Extra top-level members of `manifest.json` (after the common ones).
  virtual llvm::json::Object getManifestExtension() const { return {}; }
};

/// One target: its name, options, pipeline, serialisation and packaging.
class TargetBackend {
public:
  virtual ~TargetBackend();

  /// The `--target` name ("cpu", "cuda").
  virtual llvm::StringRef getName() const = 0;
  /// How messages name the target ("the CPU").
  virtual llvm::StringRef getDisplayName() const = 0;

  /// Rejects options that do not apply to the target or have invalid
  /// values, before anything is compiled.
  virtual llvm::Error checkOptions(const TargetOptions &options) const = 0;

  /// Adds the target's lowering from optimised loom IR on tensors (the
  /// pipeline that `loom-opt` runs as `loom-<target>-pipeline`).
  virtual void buildPipeline(OpPassManager &pm,
                             const TargetOptions &options) const = 0;

  /// Lowers function `manifest.function` of `module` (not modified) with the
  /// pipeline and serialises the result; fills the target fields of
  /// `manifest`. MLIR diagnostics go to the context's handlers; the error
  /// says which step failed.
  virtual llvm::Expected<std::unique_ptr<TargetArtifact>>
  serialize(ModuleOp module, ModelManifest &manifest,
            const TargetOptions &options, PhaseCallback startPhase) const = 0;
};

/// Adds `backend` to the registry; a second backend of the same name
/// replaces nothing and is dropped.
void registerTargetBackend(std::unique_ptr<TargetBackend> backend);

/// The registered backend called `name`, or nullptr.
const TargetBackend *lookupTargetBackend(llvm::StringRef name);

/// The registered backends' names, sorted.
std::vector<std::string> getRegisteredTargetBackendNames();

/// A copy of `module` prepared for lowering `manifest.function` as a model
/// entry point: other functions with a body become private (symbol-dce
/// drops those the entry does not call) and the entry's arguments carry
/// `bufferization.writable = false` (inputs are `const`, so bufferization
/// copies instead of writing into them). Errors if the entry is missing.
llvm::Expected<OwningOpRef<ModuleOp>>
cloneForEntryPoint(ModuleOp module, const ModelManifest &manifest);

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_TARGETBACKEND_H
