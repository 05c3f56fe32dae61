// RUN: loom-opt %s --loom-insert-kv-cache | FileCheck %s
// RUN: loom-opt %s "--loom-insert-kv-cache=prompt-length=3 capacity=16" | FileCheck %s --check-prefix=P3

// A hand-written one-layer causal LM over S = 8 tokens, as loomc emits it:
// embedding gather, rms_norm, q/k/v projections through collapse/expand_shape
// and transposes, rotary tables [1,1,8,4] (constants carrying the token
// axis), causal GQA attention (2 query heads, 1 kv head), output projection.

// CHECK: func.func private @loom_runtime_error(i32)
// CHECK-LABEL: func.func @prefill(
// CHECK-SAME: %[[IDS:.*]]: tensor<1x8xi64> {onnx.name = "input_ids"})
// CHECK-SAME: -> (tensor<1x8x16xf32> {onnx.name = "logits"}, !loom.kv_cache<1x1x8x4xf32>)
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic {{.*}} ins(%[[IDS]] : tensor<1x8xi64>) outs(%{{.*}} : tensor<1x8x8xf32>)
// CHECK: loom.rms_norm {{.*}} -> tensor<1x8x8xf32>
// CHECK: tensor.collapse_shape {{.*}} : tensor<1x8x8xf32> into tensor<8x8xf32>
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 8, 2, 4] : tensor<8x8xf32> into tensor<1x8x2x4xf32>
// CHECK: %[[Q:.*]] = loom.rope {{.*}} : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
// CHECK: %[[K:.*]] = loom.rope {{.*}} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
// CHECK: %[[INIT:.*]] = loom.kv.init : !loom.kv_cache<1x1x8x4xf32>
// CHECK: %[[C:.*]] = loom.kv.append %[[INIT]], %[[K]], %{{.*}} : !loom.kv_cache<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>
// CHECK: loom.attention %[[Q]], %[[C]] {causal, scale = 5.000000e-01 : f32} : (tensor<1x2x8x4xf32>, !loom.kv_cache<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
// CHECK: %[[L:.*]] = tensor.expand_shape {{.*}} output_shape [1, 8, 16] : tensor<8x16xf32> into tensor<1x8x16xf32>
// CHECK: return %[[L]], %[[C]]

