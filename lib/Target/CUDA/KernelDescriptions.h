//===- KernelDescriptions.h - What the host knows of kernels ----*- C++ -*-===//
//
// Reads the kernels of a module lowered by loom-gpu-pipeline to NVVM (kernel
// modules outlined, host code still on memrefs and gpu.launch_func) into
// CUDAKernel descriptions: each kernel's function, launch sizes and
// parameters, and what the host passes as each buffer. kernels.h and
// manifest.json are written from them; the model descriptor of model.so
// (ModelDescriptor.h) carries their cubins and PTX. Internal to
// lib/Target/CUDA.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_CUDA_KERNELDESCRIPTIONS_H
#define LOOM_LIB_TARGET_CUDA_KERNELDESCRIPTIONS_H

#include "loom/Runtime/Manifest.h"
#include "loom/Target/CUDA/CUDATarget.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace mlir {
namespace loom {

/// Names each kernel function after its kernel module, so that kernel names
/// are unique across kernels/ and in profiles, and updates the launches.
void renameKernels(ModuleOp module);

/// Appends one description per kernel module of `module` to `kernels`,
/// filled in from the kernel function and every launch of it in the host
/// code (cubin and PTX are left empty). Fails on a launch of something that
/// is not a kernel module.
llvm::Error describeKernels(ModuleOp module, const ModelManifest &manifest,
                            std::vector<CUDAKernel> &kernels);

/// The host module's constant globals, which the runtime uploads to the GPU
/// once per loaded model.
struct CUDAWeights {
  uint64_t count = 0;
  /// Their total size; globals without a static shape count as 0 bytes.
  uint64_t bytes = 0;
};
CUDAWeights countWeights(ModuleOp module);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_TARGET_CUDA_KERNELDESCRIPTIONS_H
