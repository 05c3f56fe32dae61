//===- QuantizedMatMul.cpp - Quantized ONNX matmuls and gathers -----------===//
//
// What onnxruntime's quantizers emit around matrix products:
//
//   MatMulInteger          (quantize_dynamic) int32 = (A - a_zp) x (B - b_zp)
//                          as i32 generics and one integer linalg.matmul;
//   DynamicQuantizeLinear  (quantize_dynamic) uint8 activations with a scale
//                          and zero point from the tensor's range, as ONNX
//                          and onnxruntime define them (min/max reductions,
//                          round half to even, saturation);
//   com.microsoft MatMulIntegerToFloat, DynamicQuantizeMatMul
//                          (onnxruntime's fusions of the two above, in the
//                          files its optimizer saves) as the same integer
//                          product, rescaled in f32 plus bias;
//   com.microsoft MatMulNBits
//                          (MatMulNBitsQuantizer) blocked 4- or 8-bit
//                          weights, directly as `loom.qmatmul` with the
//                          weights kept packed: unsigned codes u with zero
//                          point z become the signed codes u - 2^(bits-1)
//                          and zero points z - 2^(bits-1) (the same
//                          difference, exact);
//   com.microsoft GatherBlockQuantized
//                          (MatMulNBitsQuantizer with Gather in
//                          op_types_to_quantize) blocked 4/8-bit embedding
//                          tables: dequantized as DequantizeLinear does,
//                          then gathered.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "loom/IR/LoomOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class QuantizedMatMulImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opMatMulInteger(Inputs &in, Outputs &out);
  LogicalResult opDynamicQuantizeLinear(Inputs &in, Outputs &out);
  LogicalResult opMatMulIntegerToFloat(Inputs &in, Outputs &out);
  LogicalResult opDynamicQuantizeMatMul(Inputs &in, Outputs &out);
  LogicalResult opMatMulNBits(Inputs &in, Outputs &out);
  LogicalResult opGatherBlockQuantized(Inputs &in, Outputs &out);

private:
  FailureOr<Value> integerMatmul(OValue *a, OValue *w, OValue *aZero,
                                 OValue *wZero);
  FailureOr<Value> rescale(Value acc, Value aScale, OValue *bScale,
                           OValue *bias);
  FailureOr<Value> minusZeroPoint(OValue *x, OValue *zp, StringRef what,
                                  bool perRow);
  FailureOr<Value> nbitsZeroPoints(OValue *zp, int64_t n, int64_t blocks,
                                   int64_t bits, bool &symmetric);
  FailureOr<Value> dequantizeBlocked(OValue *data, OValue *scales, OValue *zp,
                                     int64_t axis, int64_t blockSize,
                                     double defaultZeroPoint);
  OValue unpackNibbles(const OValue &v, int64_t count);
};
} // namespace

/// An 8-bit integer scalar `v` widened to i32 (zero- or sign-extended).
static Value toI32(OpBuilder &nb, Location l, Value v, bool isUnsigned) {
  Type i32 = nb.getI32Type();
  return isUnsigned ? (Value)arith::ExtUIOp::create(nb, l, i32, v)
                    : (Value)arith::ExtSIOp::create(nb, l, i32, v);
}

