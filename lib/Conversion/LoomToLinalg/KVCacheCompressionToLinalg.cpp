//===- KVCacheCompressionToLinalg.cpp - Lowering of eviction and merging --===//
//
// Lowers loom.kv.evict (window_sinks, h2o, snapkv) and loom.kv.merge (KVMerger)
// on the five-tensor form of a cache. Both compute a keep mask per
// [batch, head, entry] and then compact the kept entries to the front, in their
// original order. Every step is a linalg.generic over static shapes; ranks,
// prefix counts and compaction are quadratic in the capacity, which is fine for
// a reference whose job is to define the numbers.
//
// Precondition: verifier-valid ops (static shapes, non-quantized caches).
//
//===----------------------------------------------------------------------===//

#include "KVCacheLowering.h"
#include "KVCacheParts.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Builds the pieces of one eviction or merge over a cache of `type`.
class CompressionBuilder {
public:
  CompressionBuilder(OpBuilder &b, Location loc, KVCacheType type)
      : b(b), loc(loc), ctx(b.getContext()), type(type) {
    bindDims(ctx, d0, d1, d2, d3, d4);
  }

  /// Per sequence, the number of entries to keep: `budget`, or
  /// floor(fraction * length) computed in f32.
  Value budget(std::optional<int64_t> count, std::optional<APFloat> fraction,
               Value length) {
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    return createGeneric(
        b, loc, {length},
        createEmptyTensor(b, loc, {type.getBatch()}, b.getI64Type()),
        {id1, id1}, "p", [&](OpBuilder &nb, Location nl, ValueRange args) {
          if (count) {
            yieldValue(nb, nl, createI64Constant(nb, nl, *count));
            return;
          }
          Value f = arith::ConstantOp::create(
              nb, nl, nb.getF32FloatAttr(fraction->convertToFloat()));
          Value len = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), args[0]);
          Value product = math::FloorOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, f, len));
          yieldValue(nb, nl,
                     arith::FPToSIOp::create(nb, nl, nb.getI64Type(), product));
        });
  }

  /// max over the prefix [0, prefixEnd[b]) of scores within `half` entries of
  /// each entry (SnapKV's pooling along the sequence).
  Value maxPool(Value scores, Value prefixEnd, int64_t half) {
    return createGeneric(
        b, loc, {scores, prefixEnd},
        createFilledTensor(
            b, loc, headShape(), b.getF32Type(),
            b.getF32FloatAttr(-std::numeric_limits<float>::infinity())),
        {map4({d0, d1, d3}), map4({d0}), map4({d0, d1, d2})}, "pppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2), i = indexAsI64(nb, nl, 3);
          Value distance =
              math::AbsIOp::create(nb, nl, arith::SubIOp::create(nb, nl, i, j));
          Value near =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, distance,
                                    createI64Constant(nb, nl, half));
          Value inPrefix = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::slt, i, args[1]);
          Value use = arith::AndIOp::create(nb, nl, near, inPrefix);
          Value candidate = arith::MaximumFOp::create(nb, nl, args[2], args[0]);
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, use, candidate, args[2]));
        });
  }

  /// rank[b,h,j] = number of prefix entries i < prefixEnd[b] that beat j:
  /// a larger score, or an equal score and a lower index.
  Value rankInPrefix(Value scores, Value prefixEnd) {
    return createGeneric(
        b, loc, {scores, scores, prefixEnd},
        createFilledTensor(b, loc, headShape(), b.getI64Type(),
                           b.getI64IntegerAttr(0)),
        {map4({d0, d1, d3}), map4({d0, d1, d2}), map4({d0}),
         map4({d0, d1, d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2), i = indexAsI64(nb, nl, 3);
          Value greater = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OGT, args[0], args[1]);
          Value equalBefore = arith::AndIOp::create(
              nb, nl,
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, args[0],
                                    args[1]),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, i, j));
          Value beats = arith::AndIOp::create(
              nb, nl, arith::OrIOp::create(nb, nl, greater, equalBefore),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, i,
                                    args[2]));
          Value one = arith::ExtUIOp::create(nb, nl, nb.getI64Type(), beats);
          yieldValue(nb, nl, arith::AddIOp::create(nb, nl, args[3], one));
        });
  }

  /// min(x[b], bound[b]) or with a constant bound.
  Value minWith(Value x, int64_t bound) {
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    return createGeneric(
        b, loc, {x},
        createEmptyTensor(b, loc, {type.getBatch()}, b.getI64Type()),
        {id1, id1}, "p", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     arith::MinSIOp::create(nb, nl, args[0],
                                            createI64Constant(nb, nl, bound)));
        });
  }
  Value minOf(Value x, Value y) { return combine1D(x, y, /*subtract=*/false); }
  Value subtract(Value x, Value y) {
    return combine1D(x, y, /*subtract=*/true);
  }

  /// Keep mask when the last `tail[b]` entries are kept and, from the prefix
  /// before them, the `budget - head` entries with the lowest `rank` (or, with
  /// no rank, the first `head[b]` entries). Sequences with `length <= budget`
  /// keep everything.
  Value keepMask(Value length, Value budgetPerSeq, Value headCount,
                 Value tailCount, Value rank) {
    SmallVector<Value> inputs = {length, budgetPerSeq, headCount, tailCount};
    SmallVector<AffineMap> maps(4, map3({d0}));
    if (rank) {
      inputs.push_back(rank);
      maps.push_back(AffineMap::getMultiDimIdentityMap(3, ctx));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(3, ctx));
    return createGeneric(
        b, loc, inputs, createEmptyTensor(b, loc, headShape(), b.getI1Type()),
        maps, "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value len = args[0], k = args[1], head = args[2], tail = args[3];
          Value j = indexAsI64(nb, nl, 2);
          auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
            return arith::CmpIOp::create(nb, nl, p, x, y);
          };
          Value valid = cmp(arith::CmpIPredicate::slt, j, len);
          Value fits = cmp(arith::CmpIPredicate::sle, len, k);
          Value inTail = cmp(arith::CmpIPredicate::sge, j,
                             arith::SubIOp::create(nb, nl, len, tail));
          Value inHead = rank ? cmp(arith::CmpIPredicate::slt, args[4], head)
                              : cmp(arith::CmpIPredicate::slt, j, head);
          Value keep = arith::OrIOp::create(
              nb, nl, fits, arith::OrIOp::create(nb, nl, inTail, inHead));
          yieldValue(nb, nl, arith::AndIOp::create(nb, nl, valid, keep));
        });
  }

  /// Moves the kept entries of `storage` ([B,H,C] or [B,H,C,X]) to the front in
  /// their original order; the rest is `fill`.
  Value compact(Value storage, Value keep, TypedAttr fill) {
    if (!destination)
      destination = keptBefore(keep);
    auto storageType = cast<RankedTensorType>(storage.getType());
    bool hasInner = storageType.getRank() == 4;
    // Loops: b, h, c (destination), [x], j (source).
    unsigned n = hasInner ? 5 : 4;
    AffineExpr j = hasInner ? d4 : d3;
    SmallVector<AffineExpr> sourceExprs = {d0, d1, j};
    SmallVector<AffineExpr> outExprs = {d0, d1, d2};
    if (hasInner) {
      sourceExprs.push_back(d3);
      outExprs.push_back(d3);
    }
    return createGeneric(
        b, loc, {storage, keep, destination},
        createFilledTensor(b, loc, storageType.getShape(),
                           storageType.getElementType(), fill),
        {AffineMap::get(n, 0, sourceExprs, ctx),
         AffineMap::get(n, 0, {d0, d1, j}, ctx),
         AffineMap::get(n, 0, {d0, d1, j}, ctx),
         AffineMap::get(n, 0, outExprs, ctx)},
        hasInner ? "ppppr" : "pppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value c = indexAsI64(nb, nl, 2);
          Value here = arith::AndIOp::create(
              nb, nl, args[1],
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, args[2],
                                    c));
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, here, args[0], args[3]));
        });
  }

  /// The compacted cache: kept keys, values and positions, the new length.
  KVCacheParts compactCache(const KVCacheParts &old, Value keys, Value values,
                            Value keep, Value budgetPerSeq) {
    Type elementType = type.getElementType();
    KVCacheParts parts;
    parts.keys = compact(keys, keep, b.getFloatAttr(elementType, 0));
    parts.values = compact(values, keep, b.getFloatAttr(elementType, 0));
    parts.positions = compact(old.positions, keep, b.getI64IntegerAttr(-1));
    parts.length = minOf(old.length, budgetPerSeq);
    parts.next = old.next;
    return parts;
  }

  SmallVector<int64_t> headShape() const {
    return {type.getBatch(), type.getHeads(), type.getCapacity()};
  }
  AffineMap map3(ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(3, 0, exprs, ctx);
  }
  AffineMap map4(ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(4, 0, exprs, ctx);
  }

  OpBuilder &b;
  Location loc;
  MLIRContext *ctx;
  KVCacheType type;
  AffineExpr d0, d1, d2, d3, d4;

