"""Runs a prefill/decode pair compressed by loom-kv-compress step by step with
loom-run and checks every step against a sequential NumPy model of the policy
(kv_reference.py), plus, for window-sinks, against attention with a sliding
window and sinks over the whole uncompressed history (an oracle that shares no
code with the eviction reference).

    kv_compress_check.py TOY.mlir WORKDIR "policy=... budget=..." [--steps N]

TOY.mlir has @prefill(q [1,Hq,P,D], k, v [1,Hkv,P,D]) -> (out, cache) and
@decode_step(q1, k1, v1, cache) -> (out1, cache), caches of capacity C.
Tolerance: rtol 1e-5 / atol 1e-6 on the attention outputs (f32, summation order
differs); kept positions and lengths must match exactly.
"""
import os
import subprocess
import sys

import numpy as np

import kv_reference as ref

F32 = np.float32


def parse_options(text):
    opts = {}
    for item in text.split():
        key, _, value = item.partition("=")
        opts[key] = value
    return opts


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{result.stdout}{result.stderr}")
    return result.stdout


def loom_call(lowered, entry, inputs, workdir, tag):
    out_dir = os.path.join(workdir, tag)
    args = ["loom-run", lowered, f"--entry={entry}", "--output-dir", out_dir]
    for i, array in enumerate(inputs):
        path = os.path.join(workdir, f"{tag}_in{i}.npy")
        np.save(path, array)
        args += ["--input", path]
    run(args)
    results = []
    i = 0
    while os.path.exists(os.path.join(out_dir, f"result{i}.npy")):
        results.append(np.load(os.path.join(out_dir, f"result{i}.npy")))
        i += 1
    return results


