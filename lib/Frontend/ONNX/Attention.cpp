//===- Attention.cpp - ONNX attention and rotary embedding ----------------===//
//
// Attention-23 and onnxruntime's com.microsoft MultiHeadAttention and
// GroupQueryAttention, decomposed into upstream ops by one shared core
// (attentionCore: GQA head repetition, Q.K^T, scale, softcap, masks,
// linalg.softmax, P.V); RotaryEmbedding-23 as one `loom.rope`.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "loom/IR/LoomOps.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class AttentionImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opRotaryEmbedding(Inputs &in, Outputs &out);
  LogicalResult opAttention(Inputs &in, Outputs &out);
  LogicalResult opMsAttention(StringRef op, Inputs &in, Outputs &out);

private:
  struct AttentionParams {
    double scale = 0; // <= 0: 1/sqrt(head_dim)
    double softcap = 0;
    bool causal = false;
    OValue *mask = nullptr;
  };
  FailureOr<Value> attentionCore(Value q, Value k, Value v,
                                 const AttentionParams &params);
};
} // namespace

/// RotaryEmbedding-23 as one `loom.rope`: the half-width caches (gathered
/// through position_ids when given) are widened to full-width tables [B, S, R]
/// (angle `d mod R/2`, or `d / 2` when interleaved) and broadcast over the
/// heads; a 3-D input is viewed as [B, S, H, D] for the op.
LogicalResult AttentionImporter::opRotaryEmbedding(Inputs &in, Outputs &out) {
  OValue *x = in[0], *cosC = in[1], *sinC = in[2];
  OValue *pos = in.size() > 3 ? in[3] : nullptr;
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et) || (rank != 3 && rank != 4))
    return nodeFail("expects a floating-point input of rank 3 or 4");
  bool interleaved = attrInt("interleaved", 0);
  int64_t numHeads = attrInt("num_heads", 0);
  auto xs = x->type.getShape();
  Value xv = get(*x);
  int64_t bsz = xs[0], seq, heads, hd;
  if (rank == 4) {
    heads = xs[1];
    seq = xs[2];
    hd = xs[3];
  } else {
    if (numHeads <= 0 || xs[2] % numHeads)
      return nodeFail("3-D input needs num_heads dividing the hidden size");
    heads = numHeads;
    seq = xs[1];
    hd = xs[2] / numHeads;
    xv = reshape(xv, {bsz, seq, heads, hd});
  }
  int64_t rot = attrInt("rotary_embedding_dim", 0);
  if (rot == 0)
    rot = hd;
  if (rot < 2 || rot > hd || rot % 2)
    return nodeFail("invalid rotary_embedding_dim");
  int64_t half = rot / 2;
  auto cs = cosC->type.getShape();
  if (cosC->type != sinC->type || cosC->type.getElementType() != et)
    return nodeFail("cos_cache and sin_cache must have the same type as X");
  if (pos) {
    if (cs.size() != 2 || cs[1] < half)
      return nodeFail("with position_ids the caches must be [max_position, >= "
                      "rotary_dim/2]");
    auto ps = pos->type.getShape();
    if (ps.size() != 2 || ps[0] != bsz || ps[1] != seq ||
        !pos->type.getElementType().isInteger(64))
      return nodeFail("position_ids must be int64 [batch, sequence]");
  } else if (cs.size() != 3 || cs[0] != bsz || cs[1] != seq || cs[2] < half) {
    return nodeFail("without position_ids the caches must be [batch, sequence, "
                    ">= rotary_dim/2]");
  }
  Value cosV = get(*cosC), sinV = get(*sinC), posV = pos ? get(*pos) : Value();
  int64_t maxPos = cs[0];
  Value init = empty({bsz, seq, rot}, et);
  auto widen = [&](Value cache) -> Value {
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{},
               ValueRange{init},
               SmallVector<AffineMap>{b.getMultiDimIdentityMap(3)},
               SmallVector<utils::IteratorType>(3,
                                                utils::IteratorType::parallel),
               [&](OpBuilder &nb, Location l, ValueRange) {
                 auto idx = [&](int64_t v) -> Value {
                   return arith::ConstantIndexOp::create(nb, l, v);
                 };
                 Value bi = linalg::IndexOp::create(nb, l, 0);
                 Value si = linalg::IndexOp::create(nb, l, 1);
                 Value d = linalg::IndexOp::create(nb, l, 2);
                 Value j =
                     interleaved
                         ? arith::DivUIOp::create(nb, l, d, idx(2)).getResult()
                         : arith::RemUIOp::create(nb, l, d, idx(half))
                               .getResult();
                 Value v;
                 if (posV) {
                   Value p = tensor::ExtractOp::create(nb, l, posV,
                                                       ValueRange{bi, si});
                   p = arith::IndexCastOp::create(nb, l, nb.getIndexType(), p);
                   p = arith::MaxSIOp::create(nb, l, p, idx(0));
                   p = arith::MinSIOp::create(nb, l, p, idx(maxPos - 1));
                   v = tensor::ExtractOp::create(nb, l, cache,
                                                 ValueRange{p, j});
                 } else {
                   v = tensor::ExtractOp::create(nb, l, cache,
                                                 ValueRange{bi, si, j});
                 }
                 linalg::YieldOp::create(nb, l, v);
               })
        .getResult(0);
  };
  // [B, 1, S, R] against [B, H, S, D]; [B, S, 1, R] against [B, S, H, D].
  SmallVector<int64_t> tableShape =
      rank == 4 ? SmallVector<int64_t>{bsz, 1, seq, rot}
                : SmallVector<int64_t>{bsz, seq, 1, rot};
  Value cosT = reshape(widen(cosV), tableShape);
  Value sinT = reshape(widen(sinV), tableShape);
  Value r =
      loom::RoPEOp::create(b, loc, xv.getType(), xv, cosT, sinT, interleaved);
  if (rank == 3)
    r = reshape(r, xs);
  out.push_back(fromValue(r));
  return success();
}