// CHECK-LABEL: func.func @decode_step(
// CHECK-SAME: %[[TOK:.*]]: tensor<1x1xi64> {onnx.name = "input_ids"}, %[[POS:.*]]: tensor<1xi64>, %[[CACHE:.*]]: !loom.kv_cache<1x1x8x4xf32>)
// CHECK-SAME: -> (tensor<1x1x16xf32> {onnx.name = "logits"}, !loom.kv_cache<1x1x8x4xf32>)
// CHECK: %[[P:.*]] = tensor.extract %[[POS]][%{{.*}}] : tensor<1xi64>
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[P]], %{{.*}} : i64
// CHECK: %[[PAST:.*]] = arith.cmpi sge, %[[P]], %c8_i64 : i64
// CHECK: %[[BAD:.*]] = arith.ori %[[NEG]], %[[PAST]] : i1
// CHECK: scf.if %[[BAD]] {
// CHECK-NEXT: %[[C3:.*]] = arith.constant 5 : i32
// CHECK-NEXT: func.call @loom_runtime_error(%[[C3]]) : (i32) -> ()
// CHECK: %[[MIN:.*]] = arith.minsi %[[P]], %c7_i64 : i64
// CHECK: %[[MAX:.*]] = arith.maxsi %[[MIN]], %{{.*}} : i64
// CHECK: %[[ROW:.*]] = arith.index_cast %[[MAX]] : i64 to index
// CHECK: tensor.extract_slice %{{.*}}[0, 0, %[[ROW]], 0] [1, 1, 1, 4] [1, 1, 1, 1] : tensor<1x1x8x4xf32> to tensor<1x1x1x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[TOK]] : tensor<1x1xi64>) outs(%{{.*}} : tensor<1x1x8xf32>)
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 1, 2, 4] : tensor<1x8xf32> into tensor<1x1x2x4xf32>
// CHECK: %[[Q1:.*]] = loom.rope {{.*}} -> tensor<1x2x1x4xf32>
// CHECK: %[[K1:.*]] = loom.rope {{.*}} -> tensor<1x1x1x4xf32>
// CHECK: %[[C1:.*]] = loom.kv.append %[[CACHE]], %[[K1]], %{{.*}} : !loom.kv_cache<1x1x8x4xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
// CHECK: loom.kv.length %[[C1]]
// CHECK: loom.kv.positions %[[C1]]
// CHECK: %[[NE:.*]] = arith.cmpi ne, %{{.*}}, %[[P]] : i64
// CHECK: scf.if %[[NE]] {
// CHECK-NEXT: %[[C4:.*]] = arith.constant 6 : i32
// CHECK-NEXT: func.call @loom_runtime_error(%[[C4]]) : (i32) -> ()
// CHECK: loom.attention %[[Q1]], %[[C1]] {causal, scale = 5.000000e-01 : f32} : (tensor<1x2x1x4xf32>, !loom.kv_cache<1x1x8x4xf32>) -> tensor<1x2x1x4xf32>
// CHECK: %[[L1:.*]] = tensor.expand_shape {{.*}} output_shape [1, 1, 16] : tensor<1x16xf32> into tensor<1x1x16xf32>
// CHECK: return %[[L1]], %[[C1]]
// CHECK-NOT: func.func @main

// P3: func.func @prefill(%{{.*}}: tensor<1x3xi64> {{.*}}) -> (tensor<1x3x16xf32> {{.*}}, !loom.kv_cache<1x1x16x4xf32>)
// P3: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 1, 3, 4] [1, 1, 1, 1] : tensor<1x1x8x4xf32> to tensor<1x1x3x4xf32>
// P3: loom.kv.append %{{.*}}, %{{.*}}, %{{.*}} : !loom.kv_cache<1x1x16x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x3x4xf32>
// P3: func.func @decode_step(%{{.*}}: tensor<1x1xi64> {{.*}}, %{{.*}}: tensor<1xi64>, %{{.*}}: !loom.kv_cache<1x1x16x4xf32>) -> (tensor<1x1x16xf32> {{.*}}, !loom.kv_cache<1x1x16x4xf32>)

