// Every element type the ABI carries (f16, f64, i1, i8, i16, f32 as a
// rank-0 tensor, ui8) crosses the compiled library's boundary with the same
// bytes as loom-run's JIT gives, and the header declares them with the C
// types docs/Runtime.md lists. Arguments without `onnx.name` are arg<i> /
// result<i>.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; d='%t'; np.save(d+'/h.npy', np.array([0.5, -1.25, 3.0, 65504.0], np.float16)); np.save(d+'/d.npy', np.array([[1.5, -2.0], [1e100, 3.0]])); np.save(d+'/b.npy', np.array([True, False, True])); np.save(d+'/i8.npy', np.array([-128, -1, 0, 1, 126], np.int8)); np.save(d+'/i16.npy', np.array([-300, 1000], np.int16)); np.save(d+'/s.npy', np.array(2.5, np.float32)); np.save(d+'/u.npy', np.array([0, 200, 255], np.uint8))"
// RUN: loomc %s --entry main -o %t/out
// RUN: loom-run %s --entry main --input %t/h.npy --input %t/d.npy --input %t/b.npy --input %t/i8.npy --input %t/i16.npy --input %t/s.npy --input %t/u.npy --output-dir %t/jit
// RUN: loom-run %t/out --input %t/h.npy --input %t/d.npy --input %t/b.npy --input %t/i8.npy --input %t/i16.npy --input %t/s.npy --input %t/u.npy --output-dir %t/aot | FileCheck %s
// CHECK:      result0: 4 f16
// CHECK-NEXT: result1: 2x2 f64
// CHECK-NEXT: result2: 3 bool
// CHECK-NEXT: result3: 5 i8
// CHECK-NEXT: result4: 2 i16
// CHECK-NEXT: result5: scalar f32
// CHECK-NEXT: result6: 3 u8
// RUN: cmp %t/jit/result0.npy %t/aot/result0.npy
// RUN: cmp %t/jit/result1.npy %t/aot/result1.npy
// RUN: cmp %t/jit/result2.npy %t/aot/result2.npy
// RUN: cmp %t/jit/result3.npy %t/aot/result3.npy
// RUN: cmp %t/jit/result4.npy %t/aot/result4.npy
// RUN: cmp %t/jit/result5.npy %t/aot/result5.npy
// RUN: cmp %t/jit/result6.npy %t/aot/result6.npy
// RUN: %python -c "import numpy as np; d='%t/aot/'; assert np.load(d+'result0.npy').tolist() == [1.0, -2.5, 6.0, np.inf]; assert np.load(d+'result2.npy').tolist() == [False, True, False]; assert np.load(d+'result3.npy').tolist() == [-127, 0, 1, 2, 127]; assert np.load(d+'result5.npy') == -2.5; assert np.load(d+'result6.npy').tolist() == [0, 200, 255]"

// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/out/model.h
// HEADER:      /* Input 2: "arg2", bool[3] (numpy bool), one byte per element, 0 or 1 */
// HEADER:      /* Input 5: "arg5", float (numpy float32) */
// HEADER:      #define MODEL_INPUT5_RANK 0
// HEADER-NEXT: #define MODEL_INPUT5_NUM_ELEMENTS 1
// HEADER:      int32_t model_run(const uint16_t *arg0, const double *arg1, const bool *arg2, const int8_t *arg3, const int16_t *arg4, const float *arg5, const uint8_t *arg6, uint16_t *result0, double *result1, bool *result2, int8_t *result3, int16_t *result4, float *result5, uint8_t *result6);
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t/out/manifest.json
// Inputs, then outputs:
// MANIFEST: "dtype": "float16"
// MANIFEST: "dtype": "float64"
// MANIFEST: "dtype": "bool"
// MANIFEST: "dtype": "int8"
// MANIFEST: "dtype": "int16"
// MANIFEST: "dtype": "float32"
// MANIFEST: "dtype": "uint8"
// MANIFEST: "dtype": "float16"
// MANIFEST: "dtype": "float64"
// MANIFEST: "dtype": "bool"
// MANIFEST: "dtype": "int8"
// MANIFEST: "dtype": "int16"
// MANIFEST: "dtype": "float32"
// MANIFEST: "dtype": "uint8"
// RUN: echo '#include "model.h"' | clang -x c -std=c99 -pedantic -fsyntax-only -Wall -Wextra -Werror -I%t/out -

