// IR the pass cannot compress: an error at the attention, the input unchanged.
// RUN: loom-opt %s --split-input-file --verify-diagnostics \
// RUN:   --loom-kv-compress="policy=window-sinks budget=4"

!c = !loom.kv_cache<1x2x16x8xf32>
func.func @not_appended(%q: tensor<1x2x1x8xf32>, %c: !c) -> tensor<1x2x1x8xf32> {
  // expected-error @+1 {{loom-kv-compress: the cache this attention reads is not the result of loom.kv.append (run loom-insert-kv-cache first)}}
  %o = loom.attention %q, %c {causal} : (tensor<1x2x1x8xf32>, !c) -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}

// -----

!c = !loom.kv_cache<1x2x16x8xf32>
func.func @not_causal(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x1x8xf32>, %c: !c) -> (tensor<1x2x1x8xf32>, !c) {
  %c1 = loom.kv.append %c, %k, %k : !c, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
  // expected-error @+1 {{loom-kv-compress: only causal attention over a cache is compressed}}
  %o = loom.attention %q, %c1 : (tensor<1x2x1x8xf32>, !c) -> tensor<1x2x1x8xf32>
  return %o, %c1 : tensor<1x2x1x8xf32>, !c
}

// -----

!c = !loom.kv_cache<1x2x16x8xf32>
func.func @other_use(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x1x8xf32>, %c: !c) -> (tensor<1x2x1x8xf32>, tensor<1x2x16x8xf32>) {
  %c1 = loom.kv.append %c, %k, %k : !c, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
  // expected-error @+1 {{loom-kv-compress: the appended cache has a use other than this attention, the return and element reads (loom.kv.keys)}}
  %o = loom.attention %q, %c1 {causal} : (tensor<1x2x1x8xf32>, !c) -> tensor<1x2x1x8xf32>
  %keys = loom.kv.keys %c1 : !c -> tensor<1x2x16x8xf32>
  return %o, %keys : tensor<1x2x1x8xf32>, tensor<1x2x16x8xf32>
}

// -----

!c = !loom.kv_cache<1x2x16x8xf32>
func.func @from_elsewhere(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x1x8xf32>, %c: !c) -> (tensor<1x2x1x8xf32>, !c) {
  %d = loom.kv.evict window_sinks %c {budget = 4, sinks = 1} : !c
  %c1 = loom.kv.append %d, %k, %k : !c, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
  // expected-error @+1 {{loom-kv-compress: the appended cache must come from loom.kv.init or a function argument}}
  %o = loom.attention %q, %c1 {causal} : (tensor<1x2x1x8xf32>, !c) -> tensor<1x2x1x8xf32>
  return %o, %c1 : tensor<1x2x1x8xf32>, !c
}
