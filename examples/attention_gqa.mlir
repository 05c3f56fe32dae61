// A GQA decode-with-prefix step: 8 query heads share 2 kv heads, 4 new queries
// attend causally over 64 keys through a sliding window of 32 with 4 sinks, and
// the op also returns how much attention each key received (the signal that
// H2O/SnapKV eviction uses).
func.func @main(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x64x16xf32>,
                %v: tensor<1x2x64x16xf32>)
    -> (tensor<1x8x4x16xf32>, tensor<1x2x64xf32>) {
  %o, %scores = loom.attention %q, %k, %v {causal, window = 32, sinks = 4}
      : (tensor<1x8x4x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>)
      -> (tensor<1x8x4x16xf32>, tensor<1x2x64xf32>)
  return %o, %scores : tensor<1x8x4x16xf32>, tensor<1x2x64xf32>
}
