// RUN: loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="width=16 int-bits=6" --verify-diagnostics | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="width=8 int-bits=3 rounding=trn overflow=wrap" --verify-diagnostics | FileCheck %s --check-prefix=TRN
// RUN: loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="width=8 int-bits=3 rounding=rnd" --verify-diagnostics | FileCheck %s --check-prefix=RND
// RUN: not loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="width=25" 2>&1 | FileCheck %s --check-prefix=BADWIDTH
// RUN: not loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="width=1" 2>&1 | FileCheck %s --check-prefix=BADWIDTH1
// RUN: not loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="width=8 int-bits=9" 2>&1 | FileCheck %s --check-prefix=BADINT
// RUN: not loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="rounding=even" 2>&1 | FileCheck %s --check-prefix=BADROUND
// RUN: not loom-opt %s --split-input-file --loom-hls-emulate-fixed-point="overflow=clip" 2>&1 | FileCheck %s --check-prefix=BADOVF

// The numbers are checked by execution: fixed-point-cpu.test runs programs
// through loom-run --fixed-point against a NumPy fixed-point reference, and
// ap-fixed-semantics.test checks the formula against the vendor's ap_fixed.
// Here: where the rounding goes, and what it is built of.

// The module says which format the values are in (read by the estimator and
// the emitter).
// CHECK: module attributes {hls.overflow = "sat", hls.precision = "fixed<16,6>", hls.rounding = "conv"}
// TRN: module attributes {hls.overflow = "wrap", hls.precision = "fixed<8,3>", hls.rounding = "trn"}

// A multiply-accumulate: loads are rounded (idempotent on data already on the
// grid), the product and the sum are exact in f64, then rounded once each;
// 0.1 becomes 102/1024 (conv, F = 10) or 3/32 (trn, F = 5).
// CHECK-LABEL: func @mac
// CHECK: arith.constant 0.099609375 : f32
// CHECK: %[[X:.*]] = memref.load %arg0
// CHECK: %[[XW:.*]] = arith.extf %[[X]] : f32 to f64
// Conv: x * 2^10, its floor r, and one up when the dropped part is more than
// a half, or a half and r is odd.
// CHECK: %[[Q:.*]] = arith.mulf %[[XW]], %[[SCALE:.*]] : f64
// CHECK: %[[R:.*]] = math.floor %[[Q]] : f64
// CHECK: %[[D:.*]] = arith.subf %[[Q]], %[[R]] : f64
// CHECK: arith.cmpf ogt, %[[D]], %[[HALF:.*]] : f64
// CHECK: arith.cmpf oeq, %[[D]], %[[HALF]] : f64
// CHECK: %[[RH:.*]] = arith.mulf %[[R]], %[[HALF]] : f64
// CHECK: %[[FRH:.*]] = math.floor %[[RH]] : f64
// CHECK: arith.cmpf one, %[[FRH]], %[[RH]] : f64
// Saturation, and the sign bit for infinities and NaNs.
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.bitcast %[[XW]] : f64 to i64
// CHECK: %[[XQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[Y:.*]] = memref.load %arg1
// CHECK: %[[YQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[XE:.*]] = arith.extf %[[XQ]] : f32 to f64
// CHECK: %[[YE:.*]] = arith.extf %[[YQ]] : f32 to f64
// CHECK: %[[P:.*]] = arith.mulf %[[XE]], %[[YE]] : f64
// CHECK: arith.mulf %[[P]], %{{.*}} : f64
// CHECK: %[[PQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.extf %[[PQ]] : f32 to f64
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
// CHECK: %[[SQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: memref.store %[[SQ]], %arg1
// CHECK-NOT: arith.mulf %{{.*}} : f32
// CHECK-NOT: arith.addf %{{.*}} : f32

// Trn: the floor only; wrap: r - floor(r / 2^8) * 2^8, the upper half made
// negative, non-finite values 0.
// TRN-LABEL: func @mac
// TRN: arith.constant 9.375000e-02 : f32
// TRN: %[[Q:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// TRN: %[[R:.*]] = math.floor %[[Q]] : f64
// TRN-NOT: arith.cmpf ogt, %{{.*}}, %{{.*}} : f64
// TRN: %[[W:.*]] = arith.mulf %[[R]], %{{.*}} : f64
// TRN: %[[FW:.*]] = math.floor %[[W]] : f64
// TRN: %[[T:.*]] = arith.mulf %[[FW]], %{{.*}} : f64
// TRN: %[[M:.*]] = arith.subf %[[R]], %[[T]] : f64
// TRN: arith.cmpf ogt, %[[M]], %{{.*}} : f64
// TRN-NOT: arith.maximumf
// TRN: arith.truncf %{{.*}} : f64 to f32

// Rnd: up when the dropped part is at least a half.
// RND-LABEL: func @mac
// RND: %[[R:.*]] = math.floor
// RND: %[[D:.*]] = arith.subf %{{.*}}, %[[R]] : f64
// RND: arith.cmpf oge, %[[D]], %{{.*}} : f64
// RND-NOT: arith.cmpf oeq
func.func @mac(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %k = arith.constant 0.1 : f32
  %x = memref.load %a[%c0] : memref<4xf32>
  %y = memref.load %b[%c0] : memref<4xf32>
  %p = arith.mulf %x, %y : f32
  %s = arith.addf %p, %k : f32
  memref.store %s, %b[%c0] : memref<4xf32>
  return
}

// -----

