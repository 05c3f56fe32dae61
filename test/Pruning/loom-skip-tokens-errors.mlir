// loom-skip-tokens' invalid options and the structure it does not support:
// one error each. Also through loomc --skip-tokens.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/skip_tokens_check.py bad %t
//
// RUN: not loom-opt %s "--loom-skip-tokens=calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NOCAP
// NOCAP: error: loom-skip-tokens: capacity must be in (0, 1], not given
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=1.5 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=CAP
// CAP: error: loom-skip-tokens: capacity must be in (0, 1], not 1.5
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=CAP0
// CAP0: error: loom-skip-tokens: capacity must be in (0, 1], not 0{{$}}
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=-1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=CAPNEG
// CAPNEG: error: loom-skip-tokens: capacity must be in (0, 1], not -1{{$}}
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5 blocks=-1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NEGBLOCK
// NEGBLOCK: error: loom-skip-tokens: blocks must be non-negative, not -1
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5 pinned=-2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NEGPIN
// NEGPIN: error: loom-skip-tokens: pinned tokens must be non-negative, not -2
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5" 2>&1 | FileCheck %s --check-prefix=NOCALIB
// NOCALIB: error: loom-skip-tokens: calibration is required (a directory of .npy model inputs)
//
// Blocks and pinned tokens that do not fit the model (the two-layer model
// of Inputs/skip_check.py: 2 blocks of 8 tokens).
// RUN: not loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.5 blocks=2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: loom-skip-tokens: block 2 does not exist: the function has 2 blocks
// RUN: not loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.5 blocks=1,1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: loom-skip-tokens: blocks lists a block twice
// RUN: not loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.5 pinned=8 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=PINRANGE
// PINRANGE: error: loc("mlp1_residual"): loom-skip-tokens: pinned token 8 is out of range: block 1 has 8 tokens
// RUN: not loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.5 pinned=2,2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=PINTWICE
// PINTWICE: error: loom-skip-tokens: pinned lists a token twice
// RUN: not loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.25 pinned=0,1,2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=PINMANY
// PINMANY: error: loc("mlp1_residual"): loom-skip-tokens: 3 pinned tokens but capacity 0.25 keeps only 2 of the 8 tokens of block 1
//
// Unsupported structure, found after the routers are fitted; the model is
// left as it was.
// RUN: not loom-opt %t/escape.mlir "--loom-skip-tokens=capacity=0.5 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=ESCAPE
// ESCAPE: error: loc("escape"): loom-skip-tokens: a value computed from the input of block 1 is used after the block
// ESCAPE: note: loc("mlp1_residual"): the block's residual add
// RUN: not loom-opt %t/allbias.mlir "--loom-skip-tokens=capacity=0.5 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=ALL
// ALL: error: loc("attn0_residual"): loom-skip-tokens: this value, defined before the reduced tokens, carries the token axis into the re-typed ops
//
// The functions of this file.
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5 function=mlp_only calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NOBLOCK
// NOBLOCK: error: loom-skip-tokens: found no transformer blocks
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5 function=rank2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=ONE
// ONE: error: loom-skip-tokens: the function has one block; the default (every other block from 1) chooses none, give blocks=0
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5 blocks=0 function=rank2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: error: loc("rank2_mlp_residual"): loom-skip-tokens: the input of block 0 is 'tensor<8x16xf32>', not a static f32 tensor [batch, tokens, hidden]
// RUN: %python %S/Inputs/skip_check.py calib %t/batch2 2x8x16
// RUN: not loom-opt %s "--loom-skip-tokens=capacity=0.5 blocks=0 function=batch2 calibration=%t/batch2" 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: error: loc("pos_table"): loom-skip-tokens: a constant carrying the token axis into block 0 is gathered at the kept tokens only for a batch of 1 and a float type, not batch 2 and 'f32'
//
// loomc reports the pass's option errors as invalid options.
// RUN: not loomc %s -o %t/lib --entry=rank2 --skip-tokens=capacity=2 --calibration=%t/calibration 2>&1 | FileCheck %s --check-prefix=LOOMC
// LOOMC: error: invalid option --skip-tokens: loom-skip-tokens: capacity must be in (0, 1], not 2
// RUN: not loomc %s -o %t/lib --entry=rank2 --skip-tokens=capacity=0.5 2>&1 | FileCheck %s --check-prefix=LOOMC-CALIB
// LOOMC-CALIB: error: invalid option --skip-tokens: loom-skip-tokens: calibration is required

