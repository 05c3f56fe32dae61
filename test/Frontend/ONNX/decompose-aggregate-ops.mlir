// loom-decompose-aggregate-ops (part of loom-cpu-pipeline) rewrites the
// linalg.softmax that the ONNX importer emits for Softmax into linalg.generic
// chains, since convert-linalg-to-loops cannot lower linalg.softmax. Numbers are
// checked end to end by ops.test and test/Models (Softmax vs onnxruntime/PyTorch).
// RUN: loom-opt %s --loom-decompose-aggregate-ops | FileCheck %s

// CHECK-LABEL: func.func @softmax
// CHECK-NOT:     linalg.softmax
// CHECK:         linalg.generic
// CHECK:           arith.maxnumf
// CHECK:         linalg.generic
// CHECK:           arith.subf
// CHECK:           math.exp
// CHECK:         linalg.generic
// CHECK:           arith.addf
// CHECK:         linalg.generic
// CHECK:           arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %e = tensor.empty() : tensor<2x5xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<2x5xf32>) outs(%e : tensor<2x5xf32>) -> tensor<2x5xf32>
  return %s : tensor<2x5xf32>
}

// Ops without an aggregate decomposition are left alone.
// CHECK-LABEL: func.func @negative_matmul
// CHECK:         linalg.matmul
func.func @negative_matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}
