//===- Elementwise.cpp - ONNX elementwise ops -----------------------------===//
//
// Unary math and activations, binary arithmetic, comparisons and logic,
// Sum/Max/Min/Mean, Where, Clip, Cast and Expand: each one `linalg.generic`
// with ONNX multidirectional broadcasting in its indexing maps (see
// ImporterBase::elementwise). Integer Add/Sub/Mul/Div and Cast on constants
// are folded, since shape computations are made of them.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class ElementwiseImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult unary(StringRef op, Inputs &in, Outputs &out);
  LogicalResult binary(StringRef op, Inputs &in, Outputs &out);
  LogicalResult variadic(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opWhere(Inputs &in, Outputs &out);
  LogicalResult opClip(Inputs &in, Outputs &out);
  LogicalResult opExpand(Inputs &in, Outputs &out);
  LogicalResult opCast(Inputs &in, Outputs &out);
};
} // namespace

LogicalResult ElementwiseImporter::unary(StringRef op, Inputs &in,
                                         Outputs &out) {
  OValue *x = in[0];
  Type et = x->type.getElementType();
  bool f = isFloat(et);
  if (op == "Identity" || op == "Dropout") {
    out.push_back(*x);
    // Inference: the mask output is all true (a splat: never expanded).
    if (op == "Dropout" && node->output_size() > 1 &&
        !node->output(1).empty()) {
      OValue mask;
      mask.type = RankedTensorType::get(x->type.getShape(), b.getI1Type());
      mask.splat = std::make_shared<Bytes>(1, 1);
      out.push_back(mask);
    }
    return success();
  }
  auto needFloat = [&]() -> LogicalResult {
    if (!f)
      return nodeFail("expects a floating-point input");
    return success();
  };
  double alpha = attrFloat("alpha", op == "LeakyRelu"     ? 0.01f
                                    : op == "HardSigmoid" ? 0.2f
                                    : op == "Selu" ? 1.67326319217681884765625f
                                                   : 1.0f);
  double gamma = attrFloat("gamma", 1.05070102214813232421875f);
  std::string approx = attrString("approximate", "none");
  double lambd = attrFloat("lambd", 0.5f), bias = attrFloat("bias", 0.0f);
  Type outElem = (op == "IsNaN" || op == "IsInf") ? b.getI1Type() : et;
  if (op != "Abs" && op != "Neg" && op != "Relu" && op != "Not" &&
      op != "Sign" && failed(needFloat()))
    return failure();
  bool isU = x->isUnsigned;
  std::string opName = op.str();
  BodyFn fn = [&, opName](OpBuilder &nb, Location l,
                          ArrayRef<Value> a) -> Value {
    Value v = a[0];
    StringRef o = opName;
    auto c = [&](double d) { return scalar(et, d); };
    // `scalar` uses the importer's builder; keep the insertion point in sync.
    (void)nb;
    if (o == "Neg")
      return f ? (Value)arith::NegFOp::create(b, l, v)
               : (Value)arith::SubIOp::create(b, l, c(0), v);
    if (o == "Sqrt")
      return math::SqrtOp::create(b, l, v);
    if (o == "Reciprocal")
      return arith::DivFOp::create(b, l, c(1), v);
    if (o == "Sigmoid") {
      Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, v));
      return arith::DivFOp::create(b, l, c(1),
                                   arith::AddFOp::create(b, l, c(1), e));
    }
    if (o == "Tanh")
      return math::TanhOp::create(b, l, v);
    if (o == "Exp")
      return math::ExpOp::create(b, l, v);
    if (o == "Log")
      return math::LogOp::create(b, l, v);
    if (o == "Erf")
      return math::ErfOp::create(b, l, v);
    if (o == "Floor")
      return math::FloorOp::create(b, l, v);
    if (o == "Ceil")
      return math::CeilOp::create(b, l, v);
    if (o == "Round")
      return math::RoundEvenOp::create(b, l, v);
    if (o == "Sin")
      return math::SinOp::create(b, l, v);
    if (o == "Cos")
      return math::CosOp::create(b, l, v);
    if (o == "Tan")
      return math::TanOp::create(b, l, v);
    if (o == "Atan")
      return math::AtanOp::create(b, l, v);
    if (o == "Asin")
      return math::AsinOp::create(b, l, v);
    if (o == "Acos")
      return math::AcosOp::create(b, l, v);
    if (o == "Sinh")
      return math::SinhOp::create(b, l, v);
    if (o == "Cosh")
      return math::CoshOp::create(b, l, v);
    if (o == "Asinh")
      return math::AsinhOp::create(b, l, v);
    if (o == "Acosh")
      return math::AcoshOp::create(b, l, v);
    if (o == "Atanh")
      return math::AtanhOp::create(b, l, v);
    if (o == "Abs")
      return f     ? (Value)math::AbsFOp::create(b, l, v)
             : isU ? v
                   : (Value)math::AbsIOp::create(b, l, v);
    if (o == "Relu")
      return f ? (Value)arith::MaximumFOp::create(b, l, v, c(0))
               : (Value)arith::MaxSIOp::create(b, l, v, c(0));
    if (o == "IsNaN")
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    if (o == "IsInf") {
      Value a = math::AbsFOp::create(b, l, v);
      bool pos = attrInt("detect_positive", 1),
           neg = attrInt("detect_negative", 1);
      Value isInf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a,
                                          highestValue(et));
      Value positive =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(0));
      Value t = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
      Value sel =
          pos && neg ? t
          : pos      ? positive
          : neg ? (Value)arith::XOrIOp::create(b, l, positive, t)
                : (Value)arith::ConstantOp::create(b, l, b.getBoolAttr(false));
      return arith::AndIOp::create(b, l, isInf, sel);
    }
    if (o == "Not")
      return arith::XOrIOp::create(
          b, l, v, arith::ConstantOp::create(b, l, b.getBoolAttr(true)));
    if (o == "Sign") {
      if (f) {
        Value pos = arith::UIToFPOp::create(
            b, l, et,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(0)));
        Value neg = arith::UIToFPOp::create(
            b, l, et,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0)));
        return arith::SubFOp::create(b, l, pos, neg);
      }
      Value pos = arith::ExtUIOp::create(
          b, l, et,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, v, c(0)));
      Value neg = arith::ExtUIOp::create(
          b, l, et,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v, c(0)));
      return arith::SubIOp::create(b, l, pos, neg);
    }
    if (o == "Softplus")
      return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, v));
    if (o == "Softsign")
      return arith::DivFOp::create(
          b, l, v,
          arith::AddFOp::create(b, l, c(1), math::AbsFOp::create(b, l, v)));
    if (o == "LeakyRelu") {
      Value neg =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0));
      return arith::SelectOp::create(
          b, l, neg, arith::MulFOp::create(b, l, v, c(alpha)), v);
    }
    if (o == "ThresholdedRelu") {
      Value gt =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(alpha));
      return arith::SelectOp::create(b, l, gt, v, c(0));
    }
    if (o == "Elu" || o == "Selu" || o == "Celu") {
      Value neg =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0));
      Value e;
      if (o == "Celu")
        e = arith::MulFOp::create(
            b, l, c(alpha),
            math::ExpM1Op::create(b, l,
                                  arith::DivFOp::create(b, l, v, c(alpha))));
      else
        e = arith::MulFOp::create(b, l, c(alpha),
                                  math::ExpM1Op::create(b, l, v));
      Value r = arith::SelectOp::create(b, l, neg, e, v);
      return o == "Selu" ? (Value)arith::MulFOp::create(b, l, r, c(gamma)) : r;
    }
    if (o == "HardSigmoid" || o == "HardSwish") {
      double a = o == "HardSwish" ? 1.0 / 6 : alpha;
      double bb = o == "HardSwish" ? 0.5 : attrFloat("beta", 0.5f);
      Value y = arith::AddFOp::create(
          b, l, arith::MulFOp::create(b, l, v, c(a)), c(bb));
      y = arith::MinimumFOp::create(
          b, l, arith::MaximumFOp::create(b, l, y, c(0)), c(1));
      return o == "HardSwish" ? (Value)arith::MulFOp::create(b, l, v, y) : y;
    }
    if (o == "Mish") {
      Value sp = math::Log1pOp::create(b, l, math::ExpOp::create(b, l, v));
      return arith::MulFOp::create(b, l, v, math::TanhOp::create(b, l, sp));
    }
    if (o == "Shrink") {
      Value lt =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(-lambd));
      Value gt =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(lambd));
      Value add = arith::AddFOp::create(b, l, v, c(bias));
      Value sub = arith::SubFOp::create(b, l, v, c(bias));
      return arith::SelectOp::create(
          b, l, lt, add, arith::SelectOp::create(b, l, gt, sub, c(0)));
    }
    // Gelu
    if (approx == "tanh") {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value x3 =
          arith::MulFOp::create(b, l, v, arith::MulFOp::create(b, l, v, v));
      Value in = arith::MulFOp::create(
          b, l, c(std::sqrt(2.0 / M_PI)),
          arith::AddFOp::create(b, l, v,
                                arith::MulFOp::create(b, l, c(0.044715), x3)));
      Value t =
          arith::AddFOp::create(b, l, c(1), math::TanhOp::create(b, l, in));
      return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, c(0.5), v),
                                   t);
    }
    Value e =
        math::ErfOp::create(b, l, arith::MulFOp::create(b, l, v, c(M_SQRT1_2)));
    Value t = arith::AddFOp::create(b, l, c(1), e);
    return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, c(0.5), v),
                                 t);
  };
  if (op == "Gelu" && approx != "none" && approx != "tanh")
    return nodeFail("unknown approximate mode '" + approx + "'");
  // The body builders use the importer's builder `b`; save and restore its
  // insertion point around the generic.
  OpBuilder::InsertionGuard guard(b);
  BodyFn wrapped = [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    return fn(nb, l, a);
  };
  FailureOr<Value> r = elementwise({get(*x)}, outElem, wrapped);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, outElem == et && isU));
  return success();
}