private:
  /// dest[b,h,j] = number of kept entries before j.
  Value keptBefore(Value keep) {
    return createGeneric(
        b, loc, {keep},
        createFilledTensor(b, loc, headShape(), b.getI64Type(),
                           b.getI64IntegerAttr(0)),
        {map4({d0, d1, d3}), map4({d0, d1, d2})}, "pppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2), i = indexAsI64(nb, nl, 3);
          Value counts = arith::AndIOp::create(
              nb, nl, args[0],
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, i, j));
          Value one = arith::ExtUIOp::create(nb, nl, nb.getI64Type(), counts);
          yieldValue(nb, nl, arith::AddIOp::create(nb, nl, args[1], one));
        });
  }

  Value combine1D(Value x, Value y, bool isSubtract) {
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    return createGeneric(
        b, loc, {x, y},
        createEmptyTensor(b, loc, {type.getBatch()}, b.getI64Type()),
        {id1, id1, id1}, "p", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value r =
              isSubtract
                  ? arith::SubIOp::create(nb, nl, args[0], args[1]).getResult()
                  : arith::MinSIOp::create(nb, nl, args[0], args[1])
                        .getResult();
          yieldValue(nb, nl, r);
        });
  }

  Value destination;
};

//===----------------------------------------------------------------------===//
// loom.kv.evict
//===----------------------------------------------------------------------===//

