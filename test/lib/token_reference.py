"""NumPy references of Loom's token-reduction ops, and the inputs of their execution tests.

Usage (from a lit RUN line, with test/lib on PYTHONPATH):

    python -m token_reference CASE OUTDIR

writes the case's seeded random inputs (``in_0.npy``, ``in_1.npy``, ... in the order the
test's entry function takes them) and its expected results (``ref_0.npy``, ...) into
OUTDIR. The references follow TECHNIQUES.md section 5 and docs/TokenReduction.md,
independently of the MLIR lowering: selection is done with Python sorts, means in float64.
"""

import math
import sys

import numpy as np

from case_files import save_case

# ----------------------------------------------------------------------------------
# Reference semantics.
# ----------------------------------------------------------------------------------


def score(method, x):
    """loom.token.score: [B,S] float32."""
    x = np.asarray(x, np.float64)
    if method == "cls_attention":
        s = x[:, :, 0, :].mean(axis=1)
    elif method == "attention_received":
        s = x.sum(axis=2).mean(axis=1)
    elif method == "l2norm":
        s = np.sqrt((x * x).sum(axis=-1))
    else:
        raise ValueError(method)
    return s.astype(np.float32)


def keep_count(n, keep=None, ratio=None):
    """K: the count, or ceil(ratio * S) with products within 1e-3 of an integer snapped."""
    if keep is not None:
        return keep
    return int(math.ceil(float(np.float32(ratio)) * n - 1e-3))


def prune(x, scores, keep, pinned=()):
    """loom.token.prune: (kept [B,K,D], indices [B,K] int64)."""
    b, n, _ = x.shape
    pinned = list(pinned)
    idx = np.zeros((b, keep), np.int64)
    for bi in range(b):
        # Compared in f32, as the op specifies; NaN ranks as -inf.
        s = [float(np.float32(v)) for v in scores[bi]]
        s = [-math.inf if math.isnan(v) else v for v in s]
        free = sorted((i for i in range(n) if i not in pinned), key=lambda i: (-s[i], i))
        chosen = sorted(pinned + free[:keep - len(pinned)])
        idx[bi] = chosen
    kept = np.stack([x[bi, idx[bi]] for bi in range(b)])
    return kept, idx


def restore_indices(x, idx, n, fill=None):
    """loom.token.restore with indices: [B,S,D]."""
    b, _, d = x.shape
    out = np.zeros((b, n, d), x.dtype) if fill is None else np.array(fill, copy=True)
    for bi in range(b):
        for k, i in enumerate(idx[bi]):
            if 0 <= i < n:
                out[bi, i] = x[bi, k]
    return out


def restore_source(x, source):
    """loom.token.restore with a ToMe source map: [B,S,D]; sources outside [0, K)
    give zero rows."""
    b, k, d = x.shape
    out = np.zeros((b, source.shape[1], d), x.dtype)
    for bi in range(b):
        for i, src in enumerate(source[bi]):
            if 0 <= src < k:
                out[bi, i] = x[bi, src]
    return out


def merge(x, r, keys=None, sizes=None, protect_first=False, margin=1e-4):
    """loom.token.merge: (merged [B,S-r,D], merged_sizes [B,S-r], source [B,S] int64).

    Asserts that the selection does not hinge on a difference below `margin` (so an
    f32 lowering must make the same choices), except between exactly equal vectors.
    """
    x64 = np.asarray(x, np.float64)
    k = x64 if keys is None else np.asarray(keys, np.float64)
    b, n, d = x.shape
    sizes = np.ones((b, n)) if sizes is None else np.asarray(sizes, np.float64)
    a_tok = np.arange(0, n, 2)
    b_tok = np.arange(1, n, 2)
    merged = np.zeros((b, n - r, d))
    merged_sizes = np.zeros((b, n - r))
    source = np.zeros((b, n), np.int64)
    for bi in range(b):
        norms = np.sqrt((k[bi] ** 2).sum(-1))
        dots = k[bi][a_tok] @ k[bi][b_tok].T
        den = norms[a_tok][:, None] * norms[b_tok][None, :]
        sims = np.where(den > 0, dots / np.where(den > 0, den, 1.0), 0.0)
        match = np.argmax(sims, axis=1)  # first maximum: lowest B index
        best = sims[np.arange(len(a_tok)), match]
        for a in range(len(a_tok)):
            others = np.delete(sims[a], match[a])
            assert others.size == 0 or best[a] - others.max() > margin or \
                np.array_equal(k[bi][a_tok[a]], k[bi][b_tok[match[a]]]), "match tie"
        order = sorted(range(len(a_tok)), key=lambda a: (-best[a], a))
        if protect_first:
            order = [a for a in order if a != 0] + [0]
        if r < len(order) - (1 if protect_first else 0):
            assert best[order[r - 1]] - best[order[r]] > margin, "rank tie at r"
        target = np.arange(n)
        for a in order[:r]:
            target[a_tok[a]] = b_tok[match[a]]
        survivors = [i for i in range(n) if target[i] == i]
        row = {t: o for o, t in enumerate(survivors)}
        source[bi] = [row[target[i]] for i in range(n)]
        for o in range(n - r):
            members = source[bi] == o
            merged_sizes[bi, o] = sizes[bi, members].sum()
            merged[bi, o] = (sizes[bi, members][:, None] * x64[bi, members]).sum(0) / \
                merged_sizes[bi, o]
    return merged.astype(x.dtype), merged_sizes.astype(np.float32), source