LogicalResult ElementwiseImporter::binary(StringRef op, Inputs &in,
                                          Outputs &out) {
  OValue *x = in[0], *y = in[1];
  Type et = x->type.getElementType();
  Type yt = y->type.getElementType();
  bool f = isFloat(et);
  bool isU = x->isUnsigned;
  if (op != "Pow" && op != "BitShift" && et != yt)
    return nodeFail(llvm::formatv("operand element types differ", 0).str());
  bool cmp = op == "Equal" || op == "Less" || op == "Greater" ||
             op == "LessOrEqual" || op == "GreaterOrEqual";
  Type outElem = cmp ? b.getI1Type() : et;
  if (op == "Pow" && !f)
    return nodeFail("integer Pow is not supported");
  int64_t fmod = attrInt("fmod", 0);
  std::string dir = attrString("direction", "LEFT");
  std::string o = op.str();
  BodyFn fn = [&, o](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    Value p = a[0], q = a[1];
    if (o == "Add")
      return f ? (Value)arith::AddFOp::create(b, l, p, q)
               : (Value)arith::AddIOp::create(b, l, p, q);
    if (o == "Sub")
      return f ? (Value)arith::SubFOp::create(b, l, p, q)
               : (Value)arith::SubIOp::create(b, l, p, q);
    if (o == "Mul")
      return f ? (Value)arith::MulFOp::create(b, l, p, q)
               : (Value)arith::MulIOp::create(b, l, p, q);
    if (o == "Div")
      return f     ? (Value)arith::DivFOp::create(b, l, p, q)
             : isU ? (Value)arith::DivUIOp::create(b, l, p, q)
                   : (Value)arith::DivSIOp::create(b, l, p, q);
    if (o == "Mod") {
      if (f)
        return arith::RemFOp::create(b, l, p, q);
      if (isU)
        return arith::RemUIOp::create(b, l, p, q);
      if (fmod)
        return arith::RemSIOp::create(b, l, p, q);
      // Python-style modulo: the result takes the divisor's sign.
      Value r = arith::RemSIOp::create(b, l, p, q);
      Value zero = scalar(et, 0);
      Value rNeg =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
      Value qNeg =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, q, zero);
      Value nz = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
      Value fix = arith::AndIOp::create(
          b, l, nz, arith::XOrIOp::create(b, l, rNeg, qNeg));
      return arith::SelectOp::create(b, l, fix,
                                     arith::AddIOp::create(b, l, r, q), r);
    }
    if (o == "Pow") {
      if (q.getType() != p.getType())
        q = convertElem(q, p.getType(), false, false);
      return math::PowFOp::create(b, l, p, q);
    }
    if (o == "PRelu") {
      Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, p,
                                        scalar(et, 0));
      return arith::SelectOp::create(b, l, neg,
                                     arith::MulFOp::create(b, l, p, q), p);
    }
    if (o == "And")
      return arith::AndIOp::create(b, l, p, q);
    if (o == "Or")
      return arith::OrIOp::create(b, l, p, q);
    if (o == "Xor")
      return arith::XOrIOp::create(b, l, p, q);
    if (o == "BitShift")
      return dir == "LEFT" ? (Value)arith::ShLIOp::create(b, l, p, q)
                           : (Value)arith::ShRUIOp::create(b, l, p, q);
    // Comparisons.
    if (f) {
      arith::CmpFPredicate pr = o == "Equal"     ? arith::CmpFPredicate::OEQ
                                : o == "Less"    ? arith::CmpFPredicate::OLT
                                : o == "Greater" ? arith::CmpFPredicate::OGT
                                : o == "LessOrEqual"
                                    ? arith::CmpFPredicate::OLE
                                    : arith::CmpFPredicate::OGE;
      return arith::CmpFOp::create(b, l, pr, p, q);
    }
    arith::CmpIPredicate pr =
        o == "Equal" ? arith::CmpIPredicate::eq
        : o == "Less"
            ? (isU ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt)
        : o == "Greater"
            ? (isU ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
        : o == "LessOrEqual"
            ? (isU ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
            : (isU ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge);
    return arith::CmpIOp::create(b, l, pr, p, q);
  };
  // Fold integer arithmetic on constants (shape computations).
  if (x->lit && y->lit && !f && !cmp &&
      (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")) {
    FailureOr<SmallVector<int64_t>> bs =
        broadcastShape({x->type.getShape(), y->type.getShape()});
    if (failed(bs))
      return failure();
    if (numel(*bs) <= 4096) {
      auto at = [&](OValue *v, ArrayRef<int64_t> idx) {
        auto s = v->type.getShape();
        int64_t flat = 0;
        for (size_t i = 0; i < s.size(); ++i) {
          int64_t d = idx[idx.size() - s.size() + i];
          flat = flat * s[i] + (s[i] == 1 ? 0 : d);
        }
        return readInt(*v->lit, v->type.getElementType(), flat, v->isUnsigned);
      };
      auto st = stridesOf(*bs);
      Bytes bytes(numel(*bs) * elemBytes(et));
      for (int64_t i = 0; i < numel(*bs); ++i) {
        SmallVector<int64_t> idx;
        for (size_t d = 0; d < bs->size(); ++d)
          idx.push_back((i / st[d]) % (*bs)[d]);
        int64_t p = at(x, idx), q = at(y, idx), r;
        if (op == "Add")
          r = p + q;
        else if (op == "Sub")
          r = p - q;
        else if (op == "Mul")
          r = p * q;
        else {
          if (q == 0)
            return nodeFail("integer division by zero in a constant");
          r = p / q;
        }
        writeElem(bytes, et, i, 0, r);
      }
      out.push_back(
          fromLiteral(RankedTensorType::get(*bs, et), std::move(bytes), isU));
      return success();
    }
  }
  Value xv = get(*x), yv = get(*y);
  auto xs = x->type.getShape(), ys = y->type.getShape();
  // Opset < 7 legacy broadcasting: `broadcast=1, axis=a` aligns B at axis a.
  if (opset < 7 && attrInt("broadcast", 0) && attr("axis") && !ys.empty()) {
    int64_t axis = attrInt("axis", 0);
    if (axis < 0)
      axis += xs.size();
    if (axis < 0 || axis + ys.size() > xs.size())
      return nodeFail("legacy broadcast axis out of range");
    SmallVector<int64_t> s(axis, 1);
    s.append(ys.begin(), ys.end());
    s.resize(xs.size(), 1);
    yv = reshape(yv, s);
  }
  // PRelu-6 and older exporters give a per-channel slope [C] for [N, C, ...].
  if (op == "PRelu" && ys.size() == 1 && xs.size() >= 2 && ys[0] == xs[1] &&
      ys[0] != xs.back()) {
    SmallVector<int64_t> s(xs.size(), 1);
    s[1] = ys[0];
    yv = reshape(yv, s);
  }
  FailureOr<Value> r = elementwise({xv, yv}, outElem, fn);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, !cmp && isU));
  return success();
}

