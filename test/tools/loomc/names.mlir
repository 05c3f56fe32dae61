// ONNX value names can be anything. In the header they appear only inside
// escaped string literals (also in comments, where "*/" must not end the
// comment and "??/" must not become a trigraph); the parameters get safe C
// names (macros of <stdint.h>, typedef names and keywords are avoided), which
// the manifest records. The header compiles as strict C99 with trigraphs and
// as C++; loom-run addresses the inputs by their real names.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loomc %s -o %t/out
// RUN: FileCheck %s --input-file=%t/out/model.h
// CHECK: #define MODEL_INPUT0_NAME "INT32_MAX"
// CHECK: #define MODEL_INPUT1_NAME "int32_t"
// CHECK: /* Input 2: "x*\057 y", float[2] (numpy float32) */
// CHECK: #define MODEL_INPUT3_NAME "0start"
// CHECK: #define MODEL_OUTPUT0_NAME "class"
// CHECK: #define MODEL_OUTPUT1_NAME "a\"b\\c\?\?/\303\251"
// CHECK: int32_t model_run(const float *int32_max, const float *int32_t_, const float *x___y, const float *t_0start, float *class_, float *a_b_c_____);
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t/out/manifest.json
// MANIFEST: "name": "x*/ y",
// MANIFEST-NEXT: "c_name": "x___y",
// MANIFEST: "name": "a\"b\\c??/é",
// RUN: echo '#include "model.h"' | clang -x c -std=c99 -trigraphs -pedantic -fsyntax-only -Wall -Wextra -Werror -I%t/out -
// RUN: echo '#include "model.h"' | clang++ -x c++ -std=c++17 -fsyntax-only -Wall -Wextra -Werror -I%t/out -
// RUN: %python -c "import numpy as np; [np.save('%t/%%d.npy' %% i, np.full(2, i, np.float32)) for i in range(4)]"
// RUN: loom-run %t/out --input "x*/ y=%t/2.npy" --input 0start=%t/3.npy --input int32_t=%t/1.npy --input INT32_MAX=%t/0.npy --output-dir %t/res | FileCheck %s --check-prefix=LIST
// RUN: ls %t/res | FileCheck %s --check-prefix=FILES
// RUN: %python -c "import numpy as np; assert np.load('%t/res/class.npy').tolist() == [1.0, 1.0]; assert np.load('%t/res/a_b_c_____.npy').tolist() == [5.0, 5.0]"
// LIST:      class: 2 f32
// LIST-NEXT: a"b\c??/é: 2 f32
// FILES: a_b_c_____.npy
// FILES: class.npy

func.func @main(%a: tensor<2xf32> {onnx.name = "INT32_MAX"},
                %b: tensor<2xf32> {onnx.name = "int32_t"},
                %c: tensor<2xf32> {onnx.name = "x*/ y"},
                %d: tensor<2xf32> {onnx.name = "0start"})
    -> (tensor<2xf32> {onnx.name = "class"},
        tensor<2xf32> {onnx.name = "a\"b\\c??/\C3\A9"}) {
  %e = tensor.empty() : tensor<2xf32>
  %r = linalg.sub ins(%b, %a : tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %s = linalg.add ins(%c, %d : tensor<2xf32>, tensor<2xf32>) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  return %r, %s : tensor<2xf32>, tensor<2xf32>
}
