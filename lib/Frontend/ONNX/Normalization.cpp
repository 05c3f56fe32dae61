//===- Normalization.cpp - ONNX softmax and normalizations ----------------===//
//
// Softmax and LogSoftmax (`linalg.softmax`), RMSNormalization (`loom.rms_norm`
// in the common case), LayerNormalization, BatchNormalization (inference),
// InstanceNormalization and LRN as reductions and broadcasting generics.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "loom/IR/LoomOps.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class NormalizationImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opSoftmax(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opRMSNorm(Inputs &in, Outputs &out);
  LogicalResult opLayerNorm(Inputs &in, Outputs &out);
  LogicalResult opBatchNorm(Inputs &in, Outputs &out);
  LogicalResult opInstanceNorm(Inputs &in, Outputs &out);
  LogicalResult opLRN(Inputs &in, Outputs &out);

private:
  Value toF32(Value v);
};
} // namespace

LogicalResult NormalizationImporter::opSoftmax(StringRef op, Inputs &in,
                                               Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et))
    return nodeFail("expects a floating-point input");
  int64_t axis = normAxis(attrInt("axis", opset >= 13 ? -1 : 1), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Value v = get(*x);
  auto shape = x->type.getShape();
  int64_t dim = axis;
  if (opset < 13) {
    // Softmax-1/11 coerce the input to 2-D [prod(:axis), prod(axis:)].
    v = reshape(v,
                {numel(shape.take_front(axis)), numel(shape.drop_front(axis))});
    dim = 1;
  }
  auto vt = cast<RankedTensorType>(v.getType());
  Value init = empty(vt.getShape(), et);
  Value r = linalg::SoftmaxOp::create(b, loc, TypeRange{vt}, v, init, dim)
                .getResult()[0];
  if (op == "LogSoftmax") {
    FailureOr<Value> l = elementwise(
        {r}, et, [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
          return math::LogOp::create(nb, l, a[0]);
        });
    if (failed(l))
      return failure();
    r = *l;
  }
  out.push_back(fromValue(reshape(r, shape)));
  return success();
}

/// RMSNormalization-23: X / sqrt(mean(X^2 over axes [axis, rank)) + eps) *
/// scale; `loom.rms_norm` for the last axis and a per-channel scale, upstream
/// ops otherwise.
LogicalResult NormalizationImporter::opRMSNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et))
    return nodeFail("expects a floating-point input");
  int64_t axis = normAxis(attrInt("axis", -1), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  double eps = attrFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    count *= x->type.getDimSize(i);
  }
  Value v = get(*x);
  // The common case, normalising the last axis with a per-channel scale, is
  // one loom.rms_norm (which computes in f32, as the default stash_type asks).
  auto scaleType = in[1]->type;
  int64_t n = x->type.getShape().back();
  bool perChannel =
      scaleType.hasStaticShape() && scaleType.getNumElements() == n &&
      scaleType.getRank() >= 1 && scaleType.getShape().back() == n &&
      scaleType.getElementType() == et;
  if (axis == rank - 1 && x->type.hasStaticShape() && perChannel &&
      (attrInt("stash_type", 1) == 1 || et.isF32())) {
    Value scale = get(*in[1]);
    if (scaleType.getRank() != 1)
      scale = reshape(scale, {n});
    out.push_back(fromValue(
        loom::RMSNormOp::create(b, loc, x->type, v, scale,
                                b.getF32FloatAttr(static_cast<float>(eps)))));
    return success();
  }
  FailureOr<Value> sq = elementwise(
      {v}, et, [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      });
  if (failed(sq))
    return failure();
  Value sum = reduce(*sq, axes, true, "sum");
  FailureOr<Value> y = elementwise(
      {v, sum, get(*in[1])}, et,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto c = [&](double d) -> Value {
          return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d));
        };
        Value ms = arith::AddFOp::create(
            nb, l, arith::DivFOp::create(nb, l, a[1], c(count)), c(eps));
        Value n =
            arith::DivFOp::create(nb, l, a[0], math::SqrtOp::create(nb, l, ms));
        return arith::MulFOp::create(nb, l, n, a[2]);
      },
      x->type.getShape());
  if (failed(y))
    return failure();
  if (cast<RankedTensorType>(y->getType()).getShape() != x->type.getShape())
    return nodeFail("scale does not broadcast to the input shape");
  out.push_back(fromValue(*y));
  return success();
}

/// `v` (f16 or bf16) extended to f32 elementwise.
Value NormalizationImporter::toF32(Value v) {
  Type f32 = b.getF32Type();
  return *elementwise(
      {v}, f32, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
        return arith::ExtFOp::create(nb, l, f32, a[0]).getResult();
      });
}

