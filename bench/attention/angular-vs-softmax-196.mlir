func.func @softmax(%q: tensor<1x6x196x64xf32>, %k: tensor<1x6x196x64xf32>, %v: tensor<1x6x196x64xf32>) -> tensor<1x6x196x64xf32> {
  %o = loom.attention %q, %k, %v : (tensor<1x6x196x64xf32>, tensor<1x6x196x64xf32>, tensor<1x6x196x64xf32>) -> tensor<1x6x196x64xf32>
  return %o : tensor<1x6x196x64xf32>
}
func.func @angular(%q: tensor<1x6x196x64xf32>, %k: tensor<1x6x196x64xf32>, %v: tensor<1x6x196x64xf32>, %w: tensor<6x9xf32>) -> tensor<1x6x196x64xf32> {
  %o = loom.angular_attention %q, %k, %v local(%w) : (tensor<1x6x196x64xf32>, tensor<1x6x196x64xf32>, tensor<1x6x196x64xf32>, tensor<6x9xf32>) -> tensor<1x6x196x64xf32>
  return %o : tensor<1x6x196x64xf32>
}
