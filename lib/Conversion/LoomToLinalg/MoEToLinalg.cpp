//===- MoEToLinalg.cpp - Reference lowering of MoE ops ---------------===//
//
// Lowers loom.moe.route, dispatch, experts and combine to linalg.generic chains
// on tensors, and loom.moe.ffn to those four (through the decomposition that
// `loom-decompose-moe` applies). Every data-dependent step is written as a
// counting reduction (an expert's rank, an assignment's position in its
// expert's group) rather than a sort or a scatter, so that each generic states
// its definition directly; data-dependent reads use tensor.extract. All
// arithmetic is f32. Precondition: static shapes.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Scalar helpers for generic bodies.
struct BodyBuilder {
  OpBuilder &b;
  Location loc;

  Value i64(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value cmpi(arith::CmpIPredicate p, Value l, Value r) {
    return arith::CmpIOp::create(b, loc, p, l, r);
  }
  Value cmpf(arith::CmpFPredicate p, Value l, Value r) {
    return arith::CmpFOp::create(b, loc, p, l, r);
  }
  Value select(Value c, Value t, Value f) {
    return arith::SelectOp::create(b, loc, c, t, f);
  }
  Value andi(Value l, Value r) { return arith::AndIOp::create(b, loc, l, r); }
  Value ori(Value l, Value r) { return arith::OrIOp::create(b, loc, l, r); }
  Value addi(Value l, Value r) { return arith::AddIOp::create(b, loc, l, r); }
  Value muli(Value l, Value r) { return arith::MulIOp::create(b, loc, l, r); }
  Value addf(Value l, Value r) { return arith::AddFOp::create(b, loc, l, r); }
  Value subf(Value l, Value r) { return arith::SubFOp::create(b, loc, l, r); }
  Value mulf(Value l, Value r) { return arith::MulFOp::create(b, loc, l, r); }
  Value divf(Value l, Value r) { return arith::DivFOp::create(b, loc, l, r); }
  Value exp(Value v) { return math::ExpOp::create(b, loc, v); }
  Value index(unsigned dim) { return indexAsI64(b, loc, dim); }
  /// 1 if `c` else 0, as i64.
  Value count(Value c) { return select(c, i64(1), i64(0)); }
  /// `lo <= v < hi` on i64 values.
  Value inRange(Value v, int64_t lo, int64_t hi) {
    return andi(cmpi(arith::CmpIPredicate::sge, v, i64(lo)),
                cmpi(arith::CmpIPredicate::slt, v, i64(hi)));
  }
  /// tensor.extract at i64 indices (the caller guarantees they are in bounds).
  Value extract(Value tensor, ArrayRef<Value> indices) {
    SmallVector<Value> idx;
    for (Value v : indices)
      idx.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), v));
    return tensor::ExtractOp::create(b, loc, tensor, idx);
  }
};

static Value zerosI64(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      int64_t fill = 0) {
  return createFilledTensor(b, loc, shape, b.getI64Type(),
                            b.getI64IntegerAttr(fill));
}

static Value zerosF32(OpBuilder &b, Location loc, ArrayRef<int64_t> shape) {
  return createFilledTensor(b, loc, shape, b.getF32Type(),
                            b.getF32FloatAttr(0));
}

/// Converts an f32 tensor to `elementType` (a float type), elementwise.
static Value castTensorFromF32(OpBuilder &b, Location loc, Value tensor,
                               Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == elementType)
    return tensor;
  AffineMap id =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  return createGeneric(
      b, loc, {tensor}, createEmptyTensor(b, loc, type.getShape(), elementType),
      {id, id}, std::string(type.getRank(), 'p'),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        yieldValue(nb, nl, castFromF32(nb, nl, args[0], elementType));
      });
}

//===----------------------------------------------------------------------===//
// loom.moe.route
//===----------------------------------------------------------------------===//

