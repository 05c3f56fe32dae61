"""python -m loom.run: `loom-run OUTDIR` in Python.

    python -m loom.run OUTDIR [--input [NAME=]X.npy]... [--random-seed N]
        [--output-dir DIR] [--compare [NAME=]REF.npy]... [--rtol R] [--atol A]

The flags, reports, error messages and exit status are loom-run's (and
loom-run-model's, lib/Runtime/ModelRunner.cpp): 0 when everything ran and
matched, 1 otherwise with one `error: ...` line on stderr. Flags are spelled
-flag or --flag, with the value after '=' or as the next argument. Seeded
random inputs are loom-run's stream, so both give the same outputs.
"""
import math
import os
import sys

import numpy as np

from ._runtime import (LoomError, ModelRuntimeError, RandomInputs,
                       describe, load)

USAGE = """USAGE: python -m loom.run OUTDIR [options]

Runs a model directory that `loomc -o OUTDIR` wrote (--target=cpu or cuda).

OPTIONS:
  --input [NAME=]FILE.npy    the input of that name, or the next input
                             without a file
  --random-seed N            fill float inputs without --input with
                             uniform [-1, 1) floats from this seed
  --output-dir DIR           write each output as DIR/<name>.npy
  --compare [NAME=]REF.npy   compare the output of that name, or the
                             next output without a reference
  --rtol R                   relative tolerance (default 1e-5)
  --atol A                   absolute tolerance (default 1e-6)

Exit status: 0 when everything ran and matched, 1 otherwise.
"""

VALUE_FLAGS = ("input", "compare", "output-dir", "random-seed", "rtol", "atol",
               "entry")


class Failure(Exception):
    """One `error: ` line and exit status 1."""


class Options:
    def __init__(self):
        self.model_dir = None
        self.inputs, self.compares = [], []
        self.random_seed = None
        self.output_dir = ""
        self.rtol, self.atol = 1e-5, 1e-6
        self.entry_given = self.reference_given = False


def parse_arguments(arguments):
    """Options, or None for --help (the usage is printed)."""
    options = Options()
    positional = []
    only_positional = False
    i = 0
    while i < len(arguments):
        argument = arguments[i]
        i += 1
        if only_positional or len(argument) < 2 or argument[0] != "-":
            positional.append(argument)
            continue
        if argument == "--":
            only_positional = True
            continue
        flag = argument[2:] if argument[1] == "-" else argument[1:]
        value = None
        if "=" in flag:
            flag, value = flag.split("=", 1)
        if flag in ("help", "h"):
            sys.stdout.write(USAGE)
            return None
        if flag == "reference":
            if value is not None:
                raise Failure("--reference takes no value")
            options.reference_given = True
            continue
        if flag not in VALUE_FLAGS:
            raise Failure("unknown option '%s' (see --help)" % argument)
        if value is None:
            if i == len(arguments):
                raise Failure("--%s needs a value" % flag)
            value = arguments[i]
            i += 1
        if flag == "input":
            options.inputs.append(value)
        elif flag == "compare":
            options.compares.append(value)
        elif flag == "output-dir":
            options.output_dir = value
        elif flag == "entry":
            options.entry_given = True
        elif flag == "random-seed":
            if not value.isdigit() or not value.isascii() or \
                    int(value) > 0xffffffff:
                raise Failure("--random-seed '%s' is not an unsigned 32-bit "
                              "integer" % value)
            options.random_seed = int(value)
        else:
            try:
                number = float(value)
            except ValueError:
                raise Failure("--%s '%s' is not a number" % (flag, value)) \
                    from None
            if flag == "rtol":
                options.rtol = number
            else:
                options.atol = number
    if len(positional) != 1:
        raise Failure("no model directory given (see --help)"
                      if not positional else
                      "more than one model directory given: '%s'" %
                      positional[1])
    options.model_dir = positional[0]
    return options


def list_names(specs):
    return ", ".join("'%s'" % s.name for s in specs) or "none"


