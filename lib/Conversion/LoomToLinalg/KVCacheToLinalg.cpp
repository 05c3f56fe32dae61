//===- KVCacheToLinalg.cpp - Reference lowering of KV cache ops -----------===//
//
// Lowers loom.kv.init, append, the accessors, quantize and dequantize on the
// five-tensor form of a cache (KVCacheParts.h). Eviction and merging live in
// KVCacheCompressionToLinalg.cpp.
//
// Appending past the capacity writes nothing: the lowering calls
// `loom_runtime_error(1)` (RuntimeErrors.h) under an scf.if and yields the
// unchanged cache. Quantized caches hold dequantized values (fake
// quantization), which is numerically what reading a packed cache gives.
//
// Preconditions: verifier-valid ops (static shapes) inside a builtin.module
// (append declares the runtime-error function there).
//
//===----------------------------------------------------------------------===//

#include "KVCacheLowering.h"
#include "KVCacheParts.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"
#include "loom/Runtime/RuntimeErrors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;

Value mlir::loom::createI64Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
}

FailureOr<func::FuncOp>
mlir::loom::getOrInsertRuntimeErrorFn(ConversionPatternRewriter &rewriter, Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(op, "not inside a builtin.module");
  MLIRContext *ctx = op->getContext();
  auto fnType =
      FunctionType::get(ctx, {IntegerType::get(ctx, 32)}, TypeRange{});
  if (Operation *existing =
          SymbolTable::lookupSymbolIn(module, kRuntimeErrorFnName)) {
    auto fn = dyn_cast<func::FuncOp>(existing);
    if (!fn || fn.getFunctionType() != fnType) {
      // Not a pattern mismatch but malformed input: say why the op stays.
      op->emitError() << "cannot report capacity errors: symbol '"
                      << kRuntimeErrorFnName << "' must be a func.func of type "
                      << fnType;
      return failure();
    }
    return fn;
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(rewriter, module.getLoc(), kRuntimeErrorFnName,
                                 fnType);
  fn.setPrivate();
  return fn;
}

/// `value` (an i64) as an index.
static Value toIndex(OpBuilder &b, Location loc, Value value) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

/// Per sequence, the number of leading tokens of a cache of `length` entries
/// that are stored quantized: whole groups before the last `residual` tokens.
static Value quantizedPrefix(OpBuilder &b, Location loc, KVCacheType type,
                             Value length) {
  MLIRContext *ctx = b.getContext();
  int64_t batch = type.getBatch(), group = type.getQuantGroup(),
          residual = type.getQuantResidual();
  AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
  return createGeneric(
      b, loc, {length}, createEmptyTensor(b, loc, {batch}, b.getI64Type()),
      {id1, id1}, "p", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value zero = createI64Constant(nb, nl, 0);
        Value unquantized = arith::SubIOp::create(
            nb, nl, args[0], createI64Constant(nb, nl, residual));
        unquantized = arith::MaxSIOp::create(nb, nl, unquantized, zero);
        Value groups = arith::DivSIOp::create(nb, nl, unquantized,
                                              createI64Constant(nb, nl, group));
        yieldValue(nb, nl,
                   arith::MulIOp::create(nb, nl, groups,
                                         createI64Constant(nb, nl, group)));
      });
}

/// Fake-quantizes `x` with the group's minimum `lo` and maximum `hi` (all f32)
/// to `bits` bits, asymmetric: q = clamp(roundeven((x - lo) / scale)).
static Value fakeQuantize(OpBuilder &b, Location loc, Value x, Value lo,
                          Value hi, unsigned bits) {
  float levels = static_cast<float>((1u << bits) - 1);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value maxLevel = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(levels));
  Value scale = arith::DivFOp::create(
      b, loc, arith::SubFOp::create(b, loc, hi, lo), maxLevel);
  Value q = math::RoundEvenOp::create(
      b, loc,
      arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, x, lo),
                            scale));
  q = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, q, zero), maxLevel);
  Value dequantized = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, q, scale), lo);
  // A constant group (scale 0) reads back exactly.
  Value constant =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, zero);
  return arith::SelectOp::create(b, loc, constant, lo, dequantized);
}

