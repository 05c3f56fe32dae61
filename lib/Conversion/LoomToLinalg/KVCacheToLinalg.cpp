//===- KVCacheToLinalg.cpp - Reference lowering of KV cache ops -----------===//
//
// Lowers loom.kv.init, append, the accessors, quantize and dequantize on the
// five-tensor form of a cache (KVCacheParts.h). Eviction and merging live in
// KVCacheCompressionToLinalg.cpp.
//
// Appending past the capacity writes nothing: the lowering calls
// `loom_runtime_error(1)` (RuntimeErrors.h) under an scf.if and yields the
// unchanged cache. Quantized caches hold packed integer codes, f32 scales and
// zero points and a full-precision residual window (KVCacheParts.h); reads
// dequantize on the fly.
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
mlir::loom::getOrInsertRuntimeErrorFn(ConversionPatternRewriter &rewriter,
                                      Operation *op) {
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
    if (type.isQuantized()) {
      initQuantizedStorage(rewriter, loc, type, parts);
    } else {
      parts.keys =
          createFilledTensor(rewriter, loc, type.getKeyShape(), elementType,
                             rewriter.getFloatAttr(elementType, 0));
      parts.values =
          createFilledTensor(rewriter, loc, type.getValueShape(), elementType,
                             rewriter.getFloatAttr(elementType, 0));
    }
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
            appendQuantized(b, l, type, old, newKeys, newValues, tokens, parts);
          scf::YieldOp::create(b, l, parts.pack());
        });
    rewriter.replaceOpWithMultiple(op, {ifOp.getResults()});
    return success();
  }

private:
  /// The quantized storage after appending `tokens` entries to `old`: the
  /// entries from the old quantized prefix on (the old residual, then the new
  /// entries) form a window; its groups that became complete are quantized and
  /// the rest becomes the new residual. `parts` has the new length.
  static void appendQuantized(OpBuilder &b, Location loc, KVCacheType type,
                              const KVCacheParts &old, Value newKeys,
                              Value newValues, int64_t tokens,
                              KVCacheParts &parts) {
    MLIRContext *ctx = b.getContext();
    int64_t group = type.getQuantGroup();
    int64_t residualCapacity = type.getResidualCapacity();
    int64_t width = llvm::divideCeil(residualCapacity + tokens, group) * group;
    Value base = quantizedPrefix(b, loc, type, old.length);
    AffineMap batchMap = selectDims(ctx, 4, {0});
    auto window = [&](Value residual, Value fresh) {
      auto freshType = cast<RankedTensorType>(fresh.getType());
      SmallVector<int64_t> shape(freshType.getShape());
      shape[2] = width;
      Type elementType = freshType.getElementType();
      return createGeneric(
          b, loc, {base, old.length},
          createEmptyTensor(b, loc, shape, elementType),
          {batchMap, batchMap, AffineMap::getMultiDimIdentityMap(4, ctx)},
          "pppp", [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value w = indexAsI64(nb, nl, 2);
            Value c = arith::AddIOp::create(nb, nl, a[0], w);
            Value b0 = linalg::IndexOp::create(nb, nl, 0);
            Value h = linalg::IndexOp::create(nb, nl, 1);
            Value x = linalg::IndexOp::create(nb, nl, 3);
            Value r = clampI64(nb, nl, w, 0, residualCapacity - 1);
            Value t = clampI64(nb, nl, arith::SubIOp::create(nb, nl, c, a[1]),
                               0, tokens - 1);
            Value fromResidual = tensor::ExtractOp::create(
                nb, nl, residual, ValueRange{b0, h, kvIndexCast(nb, nl, r), x});
            Value fromFresh = tensor::ExtractOp::create(
                nb, nl, fresh, ValueRange{b0, h, kvIndexCast(nb, nl, t), x});
            Value inOld = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::slt, c, a[1]);
            Value inNew = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::slt, c,
                arith::AddIOp::create(nb, nl, a[1],
                                      createI64Constant(nb, nl, tokens)));
            Value zero = arith::ConstantOp::create(
                nb, nl, nb.getFloatAttr(elementType, 0));
            yieldValue(
                nb, nl,
                arith::SelectOp::create(
                    nb, nl, inOld, fromResidual,
                    arith::SelectOp::create(nb, nl, inNew, fromFresh, zero)));
          });
    };
    Value keyWindow = window(old.residualKeys, newKeys);
    Value valueWindow = window(old.residualValues, newValues);
    parts.keys = old.keys;
    parts.values = old.values;
    parts.keyScales = old.keyScales;
    parts.keyZeros = old.keyZeros;
    parts.valueScales = old.valueScales;
    parts.valueZeros = old.valueZeros;
    quantizeFromWindows(b, loc, type, parts, keyWindow, valueWindow, base);
  }

  /// Writes `tokens` new entries at each sequence's length (no capacity check);
  /// the key and value storage only of a full-precision cache.
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
                                          kvIndexCast(nb, nl, t),
                                          linalg::IndexOp::create(nb, nl, 3)};
            Value written = tensor::ExtractOp::create(nb, nl, fresh, indices);
            yieldValue(
                nb, nl,
                arith::SelectOp::create(nb, nl, write, written, args[0]));
          });
    };

    KVCacheParts parts;
    if (!type.isQuantized()) {
      parts.keys = writeStorage(old.keys, newKeys);
      parts.values = writeStorage(old.values, newValues);
    }
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
    KVCacheType type = op.getCache().getType();
    Type elementType = type.getElementType();
    Value result;
    // A quantized cache reads as zeros from the length on already.
    if constexpr (std::is_same_v<OpTy, KVKeysOp>)
      result = type.isQuantized()
                   ? readKVCacheEntries(rewriter, loc, type, parts).first
                   : maskInvalidEntries(rewriter, loc, parts.keys, parts.length,
                                        rewriter.getFloatAttr(elementType, 0));
    else if constexpr (std::is_same_v<OpTy, KVValuesOp>)
      result =
          type.isQuantized()
              ? readKVCacheEntries(rewriter, loc, type, parts).second
              : maskInvalidEntries(rewriter, loc, parts.values, parts.length,
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
    KVCacheParts source = KVCacheParts::unpack(adaptor.getCache());
    Value nothingQuantized = createFilledTensor(
        rewriter, loc, {type.getBatch()}, rewriter.getI64Type(),
        rewriter.getI64IntegerAttr(0));
    // The full-precision storage is the window (entry c at c): every
    // complete group before the residual is quantized.
    KVCacheParts parts = source;
    initQuantizedStorage(rewriter, loc, type, parts);
    quantizeFromWindows(rewriter, loc, type, parts, source.keys, source.values,
                        nothingQuantized);
    rewriter.replaceOpWithMultiple(op, {parts.pack()});
    return success();
  }
};

