//===- TensorToLinalg.cpp - Reference lowering of the tensor utility ops --===//
//
// loom.topk as k selection passes along the axis, each one linalg.generic
// reduction producing (value, index): pass j keeps the best element that no
// earlier pass took, so the k results come out sorted. O(k * n), which is what
// small k (routers, pruning) need; a sort-based lowering can replace it for
// large k.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom;

TopKSelection mlir::loom::buildTopKSelection(OpBuilder &b, Location loc,
                                             Value input, int64_t axis,
                                             int64_t k,
                                             const TopKOrder &order) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  Type et = type.getElementType(), i64 = b.getI64Type();
  bool isFloat = isa<FloatType>(et);
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> redShape;
  SmallVector<AffineExpr> redExprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis) {
      redShape.push_back(type.getDimSize(i));
      redExprs.push_back(getAffineDimExpr(i, ctx));
    }
  AffineMap redMap = AffineMap::get(rank, 0, redExprs, ctx);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters[axis] = utils::IteratorType::reduction;
  TypedAttr zero = isFloat ? TypedAttr(b.getFloatAttr(et, 0))
                           : TypedAttr(b.getIntegerAttr(et, 0));

  TopKSelection sel;
  for (int64_t j = 0; j < k; ++j) {
    SmallVector<Value> ins = {input};
    ins.append(sel.indices.begin(), sel.indices.end());
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
    maps.append(j + 2, redMap);
    Value vInit = createFilledTensor(b, loc, redShape, et, zero);
    Value iInit =
        createFilledTensor(b, loc, redShape, i64, b.getI64IntegerAttr(-1));
    auto g = linalg::GenericOp::create(
        b, loc, TypeRange{vInit.getType(), iInit.getType()}, ins,
        ValueRange{vInit, iInit}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value v = a[0], accV = a[a.size() - 2], accI = a[a.size() - 1];
          Value i = indexAsI64(nb, l, axis);
          Value excluded =
              arith::ConstantOp::create(nb, l, nb.getBoolAttr(false));
          for (int64_t p = 0; p < j; ++p)
            excluded = arith::OrIOp::create(
                nb, l, excluded,
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i,
                                      a[1 + p]));
          Value better, equal;
          if (isFloat) {
            // NaN ranks above every number.
            using P = arith::CmpFPredicate;
            Value vNaN = arith::CmpFOp::create(nb, l, P::UNO, v, v);
            Value aNaN = arith::CmpFOp::create(nb, l, P::UNO, accV, accV);
            Value t = arith::ConstantOp::create(nb, l, nb.getBoolAttr(true));
            Value nanWins =
                order.largest
                    ? arith::AndIOp::create(
                          nb, l, vNaN, arith::XOrIOp::create(nb, l, aNaN, t))
                    : arith::AndIOp::create(
                          nb, l, aNaN, arith::XOrIOp::create(nb, l, vNaN, t));
            better = arith::OrIOp::create(
                nb, l, nanWins,
                arith::CmpFOp::create(nb, l, order.largest ? P::OGT : P::OLT, v,
                                      accV));
            equal = arith::OrIOp::create(
                nb, l, arith::AndIOp::create(nb, l, vNaN, aNaN),
                arith::CmpFOp::create(nb, l, P::OEQ, v, accV));
          } else {
            using P = arith::CmpIPredicate;
            P pred = order.largest ? (order.unsignedCompare ? P::ugt : P::sgt)
                                   : (order.unsignedCompare ? P::ult : P::slt);
            better = arith::CmpIOp::create(nb, l, pred, v, accV);
            equal = arith::CmpIOp::create(nb, l, P::eq, v, accV);
          }
          Value tieWins = arith::CmpIOp::create(nb, l,
                                                order.lastIndexOnTies
                                                    ? arith::CmpIPredicate::sgt
                                                    : arith::CmpIPredicate::slt,
                                                i, accI);
          Value none = arith::CmpIOp::create(
              nb, l, arith::CmpIPredicate::slt, accI,
              arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0)));
          Value take = arith::OrIOp::create(
              nb, l, none,
              arith::OrIOp::create(
                  nb, l, better, arith::AndIOp::create(nb, l, equal, tieWins)));
          Value keep = arith::XOrIOp::create(
              nb, l, excluded,
              arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
          take = arith::AndIOp::create(nb, l, take, keep);
          linalg::YieldOp::create(
              nb, l,
              ValueRange{arith::SelectOp::create(nb, l, take, v, accV),
                         arith::SelectOp::create(nb, l, take, i, accI)});
        });
    sel.values.push_back(g.getResult(0));
    sel.indices.push_back(g.getResult(1));
  }
  return sel;
}

/// `part` (the input shape without `axis`) with a unit dimension at `axis`.
static Value insertUnitDim(OpBuilder &b, Location loc, Value part,
                           int64_t axis) {
  auto type = cast<RankedTensorType>(part.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + axis, 1);
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, r = type.getRank(); i < r; ++i)
    groups.push_back({i < axis ? i : i + 1});
  if (!groups.empty()) {
    // The unit dim joins its neighbour's group.
    if (axis == 0)
      groups.front().insert(groups.front().begin(), 0);
    else
      groups[axis - 1].push_back(axis);
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), part,
      groups);
}

Value mlir::loom::concatTopKParts(OpBuilder &b, Location loc,
                                  ArrayRef<Value> parts, int64_t axis) {
  SmallVector<Value> kept;
  for (Value p : parts)
    kept.push_back(insertUnitDim(b, loc, p, axis));
  if (kept.size() == 1)
    return kept.front();
  return tensor::ConcatOp::create(b, loc, axis, kept);
}

namespace {
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!cast<RankedTensorType>(op.getInput().getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    int64_t axis = op.getNormalizedAxis();
    TopKOrder order;
    order.largest = !op.getSmallest();
    TopKSelection sel = buildTopKSelection(
        rewriter, op.getLoc(), adaptor.getInput(), axis, op.getK(), order);
    rewriter.replaceOp(
        op, {concatTopKParts(rewriter, op.getLoc(), sel.values, axis),
             concatTopKParts(rewriter, op.getLoc(), sel.indices, axis)});
    return success();
  }
};
} // namespace

void mlir::loom::populateTensorOpsToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TopKLowering>(converter, patterns.getContext());
}
