// Used by loom-hls-estimate.mlir: one head of attention, 64 tokens, head
// dimension 32, through the reference lowering to loop IR.
func.func @attention(%q: tensor<1x1x64x32xf32>, %k: tensor<1x1x64x32xf32>, %v: tensor<1x1x64x32xf32>) -> tensor<1x1x64x32xf32> {
  %o = loom.attention %q, %k, %v : (tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>) -> tensor<1x1x64x32xf32>
  return %o : tensor<1x1x64x32xf32>
}