/// Full-precision storage holding what the quantized cache reads as.
struct KVDequantizeLowering : OpConversionPattern<KVDequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVDequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KVCacheParts quantized = KVCacheParts::unpack(adaptor.getCache());
    auto [keys, values] = readKVCacheEntries(
        rewriter, op.getLoc(), op.getCache().getType(), quantized);
    KVCacheParts parts{keys, values, quantized.positions, quantized.length,
                       quantized.next};
    rewriter.replaceOpWithMultiple(op, {parts.pack()});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.kv.project
//===----------------------------------------------------------------------===//

/// result[b,i,t,j] = sum_x input[b,i,t,x] * basis[i / group, x, j] (projecting)
/// or basis[i / group, j, x] (reconstructing), accumulated in f32.
struct KVProjectLowering : OpConversionPattern<KVProjectOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVProjectOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    auto basisType = cast<RankedTensorType>(op.getBasis().getType());
    int64_t group = inputType.getDimSize(1) / basisType.getDimSize(0);
    Type f32 = rewriter.getF32Type();
    // Loops: b, i, t, j (output), x (reduction).
    AffineExpr d0, d1, d2, d3, d4;
    bindDims(ctx, d0, d1, d2, d3, d4);
    AffineExpr head = d1.floorDiv(group);
    AffineMap basisMap = op.getReconstruct()
                             ? AffineMap::get(5, 0, {head, d3, d4}, ctx)
                             : AffineMap::get(5, 0, {head, d4, d3}, ctx);
    Value sum = createGeneric(
        rewriter, loc, {adaptor.getInput().front(), adaptor.getBasis().front()},
        createFilledTensor(rewriter, loc, resultType.getShape(), f32,
                           rewriter.getF32FloatAttr(0)),
        {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx), basisMap,
         AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value product = arith::MulFOp::create(
              nb, nl, castToF32(nb, nl, args[0]), castToF32(nb, nl, args[1]));
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], product));
        });
    Type elementType = resultType.getElementType();
    if (elementType != f32) {
      AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
      sum = createGeneric(
          rewriter, loc, {sum},
          createEmptyTensor(rewriter, loc, resultType.getShape(), elementType),
          {id4, id4}, "pppp", [&](OpBuilder &nb, Location nl, ValueRange a) {
            yieldValue(nb, nl, castFromF32(nb, nl, a[0], elementType));
          });
    }
    rewriter.replaceOp(op, sum);
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
           KVDequantizeLowering, KVProjectLowering>(converter, ctx);
  populateKVCacheCompressionToLinalgPatterns(converter, patterns);
}