/// Attention-23 decomposed into upstream ops: (3-D inputs split into heads),
/// GQA by repeating K/V heads, Q.K^T (batch_matmul) * scale, softcap,
/// attn_mask / is_causal as additive -inf biases, linalg.softmax, P.V.
/// Scaled dot-product attention on [B, heads, S, D] operands: GQA by
/// repeating K/V heads, Q.K^T * scale, softcap, additive (float) or selecting
/// (bool) mask, causal (top-left aligned) mask, linalg.softmax, P.V. Returns
/// [B, q_heads, S_q, D_v].
FailureOr<Value>
AttentionImporter::attentionCore(Value q4v, Value k4v, Value v4v,
                                 const AttentionParams &params) {
  Type et = cast<RankedTensorType>(q4v.getType()).getElementType();
  auto qs = cast<RankedTensorType>(q4v.getType()).getShape();
  auto ks = cast<RankedTensorType>(k4v.getType()).getShape();
  auto vs = cast<RankedTensorType>(v4v.getType()).getShape();
  int64_t bsz = qs[0], qh = qs[1], sq = qs[2], hd = qs[3];
  int64_t kvh = ks[1], skv = ks[2], vd = vs[3];
  if (ks[0] != bsz || vs[0] != bsz || vs[1] != kvh || vs[2] != skv ||
      ks[3] != hd)
    return nodeFail("Q, K, V shapes are inconsistent");
  if (kvh <= 0 || qh % kvh)
    return nodeFail("q heads must be a multiple of kv heads");
  Value kr = k4v, vr = v4v;
  if (kvh != qh) {
    // Each kv head serves qh/kvh consecutive q heads.
    int64_t rep = qh / kvh;
    auto repeat = [&](Value t, int64_t d) -> Value {
      Value e = reshape(t, {bsz, kvh, 1, skv, d});
      FailureOr<Value> bc = elementwise(
          {e}, et,
          [](OpBuilder &, Location, ArrayRef<Value> a) { return a[0]; },
          ArrayRef<int64_t>{bsz, kvh, rep, skv, d});
      return reshape(*bc, {bsz, qh, skv, d});
    };
    kr = repeat(kr, hd);
    vr = repeat(vr, vd);
  }
  double scale = params.scale > 0 ? params.scale : 1.0 / std::sqrt((double)hd);
  double softcap = params.softcap;
  OValue *mask = params.mask;
  FailureOr<Value> scores = matmul(q4v, transpose(kr, {0, 1, 3, 2}));
  if (failed(scores))
    return failure();
  Value sc = *scores;
  SmallVector<int64_t> sShape = {bsz, qh, sq, skv};
  FailureOr<Value> scaled = elementwise(
      {sc}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value r = arith::MulFOp::create(
            nb, l, a[0],
            arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, scale)));
        if (softcap > 0) {
          Value cap =
              arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, softcap));
          r = arith::MulFOp::create(
              nb, l,
              math::TanhOp::create(nb, l, arith::DivFOp::create(nb, l, r, cap)),
              cap);
        }
        return r;
      });
  if (failed(scaled))
    return failure();
  sc = *scaled;
  if (mask) {
    bool boolMask = mask->type.getElementType().isInteger(1);
    if (!boolMask && mask->type.getElementType() != et)
      return nodeFail("attn_mask must be bool or the type of Q");
    FailureOr<Value> m = elementwise(
        {sc, get(*mask)}, et,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
          if (!boolMask)
            return arith::AddFOp::create(nb, l, a[0], a[1]);
          Value ninf = arith::ConstantOp::create(
              nb, l,
              nb.getFloatAttr(
                  et, llvm::APFloat::getInf(
                          cast<FloatType>(et).getFloatSemantics(), true)));
          return arith::SelectOp::create(nb, l, a[1], a[0], ninf);
        },
        ArrayRef<int64_t>(sShape));
    if (failed(m))
      return failure();
    if (cast<RankedTensorType>(m->getType()).getShape() !=
        ArrayRef<int64_t>(sShape))
      return nodeFail("attn_mask does not broadcast to [batch, heads, q, kv]");
    sc = *m;
  }
  if (params.causal) {
    // Query i attends key j iff j <= i (no past cache: offset 0).
    Value init = empty(sShape, et);
    sc =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{sc}, ValueRange{init},
            SmallVector<AffineMap>(2, b.getMultiDimIdentityMap(4)),
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(nb, l, 2);
              Value j = linalg::IndexOp::create(nb, l, 3);
              Value ok =
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ule, j, i);
              Value ninf = arith::ConstantOp::create(
                  nb, l,
                  nb.getFloatAttr(
                      et, llvm::APFloat::getInf(
                              cast<FloatType>(et).getFloatSemantics(), true)));
              linalg::YieldOp::create(
                  nb, l,
                  arith::SelectOp::create(nb, l, ok, a[0], ninf).getResult());
            })
            .getResult(0);
  }
  Value probs = linalg::SoftmaxOp::create(b, loc, TypeRange{sc.getType()}, sc,
                                          empty(sShape, et), 3)
                    .getResult()[0];
  FailureOr<Value> y = matmul(probs, vr);
  if (failed(y))
    return failure();
  return *y;
}