# ----------------------------------------------------------------------------------
# Test cases.
# ----------------------------------------------------------------------------------


def _probs(rng, *shape):
    logits = rng.standard_normal(shape) * 2.0
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def case_score(out):
    """Attention probabilities [2,4,9,9] and hidden states [2,9,16] (f32 and f16)."""
    rng = np.random.default_rng(501)
    p = _probs(rng, 2, 4, 9, 9)
    x = rng.standard_normal((2, 9, 16)).astype(np.float32)
    xh = rng.standard_normal((2, 9, 16)).astype(np.float16)
    save_case(out, [p, x, xh], [score("cls_attention", p), score("attention_received", p),
                                 score("l2norm", x), score("l2norm", xh)])


def case_prune_count(out):
    """keep = 5 of 12 with the class token pinned; the class token has a low score."""
    rng = np.random.default_rng(502)
    x = rng.standard_normal((2, 12, 8)).astype(np.float32)
    s = rng.standard_normal((2, 12)).astype(np.float32)
    s[:, 0] = -10.0  # would never be chosen without the pin
    kept, idx = prune(x, s, 5, pinned=[0])
    assert all(0 in row for row in idx)
    save_case(out, [x, s], [kept, idx])


def case_prune_ratio(out):
    """keep_ratio 0.3 of 10 tokens keeps ceil(3.0) = 3; pins 0 and 9; no pin variant."""
    rng = np.random.default_rng(503)
    x = rng.standard_normal((2, 10, 6)).astype(np.float32)
    s = rng.standard_normal((2, 10)).astype(np.float32)
    k1 = keep_count(10, ratio=0.3)
    k2 = keep_count(10, ratio=0.55)  # ceil(5.5) = 6
    assert (k1, k2) == (3, 6)
    kept1, idx1 = prune(x, s, k1, pinned=[9, 0])
    kept2, idx2 = prune(x, s, k2)
    save_case(out, [x, s], [kept1, idx1, kept2, idx2])


def case_prune_ties(out):
    """Integer scores with many ties (and a NaN): ties go to the lowest index."""
    rng = np.random.default_rng(504)
    x = rng.standard_normal((2, 16, 4)).astype(np.float32)
    s = rng.integers(0, 3, (2, 16)).astype(np.float32)
    s[1, 5] = np.nan
    s[1, 6] = 7.0
    kept, idx = prune(x, s, 6, pinned=[3])
    # The ties matter: breaking them by the highest index would keep other tokens.
    for b in range(2):
        sb = np.where(np.isnan(s[b]), -np.inf, s[b])
        free = sorted((i for i in range(16) if i != 3), key=lambda i: (-sb[i], -i))
        assert sorted([3] + free[:5]) != list(idx[b])
    save_case(out, [x, s], [kept, idx])


def case_prune_restore(out):
    """Prune then restore: kept rows at their positions, zeros or a fill elsewhere."""
    rng = np.random.default_rng(505)
    x = rng.standard_normal((2, 12, 8)).astype(np.float32)
    s = rng.standard_normal((2, 12)).astype(np.float32)
    fill = rng.standard_normal((2, 12, 8)).astype(np.float32)
    kept, idx = prune(x, s, 7, pinned=[0])
    zero_filled = restore_indices(kept, idx, 12)
    filled = restore_indices(kept, idx, 12, fill)
    mask = np.zeros((2, 12), bool)
    for b in range(2):
        mask[b, idx[b]] = True
    assert np.array_equal(zero_filled[mask], x[mask])
    save_case(out, [x, s, fill], [zero_filled, filled, idx])


