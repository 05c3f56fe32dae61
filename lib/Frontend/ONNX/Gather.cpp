//===- Gather.cpp - ONNX Gather, GatherND and GatherElements --------------===//
//
// Each gather is one `linalg.generic` over its output that reads the data
// with `tensor.extract`; indices are wrapped (negative) and clamped so that a
// bad index cannot read out of bounds. Gather on constants is folded (shape
// computations).
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

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

void mlir::loom::onnx_import::registerGatherOps(ConverterTable &table) {
  table.add("Gather", 2, &GatherImporter::opGather);
  table.add("GatherND", 2, &GatherImporter::opGatherND);
  table.add("GatherElements", 2, &GatherImporter::opGatherElements);
}
