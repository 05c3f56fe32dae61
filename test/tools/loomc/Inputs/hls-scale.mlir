// 3 * x + 0.5 (loomc --target=hls tests), and a function of integer ids.
func.func @main(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %three = arith.constant 3.0 : f32
    %half = arith.constant 0.5 : f32
    %m = arith.mulf %a, %three : f32
    %s = arith.addf %m, %half : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

func.func @ids(%x: tensor<4xi64>) -> tensor<4xi64> {
  return %x : tensor<4xi64>
}
