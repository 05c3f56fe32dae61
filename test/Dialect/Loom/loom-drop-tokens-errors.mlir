// Every diagnostic of loom-drop-tokens, one case per file (split-file), each
// with the options that trigger it (the toy model of loom-drop-tokens.mlir).
// RUN: rm -rf %t && split-file %s %t
// RUN: loom-opt %t/syntax.mlir "--loom-drop-tokens=layers=0-0.5" -verify-diagnostics
// RUN: loom-opt %t/range.mlir "--loom-drop-tokens=layers=2:0.5" -verify-diagnostics
// RUN: loom-opt %t/ratio.mlir "--loom-drop-tokens=layers=0:1.5" -verify-diagnostics
// RUN: loom-opt %t/ratio-zero.mlir "--loom-drop-tokens=layers=0:0" -verify-diagnostics
// RUN: loom-opt %t/both.mlir "--loom-drop-tokens=layers=0:0.5 stages=2 ratio=0.5" -verify-diagnostics
// RUN: loom-opt %t/neither.mlir "--loom-drop-tokens=score=l2norm" -verify-diagnostics
// RUN: loom-opt %t/stages.mlir "--loom-drop-tokens=stages=3 ratio=0.5" -verify-diagnostics
// RUN: loom-opt %t/stages-ratio.mlir "--loom-drop-tokens=stages=2" -verify-diagnostics
// RUN: loom-opt %t/twice.mlir "--loom-drop-tokens=layers=0:0.5,0:0.7" -verify-diagnostics
// RUN: loom-opt %t/pinned-dup.mlir "--loom-drop-tokens=layers=0:0.5 pinned=0,0" -verify-diagnostics
// RUN: loom-opt %t/pinned-prefix.mlir "--loom-drop-tokens=layers=0:0.5 pinned=1" -verify-diagnostics
// RUN: loom-opt %t/pinned-range.mlir "--loom-drop-tokens=layers=0:0.5 pinned=0,9" -verify-diagnostics
// RUN: loom-opt %t/pinned-many.mlir "--loom-drop-tokens=layers=0:0.2 pinned=0,1,2" -verify-diagnostics
// RUN: loom-opt %t/causal.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics
// RUN: loom-opt %t/no-residual.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics
// RUN: loom-opt %t/constant.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics
// RUN: loom-opt %t/reduction.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics
// RUN: loom-opt %t/captured.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics
// RUN: loom-opt %t/output-axis.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics
// RUN: loom-opt %t/score.mlir "--loom-drop-tokens=layers=0:0.5 score=random" -verify-diagnostics
// RUN: loom-opt %t/no-attention.mlir "--loom-drop-tokens=layers=0:0.5" -verify-diagnostics