LogicalResult AttentionImporter::opAttention(Inputs &in, Outputs &out) {
  OValue *q = in[0], *k = in[1], *v = in[2];
  OValue *mask = in.size() > 3 ? in[3] : nullptr;
  if ((in.size() > 4 && in[4]) || (in.size() > 5 && in[5]))
    return nodeFail("past_key/past_value are not supported");
  if (in.size() > 6 && in[6])
    return nodeFail("nonpad_kv_seqlen is not supported");
  for (int i = 3; i < node->output_size(); ++i)
    if (!node->output(i).empty())
      return nodeFail("the qk_matmul_output output is not supported");
  int64_t rank = q->type.getRank();
  Type et = q->type.getElementType();
  if (!isFloat(et) || (rank != 3 && rank != 4) || k->type.getRank() != rank ||
      v->type.getRank() != rank)
    return nodeFail("Q, K, V must be floating-point tensors of rank 3 or 4");
  if (attrInt("left_window_size", -1) != -1 ||
      attrInt("right_window_size", -1) != -1)
    return nodeFail("sliding windows are not supported");
  // To 4-D [B, heads, S, D].
  auto to4d = [&](OValue *t, int64_t heads) -> FailureOr<Value> {
    auto ts = t->type.getShape();
    if (rank == 4)
      return get(*t);
    if (heads <= 0 || ts[2] % heads)
      return nodeFail(
          "3-D inputs need q_num_heads/kv_num_heads dividing the hidden size");
    Value r = reshape(get(*t), {ts[0], ts[1], heads, ts[2] / heads});
    return transpose(r, {0, 2, 1, 3});
  };
  FailureOr<Value> q4 = to4d(q, attrInt("q_num_heads", 0));
  FailureOr<Value> k4 = to4d(k, attrInt("kv_num_heads", 0));
  FailureOr<Value> v4 = to4d(v, attrInt("kv_num_heads", 0));
  if (failed(q4) || failed(k4) || failed(v4))
    return failure();
  AttentionParams params;
  params.scale = attr("scale") ? attrFloat("scale", 1.0f) : 0.0;
  params.softcap = attrFloat("softcap", 0.0f);
  params.causal = attrInt("is_causal", 0);
  params.mask = mask;
  FailureOr<Value> y = attentionCore(*q4, *k4, *v4, params);
  if (failed(y))
    return failure();
  Value yv = *y;
  if (rank == 3) {
    auto ys = cast<RankedTensorType>(yv.getType()).getShape();
    yv = transpose(yv, {0, 2, 1, 3});
    yv = reshape(yv, {ys[0], ys[2], ys[1] * ys[3]});
  }
  out.push_back(fromValue(yv));
  out.push_back(fromValue(*k4));
  out.push_back(fromValue(*v4));
  return success();
}

