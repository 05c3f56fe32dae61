"""NumPy references of Loom's mixture-of-experts ops, and the inputs of their
execution tests.

Usage (from a lit RUN line, with test/lib on PYTHONPATH):

    python -m moe_reference CASE OUTDIR

writes the case's seeded random inputs (``x.npy``, ``logits.npy``, ...) and its
expected results (``ref_*.npy``) into OUTDIR. The references follow TECHNIQUES.md
section 3 and docs/MoE.md and are written independently of the MLIR lowering:
routing by a stable sort, capacity by a sequential walk over the tokens, and the
layer as a dense loop (every token through each of its experts). Arithmetic is
float64 from float32 inputs; results are stored as float32 / int64.
"""

import math
import os
import sys

import numpy as np

# ----------------------------------------------------------------------------------
# Reference semantics.
# ----------------------------------------------------------------------------------


def softmax(v):
    v = np.asarray(v, np.float64)
    e = np.exp(v - v.max())
    return e / e.sum()


def route(logits, mode="softmax_topk", k=None, top_p=None, k_max=None,
          renormalize=False, capacity_factor=None):
    """loom.moe.route: (weights [T,K] f32, indices [T,K] i64, dropped i64)."""
    logits = np.asarray(logits, np.float64)
    t, e = logits.shape
    slots = k_max if mode == "top_p" else k
    weights = np.zeros((t, slots))
    indices = np.full((t, slots), -1, np.int64)
    for tok in range(t):
        # Descending logit, ties by lowest expert index (a stable sort).
        order = np.argsort(-logits[tok], kind="stable")
        probs = softmax(logits[tok])
        if mode == "topk_softmax":
            chosen = order[:k]
            w = softmax(logits[tok][chosen])
        elif mode == "softmax_topk":
            chosen = order[:k]
            w = probs[chosen]
        else:
            chosen = []
            cum = 0.0
            for s in range(k_max):
                if cum >= top_p:
                    break
                chosen.append(order[s])
                cum += probs[order[s]]
            chosen = np.array(chosen, np.int64)
            w = probs[chosen]
        if renormalize:
            w = w / w.sum()
        indices[tok, :len(chosen)] = chosen
        weights[tok, :len(chosen)] = w
    dropped = 0
    if capacity_factor is not None:
        capacity = math.ceil(capacity_factor * t * slots / e)
        taken = np.zeros(e, np.int64)
        for tok in range(t):
            for s in range(slots):
                ex = indices[tok, s]
                if ex < 0:
                    continue
                if taken[ex] >= capacity:
                    indices[tok, s] = -1
                    weights[tok, s] = 0.0
                    dropped += 1
                else:
                    taken[ex] += 1
    return weights.astype(np.float32), indices, np.int64(dropped)


def dispatch(x, indices, num_experts):
    """loom.moe.dispatch: (rows [T*K,H], permutation [T*K], offsets [E], counts [E])."""
    t, k = indices.shape
    groups = [[] for _ in range(num_experts)]
    for a, ex in enumerate(indices.reshape(-1)):
        if 0 <= ex < num_experts:
            groups[ex].append(a)
    counts = np.array([len(g) for g in groups], np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    perm = np.full(t * k, -1, np.int64)
    order = [a for g in groups for a in g]
    perm[:len(order)] = order
    rows = np.zeros((t * k, x.shape[1]), x.dtype)
    for r, a in enumerate(order):
        rows[r] = x[a // k]
    return rows, perm, offsets, counts


def erf(v):
    return np.vectorize(math.erf)(v)


def activation_fn(name, g):
    if name == "relu":
        return np.maximum(g, 0.0)
    if name == "gelu":
        return 0.5 * g * (1.0 + erf(g / math.sqrt(2.0)))
    if name == "gelu_tanh":
        return 0.5 * g * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (g + 0.044715 * g ** 3)))
    raise ValueError(name)


