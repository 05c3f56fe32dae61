//===- Convolution.cpp - ONNX convolutions and pooling --------------------===//
//
// Conv (1-D/2-D/3-D, groups) as `tensor.pad` and one `linalg.generic` over
// [N, G, M/G, out..., C/G, k...] (f16/bf16 summed in f32); ConvInteger the
// same in i32 after subtracting the zero points; ConvTranspose as a stride-1
// convolution of the zero-interleaved input; MaxPool, AveragePool and the
// global pools as window generics. Pads and output sizes come from
// computeWindow.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class ConvolutionImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opConv(Inputs &in, Outputs &out);
  LogicalResult opConvTranspose(Inputs &in, Outputs &out);
  LogicalResult opConvInteger(Inputs &in, Outputs &out);
  LogicalResult opPool(StringRef op, Inputs &in, Outputs &out);

private:
  LogicalResult addConvBias(Value y, Inputs &in, Outputs &out);
  FailureOr<Value> convolve(RankedTensorType xt, Value xv, RankedTensorType wt,
                            Value wv);
  Value convCore(Value xPadded, Value w, int64_t groups,
                 ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                 ArrayRef<int64_t> outSize);
};
} // namespace

namespace {
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padLo, padHi, outSize;
};
} // namespace

/// Computes pads and output sizes of a sliding window op (Conv, pools).
static LogicalResult computeWindow(ArrayRef<int64_t> inSpatial, Window &w,
                                   StringRef autoPad, bool ceilMode,
                                   std::optional<SmallVector<int64_t>> pads,
                                   std::string &err) {
  size_t s = inSpatial.size();
  if (w.kernel.size() != s) {
    err = "kernel rank differs from the spatial rank";
    return failure();
  }
  if (w.strides.empty())
    w.strides.assign(s, 1);
  if (w.dilations.empty())
    w.dilations.assign(s, 1);
  if (w.strides.size() != s || w.dilations.size() != s) {
    err = "strides/dilations rank differs from the spatial rank";
    return failure();
  }
  w.padLo.assign(s, 0);
  w.padHi.assign(s, 0);
  for (size_t i = 0; i < s; ++i) {
    if (w.strides[i] <= 0 || w.dilations[i] <= 0 || w.kernel[i] <= 0) {
      err = "kernel, strides and dilations must be positive";
      return failure();
    }
    int64_t ek = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (inSpatial[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + ek - inSpatial[i]);
      int64_t small = total / 2, big = total - small;
      w.padLo[i] = autoPad == "SAME_UPPER" ? small : big;
      w.padHi[i] = autoPad == "SAME_UPPER" ? big : small;
    } else if (autoPad == "NOTSET" || autoPad.empty()) {
      if (pads) {
        if (pads->size() != 2 * s) {
          err = "pads must have 2 entries per spatial dimension";
          return failure();
        }
        w.padLo[i] = (*pads)[i];
        w.padHi[i] = (*pads)[i + s];
        if (w.padLo[i] < 0 || w.padHi[i] < 0) {
          err = "negative pads are not supported";
          return failure();
        }
      }
    } else if (autoPad != "VALID") {
      err = "unknown auto_pad '" + autoPad.str() + "'";
      return failure();
    }
    int64_t span = inSpatial[i] + w.padLo[i] + w.padHi[i] - ek;
    if (span < 0) {
      err = "the kernel is larger than the padded input";
      return failure();
    }
    int64_t out = ceilMode ? (span + w.strides[i] - 1) / w.strides[i] + 1
                           : span / w.strides[i] + 1;
    if (ceilMode && (out - 1) * w.strides[i] >= inSpatial[i] + w.padLo[i])
      --out; // the last window must start inside the input or left pad
    // Extra high padding so that ceil-mode windows stay in bounds.
    int64_t need = (out - 1) * w.strides[i] + ek - (inSpatial[i] + w.padLo[i]);
    if (need > w.padHi[i])
      w.padHi[i] = need;
    w.outSize.push_back(out);
  }
  return success();
}

