// Three layers for dataflow-csim.test: a matmul, bias + relu (elementwise),
// a scale (elementwise):
//   h = x W           (8x32 * 32x16)
//   y = relu(h + b)   (h: a PIPO channel: the matmul writes it in k order)
//   o = y * 0.75      (y: a stream channel: elementwise -> elementwise)
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @three(%x: tensor<8x32xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>)
    -> tensor<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.75 : f32
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
  %o = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%yv: f32, %out: f32):
    %s = arith.mulf %yv, %scale : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %o : tensor<8x16xf32>
}
