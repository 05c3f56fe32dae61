//===- TokenToLinalg.cpp - Reference lowering of Token ops ---------------===//
//
// Lowers loom.token.{score,prune,merge,restore} to linalg.generic chains on
// tensors. Top-k selection is expressed with ranks
// (rank_i = #{j : s_j > s_i or (s_j == s_i and j < i)}), compaction with
// prefix counts. A gather reads each row at its index clamped into the
// tensor (zero when the index is out of range) and a scatter first inverts
// its indices (pos[i] = the last k with idx[k] == i), so no lowering reads or
// writes outside a tensor whatever the run-time values, and moving rows is
// linear in their size (the selection itself stays quadratic in the
// sequence length: S^2 scalar comparisons, no factor D).
//
// Precondition: verifier-valid ops with static shapes (others are reported
// with notifyMatchFailure).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;

static Value i64Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}

static Value f32Constant(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

static bool allStatic(ValueRange values) {
  return llvm::all_of(values, [](Value v) {
    return !v || cast<RankedTensorType>(v.getType()).hasStaticShape();
  });
}

/// Replaces a NaN f32 score by -inf so that ranks form a strict total order.
static Value sanitizeScore(OpBuilder &b, Location loc, Value x) {
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  return arith::SelectOp::create(
      b, loc, isNan,
      f32Constant(b, loc, -std::numeric_limits<float>::infinity()), x);
}

/// `before(sj, j, si, i)`: token j ranks ahead of token i (higher score, or
/// equal score and lower index).
static Value ranksAhead(OpBuilder &b, Location loc, Value sj, Value j, Value si,
                        Value i) {
  Value greater =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, sj, si);
  Value equal =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sj, si);
  Value lower = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j, i);
  return arith::OrIOp::create(b, loc, greater,
                              arith::AndIOp::create(b, loc, equal, lower));
}

/// `cond ? acc + 1 : acc` on i64.
static Value countIf(OpBuilder &b, Location loc, Value cond, Value acc) {
  return arith::SelectOp::create(
      b, loc, cond, arith::AddIOp::create(b, loc, acc, i64Constant(b, loc, 1)),
      acc);
}

/// The row `r` (an i64 at [b,k] of a linalg body) of `rows [B,S,D]` at
/// column `d` of batch `batch`: read at `r` clamped into [0, S) (so nothing
/// is read outside the tensor whatever the run-time value), zero when `r` is
/// outside [0, S).
static Value readRow(OpBuilder &b, Location loc, Value rows, Value r,
                     Value batch, Value d) {
  auto rowType = cast<RankedTensorType>(rows.getType());
  Type elem = rowType.getElementType();
  int64_t n = rowType.getDimSize(1);
  Value zero64 = i64Constant(b, loc, 0), last = i64Constant(b, loc, n - 1);
  Value inRange = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, r, zero64),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, r, last));
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, r, zero64), last);
  Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), clamped);
  Value v = tensor::ExtractOp::create(b, loc, rows, ValueRange{batch, row, d});
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
  return arith::SelectOp::create(b, loc, inRange, v, zero);
}

/// out[b,k,d] = rows[b, idx[b,k], d]; an index outside [0, S) gives zero.
/// One indexed read per output element (linear in the rows gathered).
static Value gatherRows(OpBuilder &b, Location loc, Value rows, Value idx) {
  MLIRContext *ctx = b.getContext();
  auto rowType = cast<RankedTensorType>(rows.getType());
  auto idxType = cast<RankedTensorType>(idx.getType());
  int64_t batch = rowType.getDimSize(0), depth = rowType.getDimSize(2),
          count = idxType.getDimSize(1);
  Type elem = rowType.getElementType();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  return createGeneric(b, loc, {idx},
                       createFilledTensor(b, loc, {batch, count, depth}, elem,
                                          b.getZeroAttr(elem)),
                       {AffineMap::get(3, 0, {d0, d1}, ctx),
                        AffineMap::get(3, 0, {d0, d1, d2}, ctx)},
                       "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
                         Value bi = linalg::IndexOp::create(nb, nl, 0);
                         Value di = linalg::IndexOp::create(nb, nl, 2);
                         yieldValue(nb, nl,
                                    readRow(nb, nl, rows, args[0], bi, di));
                       });
}

