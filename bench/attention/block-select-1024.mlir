func.func @causal_dense(%q: tensor<1x6x1024x64xf32>, %k: tensor<1x6x1024x64xf32>, %v: tensor<1x6x1024x64xf32>) -> tensor<1x6x1024x64xf32> {
  %o = loom.attention %q, %k, %v {causal} : (tensor<1x6x1024x64xf32>, tensor<1x6x1024x64xf32>, tensor<1x6x1024x64xf32>) -> tensor<1x6x1024x64xf32>
  return %o : tensor<1x6x1024x64xf32>
}
func.func @thr09(%q: tensor<1x6x1024x64xf32>, %k: tensor<1x6x1024x64xf32>, %v: tensor<1x6x1024x64xf32>) -> tensor<1x6x1024x64xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 128, block_k = 128, threshold = 0.9 : f32, causal} : (tensor<1x6x1024x64xf32>, tensor<1x6x1024x64xf32>, tensor<1x6x1024x64xf32>) -> tensor<1x6x1024x64xf32>
  return %o : tensor<1x6x1024x64xf32>
}
func.func @topk4(%q: tensor<1x6x1024x64xf32>, %k: tensor<1x6x1024x64xf32>, %v: tensor<1x6x1024x64xf32>) -> tensor<1x6x1024x64xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 128, block_k = 128, top_k = 4, causal} : (tensor<1x6x1024x64xf32>, tensor<1x6x1024x64xf32>, tensor<1x6x1024x64xf32>) -> tensor<1x6x1024x64xf32>
  return %o : tensor<1x6x1024x64xf32>
}