/// x - zero_point as i32. The zero point is a scalar (per tensor) or, for
/// MatMulInteger, per row of A (`perRow`: a vector [M] or [..., M, 1]) or per
/// column of B ([N] or [..., 1, N]); both broadcast against x once a vector
/// of A's rows is viewed as [M, 1].
FailureOr<Value> QuantizedMatMulImporter::minusZeroPoint(OValue *x, OValue *zp,
                                                         StringRef what,
                                                         bool perRow) {
  bool xu = x->isUnsigned;
  if (!zp)
    return elementwise({get(*x)}, b.getI32Type(),
                       [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
                         return toI32(nb, l, a[0], xu);
                       });
  if (zp->type.getElementType() != x->type.getElementType() ||
      zp->isUnsigned != x->isUnsigned)
    return nodeFail(what + " must have the element type of its matrix");
  Value z = get(*zp);
  int64_t rank = x->type.getRank();
  if (perRow && zp->type.getRank() == 1 && zp->type.getNumElements() != 1) {
    if (rank < 2 || zp->type.getDimSize(0) != x->type.getDimSize(rank - 2))
      return nodeFail(llvm::formatv("{0} of shape {1} is neither a scalar nor "
                                    "one per row of A {2}",
                                    what, shapeStr(zp->type.getShape()),
                                    shapeStr(x->type.getShape()))
                          .str());
    z = reshape(z, {zp->type.getDimSize(0), 1});
  }
  bool zu = zp->isUnsigned;
  FailureOr<Value> r = elementwise(
      {get(*x), z}, b.getI32Type(),
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::SubIOp::create(nb, l, toI32(nb, l, a[0], xu),
                                     toI32(nb, l, a[1], zu));
      },
      x->type.getShape());
  if (failed(r))
    return failure();
  if (cast<RankedTensorType>(r->getType()).getShape() != x->type.getShape())
    return nodeFail(llvm::formatv("{0} of shape {1} does not broadcast "
                                  "against {2}",
                                  what, shapeStr(zp->type.getShape()),
                                  shapeStr(x->type.getShape()))
                        .str());
  return r;
}

/// (A - a_zero_point) x (B - b_zero_point) in int32, as numpy matmul.
FailureOr<Value> QuantizedMatMulImporter::integerMatmul(OValue *a, OValue *w,
                                                        OValue *aZero,
                                                        OValue *wZero) {
  for (OValue *v : {a, w})
    if (!v->type.getElementType().isInteger(8))
      return nodeFail("A and B must be int8 or uint8");
  FailureOr<Value> av = minusZeroPoint(a, aZero, "a_zero_point",
                                       /*perRow=*/true);
  if (failed(av))
    return failure();
  FailureOr<Value> wv = minusZeroPoint(w, wZero, "b_zero_point",
                                       /*perRow=*/false);
  if (failed(wv))
    return failure();
  return matmul(*av, *wv);
}

LogicalResult QuantizedMatMulImporter::opMatMulInteger(Inputs &in,
                                                       Outputs &out) {
  FailureOr<Value> r =
      integerMatmul(in[0], in[1], in.size() > 2 ? in[2] : nullptr,
                    in.size() > 3 ? in[3] : nullptr);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r));
  return success();
}

/// float(acc) * (a_scale * b_scale) [+ bias], in the order onnxruntime's
/// unfused graph (Mul of the scales, Cast, Mul, Add) computes it. The scales
/// are per tensor or per column of B; the bias is per column.
FailureOr<Value> QuantizedMatMulImporter::rescale(Value acc, Value aScale,
                                                  OValue *bScale,
                                                  OValue *bias) {
  Type ft = bScale->type.getElementType();
  if (!ft.isF32())
    return nodeFail("scales must be float32");
  FailureOr<Value> scale =
      elementwise({aScale, get(*bScale)}, ft,
                  [](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
                    return arith::MulFOp::create(nb, l, v[0], v[1]);
                  });
  if (failed(scale))
    return failure();
  SmallVector<Value> ins = {acc, *scale};
  if (bias) {
    if (bias->type.getElementType() != ft || bias->type.getRank() != 1)
      return nodeFail("bias must be a float32 vector");
    ins.push_back(get(*bias));
  }
  auto accShape = cast<RankedTensorType>(acc.getType()).getShape();
  FailureOr<Value> y = elementwise(
      ins, ft,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
        Value f = arith::SIToFPOp::create(nb, l, ft, v[0]);
        Value r = arith::MulFOp::create(nb, l, f, v[1]);
        return v.size() > 2 ? (Value)arith::AddFOp::create(nb, l, r, v[2]) : r;
      },
      accShape);
  if (failed(y))
    return failure();
  if (cast<RankedTensorType>(y->getType()).getShape() != accShape)
    return nodeFail("scales or bias do not broadcast against the product");
  return y;
}

