//===- Gather.cpp - ONNX Gather*, ScatterElements and ScatterND -----------===//
//
// Each gather is one `linalg.generic` over its output that reads the data
// with `tensor.extract`; indices are wrapped (negative) and clamped so that a
// bad index cannot read out of bounds. Gather on constants is folded (shape
// computations).
//
// Each scatter is one `linalg.generic` whose output starts as the data and
// whose reduction dimensions run over the update positions in order: an
// output element combines every update whose (wrapped) index names it, so
// duplicates accumulate and, without a reduction, the last one wins, as in
// onnxruntime. An out-of-range index names no element (it updates nothing)
// instead of writing out of bounds.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class GatherImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opGather(Inputs &in, Outputs &out);
  LogicalResult opGatherND(Inputs &in, Outputs &out);
  LogicalResult opGatherElements(Inputs &in, Outputs &out);
  LogicalResult opScatterElements(Inputs &in, Outputs &out);
  LogicalResult opScatterND(Inputs &in, Outputs &out);

private:
  /// The `reduction` attribute if it is one of `allowed`, else fails.
  FailureOr<std::string> scatterReduction(ArrayRef<StringRef> allowed);
};
} // namespace

/// An ONNX gather index (integer scalar) as an `index` in [0, dimSize):
/// negative indices count from the end, and out-of-range ones are clamped so
/// that a bad index cannot read out of bounds.
static Value wrapAndClampIndex(OpBuilder &nb, Location l, Value index,
                               int64_t dimSize) {
  Value k = arith::IndexCastOp::create(nb, l, nb.getIndexType(), index);
  Value dsz = arith::ConstantIndexOp::create(nb, l, dimSize);
  Value zero = arith::ConstantIndexOp::create(nb, l, 0);
  Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, k, zero);
  k = arith::SelectOp::create(nb, l, neg, arith::AddIOp::create(nb, l, k, dsz),
                              k);
  k = arith::MaxSIOp::create(nb, l, k, zero);
  return arith::MinSIOp::create(
      nb, l, k,
      arith::ConstantIndexOp::create(nb, l, std::max<int64_t>(dimSize - 1, 0)));
}

LogicalResult GatherImporter::opGather(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1];
  int64_t rank = data->type.getRank();
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Type it = idx->type.getElementType();
  if (!it.isInteger(32) && !it.isInteger(64))
    return nodeFail("indices must be int32 or int64");
  auto ds = data->type.getShape(), is = idx->type.getShape();
  int64_t dimSize = ds[axis];
  SmallVector<int64_t> shape(ds.take_front(axis));
  shape.append(is.begin(), is.end());
  shape.append(ds.begin() + axis + 1, ds.end());
  Type et = data->type.getElementType();
  if (data->lit && idx->lit && numel(shape) <= 4096) {
    // Fold (shape computations).
    Bytes bytes(numel(shape) * elemBytes(et));
    auto dst = stridesOf(ds);
    int64_t ni = numel(is), inner = numel(ds.drop_front(axis + 1)),
            outer = numel(ds.take_front(axis));
    int64_t o = 0;
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t j = 0; j < ni; ++j) {
        int64_t k = readInt(*idx->lit, it, j, false);
        if (k < 0)
          k += dimSize;
        if (k < 0 || k >= dimSize)
          return nodeFail(
              llvm::formatv("index {0} out of range [0, {1})", k, dimSize)
                  .str());
        for (int64_t c = 0; c < inner; ++c, ++o) {
          int64_t src = a * dimSize * inner + k * inner + c;
          std::memcpy(bytes.data() + o * elemBytes(et),
                      data->lit->data() + src * elemBytes(et), elemBytes(et));
        }
      }
    (void)dst;
    out.push_back(fromLiteral(RankedTensorType::get(shape, et),
                              std::move(bytes), data->isUnsigned));
    return success();
  }
  if (dimSize == 0 && numel(is) != 0)
    return nodeFail("gathering from an empty axis");
  Value dataV = get(*data), idxV = get(*idx);
  int64_t outRank = shape.size(), q = is.size();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < q; ++i)
    idxExprs.push_back(b.getAffineDimExpr(axis + i));
  SmallVector<AffineMap> maps = {AffineMap::get(outRank, 0, idxExprs, ctx),
                                 b.getMultiDimIdentityMap(outRank)};
  Value init = empty(shape, et);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{idxV}, ValueRange{init},
      maps,
      SmallVector<utils::IteratorType>(outRank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value k = wrapAndClampIndex(nb, l, args[0], dimSize);
        SmallVector<Value> ix;
        for (int64_t i = 0; i < axis; ++i)
          ix.push_back(linalg::IndexOp::create(nb, l, i));
        ix.push_back(k);
        for (int64_t i = axis + 1; i < rank; ++i)
          ix.push_back(linalg::IndexOp::create(nb, l, i - 1 + q));
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, dataV, ix).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

