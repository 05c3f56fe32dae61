// RUN: loom-opt %s --split-input-file --loom-fuse-projections | FileCheck %s

// Projections of one activation become one matmul on the concatenated
// weight. Numbers: test/Integration/Fusion/fusion.test runs fused against
// unfused models, test/Models/fusion.test every shared model.

// q/k/v of one activation (k and v share their zero-filled destination, as
// after CSE): one matmul on a 4x8 weight whose columns are Wq | Wk | Wv, row
// by row, and a slice per projection.
// CHECK-LABEL: func.func @qkv(
// CHECK-SAME:      %[[X:.*]]: tensor<2x4xf32>
// CHECK:         %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 1.000000e+01, 1.100000e+01, 2.000000e+01, 2.100000e+01, 2.200000e+01, 2.300000e+01], [3.000000e+00, 4.000000e+00, 1.200000e+01, 1.300000e+01, 2.400000e+01
// CHECK-SAME:      tensor<4x8xf32>
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} -> tensor<2x8xf32>
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<2x4xf32>, tensor<4x8xf32>) outs(%[[F]] : tensor<2x8xf32>)
// CHECK-NOT:     linalg.matmul
// CHECK-DAG:     %[[Q:.*]] = tensor.extract_slice %[[M]][0, 0] [2, 2] [1, 1]
// CHECK-DAG:     %[[K:.*]] = tensor.extract_slice %[[M]][0, 2] [2, 2] [1, 1]
// CHECK-DAG:     %[[V:.*]] = tensor.extract_slice %[[M]][0, 4] [2, 4] [1, 1]
// CHECK:         return %[[Q]], %[[K]], %[[V]]
func.func @qkv(%x: tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>) {
  %wq = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %wk = arith.constant dense<[[10.0, 11.0], [12.0, 13.0], [14.0, 15.0], [16.0, 17.0]]> : tensor<4x2xf32>
  %wv = arith.constant dense<[[20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0], [28.0, 29.0, 30.0, 31.0], [32.0, 33.0, 34.0, 35.0]]> : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e4 = tensor.empty() : tensor<2x4xf32>
  %f4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<2x4xf32>, tensor<4x2xf32>) outs(%f2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %k = linalg.matmul ins(%x, %wk : tensor<2x4xf32>, tensor<4x2xf32>) outs(%f2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %v = linalg.matmul ins(%x, %wv : tensor<2x4xf32>, tensor<4x4xf32>) outs(%f4 : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %q, %k, %v : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>
}

// -----

// SwiGLU gate/up behind the importer's collapse_shape of the normed
// activation, large weights as resources (as the importer writes them): one
// matmul on a 16x48 resource, fused where the first projection stood.
// CHECK-LABEL: func.func @gate_up(
// CHECK:         %[[C:.*]] = tensor.collapse_shape
// CHECK:         %[[W:.*]] = arith.constant dense_resource<loom_fused_projection> : tensor<16x48xf32>
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[C]], %[[W]] : tensor<4x16xf32>, tensor<16x48xf32>)
// CHECK-NOT:     linalg.matmul
// CHECK:         tensor.extract_slice %[[M]][0, 0] [4, 24] [1, 1]
// CHECK:         tensor.extract_slice %[[M]][0, 24] [4, 24] [1, 1]
func.func @gate_up(%x: tensor<1x4x16xf32>) -> (tensor<4x24xf32>, tensor<4x24xf32>) {
  %wg = arith.constant dense<0.5> : tensor<16x24xf32>
  %wu = arith.constant dense<0.25> : tensor<16x24xf32>
  %zero = arith.constant 0.0 : f32
  %c = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x4x16xf32> into tensor<4x16xf32>
  %e = tensor.empty() : tensor<4x24xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x24xf32>) -> tensor<4x24xf32>
  %g = linalg.matmul ins(%c, %wg : tensor<4x16xf32>, tensor<16x24xf32>) outs(%f : tensor<4x24xf32>) -> tensor<4x24xf32>
  %u = linalg.matmul ins(%c, %wu : tensor<4x16xf32>, tensor<16x24xf32>) outs(%f : tensor<4x24xf32>) -> tensor<4x24xf32>
  return %g, %u : tensor<4x24xf32>, tensor<4x24xf32>
}

// -----

