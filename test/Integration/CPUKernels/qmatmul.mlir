// Execution test of loom_qmatmul_f32 (convert-loom-quant-to-cpu-kernels)
// against the reference lowering (whole-weight dequantization, then a matmul)
// on the same random inputs. Weights and zero points are made from the
// uniform [-1, 1) random floats in the function (x 127.5 or x 128, truncated
// to i8; int4 zero points x 8), so every byte value and both nibbles occur.
// Cases: M = 1 and 3 (streaming path, four weight rows per pass), 5
// (streaming limit exceeded: dequantized panels + GEMM), 64 and 67 (not a
// multiple of the GEMM's register tile), 270 (more than one 256-row chunk of
// x); N and K not multiples of the 16-wide vectors, the 4-row / 48-row
// blocks or the 256-column slices; int8 and int4; per channel
// and per group (24, 32, 128, and an odd group of 3 where an int4 byte
// straddles two groups: the kernel's scalar fallback); symmetric and
// asymmetric; x a column slice of a wider tensor (row stride != K).
//
// Tolerance rtol 1e-5, atol 4e-3: the int8 outputs reach |3.4e3| (random
// scales in [-1, 1)), and the kernel factors each group's scale out of the
// group's sum, so elements that cancel to near zero differ by up to ~1e-6 of
// the largest output (largest difference seen: 1.2e-3 for int8 at M = 64,
// 2.4e-3 at M = 270 with K = 520,
// 4.2e-5 for int4).

