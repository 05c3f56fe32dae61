"""Writes a seeded uniform random int8 array for the tiling execution tests.

Usage: random_ints.py OUT.npy SHAPE LOW HIGH SEED
SHAPE is like 16x32; values are drawn from [LOW, HIGH] inclusive.
"""

import sys

import numpy as np


def main():
    out, shape, low, high, seed = sys.argv[1:6]
    dims = [int(d) for d in shape.split("x")]
    rng = np.random.default_rng(int(seed))
    np.save(out, rng.integers(int(low), int(high) + 1, size=dims, dtype=np.int8))


if __name__ == "__main__":
    main()
