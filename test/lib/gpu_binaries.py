"""Reads the kernels out of `gpu.binary` ops in MLIR text and checks them.

`loom-gpu-pipeline` ends with one `gpu.binary` per kernel holding a cubin
(format=bin) or PTX (format=isa). `check_object` verifies what ptxas and the
NVPTX back end made of one: a cubin is a CUDA ELF file (machine EM_CUDA = 190)
for the requested SM; PTX declares `.target sm_NN` and at least one `.entry`.

Usage: gpu_binaries.py --arch sm_90 --format bin|isa [--expect-count N] FILE
  Prints "N kernels: <format> for sm_NN" or the first problem (exit 1).

       gpu_binaries.py --compile-all LOOM_OPT --arch sm_90 PATH...
  Compiles each .mlir (loom IR) or .onnx file (through loom-import-onnx,
  expected next to LOOM_OPT, and loom-optimize-pipeline), and each such file
  under a directory PATH, with loom-gpu-pipeline{gpu-arch=ARCH} to cubins and
  checks every kernel. Prints one line per file, exit status 1 if any fails.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

BINARY = re.compile(r'gpu\.binary @([\w$.-]+)\s+\[(.*?)\]\s*$', re.MULTILINE)
OBJECT = re.compile(
    r'#gpu\.object<#nvvm\.target<[^>]*>,\s*(?:properties = \{[^}]*\},\s*)?'
    r'(bin|assembly|offload|fatbin)?\s*=?\s*"((?:[^"\\]|\\.)*)"')


def unescape(text):
    """The bytes of an MLIR string literal's contents."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in '\\"':
            out.append(ord(nxt))
            i += 2
        elif nxt == "n":
            out.append(10)
            i += 2
        elif nxt == "t":
            out.append(9)
            i += 2
        else:
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
    return bytes(out)


def read_objects(text):
    """[(binary name, format keyword or None, bytes)] in order."""
    objects = []
    for match in BINARY.finditer(text):
        body = match.group(2)
        for obj in OBJECT.finditer(body):
            objects.append((match.group(1), obj.group(1), unescape(obj.group(2))))
    return objects


def check_object(name, data, arch, fmt):
    """None, or what is wrong with kernel `name`."""
    sm = int(arch[len("sm_"):].rstrip("a"))
    if fmt == "bin":
        if data[:4] != b"\x7fELF":
            return f"{name}: not an ELF file"
        machine = int.from_bytes(data[18:20], "little")
        if machine != 190:
            return f"{name}: ELF machine {machine}, not EM_CUDA (190)"
        flags = int.from_bytes(data[48:52], "little")
        abi = data[8]
        found = (flags >> 8) & 0xFF if abi >= 8 else flags & 0xFF
        if found != sm:
            return f"{name}: cubin for sm_{found}, expected {arch}"
        return None
    ptx = data.decode("utf-8", "replace")
    if not re.search(r"^\.target\s+" + re.escape(arch) + r"\b", ptx, re.M):
        return f"{name}: PTX without `.target {arch}`"
    if ".entry" not in ptx:
        return f"{name}: PTX without an .entry"
    return None


def check_text(text, arch, fmt, expect_count=None):
    objects = read_objects(text)
    if "gpu.module" in text:
        return "a gpu.module was not serialised", 0
    if not objects:
        return "no gpu.binary", 0
    if expect_count is not None and len(objects) != expect_count:
        return f"{len(objects)} kernels, expected {expect_count}", len(objects)
    for name, _, data in objects:
        problem = check_object(name, data, arch, fmt)
        if problem:
            return problem, len(objects)
    return None, len(objects)


def expand(paths):
    """The .mlir and .onnx files of `paths`, directories searched, sorted."""
    files = []
    for path in paths:
        if not os.path.isdir(path):
            files.append(path)
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if d != "Inputs"]
            files += [os.path.join(root, n) for n in names
                      if n.endswith((".mlir", ".onnx"))]
    return sorted(files)


def compile_all(loom_opt, arch, paths):
    tools = os.path.dirname(loom_opt)
    files = expand(paths)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            source = path
            if path.endswith(".onnx"):
                source = os.path.join(tmp, "imported.mlir")
                subprocess.check_call([os.path.join(tools, "loom-import-onnx"),
                                       path, "-o", source])
            out = os.path.join(tmp, "kernels.mlir")
            cmd = [loom_opt, source]
            if path.endswith(".onnx"):
                cmd.append("--loom-optimize-pipeline")
            cmd += [f"--loom-gpu-pipeline=gpu-arch={arch} format=bin",
                    "-o", out]
            result = subprocess.run(cmd, capture_output=True, text=True)
            label = os.path.join(os.path.basename(os.path.dirname(path)),
                                 os.path.basename(path))
            if result.returncode != 0:
                first = (result.stderr.strip().splitlines() or ["?"])[0]
                print(f"FAIL {label}: {first}")
                failures += 1
                continue
            with open(out) as f:
                problem, count = check_text(f.read(), arch, "bin")
            if problem:
                print(f"FAIL {label}: {problem}")
                failures += 1
            else:
                print(f"ok {label}: {count} cubins for {arch}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", required=True)
    parser.add_argument("--format", choices=["bin", "isa"], default="bin")
    parser.add_argument("--expect-count", type=int)
    parser.add_argument("--compile-all", metavar="LOOM_OPT")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.compile_all:
        return 1 if compile_all(args.compile_all, args.arch, args.files) else 0
    with open(args.files[0]) as f:
        problem, count = check_text(f.read(), args.arch, args.format,
                                    args.expect_count)
    if problem:
        print(f"error: {problem}")
        return 1
    print(f"{count} kernels: {args.format} for {args.arch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
