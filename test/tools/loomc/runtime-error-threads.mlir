// A run-time error that depends on the input: the loop appends one token per
// step to a 4-entry cache, so more than 4 steps report
// LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED. Each call starts with a clear error
// slot, and the slot is thread-local (Inputs/call_threads.c).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/n3.npy', np.array([3])); np.save('%t/n6.npy', np.array([6])); np.save('%t/k.npy', np.ones((1, 1, 1, 2), np.float32))"
// RUN: loomc %s --name decode -o %t/out
// RUN: loom-run %t/out --input steps=%t/n3.npy --input k=%t/k.npy --compare length=%t/n3.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=FITS
// FITS: length: 1 i64 vs n3.npy: {{.*}}: ok
// RUN: not loom-run %t/out --input steps=%t/n6.npy --input k=%t/k.npy 2>&1 | FileCheck %s --check-prefix=ERROR
// ERROR: error: runtime error: loom.kv.append: appending past the KV cache capacity
// RUN: clang -std=c99 -Wall -Wextra -Werror -pthread -I%t/out %S/Inputs/call_threads.c \
// RUN:   %t/out/decode.so -Wl,-rpath,%t/out -o %t/call_threads
// RUN: %t/call_threads | FileCheck %s
// CHECK:      6 steps: error as expected
// CHECK-NEXT: then 3 steps: ok
// CHECK-NEXT: 4 threads x 500 calls: 0 wrong results

!cache = !loom.kv_cache<1x1x4x2xf32>

func.func @main(%n: tensor<1xi64> {onnx.name = "steps"},
                %k: tensor<1x1x1x2xf32> {onnx.name = "k"})
    -> (tensor<1xi64> {onnx.name = "length"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %ni = tensor.extract %n[%c0] : tensor<1xi64>
  %steps = arith.index_cast %ni : i64 to index
  %empty = loom.kv.init : !cache
  %cache = scf.for %t = %c0 to %steps step %c1 iter_args(%c = %empty) -> (!cache) {
    %next = loom.kv.append %c, %k, %k : !cache, tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>
    scf.yield %next : !cache
  }
  %len = loom.kv.length %cache : !cache -> tensor<1xi64>
  return %len : tensor<1xi64>
}