/// Number of earlier positions j < i with flag[b,j] set, per [b,i] (i64).
static Value
prefixCount(OpBuilder &b, Location loc, Value flags,
            function_ref<Value(OpBuilder &, Location, Value, Value)> isSet) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(flags.getType());
  int64_t batch = type.getDimSize(0), n = type.getDimSize(1);
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  return createGeneric(
      b, loc, {flags},
      createFilledTensor(b, loc, {batch, n}, b.getI64Type(),
                         b.getI64IntegerAttr(0)),
      {AffineMap::get(3, 0, {d0, d2}, ctx),
       AffineMap::get(3, 0, {d0, d1}, ctx)},
      "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value i = indexAsI64(nb, nl, 1), j = indexAsI64(nb, nl, 2);
        Value earlier =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, j, i);
        Value cond =
            arith::AndIOp::create(nb, nl, earlier, isSet(nb, nl, args[0], j));
        yieldValue(nb, nl, countIf(nb, nl, cond, args[1]));
      });
}

namespace {

//===----------------------------------------------------------------------===//
// loom.token.score
//===----------------------------------------------------------------------===//

struct TokenScoreLowering : OpConversionPattern<TokenScoreOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TokenScoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!allStatic({op.getInput(), op.getScores()}))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = cast<RankedTensorType>(op.getScores().getType());
    Type f32 = rewriter.getF32Type();
    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);
    Value zeros = createFilledTensor(rewriter, loc, outType.getShape(), f32,
                                     rewriter.getF32FloatAttr(0));
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);

    if (op.getMethod() == TokenScoreMethod::l2norm) {
      // Sum of squares over d, then the square root.
      Value squares = createGeneric(
          rewriter, loc, {input}, zeros,
          {AffineMap::getMultiDimIdentityMap(3, ctx),
           AffineMap::get(3, 0, {d0, d1}, ctx)},
          "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value x = castToF32(nb, nl, args[0]);
            yieldValue(
                nb, nl,
                arith::AddFOp::create(nb, nl, args[1],
                                      arith::MulFOp::create(nb, nl, x, x)));
          });
      Value norms = createGeneric(
          rewriter, loc, {squares},
          createEmptyTensor(rewriter, loc, outType.getShape(), f32), {id2, id2},
          "pp", [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(nb, nl, math::SqrtOp::create(nb, nl, args[0]));
          });
      rewriter.replaceOp(op, norms);
      return success();
    }

    // Loops (b, j, h[, i]): sum the probabilities over heads (and queries),
    // then divide by the number of heads.
    bool clsOnly = op.getMethod() == TokenScoreMethod::cls_attention;
    AffineMap inMap =
        clsOnly ? AffineMap::get(
                      3, 0, {d0, d2, getAffineConstantExpr(0, ctx), d1}, ctx)
                : AffineMap::get(4, 0, {d0, d2, d3, d1}, ctx);
    unsigned loops = clsOnly ? 3 : 4;
    Value sums = createGeneric(
        rewriter, loc, {input}, zeros,
        {inMap, AffineMap::get(loops, 0, {d0, d1}, ctx)},
        clsOnly ? "ppr" : "pprr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     arith::AddFOp::create(nb, nl, args[1],
                                           castToF32(nb, nl, args[0])));
        });
    float heads = static_cast<float>(inType.getDimSize(1));
    Value means = createGeneric(
        rewriter, loc, {sums},
        createEmptyTensor(rewriter, loc, outType.getShape(), f32), {id2, id2},
        "pp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     arith::DivFOp::create(nb, nl, args[0],
                                           f32Constant(nb, nl, heads)));
        });
    rewriter.replaceOp(op, means);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.token.prune
//===----------------------------------------------------------------------===//

