// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-gpu-device-buffers | FileCheck %s

// The host function's buffers in GPU memory. The kernels' numbers are checked
// by test/Integration (the GPU kernel stage emulated on the host); the alias
// checks below are checked here only (the emulation drops deallocations).

// CHECK-LABEL: func.func @temporaries(
// CHECK:         %[[BUF:.*]] = gpu.alloc  () : memref<8xf32>
// CHECK:         gpu.launch
// CHECK:           memref.alloca() : memref<2xf32>
// CHECK:         gpu.dealloc  %[[BUF]] : memref<8xf32>
// CHECK-NOT:     memref.alloc
func.func @temporaries() {
  %c1 = arith.constant 1 : index
  %buf = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %scratch = memref.alloca() : memref<2xf32>
    %x = memref.load %scratch[%tx] : memref<2xf32>
    memref.store %x, %buf[%tx] : memref<8xf32>
    gpu.terminator
  }
  memref.dealloc %buf : memref<8xf32>
  return
}

// -----

// Two owned buffers that may be the same and one retained buffer: each is
// freed under a check of its address against the others', and the retained
// buffer's ownership is the disjunction of the conditions of the operands
// with its address.
// CHECK-LABEL: func.func @dealloc(
// CHECK-SAME:    %[[A:[^:]*]]: memref<4xf32>, %[[B:[^:]*]]: memref<4xf32>, %[[R:[^:]*]]: memref<4xf32>, %[[CA:[^:]*]]: i1, %[[CB:[^:]*]]: i1
// CHECK-DAG:     %[[FALSE:.*]] = arith.constant false
// CHECK-DAG:     %[[TRUE:.*]] = arith.constant true
// CHECK:         %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:         %[[PB:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK:         %[[PR:.*]] = memref.extract_aligned_pointer_as_index %[[R]]
// A is owned if A's or B's (same address) condition holds ...
// CHECK:         %[[OWNA0:.*]] = arith.andi %[[TRUE]], %[[CA]]
// CHECK:         %[[OWNA1:.*]] = arith.ori %[[FALSE]], %[[OWNA0]]
// CHECK:         %[[AB:.*]] = arith.cmpi eq, %[[PA]], %[[PB]]
// CHECK:         %[[OWNA2:.*]] = arith.andi %[[AB]], %[[CB]]
// CHECK:         %[[OWNA:.*]] = arith.ori %[[OWNA1]], %[[OWNA2]]
// ... and freed unless R has its address.
// CHECK:         %[[AR:.*]] = arith.cmpi eq, %[[PA]], %[[PR]]
// CHECK:         %[[NOTAR:.*]] = arith.xori %[[AR]], %[[TRUE]]
// CHECK:         %[[FREEA:.*]] = arith.andi %[[OWNA]], %[[NOTAR]]
// CHECK:         scf.if %[[FREEA]] {
// CHECK-NEXT:      gpu.dealloc  %[[A]]
// B is also freed only if A does not have its address.
// CHECK:         %[[BR:.*]] = arith.cmpi eq, %[[PB]], %[[PR]]
// CHECK:         arith.xori %[[BR]], %[[TRUE]]
// CHECK:         %[[BA:.*]] = arith.cmpi eq, %[[PB]], %[[PA]]
// CHECK:         %[[NOTBA:.*]] = arith.xori %[[BA]], %[[TRUE]]
// CHECK:         %[[FREEB:.*]] = arith.andi %{{.*}}, %[[NOTBA]]
// CHECK:         scf.if %[[FREEB]] {
// CHECK-NEXT:      gpu.dealloc  %[[B]]
// R's ownership.
// CHECK:         %[[RA:.*]] = arith.cmpi eq, %[[PA]], %[[PR]]
// CHECK:         %[[RA1:.*]] = arith.andi %[[RA]], %[[CA]]
// CHECK:         %[[RA2:.*]] = arith.ori %[[FALSE]], %[[RA1]]
// CHECK:         %[[RB:.*]] = arith.cmpi eq, %[[PB]], %[[PR]]
// CHECK:         %[[RB1:.*]] = arith.andi %[[RB]], %[[CB]]
// CHECK:         %[[OWNR:.*]] = arith.ori %[[RA2]], %[[RB1]]
// CHECK:         return %[[OWNR]]
func.func @dealloc(%a: memref<4xf32>, %b: memref<4xf32>, %r: memref<4xf32>, %ca: i1, %cb: i1) -> i1 {
  %owned = bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%ca, %cb) retain (%r : memref<4xf32>)
  return %owned : i1
}

// -----

// A host stack buffer handed to a kernel.
func.func @host_stack_to_kernel() {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{is a host stack buffer that a kernel would read or write}}
  %slot = memref.alloca() : memref<1xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %zero, %slot[%tx] : memref<1xf32>
    gpu.terminator
  }
  return
}
