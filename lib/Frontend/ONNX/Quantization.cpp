//===- Quantization.cpp - ONNX QuantizeLinear and DequantizeLinear --------===//
//
// QuantizeLinear and DequantizeLinear (opsets 10-21) as one `linalg.generic`
// each, computing in f32 as ONNX's reference does. Scales and zero points
// are per tensor, per axis or blocked (opset 21 `block_size`); both ops
// broadcast them against x the same way (quantOperands).
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class QuantizationImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opDequantizeLinear(Inputs &in, Outputs &out);
  LogicalResult opQuantizeLinear(Inputs &in, Outputs &out);

private:
  FailureOr<Value> quantParamAsBroadcast(OValue *param, StringRef what,
                                         RankedTensorType xType, int64_t axis,
                                         int64_t blockSize);
  FailureOr<SmallVector<Value>> quantOperands(OValue *x, OValue *scale,
                                              OValue *zeroPoint,
                                              StringRef scaleName,
                                              StringRef zeroPointName);
};
} // namespace

/// The scale or zero point of DequantizeLinear as a tensor of x's rank that
/// broadcasts against x: per tensor (a scalar or one element) all unit
/// dimensions; per axis (1-D) the axis dimension; blocked (x's rank, the axis
/// dimension ceil(D / block_size)) each entry repeated block_size times along
/// the axis and cut to D.
FailureOr<Value>
QuantizationImporter::quantParamAsBroadcast(OValue *param, StringRef what,
                                            RankedTensorType xType,
                                            int64_t axis, int64_t blockSize) {
  ArrayRef<int64_t> xs = xType.getShape();
  ArrayRef<int64_t> ps = param->type.getShape();
  int64_t rank = xs.size();
  auto shapeStr = [](ArrayRef<int64_t> s) {
    return "[" +
           llvm::join(
               llvm::map_range(s, [](int64_t d) { return std::to_string(d); }),
               ",") +
           "]";
  };
  Value v = get(*param);
  if (blockSize == 0) {
    if (ps.size() > 1)
      return nodeFail(llvm::formatv("{0} must be a scalar or 1-D without "
                                    "block_size, got shape {1}",
                                    what, shapeStr(ps))
                          .str());
    SmallVector<int64_t> shape(rank, 1);
    // One element: per tensor. Otherwise per axis.
    if (param->type.getNumElements() != 1) {
      // (x has rank >= 1 here: the caller checked the axis.)
      if (ps[0] != xs[axis])
        return nodeFail(
            llvm::formatv("{0} has {1} elements but x has {2} along axis {3}",
                          what, ps[0], xs[axis], axis)
                .str());
      shape[axis] = ps[0];
    }
    return reshape(v, shape);
  }
  if ((int64_t)ps.size() != rank)
    return nodeFail(llvm::formatv("blocked {0} must have x's rank {1}, got "
                                  "shape {2}",
                                  what, rank, shapeStr(ps))
                        .str());
  int64_t blocks = llvm::divideCeil(xs[axis], blockSize);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t want = d == axis ? blocks : xs[d];
    if (ps[d] != want)
      return nodeFail(
          llvm::formatv("blocked {0} has shape {1}; with x {2}, axis {3} and "
                        "block_size {4} it must be {5} along dimension {6}",
                        what, shapeStr(ps), shapeStr(xs), axis, blockSize, want,
                        d)
              .str());
  }
  // [.., C, ..] -> [.., C, 1, ..] -> broadcast [.., C, B, ..] -> [.., C*B, ..].
  Type et = param->type.getElementType();
  SmallVector<int64_t> repeated(ps.begin(), ps.end());
  repeated.insert(repeated.begin() + axis + 1, blockSize);
  Value init = empty(repeated, et);
  Value bcast =
      linalg::BroadcastOp::create(b, loc, v, init, ArrayRef<int64_t>{axis + 1})
          .getResult()[0];
  SmallVector<int64_t> flat(ps.begin(), ps.end());
  flat[axis] = blocks * blockSize;
  Value r = reshape(bcast, flat);
  if (flat[axis] != xs[axis])
    r = sliceAxis(r, axis, 0, xs[axis], 1);
  return r;
}

/// x, then its scale and (when given) zero point broadcast against x: the
/// operands of QuantizeLinear's and DequantizeLinear's elementwise body. Both
/// read `axis` (opset 13) and `block_size` (opset 21) alike; the axis is
/// checked unless the scale is per tensor (one element, no blocks).
FailureOr<SmallVector<Value>>
QuantizationImporter::quantOperands(OValue *x, OValue *scale, OValue *zeroPoint,
                                    StringRef scaleName,
                                    StringRef zeroPointName) {
  int64_t rank = x->type.getRank();
  int64_t blockSize = opset >= 21 ? attrInt("block_size", 0) : 0;
  if (blockSize < 0)
    return nodeFail(
        llvm::formatv("block_size must be >= 0, got {0}", blockSize).str());
  int64_t axis = opset >= 13 ? attrInt("axis", 1) : 1;
  if (blockSize != 0 || scale->type.getNumElements() != 1) {
    int64_t a = normAxis(axis, rank);
    if (a < 0)
      return nodeFail(
          llvm::formatv("axis {0} is out of range for x of rank {1}", axis,
                        rank)
              .str());
    axis = a;
  }
  FailureOr<Value> s =
      quantParamAsBroadcast(scale, scaleName, x->type, axis, blockSize);
  if (failed(s))
    return failure();
  SmallVector<Value> ins = {get(*x), *s};
  if (zeroPoint) {
    FailureOr<Value> z = quantParamAsBroadcast(zeroPoint, zeroPointName,
                                               x->type, axis, blockSize);
    if (failed(z))
      return failure();
    ins.push_back(*z);
  }
  return ins;
}

