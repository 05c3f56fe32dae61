// Execution test: loom.moe.experts over dispatched rows (10 tokens, top-2 of 4
// experts with capacity drops, so the row groups have unequal sizes and there
// are padding rows) with SwiGLU, exact GELU, tanh GELU and ReLU experts
// (H = 16, F = 24). Tolerance rtol 1e-4, atol 1e-5 against float64 (f32
// accumulation; erf is evaluated to 1.5e-7).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference experts_activations %t
// RUN: loom-run %s --entry swiglu --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --compare %t/ref_swiglu.npy --rtol 1e-4 --atol 1e-5
// RUN: loom-run %s --entry gelu --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/w1.npy --input %t/w2.npy --compare %t/ref_gelu.npy --rtol 1e-4 --atol 1e-5
// RUN: loom-run %s --entry gelu_tanh --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/w1.npy --input %t/w2.npy --compare %t/ref_gelu_tanh.npy --rtol 1e-4 --atol 1e-5
// RUN: loom-run %s --entry relu --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/w1.npy --input %t/w2.npy --compare %t/ref_relu.npy --rtol 1e-4 --atol 1e-5

func.func @swiglu(%rows: tensor<20x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>,
                  %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) -> tensor<20x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2, %w3)
      : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>,
         tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return %y : tensor<20x16xf32>
}

func.func @gelu(%rows: tensor<20x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>,
                %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>) -> tensor<20x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2)
      {activation = #loom.moe_activation<gelu>}
      : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>,
         tensor<4x24x16xf32>) -> tensor<20x16xf32>
  return %y : tensor<20x16xf32>
}

func.func @gelu_tanh(%rows: tensor<20x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>,
                     %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>) -> tensor<20x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2)
      {activation = #loom.moe_activation<gelu_tanh>}
      : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>,
         tensor<4x24x16xf32>) -> tensor<20x16xf32>
  return %y : tensor<20x16xf32>
}

func.func @relu(%rows: tensor<20x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>,
                %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>) -> tensor<20x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2)
      {activation = #loom.moe_activation<relu>}
      : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>,
         tensor<4x24x16xf32>) -> tensor<20x16xf32>
  return %y : tensor<20x16xf32>
}