def assign_files(flags, specs, flag, kind):
    """The file per spec ("" for none) for `--flag [NAME=]FILE`s: NAME= picks
    the spec of that name, a plain FILE the next without one; a text whose
    part before '=' names no spec is a plain path when that file exists."""
    files = [""] * len(specs)
    for text in flags:
        index = None
        path = text
        if "=" in text:
            name = text.split("=", 1)[0]
            for i, spec in enumerate(specs):
                if spec.name == name:
                    index = i
            if index is not None:
                path = text.split("=", 1)[1]
            elif not os.path.exists(text):
                raise Failure("--%s %s: the model has no %s named '%s' (its "
                              "%ss: %s)" % (flag, text, kind, name, kind,
                                            list_names(specs)))
        if index is None:
            index = next((i for i, f in enumerate(files) if not f), None)
            if index is None:
                raise Failure("--%s %s: every %s already has a file (the "
                              "model has %d %ss: %s)" % (
                                  flag, text, kind, len(specs), kind,
                                  list_names(specs)))
        elif files[index]:
            raise Failure("%s '%s' is given twice (--%s %s and --%s %s)" % (
                kind, specs[index].name, flag, files[index], flag, text))
        files[index] = path
    return files


def sanitize_file_name(name):
    result = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_"
                     for c in name.encode("utf-8").decode("latin-1"))
    if not result or result[0] == ".":
        result = "_" + result
    return result


def output_file_names(specs):
    names, used = [], set()
    for spec in specs:
        base = sanitize_file_name(spec.name)
        name, i = base, 2
        while name.lower() in used:
            name = "%s_%d" % (base, i)
            i += 1
        used.add(name.lower())
        names.append(name + ".npy")
    return names


def read_npy(path):
    try:
        if os.path.isdir(path):
            raise OSError("not a regular file")
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise Failure("%s: cannot read: No such file or directory" % path) \
            from None
    except Exception as e:  # numpy raises many kinds on malformed files
        raise Failure("%s: cannot read: %s" % (path, e)) from None