struct MoERouteLowering : OpConversionPattern<MoERouteOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoERouteOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType logitsType = op.getLogits().getType();
    if (!logitsType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;
    Value logits = adaptor.getLogits().front();
    int64_t tokens = logitsType.getDimSize(0);
    int64_t numExperts = logitsType.getDimSize(1);
    int64_t slots = op.getNumSlots();
    MoERoutingMode mode = op.getMode();
    float negInf = -std::numeric_limits<float>::infinity();
    using P = arith::CmpIPredicate;

    // rank[t,e]: the number of experts ranked before e (higher logit, or an
    // equal logit and a lower index).
    Value rank = createGeneric(
        b, loc, {logits, logits}, zerosI64(b, loc, {tokens, numExperts}),
        {selectDims(ctx, 3, {0, 1}), selectDims(ctx, 3, {0, 2}),
         selectDims(ctx, 3, {0, 1})},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value mine = castToF32(nb, nl, args[0]);
          Value other = castToF32(nb, nl, args[1]);
          Value before =
              bb.ori(bb.cmpf(arith::CmpFPredicate::OGT, other, mine),
                     bb.andi(bb.cmpf(arith::CmpFPredicate::OEQ, other, mine),
                             bb.cmpi(P::slt, bb.index(2), bb.index(1))));
          yieldValue(nb, nl, bb.addi(args[2], bb.count(before)));
        });

    // exps[t,e] = exp(l[t,e] - max_e l[t,e]); total[t] = sum_e exps[t,e].
    Value rowMax = createGeneric(
        b, loc, {logits},
        createFilledTensor(b, loc, {tokens}, b.getF32Type(),
                           b.getF32FloatAttr(negInf)),
        {selectDims(ctx, 2, {0, 1}), selectDims(ctx, 2, {0})}, "pr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl,
                     arith::MaximumFOp::create(
                         nb, nl, castToF32(nb, nl, args[0]), args[1]));
        });
    Value exps = createGeneric(
        b, loc, {logits, rowMax},
        createEmptyTensor(b, loc, {tokens, numExperts}, b.getF32Type()),
        {selectDims(ctx, 2, {0, 1}), selectDims(ctx, 2, {0}),
         selectDims(ctx, 2, {0, 1})},
        "pp", [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          yieldValue(nb, nl,
                     bb.exp(bb.subf(castToF32(nb, nl, args[0]), args[1])));
        });
    auto rowSum = [&](Value matrix) {
      return createGeneric(
          b, loc, {matrix}, zerosF32(b, loc, {tokens}),
          {selectDims(ctx, 2, {0, 1}), selectDims(ctx, 2, {0})}, "pr",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            yieldValue(nb, nl, BodyBuilder{nb, nl}.addf(args[1], args[0]));
          });
    };
    Value total = rowSum(exps);

    // Slot s holds the expert of rank s: its exp and its index.
    Value slotExp = createGeneric(
        b, loc, {rank, exps}, zerosF32(b, loc, {tokens, slots}),
        {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {0, 2}),
         selectDims(ctx, 3, {0, 1})},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value here = bb.cmpi(P::eq, args[0], bb.index(1));
          yieldValue(nb, nl,
                     bb.addf(args[2], bb.select(here, args[1], bb.f32(0))));
        });
    Value slotIndex = createGeneric(
        b, loc, {rank}, zerosI64(b, loc, {tokens, slots}),
        {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {0, 1})}, "ppr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value here = bb.cmpi(P::eq, args[0], bb.index(1));
          yieldValue(nb, nl,
                     bb.addi(args[1], bb.select(here, bb.index(2), bb.i64(0))));
        });

    // Weights: softmax over E (softmax_topk, top_p) or over the k selected.
    Value denominator =
        mode == MoERoutingMode::topk_softmax ? rowSum(slotExp) : total;
    AffineMap id2 = selectDims(ctx, 2, {0, 1}), row2 = selectDims(ctx, 2, {0});
    Value weights = createGeneric(
        b, loc, {slotExp, denominator},
        createEmptyTensor(b, loc, {tokens, slots}, b.getF32Type()),
        {id2, row2, id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          yieldValue(nb, nl, BodyBuilder{nb, nl}.divf(args[0], args[1]));
        });

    // Top-p: slot s is used iff the probability of slots 0..s-1 is below p.
    if (mode == MoERoutingMode::top_p) {
      Value before = createGeneric(
          b, loc, {weights}, zerosF32(b, loc, {tokens, slots}),
          {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {0, 1})}, "ppr",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            BodyBuilder bb{nb, nl};
            Value earlier = bb.cmpi(P::slt, bb.index(2), bb.index(1));
            yieldValue(
                nb, nl,
                bb.addf(args[1], bb.select(earlier, args[0], bb.f32(0))));
          });
      float p = op.getTopP()->convertToFloat();
      auto keepUsed = [&](Value values, bool isIndex) {
        return createGeneric(
            b, loc, {values, before},
            createEmptyTensor(
                b, loc, {tokens, slots},
                cast<RankedTensorType>(values.getType()).getElementType()),
            {id2, id2, id2}, "pp",
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              BodyBuilder bb{nb, nl};
              Value used =
                  bb.cmpf(arith::CmpFPredicate::OLT, args[1], bb.f32(p));
              yieldValue(
                  nb, nl,
                  bb.select(used, args[0], isIndex ? bb.i64(-1) : bb.f32(0)));
            });
      };
      weights = keepUsed(weights, false);
      slotIndex = keepUsed(slotIndex, true);
    }

    if (op.getRenormalize()) {
      Value used = rowSum(weights);
      weights = createGeneric(
          b, loc, {weights, used},
          createEmptyTensor(b, loc, {tokens, slots}, b.getF32Type()),
          {id2, row2, id2}, "pp",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            BodyBuilder bb{nb, nl};
            Value positive =
                bb.cmpf(arith::CmpFPredicate::OGT, args[1], bb.f32(0));
            yieldValue(
                nb, nl,
                bb.select(positive, bb.divf(args[0], args[1]), bb.f32(0)));
          });
    }

    Value dropped;
    if (std::optional<APFloat> factor = op.getCapacityFactor()) {
      double capacityReal =
          factor->convertToDouble() * static_cast<double>(tokens) *
          static_cast<double>(slots) / static_cast<double>(numExperts);
      int64_t capacity = static_cast<int64_t>(std::ceil(capacityReal));
      // position[t,s]: assignments of the same expert by earlier tokens (a
      // token never holds an expert twice, so earlier slots of t do not count).
      Value position = createGeneric(
          b, loc, {slotIndex, slotIndex}, zerosI64(b, loc, {tokens, slots}),
          {selectDims(ctx, 4, {0, 1}), selectDims(ctx, 4, {2, 3}),
           selectDims(ctx, 4, {0, 1})},
          "pprr", [&](OpBuilder &nb, Location nl, ValueRange args) {
            BodyBuilder bb{nb, nl};
            Value same = bb.andi(bb.cmpi(P::eq, args[0], args[1]),
                                 bb.cmpi(P::sge, args[0], bb.i64(0)));
            Value earlier = bb.cmpi(P::slt, bb.index(2), bb.index(0));
            yieldValue(nb, nl,
                       bb.addi(args[2], bb.count(bb.andi(same, earlier))));
          });
      auto isDropped = [&](BodyBuilder &bb, Value index, Value pos) {
        return bb.andi(bb.cmpi(P::sge, index, bb.i64(0)),
                       bb.cmpi(P::sge, pos, bb.i64(capacity)));
      };
      dropped = createGeneric(
          b, loc, {slotIndex, position}, zerosI64(b, loc, {}),
          {id2, id2, AffineMap::get(2, 0, ctx)}, "rr",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            BodyBuilder bb{nb, nl};
            yieldValue(
                nb, nl,
                bb.addi(args[2], bb.count(isDropped(bb, args[0], args[1]))));
          });
      auto removeDropped = [&](Value values, bool isIndex) {
        return createGeneric(
            b, loc, {values, slotIndex, position},
            createEmptyTensor(
                b, loc, {tokens, slots},
                cast<RankedTensorType>(values.getType()).getElementType()),
            {id2, id2, id2, id2}, "pp",
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              BodyBuilder bb{nb, nl};
              yieldValue(nb, nl,
                         bb.select(isDropped(bb, args[1], args[2]),
                                   isIndex ? bb.i64(-1) : bb.f32(0), args[0]));
            });
      };
      weights = removeDropped(weights, false);
      slotIndex = removeDropped(slotIndex, true);
    } else {
      dropped = zerosI64(b, loc, {});
    }

    weights = castTensorFromF32(b, loc, weights,
                                op.getWeights().getType().getElementType());
    rewriter.replaceOp(op, ValueRange{weights, slotIndex, dropped});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.moe.dispatch
