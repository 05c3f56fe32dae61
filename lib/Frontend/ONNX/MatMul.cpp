//===- MatMul.cpp - ONNX MatMul and Gemm ----------------------------------===//
//
// MatMul as one contraction (ImporterBase::matmul: linalg.matmul with the
// batch folded into M, or linalg.batch_matmul on collapsed batch dims); Gemm
// as transposes, linalg.matmul and generics for alpha and beta * C.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class MatMulImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opMatMul(Inputs &in, Outputs &out);
  LogicalResult opGemm(Inputs &in, Outputs &out);
};
} // namespace

LogicalResult MatMulImporter::opMatMul(Inputs &in, Outputs &out) {
  if (in[0]->type.getElementType() != in[1]->type.getElementType())
    return nodeFail("operand element types differ");
  FailureOr<Value> r = matmul(get(*in[0]), get(*in[1]));
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r));
  return success();
}

LogicalResult MatMulImporter::opGemm(Inputs &in, Outputs &out) {
  Value a = get(*in[0]), w = get(*in[1]);
  if (in[0]->type.getRank() != 2 || in[1]->type.getRank() != 2)
    return nodeFail("A and B must be 2-D");
  if (attrInt("transA", 0))
    a = transpose(a, {1, 0});
  if (attrInt("transB", 0))
    w = transpose(w, {1, 0});
  double alpha = attrFloat("alpha", 1.0f), beta = attrFloat("beta", 1.0f);
  FailureOr<Value> r = matmul(a, w);
  if (failed(r))
    return failure();
  Type et = in[0]->type.getElementType();
  if (!isFloat(et))
    return nodeFail("Gemm expects floating-point operands");
  Value y = *r;
  if (alpha != 1.0) {
    FailureOr<Value> s = elementwise(
        {y}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
          return arith::MulFOp::create(
              nb, l, v[0],
              arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, alpha)));
        });
    if (failed(s))
      return failure();
    y = *s;
  }
  if (in.size() > 2 && in[2] && beta != 0.0) {
    auto yShape = cast<RankedTensorType>(y.getType()).getShape();
    FailureOr<Value> s = elementwise(
        {y, get(*in[2])}, et,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
          Value c = v[1];
          if (beta != 1.0)
            c = arith::MulFOp::create(
                nb, l, c,
                arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, beta)));
          return arith::AddFOp::create(nb, l, v[0], c);
        },
        yShape);
    if (failed(s))
      return failure();
    if (cast<RankedTensorType>(s->getType()).getShape() != yShape)
      return nodeFail("C does not broadcast to the result shape");
    y = *s;
  }
  out.push_back(fromValue(y));
  return success();
}

void mlir::loom::onnx_import::registerMatMulOps(ConverterTable &table) {
  table.add("MatMul", 2, &MatMulImporter::opMatMul);
  table.add("Gemm", 2, &MatMulImporter::opGemm);
}