def expert_fn(kind, slot, v, w1, w2, w3, constants, activation):
    """One expert applied to the rows v [N,H] (float64)."""
    if kind == "zero":
        return np.zeros_like(v)
    if kind == "copy":
        return v.copy()
    if kind == "constant":
        return np.broadcast_to(np.asarray(constants[slot], np.float64), v.shape).copy()
    a = v @ np.asarray(w1[slot], np.float64)
    if activation == "swiglu":
        h = a / (1.0 + np.exp(-a)) * (v @ np.asarray(w3[slot], np.float64))
    else:
        h = activation_fn(activation, a)
    return h @ np.asarray(w2[slot], np.float64)


def slices(kinds):
    """Each expert's slice in the weights (ffn) or constants (constant)."""
    out, nf, nc = [], 0, 0
    for kind in kinds:
        if kind == "ffn":
            out.append(nf)
            nf += 1
        elif kind == "constant":
            out.append(nc)
            nc += 1
        else:
            out.append(0)
    return out


def experts(rows, offsets, counts, w1, w2, w3=None, constants=None,
            activation="swiglu", kinds=None):
    """loom.moe.experts: each expert over its group of rows."""
    e = len(offsets)
    kinds = kinds or ["ffn"] * e
    sl = slices(kinds)
    out = np.zeros(rows.shape, np.float64)
    for ex in range(e):
        lo, hi = offsets[ex], offsets[ex] + counts[ex]
        if hi > lo:
            out[lo:hi] = expert_fn(kinds[ex], sl[ex], np.asarray(rows[lo:hi], np.float64),
                                   w1, w2, w3, constants, activation)
    return out


