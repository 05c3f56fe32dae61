// Execution test: MoE++ zero-computation experts. Six experts
// [ffn, zero, copy, ffn, constant, constant] over dispatched rows (12 tokens,
// top-2 with capacity drops); every expert receives rows. The two ffn experts
// use weight slices 0 and 1, the constant experts rows 0 and 1 of %constants.
// Tolerance rtol 1e-4, atol 1e-5 against float64 (f32 accumulation).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference experts_zero_computation %t
// RUN: loom-run %s --entry experts --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --input %t/constants.npy --compare %t/ref.npy --rtol 1e-4 --atol 1e-5

func.func @experts(%rows: tensor<24x16xf32>, %offsets: tensor<6xi64>, %counts: tensor<6xi64>,
                   %w1: tensor<2x16x24xf32>, %w2: tensor<2x24x16xf32>, %w3: tensor<2x16x24xf32>,
                   %constants: tensor<2x16xf32>) -> tensor<24x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2, %w3) constants(%constants)
      {kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<copy>,
                #loom.moe_expert<ffn>, #loom.moe_expert<constant>, #loom.moe_expert<constant>]}
      : (tensor<24x16xf32>, tensor<6xi64>, tensor<6xi64>, tensor<2x16x24xf32>,
         tensor<2x24x16xf32>, tensor<2x16x24xf32>, tensor<2x16xf32>) -> tensor<24x16xf32>
  return %y : tensor<24x16xf32>
}