struct KVEvictLowering : OpConversionPattern<KVEvictOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVEvictOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    KVCacheType type = op.getCache().getType();
    CompressionBuilder builder(rewriter, loc, type);
    KVCacheParts old = KVCacheParts::unpack(adaptor.getCache());
    Value budget =
        builder.budget(op.getBudget(), op.getBudgetFraction(), old.length);

    Value keep;
    switch (op.getPolicy()) {
    case EvictionPolicy::window_sinks: {
      Value sinks = builder.minWith(budget, op.getSinks().value_or(0));
      Value tail = builder.subtract(budget, sinks);
      keep = builder.keepMask(old.length, budget, sinks, tail, Value());
      break;
    }
    case EvictionPolicy::h2o:
    case EvictionPolicy::snapkv: {
      bool snap = op.getPolicy() == EvictionPolicy::snapkv;
      int64_t protectedCount =
          snap ? *op.getWindow() : op.getRecent().value_or(0);
      Value tail = builder.minWith(budget, protectedCount);
      Value prefixEnd = builder.subtract(old.length, tail);
      Value scores = adaptor.getScores().front();
      if (snap)
        scores =
            builder.maxPool(scores, prefixEnd, op.getKernel().value_or(1) / 2);
      Value rank = builder.rankInPrefix(scores, prefixEnd);
      Value heavy = builder.subtract(budget, tail);
      keep = builder.keepMask(old.length, budget, heavy, tail, rank);
      break;
    }
    }
    KVCacheParts parts =
        builder.compactCache(old, old.keys, old.values, keep, budget);
    SmallVector<SmallVector<Value>> results = {llvm::to_vector(parts.pack())};
    // The operand's (unpooled) scores, aligned with the kept entries.
    if (op.getKeptScores())
      results.push_back({builder.compact(adaptor.getScores().front(), keep,
                                         rewriter.getF32FloatAttr(0))});
    rewriter.replaceOpWithMultiple(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.kv.merge
//===----------------------------------------------------------------------===//

struct KVMergeLowering : OpConversionPattern<KVMergeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVMergeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    KVCacheType type = op.getCache().getType();
    CompressionBuilder cb(rewriter, loc, type);
    KVCacheParts old = KVCacheParts::unpack(adaptor.getCache());
    Value budget =
        cb.budget(op.getBudget(), op.getBudgetFraction(), old.length);

    // 1. The H2O choice: the recent window plus the best-scored prefix entries.
    Value tail = cb.minWith(budget, op.getRecent());
    Value evictableEnd = cb.subtract(old.length, tail);
    Value rank = cb.rankInPrefix(adaptor.getScores().front(), evictableEnd);
    Value keep =
        cb.keepMask(old.length, budget, cb.subtract(budget, tail), tail, rank);

    // 2. Merging sets: owner[j] is the entry j merges into (itself when kept,
    // -1 when evicted).
    Value owner = computeOwners(cb, old, keep, evictableEnd,
                                op.getThreshold().convertToFloat());

    // 3. Gaussian-weighted means of each set.
    float sigma = op.getSigma().convertToFloat();
    Value weights = computeWeights(cb, old.keys, owner, sigma);
    Value keys = weightedMeans(cb, old.keys, owner, weights);
    Value values = weightedMeans(cb, old.values, owner, weights);

    KVCacheParts parts = cb.compactCache(old, keys, values, keep, budget);
    SmallVector<SmallVector<Value>> results = {llvm::to_vector(parts.pack())};
    // A merged entry carries the summed scores of its set.
    if (op.getKeptScores())
      results.push_back(
          {cb.compact(setScores(cb, adaptor.getScores().front(), owner), keep,
                      rewriter.getF32FloatAttr(0))});
    rewriter.replaceOpWithMultiple(op, results);
    return success();
  }