/// Reduces `storage` [B,H,C,X] over groups of `group` entries along dimension
/// `dim` (2: tokens, 3: channels) with min or max, in f32.
static Value groupExtremum(OpBuilder &b, Location loc, Value storage,
                           unsigned dim, int64_t group, bool isMax) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(storage.getType());
  SmallVector<int64_t> expanded(type.getShape());
  expanded[dim] /= group;
  expanded.insert(expanded.begin() + dim + 1, group);
  SmallVector<ReassociationIndices> reassociation = {{0}, {1}, {2}, {3}};
  reassociation[dim] = {dim, dim + 1};
  for (unsigned i = dim + 1; i < 4; ++i)
    reassociation[i] = {i + 1};
  Value grouped = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(expanded, type.getElementType()), storage,
      reassociation);
  SmallVector<int64_t> reducedShape(type.getShape());
  reducedShape[dim] /= group;
  float init = isMax ? -std::numeric_limits<float>::infinity()
                     : std::numeric_limits<float>::infinity();
  SmallVector<unsigned> outDims;
  std::string iterators;
  for (unsigned i = 0; i < 5; ++i) {
    if (i == dim + 1) {
      iterators += 'r';
      continue;
    }
    iterators += 'p';
    outDims.push_back(i);
  }
  return createGeneric(
      b, loc, {grouped},
      createFilledTensor(b, loc, reducedShape, b.getF32Type(),
                         b.getF32FloatAttr(init)),
      {AffineMap::getMultiDimIdentityMap(5, ctx), selectDims(ctx, 5, outDims)},
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = castToF32(nb, nl, args[0]);
        Value r =
            isMax ? arith::MaximumFOp::create(nb, nl, x, args[1]).getResult()
                  : arith::MinimumFOp::create(nb, nl, x, args[1]).getResult();
        yieldValue(nb, nl, r);
      });
}

/// Fake-quantizes the tokens in [from[b], to[b]) of `storage` [B,H,C,X]; groups
/// run along `dim` (2: keys, per channel; 3: values, per token).
static Value quantizeTokens(OpBuilder &b, Location loc, Value storage,
                            unsigned dim, KVCacheType type, Value from,
                            Value to) {
  MLIRContext *ctx = b.getContext();
  int64_t group = type.getQuantGroup();
  unsigned bits = type.getQuantBits();
  Value lo = groupExtremum(b, loc, storage, dim, group, /*isMax=*/false);
  Value hi = groupExtremum(b, loc, storage, dim, group, /*isMax=*/true);
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  SmallVector<AffineExpr> groupExprs = {d0, d1, d2, d3};
  groupExprs[dim] = groupExprs[dim].floorDiv(group);
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap groupMap = AffineMap::get(4, 0, groupExprs, ctx);
  AffineMap batchMap = AffineMap::get(4, 0, {d0}, ctx);
  Type elementType = type.getElementType();
  auto storageType = cast<RankedTensorType>(storage.getType());
  return createGeneric(
      b, loc, {storage, lo, hi, from, to},
      createEmptyTensor(b, loc, storageType.getShape(), elementType),
      {id4, groupMap, groupMap, batchMap, batchMap, id4}, "pppp",
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value token = indexAsI64(nb, nl, 2);
        Value inRange = arith::AndIOp::create(
            nb, nl,
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, token,
                                  args[3]),
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, token,
                                  args[4]));
        Value quantized =
            castFromF32(nb, nl,
                        fakeQuantize(nb, nl, castToF32(nb, nl, args[0]),
                                     args[1], args[2], bits),
                        elementType);
        yieldValue(
            nb, nl,
            arith::SelectOp::create(nb, nl, inRange, quantized, args[0]));
      });
}

/// Quantizes the groups of `parts` that became complete when the length went
/// from `oldLength` to `parts.length` (both [B] i64).
static void quantizeNewGroups(OpBuilder &b, Location loc, KVCacheType type,
                              KVCacheParts &parts, Value oldLength) {
  Value from = quantizedPrefix(b, loc, type, oldLength);
  Value to = quantizedPrefix(b, loc, type, parts.length);
  parts.keys = quantizeTokens(b, loc, parts.keys, 2, type, from, to);
  parts.values = quantizeTokens(b, loc, parts.values, 3, type, from, to);
}

namespace {

//===----------------------------------------------------------------------===//
// loom.kv.init
//===----------------------------------------------------------------------===//

struct KVInitLowering : OpConversionPattern<KVInitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVInitOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    KVCacheType type = op.getResult().getType();
    Type elementType = type.getElementType();
    Type i64 = rewriter.getI64Type();
    KVCacheParts parts;
    parts.keys =
        createFilledTensor(rewriter, loc, type.getKeyShape(), elementType,
                           rewriter.getFloatAttr(elementType, 0));
    parts.values =
        createFilledTensor(rewriter, loc, type.getValueShape(), elementType,
                           rewriter.getFloatAttr(elementType, 0));
    parts.positions = createFilledTensor(
        rewriter, loc, {type.getBatch(), type.getHeads(), type.getCapacity()},
        i64, rewriter.getI64IntegerAttr(-1));
    parts.length = createFilledTensor(rewriter, loc, {type.getBatch()}, i64,
                                      rewriter.getI64IntegerAttr(0));
    parts.next = createFilledTensor(rewriter, loc, {type.getBatch()}, i64,
                                    rewriter.getI64IntegerAttr(0));
    rewriter.replaceOpWithMultiple(op, {parts.pack()});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.kv.append
//===----------------------------------------------------------------------===//

struct KVAppendLowering : OpConversionPattern<KVAppendOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVAppendOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    KVCacheType type = op.getCache().getType();
    FailureOr<func::FuncOp> errorFn = getOrInsertRuntimeErrorFn(rewriter, op);
    if (failed(errorFn))
      return failure();

