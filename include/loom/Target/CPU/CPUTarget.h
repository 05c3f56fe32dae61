//===- CPUTarget.h - Compiled shared libraries for the host CPU -*- C++ -*-===//
//
// The CPU back end of loomc: lowers optimised loom IR on tensors with
// loom-cpu-pipeline (the lowering loom-run's JIT uses), adds the C ABI entry
// points of docs/Runtime.md in LLVM IR, optimises for the host CPU, emits an
// object file and links it into a shared library that depends only on libc
// and libm. Also generates the library's C header.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CPU_CPUTARGET_H
#define LOOM_TARGET_CPU_CPUTARGET_H

#include "loom/Runtime/Manifest.h"
#include "loom/Target/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
namespace loom {

struct CPUTargetOptions {
  /// Optimisation level of the LLVM optimiser and code generator, 0-3.
  unsigned optLevel = 3;
  /// An LLVM CPU name (e.g. x86-64-v3); empty means the host CPU with every
  /// feature the host has.
  std::string cpu;
  /// Lower through the reference lowering only (loom-cpu-pipeline's
  /// `reference`), without the CPU kernels.
  bool reference = false;
  /// Threads the compiled code uses by default (0: every core); the
  /// environment variable LOOM_NUM_THREADS overrides it at run time.
  int32_t numThreads = 0;
};

/// The C compiler driver used to link shared libraries, found when Loom was
/// configured (the LOOM_DEFAULT_LINKER CMake variable).
llvm::StringRef getDefaultLinker();

/// A position-independent TargetMachine for the host triple and `options`.
/// An unknown CPU name is an error.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUTargetOptions &options);

/// Lowers function `manifest.function` of `module` (which must have
/// `manifest.inputs` / `manifest.outputs` as its static tensor signature) to
/// an optimised LLVM module for `targetMachine` (with the CPU kernels linked
/// in) that defines the exported
/// entry points named in `manifest` and nothing else with external linkage.
/// `module` is not modified. MLIR diagnostics of a failed lowering go to the
/// context's handlers; the returned error says which step failed.
llvm::Expected<std::unique_ptr<llvm::Module>>
lowerToLLVMModule(ModuleOp module, const ModelManifest &manifest,
                  llvm::TargetMachine &targetMachine,
                  const CPUTargetOptions &options,
                  llvm::LLVMContext &llvmContext);

/// Writes `module` as an object file at `path`.
llvm::Error writeObjectFile(llvm::Module &module,
                            llvm::TargetMachine &targetMachine,
                            llvm::StringRef path);

/// Links `objectPath` into the shared library `libraryPath` (soname
/// `soname`) with the C compiler driver `linker` (a path, or a name looked up
/// in PATH): `-shared -lm` and `extraLibraries` (such as "-ldl"), no
/// undefined symbols allowed. The driver's output goes to `logPath` and is
/// quoted in the error when it fails.
llvm::Error
linkSharedLibrary(llvm::StringRef linker, llvm::StringRef objectPath,
                  llvm::StringRef libraryPath, llvm::StringRef soname,
                  llvm::StringRef logPath,
                  llvm::ArrayRef<llvm::StringRef> extraLibraries = {});

/// `text` as a C string literal that is also safe inside a comment.
std::string quoteCString(llvm::StringRef text);

/// The `<PREFIX>_INPUT<i>_...` macros of one input or output in a header.
void emitTensorMacros(llvm::raw_ostream &os, llvm::StringRef prefix,
                      llvm::StringRef kind, size_t index,
                      const TensorSpec &spec);

/// Writes `objectPath` as the static library `libraryPath`.
llvm::Error writeStaticLibrary(llvm::StringRef objectPath,
                               llvm::StringRef libraryPath);

/// The `cpu` target of loomc (TargetBackend.h).
std::unique_ptr<TargetBackend> createCPUTargetBackend();

/// The C header (C99 and C++) declaring the entry points of `manifest`, with
/// every input's and output's name, shape and dtype as comments and macros.
std::string generateCHeader(const ModelManifest &manifest);

/// The C source of a --generate library's cache API (`<name>_cache_create`,
/// `_free`, `<name>_generate_prefill`, `<name>_generate_step`), compiled into
/// the library next to the model's object file; includes `<name>.h`.
std::string generateCacheRuntimeSource(const ModelManifest &manifest);

/// The C typedefs of `loom_tensor_signature` and `loom_model_signature`
/// (ModelSignature.h has their layout), guarded so that several model headers
/// can be included together.
void emitSignatureTypes(llvm::raw_ostream &os);

/// Defines the exported constant `manifest.signatureSymbol` of type
/// loom_model_signature in `module`: what the header's macros say, as data
/// that loaders compare with manifest.json before they call anything.
void defineModelSignature(llvm::Module &module, const ModelManifest &manifest);

/// The C type of an element of `dtype` in generated headers.
const char *getCTypeName(DType dtype);

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_CPU_CPUTARGET_H
