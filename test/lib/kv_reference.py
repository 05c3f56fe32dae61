"""NumPy references of the loom.kv.* ops (TECHNIQUES.md section 2).

Each case writes the inputs of one integration test (in_*.npy) and the expected
results (ref_*.npy) into a directory; the lit test then runs the MLIR with
loom-run and compares. The references are written from the op descriptions
(sequential loops, not the lowering's formulas) so that they check the lowering
independently.

    python -m kv_reference <case> <dir>
    python -m kv_reference check_quant <dir> <bits>   # after loom-run --output-dir
    python -m kv_reference check_packed <dir> <result-dir> <bits> <group> <residual> [<first result>]
"""

import os
import sys

import numpy as np

from case_files import save_case

F32 = np.float32


class Cache:
    """The reference model of a !loom.kv_cache (what KVCacheParts holds)."""

    def __init__(self, b, h, c, d, dv=None):
        dv = d if dv is None else dv
        self.keys = np.zeros((b, h, c, d), F32)
        self.values = np.zeros((b, h, c, dv), F32)
        self.positions = np.full((b, h, c), -1, np.int64)
        self.length = np.zeros((b,), np.int64)
        self.next = np.zeros((b,), np.int64)

    @property
    def capacity(self):
        return self.keys.shape[2]

    def append(self, k, v):
        t = k.shape[2]
        if np.any(self.length + t > self.capacity):
            raise OverflowError("append past capacity")
        for b in range(k.shape[0]):
            n = self.length[b]
            self.keys[b, :, n:n + t] = k[b]
            self.values[b, :, n:n + t] = v[b]
            self.positions[b, :, n:n + t] = self.next[b] + np.arange(t)
        self.length += t
        self.next += t

    def valid_mask(self):
        c = np.arange(self.capacity)
        return c[None, :] < self.length[:, None]  # [B, C]

    def read_keys(self):
        return np.where(self.valid_mask()[:, None, :, None], self.keys, 0).astype(F32)

    def read_values(self):
        return np.where(self.valid_mask()[:, None, :, None], self.values, 0).astype(F32)

    def read_positions(self):
        return np.where(self.valid_mask()[:, None, :], self.positions, -1)

    def keep(self, keep_lists, new_keys=None, new_values=None):
        """Compacts to the entries in keep_lists[b][h] (sorted indices)."""
        keys = self.keys if new_keys is None else new_keys
        values = self.values if new_values is None else new_values
        out = Cache(*self.keys.shape, self.values.shape[3])
        out.next = self.next.copy()
        for b, per_head in enumerate(keep_lists):
            counts = {len(kept) for kept in per_head}
            assert len(counts) == 1, "every head keeps the same number"
            out.length[b] = counts.pop()
            for h, kept in enumerate(per_head):
                n = len(kept)
                out.keys[b, h, :n] = keys[b, h, kept]
                out.values[b, h, :n] = values[b, h, kept]
                out.positions[b, h, :n] = self.positions[b, h, kept]
        return out


def attention(q, k, v, positions, query_positions, causal=True):
    """Softmax attention (f32) with GQA; returns (out, key_scores)."""
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    group = hq // hkv
    scale = F32(1.0 / np.sqrt(d))
    out = np.zeros((b, hq, sq, v.shape[3]), F32)
    key_scores = np.zeros((b, hkv, skv), F32)
    for bi in range(b):
        for h in range(hq):
            kh = h // group
            s = (q[bi, h] @ k[bi, kh].T).astype(F32) * scale
            visible = positions[bi, kh][None, :] >= 0
            if causal:
                visible = visible & (positions[bi, kh][None, :] <=
                                     query_positions[bi][:, None])
            s = np.where(visible, s, -np.inf)
            m = s.max(axis=1, keepdims=True)
            e = np.where(visible, np.exp(s - np.where(np.isinf(m), 0, m)), 0)
            total = e.sum(axis=1, keepdims=True)
            p = np.where(total > 0, e / np.where(total > 0, total, 1), 0)
            out[bi, h] = p @ v[bi, kh]
            key_scores[bi, kh] += p.sum(axis=0)
    return out, key_scores


