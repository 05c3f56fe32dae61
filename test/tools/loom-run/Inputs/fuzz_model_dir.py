"""Mutates a compiled model directory and its input .npy files many times and
runs model-directory runners on each mutant: none may crash or hang. A run
must exit 0, or 1 with an `error: ` line on stderr.

Usage:
  fuzz_model_dir.py WORK MODEL SAME_NAME OTHER_NAME INPUTS_DIR
      [--iterations N] [--seed S] [--runner CMD]... [--occasional-runner CMD]...

MODEL is the directory loomc wrote; SAME_NAME the directory of another model
with the same --name and other shapes, OTHER_NAME one with another --name
(their libraries are swapped in). INPUTS_DIR holds MODEL's inputs as
<input name>.npy. Each --runner (a command line, split like a shell would)
runs on every mutant with `DIR --input NAME=FILE... --output-dir OUT`
appended; an --occasional-runner on every tenth. Mutations (1 to 3 per
mutant, seeded, so a run is reproducible) cover the manifest (shapes,
dtypes, names, counts, entry points, files, versions, unknown and missing
keys, types, nesting, duplicate keys, truncation, byte flips), the library
(another model's, truncated, empty, not ELF, a link, a directory, missing)
and the input files (headers, versions, lengths, shapes, truncation). Prints
one line per runner with the counts, every failure with its mutations, and
exits 1 when a runner crashed, hung or failed without an error line.
"""
import argparse
import copy
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys

DTYPES = {"float16": ("<f2", 2), "float32": ("<f4", 4), "float64": ("<f8", 8),
          "int8": ("|i1", 1), "int16": ("<i2", 2), "int32": ("<i4", 4),
          "int64": ("<i8", 8), "uint8": ("|u1", 1), "bool": ("|b1", 1)}
ODD_VALUES = [None, True, False, 0, -1, 1.5, 2 ** 31, 2 ** 63 - 1, 2 ** 64,
              "", "x", [], {}, [1, 2], {"a": 1}]


