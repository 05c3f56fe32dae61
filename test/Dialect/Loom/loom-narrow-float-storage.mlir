// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-narrow-float-storage{dtype=f16}))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-narrow-float-storage{dtype=bf16}))' | FileCheck %s --check-prefix=BF16
// RUN: not loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-narrow-float-storage{dtype=f64}))' 2>&1 | FileCheck %s --check-prefix=BAD

// Half-precision storage, f32 arithmetic. Numbers: test/Pipelines/GPU/dtype.test
// runs the shared models through loom-gpu-pipeline{dtype=f16|bf16} (kernels
// emulated on the host) against their saved outputs.

#id = affine_map<(d0, d1) -> (d0, d1)>
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A weight feeding a matmul (a reduction: its result and accumulator stay
// f32), whose result feeds an elementwise op (stored narrow) whose result
// feeds the function's result through another elementwise op (kept f32: the
// model's outputs stay f32).
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:      %[[X:.*]]: tensor<2x4xf32>) -> tensor<2x3xf32>
// CHECK:         %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<4x3xf16>
// CHECK:         %[[MM:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[W]] : tensor<2x4xf32>, tensor<4x3xf16>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:         ^bb0(%{{.*}}: f32, %[[WE:.*]]: f16, %{{.*}}: f32):
// CHECK-NEXT:      %[[WIDE:.*]] = arith.extf %[[WE]] : f16 to f32
// CHECK:           arith.mulf %{{.*}}, %[[WIDE]] : f32
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3xf16>
// CHECK:         %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[MM]] : tensor<2x3xf32>) outs(%[[E]] : tensor<2x3xf16>)
// CHECK:           %[[R:.*]] = arith.maximumf
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[R]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[RELU]] : tensor<2x3xf16>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         return %[[OUT]] : tensor<2x3xf32>
// BF16-LABEL: func.func @mlp(
// BF16:         arith.constant dense<{{.*}}> : tensor<4x3xbf16>
// BF16:         arith.truncf %{{.*}} : f32 to bf16
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 2.0], [1.5, 0.25, -0.5],
                             [-2.0, 1.0, 0.75], [0.125, 3.0, -1.25]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<2x3xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<2x3xf32>
  %m = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<2x3xf32>) outs(%e2 : tensor<2x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.maximumf %v, %zero : f32
    linalg.yield %y : f32
  } -> tensor<2x3xf32>
  %e3 = tensor.empty() : tensor<2x3xf32>
  %out = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<2x3xf32>) outs(%e3 : tensor<2x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.mulf %v, %v : f32
    linalg.yield %y : f32
  } -> tensor<2x3xf32>
  return %out : tensor<2x3xf32>
}

// -----

// A gather from a narrowed table (the body's tensor.extract is widened),
// through a reshape (which follows its source); a value used as another op's
// init stays f32.
// CHECK-LABEL: func.func @gather(
// CHECK:         %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<4x2xf16>
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[T]] {{.*}} : tensor<4x2xf16> into tensor<8xf16>
// CHECK:         linalg.generic
// CHECK:           %[[V:.*]] = tensor.extract %[[C]][%{{.*}}] : tensor<8xf16>
// CHECK-NEXT:      arith.extf %[[V]] : f16 to f32
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<3xf32>)
// CHECK:         return {{.*}} : tensor<3xf32>
func.func @gather(%i: tensor<3xindex>) -> tensor<3xf32> {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %c = tensor.collapse_shape %t [[0, 1]] : tensor<4x2xf32> into tensor<8xf32>
  %e = tensor.empty() : tensor<3xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%i : tensor<3xindex>) outs(%e : tensor<3xf32>) {
  ^bb0(%k: index, %o: f32):
    %v = tensor.extract %c[%k] : tensor<8xf32>
    linalg.yield %v : f32
  } -> tensor<3xf32>
  // %g is the init of an in-place update: it stays f32.
  %u = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      outs(%g : tensor<3xf32>) {
  ^bb0(%o: f32):
    %d = arith.addf %o, %o : f32
    linalg.yield %d : f32
  } -> tensor<3xf32>
  return %u : tensor<3xf32>
}

// BAD: error: loom-narrow-float-storage: dtype must be f16 or bf16, not 'f64'
