// loom-skip-layers' invalid options and inputs: one error each, before the
// model is touched. Also through loomc --skip-layers.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/skip_check.py calib %t/calibration 4x8
// RUN: %python %S/Inputs/skip_check.py calib %t/wrong-shape 4x4
//
// RUN: not loom-opt %s "--loom-skip-layers=metric=l2 count=1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=METRIC
// METRIC: error: loom-skip-layers: metric must be cosine, not 'l2'
// RUN: not loom-opt %s "--loom-skip-layers=granularity=layer count=1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=GRAN
// GRAN: error: loom-skip-layers: granularity must be attention, mlp or block, not 'layer'
// RUN: not loom-opt %s "--loom-skip-layers=calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NEITHER
// RUN: not loom-opt %s "--loom-skip-layers=count=1 threshold=0.9 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NEITHER
// NEITHER: error: loom-skip-layers: exactly one of threshold and count must be given
// RUN: not loom-opt %s "--loom-skip-layers=threshold=1.5 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=THRESH
// THRESH: error: loom-skip-layers: threshold must be in [-1, 1], not 1.5
// RUN: not loom-opt %s "--loom-skip-layers=count=-3 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: loom-skip-layers: count must be non-negative, not -3
// RUN: not loom-opt %s "--loom-skip-layers=count=1" 2>&1 | FileCheck %s --check-prefix=NOCALIB
// NOCALIB: error: loom-skip-layers: calibration is required (a directory of .npy model inputs)
//
// Inputs the pass cannot use.
// RUN: not loom-opt %s "--loom-skip-layers=granularity=mlp count=1 calibration=%t/missing" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: calibration directory '{{.*}}missing' does not exist
// RUN: not loom-opt %s "--loom-skip-layers=granularity=mlp count=1 calibration=%t/wrong-shape" 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: calibration input '{{.*}}x.npy' has shape 4x4x4; the model takes 4x8 (or a stack of them)
// RUN: not loom-opt %s "--loom-skip-layers=granularity=mlp count=2 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=TOOMANY
// TOOMANY: error: loom-skip-layers: count=2 but the function has only 1 mlp sublayers
// RUN: not loom-opt %s "--loom-skip-layers=granularity=attention count=1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: error: loom-skip-layers: found no attention sublayers (residual adds x + f(x) whose branch f holds a loom attention op
// RUN: not loom-opt %s "--loom-skip-layers=count=1 calibration=%t/calibration" 2>&1 | FileCheck %s --check-prefix=NOBLOCK
// NOBLOCK: error: loom-skip-layers: found no blocks
//
// loomc reports the pass's option errors as invalid options.
// RUN: not loomc %s -o %t/lib --skip-layers=metric=l2,count=1 --calibration=%t/calibration 2>&1 | FileCheck %s --check-prefix=LOOMC
// LOOMC: error: invalid option --skip-layers: loom-skip-layers: metric must be cosine, not 'l2'
// RUN: not loomc %s -o %t/lib --skip-layers=count=1 2>&1 | FileCheck %s --check-prefix=LOOMC-CALIB
// LOOMC-CALIB: error: invalid option --skip-layers: loom-skip-layers: calibration is required

// One MLP sublayer (x + relu(x W) W), no attention.
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @mlp_only(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.125> : tensor<8x8xf32>
  %init = tensor.empty() : tensor<4x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  %u = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u : tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %d = linalg.matmul ins(%h, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = linalg.add ins(%x, %d : tensor<4x8xf32>, tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