    KVCacheParts old = KVCacheParts::unpack(adaptor.getCache());
    Value newKeys = adaptor.getKey().front();
    Value newValues = adaptor.getValue().front();
    int64_t capacity = type.getCapacity();
    int64_t tokens = op.getKey().getType().getDimSize(2);

    // overflow = any_b (length[b] + T > C).
    Value overflowTensor = createGeneric(
        rewriter, loc, {old.length},
        createFilledTensor(rewriter, loc, {}, rewriter.getI1Type(),
                           rewriter.getBoolAttr(false)),
        {AffineMap::getMultiDimIdentityMap(1, ctx), AffineMap::get(1, 0, ctx)},
        "r", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value end = arith::AddIOp::create(nb, nl, args[0],
                                            createI64Constant(nb, nl, tokens));
          Value over =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, end,
                                    createI64Constant(nb, nl, capacity));
          yieldValue(nb, nl, arith::OrIOp::create(nb, nl, args[1], over));
        });
    Value overflow =
        tensor::ExtractOp::create(rewriter, loc, overflowTensor, ValueRange{});

    auto ifOp = scf::IfOp::create(
        rewriter, loc, overflow,
        [&](OpBuilder &b, Location l) {
          Value code = arith::ConstantOp::create(
              b, l,
              b.getI32IntegerAttr(
                  static_cast<int32_t>(RuntimeError::KVCacheCapacityExceeded)));
          func::CallOp::create(b, l, *errorFn, ValueRange{code});
          scf::YieldOp::create(b, l, old.pack());
        },
        [&](OpBuilder &b, Location l) {
          KVCacheParts parts =
              appendEntries(b, l, type, old, newKeys, newValues, tokens);
          if (type.isQuantized())
            quantizeNewGroups(b, l, type, parts, old.length);
          scf::YieldOp::create(b, l, parts.pack());
        });
    rewriter.replaceOpWithMultiple(op, {ifOp.getResults()});
    return success();
  }

private:
  /// Writes `tokens` new entries at each sequence's length (no capacity check).
  static KVCacheParts appendEntries(OpBuilder &b, Location loc,
                                    KVCacheType type, const KVCacheParts &old,
                                    Value newKeys, Value newValues,
                                    int64_t tokens) {
    MLIRContext *ctx = b.getContext();
    AffineExpr d0;
    bindDims(ctx, d0);
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);

    // True when entry `c` of a sequence of `length` entries is being written.
    auto isNew = [&](OpBuilder &nb, Location nl, Value c, Value length) {
      Value end = arith::AddIOp::create(nb, nl, length,
                                        createI64Constant(nb, nl, tokens));
      return arith::AndIOp::create(
          nb, nl,
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, c, length),
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, c, end));
    };
    // storage[b,h,c,x] = new[b,h,c - length[b],x] where c is being written.
    auto writeStorage = [&](Value storage, Value fresh) {
      auto type = cast<RankedTensorType>(storage.getType());
      return createGeneric(
          b, loc, {storage, old.length},
          createEmptyTensor(b, loc, type.getShape(), type.getElementType()),
          {id4, AffineMap::get(4, 0, {d0}, ctx), id4}, "pppp",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value c = indexAsI64(nb, nl, 2);
            Value write = isNew(nb, nl, c, args[1]);
            // Clamp so the read stays in bounds when nothing is written.
            Value t = arith::SubIOp::create(nb, nl, c, args[1]);
            t = arith::MaxSIOp::create(nb, nl, t, createI64Constant(nb, nl, 0));
            t = arith::MinSIOp::create(nb, nl, t,
                                       createI64Constant(nb, nl, tokens - 1));
            SmallVector<Value> indices = {linalg::IndexOp::create(nb, nl, 0),
                                          linalg::IndexOp::create(nb, nl, 1),
                                          toIndex(nb, nl, t),
                                          linalg::IndexOp::create(nb, nl, 3)};
            Value written = tensor::ExtractOp::create(nb, nl, fresh, indices);
            yieldValue(
                nb, nl,
                arith::SelectOp::create(nb, nl, write, written, args[0]));
          });
    };

    KVCacheParts parts;
    parts.keys = writeStorage(old.keys, newKeys);
    parts.values = writeStorage(old.values, newValues);
    auto positionsType = cast<RankedTensorType>(old.positions.getType());
    AffineMap batchOf3 = AffineMap::get(3, 0, {d0}, ctx);
    parts.positions = createGeneric(
        b, loc, {old.positions, old.length, old.next},
        createEmptyTensor(b, loc, positionsType.getShape(), b.getI64Type()),
        {id3, batchOf3, batchOf3, id3}, "ppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value c = indexAsI64(nb, nl, 2);
          Value position = arith::AddIOp::create(
              nb, nl, args[2], arith::SubIOp::create(nb, nl, c, args[1]));
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, isNew(nb, nl, c, args[1]),
                                             position, args[0]));
        });
    auto advance = [&](Value counter) {
      return createGeneric(
          b, loc, {counter},
          createEmptyTensor(b, loc, {type.getBatch()}, b.getI64Type()),
          {id1, id1}, "p", [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(nb, nl,
                       arith::AddIOp::create(
                           nb, nl, args[0], createI64Constant(nb, nl, tokens)));
          });
    };
    parts.length = advance(old.length);
    parts.next = advance(old.next);
    return parts;
  }
};

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

