// loom-quantize on loom.moe.ffn edge cases: an odd hidden size (H = 3, so no
// int4 packing along K) and expert weights that are function arguments.
func.func @main(%x: tensor<4x3xf32>, %v1: tensor<2x3x4xf32>, %v2: tensor<2x4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %g = arith.constant dense<[[0.5, -0.5], [0.25, 0.0], [-1.0, 1.0]]> : tensor<3x2xf32>
  %w1 = arith.constant dense<[[[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8], [0.9, 1.0, 1.1, -1.2]],
                               [[-0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [0.9, 1.0, -1.1, 1.2]]]> : tensor<2x3x4xf32>
  %w2 = arith.constant dense<[[[0.1, 0.2, -0.3], [0.4, -0.5, 0.6], [0.7, 0.8, 0.9], [-1.0, 1.1, 1.2]],
                               [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.6], [0.7, -0.8, 0.9], [1.0, 1.1, -1.2]]]> : tensor<2x4x3xf32>
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2) {k = 1, activation = #loom.moe_activation<relu>}
      : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2x3x4xf32>, tensor<2x4x3xf32>) -> (tensor<4x3xf32>, tensor<i64>) loc("odd")
  %out2, %d2 = loom.moe.ffn %x, %g weights(%v1, %v2) {k = 1, activation = #loom.moe_activation<relu>}
      : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2x3x4xf32>, tensor<2x4x3xf32>) -> (tensor<4x3xf32>, tensor<i64>)
  return %out, %out2 : tensor<4x3xf32>, tensor<4x3xf32>
}
