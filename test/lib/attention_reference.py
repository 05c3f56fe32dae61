"""NumPy references of Loom's attention ops, and the inputs of their execution tests.

Usage (from a lit RUN line, with test/lib on PYTHONPATH):

    python -m attention_reference CASE OUTDIR

writes the case's seeded random inputs (``q.npy``, ``k.npy``, ...; the order the test's
entry function takes them is the order of ``Case.inputs``) and its expected results
(``ref0.npy``, ``ref1.npy``, ...) into OUTDIR. The references are computed in float64
from the float32 inputs and stored as float32; they follow TECHNIQUES.md section 1 and
docs/Attention.md, independently of the MLIR lowering.
"""

import os
import sys

import numpy as np

# ----------------------------------------------------------------------------------
# Reference semantics.
# ----------------------------------------------------------------------------------


def softmax_attention(q, k, v, scale=None, causal=False, window=None, sinks=0,
                      mask=None, hamming=False):
    """loom.attention: returns (out [B,Hq,Sq,Dv], key_scores [B,Hkv,Skv])."""
    q, k, v = (np.asarray(x, np.float64) for x in (q, k, v))
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    group = hq // hkv
    if scale is None:
        scale = float(np.float32(1.0) / np.sqrt(np.float32(d)))
    kk = np.repeat(k, group, axis=1)
    vv = np.repeat(v, group, axis=1)
    if hamming:
        # sign(q) . sign(k) with bit = (x >= 0) equals 2 * popcount(xnor) - D.
        qs = np.where(q >= 0, 1.0, -1.0)
        ks = np.where(kk >= 0, 1.0, -1.0)
        scores = qs @ np.swapaxes(ks, -1, -2)
    else:
        scores = q @ np.swapaxes(kk, -1, -2)
    scores = scores * scale
    if mask is not None:
        scores = scores + np.asarray(mask, np.float64)
    query_pos = (skv - sq + np.arange(sq))[:, None]
    key_pos = np.arange(skv)[None, :]
    visible = np.ones((sq, skv), bool)
    if causal:
        visible &= key_pos <= query_pos
    if window is not None:
        visible &= (key_pos > query_pos - window) | (key_pos < sinks)
    scores = np.where(visible, scores, -np.inf)
    row_max = scores.max(axis=-1, keepdims=True)
    has_key = np.isfinite(row_max)
    with np.errstate(invalid="ignore"):
        exps = np.where(has_key, np.exp(scores - np.where(has_key, row_max, 0.0)), 0.0)
    row_sum = exps.sum(axis=-1, keepdims=True)
    probs = np.where(row_sum > 0, exps / np.where(row_sum > 0, row_sum, 1.0), 0.0)
    out = probs @ vv
    key_scores = probs.reshape(b, hkv, group, sq, skv).sum(axis=(2, 3))
    return out, key_scores


def feature_map(x, kind):
    x = np.asarray(x, np.float64)
    if kind == "elu_plus_one":
        return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))
    if kind == "relu":
        return np.maximum(x, 0.0)
    if kind == "identity":
        return x
    raise ValueError(f"unknown feature map {kind}")


def linear_attention(q, k, v, kind="elu_plus_one", causal=False, eps=1e-6,
                     state=None, normalizer=None):
    """loom.linear_attention: returns (out [B,H,S,Dv], S_out [B,H,D,Dv], z_out [B,H,D])."""
    pq, pk = feature_map(q, kind), feature_map(k, kind)
    v = np.asarray(v, np.float64)
    b, h, _, d = pq.shape
    dv = v.shape[-1]
    s0 = np.zeros((b, h, d, dv)) if state is None else np.asarray(state, np.float64)
    z0 = np.zeros((b, h, d)) if normalizer is None else np.asarray(normalizer, np.float64)
    outer = pk[..., :, None] * v[..., None, :]  # [B,H,Skv,D,Dv]
    if causal:
        kv = s0[:, :, None] + np.cumsum(outer, axis=2)
        z = z0[:, :, None] + np.cumsum(pk, axis=2)
        num = np.einsum("bhsd,bhsde->bhse", pq, kv)
        den = np.einsum("bhsd,bhsd->bhs", pq, z)
    else:
        kv = s0 + outer.sum(axis=2)
        z = z0 + pk.sum(axis=2)
        num = np.einsum("bhsd,bhde->bhse", pq, kv)
        den = np.einsum("bhsd,bhd->bhs", pq, z)
    out = num / (den[..., None] + eps)
    return out, s0 + outer.sum(axis=2), z0 + pk.sum(axis=2)


