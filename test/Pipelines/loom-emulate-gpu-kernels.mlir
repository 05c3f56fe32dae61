// RUN: loom-opt %s --loom-emulate-gpu-kernels | FileCheck %s
// RUN: loom-opt %S/Inputs/emulate-launches.mlir --split-input-file --verify-diagnostics --loom-emulate-gpu-kernels=kernel-stage=false | FileCheck %s --check-prefix=LAUNCH
// RUN: loom-opt %S/Inputs/emulate-scalar-result.mlir --verify-diagnostics --loom-emulate-gpu-kernels
// RUN: loom-opt %s --loom-emulate-gpu-kernels=block-size=4 | FileCheck %s --check-prefix=BLOCK
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-run %s --entry scale_rows --random-seed 3 --reference --output-dir %t/cpu
// RUN: loom-opt %s --loom-emulate-gpu-kernels=block-size=4 -o %t/emulated.mlir
// RUN: loom-run %t/emulated.mlir --reference --entry scale_rows --random-seed 3 --compare %t/cpu/result0.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=EXEC
// RUN: loom-run %s --entry row_norms --random-seed 5 --reference --output-dir %t/cpu_norms
// RUN: loom-run %t/emulated.mlir --reference --entry row_norms --random-seed 5 --compare %t/cpu_norms/result0.npy --rtol 1e-6 --atol 1e-6 | FileCheck %s --check-prefix=NORMS

// The test aid that runs loom-gpu-pipeline's kernel stage on the host: the
// public function keeps its tensor signature and calls the kernel stage's
// memref function, whose kernels are loops over blocks and threads. Executed
// with a block size of 4 over 6 elements per row (a partial last block), the
// result must equal the CPU reference path's bit for bit (the same scalar
// operations per element).

// CHECK-LABEL: func.func private @scale_rows.gpu(
// CHECK-SAME:    memref<3x6xf32>, %{{.*}}: memref<3xf32>, %{{.*}}: memref<3x6xf32>)
// CHECK-NOT:     gpu.
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 scf.for
// CHECK:                   scf.for
// CHECK-LABEL: func.func @scale_rows(
// CHECK-SAME:    %[[X:.*]]: tensor<3x6xf32>, %[[S:.*]]: tensor<3xf32>) -> tensor<3x6xf32>
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:         %[[SB:.*]] = bufferization.to_buffer %[[S]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<3x6xf32>
// CHECK:         call @scale_rows.gpu(%[[XB]], %[[SB]], %[[OUT]])
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         return %[[R]]

// 18 elements in blocks of 4 threads: 5 blocks.
// BLOCK-LABEL: func.func private @scale_rows.gpu(
// BLOCK-DAG:     %[[C5:.*]] = arith.constant 5 : index
// BLOCK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// BLOCK:         scf.for %{{.*}} = %{{.*}} to %[[C5]]
// BLOCK:         scf.for %{{.*}} = %{{.*}} to %[[C4]]

// kernel-stage=false only emulates the kernels of IR that is already the
// kernel stage's output (test/Pipelines/Inputs/emulate-launches.mlir): grid
// z, y, x, then block z, y, x, with the body's ids and sizes replaced.
// LAUNCH-LABEL: func.func @launch(
// LAUNCH-SAME:    %[[X:.*]]: memref<8xf32>)
// LAUNCH-DAG:     %[[C1:.*]] = arith.constant 1 : index
// LAUNCH-DAG:     %[[C2:.*]] = arith.constant 2 : index
// LAUNCH-DAG:     %[[C4:.*]] = arith.constant 4 : index
// LAUNCH:         %[[HOST:.*]] = memref.alloc() : memref<8xf32>
// LAUNCH:         scf.for %{{.*}} = %{{.*}} to %[[C1]] step
// LAUNCH:           scf.for %{{.*}} = %{{.*}} to %[[C1]] step
// LAUNCH:             scf.for %[[BX:.*]] = %{{.*}} to %[[C2]] step
// LAUNCH:               scf.for %{{.*}} = %{{.*}} to %[[C1]] step
// LAUNCH:                 scf.for %{{.*}} = %{{.*}} to %[[C1]] step
// LAUNCH:                   scf.for %[[TX:.*]] = %{{.*}} to %[[C4]] step
// LAUNCH:                     %[[BASE:.*]] = arith.muli %[[BX]], %[[C4]]
// LAUNCH:                     %[[I:.*]] = arith.addi %[[BASE]], %[[TX]]
// LAUNCH:                     memref.store %{{.*}}, %[[X]][%[[I]]]
// LAUNCH-NOT:     gpu.
// LAUNCH:         memref.copy %[[X]], %[[HOST]]
// LAUNCH-NOT:     gpu.dealloc

// Warp reductions (3 rows of 100 elements, a block of one warp each with
// block-size 4): the sums of squares are reassociated (lanes, then the warp),
// so they match the reference within rounding, rtol 1e-6.
// NORMS: result0: 3 f32 vs result0.npy: {{.*}}: ok

// The phases of a warp-reduction kernel: the loads for every thread, each
// thread's value in a slot; then each thread's warp total (its warp's slots
// combined in lane order) in a slot; then the stores.
// LAUNCH-LABEL: func.func @warp_sum(
// LAUNCH:         %[[SLOT:.*]] = memref.alloca(%{{.*}}) : memref<?xf32>
// LAUNCH:         %[[TOTALS:.*]] = memref.alloca(%{{.*}}) : memref<?xf32>
// LAUNCH:         scf.for
// LAUNCH:           scf.for
// LAUNCH:             scf.for
// LAUNCH:               scf.for
// LAUNCH:                 scf.for
// LAUNCH:                   scf.for
// LAUNCH:                     %[[V:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// LAUNCH:                     memref.store %[[V]], %[[SLOT]][%{{.*}}] : memref<?xf32>
// LAUNCH:                   %[[FIRST:.*]] = memref.load %[[SLOT]][%{{.*}}] : memref<?xf32>
// LAUNCH:                   %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[FIRST]]) -> (f32) {
// LAUNCH:                     %[[LANE:.*]] = memref.load %[[SLOT]]
// LAUNCH:                     arith.addf %[[ACC]], %[[LANE]] : f32
// LAUNCH:                   memref.store %[[SUM]], %[[TOTALS]]
// LAUNCH:                     %[[T:.*]] = memref.load %[[TOTALS]]
// LAUNCH:                     memref.store %[[T]], %{{.*}}[%{{.*}}] : memref<2xf32>

// EXEC: result0: 3x6 f32 vs result0.npy: max_abs_err=0.000000e+00 {{.*}}: ok

func.func @scale_rows(%x: tensor<3x6xf32>, %s: tensor<3xf32>) -> tensor<3x6xf32> {
  %e = tensor.empty() : tensor<3x6xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>,
                                        affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<3x6xf32>, tensor<3xf32>) outs(%e : tensor<3x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %t = math.tanh %m : f32
    linalg.yield %t : f32
  } -> tensor<3x6xf32>
  return %r : tensor<3x6xf32>
}

// A row reduction long enough for warps.
func.func @row_norms(%x: tensor<3x100xf32>) -> tensor<3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<3x100xf32>) outs(%f : tensor<3xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %sq = arith.mulf %v, %v : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}