LogicalResult ElementwiseImporter::variadic(StringRef op, Inputs &in,
                                            Outputs &out) {
  SmallVector<Value> vals;
  for (OValue *v : in) {
    if (!v)
      return nodeFail("empty input names are not allowed");
    vals.push_back(get(*v));
  }
  Type et = in[0]->type.getElementType();
  bool isU = in[0]->isUnsigned;
  std::string kind = op == "Sum" || op == "Mean" ? "sum"
                     : op == "Max"               ? "max"
                                                 : "min";
  bool f = isFloat(et);
  size_t n = vals.size();
  BodyFn fn = [&, kind, n, f](OpBuilder &nb, Location l,
                              ArrayRef<Value> a) -> Value {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    Value acc = a[0];
    for (size_t i = 1; i < a.size(); ++i)
      acc = combine(b, l, kind, a[i], acc, isU);
    if (op == "Mean")
      acc = f ? (Value)arith::DivFOp::create(b, l, acc, scalar(et, n))
              : (Value)arith::DivSIOp::create(b, l, acc, scalar(et, n));
    return acc;
  };
  FailureOr<Value> r = elementwise(vals, et, fn);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, isU));
  return success();
}

LogicalResult ElementwiseImporter::opWhere(Inputs &in, Outputs &out) {
  if (!in[0]->type.getElementType().isInteger(1))
    return nodeFail("condition must be a bool tensor");
  if (in[1]->type.getElementType() != in[2]->type.getElementType())
    return nodeFail("X and Y element types differ");
  Type et = in[1]->type.getElementType();
  FailureOr<Value> r =
      elementwise({get(*in[0]), get(*in[1]), get(*in[2])}, et,
                  [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::SelectOp::create(nb, l, a[0], a[1], a[2]);
                  });
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, in[1]->isUnsigned));
  return success();
}

