//===- AttentionToHLS.cpp - Streaming attention ---------------------------===//
//
// loom.attention as a streaming pipeline with deferred softmax normalisation
// (the online softmax of FlashAttention, one key at a time): for each query
// row, a running max m, a running sum l and an accumulator acc[Dv] are
// updated key by key,
//   s = scale * q.k (+ mask);  m' = max(m, s);  c = exp(m - m');
//   p = exp(s - m');  l = l * c + p;  acc = acc * c + p * v;
// and the row is divided once at the end: out = acc / l (0 when no key is
// visible). The first visible key sets m' = s and c = 1 (l and acc are 0),
// so no -inf sentinel exists outside masks. Invisible keys (causal, or a
// -inf mask) leave the state as is, so every loop has constant bounds. The
// extra memory is acc plus two scalars per row: O(Dv), independent of the
// sequence lengths; no [Sq,Skv] score matrix exists. Built from scf.for with
// tensor iter_args and tensor.extract/insert, so one-shot-bufferize keeps it in
// place.
//
//===----------------------------------------------------------------------===//

#include "LoomToHLS.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::hlsform;

std::optional<std::string> mlir::loom::whyAttentionUnsupported(AttentionOp op) {
  if (op.readsCache())
    return "keys and values from a KV cache";
  if (op.getWindow() || op.getSinks())
    return "a sliding window or sinks";
  if (op.getHamming())
    return "Hamming scores";
  if (op.getKeyScores())
    return "the key-scores result";
  if (!hasStaticShapes(op))
    return "dynamic shapes";
  Type f32 = Float32Type::get(op.getContext());
  if (!isTensorOf(op.getQuery(), f32) || !isTensorOf(op.getKey(), f32) ||
      !isTensorOf(op.getValue(), f32) || !isTensorOf(op.getOutput(), f32) ||
      (op.getMask() && !isTensorOf(op.getMask(), f32)))
    return "element types other than f32";
  return std::nullopt;
}

