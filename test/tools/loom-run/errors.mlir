// Bad invocations get one clear error line and exit status 1, never a crash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/v3.npy', np.zeros(3, np.float32)); np.save('%t/v4i.npy', np.zeros(4, np.int32)); open('%t/bad.npy','w').write('hello'); open('%t/trunc.npy','wb').write(open('%t/v3.npy','rb').read()[:-2])"
// RUN: not loom-run %s --entry @missing 2>&1 | FileCheck %s --check-prefix=NOFN
// RUN: not loom-run %s 2>&1 | FileCheck %s --check-prefix=AMBIG
// RUN: not loom-run %s --entry neg 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not loom-run %s --entry neg --input %t/v3.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not loom-run %s --entry neg --input %t/v4i.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not loom-run %s --entry neg --input %t/bad.npy 2>&1 | FileCheck %s --check-prefix=MAGIC
// RUN: not loom-run %s --entry neg --input %t/trunc.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// RUN: not loom-run %s --entry neg --input %t/nonexistent.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not loom-run %s --entry scalar --random-seed 1 2>&1 | FileCheck %s --check-prefix=SCALAR
// RUN: not loom-run %s --entry ints --random-seed 1 2>&1 | FileCheck %s --check-prefix=INTS
// RUN: not loom-run %s --entry neg --random-seed 1 --compare %t/v3.npy 2>&1 | FileCheck %s --check-prefix=REFSHAPE
// RUN: not loom-run %s --entry neg --random-seed 1 --compare %t/v3.npy --compare %t/v3.npy 2>&1 | FileCheck %s --check-prefix=REFCOUNT

// NOFN: error: no function @missing with a body in the module
// AMBIG: error: cannot pick the function to run: pass --entry
// COUNT: error: @neg takes 1 arguments but 0 inputs were given (pass --input for each, or --random-seed to fill float arguments)
// SHAPE: error: input 0 is 3 f32 but argument 0 of @neg is tensor<4xf32>
// DTYPE: error: input 0 is 4 i32 but argument 0 of @neg is tensor<4xf32>
// MAGIC: error: {{.*}}bad.npy: not a .npy file (bad magic)
// TRUNC: error: {{.*}}trunc.npy: data size 10 bytes does not match shape 3 of f32 (12 bytes)
// NOFILE: error: {{.*}}nonexistent.npy: cannot read:
// SCALAR: error: @scalar argument 0 has type f32; loom-run passes only statically shaped tensors
// INTS: error: argument 0 is not a float tensor: it needs --input
// REFSHAPE: result0: shape 4 does not match reference v3.npy shape 3: FAIL
// REFCOUNT: error: 2 references given but @neg has 1 results

func.func @neg(%a: tensor<4xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %r = linalg.negf ins(%a : tensor<4xf32>) outs(%init : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

func.func @scalar(%a: f32) -> f32 {
  return %a : f32
}

func.func @ints(%a: tensor<4xi32>) -> tensor<4xi32> {
  return %a : tensor<4xi32>
}
