//===- KVCacheTypeTest.cpp - Unit tests of !loom.kv_cache -----------------===//
//
// Builds, prints, parses and verifies kv_cache types through the C++ API, the
// way passes and the importer create them.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomDialect.h"
#include "loom/IR/LoomTypes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

class KVCacheTypeTest : public ::testing::Test {
protected:
  KVCacheTypeTest() { context.loadDialect<LoomDialect>(); }

  std::string print(Type type) {
    std::string text;
    llvm::raw_string_ostream os(text);
    type.print(os);
    return text;
  }

  MLIRContext context;
};

TEST_F(KVCacheTypeTest, BuildsAndPrintsPlainCache) {
  Builder b(&context);
  auto type = KVCacheType::get(1, 2, 128, 16, b.getF32Type());
  EXPECT_EQ(type.getValueDim(), 16);
  EXPECT_FALSE(type.isQuantized());
  EXPECT_EQ(print(type), "!loom.kv_cache<1x2x128x16xf32>");
  EXPECT_EQ(type.getKeyShape(), (SmallVector<int64_t>{1, 2, 128, 16}));
}

TEST_F(KVCacheTypeTest, ParsesWhatItPrints) {
  const char *texts[] = {
      "!loom.kv_cache<1x2x128x16xf32>",
      "!loom.kv_cache<1x2x128x16xf32, value_dim = 8>",
      ("!loom.kv_cache<2x4x256x64xf16, quant = <bits = 4, group = 32, "
       "residual = 32>>"),
  };
  for (const char *text : texts) {
    Type type = parseType(text, &context);
    ASSERT_TRUE(type) << text;
    EXPECT_EQ(print(type), text);
  }
}

TEST_F(KVCacheTypeTest, RejectsBadParameters) {
  Builder b(&context);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  int64_t batch = 1, heads = 2, capacity = 128, dim = 16, group = 16,
          residual = 0;
  unsigned bits = 3;
  auto bad = KVCacheType::getChecked(
      [&] { return emitError(UnknownLoc::get(&context)); }, &context, batch,
      heads, capacity, dim, dim, Type(b.getF32Type()), bits, group, residual);
  EXPECT_FALSE(bad);
  EXPECT_EQ(message, "kv_cache quant bits must be 2, 4 or 8, got 3");
}

} // namespace
