//===- NpyTest.cpp - Unit tests of the .npy reader/writer -----------------===//

#include "loom/Runtime/Npy.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::loom;

namespace {

std::string header(const std::string &dict) {
  std::string h = dict;
  size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h;
}

TEST(Npy, RoundTripsEveryDType) {
  for (DType dtype : {DType::F16, DType::F32, DType::F64, DType::I8, DType::I16,
                      DType::I32, DType::I64, DType::U8, DType::Bool}) {
    NpyArray a = makeNpyArray(dtype, {2, 3});
    for (int64_t i = 0; i < 6; ++i)
      a.setFromDouble(i, dtype == DType::Bool ? i % 2 : i - 2);
    auto b = parseNpy(serializeNpy(a), "mem");
    ASSERT_TRUE(static_cast<bool>(b)) << llvm::toString(b.takeError());
    EXPECT_EQ(b->dtype, dtype);
    EXPECT_EQ(b->shape, a.shape);
    EXPECT_EQ(b->data, a.data);
  }
}

TEST(Npy, ScalarAndVectorShapes) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, {5}, {1, 1, 7}, {0, 3}}) {
    NpyArray a = makeNpyArray(DType::F32, shape);
    auto b = parseNpy(serializeNpy(a), "mem");
    ASSERT_TRUE(static_cast<bool>(b)) << llvm::toString(b.takeError());
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
  // Big-endian-free single-byte descr spelled with '<', double quotes, spaces.
  std::string bytes =
      header(
          "{\"descr\": \"<i1\", \"fortran_order\": False, \"shape\": (2,), }") +
      std::string("\x01\xff", 2);
  auto a = parseNpy(bytes, "mem");
  ASSERT_TRUE(static_cast<bool>(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->dtype, DType::I8);
  EXPECT_EQ(a->getAsDouble(1), -1.0);
}

TEST(Npy, RejectsMalformedInput) {
  auto expectError = [](const std::string &bytes, const std::string &needle) {
    auto a = parseNpy(bytes, "x.npy");
    ASSERT_FALSE(static_cast<bool>(a));
    std::string msg = llvm::toString(a.takeError());
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  };
  expectError("hello world", "bad magic");
  expectError(
      header("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }") +
          std::string(4, '\0'),
      "unsupported dtype '>f4'");
  expectError(
      header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }") +
          std::string(4, '\0'),
      "Fortran-order");
  expectError(
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") +
          std::string(8, '\0'),
      "data size 8 bytes does not match shape 3 of f32 (12 bytes)");
  expectError(
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
      "malformed shape dimension '-1'");
  expectError(header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(100000000000, 100000000000), }"),
              "shape too large");
  expectError(header("{'descr': '<f4', 'shape': (1,), }"),
              "header lacks descr, fortran_order or shape");
  std::string truncated = header("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (1,), }");
  expectError(truncated.substr(0, 20), "truncated header");
}

} // namespace
