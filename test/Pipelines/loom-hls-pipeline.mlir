// loom-hls-pipeline: loom ops on tensors to EmitC; invalid options are
// errors before anything runs.
// RUN: loom-opt %s --loom-hls-pipeline | FileCheck %s
// RUN: not loom-opt %s --loom-hls-pipeline="precision=fixed<8>" 2>&1 | FileCheck %s --check-prefix=PREC
// RUN: not loom-opt %s --loom-hls-pipeline="ii=0" 2>&1 | FileCheck %s --check-prefix=II
// RUN: not loom-opt %s --loom-hls-pipeline="overflow=none" 2>&1 | FileCheck %s --check-prefix=OVER

// CHECK: emitc.verbatim "typedef float data_t;"
// CHECK: emitc.func @attn
// CHECK-NOT: memref.
// CHECK-NOT: linalg.
// PREC: loom-hls-pipeline: precision must be float or fixed<W,I>, not 'fixed<8>'
// II: loom-hls-pipeline: ii must be at least 1
// OVER: loom-hls-pipeline: overflow must be sat or wrap, not 'none'
func.func @attn(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %o = loom.attention %q, %k, %v
      : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}
