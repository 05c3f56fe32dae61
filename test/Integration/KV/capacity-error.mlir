// Appending 2 tokens to a 4-entry cache that holds 3 is a run-time error
// reported through loom_runtime_error(1); loom-run turns it into exit code 1.
//
// RUN: rm -rf %t && %python -m kv_reference capacity %t
// RUN: not loom-run %s --entry main --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --input %t/in_3.npy 2>&1 | FileCheck %s
// CHECK: error: runtime error: loom.kv.append: appending past the KV cache capacity
//
// The same appends within the capacity run cleanly.
// RUN: loom-run %s --entry fits --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --input %t/in_3.npy | FileCheck %s --check-prefix=FITS
// FITS: result0: 1 i64

!small = !loom.kv_cache<1x2x4x4xf32>
!large = !loom.kv_cache<1x2x5x4xf32>

func.func @main(%k1: tensor<1x2x3x4xf32>, %v1: tensor<1x2x3x4xf32>,
                %k2: tensor<1x2x2x4xf32>, %v2: tensor<1x2x2x4xf32>)
    -> tensor<1xi64> {
  %c0 = loom.kv.init : !small
  %c1 = loom.kv.append %c0, %k1, %v1 : !small, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
  %c2 = loom.kv.append %c1, %k2, %v2 : !small, tensor<1x2x2x4xf32>, tensor<1x2x2x4xf32>
  %n = loom.kv.length %c2 : !small -> tensor<1xi64>
  return %n : tensor<1xi64>
}

func.func @fits(%k1: tensor<1x2x3x4xf32>, %v1: tensor<1x2x3x4xf32>,
                %k2: tensor<1x2x2x4xf32>, %v2: tensor<1x2x2x4xf32>)
    -> tensor<1xi64> {
  %c0 = loom.kv.init : !large
  %c1 = loom.kv.append %c0, %k1, %v1 : !large, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
  %c2 = loom.kv.append %c1, %k2, %v2 : !large, tensor<1x2x2x4xf32>, tensor<1x2x2x4xf32>
  %n = loom.kv.length %c2 : !large -> tensor<1xi64>
  return %n : tensor<1xi64>
}
