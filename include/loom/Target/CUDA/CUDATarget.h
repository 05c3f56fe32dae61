//===- CUDATarget.h - NVIDIA GPU models -------------------------*- C++ -*-===//
//
// The `cuda` target of loomc: loom-gpu-pipeline's kernels as cubin and PTX
// files, and a host library (model.so) that loads libcuda.so.1 at run time,
// loads the kernels and uploads the weights once per loaded model, and runs
// the model on host or device buffers. docs/GPU.md describes it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CUDA_CUDATARGET_H
#define LOOM_TARGET_CUDA_CUDATARGET_H

#include "loom/Runtime/Manifest.h"
#include "loom/Target/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace loom {

/// The `cuda` target (TargetBackend.h).
std::unique_ptr<TargetBackend> createCUDATargetBackend();

/// The CUDA host runtime's bitcode (lib/Target/CUDA/Runtime/HostRuntime.c),
/// embedded at build time.
llvm::StringRef getCUDAHostRuntimeBitcode();

/// One parameter of a kernel as the host passes it.
struct CUDAKernelParam {
  /// A buffer (expanded into allocated and aligned pointers, offset, sizes
  /// and strides) or a scalar.
  bool isBuffer = false;
  /// The C type of the scalar or of the buffer's elements.
  std::string cType;
  /// Buffers: rank, static sizes and strides (nullopt: dynamic) and offset.
  std::vector<std::optional<int64_t>> sizes, strides;
  std::optional<int64_t> offset;
  /// What the host passes: "input 0 'x'", "weight 3 (4096 bytes)", ...
  std::string origin;
};

/// One kernel of a compiled model.
struct CUDAKernel {
  /// The kernel's file stem in kernels/ (its gpu.binary's name).
  std::string symbol;
  /// The kernel function's name in its cubin and PTX.
  std::string function;
  std::string cubin, ptx;
  std::vector<CUDAKernelParam> params;
  /// Grid and block sizes where they are constants.
  std::array<std::optional<int64_t>, 3> grid, block;
  /// Launch sites in the host code; whether one is inside host control flow
  /// (a loop or a condition, so the kernel runs a varying number of times).
  unsigned launchSites = 0;
  bool inHostControlFlow = false;
};

/// kernels.h: every kernel's launch signature, grid and block sizes and
/// buffer layouts, for runtimes that launch the kernels themselves.
std::string generateKernelsHeader(const ModelManifest &manifest,
                                  llvm::StringRef gpuArch,
                                  llvm::ArrayRef<CUDAKernel> kernels);

/// <name>.h: the C interface of the CUDA model library.
std::string generateCUDAModelHeader(const ModelManifest &manifest,
                                    llvm::StringRef gpuArch);

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_CUDA_CUDATARGET_H
