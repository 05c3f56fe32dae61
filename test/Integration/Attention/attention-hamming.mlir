// Execution test: Hamming attention (scores = sign(q) . sign(k)), causal GQA with
// key_scores, and non-causal with an explicit scale.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 2.4e-07).

// RUN: %python -m attention_reference hamming %t
// RUN: loom-run %s --entry hamming --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry hamming_scaled --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref2.npy --rtol 1e-5 --atol 1e-6

func.func @hamming(%q: tensor<1x4x10x16xf32>, %k: tensor<1x2x10x16xf32>, %v: tensor<1x2x10x16xf32>) -> (tensor<1x4x10x16xf32>, tensor<1x2x10xf32>) {
  %o, %s = loom.attention %q, %k, %v {causal, hamming}
      : (tensor<1x4x10x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>) -> (tensor<1x4x10x16xf32>, tensor<1x2x10xf32>)
  return %o, %s : tensor<1x4x10x16xf32>, tensor<1x2x10xf32>
}

func.func @hamming_scaled(%q: tensor<1x4x10x16xf32>, %k: tensor<1x2x10x16xf32>, %v: tensor<1x2x10x16xf32>) -> tensor<1x4x10x16xf32> {
  %o = loom.attention %q, %k, %v {hamming, scale = 0.125 : f32}
      : (tensor<1x4x10x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>) -> tensor<1x4x10x16xf32>
  return %o : tensor<1x4x10x16xf32>
}
