//===- Builders.cpp - Helpers shared by the ONNX op families --------------===//
//
// The definitions of ImporterImpl.h's helpers that build IR (elementwise
// generics with ONNX broadcasting, reshapes, reductions, matmul, casts,
// slices, pads) or read and write constant contents.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::loom::onnx_import;

//===----------------------------------------------------------------------===//
// Constant contents
//===----------------------------------------------------------------------===//

int64_t mlir::loom::onnx_import::elemBytes(Type t) {
  if (t.isInteger(1))
    return 1;
  return (t.getIntOrFloatBitWidth() + 7) / 8;
}

std::optional<int64_t>
mlir::loom::onnx_import::checkedNumel(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

int64_t mlir::loom::onnx_import::numel(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

SmallVector<int64_t>
mlir::loom::onnx_import::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

double mlir::loom::onnx_import::readFloat(const Bytes &b, Type t, int64_t i) {
  if (t.isF32()) {
    float f;
    std::memcpy(&f, b.data() + 4 * i, 4);
    return f;
  }
  if (t.isF64()) {
    double f;
    std::memcpy(&f, b.data() + 8 * i, 8);
    return f;
  }
  if (t.isF16() || t.isBF16()) {
    uint16_t bits;
    std::memcpy(&bits, b.data() + 2 * i, 2);
    llvm::APFloat f(t.isF16() ? llvm::APFloat::IEEEhalf()
                              : llvm::APFloat::BFloat(),
                    llvm::APInt(16, bits));
    return f.convertToFloat();
  }
  return 0;
}

int64_t mlir::loom::onnx_import::readInt(const Bytes &b, Type t, int64_t i,
                                         bool isUnsigned) {
  if (isa<FloatType>(t))
    return (int64_t)readFloat(b, t, i);
  switch (elemBytes(t)) {
  case 1: {
    if (t.isInteger(1))
      return b[i] != 0;
    return isUnsigned ? (int64_t)(uint8_t)b[i] : (int64_t)(int8_t)b[i];
  }
  case 2: {
    int16_t v;
    std::memcpy(&v, b.data() + 2 * i, 2);
    return isUnsigned ? (int64_t)(uint16_t)v : v;
  }
  case 4: {
    int32_t v;
    std::memcpy(&v, b.data() + 4 * i, 4);
    return isUnsigned ? (int64_t)(uint32_t)v : v;
  }
  default: {
    int64_t v;
    std::memcpy(&v, b.data() + 8 * i, 8);
    return v;
  }
  }
}

void mlir::loom::onnx_import::writeElem(Bytes &b, Type t, int64_t i, double fv,
                                        int64_t iv) {
  if (t.isF32()) {
    float f = (float)fv;
    std::memcpy(b.data() + 4 * i, &f, 4);
  } else if (t.isF64()) {
    std::memcpy(b.data() + 8 * i, &fv, 8);
  } else if (t.isF16() || t.isBF16()) {
    llvm::APFloat f(fv);
    bool lost;
    f.convert(t.isF16() ? llvm::APFloat::IEEEhalf() : llvm::APFloat::BFloat(),
              llvm::APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = (uint16_t)f.bitcastToAPInt().getZExtValue();
    std::memcpy(b.data() + 2 * i, &bits, 2);
  } else if (t.isInteger(1)) {
    b[i] = iv != 0;
  } else {
    int64_t n = elemBytes(t);
    std::memcpy(b.data() + n * i, &iv, n); // little endian truncation
  }
}

bool mlir::loom::onnx_import::isFloat(Type t) { return isa<FloatType>(t); }

int64_t mlir::loom::onnx_import::normAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return -1;
  return axis < 0 ? axis + rank : axis;
}

std::string mlir::loom::onnx_import::shapeStr(ArrayRef<int64_t> s) {
  return "[" +
         llvm::join(
             llvm::map_range(s, [](int64_t x) { return std::to_string(x); }),
             ",") +
         "]";
}

SmallVector<int64_t> mlir::loom::onnx_import::channelShape(int64_t rank,
                                                           int64_t c) {
  SmallVector<int64_t> s(rank, 1);
  if (rank > 1)
    s[1] = c;
  return s;
}

//===----------------------------------------------------------------------===//
// Constants and constant operands
//===----------------------------------------------------------------------===//

Value ImporterBase::scalar(Type et, double v) {
  if (auto ft = dyn_cast<FloatType>(et))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  if (et.isIndex())
    return arith::ConstantIndexOp::create(b, loc, (int64_t)v);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, (int64_t)v));
}

