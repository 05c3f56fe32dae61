// RUN: loom-opt %s --split-input-file --convert-hls-loops-to-emitc --verify-diagnostics | FileCheck %s

// Directives as pragmas; f32 as data_t; +, * as operators; max and exp as
// loom_hls helpers; a fixed-point typedef from the module's precision.
// CHECK-LABEL: module attributes
// CHECK: emitc.include "loom_hls.h"
// CHECK: emitc.verbatim "typedef ap_fixed<16,6,AP_TRN,AP_WRAP> data_t;"
// CHECK: emitc.func @top(%[[A:.*]]: !emitc.array<4x8x!emitc.opaque<"data_t">>, %[[B:.*]]: !emitc.array<4x!emitc.opaque<"data_t">>)
// CHECK-NEXT: verbatim "#pragma HLS INTERFACE mode=m_axi port={} offset=slave bundle=gmem0 depth=32" args %[[A]]
// CHECK-NEXT: verbatim "#pragma HLS INTERFACE mode=m_axi port={} offset=slave bundle=gmem1 depth=4" args %[[B]]
// CHECK-NEXT: verbatim "#pragma HLS INTERFACE mode=s_axilite port=return"
// CHECK: "emitc.constant"() <{value = #emitc.opaque<"data_t(5.000000000e-01f)">}>
// CHECK: %[[T:.*]] = "emitc.variable"{{.*}} -> !emitc.array<4x!emitc.opaque<"data_t">>
// CHECK-NEXT: verbatim "#pragma HLS ARRAY_PARTITION variable={} type=cyclic factor=2 dim=1" args %[[T]]
// CHECK-NEXT: verbatim "#pragma HLS BIND_STORAGE variable={} type=ram_2p" args %[[T]]
// CHECK: for
// CHECK: for
// CHECK-NEXT: verbatim "#pragma HLS PIPELINE II=2"
// CHECK-NEXT: verbatim "#pragma HLS UNROLL factor=2"
// CHECK: mul {{.*}} : (!emitc.opaque<"data_t">, !emitc.opaque<"data_t">) -> !emitc.opaque<"data_t">
// CHECK: add {{.*}} : (!emitc.opaque<"data_t">, !emitc.opaque<"data_t">) -> !emitc.opaque<"data_t">
// CHECK: call_opaque "loom_hls::max"
// CHECK: call_opaque "loom_hls::exp"
// CHECK: for
// CHECK-NEXT: verbatim "#pragma HLS PIPELINE II=1"
module attributes {hls.precision = "fixed<16,6>", hls.rounding = "trn", hls.overflow = "wrap"} {
  func.func @top(%a: memref<4x8xf32>, %out: memref<4xf32>) attributes {hls.top} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c8 = arith.constant 8 : index
    %half = arith.constant 0.5 : f32
    %t = memref.alloca() {hls.array_partition = [{dim = 1 : i64, factor = 2 : i64, type = "cyclic"}], hls.bind_storage = "ram_2p"} : memref<4xf32>
    scf.for %i = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c8 step %c1 {
        %x = memref.load %a[%i, %j] : memref<4x8xf32>
        %acc = memref.load %t[%i] : memref<4xf32>
        %p = arith.mulf %x, %half : f32
        %s = arith.addf %acc, %p : f32
        %m = arith.maximumf %s, %half : f32
        %e = math.exp %m : f32
        memref.store %e, %t[%i] : memref<4xf32>
      } {hls.pipeline_ii = 2 : i64, hls.unroll = 2 : i64}
    }
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %t[%i] : memref<4xf32>
      memref.store %v, %out[%i] : memref<4xf32>
    } {hls.pipeline_ii = 1 : i64}
    return
  }
}

// -----

// Float: data_t is float; a weight is a static const array of float literals.
// CHECK: emitc.verbatim "typedef float data_t;"
// CHECK: emitc.global static const @w : !emitc.array<2x!emitc.opaque<"data_t">> = #emitc.opaque<"{1.500000000e+00f, -2.500000000e-01f}">
// CHECK: emitc.global static const @idx : !emitc.array<2xi8> = #emitc.opaque<"{3, -4}">
memref.global "private" constant @w : memref<2xf32> = dense<[1.5, -0.25]>
memref.global "private" constant @idx : memref<2xi8> = dense<[3, -4]>
func.func @weights(%out: memref<2xf32>) {
  %w = memref.get_global @w : memref<2xf32>
  %c0 = arith.constant 0 : index
  %v = memref.load %w[%c0] : memref<2xf32>
  memref.store %v, %out[%c0] : memref<2xf32>
  return
}

// -----

func.func @f64_data(%a: memref<4xf64>) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{HLS C++ computes f32 data only, not 'f64'}}
  %v = memref.load %a[%c0] : memref<4xf64>
  return
}

// -----

func.func @tensors(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{HLS C++ needs loop IR on buffers: bufferize and lower to loops first (loom-hls-pipeline)}}
  %b = arith.addf %a, %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// expected-error @below {{precision must be float or fixed<W,I>, not 'fixed16'}}
module attributes {hls.precision = "fixed16"} {
}

// -----

func.func @local_dynamic(%n: index) {
  // expected-error @below {{HLS C++ needs arrays of static shape and identity layout, not 'memref<?xf32>'}}
  %t = memref.alloca(%n) : memref<?xf32>
  return
}
