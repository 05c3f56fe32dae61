// Execution test of loom_bcq_matmul_f32 (convert-loom-quant-to-cpu-kernels)
// against the reference lowering on the same random inputs: 1 and 3 planes,
// groups of 8 and 32 columns, M = 1, 3, 64 and 67, N not a multiple of the
// kernel's 64-row panels. Plane bytes are the random floats x 128 truncated
// to i8 (every bit pattern occurs), exponents x 4 truncated (-3 .. 3).
//
// Tolerance 0 (rtol 0, atol 0): the kernel performs the op's additions in
// the op's order, one weight row per vector lane, so the bits must equal the
// reference lowering's (largest difference seen: 0).

// RUN: loom-run %s --entry bcq1_g8_m1 --random-seed 41 --rtol 0 --atol 0
// RUN: loom-run %s --entry bcq3_g32_m3 --random-seed 42 --rtol 0 --atol 0
// RUN: loom-run %s --entry bcq3_g8_m64 --random-seed 43 --rtol 0 --atol 0
// RUN: loom-run %s --entry bcq1_g32_m67 --random-seed 44 --rtol 0 --atol 0
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-4: llvm.call @loom_bcq_matmul_f32(
// CHECK-NOT: llvm.call @loom_bcq_matmul_f32(

func.func @bcq1_g8_m1(%x: tensor<1x64xf32>, %bf: tensor<1x70x8xf32>, %ef: tensor<1x70x8xf32>) -> tensor<1x70xf32> {
  %be = tensor.empty() : tensor<1x70x8xi8>
  %b = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bf : tensor<1x70x8xf32>) outs(%be : tensor<1x70x8xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<1x70x8xi8>
  %ee = tensor.empty() : tensor<1x70x8xi8>
  %e = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ef : tensor<1x70x8xf32>) outs(%ee : tensor<1x70x8xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 4.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<1x70x8xi8>
  %y = loom.bcq_matmul %x, %b, %e {group_size = 8}
      : (tensor<1x64xf32>, tensor<1x70x8xi8>, tensor<1x70x8xi8>) -> tensor<1x70xf32>
  return %y : tensor<1x70xf32>
}

func.func @bcq3_g32_m3(%x: tensor<3x256xf32>, %bf: tensor<3x130x32xf32>, %ef: tensor<3x130x8xf32>) -> tensor<3x130xf32> {
  %be = tensor.empty() : tensor<3x130x32xi8>
  %b = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bf : tensor<3x130x32xf32>) outs(%be : tensor<3x130x32xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<3x130x32xi8>
  %ee = tensor.empty() : tensor<3x130x8xi8>
  %e = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ef : tensor<3x130x8xf32>) outs(%ee : tensor<3x130x8xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 4.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<3x130x8xi8>
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<3x256xf32>, tensor<3x130x32xi8>, tensor<3x130x8xi8>) -> tensor<3x130xf32>
  return %y : tensor<3x130xf32>
}

func.func @bcq3_g8_m64(%x: tensor<64x96xf32>, %bf: tensor<3x20x12xf32>, %ef: tensor<3x20x12xf32>) -> tensor<64x20xf32> {
  %be = tensor.empty() : tensor<3x20x12xi8>
  %b = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bf : tensor<3x20x12xf32>) outs(%be : tensor<3x20x12xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<3x20x12xi8>
  %ee = tensor.empty() : tensor<3x20x12xi8>
  %e = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ef : tensor<3x20x12xf32>) outs(%ee : tensor<3x20x12xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 4.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<3x20x12xi8>
  %y = loom.bcq_matmul %x, %b, %e {group_size = 8}
      : (tensor<64x96xf32>, tensor<3x20x12xi8>, tensor<3x20x12xi8>) -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}

func.func @bcq1_g32_m67(%x: tensor<67x128xf32>, %bf: tensor<1x33x16xf32>, %ef: tensor<1x33x4xf32>) -> tensor<67x33xf32> {
  %be = tensor.empty() : tensor<1x33x16xi8>
  %b = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bf : tensor<1x33x16xf32>) outs(%be : tensor<1x33x16xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<1x33x16xi8>
  %ee = tensor.empty() : tensor<1x33x4xi8>
  %e = linalg.generic {indexing_maps = [affine_map<(d0,d1,d2) -> (d0,d1,d2)>, affine_map<(d0,d1,d2) -> (d0,d1,d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ef : tensor<1x33x4xf32>) outs(%ee : tensor<1x33x4xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 4.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<1x33x4xi8>
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<67x128xf32>, tensor<1x33x16xi8>, tensor<1x33x4xi8>) -> tensor<67x33xf32>
  return %y : tensor<67x33xf32>
}