/// Grouped N-D convolution of an already padded X [N, C, S...] with
/// W [M, C/G, K...] as one linalg.generic; returns [N, M, O...].
Value ConvolutionImporter::convCore(Value xv, Value wv, int64_t g,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    ArrayRef<int64_t> outSize) {
  auto ws = cast<RankedTensorType>(wv.getType()).getShape();
  Type et = cast<RankedTensorType>(xv.getType()).getElementType();
  auto pxs = cast<RankedTensorType>(xv.getType()).getShape();
  int64_t s = pxs.size() - 2, n = pxs[0], c = pxs[1], m = ws[0];
  struct {
    ArrayRef<int64_t> strides, dilations, outSize;
  } w = {strides, dilations, outSize};
  int64_t cg = c / g, mg = m / g;
  // X: [N, G, Cg, S...], W: [G, Mg, Cg, K...], Y: [N, G, Mg, O...].
  SmallVector<int64_t> x5 = {n, g, cg};
  x5.append(pxs.begin() + 2, pxs.end());
  SmallVector<int64_t> w5 = {g, mg, cg};
  w5.append(ws.begin() + 2, ws.end());
  SmallVector<int64_t> y5 = {n, g, mg};
  y5.append(w.outSize.begin(), w.outSize.end());
  Value xr = reshape(xv, x5), wr = reshape(wv, w5);
  // Loops: n, g, mg, o_1..o_s, cg, k_1..k_s.
  int64_t nl = 3 + s + 1 + s;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1), d(3 + s)},
                          we = {d(1), d(2), d(3 + s)}, ye = {d(0), d(1), d(2)};
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(3 + i) * w.strides[i] + d(4 + s + i) * w.dilations[i]);
    we.push_back(d(4 + s + i));
    ye.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                 AffineMap::get(nl, 0, we, ctx),
                                 AffineMap::get(nl, 0, ye, ctx)};
  SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
  for (int64_t i = 3 + s; i < nl; ++i)
    iters[i] = utils::IteratorType::reduction;
  // f16 and bf16 products accumulate in f32, rounded once at the end.
  bool narrow = et.isF16() || et.isBF16();
  Type acc = narrow ? Type(b.getF32Type()) : et;
  Value init = filled(y5, acc, 0);
  Value y =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{xr, wr},
          ValueRange{init}, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value x = a[0], w = a[1];
            if (narrow) {
              x = arith::ExtFOp::create(nb, l, acc, x);
              w = arith::ExtFOp::create(nb, l, acc, w);
            }
            if (isa<IntegerType>(acc)) {
              Value p = arith::MulIOp::create(nb, l, x, w);
              linalg::YieldOp::create(
                  nb, l, arith::AddIOp::create(nb, l, a[2], p).getResult());
              return;
            }
            Value p = arith::MulFOp::create(nb, l, x, w);
            linalg::YieldOp::create(
                nb, l, arith::AddFOp::create(nb, l, a[2], p).getResult());
          })
          .getResult(0);
  if (narrow)
    y = *elementwise(
        {y}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) {
          return arith::TruncFOp::create(nb, l, et, v[0]).getResult();
        });
  SmallVector<int64_t> yShape = {n, m};
  yShape.append(outSize.begin(), outSize.end());
  return reshape(y, yShape);
}

LogicalResult ConvolutionImporter::opConv(Inputs &in, Outputs &out) {
  OValue *x = in[0], *wt = in[1];
  if (!isFloat(x->type.getElementType()))
    return nodeFail("expects floating-point operands");
  FailureOr<Value> y = convolve(x->type, get(*x), wt->type, get(*wt));
  if (failed(y))
    return failure();
  return addConvBias(*y, in, out);
}

/// The convolution of Conv and ConvInteger: checks the channels, computes
/// the window from the attributes, pads x with zeros and builds convCore.
FailureOr<Value> ConvolutionImporter::convolve(RankedTensorType xt, Value xv,
                                               RankedTensorType wt, Value wv) {
  int64_t rank = xt.getRank();
  Type et = xt.getElementType();
  if (rank < 3 || wt.getRank() != rank)
    return nodeFail("X and W must have the same rank >= 3");
  auto xs = xt.getShape(), ws = wt.getShape();
  int64_t c = xs[1], m = ws[0];
  int64_t g = attrInt("group", 1);
  if (g <= 0 || c % g || m % g || ws[1] != c / g)
    return nodeFail(llvm::formatv("channels do not match: X has {0}, W {1}, "
                                  "group {2}",
                                  c, shapeStr(ws), g)
                        .str());
  Window w;
  w.kernel =
      attrInts("kernel_shape").value_or(SmallVector<int64_t>(ws.drop_front(2)));
  w.strides = attrInts("strides").value_or(SmallVector<int64_t>());
  w.dilations = attrInts("dilations").value_or(SmallVector<int64_t>());
  std::string err;
  if (failed(computeWindow(xs.drop_front(2), w,
                           attrString("auto_pad", "NOTSET"), false,
                           attrInts("pads"), err)))
    return nodeFail(err);
  SmallVector<int64_t> lo = {0, 0}, hi = {0, 0};
  lo.append(w.padLo);
  hi.append(w.padHi);
  Value padded = pad(xv, lo, hi, scalar(et, 0));
  return convCore(padded, wv, g, w.strides, w.dilations, w.outSize);
}

