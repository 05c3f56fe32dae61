// Execution test of the integer GEMM kernel (loom_kernel_igemm_s8s32, what
// W8A8 layers' i8 x i8 -> i32 matmuls become): lit.local.cfg runs each
// function on the fast path and with --reference on the same random inputs
// and compares them; integer sums are exact, so the results must be equal
// (atol 0). The inputs are f32 in [-1, 1) scaled to int8 codes in the test.

// RUN: loom-run %s --entry edges --random-seed 1 --rtol 0 --atol 0
// RUN: loom-run %s --entry transposed --random-seed 2 --rtol 0 --atol 0

// Both contractions are kernel calls on the fast path.
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-2: llvm.call @loom_kernel_igemm_s8s32(

#id2 = affine_map<(i, j) -> (i, j)>
#a = affine_map<(m, n, k) -> (m, k)>
#b_t = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>


// Codes in [-127, 127]: the f32 inputs in [-1, 1) times 127, truncated.

// 37 x 70 x 300, the named op (contiguous B).
func.func @edges(%a: tensor<37x300xf32>, %b: tensor<300x70xf32>) -> tensor<37x70xi32> {
  %e_a = tensor.empty() : tensor<37x300xi8>
  %qa = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<37x300xf32>) outs(%e_a : tensor<37x300xi8>) {
  ^bb0(%v: f32, %o: i8):
    %s = arith.constant 127.0 : f32
    %m = arith.mulf %v, %s : f32
    %i = arith.fptosi %m : f32 to i8
    linalg.yield %i : i8
  } -> tensor<37x300xi8>
  %e_b = tensor.empty() : tensor<300x70xi8>
  %qb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<300x70xf32>) outs(%e_b : tensor<300x70xi8>) {
  ^bb0(%v: f32, %o: i8):
    %s = arith.constant 127.0 : f32
    %m = arith.mulf %v, %s : f32
    %i = arith.fptosi %m : f32 to i8
    linalg.yield %i : i8
  } -> tensor<300x70xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<37x70xi32>
  %f = linalg.fill ins(%zero : i32) outs(%e : tensor<37x70xi32>) -> tensor<37x70xi32>
  %r = linalg.matmul ins(%qa, %qb : tensor<37x300xi8>, tensor<300x70xi8>) outs(%f : tensor<37x70xi32>) -> tensor<37x70xi32>
  return %r : tensor<37x70xi32>
}

// B transposed (a strided row of B per k).
func.func @transposed(%a: tensor<37x300xf32>, %b: tensor<70x300xf32>) -> tensor<37x70xi32> {
  %e_a = tensor.empty() : tensor<37x300xi8>
  %qa = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<37x300xf32>) outs(%e_a : tensor<37x300xi8>) {
  ^bb0(%v: f32, %o: i8):
    %s = arith.constant 127.0 : f32
    %m = arith.mulf %v, %s : f32
    %i = arith.fptosi %m : f32 to i8
    linalg.yield %i : i8
  } -> tensor<37x300xi8>
  %e_b = tensor.empty() : tensor<70x300xi8>
  %qb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<70x300xf32>) outs(%e_b : tensor<70x300xi8>) {
  ^bb0(%v: f32, %o: i8):
    %s = arith.constant 127.0 : f32
    %m = arith.mulf %v, %s : f32
    %i = arith.fptosi %m : f32 to i8
    linalg.yield %i : i8
  } -> tensor<70x300xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<37x70xi32>
  %f = linalg.fill ins(%zero : i32) outs(%e : tensor<37x70xi32>) -> tensor<37x70xi32>
  %r = linalg.generic {indexing_maps = [#a, #b_t, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%qa, %qb : tensor<37x300xi8>, tensor<70x300xi8>) outs(%f : tensor<37x70xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<37x70xi32>
  return %r : tensor<37x70xi32>
}
