// RUN: loom-opt %s --split-input-file --loom-report -o /dev/null | FileCheck %s
// RUN: loom-opt %s --loom-report="output=%t.json print=false" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t.json

// The analysis leaves the IR as it was.
// RUN: loom-opt %s --split-input-file > %t.before.mlir
// RUN: loom-opt %s --split-input-file --loom-report=print=false > %t.after.mlir
// RUN: diff %t.before.mlir %t.after.mlir

// A JSON file that cannot be written is an error naming the path, and no
// file (temporary or final) is left.
// RUN: rm -rf %t.dir && mkdir -p %t.dir/isdir
// RUN: not loom-opt %s --loom-report="output=%t.dir/missing/r.json print=false" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOWRITE
// NOWRITE: error: loom-report: cannot write the cost report to '{{.*}}missing/r.json': No such file or directory
// RUN: not loom-opt %s --loom-report="output=%t.dir/isdir print=false" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=ISDIR
// ISDIR: error: loom-report: cannot write the cost report to '{{.*}}isdir': Is a directory
// RUN: ls -A %t.dir | FileCheck %s --check-prefix=LEFT --implicit-check-not=tmp
// LEFT: isdir

// An option value that is not a boolean.
// RUN: not loom-opt %s --loom-report=print=maybe 2>&1 | FileCheck %s --check-prefix=BADBOOL
// BADBOOL: 'maybe' is invalid value for boolean argument

// One layer of each kind, named by location (else `<op>#<index>`). The
// expected numbers, derived by hand (conventions: docs/Report.md):
// - q4: int4 weights [32,32] i8 = 2048 weights + 64 f32 scales: 2112 params,
//   1024 + 256 = 1280 bytes; 2*4*32*64 = 16384 matmul FLOPs + 2*32*64 = 4096
//   dequantization; moved 1024 (x) + 1280 + 512 (y) = 2816.
// - bcq: 3 planes [16,8] i8 = 3*16*64 = 3072 binary weights + 96 exponents:
//   3168 params, 384 + 96 = 480 bytes; 3*4*16*64 = 12288 adds + 2*3*4*16*2 =
//   768 per group: 13056 shift/add ops; moved 1024 + 480 + 256 = 1760.
// - shift: sign and exponent [8,64] i8: 1024 params and bytes; 2*4*8*64 =
//   4096; moved 1024 + 1024 + 128 = 2176.
// - adder: [8,64] f32: 512 params, 2048 bytes; 3*4*8*64 = 6144; moved
//   1024 + 2048 + 128 = 3200.
// - attn: 4*8*8 = 256 scores; 2*256*(16+16) = 16384 + 6*256 = 17920; f16
//   moved 1024 + 512 + 512 + 1024 = 3072; causal, 2 kv heads * (16+16) * 2 B
//   = 128 KV bytes a token.
// - norm: the weight through a reshape: 32 params, 128 bytes; 4*512 + 4*16
//   rows = 2112; moved 2048 + 128 + 2048 = 4224.
// - mm: the weight through a transpose: 128 params, 512 bytes; 2*4*8*16 =
//   1024; moved 256 + 512 + 128 (the accumulator is read) + 128 = 1024.
// - linalg.generic#0: add and exp on 32 elements = 64; its tensor.empty init
//   is not read: moved 128 + 128 + 128 = 384.
// - append: writes 64 + 64 bytes it reads: 256 moved; the cache holds
//   2 heads * (8+8) * 4 B = 128 bytes a token.
// The linalg.transpose and linalg.fill have no cost model and no row.
// CHECK:      layer op params weight B FLOPs bytes moved FLOP/B KV B/tok
// CHECK-NEXT: q4 loom.qmatmul 2112 1280 20480 2816 7.27 0
// CHECK-NEXT: bcq loom.bcq_matmul 3168 480 13056 1760 7.42 0
// CHECK-NEXT: shift loom.shift_matmul 1024 1024 4096 2176 1.88 0
// CHECK-NEXT: loom.adder_matmul#0 loom.adder_matmul 512 2048 6144 3200 1.92 0
// CHECK-NEXT: attn loom.attention 0 0 17920 3072 5.83 128
// CHECK-NEXT: norm loom.rms_norm 32 128 2112 4224 0.50 0
// CHECK-NEXT: mm linalg.matmul 128 512 1024 1024 1.00 0
// CHECK-NEXT: linalg.generic#0 linalg.generic 0 0 64 384 0.17 0
// CHECK-NEXT: append loom.kv.append 0 0 0 256 0.00 128
// CHECK-NEXT: total 9 layers 6976 5472 64896 18912 3.43 256
// CHECK-NOT:  unknown