//===----------------------------------------------------------------------===//

struct MoEDispatchLowering : OpConversionPattern<MoEDispatchOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoEDispatchOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType indicesType = op.getIndices().getType();
    RankedTensorType offsetsType = op.getOffsets().getType();
    if (!inputType.hasStaticShape() || !indicesType.hasStaticShape() ||
        !offsetsType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;
    Value input = adaptor.getInput().front();
    Value indices = adaptor.getIndices().front();
    int64_t tokens = inputType.getDimSize(0), hidden = inputType.getDimSize(1);
    int64_t slots = indicesType.getDimSize(1);
    int64_t numExperts = offsetsType.getDimSize(0);
    int64_t numRows = tokens * slots;
    using P = arith::CmpIPredicate;

    // counts[e] = number of assignments to e; offsets = exclusive prefix sum.
    Value counts = createGeneric(
        b, loc, {indices}, zerosI64(b, loc, {numExperts}),
        {selectDims(ctx, 3, {1, 2}), selectDims(ctx, 3, {0})}, "prr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          yieldValue(
              nb, nl,
              bb.addi(args[1], bb.count(bb.cmpi(P::eq, args[0], bb.index(0)))));
        });
    Value offsets = createGeneric(
        b, loc, {counts}, zerosI64(b, loc, {numExperts}),
        {selectDims(ctx, 2, {1}), selectDims(ctx, 2, {0})}, "pr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value earlier = bb.cmpi(P::slt, bb.index(1), bb.index(0));
          yieldValue(nb, nl,
                     bb.addi(args[1], bb.select(earlier, args[0], bb.i64(0))));
        });

    // within[t,s]: assignments a' < a = t*K+s to the same expert.
    Value within = createGeneric(
        b, loc, {indices, indices}, zerosI64(b, loc, {tokens, slots}),
        {selectDims(ctx, 4, {0, 1}), selectDims(ctx, 4, {2, 3}),
         selectDims(ctx, 4, {0, 1})},
        "pprr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value mine =
              bb.addi(bb.muli(bb.index(0), bb.i64(slots)), bb.index(1));
          Value other =
              bb.addi(bb.muli(bb.index(2), bb.i64(slots)), bb.index(3));
          Value counted = bb.andi(bb.cmpi(P::eq, args[0], args[1]),
                                  bb.cmpi(P::slt, other, mine));
          yieldValue(nb, nl, bb.addi(args[2], bb.count(counted)));
        });
    // destination[t,s]: the row of assignment (t,s), or -1 when not dispatched.
    AffineMap id2 = selectDims(ctx, 2, {0, 1});
    Value destination = createGeneric(
        b, loc, {indices, within},
        createEmptyTensor(b, loc, {tokens, slots}, b.getI64Type()),
        {id2, id2, id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value valid = bb.inRange(args[0], 0, numExperts);
          Value expert = bb.select(valid, args[0], bb.i64(0));
          Value start = bb.extract(offsets, {expert});
          yieldValue(nb, nl,
                     bb.select(valid, bb.addi(start, args[1]), bb.i64(-1)));
        });
    // permutation[r]: the assignment whose destination is r, or -1.
    Value permutation = createGeneric(
        b, loc, {destination}, zerosI64(b, loc, {numRows}, -1),
        {selectDims(ctx, 3, {1, 2}), selectDims(ctx, 3, {0})}, "prr",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value assignment =
              bb.addi(bb.muli(bb.index(1), bb.i64(slots)), bb.index(2));
          Value here = bb.cmpi(P::eq, args[0], bb.index(0));
          yieldValue(
              nb, nl,
              bb.addi(args[1], bb.select(here, bb.addi(assignment, bb.i64(1)),
                                         bb.i64(0))));
        });
    // rows[r,:] = input[permutation[r] / K, :], zero for padding rows.
    Type elementType = inputType.getElementType();
    Value rows = createGeneric(
        b, loc, {permutation},
        createEmptyTensor(b, loc, {numRows, hidden}, elementType),
        {selectDims(ctx, 2, {0}), id2}, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value valid = bb.inRange(args[0], 0, numRows);
          Value token = arith::DivSIOp::create(
              nb, nl, bb.select(valid, args[0], bb.i64(0)), bb.i64(slots));
          Value value = bb.extract(input, {token, bb.index(1)});
          Value zero =
              arith::ConstantOp::create(nb, nl, nb.getZeroAttr(elementType));
          yieldValue(nb, nl, bb.select(valid, value, zero));
        });
    rewriter.replaceOp(op, ValueRange{rows, permutation, offsets, counts});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.moe.experts
