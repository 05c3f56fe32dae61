//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes NumPy .npy files (format versions 1.0-3.0, little-endian,
// C order) of the element types Loom's tensors use. Malformed files are errors
// with a message, never crashes.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_NPY_H
#define LOOM_RUNTIME_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace loom {

enum class DType { F16, F32, F64, I8, I16, I32, I64, U8, Bool };

/// Bytes per element of `dtype`.
size_t dtypeSize(DType dtype);
/// The NumPy descr (e.g. "<f4") and a short name (e.g. "f32").
const char *dtypeDescr(DType dtype);
const char *dtypeName(DType dtype);
/// The NumPy dtype name (e.g. "float32", what `np.dtype(x).name` gives), and
/// its inverse.
const char *dtypeNumpyName(DType dtype);
std::optional<DType> parseDTypeNumpyName(llvm::StringRef name);
/// Whether `dtype` is a floating-point type.
bool isFloatDType(DType dtype);

/// A dense C-order array with its bytes.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  /// Element `i` converted to double (for comparisons and reports).
  double getAsDouble(int64_t i) const;
  /// Sets element `i` from a double (rounding for integer types).
  void setFromDouble(int64_t i, double value);
  /// "1x4x8" style shape string.
  std::string shapeString() const;
};

/// Creates a zero-filled array.
NpyArray makeNpyArray(DType dtype, std::vector<int64_t> shape);

/// Parses .npy bytes; `name` is used in error messages.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
llvm::Expected<NpyArray> readNpyFile(llvm::StringRef path);
/// Serialises to .npy (format 1.0) bytes.
std::string serializeNpy(const NpyArray &array);
/// Writes atomically (temporary file, then rename).
llvm::Error writeNpyFile(llvm::StringRef path, const NpyArray &array);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_NPY_H