def combine(y, perm, weights):
    """loom.moe.combine: weighted scatter-add back to token order."""
    t, k = weights.shape
    out = np.zeros((t, y.shape[1]), np.float64)
    for r, a in enumerate(perm):
        if 0 <= a < t * k:
            out[a // k] += float(weights[a // k, a % k]) * np.asarray(y[r], np.float64)
    return out


def dense_moe(x, weights, indices, w1, w2, w3=None, constants=None,
              activation="swiglu", kinds=None):
    """Every token through each of its assigned experts, computed densely."""
    e = len(kinds) if kinds else np.asarray(w1).shape[0]
    kinds = kinds or ["ffn"] * e
    sl = slices(kinds)
    x = np.asarray(x, np.float64)
    out = np.zeros(x.shape)
    for tok in range(x.shape[0]):
        for s in range(indices.shape[1]):
            ex = indices[tok, s]
            if ex < 0:
                continue
            out[tok] += float(weights[tok, s]) * expert_fn(
                kinds[ex], sl[ex], x[tok:tok + 1], w1, w2, w3, constants, activation)[0]
    return out


# ----------------------------------------------------------------------------------
# Test inputs.
# ----------------------------------------------------------------------------------


def f32(a):
    return np.asarray(a, np.float32)


def check_margin(logits, slots, margin=1e-3):
    """Asserts that ranks are not decided by rounding: the K-th and (K+1)-th
    logits of every token differ by more than `margin` (exact ties aside)."""
    s = -np.sort(-np.asarray(logits, np.float64), axis=1)
    if slots < s.shape[1]:
        gap = s[:, slots - 1] - s[:, slots]
        assert np.all((gap > margin) | (gap == 0)), "routing too close to a tie"


def check_top_p_margin(logits, top_p, k_max, margin=1e-4):
    """Asserts that no cumulative probability is within `margin` of top_p."""
    for row in np.asarray(logits, np.float64):
        p = np.sort(softmax(row))[::-1]
        cum = np.cumsum(p)[:k_max]
        assert np.all(np.abs(cum - top_p) > margin), "top-p too close to a boundary"


def save(outdir, **arrays):
    for name, a in arrays.items():
        np.save(os.path.join(outdir, name + ".npy"), a)


def expert_weights(rng, nf, h, f, swiglu=True, scale=0.3):
    w1 = f32(rng.standard_normal((nf, h, f)) * scale)
    w2 = f32(rng.standard_normal((nf, f, h)) * scale)
    w3 = f32(rng.standard_normal((nf, h, f)) * scale) if swiglu else None
    return w1, w2, w3


def case_route_topk(outdir):
    rng = np.random.default_rng(1)
    logits = f32(rng.standard_normal((16, 8)) * 2)
    check_margin(logits, 2)
    check_margin(logits, 3)
    save(outdir, logits=logits)
    for name, kw in [("softmax", dict(mode="softmax_topk", k=2)),
                     ("renorm", dict(mode="softmax_topk", k=2, renormalize=True)),
                     ("topk_softmax", dict(mode="topk_softmax", k=3))]:
        w, i, d = route(logits, **kw)
        save(outdir, **{f"ref_{name}_w": w, f"ref_{name}_i": i, f"ref_{name}_d": d})


def case_route_ties(outdir):
    rng = np.random.default_rng(2)
    # Logits from {0, 1, 2}: most tokens have ties at the top-k boundary.
    logits = f32(rng.integers(0, 3, (16, 6)))
    # Ranking ties by highest index instead must change the selection.
    flipped = logits[:, ::-1]
    assert not np.array_equal(route(logits, k=3)[1],
                              5 - route(flipped, k=3)[1]), "no tie decides"
    save(outdir, logits=logits)
    for name, kw in [("softmax", dict(mode="softmax_topk", k=3)),
                     ("topk_softmax", dict(mode="topk_softmax", k=2))]:
        w, i, d = route(logits, **kw)
        save(outdir, **{f"ref_{name}_w": w, f"ref_{name}_i": i, f"ref_{name}_d": d})


def case_route_capacity(outdir):
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((16, 4)) * 2
    logits[:, 0] += 2.0  # Expert 0 is popular: it overflows.
    logits = f32(logits)
    check_margin(logits, 2)
    save(outdir, logits=logits)
    for name, kw in [("c1", dict(mode="softmax_topk", k=2, capacity_factor=1.0)),
                     ("c05", dict(mode="softmax_topk", k=2, renormalize=True,
                                  capacity_factor=0.5)),
                     ("c125", dict(mode="topk_softmax", k=1, capacity_factor=1.25))]:
        w, i, d = route(logits, **kw)
        assert d > 0, "the capacity case must drop assignments"
        save(outdir, **{f"ref_{name}_w": w, f"ref_{name}_i": i, f"ref_{name}_d": d})


def case_route_top_p(outdir):
    rng = np.random.default_rng(4)
    logits = f32(rng.standard_normal((16, 8)) * 1.5)
    check_top_p_margin(logits, 0.5, 3)
    check_top_p_margin(logits, 0.8, 4)
    check_margin(logits, 4)
    save(outdir, logits=logits)
    for name, kw in [("p05", dict(mode="top_p", top_p=0.5, k_max=3)),
                     ("p08", dict(mode="top_p", top_p=0.8, k_max=4, renormalize=True)),
                     ("p08c", dict(mode="top_p", top_p=0.8, k_max=4,
                                   capacity_factor=0.75))]:
        w, i, d = route(logits, **kw)
        save(outdir, **{f"ref_{name}_w": w, f"ref_{name}_i": i, f"ref_{name}_d": d})
    used = (route(logits, mode="top_p", top_p=0.5, k_max=3)[1] >= 0).sum(axis=1)
    assert used.min() == 1 and used.max() > 1, "top-p must vary the expert count"


def case_dispatch(outdir):
    rng = np.random.default_rng(5)
    x = f32(rng.standard_normal((12, 8)))
    # Random experts of 5, distinct per token, some slots dropped (-1).
    indices = np.stack([rng.permutation(5)[:3] for _ in range(12)]).astype(np.int64)
    indices[rng.random((12, 3)) < 0.2] = -1
    rows, perm, offsets, counts = dispatch(x, indices, 5)
    save(outdir, x=x, indices=indices, ref_rows=rows, ref_perm=perm,
         ref_offsets=offsets, ref_counts=counts)


def dispatched_inputs(rng, t, h, e, k):
    x = f32(rng.standard_normal((t, h)))
    logits = f32(rng.standard_normal((t, e)))
    _, indices, _ = route(logits, k=k, capacity_factor=0.75)
    return x, dispatch(x, indices, e)


def case_experts_activations(outdir):
    rng = np.random.default_rng(6)
    t, h, f, e, k = 10, 16, 24, 4, 2
    x, (rows, perm, offsets, counts) = dispatched_inputs(rng, t, h, e, k)
    w1, w2, w3 = expert_weights(rng, e, h, f)
    save(outdir, rows=rows, offsets=offsets, counts=counts, w1=w1, w2=w2, w3=w3)
    save(outdir, ref_swiglu=f32(experts(rows, offsets, counts, w1, w2, w3)))
    for act in ["gelu", "gelu_tanh", "relu"]:
        save(outdir, **{f"ref_{act}": f32(experts(rows, offsets, counts, w1, w2,
                                                     activation=act))})


def case_experts_zero_computation(outdir):
    rng = np.random.default_rng(7)
    t, h, f, e, k = 12, 16, 24, 6, 2
    kinds = ["ffn", "zero", "copy", "ffn", "constant", "constant"]
    x, (rows, perm, offsets, counts) = dispatched_inputs(rng, t, h, e, k)
    assert all(counts > 0), "every expert kind must receive rows"
    w1, w2, w3 = expert_weights(rng, 2, h, f)
    constants = f32(rng.standard_normal((2, h)))
    save(outdir, rows=rows, offsets=offsets, counts=counts, w1=w1, w2=w2, w3=w3,
         constants=constants,
         ref=f32(experts(rows, offsets, counts, w1, w2, w3, constants, kinds=kinds)))


def case_combine(outdir):
    rng = np.random.default_rng(8)
    t, h, e, k = 10, 8, 4, 2
    x, (rows, perm, offsets, counts) = dispatched_inputs(rng, t, h, e, k)
    y = f32(rng.standard_normal(rows.shape))
    weights = f32(rng.random((t, k)))
    save(outdir, y=y, perm=perm, weights=weights, ref=f32(combine(y, perm, weights)))


def layer_inputs(rng, t, h, f, e, nf=None, swiglu=True, nc=0):
    x = f32(rng.standard_normal((t, h)))
    wg = f32(rng.standard_normal((h, e)) * 0.5)
    w1, w2, w3 = expert_weights(rng, e if nf is None else nf, h, f, swiglu)
    constants = f32(rng.standard_normal((nc, h))) if nc else None
    return x, wg, w1, w2, w3, constants


def case_round_trip(outdir):
    """route -> dispatch -> experts -> combine against the dense reference."""
    rng = np.random.default_rng(9)
    t, h, f, e, k = 16, 16, 32, 8, 2
    x, wg, w1, w2, w3, _ = layer_inputs(rng, t, h, f, e)
    logits = f32(x.astype(np.float64) @ wg.astype(np.float64))
    check_margin(logits, k)
    w, i, d = route(logits, k=k, renormalize=True)
    wc, ic, dc = route(logits, k=k, capacity_factor=1.0)
    assert dc > 0
    save(outdir, x=x, logits=logits, w1=w1, w2=w2, w3=w3,
         ref=f32(dense_moe(x, w, i, w1, w2, w3)),
         ref_cap=f32(dense_moe(x, wc, ic, w1, w2, w3)), ref_cap_d=dc)


def case_ffn(outdir):
    """loom.moe.ffn against the dense reference."""
    rng = np.random.default_rng(10)
    t, h, f, e = 16, 16, 32, 8
    x, wg, w1, w2, w3, _ = layer_inputs(rng, t, h, f, e)
    logits = x.astype(np.float64) @ wg.astype(np.float64)
    check_margin(logits, 2)
    w, i, d = route(logits, k=2, renormalize=True)
    wc, ic, dc = route(logits, k=2, capacity_factor=1.0)
    assert dc > 0
    save(outdir, x=x, wg=wg, w1=w1, w2=w2, w3=w3,
         ref_mixtral=f32(dense_moe(x, w, i, w1, w2, w3)), ref_mixtral_d=d,
         ref_cap=f32(dense_moe(x, wc, ic, w1, w2, w3)), ref_cap_d=dc)
    # f16 storage: the reference computes from the f16 values in float64.
    x16, wg16, w116, w216, w316 = (np.asarray(a, np.float16) for a in (x, wg, w1, w2, w3))
    logits16 = x16.astype(np.float64) @ wg16.astype(np.float64)
    check_margin(logits16, 2)
    w, i, d = route(logits16, k=2, renormalize=True)
    save(outdir, x16=x16, wg16=wg16, w116=w116, w216=w216, w316=w316,
         ref_f16=dense_moe(x16, w, i, w116, w216, w316).astype(np.float16))


def case_ffn_moepp(outdir):
    """MoE++ layer (ffn/zero/copy/constant experts, GELU) and a top-p layer."""
    rng = np.random.default_rng(11)
    t, h, f, e = 16, 16, 32, 6
    kinds = ["ffn", "zero", "ffn", "copy", "constant", "ffn"]
    x, wg, w1, w2, _, constants = layer_inputs(rng, t, h, f, e, nf=3, swiglu=False,
                                               nc=1)
    logits = x.astype(np.float64) @ wg.astype(np.float64)
    check_margin(logits, 2)
    w, i, d = route(logits, mode="topk_softmax", k=2)
    hit = set(i.reshape(-1).tolist())
    assert all(ex in hit for ex in range(e)), "every expert kind must be used"
    check_top_p_margin(logits, 0.6, 3)
    check_margin(logits, 3)
    wp, ip, dp = route(logits, mode="top_p", top_p=0.6, k_max=3, renormalize=True)
    save(outdir, x=x, wg=wg, w1=w1, w2=w2, constants=constants,
         ref_moepp=f32(dense_moe(x, w, i, w1, w2, None, constants, "gelu", kinds)),
         ref_top_p=f32(dense_moe(x, wp, ip, w1, w2, None, constants, "gelu", kinds)))


def case_hf_tiny_moe_block(outdir, models_dir):
    """The weights of the shared Mixtral-style ONNX export (PyTorch eager output
    as reference): gate.weight [E,H] is transposed to the router's [H,E]; the
    expert weights are already stacked in x W orientation."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(os.path.join(models_dir, "tiny_moe_block.onnx"))
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    x = np.load(os.path.join(models_dir, "tiny_moe_block_input.npy"))
    wg = f32(weights["gate.weight"].T.copy())
    logits = x.astype(np.float64) @ wg.astype(np.float64)
    check_margin(logits, 2, margin=1e-4)
    save(outdir, wg=wg, w1=f32(weights["w1"]), w2=f32(weights["w2"]),
         w3=f32(weights["w3"]))
    # The dense reference agrees with PyTorch's output (a check of the mapping).
    w, i, _ = route(logits, k=2, renormalize=True)
    dense = dense_moe(x, w, i, weights["w1"], weights["w2"], weights["w3"])
    torch_out = np.load(os.path.join(models_dir, "tiny_moe_block_output.npy"))
    assert np.abs(dense - torch_out).max() < 1e-5, "weight mapping is wrong"


def pack_int4(q):
    """Two int4 codes per byte along dimension 1 (loom.qmatmul's packing: the
    even code in the low nibble)."""
    q = np.asarray(q, np.int64)
    low, high = q[:, 0::2] & 0xF, q[:, 1::2] & 0xF
    return ((high << 4) | low).astype(np.uint8).view(np.int8)


def quantized_weight(rng, nf, k, n, bits, group, asymmetric):
    """Random codes `[NF,K,N]` in the range of `bits`, scales `[NF,G,N]` (and
    zero points), and the dequantized float64 weight they stand for."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    g = k // group if group else 1
    q = rng.integers(lo, hi + 1, (nf, k, n))
    s = f32(rng.uniform(0.5, 1.5, (nf, g, n)) * 0.3 / (1 << (bits - 1)))
    z = rng.integers(lo // 2, hi // 2 + 1, (nf, g, n)) if asymmetric else np.zeros((nf, g, n), np.int64)
    rows = np.arange(k) // (group if group else k)
    w = (q - z[:, rows, :]) * s[:, rows, :].astype(np.float64)
    codes = pack_int4(q) if bits == 4 else q.astype(np.int8)
    return codes, s, z.astype(np.int8), w


def case_quantized_experts(outdir):
    """loom.moe.experts and loom.moe.ffn with int8 per-channel and packed int4
    grouped asymmetric expert weights, against float64 on the dequantized
    weights."""
    rng = np.random.default_rng(21)
    t, h, f, e, k = 10, 16, 24, 4, 2
    x, (rows, perm, offsets, counts) = dispatched_inputs(rng, t, h, e, k)
    save(outdir, rows=rows, offsets=offsets, counts=counts)
    for tag, bits, group, asym in (("i8", 8, None, False), ("i4", 4, 8, True)):
        parts = [quantized_weight(rng, e, kk, nn, bits, group, asym)
                 for kk, nn in ((h, f), (f, h), (h, f))]
        (q1, s1, z1, w1), (q2, s2, z2, w2), (q3, s3, z3, w3) = parts
        save(outdir, **{f"{tag}_q1": q1, f"{tag}_q2": q2, f"{tag}_q3": q3,
                        f"{tag}_s1": s1, f"{tag}_s2": s2, f"{tag}_s3": s3,
                        f"{tag}_z1": z1, f"{tag}_z2": z2, f"{tag}_z3": z3})
        save(outdir, **{f"ref_{tag}": f32(experts(rows, offsets, counts, w1, w2, w3))})
        if tag == "i4":
            wg = f32(rng.standard_normal((h, e)) * 0.5)
            logits = x.astype(np.float64) @ wg.astype(np.float64)
            check_margin(logits, 2)
            w, i, d = route(logits, k=2, renormalize=True)
            save(outdir, x=x, wg=wg, ref_ffn_i4=f32(dense_moe(x, w, i, w1, w2, w3)))


def case_quantized_kernel(outdir):
    """Random inputs of test/Integration/CPUKernels/moe-quantized.mlir (the
    fast path is checked against the reference lowering; any codes do)."""
    rng = np.random.default_rng(33)
    def codes(*shape):
        return rng.integers(-128, 128, shape).astype(np.int8)
    def scales(*shape):
        return f32(rng.uniform(0.002, 0.01, shape))
    save(outdir, a_x=f32(rng.uniform(-1, 1, (5, 64))),
         a_wg=f32(rng.uniform(-1, 1, (64, 8))),
         a_q1=codes(8, 64, 96), a_q2=codes(8, 96, 64), a_q3=codes(8, 64, 96),
         a_s1=scales(8, 1, 96), a_s2=scales(8, 1, 64), a_s3=scales(8, 1, 96))
    save(outdir, b_x=f32(rng.uniform(-1, 1, (33, 32))),
         b_wg=f32(rng.uniform(-1, 1, (32, 4))),
         b_q1=codes(4, 16, 144), b_q2=codes(4, 72, 32),
         b_s1=scales(4, 2, 144), b_s2=scales(4, 9, 32),
         b_z1=rng.integers(-8, 8, (4, 2, 144)).astype(np.int8),
         b_z2=rng.integers(-8, 8, (4, 9, 32)).astype(np.int8))


CASES = {name[len("case_"):]: fn for name, fn in globals().items()
         if name.startswith("case_")}


def main(argv):
    if len(argv) < 3 or argv[1] not in CASES:
        sys.exit("usage: python -m moe_reference {%s} OUTDIR [MODELS_DIR]"
                 % "|".join(sorted(CASES)))
    os.makedirs(argv[2], exist_ok=True)
    CASES[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
