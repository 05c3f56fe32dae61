//===- Constant.cpp - ONNX Constant, ConstantOfShape and Range ------------===//
//
// Ops whose result is known while importing: they become constant OValues
// (materialised as `arith.constant` only when an op reads them as tensors).
// Range's scalars may also be computed, by ops the importer does not fold
// (float arithmetic, Squeeze, ...), as long as constant folding turns them
// into constants: its result size must be static.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

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

/// The element of a one-element tensor `v` that constant folding computes:
/// an `arith.constant`, a reshape of one, or a `linalg.generic` (what
/// elementwise ops of constants become) whose inputs and body ops all fold.
/// nullopt when `v` depends on a function argument or does not fold.
static std::optional<Attribute> foldScalar(Value v, int depth = 0) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (depth > 64 || !type || type.getNumElements() != 1)
    return std::nullopt;
  Attribute cst;
  if (matchPattern(v, m_Constant(&cst))) {
    if (auto dense = dyn_cast<DenseElementsAttr>(cst))
      return *dense.getValues<Attribute>().begin();
    return std::nullopt;
  }
  if (auto c = v.getDefiningOp<tensor::CollapseShapeOp>())
    return foldScalar(c.getSrc(), depth + 1);
  if (auto e = v.getDefiningOp<tensor::ExpandShapeOp>())
    return foldScalar(e.getSrc(), depth + 1);
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumResults() != 1)
    return std::nullopt;
  Block &body = generic.getRegion().front();
  llvm::DenseMap<Value, Attribute> known;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    std::optional<Attribute> a = foldScalar(input->get(), depth + 1);
    if (!a)
      return std::nullopt;
    known[body.getArgument(input->getOperandNumber())] = *a;
  }
  auto lookup = [&](Value x) -> Attribute {
    if (Attribute a = known.lookup(x))
      return a;
    Attribute c;
    if (x.getParentBlock() != &body && matchPattern(x, m_Constant(&c)))
      return c;
    return {};
  };
  for (Operation &op : body.without_terminator()) {
    SmallVector<Attribute> operands;
    for (Value x : op.getOperands()) {
      Attribute a = lookup(x);
      if (!a)
        return std::nullopt;
      operands.push_back(a);
    }
    SmallVector<OpFoldResult> results;
    if (failed(op.fold(operands, results)) ||
        results.size() != op.getNumResults())
      return std::nullopt;
    for (auto [r, f] : llvm::zip(op.getResults(), results)) {
      Attribute a =
          isa<Attribute>(f) ? cast<Attribute>(f) : lookup(cast<Value>(f));
      if (!a)
        return std::nullopt;
      known[r] = a;
    }
  }
  Attribute y = lookup(body.getTerminator()->getOperand(0));
  if (!y)
    return std::nullopt;
  return y;
}

LogicalResult ConstantImporter::opRange(Inputs &in, Outputs &out) {
  Type et = in[0]->type.getElementType();
  double vals[3];
  const char *names[3] = {"start", "limit", "delta"};
  for (int i = 0; i < 3; ++i) {
    OValue *v = in[i];
    if (v->type.getNumElements() != 1)
      return nodeFail(Twine(names[i]) + " must be a scalar");
    if (v->lit) {
      auto c = constScalar(v, names[i]);
      if (failed(c))
        return failure();
      vals[i] = *c;
      continue;
    }
    std::optional<Attribute> a = foldScalar(get(*v));
    if (auto f = dyn_cast_or_null<FloatAttr>(a.value_or(Attribute())))
      vals[i] = f.getValueAsDouble();
    else if (auto n = dyn_cast_or_null<IntegerAttr>(a.value_or(Attribute())))
      vals[i] = v->isUnsigned ? (double)n.getValue().getZExtValue()
                              : (double)n.getValue().getSExtValue();
    else
      return nodeFail(Twine(names[i]) +
                      " depends on input values (it is not a constant after "
                      "constant folding); the result size would not be "
                      "static");
  }
  double s = vals[0], l = vals[1], d = vals[2];
  if (d == 0)
    return nodeFail("delta is 0");
  double cnt = std::ceil((l - s) / d);
  int64_t n = std::max<int64_t>(0, (int64_t)cnt);
  if (n > (1 << 24))
    return nodeFail("the range is too large");
  if (failed(checkConstantResult({n}, et)))
    return failure();
  Bytes bytes(n * elemBytes(et));
  for (int64_t i = 0; i < n; ++i) {
    double v = s + i * d;
    writeElem(bytes, et, i, v, isFloat(et) ? 0 : (int64_t)s + i * (int64_t)d);
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