//===----------------------------------------------------------------------===//

/// erf(x) by Abramowitz-Stegun 7.1.26 (absolute error below 1.5e-7); upstream
/// has no erf lowering to LLVM.
static Value buildErf(BodyBuilder &bb, Value x) {
  Value ax = math::AbsFOp::create(bb.b, bb.loc, x);
  Value t =
      bb.divf(bb.f32(1), bb.addf(bb.f32(1), bb.mulf(bb.f32(0.3275911), ax)));
  const double coefficients[] = {1.061405429, -1.453152027, 1.421413741,
                                 -0.284496736, 0.254829592};
  Value poly = bb.f32(coefficients[0]);
  for (double c : ArrayRef<double>(coefficients).drop_front())
    poly = bb.addf(bb.mulf(poly, t), bb.f32(c));
  poly = bb.mulf(poly, t);
  Value e = bb.exp(bb.subf(bb.f32(0), bb.mulf(ax, ax)));
  Value magnitude = bb.subf(bb.f32(1), bb.mulf(poly, e));
  return math::CopySignOp::create(bb.b, bb.loc, magnitude, x);
}

/// The activation of a non-SwiGLU expert.
static Value buildActivation(BodyBuilder &bb, MoEActivation activation,
                             Value x) {
  switch (activation) {
  case MoEActivation::relu:
    return arith::MaximumFOp::create(bb.b, bb.loc, x, bb.f32(0));
  case MoEActivation::gelu:
    return bb.mulf(
        bb.mulf(bb.f32(0.5), x),
        bb.addf(bb.f32(1), buildErf(bb, bb.mulf(x, bb.f32(M_SQRT1_2)))));
  case MoEActivation::gelu_tanh: {
    // tanh(u) = 1 - 2 / (exp(2u) + 1), exact at both infinities.
    Value cube = bb.mulf(bb.mulf(x, x), x);
    Value u = bb.mulf(bb.f32(std::sqrt(2.0 / M_PI)),
                      bb.addf(x, bb.mulf(bb.f32(0.044715), cube)));
    Value tanh = bb.subf(
        bb.f32(1),
        bb.divf(bb.f32(2), bb.addf(bb.exp(bb.mulf(bb.f32(2), u)), bb.f32(1))));
    return bb.mulf(bb.mulf(bb.f32(0.5), x), bb.addf(bb.f32(1), tanh));
  }
  case MoEActivation::swiglu: {
    // silu(x) = x / (1 + exp(-x)).
    Value negative = bb.subf(bb.f32(0), x);
    return bb.divf(x, bb.addf(bb.f32(1), bb.exp(negative)));
  }
  }
  llvm_unreachable("unknown MoE activation");
}