def case_merge_self(out):
    """ToMe on the tokens themselves, unit sizes: 16 tokens, r = 5."""
    rng = np.random.default_rng(506)
    x = rng.standard_normal((2, 16, 8)).astype(np.float32)
    m, sz, src = merge(x, 5)
    assert (sz > 1).any()
    save_case(out, [x], [m, sz, src])


def case_merge_keys_sizes(out):
    """ToMe with separate keys and input sizes, odd length 15, r = 7 (= 15 / 2)."""
    rng = np.random.default_rng(507)
    x = rng.standard_normal((2, 15, 6)).astype(np.float32)
    k = rng.standard_normal((2, 15, 4)).astype(np.float32)
    sizes = rng.integers(1, 5, (2, 15)).astype(np.float32)
    m, sz, src = merge(x, 7, keys=k, sizes=sizes)
    # Several A tokens share a B token in this case.
    assert any(np.bincount(src[b]).max() > 2 for b in range(2))
    save_case(out, [x, k, sizes], [m, sz, src])


def case_merge_identical(out):
    """Pairs of identical tokens: each merges into exactly that token with size 2; the
    source map restores every original token from its representative."""
    rng = np.random.default_rng(508)
    x = rng.standard_normal((2, 12, 8)).astype(np.float32)
    dup = [(0, 1), (4, 9), (8, 3)]  # A token copies a B token
    for a, bb in dup:
        x[:, a] = x[:, bb]
    m, sz, src = merge(x, 3)
    for b in range(2):
        for a, bb in dup:
            assert src[b, a] == src[b, bb]
            assert sz[b, src[b, a]] == 2.0
            assert np.array_equal(m[b, src[b, a]], x[b, bb])
    restored = restore_source(m, src)
    assert np.array_equal(restored, x)
    save_case(out, [x], [m, sz, src])


def case_merge_protect(out):
    """protect_first: token 0 copies token 1 (the best possible match) yet stays
    unmerged; r = 5 of 12 (the maximum with token 0 protected), and without protection
    token 0 would merge."""
    rng = np.random.default_rng(510)
    x = rng.standard_normal((2, 12, 8)).astype(np.float32)
    x[:, 0] = x[:, 1]
    m, sz, src = merge(x, 5, protect_first=True)
    assert (src[:, 0] == 0).all() and (src[:, 1] != 0).all()
    assert np.array_equal(m[:, 0], x[:, 0]) and (sz[:, 0] == 1).all()
    unprotected = merge(x, 5)[2]
    assert (unprotected[:, 0] == unprotected[:, 1]).all()
    save_case(out, [x], [m, sz, src])


def case_merge_f16(out):
    """ToMe on f16 tokens, S = 10, r = 3: similarity and means in f32, result in f16."""
    rng = np.random.default_rng(509)
    x = rng.standard_normal((1, 10, 8)).astype(np.float16)
    m, sz, src = merge(x, 3)
    save_case(out, [x], [m, sz, src])


def case_restore_edge(out):
    """Untrusted run-time indices: a repeated index (the last row wins), indices past
    either end (ignored), and source entries outside [0, K) (zero rows)."""
    rng = np.random.default_rng(511)
    x = rng.standard_normal((2, 5, 4)).astype(np.float32)
    fill = rng.standard_normal((2, 8, 4)).astype(np.float32)
    idx = np.array([[6, 2, 6, -1, 8], [0, 1, 2, 3, 100]], np.int64)
    src = np.array([[0, 4, 5, -3, 1, 1, 2, 3], [4, 3, 2, 1, 0, 0, 7, 4]], np.int64)
    save_case(out, [x, idx, fill, src],
               [restore_indices(x, idx, 8, fill), restore_source(x, src)])


CASES = {
    "score": case_score,
    "prune_count": case_prune_count,
    "prune_ratio": case_prune_ratio,
    "prune_ties": case_prune_ties,
    "prune_restore": case_prune_restore,
    "merge_self": case_merge_self,
    "merge_keys_sizes": case_merge_keys_sizes,
    "merge_identical": case_merge_identical,
    "merge_f16": case_merge_f16,
    "merge_protect": case_merge_protect,
    "restore_edge": case_restore_edge,
}


def main(argv):
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: python -m token_reference <{'|'.join(CASES)}> <dir>")
    CASES[argv[1]](argv[2])


if __name__ == "__main__":
    main(sys.argv)
