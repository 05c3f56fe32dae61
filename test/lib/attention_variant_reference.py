"""NumPy references of loom.angular_attention and of the threshold selection of
loom.block_sparse_attention, and the inputs of their execution tests.

Usage (from a lit RUN line, with test/lib on PYTHONPATH):

    python -m attention_variant_reference CASE OUTDIR

writes the case's seeded inputs (``q.npy``, ...) and expected results (``ref0.npy``, ...)
into OUTDIR, like attention_reference.py. References are computed in float64 from the
float32 inputs, following docs/Attention.md, independently of the MLIR lowering.

Threshold selection is discontinuous: a float32 computation of the cumulative mass could
take a different block than the float64 reference where the mass before a block lies
within rounding of the threshold, or where two candidates' scores nearly tie. Each case
therefore checks its margins (``MASS_MARGIN``, ``SCORE_MARGIN``) and fails loudly if its
inputs come too close; exact ties (identical key blocks) are intended and exempt.
"""

import os
import sys

import numpy as np

from attention_reference import randn, softmax_attention

MASS_MARGIN = 1e-4
SCORE_MARGIN = 1e-4

# ----------------------------------------------------------------------------------
# Reference semantics.
# ----------------------------------------------------------------------------------


def angular_attention(q, k, v, conv_weight=None, causal=False, eps=1e-12):
    """loom.angular_attention: out [B,Hq,Sq,Dv]."""
    q, k, v = (np.asarray(x, np.float64) for x in (q, k, v))
    group = q.shape[1] // k.shape[1]
    normalise = lambda x: x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), eps)
    qn = normalise(q)
    kn = np.repeat(normalise(k), group, axis=1)
    vr = np.repeat(v, group, axis=1)
    w = 0.5 + qn @ np.swapaxes(kn, -1, -2) / np.pi
    if causal:
        w = w * np.tril(np.ones(w.shape[-2:]))
    out = (w @ vr) / w.sum(axis=-1, keepdims=True)
    if conv_weight is not None:
        cw = np.asarray(conv_weight, np.float64)
        kernel = cw.shape[1]
        pad = kernel // 2
        s = v.shape[2]
        vp = np.pad(v, ((0, 0), (0, 0), (pad, pad), (0, 0)))
        conv = sum(cw[None, :, t, None, None] * vp[:, :, t:t + s] for t in range(kernel))
        out = out + np.repeat(conv, group, axis=1)
    return out


