"""How the reference modules of test/lib write a test case for lit to read.

``save_case(out, inputs, refs)`` writes ``in_0.npy`` ... and ``ref_0.npy`` ... (and
``<name>.npy`` for each entry of ``extra``) into the directory ``out``, C-contiguous so
that loom-run reads them in the order NumPy indexes them.
"""

import os

import numpy as np


def save_case(out, inputs, refs, extra=None):
    os.makedirs(out, exist_ok=True)
    files = [(f"in_{i}", a) for i, a in enumerate(inputs)]
    files += [(f"ref_{i}", a) for i, a in enumerate(refs)]
    files += list((extra or {}).items())
    for name, a in files:
        np.save(os.path.join(out, f"{name}.npy"), np.ascontiguousarray(a))