// Division, math functions and int -> float conversions are computed in f32
// (as `data_t(expf(float(x)))`), then rounded; compares, selects and
// float -> int conversions are unchanged; scalar f32 arguments are rounded.
// CHECK-LABEL: func @float_ops
// CHECK-SAME: (%[[ARG:.*]]: f32, %[[I:.*]]: i32)
// CHECK: arith.extf %[[ARG]] : f32 to f64
// CHECK: %[[A:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[DIV:.*]] = arith.divf %[[A]], %[[A]] : f32
// CHECK: arith.extf %[[DIV]] : f32 to f64
// CHECK: %[[DQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[E:.*]] = math.exp %[[DQ]] : f32
// CHECK: arith.extf %[[E]] : f32 to f64
// CHECK: %[[EQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i32 to f32
// CHECK: arith.extf %[[F]] : f32 to f64
// CHECK: %[[FQ:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[C:.*]] = arith.cmpf olt, %[[EQ]], %[[FQ]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.select %[[C]], %[[EQ]], %[[FQ]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.fptosi %[[S]] : f32 to i32
// CHECK-NEXT: return %[[R]]
func.func @float_ops(%arg: f32, %i: i32) -> i32 {
  %d = arith.divf %arg, %arg : f32
  %e = math.exp %d : f32
  %f = arith.sitofp %i : i32 to f32
  %c = arith.cmpf olt, %e, %f : f32
  %m = arith.select %c, %e, %f : f32
  %r = arith.fptosi %m : f32 to i32
  return %r : i32
}

// -----

// negative_integers: index and integer data are not rounded.
// CHECK-LABEL: func @negative_integers
// CHECK-NEXT: arith.constant 3 : index
// CHECK-NEXT: memref.load %arg0
// CHECK-NEXT: arith.addi
// CHECK-NEXT: memref.store
// CHECK-NEXT: return
func.func @negative_integers(%a: memref<4xi32>) {
  %c3 = arith.constant 3 : index
  %x = memref.load %a[%c3] : memref<4xi32>
  %y = arith.addi %x, %x : i32
  memref.store %y, %a[%c3] : memref<4xi32>
  return
}

// -----

// Storage of another float type is allowed: its conversion to f32 is rounded.
// CHECK-LABEL: func @f16_storage
// CHECK: %[[H:.*]] = memref.load %arg0{{.*}} : memref<4xf16>
// CHECK: %[[X:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK: arith.extf %[[X]] : f32 to f64
// CHECK: math.floor
func.func @f16_storage(%a: memref<4xf16>, %b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %h = memref.load %a[%c0] : memref<4xf16>
  %x = arith.extf %h : f16 to f32
  memref.store %x, %b[%c0] : memref<4xf32>
  return
}

// -----

// A copy of an f32 buffer (an input returned through an out-param) becomes
// rounded loads and stores.
// CHECK-LABEL: func @copy
// CHECK-NOT: memref.copy
// CHECK: scf.for %[[I:.*]] =
// CHECK: scf.for %[[J:.*]] =
// CHECK: %[[X:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK: arith.extf %[[X]] : f32 to f64
// CHECK: %[[Q:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: memref.store %[[Q]], %arg1[%[[I]], %[[J]]]
func.func @copy(%a: memref<2x3xf32>, %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32>
  return
}

// -----

func.func @f64_data(%a: memref<4xf64>) {
  %c0 = arith.constant 0 : index
  %x = memref.load %a[%c0] : memref<4xf64>
  // expected-error @below {{cannot emulate fixed point on 'f64' data: only f32 values are data_t (ap_fixed)}}
  %y = arith.addf %x, %x : f64
  memref.store %y, %a[%c0] : memref<4xf64>
  return
}

// -----

func.func @f64_compare(%a: memref<4xf64>) -> i1 {
  %c0 = arith.constant 0 : index
  %x = memref.load %a[%c0] : memref<4xf64>
  // expected-error @below {{cannot emulate fixed point on 'f64' data: only f32 values are data_t (ap_fixed)}}
  %c = arith.cmpf olt, %x, %x : f64
  return %c : i1
}

// -----

func.func @f16_result(%a: memref<4xf32>, %b: memref<4xf16>) {
  %c0 = arith.constant 0 : index
  %x = memref.load %a[%c0] : memref<4xf32>
  // expected-error @below {{cannot emulate fixed point on 'f16' data: only f32 values are data_t (ap_fixed)}}
  %h = arith.truncf %x : f32 to f16
  memref.store %h, %b[%c0] : memref<4xf16>
  return
}

// -----

func.func @vector_data(%v: vector<4xf32>) -> vector<4xf32> {
  // expected-error @below {{cannot emulate fixed point on 'vector<4xf32>': loop IR's data are scalar f32 values}}
  %y = arith.addf %v, %v : vector<4xf32>
  return %y : vector<4xf32>
}

// -----

func.func @fma(%x: f32) -> f32 {
  // expected-error @below {{cannot emulate fixed point for 'math.fma': its rounding in ap_fixed is not modelled}}
  %y = math.fma %x, %x, %x : f32
  return %y : f32
}

// -----

func.func @bitcast(%i: i32) -> f32 {
  // expected-error @below {{cannot emulate fixed point for 'arith.bitcast': its rounding in ap_fixed is not modelled}}
  %y = arith.bitcast %i : i32 to f32
  return %y : f32
}

// BADWIDTH: error: loom-hls-emulate-fixed-point: width 25 is out of range: 2 to 24 bits (every value exact in f32, every product exact in f64)
// BADWIDTH1: error: loom-hls-emulate-fixed-point: width 1 is out of range: 2 to 24 bits
// BADINT: error: loom-hls-emulate-fixed-point: int-bits 9 is out of range: 0 to the width (8)
// BADROUND: error: loom-hls-emulate-fixed-point: rounding 'even' is not conv (AP_RND_CONV), rnd (AP_RND) or trn (AP_TRN)
// BADOVF: error: loom-hls-emulate-fixed-point: overflow 'clip' is not sat (AP_SAT) or wrap (AP_WRAP)