// Two groups on two activations: each is fused on its own.
// CHECK-LABEL: func.func @two_groups(
// CHECK-COUNT-2: linalg.matmul {{.*}} tensor<2x4xf32>) outs
// CHECK-NOT:     linalg.matmul
func.func @two_groups(%x: tensor<2x2xf32>, %y: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %w0 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %w1 = arith.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%y, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %c = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %d = linalg.matmul ins(%y, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b, %c, %d : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#col3 = affine_map<(d0, d1, d2) -> (d2)>

// Every projection followed by a bias add (through the importer's
// expand_shape, the bias on either side): one add of the concatenated bias on
// the fused result, then the slices, expanded as before.
// CHECK-LABEL: func.func @biases(
// CHECK:         %[[M:.*]] = linalg.matmul {{.*}} -> tensor<2x4xf32>
// CHECK:         %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK:         %[[A:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[B]] : tensor<2x4xf32>, tensor<4xf32>)
// CHECK:           arith.addf
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[A]][0, 0] [2, 2] [1, 1]
// CHECK:         %[[E0:.*]] = tensor.expand_shape %[[S0]] {{\[\[}}0, 1], [2]] output_shape [1, 2, 2]
// CHECK:         %[[S1:.*]] = tensor.extract_slice %[[A]][0, 2] [2, 2] [1, 1]
// CHECK:         %[[E1:.*]] = tensor.expand_shape %[[S1]]
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[E0]], %[[E1]]
func.func @biases(%x: tensor<2x2xf32>) -> (tensor<1x2x2xf32>, tensor<1x2x2xf32>) {
  %w0 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %w1 = arith.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %b0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b1 = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e3 = tensor.empty() : tensor<1x2x2xf32>
  %a = linalg.matmul ins(%x, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a3 = tensor.expand_shape %a [[0, 1], [2]] output_shape [1, 2, 2] : tensor<2x2xf32> into tensor<1x2x2xf32>
  %ab = linalg.generic {indexing_maps = [#id3, #col3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a3, %b0 : tensor<1x2x2xf32>, tensor<2xf32>) outs(%e3 : tensor<1x2x2xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<1x2x2xf32>
  %c = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %c3 = tensor.expand_shape %c [[0, 1], [2]] output_shape [1, 2, 2] : tensor<2x2xf32> into tensor<1x2x2xf32>
  %cb = linalg.generic {indexing_maps = [#col3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b1, %c3 : tensor<2xf32>, tensor<1x2x2xf32>) outs(%e3 : tensor<1x2x2xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<1x2x2xf32>
  return %ab, %cb : tensor<1x2x2xf32>, tensor<1x2x2xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col2 = affine_map<(d0, d1) -> (d1)>

// Only one projection has a bias add: the projections fuse, the add stays on
// its slice.
// CHECK-LABEL: func.func @negative_partial_bias(
// CHECK:         %[[M:.*]] = linalg.matmul {{.*}} -> tensor<2x4xf32>
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[M]][0, 0] [2, 2] [1, 1]
// CHECK:         linalg.generic {{.*}} ins(%[[S0]], %{{.*}} : tensor<2x2xf32>, tensor<2xf32>)
// CHECK:         tensor.extract_slice %[[M]][0, 2] [2, 2] [1, 1]
func.func @negative_partial_bias(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w0 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %w1 = arith.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %b0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %ab = linalg.generic {indexing_maps = [#id2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b0 : tensor<2x2xf32>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %c = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %ab, %c : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Two levels (a low-rank down projection whose result feeds two up
// projections, as in multi-head latent attention): the second group reads a
// slice of the first group's fused matmul.
// CHECK-LABEL: func.func @two_levels(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<2x2xf32>
// CHECK:         %[[M0:.*]] = linalg.matmul ins(%[[X]], %{{.*}} : tensor<2x2xf32>, tensor<2x4xf32>)
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[M0]][0, 0] [2, 2] [1, 1]
// CHECK:         %[[M1:.*]] = linalg.matmul ins(%[[S0]], %{{.*}} : tensor<2x2xf32>, tensor<2x4xf32>)
// CHECK-NOT:     linalg.matmul
func.func @two_levels(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %w0 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %w1 = arith.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %down = linalg.matmul ins(%x, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %side = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %k = linalg.matmul ins(%down, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %v = linalg.matmul ins(%down, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %side, %k, %v : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Different inputs: nothing shared, nothing fused.
// CHECK-LABEL: func.func @negative_different_inputs(
// CHECK-COUNT-2: linalg.matmul {{.*}} tensor<2x2xf32>) outs
// CHECK-NOT:     tensor.extract_slice
func.func @negative_different_inputs(%x: tensor<2x2xf32>, %y: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%y, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A weight that is an argument (not a constant): left alone.
// CHECK-LABEL: func.func @negative_non_constant_weight(
// CHECK-COUNT-2: linalg.matmul
// CHECK-NOT:     tensor.extract_slice
func.func @negative_non_constant_weight(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w1 = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A single projection: nothing to fuse.
// CHECK-LABEL: func.func @negative_single(
// CHECK:         linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<2x2xf32>)
// CHECK-NOT:     tensor.extract_slice
func.func @negative_single(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a : tensor<2x2xf32>
}

// -----

// Mismatched element types (an f16 weight next to an f32 one): left alone.
// CHECK-LABEL: func.func @negative_element_types(
// CHECK-COUNT-2: linalg.matmul
// CHECK-NOT:     tensor.extract_slice
func.func @negative_element_types(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w0 = arith.constant dense<1.0> : tensor<2x2xf32>
  %w1 = arith.constant dense<1.0> : tensor<2x2xf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w0 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf16>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Destinations that are not fresh fills (an accumulation into an argument)
// or filled with different constants: left alone.
// CHECK-LABEL: func.func @negative_destinations(
// CHECK-COUNT-3: linalg.matmul
// CHECK-NOT:     tensor.extract_slice
func.func @negative_destinations(%x: tensor<2x2xf32>, %acc: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %f1 = linalg.fill ins(%one : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f0 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %c = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f1 : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b, %c : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A transposed matmul (user-defined indexing maps): left alone.
// CHECK-LABEL: func.func @negative_transposed(
// CHECK-COUNT-2: linalg.matmul
// CHECK-NOT:     tensor.extract_slice
func.func @negative_transposed(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}