LogicalResult NormalizationImporter::opLayerNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et))
    return nodeFail("expects a floating-point input");
  // stash_type 1 (the default): mean and variance in f32. A narrower input
  // is normalised in f32 throughout and the result rounded once.
  if (!et.isF32() && !et.isF64() && attrInt("stash_type", 1) == 1 &&
      x->type.hasStaticShape()) {
    SmallVector<OValue> wide;
    for (OValue *v : in)
      wide.push_back(v ? fromValue(toF32(get(*v))) : OValue());
    Inputs wideIn;
    for (auto [v, orig] : llvm::zip(wide, in))
      wideIn.push_back(orig ? &v : nullptr);
    Outputs wideOut;
    if (failed(opLayerNorm(wideIn, wideOut)))
      return failure();
    // Y in the input's type; Mean and InvStdDev stay f32 (stash_type).
    out.push_back(fromValue(*elementwise(
        {get(wideOut[0])}, et,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
          return arith::TruncFOp::create(nb, l, et, a[0]).getResult();
        })));
    for (size_t i = 1; i < wideOut.size(); ++i)
      out.push_back(wideOut[i]);
    return success();
  }
  int64_t axis = normAxis(attrInt("axis", -1), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  double eps = attrFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    count *= x->type.getDimSize(i);
  }
  Value v = get(*x);
  auto c = [&](OpBuilder &nb, Location l, double d) -> Value {
    return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d));
  };
  Value sum = reduce(v, axes, true, "sum");
  FailureOr<Value> mean = elementwise(
      {sum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::DivFOp::create(nb, l, a[0], c(nb, l, count));
      });
  if (failed(mean))
    return failure();
  FailureOr<Value> centered =
      elementwise({v, *mean}, et,
                  [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::SubFOp::create(nb, l, a[0], a[1]);
                  });
  if (failed(centered))
    return failure();
  FailureOr<Value> sq =
      elementwise({*centered}, et,
                  [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::MulFOp::create(nb, l, a[0], a[0]);
                  });
  if (failed(sq))
    return failure();
  Value varSum = reduce(*sq, axes, true, "sum");
  FailureOr<Value> invStd = elementwise(
      {varSum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value var = arith::DivFOp::create(nb, l, a[0], c(nb, l, count));
        return arith::DivFOp::create(
            nb, l, c(nb, l, 1),
            math::SqrtOp::create(
                nb, l, arith::AddFOp::create(nb, l, var, c(nb, l, eps))));
      });
  if (failed(invStd))
    return failure();
  SmallVector<Value> ins = {*centered, *invStd, get(*in[1])};
  bool hasBias = in.size() > 2 && in[2];
  if (hasBias)
    ins.push_back(get(*in[2]));
  FailureOr<Value> y = elementwise(
      ins, et,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value r = arith::MulFOp::create(
            nb, l, arith::MulFOp::create(nb, l, a[0], a[1]), a[2]);
        return hasBias ? (Value)arith::AddFOp::create(nb, l, r, a[3]) : r;
      },
      x->type.getShape());
  if (failed(y))
    return failure();
  if (cast<RankedTensorType>(y->getType()).getShape() != x->type.getShape())
    return nodeFail("scale/bias do not broadcast to the input shape");
  out.push_back(fromValue(*y));
  out.push_back(fromValue(*mean));
  out.push_back(fromValue(*invStd));
  return success();
}

LogicalResult NormalizationImporter::opBatchNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et) || rank < 2)
    return nodeFail("expects a floating-point input of rank >= 2");
  if (attrInt("training_mode", 0))
    return nodeFail("training_mode=1 is not supported");
  double eps = attrFloat("epsilon", 1e-5f);
  int64_t ch = x->type.getDimSize(1);
  SmallVector<Value> ins = {get(*x)};
  for (int i = 1; i <= 4; ++i) {
    if (in[i]->type.getRank() != 1 || in[i]->type.getDimSize(0) != ch)
      return nodeFail("scale/B/mean/var must be vectors of the channel count");
    ins.push_back(reshape(get(*in[i]), channelShape(rank, ch)));
  }
  FailureOr<Value> y = elementwise(
      ins, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value e = arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, eps));
        Value d = arith::SubFOp::create(nb, l, a[0], a[3]);
        Value s =
            math::SqrtOp::create(nb, l, arith::AddFOp::create(nb, l, a[4], e));
        Value n = arith::DivFOp::create(nb, l, d, s);
        return arith::AddFOp::create(
            nb, l, arith::MulFOp::create(nb, l, n, a[1]), a[2]);
      });
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

