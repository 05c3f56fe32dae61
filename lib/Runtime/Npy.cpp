//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// The header reader is a small parser of the Python literals numpy writes
// (see Npy.h for what it checks); files are read with POSIX calls so that
// the runtime core needs nothing beyond libc.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Npy.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <new>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom;

namespace {
struct DTypeInfo {
  DType dtype;
  const char *descr;
  const char *name;
  const char *numpyName;
  size_t size;
};
} // namespace

static const DTypeInfo kDTypes[] = {
    {DType::F16, "<f2", "f16", "float16", 2},
    {DType::F32, "<f4", "f32", "float32", 4},
    {DType::F64, "<f8", "f64", "float64", 8},
    {DType::I8, "|i1", "i8", "int8", 1},
    {DType::I16, "<i2", "i16", "int16", 2},
    {DType::I32, "<i4", "i32", "int32", 4},
    {DType::I64, "<i8", "i64", "int64", 8},
    {DType::U8, "|u1", "u8", "uint8", 1},
    {DType::Bool, "|b1", "bool", "bool", 1},
};

static const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &i : kDTypes)
    if (i.dtype == dtype)
      return i;
  return kDTypes[1];
}

size_t mlir::loom::dtypeSize(DType dtype) { return info(dtype).size; }
const char *mlir::loom::dtypeDescr(DType dtype) { return info(dtype).descr; }
const char *mlir::loom::dtypeName(DType dtype) { return info(dtype).name; }
const char *mlir::loom::dtypeNumpyName(DType dtype) {
  return info(dtype).numpyName;
}

std::optional<DType> mlir::loom::parseDTypeNumpyName(std::string_view name) {
  for (const DTypeInfo &i : kDTypes)
    if (name == i.numpyName)
      return i.dtype;
  return std::nullopt;
}

bool mlir::loom::isFloatDType(DType dtype) {
  return dtype == DType::F16 || dtype == DType::F32 || dtype == DType::F64;
}

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string mlir::loom::formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string NpyArray::shapeString() const { return formatShape(shape); }

static float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float value;
  if (exp == 0)
    value = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    value = mant ? NAN : INFINITY;
  else
    value = std::ldexp(static_cast<float>(mant | 0x400),
                       static_cast<int>(exp) - 25);
  return sign ? -value : value;
}

static uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = (x >> 16) & 0x8000;
  if (std::isnan(f))
    return sign | 0x7e00;
  float a = std::fabs(f);
  if (a >= 65520.0f)
    return sign | 0x7c00;
  if (a < std::ldexp(1.0f, -24) / 2)
    return sign;
  int e;
  std::frexp(a, &e); // a = m * 2^e, m in [0.5, 1)
  int exp = e - 1 + 15;
  if (exp <= 0) // subnormal: units of 2^-24
    return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24)));
  uint32_t mant = static_cast<uint32_t>(std::nearbyint(std::ldexp(a, 11 - e)));
  // mant in [1024, 2048]; rounding may carry into the exponent.
  if (mant == 2048) {
    mant = 1024;
    ++exp;
  }
  if (exp >= 31)
    return sign | 0x7c00;
  return sign | static_cast<uint16_t>(exp << 10) | (mant & 0x3ff);
}

