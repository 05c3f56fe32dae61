//===- ModelDescriptor.h - __loom_cuda_model of a CUDA model ----*- C++ -*-===//
//
// The LLVM IR of the model descriptor that the CUDA host runtime reads
// (`LoomCudaModel`, include/loom/Target/CUDA/HostRuntime.h): the kernel
// images, the argument sizes and the launch function that runs the lowered
// host code on device buffers. Internal to lib/Target/CUDA.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_CUDA_MODELDESCRIPTOR_H
#define LOOM_LIB_TARGET_CUDA_MODELDESCRIPTOR_H

#include "loom/Runtime/Manifest.h"
#include "loom/Target/CUDA/CUDATarget.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir {
namespace loom {

/// Defines `__loom_cuda_model`, which the linked-in host runtime declares,
/// with `kernels`' cubins and PTX, and its launch function, which calls
/// `entry` (the lowered model function, on memref descriptors) on dense
/// row-major buffers.
llvm::Error defineModelDescriptor(llvm::Module &module,
                                  const ModelManifest &manifest,
                                  llvm::StringRef gpuArch,
                                  llvm::ArrayRef<CUDAKernel> kernels,
                                  uint64_t numWeights, bool cudaGraph,
                                  llvm::Function *entry);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_TARGET_CUDA_MODELDESCRIPTOR_H
