#!/usr/bin/env bash
# Installs what Loom needs to build and test, skipping whatever is already there.
# Idempotent: safe to run on every `make test`. Debian bookworm (+ bookworm-security for
# LLVM/MLIR 22) and PyPI are the only sources.
set -euo pipefail

APT_PACKAGES=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22
  ninja-build ccache cmake
  libonnx-dev libprotobuf-dev protobuf-compiler
  libgtest-dev clang-format-22
)
# setuptools and wheel build the `loom` Python package (python/) offline, as
# test/python/install.test does with pip --no-build-isolation. onnx-ir
# (onnxruntime's MatMulNBitsQuantizer needs it) and onnxconverter-common
# (float16 conversion) make the quantized and f16 model tests' inputs.
# hls4ml ships the vendor's open-source ap_int/ap_fixed/hls_stream headers
# (templates/vivado/ap_types) that HLS C simulation compiles against, and is
# the peer of the HLS target's side-by-side test (docs/HLS.md).
# Each entry is pip-name:import-name where the two differ.
PY_PACKAGES=(numpy onnx onnxruntime setuptools wheel onnx-ir:onnx_ir
  onnxconverter-common:onnxconverter_common hls4ml)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "loom deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "loom deps: apt packages present"
fi

PYTHON="${PYTHON:-python3}"
pymissing=()
for entry in "${PY_PACKAGES[@]}"; do
  p="${entry%%:*}"
  mod="${entry#*:}"
  "$PYTHON" -c "import $mod" 2>/dev/null || pymissing+=("$p")
done
if [ ${#pymissing[@]} -gt 0 ]; then
  echo "loom deps: pip installing ${pymissing[*]}"
  "$PYTHON" -m pip install -q "${pymissing[@]}"
else
  echo "loom deps: python packages present"
fi
