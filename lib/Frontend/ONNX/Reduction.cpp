//===- Reduction.cpp - ONNX reductions, TopK, ArgMax and ArgMin -----------===//
//
// The Reduce* ops as `linalg.reduce` plus elementwise pre/post steps; TopK as
// `loom.topk` (float and signed inputs), ArgMax/ArgMin and unsigned TopK
// through the selection passes of its lowering; CumSum as a masked
// reduction.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class ReductionImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opReduce(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opTopK(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opCumSum(Inputs &in, Outputs &out);
};
} // namespace

LogicalResult ReductionImporter::opReduce(StringRef op, Inputs &in,
                                          Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  bool keep = attrInt("keepdims", 1);
  bool noop = attrInt("noop_with_empty_axes", 0);
  SmallVector<int64_t> axes;
  bool axesFromInput = (op == "ReduceSum" && opset >= 13) || opset >= 18;
  if (axesFromInput) {
    if (in.size() > 1 && in[1]) {
      auto a = constInts(in[1], "the axes input");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else if (auto a = attrInts("axes")) {
    axes = *a;
  }
  if (axes.empty()) {
    if (noop) {
      out.push_back(*x);
      return success();
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &a : axes) {
    int64_t na = normAxis(a, rank);
    if (na < 0)
      return nodeFail(llvm::formatv("axis {0} out of range", a).str());
    a = na;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  int64_t count = 1;
  for (int64_t a : axes)
    count *= x->type.getDimSize(a);
  Value v = get(*x);
  bool f = isFloat(et);
  auto mapEach = [&](Value t,
                     std::function<Value(OpBuilder &, Location, Value)> fn)
      -> FailureOr<Value> {
    return elementwise({t}, et,
                       [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
                         return fn(nb, l, a[0]);
                       });
  };
  auto cst = [&](OpBuilder &nb, Location l, double d) -> Value {
    return f ? (Value)arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d))
             : (Value)arith::ConstantOp::create(
                   nb, l, nb.getIntegerAttr(et, (int64_t)d));
  };
  StringRef kind = "sum";
  if (op == "ReduceSumSquare" || op == "ReduceL2") {
    auto s = mapEach(v, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return f ? (Value)arith::MulFOp::create(nb, l, a, a)
               : (Value)arith::MulIOp::create(nb, l, a, a);
    });
    if (failed(s))
      return failure();
    v = *s;
  } else if (op == "ReduceL1") {
    auto s = mapEach(v, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return f ? (Value)math::AbsFOp::create(nb, l, a)
               : (Value)math::AbsIOp::create(nb, l, a);
    });
    if (failed(s))
      return failure();
    v = *s;
  } else if (op == "ReduceLogSumExp") {
    if (!f)
      return nodeFail("expects a floating-point input");
    auto s = mapEach(v, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return math::ExpOp::create(nb, l, a);
    });
    if (failed(s))
      return failure();
    v = *s;
  } else if (op == "ReduceMax") {
    kind = "max";
  } else if (op == "ReduceMin") {
    kind = "min";
  } else if (op == "ReduceProd") {
    kind = "prod";
  } else if (op != "ReduceSum" && op != "ReduceMean" && op != "ReduceLogSum") {
    return fail(llvm::formatv("unsupported op '{0}' (node '{1}', opset {2})",
                              op, node->name(), opset)
                    .str());
  }
  Value r = reduce(v, axes, keep, kind);
  if (op == "ReduceMean") {
    auto s = mapEach(r, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return f ? (Value)arith::DivFOp::create(nb, l, a, cst(nb, l, count))
               : (Value)arith::DivSIOp::create(nb, l, a, cst(nb, l, count));
    });
    if (failed(s))
      return failure();
    r = *s;
  } else if (op == "ReduceL2" || op == "ReduceLogSum" ||
             op == "ReduceLogSumExp") {
    if (!f)
      return nodeFail("expects a floating-point input");
    auto s = mapEach(r, [&](OpBuilder &nb, Location l, Value a) -> Value {
      if (op == "ReduceL2")
        return math::SqrtOp::create(nb, l, a);
      return math::LogOp::create(nb, l, a);
    });
    if (failed(s))
      return failure();
    r = *s;
  }
  out.push_back(fromValue(r, x->isUnsigned));
  return success();
}

