//===- KernelLibrary.h - Linking the CPU microkernels into models -*- C++ -*-===//
//
// The fast CPU path calls hand-written kernels (include/loom/Runtime/Kernels.h)
// for matrix multiplication and attention. They are compiled to LLVM bitcode
// when Loom is built and embedded in it; this links them into a model's LLVM
// module, so that they are optimised and code-generated for the model's
// target CPU (loomc) or the host (loom-run's JIT) together with the model.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CPU_KERNELLIBRARY_H
#define LOOM_TARGET_CPU_KERNELLIBRARY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
namespace loom {

/// One embedded bitcode file of lib/Runtime/Kernels.
struct KernelBitcode {
  llvm::StringRef name;
  llvm::StringRef bitcode;
};

/// Every embedded kernel bitcode file (generated at build time).
llvm::ArrayRef<KernelBitcode> getCPUKernelBitcode();

/// Globals of the kernel library are renamed with this prefix: they are the
/// thread pool's own synchronised state, which the reentrancy check of
/// compiled libraries allows.
inline constexpr llvm::StringLiteral kKernelGlobalPrefix = "__loom_kernel.";

/// Links the kernels `module` calls into it, with the register-tile variant
/// that suits `targetMachine`'s CPU features, strips the bitcode's CPU
/// attributes (so that the kernels are compiled for `targetMachine`), gives
/// every kernel symbol internal linkage, and defines the compiled-in default
/// thread count (`loomc --threads`; 0 means every core). A module that calls
/// no kernel is left as it is.
llvm::Error linkCPUKernels(llvm::Module &module,
                           const llvm::TargetMachine &targetMachine,
                           int32_t numThreads);

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_CPU_KERNELLIBRARY_H