/// ConvInteger: int32 = conv(x - x_zero_point, w - w_zero_point), the zero
/// points subtracted in i32 first (x's per tensor; w's per tensor or per
/// output channel [M]), then an integer convolution (padding is zero after
/// the subtraction, as ONNX pads x with its zero point).
LogicalResult ConvolutionImporter::opConvInteger(Inputs &in, Outputs &out) {
  OValue *x = in[0], *wt = in[1];
  OValue *xz = in.size() > 2 ? in[2] : nullptr;
  OValue *wz = in.size() > 3 ? in[3] : nullptr;
  Type i32 = b.getI32Type();
  auto widen = [&](OValue *v, OValue *z, StringRef what) -> FailureOr<Value> {
    if (!v->type.getElementType().isInteger(8))
      return nodeFail("x and w must be int8 or uint8");
    bool vu = v->isUnsigned;
    SmallVector<Value> ins = {get(*v)};
    if (z) {
      if (z->type.getElementType() != v->type.getElementType() ||
          z->isUnsigned != vu)
        return nodeFail(what + " must have the element type of its tensor");
      int64_t n = z->type.getNumElements();
      bool perChannel = what == "w_zero_point" && z->type.getRank() == 1 &&
                        n == v->type.getDimSize(0);
      if (n != 1 && !perChannel)
        return nodeFail(llvm::formatv("{0} of shape {1} must be a scalar{2}",
                                      what, shapeStr(z->type.getShape()),
                                      what == "w_zero_point"
                                          ? " or one per output channel"
                                          : "")
                            .str());
      // [1, ...] or, per output channel (w's dimension 0), [M, 1, ...].
      SmallVector<int64_t> zs(v->type.getRank(), 1);
      zs[0] = n;
      ins.push_back(reshape(get(*z), zs));
    }
    return elementwise(
        ins, i32,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
          auto ext = [&](Value e) -> Value {
            return vu ? (Value)arith::ExtUIOp::create(nb, l, i32, e)
                      : (Value)arith::ExtSIOp::create(nb, l, i32, e);
          };
          Value r = ext(a[0]);
          return a.size() > 1
                     ? (Value)arith::SubIOp::create(nb, l, r, ext(a[1]))
                     : r;
        },
        v->type.getShape());
  };
  FailureOr<Value> xv = widen(x, xz, "x_zero_point");
  if (failed(xv))
    return failure();
  FailureOr<Value> wv = widen(wt, wz, "w_zero_point");
  if (failed(wv))
    return failure();
  FailureOr<Value> y = convolve(cast<RankedTensorType>(xv->getType()), *xv,
                                cast<RankedTensorType>(wv->getType()), *wv);
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

LogicalResult ConvolutionImporter::addConvBias(Value y, Inputs &in,
                                               Outputs &out) {
  auto yt = cast<RankedTensorType>(y.getType());
  int64_t rank = yt.getRank(), m = yt.getDimSize(1);
  Type et = yt.getElementType();
  if (in.size() > 2 && in[2]) {
    if (in[2]->type.getRank() != 1 || in[2]->type.getDimSize(0) != m)
      return nodeFail("B must be a vector of the output channel count");
    FailureOr<Value> r =
        elementwise({y, reshape(get(*in[2]), channelShape(rank, m))}, et,
                    [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                      return arith::AddFOp::create(nb, l, a[0], a[1]);
                    });
    if (failed(r))
      return failure();
    y = *r;
  }
  out.push_back(fromValue(y));
  return success();
}

