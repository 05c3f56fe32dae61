// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s -mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of every form of the token ops (custom and generic syntax).

// CHECK-LABEL: func.func @score
// CHECK: loom.token.score cls_attention %{{.*}} : tensor<2x4x17x17xf32> -> tensor<2x17xf32>
// CHECK: loom.token.score attention_received %{{.*}} : tensor<2x4x17x17xf32> -> tensor<2x17xf32>
// CHECK: loom.token.score l2norm %{{.*}} : tensor<2x17x64xf16> -> tensor<2x17xf32>
func.func @score(%p: tensor<2x4x17x17xf32>, %x: tensor<2x17x64xf16>)
    -> (tensor<2x17xf32>, tensor<2x17xf32>, tensor<2x17xf32>) {
  %a = loom.token.score cls_attention %p : tensor<2x4x17x17xf32> -> tensor<2x17xf32>
  %b = loom.token.score attention_received %p : tensor<2x4x17x17xf32> -> tensor<2x17xf32>
  %c = loom.token.score l2norm %x : tensor<2x17x64xf16> -> tensor<2x17xf32>
  return %a, %b, %c : tensor<2x17xf32>, tensor<2x17xf32>, tensor<2x17xf32>
}

// CHECK-LABEL: func.func @prune
// CHECK: loom.token.prune %{{.*}}, %{{.*}} {keep = 5 : i64, pinned = array<i64: 0>}
// CHECK-SAME: -> tensor<2x5x8xf32>, tensor<2x5xi64>
// CHECK: loom.token.prune %{{.*}}, %{{.*}} {keep_ratio = 5.000000e-01 : f32}
// CHECK-SAME: -> tensor<2x6x8xf32>, tensor<2x6xi64>
func.func @prune(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>)
    -> (tensor<2x5x8xf32>, tensor<2x6xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: 0>}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  %k2, %i2 = loom.token.prune %x, %s {keep_ratio = 0.5 : f32}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x6x8xf32>, tensor<2x6xi64>
  return %k, %i2 : tensor<2x5x8xf32>, tensor<2x6xi64>
}

// Dynamic dimensions are accepted by the verifier.
// CHECK-LABEL: func.func @prune_dynamic
// CHECK: loom.token.prune {{.*}} : tensor<?x?x8xf32>, tensor<?x?xf32> -> tensor<?x?x8xf32>, tensor<?x?xi64>
func.func @prune_dynamic(%x: tensor<?x?x8xf32>, %s: tensor<?x?xf32>) -> tensor<?x?x8xf32> {
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.5 : f32}
      : tensor<?x?x8xf32>, tensor<?x?xf32> -> tensor<?x?x8xf32>, tensor<?x?xi64>
  return %k : tensor<?x?x8xf32>
}

// CHECK-LABEL: func.func @merge
// CHECK: loom.token.merge %{{.*}} {r = 4 : i64} : (tensor<2x16x8xf32>)
// CHECK: loom.token.merge %{{.*}} keys(%{{.*}}) sizes(%{{.*}}) {r = 4 : i64}
// CHECK-SAME: -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
// CHECK: loom.token.merge %{{.*}} {protect_first, r = 7 : i64}
func.func @merge(%x: tensor<2x16x8xf32>, %k: tensor<2x16x4xf32>, %s: tensor<2x16xf32>)
    -> (tensor<2x12x8xf32>, tensor<2x12xf32>) {
  %m, %sz, %src = loom.token.merge %x {r = 4}
      : (tensor<2x16x8xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  %m2, %sz2, %src2 = loom.token.merge %x keys(%k) sizes(%s) {r = 4}
      : (tensor<2x16x8xf32>, tensor<2x16x4xf32>, tensor<2x16xf32>)
      -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  %m3, %sz3, %src3 = loom.token.merge %x {r = 7, protect_first}
      : (tensor<2x16x8xf32>) -> (tensor<2x9x8xf32>, tensor<2x9xf32>, tensor<2x16xi64>)
  return %m, %sz2 : tensor<2x12x8xf32>, tensor<2x12xf32>
}

// CHECK-LABEL: func.func @restore
// CHECK: loom.token.restore %{{.*}} indices(%{{.*}}) :
// CHECK: loom.token.restore %{{.*}} indices(%{{.*}}) fill(%{{.*}}) :
// CHECK: loom.token.restore %{{.*}} source(%{{.*}}) :
func.func @restore(%k: tensor<2x7x8xf32>, %i: tensor<2x7xi64>, %f: tensor<2x12x8xf32>,
                   %m: tensor<2x9x8xf32>, %src: tensor<2x12xi64>)
    -> (tensor<2x12x8xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>) {
  %a = loom.token.restore %k indices(%i)
      : (tensor<2x7x8xf32>, tensor<2x7xi64>) -> tensor<2x12x8xf32>
  %b = loom.token.restore %k indices(%i) fill(%f)
      : (tensor<2x7x8xf32>, tensor<2x7xi64>, tensor<2x12x8xf32>) -> tensor<2x12x8xf32>
  %c = loom.token.restore %m source(%src)
      : (tensor<2x9x8xf32>, tensor<2x12xi64>) -> tensor<2x12x8xf32>
  return %a, %b, %c : tensor<2x12x8xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>
}
