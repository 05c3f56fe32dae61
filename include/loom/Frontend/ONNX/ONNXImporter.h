//===- ONNXImporter.h - ONNX to upstream MLIR dialects ----------*- C++ -*-===//
//
// Imports an ONNX model (ModelProto, opsets 13-23 and the older opsets of the
// ONNX backend test data) into one `func.func` of upstream ops on statically
// shaped tensors: linalg (generic, matmul, batch_matmul, transpose, reduce,
// softmax), tensor (expand/collapse_shape, extract_slice, concat, pad, extract)
// and arith/math. Initializers become `dense_resource` constants. See
// docs/ONNX.md for the op mapping.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_ONNX_ONNXIMPORTER_H
#define LOOM_FRONTEND_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
class DialectRegistry;
namespace loom {

/// One `--shape` specification (docs/ONNX.md, "Symbolic dimensions"):
/// `NAME=DxDx...` is the full static shape of the graph input NAME;
/// `NAME=N` gives every dimension whose dim_param is NAME the size N (or, when
/// no graph input uses the symbol NAME, is the shape of the rank-1 graph
/// input NAME).
struct ONNXShapeSpec {
  /// A graph input or a dim_param symbol.
  std::string name;
  /// The positive sizes after '=' (one for `NAME=N`).
  std::vector<int64_t> sizes;
  /// Written with an 'x' (`NAME=DxD...`), so it can only be an input's shape.
  bool isShape = false;
  /// The specification as written, for messages.
  std::string text;
};

struct ONNXImportOptions {
  /// Name of the generated function.
  std::string functionName = "main";
  /// Initializers with at most this many elements become inline dense
  /// constants; larger ones become dense_resource blobs.
  int64_t inlineConstantLimit = 16;
  /// The largest constant, in bytes, the importer creates: initializers,
  /// Constant values, ConstantOfShape and Range results, folded results, and
  /// elementwise results, Expand and Tile of constants. A larger one is an
  /// error naming the node, its size and --max-constant-bytes.
  uint64_t maxConstantBytes = uint64_t(1) << 30;
  /// Sizes for the symbolic dimensions of graph inputs (--shape), applied
  /// before import: to the graph inputs and to the dimensions of the graph
  /// outputs and value_info that use the same symbols.
  std::vector<ONNXShapeSpec> shapes;
};

/// Parses a --max-constant-bytes value: a positive number of bytes, with an
/// optional K, M, G or T suffix (powers of 1024, either case): "4096",
/// "64M", "1G". Returns nullopt for anything else (zero, a sign, another
/// suffix, an overflow).
std::optional<uint64_t> parseByteSize(llvm::StringRef text);

/// `--max-constant-bytes=text` parsed by parseByteSize, or the tools' error
/// message (without the "error: " prefix) for an invalid value.
llvm::Expected<uint64_t> parseMaxConstantBytesOption(llvm::StringRef text);

/// Parses one `--shape` value, a comma-separated list of specifications
/// (`batch=1,sequence_length=64`, `input_ids=1x64`), and appends them to
/// `specs`. A malformed one is the tools' error message (without the
/// "error: " prefix). Whether the names exist, and whether the sizes agree
/// with the model and with each other, is checked on import.
llvm::Error parseShapeOption(llvm::StringRef text,
                             std::vector<ONNXShapeSpec> &specs);

/// Registers the dialects the importer produces.
void registerONNXImportDialects(DialectRegistry &registry);

/// Imports the ONNX model at `path`. On failure returns a null module and sets
/// `error` to a one-line message (never crashes on malformed input).
OwningOpRef<ModuleOp> importONNXModel(MLIRContext *context,
                                      llvm::StringRef path,
                                      const ONNXImportOptions &options,
                                      std::string &error);

} // namespace loom
} // namespace mlir

#endif // LOOM_FRONTEND_ONNX_ONNXIMPORTER_H
