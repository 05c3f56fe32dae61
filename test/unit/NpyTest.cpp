//===- NpyTest.cpp - Unit tests of the .npy reader/writer -----------------===//
//
// Round trips, the header variants numpy writes or accepts, and one case per
// rejection of the header validator (Npy.h lists what it checks).
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Npy.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <fstream>

using namespace mlir::loom;

namespace {

/// A .npy header of version `major`.0 around `dict`, padded like numpy pads.
std::string header(const std::string &dict, int major = 1) {
  std::string h = dict;
  size_t prefix = major == 1 ? 10 : 12;
  size_t total = prefix + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>((h.size() >> 8) & 0xff);
  if (major != 1)
    out += std::string(2, '\0');
  return out + h;
}

std::string f32Header(const std::string &shape) {
  return header("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape +
                ", }");
}

/// Expects `bytes` to be rejected with a message containing `needle`.
void expectError(const std::string &bytes, const std::string &needle) {
  Result<NpyArray> a = parseNpy(bytes, "x.npy");
  ASSERT_FALSE(a.ok()) << "accepted: " << needle;
  EXPECT_NE(a.message().find(needle), std::string::npos) << a.message();
  EXPECT_EQ(a.message().rfind("x.npy: ", 0), 0u) << a.message();
}

TEST(Npy, RoundTripsEveryDType) {
  for (DType dtype : {DType::F16, DType::F32, DType::F64, DType::I8, DType::I16,
                      DType::I32, DType::I64, DType::U8, DType::Bool}) {
    NpyArray a = makeNpyArray(dtype, {2, 3});
    for (int64_t i = 0; i < 6; ++i)
      a.setFromDouble(i, dtype == DType::Bool ? i % 2 : i - 2);
    Result<NpyArray> b = parseNpy(serializeNpy(a), "mem");
    ASSERT_TRUE(b.ok()) << b.message();
    EXPECT_EQ(b->dtype, dtype);
    EXPECT_EQ(b->shape, a.shape);
    EXPECT_EQ(b->data, a.data);
  }
}

TEST(Npy, ScalarAndVectorShapes) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, {5}, {1, 1, 7}, {0, 3}}) {
    NpyArray a = makeNpyArray(DType::F32, shape);
    Result<NpyArray> b = parseNpy(serializeNpy(a), "mem");
    ASSERT_TRUE(b.ok()) << b.message();
    EXPECT_EQ(b->shape, shape);
  }
}

TEST(Npy, HalfConversionIsExactOnRepresentableValues) {
  NpyArray a = makeNpyArray(DType::F16, {6});
  const double values[] = {
      0.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 1.0009765625};
  for (int i = 0; i < 6; ++i)
    a.setFromDouble(i, values[i]);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(a.getAsDouble(i), values[i]) << i;
  a.setFromDouble(0, 1e6);
  EXPECT_TRUE(std::isinf(a.getAsDouble(0)));
}

TEST(Npy, ParsesNumpyHeaderVariants) {
  // A single-byte descr spelled with '<', double quotes, a trailing comma.
  std::string bytes =
      header(
          "{\"descr\": \"<i1\", \"fortran_order\": False, \"shape\": (2,), }") +
      std::string("\x01\xff", 2);
  Result<NpyArray> a = parseNpy(bytes, "mem");
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->dtype, DType::I8);
  EXPECT_EQ(a->getAsDouble(1), -1.0);

  // Keys in any order, no trailing comma, tabs and newlines, versions 2 and 3,
  // Python 2's long integers in version 1.
  for (auto [dict, major] :
       {std::pair<std::string, int>{"{'shape':(2,3),'fortran_order':False,"
                                    "'descr':'<f4'}",
                                    1},
        {"{'descr': '<f4',\t'fortran_order': False,\n 'shape': ( 2 , 3 ) }", 2},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3,), }", 3},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", 1}}) {
    Result<NpyArray> b =
        parseNpy(header(dict, major) + std::string(24, '\0'), "mem");
    ASSERT_TRUE(b.ok()) << dict << ": " << b.message();
    EXPECT_EQ(b->shape, (std::vector<int64_t>{2, 3}));
  }

  // A zero-sized array has no data, whatever its other dimensions.
  Result<NpyArray> empty = parseNpy(f32Header("(0, 1000000)"), "mem");
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_EQ(empty->numElements(), 0);
}

TEST(Npy, RejectsBadMagicVersionAndLength) {
  expectError("hello world", "not a .npy file (bad magic)");
  expectError(std::string("\x93NUMP", 5), "bad magic");
  std::string good = f32Header("(1,)") + std::string(4, '\0');
  std::string v4 = good;
  v4[6] = 4;
  expectError(v4, "unsupported .npy format version 4.0 (numpy writes 1.0, 2.0 "
                  "and 3.0)");
  std::string minor = good;
  minor[7] = 1;
  expectError(minor, "unsupported .npy format version 1.1");
  expectError(good.substr(0, 9), "truncated header");
  expectError(good.substr(0, 20), "truncated header");
  // A header length past the end of the file.
  std::string longer = good;
  longer[8] = '\xff';
  longer[9] = 0;
  expectError(longer, "truncated header");
  // numpy refuses headers longer than 10000 bytes (max_header_size).
  std::string huge = good.substr(0, 8) + std::string("\x11\x27\0\0", 4);
  huge[6] = 2;
  expectError(huge, "header of 10001 bytes is longer than the 10000 numpy "
                    "reads");
}

