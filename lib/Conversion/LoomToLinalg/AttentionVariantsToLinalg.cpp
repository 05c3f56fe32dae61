//===- AttentionVariantsToLinalg.cpp - Linear attention lowering ----------===//
//
// Reference lowering of `loom.linear_attention`. Precondition: static shapes.
//
// Linear attention becomes linalg.generic ops in f32: the feature maps, the key
// sums `sum_j phi(k_j)^T v_j` and `sum_j phi(k_j)` (seeded with the carried
// state, which are also the state results), and then either the projection of
// phi(q) on those sums (non-causal) or, for causal, the exact quadratic form
// `sum_{j<=i} (phi(q_i) . phi(k_j)) v_j` plus the projection of phi(q) on the
// carried state. The quadratic form is the reference, not a fast path: one
// chunk of the chunked algorithm with the whole call as the chunk.
// (Block-sparse attention: BlockSparseAttentionToLinalg.cpp; angular
// attention: AngularAttentionToLinalg.cpp.)
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

using namespace mlir;
using namespace mlir::loom;

static Value f32Const(OpBuilder &b, Location loc, float value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

/// phi(x) of an f32 scalar.
static Value applyFeatureMap(OpBuilder &b, Location loc, FeatureMap kind,
                             Value x) {
  switch (kind) {
  case FeatureMap::identity:
    return x;
  case FeatureMap::relu:
    return arith::MaximumFOp::create(b, loc, x, f32Const(b, loc, 0));
  case FeatureMap::elu_plus_one: {
    // elu(x) + 1 = x + 1 for x > 0, exp(x) otherwise. exp of the clamped value
    // keeps the unused branch finite.
    Value zero = f32Const(b, loc, 0);
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    Value linear = arith::AddFOp::create(b, loc, x, f32Const(b, loc, 1));
    Value exp =
        math::ExpOp::create(b, loc, arith::MinimumFOp::create(b, loc, x, zero));
    return arith::SelectOp::create(b, loc, positive, linear, exp);
  }
  }
  llvm_unreachable("unknown feature map");
}

namespace {

struct LinearAttentionOpLowering : OpConversionPattern<LinearAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LinearAttentionOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    for (Type type : op->getOperandTypes())
      if (!cast<RankedTensorType>(type).hasStaticShape())
        return rewriter.notifyMatchFailure(op,
                                           "dynamic shapes are not lowered");
    for (Type type : op->getResultTypes())
      if (!cast<RankedTensorType>(type).hasStaticShape())
        return rewriter.notifyMatchFailure(op,
                                           "dynamic shapes are not lowered");

    RankedTensorType qType = op.getQuery().getType();
    auto kType = cast<RankedTensorType>(op.getKey().getType());
    Type elemType = qType.getElementType();
    Type f32 = rewriter.getF32Type();
    int64_t b = qType.getDimSize(0), h = qType.getDimSize(1),
            s = qType.getDimSize(2), d = qType.getDimSize(3);
    int64_t skv = kType.getDimSize(2);
    int64_t dv = op.getOutput().getType().getDimSize(3);
    FeatureMap kind = op.getFeatureMap();
    float eps = op.getEps().convertToFloat();
    bool causal = op.getCausal();

    Value query = adaptor.getQuery().front();
    Value key = adaptor.getKey().front();
    Value value = adaptor.getValue().front();
    Value stateIn, normalizerIn;
    if (op.hasState()) {
      ValueRange state = adaptor.getInitialState()[0];
      ValueRange normalizer = adaptor.getInitialState()[1];
      stateIn = state.front();
      normalizerIn = normalizer.front();
    }

    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    auto zeros = [&](ArrayRef<int64_t> shape) {
      return createFilledTensor(rewriter, loc, shape, f32,
                                rewriter.getF32FloatAttr(0));
    };
    auto featureMapOf = [&](Value x, ArrayRef<int64_t> shape) {
      return createGeneric(
          rewriter, loc, {x}, createEmptyTensor(rewriter, loc, shape, f32),
          {id4, id4}, "pppp", [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(
                nb, nl,
                applyFeatureMap(nb, nl, kind, castToF32(nb, nl, args[0])));
          });
    };
    Value phiQ = featureMapOf(query, {b, h, s, d});
    Value phiK = featureMapOf(key, {b, h, skv, d});

    auto multiplyAdd = [](OpBuilder &nb, Location nl, ValueRange args) {
      Value prod = arith::MulFOp::create(nb, nl, castToF32(nb, nl, args[0]),
                                         castToF32(nb, nl, args[1]));
      yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
    };
    auto add = [](OpBuilder &nb, Location nl, ValueRange args) {
      yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[0], args[1]));
    };

    // kv[b,h,d,e] = S_in[b,h,d,e] + sum_j phi(k)[b,h,j,d] * v[b,h,j,e].
    Value kvSum = createGeneric(
        rewriter, loc, {phiK, value}, stateIn ? stateIn : zeros({b, h, d, dv}),
        {selectDims(ctx, 5, {0, 1, 4, 2}), selectDims(ctx, 5, {0, 1, 4, 3}),
         selectDims(ctx, 5, {0, 1, 2, 3})},
        "ppppr", multiplyAdd);
    // z[b,h,d] = z_in[b,h,d] + sum_j phi(k)[b,h,j,d].
    Value keySum = createGeneric(
        rewriter, loc, {phiK}, normalizerIn ? normalizerIn : zeros({b, h, d}),
        {selectDims(ctx, 4, {0, 1, 3, 2}), selectDims(ctx, 4, {0, 1, 2})},
        "pppr", add);

    // Projections of phi(q) on a state: num[b,h,i,e] = sum_d phi(q) S[b,h,d,e]
    // and den[b,h,i] = sum_d phi(q) z[b,h,d].
    auto projectState = [&](Value state) {
      return createGeneric(rewriter, loc, {phiQ, state}, zeros({b, h, s, dv}),
                           {selectDims(ctx, 5, {0, 1, 2, 4}),
                            selectDims(ctx, 5, {0, 1, 4, 3}),
                            selectDims(ctx, 5, {0, 1, 2, 3})},
                           "ppppr", multiplyAdd);
    };
    auto projectNormalizer = [&](Value normalizer) {
      return createGeneric(rewriter, loc, {phiQ, normalizer}, zeros({b, h, s}),
                           {selectDims(ctx, 4, {0, 1, 2, 3}),
                            selectDims(ctx, 4, {0, 1, 3}),
                            selectDims(ctx, 4, {0, 1, 2})},
                           "pppr", multiplyAdd);
    };

    Value numerator, denominator;
    if (!causal) {
      numerator = projectState(kvSum);
      denominator = projectNormalizer(keySum);
    } else {
      // a[b,h,i,j] = phi(q_i) . phi(k_j) for j <= i, else 0.
      Value weights = createGeneric(
          rewriter, loc, {phiQ, phiK}, zeros({b, h, s, skv}),
          {selectDims(ctx, 5, {0, 1, 2, 4}), selectDims(ctx, 5, {0, 1, 3, 4}),
           selectDims(ctx, 5, {0, 1, 2, 3})},
          "ppppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value visible = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::sle, indexAsI64(nb, nl, 3),
                indexAsI64(nb, nl, 2));
            Value prod = arith::MulFOp::create(nb, nl, args[0], args[1]);
            prod = arith::SelectOp::create(nb, nl, visible, prod,
                                           f32Const(nb, nl, 0));
            yieldValue(nb, nl, arith::AddFOp::create(nb, nl, args[2], prod));
          });
      // The carried state's contribution, then the tokens of this call.
      Value numeratorInit =
          stateIn ? projectState(stateIn) : zeros({b, h, s, dv});
      Value denominatorInit =
          normalizerIn ? projectNormalizer(normalizerIn) : zeros({b, h, s});
      numerator = createGeneric(rewriter, loc, {weights, value}, numeratorInit,
                                {selectDims(ctx, 5, {0, 1, 2, 4}),
                                 selectDims(ctx, 5, {0, 1, 4, 3}),
                                 selectDims(ctx, 5, {0, 1, 2, 3})},
                                "ppppr", multiplyAdd);
      denominator =
          createGeneric(rewriter, loc, {weights}, denominatorInit,
                        {id4, selectDims(ctx, 4, {0, 1, 2})}, "pppr", add);
    }

    Value out = createGeneric(
        rewriter, loc, {numerator, denominator},
        createEmptyTensor(rewriter, loc, {b, h, s, dv}, elemType),
        {id4, selectDims(ctx, 4, {0, 1, 2}), id4}, "pppp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value den =
              arith::AddFOp::create(nb, nl, args[1], f32Const(nb, nl, eps));
          Value result = arith::DivFOp::create(nb, nl, args[0], den);
          yieldValue(nb, nl, castFromF32(nb, nl, result, elemType));
        });

    SmallVector<Value> results = {out};
    if (op.hasState())
      results.append({kvSum, keySum});
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::loom::populateAttentionVariantsToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LinearAttentionOpLowering>(converter, patterns.getContext());
}