// One MLP sublayer (x + relu(x W) W), no attention.
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @mlp_only(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.125> : tensor<8x8xf32>
  %init = tensor.empty() : tensor<4x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  %u = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u : tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %d = linalg.matmul ins(%h, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = linalg.add ins(%x, %d : tensor<4x8xf32>, tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// One block on a [tokens, hidden] stream (no batch axis).
func.func @rank2(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.0625> : tensor<16x16xf32>
  %init = tensor.empty() : tensor<8x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %q = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%fill : tensor<8x16xf32>) -> tensor<8x16xf32>
  %q4 = tensor.expand_shape %q [[0, 1, 2], [3]] output_shape [1, 1, 8, 16] : tensor<8x16xf32> into tensor<1x1x8x16xf32>
  %a = loom.attention %q4, %q4, %q4 {scale = 2.500000e-01 : f32} : (tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>) -> tensor<1x1x8x16xf32>
  %a2 = tensor.collapse_shape %a [[0, 1, 2], [3]] : tensor<1x1x8x16xf32> into tensor<8x16xf32>
  %o = linalg.matmul ins(%a2, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%fill : tensor<8x16xf32>) -> tensor<8x16xf32>
  %r = linalg.add ins(%x, %o : tensor<8x16xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %u = linalg.matmul ins(%r, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%fill : tensor<8x16xf32>) -> tensor<8x16xf32>
  %d = linalg.matmul ins(%u, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%fill : tensor<8x16xf32>) -> tensor<8x16xf32>
  %r2 = linalg.add ins(%r, %d : tensor<8x16xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32> loc("rank2_mlp_residual")
  return %r2 : tensor<8x16xf32>
}

// One block on a [2, 8, 16] stream whose attention reads a position bias
// constant [8, 16] broadcast over the batch: it carries the token axis, but
// the two sequences keep different tokens, so it cannot be gathered.
#bcast = affine_map<(d0, d1, d2) -> (d1, d2)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @batch2(%x: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %pos = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [3.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [4.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [6.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
      [7.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]]> : tensor<8x16xf32> loc("pos_table")
  %w = arith.constant dense<0.0625> : tensor<2x16x16xf32>
  %init = tensor.empty() : tensor<2x8x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %p = linalg.generic {indexing_maps = [#id3, #bcast, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %pos : tensor<2x8x16xf32>, tensor<8x16xf32>) outs(%init : tensor<2x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8x16xf32>
  %q4 = tensor.expand_shape %p [[0], [1, 2], [3]] output_shape [2, 1, 8, 16] : tensor<2x8x16xf32> into tensor<2x1x8x16xf32>
  %a = loom.attention %q4, %q4, %q4 {scale = 2.500000e-01 : f32} : (tensor<2x1x8x16xf32>, tensor<2x1x8x16xf32>, tensor<2x1x8x16xf32>) -> tensor<2x1x8x16xf32>
  %a3 = tensor.collapse_shape %a [[0], [1, 2], [3]] : tensor<2x1x8x16xf32> into tensor<2x8x16xf32>
  %r = linalg.add ins(%x, %a3 : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%init : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %u = linalg.batch_matmul ins(%r, %w : tensor<2x8x16xf32>, tensor<2x16x16xf32>) outs(%fill : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %r2 = linalg.add ins(%r, %u : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%init : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %r2 : tensor<2x8x16xf32>
}
