//===- HLSTarget.h - HLS C++: translation and loomc target ------*- C++ -*-===//
//
// The HLS C++ back end: the `--emit-hls-cpp` translation of EmitC (as
// loom-hls-pipeline leaves it) to Vitis-style C++, the testbench and C
// simulation script of a model, and loomc's `hls` target. docs/HLS.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_HLSCPP_HLSTARGET_H
#define LOOM_TARGET_HLSCPP_HLSTARGET_H

#include "loom/Runtime/Manifest.h"
#include "loom/Target/TargetBackend.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace mlir {
namespace loom {

/// Prints `module` (EmitC from loom-hls-pipeline) as HLS C++ after checking
/// what synthesis forbids: heap allocation (malloc, free, new), recursion
/// and standard-library containers. Violations are errors on the op.
LogicalResult translateToHLSCpp(Operation *module, llvm::raw_ostream &os);

/// Registers `--emit-hls-cpp` with mlir-translate's registry.
void registerToHLSCppTranslation();

/// loom_hls.h, the support header every emitted kernel includes.
llvm::StringRef getHLSSupportHeader();

/// The C++ testbench of a model: reads each input as INPUT_DIR/<c_name>.npy
/// (float32), converts it to data_t, calls the top function and writes each
/// output as OUTPUT_DIR/<c_name>.npy (float32).
std::string generateHLSTestbench(const ModelManifest &manifest,
                                 llvm::StringRef kernelHeader);

/// The C header of the top function: the data_t typedef and its prototype.
std::string generateHLSKernelHeader(const ModelManifest &manifest,
                                    llvm::StringRef cppType);

/// run_csim.sh: builds kernel and testbench with $CXX (g++) against the
/// vendor's ap_types headers ($LOOM_HLS_AP_TYPES_DIR, else `apTypesDir`)
/// and runs it on INPUT_DIR, writing OUTPUT_DIR.
std::string generateHLSCSimScript(const ModelManifest &manifest,
                                  llvm::StringRef apTypesDir);

/// loomc's `hls` target.
std::unique_ptr<TargetBackend> createHLSTargetBackend();

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_HLSCPP_HLSTARGET_H
