//===- Constant.cpp - ONNX Constant, ConstantOfShape and Range ------------===//
//
// Ops whose result is known while importing: they become constant OValues
// (materialised as `arith.constant` only when an op reads them as tensors).
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class ConstantImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opConstant(Inputs &in, Outputs &out);
  LogicalResult opConstantOfShape(Inputs &in, Outputs &out);
  LogicalResult opRange(Inputs &in, Outputs &out);
};
} // namespace

LogicalResult ConstantImporter::opConstant(Inputs &, Outputs &out) {
  if (node->attribute_size() != 1)
    return nodeFail("expects exactly one attribute");
  const auto &a = node->attribute(0);
  OValue v;
  if (a.name() == "value") {
    if (failed(tensorFromProto(a.t(), v,
                               "node '" + node->name() + "' (Constant) value")))
      return failure();
  } else if (a.name() == "value_float") {
    Bytes bytes(4);
    float f = a.f();
    std::memcpy(bytes.data(), &f, 4);
    v = fromLiteral(RankedTensorType::get({}, b.getF32Type()), bytes, false);
  } else if (a.name() == "value_floats") {
    Bytes bytes(4 * a.floats_size());
    for (int i = 0; i < a.floats_size(); ++i) {
      float f = a.floats(i);
      std::memcpy(bytes.data() + 4 * i, &f, 4);
    }
    v = fromLiteral(RankedTensorType::get({a.floats_size()}, b.getF32Type()),
                    bytes, false);
  } else if (a.name() == "value_int") {
    v = intLiteral({}, {a.i()});
  } else if (a.name() == "value_ints") {
    SmallVector<int64_t> vals(a.ints().begin(), a.ints().end());
    v = intLiteral({(int64_t)vals.size()}, vals);
  } else {
    return nodeFail("unsupported attribute '" + a.name() + "'");
  }
  out.push_back(v);
  return success();
}

LogicalResult ConstantImporter::opConstantOfShape(Inputs &in, Outputs &out) {
  auto shape = constInts(in[0], "the shape input");
  if (failed(shape))
    return failure();
  std::optional<int64_t> n = checkedNumel(*shape);
  if (!n)
    return nodeFail("negative or overflowing dimension in the shape");
  OValue value;
  if (const auto *a = attr("value")) {
    if (failed(tensorFromProto(a->t(), value,
                               "node '" + node->name() +
                                   "' (ConstantOfShape) value")))
      return failure();
    if (value.type.getNumElements() != 1)
      return nodeFail("value must have one element");
  } else {
    value = fromLiteral(RankedTensorType::get({1}, b.getF32Type()), Bytes(4, 0),
                        false);
  }
  Type et = value.type.getElementType();
  int64_t eb = elemBytes(et);
  if (failed(checkConstantResult(*shape, et)))
    return failure();
  if (*n > 4096) {
    // Large fills stay a splat (never expanded in memory).
    OValue o;
    o.type = RankedTensorType::get(*shape, et);
    o.isUnsigned = value.isUnsigned;
    o.splat =
        std::make_shared<Bytes>(value.lit->begin(), value.lit->begin() + eb);
    out.push_back(o);
    return success();
  }
  Bytes bytes(*n * eb);
  for (int64_t i = 0; i < *n; ++i)
    std::memcpy(bytes.data() + i * eb, value.lit->data(), eb);
  out.push_back(fromLiteral(RankedTensorType::get(*shape, et), std::move(bytes),
                            value.isUnsigned));
  return success();
}

LogicalResult ConstantImporter::opRange(Inputs &in, Outputs &out) {
  Type et = in[0]->type.getElementType();
  auto s = constScalar(in[0], "start"), l = constScalar(in[1], "limit"),
       d = constScalar(in[2], "delta");
  if (failed(s) || failed(l) || failed(d))
    return failure();
  if (*d == 0)
    return nodeFail("delta is 0");
  double cnt = std::ceil((*l - *s) / *d);
  int64_t n = std::max<int64_t>(0, (int64_t)cnt);
  if (n > (1 << 24))
    return nodeFail("the range is too large");
  if (failed(checkConstantResult({n}, et)))
    return failure();
  Bytes bytes(n * elemBytes(et));
  for (int64_t i = 0; i < n; ++i) {
    double v = *s + i * *d;
    writeElem(bytes, et, i, v, isFloat(et) ? 0 : (int64_t)*s + i * (int64_t)*d);
  }
  out.push_back(fromLiteral(RankedTensorType::get({n}, et), std::move(bytes),
                            in[0]->isUnsigned));
  return success();
}

void mlir::loom::onnx_import::registerConstantOps(ConverterTable &table) {
  table.add("Constant", 0, &ConstantImporter::opConstant);
  table.add("ConstantOfShape", 1, &ConstantImporter::opConstantOfShape);
  table.add("Range", 3, &ConstantImporter::opRange);
}