/// com.microsoft MultiHeadAttention / GroupQueryAttention (onnxruntime
/// contrib ops) on 3-D [B, S, hidden] query/key/value without KV cache:
/// split into heads and lowered through attentionCore. GroupQueryAttention is
/// causal; its seqlens_k / total_sequence_length must describe an unpadded
/// prompt (constants), since padding would need per-batch masks.
LogicalResult AttentionImporter::opMsAttention(StringRef op, Inputs &in,
                                               Outputs &out) {
  bool gqa = op == "GroupQueryAttention";
  auto has = [&](size_t i) { return in.size() > i && in[i]; };
  if (!has(0) || !has(1) || !has(2))
    return nodeFail("query, key and value inputs are required (packed QKV is "
                    "not supported)");
  OValue *q = in[0], *k = in[1], *v = in[2];
  Type et = q->type.getElementType();
  if (!isFloat(et) || q->type.getRank() != 3 || k->type.getRank() != 3 ||
      v->type.getRank() != 3)
    return nodeFail("query, key and value must be floating-point [batch, "
                    "sequence, hidden] tensors");
  int64_t heads = attrInt("num_heads", 0);
  int64_t kvHeads = gqa ? attrInt("kv_num_heads", 0) : heads;
  AttentionParams params;
  params.scale = attrFloat("scale", 0.0f);
  params.softcap = gqa ? attrFloat("softcap", 0.0f) : 0.0;
  int64_t bsz = q->type.getDimSize(0), sq = q->type.getDimSize(1);
  if (gqa) {
    if (has(3) || has(4)) {
      if (!has(3) || !has(4) || in[3]->type.getDimSize(2) != 0 ||
          in[4]->type.getDimSize(2) != 0)
        return nodeFail("a non-empty past_key/past_value (KV cache) is not "
                        "supported");
    }
    for (size_t i = 7; i < in.size(); ++i)
      if (in[i])
        return nodeFail(llvm::formatv("input {0} (rotary caches, position_ids, "
                                      "attention_bias, head_sink) is not "
                                      "supported",
                                      i)
                            .str());
    if (attrInt("do_rotary", 0) || attrInt("local_window_size", -1) != -1 ||
        attrInt("smooth_softmax", 0) || attrInt("qk_output", 0))
      return nodeFail("do_rotary, local_window_size, smooth_softmax and "
                      "qk_output are not supported");
    if (!has(5) || !has(6))
      return nodeFail("seqlens_k and total_sequence_length are required");
    auto seqlens = constInts(in[5], "seqlens_k");
    auto total = constInts(in[6], "total_sequence_length");
    if (failed(seqlens) || failed(total))
      return failure();
    if (total->size() != 1 || (*total)[0] != sq)
      return nodeFail("total_sequence_length must equal the query length "
                      "(prompt without cache)");
    for (int64_t l : *seqlens)
      if (l != sq - 1)
        return nodeFail("seqlens_k must be sequence_length - 1 for every batch "
                        "(padded prompts are not supported)");
    params.causal = true;
  } else {
    if (has(3))
      return nodeFail("the bias input is not supported");
    if (has(4))
      return nodeFail("key_padding_mask is not supported");
    if (has(6) || has(7))
      return nodeFail("past_key/past_value are not supported");
    if (has(5))
      params.mask = in[5]; // attention_bias: additive
    params.causal = attrInt("unidirectional", 0);
  }
  auto split = [&](OValue *t, int64_t h) -> FailureOr<Value> {
    auto ts = t->type.getShape();
    if (h <= 0 || ts[2] % h)
      return nodeFail("num_heads/kv_num_heads must divide the hidden size");
    Value r = reshape(get(*t), {ts[0], ts[1], h, ts[2] / h});
    return transpose(r, {0, 2, 1, 3});
  };
  FailureOr<Value> q4 = split(q, heads), k4 = split(k, kvHeads),
                   v4 = split(v, kvHeads);
  if (failed(q4) || failed(k4) || failed(v4))
    return failure();
  FailureOr<Value> y = attentionCore(*q4, *k4, *v4, params);
  if (failed(y))
    return failure();
  auto ys = cast<RankedTensorType>(y->getType()).getShape();
  Value yv = reshape(transpose(*y, {0, 2, 1, 3}), {bsz, sq, ys[1] * ys[3]});
  out.push_back(fromValue(yv));
  out.push_back(fromValue(*k4));
  out.push_back(fromValue(*v4));
  return success();
}

void mlir::loom::onnx_import::registerAttentionOps(ConverterTable &table) {
  table.add("RotaryEmbedding", 3, &AttentionImporter::opRotaryEmbedding);
  table.add("Attention", 3, &AttentionImporter::opAttention);
  // The contrib ops check their own inputs (packed QKV is not supported).
  for (StringRef op : {"MultiHeadAttention", "GroupQueryAttention"})
    table.add("com.microsoft", op, 0, &AttentionImporter::opMsAttention);
}
