// Every diagnostic of loom-insert-kv-cache, one case per file (split-file),
// each with the options that trigger it.
// RUN: rm -rf %t && split-file %s %t
// RUN: loom-opt %t/capacity.mlir "--loom-insert-kv-cache=capacity=0" -verify-diagnostics
// RUN: loom-opt %t/prompt.mlir "--loom-insert-kv-cache=prompt-length=0" -verify-diagnostics
// RUN: loom-opt %t/prompt-capacity.mlir "--loom-insert-kv-cache=prompt-length=9 capacity=8" -verify-diagnostics
// RUN: loom-opt %t/prompt-table.mlir "--loom-insert-kv-cache=prompt-length=9 capacity=16" -verify-diagnostics
// RUN: loom-opt %t/no-attention.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/non-causal.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/constant-keys.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/mask.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/reduction.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/index.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/merged.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/unknown-op.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/moe-capacity.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/two-args.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/existing.mlir --loom-insert-kv-cache -verify-diagnostics

// RUN: loom-opt %t/function.mlir "--loom-insert-kv-cache=function=decoder" -verify-diagnostics
// RUN: loom-opt %t/key-scores.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/captured.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/slice-tokens.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/concat-tokens.mlir --loom-insert-kv-cache -verify-diagnostics
// RUN: loom-opt %t/dropped-tokens.mlir --loom-insert-kv-cache -verify-diagnostics
//--- capacity.mlir
// capacity < 1
// expected-error @+1 {{loom-insert-kv-cache: capacity must be at least 1 (got 0)}}
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- prompt.mlir
// P < 1
// expected-error @+1 {{loom-insert-kv-cache: prompt-length must be at least 1 (got 0)}}
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- prompt-capacity.mlir
// P > capacity
// expected-error @+1 {{loom-insert-kv-cache: prompt-length 9 exceeds the cache capacity 8}}
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- prompt-table.mlir
// P > S with a position-dependent table
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-insert-kv-cache: prompt-length 9 exceeds the sequence length 8 this position-dependent constant covers}}
  %cos = arith.constant dense<[[[[1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5], [0.25, 0.25, 0.25, 0.25], [0.0, 0.0, 0.0, 0.0], [-0.25, -0.25, -0.25, -0.25], [-0.5, -0.5, -0.5, -0.5], [-0.75, -0.75, -0.75, -0.75], [-1.0, -1.0, -1.0, -1.0]]]]> : tensor<1x1x8x4xf32>
  %r = loom.rope %q, %cos, %cos : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  %o = loom.attention %r, %r, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- no-attention.mlir
// no attention
// expected-error @+1 {{loom-insert-kv-cache: no causal loom.attention over the token sequence (run loom-raise-attention first)}}
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  return %q : tensor<1x1x8x4xf32>
}

//--- non-causal.mlir
// non-causal attention
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-insert-kv-cache: non-causal attention over the token sequence cannot be computed incrementally}}
  %o = loom.attention %q, %q, %q : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- constant-keys.mlir
// keys from a constant (cross-attention on a fixed memory)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %mem = arith.constant dense<1.0> : tensor<1x1x8x4xf32>
  // expected-error @+1 {{loom-insert-kv-cache: attention whose keys do not come from the token sequence}}
  %o = loom.attention %q, %mem, %mem {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- mask.mlir
// attention with a mask
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %m = arith.constant dense<0.0> : tensor<1x1x8x8xf32>
  // expected-error @+1 {{loom-insert-kv-cache: attention with an explicit mask is not supported}}
  %o = loom.attention %q, %q, %q mask(%m) {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x8xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- reduction.mlir
// a reduction over the tokens (a mean over the sequence)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %z = tensor.empty() : tensor<1x4xf32>
  // expected-error @+1 {{loom-insert-kv-cache: the op reduces over the token axis (loop 1), which mixes tokens outside loom.attention}}
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<1x8x4xf32>) outs(%z : tensor<1x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %in, %acc : f32
    linalg.yield %a : f32
  } -> tensor<1x4xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- index.mlir
// a computation reading the token position (positions computed in the graph)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  // expected-error @+1 {{loom-insert-kv-cache: the op reads the token position (linalg.index 1); position-dependent computations are not supported}}
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %p = linalg.index 1 : index
    %pi = arith.index_cast %p : index to i64
    %s = arith.addi %in, %pi : i64
    %f = arith.sitofp %s : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- merged.mlir
// the token axis merged with heads
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %x8 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 2, 2] : tensor<1x8x4xf32> into tensor<1x8x2x2xf32>
  // expected-error @+1 {{loom-insert-kv-cache: the token axis is merged with another non-unit dimension}}
  %m = tensor.collapse_shape %x8 [[0], [1, 2], [3]] : tensor<1x8x2x2xf32> into tensor<1x16x2xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- unknown-op.mlir
