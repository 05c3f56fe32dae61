"""NumPy references of Loom's tensor utility ops (loom.topk) and their test inputs.

Usage (from a lit RUN line, with test/lib on PYTHONPATH):

    python -m tensor_reference CASE OUTDIR

writes ``in_0.npy`` ... and the expected ``ref_0.npy`` ... into OUTDIR. The reference
sorts with Python keys, independently of the MLIR lowering: NaN ranks above every
number, equal elements by lower index.
"""

import sys

import numpy as np

from case_files import save_case


def topk(x, k, axis=-1, smallest=False):
    """loom.topk: (values, indices int64) along `axis`."""
    x = np.moveaxis(np.asarray(x), axis, -1)
    vals = np.empty(x.shape[:-1] + (k,), x.dtype)
    idxs = np.empty(x.shape[:-1] + (k,), np.int64)
    for pos in np.ndindex(*x.shape[:-1]):
        row = x[pos]

        def key(i):
            v = row[i]
            nan = bool(np.isnan(v)) if np.issubdtype(row.dtype, np.floating) else False
            # Rank: NaN above numbers; ties by index.
            if smallest:
                return (1 if nan else 0, 0.0 if nan else float(v), i)
            return (0 if nan else 1, 0.0 if nan else -float(v), i)

        order = sorted(range(len(row)), key=key)[:k]
        vals[pos] = row[order]
        idxs[pos] = order
    return np.moveaxis(vals, -1, axis), np.moveaxis(idxs, -1, axis)


def case_router(out):
    """Softmax-like rows of 8 with exact ties (equal logits) and a NaN."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 8)).astype(np.float32)
    x[3, :] = 0.5                  # all tied: indices 0, 1
    x[5, [2, 6]] = 9.0             # tie for first place: 2 before 6
    x[7, 4] = np.nan               # NaN ranks first
    x[9, [1, 3]] = np.nan          # two NaNs: by index
    save_case(out, [x], list(topk(x, 2)))


def case_smallest_axis0(out):
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, size=(10, 4)).astype(np.float32)  # many ties
    x[2, 1] = np.nan               # NaN ranks last when smallest
    save_case(out, [x], list(topk(x, 3, axis=0, smallest=True)))


def case_int(out):
    rng = np.random.default_rng(2)
    x = rng.integers(-50, 50, size=(3, 5, 7)).astype(np.int32)
    x[1, 2, :] = 7                 # all tied
    save_case(out, [x], list(topk(x, 4, axis=1)))


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main(argv):
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: {argv[0]} {{{','.join(CASES)}}} OUTDIR")
    CASES[argv[1]](argv[2])


if __name__ == "__main__":
    main(sys.argv)