def cache_attention(q, cache, causal=True):
    sq = q.shape[2]
    query_positions = cache.next[:, None] - sq + np.arange(sq)[None, :]
    return attention(q, cache.read_keys(), cache.read_values(),
                     cache.read_positions(), query_positions, causal)


def top_by_score(scores, candidates, count):
    """The `count` candidates with the largest score, ties to the lowest index."""
    order = sorted(candidates, key=lambda j: (-scores[j], j))
    chosen = order[:count]
    if 0 < count < len(order):
        gap = scores[order[count - 1]] - scores[order[count]]
        # Exact ties (e.g. from max-pooling) are broken by index the same way
        # everywhere; a near tie could flip with rounding.
        assert gap == 0 or gap > 1e-4, f"near tie in the top-{count} choice ({gap}); change the seed"
    return chosen


def evict(cache, policy, budget, scores=None, sinks=0, recent=0, window=0,
          kernel=1):
    keep_lists = []
    for b in range(cache.keys.shape[0]):
        n = int(cache.length[b])
        k = budget(n) if callable(budget) else budget
        per_head = []
        for h in range(cache.keys.shape[1]):
            if n <= k:
                per_head.append(list(range(n)))
                continue
            if policy == "window_sinks":
                s = min(sinks, k)
                kept = list(range(s)) + list(range(n - (k - s), n))
            else:
                tail = min(recent if policy == "h2o" else window, k)
                prefix = list(range(n - tail))
                sc = scores[b, h].astype(np.float64)
                if policy == "snapkv":
                    half = kernel // 2
                    sc = np.array([max(sc[i] for i in prefix if abs(i - j) <= half)
                                   if j < len(prefix) else 0.0
                                   for j in range(len(sc))])
                kept = sorted(top_by_score(sc, prefix, k - tail)) + \
                    list(range(n - tail, n))
            per_head.append(sorted(set(kept)))
        keep_lists.append(per_head)
    return cache.keep(keep_lists)


def cosine(x, y):
    den = np.sqrt(F32(np.dot(x, x)) * F32(np.dot(y, y)))
    return F32(np.dot(x, y)) / den if den > 0 else F32(0)


def merge(cache, scores, budget, recent, threshold, sigma):
    """KVMerger as loom.kv.merge describes it."""
    batch, heads = cache.keys.shape[:2]
    new_keys, new_values = cache.keys.copy(), cache.values.copy()
    set_scores = scores.astype(F32).copy()  # a kept entry: its set's sum
    keep_lists = []
    merged_sets = 0
    for b in range(batch):
        n = int(cache.length[b])
        k = min(budget, n)
        per_head = []
        for h in range(heads):
            if n <= k:
                per_head.append(list(range(n)))
                continue
            tail = min(recent, k)
            end = n - tail
            pivots = sorted(top_by_score(scores[b, h], list(range(end)), k - tail))
            keys = cache.keys[b, h]
            sets = {p: [p] for p in pivots}
            claimed = set(pivots)
            for p in pivots:  # grow right, then left
                j = p + 1
                while j < end and j not in claimed and \
                        cosine(keys[j], keys[p]) >= threshold:
                    sets[p].append(j)
                    claimed.add(j)
                    j += 1
            for p in pivots:
                j = p - 1
                while j >= 0 and j not in claimed and \
                        cosine(keys[j], keys[p]) >= threshold:
                    sets[p].append(j)
                    claimed.add(j)
                    j -= 1
            for p, members in sets.items():
                merged_sets += len(members) > 1
                d2 = np.array([np.sum((keys[j] - keys[p]) ** 2) for j in members], F32)
                w = np.exp(-d2 / F32(2 * sigma * sigma)).astype(F32)
                w = w / w.sum()
                new_keys[b, h, p] = (w[:, None] * keys[members]).sum(axis=0)
                new_values[b, h, p] = (w[:, None] * cache.values[b, h, members]).sum(axis=0)
                set_scores[b, h, p] = F32(sum(scores[b, h, j] for j in sorted(members)))
            per_head.append(pivots + list(range(end, n)))
        keep_lists.append(per_head)
    merged = cache.keep(keep_lists, new_keys, new_values)
    # The scores carried with the cache (kept_scores), aligned with its entries.
    kept_scores = np.zeros(scores.shape, F32)
    for b, per_head in enumerate(keep_lists):
        for h, kept in enumerate(per_head):
            kept_scores[b, h, :len(kept)] = set_scores[b, h, kept]
    return merged, merged_sets, kept_scores