/// The expert weights of a `loom.moe.experts` (after conversion) and how to
/// read one f32 element of them: float weights are read as they are;
/// quantized codes are dequantized element by element inside the expert
/// contraction, `(q - z) * s`, so no f32 copy of the experts is built.
struct ExpertWeights {
  SmallVector<Value> weights, scales, zeroPoints;
  bool int4 = false;
  std::optional<int64_t> groupSize;

  /// Element `[slice, k, n]` of weight `i` (k the input dimension) in f32.
  Value load(BodyBuilder &bb, unsigned i, Value slice, Value k, Value n) const {
    OpBuilder &b = bb.b;
    Location loc = bb.loc;
    if (scales.empty())
      return castToF32(b, loc, bb.extract(weights[i], {slice, k, n}));
    Value row =
        int4 ? arith::ShRSIOp::create(b, loc, k, bb.i64(1)).getResult() : k;
    Value q = bb.extract(weights[i], {slice, row, n});
    if (int4) {
      // Even k: the low nibble, odd k: the high one (loom.qmatmul's packing),
      // sign-extended by an arithmetic right shift.
      auto i8 = [&](int64_t v) -> Value {
        return arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(v));
      };
      Value low = arith::ShRSIOp::create(
          b, loc, arith::ShLIOp::create(b, loc, q, i8(4)), i8(4));
      Value high = arith::ShRSIOp::create(b, loc, q, i8(4));
      Value odd =
          bb.cmpi(arith::CmpIPredicate::ne, bb.andi(k, bb.i64(1)), bb.i64(0));
      q = bb.select(odd, high, low);
    }
    Value group =
        groupSize
            ? arith::DivSIOp::create(b, loc, k, bb.i64(*groupSize)).getResult()
            : bb.i64(0);
    Value value = arith::SIToFPOp::create(b, loc, b.getF32Type(), q);
    if (!zeroPoints.empty())
      value = bb.subf(value, arith::SIToFPOp::create(
                                 b, loc, b.getF32Type(),
                                 bb.extract(zeroPoints[i], {slice, group, n})));
    return bb.mulf(value, bb.extract(scales[i], {slice, group, n}));
  }
};