LogicalResult ElementwiseImporter::opClip(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  Type et = x->type.getElementType();
  std::optional<double> lo, hi;
  Value loV, hiV;
  if (opset < 11) {
    lo = attrFloat("min", -std::numeric_limits<float>::max());
    hi = attrFloat("max", std::numeric_limits<float>::max());
  } else {
    if (in.size() > 1 && in[1])
      loV = get(*in[1]);
    if (in.size() > 2 && in[2])
      hiV = get(*in[2]);
  }
  SmallVector<Value> ins = {get(*x)};
  // Min/max arrive as 0-d tensors; pass them as broadcast operands.
  int loIdx = -1, hiIdx = -1;
  if (loV) {
    loIdx = ins.size();
    ins.push_back(loV);
  }
  if (hiV) {
    hiIdx = ins.size();
    ins.push_back(hiV);
  }
  bool f = isFloat(et), isU = x->isUnsigned;
  BodyFn fn = [&, loIdx, hiIdx](OpBuilder &nb, Location l,
                                ArrayRef<Value> a) -> Value {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    Value v = a[0];
    Value lov = loIdx >= 0 ? a[loIdx] : lo ? scalar(et, *lo) : Value();
    Value hiv = hiIdx >= 0 ? a[hiIdx] : hi ? scalar(et, *hi) : Value();
    auto sel = [&](Value cmpWith, bool lower) -> Value {
      Value c =
          f ? (Value)arith::CmpFOp::create(b, l,
                                           lower ? arith::CmpFPredicate::OLT
                                                 : arith::CmpFPredicate::OGT,
                                           v, cmpWith)
            : (Value)arith::CmpIOp::create(
                  b, l,
                  lower ? (isU ? arith::CmpIPredicate::ult
                               : arith::CmpIPredicate::slt)
                        : (isU ? arith::CmpIPredicate::ugt
                               : arith::CmpIPredicate::sgt),
                  v, cmpWith);
      return arith::SelectOp::create(b, l, c, cmpWith, v);
    };
    if (lov)
      v = sel(lov, true);
    if (hiv)
      v = sel(hiv, false);
    return v;
  };
  FailureOr<Value> r = elementwise(ins, et, fn, x->type.getShape());
  if (failed(r))
    return failure();
  if (cast<RankedTensorType>(r->getType()).getShape() != x->type.getShape())
    return nodeFail("min/max must be scalars");
  out.push_back(fromValue(*r, isU));
  return success();
}