def threshold_selection(q, k, block_q, block_k, threshold, causal=False, scale=None):
    """Cumulative-threshold block selection: (bool [B,Hq,NQ,NK], mass margin, score
    margin). The own block is kept first and its softmax mass counts; the other
    candidates follow by descending scaled score (ties: lowest index), each kept iff the
    mass before it is below the threshold."""
    q, k = np.asarray(q, np.float64), np.asarray(k, np.float64)
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    scale = 1.0 / np.sqrt(d) if scale is None else scale
    nq, nk = sq // block_q, skv // block_k
    pooled_q = q.reshape(b, hq, nq, block_q, d).mean(axis=3)
    pooled_k = np.repeat(k.reshape(b, hkv, nk, block_k, d).mean(axis=3), hq // hkv, axis=1)
    scores = scale * (pooled_q @ np.swapaxes(pooled_k, -1, -2))
    selected = np.zeros((b, hq, nq, nk), bool)
    mass_margin = score_margin = np.inf
    for bi in range(b):
        for h in range(hq):
            for qb in range(nq):
                last = skv - sq + (qb + 1) * block_q - 1
                own = last // block_k
                cands = [kb for kb in range(nk) if not causal or kb * block_k <= last]
                s = scores[bi, h, qb, cands]
                p = dict(zip(cands, np.exp(s - s.max()) / np.exp(s - s.max()).sum()))
                others = sorted((kb for kb in cands if kb != own),
                                key=lambda kb: (-scores[bi, h, qb, kb], kb))
                selected[bi, h, qb, own] = True
                mass = p[own]
                for prev, kb in zip([None] + others, others):
                    mass_margin = min(mass_margin, abs(mass - threshold))
                    if prev is not None:
                        gap = scores[bi, h, qb, prev] - scores[bi, h, qb, kb]
                        if gap != 0:
                            score_margin = min(score_margin, gap)
                    selected[bi, h, qb, kb] = mass < threshold
                    mass += p[kb]
    return selected, mass_margin, score_margin


def threshold_attention(q, k, v, block_q, block_k, threshold, causal=False, scale=None):
    """loom.block_sparse_attention with `threshold`: (out, number of kept blocks)."""
    selected, mass_margin, score_margin = threshold_selection(
        q, k, block_q, block_k, threshold, causal, scale)
    if mass_margin < MASS_MARGIN or score_margin < SCORE_MARGIN:
        sys.exit(f"inputs too close to a selection boundary (mass margin {mass_margin:.2e}, "
                 f"score margin {score_margin:.2e}): change the case's inputs")
    visible = np.repeat(np.repeat(selected, block_q, axis=2), block_k, axis=3)
    mask = np.where(visible, 0.0, -np.inf)
    out = softmax_attention(q, k, v, scale=scale, causal=causal, mask=mask)[0]
    return out, int(selected.sum())


# ----------------------------------------------------------------------------------
# Test cases: each returns (inputs, references), both lists of (name, array).
# ----------------------------------------------------------------------------------

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def angular(rng):
    """Non-causal with the local branch (K = 3, GQA 4:2, batch 2, 17 tokens like a ViT
    with a class token); Sq != Skv with Dv != D and one all-zero query (weight 1/2 on
    every key: the mean of the values); causal GQA 4:1; the local branch with
    Castling-ViT's default K = 9 (MHA)."""
    q, k, v = randn(rng, 2, 4, 17, 8), randn(rng, 2, 2, 17, 8), randn(rng, 2, 2, 17, 8)
    w3 = randn(rng, 2, 3)
    q8, k12, v12 = randn(rng, 1, 2, 8, 8), randn(rng, 1, 2, 12, 8), randn(rng, 1, 2, 12, 4)
    q8[0, 1, 3] = 0.0
    qc, kc, vc = randn(rng, 1, 4, 16, 8), randn(rng, 1, 1, 16, 8), randn(rng, 1, 1, 16, 8)
    q2, k2, v2, w9 = (randn(rng, 1, 2, 17, 16), randn(rng, 1, 2, 17, 16),
                      randn(rng, 1, 2, 17, 16), randn(rng, 2, 9))
    mean = v12[0, 1].astype(np.float64).mean(axis=0)
    assert np.allclose(angular_attention(q8, k12, v12)[0, 1, 3], mean)
    return [("q", q), ("k", k), ("v", v), ("w3", w3), ("q8", q8), ("k12", k12),
            ("v12", v12), ("qc", qc), ("kc", kc), ("vc", vc), ("q2", q2), ("k2", k2),
            ("v2", v2), ("w9", w9)], [
        angular_attention(q, k, v, w3),
        angular_attention(q8, k12, v12),
        angular_attention(qc, kc, vc, causal=True),
        angular_attention(q2, k2, v2, w9)]


def _spread_keys(rng, b, h, s, d, block):
    """Keys whose blocks have distinct means, so block scores spread out."""
    offsets = np.repeat(randn(rng, b, h, s // block, 1, d), block, axis=3)
    return randn(rng, b, h, s, d) + 1.5 * offsets.reshape(b, h, s, d)


@case
def block_sparse_threshold(rng):
    """Threshold selection: causal t = 0.5 (GQA 2:1); non-causal t = 0.9 with batch 2,
    block_q = 4, block_k = 8, Sq < Skv and scale 0.5; causal t = 1.0 (every candidate:
    equal to causal dense attention); non-causal t = 0.5 where key blocks 1 and 2 are
    identical (the tie goes to block 1)."""
    q = randn(rng, 1, 4, 32, 8, shift=0.3)
    k = _spread_keys(rng, 1, 2, 32, 8, 8).astype(np.float32)
    v = randn(rng, 1, 2, 32, 8)
    qb = randn(rng, 2, 4, 16, 8, shift=0.3)
    kb = _spread_keys(rng, 2, 2, 32, 8, 8).astype(np.float32)
    vb = randn(rng, 2, 2, 32, 8)
    kt = k.copy()
    kt[:, :, 16:24] = kt[:, :, 8:16]
    half, kept_half = threshold_attention(q, k, v, 8, 8, 0.5, causal=True)
    ninety, kept_ninety = threshold_attention(qb, kb, vb, 4, 8, 0.9, scale=0.5)
    full, kept_full = threshold_attention(q, k, v, 8, 8, 1.0, causal=True)
    tie, _ = threshold_attention(q, kt, v, 8, 8, 0.5)
    # The tie decides: some query block (not owning block 1 or 2) keeps block 1 only.
    sel_tie = threshold_selection(q, kt, 8, 8, 0.5)[0]
    assert (sel_tie[0, :, [0, 3], 1] & ~sel_tie[0, :, [0, 3], 2]).any()
    # t = 1 keeps every causal candidate: 1 + 2 + 3 + 4 blocks per head.
    assert kept_full == 4 * 10, kept_full
    assert np.allclose(full, softmax_attention(q, k, v, causal=True)[0])
    # The selections are neither empty nor full (else the test proves little).
    assert 4 * 4 < kept_half < 4 * 10, kept_half
    assert 2 * 4 * 4 < kept_ninety < 2 * 4 * 4 * 4, kept_ninety
    return [("q", q), ("k", k), ("v", v), ("qb", qb), ("kb", kb), ("vb", vb),
            ("kt", kt)], [half, ninety, full, tie]


def main(argv):
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: {argv[0]} CASE OUTDIR  (CASE one of {', '.join(CASES)})")
    name, outdir = argv[1], argv[2]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(sum(map(ord, name)))  # stable per case
    inputs, refs = CASES[name](rng)
    for input_name, array in inputs:
        np.save(os.path.join(outdir, f"{input_name}.npy"), np.asarray(array, np.float32))
    for i, ref in enumerate(refs):
        np.save(os.path.join(outdir, f"ref{i}.npy"), np.asarray(ref, np.float32))


if __name__ == "__main__":
    main(sys.argv)