LogicalResult NormalizationImporter::opInstanceNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et) || rank < 3)
    return nodeFail("expects a floating-point input of rank >= 3");
  double eps = attrFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = 2; i < rank; ++i) {
    axes.push_back(i);
    count *= x->type.getDimSize(i);
  }
  int64_t ch = x->type.getDimSize(1);
  Value v = get(*x);
  auto c = [&](OpBuilder &nb, Location l, double d) -> Value {
    return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d));
  };
  Value sum = reduce(v, axes, true, "sum");
  FailureOr<Value> centered = elementwise(
      {v, sum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::SubFOp::create(
            nb, l, a[0], arith::DivFOp::create(nb, l, a[1], c(nb, l, count)));
      });
  if (failed(centered))
    return failure();
  FailureOr<Value> sq =
      elementwise({*centered}, et,
                  [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::MulFOp::create(nb, l, a[0], a[0]);
                  });
  if (failed(sq))
    return failure();
  Value varSum = reduce(*sq, axes, true, "sum");
  FailureOr<Value> y = elementwise(
      {*centered, varSum, reshape(get(*in[1]), channelShape(rank, ch)),
       reshape(get(*in[2]), channelShape(rank, ch))},
      et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value var = arith::DivFOp::create(nb, l, a[1], c(nb, l, count));
        Value s = math::SqrtOp::create(
            nb, l, arith::AddFOp::create(nb, l, var, c(nb, l, eps)));
        return arith::AddFOp::create(
            nb, l,
            arith::MulFOp::create(nb, l, arith::DivFOp::create(nb, l, a[0], s),
                                  a[2]),
            a[3]);
      });
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

LogicalResult NormalizationImporter::opLRN(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || !isFloat(et))
    return nodeFail("expects a floating-point input of rank >= 3");
  double alpha = attrFloat("alpha", 1e-4f), beta = attrFloat("beta", 0.75f),
         bias = attrFloat("bias", 1.0f);
  int64_t size = attrInt("size", 0);
  if (size <= 0)
    return nodeFail("size must be positive");
  auto xs = x->type.getShape();
  Value v = get(*x);
  FailureOr<Value> sq = elementwise(
      {v}, et, [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      });
  if (failed(sq))
    return failure();
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  SmallVector<int64_t> pl(rank, 0), ph(rank, 0);
  pl[1] = lo;
  ph[1] = hi;
  Value padded = pad(*sq, pl, ph, scalar(et, 0));
  // Loops: all dims of X, then the channel window.
  int64_t nl = rank + 1;
  SmallVector<AffineExpr> pe, ke = {b.getAffineDimExpr(rank)}, ye;
  for (int64_t i = 0; i < rank; ++i) {
    pe.push_back(i == 1 ? b.getAffineDimExpr(1) + b.getAffineDimExpr(rank)
                        : b.getAffineDimExpr(i));
    ye.push_back(b.getAffineDimExpr(i));
  }
  SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
  iters[rank] = utils::IteratorType::reduction;
  Value init = filled(xs, et, 0);
  Value sum =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()},
          ValueRange{padded, empty({size}, et)}, ValueRange{init},
          SmallVector<AffineMap>{AffineMap::get(nl, 0, pe, ctx),
                                 AffineMap::get(nl, 0, ke, ctx),
                                 AffineMap::get(nl, 0, ye, ctx)},
          iters,
          [](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(
                nb, l, arith::AddFOp::create(nb, l, a[0], a[2]).getResult());
          })
          .getResult(0);
  FailureOr<Value> y = elementwise(
      {v, sum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto c = [&](double dd) -> Value {
          return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, dd));
        };
        Value t = arith::AddFOp::create(
            nb, l, c(bias),
            arith::MulFOp::create(nb, l, c(alpha / size), a[1]));
        return arith::DivFOp::create(nb, l, a[0],
                                     math::PowFOp::create(nb, l, t, c(beta)));
      });
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

void mlir::loom::onnx_import::registerNormalizationOps(ConverterTable &table) {
  for (StringRef op : {"Softmax", "LogSoftmax"})
    table.add(op, 1, &NormalizationImporter::opSoftmax);
  table.add("RMSNormalization", 2, &NormalizationImporter::opRMSNorm);
  table.add("LayerNormalization", 2, &NormalizationImporter::opLayerNorm);
  table.add("BatchNormalization", 5, &NormalizationImporter::opBatchNorm);
  table.add("InstanceNormalization", 3, &NormalizationImporter::opInstanceNorm);
  table.add("LRN", 1, &NormalizationImporter::opLRN);
}
