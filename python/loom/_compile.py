"""loom.compile: runs the loomc compiler. It is the only part of the package
that needs the compiler (and with it LLVM and MLIR); loading and running a
compiled model does not."""
import os
import shutil
import subprocess

from ._runtime import LIBRARY_NAME, LoomError


def _find_loomc(loomc):
    if loomc:
        return os.fspath(loomc)
    env = os.environ.get("LOOMC")
    if env:
        return env
    found = shutil.which("loomc")
    if found:
        return found
    # Next to the runtime library of a build tree (build/lib -> build/bin).
    library = os.environ.get("LOOM_RUNTIME_LIBRARY")
    here = os.path.dirname(os.path.abspath(__file__))
    for lib_dir in ([os.path.dirname(library)] if library else []) + [
            os.path.join(os.path.dirname(os.path.dirname(here)), "build",
                         "lib")]:
        candidate = os.path.join(lib_dir, os.pardir, "bin", "loomc")
        if os.path.isfile(os.path.join(lib_dir, LIBRARY_NAME)) and \
                os.access(candidate, os.X_OK):
            return os.path.normpath(candidate)
    raise LoomError("cannot find loomc: pass loomc=PATH, set LOOMC, or put "
                    "it on PATH")


def compile_args(model, output_dir, options):
    """loomc's command line for `loom.compile(model, output_dir, **options)`:
    a keyword becomes a flag with '_' spelled '-' (threads=4 -> --threads=4,
    reference=True -> --reference, False and None are left out), opt_level=N
    becomes -ON. A list or tuple repeats the flag (shape=["batch=1",
    "sequence=64"] -> --shape=batch=1 --shape=sequence=64), a dict gives one
    flag per item, a list or tuple value joined by 'x' (shape={"batch": 1,
    "x": (1, 64)} -> --shape=batch=1 --shape=x=1x64)."""
    args = [os.fspath(model), "-o", os.fspath(output_dir)]
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if key == "opt_level":
            args.append("-O%d" % value)
        elif value is True:
            args.append(flag)
        elif isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, (list, tuple)):
                    item = "x".join(str(size) for size in item)
                args.append("%s=%s=%s" % (flag, name, item))
        elif isinstance(value, (list, tuple)):
            args.extend("%s=%s" % (flag, item) for item in value)
        else:
            args.append("%s=%s" % (flag, value))
    return args


def compile(model, output_dir, *, loomc=None, **options):
    """Compiles `model` (an .onnx or .mlir file) with loomc into the model
    directory `output_dir` and returns its path, for loom.load. Keyword
    options are loomc's flags (name="m", threads=4, mcpu="x86-64-v3",
    reference=True, opt_level=2, static=True, ...; see compile_args).
    shape= gives the symbolic dimensions of an ONNX model sizes (loomc
    --shape, docs/ONNX.md): shape="batch=1,sequence=64", a list of
    specifications, or a dict {"batch": 1, "input_ids": (1, 64)}. loomc is `loomc`, else
    $LOOMC, else the loomc on PATH, else the one of the build tree the
    runtime library comes from. A failure raises LoomError with loomc's
    error message."""
    command = [_find_loomc(loomc)] + compile_args(model, output_dir, options)
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise LoomError("cannot run %s: %s" % (command[0], e)) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        errors = [line[len("error: "):] for line in lines
                  if line.startswith("error: ")]
        raise LoomError("loomc failed: " + (
            "; ".join(errors) or "\n".join(lines[-20:]) or
            "exit status %d" % done.returncode))
    return os.fspath(output_dir)