TEST(Npy, RejectsHeadersThatAreNotTheDict) {
  auto npy = [](const std::string &dict) {
    return header(dict) + std::string(4, '\0');
  };
  expectError(npy("['descr', '<f4']"),
              "malformed header: the header is not a Python dict literal");
  expectError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x"),
              "unexpected text after the header dict");
  expectError(npy("{'descr': '<f4' 'fortran_order': False}"),
              "expected ',' or '}' in the header dict");
  expectError(npy("{descr: '<f4'}"), "has a key that is not a string");
  expectError(npy("{'descr' '<f4'}"), "expected ':' after 'descr'");
  expectError(npy("{'descr': '<f4\\n', 'fortran_order': False, 'shape': (1,)}"),
              "unsupported character in a header string");
  expectError(npy("{'descr': '<f4, 'fortran_order': False}"),
              "expected ',' or '}' in the header dict");
  expectError(npy("{'descr': '<f4"), "unterminated string in the header");
  expectError(npy("{'descr': '<f4', 'fortran_order': None, 'shape': (1,)}"),
              "unsupported literal (the value of 'fortran_order')");
  // Exactly the three keys, each once.
  expectError(npy("{'descr': '<f4', 'shape': (1,), }"),
              "malformed header: it lacks 'fortran_order'");
  expectError(npy("{'fortran_order': False, 'shape': (1,), }"),
              "it lacks 'descr'");
  expectError(npy("{'descr': '<f4', 'fortran_order': False}"),
              "it lacks 'shape'");
  expectError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "
                  "'extra': 1}"),
              "unexpected key 'extra' (a header has exactly 'descr', "
              "'fortran_order' and 'shape')");
  expectError(npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                  "'shape': (1,)}"),
              "key 'descr' appears twice");
}

TEST(Npy, RejectsBadValues) {
  auto npy = [](const std::string &descr, const std::string &fortran,
                const std::string &shape) {
    return header("{'descr': " + descr + ", 'fortran_order': " + fortran +
                  ", 'shape': " + shape + ", }") +
           std::string(4, '\0');
  };
  expectError(npy("'>f4'", "False", "(1,)"),
              "unsupported dtype '>f4' (expected little-endian f2/f4/f8, "
              "i1/i2/i4/i8, u1 or b1)");
  expectError(npy("'<c8'", "False", "(1,)"), "unsupported dtype '<c8'");
  expectError(npy("[('a', '<f4')]", "False", "(1,)"),
              "unsupported literal (the value of 'descr')");
  expectError(npy("(1,)", "False", "(1,)"),
              "unsupported dtype (structured dtypes are not supported)");
  expectError(npy("'<f4'", "True", "(1,)"),
              "Fortran-order arrays are not supported");
  expectError(npy("'<f4'", "0", "(1,)"),
              "'fortran_order' must be True or False");
  expectError(npy("'<f4'", "Falsey", "(1,)"), "unsupported literal");
  // (1) is an int in Python, not a tuple.
  expectError(npy("'<f4'", "False", "(1)"),
              "'shape' must be a tuple of non-negative integers");
  expectError(npy("'<f4'", "False", "1"), "'shape' must be a tuple");
  expectError(npy("'<f4'", "False", "(-1,)"), "negative number");
  expectError(npy("'<f4'", "False", "(01,)"), "malformed integer '01'");
  expectError(npy("'<f4'", "False", "(1.5,)"),
              "expected ',' or ')' in a tuple");
  expectError(npy("'<f4'", "False", "(1, 'a')"),
              "expected a non-negative integer");
  std::string v3 =
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (1L,), }", 3) +
      std::string(4, '\0');
  expectError(v3, "expected ',' or ')' in a tuple");
  std::string rank65 = "(";
  for (int i = 0; i < 65; ++i)
    rank65 += "1,";
  expectError(npy("'<f4'", "False", rank65 + ")"), "more than 64 dimensions");
}

TEST(Npy, RejectsShapeOverflowAndSizeMismatch) {
  expectError(f32Header("(100000000000, 100000000000)"), "shape too large");
  // 2^62 elements of 4 bytes overflow int64 bytes.
  expectError(f32Header("(4611686018427387904,)"), "shape too large");
  expectError(f32Header("(99999999999999999999,)"), "is too large");
  // A zero does not excuse an overflowing product.
  expectError(f32Header("(0, 4294967296, 4294967296)"), "shape too large");
  expectError(f32Header("(3,)") + std::string(8, '\0'),
              "data size 8 bytes does not match shape 3 of f32 (12 bytes)");
  expectError(f32Header("(3,)") + std::string(16, '\0'),
              "data size 16 bytes does not match shape 3 of f32 (12 bytes)");
}

TEST(Npy, ReadsFilesHeaderFirst) {
  std::string path = ::testing::TempDir() + "loom_npy_test.npy";
  NpyArray a = makeNpyArray(DType::I32, {3});
  a.setFromDouble(2, 7);
  ASSERT_TRUE(writeNpyFile(path, a).ok());
  Result<NpyArray> b = readNpyFile(path);
  ASSERT_TRUE(b.ok()) << b.message();
  EXPECT_EQ(b->data, a.data);

  // A header that promises more data than the file has is refused without
  // reading (or allocating) the data.
  {
    std::ofstream out(path, std::ios::binary);
    out << f32Header("(1000000000000,)") << "abcd";
  }
  Result<NpyArray> c = readNpyFile(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.message().find("data size 4 bytes does not match shape "
                             "1000000000000 of f32 (4000000000000 bytes)"),
            std::string::npos)
      << c.message();
  std::remove(path.c_str());

  Result<NpyArray> missing = readNpyFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("cannot read: No such file"),
            std::string::npos);
  Result<NpyArray> directory = readNpyFile(::testing::TempDir());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.message().find("not a regular file"), std::string::npos)
      << directory.message();
}

} // namespace
