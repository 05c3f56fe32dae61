// The models of fuzz-model-dir.test: @main is mutated; @small has the same
// input and output names and other shapes, so its library (compiled with
// the same --name) fits the manifest of @main by name only.
func.func @main(%x: tensor<64x256xf32> {onnx.name = "x"},
                %ids: tensor<4xi32> {onnx.name = "ids"})
    -> (tensor<64x256xf32> {onnx.name = "y"}, tensor<4xi32> {onnx.name = "z"}) {
  %e = tensor.empty() : tensor<64x256xf32>
  %y = linalg.negf ins(%x : tensor<64x256xf32>) outs(%e : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %y, %ids : tensor<64x256xf32>, tensor<4xi32>
}

func.func @small(%x: tensor<8x8xf32> {onnx.name = "x"},
                 %ids: tensor<2xi32> {onnx.name = "ids"})
    -> (tensor<8x8xf32> {onnx.name = "y"}, tensor<2xi32> {onnx.name = "z"}) {
  %e = tensor.empty() : tensor<8x8xf32>
  %y = linalg.negf ins(%x : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %y, %ids : tensor<8x8xf32>, tensor<2xi32>
}
