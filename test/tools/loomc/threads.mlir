// The thread pool of compiled models: `loomc --threads`, LOOM_NUM_THREADS,
// concurrent calls from application threads, and unloading the library while
// its workers exist (Inputs/call_concurrent.c). The model multiplies two
// matrices (the GEMM kernel splits the output over threads) and runs causal
// attention on the product (the attention kernel splits query blocks).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loomc %s --name par --threads=3 -o %t/out
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); np.save('%t/a.npy', r.uniform(-1, 1, (256, 192)).astype(np.float32)); np.save('%t/b.npy', r.uniform(-1, 1, (192, 256)).astype(np.float32))"
//
// One thread and four give the same bits (every element sums in one order).
// RUN: env LOOM_NUM_THREADS=1 loom-run %t/out --input arg0=%t/a.npy --input arg1=%t/b.npy --output-dir %t/one
// RUN: env LOOM_NUM_THREADS=4 loom-run %t/out --input arg0=%t/a.npy --input arg1=%t/b.npy --compare result0=%t/one/result0.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=SAME
// SAME: result0: 2x4x64x64 f32 vs result0.npy: {{.*}}: ok
// A malformed LOOM_NUM_THREADS falls back to the compiled count.
// RUN: env LOOM_NUM_THREADS=lots loom-run %t/out --input arg0=%t/a.npy --input arg1=%t/b.npy --compare result0=%t/one/result0.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=SAME
//
// RUN: clang -std=c99 -Wall -Wextra -Werror -pthread -I%t/out %S/Inputs/call_concurrent.c \
// RUN:   %t/out/par.so -ldl -Wl,-rpath,%t/out -o %t/call_concurrent
// RUN: env LOOM_NUM_THREADS=2 %t/call_concurrent %t/out/par.so | FileCheck %s
// CHECK:      4 threads x 40 calls: 0 mismatches
// CHECK-NEXT: dlopen/run/dlclose: 3 of 3 ok
//
// RUN: not loomc %s --threads=-2 -o %t/bad 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: error: --threads=-2 is negative (expected 0 for every core, or a count)
// RUN: not test -e %t/bad

func.func @par(%a: tensor<256x192xf32>, %b: tensor<192x256xf32>) -> tensor<2x4x64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %c = linalg.matmul ins(%a, %b : tensor<256x192xf32>, tensor<192x256xf32>) outs(%f : tensor<256x256xf32>) -> tensor<256x256xf32>
  %x = tensor.expand_shape %c [[0, 1, 2], [3]] output_shape [2, 4, 32, 256] : tensor<256x256xf32> into tensor<2x4x32x256xf32>
  %q = tensor.extract_slice %x[0, 0, 0, 0] [2, 4, 32, 64] [1, 1, 1, 1] : tensor<2x4x32x256xf32> to tensor<2x4x32x64xf32>
  %k = tensor.extract_slice %x[0, 0, 0, 64] [2, 4, 32, 64] [1, 1, 1, 1] : tensor<2x4x32x256xf32> to tensor<2x4x32x64xf32>
  %v = tensor.extract_slice %x[0, 0, 0, 128] [2, 4, 32, 64] [1, 1, 1, 1] : tensor<2x4x32x256xf32> to tensor<2x4x32x64xf32>
  %o = loom.attention %q, %k, %v {causal} : (tensor<2x4x32x64xf32>, tensor<2x4x32x64xf32>, tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32>
  %o2 = tensor.concat dim(2) %o, %o : (tensor<2x4x32x64xf32>, tensor<2x4x32x64xf32>) -> tensor<2x4x64x64xf32>
  return %o2 : tensor<2x4x64x64xf32>
}
