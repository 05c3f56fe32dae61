// Execution test: loom.moe.dispatch groups the rows of 12 tokens by expert
// (5 experts, 3 slots, about 20% of the slots -1 as after capacity drops).
// Rows, permutation, offsets and counts must match the reference exactly
// (rows are copies: rtol 0, atol 0).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference dispatch %t
// RUN: loom-run %s --entry dispatch --input %t/x.npy --input %t/indices.npy --compare %t/ref_rows.npy --compare %t/ref_perm.npy --compare %t/ref_offsets.npy --compare %t/ref_counts.npy --rtol 0 --atol 0

func.func @dispatch(%x: tensor<12x8xf32>, %indices: tensor<12x3xi64>)
    -> (tensor<36x8xf32>, tensor<36xi64>, tensor<5xi64>, tensor<5xi64>) {
  %rows, %perm, %offsets, %counts = loom.moe.dispatch %x, %indices
      : (tensor<12x8xf32>, tensor<12x3xi64>)
      -> (tensor<36x8xf32>, tensor<36xi64>, tensor<5xi64>, tensor<5xi64>)
  return %rows, %perm, %offsets, %counts : tensor<36x8xf32>, tensor<36xi64>, tensor<5xi64>, tensor<5xi64>
}