LogicalResult ElementwiseImporter::opExpand(Inputs &in, Outputs &out) {
  FailureOr<SmallVector<int64_t>> shape = constInts(in[1], "the shape input");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return nodeFail("negative dimension in the target shape");
  FailureOr<Value> r = elementwise(
      {get(*in[0])}, in[0]->type.getElementType(),
      [](OpBuilder &, Location, ArrayRef<Value> a) { return a[0]; },
      ArrayRef<int64_t>(*shape));
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, in[0]->isUnsigned));
  return success();
}

LogicalResult ElementwiseImporter::opCast(Inputs &in, Outputs &out) {
  bool toU;
  int64_t to = attrInt("to", 0);
  FailureOr<Type> et = elementType(to, toU);
  if (failed(et))
    return nodeFail(typeError);
  OValue *x = in[0];
  Type from = x->type.getElementType();
  auto rt = RankedTensorType::get(x->type.getShape(), *et);
  if (x->lit && !isFloat(from) && !isFloat(*et)) {
    if (failed(checkConstantResult(x->type.getShape(), *et)))
      return failure();
    Bytes bytes(x->type.getNumElements() * elemBytes(*et));
    for (int64_t i = 0; i < x->type.getNumElements(); ++i)
      writeElem(bytes, *et, i, 0, readInt(*x->lit, from, i, x->isUnsigned));
    out.push_back(fromLiteral(rt, std::move(bytes), toU));
    return success();
  }
  bool fromU = x->isUnsigned;
  Type toT = *et;
  FailureOr<Value> r = elementwise(
      {get(*x)}, toT,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Location saved = loc;
        loc = l;
        Value v = convertElem(a[0], toT, fromU, toU);
        loc = saved;
        return v;
      });
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, toU));
  return success();
}

