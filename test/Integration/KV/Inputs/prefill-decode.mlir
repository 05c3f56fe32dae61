// A prefill of 8 tokens and a decode step over caches of capacity 16, the form
// loom-insert-kv-cache produces (the input of kv_compress_check.py).
!c = !loom.kv_cache<1x2x16x8xf32>

func.func @prefill(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>,
                   %v: tensor<1x2x8x8xf32>) -> (tensor<1x4x8x8xf32>, !c) {
  %c0 = loom.kv.init : !c
  %c1 = loom.kv.append %c0, %k, %v
      : !c, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>
  %o = loom.attention %q, %c1 {causal}
      : (tensor<1x4x8x8xf32>, !c) -> tensor<1x4x8x8xf32>
  return %o, %c1 : tensor<1x4x8x8xf32>, !c
}

func.func @decode_step(%q: tensor<1x4x1x8xf32>, %k: tensor<1x2x1x8xf32>,
                       %v: tensor<1x2x1x8xf32>, %c: !c)
    -> (tensor<1x4x1x8xf32>, !c) {
  %c1 = loom.kv.append %c, %k, %v
      : !c, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
  %o = loom.attention %q, %c1 {causal}
      : (tensor<1x4x1x8xf32>, !c) -> tensor<1x4x1x8xf32>
  return %o, %c1 : tensor<1x4x1x8xf32>, !c
}
