// loom-drop-tokens on a two-block toy transformer (q = k = v = the residual
// stream split into 2 heads, h = x + attention, y = h + tanh(h), a pooler
// slice of row 0). The pass output is executed with loom-run and compared
// with a NumPy model of the pruned network (Inputs/drop_tokens_toy.py: the
// scores, top-k with token 0 pinned, the restore) within 1e-5 abs.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.random.default_rng(0).uniform(-1, 1, (1, 8, 16)).astype(np.float32))"
// RUN: loom-opt %s "--loom-drop-tokens=layers=0:0.5" | FileCheck %s
// RUN: loom-opt %s "--loom-drop-tokens=layers=0:0.5" -o %t/cls.mlir
// RUN: loom-run %t/cls.mlir --input %t/x.npy --output-dir %t/cls
// RUN: %python %S/Inputs/drop_tokens_toy.py %t/x.npy %t/cls 0:0.5 cls-attention
// RUN: loom-opt %s "--loom-drop-tokens=layers=0:0.7,1:0.5" | FileCheck %s --check-prefix=TWO
// RUN: loom-opt %s "--loom-drop-tokens=layers=0:0.7,1:0.5" -o %t/two.mlir
// RUN: loom-run %t/two.mlir --input %t/x.npy --output-dir %t/two
// RUN: %python %S/Inputs/drop_tokens_toy.py %t/x.npy %t/two 0:0.7,1:0.5 cls-attention
// RUN: loom-opt %s "--loom-drop-tokens=layers=1:0.5 score=attention-received" | FileCheck %s --check-prefix=RECV
// RUN: loom-opt %s "--loom-drop-tokens=layers=1:0.5 score=attention-received" -o %t/recv.mlir
// RUN: loom-run %t/recv.mlir --input %t/x.npy --output-dir %t/recv
// RUN: %python %S/Inputs/drop_tokens_toy.py %t/x.npy %t/recv 1:0.5 attention-received
// RUN: loom-opt %s "--loom-drop-tokens=layers=0:0.5 score=l2norm" | FileCheck %s --check-prefix=NORM
// RUN: loom-opt %s "--loom-drop-tokens=layers=0:0.5 score=l2norm" -o %t/norm.mlir
// RUN: loom-run %t/norm.mlir --input %t/x.npy --output-dir %t/norm
// RUN: %python %S/Inputs/drop_tokens_toy.py %t/x.npy %t/norm 0:0.5 l2norm
// PyramidDrop: 2 blocks in 2 stages prune once, in block 0.
// RUN: loom-opt %s "--loom-drop-tokens=stages=2 ratio=0.4" -o %t/stages.mlir
// RUN: loom-run %t/stages.mlir --input %t/x.npy --output-dir %t/stages
// RUN: %python %S/Inputs/drop_tokens_toy.py %t/x.npy %t/stages 0:0.4 cls-attention

// cls-attention: the layer's attention is unchanged; a one-row attention of
// query row 0 returns the key scores. The prune follows the residual add;
// block 1 runs on 4 tokens, the pooler slices row 0 of the reduced stream,
// the full-length output is restored.
// CHECK-LABEL: func.func @main
// CHECK: %[[Q:.*]] = linalg.transpose
// CHECK: loom.attention %[[Q]], %[[Q]], %[[Q]] : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
// CHECK: %[[H:.*]] = linalg.generic
// CHECK: %[[ROW:.*]] = tensor.extract_slice %[[Q]][0, 0, 0, 0] [1, 2, 1, 8] [1, 1, 1, 1]
// CHECK: %{{.*}}, %[[KS:.*]] = loom.attention %[[ROW]], %[[Q]], %[[Q]] {{.*}} -> (tensor<1x2x1x8xf32>, tensor<1x2x8xf32>)
// CHECK: %[[P:.*]] = tensor.expand_shape %[[KS]] {{.*}} into tensor<1x2x1x8xf32>
// CHECK: %[[S:.*]] = loom.token.score cls_attention %[[P]]
// CHECK: %[[KEPT:.*]], %[[IDX:.*]] = loom.token.prune %[[H]], %[[S]] {keep_ratio = 5.000000e-01 : f32, pinned = array<i64: 0>} : tensor<1x8x16xf32>, tensor<1x8xf32> -> tensor<1x4x16xf32>, tensor<1x4xi64>
// CHECK: linalg.generic {{.*}} ins(%[[KEPT]] : tensor<1x4x16xf32>)
// CHECK: loom.attention {{.*}} -> tensor<1x2x4x8xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x16xf32>, tensor<1x4x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x16xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x16xf32>, tensor<1x4x16xf32>)
// CHECK: tensor.extract_slice %[[Y]][0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x4x16xf32> to tensor<1x1x16xf32>
// CHECK: %[[FULL:.*]] = loom.token.restore %[[Y]] indices(%[[IDX]]) : (tensor<1x4x16xf32>, tensor<1x4xi64>) -> tensor<1x8x16xf32>
// CHECK: return %[[FULL]]

// Two prunes: 8 -> 6 -> 3 tokens; the outer restore takes the inner one.
// TWO: %[[K0:.*]], %[[I0:.*]] = loom.token.prune {{.*}} -> tensor<1x6x16xf32>, tensor<1x6xi64>
// TWO: loom.attention {{.*}} -> (tensor<1x2x1x8xf32>, tensor<1x2x6xf32>)
// TWO: %[[K1:.*]], %[[I1:.*]] = loom.token.prune {{.*}} -> tensor<1x3x16xf32>, tensor<1x3xi64>
// TWO: %[[R1:.*]] = loom.token.restore %{{.*}} indices(%[[I1]]) : (tensor<1x3x16xf32>, tensor<1x3xi64>) -> tensor<1x6x16xf32>
// TWO: %[[R0:.*]] = loom.token.restore %[[R1]] indices(%[[I0]]) : (tensor<1x6x16xf32>, tensor<1x6xi64>) -> tensor<1x8x16xf32>
// TWO: return %[[R0]]

// attention-received: the layer's own attention returns the key scores (no
// extra attention).
// RECV: loom.attention {{.*}} -> tensor<1x2x8x8xf32>
// RECV: %{{.*}}, %[[KS:.*]] = loom.attention {{.*}} : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
// RECV-NOT: loom.attention {{.*}}tensor<1x2x1x8xf32>
// RECV: loom.token.score attention_received
// RECV: loom.token.prune {{.*}} -> tensor<1x4x16xf32>, tensor<1x4xi64>

// negative_: l2norm adds no attention at all.
// NORM: loom.attention {{.*}} -> tensor<1x2x8x8xf32>
// NORM-NOT: key_scores
// NORM: %[[S:.*]] = loom.token.score l2norm %[[H:.*]] : tensor<1x8x16xf32> -> tensor<1x8xf32>
// NORM: loom.token.prune %[[H]], %[[S]]
// NORM-NOT: key_scores
// NORM: loom.attention {{.*}} -> tensor<1x2x4x8xf32>
// NORM-NOT: loom.attention

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
  %cls = tensor.extract_slice %y_1[0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<1x1x16xf32>
  %pool = tensor.collapse_shape %cls [[0], [1, 2]] : tensor<1x1x16xf32> into tensor<1x16xf32>
  return %y_1, %pool : tensor<1x8x16xf32>, tensor<1x16xf32>
}
