// loom-merge-tokens executed on a hand-written 2-block encoder (no norms: q/k/v
// projections, 2-head attention, output projection, residual, ReLU MLP, residual;
// S = 9 tokens, D = 8), r = 2 in both blocks (9 -> 7 -> 5 tokens), against the NumPy
// ToMe reference Inputs/tome_encoder.py (f64; merges through token_reference.merge,
// which asserts every choice is decided by a margin > 1e-4). Results: the full
// output restored through both merges, and row 0 (the class token, never merged).
// Tolerance: rtol 1e-4, atol 1e-5 (f32 vs f64 through two blocks; measured
// max_abs_err 3.3e-6).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/tome_encoder.py %t/prop 2 1
// RUN: %python %S/Inputs/tome_encoder.py %t/plain 2 0
// RUN: loom-opt %s --loom-merge-tokens=r=2 -o %t/merged.mlir
// RUN: loom-run %t/merged.mlir --entry encoder --input %t/prop/in_0.npy \
// RUN:   --input %t/prop/in_1.npy --input %t/prop/in_2.npy --input %t/prop/in_3.npy \
// RUN:   --input %t/prop/in_4.npy --input %t/prop/in_5.npy --input %t/prop/in_6.npy \
// RUN:   --compare %t/prop/ref_0.npy --compare %t/prop/ref_1.npy --rtol 1e-4 \
// RUN:   --atol 1e-5 | FileCheck %s
// Without proportional attention: the plain-softmax reference.
// RUN: loom-opt %s --loom-merge-tokens="r=2 proportional=false" -o %t/plain.mlir
// RUN: loom-run %t/plain.mlir --entry encoder --input %t/plain/in_0.npy \
// RUN:   --input %t/plain/in_1.npy --input %t/plain/in_2.npy --input %t/plain/in_3.npy \
// RUN:   --input %t/plain/in_4.npy --input %t/plain/in_5.npy --input %t/plain/in_6.npy \
// RUN:   --compare %t/plain/ref_0.npy --compare %t/plain/ref_1.npy --rtol 1e-4 \
// RUN:   --atol 1e-5 | FileCheck %s
// The masks matter: the plain run does not match the proportional reference, and
// neither does the unmerged encoder.
// RUN: not loom-run %t/plain.mlir --entry encoder --input %t/prop/in_0.npy \
// RUN:   --input %t/prop/in_1.npy --input %t/prop/in_2.npy --input %t/prop/in_3.npy \
// RUN:   --input %t/prop/in_4.npy --input %t/prop/in_5.npy --input %t/prop/in_6.npy \
// RUN:   --compare %t/prop/ref_0.npy --rtol 1e-4 --atol 1e-5
// RUN: not loom-run %s --entry encoder --input %t/prop/in_0.npy \
// RUN:   --input %t/prop/in_1.npy --input %t/prop/in_2.npy --input %t/prop/in_3.npy \
// RUN:   --input %t/prop/in_4.npy --input %t/prop/in_5.npy --input %t/prop/in_6.npy \
// RUN:   --compare %t/prop/ref_0.npy --rtol 1e-4 --atol 1e-5
// CHECK: result0: {{.*}}: ok
// CHECK: result1: {{.*}}: ok

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>

