// The HLS C++ of a small kernel through loom-hls-pipeline and
// loom-translate --emit-hls-cpp: the pragma decisions for the default
// options and for ii/unroll, and the data_t type per precision.
// RUN: loom-opt %s --loom-hls-pipeline | loom-translate --emit-hls-cpp | FileCheck %s --check-prefix=FLOAT
// RUN: loom-opt %s --loom-hls-pipeline="precision=fixed<18,8> rounding=rnd overflow=wrap ii=2 unroll=4" | loom-translate --emit-hls-cpp | FileCheck %s --check-prefix=TUNED
// RUN: loom-opt %s --loom-hls-pipeline="unroll=0" | loom-translate --emit-hls-cpp | FileCheck %s --check-prefix=FULL

// FLOAT: #include "loom_hls.h"
// FLOAT: typedef float data_t;
// FLOAT: void scale_sum(data_t [[X:v[0-9]+]][4][16], data_t [[Y:v[0-9]+]][4]) {
// FLOAT-NEXT: #pragma HLS INTERFACE mode=m_axi port=[[X]] offset=slave bundle=gmem0 depth=64
// FLOAT-NEXT: #pragma HLS INTERFACE mode=m_axi port=[[Y]] offset=slave bundle=gmem1 depth=4
// FLOAT-NEXT: #pragma HLS INTERFACE mode=s_axilite port=return
// Only innermost loops are pipelined, II=1 by default, nothing unrolled.
// FLOAT: for (size_t
// FLOAT-NEXT: #pragma HLS PIPELINE II=1
// FLOAT: for (size_t
// FLOAT-NEXT: for (size_t
// FLOAT-NEXT: #pragma HLS PIPELINE II=1
// FLOAT-NOT: UNROLL
// FLOAT-NOT: ARRAY_PARTITION
// No dynamic allocation, no standard containers.
// FLOAT-NOT: malloc
// FLOAT-NOT: std::

// TUNED: typedef ap_fixed<18,8,AP_RND,AP_WRAP> data_t;
// The local array indexed by the unrolled loop is partitioned to match
// (completely: the factor covers its extent).
// TUNED: data_t [[T:v[0-9]+]][4];
// TUNED-NEXT: #pragma HLS ARRAY_PARTITION variable=[[T]] type=complete dim=1
// TUNED: #pragma HLS PIPELINE II=2
// TUNED-NEXT: #pragma HLS UNROLL factor=4

// FULL: #pragma HLS UNROLL{{$}}

func.func @scale_sum(%x: tensor<4x16xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.mulf %a, %two : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
