#!/usr/bin/env bash
# Runs Loom's GPU checks on a machine with an NVIDIA GPU and no LLVM/MLIR.
#
# Here (the build machine):
#   python3 test/gpu/collect.py --out bench/models/gpu-x --onnx
# then copy the repository with bench/models/gpu-x to the GPU machine and run
#   test/gpu/run_on_device.sh bench/models/gpu-x RESULTS_DIR
# (or pack it, tar -C bench/models/gpu-x -cJf bench/models/gpu-x.tar.xz .,
# and pass the .tar.xz)
#
# It runs every test/Integration case and every shared model of the bundle
# on the GPU against its reference (test/gpu/run_on_device.py: the Python
# package, host and torch-CUDA entries), then the command-line runners on
# the tiny Llama: `python -m loom.run` and `loom-run-model` (the MLIR-free
# runner, carried in the bundle) with its input and --compare against the
# saved output, and the no-GPU path (LOOM_CUDA_DEVICE past the last GPU).
# Exit status: 0 when everything passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
bundle=${1:?usage: run_on_device.sh BUNDLE RESULTS_DIR}
results=${2:?usage: run_on_device.sh BUNDLE RESULTS_DIR}
mkdir -p "$results"
# A bundle may travel as one .tar.xz (tar -C BUNDLE -cJf B.tar.xz .): the
# model libraries' PTX compresses about 7x.
if [ -f "$bundle" ]; then
  unpacked=$(mktemp -d)
  tar -C "$unpacked" -xJf "$bundle" || exit 1
  bundle=$unpacked
fi
case "$bundle" in /*) ;; *) bundle="$PWD/$bundle" ;; esac
export PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
export LOOM_RUNTIME_LIBRARY="$bundle/lib/libLoomRuntimeCore.so"
export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
status=0

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 test/gpu/run_on_device.py "$bundle" "$results" || status=1

llama="$bundle/models/tiny_llama"
echo "== python -m loom.run on the tiny Llama (cuda)"
python3 -m loom.run "$llama/model" --input "$llama/input.npy" \
  --compare "$llama/output.npy" --rtol 1e-4 --atol 1e-4 || status=1
echo "== loom-run-model on the tiny Llama (cuda)"
"$bundle/bin/loom-run-model" "$llama/model" --input "$llama/input.npy" \
  --compare "$llama/output.npy" --rtol 1e-4 --atol 1e-4 || status=1
echo "== a device that does not exist (LOOM_CUDA_DEVICE=99): one error, exit 1"
LOOM_CUDA_DEVICE=99 python3 -m loom.run "$llama/model" \
  --input "$llama/input.npy"
code=$?
echo "exit status $code"
[ "$code" = 1 ] || status=1
exit $status