func.func @encoder(%x: tensor<1x9x8xf32>, %wq: tensor<8x8xf32>, %wk: tensor<8x8xf32>,
                    %wv: tensor<8x8xf32>, %wo: tensor<8x8xf32>,
                    %w1: tensor<8x16xf32>, %w2: tensor<16x8xf32>)
    -> (tensor<1x9x8xf32>, tensor<1x1x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e9x8 = tensor.empty() : tensor<9x8xf32>
  %z9x8 = linalg.fill ins(%zero : f32) outs(%e9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %ef = tensor.empty() : tensor<9x16xf32>
  %z9x16 = linalg.fill ins(%zero : f32) outs(%ef : tensor<9x16xf32>) -> tensor<9x16xf32>
  %eh = tensor.empty() : tensor<1x2x9x4xf32>
  %es = tensor.empty() : tensor<1x9x2x4xf32>
  %e3 = tensor.empty() : tensor<1x9x8xf32>
  %x2_0 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x9x8xf32> into tensor<9x8xf32>
  %qm_0 = linalg.matmul ins(%x2_0, %wq : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %qe_0 = tensor.expand_shape %qm_0 [[0, 1], [2, 3]] output_shape [1, 9, 2, 4] : tensor<9x8xf32> into tensor<1x9x2x4xf32>
  %qt_0 = linalg.transpose ins(%qe_0 : tensor<1x9x2x4xf32>) outs(%eh : tensor<1x2x9x4xf32>) permutation = [0, 2, 1, 3]
  %km_0 = linalg.matmul ins(%x2_0, %wk : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %ke_0 = tensor.expand_shape %km_0 [[0, 1], [2, 3]] output_shape [1, 9, 2, 4] : tensor<9x8xf32> into tensor<1x9x2x4xf32>
  %kt_0 = linalg.transpose ins(%ke_0 : tensor<1x9x2x4xf32>) outs(%eh : tensor<1x2x9x4xf32>) permutation = [0, 2, 1, 3]
  %vm_0 = linalg.matmul ins(%x2_0, %wv : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %ve_0 = tensor.expand_shape %vm_0 [[0, 1], [2, 3]] output_shape [1, 9, 2, 4] : tensor<9x8xf32> into tensor<1x9x2x4xf32>
  %vt_0 = linalg.transpose ins(%ve_0 : tensor<1x9x2x4xf32>) outs(%eh : tensor<1x2x9x4xf32>) permutation = [0, 2, 1, 3]
  %o_0 = loom.attention %qt_0, %kt_0, %vt_0 : (tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>) -> tensor<1x2x9x4xf32>
  %ot_0 = linalg.transpose ins(%o_0 : tensor<1x2x9x4xf32>) outs(%es : tensor<1x9x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc_0 = tensor.collapse_shape %ot_0 [[0, 1], [2, 3]] : tensor<1x9x2x4xf32> into tensor<9x8xf32>
  %pm_0 = linalg.matmul ins(%oc_0, %wo : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %pe_0 = tensor.expand_shape %pm_0 [[0, 1], [2]] output_shape [1, 9, 8] : tensor<9x8xf32> into tensor<1x9x8xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %pe_0 : tensor<1x9x8xf32>, tensor<1x9x8xf32>) outs(%e3 : tensor<1x9x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x9x8xf32>
  %h2_0 = tensor.collapse_shape %h_0 [[0, 1], [2]] : tensor<1x9x8xf32> into tensor<9x8xf32>
  %u_0 = linalg.matmul ins(%h2_0, %w1 : tensor<9x8xf32>, tensor<8x16xf32>) outs(%z9x16 : tensor<9x16xf32>) -> tensor<9x16xf32>
  %g_0 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%u_0 : tensor<9x16xf32>) outs(%ef : tensor<9x16xf32>) {
  ^bb0(%a: f32, %c: f32):
    %s = arith.maximumf %a, %zero : f32
    linalg.yield %s : f32
  } -> tensor<9x16xf32>
  %dm_0 = linalg.matmul ins(%g_0, %w2 : tensor<9x16xf32>, tensor<16x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %de_0 = tensor.expand_shape %dm_0 [[0, 1], [2]] output_shape [1, 9, 8] : tensor<9x8xf32> into tensor<1x9x8xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0, %de_0 : tensor<1x9x8xf32>, tensor<1x9x8xf32>) outs(%e3 : tensor<1x9x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x9x8xf32>
  %x2_1 = tensor.collapse_shape %y_0 [[0, 1], [2]] : tensor<1x9x8xf32> into tensor<9x8xf32>
  %qm_1 = linalg.matmul ins(%x2_1, %wq : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %qe_1 = tensor.expand_shape %qm_1 [[0, 1], [2, 3]] output_shape [1, 9, 2, 4] : tensor<9x8xf32> into tensor<1x9x2x4xf32>
  %qt_1 = linalg.transpose ins(%qe_1 : tensor<1x9x2x4xf32>) outs(%eh : tensor<1x2x9x4xf32>) permutation = [0, 2, 1, 3]
  %km_1 = linalg.matmul ins(%x2_1, %wk : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %ke_1 = tensor.expand_shape %km_1 [[0, 1], [2, 3]] output_shape [1, 9, 2, 4] : tensor<9x8xf32> into tensor<1x9x2x4xf32>
  %kt_1 = linalg.transpose ins(%ke_1 : tensor<1x9x2x4xf32>) outs(%eh : tensor<1x2x9x4xf32>) permutation = [0, 2, 1, 3]
  %vm_1 = linalg.matmul ins(%x2_1, %wv : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %ve_1 = tensor.expand_shape %vm_1 [[0, 1], [2, 3]] output_shape [1, 9, 2, 4] : tensor<9x8xf32> into tensor<1x9x2x4xf32>
  %vt_1 = linalg.transpose ins(%ve_1 : tensor<1x9x2x4xf32>) outs(%eh : tensor<1x2x9x4xf32>) permutation = [0, 2, 1, 3]
  %o_1 = loom.attention %qt_1, %kt_1, %vt_1 : (tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>) -> tensor<1x2x9x4xf32>
  %ot_1 = linalg.transpose ins(%o_1 : tensor<1x2x9x4xf32>) outs(%es : tensor<1x9x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc_1 = tensor.collapse_shape %ot_1 [[0, 1], [2, 3]] : tensor<1x9x2x4xf32> into tensor<9x8xf32>
  %pm_1 = linalg.matmul ins(%oc_1, %wo : tensor<9x8xf32>, tensor<8x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %pe_1 = tensor.expand_shape %pm_1 [[0, 1], [2]] output_shape [1, 9, 8] : tensor<9x8xf32> into tensor<1x9x8xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y_0, %pe_1 : tensor<1x9x8xf32>, tensor<1x9x8xf32>) outs(%e3 : tensor<1x9x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x9x8xf32>
  %h2_1 = tensor.collapse_shape %h_1 [[0, 1], [2]] : tensor<1x9x8xf32> into tensor<9x8xf32>
  %u_1 = linalg.matmul ins(%h2_1, %w1 : tensor<9x8xf32>, tensor<8x16xf32>) outs(%z9x16 : tensor<9x16xf32>) -> tensor<9x16xf32>
  %g_1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%u_1 : tensor<9x16xf32>) outs(%ef : tensor<9x16xf32>) {
  ^bb0(%a: f32, %c: f32):
    %s = arith.maximumf %a, %zero : f32
    linalg.yield %s : f32
  } -> tensor<9x16xf32>
  %dm_1 = linalg.matmul ins(%g_1, %w2 : tensor<9x16xf32>, tensor<16x8xf32>) outs(%z9x8 : tensor<9x8xf32>) -> tensor<9x8xf32>
  %de_1 = tensor.expand_shape %dm_1 [[0, 1], [2]] output_shape [1, 9, 8] : tensor<9x8xf32> into tensor<1x9x8xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1, %de_1 : tensor<1x9x8xf32>, tensor<1x9x8xf32>) outs(%e3 : tensor<1x9x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x9x8xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 8] [1, 1, 1] : tensor<1x9x8xf32> to tensor<1x1x8xf32>
  return %y_1, %cls : tensor<1x9x8xf32>, tensor<1x1x8xf32>
}