LogicalResult GatherImporter::opGatherND(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1];
  int64_t bd = attrInt("batch_dims", 0);
  auto ds = data->type.getShape(), is = idx->type.getShape();
  int64_t r = ds.size(), q = is.size();
  if (q < 1 || r < 1)
    return nodeFail("data and indices must have rank >= 1");
  int64_t k = is.back();
  if (bd < 0 || bd >= std::min(q, r) || k < 1 || bd + k > r)
    return nodeFail("invalid batch_dims or index depth");
  for (int64_t i = 0; i < bd; ++i)
    if (ds[i] != is[i])
      return nodeFail("batch dimensions of data and indices differ");
  Type it = idx->type.getElementType();
  if (!it.isInteger(64) && !it.isInteger(32))
    return nodeFail("indices must be int32 or int64");
  SmallVector<int64_t> shape(is.drop_back());
  shape.append(ds.begin() + bd + k, ds.end());
  for (int64_t j = 0; j < k; ++j)
    if (ds[bd + j] == 0 && numel(shape) != 0)
      return nodeFail("gathering from an empty axis");
  Type et = data->type.getElementType();
  Value dataV = get(*data), idxV = get(*idx);
  int64_t outRank = shape.size();
  Value init = empty(shape, et);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(outRank)},
      SmallVector<utils::IteratorType>(outRank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> outIdx;
        for (int64_t i = 0; i < outRank; ++i)
          outIdx.push_back(linalg::IndexOp::create(nb, l, i));
        SmallVector<Value> ix(outIdx.begin(), outIdx.begin() + bd);
        for (int64_t j = 0; j < k; ++j) {
          SmallVector<Value> ii(outIdx.begin(), outIdx.begin() + (q - 1));
          ii.push_back(arith::ConstantIndexOp::create(nb, l, j));
          Value v = tensor::ExtractOp::create(nb, l, idxV, ii);
          ix.push_back(wrapAndClampIndex(nb, l, v, ds[bd + j]));
        }
        for (int64_t i = q - 1; i < outRank; ++i)
          ix.push_back(outIdx[i]);
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, dataV, ix).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

LogicalResult GatherImporter::opGatherElements(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1];
  int64_t rank = data->type.getRank();
  if (rank < 1 || idx->type.getRank() != rank)
    return nodeFail("data and indices must have the same rank >= 1");
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Type it = idx->type.getElementType();
  if (!it.isInteger(32) && !it.isInteger(64))
    return nodeFail("indices must be int32 or int64");
  ArrayRef<int64_t> ds = data->type.getShape(), is = idx->type.getShape();
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && is[i] > ds[i])
      return nodeFail(llvm::formatv("indices dimension {0} ({1}) exceeds the "
                                    "data dimension ({2})",
                                    i, is[i], ds[i])
                          .str());
  int64_t dimSize = ds[axis];
  if (dimSize == 0 && numel(is) != 0)
    return nodeFail("gathering from an empty axis");
  Type et = data->type.getElementType();
  Value dataV = get(*data), idxV = get(*idx);
  Value init = empty(is, et);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{idxV}, ValueRange{init},
      SmallVector<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value k = wrapAndClampIndex(nb, l, args[0], dimSize);
        SmallVector<Value> ix;
        for (int64_t i = 0; i < rank; ++i)
          ix.push_back(i == axis ? k : linalg::IndexOp::create(nb, l, i));
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, dataV, ix).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