// A function that updates its argument in place on tensors: the library must
// not write into the caller's `const` input (loom-run checks that the input
// bytes are unchanged after the call) and still returns the right result.
// RUN: loomc %s --entry in_place -o %t/in_place
// RUN: loom-run %t/in_place --input %t/d.npy --output-dir %t/in_place_res
// RUN: %python -c "import numpy as np; d=np.load('%t/d.npy'); assert (np.load('%t/in_place_res/result0.npy') == d + d).all()"

#map = affine_map<(d0) -> (d0)>
func.func @main(%h: tensor<4xf16>, %d: tensor<2x2xf64>, %b: tensor<3xi1>,
                %i8: tensor<5xi8>, %i16: tensor<2xi16>, %s: tensor<f32>,
                %u: tensor<3xui8>)
    -> (tensor<4xf16>, tensor<2x2xf64>, tensor<3xi1>, tensor<5xi8>,
        tensor<2xi16>, tensor<f32>, tensor<3xui8>) {
  %eh = tensor.empty() : tensor<4xf16>
  %h2 = linalg.add ins(%h, %h : tensor<4xf16>, tensor<4xf16>) outs(%eh : tensor<4xf16>) -> tensor<4xf16>
  %ed = tensor.empty() : tensor<2x2xf64>
  %d2 = linalg.mul ins(%d, %d : tensor<2x2xf64>, tensor<2x2xf64>) outs(%ed : tensor<2x2xf64>) -> tensor<2x2xf64>
  %eb = tensor.empty() : tensor<3xi1>
  %nb = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%b : tensor<3xi1>) outs(%eb : tensor<3xi1>) {
  ^bb0(%in: i1, %out: i1):
    %true = arith.constant true
    %x = arith.xori %in, %true : i1
    linalg.yield %x : i1
  } -> tensor<3xi1>
  %e8 = tensor.empty() : tensor<5xi8>
  %p8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%i8 : tensor<5xi8>) outs(%e8 : tensor<5xi8>) {
  ^bb0(%in: i8, %out: i8):
    %one = arith.constant 1 : i8
    %x = arith.addi %in, %one : i8
    linalg.yield %x : i8
  } -> tensor<5xi8>
  %e16 = tensor.empty() : tensor<2xi16>
  %t16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%i16 : tensor<2xi16>) outs(%e16 : tensor<2xi16>) {
  ^bb0(%in: i16, %out: i16):
    %three = arith.constant 3 : i16
    %x = arith.muli %in, %three : i16
    linalg.yield %x : i16
  } -> tensor<2xi16>
  %es = tensor.empty() : tensor<f32>
  %ns = linalg.negf ins(%s : tensor<f32>) outs(%es : tensor<f32>) -> tensor<f32>
  return %h2, %d2, %nb, %p8, %t16, %ns, %u
      : tensor<4xf16>, tensor<2x2xf64>, tensor<3xi1>, tensor<5xi8>,
        tensor<2xi16>, tensor<f32>, tensor<3xui8>
}

// One-shot bufferization would write d + d into %d's buffer if it could.
func.func @in_place(%d: tensor<2x2xf64>) -> tensor<2x2xf64> {
  %r = linalg.add ins(%d, %d : tensor<2x2xf64>, tensor<2x2xf64>) outs(%d : tensor<2x2xf64>) -> tensor<2x2xf64>
  return %r : tensor<2x2xf64>
}