/// Masks entries at or beyond the length: `storage` is [B,H,C(,X)].
static Value maskInvalidEntries(OpBuilder &b, Location loc, Value storage,
                                Value length, TypedAttr fill) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(storage.getType());
  unsigned rank = type.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  return createGeneric(
      b, loc, {storage, length},
      createEmptyTensor(b, loc, type.getShape(), type.getElementType()),
      {id, selectDims(ctx, rank, {0}), id}, std::string(rank, 'p'),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value valid = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                            indexAsI64(nb, nl, 2), args[1]);
        Value filler = arith::ConstantOp::create(nb, nl, fill);
        yieldValue(nb, nl,
                   arith::SelectOp::create(nb, nl, valid, args[0], filler));
      });
}

template <typename OpTy> struct KVAccessorLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OneToNOpAdaptor = typename OpConversionPattern<OpTy>::OneToNOpAdaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    KVCacheParts parts = KVCacheParts::unpack(adaptor.getCache());
    Type elementType = op.getCache().getType().getElementType();
    Value result;
    if constexpr (std::is_same_v<OpTy, KVKeysOp>)
      result = maskInvalidEntries(rewriter, loc, parts.keys, parts.length,
                                  rewriter.getFloatAttr(elementType, 0));
    else if constexpr (std::is_same_v<OpTy, KVValuesOp>)
      result = maskInvalidEntries(rewriter, loc, parts.values, parts.length,
                                  rewriter.getFloatAttr(elementType, 0));
    else if constexpr (std::is_same_v<OpTy, KVPositionsOp>)
      result = maskInvalidEntries(rewriter, loc, parts.positions, parts.length,
                                  rewriter.getI64IntegerAttr(-1));
    else
      result = parts.length;
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.kv.quantize / loom.kv.dequantize
//===----------------------------------------------------------------------===//

struct KVQuantizeLowering : OpConversionPattern<KVQuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVQuantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    KVCacheType type = op.getResult().getType();
    KVCacheParts parts = KVCacheParts::unpack(adaptor.getCache());
    Value nothingQuantized = createFilledTensor(
        rewriter, loc, {type.getBatch()}, rewriter.getI64Type(),
        rewriter.getI64IntegerAttr(0));
    // Quantizing from an empty prefix: every complete group is new.
    quantizeNewGroups(rewriter, loc, type, parts, nothingQuantized);
    rewriter.replaceOpWithMultiple(op, {parts.pack()});
    return success();
  }
};

/// The storage already holds what a quantized cache reads back as.
struct KVDequantizeLowering : OpConversionPattern<KVDequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVDequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithMultiple(op, {llvm::to_vector(adaptor.getCache())});
    return success();
  }
};

} // namespace

void mlir::loom::populateKVCacheToLinalgPatterns(const TypeConverter &converter,
                                                 RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns
      .add<KVInitLowering, KVAppendLowering, KVAccessorLowering<KVKeysOp>,
           KVAccessorLowering<KVValuesOp>, KVAccessorLowering<KVPositionsOp>,
           KVAccessorLowering<KVLengthOp>, KVQuantizeLowering,
           KVDequantizeLowering>(converter, ctx);
  populateKVCacheCompressionToLinalgPatterns(converter, patterns);
}