/// com.microsoft MatMulIntegerToFloat: (A - a_zp)(B - b_zp) as int32, then
/// rescaled by a_scale * b_scale, plus bias.
LogicalResult QuantizedMatMulImporter::opMatMulIntegerToFloat(Inputs &in,
                                                              Outputs &out) {
  auto opt = [&](size_t i) { return in.size() > i ? in[i] : nullptr; };
  FailureOr<Value> acc = integerMatmul(in[0], in[1], opt(4), opt(5));
  if (failed(acc))
    return failure();
  FailureOr<Value> y = rescale(*acc, get(*in[2]), in[3], opt(6));
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

/// com.microsoft DynamicQuantizeMatMul: DynamicQuantizeLinear of A, then
/// MatMulIntegerToFloat with B's scale and zero point.
LogicalResult QuantizedMatMulImporter::opDynamicQuantizeMatMul(Inputs &in,
                                                               Outputs &out) {
  auto opt = [&](size_t i) { return in.size() > i ? in[i] : nullptr; };
  Inputs dqlIn = {in[0]};
  Outputs q;
  if (failed(opDynamicQuantizeLinear(dqlIn, q)))
    return failure();
  FailureOr<Value> acc = integerMatmul(&q[0], in[1], &q[2], opt(3));
  if (failed(acc))
    return failure();
  FailureOr<Value> y = rescale(*acc, get(q[1]), in[2], opt(4));
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

/// y = saturate(roundeven(x / y_scale) + y_zero_point) in uint8 with
///   y_scale = (max(x_max, 0) - min(x_min, 0)) / 255   (1 when that range is
///             empty, as onnxruntime does)
///   y_zero_point = roundeven(clamp(-min(x_min, 0) / y_scale, 0, 255)).
LogicalResult QuantizedMatMulImporter::opDynamicQuantizeLinear(Inputs &in,
                                                               Outputs &out) {
  OValue *x = in[0];
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  if (x->type.getElementType() != f32)
    return nodeFail("x must be float32");
  if (x->type.getNumElements() == 0)
    return nodeFail("x must not be empty");
  Value xv = get(*x);
  auto all = llvm::to_vector(llvm::seq<int64_t>(0, x->type.getRank()));
  Value lo = reduce(xv, all, /*keepdims=*/false, "min");
  Value hi = reduce(xv, all, /*keepdims=*/false, "max");
  auto cst = [](OpBuilder &nb, Location l, float v) -> Value {
    return arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(v));
  };
  // Scale and (f32) zero point from the range extended to include 0.
  FailureOr<Value> scale = elementwise(
      {lo, hi}, f32, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) {
        Value mn = arith::MinimumFOp::create(nb, l, v[0], cst(nb, l, 0));
        Value mx = arith::MaximumFOp::create(nb, l, v[1], cst(nb, l, 0));
        Value s = arith::DivFOp::create(
            nb, l, arith::SubFOp::create(nb, l, mx, mn), cst(nb, l, 255));
        Value same =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, mx, mn);
        return arith::SelectOp::create(nb, l, same, cst(nb, l, 1), s)
            .getResult();
      });
  if (failed(scale))
    return failure();
  auto clampRound = [&](OpBuilder &nb, Location l, Value q) -> Value {
    q = arith::MaxNumFOp::create(nb, l, q, cst(nb, l, 0));
    q = arith::MinNumFOp::create(nb, l, q, cst(nb, l, 255));
    return math::RoundEvenOp::create(nb, l, q);
  };
  FailureOr<Value> zpF = elementwise(
      {lo, *scale}, f32, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) {
        Value mn = arith::MinimumFOp::create(nb, l, v[0], cst(nb, l, 0));
        Value z = arith::SubFOp::create(nb, l, cst(nb, l, 0),
                                        arith::DivFOp::create(nb, l, mn, v[1]));
        return clampRound(nb, l, z);
      });
  if (failed(zpF))
    return failure();
  FailureOr<Value> zp = elementwise(
      {*zpF}, i8, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) {
        return arith::FPToUIOp::create(nb, l, i8, v[0]).getResult();
      });
  if (failed(zp))
    return failure();
  FailureOr<Value> y = elementwise(
      {xv, *scale, *zpF}, i8,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> v) {
        Value q = math::RoundEvenOp::create(
            nb, l, arith::DivFOp::create(nb, l, v[0], v[1]));
        q = clampRound(nb, l, arith::AddFOp::create(nb, l, q, v[2]));
        return arith::FPToUIOp::create(nb, l, i8, q).getResult();
      },
      x->type.getShape());
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y, /*isUnsigned=*/true));
  out.push_back(fromValue(*scale));
  out.push_back(fromValue(*zp, /*isUnsigned=*/true));
  return success();
}

