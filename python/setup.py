"""Builds the `loom` package with its native part: the runtime library
(libLoomRuntimeCore.so, lib/Runtime/ of this repository), compiled from the
repository's sources at install time and loaded with ctypes.

    pip install ./python        # from the repository root

The library is plain C++17 over libc and libdl (no LLVM, no MLIR), so a C++
compiler is all the build needs. It is built as a shared library named
loom/libLoomRuntimeCore.so, not as a Python extension module: nothing imports
it, loom/_runtime.py loads it with ctypes.
"""
import os
import shutil

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# lib/Runtime/CMakeLists.txt's LOOM_RUNTIME_CORE_SOURCES.
CORE_SOURCES = ["CApi.cpp", "CompiledModel.cpp", "Json.cpp", "Manifest.cpp",
                "ModelRunner.cpp", "Npy.cpp", "RunnerSupport.cpp"]


class BuildRuntimeLibrary(build_ext):
    """build_ext for a plain shared library: a fixed file name and no
    PyInit_ export."""

    def get_ext_filename(self, fullname):
        return os.path.join(*fullname.split(".")) + ".so"

    def get_export_symbols(self, ext):
        return []


def stage_sources():
    """Copies the runtime sources into build/runtime-src/ here and returns
    the sources and include directories relative to this directory:
    setuptools refuses absolute source paths, and objects of paths that
    leave the project ("../lib") would land outside its build directory."""
    stage = os.path.join("build", "runtime-src")
    source_dir = os.path.join(ROOT, "lib", "Runtime")
    header_dir = os.path.join(ROOT, "include", "loom", "Runtime")
    if not os.path.isdir(source_dir) or not os.path.isdir(header_dir):
        raise SystemExit("the loom package builds the runtime library from "
                         "the repository's lib/Runtime and include/: install "
                         "it from a checkout (pip install ./python)")
    staged_headers = os.path.join(HERE, stage, "include", "loom", "Runtime")
    os.makedirs(staged_headers, exist_ok=True)
    for name in os.listdir(header_dir):
        if name.endswith(".h"):
            shutil.copyfile(os.path.join(header_dir, name),
                            os.path.join(staged_headers, name))
    for name in CORE_SOURCES:
        shutil.copyfile(os.path.join(source_dir, name),
                        os.path.join(HERE, stage, name))
    return ([os.path.join(stage, name) for name in CORE_SOURCES],
            [os.path.join(stage, "include")])


SOURCES, INCLUDE_DIRS = stage_sources()
setup(
    ext_modules=[Extension(
        "loom.libLoomRuntimeCore",
        sources=SOURCES,
        include_dirs=INCLUDE_DIRS,
        language="c++",
        extra_compile_args=["-std=c++17", "-O2", "-g0"],
        libraries=["dl"],
    )],
    cmdclass={"build_ext": BuildRuntimeLibrary},
)
