//===- TensorViewTest.cpp - Unit tests of TensorView and constant eval ----===//
//
// Parses small functions and checks the views TensorView derives through
// reshapes, transposes and broadcasts, and the values evaluateConstantTensor
// computes.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/TensorView.h"
#include "loom/Analysis/ConstantEvaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

class TensorViewTest : public ::testing::Test {
protected:
  TensorViewTest() {
    context.loadDialect<arith::ArithDialect, func::FuncDialect,
                        linalg::LinalgDialect, tensor::TensorDialect>();
  }

  /// Parses `body` as the module and returns the operand of its return.
  Value parseResult(StringRef text) {
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    Value result;
    module->walk([&](func::ReturnOp r) { result = r.getOperand(0); });
    return result;
  }

  /// Steps back as far as possible.
  static TensorView traceAll(Value v, bool allowScale = false) {
    TensorView view = TensorView::identity(v);
    while (view.stepBack(allowScale)) {
    }
    return view;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

// [B*H, S, D] read from K^T built the dynamo exporter's way, with GQA: the
// atoms say that head h reads kv head h / 2 and that dims 1 and 2 are swapped.
TEST_F(TensorViewTest, GQAKeyTranspose) {
  Value v = parseResult(R"mlir(
    #bcast = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
    #id = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
    func.func @f(%k: tensor<1x2x6x8xf32>) -> tensor<4x8x6xf32> {
      %e = tensor.expand_shape %k [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8]
          : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
      %init = tensor.empty() : tensor<1x2x2x6x8xf32>
      %b = linalg.generic {indexing_maps = [#bcast, #id],
          iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
          ins(%e : tensor<1x2x1x6x8xf32>) outs(%init : tensor<1x2x2x6x8xf32>) {
        ^bb0(%in: f32, %out: f32):
          linalg.yield %in : f32
      } -> tensor<1x2x2x6x8xf32>
      %c = tensor.collapse_shape %b [[0, 1, 2], [3], [4]]
          : tensor<1x2x2x6x8xf32> into tensor<4x6x8xf32>
      %t0 = tensor.empty() : tensor<4x8x6xf32>
      %t = linalg.transpose ins(%c : tensor<4x6x8xf32>) outs(%t0 : tensor<4x8x6xf32>)
          permutation = [0, 2, 1]
      return %t : tensor<4x8x6xf32>
    })mlir");
  TensorView view = traceAll(v);
  ASSERT_TRUE(isa<BlockArgument>(view.getSource()));
  EXPECT_TRUE(
      view.equals({ViewDim{ViewAtom{1, 1, 2}, TensorView::broadcast(2)},
                   ViewDim{ViewAtom{3, 1, 8}}, ViewDim{ViewAtom{2, 1, 6}}}))
      << view.toString();
  // Tile-style repetition (h reads h % 2) is a different view.
  EXPECT_FALSE(
      view.equals({ViewDim{TensorView::broadcast(2), ViewAtom{1, 1, 2}},
                   ViewDim{ViewAtom{3, 1, 8}}, ViewDim{ViewAtom{2, 1, 6}}}));
}

// A collapse whose atoms do not line up with the source dims cannot be
// expressed.
TEST_F(TensorViewTest, MisalignedReshapeStops) {
  Value v = parseResult(R"mlir(
    func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
      %c = tensor.collapse_shape %x [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
      %e = tensor.expand_shape %c [[0, 1]] output_shape [3, 2]
          : tensor<6xf32> into tensor<3x2xf32>
      return %e : tensor<3x2xf32>
    })mlir");
  TensorView view = TensorView::identity(v);
  EXPECT_TRUE(view.stepBack());  // the expand: [3,2] over the flat [6]
  EXPECT_FALSE(view.stepBack()); // 3x2 atoms do not split at the 2x3 boundary
  EXPECT_TRUE(isa<OpResult>(view.getSource()));
}

// Scalar scales are stepped over only when allowed, and accumulate.
TEST_F(TensorViewTest, ScalesAccumulate) {
  Value v = parseResult(R"mlir(
    #id = affine_map<(d0, d1) -> (d0, d1)>
    func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
      %c2 = arith.constant 2.0 : f32
      %c4 = arith.constant dense<4.0> : tensor<f32>
      %i0 = tensor.empty() : tensor<2x3xf32>
      %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
          ins(%x : tensor<2x3xf32>) outs(%i0 : tensor<2x3xf32>) {
        ^bb0(%in: f32, %out: f32):
          %m = arith.mulf %in, %c2 : f32
          linalg.yield %m : f32
      } -> tensor<2x3xf32>
      %i1 = tensor.empty() : tensor<3x2xf32>
      %t = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%i1 : tensor<3x2xf32>)
          permutation = [1, 0]
      %d = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> ()>, #id],
          iterator_types = ["parallel", "parallel"]}
          ins(%t, %c4 : tensor<3x2xf32>, tensor<f32>) outs(%i1 : tensor<3x2xf32>) {
        ^bb0(%in: f32, %c: f32, %out: f32):
          %q = arith.divf %in, %c : f32
          linalg.yield %q : f32
      } -> tensor<3x2xf32>
      return %d : tensor<3x2xf32>
    })mlir");
  EXPECT_FALSE(TensorView::identity(v).stepBack(/*allowScale=*/false));
  TensorView view = traceAll(v, /*allowScale=*/true);
  EXPECT_TRUE(isa<BlockArgument>(view.getSource()));
  EXPECT_DOUBLE_EQ(view.getScale(), 0.5);
  EXPECT_TRUE(
      view.equals({ViewDim{ViewAtom{1, 1, 3}}, ViewDim{ViewAtom{0, 1, 2}}}));
}

// A mask computed from constants: Where(cond, 0, -inf) broadcast and reshaped.
TEST_F(TensorViewTest, EvaluatesComputedMask) {
  Value v = parseResult(R"mlir(
    #m = affine_map<(d0, d1, d2) -> (0, d1, d2)>
    #s = affine_map<(d0, d1, d2) -> ()>
    #id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
    func.func @f() -> tensor<2x2x3xf32> {
      %cond = arith.constant dense<[[[true, false, false], [true, true, false]]]> : tensor<1x2x3xi1>
      %zero = arith.constant dense<0.0> : tensor<f32>
      %ninf = arith.constant dense<0xFF800000> : tensor<f32>
      %init = tensor.empty() : tensor<2x2x3xf32>
      %w = linalg.generic {indexing_maps = [#m, #s, #s, #id],
          iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%cond, %zero, %ninf : tensor<1x2x3xi1>, tensor<f32>, tensor<f32>)
          outs(%init : tensor<2x2x3xf32>) {
        ^bb0(%c: i1, %a: f32, %b: f32, %out: f32):
          %r = arith.select %c, %a, %b : f32
          linalg.yield %r : f32
      } -> tensor<2x2x3xf32>
      return %w : tensor<2x2x3xf32>
    })mlir");
  std::optional<SmallVector<double>> vals = evaluateConstantTensor(v);
  ASSERT_TRUE(vals);
  double inf = std::numeric_limits<double>::infinity();
  SmallVector<double> row = {0, -inf, -inf, 0, 0, -inf};
  SmallVector<double> want(row);
  want.append(row.begin(), row.end());
  EXPECT_EQ(*vals, want);
}

// Anything depending on an argument is not constant.
TEST_F(TensorViewTest, ArgumentsAreNotConstant) {
  Value v = parseResult(R"mlir(
    func.func @f(%x: tensor<2x3xf32>) -> tensor<6xf32> {
      %c = tensor.collapse_shape %x [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
      return %c : tensor<6xf32>
    })mlir");
  EXPECT_FALSE(evaluateConstantTensor(v));
}

} // namespace
