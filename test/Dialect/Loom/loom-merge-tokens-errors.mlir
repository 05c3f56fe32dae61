// Diagnostics of loom-merge-tokens. Option errors and a module without attention:
// RUN: not loom-opt %s --split-input-file --loom-merge-tokens 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOR
// NOR: error: loom-merge-tokens: option r (tokens merged per block) is required and must be >= 1, got 0
// RUN: not loom-opt %s --split-input-file --loom-merge-tokens="r=-1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NEG
// NEG: error: loom-merge-tokens: option r (tokens merged per block) is required and must be >= 1, got -1
// RUN: sed '/^\/\/ -----/,$d' %s | not loom-opt --loom-merge-tokens="r=1 layers=0,2" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=RANGE
// RANGE: error: loom-merge-tokens: layers: block 2 is out of range (the function has 2 loom.attention blocks, numbered from 0)
// RUN: sed '/^\/\/ -----/,$d' %s | not loom-opt --loom-merge-tokens="r=1 layers=1,1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=TWICE
// TWICE: error: loom-merge-tokens: layers: block 1 is listed twice
// RUN: echo 'func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> { return %x : tensor<2xf32> }' \
// RUN:   | not loom-opt --loom-merge-tokens=r=1 2>&1 | FileCheck %s --check-prefix=NOATTN
// NOATTN: error: loom-merge-tokens: no loom.attention to merge after (run loom-raise-attention first)
// Structure errors, at the attention:
// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-merge-tokens=r=3

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// r = 3 fits the 9 tokens of block 0 (at most 4 with protect-first) but not the 6
// left at block 1 (at most 2).
func.func @too_large(%x: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h0 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %q1 = tensor.expand_shape %y0 [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  // expected-error @+1 {{loom-merge-tokens: block 1: r = 3 is too large: after 1 earlier merges the block has 6 tokens, and bipartite matching merges at most 2 (the even-indexed tokens other than the protected token 0)}}
  %a1 = loom.attention %q1, %q1, %q1 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o1 = tensor.collapse_shape %a1 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y0, %o1 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h1 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  return %y1 : tensor<1x9x4xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @causal(%x: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  // expected-error @+1 {{loom-merge-tokens: block 0: causal attention; ToMe merges tokens of non-causal encoders}}
  %a0 = loom.attention %q0, %q0, %q0 {causal} : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h0 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  return %y0 : tensor<1x9x4xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @masked(%x: tensor<1x9x4xf32>, %m: tensor<1x1x1x9xf32>) -> tensor<1x9x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h0 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %q1 = tensor.expand_shape %y0 [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  // expected-error @+1 {{loom-merge-tokens: block 1: attention after a merge already has a mask; proportional attention adds log(size) as its mask (use proportional=false)}}
  %a1 = loom.attention %q1, %q1, %q1 mask(%m) : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x1x9xf32>) -> tensor<1x1x9x4xf32>
  %o1 = tensor.collapse_shape %a1 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y0, %o1 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h1 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  return %y1 : tensor<1x9x4xf32>
}

// -----

func.func @no_residual(%x: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  // expected-error @+1 {{loom-merge-tokens: block 0: cannot find the attention residual add}}
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  return %o0 : tensor<1x9x4xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#pool = affine_map<(d0, d1, d2) -> (d0, d2)>
// A mean pooling inside the function reduces over the tokens: it cannot be re-typed.
func.func @pooled(%x: tensor<1x9x4xf32>) -> tensor<1x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  // expected-remark @+1 {{loom-merge-tokens: while merging in block 0}}
  %h0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h0 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %z = tensor.empty() : tensor<1x4xf32>
  // expected-error @+1 {{loom-merge-tokens: the op reduces over the token axis (loop 1), which mixes tokens outside loom.attention}}
  %p = linalg.generic {indexing_maps = [#id, #pool], iterator_types = ["parallel", "reduction", "parallel"]} ins(%y0 : tensor<1x9x4xf32>) outs(%z : tensor<1x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.addf %l, %u : f32
    linalg.yield %s : f32
  } -> tensor<1x4xf32>
  return %p : tensor<1x4xf32>
}
