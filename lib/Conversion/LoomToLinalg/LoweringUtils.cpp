//===- LoweringUtils.cpp - Builders shared by the reference lowering
//-------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;

Value mlir::loom::createEmptyTensor(OpBuilder &b, Location loc,
                                    ArrayRef<int64_t> shape, Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value mlir::loom::createFilledTensor(OpBuilder &b, Location loc,
                                     ArrayRef<int64_t> shape, Type elementType,
                                     TypedAttr fill) {
  Value empty = createEmptyTensor(b, loc, shape, elementType);
  Value cst = arith::ConstantOp::create(b, loc, fill);
  return linalg::FillOp::create(b, loc, cst, empty).getResult(0);
}

Value mlir::loom::createGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                                Value init, ArrayRef<AffineMap> maps,
                                StringRef iterators, GenericBody body) {
  SmallVector<utils::IteratorType> iters;
  for (char c : iterators)
    iters.push_back(c == 'r' ? utils::IteratorType::reduction
                             : utils::IteratorType::parallel);
  auto generic =
      linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, inputs,
                                ValueRange{init}, maps, iters, body);
  return generic.getResult(0);
}

AffineMap mlir::loom::selectDims(MLIRContext *ctx, unsigned numDims,
                                 ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

Value mlir::loom::castToF32(OpBuilder &b, Location loc, Value v) {
  Type f32 = b.getF32Type();
  unsigned width = v.getType().getIntOrFloatBitWidth();
  if (v.getType() == f32)
    return v;
  if (width < 32)
    return arith::ExtFOp::create(b, loc, f32, v);
  return arith::TruncFOp::create(b, loc, f32, v);
}

Value mlir::loom::castFromF32(OpBuilder &b, Location loc, Value v, Type type) {
  if (type == v.getType())
    return v;
  if (type.getIntOrFloatBitWidth() < 32)
    return arith::TruncFOp::create(b, loc, type, v);
  return arith::ExtFOp::create(b, loc, type, v);
}

Value mlir::loom::indexAsI64(OpBuilder &b, Location loc, unsigned dim) {
  Value idx = linalg::IndexOp::create(b, loc, dim);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
}

void mlir::loom::yieldValue(OpBuilder &b, Location loc, Value value) {
  linalg::YieldOp::create(b, loc, value);
}
