// RUN: loom-opt %s -split-input-file --loom-hls-specialize-experts="experts=0,2" -verify-diagnostics | FileCheck %s
// RUN: loom-opt %s -split-input-file --loom-hls-specialize-experts="experts=0,2" -verify-diagnostics | FileCheck %s --check-prefix=GONE
// RUN: not loom-opt %s -split-input-file --loom-hls-specialize-experts="experts=2,0" 2>&1 | FileCheck %s --check-prefix=UNSORTED
// RUN: not loom-opt %s -split-input-file --loom-hls-specialize-experts="experts=0,3" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not loom-opt %s -split-input-file --loom-hls-specialize-experts="experts=1" 2>&1 | FileCheck %s --check-prefix=FEW
// RUN: not loom-opt %s -split-input-file --loom-hls-specialize-experts 2>&1 | FileCheck %s --check-prefix=EMPTY
// Execution: the specialised layer against NumPy with the router forced to
// the kept experts (Inputs/specialize_experts.py), three routing forms.
// RUN: rm -rf %t && mkdir -p %t/a %t/b %t/c
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/specialize_experts.py %t/a softmax_topk 0 | FileCheck %s --check-prefix=EXEC
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/specialize_experts.py %t/b softmax_topk 1 | FileCheck %s --check-prefix=EXEC
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/specialize_experts.py %t/c topk_softmax 0 | FileCheck %s --check-prefix=EXEC
// EXEC: constants after specialisation: tensor<16x3xf32>, tensor<3x16x24xf32>, tensor<3x24x16xf32>
// EXEC-NEXT: 6-expert weights left: 0
// EXEC-NEXT: original w1 resource left: 0
// EXEC-NEXT: specialised vs forced-router reference: {{.*}}: ok
// EXEC-NEXT: specialised vs unspecialised layer: max abs diff {{[1-9]|0\.[0-9]*[1-9]}}

// Constant weights of experts 0 and 2 are folded into new constants, the
// 3-expert constants are gone; argument weights are sliced.
// CHECK-LABEL: func @constants
// CHECK-DAG: arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [4.000000e+00, 6.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: arith.constant dense<{{\[}}[{{\[}}1.000000e+01, 1.100000e+01]], {{\[}}[3.000000e+01, 3.100000e+01]]]> : tensor<2x1x2xf32>
// CHECK: loom.moe.ffn
// CHECK-SAME: (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x2x1xf32>, tensor<2x1x2xf32>) -> (tensor<4x2xf32>, tensor<i64>)
func.func @constants(%x: tensor<4x2xf32>, %w1: tensor<3x2x1xf32>) -> tensor<4x2xf32> {
  %wg = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %w2 = arith.constant dense<[[[10.0, 11.0]], [[20.0, 21.0]], [[30.0, 31.0]]]> : tensor<3x1x2xf32>
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) {k = 1, activation = #loom.moe_activation<relu>}
      : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3x2x1xf32>, tensor<3x1x2xf32>) -> (tensor<4x2xf32>, tensor<i64>)
  return %y : tensor<4x2xf32>
}
// GONE-NOT: arith.constant {{.*}} : tensor<2x3xf32>
// GONE-NOT: arith.constant {{.*}} : tensor<3x1x2xf32>
// CHECK-LABEL: func @arguments
// CHECK: tensor.extract_slice %arg1[0, 0] [2, 1] [1, 1]
// CHECK: tensor.extract_slice %arg1[0, 2] [2, 1] [1, 1]
// CHECK: tensor.concat dim(1)
// CHECK: loom.moe.ffn
// CHECK-SAME: tensor<2x2xf32>, tensor<2x2x1xf32>, tensor<2x1x2xf32>
func.func @arguments(%x: tensor<4x2xf32>, %wg: tensor<2x3xf32>, %w1: tensor<3x2x1xf32>, %w2: tensor<3x1x2xf32>) -> tensor<4x2xf32> {
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) {k = 1, activation = #loom.moe_activation<relu>}
      : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3x2x1xf32>, tensor<3x1x2xf32>) -> (tensor<4x2xf32>, tensor<i64>)
  return %y : tensor<4x2xf32>
}

// UNSORTED: error: loom-hls-specialize-experts: `experts` must be strictly ascending
// RANGE: error: loom-hls-specialize-experts: expert 3 is out of range for a layer of 3 experts
// EMPTY: error: loom-hls-specialize-experts needs a non-empty `experts` list

// -----

func.func @too_few(%x: tensor<4x2xf32>, %wg: tensor<2x3xf32>, %w1: tensor<3x2x1xf32>, %w2: tensor<3x1x2xf32>) -> tensor<4x2xf32> {
  // FEW: error: loom-hls-specialize-experts keeps 1 experts but the router selects 2 per token
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) {k = 2, activation = #loom.moe_activation<relu>}
      : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3x2x1xf32>, tensor<3x1x2xf32>) -> (tensor<4x2xf32>, tensor<i64>)
  return %y : tensor<4x2xf32>
}

// -----

func.func @capacity(%x: tensor<4x2xf32>, %wg: tensor<2x3xf32>, %w1: tensor<3x2x1xf32>, %w2: tensor<3x1x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{loom-hls-specialize-experts: a capacity factor depends on the number of experts}}
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) {k = 1, capacity_factor = 1.0, activation = #loom.moe_activation<relu>}
      : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3x2x1xf32>, tensor<3x1x2xf32>) -> (tensor<4x2xf32>, tensor<i64>)
  return %y : tensor<4x2xf32>
}

// -----

func.func @kinds(%x: tensor<4x2xf32>, %wg: tensor<2x3xf32>, %w1: tensor<2x2x1xf32>, %w2: tensor<2x1x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{loom-hls-specialize-experts: expert kinds other than ffn are not supported}}
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) {k = 1, activation = #loom.moe_activation<relu>,
                                                  kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<ffn>]}
      : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<2x2x1xf32>, tensor<2x1x2xf32>) -> (tensor<4x2xf32>, tensor<i64>)
  return %y : tensor<4x2xf32>
}

// -----

func.func @quantized(%x: tensor<10x16xf32>, %wg: tensor<16x4xf32>,
                     %q1: tensor<4x8x24xi8>, %q2: tensor<4x12x16xi8>, %q3: tensor<4x8x24xi8>,
                     %s1: tensor<4x2x24xf32>, %s2: tensor<4x3x16xf32>, %s3: tensor<4x2x24xf32>,
                     %z1: tensor<4x2x24xi8>, %z2: tensor<4x3x16xi8>, %z3: tensor<4x2x24xi8>) -> tensor<10x16xf32> {
  // expected-error @+1 {{loom-hls-specialize-experts: quantized experts are not supported}}
  %out, %d = loom.moe.ffn %x, %wg weights(%q1, %q2, %q3) scales(%s1, %s2, %s3)
      zero_points(%z1, %z2, %z3) {k = 2, renormalize, bits = 4, group_size = 8}
      : (tensor<10x16xf32>, tensor<16x4xf32>, tensor<4x8x24xi8>, tensor<4x12x16xi8>,
         tensor<4x8x24xi8>, tensor<4x2x24xf32>, tensor<4x3x16xf32>, tensor<4x2x24xf32>,
         tensor<4x2x24xi8>, tensor<4x3x16xi8>, tensor<4x2x24xi8>) -> (tensor<10x16xf32>, tensor<i64>)
  return %out : tensor<10x16xf32>
}