Value ImporterBase::lowestValue(Type et) {
  if (auto ft = dyn_cast<FloatType>(et))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, llvm::APFloat::getInf(ft.getFloatSemantics(),
                                                 /*Negative=*/true)));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(
          et, llvm::APInt::getSignedMinValue(et.getIntOrFloatBitWidth())));
}

Value ImporterBase::highestValue(Type et) {
  if (auto ft = dyn_cast<FloatType>(et))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, llvm::APFloat::getInf(ft.getFloatSemantics())));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(
          et, llvm::APInt::getSignedMaxValue(et.getIntOrFloatBitWidth())));
}

OValue ImporterBase::intLiteral(ArrayRef<int64_t> shape,
                                ArrayRef<int64_t> vals) {
  auto t = RankedTensorType::get(shape, b.getI64Type());
  Bytes bytes(vals.size() * 8);
  std::memcpy(bytes.data(), vals.data(), bytes.size());
  return fromLiteral(t, std::move(bytes), false);
}

FailureOr<SmallVector<int64_t>> ImporterBase::constInts(OValue *v,
                                                        StringRef what) {
  if (!v)
    return nodeFail(Twine("missing ") + what);
  if (!v->lit)
    return nodeFail(Twine(what) +
                    " is not a constant; cannot make shapes static");
  SmallVector<int64_t> out;
  int64_t n = v->type.getNumElements();
  for (int64_t i = 0; i < n; ++i)
    out.push_back(readInt(*v->lit, v->type.getElementType(), i, v->isUnsigned));
  return out;
}

std::optional<std::string>
ImporterBase::constantTooLarge(ArrayRef<int64_t> shape,
                               Type elementType) const {
  std::optional<int64_t> n = checkedNumel(shape);
  uint64_t bytesPerElement = elemBytes(elementType);
  std::string size;
  if (n &&
      (uint64_t)*n <= std::numeric_limits<uint64_t>::max() / bytesPerElement) {
    uint64_t bytes = (uint64_t)*n * bytesPerElement;
    if (bytes <= options.maxConstantBytes)
      return std::nullopt;
    size = std::to_string(bytes) + " bytes";
  } else {
    size = "more than 2^63 bytes";
  }
  std::string type;
  llvm::raw_string_ostream os(type);
  os << elementType;
  return llvm::formatv("{0} ({1} x {2}), more than --max-constant-bytes={3} "
                       "allows",
                       size, n ? std::to_string(*n) : shapeStr(shape), type,
                       options.maxConstantBytes)
      .str();
}

FailureOr<double> ImporterBase::constScalar(OValue *v, StringRef what) {
  if (!v->lit || v->type.getNumElements() != 1)
    return nodeFail(Twine(what) + " must be a constant scalar");
  Type t = v->type.getElementType();
  return isa<FloatType>(t) ? readFloat(*v->lit, t, 0)
                           : (double)readInt(*v->lit, t, 0, v->isUnsigned);
}

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
ImporterBase::broadcastShape(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (auto s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> out(rank, 1);
  for (auto s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &o = out[rank - s.size() + i];
      int64_t d = s[i];
      if (d == o || d == 1)
        continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string msg = "shapes cannot be broadcast:";
      for (auto sh : shapes) {
        msg += " [";
        msg += llvm::join(
            llvm::map_range(sh, [](int64_t x) { return std::to_string(x); }),
            ",");
        msg += "]";
      }
      return nodeFail(msg);
    }
  }
  return out;
}