#gather = affine_map<(d0, d1, d2) -> (d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @main(%ids: tensor<1x8xi64> {onnx.name = "input_ids"}) -> (tensor<1x8x16xf32> {onnx.name = "logits"}) {
  %emb = arith.constant dense<0.5> : tensor<16x8xf32>
  %wq = arith.constant dense<0.25> : tensor<8x8xf32>
  %wk = arith.constant dense<0.125> : tensor<8x4xf32>
  %wv = arith.constant dense<0.0625> : tensor<8x4xf32>
  %wo = arith.constant dense<0.5> : tensor<8x16xf32>
  %cos = arith.constant dense<[[[[1.000000, 1.000000, 1.000000, 1.000000], [0.540302, 0.999950, 0.540302, 0.999950], [-0.416147, 0.999800, -0.416147, 0.999800], [-0.989992, 0.999550, -0.989992, 0.999550], [-0.653644, 0.999200, -0.653644, 0.999200], [0.283662, 0.998750, 0.283662, 0.998750], [0.960170, 0.998201, 0.960170, 0.998201], [0.753902, 0.997551, 0.753902, 0.997551]]]]> : tensor<1x1x8x4xf32>
  %sin = arith.constant dense<[[[[0.000000, 0.000000, 0.000000, 0.000000], [0.841471, 0.010000, 0.841471, 0.010000], [0.909297, 0.019999, 0.909297, 0.019999], [0.141120, 0.029996, 0.141120, 0.029996], [-0.756802, 0.039989, -0.756802, 0.039989], [-0.958924, 0.049979, -0.958924, 0.049979], [-0.279415, 0.059964, -0.279415, 0.059964], [0.656987, 0.069943, 0.656987, 0.069943]]]]> : tensor<1x1x8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x8xf32>
  %x = linalg.generic {indexing_maps = [#gather, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e0 : tensor<1x8x8xf32>) {
  ^bb0(%in: i64, %out: f32):
    %i = arith.index_cast %in : i64 to index
    %j = linalg.index 2 : index
    %v = tensor.extract %emb[%i, %j] : tensor<16x8xf32>
    linalg.yield %v : f32
  } -> tensor<1x8x8xf32>
  %n = loom.rms_norm %x {epsilon = 1.0e-06 : f32} : (tensor<1x8x8xf32>) -> tensor<1x8x8xf32>
  %c = tensor.collapse_shape %n [[0, 1], [2]] : tensor<1x8x8xf32> into tensor<8x8xf32>
  %eq = tensor.empty() : tensor<8x8xf32>
  %fq = linalg.fill ins(%zero : f32) outs(%eq : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q = linalg.matmul ins(%c, %wq : tensor<8x8xf32>, tensor<8x8xf32>) outs(%fq : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q4 = tensor.expand_shape %q [[0, 1], [2, 3]] output_shape [1, 8, 2, 4] : tensor<8x8xf32> into tensor<1x8x2x4xf32>
  %eqt = tensor.empty() : tensor<1x2x8x4xf32>
  %qt = linalg.transpose ins(%q4 : tensor<1x8x2x4xf32>) outs(%eqt : tensor<1x2x8x4xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<8x4xf32>
  %fk = linalg.fill ins(%zero : f32) outs(%ek : tensor<8x4xf32>) -> tensor<8x4xf32>
  %k = linalg.matmul ins(%c, %wk : tensor<8x8xf32>, tensor<8x4xf32>) outs(%fk : tensor<8x4xf32>) -> tensor<8x4xf32>
  %k4 = tensor.expand_shape %k [[0, 1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<8x4xf32> into tensor<1x8x1x4xf32>
  %ekt = tensor.empty() : tensor<1x1x8x4xf32>
  %kt = linalg.transpose ins(%k4 : tensor<1x8x1x4xf32>) outs(%ekt : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.matmul ins(%c, %wv : tensor<8x8xf32>, tensor<8x4xf32>) outs(%fk : tensor<8x4xf32>) -> tensor<8x4xf32>
  %v4 = tensor.expand_shape %v [[0, 1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<8x4xf32> into tensor<1x8x1x4xf32>
  %vt = linalg.transpose ins(%v4 : tensor<1x8x1x4xf32>) outs(%ekt : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %qr = loom.rope %qt, %cos, %sin : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  %kr = loom.rope %kt, %cos, %sin : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  %o = loom.attention %qr, %kr, %vt {causal, scale = 0.5 : f32} : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  %eo = tensor.empty() : tensor<1x8x2x4xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x8x4xf32>) outs(%eo : tensor<1x8x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc = tensor.collapse_shape %ot [[0, 1], [2, 3]] : tensor<1x8x2x4xf32> into tensor<8x8xf32>
  %el = tensor.empty() : tensor<8x16xf32>
  %fl = linalg.fill ins(%zero : f32) outs(%el : tensor<8x16xf32>) -> tensor<8x16xf32>
  %l = linalg.matmul ins(%oc, %wo : tensor<8x8xf32>, tensor<8x16xf32>) outs(%fl : tensor<8x16xf32>) -> tensor<8x16xf32>
  %le = tensor.expand_shape %l [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xf32> into tensor<1x8x16xf32>
  return %le : tensor<1x8x16xf32>
}