def block_selection(q, k, block_q, block_k, top_k, causal=False):
    """Dynamic (top-k) block selection of loom.block_sparse_attention: bool [B,Hq,NQ,NK]."""
    q, k = np.asarray(q, np.float64), np.asarray(k, np.float64)
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    nq, nk = sq // block_q, skv // block_k
    pooled_q = q.reshape(b, hq, nq, block_q, d).mean(axis=3)
    pooled_k = np.repeat(k.reshape(b, hkv, nk, block_k, d).mean(axis=3), hq // hkv, axis=1)
    scores = pooled_q @ np.swapaxes(pooled_k, -1, -2)
    selected = np.zeros((b, hq, nq, nk), bool)
    for bi in range(b):
        for h in range(hq):
            for qb in range(nq):
                last = skv - sq + (qb + 1) * block_q - 1
                own = last // block_k
                candidates = [kb for kb in range(nk)
                              if kb != own and (not causal or kb * block_k <= last)]
                candidates.sort(key=lambda kb: (-scores[bi, h, qb, kb], kb))
                for kb in [own] + candidates[:top_k - 1]:
                    selected[bi, h, qb, kb] = True
    return selected


def block_sparse_attention(q, k, v, block_q, block_k, block_mask=None, top_k=None,
                           causal=False, scale=None):
    """loom.block_sparse_attention: returns out [B,Hq,Sq,Dv]."""
    b, hq, sq, _ = q.shape
    skv = k.shape[2]
    if block_mask is not None:
        selected = np.broadcast_to(np.asarray(block_mask, bool),
                                   (b, hq, sq // block_q, skv // block_k))
    else:
        selected = block_selection(q, k, block_q, block_k, top_k, causal)
    visible = np.repeat(np.repeat(selected, block_q, axis=2), block_k, axis=3)
    mask = np.where(visible, 0.0, -np.inf)
    return softmax_attention(q, k, v, scale=scale, causal=causal, mask=mask)[0]


# ----------------------------------------------------------------------------------
# Test cases: each returns (inputs, references), both lists of (name, array).
# ----------------------------------------------------------------------------------

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def randn(rng, *shape, shift=0.0):
    return (rng.standard_normal(shape) + shift).astype(np.float32)


@case
def gqa(rng):
    """GQA 4:1, non-causal, Dv != D, batch 2."""
    q, k, v = randn(rng, 2, 8, 16, 16), randn(rng, 2, 2, 16, 16), randn(rng, 2, 2, 16, 8)
    return [("q", q), ("k", k), ("v", v)], [softmax_attention(q, k, v)[0]]


@case
def mqa(rng):
    """MQA (one kv head), causal, explicit scale."""
    q, k, v = randn(rng, 1, 4, 12, 8), randn(rng, 1, 1, 12, 8), randn(rng, 1, 1, 12, 8)
    return [("q", q), ("k", k), ("v", v)], [
        softmax_attention(q, k, v, scale=0.5, causal=True)[0]]


@case
def causal_prefill(rng):
    q, k, v = randn(rng, 1, 2, 32, 16), randn(rng, 1, 2, 32, 16), randn(rng, 1, 2, 32, 16)
    return [("q", q), ("k", k), ("v", v)], [
        softmax_attention(q, k, v, causal=True)[0]]


@case
def causal_decode(rng):
    """Decode (Sq = 1) and a 4-token verify step (Sq = 4) against 20 keys."""
    q1, q4 = randn(rng, 1, 4, 1, 16), randn(rng, 1, 4, 4, 16)
    k, v = randn(rng, 1, 2, 20, 16), randn(rng, 1, 2, 20, 16)
    return [("q1", q1), ("q4", q4), ("k", k), ("v", v)], [
        softmax_attention(q1, k, v, causal=True)[0],
        softmax_attention(q4, k, v, causal=True)[0]]


@case
def window_sinks(rng):
    """Sliding window 6 with 2 sinks: prefill, and a 3-token step at an offset."""
    q, k, v = randn(rng, 1, 2, 24, 8), randn(rng, 1, 2, 24, 8), randn(rng, 1, 2, 24, 8)
    q3 = randn(rng, 1, 2, 3, 8)
    return [("q", q), ("q3", q3), ("k", k), ("v", v)], [
        softmax_attention(q, k, v, causal=True, window=6, sinks=2)[0],
        softmax_attention(q3, k, v, causal=True, window=6, sinks=2)[0]]


@case
def additive_mask(rng):
    """Additive mask broadcast over heads [B,1,Sq,Skv] and over batch/queries [1,Hq,1,Skv];
    some rows are fully masked (-inf everywhere) and must give zeros."""
    q, k, v = randn(rng, 2, 4, 8, 8), randn(rng, 2, 2, 12, 8), randn(rng, 2, 2, 12, 8)
    mask = randn(rng, 2, 1, 8, 12)
    mask[rng.random(mask.shape) < 0.3] = -np.inf
    mask[0, 0, 3, :] = -np.inf
    mask[1, 0, 0, :] = -np.inf
    mask[1, 0, 7, :] = -np.inf
    head_mask = np.where(rng.random((1, 4, 1, 12)) < 0.25, -np.inf, 0.0).astype(np.float32)
    head_mask[0, 2, 0, :] = -np.inf
    return [("q", q), ("k", k), ("v", v), ("mask", mask), ("head_mask", head_mask)], [
        softmax_attention(q, k, v, mask=mask)[0],
        softmax_attention(q, k, v, mask=head_mask, causal=True)[0]]


@case
def key_scores(rng):
    """Per-key accumulated probability, GQA 2:1, causal decode offset."""
    q, k, v = randn(rng, 1, 4, 6, 8), randn(rng, 1, 2, 10, 8), randn(rng, 1, 2, 10, 8)
    out, scores = softmax_attention(q, k, v, causal=True)
    return [("q", q), ("k", k), ("v", v)], [out, scores]


@case
def hamming(rng):
    """Hamming (sign-binarised) scores, default and explicit scale, GQA, causal."""
    q, k, v = randn(rng, 1, 4, 10, 16), randn(rng, 1, 2, 10, 16), randn(rng, 1, 2, 10, 16)
    out, scores = softmax_attention(q, k, v, hamming=True, causal=True)
    return [("q", q), ("k", k), ("v", v)], [
        out, scores, softmax_attention(q, k, v, hamming=True, scale=0.125)[0]]


def _linear_inputs(rng, kind, b=1, h=2, s=8, d=8, dv=8):
    # relu/identity get positive-leaning inputs so that the normaliser stays away from 0
    # (near 0 the function itself is ill-conditioned and no f32 tolerance is meaningful).
    shift = {"elu_plus_one": 0.0, "relu": 0.75, "identity": 0.0}[kind]
    if kind == "identity":
        q = rng.uniform(0.1, 1.0, (b, h, s, d)).astype(np.float32)
        k = rng.uniform(0.1, 1.0, (b, h, s, d)).astype(np.float32)
    else:
        q, k = randn(rng, b, h, s, d, shift=shift), randn(rng, b, h, s, d, shift=shift)
    return q, k, randn(rng, b, h, s, dv)


@case
def linear_feature_maps(rng):
    """Causal linear attention with each feature map (no state)."""
    inputs, refs = [], []
    for kind in ("elu_plus_one", "relu", "identity"):
        q, k, v = _linear_inputs(rng, kind, b=2, h=2, s=12, d=8, dv=4)
        inputs += [(f"q_{kind}", q), (f"k_{kind}", k), (f"v_{kind}", v)]
        refs.append(linear_attention(q, k, v, kind, causal=True)[0])
    return inputs, refs


@case
def linear_forms(rng):
    """Causal, recurrent (token by token) and chunked forms from a carried state."""
    q, k, v = _linear_inputs(rng, "elu_plus_one", b=1, h=2, s=8, d=8, dv=4)
    s0 = np.abs(randn(rng, 1, 2, 8, 4))
    z0 = rng.uniform(0.5, 2.0, (1, 2, 8)).astype(np.float32)
    out, s_out, z_out = linear_attention(q, k, v, "elu_plus_one", causal=True,
                                         state=s0, normalizer=z0)
    return [("q", q), ("k", k), ("v", v), ("s0", s0), ("z0", z0)], [
        out, out, out, s_out, z_out, s_out, z_out]


@case
def linear_noncausal(rng):
    """Non-causal, key length != query length, carried state in and out, eps = 1e-3."""
    q = randn(rng, 2, 2, 6, 8)
    k, v = randn(rng, 2, 2, 10, 8), randn(rng, 2, 2, 10, 4)
    s0 = randn(rng, 2, 2, 8, 4)
    z0 = rng.uniform(0.5, 2.0, (2, 2, 8)).astype(np.float32)
    out, s_out, z_out = linear_attention(q, k, v, "elu_plus_one", causal=False,
                                         eps=1e-3, state=s0, normalizer=z0)
    plain = linear_attention(q, k, v, "relu", causal=False)[0]
    return [("q", q), ("k", k), ("v", v), ("s0", s0), ("z0", z0)], [
        out, s_out, z_out, plain]


BLOCK_MASK = np.array([[1, 0, 0, 0],
                       [1, 1, 0, 0],
                       [0, 0, 0, 0],
                       [1, 0, 1, 1]], bool)


@case
def block_sparse_mask(rng):
    """Static block mask (one query block sees nothing: zeros), GQA 2:1; non-causal
    and causal with block_q = 4, block_k = 8 over a longer key sequence, where query block 0
    only sees a block in its future (zeros again, through causality)."""
    q, k, v = randn(rng, 1, 4, 32, 8), randn(rng, 1, 2, 32, 8), randn(rng, 1, 2, 32, 8)
    q16 = randn(rng, 1, 4, 16, 8)
    mask2 = np.array([[0, 0, 0, 1], [0, 1, 0, 1], [1, 1, 1, 0], [0, 0, 0, 1]], bool)
    return [("q", q), ("q16", q16), ("k", k), ("v", v)], [
        block_sparse_attention(q, k, v, 8, 8, block_mask=BLOCK_MASK),
        block_sparse_attention(q16, k, v, 4, 8, block_mask=mask2, causal=True)]


@case
def block_sparse_topk(rng):
    """Dynamic top-k: causal top-2 (GQA 2:1), non-causal top-3 with Sq < Skv and
    block_q != block_k, and an exact tie between two identical key blocks."""
    q, k, v = randn(rng, 1, 4, 32, 8), randn(rng, 1, 2, 32, 8), randn(rng, 1, 2, 32, 8)
    q16 = randn(rng, 1, 4, 16, 8)
    kt = k.copy()
    kt[:, :, 16:24] = kt[:, :, 8:16]  # key blocks 1 and 2 score equally: block 1 wins
    return [("q", q), ("q16", q16), ("k", k), ("v", v), ("kt", kt)], [
        block_sparse_attention(q, k, v, 8, 8, top_k=2, causal=True),
        block_sparse_attention(q16, k, v, 4, 8, top_k=3),
        block_sparse_attention(q, kt, v, 8, 8, top_k=2)]


@case
def half_precision(rng):
    """f16 storage (f32 compute) for the three ops: softmax (GQA 2:1, causal), causal linear
    attention with an f32 carried state, dynamic top-2 block-sparse. References are computed
    from the f16 inputs and rounded to f16 like the results."""
    half = lambda *shape: rng.standard_normal(shape).astype(np.float16)
    q, k, v = half(1, 4, 16, 8), half(1, 2, 16, 8), half(1, 2, 16, 8)
    lq, lk, lv = half(1, 2, 8, 8), half(1, 2, 8, 8), half(1, 2, 8, 8)
    s0 = np.abs(randn(rng, 1, 2, 8, 8))
    z0 = rng.uniform(0.5, 2.0, (1, 2, 8)).astype(np.float32)
    lin, s_out, z_out = linear_attention(lq, lk, lv, causal=True, state=s0, normalizer=z0)
    f16 = lambda x: np.asarray(x, np.float16)
    return [("q", q), ("k", k), ("v", v), ("lq", lq), ("lk", lk), ("lv", lv),
            ("s0", s0), ("z0", z0)], [
        f16(softmax_attention(q, k, v, causal=True)[0]),
        f16(lin), s_out, z_out,
        f16(block_sparse_attention(q, k, v, 4, 4, top_k=2, causal=True))]


def main(argv):
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: {argv[0]} CASE OUTDIR  (CASE one of {', '.join(CASES)})")
    name, outdir = argv[1], argv[2]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(sum(map(ord, name)))  # stable per case
    inputs, refs = CASES[name](rng)
    def stored(array):
        # f16 stays f16 (half-precision tests); everything else is f32.
        array = np.asarray(array)
        return array if array.dtype == np.float16 else array.astype(np.float32)

    for input_name, array in inputs:
        np.save(os.path.join(outdir, f"{input_name}.npy"), stored(array))
    for i, ref in enumerate(refs):
        np.save(os.path.join(outdir, f"ref{i}.npy"), stored(ref))


if __name__ == "__main__":
    main(sys.argv)