void mlir::loom::onnx_import::registerElementwiseOps(ConverterTable &table) {
  // Identity and Dropout (inference) forward their input.
  for (StringRef op :
       {"Neg",       "Sqrt",      "Reciprocal", "Sigmoid",
        "Tanh",      "Exp",       "Log",        "Abs",
        "Relu",      "IsNaN",     "Gelu",       "Erf",
        "Floor",     "Ceil",      "Sin",        "Cos",
        "Not",       "Sign",      "Softplus",   "Softsign",
        "LeakyRelu", "Elu",       "Selu",       "HardSigmoid",
        "Identity",  "Dropout",   "Shrink",     "IsInf",
        "Round",     "HardSwish", "Mish",       "ThresholdedRelu",
        "Celu",      "Tan",       "Atan",       "Asin",
        "Acos",      "Sinh",      "Cosh",       "Asinh",
        "Acosh",     "Atanh"})
    table.add(op, 1, &ElementwiseImporter::unary);
  for (StringRef op : {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less",
                       "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or",
                       "Xor", "PRelu", "Mod", "BitShift"})
    table.add(op, 2, &ElementwiseImporter::binary);
  for (StringRef op : {"Sum", "Max", "Min", "Mean"})
    table.add(op, 1, &ElementwiseImporter::variadic);
  table.add("Where", 3, &ElementwiseImporter::opWhere);
  table.add("Clip", 1, &ElementwiseImporter::opClip);
  table.add("Expand", 2, &ElementwiseImporter::opExpand);
  table.add("Cast", 1, &ElementwiseImporter::opCast);
}