// The JSON run sees the whole file as one module: the totals are those of
// @layers and @more_layers, and the unknown layer is @negative_unknown_and_empty's.
// JSON:      "layers": [
// JSON:        "layer": "bcq",
// JSON-NEXT:   "matmul_flops": 13056,
// JSON-NEXT:   "op": "loom.bcq_matmul",
// JSON-NEXT:   "parameters": 3168,
// JSON-NEXT:   "shift_add_ops": 13056,
// JSON-NEXT:   "weight_bytes": 480
// JSON:      "total": {
// JSON-NEXT:   "arithmetic_intensity": 3.9520
// JSON-NEXT:   "bytes_moved": 47672,
// JSON-NEXT:   "flops": 188400,
// JSON-NEXT:   "kv_cache_bytes_per_token": 256,
// JSON-NEXT:   "layers": 15,
// JSON-NEXT:   "matmul_flops": 162304,
// JSON-NEXT:   "parameters": 8780,
// JSON-NEXT:   "shift_add_ops": 23296,
// JSON-NEXT:   "weight_bytes": 12688
// JSON-NEXT: },
// JSON-NEXT: "unknown": [
// JSON-NEXT:   {
// JSON-NEXT:     "layer": "dyn",
// JSON-NEXT:     "op": "linalg.matmul"
// JSON-NEXT:   }
// JSON-NEXT: ]
func.func @layers(%x: tensor<4x64xf32>, %q: tensor<1x4x8x16xf16>, %k: tensor<1x2x8x16xf16>, %v: tensor<1x2x8x16xf16>, %h: tensor<2x8x32xf32>, %a: tensor<4x16xf32>, %b: tensor<4x8xf32>, %c: tensor<4x8xf32>, %cache: !loom.kv_cache<1x2x16x8xf32>, %nk: tensor<1x2x1x8xf32>, %nv: tensor<1x2x1x8xf32>) -> (tensor<4x32xf32>, tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<1x4x8x16xf16>, tensor<2x8x32xf32>, tensor<4x8xf32>, tensor<4x8xf32>, !loom.kv_cache<1x2x16x8xf32>) {
  %w4 = arith.constant dense<0> : tensor<32x32xi8>
  %s4 = arith.constant dense<1.0> : tensor<32x2xf32>
  %0 = loom.qmatmul %x, %w4, %s4 {bits = 4, group_size = 32} : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x2xf32>) -> tensor<4x32xf32> loc("q4")
  %planes = arith.constant dense<0> : tensor<3x16x8xi8>
  %exps = arith.constant dense<0> : tensor<3x16x2xi8>
  %1 = loom.bcq_matmul %x, %planes, %exps {group_size = 32} : (tensor<4x64xf32>, tensor<3x16x8xi8>, tensor<3x16x2xi8>) -> tensor<4x16xf32> loc("bcq")
  %sign = arith.constant dense<1> : tensor<8x64xi8>
  %exp = arith.constant dense<0> : tensor<8x64xi8>
  %2 = loom.shift_matmul %x, %sign, %exp : (tensor<4x64xf32>, tensor<8x64xi8>, tensor<8x64xi8>) -> tensor<4x8xf32> loc("shift")
  %wa = arith.constant dense<0.5> : tensor<8x64xf32>
  %3 = loom.adder_matmul %x, %wa : (tensor<4x64xf32>, tensor<8x64xf32>) -> tensor<4x8xf32>
  %4 = loom.attention %q, %k, %v {causal} : (tensor<1x4x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>) -> tensor<1x4x8x16xf16> loc("attn")
  %wn2 = arith.constant dense<1.0> : tensor<1x32xf32>
  %wn = tensor.collapse_shape %wn2 [[0, 1]] : tensor<1x32xf32> into tensor<32xf32>
  %5 = loom.rms_norm %h, %wn {epsilon = 1.0e-06 : f32} : (tensor<2x8x32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32> loc("norm")
  %wt = arith.constant dense<0.25> : tensor<8x16xf32>
  %e16 = tensor.empty() : tensor<16x8xf32>
  %w = linalg.transpose ins(%wt : tensor<8x16xf32>) outs(%e16 : tensor<16x8xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = linalg.matmul ins(%a, %w : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32> loc("mm")
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%b, %c : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %in1: f32, %out: f32):
    %s = arith.addf %in, %in1 : f32
    %t = math.exp %s : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %8 = loom.kv.append %cache, %nk, %nv : !loom.kv_cache<1x2x16x8xf32>, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32> loc("append")
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4x32xf32>, tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<1x4x8x16xf16>, tensor<2x8x32xf32>, tensor<4x8xf32>, tensor<4x8xf32>, !loom.kv_cache<1x2x16x8xf32>
}

// -----

// A dynamic size makes a cost unknown (listed, not summed); an op whose
// record is all zero (an empty tensor) has no row.
// CHECK:      layer op params
// CHECK-NEXT: total 0 layers 0 0 0 0 0.00 0
// CHECK-NEXT: unknown cost (dynamic sizes or buffers): dyn (linalg.matmul)
func.func @negative_unknown_and_empty(%a: tensor<?x16xf32>, %b: tensor<16x8xf32>, %init: tensor<?x8xf32>, %z: tensor<0x8xf32>) -> (tensor<?x8xf32>, tensor<0x8xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<?x16xf32>, tensor<16x8xf32>) outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32> loc("dyn")
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%z : tensor<0x8xf32>) outs(%z : tensor<0x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<0x8xf32>
  return %0, %1 : tensor<?x8xf32>, tensor<0x8xf32>
}