static SmallVector<Value> flatten(ArrayRef<ValueRange> ranges) {
  SmallVector<Value> values;
  for (ValueRange range : ranges)
    llvm::append_range(values, range);
  return values;
}

struct MoEExpertsLowering : OpConversionPattern<MoEExpertsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoEExpertsOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType rowsType = op.getRows().getType();
    RankedTensorType w1Type = op.getW1().getType();
    if (!rowsType.hasStaticShape() || !w1Type.hasStaticShape() ||
        !op.getOffsets().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;
    Value rows = adaptor.getRows().front();
    Value offsets = adaptor.getOffsets().front();
    Value counts = adaptor.getCounts().front();
    // Weight slots: 0 = w1, 1 = w2, 2 = w3 (scales are in the same order).
    ExpertWeights weights;
    weights.weights = {adaptor.getW1().front(), adaptor.getW2().front()};
    if (op.getW3())
      weights.weights.push_back(adaptor.getW3().front());
    weights.scales = flatten(adaptor.getScales());
    weights.zeroPoints = flatten(adaptor.getZeroPoints());
    weights.int4 = op.getBits() == 4;
    weights.groupSize = op.getGroupSize();
    Value constants =
        op.getConstants() ? adaptor.getConstants().front() : Value();
    int64_t numRows = rowsType.getDimSize(0), hidden = rowsType.getDimSize(1);
    int64_t ffnSize = w1Type.getDimSize(2);
    SmallVector<MoEExpertKind> kinds = op.getExpertKinds();
    int64_t numExperts = kinds.size();
    MoEActivation activation = op.getActivation();
    using P = arith::CmpIPredicate;

    // Static tables: each expert's kind and its slice in w1/w2/w3 (ffn) or
    // constants (constant).
    SmallVector<int64_t> kindTable, sliceTable;
    int64_t numFFN = 0, numConstant = 0;
    for (MoEExpertKind kind : kinds) {
      kindTable.push_back(static_cast<int64_t>(kind));
      if (kind == MoEExpertKind::ffn)
        sliceTable.push_back(numFFN++);
      else if (kind == MoEExpertKind::constant)
        sliceTable.push_back(numConstant++);
      else
        sliceTable.push_back(0);
    }
    auto tableType = RankedTensorType::get({numExperts}, b.getI64Type());
    auto table = [&](ArrayRef<int64_t> values) -> Value {
      return arith::ConstantOp::create(
          b, loc, cast<TypedAttr>(DenseElementsAttr::get(tableType, values)));
    };
    Value kindConstants = table(kindTable);
    Value sliceConstants = table(sliceTable);

    // rowExpert[r]: the expert whose group holds row r, or -1.
    Value rowExpert = createGeneric(
        b, loc, {offsets, counts}, zerosI64(b, loc, {numRows}, -1),
        {selectDims(ctx, 2, {1}), selectDims(ctx, 2, {1}),
         selectDims(ctx, 2, {0})},
        "pr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value r = bb.index(0);
          Value inGroup =
              bb.andi(bb.cmpi(P::sle, args[0], r),
                      bb.cmpi(P::slt, r, bb.addi(args[0], args[1])));
          yieldValue(nb, nl,
                     bb.addi(args[2],
                             bb.select(inGroup, bb.addi(bb.index(1), bb.i64(1)),
                                       bb.i64(0))));
        });
    // rowKind[r] (-1 for rows of no expert) and rowSlice[r].
    auto lookUp = [&](Value table, int64_t missing) {
      return createGeneric(
          b, loc, {rowExpert},
          createEmptyTensor(b, loc, {numRows}, b.getI64Type()),
          {selectDims(ctx, 1, {0}), selectDims(ctx, 1, {0})}, "p",
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            BodyBuilder bb{nb, nl};
            Value valid = bb.inRange(args[0], 0, numExperts);
            Value entry =
                bb.extract(table, {bb.select(valid, args[0], bb.i64(0))});
            yieldValue(nb, nl, bb.select(valid, entry, bb.i64(missing)));
          });
    };
    Value rowKind = lookUp(kindConstants, -1);
    Value rowSlice = lookUp(sliceConstants, 0);
    int64_t ffnCode = static_cast<int64_t>(MoEExpertKind::ffn);

    Value ffnOut;
    if (numFFN > 0) {
      // projection[r,f] = sum_h rows[r,h] * w[slice(r),h,f] for ffn rows.
      auto project = [&](unsigned weight) {
        return createGeneric(
            b, loc, {rows, rowKind, rowSlice},
            zerosF32(b, loc, {numRows, ffnSize}),
            {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {0}),
             selectDims(ctx, 3, {0}), selectDims(ctx, 3, {0, 1})},
            "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
              BodyBuilder bb{nb, nl};
              Value isFFN = bb.cmpi(P::eq, args[1], bb.i64(ffnCode));
              Value slice = bb.select(isFFN, args[2], bb.i64(0));
              Value w =
                  weights.load(bb, weight, slice, bb.index(2), bb.index(1));
              Value prod = bb.mulf(castToF32(nb, nl, args[0]), w);
              yieldValue(nb, nl,
                         bb.addf(args[3], bb.select(isFFN, prod, bb.f32(0))));
            });
      };
      Value gate = project(0);
      AffineMap id2 = selectDims(ctx, 2, {0, 1});
      Value hiddenAct;
      if (activation == MoEActivation::swiglu) {
        Value up = project(2);
        hiddenAct = createGeneric(
            b, loc, {gate, up},
            createEmptyTensor(b, loc, {numRows, ffnSize}, b.getF32Type()),
            {id2, id2, id2}, "pp",
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              BodyBuilder bb{nb, nl};
              yieldValue(
                  nb, nl,
                  bb.mulf(buildActivation(bb, activation, args[0]), args[1]));
            });
      } else {
        hiddenAct = createGeneric(
            b, loc, {gate},
            createEmptyTensor(b, loc, {numRows, ffnSize}, b.getF32Type()),
            {id2, id2}, "pp", [&](OpBuilder &nb, Location nl, ValueRange args) {
              BodyBuilder bb{nb, nl};
              yieldValue(nb, nl, buildActivation(bb, activation, args[0]));
            });
      }
      // ffnOut[r,h] = sum_f act[r,f] * w2[slice(r),f,h].
      ffnOut = createGeneric(
          b, loc, {hiddenAct, rowKind, rowSlice},
          zerosF32(b, loc, {numRows, hidden}),
          {selectDims(ctx, 3, {0, 2}), selectDims(ctx, 3, {0}),
           selectDims(ctx, 3, {0}), selectDims(ctx, 3, {0, 1})},
          "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
            BodyBuilder bb{nb, nl};
            Value isFFN = bb.cmpi(P::eq, args[1], bb.i64(ffnCode));
            Value slice = bb.select(isFFN, args[2], bb.i64(0));
            Value w = weights.load(bb, 1, slice, bb.index(2), bb.index(1));
            yieldValue(nb, nl,
                       bb.addf(args[3], bb.select(isFFN, bb.mulf(args[0], w),
                                                  bb.f32(0))));
          });
    }

    // Select each row's output by its expert's kind.
    SmallVector<Value> inputs = {rows, rowKind, rowSlice};
    SmallVector<AffineMap> maps = {selectDims(ctx, 2, {0, 1}),
                                   selectDims(ctx, 2, {0}),
                                   selectDims(ctx, 2, {0})};
    if (ffnOut) {
      inputs.push_back(ffnOut);
      maps.push_back(selectDims(ctx, 2, {0, 1}));
    }
    maps.push_back(selectDims(ctx, 2, {0, 1}));
    Type elementType = rowsType.getElementType();
    Value output = createGeneric(
        b, loc, inputs,
        createEmptyTensor(b, loc, {numRows, hidden}, elementType), maps, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          auto isKind = [&](MoEExpertKind kind) {
            return bb.cmpi(P::eq, args[1], bb.i64(static_cast<int64_t>(kind)));
          };
          Value result = bb.f32(0);
          if (ffnOut)
            result = bb.select(isKind(MoEExpertKind::ffn), args[3], result);
          result = bb.select(isKind(MoEExpertKind::copy),
                             castToF32(nb, nl, args[0]), result);
          if (constants) {
            Value isConstant = isKind(MoEExpertKind::constant);
            Value slice = bb.select(isConstant, args[2], bb.i64(0));
            Value vector =
                castToF32(nb, nl, bb.extract(constants, {slice, bb.index(1)}));
            result = bb.select(isConstant, vector, result);
          }
          yieldValue(nb, nl, castFromF32(nb, nl, result, elementType));
        });
    rewriter.replaceOp(op, output);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.moe.combine
