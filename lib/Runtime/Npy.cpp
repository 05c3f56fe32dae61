//===- Npy.cpp - NumPy .npy files
//------------------------------------------===//

#include "loom/Runtime/Npy.h"
#include "loom/Support/Errors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

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
  llvm_unreachable("unknown dtype");
}

size_t mlir::loom::dtypeSize(DType dtype) { return info(dtype).size; }
const char *mlir::loom::dtypeDescr(DType dtype) { return info(dtype).descr; }
const char *mlir::loom::dtypeName(DType dtype) { return info(dtype).name; }
const char *mlir::loom::dtypeNumpyName(DType dtype) {
  return info(dtype).numpyName;
}

std::optional<DType> mlir::loom::parseDTypeNumpyName(llvm::StringRef name) {
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

std::string NpyArray::shapeString() const {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

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
  llvm_unreachable("unknown dtype");
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

static llvm::Error npyError(llvm::StringRef name, const llvm::Twine &msg) {
  return makeError(name + ": " + msg);
}

/// Finds `'key':` in the header dict and returns the text after it.
static std::optional<llvm::StringRef> dictValue(llvm::StringRef header,
                                                llvm::StringRef key) {
  for (char quote : {'\'', '"'}) {
    std::string pattern = std::string(1, quote) + key.str() + quote;
    size_t pos = header.find(pattern);
    if (pos == llvm::StringRef::npos)
      continue;
    llvm::StringRef rest = header.drop_front(pos + pattern.size()).ltrim();
    if (!rest.consume_front(":"))
      return std::nullopt;
    return rest.ltrim();
  }
  return std::nullopt;
}

llvm::Expected<NpyArray> mlir::loom::parseNpy(llvm::StringRef bytes,
                                              llvm::StringRef name) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || !bytes.starts_with(llvm::StringRef(kMagic, 6)))
    return npyError(name, "not a .npy file (bad magic)");
  uint8_t major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) |
                (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return npyError(name, "unsupported .npy format version " +
                              llvm::Twine(static_cast<int>(major)));
  }
  if (headerStart + headerLen > bytes.size())
    return npyError(name, "truncated header");
  llvm::StringRef header = bytes.substr(headerStart, headerLen);

  std::optional<llvm::StringRef> descr = dictValue(header, "descr");
  std::optional<llvm::StringRef> fortran = dictValue(header, "fortran_order");
  std::optional<llvm::StringRef> shapeText = dictValue(header, "shape");
  if (!descr || !fortran || !shapeText)
    return npyError(name, "header lacks descr, fortran_order or shape");
  if (descr->empty() || (descr->front() != '\'' && descr->front() != '"'))
    return npyError(name, "malformed descr");
  char quote = descr->front();
  llvm::StringRef descrValue =
      descr->drop_front().take_until([&](char c) { return c == quote; });
  // Single-byte types may be spelled with '<', '>' or '|'.
  std::string normalized = descrValue.str();
  if (normalized.size() == 3 && normalized[2] == '1')
    normalized[0] = '|';
  const DTypeInfo *found = nullptr;
  for (const DTypeInfo &i : kDTypes)
    if (normalized == i.descr)
      found = &i;
  if (!found)
    return npyError(name, "unsupported dtype '" + descrValue +
                              "' (expected little-endian f2/f4/f8, i1/i2/i4/"
                              "i8, u1 or b1)");
  if (!fortran->starts_with("False"))
    return npyError(name, "Fortran-order arrays are not supported");
  if (!shapeText->consume_front("("))
    return npyError(name, "malformed shape");
  llvm::StringRef dims = shapeText->take_until([](char c) { return c == ')'; });
  NpyArray array;
  array.dtype = found->dtype;
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, ',');
  uint64_t count = 1;
  for (llvm::StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0)
      return npyError(name, "malformed shape dimension '" + part + "'");
    if (d != 0 && count > (uint64_t(1) << 40) / static_cast<uint64_t>(d))
      return npyError(name, "shape too large");
    count *= static_cast<uint64_t>(d);
    array.shape.push_back(d);
  }
  uint64_t byteCount = count * found->size;
  size_t dataStart = headerStart + headerLen;
  if (bytes.size() - dataStart != byteCount)
    return npyError(name, "data size " + llvm::Twine(bytes.size() - dataStart) +
                              " bytes does not match shape " +
                              array.shapeString() + " of " + found->name +
                              " (" + llvm::Twine(byteCount) + " bytes)");
  array.data.assign(bytes.begin() + dataStart, bytes.end());
  return array;
}

llvm::Expected<NpyArray> mlir::loom::readNpyFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
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

llvm::Error mlir::loom::writeNpyFile(llvm::StringRef path,
                                     const NpyArray &array) {
  std::string tmp = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tmp, ec, llvm::sys::fs::OF_None);
    if (ec)
      return npyError(path, "cannot write: " + ec.message());
    os << serializeNpy(array);
    os.close();
    if (os.has_error())
      return npyError(path, "write failed");
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    return npyError(path, "cannot rename: " + ec.message());
  }
  return llvm::Error::success();
}