struct TokenPruneLowering : OpConversionPattern<TokenPruneOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TokenPruneOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!allStatic(
            {op.getInput(), op.getScores(), op.getKept(), op.getIndices()}))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t batch = inType.getDimSize(0), n = inType.getDimSize(1);
    int64_t keep = op.getKeepCount(n);
    ArrayRef<int64_t> pinned = op.getPinned().value_or(ArrayRef<int64_t>());
    int64_t freeSlots = keep - static_cast<int64_t>(pinned.size());
    Type f32 = rewriter.getF32Type(), i64 = rewriter.getI64Type(),
         i1 = rewriter.getI1Type();
    AffineExpr d0, d1, d2;
    bindDims(ctx, d0, d1, d2);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);

    // Scores in f32 with NaN as -inf.
    Value scores = createGeneric(
        rewriter, loc, {adaptor.getScores()},
        createEmptyTensor(rewriter, loc, {batch, n}, f32), {id2, id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, sanitizeScore(nb, nl, castToF32(nb, nl, args[0])));
        });

    // The pinned set as a constant [S] i1 mask.
    SmallVector<bool> pinnedBits(n, false);
    for (int64_t p : pinned)
      pinnedBits[p] = true;
    auto maskType = RankedTensorType::get({n}, i1);
    Value pinnedMask = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(maskType, ArrayRef(pinnedBits)));

    // rank[b,i]: non-pinned tokens ranking ahead of token i.
    Value ranks = createGeneric(
        rewriter, loc, {scores, scores, pinnedMask},
        createFilledTensor(rewriter, loc, {batch, n}, i64,
                           rewriter.getI64IntegerAttr(0)),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d1}, ctx), AffineMap::get(3, 0, {d2}, ctx),
         AffineMap::get(3, 0, {d0, d1}, ctx)},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value i = indexAsI64(nb, nl, 1), j = indexAsI64(nb, nl, 2);
          Value notPinned = arith::XOrIOp::create(
              nb, nl, args[2],
              arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true)));
          Value ahead = arith::AndIOp::create(
              nb, nl, notPinned, ranksAhead(nb, nl, args[0], j, args[1], i));
          yieldValue(nb, nl, countIf(nb, nl, ahead, args[3]));
        });

    // keep[b,i] = pinned_i or rank_i < K - |pinned|.
    Value keepMask = createGeneric(
        rewriter, loc, {ranks, pinnedMask},
        createEmptyTensor(rewriter, loc, {batch, n}, i1),
        {id2, AffineMap::get(2, 0, {d1}, ctx), id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value top =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, args[0],
                                    i64Constant(nb, nl, freeSlots));
          yieldValue(nb, nl, arith::OrIOp::create(nb, nl, args[1], top));
        });

    // Output slot of each kept token: the number of kept tokens before it.
    Value slots = prefixCount(
        rewriter, loc, keepMask,
        [](OpBuilder &, Location, Value flag, Value) { return flag; });

    // indices[b,k] = the kept token whose slot is k.
    Value indices = createGeneric(
        rewriter, loc, {keepMask, slots},
        createFilledTensor(rewriter, loc, {batch, keep}, i64,
                           rewriter.getI64IntegerAttr(0)),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d1}, ctx)},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value k = indexAsI64(nb, nl, 1), i = indexAsI64(nb, nl, 2);
          Value here = arith::AndIOp::create(
              nb, nl, args[0],
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, args[1],
                                    k));
          yieldValue(nb, nl, arith::SelectOp::create(nb, nl, here, i, args[2]));
        });

    Value kept = gatherRows(rewriter, loc, input, indices);
    rewriter.replaceOp(op, {kept, indices});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.token.merge
//===----------------------------------------------------------------------===//

