#!/usr/bin/env bash
# Everything Loom runs on the GPU machine, in one device call (a machine is
# given back 30 s after a call, so one call does it all). From the
# repository root there, with the bundles built here:
#   python3 test/gpu/collect.py --out bench/models/gpu-x --onnx
#   python3 test/gpu/collect.py --out bench/models/gpu-graph --skip-cases --cuda-graph
#   python3 examples/torch_interop.py compile bench/models/interop
#   for b in gpu-x gpu-graph; do tar -C bench/models/$b -cJf bench/models/$b.tar.xz .; done
#   tar -C bench/models -cJf bench/models/interop.tar.xz interop
# then, there: test/gpu/device_session.sh OUT
# It writes OUT/gpu (run_on_device.sh: every case and model against its
# reference), OUT/graph (the --cuda-graph models), OUT/interop.log and
# OUT/bench (bench/gpu/run.py: Loom, Loom with --cuda-graph, PyTorch eager
# and torch.compile). Exit status 0 when every check passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: device_session.sh OUT}
mkdir -p "$out" /tmp/loom-gx /tmp/loom-gg /tmp/loom-io /tmp/loom-sm
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
lscpu | grep -E "Model name|^CPU\(s\)"
python3 -c "import torch, sys; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'python', sys.version.split()[0])"
tar -C /tmp/loom-gx -xJf bench/models/gpu-x.tar.xz || exit 1
tar -C /tmp/loom-gg -xJf bench/models/gpu-graph.tar.xz || exit 1
tar -C /tmp/loom-io -xJf bench/models/interop.tar.xz || exit 1

timeout 300 test/gpu/run_on_device.sh /tmp/loom-gx "$out/gpu" > "$out/run_on_device.log" 2>&1 || status=1
grep -v "^ok " "$out/run_on_device.log" | tail -40

export PYTHONPATH="$PWD/python" LOOM_RUNTIME_LIBRARY=/tmp/loom-gg/lib/libLoomRuntimeCore.so
echo "== --cuda-graph models"
timeout 100 python3 test/gpu/run_on_device.py /tmp/loom-gg "$out/graph" > "$out/graph.log" 2>&1 || status=1
tail -12 "$out/graph.log"
echo "== examples/torch_interop.py"
timeout 60 python3 examples/torch_interop.py run /tmp/loom-io/interop 2>&1 | tee "$out/interop.log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

# bench/gpu/run.py reads NAME.onnx, NAME_input.npy, NAME_output.npy.
for n in tiny_llama tiny_vit tiny_mixtral tiny_moe_block; do
  ln -sf /tmp/loom-gx/models/$n/$n.onnx /tmp/loom-sm/$n.onnx
  ln -sf /tmp/loom-gx/models/$n/input.npy /tmp/loom-sm/${n}_input.npy
  ln -sf /tmp/loom-gx/models/$n/output.npy /tmp/loom-sm/${n}_output.npy
done
echo "== bench/gpu/run.py"
timeout 240 python3 bench/gpu/run.py --compiled /tmp/loom-gx/models --models /tmp/loom-sm \
  --reps 100 --warmup 10 --max-seconds 3 --results-dir "$out/bench" > "$out/bench.log" 2>&1 || status=1
tail -20 "$out/bench.log"
echo "== bench/gpu/run.py, --cuda-graph models"
timeout 90 python3 bench/gpu/run.py --compiled /tmp/loom-gg/models --models /tmp/loom-sm \
  --reps 100 --warmup 10 --max-seconds 3 --compile-modes "" --label cuda-graph \
  --results-dir "$out/bench" > "$out/bench-graph.log" 2>&1 || status=1
tail -12 "$out/bench-graph.log"
exit $status
