// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=window-sinks budget=0.5 sinks=2" \
// RUN:   | FileCheck %s --check-prefix=WS
// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=window-sinks budget=6 sinks=2 interval=3" \
// RUN:   | FileCheck %s --check-prefix=INTERVAL
// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=h2o budget=8 recent=2" \
// RUN:   | FileCheck %s --check-prefix=H2O
// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=merge budget=8 recent=2 threshold=0.8 sigma=2.0 interval=2" \
// RUN:   | FileCheck %s --check-prefix=MERGE
// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=snapkv budget=12 window=2 kernel=3" \
// RUN:   | FileCheck %s --check-prefix=SNAP
// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=quantize bits=2 group=4 residual=4" \
// RUN:   | FileCheck %s --check-prefix=KIVI
// RUN: loom-opt %s --split-input-file \
// RUN:   --loom-kv-compress="policy=snapkv+quantize budget=12 window=2 group=4" \
// RUN:   | FileCheck %s --check-prefix=BOTH

// A prefill of 8 tokens and a decode step over caches of capacity 16, the
// form loom-insert-kv-cache produces.
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

func.func @decode_step(%q: tensor<1x4x1x8xf32>, %k: tensor<1x2x1x8xf32>,
                       %v: tensor<1x2x1x8xf32>, %c: !c)
    -> (tensor<1x4x1x8xf32>, !c) {
  %c1 = loom.kv.append %c, %k, %v
      : !c, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
  %o = loom.attention %q, %c1 {causal}
      : (tensor<1x4x1x8xf32>, !c) -> tensor<1x4x1x8xf32>
  return %o, %c1 : tensor<1x4x1x8xf32>, !c
}

// Budget 0.5 of 16 = 8 entries, plus one for the step's append.
// WS-LABEL: func.func @prefill
// WS-SAME: -> (tensor<1x4x8x8xf32>, !loom.kv_cache<1x2x9x8xf32>)
// WS-SAME: loom.kv_compression = "window-sinks budget=0.5"
// WS: %[[C1:.*]] = loom.kv.append
// WS: loom.attention %{{.*}}, %[[C1]] {causal}
// WS: %[[E:.*]] = loom.kv.evict window_sinks %[[C1]] {budget = 8 : i64, sinks = 2 : i64} : !loom.kv_cache<1x2x16x8xf32>
// WS: %[[R:.*]] = loom.kv.resize %[[E]] : !loom.kv_cache<1x2x16x8xf32> -> !loom.kv_cache<1x2x9x8xf32>
// WS: return %{{.*}}, %[[R]]
// WS-LABEL: func.func @decode_step
// WS-SAME: %{{.*}}: !loom.kv_cache<1x2x9x8xf32>) -> (tensor<1x4x1x8xf32>, !loom.kv_cache<1x2x9x8xf32>)
// WS: %[[D1:.*]] = loom.kv.append {{.*}} : !loom.kv_cache<1x2x9x8xf32>
// WS: loom.attention %{{.*}}, %[[D1]] {causal}
// WS: %[[DE:.*]] = loom.kv.evict window_sinks %[[D1]] {budget = 8 : i64, sinks = 2 : i64} : !loom.kv_cache<1x2x9x8xf32>
// WS: return %{{.*}}, %[[DE]]

// Evict every 3 steps: capacity K + 3, eviction when the cache is full.
// INTERVAL-LABEL: func.func @prefill
// INTERVAL-SAME: !loom.kv_cache<1x2x9x8xf32>
// INTERVAL-LABEL: func.func @decode_step
// INTERVAL: %[[L:.*]] = loom.kv.length
// INTERVAL: %[[N:.*]] = tensor.extract %[[L]]
// INTERVAL: %[[FULL:.*]] = arith.cmpi sge, %[[N]], %c9
// INTERVAL: scf.if %[[FULL]]
// INTERVAL: loom.kv.evict window_sinks {{.*}} {budget = 6 : i64, sinks = 2 : i64}

// SnapKV: 12 entries in all; the 8 generated tokens leave 4 for the prompt.
// SNAP-LABEL: func.func @prefill
// SNAP-SAME: !loom.kv_cache<1x2x12x8xf32>
// SNAP: %[[C1:.*]] = loom.kv.append
// SNAP: %[[Q:.*]] = tensor.extract_slice %arg0[0, 0, 6, 0] [1, 4, 2, 8] [1, 1, 1, 1]
// SNAP: %{{.*}}, %[[S:.*]] = loom.attention %[[Q]], %[[C1]] {causal} : (tensor<1x4x2x8xf32>, !loom.kv_cache<1x2x16x8xf32>) -> (tensor<1x4x2x8xf32>, tensor<1x2x16xf32>)
// SNAP: %[[E:.*]] = loom.kv.evict snapkv %[[C1]] scores(%[[S]] : tensor<1x2x16xf32>) {budget = 4 : i64, kernel = 3 : i64, window = 2 : i64}
// SNAP: loom.kv.resize %[[E]] : !loom.kv_cache<1x2x16x8xf32> -> !loom.kv_cache<1x2x12x8xf32>
// SNAP-LABEL: func.func @decode_step
// SNAP-NOT: loom.kv.evict
// SNAP: return