struct TokenMergeLowering : OpConversionPattern<TokenMergeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TokenMergeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!allStatic({op.getInput(), op.getKeys(), op.getSizes(), op.getMerged(),
                    op.getMergedSizes(), op.getSource()}))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value input = adaptor.getInput();
    Value keys = op.getKeys() ? adaptor.getKeys() : input;
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t batch = inType.getDimSize(0), n = inType.getDimSize(1),
            depth = inType.getDimSize(2);
    int64_t numA = (n + 1) / 2, numB = n / 2, r = op.getR(), out = n - r;
    Type f32 = rewriter.getF32Type(), i64 = rewriter.getI64Type();
    Type elem = inType.getElementType();
    float negInf = -std::numeric_limits<float>::infinity();
    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    // Token index of A member a is 2a, of B member m is 2m + 1.
    AffineExpr tokA = d1 * 2, tokB = d2 * 2 + 1;

    // Key norms [B,S].
    Value squares = createGeneric(
        rewriter, loc, {keys},
        createFilledTensor(rewriter, loc, {batch, n}, f32,
                           rewriter.getF32FloatAttr(0)),
        {id3, AffineMap::get(3, 0, {d0, d1}, ctx)}, "ppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value x = castToF32(nb, nl, args[0]);
          yieldValue(nb, nl,
                     arith::AddFOp::create(
                         nb, nl, args[1], arith::MulFOp::create(nb, nl, x, x)));
        });
    Value norms = createGeneric(
        rewriter, loc, {squares},
        createEmptyTensor(rewriter, loc, {batch, n}, f32), {id2, id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, math::SqrtOp::create(nb, nl, args[0]));
        });

    // dots[b,a,m] = k[b,2a] . k[b,2m+1].
    Value dots = createGeneric(
        rewriter, loc, {keys, keys},
        createFilledTensor(rewriter, loc, {batch, numA, numB}, f32,
                           rewriter.getF32FloatAttr(0)),
        {AffineMap::get(4, 0, {d0, tokA, d3}, ctx),
         AffineMap::get(4, 0, {d0, tokB, d3}, ctx),
         AffineMap::get(4, 0, {d0, d1, d2}, ctx)},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value prod = arith::MulFOp::create(nb, nl, castToF32(nb, nl, args[0]),
                                             castToF32(nb, nl, args[1]));
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
        });

    // Cosine similarity; 0 for a zero vector, -inf for NaN.
    Value sims = createGeneric(
        rewriter, loc, {dots, norms, norms},
        createEmptyTensor(rewriter, loc, {batch, numA, numB}, f32),
        {id3, AffineMap::get(3, 0, {d0, tokA}, ctx),
         AffineMap::get(3, 0, {d0, tokB}, ctx), id3},
        "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value denom = arith::MulFOp::create(nb, nl, args[1], args[2]);
          Value positive = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OGT, denom, f32Constant(nb, nl, 0));
          Value cosine = arith::SelectOp::create(
              nb, nl, positive, arith::DivFOp::create(nb, nl, args[0], denom),
              f32Constant(nb, nl, 0));
          yieldValue(nb, nl, sanitizeScore(nb, nl, cosine));
        });

    // best[b,a] = max_m sims; match[b,a] = the lowest m reaching it.
    AffineMap rowMap = AffineMap::get(3, 0, {d0, d1}, ctx);
    Value best = createGeneric(
        rewriter, loc, {sims},
        createFilledTensor(rewriter, loc, {batch, numA}, f32,
                           rewriter.getF32FloatAttr(negInf)),
        {id3, rowMap}, "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     arith::MaximumFOp::create(nb, nl, args[0], args[1]));
        });
    Value match = createGeneric(
        rewriter, loc, {sims, best},
        createFilledTensor(rewriter, loc, {batch, numA}, i64,
                           rewriter.getI64IntegerAttr(numB)),
        {id3, rowMap, rowMap}, "ppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value m = indexAsI64(nb, nl, 2);
          Value isBest = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OEQ, args[0], args[1]);
          Value lower = arith::MinSIOp::create(nb, nl, args[2], m);
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, isBest, lower, args[2]));
        });

    // rankA[b,a]: A tokens whose best similarity ranks ahead of a's. A
    // protected token 0 ranks behind every other A token (rank numA - 1 >= r)
    // and ahead of none, so the r merged tokens are chosen among the others.
    bool protectFirst = op.getProtectFirst();
    Value ranks = createGeneric(
        rewriter, loc, {best, best},
        createFilledTensor(rewriter, loc, {batch, numA}, i64,
                           rewriter.getI64IntegerAttr(0)),
        {AffineMap::get(3, 0, {d0, d2}, ctx), rowMap, rowMap}, "ppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value a = indexAsI64(nb, nl, 1), other = indexAsI64(nb, nl, 2);
          Value ahead = ranksAhead(nb, nl, args[0], other, args[1], a);
          if (protectFirst) {
            Value zero = i64Constant(nb, nl, 0);
            Value isFirst = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::eq, a, zero);
            Value otherFirst = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::eq, other, zero);
            Value otherNotFirst = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::ne, other, zero);
            // Token 0 counts every other A token as ahead; nobody counts it.
            ahead = arith::SelectOp::create(
                nb, nl, isFirst, otherNotFirst,
                arith::AndIOp::create(
                    nb, nl, ahead,
                    arith::XOrIOp::create(nb, nl, otherFirst,
                                          arith::ConstantOp::create(
                                              nb, nl, nb.getBoolAttr(true)))));
          }
          yieldValue(nb, nl, countIf(nb, nl, ahead, args[2]));
        });

    // target[b,i]: the token that represents token i (itself unless i is a
    // merged A token, then its matched B token).
    AffineMap halfMap = AffineMap::get(2, 0, {d0, d1.floorDiv(2)}, ctx);
    Value targets = createGeneric(
        rewriter, loc, {ranks, match},
        createEmptyTensor(rewriter, loc, {batch, n}, i64),
        {halfMap, halfMap, id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value i = indexAsI64(nb, nl, 1);
          Value isA = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::eq,
              arith::RemSIOp::create(nb, nl, i, i64Constant(nb, nl, 2)),
              i64Constant(nb, nl, 0));
          Value merged = arith::AndIOp::create(
              nb, nl, isA,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, args[0],
                                    i64Constant(nb, nl, r)));
          Value partner = arith::AddIOp::create(
              nb, nl,
              arith::MulIOp::create(nb, nl, args[1], i64Constant(nb, nl, 2)),
              i64Constant(nb, nl, 1));
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, merged, partner, i));
        });

    // Output row of each surviving token: survivors before it.
    Value rows = prefixCount(
        rewriter, loc, targets,
        [](OpBuilder &nb, Location nl, Value target, Value j) -> Value {
          return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, target,
                                       j);
        });

    // source[b,i] = rows[b, target[b,i]].
    Value source = createGeneric(
        rewriter, loc, {targets, rows},
        createFilledTensor(rewriter, loc, {batch, n}, i64,
                           rewriter.getI64IntegerAttr(0)),
        {rowMap, AffineMap::get(3, 0, {d0, d2}, ctx), rowMap}, "ppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value here = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                             args[0], indexAsI64(nb, nl, 2));
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, here, args[1], args[2]));
        });

    Value sizes = op.getSizes()
                      ? adaptor.getSizes()
                      : createFilledTensor(rewriter, loc, {batch, n}, f32,
                                           rewriter.getF32FloatAttr(1));

    // mergedSizes[b,o] = sum of the sizes of the tokens represented by row o.
    Value mergedSizes = createGeneric(
        rewriter, loc, {source, sizes},
        createFilledTensor(rewriter, loc, {batch, out}, f32,
                           rewriter.getF32FloatAttr(0)),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d2}, ctx), rowMap},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value here = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                             args[0], indexAsI64(nb, nl, 1));
          Value sum = arith::AddFOp::create(nb, nl, args[2], args[1]);
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, here, sum, args[2]));
        });

    // Size-weighted sums, then means, in f32. Row o is its surviving token
    // p(o) plus the merged A tokens whose source is o; only the r merged
    // tokens are scanned, so the rows move in O(out * (1 + r) * D).
    // primary[b,o] = the surviving token (target == itself) at output row o.
    Value primary = createGeneric(
        rewriter, loc, {targets, rows},
        createFilledTensor(rewriter, loc, {batch, out}, i64,
                           rewriter.getI64IntegerAttr(-1)),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d2}, ctx), rowMap},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value i = indexAsI64(nb, nl, 2), o = indexAsI64(nb, nl, 1);
          Value here = arith::AndIOp::create(
              nb, nl,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, args[0],
                                    i),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, args[1],
                                    o));
          yieldValue(nb, nl, arith::SelectOp::create(nb, nl, here, i, args[2]));
        });
    // mergedTokens[b,j] = the token 2a of the A token of rank j < r.
    Value mergedTokens = createGeneric(
        rewriter, loc, {ranks},
        createFilledTensor(rewriter, loc, {batch, r}, i64,
                           rewriter.getI64IntegerAttr(0)),
        {AffineMap::get(3, 0, {d0, d2}, ctx), rowMap}, "ppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value here = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                             args[0], indexAsI64(nb, nl, 1));
          Value token = arith::MulIOp::create(nb, nl, indexAsI64(nb, nl, 2),
                                              i64Constant(nb, nl, 2));
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, here, token, args[1]));
        });
    // A token's size and row, read at a clamped index.
    auto tokenIndex = [&](OpBuilder &nb, Location nl, Value token) {
      Value clamped = arith::MinSIOp::create(
          nb, nl, arith::MaxSIOp::create(nb, nl, token, i64Constant(nb, nl, 0)),
          i64Constant(nb, nl, n - 1));
      return arith::IndexCastOp::create(nb, nl, nb.getIndexType(), clamped)
          .getResult();
    };
    auto term = [&](OpBuilder &nb, Location nl, Value token, Value bi,
                    Value di) -> Value {
      Value ti = tokenIndex(nb, nl, token);
      Value size = tensor::ExtractOp::create(nb, nl, sizes, ValueRange{bi, ti});
      Value x =
          tensor::ExtractOp::create(nb, nl, input, ValueRange{bi, ti, di});
      return arith::MulFOp::create(nb, nl, size, castToF32(nb, nl, x));
    };
    Value own = createGeneric(
        rewriter, loc, {primary},
        createEmptyTensor(rewriter, loc, {batch, out, depth}, f32),
        {rowMap, id3}, "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     term(nb, nl, args[0], linalg::IndexOp::create(nb, nl, 0),
                          linalg::IndexOp::create(nb, nl, 2)));
        });
    Value weighted = createGeneric(
        rewriter, loc, {mergedTokens}, own,
        {AffineMap::get(4, 0, {d0, d3}, ctx),
         AffineMap::get(4, 0, {d0, d1, d2}, ctx)},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value bi = linalg::IndexOp::create(nb, nl, 0);
          Value row = tensor::ExtractOp::create(
              nb, nl, source, ValueRange{bi, tokenIndex(nb, nl, args[0])});
          Value here = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                             row, indexAsI64(nb, nl, 1));
          Value sum = arith::AddFOp::create(
              nb, nl, args[1],
              term(nb, nl, args[0], bi, linalg::IndexOp::create(nb, nl, 2)));
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, here, sum, args[1]));
        });
    Value merged = createGeneric(
        rewriter, loc, {weighted, mergedSizes},
        createEmptyTensor(rewriter, loc, {batch, out, depth}, elem),
        {id3, rowMap, id3}, "ppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value mean = arith::DivFOp::create(nb, nl, args[0], args[1]);
          yieldValue(nb, nl, castFromF32(nb, nl, mean, elem));
        });

    rewriter.replaceOp(op, {merged, mergedSizes, source});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.token.restore
