//===- BlockSparseAttentionToLinalg.cpp - Block-sparse lowering -----------===//
//
// Reference lowering of `loom.block_sparse_attention`. Precondition: static
// shapes.
//
// The block selection (the static mask, or the pooled block scores and their
// top-k ranks or cumulative softmax mass) is expanded to an additive 0/-inf
// mask, followed by `loom.attention` with that mask, which the attention
// patterns lower in turn. Invisible blocks are computed and discarded;
// skipping them is the job of target lowerings, not of the reference.
// buildBlockSparseAsMaskedAttention exposes that first step to the CPU
// attention-kernel pass.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;

static Value f32Const(OpBuilder &b, Location loc, float value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

static Value i64Const(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
}

namespace {

struct BlockSparseAttentionOpLowering
    : OpConversionPattern<BlockSparseAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BlockSparseAttentionOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    for (Type type : op->getOperandTypes())
      if (!cast<RankedTensorType>(type).hasStaticShape())
        return rewriter.notifyMatchFailure(op,
                                           "dynamic shapes are not lowered");
    if (!op.getOutput().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    rewriter.replaceOp(op, buildMaskedAttention(rewriter, op,
                                                adaptor.getQuery().front(),
                                                adaptor.getKey().front(),
                                                adaptor.getValue().front()));
    return success();
  }

  /// The block selection as an additive mask and `loom.attention` with it,
  /// built before `op` from the given (converted) operands.
  static Value buildMaskedAttention(OpBuilder &rewriter,
                                    BlockSparseAttentionOp op, Value query,
                                    Value key, Value value) {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType qType = op.getQuery().getType();
    auto kType = cast<RankedTensorType>(op.getKey().getType());
    Type elemType = qType.getElementType();
    int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
            sq = qType.getDimSize(2);
    int64_t skv = kType.getDimSize(2);
    int64_t blockQ = op.getBlockQ(), blockK = op.getBlockK();

    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);

    // The visible blocks, and the map from the mask's loops (b,h,i,j) to them.
    // A static pattern is shared by all batches and heads, so its additive
    // mask is [1,1,Sq,Skv] and loom.attention broadcasts it.
    Value selected;
    AffineMap selectedMap;
    SmallVector<int64_t> maskShape = {b, hq, sq, skv};
    if (std::optional<DenseIntElementsAttr> mask = op.getBlockMask()) {
      selected = arith::ConstantOp::create(rewriter, loc, *mask);
      selectedMap =
          AffineMap::get(4, 0, {d2.floorDiv(blockQ), d3.floorDiv(blockK)}, ctx);
      maskShape = {1, 1, sq, skv};
    } else {
      selected = selectDynamicBlocks(rewriter, loc, op, query, key);
      selectedMap = AffineMap::get(
          4, 0, {d0, d1, d2.floorDiv(blockQ), d3.floorDiv(blockK)}, ctx);
    }

    // Additive mask: 0 where the key's block is selected, -inf elsewhere.
    float negInf = -std::numeric_limits<float>::infinity();
    Value additiveMask = createGeneric(
        rewriter, loc, {selected},
        createEmptyTensor(rewriter, loc, maskShape, elemType),
        {selectedMap, AffineMap::getMultiDimIdentityMap(4, ctx)}, "pppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value masked = arith::SelectOp::create(
              nb, nl, args[0], f32Const(nb, nl, 0), f32Const(nb, nl, negInf));
          yieldValue(nb, nl, castFromF32(nb, nl, masked, elemType));
        });

    auto attention = AttentionOp::create(
        rewriter, loc, TypeRange{op.getOutput().getType()}, query, key, value,
        additiveMask, rewriter.getF32FloatAttr(op.getEffectiveScale()),
        op.getCausal() ? rewriter.getUnitAttr() : UnitAttr(),
        /*window=*/IntegerAttr(), /*sinks=*/IntegerAttr(),
        /*hamming=*/UnitAttr());
    return attention.getOutput();
  }

  /// i1 [B,Hq,NQ,NK]: the key blocks each query block of each head keeps under
  /// dynamic top-k or threshold selection (see the op's description).
  static Value selectDynamicBlocks(OpBuilder &rewriter, Location loc,
                                   BlockSparseAttentionOp op, Value query,
                                   Value key) {
    MLIRContext *ctx = op.getContext();
    RankedTensorType qType = op.getQuery().getType();
    auto kType = cast<RankedTensorType>(op.getKey().getType());
    Type f32 = rewriter.getF32Type();
    int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1),
            sq = qType.getDimSize(2), d = qType.getDimSize(3);
    int64_t hkv = kType.getDimSize(1), skv = kType.getDimSize(2);
    int64_t group = hq / hkv;
    int64_t blockQ = op.getBlockQ(), blockK = op.getBlockK();
    int64_t numQueryBlocks = sq / blockQ, numKeyBlocks = skv / blockK;
    bool causal = op.getCausal();
    AffineExpr d0, d1, d2, d3, d4;
    bindDims(ctx, d0, d1, d2, d3, d4);
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);

    // pooled[b,h,n,c] = mean_r x[b,h,n*block+r,c], reading x as
    // [B,H,numBlocks,block,D] (linalg maps must stay invertible).
    auto meanPool = [&](Value x, int64_t heads, int64_t numBlocks,
                        int64_t block) {
      auto blockedType = RankedTensorType::get(
          {b, heads, numBlocks, block, d},
          cast<RankedTensorType>(x.getType()).getElementType());
      Value blocked = tensor::ExpandShapeOp::create(
          rewriter, loc, blockedType, x,
          ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}, {4}});
      Value sum = createGeneric(
          rewriter, loc, {blocked},
          createFilledTensor(rewriter, loc, {b, heads, numBlocks, d}, f32,
                             rewriter.getF32FloatAttr(0)),
          {selectDims(ctx, 5, {0, 1, 2, 4, 3}),
           selectDims(ctx, 5, {0, 1, 2, 3})},
          "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(nb, nl,
                       arith::AddFOp::create(nb, nl, args[1],
                                             castToF32(nb, nl, args[0])));
          });
      return createGeneric(
          rewriter, loc, {sum},
          createEmptyTensor(rewriter, loc, {b, heads, numBlocks, d}, f32),
          {id4, id4}, "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(nb, nl,
                       arith::DivFOp::create(
                           nb, nl, args[0],
                           f32Const(nb, nl, static_cast<float>(block))));
          });
    };
    Value pooledQ = meanPool(query, hq, numQueryBlocks, blockQ);
    Value pooledK = meanPool(key, hkv, numKeyBlocks, blockK);

    // blockScores[b,h,qb,kb] = pooledQ[b,h,qb,:] . pooledK[b,h/G,kb,:].
    Value blockScores = createGeneric(
        rewriter, loc, {pooledQ, pooledK},
        createFilledTensor(rewriter, loc, {b, hq, numQueryBlocks, numKeyBlocks},
                           f32, rewriter.getF32FloatAttr(0)),
        {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1.floorDiv(group), d3, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value prod = arith::MulFOp::create(nb, nl, args[0], args[1]);
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
        });

    // Position of the last query of query block `qb`, its own key block, and
    // whether key block `kb` may be selected for it.
    auto lastQueryPos = [&](OpBuilder &nb, Location nl, Value qb) {
      Value end = arith::MulIOp::create(
          nb, nl, arith::AddIOp::create(nb, nl, qb, i64Const(nb, nl, 1)),
          i64Const(nb, nl, blockQ));
      return arith::AddIOp::create(nb, nl, end, i64Const(nb, nl, skv - sq - 1))
          .getResult();
    };
    auto ownBlock = [&](OpBuilder &nb, Location nl, Value last) {
      return arith::DivSIOp::create(nb, nl, last, i64Const(nb, nl, blockK))
          .getResult();
    };
    auto isCandidate = [&](OpBuilder &nb, Location nl, Value kb, Value last) {
      if (!causal)
        return arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true))
            .getResult();
      Value start = arith::MulIOp::create(nb, nl, kb, i64Const(nb, nl, blockK));
      return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, start,
                                   last)
          .getResult();
    };

    if (std::optional<APFloat> threshold = op.getThreshold())
      return selectByMass(rewriter, loc, op, blockScores,
                          threshold->convertToFloat(), lastQueryPos, ownBlock,
                          isCandidate);

    // rank[b,h,qb,kb] = number of candidate blocks other than the own block
    // that beat kb (higher score, or equal score and lower index).
    Value ranks = createGeneric(
        rewriter, loc, {blockScores, blockScores},
        createFilledTensor(rewriter, loc, {b, hq, numQueryBlocks, numKeyBlocks},
                           rewriter.getI64Type(),
                           rewriter.getI64IntegerAttr(0)),
        {AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value qb = indexAsI64(nb, nl, 2), kb = indexAsI64(nb, nl, 3),
                other = indexAsI64(nb, nl, 4);
          Value last = lastQueryPos(nb, nl, qb);
          Value notOwn = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne,
                                               other, ownBlock(nb, nl, last));
          Value higher = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OGT, args[1], args[0]);
          Value tie = arith::AndIOp::create(
              nb, nl,
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, args[1],
                                    args[0]),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, other,
                                    kb));
          Value beats = arith::AndIOp::create(
              nb, nl,
              arith::AndIOp::create(nb, nl, notOwn,
                                    isCandidate(nb, nl, other, last)),
              arith::OrIOp::create(nb, nl, higher, tie));
          Value count = arith::ExtUIOp::create(nb, nl, nb.getI64Type(), beats);
          yieldValue(nb, nl, arith::AddIOp::create(nb, nl, args[2], count));
        });

    // Keep the own block and the best topK - 1 other candidates.
    int64_t topK = *op.getTopK();
    return createGeneric(
        rewriter, loc, {ranks},
        createEmptyTensor(rewriter, loc, {b, hq, numQueryBlocks, numKeyBlocks},
                          rewriter.getI1Type()),
        {id4, id4}, "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value qb = indexAsI64(nb, nl, 2), kb = indexAsI64(nb, nl, 3);
          Value last = lastQueryPos(nb, nl, qb);
          Value own = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                            kb, ownBlock(nb, nl, last));
          Value ranked = arith::AndIOp::create(
              nb, nl, isCandidate(nb, nl, kb, last),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, args[0],
                                    i64Const(nb, nl, topK - 1)));
          yieldValue(nb, nl, arith::OrIOp::create(nb, nl, own, ranked));
        });
  }

  /// Threshold selection from the pooled `blockScores`: the softmax of the
  /// scaled scores over the candidates, then each candidate kept iff the mass
  /// of the own block and of the candidates ranked before it is below `t`.
  template <typename LastFn, typename OwnFn, typename CandidateFn>
  static Value selectByMass(OpBuilder &rewriter, Location loc,
                            BlockSparseAttentionOp op, Value blockScores,
                            float threshold, LastFn lastQueryPos,
                            OwnFn ownBlock, CandidateFn isCandidate) {
    MLIRContext *ctx = op.getContext();
    Type f32 = rewriter.getF32Type();
    auto scoresType = cast<RankedTensorType>(blockScores.getType());
    ArrayRef<int64_t> shape = scoresType.getShape();
    SmallVector<int64_t> rowShape(shape.take_front(3));
    float scale = op.getEffectiveScale();
    float negInf = -std::numeric_limits<float>::infinity();
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap rowMap = selectDims(ctx, 4, {0, 1, 2});

    // scaled[b,h,qb,kb] = scale * score for candidates, -inf otherwise.
    Value scaled = createGeneric(
        rewriter, loc, {blockScores},
        createEmptyTensor(rewriter, loc, shape, f32), {id4, id4}, "pppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value last = lastQueryPos(nb, nl, indexAsI64(nb, nl, 2));
          Value score =
              arith::MulFOp::create(nb, nl, args[0], f32Const(nb, nl, scale));
          yieldValue(nb, nl,
                     arith::SelectOp::create(
                         nb, nl,
                         isCandidate(nb, nl, indexAsI64(nb, nl, 3), last),
                         score, f32Const(nb, nl, negInf)));
        });
    // Softmax over the key blocks (the own block is always a candidate, so
    // the maximum is finite and non-candidates get exp(-inf) = 0).
    Value rowMax = createGeneric(
        rewriter, loc, {scaled},
        createFilledTensor(rewriter, loc, rowShape, f32,
                           rewriter.getF32FloatAttr(negInf)),
        {id4, rowMap}, "pppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     arith::MaximumFOp::create(nb, nl, args[0], args[1]));
        });
    Value exps = createGeneric(
        rewriter, loc, {scaled, rowMax},
        createEmptyTensor(rewriter, loc, shape, f32), {id4, rowMap, id4},
        "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(
              nb, nl,
              math::ExpOp::create(
                  nb, nl, arith::SubFOp::create(nb, nl, args[0], args[1])));
        });
    Value rowSum = createGeneric(
        rewriter, loc, {exps},
        createFilledTensor(rewriter, loc, rowShape, f32,
                           rewriter.getF32FloatAttr(0)),
        {id4, rowMap}, "pppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[0], args[1]));
        });
    Value probs = createGeneric(
        rewriter, loc, {exps, rowSum},
        createEmptyTensor(rewriter, loc, shape, f32), {id4, rowMap, id4},
        "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, arith::DivFOp::create(nb, nl, args[0], args[1]));
        });

    // before[b,h,qb,kb] = sum of p[other] over the own block and the blocks
    // ranked before kb (higher scaled score, or equal and lower index), over
    // loops (b,h,qb,kb,other).
    AffineExpr d0, d1, d2, d3, d4;
    bindDims(ctx, d0, d1, d2, d3, d4);
    Value before = createGeneric(
        rewriter, loc, {scaled, scaled, probs},
        createFilledTensor(rewriter, loc, shape, f32,
                           rewriter.getF32FloatAttr(0)),
        {AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
         AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
        "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value kb = indexAsI64(nb, nl, 3), other = indexAsI64(nb, nl, 4);
          Value last = lastQueryPos(nb, nl, indexAsI64(nb, nl, 2));
          Value isOwn = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                              other, ownBlock(nb, nl, last));
          Value higher = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OGT, args[1], args[0]);
          Value tie = arith::AndIOp::create(
              nb, nl,
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, args[1],
                                    args[0]),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, other,
                                    kb));
          Value counts = arith::OrIOp::create(
              nb, nl, isOwn, arith::OrIOp::create(nb, nl, higher, tie));
          Value mass = arith::SelectOp::create(nb, nl, counts, args[2],
                                               f32Const(nb, nl, 0));
          yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[3], mass));
        });

    return createGeneric(
        rewriter, loc, {before},
        createEmptyTensor(rewriter, loc, shape, rewriter.getI1Type()),
        {id4, id4}, "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value kb = indexAsI64(nb, nl, 3);
          Value last = lastQueryPos(nb, nl, indexAsI64(nb, nl, 2));
          Value own = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                            kb, ownBlock(nb, nl, last));
          Value below =
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, args[0],
                                    f32Const(nb, nl, threshold));
          Value kept = arith::AndIOp::create(
              nb, nl, isCandidate(nb, nl, kb, last), below);
          yieldValue(nb, nl, arith::OrIOp::create(nb, nl, own, kept));
        });
  }
};

} // namespace

Value mlir::loom::buildBlockSparseAsMaskedAttention(OpBuilder &builder,
                                                    BlockSparseAttentionOp op) {
  return BlockSparseAttentionOpLowering::buildMaskedAttention(
      builder, op, op.getQuery(), op.getKey(), op.getValue());
}

void mlir::loom::populateBlockSparseAttentionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BlockSparseAttentionOpLowering>(converter,
                                               patterns.getContext());
}