def windowed_attention(q, keys, values, query_positions, window, sinks):
    """Causal attention over the whole history, keys at positions 0..n-1
    visible iff p <= pos and (p > pos - window or p < sinks)."""
    b, hq, sq, d = q.shape
    group = hq // keys.shape[1]
    out = np.zeros((b, hq, sq, values.shape[3]), F32)
    pos = np.arange(keys.shape[2])
    for h in range(hq):
        s = (q[0, h] @ keys[0, h // group].T).astype(np.float64) / np.sqrt(d)
        qp = query_positions[:, None]
        visible = (pos[None, :] <= qp) & ((pos[None, :] > qp - window) |
                                          (pos[None, :] < sinks))
        s = np.where(visible, s, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out[0, h] = p @ values[0, h // group]
    return out


def main():
    toy, workdir, options = sys.argv[1], sys.argv[2], sys.argv[3]
    steps = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--steps" else 8
    opts = parse_options(options)
    policy = opts["policy"]
    os.makedirs(workdir, exist_ok=True)
    lowered = os.path.join(workdir, "lowered.mlir")
    run(["loom-opt", toy, f"--loom-kv-compress={options}",
         "--convert-loom-to-linalg", "-o", lowered])

    rng = np.random.default_rng(7)
    hq, hkv, d, prompt, capacity = 4, 2, 8, 8, 16
    total = prompt + steps
    q_all = rng.standard_normal((1, hq, total, d)).astype(F32)
    k_all = rng.standard_normal((1, hkv, total, d)).astype(F32)
    v_all = rng.standard_normal((1, hkv, total, d)).astype(F32)

    budget = opts.get("budget", "")
    if budget:
        k_budget = (int(np.floor(float(budget) * capacity)) if "." in budget
                    else int(budget))
    sinks = int(opts.get("sinks", 4))
    window = int(opts.get("window", 8))
    kernel = int(opts.get("kernel", 5))
    interval = int(opts.get("interval", 1))
    bits = int(opts.get("bits", 4))
    group = int(opts.get("group", 16))
    residual = int(opts.get("residual", -1))
    residual = group if residual < 0 else residual
    quantize = "quantize" in policy.split("+")
    recent = int(opts.get("recent", 4))
    threshold = float(opts.get("threshold", 0.5))
    sigma = float(opts.get("sigma", 1.0))
    # H2O: the attention each token accumulated, by original position (as
    # case_h2o_accumulate does), independent of where the cache stores it.
    acc = {}
    # Merging: the scores carried with the cache, aligned with its entries
    # (a merged entry's is its set's sum).
    carried = np.zeros((1, hkv, capacity), np.float32)
    merged_sets = [0]  # sets of more than one entry (merging did happen)

    def accumulate(scores):
        for h in range(hkv):
            for j in range(int(cache.length[0])):
                key = (h, int(cache.positions[0, h, j]))
                acc[key] = np.float32(acc.get(key, np.float32(0)) + scores[0, h, j])

    def aligned():
        a = np.zeros(cache.positions.shape, np.float32)
        for h in range(hkv):
            for j in range(int(cache.length[0])):
                a[0, h, j] = acc[(h, int(cache.positions[0, h, j]))]
        return a

    def compress_step(scores):
        nonlocal cache, carried
        if policy == "window-sinks":
            cache = ref.evict(cache, "window_sinks", k_budget, sinks=sinks)
        elif policy == "h2o":
            accumulate(scores)
            cache = ref.evict(cache, "h2o", k_budget, scores=aligned(), recent=recent)
        elif policy == "merge":
            total = carried + scores
            cache, sets, carried = ref.merge(cache, total, k_budget, recent, threshold, sigma)
            merged_sets[0] += sets

    # The reference cache, stepped the way the policy says.
    cache = ref.Cache(1, hkv, capacity, d)

    def quantize_new(old_length):
        start = ref.quantized_prefix(old_length, group, residual)
        stop = ref.quantized_prefix(cache.length, group, residual)
        ref.quantize_range(cache, start, stop, bits, group)

    worst = 0.0
    oracle_worst = 0.0

    def compare(step, got, want, got_cache):
        nonlocal worst
        err = float(np.max(np.abs(got - want)))
        bound = 1e-6 + 1e-5 * float(np.max(np.abs(want)))
        worst = max(worst, err)
        if err > bound:
            sys.exit(f"FAIL: step {step}: max abs error {err:.3e} > {bound:.3e}")
        length = int(got_cache[3][0])
        if length != int(cache.length[0]):
            sys.exit(f"FAIL: step {step}: length {length}, reference {cache.length[0]}")
        if policy in ("h2o", "merge"):
            want_state = aligned() if policy == "h2o" else carried
            got_state = got_cache[5][0, :, :length]
            if not np.allclose(got_state, want_state[0, :, :length], rtol=1e-5, atol=1e-6):
                sys.exit(f"FAIL: step {step}: carried scores {got_state.tolist()}, "
                         f"reference {want_state[0, :, :length].tolist()}")
        got_pos = got_cache[2][0, :, :length]
        want_pos = cache.positions[0, :, :length]
        if not np.array_equal(got_pos, want_pos):
            sys.exit(f"FAIL: step {step}: kept positions {got_pos.tolist()}, "
                     f"reference {want_pos.tolist()}")

    # Prefill.
    q, k, v = q_all[:, :, :prompt], k_all[:, :, :prompt], v_all[:, :, :prompt]
    results = loom_call(lowered, "prefill", [q, k, v], workdir, "prefill")
    cache.append(k, v)
    want, scores = ref.cache_attention(q, cache)
    if policy in ("window-sinks", "h2o", "merge"):
        compress_step(scores)
    if policy.startswith("snapkv"):
        _, scores = ref.cache_attention(q[:, :, prompt - window:], cache)
        kept = k_budget - (capacity - prompt)
        cache = ref.evict(cache, "snapkv", kept, scores=scores, window=window,
                          kernel=kernel)
    if quantize:
        quantize_new(np.zeros(1, np.int64))
    parts = results[1:]
    compare("prefill", results[0], want, parts)
    held = sum(p.nbytes for p in parts)

    for t in range(prompt, total):
        q, k, v = (x[:, :, t:t + 1] for x in (q_all, k_all, v_all))
        results = loom_call(lowered, "decode_step", [q, k, v] + parts, workdir,
                            f"step{t}")
        old_length = cache.length.copy()
        cache.append(k, v)
        if quantize:
            quantize_new(old_length)
        want, scores = ref.cache_attention(q, cache)
        if policy in ("window-sinks", "h2o", "merge") and (
                interval == 1 or cache.length[0] >= k_budget + interval):
            compress_step(scores)
        elif policy == "h2o":
            accumulate(scores)
        elif policy == "merge":
            carried = carried + scores
        parts = results[1:]
        compare(f"decode {t}", results[0], want, parts)
        if policy == "window-sinks" and interval == 1:
            # Evicting to K after every step = a window of K - s + 1 keys
            # (the new one included) plus s sinks over the whole history.
            oracle = windowed_attention(q, k_all[:, :, :t + 1], v_all[:, :, :t + 1],
                                        np.array([t]), k_budget - sinks + 1, sinks)
            err = float(np.max(np.abs(results[0] - oracle)))
            oracle_worst = max(oracle_worst, err)
            if err > 1e-5:
                sys.exit(f"FAIL: step {t}: windowed-attention oracle error {err:.3e}")

    full = 2 * hkv * capacity * d * 4 + hkv * capacity * 8 + 16
    print(f"{policy}: {steps} steps ok, max abs error {worst:.2e}"
          + (f", windowed oracle {oracle_worst:.2e}" if oracle_worst else "")
          + (f", {merged_sets[0]} merged sets" if policy == "merge" else "")
          + f"; cache bytes held {held} (uncompressed {full})")


if __name__ == "__main__":
    main()
