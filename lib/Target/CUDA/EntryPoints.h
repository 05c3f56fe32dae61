//===- EntryPoints.h - The C entry points of a CUDA model.so ----*- C++ -*-===//
//
// Turns the LLVM IR of a model's lowered host code, with the CUDA host
// runtime linked in, into the contents of model.so: the model descriptor
// (ModelDescriptor.h) and the exported C functions, everything else
// internal. Internal to lib/Target/CUDA.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_CUDA_ENTRYPOINTS_H
#define LOOM_LIB_TARGET_CUDA_ENTRYPOINTS_H

#include "loom/Runtime/Manifest.h"
#include "loom/Target/CUDA/CUDATarget.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir {
namespace loom {

/// The symbols model.so exports beyond the manifest's common ones.
struct CUDASymbols {
  std::string runDevice, runDevicePacked, lastError;
  explicit CUDASymbols(llvm::StringRef name)
      : runDevice((name + "_run_device").str()),
        runDevicePacked((name + "_run_device_packed").str()),
        lastError((name + "_last_error").str()) {}
};

/// Adds the model's descriptor (`__loom_cuda_model`, HostRuntime.h), its
/// launch function and the exported entry points (CUDATarget.cpp lists
/// them) to `module`, which holds the lowered @manifest.function and the
/// host runtime; every other definition becomes internal. Fails if the
/// function does not take one memref descriptor per input and output, if
/// the model already uses an exported name, or if the result is invalid.
llvm::Error addEntryPoints(llvm::Module &module, const ModelManifest &manifest,
                           llvm::StringRef gpuArch,
                           llvm::ArrayRef<CUDAKernel> kernels,
                           uint64_t numWeights, bool cudaGraph);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_TARGET_CUDA_ENTRYPOINTS_H
