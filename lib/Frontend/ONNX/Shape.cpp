//===- Shape.cpp - ONNX shape and data movement ops -----------------------===//
//
// Reshape, Flatten, Squeeze, Unsqueeze (expand/collapse_shape; constants stay
// constants), Transpose, Slice, Concat, Split, Shape and Size (folded to
// constants), Pad and Tile. Shape operands (Reshape's shape, Slice's starts,
// ...) must be constants: every type the importer builds is static.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class ShapeImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opReshapeFamily(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opTranspose(Inputs &in, Outputs &out);
  LogicalResult opSlice(Inputs &in, Outputs &out);
  LogicalResult opConcat(Inputs &in, Outputs &out);
  LogicalResult opSplit(Inputs &in, Outputs &out);
  LogicalResult opPad(Inputs &in, Outputs &out);
  LogicalResult opTile(Inputs &in, Outputs &out);
  LogicalResult opShape(Inputs &in, Outputs &out);
  LogicalResult opSize(Inputs &in, Outputs &out);
};
} // namespace

LogicalResult ShapeImporter::opReshapeFamily(StringRef op, Inputs &in,
                                             Outputs &out) {
  OValue *x = in[0];
  auto shape = x->type.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> target;
  if (op == "Reshape") {
    FailureOr<SmallVector<int64_t>> s =
        constInts(in.size() > 1 ? in[1] : nullptr, "the shape input");
    if (failed(s))
      return failure();
    bool allowZero = attrInt("allowzero", 0);
    int64_t inferIdx = -1, known = 1;
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t d = (*s)[i];
      if (d == 0 && !allowZero) {
        if ((int64_t)i >= rank)
          return nodeFail("shape entry 0 copies a dimension the input lacks");
        d = shape[i];
      }
      if (d == -1) {
        if (inferIdx >= 0)
          return nodeFail("more than one -1 in the shape");
        inferIdx = i;
        target.push_back(1);
        continue;
      }
      if (d < -1)
        return nodeFail(llvm::formatv("invalid shape entry {0}", d).str());
      target.push_back(d);
      known *= d;
    }
    int64_t n = x->type.getNumElements();
    if (inferIdx >= 0) {
      if (known == 0 || n % known != 0)
        return nodeFail("cannot infer the -1 dimension of " + shapeStr(*s) +
                        " for an input of shape " + shapeStr(shape));
      target[inferIdx] = n / known;
    }
  } else if (op == "Flatten") {
    int64_t axis = attrInt("axis", 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis > rank)
      return nodeFail("axis out of range");
    target = {numel(shape.take_front(axis)), numel(shape.drop_front(axis))};
  } else {
    SmallVector<int64_t> axes;
    bool hasAxes = false;
    if (opset >= 13) {
      if (in.size() > 1 && in[1]) {
        FailureOr<SmallVector<int64_t>> a = constInts(in[1], "the axes input");
        if (failed(a))
          return failure();
        axes = *a;
        hasAxes = true;
      }
    } else if (auto a = attrInts("axes")) {
      axes = *a;
      hasAxes = true;
    }
    if (op == "Unsqueeze") {
      if (!hasAxes)
        return nodeFail("missing axes");
      int64_t outRank = rank + axes.size();
      SmallVector<bool> isNew(outRank, false);
      for (int64_t a : axes) {
        int64_t na = normAxis(a, outRank);
        if (na < 0 || isNew[na])
          return nodeFail(llvm::formatv("invalid axis {0}", a).str());
        isNew[na] = true;
      }
      int64_t j = 0;
      for (int64_t i = 0; i < outRank; ++i)
        target.push_back(isNew[i] ? 1 : shape[j++]);
    } else {
      SmallVector<bool> drop(rank, false);
      if (!hasAxes || axes.empty()) {
        for (int64_t i = 0; i < rank; ++i)
          drop[i] = shape[i] == 1;
      } else {
        for (int64_t a : axes) {
          int64_t na = normAxis(a, rank);
          if (na < 0)
            return nodeFail(llvm::formatv("invalid axis {0}", a).str());
          if (shape[na] != 1)
            return nodeFail(llvm::formatv("cannot squeeze axis {0} of size {1}",
                                          a, shape[na])
                                .str());
          drop[na] = true;
        }
      }
      for (int64_t i = 0; i < rank; ++i)
        if (!drop[i])
          target.push_back(shape[i]);
    }
  }
  std::optional<int64_t> n = checkedNumel(target);
  if (!n || *n != x->type.getNumElements())
    return nodeFail("cannot reshape " + shapeStr(shape) + " into " +
                    shapeStr(target));
  auto rt = RankedTensorType::get(target, x->type.getElementType());
  if (x->lit && !x->value) {
    out.push_back(fromLiteral(rt, Bytes(), x->isUnsigned));
    out.back().lit = x->lit;
    return success();
  }
  out.push_back(fromValue(reshape(get(*x), target), x->isUnsigned));
  return success();
}

