"""NumPy references of Loom's layer building blocks (loom.rope, loom.rms_norm) and
their test inputs.

Usage (from a lit RUN line, with test/lib on PYTHONPATH):

    python -m layer_reference CASE OUTDIR

writes ``in_0.npy`` ... and the expected ``ref_0.npy`` into OUTDIR. The references
follow the definitions in docs/Dialect.md (HuggingFace's ``apply_rotary_pos_emb`` and
``LlamaRMSNorm``), written independently of the MLIR lowering: rope pairs channels by
explicit index arithmetic, rms_norm uses float64.
"""

import sys

import numpy as np

from case_files import save_case


def rope(x, cos, sin, interleaved=False):
    """loom.rope: rotate the first R = cos.shape[-1] channels; the rest pass through."""
    x = np.asarray(x)
    r = cos.shape[-1]
    cos = np.broadcast_to(cos, x.shape[:-1] + (r,))
    sin = np.broadcast_to(sin, x.shape[:-1] + (r,))
    y = x.copy()
    for d in range(r):
        if interleaved:
            partner = d + 1 if d % 2 == 0 else d - 1
            sign = -1.0 if d % 2 == 0 else 1.0
        else:
            partner = d + r // 2 if d < r // 2 else d - r // 2
            sign = -1.0 if d < r // 2 else 1.0
        y[..., d] = x[..., d] * cos[..., d] + sign * x[..., partner] * sin[..., d]
    return y.astype(x.dtype)


def rms_norm(x, weight=None, eps=1e-6):
    """loom.rms_norm over the last axis, in float64, rounded to x's type."""
    x64 = np.asarray(x, np.float64)
    y = x64 / np.sqrt(np.mean(x64 * x64, axis=-1, keepdims=True) + eps)
    if weight is not None:
        y = y.astype(x.dtype).astype(np.float64) * np.asarray(weight, np.float64)
    return y.astype(x.dtype)


def tables(positions, r, interleaved=False, base=10000.0, dtype=np.float32):
    """Full-width cos/sin tables [S, R] with each angle repeated as the form expects."""
    inv = base ** (-np.arange(0, r, 2) / r)
    ang = np.outer(positions, inv)
    ang = np.repeat(ang, 2, axis=-1) if interleaved else np.concatenate([ang, ang], -1)
    return np.cos(ang).astype(dtype), np.sin(ang).astype(dtype)


def case_rope_llama(out):
    """q [1, 4, 6, 8], tables [1, 1, 6, 8] at positions 3..8 (a decode offset)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 4, 6, 8)).astype(np.float32)
    cos, sin = tables(np.arange(3, 9), 8)
    cos, sin = cos[None, None], sin[None, None]
    save_case(out, [x, cos, sin], [rope(x, cos, sin)])


def case_rope_interleaved(out):
    """GPT-J pairs on [2, 5, 3, 6] ([B, S, H, D]), per-batch tables [2, 5, 1, 6]."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 3, 6)).astype(np.float32)
    c0, s0 = tables(np.arange(5), 6, interleaved=True)
    c1, s1 = tables(np.arange(7, 12), 6, interleaved=True)
    cos = np.stack([c0, c1])[:, :, None, :]
    sin = np.stack([s0, s1])[:, :, None, :]
    save_case(out, [x, cos, sin], [rope(x, cos, sin, interleaved=True)])


def case_rope_partial(out):
    """NeoX partial rotary: 4 of 10 channels rotated, arbitrary (not repeated) tables."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 2, 5, 10)).astype(np.float32)
    cos = rng.standard_normal((1, 1, 5, 4)).astype(np.float32)
    sin = rng.standard_normal((1, 1, 5, 4)).astype(np.float32)
    save_case(out, [x, cos, sin], [rope(x, cos, sin)])


def case_rope_f16(out):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 4, 8)).astype(np.float16)
    cos, sin = tables(np.arange(4), 8, dtype=np.float16)
    cos, sin = cos[None, None], sin[None, None]
    # The reference multiplies and adds in f32 then rounds; the op does f16
    # arithmetic: compared with an f16-sized tolerance.
    ref = rope(x.astype(np.float32), cos.astype(np.float32), sin.astype(np.float32))
    save_case(out, [x, cos, sin], [ref.astype(np.float16)])


def case_rms_weight(out):
    """[2, 7, 12] rows, a weight, eps 1e-5; one all-zero row (y = 0, no NaN)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 7, 12)).astype(np.float32) * 3
    x[1, 3] = 0.0
    w = rng.standard_normal(12).astype(np.float32)
    save_case(out, [x, w], [rms_norm(x, w, 1e-5)])


def case_rms_no_weight(out):
    """Rank 1 input, no weight, eps 0 (rows of large and tiny magnitudes)."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(16) * 1e3).astype(np.float32)
    save_case(out, [x], [rms_norm(x, None, 0.0)])


def case_rms_f16(out):
    """f16 storage: the sums are taken in f32 (values up to 300, squares overflow f16)."""
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((3, 64)) * 100).astype(np.float16)
    x[0, 0] = 300.0
    w = rng.standard_normal(64).astype(np.float16)
    save_case(out, [x, w], [rms_norm(x, w, 1e-6)])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main(argv):
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: {argv[0]} {{{','.join(CASES)}}} OUTDIR")
    CASES[argv[1]](argv[2])


if __name__ == "__main__":
    main(sys.argv)