/// ConvTranspose as a stride-1 convolution of the zero-interleaved, padded
/// input with the flipped, channel-swapped kernel.
LogicalResult ConvolutionImporter::opConvTranspose(Inputs &in, Outputs &out) {
  OValue *x = in[0], *wt = in[1];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || wt->type.getRank() != rank)
    return nodeFail("X and W must have the same rank >= 3");
  if (!isFloat(et))
    return nodeFail("expects floating-point operands");
  int64_t s = rank - 2;
  auto xs = x->type.getShape(), ws = wt->type.getShape();
  int64_t n = xs[0], c = xs[1];
  int64_t g = attrInt("group", 1);
  if (g <= 0 || c % g || ws[0] != c)
    return nodeFail("W's first dimension must equal the input channels");
  int64_t mg = ws[1], m = mg * g, cg = c / g;
  SmallVector<int64_t> k(ws.drop_front(2));
  if (auto ks = attrInts("kernel_shape"); ks && *ks != k)
    return nodeFail("kernel_shape differs from W's shape");
  SmallVector<int64_t> strides =
      attrInts("strides").value_or(SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> dil =
      attrInts("dilations").value_or(SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> outPad =
      attrInts("output_padding").value_or(SmallVector<int64_t>(s, 0));
  SmallVector<int64_t> pads =
      attrInts("pads").value_or(SmallVector<int64_t>(2 * s, 0));
  if ((int64_t)strides.size() != s || (int64_t)dil.size() != s ||
      (int64_t)outPad.size() != s || (int64_t)pads.size() != 2 * s)
    return nodeFail(
        "strides/dilations/output_padding/pads have the wrong length");
  std::string autoPad = attrString("auto_pad", "NOTSET");
  auto outShape = attrInts("output_shape");
  SmallVector<int64_t> lo(s), hi(s), outSize(s);
  for (int64_t i = 0; i < s; ++i) {
    if (strides[i] <= 0 || dil[i] <= 0)
      return nodeFail("strides and dilations must be positive");
    int64_t full =
        strides[i] * (xs[2 + i] - 1) + outPad[i] + (k[i] - 1) * dil[i] + 1;
    if (outShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outShape ? (*outShape)[outShape->size() - s + i]
                                : xs[2 + i] * strides[i];
      int64_t total = full - target;
      if (total < 0)
        return nodeFail("output_shape larger than the full transposed output");
      lo[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      hi[i] = total - lo[i];
    } else {
      lo[i] = pads[i];
      hi[i] = pads[i + s];
    }
    outSize[i] = full - lo[i] - hi[i];
    if (outSize[i] <= 0)
      return nodeFail("empty output");
  }
  // Zero-interleave and pad X: X'[.., (k-1)d - lo + i*s] = X[.., i].
  SmallVector<int64_t> bigShape = {n, c};
  SmallVector<OpFoldResult> offs = {b.getIndexAttr(0), b.getIndexAttr(0)},
                            sizes = {b.getIndexAttr(n), b.getIndexAttr(c)},
                            strd = {b.getIndexAttr(1), b.getIndexAttr(1)};
  for (int64_t i = 0; i < s; ++i) {
    int64_t plo = (k[i] - 1) * dil[i] - lo[i];
    int64_t phi = (k[i] - 1) * dil[i] - hi[i] + outPad[i];
    if (plo < 0 || phi < 0)
      return nodeFail("pads larger than the dilated kernel are not supported");
    bigShape.push_back(plo + (xs[2 + i] - 1) * strides[i] + 1 + phi);
    offs.push_back(b.getIndexAttr(plo));
    sizes.push_back(b.getIndexAttr(xs[2 + i]));
    strd.push_back(b.getIndexAttr(strides[i]));
  }
  Value big = tensor::InsertSliceOp::create(
      b, loc, get(*x), filled(bigShape, et, 0), offs, sizes, strd);
  // W [C, Mg, K] -> [G, Cg, Mg, K] -> [G, Mg, Cg, K] -> [M, Cg, K], flipped.
  SmallVector<int64_t> w4 = {g, cg, mg};
  w4.append(k);
  Value wv = reshape(get(*wt), w4);
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t i = 0; i < s; ++i)
    perm.push_back(3 + i);
  wv = transpose(wv, perm);
  SmallVector<int64_t> w3 = {m, cg};
  w3.append(k);
  wv = reshape(wv, w3);
  for (int64_t i = 0; i < s; ++i)
    if (k[i] > 1)
      wv = reverseAxis(wv, 2 + i);
  Value y = convCore(big, wv, g, SmallVector<int64_t>(s, 1), dil, outSize);
  return addConvBias(y, in, out);
}

LogicalResult ConvolutionImporter::opPool(StringRef op, Inputs &in,
                                          Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || !isFloat(et))
    return nodeFail("expects a floating-point input of rank >= 3");
  int64_t s = rank - 2;
  auto xs = x->type.getShape();
  bool isMax = op == "MaxPool" || op == "GlobalMaxPool";
  if (op.starts_with("Global")) {
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = 2; i < rank; ++i) {
      axes.push_back(i);
      count *= xs[i];
    }
    Value r = reduce(get(*x), axes, true, isMax ? "max" : "sum");
    if (!isMax) {
      FailureOr<Value> m = elementwise(
          {r}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
            return arith::DivFOp::create(
                nb, l, a[0],
                arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, count)));
          });
      if (failed(m))
        return failure();
      r = *m;
    }
    out.push_back(fromValue(r));
    return success();
  }
  if (isMax && node->output_size() > 1 && !node->output(1).empty())
    return nodeFail("the Indices output of MaxPool is not supported");
  if (attrInt("storage_order", 0))
    return nodeFail("storage_order=1 is not supported");
  Window w;
  auto k = attrInts("kernel_shape");
  if (!k)
    return nodeFail("missing kernel_shape");
  w.kernel = *k;
  w.strides = attrInts("strides").value_or(SmallVector<int64_t>());
  w.dilations = attrInts("dilations").value_or(SmallVector<int64_t>());
  std::string err;
  SmallVector<int64_t> origLo, origHi;
  if (failed(computeWindow(xs.drop_front(2), w,
                           attrString("auto_pad", "NOTSET"),
                           attrInt("ceil_mode", 0), attrInts("pads"), err)))
    return nodeFail(err);
  SmallVector<int64_t> lo = {0, 0}, hi = {0, 0};
  lo.append(w.padLo);
  hi.append(w.padHi);
  Value padVal = isMax ? lowestValue(et) : scalar(et, 0);
  Value xv = pad(get(*x), lo, hi, padVal);
  int64_t nl = 2 + 2 * s;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1)}, ke, ye = {d(0), d(1)};
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(2 + i) * w.strides[i] + d(2 + s + i) * w.dilations[i]);
    ke.push_back(d(2 + s + i));
    ye.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                 AffineMap::get(nl, 0, ke, ctx),
                                 AffineMap::get(nl, 0, ye, ctx)};
  SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
  for (int64_t i = 2 + s; i < nl; ++i)
    iters[i] = utils::IteratorType::reduction;
  SmallVector<int64_t> yShape = {xs[0], xs[1]};
  yShape.append(w.outSize);
  auto window = [&](Value input, bool max) {
    Value initV =
        max ? linalg::FillOp::create(b, loc, ValueRange{lowestValue(et)},
                                     ValueRange{empty(yShape, et)})
                  .getResult(0)
            : filled(yShape, et, 0);
    Value kernel = empty(w.kernel, et);
    return linalg::GenericOp::create(
               b, loc, TypeRange{initV.getType()}, ValueRange{input, kernel},
               ValueRange{initV}, maps, iters,
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 Value r =
                     max ? (Value)arith::MaximumFOp::create(nb, l, a[0], a[2])
                         : (Value)arith::AddFOp::create(nb, l, a[0], a[2]);
                 linalg::YieldOp::create(nb, l, r);
               })
        .getResult(0);
  };
  Value y = window(xv, isMax);
  if (!isMax) {
    bool includePad = attrInt("count_include_pad", 0);
    // Divisor per output: the number of window elements inside the input
    // (or inside input + explicit pads with count_include_pad).
    SmallVector<int64_t> onesShape(xs.begin(), xs.end());
    SmallVector<int64_t> lo2 = lo, hi2 = hi;
    if (includePad) {
      auto pads = attrInts("pads");
      for (int64_t i = 0; i < s; ++i) {
        int64_t pl = w.padLo[i], ph = pads && pads->size() == (size_t)2 * s
                                          ? (*pads)[i + s]
                                          : w.padHi[i];
        if (attrString("auto_pad", "NOTSET") != "NOTSET")
          ph = w.padHi[i];
        onesShape[2 + i] += pl + ph;
        lo2[2 + i] = 0;
        hi2[2 + i] = w.padHi[i] - ph;
        (void)pl;
      }
    }
    Value ones = pad(filled(onesShape, et, 1), lo2, hi2, scalar(et, 0));
    Value cnt = window(ones, false);
    FailureOr<Value> r =
        elementwise({y, cnt}, et,
                    [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                      return arith::DivFOp::create(nb, l, a[0], a[1]);
                    });
    if (failed(r))
      return failure();
    y = *r;
  }
  out.push_back(fromValue(y));
  return success();
}

void mlir::loom::onnx_import::registerConvolutionOps(ConverterTable &table) {
  table.add("Conv", 2, &ConvolutionImporter::opConv);
  table.add("ConvTranspose", 2, &ConvolutionImporter::opConvTranspose);
  table.add("ConvInteger", 2, &ConvolutionImporter::opConvInteger);
  for (StringRef op :
       {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"})
    table.add(op, 1, &ConvolutionImporter::opPool);
}