void mlir::loom::lowerAttentionToHLS(RewriterBase &rewriter, AttentionOp op) {
  Location loc = op.getLoc();
  auto qType = cast<RankedTensorType>(op.getQuery().getType());
  auto kType = cast<RankedTensorType>(op.getKey().getType());
  auto vType = cast<RankedTensorType>(op.getValue().getType());
  int64_t b = qType.getDimSize(0), hq = qType.getDimSize(1);
  int64_t sq = qType.getDimSize(2), d = qType.getDimSize(3);
  int64_t hkv = kType.getDimSize(1), skv = kType.getDimSize(2);
  int64_t dv = vType.getDimSize(3);
  int64_t group = hq / hkv;
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Value mask = op.getMask();
  bool causal = op.getCausal();
  Type f32 = rewriter.getF32Type();
  float negInf = -std::numeric_limits<float>::infinity();

  Value scale = f32Const(rewriter, loc, op.getEffectiveScale());
  Value zero = f32Const(rewriter, loc, 0.0f);
  Value one = f32Const(rewriter, loc, 1.0f);
  Value groupSize = indexConst(rewriter, loc, group);
  Value queryBase = indexConst(rewriter, loc, skv - sq);
  Value zeroIndex = indexConst(rewriter, loc, 0);
  Value out = tensor::EmptyOp::create(rewriter, loc,
                                      ArrayRef<int64_t>{b, hq, sq, dv}, f32);
  // The per-row accumulator: one [Dv] buffer reused by every row.
  Value acc =
      tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{dv}, f32);

  // The mask index of dimension `dim` at `iv` (0 where the mask broadcasts).
  auto maskIndex = [&](unsigned dim, Value iv) -> Value {
    if (cast<RankedTensorType>(mask.getType()).getDimSize(dim) == 1)
      return zeroIndex;
    return iv;
  };

  // One key step of row (bi, h, i): the new (m, l, acc).
  auto keyStep = [&](OpBuilder &nb, Location nl, Value bi, Value h, Value hk,
                     Value i, Value j, ValueRange state) -> SmallVector<Value> {
    Value m = state[0], l = state[1], rowAcc = state[2];
    Value dot = forLoop(
        nb, nl, d, {zero},
        [&](OpBuilder &db, Location dl, Value di, ValueRange sum) {
          Value qe =
              tensor::ExtractOp::create(db, dl, q, ValueRange{bi, h, i, di});
          Value ke =
              tensor::ExtractOp::create(db, dl, k, ValueRange{bi, hk, j, di});
          Value prod = arith::MulFOp::create(db, dl, qe, ke);
          return SmallVector<Value>{
              arith::AddFOp::create(db, dl, sum[0], prod)};
        })[0];
    Value s = arith::MulFOp::create(nb, nl, dot, scale);
    if (mask) {
      Value me = tensor::ExtractOp::create(
          nb, nl, mask,
          ValueRange{maskIndex(0, bi), maskIndex(1, h), maskIndex(2, i),
                     maskIndex(3, j)});
      s = arith::AddFOp::create(nb, nl, s, me);
    }
    // A key is visible when the causal rule allows it and its score is not
    // -inf (a masked key); invisible keys leave the state unchanged. With
    // neither a causal rule nor a mask every key is visible (no selects).
    Value visible;
    auto andVisible = [&](Value cond) {
      visible = visible
                    ? arith::AndIOp::create(nb, nl, visible, cond).getResult()
                    : cond;
    };
    if (mask)
      andVisible(arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::ONE, s,
                                       f32Const(nb, nl, negInf)));
    if (causal)
      andVisible(
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, j,
                                arith::AddIOp::create(nb, nl, queryBase, i)));
    auto ifVisible = [&](Value v, Value otherwise) -> Value {
      return visible ? arith::SelectOp::create(nb, nl, visible, v, otherwise)
                           .getResult()
                     : v;
    };
    // Before the first visible key l = 0 (afterwards l >= 1: the largest
    // score so far contributes exp(0) = 1), and m is a placeholder: the
    // first visible score becomes the max and nothing is rescaled. So no
    // -inf sentinel is needed (fixed-point types have none).
    Value first =
        arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, l, zero);
    Value mNew = ifVisible(
        arith::SelectOp::create(nb, nl, first, s,
                                arith::MaximumFOp::create(nb, nl, m, s)),
        m);
    Value c = arith::SelectOp::create(
        nb, nl, first, one,
        math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, m, mNew)));
    Value p = ifVisible(
        math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, s, mNew)),
        zero);
    Value lNew =
        arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, l, c), p);
    Value accNew = forLoop(
        nb, nl, dv, {rowAcc},
        [&](OpBuilder &eb, Location el, Value e, ValueRange a) {
          Value old = tensor::ExtractOp::create(eb, el, a[0], ValueRange{e});
          Value ve =
              tensor::ExtractOp::create(eb, el, v, ValueRange{bi, hk, j, e});
          Value updated = arith::AddFOp::create(
              eb, el, arith::MulFOp::create(eb, el, old, c),
              arith::MulFOp::create(eb, el, p, ve));
          return SmallVector<Value>{
              tensor::InsertOp::create(eb, el, updated, a[0], ValueRange{e})};
        })[0];
    return {mNew, lNew, accNew};
  };

  ValueRange results = forLoop(
      rewriter, loc, b, {out, acc},
      [&](OpBuilder &b1, Location l1, Value bi, ValueRange it1) {
        return SmallVector<Value>(forLoop(
            b1, l1, hq, it1,
            [&](OpBuilder &b2, Location l2, Value h, ValueRange it2) {
              Value hk = arith::DivUIOp::create(b2, l2, h, groupSize);
              return SmallVector<Value>(forLoop(
                  b2, l2, sq, it2,
                  [&](OpBuilder &b3, Location l3, Value i, ValueRange it3) {
                    Value cleared = linalg::FillOp::create(b3, l3, zero, it3[1])
                                        .getResult(0);
                    ValueRange state =
                        forLoop(b3, l3, skv, {zero, zero, cleared},
                                [&](OpBuilder &b4, Location l4, Value j,
                                    ValueRange st) {
                                  return keyStep(b4, l4, bi, h, hk, i, j, st);
                                });
                    Value l = state[1], rowAcc = state[2];
                    // Deferred normalisation: one division per output.
                    Value anyKey = arith::CmpFOp::create(
                        b3, l3, arith::CmpFPredicate::OGT, l, zero);
                    Value written = forLoop(
                        b3, l3, dv, {it3[0]},
                        [&](OpBuilder &eb, Location el, Value e, ValueRange o) {
                          Value a = tensor::ExtractOp::create(eb, el, rowAcc,
                                                              ValueRange{e});
                          Value y = arith::SelectOp::create(
                              eb, el, anyKey,
                              arith::DivFOp::create(eb, el, a, l), zero);
                          return SmallVector<Value>{tensor::InsertOp::create(
                              eb, el, y, o[0], ValueRange{bi, h, i, e})};
                        })[0];
                    return SmallVector<Value>{written, rowAcc};
                  }));
            }));
      });
  rewriter.replaceOp(op, results[0]);
}