LogicalResult ShapeImporter::opTranspose(Inputs &in, Outputs &out) {
  int64_t rank = in[0]->type.getRank();
  SmallVector<int64_t> perm;
  if (auto p = attrInts("perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  for (int64_t i = 0; i < (int64_t)sorted.size(); ++i)
    if (sorted[i] != i || (int64_t)perm.size() != rank)
      return nodeFail("perm is not a permutation of the input's dimensions");
  out.push_back(fromValue(transpose(get(*in[0]), perm), in[0]->isUnsigned));
  return success();
}

LogicalResult ShapeImporter::opSlice(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    auto s = attrInts("starts"), e = attrInts("ends");
    if (!s || !e)
      return nodeFail("missing starts/ends");
    starts = *s;
    ends = *e;
    if (auto a = attrInts("axes"))
      axes = *a;
  } else {
    if (in.size() < 3 || !in[1] || !in[2])
      return nodeFail("expects starts and ends inputs");
    auto s = constInts(in[1], "the starts input");
    auto e = constInts(in[2], "the ends input");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (in.size() > 3 && in[3]) {
      auto a = constInts(in[3], "the axes input");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (in.size() > 4 && in[4]) {
      auto st = constInts(in[4], "the steps input");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (starts.size() != ends.size())
    return nodeFail("starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return nodeFail("axes/steps differ in length from starts");
  Value v = get(*x);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normAxis(axes[i], rank);
    if (axis < 0 || seen[axis])
      return nodeFail(llvm::formatv("invalid axis {0}", axes[i]).str());
    seen[axis] = true;
    int64_t dim = x->type.getDimSize(axis);
    int64_t step = steps[i];
    if (step == 0)
      return nodeFail("step 0");
    int64_t s = starts[i], e = ends[i];
    if (s < 0)
      s = s < -dim ? 0 : s + dim;
    if (e < 0)
      e = e < -dim ? -1 : e + dim;
    int64_t size;
    if (step > 0) {
      s = std::clamp(s, (int64_t)0, dim);
      e = std::clamp(e, (int64_t)0, dim);
      size = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp(s, (int64_t)-1, dim - 1);
      e = std::clamp(e, (int64_t)-1, dim - 1);
      size = s > e ? (s - e + (-step) - 1) / (-step) : 0;
    }
    if (step > 0) {
      v = sliceAxis(v, axis, s, size, step);
    } else {
      int64_t low = s - (size - 1) * (-step);
      v = sliceAxis(v, axis, size ? low : 0, size, -step);
      if (size > 1)
        v = reverseAxis(v, axis);
    }
  }
  out.push_back(fromValue(v, x->isUnsigned));
  return success();
}

LogicalResult ShapeImporter::opConcat(Inputs &in, Outputs &out) {
  int64_t rank = in[0]->type.getRank();
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  bool allLit = true;
  int64_t total = 0;
  for (OValue *v : in) {
    if (!v)
      return nodeFail("empty input names are not allowed");
    if (v->type.getRank() != rank ||
        v->type.getElementType() != in[0]->type.getElementType())
      return nodeFail("inputs differ in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v->type.getDimSize(d) != in[0]->type.getDimSize(d))
        return nodeFail("inputs differ in a non-concatenated dimension");
    allLit &= (bool)v->lit;
    total += v->type.getDimSize(axis);
  }
  Type et = in[0]->type.getElementType();
  SmallVector<int64_t> shape(in[0]->type.getShape());
  shape[axis] = total;
  if (allLit && rank == 1) {
    if (failed(checkConstantResult(shape, et)))
      return failure();
    Bytes bytes;
    for (OValue *v : in)
      bytes.insert(bytes.end(), v->lit->begin(), v->lit->end());
    out.push_back(fromLiteral(RankedTensorType::get(shape, et),
                              std::move(bytes), in[0]->isUnsigned));
    return success();
  }
  SmallVector<Value> vals;
  for (OValue *v : in)
    if (v->type.getDimSize(axis) != 0)
      vals.push_back(get(*v));
  if (vals.size() == 1) {
    out.push_back(fromValue(vals[0], in[0]->isUnsigned));
    return success();
  }
  out.push_back(fromValue(tensor::ConcatOp::create(b, loc, axis, vals),
                          in[0]->isUnsigned));
  return success();
}

LogicalResult ShapeImporter::opSplit(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  int64_t dim = x->type.getDimSize(axis);
  int64_t nOut = node->output_size();
  SmallVector<int64_t> sizes;
  if (opset >= 13 && in.size() > 1 && in[1]) {
    auto s = constInts(in[1], "the split input");
    if (failed(s))
      return failure();
    sizes = *s;
  } else if (auto s = attrInts("split")) {
    sizes = *s;
  } else {
    int64_t parts = attrInt("num_outputs", nOut);
    if (parts <= 0)
      return nodeFail("invalid number of outputs");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t i = 0, left = dim; i < parts; ++i, left -= chunk)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, left)));
  }
  if ((int64_t)sizes.size() != nOut)
    return nodeFail("number of split sizes differs from the number of outputs");
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return nodeFail("negative split size");
    sum += s;
  }
  if (sum != dim)
    return nodeFail(
        llvm::formatv("split sizes sum to {0}, axis has {1}", sum, dim).str());
  Value v = get(*x);
  int64_t off = 0;
  for (int64_t s : sizes) {
    out.push_back(fromValue(sliceAxis(v, axis, off, s, 1), x->isUnsigned));
    off += s;
  }
  return success();
}

