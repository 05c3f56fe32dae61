"""Checks a `loomc --target=cuda` output directory for consistency.

- manifest.json: target kind "cuda", the GPU architecture, a `cuda` section
  whose kernels name files that exist;
- kernels.h: the same kernels in the same order (names, cubin and PTX paths,
  grid and block sizes, number of parameters) as the manifest;
- kernels/: every cubin is a CUDA ELF file for the architecture and every PTX
  file targets it (test/lib/gpu_binaries.py), and nothing else is there.

Prints one summary line per part; exit status 1 with the first problem.

Usage: check_cuda_output.py OUTDIR --arch sm_90
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import gpu_binaries  # noqa: E402


def fail(message):
    print(f"error: {message}")
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--arch", required=True)
    args = parser.parse_args()
    out = args.outdir

    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest["target"]["kind"] != "cuda":
        fail(f"target kind {manifest['target']['kind']!r}, expected 'cuda'")
    cuda = manifest["cuda"]
    if cuda["gpu_arch"] != args.arch:
        fail(f"gpu_arch {cuda['gpu_arch']!r}, expected {args.arch!r}")
    kernels = cuda["kernels"]
    for name in (manifest["files"]["library"], manifest["files"]["header"],
                 cuda["kernels_header"]):
        if not os.path.isfile(os.path.join(out, name)):
            fail(f"{name} is missing")
    print(f"manifest: target cuda, {cuda['gpu_arch']}, {len(kernels)} kernels, "
          f"{cuda['weights']['count']} weights ({cuda['weights']['bytes']} "
          f"bytes)")

    with open(os.path.join(out, cuda["kernels_header"])) as f:
        header = f.read()
    prefix = manifest["name"].upper()
    count = re.search(rf"#define {prefix}_NUM_KERNELS (\d+)", header)
    if not count or int(count.group(1)) != len(kernels):
        fail("kernels.h's kernel count differs from the manifest's")
    for k, kernel in enumerate(kernels):
        macro = f"{prefix}_KERNEL{k}"

        def value(suffix):
            match = re.search(rf"#define {macro}_{suffix} (.*)", header)
            return match.group(1) if match else None

        expected = {
            "NAME": f'"{kernel["function"]}"',
            "CUBIN": f'"{kernel["cubin"]}"',
            "PTX": f'"{kernel["ptx"]}"',
            "NUM_PARAMS": str(kernel["num_params"]),
        }
        for dims in ("grid", "block"):
            if None not in kernel[dims]:
                expected[dims.upper()] = "{" + ", ".join(
                    str(d) for d in kernel[dims]) + "}"
        for suffix, want in expected.items():
            got = value(suffix)
            if got != want:
                fail(f"kernel {k}: kernels.h has {macro}_{suffix} {got}, "
                     f"the manifest says {want}")
        typedef = re.search(
            rf"typedef void {manifest['name']}_kernel{k}_fn\((.*?)\);",
            header, re.S)
        if not typedef:
            fail(f"kernel {k}: no function type in kernels.h")
        params = typedef.group(1).strip()
        num = 0 if params == "void" else params.count(",") + 1
        if num != kernel["num_params"]:
            fail(f"kernel {k}: its function type has {num} parameters, the "
                 f"manifest says {kernel['num_params']}")
    print(f"kernels.h: {len(kernels)} kernels, names, files, sizes and "
          f"parameter counts match the manifest")

    files = set(os.listdir(os.path.join(out, "kernels")))
    expected_files = set()
    for kernel in kernels:
        for key, fmt in (("cubin", "bin"), ("ptx", "isa")):
            path = os.path.join(out, kernel[key])
            expected_files.add(os.path.basename(path))
            with open(path, "rb") as f:
                problem = gpu_binaries.check_object(kernel["name"], f.read(),
                                                    args.arch, fmt)
            if problem:
                fail(problem)
    if files != expected_files:
        fail(f"kernels/ holds {sorted(files - expected_files)} beyond the "
             f"manifest's, or lacks {sorted(expected_files - files)}")
    print(f"kernels/: {len(kernels)} cubins and {len(kernels)} PTX files for "
          f"{args.arch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