/// An ONNX scatter index (integer scalar) as an `index`: negative indices
/// count from the end; out-of-range ones stay out of range (they match no
/// output element).
static Value wrapIndex(OpBuilder &nb, Location l, Value index,
                       int64_t dimSize) {
  Value k = arith::IndexCastOp::create(nb, l, nb.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(nb, l, 0);
  Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, k, zero);
  Value dsz = arith::ConstantIndexOp::create(nb, l, dimSize);
  return arith::SelectOp::create(nb, l, neg,
                                 arith::AddIOp::create(nb, l, k, dsz), k);
}

/// `acc` combined with `update` under ONNX scatter `reduction`.
static Value scatterCombine(OpBuilder &nb, Location l, StringRef reduction,
                            Value update, Value acc, bool isUnsigned) {
  if (reduction == "none")
    return update;
  StringRef kind = reduction == "add"   ? "sum"
                   : reduction == "mul" ? "prod"
                                        : reduction;
  return combine(nb, l, kind, update, acc, isUnsigned);
}

FailureOr<std::string>
GatherImporter::scatterReduction(ArrayRef<StringRef> allowed) {
  std::string reduction = attrString("reduction", "none");
  if (!llvm::is_contained(allowed, reduction))
    return nodeFail("unsupported reduction '" + reduction + "' (expected " +
                    llvm::join(allowed, ", ") + ")");
  return reduction;
}