def fake_quantize(x, lo, hi, bits):
    levels = F32(2 ** bits - 1)
    scale = ((hi - lo) / levels).astype(F32)
    safe = np.where(scale == 0, F32(1), scale)
    q = np.clip(np.round((x - lo) / safe), 0, levels).astype(F32)
    return np.where(scale == 0, lo, q * scale + lo).astype(F32), scale


def quantized_prefix(length, group, residual):
    return np.maximum(length - residual, 0) // group * group


def quantize_range(cache, start, stop, bits, group):
    """KIVI: keys per channel over `group` tokens, values per token over
    `group` channels, for tokens in [start[b], stop[b])."""
    scales_k = np.zeros_like(cache.keys)
    scales_v = np.zeros_like(cache.values)
    for b in range(cache.keys.shape[0]):
        for g0 in range(int(start[b]), int(stop[b]), group):
            blk = cache.keys[b, :, g0:g0 + group, :]  # [H, G, D]
            lo, hi = blk.min(axis=1, keepdims=True), blk.max(axis=1, keepdims=True)
            cache.keys[b, :, g0:g0 + group, :], s = fake_quantize(blk, lo, hi, bits)
            scales_k[b, :, g0:g0 + group, :] = s
            vb = cache.values[b, :, g0:g0 + group, :]  # [H, G, Dv]
            hh, gg, dv = vb.shape
            vg = vb.reshape(hh, gg, dv // group, group)
            lo, hi = vg.min(axis=3, keepdims=True), vg.max(axis=3, keepdims=True)
            deq, s = fake_quantize(vg, lo, hi, bits)
            cache.values[b, :, g0:g0 + group, :] = deq.reshape(hh, gg, dv)
            scales_v[b, :, g0:g0 + group, :] = np.broadcast_to(s, vg.shape).reshape(hh, gg, dv)
    return scales_k, scales_v


# ---------------------------------------------------------------------------
# Cases. Each writes in_<i>.npy (entry arguments in order) and ref_<i>.npy
# (entry results in order).
# ---------------------------------------------------------------------------


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(F32)


def case_append_attention(out):
    """Prefill 5 tokens, decode 2 (causal, offset 5): attention from the cache
    equals attention on the concatenated tensors."""
    rng = np.random.default_rng(1)
    k1, v1 = _rand(rng, 1, 2, 5, 8), _rand(rng, 1, 2, 5, 8)
    k2, v2 = _rand(rng, 1, 2, 2, 8), _rand(rng, 1, 2, 2, 8)
    q = _rand(rng, 1, 4, 2, 8)
    cache = Cache(1, 2, 16, 8)
    cache.append(k1, v1)
    cache.append(k2, v2)
    o, _ = cache_attention(q, cache)
    k, v = np.concatenate([k1, k2], 2), np.concatenate([v1, v2], 2)
    pos = np.broadcast_to(np.arange(7), (1, 2, 7))
    o_tensors, _ = attention(q, k, v, pos, np.array([[5, 6]]))
    np.testing.assert_allclose(o, o_tensors, rtol=1e-6, atol=1e-6)
    save_case(out, [k1, v1, k2, v2, q, k, v],
               [o, o_tensors, cache.read_keys(), cache.read_values(),
                cache.read_positions(), cache.length])


def case_capacity(out):
    rng = np.random.default_rng(2)
    save_case(out, [_rand(rng, 1, 2, 3, 4), _rand(rng, 1, 2, 3, 4),
                     _rand(rng, 1, 2, 2, 4), _rand(rng, 1, 2, 2, 4)], [])


def _prefill(rng, b, h, n, d, capacity, chunks):
    """A cache filled by appending `chunks` (token counts summing to n)."""
    cache = Cache(b, h, capacity, d)
    ks, vs = [], []
    for t in chunks:
        k, v = _rand(rng, b, h, t, d), _rand(rng, b, h, t, d)
        cache.append(k, v)
        ks.append(k)
        vs.append(v)
    assert sum(chunks) == n
    return cache, ks, vs


def _evicted_results(cache):
    return [cache.read_positions(), cache.read_keys(), cache.read_values(),
            cache.length]


def case_evict_window_sinks(out):
    """12 entries, budget 6 with 2 sinks: keep 0, 1 and 8..11."""
    rng = np.random.default_rng(3)
    cache, ks, vs = _prefill(rng, 2, 2, 12, 4, 16, [7, 5])
    evicted = evict(cache, "window_sinks", 6, sinks=2)
    assert list(evicted.positions[0, 0, :6]) == [0, 1, 8, 9, 10, 11]
    # A budget of at least the length leaves the cache unchanged.
    unchanged = evict(cache, "window_sinks", 12, sinks=2)
    assert np.array_equal(unchanged.read_positions(), cache.read_positions())
    save_case(out, ks + vs, _evicted_results(evicted),
               {f"unchanged_{i}": a for i, a in enumerate(_evicted_results(unchanged))})


def case_evict_then_decode(out):
    """Evict 12 entries to 6 (window_sinks, 2 sinks), append 2 more tokens,
    then decode 2 queries causally with a window of 4 and 2 sinks: attention
    must use the kept entries' original positions (0, 1, 8..13), not their
    slots, and the query positions from `next` (12, 13), not the length."""
    rng = np.random.default_rng(7)
    cache, ks, vs = _prefill(rng, 1, 2, 12, 8, 16, [12])
    cache = evict(cache, "window_sinks", 6, sinks=2)
    k2, v2 = _rand(rng, 1, 2, 2, 8), _rand(rng, 1, 2, 2, 8)
    cache.append(k2, v2)
    q = _rand(rng, 1, 4, 2, 8)
    sq = 2
    qpos = cache.next[:, None] - sq + np.arange(sq)[None, :]
    kpos = cache.read_positions()
    # Sliding window of 4 with 2 sinks on top of causal masking.
    visible = (kpos[:, :, None, :] >= 0) & (kpos[:, :, None, :] <= qpos[:, None, :, None]) & \
        ((kpos[:, :, None, :] > qpos[:, None, :, None] - 4) | (kpos[:, :, None, :] < 2))
    keys, values = cache.read_keys(), cache.read_values()
    o = np.zeros((1, 4, sq, 8), F32)
    for h in range(4):
        s = (q[0, h] @ keys[0, h // 2].T).astype(F32) * F32(1 / np.sqrt(8))
        s = np.where(visible[0, h // 2], s, -np.inf)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        o[0, h] = (e / e.sum(axis=1, keepdims=True)) @ values[0, h // 2]
    assert kpos[0, 0, :8].tolist() == [0, 1, 8, 9, 10, 11, 12, 13]
    save_case(out, ks + vs + [k2, v2, q], [o, kpos, cache.length])


def _scored_cache(rng, n_queries, query_scale):
    """12 entries in a 16-entry cache and the key scores of attention by the
    last `n_queries` queries (causal, GQA 4:2)."""
    cache, ks, vs = _prefill(rng, 1, 2, 12, 8, 16, [12])
    q = _rand(rng, 1, 4, n_queries, 8) * F32(query_scale)
    _, scores = cache_attention(q, cache)
    return cache, ks, vs, q, scores


def case_evict_h2o(out):
    """budget = 0.5 * length = 6: the 2 most recent plus the 4 heaviest."""
    rng = np.random.default_rng(4)
    cache, ks, vs, q, scores = _scored_cache(rng, 12, 2.0)
    evicted = evict(cache, "h2o", lambda n: int(np.floor(F32(0.5) * F32(n))),
                    scores=scores, recent=2)
    save_case(out, ks + vs + [q], [scores] + _evicted_results(evicted))


def case_h2o_accumulate(out):
    """H2O over a decode: 12-token prefill scored by its 12 queries, evict to 8
    (2 recent), append 2 tokens scored by 2 decode queries, evict to 6 (2
    recent) by the scores accumulated over both attentions. Sequential: the
    accumulated attention of every token is kept by original position (a
    dict), independently of where the cache stores the token."""
    rng = np.random.default_rng(21)
    cache, ks, vs = _prefill(rng, 1, 2, 12, 8, 16, [12])
    q1 = _rand(rng, 1, 4, 12, 8) * F32(2.0)
    acc = {}  # (b, h, original position) -> accumulated attention

    def accumulate(q, c):
        _, scores = cache_attention(q, c)
        for b in range(c.keys.shape[0]):
            for h in range(c.keys.shape[1]):
                for j in range(int(c.length[b])):
                    key = (b, h, int(c.positions[b, h, j]))
                    acc[key] = F32(acc.get(key, F32(0)) + scores[b, h, j])

    def aligned(c):
        """acc in the cache's entry order, zero from the length on."""
        a = np.zeros(c.positions.shape, F32)
        for b in range(c.keys.shape[0]):
            for h in range(c.keys.shape[1]):
                for j in range(int(c.length[b])):
                    a[b, h, j] = acc[(b, h, int(c.positions[b, h, j]))]
        return a

    accumulate(q1, cache)
    first = evict(cache, "h2o", 8, scores=aligned(cache), recent=2)
    k2, v2 = _rand(rng, 1, 2, 2, 8), _rand(rng, 1, 2, 2, 8)
    first.append(k2, v2)
    q2 = _rand(rng, 1, 4, 2, 8) * F32(2.0)
    accumulate(q2, first)
    total = aligned(first)
    second = evict(first, "h2o", 6, scores=total, recent=2)
    # The second eviction depends on the accumulated, not the last, scores.
    _, last = cache_attention(q2, first)
    by_last = evict(first, "h2o", 6, scores=last, recent=2)
    assert not np.array_equal(by_last.read_positions(), second.read_positions())
    save_case(out, [ks[0], vs[0], q1, k2, v2, q2],
              [total, aligned(second)] + _evicted_results(second))


def case_low_rank(out):
    """MatryoshkaKV: keys and values projected on per-head orthonormal [D, r]
    bases before caching (D = 16, r = 4 for keys, 6 for values), 10 + 2 tokens
    appended, 2 causal decode queries projected with the key basis, output
    reconstructed with the value basis. Reference: full-dimension attention
    over the reconstructed keys P P^T k and values P P^T v (equal in exact
    arithmetic to attention in the reduced space)."""
    rng = np.random.default_rng(31)
    b, h, hq, d, rk, rv = 1, 2, 4, 16, 4, 6

    def basis(r):
        return np.stack([np.linalg.qr(rng.standard_normal((d, r)))[0]
                         for _ in range(h)]).astype(F32)  # [H, D, r]

    pk, pv = basis(rk), basis(rv)
    k1, v1 = _rand(rng, b, h, 10, d), _rand(rng, b, h, 10, d)
    k2, v2 = _rand(rng, b, h, 2, d), _rand(rng, b, h, 2, d)
    q = _rand(rng, b, hq, 2, d)
    keys = np.concatenate([k1, k2], axis=2)
    values = np.concatenate([v1, v2], axis=2)
    recon_k = np.einsum("hdr,her,bhte->bhtd", pk, pk, keys).astype(F32)
    recon_v = np.einsum("hdr,her,bhte->bhtd", pv, pv, values).astype(F32)
    positions = np.broadcast_to(np.arange(12), (b, h, 12))
    o, _ = attention(q, recon_k, recon_v, positions, np.array([[10, 11]]))
    full, _ = attention(q, keys, values, positions, np.array([[10, 11]]))
    assert np.max(np.abs(full - o)) > 1e-2, "the projection must matter"
    save_case(out, [k1, v1, k2, v2, q, pk, pv], [o])


def case_evict_snapkv(out):
    """Observation window 4 (the last 4 prompt queries), kernel 3, budget 7:
    the window plus the 3 best pooled prefix keys (pooling makes exact ties,
    broken by the lowest index)."""
    rng = np.random.default_rng(4)
    cache, ks, vs, q, scores = _scored_cache(rng, 4, 4.0)
    evicted = evict(cache, "snapkv", 7, scores=scores, window=4, kernel=3)
    assert evicted.positions[0, :, :7].tolist() == [[2, 3, 4, 8, 9, 10, 11],
                                                    [4, 5, 6, 8, 9, 10, 11]]
    save_case(out, ks + vs + [q], [scores] + _evicted_results(evicted))


def case_merge(out):
    """Runs of near-identical keys (cosine > 0.99) separated by unrelated ones,
    so each set is determined by the keys and not by rounding."""
    rng = np.random.default_rng(6)
    b, h, n, d = 1, 2, 14, 8
    keys = np.zeros((b, h, n, d), F32)
    for hi in range(h):
        j = 0
        while j < n:
            run = int(rng.integers(1, 4))
            base = rng.standard_normal(d)
            for _ in range(min(run, n - j)):
                keys[0, hi, j] = base + 0.05 * rng.standard_normal(d)
                j += 1
    values = _rand(rng, b, h, n, d)
    scores = rng.permutation(np.arange(1, 2 * n + 1))[:n].astype(F32)
    scores = np.stack([scores, scores[::-1].copy()])[None]  # [1, 2, n]
    cache = Cache(b, h, 16, d)
    cache.append(keys, values)
    full_scores = np.zeros((b, h, 16), F32)
    full_scores[:, :, :n] = scores
    merged, merged_sets, kept_scores = merge(cache, full_scores, budget=7,
                                             recent=2, threshold=0.9, sigma=1.0)
    # The test is only meaningful if several sets merged more than one key.
    assert merged_sets >= 3, merged_sets
    save_case(out, [keys, values, full_scores],
              _evicted_results(merged) + [kept_scores])


def _quant_case(out, bits, chunks=(10, 4), d=8, capacity=16, group=4,
                residual=4):
    """Append 10, quantize (groups of 4, residual 4: tokens 0..3 quantized),
    append 4 (tokens 4..7 become a complete group), decode 2 queries from the
    quantized cache, dequantize."""
    rng = np.random.default_rng(10 + bits)
    cache, ks, vs = _prefill(rng, 1, 2, sum(chunks), d, capacity, list(chunks))
    ref = Cache(1, 2, capacity, d)
    ref.append(ks[0], vs[0])
    sk1, sv1 = quantize_range(ref, [0], quantized_prefix(ref.length, group, residual),
                              bits, group)
    before = ref.length.copy()
    ref.append(ks[1], vs[1])
    sk2, sv2 = quantize_range(ref, quantized_prefix(before, group, residual),
                              quantized_prefix(ref.length, group, residual),
                              bits, group)
    if chunks == (10, 4):
        assert list(quantized_prefix(ref.length, group, residual)) == [8]
    # KIVI's error bound: half a quantization step.
    scale_k, scale_v = sk1 + sk2, sv1 + sv2
    original_k, original_v = cache.read_keys(), cache.read_values()
    assert np.all(np.abs(ref.read_keys() - original_k) <= scale_k / 2 + 1e-6)
    assert np.all(np.abs(ref.read_values() - original_v) <= scale_v / 2 + 1e-6)
    assert np.any(scale_k > 0) and np.any(ref.read_keys() != original_k)
    # Attention reading the quantized cache sees the dequantized entries.
    q = _rand(rng, 1, 4, 2, d)
    o, _ = cache_attention(q, ref)
    save_case(out, ks + vs + [q], [ref.read_keys(), ref.read_values(), ref.length, o],
               {"original_keys": original_k, "original_values": original_v,
                "scale_keys": scale_k, "scale_values": scale_v})


def case_quant_decode(out):
    """Token-by-token decode into an initially empty 4-bit cache (groups of 2,
    residual 3): every step appends one token, quantizes the groups that just
    fell out of the residual, and attends with one query. 12 steps in a
    16-entry cache end with 8 quantized tokens and 4 in the residual."""
    rng = np.random.default_rng(41)
    bits, group, residual, steps = 4, 2, 3, 12
    ref = Cache(1, 2, 16, 8)
    k, v = _rand(rng, 1, 2, steps, 8), _rand(rng, 1, 2, steps, 8)
    q = _rand(rng, 1, 4, steps, 8)
    outs = np.zeros((1, 4, steps, 8), F32)
    for t in range(steps):
        before = ref.length.copy()
        ref.append(k[:, :, t:t + 1], v[:, :, t:t + 1])
        quantize_range(ref, quantized_prefix(before, group, residual),
                       quantized_prefix(ref.length, group, residual), bits, group)
        o, _ = cache_attention(q[:, :, t:t + 1], ref)
        outs[:, :, t:t + 1] = o
    assert list(quantized_prefix(ref.length, group, residual)) == [8]
    save_case(out, [q, k, v], [outs, ref.read_keys(), ref.read_values(), ref.length])


def check_quant(out, result_dir):
    """Asserts loom-run's dequantized results are within half a step of the
    original entries (and exact outside the quantized groups)."""
    for name, index in (("keys", 0), ("values", 1)):
        got = np.load(os.path.join(result_dir, f"result{index}.npy"))
        original = np.load(os.path.join(out, f"original_{name}.npy"))
        scale = np.load(os.path.join(out, f"scale_{name}.npy"))
        err = np.abs(got - original)
        bound = scale / 2 + 1e-6
        worst = float(np.max(err - bound))
        print(f"{name}: max_abs_err={float(err.max()):.6g} "
              f"max_step={float(scale.max()):.6g} "
              f"bound_ok={bool(np.all(err <= bound))}")
        if not np.all(err <= bound):
            sys.exit(f"{name}: error exceeds scale/2 by {worst}")
        if not np.all(err[scale == 0] == 0):
            sys.exit(f"{name}: full-precision entries changed")


def _unpack_codes(codes, bits):
    """[..., X / per] i8 codes, `per = 8 / bits` a byte, low bits first ->
    [..., X] integer codes."""
    per = 8 // bits
    raw = codes.view(np.uint8).astype(np.int64)
    parts = [(raw >> (k * bits)) & (2 ** bits - 1) for k in range(per)]
    return np.stack(parts, axis=-1).reshape(*raw.shape[:-1], raw.shape[-1] * per)


def check_packed(out, result_dir, bits, group, residual, first=0):
    """Checks the eleven parts of a quantized cache that loom-run wrote
    (result<first>..result<first+10>, KVCacheParts order): dtypes and shapes, bytes held, codes
    decoding bit for bit to the fake quantization of the case (ref_0/ref_1)
    and within scale / 2 of the originals, the residual exact."""
    bits, group, residual, first = int(bits), int(group), int(residual), int(first)
    parts = [np.load(os.path.join(result_dir, f"result{first + i}.npy"))
             for i in range(11)]
    k_codes, v_codes, positions, length, nxt = parts[:5]
    k_scale, k_zero, v_scale, v_zero, k_res, v_res = parts[5:]
    b, h, c, dp = k_codes.shape
    d = dp * 8 // bits
    dv = v_codes.shape[3] * 8 // bits
    r = min(c, max(1, group + residual - 1))
    expect = [((b, h, c, dp), np.int8), ((b, h, c, dv * bits // 8), np.int8),
              ((b, h, c), np.int64), ((b,), np.int64), ((b,), np.int64),
              ((b, h, c // group, d), F32), ((b, h, c // group, d), F32),
              ((b, h, c, dv // group), F32), ((b, h, c, dv // group), F32),
              ((b, h, r, d), F32), ((b, h, r, dv), F32)]
    for i, (part, (shape, dtype)) in enumerate(zip(parts, expect)):
        if part.shape != shape or part.dtype != dtype:
            sys.exit(f"result{first + i}: {part.shape} {part.dtype}, "
                     f"expected {shape} {dtype}")
    codes_bytes = k_codes.nbytes + v_codes.nbytes
    scale_bytes = sum(p.nbytes for p in (k_scale, k_zero, v_scale, v_zero))
    res_bytes = k_res.nbytes + v_res.nbytes
    print(f"bytes: codes={codes_bytes} scales={scale_bytes} residual={res_bytes} "
          f"total={codes_bytes + scale_bytes + res_bytes} "
          f"full_precision={4 * b * h * c * (d + dv)}")
    prefix = quantized_prefix(length, group, residual)
    for name, codes, scale, zero, res, ref_index in (
            ("keys", k_codes, k_scale, k_zero, k_res, 0),
            ("values", v_codes, v_scale, v_zero, v_res, 1)):
        q = _unpack_codes(codes, bits).astype(F32)
        if name == "keys":  # per channel over token groups
            scale_full = np.repeat(scale, group, axis=2)
            zero_full = np.repeat(zero, group, axis=2)
        else:  # per token over channel groups
            scale_full = np.repeat(scale, group, axis=3)
            zero_full = np.repeat(zero, group, axis=3)
        decoded = np.where(scale_full == 0, zero_full,
                           (q * scale_full + zero_full).astype(F32)).astype(F32)
        fake = np.load(os.path.join(out, f"ref_{ref_index}.npy"))
        original = np.load(os.path.join(out, f"original_{name}.npy"))
        decode_exact = bound_ok = residual_exact = True
        for bi in range(b):
            p, n = int(prefix[bi]), int(length[bi])
            decode_exact &= bool(np.array_equal(decoded[bi, :, :p], fake[bi, :, :p]))
            err = np.abs(decoded[bi, :, :p] - original[bi, :, :p])
            bound_ok &= bool(np.all(err <= scale_full[bi, :, :p] / 2 + 1e-6))
            residual_exact &= bool(np.array_equal(res[bi, :, :n - p], original[bi, :, p:n]))
            residual_exact &= bool(np.all(res[bi, :, n - p:] == 0))
        print(f"{name}: prefix={int(prefix[0])} decode_exact={decode_exact} "
              f"bound_ok={bound_ok} residual_exact={residual_exact}")
        if not (decode_exact and bound_ok and residual_exact):
            sys.exit(f"{name}: packed storage does not decode as expected")


CASES = {
    "append_attention": case_append_attention,
    "capacity": case_capacity,
    "evict_window_sinks": case_evict_window_sinks,
    "evict_h2o": case_evict_h2o,
    "evict_then_decode": case_evict_then_decode,
    "evict_snapkv": case_evict_snapkv,
    "h2o_accumulate": case_h2o_accumulate,
    "low_rank": case_low_rank,
    "quant_decode": case_quant_decode,
    "merge": case_merge,
    "quant2": lambda out: _quant_case(out, 2),
    "quant4": lambda out: _quant_case(out, 4),
    "quant8": lambda out: _quant_case(out, 8),
    # A larger cache (C = 64, D = 16, groups of 16) where packing pays off.
    "quant2_large": lambda out: _quant_case(out, 2, chunks=(40, 16), d=16,
                                            capacity=64, group=16, residual=8),
}


def main(argv):
    if len(argv) in (7, 8) and argv[1] == "check_packed":
        check_packed(*argv[2:])
        return
    if len(argv) >= 3 and argv[1] == "check_quant":
        check_quant(argv[2], argv[3])
        return
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: python -m kv_reference <{'|'.join(CASES)}> <dir>\n"
                 f"       python -m kv_reference check_quant <dir> <result-dir>")
    CASES[argv[1]](argv[2])


if __name__ == "__main__":
    main(sys.argv)