/// MatMulNBits' zero points as loom.qmatmul's signed i8 [N, blocks]
/// (z - 2^(bits-1)): packed uint8 codes (low bits first, each row padded to
/// whole bytes) or integer-valued floats. `symmetric` is set when every one
/// is the midpoint (the default), which needs no operand.
FailureOr<Value> QuantizedMatMulImporter::nbitsZeroPoints(OValue *zp, int64_t n,
                                                          int64_t blocks,
                                                          int64_t bits,
                                                          bool &symmetric) {
  symmetric = true;
  int64_t mid = int64_t(1) << (bits - 1), maxCode = (int64_t(1) << bits) - 1;
  if (!zp)
    return Value();
  if (!zp->lit)
    return nodeFail("zero_points must be a constant");
  Type zt = zp->type.getElementType();
  int64_t perByte = 8 / bits;
  int64_t rowBytes = llvm::divideCeil(blocks, perByte);
  bool packed = zt.isInteger(8) && zp->isUnsigned;
  int64_t want = packed ? n * rowBytes : n * blocks;
  if (!packed && !isFloat(zt))
    return nodeFail("zero_points must be uint8 (packed) or float");
  if (zp->type.getNumElements() != want)
    return nodeFail(llvm::formatv("zero_points has {0} elements; with N = {1}, "
                                  "{2} blocks and bits = {3} it must have {4}",
                                  zp->type.getNumElements(), n, blocks, bits,
                                  want)
                        .str());
  Bytes z(n * blocks);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t k = 0; k < blocks; ++k) {
      int64_t code;
      if (packed) {
        int64_t byte = readInt(*zp->lit, zt, r * rowBytes + k / perByte, true);
        code = (byte >> (bits * (k % perByte))) & maxCode;
      } else {
        double f = readFloat(*zp->lit, zt, r * blocks + k);
        if (!(f >= 0 && f <= maxCode && f == std::floor(f)))
          return nodeFail(llvm::formatv("float zero point {0} is not an "
                                        "integer code in [0, {1}]",
                                        f, maxCode)
                              .str());
        code = (int64_t)f;
      }
      z[r * blocks + k] = (char)(code - mid);
      symmetric &= code == mid;
    }
  OValue lit = fromLiteral(RankedTensorType::get({n, blocks}, b.getI8Type()),
                           std::move(z), false);
  return get(lit);
}

