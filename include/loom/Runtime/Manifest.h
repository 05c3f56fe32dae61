//===- Manifest.h - The manifest.json of a compiled model -------*- C++ -*-===//
//
// `loomc --target=cpu -o OUTDIR` describes the library it writes in
// OUTDIR/manifest.json: the model's name, the exported entry points, and its
// inputs and outputs in call order with names, shapes and dtypes. Hosts
// (loom-run, benchmark harnesses, user code) read it instead of parsing the C
// header. docs/Runtime.md documents the format and the C ABI.
//
// Part of the runtime core (no LLVM, no MLIR). A model directory is
// untrusted input: the parser is strict (see parseManifest) and bounded, and
// the loader (CompiledModel.h) also checks the manifest against the
// signature the library exports.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_MANIFEST_H
#define LOOM_RUNTIME_MANIFEST_H

#include "loom/Runtime/Npy.h"
#include "loom/Runtime/Result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlir {
namespace loom {

/// The version of the compiled-model C ABI and of the manifest format. Bumped
/// on any incompatible change; hosts refuse other versions.
inline constexpr int64_t kLoomABIVersion = 1;

/// The value of the manifest's "generator" key.
inline constexpr const char *kManifestGenerator = "loomc";

/// The largest manifest.json read, in bytes.
inline constexpr size_t kMaxManifestBytes = size_t(16) << 20;
/// The most inputs, and the most outputs, a model may have.
inline constexpr size_t kMaxModelTensors = 65536;
/// The highest rank of an input or output.
inline constexpr size_t kMaxTensorRank = 64;
/// The most elements an input or output may have (2^40).
inline constexpr uint64_t kMaxTensorElements = uint64_t(1) << 40;

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
  /// Exported symbols, each `<name>_<what>`.
  std::string runSymbol, runPackedSymbol, errorMessageSymbol, abiVersionSymbol,
      signatureSymbol;
  std::vector<TensorSpec> inputs, outputs;
  /// Target "cuda" only (docs/GPU.md): the GPU architecture, the kernels'
  /// header and the entry points a CUDA model.so exports beyond the common
  /// ones. The kernel list ("kernels", "weights") is documentation for users
  /// who launch the kernels themselves; loaders do not need it.
  struct CUDASection {
    std::string gpuArch, kernelsHeader;
    std::string runDeviceSymbol, runDevicePackedSymbol, lastErrorSymbol;
    /// Whether calls replay their launches as CUDA graphs (--cuda-graph).
    bool cudaGraph = false;
    /// Storage type between kernels (--dtype): f32, f16 or bf16.
    std::string dtype = "f32";
  };
  std::optional<CUDASection> cuda;
  /// `loomc --generate` only (docs/loomc.md): the library exports two entry
  /// points. The top-level fields describe the prefill (`<name>_prefill`,
  /// `<name>_prefill_packed`, `<name>_prefill_signature`); this section the
  /// decode step and the layout of the KV cache between them.
  struct GenerateSection {
    /// The decode step: its MLIR function, entry points and signature.
    std::string function;
    std::string runSymbol, runPackedSymbol, signatureSymbol;
    std::vector<TensorSpec> inputs, outputs;
    /// The cache API of the generated C runtime in the library.
    std::string cacheCreateSymbol, cacheFreeSymbol, prefillSymbol, stepSymbol;
    /// The prompt length P, the positions a sequence reaches C (prompt plus
    /// steps), the vocabulary V, the number of caches (layers) and the bytes
    /// of one set of cache buffers.
    int64_t promptLength = 0, capacity = 0, vocab = 0, layers = 0, kvBytes = 0;
    /// Entries each cache stores: C, or fewer when loom-kv-compress evicts
    /// (docs/KVCache.md).
    int64_t cacheEntries = 0;
    /// One cache buffer: layer `layer`'s part `part` (keys, values,
    /// positions, length, next for a full-precision cache; the parts of a
    /// quantized cache; a policy's state such as accumulated scores) is
    /// prefill output `prefillOutput`, decode step input `stepInput` and
    /// decode step output `stepOutput`. Parts are listed layer by layer, in
    /// signature order.
    struct CachePart {
      int64_t layer = 0;
      std::string part;
      int64_t prefillOutput = 0, stepInput = 0, stepOutput = 0;
    };
    std::vector<CachePart> cacheParts;
  };
  std::optional<GenerateSection> generate;
};


/// Sets the entry point names of a `--generate` library (the prefill's at the
/// top level, the decode step's and the cache API's in `generate`, which
/// must be set).
void setGenerateNames(ModelManifest &manifest);

/// Sets the file and symbol names that follow from `manifest.name`.
void setDerivedNames(ModelManifest &manifest);

/// Whether `name` is a C identifier that is not a C or C++ keyword.
bool isValidCIdentifier(std::string_view name);

/// The manifest as JSON text, keys in a fixed, readable order.
std::string printManifest(const ModelManifest &manifest);

/// Parses and validates manifest text; `path` is used in error messages.
/// The text must be strict JSON (Json.h) of at most kMaxManifestBytes bytes.
/// `abi_version` is checked first and must be kLoomABIVersion. Then every
/// key of the format must be present with a valid value and no other key
/// may be: every missing, malformed or unknown field is an error naming it.
/// Beyond types, it checks that `name` and every `c_name` are C identifiers
/// (the c_names unique), every entry point is `<name>_<what>` (the model's
/// own symbol, nothing else in the process), files are plain names in the
/// model directory, names are non-empty, unique and free of NUL, shapes have
/// at most kMaxTensorRank dimensions and kMaxTensorElements elements, and
/// `npy_descr` and `byte_size` agree with `dtype` and `shape`.
Result<ModelManifest> parseManifest(std::string_view text,
                                    const std::string &path);
/// Reads a regular file of at most kMaxManifestBytes bytes and parses it.
Result<ModelManifest> readManifestFile(const std::string &path);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_MANIFEST_H
