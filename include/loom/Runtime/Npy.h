//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes NumPy .npy files (format versions 1.0-3.0, little-endian,
// C order) of the element types Loom's tensors use. Part of the runtime core
// (no LLVM, no MLIR).
//
// A .npy file is untrusted input. The reader checks it the way numpy's
// `numpy.lib.format.read_array_header_*` does, and more strictly: the magic,
// a version of 1.0, 2.0 or 3.0, a header length of at most 10000 bytes
// (numpy's default max_header_size) that lies inside the file, a header that
// is a Python dict literal with exactly the keys 'descr', 'fortran_order'
// and 'shape' (each once), a shape that is a tuple of at most 64
// non-negative integers whose product times the element size does not
// overflow, and a data part of exactly that size. Malformed files are errors
// with a message, never crashes, and a file whose header is wrong is never
// read past its header.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_NPY_H
#define LOOM_RUNTIME_NPY_H

#include "loom/Runtime/Result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
std::optional<DType> parseDTypeNumpyName(std::string_view name);
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
  /// "1x4x8" style shape string ("scalar" for rank 0).
  std::string shapeString() const;
};

/// "1x4x8" style shape string ("scalar" for rank 0).
std::string formatShape(const std::vector<int64_t> &shape);

/// Creates a zero-filled array. Throws std::bad_alloc when the memory is not
/// there (the callers in the runtime catch it and report an error).
NpyArray makeNpyArray(DType dtype, std::vector<int64_t> shape);

/// The most header bytes a .npy file may have (numpy's max_header_size).
inline constexpr size_t kMaxNpyHeaderBytes = 10000;
/// The highest rank a .npy file may have (numpy's NPY_MAXDIMS).
inline constexpr size_t kMaxNpyRank = 64;

/// What the header of a .npy file says.
struct NpyHeader {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// Where the data starts in the file.
  size_t dataOffset = 0;
  /// How many data bytes the shape and dtype call for.
  uint64_t dataBytes = 0;
};

/// Parses and validates the header at the start of `bytes` (which may stop
/// anywhere after the header); `name` is used in error messages.
Result<NpyHeader> parseNpyHeader(std::string_view bytes,
                                 const std::string &name);
/// Parses .npy bytes; the data part must have exactly the size the header
/// calls for.
Result<NpyArray> parseNpy(std::string_view bytes, const std::string &name);
/// Reads a .npy file (a regular file): the header first, then, when the
/// file's size matches it, the data.
Result<NpyArray> readNpyFile(const std::string &path);
/// Serialises to .npy (format 1.0) bytes.
std::string serializeNpy(const NpyArray &array);
/// Writes atomically (temporary file, then rename).
Status writeNpyFile(const std::string &path, const NpyArray &array);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_NPY_H
