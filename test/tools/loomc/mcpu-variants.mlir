// The CPU kernels are compiled for the target given to loomc: the AVX-512
// register tiles (gemm-avx512, attention-avx512) for CPUs with AVX-512F, the
// narrower ones (*-generic) for the rest, down to baseline x86-64 (SSE2).
// Each build runs on this host and must give the host build's outputs
// (tolerance rtol 1e-5, atol 1e-4, outputs up to |10|: the attention kernel's
// dot products are split differently by different vector widths; largest
// difference seen 1.7e-5).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; r = np.random.default_rng(1); np.save('%t/a.npy', r.uniform(-1, 1, (96, 80)).astype(np.float32)); np.save('%t/b.npy', r.uniform(-1, 1, (80, 128)).astype(np.float32))"
// RUN: loomc %s -o %t/host
// RUN: loom-run %t/host --input arg0=%t/a.npy --input arg1=%t/b.npy --output-dir %t/host-out
// RUN: loomc %s --mcpu=x86-64-v3 -o %t/avx2
// RUN: loom-run %t/avx2 --input arg0=%t/a.npy --input arg1=%t/b.npy --compare result0=%t/host-out/result0.npy --rtol 1e-5 --atol 1e-4 | FileCheck %s
// RUN: loomc %s --mcpu=x86-64 -o %t/sse2
// RUN: loom-run %t/sse2 --input arg0=%t/a.npy --input arg1=%t/b.npy --compare result0=%t/host-out/result0.npy --rtol 1e-5 --atol 1e-4 | FileCheck %s
// CHECK: result0: 2x4x12x32 f32 vs result0.npy: {{.*}}: ok

func.func @variants(%a: tensor<96x80xf32>, %b: tensor<80x128xf32>) -> tensor<2x4x12x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<96x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<96x128xf32>) -> tensor<96x128xf32>
  %c = linalg.matmul ins(%a, %b : tensor<96x80xf32>, tensor<80x128xf32>) outs(%f : tensor<96x128xf32>) -> tensor<96x128xf32>
  %x = tensor.expand_shape %c [[0, 1, 2], [3]] output_shape [2, 4, 12, 128] : tensor<96x128xf32> into tensor<2x4x12x128xf32>
  %q = tensor.extract_slice %x[0, 0, 0, 0] [2, 4, 12, 32] [1, 1, 1, 1] : tensor<2x4x12x128xf32> to tensor<2x4x12x32xf32>
  %k = tensor.extract_slice %x[0, 0, 0, 32] [2, 4, 12, 32] [1, 1, 1, 1] : tensor<2x4x12x128xf32> to tensor<2x4x12x32xf32>
  %v = tensor.extract_slice %x[0, 0, 0, 64] [2, 4, 12, 32] [1, 1, 1, 1] : tensor<2x4x12x128xf32> to tensor<2x4x12x32xf32>
  %o = loom.attention %q, %k, %v {causal} : (tensor<2x4x12x32xf32>, tensor<2x4x12x32xf32>, tensor<2x4x12x32xf32>) -> tensor<2x4x12x32xf32>
  return %o : tensor<2x4x12x32xf32>
}