LogicalResult ShapeImporter::opPad(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  std::string mode = attrString("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return nodeFail("pad mode '" + mode + "' is not supported");
  SmallVector<int64_t> pads;
  double value = 0;
  Value padV;
  if (opset < 11) {
    pads = attrInts("pads").value_or(SmallVector<int64_t>());
    value = attrFloat("value", 0.0f);
  } else {
    auto p = constInts(in.size() > 1 ? in[1] : nullptr, "the pads input");
    if (failed(p))
      return failure();
    pads = *p;
    if (in.size() > 2 && in[2]) {
      auto c = constScalar(in[2], "constant_value");
      if (failed(c))
        return failure();
      value = *c;
    }
  }
  SmallVector<int64_t> axes;
  if (in.size() > 3 && in[3]) {
    auto a = constInts(in[3], "the axes input");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    return nodeFail("pads must have 2 entries per padded axis");
  SmallVector<int64_t> lo(rank, 0), hi(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normAxis(axes[i], rank);
    if (a < 0)
      return nodeFail("axis out of range");
    lo[a] = pads[i];
    hi[a] = pads[i + axes.size()];
    if (lo[a] < 0 || hi[a] < 0)
      return nodeFail("negative pads are not supported");
  }
  if (mode == "constant") {
    padV = scalar(et, value);
    out.push_back(fromValue(pad(get(*x), lo, hi, padV), x->isUnsigned));
    return success();
  }
  // edge / reflect: each output element reads the input at a clamped or
  // mirrored index.
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t n = x->type.getDimSize(i);
    if (mode == "reflect" && (lo[i] >= n || hi[i] >= n) && (lo[i] || hi[i]))
      return nodeFail("reflect pads must be smaller than the dimension");
    if (n == 0 && (lo[i] || hi[i]))
      return nodeFail("cannot edge/reflect-pad an empty dimension");
    shape.push_back(n + lo[i] + hi[i]);
  }
  Value xv = get(*x);
  Value init = empty(shape, et);
  bool reflect = mode == "reflect";
  Value r =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
          SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange) {
            SmallVector<Value> ix;
            for (int64_t i = 0; i < rank; ++i) {
              int64_t n = x->type.getDimSize(i);
              Value idx = linalg::IndexOp::create(nb, l, i);
              Value k = arith::SubIOp::create(
                  nb, l, idx, arith::ConstantIndexOp::create(nb, l, lo[i]));
              Value zero = arith::ConstantIndexOp::create(nb, l, 0);
              Value last = arith::ConstantIndexOp::create(nb, l, n - 1);
              if (reflect) {
                Value neg = arith::SubIOp::create(nb, l, zero, k);
                k = arith::MaxSIOp::create(nb, l, k, neg);
                Value mirror = arith::SubIOp::create(
                    nb, l, arith::ConstantIndexOp::create(nb, l, 2 * (n - 1)),
                    k);
                k = arith::MinSIOp::create(nb, l, k, mirror);
              }
              k = arith::MaxSIOp::create(nb, l, k, zero);
              k = arith::MinSIOp::create(nb, l, k, last);
              ix.push_back(k);
            }
            linalg::YieldOp::create(
                nb, l, tensor::ExtractOp::create(nb, l, xv, ix).getResult());
          })
          .getResult(0);
  out.push_back(fromValue(r, x->isUnsigned));
  return success();
}

