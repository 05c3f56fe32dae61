// A run-time error in compiled code (appending 2 tokens to a 4-entry KV cache
// that holds 3) is returned by the library's entry points as
// LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED; loom-run reports it like the JIT
// does (test/Integration/KV/capacity-error.mlir), with exit status 1.
//
// RUN: rm -rf %t && mkdir -p %t && %python -m kv_reference capacity %t/in
// RUN: loomc %s --entry main --name bad -o %t/bad
// RUN: loomc %s --entry fits --name fits -o %t/fits
// RUN: not loom-run %t/bad --input %t/in/in_0.npy --input %t/in/in_1.npy \
// RUN:   --input %t/in/in_2.npy --input %t/in/in_3.npy 2>&1 | FileCheck %s
// CHECK: error: runtime error: loom.kv.append: appending past the KV cache capacity
// RUN: loom-run %t/fits --input %t/in/in_0.npy --input %t/in/in_1.npy \
// RUN:   --input %t/in/in_2.npy --input %t/in/in_3.npy --output-dir %t/res \
// RUN:   | FileCheck %s --check-prefix=FITS
// FITS: result0: 1 i64
// RUN: %python -c "import numpy as np; assert np.load('%t/res/result0.npy').tolist() == [5]"
//
// From C, with both libraries linked into one program.
// RUN: clang -std=c99 -Wall -Wextra -Werror -I%t/bad -I%t/fits \
// RUN:   %S/Inputs/call_kv.c %t/bad/bad.so %t/fits/fits.so \
// RUN:   -Wl,-rpath,%t/bad -Wl,-rpath,%t/fits -o %t/call_kv
// RUN: %t/call_kv | FileCheck %s --check-prefix=C
// C-COUNT-2: bad_run: 1 capacity (loom.kv.append: appending past the KV cache capacity (nothing was written))
// C-NEXT:    fits_run: 0 (no error), length 5
// C-NOT:     bad_run: 0

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
