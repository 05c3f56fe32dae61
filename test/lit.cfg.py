# -*- Python -*-
# lit configuration of Loom's FileCheck and execution tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "LOOM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs",
                   "lib", "__pycache__"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loom_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%shared", config.loom_shared_dir))
config.substitutions.append(("%loom_src", config.loom_src_root))
config.substitutions.append(("%loom_build", config.loom_obj_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.loom_tools_dir, config.llvm_tools_dir]
tools = ["loom-opt", "loom-translate", "loom-lsp-server", "loom-import-onnx",
         ToolSubst("loom-run", unresolved="ignore"),
         ToolSubst("loom-run-model", unresolved="ignore"),
         ToolSubst("loomc", unresolved="ignore")]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# A CUDA driver on this machine (what compiled CUDA models dlopen): the tests
# of what they do without one are unsupported there.
import ctypes
try:
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass

# The CUDA toolkit's cuda.h, to check the host runtime's declarations of the
# driver API against.
for cuda_root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"),
                  "/usr/local/cuda"):
    if cuda_root and os.path.isfile(os.path.join(cuda_root, "include", "cuda.h")):
        config.available_features.add("cuda-h")
        config.substitutions.append(("%cuda_include",
                                     os.path.join(cuda_root, "include")))
        break

# Python helpers shared by the tests (NumPy references, .npy tools), and the
# `loom` package from the source tree (python/), which loads the runtime
# library of this build.
config.environment["PYTHONPATH"] = os.pathsep.join(
    [os.path.join(config.loom_src_root, "test", "lib"),
     os.path.join(config.loom_src_root, "python")])
config.environment["LOOM_RUNTIME_LIBRARY"] = os.path.join(
    config.loom_obj_root, "lib", "libLoomRuntimeCore.so")

# Tests of torch tensors as inputs run where torch is installed.
import subprocess
if subprocess.run([config.python_executable, "-c", "import torch"],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("torch")

# The vendor's ap_int/ap_fixed/hls_stream headers (from hls4ml, which
# `make deps` installs) that the HLS C-simulation tests compile against. They
# are required, not optional: a missing directory fails the run instead of
# skipping the HLS tests.
if not config.loom_hls_ap_types_dir or not os.path.isfile(
        os.path.join(config.loom_hls_ap_types_dir, "ap_fixed.h")):
    lit_config.fatal("no ap_fixed.h: install hls4ml (make deps) and "
                     "reconfigure (LOOM_HLS_AP_TYPES_DIR)")
config.substitutions.append(("%ap_types", config.loom_hls_ap_types_dir))
config.environment["LOOM_HLS_AP_TYPES_DIR"] = config.loom_hls_ap_types_dir
