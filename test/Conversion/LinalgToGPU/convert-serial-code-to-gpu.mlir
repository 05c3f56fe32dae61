// RUN: loom-opt %s --split-input-file --verify-diagnostics --convert-serial-code-to-gpu | FileCheck %s

// Host code that touches buffer contents after the parallel loops became
// kernels. Numbers are checked by test/Integration (the GPU kernel stage
// emulated on the host, e.g. KV/capacity-error.mlir for host reads).

// A full reduction (no parallel dimension) and the store before it run in
// one kernel of one thread; the kernel launched before them is left alone.
// CHECK-LABEL: func.func @full_reduction(
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %[[N:.*]], %{{.*}} = %[[N]], %{{.*}} = %[[N]]) threads
// CHECK:           memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<8xf32>
// CHECK:           gpu.terminator
// CHECK:         %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]])
// CHECK-NEXT:      memref.store
// CHECK-NEXT:      scf.for
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK:         return
func.func @full_reduction(%in: memref<8xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    memref.store %zero, %in[%tx] : memref<8xf32>
    gpu.terminator
  }
  memref.store %zero, %out[] : memref<f32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %in[%i] : memref<8xf32>
    %acc = memref.load %out[] : memref<f32>
    %s = arith.addf %x, %acc : f32
    memref.store %s, %out[] : memref<f32>
  }
  return
}

// -----

// A flag the host branches on is copied to a host stack slot (allocated at
// the function's entry) after the kernels before it; the host call stays.
// CHECK-LABEL: func.func @host_read(
// CHECK-SAME:    %[[FLAG:.*]]: memref<1xi1>
// CHECK:         %[[SLOT:.*]] = memref.alloca() : memref<1xi1>
// CHECK:         %[[VIEW:.*]] = memref.subview %[[FLAG]][%{{.*}}] [1] [1]
// CHECK:         gpu.memcpy  %[[SLOT]], %[[VIEW]]
// CHECK:         %[[BIT:.*]] = memref.load %[[SLOT]][%{{.*}}] : memref<1xi1>
// CHECK:         scf.if %[[BIT]] {
// CHECK-NEXT:      func.call @report(
// CHECK-NOT:     gpu.launch
func.func private @report(i32)
func.func @host_read(%flag: memref<1xi1>) {
  %c0 = arith.constant 0 : index
  %code = arith.constant 1 : i32
  %bit = memref.load %flag[%c0] : memref<1xi1>
  scf.if %bit {
    func.call @report(%code) : (i32) -> ()
  }
  return
}

// -----

// Host stack buffers are host memory: loads from them stay on the host.
// CHECK-LABEL: func.func @negative_host_stack(
// CHECK-NOT:     gpu.launch
// CHECK:         memref.load
func.func @negative_host_stack() -> f32 {
  %c0 = arith.constant 0 : index
  %slot = memref.alloca() : memref<1xf32>
  %x = memref.load %slot[%c0] : memref<1xf32>
  return %x : f32
}

// -----

// A value computed from buffer contents by more than one load cannot be
// handed to the host.
func.func @escaping_loop(%in: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{computes a value the host needs from buffer contents; only single loaded elements can be copied to the host}}
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %in[%i] : memref<8xf32>
    %s = arith.addf %x, %acc : f32
    scf.yield %s : f32
  }
  return %sum : f32
}

// -----

// A loop body that calls the host cannot move into a kernel.
func.func private @host_function(f32) -> f32
func.func @calls_host(%in: memref<8xf32>, %out: memref<8xf32>) {
  // expected-error @below {{reads or writes a buffer outside a kernel and cannot run on the GPU}}
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%in : memref<8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = func.call @host_function(%x) : (f32) -> f32
    linalg.yield %r : f32
  }
  return
}
