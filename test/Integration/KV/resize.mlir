// loom.kv.resize executed: 6 entries evicted to 3 (window-sinks, 1 sink), moved
// into a cache of capacity 4 and appended to once more; then the same cache
// grown to capacity 12. Keys and positions are checked exactly; shrinking
// below the length is a run-time error.
//
// RUN: loom-run %s --entry=main --output-dir %t | FileCheck %s
// RUN: %python -c "import numpy as np, sys; \
// RUN:   k = np.load('%t/result0.npy'); p = np.load('%t/result1.npy'); \
// RUN:   g = np.load('%t/result2.npy'); gp = np.load('%t/result3.npy'); \
// RUN:   assert k.shape == (1, 1, 4, 1) and g.shape == (1, 1, 12, 1), (k.shape, g.shape); \
// RUN:   assert k[0, 0, :, 0].tolist() == [0, 4, 5, 6], k.ravel(); \
// RUN:   assert p[0, 0].tolist() == [0, 4, 5, 6], p.ravel(); \
// RUN:   assert g[0, 0, :, 0].tolist() == [0, 4, 5, 6] + [0] * 8, g.ravel(); \
// RUN:   assert gp[0, 0].tolist() == [0, 4, 5, 6] + [-1] * 8, gp.ravel(); \
// RUN:   print('resize ok')" | FileCheck %s --check-prefix=VALUES
// RUN: not loom-run %s --entry=too_small 2>&1 | FileCheck %s --check-prefix=ERROR
// CHECK: result0: 1x1x4x1 f32
// VALUES: resize ok
// ERROR: error: runtime error: loom.kv.resize: the new capacity is below the cache's length (the result is an empty cache)

!big = !loom.kv_cache<1x1x8x1xf32>
!small = !loom.kv_cache<1x1x4x1xf32>
!grown = !loom.kv_cache<1x1x12x1xf32>

func.func @main() -> (tensor<1x1x4x1xf32>, tensor<1x1x4xi64>,
                      tensor<1x1x12x1xf32>, tensor<1x1x12xi64>) {
  %k = arith.constant dense<[[[[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]]]> : tensor<1x1x6x1xf32>
  %k1 = arith.constant dense<[[[[6.0]]]]> : tensor<1x1x1x1xf32>
  %c0 = loom.kv.init : !big
  %c1 = loom.kv.append %c0, %k, %k : !big, tensor<1x1x6x1xf32>, tensor<1x1x6x1xf32>
  %c2 = loom.kv.evict window_sinks %c1 {budget = 3, sinks = 1} : !big
  %c3 = loom.kv.resize %c2 : !big -> !small
  %c4 = loom.kv.append %c3, %k1, %k1 : !small, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>
  %keys = loom.kv.keys %c4 : !small -> tensor<1x1x4x1xf32>
  %pos = loom.kv.positions %c4 : !small -> tensor<1x1x4xi64>
  %g = loom.kv.resize %c4 : !small -> !grown
  %gk = loom.kv.keys %g : !grown -> tensor<1x1x12x1xf32>
  %gp = loom.kv.positions %g : !grown -> tensor<1x1x12xi64>
  return %keys, %pos, %gk, %gp : tensor<1x1x4x1xf32>, tensor<1x1x4xi64>,
      tensor<1x1x12x1xf32>, tensor<1x1x12xi64>
}

func.func @too_small() -> tensor<1xi64> {
  %k = arith.constant dense<1.0> : tensor<1x1x6x1xf32>
  %c0 = loom.kv.init : !big
  %c1 = loom.kv.append %c0, %k, %k : !big, tensor<1x1x6x1xf32>, tensor<1x1x6x1xf32>
  %c2 = loom.kv.resize %c1 : !big -> !small
  %n = loom.kv.length %c2 : !small -> tensor<1xi64>
  return %n : tensor<1xi64>
}