class Mutant:
    """A copy of the model directory and its inputs being mutated."""

    def __init__(self, rng, root, model, same_name, other_name, inputs_dir):
        self.rng = rng
        self.root = root
        self.dir = os.path.join(root, "model")
        self.same_name, self.other_name = same_name, other_name
        if os.path.lexists(root):
            shutil.rmtree(root)
        os.makedirs(root)
        shutil.copytree(model, self.dir, symlinks=True)
        with open(os.path.join(self.dir, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.input_files = {}
        for spec in self.manifest["inputs"]:
            name = spec["name"]
            path = os.path.join(root, "in_%d.npy" % len(self.input_files))
            shutil.copy(os.path.join(inputs_dir, name + ".npy"), path)
            self.input_files[name] = path
        self.manifest_text = None  # set once a mutation works on the text
        self.log = []

    # -- helpers ----------------------------------------------------------
    def tensors(self):
        return [(kind, t) for kind in ("inputs", "outputs")
                for t in self.manifest.get(kind, []) if isinstance(t, dict)]

    def pick_tensor(self):
        tensors = self.tensors()
        return self.rng.choice(tensors) if tensors else (None, None)

    def fix_sizes(self, tensor):
        """Makes byte_size and npy_descr agree with shape and dtype, so that
        the mutant gets past the manifest checks to the signature check."""
        dtype = tensor.get("dtype")
        shape = tensor.get("shape")
        if dtype in DTYPES and isinstance(shape, list) and all(
                isinstance(d, int) and not isinstance(d, bool) for d in shape):
            count = 1
            for d in shape:
                count *= d
            tensor["npy_descr"] = DTYPES[dtype][0]
            tensor["byte_size"] = count * DTYPES[dtype][1]

    def text(self):
        if self.manifest_text is None:
            self.manifest_text = json.dumps(self.manifest, indent=2)
        return self.manifest_text

    def objects(self, node=None, out=None):
        """Every JSON object in the manifest."""
        if out is None:
            node, out = self.manifest, []
        if isinstance(node, dict):
            out.append(node)
            for v in node.values():
                self.objects(v, out)
        elif isinstance(node, list):
            for v in node:
                self.objects(v, out)
        return out

    # -- manifest as data -------------------------------------------------
    def m_shape_dim(self):
        kind, t = self.pick_tensor()
        if t is None or not isinstance(t.get("shape"), list) or not t["shape"]:
            return
        i = self.rng.randrange(len(t["shape"]))
        d = t["shape"][i] if isinstance(t["shape"][i], int) else 1
        t["shape"][i] = self.rng.choice(
            [d + 1, d - 1, 0, 1, 2 * d, 2 ** 31, 2 ** 40, 2 ** 62, -1, 1.5,
             "4", None, True])
        if self.rng.random() < 0.6:
            self.fix_sizes(t)
        self.log.append("%s %s shape[%d]=%r" % (kind, t.get("name"), i,
                                                 t["shape"][i]))

    def m_shape_rank(self):
        kind, t = self.pick_tensor()
        if t is None:
            return
        shape = t.get("shape") if isinstance(t.get("shape"), list) else []
        choice = self.rng.randrange(5)
        if choice == 0:
            t["shape"] = shape + [1]
        elif choice == 1:
            t["shape"] = shape[1:]
        elif choice == 2:
            t["shape"] = []
        elif choice == 3:
            t["shape"] = [1] * self.rng.choice([63, 64, 65, 1000])
        else:
            t["shape"] = self.rng.choice(ODD_VALUES)
        if self.rng.random() < 0.6:
            self.fix_sizes(t)
        self.log.append("%s %s shape=%s" % (kind, t.get("name"),
                                            str(t["shape"])[:40]))

    def m_dtype(self):
        kind, t = self.pick_tensor()
        if t is None:
            return
        t["dtype"] = self.rng.choice(list(DTYPES) + ["complex64", "float",
                                                     "", 3, None])
        if self.rng.random() < 0.6:
            self.fix_sizes(t)
        self.log.append("%s %s dtype=%r" % (kind, t.get("name"), t["dtype"]))

    def m_name(self):
        kind, t = self.pick_tensor()
        if t is None:
            return
        others = [o.get("name") for _, o in self.tensors()]
        t["name"] = self.rng.choice(
            ["", "x", "ids", "y", "z", "a\u0000b", "\u00e9t\u00e9",
             "../../etc/passwd", "x" * 5000, 7, None] + others)
        self.log.append("%s name=%r" % (kind, str(t["name"])[:20]))

    def m_c_name(self):
        kind, t = self.pick_tensor()
        if t is None:
            return
        others = [o.get("c_name") for _, o in self.tensors()]
        t["c_name"] = self.rng.choice(["", "int", "x", "ids", "1a", "a b",
                                       "_", 5] + others)
        self.log.append("%s c_name=%r" % (kind, t["c_name"]))

    def m_count(self):
        kind = self.rng.choice(["inputs", "outputs"])
        items = self.manifest.get(kind)
        if not isinstance(items, list):
            return
        choice = self.rng.randrange(6)
        if choice == 0 and items:
            del items[self.rng.randrange(len(items))]
            self.log.append("drop one of " + kind)
        elif choice == 1 and items:
            items.append(copy.deepcopy(self.rng.choice(items)))
            self.log.append("duplicate one of " + kind)
        elif choice == 2:
            fake = {"name": "fake", "c_name": "fake", "shape": [2],
                    "dtype": "float32", "npy_descr": "<f4", "byte_size": 8}
            items.insert(self.rng.randrange(len(items) + 1), fake)
            self.log.append("add a fake to " + kind)
        elif choice == 3:
            self.manifest[kind] = []
            self.log.append("empty " + kind)
        elif choice == 4 and len(items) > 1:
            items.reverse()
            self.log.append("reverse " + kind)
        else:
            other = "outputs" if kind == "inputs" else "inputs"
            self.manifest[kind] = copy.deepcopy(self.manifest.get(other))
            self.log.append("%s = %s" % (kind, other))

    def m_entry_points(self):
        entries = self.manifest.get("entry_points")
        if not isinstance(entries, dict):
            return
        choice = self.rng.randrange(3)
        if choice == 0 and entries:
            key = self.rng.choice(sorted(entries))
            entries[key] = self.rng.choice(
                ["system", "model_run", "model_signature", "other_" + key,
                 "", "model run", 3, "malloc", "dlopen"])
            self.log.append("entry_points.%s=%r" % (key, entries[key]))
        else:
            name = self.rng.choice(["other", "Model", "model2", "main"])
            self.manifest["name"] = name
            if choice == 1:
                for key in entries:
                    entries[key] = name + "_" + key
                self.log.append("rename the model to " + name)
            else:
                self.log.append("name=" + name)

    def m_files(self):
        files = self.manifest.get("files")
        if not isinstance(files, dict):
            return
        key = self.rng.choice(["library"] * 4 + ["header", "mlir"])
        files[key] = self.rng.choice(
            ["../model.so", "/etc/passwd", "model.h", "manifest.json",
             "nonexistent.so", "model.mlir", "", ".", "..", "a/b", 0])
        self.log.append("files.%s=%r" % (key, files[key]))

    def m_top(self):
        choice = self.rng.randrange(7)
        if choice == 0:
            self.manifest["abi_version"] = self.rng.choice(
                [0, 2, -1, 1.0, "1", 2 ** 70, None])
            self.log.append("abi_version=%r" % self.manifest["abi_version"])
        elif choice == 1:
            self.manifest["generator"] = self.rng.choice(["", "other", 1])
            self.log.append("generator")
        elif choice == 2:
            target = self.manifest.get("target")
            if isinstance(target, dict):
                key = self.rng.choice(["kind", "opt_level", "triple", "cpu"])
                target[key] = self.rng.choice(["gpu", 4, -1, "3", None, ""])
                self.log.append("target.%s=%r" % (key, target[key]))
        elif choice == 3:
            obj = self.rng.choice(self.objects())
            if obj:
                key = self.rng.choice(sorted(obj))
                del obj[key]
                self.log.append("delete key " + key)
        elif choice == 4:
            obj = self.rng.choice(self.objects())
            obj[self.rng.choice(["extra", "comment", "name2", ""])] = 1
            self.log.append("add an unknown key")
        elif choice == 5:
            obj = self.rng.choice(self.objects())
            if obj:
                key = self.rng.choice(sorted(obj))
                obj[key] = self.rng.choice(ODD_VALUES)
                self.log.append("%s=%r" % (key, obj[key]))
        else:
            depth = self.rng.choice([7, 8, 9, 100, 100000])
            self.manifest_text = None
            self.manifest["source"] = "@NEST@"
            self.manifest_text = self.text().replace(
                '"@NEST@"', "[" * depth + "]" * depth)
            self.log.append("nest %d deep" % depth)

    # -- manifest as text -------------------------------------------------
    def t_truncate(self):
        text = self.text()
        self.manifest_text = text[:self.rng.randrange(max(1, len(text)))]
        self.log.append("truncate the manifest at %d" % len(self.manifest_text))

    def t_flip(self):
        data = bytearray(self.text().encode("utf-8", "surrogatepass"))
        for _ in range(self.rng.randint(1, 4) if data else 0):
            data[self.rng.randrange(len(data))] = self.rng.randrange(256)
        self.manifest_text = data.decode("latin-1")
        self.log.append("flip bytes of the manifest")

    def t_special(self):
        self.manifest_text = self.rng.choice(
            ["", "null", "[]", "{}", "\ufeff" + self.text(),
             self.text().replace("{", '{"name": "x", ', 1),
             self.text().replace('"model"', '"mo\\ud800del"', 1),
             self.text() + "\n}", self.text().replace(",", ",,", 1)])
        self.log.append("special manifest text")

    # -- the library ------------------------------------------------------
    def l_library(self):
        lib = os.path.join(self.dir, "model.so")
        choice = self.rng.randrange(9)
        if os.path.isdir(lib) and not os.path.islink(lib):
            shutil.rmtree(lib)
        elif os.path.lexists(lib):
            os.remove(lib)
        if choice == 0:
            shutil.copy(os.path.join(self.same_name, "model.so"), lib)
            what = "same-name model's library"
        elif choice == 1:
            shutil.copy(os.path.join(self.other_name, "other.so"), lib)
            what = "other-name model's library"
        elif choice == 2:
            shutil.rmtree(self.dir)
            shutil.copytree(self.same_name, self.dir)
            with open(os.path.join(self.dir, "manifest.json")) as f:
                self.manifest = json.load(f)
            what = "the same-name model's whole directory"
        elif choice == 3:
            with open(os.path.join(self.same_name, "model.so"), "rb") as f:
                data = f.read()
            with open(lib, "wb") as f:
                f.write(data[:self.rng.randrange(len(data))])
            what = "truncated library"
        elif choice == 4:
            open(lib, "wb").close()
            what = "empty library"
        elif choice == 5:
            shutil.copy(os.path.join(self.dir, "manifest.json"), lib)
            what = "library that is not ELF"
        elif choice == 6:
            os.symlink(os.path.join(self.same_name, "model.so"), lib)
            what = "library that is a symbolic link"
        elif choice == 7:
            os.mkdir(lib)
            what = "library that is a directory"
        else:
            what = "no library"
        self.log.append(what)

    # -- the inputs -------------------------------------------------------
    def n_input(self):
        name = self.rng.choice(sorted(self.input_files))
        path = self.input_files[name]
        if os.path.isdir(path):
            return
        with open(path, "rb") as f:
            data = bytearray(f.read())
        header_end = data.find(b"\n") + 1 if b"\n" in data else 10
        choice = self.rng.randrange(10)
        if choice == 0:
            for _ in range(self.rng.randint(1, 3)):
                data[self.rng.randrange(header_end)] = self.rng.randrange(256)
            what = "flip header bytes"
        elif choice == 1:
            data[6] = self.rng.choice([0, 1, 2, 3, 4, 255])
            data[7] = self.rng.choice([0, 0, 1])
            what = "version %d.%d" % (data[6], data[7])
        elif choice == 2:
            length = self.rng.choice([0, 1, 0x7fff, 0xffff, len(data) & 0xffff])
            data[8:10] = length.to_bytes(2, "little")
            what = "header length %d" % length
        elif choice == 3:
            text = data[:header_end].decode("latin-1")
            for old, new in [("<f4", self.rng.choice([">f4", "<f8", "<c8",
                                                       "O", "<i4"])),
                             ("<i4", self.rng.choice([">i4", "<i8", "<f4"]))]:
                text = text.replace(old, new)
            data[:header_end] = text.encode("latin-1")
            what = "descr"
        elif choice == 4:
            text = data[:header_end].decode("latin-1")
            start = text.find("(")
            end = text.find(")")
            if start >= 0 and end > start:
                new = self.rng.choice(["()", "(1,)", "(-1,)", "(2**40,)",
                                       "(99999999999, 99999999999)", "(4)",
                                       "(64, 257)", "(4, )", "[4]"])
                text = text[:start] + new + text[end + 1:]
                data[:header_end] = text.encode("latin-1")
                what = "shape " + new
            else:
                what = "shape (none)"
        elif choice == 5:
            data = data[:self.rng.randrange(max(1, len(data)))]
            what = "truncate"
        elif choice == 6:
            data += bytes(self.rng.randint(1, 64))
            what = "append data"
        elif choice == 7:
            text = data[:header_end].decode("latin-1").replace(
                "False", "True")
            data[:header_end] = text.encode("latin-1")
            what = "fortran_order True"
        elif choice == 8:
            other = self.rng.choice(sorted(self.input_files))
            if os.path.isdir(self.input_files[other]):
                return
            with open(self.input_files[other], "rb") as f:
                data = bytearray(f.read())
            what = "the file of input " + other
        else:
            os.remove(path)
            os.mkdir(path)
            self.log.append("input %s: a directory" % name)
            return
        with open(path, "wb") as f:
            f.write(data)
        self.log.append("input %s: %s" % (name, what))

    def finish(self):
        if self.manifest_text is None:
            self.manifest_text = json.dumps(self.manifest, indent=2)
        path = os.path.join(self.dir, "manifest.json")
        if os.path.isdir(self.dir):
            with open(path, "wb") as f:
                f.write(self.manifest_text.encode("utf-8", "surrogatepass")
                        if any(ord(c) > 255 for c in self.manifest_text)
                        else self.manifest_text.encode("latin-1"))


DATA_MUTATIONS = ["m_shape_dim", "m_shape_dim", "m_shape_rank", "m_dtype",
                  "m_dtype", "m_name", "m_c_name", "m_count", "m_count",
                  "m_entry_points", "m_files", "m_top", "m_top"]
TEXT_MUTATIONS = ["t_truncate", "t_flip", "t_special"]
OTHER_MUTATIONS = ["l_library", "l_library", "n_input", "n_input", "n_input"]


def run(command, mutant, timeout):
    args = list(command) + [mutant.dir]
    for name, path in mutant.input_files.items():
        args += ["--input", name + "=" + path]
    args += ["--output-dir", os.path.join(mutant.root, "out")]
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", ""
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode < 0:
        return "signal %s" % signal.Signals(-done.returncode).name, stderr
    if done.returncode == 0:
        return "ok", stderr
    if done.returncode == 1:
        if any(line.startswith("error: ") for line in stderr.splitlines()):
            return "error", stderr
        return "exit 1 without an error line", stderr
    return "exit %d" % done.returncode, stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("model")
    parser.add_argument("same_name")
    parser.add_argument("other_name")
    parser.add_argument("inputs_dir")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runner", action="append", default=[])
    parser.add_argument("--occasional-runner", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    runners = [(shlex.split(r), 1) for r in args.runner] + \
              [(shlex.split(r), 10) for r in args.occasional_runner]
    counts = [{} for _ in runners]
    failures = []
    for iteration in range(args.iterations):
        mutant = Mutant(rng, os.path.join(args.work, "case"), args.model,
                        args.same_name, args.other_name, args.inputs_dir)
        # The first mutant is the model as compiled: it must run.
        if iteration > 0:
            for _ in range(rng.choice([1, 1, 2, 3])):
                kind = rng.random()
                pool = (DATA_MUTATIONS if kind < 0.55 else
                        OTHER_MUTATIONS if kind < 0.85 else TEXT_MUTATIONS)
                getattr(mutant, rng.choice(pool))()
        mutant.finish()
        for (command, stride), count in zip(runners, counts):
            if iteration % stride:
                continue
            outcome, stderr = run(command, mutant, args.timeout)
            count[outcome] = count.get(outcome, 0) + 1
            if iteration == 0 and outcome != "ok":
                failures.append((iteration, command[-1], "the unmutated model "
                                 "did not run: " + outcome, [], stderr))
            elif outcome not in ("ok", "error"):
                failures.append((iteration, command[-1], outcome,
                                 list(mutant.log), stderr))
    for (command, _), count in zip(runners, counts):
        crashes = sum(n for outcome, n in count.items()
                      if outcome not in ("ok", "error"))
        print("fuzz: %s: %d runs, %d crashes or hangs (%s)" % (
            os.path.basename(command[-1]), sum(count.values()), crashes,
            ", ".join("%s %d" % kv for kv in sorted(count.items()))))
    for iteration, runner, outcome, log, stderr in failures[:20]:
        print("FAILURE at iteration %d, %s: %s after %s\n  %s" % (
            iteration, runner, outcome, "; ".join(log) or "nothing",
            stderr.strip().replace("\n", "\n  ")[-2000:]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