LogicalResult GatherImporter::opScatterElements(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1], *upd = in[2];
  int64_t rank = data->type.getRank();
  if (rank < 1 || idx->type.getRank() != rank)
    return nodeFail("data and indices must have the same rank >= 1");
  if (upd->type.getShape() != idx->type.getShape())
    return nodeFail("updates must have the shape of indices");
  if (upd->type.getElementType() != data->type.getElementType())
    return nodeFail("updates must have the element type of data");
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Type it = idx->type.getElementType();
  if (!it.isInteger(32) && !it.isInteger(64))
    return nodeFail("indices must be int32 or int64");
  auto reduction = scatterReduction({"none", "add", "mul", "max", "min"});
  if (failed(reduction))
    return failure();
  Type et = data->type.getElementType();
  if (et.isInteger(1) && *reduction != "none")
    return nodeFail("reduction '" + *reduction + "' on a bool tensor");
  ArrayRef<int64_t> ds = data->type.getShape(), is = idx->type.getShape();
  SmallVector<int64_t> high(rank, 0);
  bool needPad = false;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == axis)
      continue;
    if (is[i] > ds[i])
      return nodeFail(llvm::formatv("indices dimension {0} ({1}) exceeds the "
                                    "data dimension ({2})",
                                    i, is[i], ds[i])
                          .str());
    high[i] = ds[i] - is[i];
    needPad |= high[i] != 0;
  }
  int64_t dimSize = ds[axis];
  Value idxV = get(*idx), updV = get(*upd), dataV = get(*data);
  if (needPad) {
    // Positions the indices do not cover get an index that names no element.
    SmallVector<int64_t> low(rank, 0);
    idxV = pad(idxV, low, high, intScalar(it, dimSize));
    updV =
        pad(updV, low, high, isFloat(et) ? scalar(et, 0.0) : intScalar(et, 0));
  }
  // Loops: the data dims, then k over the indices' axis (a reduction).
  SmallVector<AffineExpr> inExprs;
  for (int64_t i = 0; i < rank; ++i)
    inExprs.push_back(b.getAffineDimExpr(i == axis ? rank : i));
  AffineMap inMap = AffineMap::get(rank + 1, 0, inExprs, ctx);
  AffineMap outMap =
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  bool isUnsigned = data->isUnsigned;
  StringRef red = *reduction;
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{dataV.getType()}, ValueRange{idxV, updV},
      ValueRange{dataV}, SmallVector<AffineMap>{inMap, inMap, outMap}, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value k = wrapIndex(nb, l, args[0], dimSize);
        Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, k,
                                          linalg::IndexOp::create(nb, l, axis));
        Value next = scatterCombine(nb, l, red, args[1], args[2], isUnsigned);
        linalg::YieldOp::create(
            nb, l,
            arith::SelectOp::create(nb, l, hit, next, args[2]).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

LogicalResult GatherImporter::opScatterND(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1], *upd = in[2];
  ArrayRef<int64_t> ds = data->type.getShape(), is = idx->type.getShape();
  int64_t r = ds.size(), q = is.size();
  if (q < 1 || r < 1)
    return nodeFail("data and indices must have rank >= 1");
  int64_t k = is.back();
  if (k < 1 || k > r)
    return nodeFail(
        llvm::formatv("the index depth {0} must be in [1, {1}]", k, r).str());
  Type it = idx->type.getElementType();
  if (!it.isInteger(64) && !it.isInteger(32))
    return nodeFail("indices must be int32 or int64");
  SmallVector<int64_t> updShape(is.drop_back());
  updShape.append(ds.begin() + k, ds.end());
  if (upd->type.getShape() != ArrayRef<int64_t>(updShape))
    return nodeFail("updates have shape " + shapeStr(upd->type.getShape()) +
                    ", expected " + shapeStr(updShape));
  if (upd->type.getElementType() != data->type.getElementType())
    return nodeFail("updates must have the element type of data");
  auto reduction = scatterReduction({"none", "add", "mul", "max", "min"});
  if (failed(reduction))
    return failure();
  Type et = data->type.getElementType();
  if (et.isInteger(1) && *reduction != "none")
    return nodeFail("reduction '" + *reduction + "' on a bool tensor");
  Value idxV = get(*idx), updV = get(*upd), dataV = get(*data);
  // Loops: the data dims d0..d(r-1), then the update positions m0..m(q-2)
  // (reductions, in order).
  int64_t nm = q - 1, nl = r + nm;
  SmallVector<AffineExpr> updExprs;
  for (int64_t i = 0; i < nm; ++i)
    updExprs.push_back(b.getAffineDimExpr(r + i));
  for (int64_t i = k; i < r; ++i)
    updExprs.push_back(b.getAffineDimExpr(i));
  SmallVector<AffineMap> maps = {
      AffineMap::get(nl, 0, updExprs, ctx),
      AffineMap::getMultiDimIdentityMap(nl, ctx).getMajorSubMap(r)};
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  iters.append(nm, utils::IteratorType::reduction);
  bool isUnsigned = data->isUnsigned;
  StringRef red = *reduction;
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{dataV.getType()}, ValueRange{updV}, ValueRange{dataV},
      maps, iters, [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> pos;
        for (int64_t i = 0; i < nm; ++i)
          pos.push_back(linalg::IndexOp::create(nb, l, r + i));
        Value hit = arith::ConstantIntOp::create(nb, l, 1, 1);
        for (int64_t j = 0; j < k; ++j) {
          SmallVector<Value> ii(pos);
          ii.push_back(arith::ConstantIndexOp::create(nb, l, j));
          Value v = tensor::ExtractOp::create(nb, l, idxV, ii);
          Value eq = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                           wrapIndex(nb, l, v, ds[j]),
                                           linalg::IndexOp::create(nb, l, j));
          hit = arith::AndIOp::create(nb, l, hit, eq);
        }
        Value next = scatterCombine(nb, l, red, args[0], args[1], isUnsigned);
        linalg::YieldOp::create(
            nb, l,
            arith::SelectOp::create(nb, l, hit, next, args[1]).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

LogicalResult mlir::loom::onnx_import::importGather(ImportState &state,
                                                    Inputs &in, Outputs &out) {
  GatherImporter converter(state);
  return converter.opGather(in, out);
}

void mlir::loom::onnx_import::registerGatherOps(ConverterTable &table) {
  table.add("Gather", 2, &GatherImporter::opGather);
  table.add("GatherND", 2, &GatherImporter::opGatherND);
  table.add("GatherElements", 2, &GatherImporter::opGatherElements);
  table.add("ScatterElements", 3, &GatherImporter::opScatterElements);
  table.add("ScatterND", 3, &GatherImporter::opScatterND);
}
