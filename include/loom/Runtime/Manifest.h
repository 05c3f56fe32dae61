//===- Manifest.h - The manifest.json of a compiled model -------*- C++ -*-===//
//
// `loomc --target=cpu -o OUTDIR` describes the library it writes in
// OUTDIR/manifest.json: the model's name, the exported entry points, and its
// inputs and outputs in call order with names, shapes and dtypes. Hosts
// (loom-run, benchmark harnesses, user code) read it instead of parsing the C
// header. docs/Runtime.md documents the format and the C ABI.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_MANIFEST_H
#define LOOM_RUNTIME_MANIFEST_H

#include "loom/Runtime/Npy.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace loom {

/// The version of the compiled-model C ABI and of the manifest format. Bumped
/// on any incompatible change; hosts refuse other versions.
inline constexpr int64_t kLoomABIVersion = 1;

/// The value of the manifest's "generator" key.
inline constexpr const char *kManifestGenerator = "loomc";

/// One input or output of a compiled model: a dense row-major buffer.
struct TensorSpec {
  /// The ONNX value name, or arg<i> / result<i>.
  std::string name;
  /// The parameter name in the typed `<name>_run` declaration.
  std::string cName;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  int64_t byteSize() const;
  /// "1x64 i64" style description for messages.
  std::string describe() const;
};

struct ModelManifest {
  int64_t abiVersion = kLoomABIVersion;
  std::string generator = kManifestGenerator;
  /// The symbol prefix: entry points are `<name>_run`, `<name>_run_packed`...
  std::string name;
  /// The file the model was compiled from (its file name only).
  std::string source;
  /// The MLIR function that was compiled.
  std::string function;
  /// Code generation: target kind ("cpu"), LLVM triple, CPU, -O level.
  std::string target = "cpu";
  std::string triple;
  std::string cpu;
  unsigned optLevel = 3;
  /// Files in the output directory (file names, no directories).
  std::string library, header, mlir;
  /// Exported symbols.
  std::string runSymbol, runPackedSymbol, errorMessageSymbol, abiVersionSymbol;
  std::vector<TensorSpec> inputs, outputs;
};

/// Sets the file and symbol names that follow from `manifest.name`.
void setDerivedNames(ModelManifest &manifest);

/// Whether `name` is a C identifier that is not a C or C++ keyword.
bool isValidCIdentifier(llvm::StringRef name);

/// The manifest as JSON text, keys in a fixed, readable order.
std::string printManifest(const ModelManifest &manifest);

/// Parses and validates manifest text; `path` is used in error messages.
/// Every missing or malformed field is an error naming it.
llvm::Expected<ModelManifest> parseManifest(llvm::StringRef text,
                                            llvm::StringRef path);
llvm::Expected<ModelManifest> readManifestFile(llvm::StringRef path);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_MANIFEST_H