//===----------------------------------------------------------------------===//

struct MoECombineLowering : OpConversionPattern<MoECombineOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoECombineOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType expertType = op.getExpertOutput().getType();
    RankedTensorType weightsType = op.getWeights().getType();
    if (!expertType.hasStaticShape() || !weightsType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;
    Value expertOut = adaptor.getExpertOutput().front();
    Value permutation = adaptor.getPermutation().front();
    Value weights = adaptor.getWeights().front();
    int64_t hidden = expertType.getDimSize(1);
    int64_t tokens = weightsType.getDimSize(0),
            slots = weightsType.getDimSize(1);
    using P = arith::CmpIPredicate;

    // out[t,h] = sum_r [permutation[r] / K == t] weights[t, permutation[r] % K]
    //                  * expert_out[r,h].
    Value sum = createGeneric(
        b, loc, {expertOut, permutation}, zerosF32(b, loc, {tokens, hidden}),
        {selectDims(ctx, 3, {2, 1}), selectDims(ctx, 3, {2}),
         selectDims(ctx, 3, {0, 1})},
        "ppr", [&](OpBuilder &nb, Location nl, ValueRange args) {
          BodyBuilder bb{nb, nl};
          Value valid = bb.inRange(args[1], 0, tokens * slots);
          Value assignment = bb.select(valid, args[1], bb.i64(0));
          Value token =
              arith::DivSIOp::create(nb, nl, assignment, bb.i64(slots));
          Value slot =
              arith::RemSIOp::create(nb, nl, assignment, bb.i64(slots));
          Value mine = bb.andi(valid, bb.cmpi(P::eq, token, bb.index(0)));
          Value w = castToF32(nb, nl, bb.extract(weights, {token, slot}));
          Value contribution = bb.mulf(w, castToF32(nb, nl, args[0]));
          yieldValue(
              nb, nl,
              bb.addf(args[2], bb.select(mine, contribution, bb.f32(0))));
        });
    rewriter.replaceOp(
        op, castTensorFromF32(b, loc, sum, expertType.getElementType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.moe.ffn
//===----------------------------------------------------------------------===//

/// The layer's meaning is its decomposition; the four steps are then lowered
/// by the patterns above.
struct MoEFFNLowering : OpConversionPattern<MoEFFNOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoEFFNOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getInput().getType().hasStaticShape() ||
        !op.getRouterWeight().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    auto single = [](ValueRange values) {
      return values.empty() ? Value() : values.front();
    };
    SmallVector<Value> results = buildMoEFFNDecomposition(
        rewriter, op, single(adaptor.getInput()),
        single(adaptor.getRouterWeight()), single(adaptor.getW1()),
        single(adaptor.getW2()), single(adaptor.getW3()),
        single(adaptor.getConstants()), flatten(adaptor.getScales()),
        flatten(adaptor.getZeroPoints()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::loom::populateMoEToLinalgPatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns) {
  patterns.add<MoERouteLowering, MoEDispatchLowering, MoEExpertsLowering,
               MoECombineLowering, MoEFFNLowering>(converter,
                                                   patterns.getContext());
}