//--- syntax.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: bad layers entry '0-0.5' (expected LAYER:KEEP, e.g. 2:0.7)}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- range.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: layer 2 is out of range: the model has 2 attention layers (0-based)}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- ratio.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: keep fraction 1.5 is not in (0, 1]}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- ratio-zero.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: keep fraction 0 is not in (0, 1]}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- both.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: give either layers=... or stages=N ratio=r, not both}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- neither.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: no schedule: give layers=LAYER:KEEP,... or stages=N ratio=r}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- stages.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: stages=3 does not split the 2 layers into at least 2 equal stages}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- stages-ratio.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: stages and ratio go together}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- twice.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: layer 0 is scheduled twice}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- pinned-dup.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// expected-error @+1 {{loom-drop-tokens: pinned tokens must be distinct and non-negative}}
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- pinned-prefix.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  // expected-error @+1 {{loom-drop-tokens: tensor.extract_slice along the token axis (only rows among the leading 0 tokens, which keep their rows because they are pinned, can be sliced)}}
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- pinned-range.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-drop-tokens: pinned token 9 is out of range [0, 8)}}
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- pinned-many.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-drop-tokens: 3 pinned tokens exceed the 2 kept ones}}
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- causal.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-drop-tokens: score=cls-attention needs non-causal attention (a causal layer's attention to later tokens is zero)}}
  %a_0 = loom.attention %q_0, %q_0, %q_0 {causal} : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- no-residual.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-drop-tokens: the model's structure is not understood: no residual add 'x + attention branch' after layer 0}}
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %ac_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- constant.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#pos = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  // expected-error @+1 {{loom-drop-tokens: this value, defined before the reduced tokens, carries the token axis into the re-typed ops (a constant or a value computed on all tokens cannot be cut to the kept ones)}}
  %pos = arith.constant dense<[[[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [6.0], [7.0]]]> : tensor<1x8x1xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #pos, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1, %pos : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x1xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %p: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- reduction.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %z = tensor.empty() : tensor<1x16xf32>
  // expected-error @+1 {{loom-drop-tokens: the op reduces over the token axis (loop 1), which mixes tokens outside loom.attention}}
  %sum = linalg.reduce ins(%y_1 : tensor<1x8x16xf32>) outs(%z : tensor<1x16xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %sum : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- captured.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %z = tensor.empty() : tensor<1x16xf32>
  // A gather of row j % 8 inside a linalg body: not a slice the re-typing can follow.
  %g = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%z : tensor<1x16xf32>) {
  ^bb0(%o: f32):
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %j = linalg.index 1 : index
    %row = arith.remui %j, %c8 : index
    // expected-error @+1 {{loom-drop-tokens: a value carrying the token axis is read inside the region of 'linalg.generic'}}
    %v = tensor.extract %y_1[%c0, %row, %j] : tensor<1x8x16xf32>
    linalg.yield %v : f32
  } -> tensor<1x16xf32>
  return %y_1, %g : tensor<1x8x16xf32>, tensor<1x16xf32>
}

//--- output-axis.mlir
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  %e6 = tensor.empty() : tensor<1x2x8x8xf32>
  %q6 = tensor.expand_shape %y_1 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %t6 = linalg.transpose ins(%q6 : tensor<1x8x2x8xf32>) outs(%e6 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-drop-tokens: this output needs every token, but its token axis (2 of 'tensor<1x2x8x8xf32>') is not axis 1 of [B, S, D]}}
  return %t6, %pool : tensor<1x2x8x8xf32>, tensor<1x16xf32>
}

//--- score.mlir
// expected-error @+1 {{loom-drop-tokens: unknown score 'random' (cls-attention, attention-received or l2norm)}}
module {
func.func @main(%x: tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x16xf32>) {
  %e4 = tensor.empty() : tensor<1x2x8x8xf32>
  %e5 = tensor.empty() : tensor<1x8x2x8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %q4_0 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_0 = linalg.transpose ins(%q4_0 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_0 = loom.attention %q_0, %q_0, %q_0 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_0 = linalg.transpose ins(%a_0 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_0 = tensor.collapse_shape %at_0 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_0, %x : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_0 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_0, %h_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %q4_1 = tensor.expand_shape %y_0 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xf32> into tensor<1x8x2x8xf32>
  %q_1 = linalg.transpose ins(%q4_1 : tensor<1x8x2x8xf32>) outs(%e4 : tensor<1x2x8x8xf32>) permutation = [0, 2, 1, 3]
  %a_1 = loom.attention %q_1, %q_1, %q_1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %at_1 = linalg.transpose ins(%a_1 : tensor<1x2x8x8xf32>) outs(%e5 : tensor<1x8x2x8xf32>) permutation = [0, 2, 1, 3]
  %ac_1 = tensor.collapse_shape %at_1 [[0], [1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<1x8x16xf32>
  %h_1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ac_1, %y_0 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %m_1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h_1 : tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %o: f32):
    %s = math.tanh %l : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %y_1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m_1, %h_1 : tensor<1x8x16xf32>, tensor<1x8x16xf32>) outs(%e : tensor<1x8x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}
}

//--- no-attention.mlir
// expected-error @+1 {{loom-drop-tokens: the model's structure is not understood: no function of one block with loom.attention (run loom-raise-attention first)}}
module {
  func.func @main(%x: tensor<1x8x16xf32>) -> tensor<1x8x16xf32> {
    return %x : tensor<1x8x16xf32>
  }
}