/// com.microsoft MatMulNBits: Y = A x dequant(B)^T (+ bias) with B's N rows
/// quantized in blocks of block_size along K, as one loom.qmatmul on A's
/// rows collapsed to [M, K] (zero-padded to whole blocks).
LogicalResult QuantizedMatMulImporter::opMatMulNBits(Inputs &in, Outputs &out) {
  OValue *a = in[0], *w = in[1], *scales = in[2];
  OValue *zp = in.size() > 3 ? in[3] : nullptr;
  if (in.size() > 4 && in[4])
    return nodeFail("g_idx (act-order group indices) is not supported");
  OValue *bias = in.size() > 5 ? in[5] : nullptr;
  int64_t k = attrInt("K", -1), n = attrInt("N", -1);
  int64_t bits = attrInt("bits", 4), bs = attrInt("block_size", -1);
  if (k <= 0 || n <= 0)
    return nodeFail("attributes K and N must be given and positive");
  if (bits != 4 && bits != 8)
    return nodeFail(
        llvm::formatv("bits = {0} is not supported (only 4 and 8)", bits)
            .str());
  if (bs < 16 || (bs & (bs - 1)) != 0)
    return nodeFail(
        llvm::formatv("block_size must be a power of 2 >= 16, got {0}", bs)
            .str());
  Type et = a->type.getElementType();
  if (!et.isF32() && !et.isF16() && !et.isBF16())
    return nodeFail("A must be float, float16 or bfloat16");
  int64_t rank = a->type.getRank();
  if (rank < 1 || a->type.getDimSize(rank - 1) != k)
    return nodeFail(llvm::formatv("A {0} must end in K = {1}",
                                  shapeStr(a->type.getShape()), k)
                        .str());
  int64_t blocks = llvm::divideCeil(k, bs), blob = bs * bits / 8;
  SmallVector<int64_t> wantB = {n, blocks, blob};
  if (!w->type.getElementType().isInteger(8) || !w->isUnsigned ||
      w->type.getShape() != ArrayRef<int64_t>(wantB))
    return nodeFail(llvm::formatv("B must be uint8 {0}, got {1}",
                                  shapeStr(wantB), shapeStr(w->type.getShape()))
                        .str());
  if (!w->lit)
    return nodeFail("B must be a constant (an initializer)");
  if (scales->type.getElementType() != et ||
      scales->type.getNumElements() != n * blocks)
    return nodeFail(llvm::formatv("scales must have A's element type and "
                                  "N * {0} blocks = {1} elements",
                                  blocks, n * blocks)
                        .str());
  if (bias && (bias->type.getElementType() != et ||
               bias->type.getShape() != ArrayRef<int64_t>{n}))
    return nodeFail(llvm::formatv("bias must be [{0}] of A's type", n).str());
  bool symmetric;
  FailureOr<Value> zv = nbitsZeroPoints(zp, n, blocks, bits, symmetric);
  if (failed(zv))
    return failure();
  // Unsigned codes to signed ones: flip each code's top bit.
  Bytes packed(*w->lit);
  char flip = bits == 4 ? (char)0x88 : (char)0x80;
  for (char &c : packed)
    c ^= flip;
  int64_t kp = blocks * bs;
  OValue wl =
      fromLiteral(RankedTensorType::get({n, kp * bits / 8}, b.getI8Type()),
                  std::move(packed), false);
  Value x = reshape(get(*a), {a->type.getNumElements() / k, k});
  int64_t m = a->type.getNumElements() / k;
  if (kp != k)
    x = pad(x, {0, 0}, {0, kp - k}, scalar(et, 0));
  Value s = reshape(get(*scales), {n, blocks});
  auto resultType = RankedTensorType::get({m, n}, et);
  Value y = loom::QMatmulOp::create(b, loc, resultType, x, get(wl), s,
                                    symmetric ? Value() : *zv, bits,
                                    b.getI64IntegerAttr(bs));
  SmallVector<int64_t> shape(a->type.getShape().drop_back());
  shape.push_back(n);
  y = reshape(y, shape);
  if (bias) {
    FailureOr<Value> r =
        elementwise({y, get(*bias)}, et,
                    [](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
                      return arith::AddFOp::create(nb, l, v[0], v[1]);
                    });
    if (failed(r))
      return failure();
    y = *r;
  }
  out.push_back(fromValue(y));
  return success();
}