LogicalResult ShapeImporter::opTile(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  auto reps = constInts(in[1], "the repeats input");
  if (failed(reps))
    return failure();
  if ((int64_t)reps->size() != rank)
    return nodeFail("repeats must have one entry per dimension");
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    if ((*reps)[i] < 0)
      return nodeFail("negative repeat");
    int64_t d = x->type.getDimSize(i);
    shape.push_back(d * (*reps)[i]);
    exprs.push_back(d == 0 ? b.getAffineConstantExpr(0)
                           : b.getAffineDimExpr(i) % d);
  }
  Type et = x->type.getElementType();
  // Tiling a constant makes a constant (that folding may materialise).
  if ((x->lit || x->splat) && failed(checkConstantResult(shape, et)))
    return failure();
  Value init = empty(shape, et);
  Value r =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{get(*x)},
          ValueRange{init},
          SmallVector<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                                 b.getMultiDimIdentityMap(rank)},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(nb, l, a[0]);
          })
          .getResult(0);
  out.push_back(fromValue(r, x->isUnsigned));
  return success();
}

LogicalResult ShapeImporter::opShape(Inputs &in, Outputs &out) {
  auto shape = in[0]->type.getShape();
  int64_t r = shape.size();
  int64_t s = attrInt("start", 0), e = attrInt("end", r);
  s = std::clamp(s < 0 ? s + r : s, (int64_t)0, r);
  e = std::clamp(e < 0 ? e + r : e, (int64_t)0, r);
  SmallVector<int64_t> v(shape.begin() + s, shape.begin() + std::max(s, e));
  out.push_back(intLiteral({(int64_t)v.size()}, v));
  return success();
}

LogicalResult ShapeImporter::opSize(Inputs &in, Outputs &out) {
  out.push_back(intLiteral({}, {in[0]->type.getNumElements()}));
  return success();
}

void mlir::loom::onnx_import::registerShapeOps(ConverterTable &table) {
  for (StringRef op : {"Reshape", "Unsqueeze", "Squeeze", "Flatten"})
    table.add(op, 1, &ShapeImporter::opReshapeFamily);
  table.add("Transpose", 1, &ShapeImporter::opTranspose);
  table.add("Slice", 1, &ShapeImporter::opSlice);
  table.add("Concat", 1, &ShapeImporter::opConcat);
  table.add("Split", 1, &ShapeImporter::opSplit);
  table.add("Pad", 1, &ShapeImporter::opPad);
  table.add("Tile", 2, &ShapeImporter::opTile);
  table.add("Shape", 1, &ShapeImporter::opShape);
  table.add("Size", 1, &ShapeImporter::opSize);
}