FailureOr<Value>
ImporterBase::elementwise(ArrayRef<Value> ins, Type outElem, BodyFn fn,
                          std::optional<ArrayRef<int64_t>> outShape) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : ins)
    shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
  SmallVector<int64_t> shapeStore;
  if (outShape)
    shapes.push_back(*outShape);
  FailureOr<SmallVector<int64_t>> bs = broadcastShape(shapes);
  if (failed(bs))
    return failure();
  if (llvm::all_of(ins,
                   [](Value v) {
                     return v.getDefiningOp<arith::ConstantOp>() != nullptr;
                   }) &&
      failed(checkConstantResult(*bs, outElem)))
    return failure();
  shapeStore = *bs;
  int64_t rank = shapeStore.size();
  SmallVector<AffineMap> maps;
  for (Value v : ins) {
    auto s = cast<RankedTensorType>(v.getType()).getShape();
    SmallVector<AffineExpr> exprs;
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t od = rank - s.size() + i;
      if (s[i] == 1 && shapeStore[od] != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(od));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value init = empty(shapeStore, outElem);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> scalars(args.drop_back());
        linalg::YieldOp::create(nb, l, fn(nb, l, scalars));
      });
  return op.getResult(0);
}

Value ImporterBase::reshape(Value v, ArrayRef<int64_t> shape) {
  auto st = cast<RankedTensorType>(v.getType());
  if (st.getShape() == shape)
    return v;
  auto dt = RankedTensorType::get(shape, st.getElementType());
  if (st.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, dt, v,
                                         ArrayRef<ReassociationIndices>{});
  if (dt.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, dt, v,
                                           ArrayRef<ReassociationIndices>{});
  if (dt.getRank() < st.getRank())
    if (auto r = getReassociationIndicesForCollapse(st.getShape(), shape))
      return tensor::CollapseShapeOp::create(b, loc, dt, v, *r);
  if (dt.getRank() > st.getRank())
    if (auto r = getReassociationIndicesForCollapse(shape, st.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, dt, v, *r);
  Value flat = v;
  int64_t n = st.getNumElements();
  if (st.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < st.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n}, st.getElementType()), v,
        ArrayRef<ReassociationIndices>{all});
  }
  if (dt.getRank() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0; i < dt.getRank(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, dt, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

Value ImporterBase::transpose(Value v, ArrayRef<int64_t> perm) {
  auto st = cast<RankedTensorType>(v.getType());
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity &= perm[i] == (int64_t)i;
  if (identity)
    return v;
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(st.getDimSize(p));
  Value init = empty(shape, st.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

Value mlir::loom::onnx_import::combine(OpBuilder &b, Location loc,
                                       StringRef kind, Value x, Value acc,
                                       bool isUnsigned) {
  bool f = isa<FloatType>(x.getType());
  if (kind == "sum")
    return f ? (Value)arith::AddFOp::create(b, loc, x, acc)
             : (Value)arith::AddIOp::create(b, loc, x, acc);
  if (kind == "prod")
    return f ? (Value)arith::MulFOp::create(b, loc, x, acc)
             : (Value)arith::MulIOp::create(b, loc, x, acc);
  if (kind == "max")
    return f            ? (Value)arith::MaximumFOp::create(b, loc, x, acc)
           : isUnsigned ? (Value)arith::MaxUIOp::create(b, loc, x, acc)
                        : (Value)arith::MaxSIOp::create(b, loc, x, acc);
  // min
  return f            ? (Value)arith::MinimumFOp::create(b, loc, x, acc)
         : isUnsigned ? (Value)arith::MinUIOp::create(b, loc, x, acc)
                      : (Value)arith::MinSIOp::create(b, loc, x, acc);
}

/// linalg.reduce over sorted, unique `axes`; keepdims re-inserts unit dims.
Value ImporterBase::reduce(Value v, ArrayRef<int64_t> axes, bool keepdims,
                           StringRef kind) {
  auto st = cast<RankedTensorType>(v.getType());
  Type et = st.getElementType();
  SmallVector<int64_t> outShape, keepShape;
  for (int64_t i = 0; i < st.getRank(); ++i) {
    bool red = llvm::is_contained(axes, i);
    if (!red)
      outShape.push_back(st.getDimSize(i));
    keepShape.push_back(red ? 1 : st.getDimSize(i));
  }
  Value init;
  if (kind == "sum")
    init = filled(outShape, et, 0);
  else if (kind == "prod")
    init = filled(outShape, et, 1);
  else
    init = linalg::FillOp::create(
               b, loc,
               ValueRange{kind == "max" ? lowestValue(et) : highestValue(et)},
               ValueRange{empty(outShape, et)})
               .getResult(0);
  Value r = axes.empty()
                ? v
                : linalg::ReduceOp::create(
                      b, loc, ValueRange{v}, ValueRange{init}, axes,
                      [&](OpBuilder &nb, Location l, ValueRange args) {
                        linalg::YieldOp::create(
                            nb, l, combine(nb, l, kind, args[0], args[1]));
                      })
                      .getResult(0);
  return keepdims ? reshape(r, keepShape) : r;
}

/// ONNX MatMul (numpy matmul semantics) as linalg.matmul / batch_matmul on
/// collapsed batch dimensions.
FailureOr<Value> ImporterBase::matmul(Value a, Value w) {
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(w.getType());
  Type et = at.getElementType();
  if (at.getRank() == 0 || bt.getRank() == 0)
    return nodeFail("MatMul operands must have rank >= 1");
  bool aVec = at.getRank() == 1, bVec = bt.getRank() == 1;
  if (aVec)
    a = reshape(a, {1, at.getDimSize(0)});
  if (bVec)
    w = reshape(w, {bt.getDimSize(0), 1});
  at = cast<RankedTensorType>(a.getType());
  bt = cast<RankedTensorType>(w.getType());
  int64_t m = at.getDimSize(at.getRank() - 2),
          k = at.getDimSize(at.getRank() - 1);
  int64_t k2 = bt.getDimSize(bt.getRank() - 2),
          n = bt.getDimSize(bt.getRank() - 1);
  if (k != k2)
    return nodeFail(
        llvm::formatv("contraction dimensions differ ({0} vs {1})", k, k2)
            .str());
  auto aBatch = at.getShape().drop_back(2), bBatch = bt.getShape().drop_back(2);
  FailureOr<SmallVector<int64_t>> batch = broadcastShape({aBatch, bBatch});
  if (failed(batch))
    return failure();
  int64_t nb = numel(*batch);
  // f16 and bf16 products accumulate in f32 (as onnxruntime's CPU kernels
  // do), rounded to the operand type once at the end.
  Type narrow = (et.isF16() || et.isBF16()) ? et : Type();
  Type acc = narrow ? Type(b.getF32Type()) : et;
  SmallVector<int64_t> outShape(*batch);
  outShape.push_back(m);
  outShape.push_back(n);
  Value result;
  if (bt.getRank() == 2) {
    // [..., M, K] x [K, N]: fold the batch into M, one linalg.matmul.
    Value a2 = reshape(a, {numel(at.getShape().drop_back(1)), k});
    Value init = filled({numel(at.getShape().drop_back(1)), n}, acc, 0);
    result =
        linalg::MatmulOp::create(b, loc, ValueRange{a2, w}, ValueRange{init})
            .getResult(0);
    SmallVector<int64_t> s(aBatch);
    s.push_back(m);
    s.push_back(n);
    result = reshape(result, s);
  } else {
    auto bcast = [&](Value v, ArrayRef<int64_t> vb, int64_t r, int64_t c) {
      SmallVector<int64_t> full(*batch);
      full.push_back(r);
      full.push_back(c);
      if (vb == ArrayRef<int64_t>(*batch))
        return v;
      return *elementwise(
          {v}, et,
          [](OpBuilder &, Location, ArrayRef<Value> x) { return x[0]; },
          ArrayRef<int64_t>(full));
    };
    Value a3 = reshape(bcast(a, aBatch, m, k), {nb, m, k});
    Value b3 = reshape(bcast(w, bBatch, k, n), {nb, k, n});
    Value init = filled({nb, m, n}, acc, 0);
    result = linalg::BatchMatmulOp::create(b, loc, ValueRange{a3, b3},
                                           ValueRange{init})
                 .getResult(0);
    result = reshape(result, outShape);
  }
  if (narrow)
    result = *elementwise(
        {result}, narrow, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) {
          return arith::TruncFOp::create(nb, l, narrow, v[0]).getResult();
        });
  if (aVec || bVec) {
    SmallVector<int64_t> s(*batch);
    if (!aVec)
      s.push_back(m);
    if (!bVec)
      s.push_back(n);
    result = reshape(result, s);
  }
  return result;
}

Value ImporterBase::convertElem(Value v, Type to, bool fromUnsigned,
                                bool toUnsigned) {
  Type from = v.getType();
  if (from == to)
    return v;
  bool ff = isa<FloatType>(from), tf = isa<FloatType>(to);
  if (to.isInteger(1)) {
    if (ff)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   scalar(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 scalar(from, 0));
  }
  if (ff && tf)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? (Value)arith::ExtFOp::create(b, loc, to, v)
               : (Value)arith::TruncFOp::create(b, loc, to, v);
  if (ff)
    return toUnsigned ? (Value)arith::FPToUIOp::create(b, loc, to, v)
                      : (Value)arith::FPToSIOp::create(b, loc, to, v);
  if (tf)
    return (fromUnsigned || from.isInteger(1))
               ? (Value)arith::UIToFPOp::create(b, loc, to, v)
               : (Value)arith::SIToFPOp::create(b, loc, to, v);
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return (fromUnsigned || from.isInteger(1))
               ? (Value)arith::ExtUIOp::create(b, loc, to, v)
               : (Value)arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

Value ImporterBase::sliceAxis(Value v, int64_t axis, int64_t start,
                              int64_t size, int64_t step) {
  auto st = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offs, sizes, strides;
  for (int64_t i = 0; i < st.getRank(); ++i) {
    offs.push_back(b.getIndexAttr(i == axis ? start : 0));
    sizes.push_back(b.getIndexAttr(i == axis ? size : st.getDimSize(i)));
    strides.push_back(b.getIndexAttr(i == axis ? step : 1));
  }
  return tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides);
}

Value ImporterBase::reverseAxis(Value v, int64_t axis) {
  auto st = cast<RankedTensorType>(v.getType());
  int64_t rank = st.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(i == axis ? b.getAffineConstantExpr(st.getDimSize(i) - 1) -
                                    b.getAffineDimExpr(i)
                              : b.getAffineDimExpr(i));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                 b.getMultiDimIdentityMap(rank)};
  Value init = empty(st.getShape(), st.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{st}, ValueRange{v}, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

Value ImporterBase::pad(Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                        Value padValue) {
  if (llvm::all_of(low, [](int64_t x) { return x == 0; }) &&
      llvm::all_of(high, [](int64_t x) { return x == 0; }))
    return v;
  auto st = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> lo, hi;
  for (int64_t i = 0; i < st.getRank(); ++i) {
    shape.push_back(st.getDimSize(i) + low[i] + high[i]);
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, st.getElementType()), v, lo, hi,
      padValue);
}
