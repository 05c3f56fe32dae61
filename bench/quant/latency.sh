#!/usr/bin/env bash
# CPU latency of the quantized shared models beside the fp32 ones.
#   bench/quant/latency.sh compile DIR   (here: loomc, --mcpu=$MCPU, default
#                                         x86-64-v4, the benchmark Xeon's;
#                                         MCPU=native: this host's CPU)
#   bench/quant/latency.sh run DIR OUT   (on the benchmark machine: loom-bench,
#                                         no MLIR needed; 1 and all threads)
# Each model and configuration is timed with loom-bench on the shared input
# (the variants of one model one after another in one call, 1 thread then all
# cores); OUT/NAME-CONFIG-tT.json has every figure, OUT/summary.md the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:?usage: latency.sh compile DIR | run DIR OUT}
dir=${2:?directory}
models="tiny_llama tiny_vit"
declare -A flags=(
  [fp32]=""
  [int8]="--quantize=bits=8"
  [int4-g128]="--quantize=bits=4,granularity=group,group-size=128"
  [w8a8]="--quantize=mode=w8a8"
  [sa3]="--shiftadd=bits=3"
  [pow2]="--shiftadd=mode=power-of-two"
)
configs="fp32 int8 int4-g128 w8a8 sa3 pow2"
shared=${SHARED:-../shared}
if [ "$mode" = compile ]; then
  bin=${BUILD:-build}/bin
  mkdir -p "$dir"
  for m in $models; do
    cp "$shared/models/${m}_input.npy" "$dir/"
    for c in $configs; do
      # shellcheck disable=SC2086
      mcpu=${MCPU:-x86-64-v4}
      [ "$mcpu" = native ] && mcpu_flag="" || mcpu_flag="--mcpu=$mcpu"
      "$bin/loomc" "$shared/models/$m.onnx" -o "$dir/$m-$c" $mcpu_flag ${flags[$c]}
    done
  done
  exit 0
fi
out=${3:?usage: latency.sh run DIR OUT}
mkdir -p "$out"
bench=${LOOM_BENCH:-build/bin/loom-bench}
threads_all=$(nproc)
echo "| model | config | threads | loom ms (median) |" > "$out/summary.md"
echo "| --- | --- | --- | --- |" >> "$out/summary.md"
for m in $models; do
  for t in 1 "$threads_all"; do
    for c in $configs; do
      python3 "$bench" "$dir/$m-$c" --input "$dir/${m}_input.npy" --threads "$t" \
        --reps 50 --warmup 5 --max-seconds 4 --json "$out/$m-$c-t$t.json" > "$out/$m-$c-t$t.log" 2>&1 || true
      ms=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('%.4f' % r['loom']['median_ms'])" "$out/$m-$c-t$t.json" 2>/dev/null || echo "error")
      echo "| $m | $c | $t | $ms |" >> "$out/summary.md"
    done
  done
done
cat "$out/summary.md"