/// data of GatherBlockQuantized dequantized: (q - z) * s in f32 converted to
/// the scale's type, with scales and zero points blocked along `axis` (data
/// is unpacked here: int4/uint4 tensors import as one code per byte), the
/// zero point `defaultZeroPoint` when none is given.
FailureOr<Value> QuantizedMatMulImporter::dequantizeBlocked(
    OValue *data, OValue *scales, OValue *zp, int64_t axis, int64_t blockSize,
    double defaultZeroPoint) {
  ArrayRef<int64_t> ds = data->type.getShape();
  SmallVector<int64_t> ps(ds);
  ps[axis] = llvm::divideCeil(ds[axis], blockSize);
  if (scales->type.getShape() != ArrayRef<int64_t>(ps))
    return nodeFail(llvm::formatv("scales must be {0}, got {1}", shapeStr(ps),
                                  shapeStr(scales->type.getShape()))
                        .str());
  if (zp && (zp->type.getShape() != ArrayRef<int64_t>(ps) ||
             zp->type.getElementType() != data->type.getElementType()))
    return nodeFail(
        llvm::formatv("zero_points must be {0} of data's type", shapeStr(ps))
            .str());
  // [.., C, ..] -> [.., C, block, ..] -> [.., C*block, ..] cut to data.
  auto expand = [&](Value v) {
    Type t = cast<RankedTensorType>(v.getType()).getElementType();
    SmallVector<int64_t> rep(ps);
    rep.insert(rep.begin() + axis + 1, blockSize);
    Value bc = linalg::BroadcastOp::create(b, loc, v, empty(rep, t),
                                           ArrayRef<int64_t>{axis + 1})
                   .getResult()[0];
    SmallVector<int64_t> flat(ps);
    flat[axis] *= blockSize;
    Value r = reshape(bc, flat);
    return flat[axis] == ds[axis] ? r : sliceAxis(r, axis, 0, ds[axis], 1);
  };
  SmallVector<Value> ins = {get(*data), expand(get(*scales))};
  if (zp)
    ins.push_back(expand(get(*zp)));
  bool isU = data->isUnsigned;
  double dflt = defaultZeroPoint;
  Type st = scales->type.getElementType(), f32 = b.getF32Type();
  return elementwise(
      ins, st, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
        auto toF32 = [&](Value q) -> Value {
          return isU ? (Value)arith::UIToFPOp::create(nb, l, f32, q)
                     : (Value)arith::SIToFPOp::create(nb, l, f32, q);
        };
        Value z = v.size() > 2 ? toF32(v[2])
                               : (Value)arith::ConstantOp::create(
                                     nb, l, nb.getF32FloatAttr(dflt));
        Value d = arith::SubFOp::create(nb, l, toF32(v[0]), z);
        Value s = v[1];
        if (st != f32)
          s = arith::ExtFOp::create(nb, l, f32, s);
        Value y = arith::MulFOp::create(nb, l, d, s);
        return st == f32 ? y : (Value)arith::TruncFOp::create(nb, l, st, y);
      });
}

/// Constant uint8 `v` holding two 4-bit codes per byte (low nibble first)
/// along its last axis, unpacked to one code per byte, the last dimension
/// cut to `count`.
OValue QuantizedMatMulImporter::unpackNibbles(const OValue &v, int64_t count) {
  ArrayRef<int64_t> shape = v.type.getShape();
  int64_t bytesPerRow = shape.back(),
          rows = v.type.getNumElements() / std::max<int64_t>(bytesPerRow, 1);
  Bytes codes(rows * count);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < count; ++i) {
      unsigned char byte = (*v.lit)[r * bytesPerRow + i / 2];
      codes[r * count + i] = (char)((byte >> (4 * (i % 2))) & 0xF);
    }
  SmallVector<int64_t> unpacked(shape);
  unpacked.back() = count;
  return fromLiteral(RankedTensorType::get(unpacked, b.getI8Type()),
                     std::move(codes), /*isUnsigned=*/true);
}