def number(value):
    """%e, or nan / INF / -INF: loom-run's spelling."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "-INF" if value < 0 else "INF"
    return "%e" % value


def compare(label, actual, expected, ref_name, rtol, atol):
    """loom-run's report line for `actual` against `expected`, and whether
    every element is within |a - e| <= atol + rtol * |e| (a NaN matches only
    a NaN, equal values always match)."""
    if actual.shape != expected.shape:
        return ("%s: shape %s does not match reference %s shape %s: FAIL\n" % (
            label, describe(actual.shape, actual.dtype).split(" ")[0],
            ref_name, describe(expected.shape, expected.dtype).split(" ")[0]),
                False)
    a = actual.astype(np.float64).ravel()
    r = expected.astype(np.float64).ravel()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ref_nan = np.isnan(r)
        act_nan = np.isnan(a)
        err = np.abs(a - r)
        err[np.isinf(r) & (a == r)] = 0
        checked = ~ref_nan & ~act_nan
        bad = int(np.count_nonzero(ref_nan & ~act_nan)) + int(
            np.count_nonzero(~ref_nan & act_nan))
        nans = int(np.count_nonzero(~ref_nan & act_nan))
        bad += int(np.count_nonzero(checked & (err != 0) &
                                    ~(err <= atol + rtol * np.abs(r))))
        max_ref = float(np.max(np.abs(r[~ref_nan]))) if np.any(~ref_nan) \
            else 0.0
        errs = np.where(checked, err, 0.0)
        max_abs, worst = 0.0, -1
        if errs.size and float(np.max(errs)) > 0:
            worst = int(np.argmax(errs))
            max_abs = float(errs[worst])
        nonzero = checked & (r != 0)
        # std::max(maxRel, x) keeps maxRel when x is NaN (inf / inf): fmax.
        max_rel = float(np.fmax.reduce(err[nonzero] / np.abs(r[nonzero]),
                                       initial=0.0))
    line = "%s: %s vs %s: max_abs_err=%s max_rel_err=%s " \
           "max_abs_err/max_abs_ref=%s (rtol=%s, atol=%s)" % (
               label, describe(actual.shape, actual.dtype), ref_name,
               number(max_abs), number(max_rel),
               number(max_abs / max_ref if max_ref > 0 else max_abs),
               number(rtol), number(atol))
    if bad:
        line += ": FAIL, %d of %d elements out of tolerance" % (bad, a.size)
        if nans:
            line += " (%d NaN)" % nans
        if worst >= 0:
            line += ", worst at flat index %d: got %s, expected %s" % (
                worst, number(a[worst]), number(r[worst]))
        return line + "\n", False
    return line + ": ok\n", True


def run(options):
    if options.entry_given:
        raise Failure("--entry applies to .mlir files; a model directory has "
                      "one entry point (see its manifest.json)")
    if options.reference_given:
        raise Failure("--reference applies to .mlir files; a model directory "
                      "is compiled already (loomc --reference compiles the "
                      "reference lowering)")
    if not os.path.isdir(options.model_dir):
        raise Failure("%s: not a model directory (loom-run runs .mlir files)"
                      % options.model_dir)
    try:
        model = load(options.model_dir)
    except LoomError as e:
        raise Failure(str(e)) from None

    input_files = assign_files(options.inputs, model.inputs, "input", "input")
    args = [None] * len(model.inputs)
    missing = []
    for i, (spec, path) in enumerate(zip(model.inputs, input_files)):
        if not path:
            missing.append(spec.name)
            continue
        array = read_npy(path)
        if array.dtype != spec.dtype or tuple(array.shape) != spec.shape:
            raise Failure("input '%s' is %s but the model expects %s (from %s)"
                          % (spec.name, describe(array.shape, array.dtype),
                             spec.describe(), path))
        args[i] = array
    if missing:
        if options.random_seed is None:
            raise Failure("missing input%s %s (pass --input NAME=FILE.npy for "
                          "each, or --random-seed to fill float inputs)" % (
                              "s" if len(missing) > 1 else "",
                              ", ".join("'%s'" % n for n in missing)))
        random = RandomInputs(options.random_seed)
        for i, (spec, path) in enumerate(zip(model.inputs, input_files)):
            if path:
                continue
            if spec.dtype.kind != "f":
                raise Failure("input '%s' is %s, not a float tensor: it needs "
                              "--input" % (spec.name, spec.describe()))
            args[i] = random.generate(spec.dtype, spec.shape)
            sys.stdout.write("input '%s': %s random (uniform [-1, 1), "
                             "--random-seed %d)\n" % (
                                 spec.name, spec.describe(),
                                 options.random_seed))

    try:
        outputs = model.run(args)
    except ModelRuntimeError as e:
        raise Failure(str(e)) from None
    except (LoomError, ValueError, TypeError) as e:
        raise Failure(str(e)) from None

    if options.output_dir:
        directory = options.output_dir
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise Failure("cannot create %s: not a directory" % directory)
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as e:
            raise Failure("cannot create %s: %s" % (directory, e.strerror)) \
                from None
        for spec, name in zip(model.outputs, output_file_names(model.outputs)):
            path = directory + "/" + name
            try:
                with open(path, "wb") as f:
                    np.save(f, outputs[spec.name])
            except OSError as e:
                raise Failure("%s: cannot write: %s" % (path, e.strerror)) \
                    from None

    if len(options.compares) > len(model.outputs):
        raise Failure("%d references given but the model has %d outputs" % (
            len(options.compares), len(model.outputs)))
    reference_files = assign_files(options.compares, model.outputs, "compare",
                                   "output")
    ok = True
    for spec, path in zip(model.outputs, reference_files):
        if not path:
            continue
        reference = read_npy(path)
        line, matched = compare(spec.name, outputs[spec.name], reference,
                                os.path.basename(path), options.rtol,
                                options.atol)
        sys.stdout.write(line)
        ok = ok and matched
    if not options.compares:
        for spec in model.outputs:
            sys.stdout.write("%s: %s\n" % (
                spec.name, describe(outputs[spec.name].shape,
                                    outputs[spec.name].dtype)))
    return 0 if ok else 1


def main(arguments=None):
    try:
        options = parse_arguments(sys.argv[1:] if arguments is None
                                  else arguments)
        if options is None:
            return 0
        return run(options)
    except Failure as e:
        sys.stdout.flush()
        sys.stderr.write("error: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