/// y = (x - x_zero_point) * x_scale in f32 (ONNX's reference computes x and
/// the zero point as float32), converted to the scale's type.
LogicalResult QuantizationImporter::opDequantizeLinear(Inputs &in,
                                                       Outputs &out) {
  OValue *x = in[0], *scale = in[1];
  OValue *zeroPoint = in.size() > 2 ? in[2] : nullptr;
  Type xt = x->type.getElementType();
  if (!(xt.isInteger(8) || xt.isInteger(16) ||
        (xt.isInteger(32) && !x->isUnsigned)))
    return nodeFail("x must be int8, uint8, int16, uint16 or int32");
  Type st = scale->type.getElementType();
  if (!isa<FloatType>(st) || st.isF64())
    return nodeFail("x_scale must be float, float16 or bfloat16");
  if (zeroPoint && (zeroPoint->type.getElementType() != xt ||
                    zeroPoint->isUnsigned != x->isUnsigned))
    return nodeFail("x_zero_point must have the element type of x");
  if (zeroPoint && zeroPoint->type.getShape() != scale->type.getShape())
    return nodeFail("x_zero_point must have the shape of x_scale");
  FailureOr<SmallVector<Value>> ins =
      quantOperands(x, scale, zeroPoint, "x_scale", "x_zero_point");
  if (failed(ins))
    return failure();
  bool isU = x->isUnsigned;
  Type f32 = b.getF32Type();
  FailureOr<Value> r = elementwise(
      *ins, st,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto toF32 = [&](Value v) -> Value {
          return isU ? (Value)arith::UIToFPOp::create(nb, l, f32, v)
                     : (Value)arith::SIToFPOp::create(nb, l, f32, v);
        };
        Value dx = toF32(a[0]);
        if (a.size() > 2)
          dx = arith::SubFOp::create(nb, l, dx, toF32(a[2]));
        Value sv = a[1];
        if (!st.isF32())
          sv = arith::ExtFOp::create(nb, l, f32, sv);
        Value y = arith::MulFOp::create(nb, l, dx, sv);
        if (!st.isF32())
          y = arith::TruncFOp::create(nb, l, st, y);
        return y;
      },
      x->type.getShape());
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r));
  return success();
}

/// y = saturate(roundeven(x / y_scale) + y_zero_point) computed in f32, as
/// ONNX's reference does; y has the zero point's type (output_dtype from opset
/// 21 without a zero point; uint8 by default).
LogicalResult QuantizationImporter::opQuantizeLinear(Inputs &in, Outputs &out) {
  OValue *x = in[0], *scale = in[1];
  OValue *zeroPoint = in.size() > 2 ? in[2] : nullptr;
  Type xt = x->type.getElementType(), st = scale->type.getElementType();
  if (!isa<FloatType>(xt) || xt.isF64() || !isa<FloatType>(st) || st.isF64())
    return nodeFail("x and y_scale must be float, float16 or bfloat16");
  Type yt = b.getI8Type();
  bool isU = true;
  if (zeroPoint) {
    yt = zeroPoint->type.getElementType();
    isU = zeroPoint->isUnsigned;
  } else if (opset >= 21 && attrInt("output_dtype", 0) != 0) {
    FailureOr<Type> t = elementType(attrInt("output_dtype", 0), isU);
    if (failed(t))
      return nodeFail(typeError);
    yt = *t;
  }
  if (!yt.isInteger(8) && !yt.isInteger(16))
    return nodeFail("y must be int8, uint8, int16 or uint16");
  if (zeroPoint && zeroPoint->type.getShape() != scale->type.getShape())
    return nodeFail("y_zero_point must have the shape of y_scale");
  FailureOr<SmallVector<Value>> ins =
      quantOperands(x, scale, zeroPoint, "y_scale", "y_zero_point");
  if (failed(ins))
    return failure();
  unsigned width = yt.getIntOrFloatBitWidth();
  double lo = isU ? 0 : -std::ldexp(1.0, width - 1);
  double hi = isU ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  Type f32 = b.getF32Type();
  FailureOr<Value> r = elementwise(
      *ins, yt,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto toF32 = [&](Value v) -> Value {
          if (v.getType() == f32)
            return v;
          return arith::ExtFOp::create(nb, l, f32, v);
        };
        Value q = math::RoundEvenOp::create(
            nb, l, arith::DivFOp::create(nb, l, toF32(a[0]), toF32(a[1])));
        if (a.size() > 2)
          q = arith::AddFOp::create(
              nb, l, q,
              isU ? (Value)arith::UIToFPOp::create(nb, l, f32, a[2])
                  : (Value)arith::SIToFPOp::create(nb, l, f32, a[2]));
        // Saturate (NaN maps to the lower bound, like fptosi of a clamp).
        Value loV = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(lo));
        Value hiV = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(hi));
        q = arith::MinNumFOp::create(
            nb, l, arith::MaxNumFOp::create(nb, l, q, loV), hiV);
        return isU ? (Value)arith::FPToUIOp::create(nb, l, yt, q)
                   : (Value)arith::FPToSIOp::create(nb, l, yt, q);
      },
      x->type.getShape());
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, isU));
  return success();
}

void mlir::loom::onnx_import::registerQuantizationOps(ConverterTable &table) {
  table.add("DequantizeLinear", 2, &QuantizationImporter::opDequantizeLinear);
  table.add("QuantizeLinear", 2, &QuantizationImporter::opQuantizeLinear);
}
