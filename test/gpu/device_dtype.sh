#!/usr/bin/env bash
# The half-precision runs on the GPU machine, in one device call. Bundles
# built here (the ONNX files travel with the bf16 one, for the benchmark):
#   python3 test/gpu/collect.py --out bench/models/gpu-bf16 --skip-cases --dtype bf16 --onnx
#   python3 test/gpu/collect.py --out bench/models/gpu-f16 --skip-cases --dtype f16
#   for b in gpu-bf16 gpu-f16; do tar -C bench/models/$b -cf - . | xz -T2 -1 > bench/models/$b.tar.xz; done
# then, there: test/gpu/device_dtype.sh OUT
# It writes OUT/DTYPE (run_on_device.py: every shared model against its f32
# reference, within 2e-2 of the largest reference value) and OUT/bench
# (bench/gpu/run.py --dtype: Loom beside PyTorch eager and torch.compile under
# torch.autocast to the same dtype). Exit status 0 when every check passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: device_dtype.sh OUT}
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
for dtype in bf16 f16; do
  dir=/tmp/loom-$dtype
  mkdir -p "$dir" /tmp/loom-sm-$dtype
  tar -C "$dir" -xJf bench/models/gpu-$dtype.tar.xz || exit 1
  export PYTHONPATH="$PWD/python" LOOM_RUNTIME_LIBRARY=$dir/lib/libLoomRuntimeCore.so
  echo "== $dtype models"
  timeout 120 python3 test/gpu/run_on_device.py "$dir" "$out/$dtype" > "$out/$dtype.log" 2>&1 || status=1
  tail -12 "$out/$dtype.log"
done
for n in tiny_llama tiny_vit tiny_mixtral tiny_moe_block; do
  ln -sf /tmp/loom-bf16/models/$n/$n.onnx /tmp/loom-sm-bf16/$n.onnx
  ln -sf /tmp/loom-bf16/models/$n/input.npy /tmp/loom-sm-bf16/${n}_input.npy
  ln -sf /tmp/loom-bf16/models/$n/output.npy /tmp/loom-sm-bf16/${n}_output.npy
done
export LOOM_RUNTIME_LIBRARY=/tmp/loom-bf16/lib/libLoomRuntimeCore.so
echo "== bench/gpu/run.py --dtype bf16"
timeout 240 python3 bench/gpu/run.py --dtype bf16 --compiled /tmp/loom-bf16/models \
  --models /tmp/loom-sm-bf16 --reps 100 --warmup 10 --max-seconds 3 \
  --results-dir "$out/bench" > "$out/bench-bf16.log" 2>&1 || status=1
tail -20 "$out/bench-bf16.log"
exit $status