/// com.microsoft GatherBlockQuantized: Gather(dequantize(data), indices,
/// gather_axis) with data's scales blocked along quantize_axis.
LogicalResult QuantizedMatMulImporter::opGatherBlockQuantized(Inputs &in,
                                                              Outputs &out) {
  OValue *data = in[0], *idx = in[1], *scales = in[2];
  OValue *zp = in.size() > 3 ? in[3] : nullptr;
  int64_t rank = data->type.getRank();
  int64_t gAxis = normAxis(attrInt("gather_axis", 0), rank);
  int64_t qAxis = normAxis(attrInt("quantize_axis", 1), rank);
  int64_t bs = attrInt("block_size", 128), bits = attrInt("bits", 4);
  if (gAxis < 0 || qAxis < 0)
    return nodeFail("gather_axis or quantize_axis is out of range");
  if (bs < 16 || (bs & (bs - 1)) != 0)
    return nodeFail(
        llvm::formatv("block_size must be a power of 2 >= 16, got {0}", bs)
            .str());
  if (!data->type.getElementType().isInteger(8))
    return nodeFail("data must be int4, uint4 or uint8");
  if (!isFloat(scales->type.getElementType()))
    return nodeFail("scales must be float");
  // Default zero points: 0 for int4/uint4 codes, the midpoint 2^(bits-1) for
  // uint8 data (as onnxruntime computes).
  double defaultZeroPoint = data->int4 ? 0 : 128;
  OValue unpackedData, unpackedZp;
  if (!data->int4 && bits == 4) {
    // uint8 data holding two 4-bit codes per byte along the last axis, which
    // must be the quantized one; packed uint8 zero points likewise.
    if (!data->isUnsigned || !data->lit || qAxis != rank - 1)
      return nodeFail("packed 4-bit data must be a uint8 constant quantized "
                      "along its last axis");
    unpackedData = unpackNibbles(*data, 2 * data->type.getShape().back());
    data = &unpackedData;
    if (zp) {
      int64_t blocks = llvm::divideCeil(data->type.getShape().back(), bs);
      if (!zp->lit || !zp->isUnsigned ||
          zp->type.getShape().back() != llvm::divideCeil(blocks, 2))
        return nodeFail(llvm::formatv("packed zero_points must be a uint8 "
                                      "constant with {0} bytes per row",
                                      llvm::divideCeil(blocks, 2))
                            .str());
      unpackedZp = unpackNibbles(*zp, blocks);
      zp = &unpackedZp;
    }
    defaultZeroPoint = 8;
  } else if (!data->int4 && bits != 8) {
    return nodeFail(
        llvm::formatv("bits = {0} is not supported (only 4 and 8)", bits)
            .str());
  }
  FailureOr<Value> table =
      dequantizeBlocked(data, scales, zp, qAxis, bs, defaultZeroPoint);
  if (failed(table))
    return failure();
  // The gather itself: Gather of the dequantized table (Gather.cpp).
  OValue t = fromValue(*table);
  Inputs gin = {&t, idx};
  const onnx::NodeProto *self = node;
  onnx::NodeProto gather;
  gather.set_name(self->name());
  gather.set_op_type("Gather");
  auto *ax = gather.add_attribute();
  ax->set_name("axis");
  ax->set_type(onnx::AttributeProto::INT);
  ax->set_i(gAxis);
  node = &gather;
  LogicalResult r = importGather(state, gin, out);
  node = self;
  return r;
}

void mlir::loom::onnx_import::registerQuantizedMatMulOps(
    ConverterTable &table) {
  table.add("MatMulInteger", 2, &QuantizedMatMulImporter::opMatMulInteger);
  table.add("DynamicQuantizeLinear", 1,
            &QuantizedMatMulImporter::opDynamicQuantizeLinear);
  table.add("com.microsoft", "MatMulIntegerToFloat", 4,
            &QuantizedMatMulImporter::opMatMulIntegerToFloat);
  table.add("com.microsoft", "DynamicQuantizeMatMul", 3,
            &QuantizedMatMulImporter::opDynamicQuantizeMatMul);
  table.add("com.microsoft", "MatMulNBits", 3,
            &QuantizedMatMulImporter::opMatMulNBits);
  table.add("com.microsoft", "GatherBlockQuantized", 3,
            &QuantizedMatMulImporter::opGatherBlockQuantized);
}
