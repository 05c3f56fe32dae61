// Option errors: one line, nothing runs.
// RUN: not loom-opt %s --loom-kv-compress 2>&1 | FileCheck %s --check-prefix=NOPOLICY
// NOPOLICY: error: loom-kv-compress: 'policy' is required
// RUN: not loom-opt %s --loom-kv-compress="policy=lru budget=4" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: loom-kv-compress: unknown policy 'lru' (expected window-sinks, h2o, merge, snapkv, quantize or snapkv+quantize)
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks" 2>&1 | FileCheck %s --check-prefix=NOBUDGET
// NOBUDGET: error: loom-kv-compress: policy 'window-sinks' needs a 'budget' (a count or a fraction in (0, 1))
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks budget=1.5" 2>&1 | FileCheck %s --check-prefix=FRACTION
// FRACTION: error: loom-kv-compress: budget '1.5' is not a fraction in (0, 1)
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks budget=-3" 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: loom-kv-compress: budget '-3' is not a positive count
// RUN: not loom-opt %s --loom-kv-compress="policy=quantize budget=4" 2>&1 | FileCheck %s --check-prefix=QBUDGET
// QBUDGET: error: loom-kv-compress: policy 'quantize' takes no budget (its memory is set by 'bits')
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks+quantize budget=4" 2>&1 | FileCheck %s --check-prefix=COMBO
// COMBO: error: loom-kv-compress: window-sinks+quantize: window-sinks, h2o and merge compress at every step and cannot be combined with another policy (quantized caches cannot be evicted)
// RUN: not loom-opt %s --loom-kv-compress="policy=snapkv budget=4 kernel=4" 2>&1 | FileCheck %s --check-prefix=KERNEL
// KERNEL: error: loom-kv-compress: kernel must be a positive odd number, got 4
// RUN: not loom-opt %s --loom-kv-compress="policy=snapkv budget=4 interval=2" 2>&1 | FileCheck %s --check-prefix=INTERVAL
// INTERVAL: error: loom-kv-compress: interval applies to window-sinks, h2o and merge only
// RUN: not loom-opt %s --loom-kv-compress="policy=quantize bits=3" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: loom-kv-compress: bits must be 2, 4 or 8, got 3
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks budget=0" 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: loom-kv-compress: budget '0' is not a positive count
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks budget=0.01" 2>&1 | FileCheck %s --check-prefix=NOTHING
// NOTHING: error: loom-kv-compress: budget '0.01' keeps no entry of a cache of capacity 16
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks budget=16" 2>&1 | FileCheck %s --check-prefix=FULL
// FULL: error: loom-kv-compress: budget 16 is not below the cache capacity 16: nothing to compress
// RUN: not loom-opt %s --loom-kv-compress="policy=window-sinks budget=4 sinks=4" 2>&1 | FileCheck %s --check-prefix=SINKS
// SINKS: error: loom-kv-compress: budget 4 leaves no room after 4 sinks
// RUN: not loom-opt %s --loom-kv-compress="policy=snapkv budget=10 window=2" 2>&1 | FileCheck %s --check-prefix=SNAPROOM
// SNAPROOM: error: loom-kv-compress: a budget of 10 entries leaves 2 for the 8-token prompt once the 8 generated tokens are counted: not more than the observation window 2
// RUN: not loom-opt %s --loom-kv-compress="policy=quantize group=3" 2>&1 | FileCheck %s --check-prefix=GROUP
// GROUP: error: loom-kv-compress: group 3 does not divide the cache capacity 16
// RUN: not loom-opt %s --loom-kv-compress="policy=h2o budget=4 recent=-1" 2>&1 | FileCheck %s --check-prefix=RECENT
// RECENT: error: loom-kv-compress: recent must be >= 0
// RUN: not loom-opt %s --loom-kv-compress="policy=merge budget=4 threshold=1.5" 2>&1 | FileCheck %s --check-prefix=THRESHOLD
// THRESHOLD: error: loom-kv-compress: threshold is a cosine similarity in [-1, 1]
// RUN: not loom-opt %s --loom-kv-compress="policy=merge budget=4 sigma=0" 2>&1 | FileCheck %s --check-prefix=SIGMA
// SIGMA: error: loom-kv-compress: sigma must be positive
// RUN: not loom-opt %s --loom-kv-compress="policy=h2o budget=4 recent=4" 2>&1 | FileCheck %s --check-prefix=NOROOM
// NOROOM: error: loom-kv-compress: budget 4 leaves no room beside the 4 recent entries
// RUN: not loom-opt %s --loom-kv-compress="policy=merge+snapkv budget=4" 2>&1 | FileCheck %s --check-prefix=MERGECOMBO
// MERGECOMBO: error: loom-kv-compress: merge+snapkv: window-sinks, h2o and merge compress at every step and cannot be combined with another policy
// RUN: not loom-opt %s --loom-kv-compress="policy=quantize bits=4 group=4 budget=0.5" 2>&1 | FileCheck %s --check-prefix=QB
// QB: error: loom-kv-compress: policy 'quantize' takes no budget

!c = !loom.kv_cache<1x2x16x8xf32>

func.func @prefill(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>,
                   %v: tensor<1x2x8x8xf32>) -> (tensor<1x4x8x8xf32>, !c) {
  %c0 = loom.kv.init : !c
  %c1 = loom.kv.append %c0, %k, %v
      : !c, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>
  %o = loom.attention %q, %c1 {causal}
      : (tensor<1x4x8x8xf32>, !c) -> tensor<1x4x8x8xf32>
  return %o, %c1 : tensor<1x4x8x8xf32>, !c
}

// RUN: not loom-opt %S/Inputs/no-kv-cache.mlir --loom-kv-compress="policy=window-sinks budget=4" 2>&1 | FileCheck %s --check-prefix=NOCACHE
// NOCACHE: error: loom-kv-compress: no loom.attention reads a KV cache (run loom-insert-kv-cache first)
