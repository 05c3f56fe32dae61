// RUN: loom-opt %s --split-input-file --verify-diagnostics --convert-linalg-reductions-to-gpu | FileCheck %s
// RUN: loom-opt %s --split-input-file --verify-diagnostics --convert-linalg-reductions-to-gpu=warps-per-block=2 | FileCheck %s --check-prefix=TWO
// RUN: not loom-opt %s --split-input-file --convert-linalg-reductions-to-gpu=warps-per-block=33 2>&1 | FileCheck %s --check-prefix=WARPS

// A block has at most 1024 threads.
// WARPS: error: convert-linalg-reductions-to-gpu: warps-per-block 33 is not 1 to 32 (a block has at most 1024 threads)

// Reductions over the innermost dimension get a warp per output element.
// Numbers are checked by test/Integration (the GPU kernel stage emulated on
// the host, the subgroup reductions in lane order) and by
// test/Pipelines/loom-emulate-gpu-kernels.mlir.

// A sum of squares over rows of 64: 6 rows in blocks of 8 warps (1 block of
// 256 threads). Each lane folds x*x over elements lane, lane + 32, ...
// from 0.0; the warp's total is added to the output by lane 0 of warps that
// have a row.
// CHECK-LABEL: func.func @sum_of_squares(
// CHECK-SAME:    %[[X:.*]]: memref<6x64xf32>, %[[OUT:.*]]: memref<6xf32>
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C6:.*]] = arith.constant 6 : index
// CHECK:         %[[GRID:.*]] = arith.ceildivui %[[C6]], %[[C8]]
// CHECK:         %[[C256:.*]] = arith.constant 256 : index
// CHECK:         gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[GRID]], {{.*}} threads(%[[TX:[a-z0-9_]+]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C256]],
// CHECK:           %[[LANE:.*]] = arith.remui %[[TX]], %[[C32:.*]] : index
// CHECK:           %[[WARP:.*]] = arith.divui %[[TX]], %[[C32]] : index
// CHECK:           %[[ROW:.*]] = arith.addi %{{.*}}, %[[WARP]] : index
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ROW]], %[[C6]] : index
// CHECK:           %[[CLAMPED:.*]] = arith.select %[[IN]], %[[ROW]], %{{.*}} : index
// CHECK:           %[[I:.*]] = arith.remui %[[CLAMPED]], %[[C6]] : index
// CHECK:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[PART:.*]] = scf.for %[[K:.*]] = %[[LANE]] to %{{.*}} step %[[C32]] iter_args(%[[P:.*]] = %[[ZERO]]) -> (f32) {
// CHECK:             %[[V:.*]] = memref.load %[[X]][
// CHECK:             %[[SQ:.*]] = arith.mulf %[[V]], %[[V]] : f32
// CHECK:             %[[NEXT:.*]] = arith.addf %[[P]], %[[SQ]] : f32
// CHECK:             scf.yield %[[NEXT]] : f32
// CHECK:           %[[TOTAL:.*]] = gpu.subgroup_reduce  add %[[PART]] uniform : (f32) -> f32
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}} : index
// CHECK:           %[[STORE:.*]] = arith.andi %[[FIRST]], %[[IN]] : i1
// CHECK:           scf.if %[[STORE]] {
// CHECK:             %[[ACC:.*]] = memref.load %[[OUT]][
// CHECK:             %[[SUM:.*]] = arith.addf %[[ACC]], %[[TOTAL]] : f32
// CHECK:             memref.store %[[SUM]], %[[OUT]][
// CHECK-NOT:     linalg.generic
// TWO-LABEL: func.func @sum_of_squares(
// TWO:         arith.constant 64 : index
func.func @sum_of_squares(%x: memref<6x64xf32>, %out: memref<6xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<6x64xf32>) outs(%out : memref<6xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %sq = arith.mulf %v, %v : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A maximum (softmax's first step) starts from -inf; the accumulator may be
// either operand of the combining op.
// CHECK-LABEL: func.func @row_max(
// CHECK:         %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         scf.for {{.*}} iter_args(%[[P:.*]] = %[[NEG]])
// CHECK:           arith.maximumf %{{.*}}, %[[P]] : f32
// CHECK:         gpu.subgroup_reduce  maximumf
func.func @row_max(%x: memref<2x128xf32>, %out: memref<2xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<2x128xf32>) outs(%out : memref<2xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %v, %acc : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A matmul as a generic (the reduction last): a warp per output element, the
// product of both operands computed in the lanes; integer sums too.
// CHECK-LABEL: func.func @matmul_i32(
// CHECK:         scf.for
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK:         gpu.subgroup_reduce  add %{{.*}} uniform : (i32) -> i32
func.func @matmul_i32(%a: memref<4x32xi32>, %b: memref<32x5xi32>, %c: memref<4x5xi32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x32xi32>, memref<32x5xi32>) outs(%c : memref<4x5xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// Left for one thread per output element: rows shorter than 32, f16, an
// accumulator used twice, a reduction that is not innermost, two outputs.
// CHECK-LABEL: func.func @negative_forms(
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-5: linalg.generic
func.func @negative_forms(%short: memref<4x16xf32>, %out: memref<4xf32>,
                          %half: memref<4x64xf16>, %hout: memref<4xf16>,
                          %wide: memref<64x4xf32>, %idx: memref<4xi32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%short : memref<4x16xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%half : memref<4x64xf16>) outs(%hout : memref<4xf16>) {
  ^bb0(%v: f16, %acc: f16):
    %s = arith.addf %acc, %v : f16
    linalg.yield %s : f16
  }
  linalg.generic {indexing_maps = [affine_map<(k, i) -> (k, i)>, affine_map<(k, i) -> (i)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%wide : memref<64x4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (k, i)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%wide : memref<64x4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %big = arith.cmpf ogt, %acc, %v : f32
    %s = arith.select %big, %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (k, i)>, affine_map<(i, k) -> (i)>,
                                   affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%wide : memref<64x4xf32>) outs(%out, %idx : memref<4xf32>, memref<4xi32>) {
  ^bb0(%v: f32, %acc: f32, %i: i32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s, %i : f32, i32
  }
  return
}
