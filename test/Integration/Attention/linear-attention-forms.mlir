// Execution test: the causal, recurrent (token by token, S = 1 per call) and chunked
// (3 + 3 + 2 tokens) forms of causal linear attention, all starting from the same
// non-zero carried state, agree with each other and with NumPy: every output is compared
// with the same reference, and the final states of both chains with the reference state.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 9.5e-07).

// RUN: %python -m attention_reference linear_forms %t
// RUN: loom-run %s --entry forms --input %t/q.npy --input %t/k.npy --input %t/v.npy --input %t/s0.npy --input %t/z0.npy --compare %t/ref0.npy --compare %t/ref1.npy --compare %t/ref2.npy --compare %t/ref3.npy --compare %t/ref4.npy --compare %t/ref5.npy --compare %t/ref6.npy --rtol 1e-5 --atol 1e-6

func.func @forms(%q: tensor<1x2x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x4xf32>, %s0: tensor<1x2x8x4xf32>, %z0: tensor<1x2x8xf32>)
    -> (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) {
  // Causal: all 8 tokens in one call.
  %causal, %sc, %zc = loom.linear_attention %q, %k, %v state(%s0, %z0) {causal}
      : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  // Recurrent: one token per call (decode steps), chaining the state.
  %rec_init = tensor.empty() : tensor<1x2x8x4xf32>
  %rec_q0 = tensor.extract_slice %q[0, 0, 0, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o0, %rec_s0, %rec_z0 = loom.linear_attention %rec_q0, %rec_k0, %rec_v0 state(%s0, %z0) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc0 = tensor.insert_slice %rec_o0 into %rec_init[0, 0, 0, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q1 = tensor.extract_slice %q[0, 0, 1, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k1 = tensor.extract_slice %k[0, 0, 1, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v1 = tensor.extract_slice %v[0, 0, 1, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o1, %rec_s1, %rec_z1 = loom.linear_attention %rec_q1, %rec_k1, %rec_v1 state(%rec_s0, %rec_z0) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc1 = tensor.insert_slice %rec_o1 into %rec_acc0[0, 0, 1, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q2 = tensor.extract_slice %q[0, 0, 2, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k2 = tensor.extract_slice %k[0, 0, 2, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v2 = tensor.extract_slice %v[0, 0, 2, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o2, %rec_s2, %rec_z2 = loom.linear_attention %rec_q2, %rec_k2, %rec_v2 state(%rec_s1, %rec_z1) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc2 = tensor.insert_slice %rec_o2 into %rec_acc1[0, 0, 2, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q3 = tensor.extract_slice %q[0, 0, 3, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k3 = tensor.extract_slice %k[0, 0, 3, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v3 = tensor.extract_slice %v[0, 0, 3, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o3, %rec_s3, %rec_z3 = loom.linear_attention %rec_q3, %rec_k3, %rec_v3 state(%rec_s2, %rec_z2) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc3 = tensor.insert_slice %rec_o3 into %rec_acc2[0, 0, 3, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q4 = tensor.extract_slice %q[0, 0, 4, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k4 = tensor.extract_slice %k[0, 0, 4, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v4 = tensor.extract_slice %v[0, 0, 4, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o4, %rec_s4, %rec_z4 = loom.linear_attention %rec_q4, %rec_k4, %rec_v4 state(%rec_s3, %rec_z3) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc4 = tensor.insert_slice %rec_o4 into %rec_acc3[0, 0, 4, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q5 = tensor.extract_slice %q[0, 0, 5, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k5 = tensor.extract_slice %k[0, 0, 5, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v5 = tensor.extract_slice %v[0, 0, 5, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o5, %rec_s5, %rec_z5 = loom.linear_attention %rec_q5, %rec_k5, %rec_v5 state(%rec_s4, %rec_z4) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc5 = tensor.insert_slice %rec_o5 into %rec_acc4[0, 0, 5, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q6 = tensor.extract_slice %q[0, 0, 6, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k6 = tensor.extract_slice %k[0, 0, 6, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v6 = tensor.extract_slice %v[0, 0, 6, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o6, %rec_s6, %rec_z6 = loom.linear_attention %rec_q6, %rec_k6, %rec_v6 state(%rec_s5, %rec_z5) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc6 = tensor.insert_slice %rec_o6 into %rec_acc5[0, 0, 6, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  %rec_q7 = tensor.extract_slice %q[0, 0, 7, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_k7 = tensor.extract_slice %k[0, 0, 7, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x1x8xf32>
  %rec_v7 = tensor.extract_slice %v[0, 0, 7, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x1x4xf32>
  %rec_o7, %rec_s7, %rec_z7 = loom.linear_attention %rec_q7, %rec_k7, %rec_v7 state(%rec_s6, %rec_z6) {causal}
      : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %rec_acc7 = tensor.insert_slice %rec_o7 into %rec_acc6[0, 0, 7, 0] [1, 2, 1, 4] [1, 1, 1, 1] : tensor<1x2x1x4xf32> into tensor<1x2x8x4xf32>
  // Chunked: chunks of 3, 3 and 2 tokens with carried state.
  %chunk_init = tensor.empty() : tensor<1x2x8x4xf32>
  %chunk_q0 = tensor.extract_slice %q[0, 0, 0, 0] [1, 2, 3, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x3x8xf32>
  %chunk_k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 3, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x3x8xf32>
  %chunk_v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 3, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x3x4xf32>
  %chunk_o0, %chunk_s0, %chunk_z0 = loom.linear_attention %chunk_q0, %chunk_k0, %chunk_v0 state(%s0, %z0) {causal}
      : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %chunk_acc0 = tensor.insert_slice %chunk_o0 into %chunk_init[0, 0, 0, 0] [1, 2, 3, 4] [1, 1, 1, 1] : tensor<1x2x3x4xf32> into tensor<1x2x8x4xf32>
  %chunk_q1 = tensor.extract_slice %q[0, 0, 3, 0] [1, 2, 3, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x3x8xf32>
  %chunk_k1 = tensor.extract_slice %k[0, 0, 3, 0] [1, 2, 3, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x3x8xf32>
  %chunk_v1 = tensor.extract_slice %v[0, 0, 3, 0] [1, 2, 3, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x3x4xf32>
  %chunk_o1, %chunk_s1, %chunk_z1 = loom.linear_attention %chunk_q1, %chunk_k1, %chunk_v1 state(%chunk_s0, %chunk_z0) {causal}
      : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %chunk_acc1 = tensor.insert_slice %chunk_o1 into %chunk_acc0[0, 0, 3, 0] [1, 2, 3, 4] [1, 1, 1, 1] : tensor<1x2x3x4xf32> into tensor<1x2x8x4xf32>
  %chunk_q2 = tensor.extract_slice %q[0, 0, 6, 0] [1, 2, 2, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x2x8xf32>
  %chunk_k2 = tensor.extract_slice %k[0, 0, 6, 0] [1, 2, 2, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> to tensor<1x2x2x8xf32>
  %chunk_v2 = tensor.extract_slice %v[0, 0, 6, 0] [1, 2, 2, 4] [1, 1, 1, 1] : tensor<1x2x8x4xf32> to tensor<1x2x2x4xf32>
  %chunk_o2, %chunk_s2, %chunk_z2 = loom.linear_attention %chunk_q2, %chunk_k2, %chunk_v2 state(%chunk_s1, %chunk_z1) {causal}
      : (tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>, tensor<1x2x2x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) -> (tensor<1x2x2x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  %chunk_acc2 = tensor.insert_slice %chunk_o2 into %chunk_acc1[0, 0, 6, 0] [1, 2, 2, 4] [1, 1, 1, 1] : tensor<1x2x2x4xf32> into tensor<1x2x8x4xf32>
  return %causal, %rec_acc7, %chunk_acc2, %rec_s7, %rec_z7, %chunk_s2, %chunk_z2
      : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>
}