/// TopK (and ArgMax/ArgMin) by k selection passes: pass j picks, along the
/// axis, the best element not chosen by passes 0..j-1 (ties: lower index).
LogicalResult ReductionImporter::opTopK(StringRef op, Inputs &in,
                                        Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  auto shape = x->type.getShape();
  int64_t axis = normAxis(attrInt("axis", op == "TopK" ? -1 : 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  int64_t k = 1;
  bool largest = op == "ArgMax" || (op == "TopK" && attrInt("largest", 1));
  if (op == "TopK") {
    if (opset >= 10) {
      if (in.size() < 2 || !in[1])
        return nodeFail("missing K input");
      auto kv = constInts(in[1], "the K input");
      if (failed(kv))
        return failure();
      if (kv->size() != 1)
        return nodeFail("K must have one element");
      k = (*kv)[0];
    } else {
      k = attrInt("k", 1);
    }
    if (k < 0 || k > shape[axis])
      return nodeFail(
          llvm::formatv("K={0} out of range for axis size {1}", k, shape[axis])
              .str());
  }
  if (op == "TopK" && k == 0)
    return nodeFail("K=0 is not supported");
  bool isU = x->isUnsigned;
  if (!isFloat(et) && (!et.isSignlessInteger() || et.isInteger(1)))
    return nodeFail("expects a numeric (not bool) input");
  Value xv = get(*x);
  // TopK on floats and signed integers is loom.topk (MoE raising matches it);
  // ArgMax/ArgMin (with keepdims and select_last_index) and unsigned TopK use
  // the same selection passes directly.
  if (op == "TopK" && !isU) {
    SmallVector<int64_t> outShape(shape);
    outShape[axis] = k;
    auto top = loom::TopKOp::create(
        b, loc, RankedTensorType::get(outShape, et),
        RankedTensorType::get(outShape, b.getI64Type()), xv,
        b.getI64IntegerAttr(k), b.getI64IntegerAttr(axis),
        largest ? UnitAttr() : b.getUnitAttr());
    out.push_back(fromValue(top.getValues(), isU));
    out.push_back(fromValue(top.getIndices()));
    return success();
  }
  loom::TopKOrder order;
  order.largest = largest;
  order.unsignedCompare = isU;
  order.lastIndexOnTies = attrInt("select_last_index", 0);
  loom::TopKSelection sel =
      loom::buildTopKSelection(b, loc, xv, axis, k, order);
  if (op != "TopK") {
    SmallVector<int64_t> keepShape(shape);
    keepShape[axis] = 1;
    bool keep = attrInt("keepdims", 1);
    out.push_back(
        fromValue(keep ? reshape(sel.indices[0], keepShape) : sel.indices[0]));
    return success();
  }
  out.push_back(
      fromValue(loom::concatTopKParts(b, loc, sel.values, axis), isU));
  out.push_back(fromValue(loom::concatTopKParts(b, loc, sel.indices, axis)));
  return success();
}

/// CumSum as one `linalg.generic` over [x dims..., j] where j, a reduction
/// dimension, runs over the summed axis: out[.., i, ..] accumulates
/// x[.., j, ..] for j <= i (j < i exclusive; j >= i, j > i reversed). This is
/// quadratic in the axis length but stays one structured op that tiles and
/// parallelises over every other dimension.
LogicalResult ReductionImporter::opCumSum(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  if (rank < 1)
    return nodeFail("the input must have rank >= 1");
  Type et = x->type.getElementType();
  if (et.isInteger(1))
    return nodeFail("expects a numeric (not bool) input");
  if (!in[1]->lit)
    return nodeFail("the axis input is not a constant");
  if (in[1]->type.getNumElements() != 1)
    return nodeFail("the axis input must be a scalar");
  auto axisVals = constInts(in[1], "the axis input");
  if (failed(axisVals))
    return failure();
  int64_t axis = normAxis((*axisVals)[0], rank);
  if (axis < 0)
    return nodeFail(llvm::formatv("axis {0} out of range for rank {1}",
                                  (*axisVals)[0], rank)
                        .str());
  int64_t exclusive = attrInt("exclusive", 0), reverse = attrInt("reverse", 0);
  if ((exclusive != 0 && exclusive != 1) || (reverse != 0 && reverse != 1))
    return nodeFail("exclusive and reverse must be 0 or 1");
  Value xv = get(*x);
  ArrayRef<int64_t> shape = x->type.getShape();
  SmallVector<AffineExpr> inExprs;
  for (int64_t i = 0; i < rank; ++i)
    inExprs.push_back(b.getAffineDimExpr(i == axis ? rank : i));
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank + 1, 0, inExprs, ctx),
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  arith::CmpIPredicate pred =
      reverse
          ? (exclusive ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::sge)
          : (exclusive ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle);
  Value init = filled(shape, et, 0.0);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{xv}, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value i = linalg::IndexOp::create(nb, l, axis);
        Value j = linalg::IndexOp::create(nb, l, rank);
        Value take = arith::CmpIOp::create(nb, l, pred, j, i);
        Value sum = combine(nb, l, "sum", args[0], args[1]);
        linalg::YieldOp::create(
            nb, l,
            arith::SelectOp::create(nb, l, take, sum, args[1]).getResult());
      });
  out.push_back(fromValue(op.getResult(0), x->isUnsigned));
  return success();
}

void mlir::loom::onnx_import::registerReductionOps(ConverterTable &table) {
  for (StringRef op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
                       "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare",
                       "ReduceLogSum", "ReduceLogSumExp"})
    table.add(op, 1, &ReductionImporter::opReduce);
  for (StringRef op : {"TopK", "ArgMax", "ArgMin"})
    table.add(op, 1, &ReductionImporter::opTopK);
  table.add("CumSum", 2, &ReductionImporter::opCumSum);
}