//===----------------------------------------------------------------------===//

struct TokenRestoreLowering : OpConversionPattern<TokenRestoreOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TokenRestoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!allStatic({op.getInput(), op.getIndices(), op.getFill(),
                    op.getSource(), op.getResult()}))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value input = adaptor.getInput();

    if (op.getSource()) {
      // out[b,i] = input[b, source[b,i]].
      rewriter.replaceOp(op,
                         gatherRows(rewriter, loc, input, adaptor.getSource()));
      return success();
    }

    // Scatter: out[b,i] = input[b,k] for the last k with indices[b,k] == i,
    // else fill[b,i] (or zero). First the inverse map, pos[b,i] = the
    // largest such k or -1 (B*S*K comparisons), then one row read per
    // output element.
    auto outType = cast<RankedTensorType>(op.getResult().getType());
    Type elem = outType.getElementType();
    int64_t batch = outType.getDimSize(0), n = outType.getDimSize(1);
    Value init = op.getFill()
                     ? adaptor.getFill()
                     : createFilledTensor(rewriter, loc, outType.getShape(),
                                          elem, rewriter.getZeroAttr(elem));
    AffineExpr d0, d1, d2;
    bindDims(ctx, d0, d1, d2);
    Value pos = createGeneric(
        rewriter, loc, {adaptor.getIndices()},
        createFilledTensor(rewriter, loc, {batch, n}, rewriter.getI64Type(),
                           rewriter.getI64IntegerAttr(-1)),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d1}, ctx)},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value match = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                              args[0], indexAsI64(nb, nl, 1));
          Value k = indexAsI64(nb, nl, 2);
          yieldValue(nb, nl,
                     arith::SelectOp::create(
                         nb, nl, match,
                         arith::MaxSIOp::create(nb, nl, k, args[1]), args[1]));
        });
    Value result = createGeneric(
        rewriter, loc, {pos, init}, init,
        {AffineMap::get(3, 0, {d0, d1}, ctx),
         AffineMap::get(3, 0, {d0, d1, d2}, ctx),
         AffineMap::get(3, 0, {d0, d1, d2}, ctx)},
        "ppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value bi = linalg::IndexOp::create(nb, nl, 0);
          Value di = linalg::IndexOp::create(nb, nl, 2);
          Value found = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                              args[0], i64Constant(nb, nl, 0));
          Value v = readRow(nb, nl, input, args[0], bi, di);
          yieldValue(nb, nl,
                     arith::SelectOp::create(nb, nl, found, v, args[1]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::populateTokenToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<TokenScoreLowering, TokenPruneLowering, TokenMergeLowering,
               TokenRestoreLowering>(converter, patterns.getContext());
}
