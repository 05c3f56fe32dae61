// loom.adder_matmul tiled over M and N (scf.for) and over N (scf.forall) by
// the transform interpreter, run against the untiled op on the same seeded
// random inputs. Each output element is the same sum over K in both, so the
// reference path agrees bit for bit; the tolerance (rtol 1e-5, atol 1e-6)
// leaves room for the CPU kernels of the fast path, which may block the
// smaller tiles' sums differently.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_for -o %t/for.mlir
// RUN: FileCheck %s --check-prefix=FOR --input-file=%t/for.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_forall -o %t/forall.mlir
// RUN: FileCheck %s --check-prefix=FORALL --input-file=%t/forall.mlir
// RUN: loom-run %s --random-seed 3 --output-dir %t/untiled
// RUN: loom-run %t/for.mlir --random-seed 3 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/forall.mlir --random-seed 3 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// FOR: scf.for
// FOR: loom.adder_matmul {{.*}} -> tensor<2x8xf32>
// FOR-NOT: transform.
// FORALL: scf.forall
// FORALL: loom.adder_matmul {{.*}} -> tensor<6x8xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<6x40xf32>, %w: tensor<24x40xf32>) -> tensor<6x24xf32> {
  %y = loom.adder_matmul %x, %w : (tensor<6x40xf32>, tensor<24x40xf32>) -> tensor<6x24xf32>
  return %y : tensor<6x24xf32>
}