// KIVI quantization once after prefill; appends quantize completed groups.
// KIVI-LABEL: func.func @prefill
// KIVI: loom.kv.quantize %{{.*}} : !loom.kv_cache<1x2x16x8xf32> -> !loom.kv_cache<1x2x16x8xf32, quant = <bits = 2, group = 4, residual = 4>>
// KIVI-LABEL: func.func @decode_step
// KIVI-SAME: !loom.kv_cache<1x2x16x8xf32, quant = <bits = 2, group = 4, residual = 4>>
// KIVI-NOT: loom.kv.quantize

// BOTH-LABEL: func.func @prefill
// BOTH: loom.kv.evict snapkv
// BOTH: %[[R:.*]] = loom.kv.resize
// BOTH: loom.kv.quantize %[[R]] : !loom.kv_cache<1x2x12x8xf32> -> !loom.kv_cache<1x2x12x8xf32, quant = <bits = 4, group = 4, residual = 4>>
// BOTH-LABEL: func.func @decode_step
// BOTH-SAME: !loom.kv_cache<1x2x12x8xf32, quant = <bits = 4, group = 4, residual = 4>>

// With h2o the prefill's attention returns its key scores; eviction returns the
// scores of the kept entries, which travel with the cache as a state.
// H2O-LABEL: func.func @prefill
// H2O-SAME: -> (tensor<1x4x8x8xf32>, !loom.kv_cache<1x2x9x8xf32>, tensor<1x2x9xf32> {loom.kv_state = "scores"})
// H2O: %[[C1:.*]] = loom.kv.append
// H2O: %{{.*}}, %[[S:.*]] = loom.attention %{{.*}}, %[[C1]] {causal}
// H2O: %[[E:.*]], %[[K:.*]] = loom.kv.evict h2o %[[C1]] scores(%[[S]] : tensor<1x2x16xf32>) {budget = 8 : i64, recent = 2 : i64} : !loom.kv_cache<1x2x16x8xf32>, tensor<1x2x16xf32>
// H2O: %[[R:.*]] = loom.kv.resize %[[E]]
// H2O: %[[RS:.*]] = tensor.extract_slice %[[K]][0, 0, 0] [1, 2, 9] [1, 1, 1]
// H2O: return %{{.*}}, %[[R]], %[[RS]]
// H2O-LABEL: func.func @decode_step
// H2O-SAME: %{{.*}}: !loom.kv_cache<1x2x9x8xf32>, %[[ACC:.*]]: tensor<1x2x9xf32> {loom.kv_state = "scores"})
// H2O-SAME: -> (tensor<1x4x1x8xf32>, !loom.kv_cache<1x2x9x8xf32>, tensor<1x2x9xf32> {loom.kv_state = "scores"})
// H2O: %[[D1:.*]] = loom.kv.append
// H2O: %{{.*}}, %[[DS:.*]] = loom.attention %{{.*}}, %[[D1]] {causal}
// H2O: %[[SUM:.*]] = linalg.add ins(%[[ACC]], %[[DS]] : tensor<1x2x9xf32>, tensor<1x2x9xf32>)
// H2O: %[[DE:.*]], %[[DK:.*]] = loom.kv.evict h2o %[[D1]] scores(%[[SUM]] : tensor<1x2x9xf32>) {budget = 8 : i64, recent = 2 : i64}
// H2O: return %{{.*}}, %[[DE]], %[[DK]]

// Merging every 2 steps: capacity K + 2, the state flows through the scf.if.
// MERGE-LABEL: func.func @prefill
// MERGE: loom.kv.merge %{{.*}} scores(%{{.*}} : tensor<1x2x16xf32>) {budget = 8 : i64, recent = 2 : i64, sigma = 2.000000e+00 : f32, threshold = 8.000000e-01 : f32} : !loom.kv_cache<1x2x16x8xf32>, tensor<1x2x16xf32>
// MERGE-LABEL: func.func @decode_step
// MERGE-SAME: !loom.kv_cache<1x2x10x8xf32>, %{{.*}}: tensor<1x2x10xf32> {loom.kv_state = "scores"})
// MERGE: %[[IF:.*]]:2 = scf.if
// MERGE: loom.kv.merge
// MERGE: scf.yield
// MERGE: } else {
// MERGE: return %{{.*}}, %[[IF]]#0, %[[IF]]#1