// -----

// More kinds, by hand:
// - rope: 2 heads x 8 positions = 16 rows, 8 of 16 channels rotated: 3*16*8 =
//   384; the two [1,1,8,8] tables: 128 params, 512 bytes; moved 1024 + 256 +
//   256 + 1024 = 2560.
// - bsa: 3 of 4 blocks of 16x16, 2 heads: 1536 scores; 2*1536*32 = 98304 +
//   6*1536 = 107520; moved 4 x 4096 = 16384; not causal: no KV bytes.
// - moe (T=4, H=8, E=4, F=16, top-2 SwiGLU): router 2*4*8*4 = 256, routing
//   4*4*(5+2) = 112, 8 assignments x (3*2*8*16 + 5*16) = 6784, combine
//   2*4*2*8 = 128: 7280 (6400 in matmuls); 32 + 3*512 = 1568 params; moved
//   128 + 128 + 3*2048 + 128 + 8 = 6536.
// - conv (1x3x8x8 by 4x3x3x3 into 1x4x6x6): 4*6*6*3*3*3 = 3888 multiply-adds
//   = 7776 (a convolution, not a contraction: no matmul FLOPs); 108 params;
//   moved 768 + 432 + 576 (accumulator) + 576 = 2352.
// - linalg.batch_matmul#0: 2*2*4*4*8 = 512; moved 256 + 256 + 128 + 128 = 768.
// - linalg.reduce#0: 32 adds; moved 128 + 16 (accumulator) + 16 = 160.
// CHECK:      layer op params
// CHECK-NEXT: rope loom.rope 128 512 384 2560 0.15 0
// CHECK-NEXT: bsa loom.block_sparse_attention 0 0 107520 16384 6.56 0
// CHECK-NEXT: moe loom.moe.ffn 1568 6272 7280 6536 1.11 0
// CHECK-NEXT: conv linalg.conv_2d_nchw_fchw 108 432 7776 2352 3.31 0
// CHECK-NEXT: linalg.batch_matmul#0 linalg.batch_matmul 0 0 512 768 0.67 0
// CHECK-NEXT: linalg.reduce#0 linalg.reduce 0 0 32 160 0.20 0
// CHECK-NEXT: total 6 layers 1804 7216 123504 28760 4.29 0
func.func @more_layers(%x: tensor<1x2x8x16xf32>, %q: tensor<1x2x32x16xf32>, %k: tensor<1x2x32x16xf32>, %v: tensor<1x2x32x16xf32>, %t: tensor<4x8xf32>, %img: tensor<1x3x8x8xf32>, %a: tensor<2x4x8xf32>, %b: tensor<2x8x4xf32>) -> (tensor<1x2x8x16xf32>, tensor<1x2x32x16xf32>, tensor<4x8xf32>, tensor<1x4x6x6xf32>, tensor<2x4x4xf32>, tensor<4xf32>) {
  %cos = arith.constant dense<1.0> : tensor<1x1x8x8xf32>
  %sin = arith.constant dense<0.0> : tensor<1x1x8x8xf32>
  %0 = loom.rope %x, %cos, %sin : (tensor<1x2x8x16xf32>, tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> loc("rope")
  %1 = loom.block_sparse_attention %q, %k, %v {block_q = 16, block_k = 16, block_mask = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : (tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>) -> tensor<1x2x32x16xf32> loc("bsa")
  %wg = arith.constant dense<0.1> : tensor<8x4xf32>
  %w1 = arith.constant dense<0.1> : tensor<4x8x16xf32>
  %w2 = arith.constant dense<0.1> : tensor<4x16x8xf32>
  %w3 = arith.constant dense<0.1> : tensor<4x8x16xf32>
  %2, %dropped = loom.moe.ffn %t, %wg weights(%w1, %w2, %w3) {k = 2} : (tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x8x16xf32>, tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> (tensor<4x8xf32>, tensor<i64>) loc("moe")
  %zero = arith.constant 0.0 : f32
  %filter = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %ce = tensor.empty() : tensor<1x4x6x6xf32>
  %cf = linalg.fill ins(%zero : f32) outs(%ce : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %3 = linalg.conv_2d_nchw_fchw ins(%img, %filter : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%cf : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> loc("conv")
  %be = tensor.empty() : tensor<2x4x4xf32>
  %bf = linalg.fill ins(%zero : f32) outs(%be : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %4 = linalg.batch_matmul ins(%a, %b : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%bf : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %re = tensor.empty() : tensor<4xf32>
  %rf = linalg.fill ins(%zero : f32) outs(%re : tensor<4xf32>) -> tensor<4xf32>
  %5 = linalg.reduce ins(%t : tensor<4x8xf32>) outs(%rf : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %0, %1, %2, %3, %4, %5 : tensor<1x2x8x16xf32>, tensor<1x2x32x16xf32>, tensor<4x8xf32>, tensor<1x4x6x6xf32>, tensor<2x4x4xf32>, tensor<4xf32>
}
