// Execution test: the weights of a Hugging Face / PyTorch Mixtral-style sparse
// MoE block (shared/models/tiny_moe_block.onnx: router over 8 SwiGLU experts,
// hidden 128, ffn 256, top-2 renormalised, 64 tokens) as one loom.moe.ffn,
// against PyTorch's eager output. The reference script maps the ONNX
// initializers to the op's operands (gate.weight transposed to [H,E]) and
// checks that mapping against PyTorch with its own dense NumPy layer first.
// Tolerance: atol 5.1e-5 (1e-4 of the largest output magnitude 0.509, as the
// importer's end-to-end test of the same model), rtol 0.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference hf_tiny_moe_block %t %shared/models
// RUN: loom-run %s --entry block --input %shared/models/tiny_moe_block_input.npy --input %t/wg.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --compare %shared/models/tiny_moe_block_output.npy --rtol 0 --atol 5.1e-5

func.func @block(%x: tensor<64x128xf32>, %wg: tensor<128x8xf32>, %w1: tensor<8x128x256xf32>,
                 %w2: tensor<8x256x128xf32>, %w3: tensor<8x128x256xf32>) -> tensor<64x128xf32> {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<64x128xf32>, tensor<128x8xf32>, tensor<8x128x256xf32>, tensor<8x256x128xf32>,
         tensor<8x128x256xf32>) -> (tensor<64x128xf32>, tensor<i64>)
  return %out : tensor<64x128xf32>
}