// an op the propagation does not know
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-insert-kv-cache: cannot propagate the token axis through 'tensor.cast'}}
  %c = tensor.cast %q : tensor<1x1x8x4xf32> to tensor<?x1x8x4xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- moe-capacity.mlir
// MoE with a capacity factor
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %c = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x8x4xf32> into tensor<8x4xf32>
  %wg = arith.constant dense<1.0> : tensor<4x2xf32>
  %w1 = arith.constant dense<1.0> : tensor<2x4x8xf32>
  %w2 = arith.constant dense<1.0> : tensor<2x8x4xf32>
  %w3 = arith.constant dense<1.0> : tensor<2x4x8xf32>
  // expected-error @+1 {{loom-insert-kv-cache: loom.moe.ffn with a capacity factor drops tokens depending on how many are routed together; prefill and decode would differ from the full sequence}}
  %y, %d = loom.moe.ffn %c, %wg weights(%w1, %w2, %w3) {k = 1, capacity_factor = 1.0} : (tensor<8x4xf32>, tensor<4x2xf32>, tensor<2x4x8xf32>, tensor<2x8x4xf32>, tensor<2x4x8xf32>) -> (tensor<8x4xf32>, tensor<i64>)
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- two-args.mlir
// more arguments than the token ids
// expected-error @+1 {{loom-insert-kv-cache: the function must take exactly one argument, the token ids [B, S] (it takes 2)}}
func.func @main(%ids: tensor<1x8xi64>, %mask: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- existing.mlir
// a @prefill already there
func.func private @prefill()
// expected-error @+1 {{loom-insert-kv-cache: the module already has a symbol @prefill}}
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- function.mlir
// a function option naming no function
// expected-error @+1 {{loom-insert-kv-cache: no function @decoder with a body}}
module {
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}
}

//--- key-scores.mlir
// attention returning key scores (their length would be the capacity)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-insert-kv-cache: attention returning key scores is not supported}}
  %o, %s = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> (tensor<1x1x8x4xf32>, tensor<1x1x8xf32>)
  return %o : tensor<1x1x8x4xf32>
}

//--- captured.mlir
// a token value read inside a region (a fixed token picked by index)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %z = tensor.empty() : tensor<1x4xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%z : tensor<1x4xf32>) {
  ^bb0(%out: f32):
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    // expected-error @+1 {{loom-insert-kv-cache: a value carrying the token axis is used inside the region of 'linalg.generic'}}
    %v = tensor.extract %x[%c0, %c3, %c0] : tensor<1x8x4xf32>
    linalg.yield %v : f32
  } -> tensor<1x4xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- slice-tokens.mlir
// a slice of some tokens (the last token's state)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-insert-kv-cache: tensor.extract_slice along the token axis}}
  %last = tensor.extract_slice %q[0, 0, 7, 0] [1, 1, 1, 4] [1, 1, 1, 1] : tensor<1x1x8x4xf32> to tensor<1x1x1x4xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- concat-tokens.mlir
// a concatenation along the tokens
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  // expected-error @+1 {{loom-insert-kv-cache: tensor.concat along the token axis}}
  %c = tensor.concat dim(2) %q, %q : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x16x4xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

//--- dropped-tokens.mlir
// a parallel token loop that no result keeps (the last token wins)
func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x1x8x4xf32> {
  %e = tensor.empty() : tensor<1x8x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e : tensor<1x8x4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %f = arith.sitofp %in : i64 to f32
    linalg.yield %f : f32
  } -> tensor<1x8x4xf32>
  %x4 = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<1x8x4xf32> into tensor<1x8x1x4xf32>
  %et = tensor.empty() : tensor<1x1x8x4xf32>
  %q = linalg.transpose ins(%x4 : tensor<1x8x1x4xf32>) outs(%et : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %z = tensor.empty() : tensor<1x4xf32>
  // expected-error @+1 {{loom-insert-kv-cache: init #0 is not indexed by the token loop}}
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x8x4xf32>) outs(%z : tensor<1x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    linalg.yield %in : f32
  } -> tensor<1x4xf32>
  %o = loom.attention %q, %q, %q {causal} : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %o : tensor<1x1x8x4xf32>
}

