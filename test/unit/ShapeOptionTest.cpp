//===- ShapeOptionTest.cpp - Unit tests of --shape parsing ----------------===//
//
// parseShapeOption is what loomc, loom-import-onnx and loom.compile share:
// what it accepts (lists, spaces, names with '='), what it reports, and that
// a malformed list appends nothing after the bad specification.
//
//===----------------------------------------------------------------------===//

#include "loom/Frontend/ONNX/ONNXImporter.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace mlir::loom;

namespace {

std::string parseError(llvm::StringRef text) {
  std::vector<ONNXShapeSpec> specs;
  llvm::Error error = parseShapeOption(text, specs);
  return error ? llvm::toString(std::move(error)) : std::string();
}

TEST(ShapeOption, SymbolsAndShapes) {
  std::vector<ONNXShapeSpec> specs;
  ASSERT_FALSE(
      llvm::errorToBool(parseShapeOption("batch=1, input_ids = 1x64", specs)));
  ASSERT_FALSE(llvm::errorToBool(parseShapeOption("n=7", specs)));
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "batch");
  EXPECT_EQ(specs[0].sizes, std::vector<int64_t>{1});
  EXPECT_FALSE(specs[0].isShape);
  EXPECT_EQ(specs[1].name, "input_ids");
  EXPECT_EQ(specs[1].sizes, (std::vector<int64_t>{1, 64}));
  EXPECT_TRUE(specs[1].isShape);
  EXPECT_EQ(specs[1].text, "input_ids = 1x64");
  EXPECT_EQ(specs[2].name, "n");
}

// ONNX value names may hold '='; sizes never do, so the last '=' splits.
TEST(ShapeOption, NameWithEquals) {
  std::vector<ONNXShapeSpec> specs;
  ASSERT_FALSE(llvm::errorToBool(parseShapeOption("a=b=2x3", specs)));
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].name, "a=b");
  EXPECT_EQ(specs[0].sizes, (std::vector<int64_t>{2, 3}));
}

TEST(ShapeOption, Largest) {
  std::vector<ONNXShapeSpec> specs;
  ASSERT_FALSE(
      llvm::errorToBool(parseShapeOption("batch=9223372036854775807", specs)));
  EXPECT_EQ(specs[0].sizes[0], INT64_MAX);
}

TEST(ShapeOption, Malformed) {
  EXPECT_NE(parseError("batch").find("'batch': no '='"), std::string::npos);
  EXPECT_NE(parseError("=3").find("the name before '=' is empty"),
            std::string::npos);
  EXPECT_NE(parseError("b=").find("no size after '='"), std::string::npos);
  EXPECT_NE(parseError("b=0").find("the size 0 is not positive"),
            std::string::npos);
  EXPECT_NE(parseError("b=-1").find("the size -1 is not positive"),
            std::string::npos);
  EXPECT_NE(parseError("b=+1").find("'+1' is not a positive integer"),
            std::string::npos);
  EXPECT_NE(parseError("b=0x10").find("the size 0 is not positive"),
            std::string::npos)
      << "0x10 is the sizes 0 and 10";
  EXPECT_NE(parseError("b=9223372036854775808").find("is too large"),
            std::string::npos);
  EXPECT_NE(parseError("x=2xx3").find("a size is empty"), std::string::npos);
  EXPECT_NE(parseError("a=1,,b=2").find("an empty specification"),
            std::string::npos);
  EXPECT_NE(parseError("").find("an empty specification"), std::string::npos);
}

} // namespace
