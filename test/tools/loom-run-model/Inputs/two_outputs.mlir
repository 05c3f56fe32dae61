// A model with two float inputs and two outputs for the runtime-core tests.
func.func @main(%a: tensor<2x3xf32> {onnx.name = "a"},
                %b: tensor<3xf32> {onnx.name = "b"})
    -> (tensor<2x3xf32> {onnx.name = "sum"}, tensor<3xf32> {onnx.name = "neg"}) {
  %e = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %a : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<3xf32>
  %neg = linalg.negf ins(%b : tensor<3xf32>) outs(%e2 : tensor<3xf32>) -> tensor<3xf32>
  return %sum, %neg : tensor<2x3xf32>, tensor<3xf32>
}
