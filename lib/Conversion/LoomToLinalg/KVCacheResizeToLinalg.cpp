//===- KVCacheResizeToLinalg.cpp - Reference lowering of loom.kv.resize ---===//
//
// Moves the five parts of a cache (KVCacheParts.h) into storage of another
// capacity: the first min(C, C') entries are copied, new entries are those of
// a fresh cache (zero storage, position -1), length and next are unchanged.
// A sequence longer than C' would lose entries: the lowering then calls
// `loom_runtime_error(KVCacheResizeBelowLength)` under an scf.if and yields an
// empty cache of the new capacity.
//
//===----------------------------------------------------------------------===//

#include "KVCacheLowering.h"
#include "KVCacheParts.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"
#include "loom/Runtime/RuntimeErrors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Storage `source` [B,H,C(,X)] moved along dimension 2 into a tensor of
/// capacity `capacity`, new entries filled with `fill`.
Value resizeStorage(OpBuilder &b, Location loc, Value source, int64_t capacity,
                    TypedAttr fill) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t rank = type.getRank();
  int64_t old = type.getDimSize(2);
  SmallVector<int64_t> shape(type.getShape());
  shape[2] = std::min(old, capacity);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : shape)
    sizes.push_back(b.getIndexAttr(size));
  if (capacity <= old)
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), source,
        offsets, sizes, strides);
  SmallVector<int64_t> grown(type.getShape());
  grown[2] = capacity;
  Value dest = createFilledTensor(b, loc, grown, type.getElementType(), fill);
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets, sizes,
                                       strides);
}

struct KVResizeLowering : OpConversionPattern<KVResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVResizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    KVCacheType type = op.getResult().getType();
    FailureOr<func::FuncOp> errorFn = getOrInsertRuntimeErrorFn(rewriter, op);
    if (failed(errorFn))
      return failure();
    KVCacheParts old = KVCacheParts::unpack(adaptor.getCache());
    int64_t capacity = type.getCapacity();
    Type elementType = type.getElementType();
    Type i64 = rewriter.getI64Type();

    // tooLong = any_b (length[b] > C').
    Value tooLongTensor = createGeneric(
        rewriter, loc, {old.length},
        createFilledTensor(rewriter, loc, {}, rewriter.getI1Type(),
                           rewriter.getBoolAttr(false)),
        {AffineMap::getMultiDimIdentityMap(1, ctx), AffineMap::get(1, 0, ctx)},
        "r", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value over =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, args[0],
                                    createI64Constant(nb, nl, capacity));
          yieldValue(nb, nl, arith::OrIOp::create(nb, nl, args[1], over));
        });
    Value tooLong =
        tensor::ExtractOp::create(rewriter, loc, tooLongTensor, ValueRange{});

    auto ifOp = scf::IfOp::create(
        rewriter, loc, tooLong,
        [&](OpBuilder &b, Location l) {
          Value code = arith::ConstantOp::create(
              b, l,
              b.getI32IntegerAttr(static_cast<int32_t>(
                  RuntimeError::KVCacheResizeBelowLength)));
          func::CallOp::create(b, l, *errorFn, ValueRange{code});
          KVCacheParts empty;
          empty.keys = createFilledTensor(b, l, type.getKeyShape(), elementType,
                                          b.getFloatAttr(elementType, 0));
          empty.values =
              createFilledTensor(b, l, type.getValueShape(), elementType,
                                 b.getFloatAttr(elementType, 0));
          empty.positions = createFilledTensor(
              b, l, {type.getBatch(), type.getHeads(), capacity}, i64,
              b.getI64IntegerAttr(-1));
          empty.length = createFilledTensor(b, l, {type.getBatch()}, i64,
                                            b.getI64IntegerAttr(0));
          empty.next = createFilledTensor(b, l, {type.getBatch()}, i64,
                                          b.getI64IntegerAttr(0));
          scf::YieldOp::create(b, l, empty.pack());
        },
        [&](OpBuilder &b, Location l) {
          KVCacheParts parts = old;
          parts.keys = resizeStorage(b, l, old.keys, capacity,
                                     b.getFloatAttr(elementType, 0));
          parts.values = resizeStorage(b, l, old.values, capacity,
                                       b.getFloatAttr(elementType, 0));
          parts.positions = resizeStorage(b, l, old.positions, capacity,
                                          b.getI64IntegerAttr(-1));
          scf::YieldOp::create(b, l, parts.pack());
        });
    rewriter.replaceOpWithMultiple(op, {ifOp.getResults()});
    return success();
  }
};

} // namespace

void mlir::loom::populateKVCacheResizeToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<KVResizeLowering>(converter, patterns.getContext());
}