// RUN: loom-run %s --entry int8_channel_m1 --random-seed 31 --atol 4e-3
// RUN: loom-run %s --entry int8_group_asym_m3 --random-seed 32 --atol 4e-3
// RUN: loom-run %s --entry int8_channel_asym_m64 --random-seed 33 --atol 4e-3
// RUN: loom-run %s --entry int8_group24_m5 --random-seed 34 --atol 4e-3
// RUN: loom-run %s --entry int4_group128_m1 --random-seed 35 --atol 4e-3
// RUN: loom-run %s --entry int4_group_asym_m3 --random-seed 36 --atol 4e-3
// RUN: loom-run %s --entry int4_channel_asym_m67 --random-seed 37 --atol 4e-3
// RUN: loom-run %s --entry int4_group_odd_m5 --random-seed 38 --atol 4e-3
// RUN: loom-run %s --entry int8_sliced_x_m3 --random-seed 39 --atol 4e-3
// RUN: loom-run %s --entry int8_group40_asym_m270 --random-seed 40 --atol 4e-3
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-10: llvm.call @loom_qmatmul_f32(
// CHECK-NOT: llvm.call @loom_qmatmul_f32(

func.func @int8_channel_m1(%xin: tensor<1x200xf32>, %wf: tensor<67x200xf32>, %s: tensor<67xf32>) -> tensor<1x67xf32> {
  %we = tensor.empty() : tensor<67x200xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<67x200xf32>) outs(%we : tensor<67x200xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<67x200xi8>
  %y = loom.qmatmul %xin, %w, %s
      : (tensor<1x200xf32>, tensor<67x200xi8>, tensor<67xf32>) -> tensor<1x67xf32>
  return %y : tensor<1x67xf32>
}

func.func @int8_group_asym_m3(%xin: tensor<3x96xf32>, %wf: tensor<37x96xf32>, %s: tensor<37x3xf32>, %zf: tensor<37x3xf32>) -> tensor<3x37xf32> {
  %we = tensor.empty() : tensor<37x96xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<37x96xf32>) outs(%we : tensor<37x96xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<37x96xi8>
  %ze = tensor.empty() : tensor<37x3xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%zf : tensor<37x3xf32>) outs(%ze : tensor<37x3xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<37x3xi8>
  %y = loom.qmatmul %xin, %w, %s, %z {group_size = 32}
      : (tensor<3x96xf32>, tensor<37x96xi8>, tensor<37x3xf32>, tensor<37x3xi8>) -> tensor<3x37xf32>
  return %y : tensor<3x37xf32>
}

func.func @int8_channel_asym_m64(%xin: tensor<64x300xf32>, %wf: tensor<130x300xf32>, %s: tensor<130xf32>, %zf: tensor<130xf32>) -> tensor<64x130xf32> {
  %we = tensor.empty() : tensor<130x300xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<130x300xf32>) outs(%we : tensor<130x300xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<130x300xi8>
  %ze = tensor.empty() : tensor<130xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%zf : tensor<130xf32>) outs(%ze : tensor<130xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<130xi8>
  %y = loom.qmatmul %xin, %w, %s, %z
      : (tensor<64x300xf32>, tensor<130x300xi8>, tensor<130xf32>, tensor<130xi8>) -> tensor<64x130xf32>
  return %y : tensor<64x130xf32>
}

func.func @int8_group24_m5(%xin: tensor<5x96xf32>, %wf: tensor<33x96xf32>, %s: tensor<33x4xf32>) -> tensor<5x33xf32> {
  %we = tensor.empty() : tensor<33x96xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<33x96xf32>) outs(%we : tensor<33x96xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<33x96xi8>
  %y = loom.qmatmul %xin, %w, %s {group_size = 24}
      : (tensor<5x96xf32>, tensor<33x96xi8>, tensor<33x4xf32>) -> tensor<5x33xf32>
  return %y : tensor<5x33xf32>
}

func.func @int4_group128_m1(%xin: tensor<1x256xf32>, %wf: tensor<70x128xf32>, %s: tensor<70x2xf32>) -> tensor<1x70xf32> {
  %we = tensor.empty() : tensor<70x128xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<70x128xf32>) outs(%we : tensor<70x128xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<70x128xi8>
  %y = loom.qmatmul %xin, %w, %s {bits = 4, group_size = 128}
      : (tensor<1x256xf32>, tensor<70x128xi8>, tensor<70x2xf32>) -> tensor<1x70xf32>
  return %y : tensor<1x70xf32>
}

func.func @int4_group_asym_m3(%xin: tensor<3x160xf32>, %wf: tensor<45x80xf32>, %s: tensor<45x5xf32>, %zf: tensor<45x5xf32>) -> tensor<3x45xf32> {
  %we = tensor.empty() : tensor<45x80xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<45x80xf32>) outs(%we : tensor<45x80xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<45x80xi8>
  %ze = tensor.empty() : tensor<45x5xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%zf : tensor<45x5xf32>) outs(%ze : tensor<45x5xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 8.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<45x5xi8>
  %y = loom.qmatmul %xin, %w, %s, %z {bits = 4, group_size = 32}
      : (tensor<3x160xf32>, tensor<45x80xi8>, tensor<45x5xf32>, tensor<45x5xi8>) -> tensor<3x45xf32>
  return %y : tensor<3x45xf32>
}

func.func @int4_channel_asym_m67(%xin: tensor<67x72xf32>, %wf: tensor<45x36xf32>, %s: tensor<45xf32>, %zf: tensor<45xf32>) -> tensor<67x45xf32> {
  %we = tensor.empty() : tensor<45x36xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<45x36xf32>) outs(%we : tensor<45x36xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<45x36xi8>
  %ze = tensor.empty() : tensor<45xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%zf : tensor<45xf32>) outs(%ze : tensor<45xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 8.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<45xi8>
  %y = loom.qmatmul %xin, %w, %s, %z {bits = 4}
      : (tensor<67x72xf32>, tensor<45x36xi8>, tensor<45xf32>, tensor<45xi8>) -> tensor<67x45xf32>
  return %y : tensor<67x45xf32>
}

func.func @int4_group_odd_m5(%xin: tensor<5x18xf32>, %wf: tensor<19x9xf32>, %s: tensor<19x6xf32>, %zf: tensor<19x6xf32>) -> tensor<5x19xf32> {
  %we = tensor.empty() : tensor<19x9xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<19x9xf32>) outs(%we : tensor<19x9xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 128.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<19x9xi8>
  %ze = tensor.empty() : tensor<19x6xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%zf : tensor<19x6xf32>) outs(%ze : tensor<19x6xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 8.0 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<19x6xi8>
  %y = loom.qmatmul %xin, %w, %s, %z {bits = 4, group_size = 3}
      : (tensor<5x18xf32>, tensor<19x9xi8>, tensor<19x6xf32>, tensor<19x6xi8>) -> tensor<5x19xf32>
  return %y : tensor<5x19xf32>
}

func.func @int8_sliced_x_m3(%xin: tensor<3x69xf32>, %wf: tensor<40x64xf32>, %s: tensor<40x4xf32>, %zf: tensor<40x4xf32>) -> tensor<3x40xf32> {
  %x = tensor.extract_slice %xin[0, 5] [3, 64] [1, 1] : tensor<3x69xf32> to tensor<3x64xf32>
  %we = tensor.empty() : tensor<40x64xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<40x64xf32>) outs(%we : tensor<40x64xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<40x64xi8>
  %ze = tensor.empty() : tensor<40x4xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%zf : tensor<40x4xf32>) outs(%ze : tensor<40x4xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<40x4xi8>
  %y = loom.qmatmul %x, %w, %s, %z {group_size = 16}
      : (tensor<3x64xf32>, tensor<40x64xi8>, tensor<40x4xf32>, tensor<40x4xi8>) -> tensor<3x40xf32>
  return %y : tensor<3x40xf32>
}


func.func @int8_group40_asym_m270(%xin: tensor<270x520xf32>, %wf: tensor<49x520xf32>, %s: tensor<49x13xf32>, %zf: tensor<49x13xf32>) -> tensor<270x49xf32> {
  %we = tensor.empty() : tensor<49x520xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%wf : tensor<49x520xf32>) outs(%we : tensor<49x520xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<49x520xi8>
  %ze = tensor.empty() : tensor<49x13xi8>
  %z = linalg.generic {indexing_maps = [affine_map<(d0,d1) -> (d0,d1)>, affine_map<(d0,d1) -> (d0,d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%zf : tensor<49x13xf32>) outs(%ze : tensor<49x13xi8>) {
  ^bb0(%in: f32, %unused: i8):
    %c = arith.constant 127.5 : f32
    %p = arith.mulf %in, %c : f32
    %i = arith.fptosi %p : f32 to i8
    linalg.yield %i : i8
  } -> tensor<49x13xi8>
  %y = loom.qmatmul %xin, %w, %s, %z {group_size = 40}
      : (tensor<270x520xf32>, tensor<49x520xi8>, tensor<49x13xf32>, tensor<49x13xi8>) -> tensor<270x49xf32>
  return %y : tensor<270x49xf32>
}