private:
  using Builder = CompressionBuilder;

  /// sums[b,h,p] = sum of scores[b,h,j] over the entries j whose owner is p.
  static Value setScores(Builder &cb, Value scores, Value owner) {
    Type f32 = cb.b.getF32Type();
    return createGeneric(
        cb.b, cb.loc, {scores, owner},
        createFilledTensor(cb.b, cb.loc, cb.headShape(), f32,
                           cb.b.getF32FloatAttr(0)),
        {cb.map4({cb.d0, cb.d1, cb.d3}), cb.map4({cb.d0, cb.d1, cb.d3}),
         cb.map4({cb.d0, cb.d1, cb.d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value mine = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                             args[1], indexAsI64(nb, nl, 2));
          Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
          Value add = arith::SelectOp::create(nb, nl, mine, args[0], zero);
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], add));
        });
  }

  /// Entries of the evictable region (index < evictableEnd) that are kept.
  static Value pivots(Builder &cb, Value keep, Value evictableEnd) {
    return createGeneric(
        cb.b, cb.loc, {keep, evictableEnd},
        createEmptyTensor(cb.b, cb.loc, cb.headShape(), cb.b.getI1Type()),
        {cb.map3({cb.d0, cb.d1, cb.d2}), cb.map3({cb.d0}),
         cb.map3({cb.d0, cb.d1, cb.d2})},
        "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2);
          yieldValue(nb, nl,
                     arith::AndIOp::create(
                         nb, nl, args[0],
                         arith::CmpIOp::create(
                             nb, nl, arith::CmpIPredicate::slt, j, args[1])));
        });
  }

  /// The nearest pivot before (`before`) or after each entry; -1 or C if none.
  static Value nearestPivot(Builder &cb, Value pivot, bool before) {
    int64_t none = before ? -1 : cb.type.getCapacity();
    return createGeneric(
        cb.b, cb.loc, {pivot},
        createFilledTensor(cb.b, cb.loc, cb.headShape(), cb.b.getI64Type(),
                           cb.b.getI64IntegerAttr(none)),
        {cb.map4({cb.d0, cb.d1, cb.d3}), cb.map4({cb.d0, cb.d1, cb.d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2), i = indexAsI64(nb, nl, 3);
          Value side = arith::CmpIOp::create(nb, nl,
                                             before ? arith::CmpIPredicate::slt
                                                    : arith::CmpIPredicate::sgt,
                                             i, j);
          Value candidate = arith::AndIOp::create(nb, nl, args[0], side);
          Value best =
              before ? arith::MaxSIOp::create(nb, nl, args[1], i).getResult()
                     : arith::MinSIOp::create(nb, nl, args[1], i).getResult();
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, candidate, best, args[1]));
        });
  }

  /// Reads storage[b, h, clamp(index), x] inside a generic whose first loops
  /// are b and h.
  static Value readAt(OpBuilder &nb, Location nl, Value storage, Value index,
                      Value inner, int64_t capacity) {
    Value clamped =
        arith::MaxSIOp::create(nb, nl, index, createI64Constant(nb, nl, 0));
    clamped = arith::MinSIOp::create(nb, nl, clamped,
                                     createI64Constant(nb, nl, capacity - 1));
    SmallVector<Value> indices = {
        linalg::IndexOp::create(nb, nl, 0), linalg::IndexOp::create(nb, nl, 1),
        arith::IndexCastOp::create(nb, nl, nb.getIndexType(), clamped)};
    if (inner)
      indices.push_back(inner);
    return castToF32(nb, nl,
                     tensor::ExtractOp::create(nb, nl, storage, indices));
  }

  /// similar[b,h,j] = cos(k_j, k_other[j]) >= threshold (false when other[j]
  /// is not an entry; a zero key has cosine 0 with everything).
  static Value similarTo(Builder &cb, Value keys, Value other,
                         float threshold) {
    int64_t capacity = cb.type.getCapacity();
    Type f32 = cb.b.getF32Type();
    auto reduceOverD = [&](bool selfOnly, bool otherOnly) {
      return createGeneric(
          cb.b, cb.loc, {keys, other},
          createFilledTensor(cb.b, cb.loc, cb.headShape(), f32,
                             cb.b.getF32FloatAttr(0)),
          {cb.map4({cb.d0, cb.d1, cb.d2, cb.d3}),
           cb.map4({cb.d0, cb.d1, cb.d2}), cb.map4({cb.d0, cb.d1, cb.d2})},
          "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value self = castToF32(nb, nl, args[0]);
            Value theirs = readAt(nb, nl, keys, args[1],
                                  linalg::IndexOp::create(nb, nl, 3), capacity);
            Value x = otherOnly ? theirs : self;
            Value y = selfOnly ? self : theirs;
            Value prod = arith::MulFOp::create(nb, nl, x, y);
            yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
          });
    };
    Value dot = reduceOverD(false, false);
    Value selfNorm2 = reduceOverD(true, false);
    Value otherNorm2 = reduceOverD(false, true);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, cb.ctx);
    return createGeneric(
        cb.b, cb.loc, {dot, selfNorm2, otherNorm2, other},
        createEmptyTensor(cb.b, cb.loc, cb.headShape(), cb.b.getI1Type()),
        {id3, id3, id3, id3, id3}, "ppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
          Value denominator = math::SqrtOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, args[1], args[2]));
          Value cosine = arith::SelectOp::create(
              nb, nl,
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                    denominator, zero),
              arith::DivFOp::create(nb, nl, args[0], denominator), zero);
          Value similar = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OGE, cosine,
              arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(threshold)));
          Value isEntry = arith::AndIOp::create(
              nb, nl,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, args[3],
                                    createI64Constant(nb, nl, 0)),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, args[3],
                                    createI64Constant(nb, nl, capacity)));
          yieldValue(nb, nl, arith::AndIOp::create(nb, nl, similar, isEntry));
        });
  }

  /// run[b,h,j] = similar[i] for every i in (pivot[j], j] (right growth) or
  /// in [j, pivot[j]) (left growth).
  static Value unbrokenRun(Builder &cb, Value similar, Value pivot,
                           bool rightGrowth) {
    return createGeneric(
        cb.b, cb.loc, {similar, pivot},
        createFilledTensor(cb.b, cb.loc, cb.headShape(), cb.b.getI1Type(),
                           cb.b.getBoolAttr(true)),
        {cb.map4({cb.d0, cb.d1, cb.d3}), cb.map4({cb.d0, cb.d1, cb.d2}),
         cb.map4({cb.d0, cb.d1, cb.d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2), i = indexAsI64(nb, nl, 3);
          auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
            return arith::CmpIOp::create(nb, nl, p, x, y);
          };
          Value inRun =
              rightGrowth
                  ? arith::AndIOp::create(
                        nb, nl, cmp(arith::CmpIPredicate::sgt, i, args[1]),
                        cmp(arith::CmpIPredicate::sle, i, j))
                  : arith::AndIOp::create(
                        nb, nl, cmp(arith::CmpIPredicate::sge, i, j),
                        cmp(arith::CmpIPredicate::slt, i, args[1]));
          Value broken = arith::AndIOp::create(
              nb, nl, inRun,
              arith::XOrIOp::create(
                  nb, nl, args[0],
                  arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true))));
          Value ok = arith::XOrIOp::create(
              nb, nl, broken,
              arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true)));
          yieldValue(nb, nl, arith::AndIOp::create(nb, nl, args[2], ok));
        });
  }

  static Value computeOwners(Builder &cb, const KVCacheParts &old, Value keep,
                             Value evictableEnd, float threshold) {
    Value pivot = pivots(cb, keep, evictableEnd);
    Value left = nearestPivot(cb, pivot, /*before=*/true);
    Value right = nearestPivot(cb, pivot, /*before=*/false);
    Value rightRun = unbrokenRun(cb, similarTo(cb, old.keys, left, threshold),
                                 left, /*rightGrowth=*/true);
    Value leftRun = unbrokenRun(cb, similarTo(cb, old.keys, right, threshold),
                                right, /*rightGrowth=*/false);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, cb.ctx);
    return createGeneric(
        cb.b, cb.loc, {keep, left, right, rightRun, leftRun, old.length},
        createEmptyTensor(cb.b, cb.loc, cb.headShape(), cb.b.getI64Type()),
        {id3, id3, id3, id3, id3, cb.map3({cb.d0}), id3}, "ppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j = indexAsI64(nb, nl, 2);
          Value isKept = args[0], leftPivot = args[1], rightPivot = args[2];
          auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
            return arith::CmpIOp::create(nb, nl, p, x, y);
          };
          auto all = [&](std::initializer_list<Value> conds) {
            Value r = *conds.begin();
            for (Value c : llvm::drop_begin(conds))
              r = arith::AndIOp::create(nb, nl, r, c);
            return r;
          };
          Value notKept = arith::XOrIOp::create(
              nb, nl, isKept,
              arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true)));
          Value evicted =
              all({notKept, cmp(arith::CmpIPredicate::slt, j, args[5])});
          Value byLeft = all({evicted,
                              cmp(arith::CmpIPredicate::sge, leftPivot,
                                  createI64Constant(nb, nl, 0)),
                              args[3]});
          Value byRight =
              all({evicted,
                   cmp(arith::CmpIPredicate::slt, rightPivot,
                       createI64Constant(nb, nl, cb.type.getCapacity())),
                   args[4]});
          Value none = createI64Constant(nb, nl, -1);
          Value owner = arith::SelectOp::create(
              nb, nl, byLeft, leftPivot,
              arith::SelectOp::create(nb, nl, byRight, rightPivot, none));
          yieldValue(nb, nl, arith::SelectOp::create(nb, nl, isKept, j, owner));
        });
  }

  /// w[b,h,j] = exp(-||k_j - k_owner||^2 / (2 sigma^2)), 0 without an owner.
  static Value computeWeights(Builder &cb, Value keys, Value owner,
                              float sigma) {
    int64_t capacity = cb.type.getCapacity();
    Type f32 = cb.b.getF32Type();
    Value distance2 = createGeneric(
        cb.b, cb.loc, {keys, owner},
        createFilledTensor(cb.b, cb.loc, cb.headShape(), f32,
                           cb.b.getF32FloatAttr(0)),
        {cb.map4({cb.d0, cb.d1, cb.d2, cb.d3}), cb.map4({cb.d0, cb.d1, cb.d2}),
         cb.map4({cb.d0, cb.d1, cb.d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value pivotKey = readAt(nb, nl, keys, args[1],
                                  linalg::IndexOp::create(nb, nl, 3), capacity);
          Value diff = arith::SubFOp::create(nb, nl, castToF32(nb, nl, args[0]),
                                             pivotKey);
          yieldValue(
              nb, nl,
              arith::AddFOp::create(nb, nl, args[2],
                                    arith::MulFOp::create(nb, nl, diff, diff)));
        });
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, cb.ctx);
    return createGeneric(
        cb.b, cb.loc, {distance2, owner},
        createEmptyTensor(cb.b, cb.loc, cb.headShape(), f32), {id3, id3, id3},
        "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value scale = arith::ConstantOp::create(
              nb, nl, nb.getF32FloatAttr(-1.0f / (2.0f * sigma * sigma)));
          Value w = math::ExpOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, args[0], scale));
          Value hasOwner =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, args[1],
                                    createI64Constant(nb, nl, 0));
          yieldValue(
              nb, nl,
              arith::SelectOp::create(
                  nb, nl, hasOwner, w,
                  arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0))));
        });
  }

  /// out[b,h,p,x] = sum_{owner[j] = p} w_j s[j,x] / sum_{owner[j] = p} w_j.
  static Value weightedMeans(Builder &cb, Value storage, Value owner,
                             Value weights) {
    auto storageType = cast<RankedTensorType>(storage.getType());
    Type f32 = cb.b.getF32Type();
    MLIRContext *ctx = cb.ctx;
    AffineExpr d0 = cb.d0, d1 = cb.d1, d2 = cb.d2, d3 = cb.d3, d4 = cb.d4;
    auto belongs = [](OpBuilder &nb, Location nl, Value ownerOfJ) {
      return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, ownerOfJ,
                                   indexAsI64(nb, nl, 2));
    };
    Value weightSums = createGeneric(
        cb.b, cb.loc, {owner, weights},
        createFilledTensor(cb.b, cb.loc, cb.headShape(), f32,
                           cb.b.getF32FloatAttr(0)),
        {cb.map4({d0, d1, d3}), cb.map4({d0, d1, d3}), cb.map4({d0, d1, d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value add = arith::AddFOp::create(nb, nl, args[2], args[1]);
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, belongs(nb, nl, args[0]),
                                             add, args[2]));
        });
    Value sums = createGeneric(
        cb.b, cb.loc, {storage, owner, weights},
        createFilledTensor(cb.b, cb.loc, storageType.getShape(), f32,
                           cb.b.getF32FloatAttr(0)),
        {AffineMap::get(5, 0, {d0, d1, d4, d3}, ctx),
         AffineMap::get(5, 0, {d0, d1, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value term = arith::MulFOp::create(nb, nl, args[2],
                                             castToF32(nb, nl, args[0]));
          Value add = arith::AddFOp::create(nb, nl, args[3], term);
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, belongs(nb, nl, args[1]),
                                             add, args[3]));
        });
    Type elementType = storageType.getElementType();
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    return createGeneric(
        cb.b, cb.loc, {sums, weightSums},
        createEmptyTensor(cb.b, cb.loc, storageType.getShape(), elementType),
        {id4, cb.map4({d0, d1, d2}), id4}, "pppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
          Value mean = arith::SelectOp::create(
              nb, nl,
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, args[1],
                                    zero),
              arith::DivFOp::create(nb, nl, args[0], args[1]), zero);
          yieldValue(nb, nl, castFromF32(nb, nl, mean, elementType));
        });
  }
};

} // namespace

void mlir::loom::populateKVCacheCompressionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<KVEvictLowering, KVMergeLowering>(converter,
                                                 patterns.getContext());
}