template <typename T> static T load(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T> static void store(char *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

double NpyArray::getAsDouble(int64_t i) const {
  const char *p = data.data() + i * dtypeSize(dtype);
  switch (dtype) {
  case DType::F16:
    return halfToFloat(load<uint16_t>(p));
  case DType::F32:
    return load<float>(p);
  case DType::F64:
    return load<double>(p);
  case DType::I8:
    return load<int8_t>(p);
  case DType::I16:
    return load<int16_t>(p);
  case DType::I32:
    return load<int32_t>(p);
  case DType::I64:
    return static_cast<double>(load<int64_t>(p));
  case DType::U8:
    return load<uint8_t>(p);
  case DType::Bool:
    return load<uint8_t>(p) ? 1.0 : 0.0;
  }
  return 0;
}

void NpyArray::setFromDouble(int64_t i, double value) {
  char *p = data.data() + i * dtypeSize(dtype);
  switch (dtype) {
  case DType::F16:
    return store(p, floatToHalf(static_cast<float>(value)));
  case DType::F32:
    return store(p, static_cast<float>(value));
  case DType::F64:
    return store(p, value);
  case DType::I8:
    return store(p, static_cast<int8_t>(std::llround(value)));
  case DType::I16:
    return store(p, static_cast<int16_t>(std::llround(value)));
  case DType::I32:
    return store(p, static_cast<int32_t>(std::llround(value)));
  case DType::I64:
    return store(p, static_cast<int64_t>(std::llround(value)));
  case DType::U8:
    return store(p, static_cast<uint8_t>(std::llround(value)));
  case DType::Bool:
    return store(p, static_cast<uint8_t>(value != 0.0));
  }
}

NpyArray mlir::loom::makeNpyArray(DType dtype, std::vector<int64_t> shape) {
  NpyArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.assign(a.numElements() * dtypeSize(dtype), 0);
  return a;
}

static Status npyError(const std::string &name, const std::string &message) {
  return Status::error(name + ": " + message);
}

namespace {
/// A Python literal of the kinds an .npy header dict holds.
struct PyLiteral {
  enum class Kind { String, Bool, Int, Tuple } kind = Kind::Int;
  std::string text;
  bool boolean = false;
  uint64_t integer = 0;
  std::vector<uint64_t> tuple;
};

/// Parses the header dict, `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (2, 3), }` and its variants (either quote, any whitespace, a
/// trailing comma or none), as `ast.literal_eval` would, restricted to what
/// a header may hold: string keys, and string, bool, int and int-tuple
/// values. Escape sequences, prefixed strings, expressions and comments are
/// refused.
class HeaderDictParser {
public:
  HeaderDictParser(std::string_view text, bool allowLongSuffix)
      : text(text), allowLongSuffix(allowLongSuffix) {}

  /// Fills `out` (in the order of the text); returns "" or what is wrong.
  std::string parse(std::vector<std::pair<std::string, PyLiteral>> &out) {
    skipSpace();
    if (!consume('{'))
      return "the header is not a Python dict literal";
    skipSpace();
    while (!consume('}')) {
      PyLiteral key;
      if (peek() != '\'' && peek() != '"')
        return "the header dict has a key that is not a string";
      if (std::string e = parseString(key.text); !e.empty())
        return e;
      skipSpace();
      if (!consume(':'))
        return "expected ':' after '" + key.text + "' in the header dict";
      skipSpace();
      PyLiteral value;
      if (std::string e = parseValue(value); !e.empty())
        return e + " (the value of '" + key.text + "')";
      out.emplace_back(key.text, std::move(value));
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (peek() != '}')
        return "expected ',' or '}' in the header dict";
    }
    skipSpace();
    if (pos != text.size())
      return "unexpected text after the header dict";
    return "";
  }

private:
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  void skipSpace() {
    while (pos < text.size() &&
           std::strchr(" \t\n\r\f\v", text[pos]) != nullptr && text[pos])
      ++pos;
  }

  std::string parseString(std::string &out) {
    char quote = text[pos++];
    size_t start = pos;
    while (pos < text.size() && text[pos] != quote) {
      unsigned char c = static_cast<unsigned char>(text[pos]);
      // A Python string literal ends on its line.
      if (c == '\n')
        return "unterminated string in the header";
      if (c == '\\' || c < 0x20 || c >= 0x7f)
        return "unsupported character in a header string";
      ++pos;
    }
    if (pos >= text.size())
      return "unterminated string in the header";
    out = std::string(text.substr(start, pos - start));
    ++pos;
    return "";
  }

  std::string parseInteger(uint64_t &out) {
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    std::string_view digits = text.substr(start, pos - start);
    if (digits.empty())
      return "expected a non-negative integer";
    // Python 3 refuses leading zeros; numpy never writes them.
    if (digits.size() > 1 && digits[0] == '0')
      return "malformed integer '" + std::string(digits) + "'";
    // Python 2 wrote long integers as 3L; numpy filters the L in files of
    // format 1.0 and 2.0.
    if (allowLongSuffix && peek() == 'L')
      ++pos;
    uint64_t value = 0;
    for (char c : digits) {
      uint64_t digit = static_cast<uint64_t>(c - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
        return "integer '" + std::string(digits) + "' is too large";
      value = value * 10 + digit;
    }
    out = value;
    return "";
  }

  std::string parseValue(PyLiteral &out) {
    char c = peek();
    if (c == '\'' || c == '"') {
      out.kind = PyLiteral::Kind::String;
      return parseString(out.text);
    }
    for (auto [word, value] :
         {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
      if (text.substr(pos, word.size()) == word) {
        char after =
            pos + word.size() < text.size() ? text[pos + word.size()] : '\0';
        if (std::isalnum(static_cast<unsigned char>(after)) || after == '_')
          break;
        pos += word.size();
        out.kind = PyLiteral::Kind::Bool;
        out.boolean = value;
        return "";
      }
    }
    if (c >= '0' && c <= '9') {
      out.kind = PyLiteral::Kind::Int;
      return parseInteger(out.integer);
    }
    if (c == '-')
      return "negative number";
    if (c != '(')
      return "unsupported literal";
    ++pos;
    out.kind = PyLiteral::Kind::Tuple;
    skipSpace();
    if (consume(')'))
      return "";
    // (3) is an int in Python, not a tuple: one element needs a comma.
    bool sawComma = false;
    while (true) {
      if (out.tuple.size() >= kMaxNpyRank)
        return "more than " + std::to_string(kMaxNpyRank) + " dimensions";
      uint64_t element;
      if (peek() == '-')
        return "negative number";
      if (std::string e = parseInteger(element); !e.empty())
        return e;
      out.tuple.push_back(element);
      skipSpace();
      if (consume(',')) {
        sawComma = true;
        skipSpace();
        if (consume(')'))
          return "";
        continue;
      }
      if (consume(')')) {
        if (!sawComma) {
          out.kind = PyLiteral::Kind::Int;
          out.integer = out.tuple.front();
        }
        return "";
      }
      return "expected ',' or ')' in a tuple";
    }
  }

  std::string_view text;
  bool allowLongSuffix;
  size_t pos = 0;
};
} // namespace

Result<NpyHeader> mlir::loom::parseNpyHeader(std::string_view bytes,
                                             const std::string &name) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 8 || bytes.substr(0, 6) != std::string_view(kMagic, 6))
    return npyError(name, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  unsigned minor = static_cast<unsigned char>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return npyError(
        name, "unsupported .npy format version " + std::to_string(major) + "." +
                  std::to_string(minor) + " (numpy writes 1.0, 2.0 and 3.0)");
  size_t lengthBytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + lengthBytes)
    return npyError(name, "truncated header");
  uint64_t headerLength = 0;
  for (size_t i = 0; i < lengthBytes; ++i)
    headerLength |=
        static_cast<uint64_t>(static_cast<unsigned char>(bytes[8 + i]))
        << (8 * i);
  if (headerLength > kMaxNpyHeaderBytes)
    return npyError(name, "header of " + std::to_string(headerLength) +
                              " bytes is longer than the " +
                              std::to_string(kMaxNpyHeaderBytes) +
                              " numpy reads");
  size_t headerStart = 8 + lengthBytes;
  if (bytes.size() < headerStart + headerLength)
    return npyError(name, "truncated header");
  std::string_view headerText = bytes.substr(headerStart, headerLength);

  std::vector<std::pair<std::string, PyLiteral>> entries;
  std::string problem =
      HeaderDictParser(headerText, /*allowLongSuffix=*/major < 3)
          .parse(entries);
  if (!problem.empty())
    return npyError(name, "malformed header: " + problem);
  const PyLiteral *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : entries) {
    const PyLiteral **slot = key == "descr"           ? &descr
                             : key == "fortran_order" ? &fortran
                             : key == "shape"         ? &shape
                                                      : nullptr;
    if (!slot)
      return npyError(name, "malformed header: unexpected key '" + key +
                                "' (a header has exactly 'descr', "
                                "'fortran_order' and 'shape')");
    if (*slot)
      return npyError(name,
                      "malformed header: key '" + key + "' appears twice");
    *slot = &value;
  }
  if (!descr || !fortran || !shape)
    return npyError(name, std::string("malformed header: it lacks '") +
                              (!descr     ? "descr"
                               : !fortran ? "fortran_order"
                                          : "shape") +
                              "'");

  if (descr->kind != PyLiteral::Kind::String)
    return npyError(name, "unsupported dtype (structured dtypes are not "
                          "supported)");
  // Single-byte types have no byte order; numpy writes '|' but accepts any.
  std::string normalized = descr->text;
  if (normalized.size() == 3 && normalized[2] == '1' &&
      std::strchr("<>|=", normalized[0]) != nullptr)
    normalized[0] = '|';
  const DTypeInfo *found = nullptr;
  for (const DTypeInfo &i : kDTypes)
    if (normalized == i.descr)
      found = &i;
  if (!found)
    return npyError(name, "unsupported dtype '" + descr->text +
                              "' (expected little-endian f2/f4/f8, i1/i2/i4/"
                              "i8, u1 or b1)");
  if (fortran->kind != PyLiteral::Kind::Bool)
    return npyError(name, "malformed header: 'fortran_order' must be True or "
                          "False");
  if (fortran->boolean)
    return npyError(name, "Fortran-order arrays are not supported");
  if (shape->kind != PyLiteral::Kind::Tuple)
    return npyError(name, "malformed header: 'shape' must be a tuple of "
                          "non-negative integers");

  NpyHeader header;
  header.dtype = found->dtype;
  // The element count with overflow checks on the non-zero dimensions (as
  // numpy's array constructor does: a zero does not excuse a huge shape).
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  uint64_t nonZeroProduct = 1;
  bool hasZero = false;
  for (uint64_t d : shape->tuple) {
    if (d > kMax)
      return npyError(name, "shape too large");
    if (d == 0) {
      hasZero = true;
    } else {
      if (nonZeroProduct > kMax / d)
        return npyError(name, "shape too large");
      nonZeroProduct *= d;
    }
    header.shape.push_back(static_cast<int64_t>(d));
  }
  if (nonZeroProduct > kMax / found->size)
    return npyError(name, "shape too large");
  header.dataBytes = hasZero ? 0 : nonZeroProduct * found->size;
  header.dataOffset = headerStart + headerLength;
  return header;
}

static Status dataSizeMismatch(const std::string &name, uint64_t actual,
                               const NpyHeader &header) {
  return npyError(name, "data size " + std::to_string(actual) +
                            " bytes does not match shape " +
                            formatShape(header.shape) + " of " +
                            dtypeName(header.dtype) + " (" +
                            std::to_string(header.dataBytes) + " bytes)");
}

Result<NpyArray> mlir::loom::parseNpy(std::string_view bytes,
                                      const std::string &name) {
  Result<NpyHeader> header = parseNpyHeader(bytes, name);
  if (!header)
    return header.status();
  uint64_t actual = bytes.size() - header->dataOffset;
  if (actual != header->dataBytes)
    return dataSizeMismatch(name, actual, *header);
  NpyArray array;
  array.dtype = header->dtype;
  array.shape = header->shape;
  try {
    array.data.assign(bytes.begin() + header->dataOffset, bytes.end());
  } catch (const std::bad_alloc &) {
    return npyError(name, "not enough memory for its data");
  }
  return array;
}

/// Reads up to `size` bytes at the file offset; fewer only at the end of the
/// file.
static bool readFully(int fd, char *buffer, size_t size, size_t &done) {
  done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, buffer + done, size - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    if (n == 0)
      break;
    done += static_cast<size_t>(n);
  }
  return true;
}

