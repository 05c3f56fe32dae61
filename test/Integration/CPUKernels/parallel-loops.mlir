// Execution test of convert-parallel-loops-to-cpu-pool: an elementwise loop
// (bias + tanh over 300 x 257) and a row reduction (sum of squares per row)
// large enough to run on the thread pool, compiled with loomc, run with 1, 2
// and 3 threads: the same bits every time (each row is one chunk's, and its
// sum runs in one order), and within 1e-5 of NumPy. The structure check
// confirms both loops are outlined (not left serial).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loomc %s --threads=3 -o %t/out
// RUN: %python -c "import numpy as np; r = np.random.default_rng(1); x = r.standard_normal((300, 257)).astype(np.float32); b = r.standard_normal(257).astype(np.float32); np.save('%t/x.npy', x); np.save('%t/b.npy', b); y = np.tanh(x + b); np.save('%t/y.npy', y); np.save('%t/r.npy', (y.astype(np.float64) ** 2).sum(1).astype(np.float32))"
// RUN: env LOOM_NUM_THREADS=1 loom-run %t/out --input arg0=%t/x.npy --input arg1=%t/b.npy --compare result0=%t/y.npy --compare result1=%t/r.npy --rtol 1e-5 --atol 1e-5 --output-dir %t/one | FileCheck %s --check-prefix=REF
// RUN: env LOOM_NUM_THREADS=2 loom-run %t/out --input arg0=%t/x.npy --input arg1=%t/b.npy --compare result0=%t/one/result0.npy --compare result1=%t/one/result1.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=SAME
// RUN: env LOOM_NUM_THREADS=3 loom-run %t/out --input arg0=%t/x.npy --input arg1=%t/b.npy --compare result0=%t/one/result0.npy --compare result1=%t/one/result1.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=SAME
// REF: result0: 300x257 f32 vs y.npy: {{.*}}: ok
// REF: result1: 300 f32 vs r.npy: {{.*}}: ok
// SAME: result0: 300x257 f32 vs result0.npy: {{.*}}: ok
// SAME: result1: 300 f32 vs result1.npy: {{.*}}: ok
//
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-2: llvm.call @loom_parallel_for(
// CHECK-NOT:     llvm.call @loom_parallel_for(

func.func @f(%x: tensor<300x257xf32>, %b: tensor<257xf32>) -> (tensor<300x257xf32>, tensor<300xf32>) {
  %e = tensor.empty() : tensor<300x257xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<300x257xf32>, tensor<257xf32>) outs(%e : tensor<300x257xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<300x257xf32>
  %zero = arith.constant 0.0 : f32
  %r0 = tensor.empty() : tensor<300xf32>
  %r1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<300xf32>) -> tensor<300xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%y : tensor<300x257xf32>) outs(%r1 : tensor<300xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<300xf32>
  return %y, %r : tensor<300x257xf32>, tensor<300xf32>
}
