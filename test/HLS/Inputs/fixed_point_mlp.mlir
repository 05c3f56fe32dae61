// A dense layer and a softmax for fixed-point-cpu.test:
//   y = relu(x W + b)            (8x16; |y| < 8)
//   s = softmax(y * 1.3, axis 1)  (1.3 is not on the grid: a rounded constant)
//   o = (x W) * 16                (overflows ap_fixed<16,6>: saturates or wraps)
//   b                             (an input returned: a memref.copy, rounded)
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @mlp(%x: tensor<8x32xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>)
    -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>) {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 1.3 : f32
  %big = arith.constant 16.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<8x32xf32>, tensor<32x16xf32>)
                     outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h, %b : tensor<8x16xf32>, tensor<16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%hv: f32, %bv: f32, %out: f32):
    %sum = arith.addf %hv, %bv : f32
    %relu = arith.maximumf %sum, %zero : f32
    linalg.yield %relu : f32
  } -> tensor<8x16xf32>
  %z = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%yv: f32, %out: f32):
    %scaled = arith.mulf %yv, %scale : f32
    linalg.yield %scaled : f32
  } -> tensor<8x16xf32>
  %s = linalg.softmax dimension(1) ins(%z : tensor<8x16xf32>)
                     outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %o = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%hv: f32, %out: f32):
    %times = arith.mulf %hv, %big : f32
    linalg.yield %times : f32
  } -> tensor<8x16xf32>
  return %y, %s, %o, %b
      : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>
}