namespace {
/// Closes a file descriptor on every path out of a function.
struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};
} // namespace

Result<NpyArray> mlir::loom::readNpyFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return npyError(path, std::string("cannot read: ") + std::strerror(errno));
  FileCloser closer{fd};
  struct stat status;
  if (::fstat(fd, &status) != 0)
    return npyError(path, std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(status.st_mode))
    return npyError(path, "cannot read: not a regular file");
  uint64_t fileSize = static_cast<uint64_t>(status.st_size);

  // The header first: a file whose header is wrong is never read further.
  std::string prefix(std::min<uint64_t>(fileSize, 12 + kMaxNpyHeaderBytes),
                     '\0');
  size_t got;
  if (!readFully(fd, prefix.data(), prefix.size(), got))
    return npyError(path, std::string("cannot read: ") + std::strerror(errno));
  prefix.resize(got);
  Result<NpyHeader> header = parseNpyHeader(prefix, path);
  if (!header)
    return header.status();
  uint64_t actual = fileSize - header->dataOffset;
  if (actual != header->dataBytes)
    return dataSizeMismatch(path, actual, *header);

  NpyArray array;
  array.dtype = header->dtype;
  array.shape = header->shape;
  try {
    array.data.resize(header->dataBytes);
  } catch (const std::bad_alloc &) {
    return npyError(path, "not enough memory for its " +
                              std::to_string(header->dataBytes) +
                              " bytes of data");
  }
  size_t inPrefix =
      std::min<size_t>(prefix.size() - header->dataOffset, array.data.size());
  std::memcpy(array.data.data(), prefix.data() + header->dataOffset, inPrefix);
  size_t rest = array.data.size() - inPrefix;
  if (!readFully(fd, array.data.data() + inPrefix, rest, got))
    return npyError(path, std::string("cannot read: ") + std::strerror(errno));
  if (got != rest)
    return npyError(path, "the file shrank while it was read");
  return array;
}

std::string mlir::loom::serializeNpy(const NpyArray &array) {
  std::string dims;
  for (size_t i = 0; i < array.shape.size(); ++i)
    dims += (i ? ", " : "") + std::to_string(array.shape[i]);
  if (array.shape.size() == 1)
    dims += ","; // a 1-tuple is "(4,)"
  std::string header = "{'descr': '" + std::string(dtypeDescr(array.dtype)) +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad so that magic + len + header + '\n' is a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(array.data.begin(), array.data.end());
  return out;
}

Status mlir::loom::writeNpyFile(const std::string &path,
                                const NpyArray &array) {
  std::string tmp = path + ".tmp";
  std::string bytes = serializeNpy(array);
  FILE *file = std::fopen(tmp.c_str(), "wb");
  if (!file)
    return npyError(path, std::string("cannot write: ") + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  int savedErrno = errno;
  ok = (std::fclose(file) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return npyError(path, std::string("write failed: ") +
                              std::strerror(savedErrno ? savedErrno : errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int renameErrno = errno;
    std::remove(tmp.c_str());
    return npyError(path, std::string("cannot rename: ") +
                              std::strerror(renameErrno));
  }
  return Status();
}
