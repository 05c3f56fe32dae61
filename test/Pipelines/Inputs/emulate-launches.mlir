// Input of test/Pipelines/loom-emulate-gpu-kernels.mlir: IR as the kernel
// stage of loom-gpu-pipeline leaves it, and a kernel it never makes.

func.func @launch(%x: memref<8xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %tmp = gpu.alloc () : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %sx : index
    %i = arith.addi %base, %tx : index
    memref.store %one, %x[%i] : memref<8xf32>
    gpu.terminator
  }
  gpu.memcpy %tmp, %x : memref<8xf32>, memref<8xf32>
  gpu.dealloc %tmp : memref<8xf32>
  return
}

// -----

// Threads that synchronise cannot run one after the other.
func.func @barrier(%x: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @below {{cannot be emulated on the host: its threads communicate other than through top-level uniform gpu.subgroup_reduce ops, or it has several blocks or attributions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    gpu.barrier
    memref.store %v, %x[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// A warp reduction: the kernel runs in two phases with the values that cross
// the subgroup_reduce in per-thread slots (test/Pipelines/
// loom-emulate-gpu-kernels.mlir checks the structure).
func.func @warp_sum(%x: memref<64xf32>, %out: memref<2xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<64xf32>
    %sum = gpu.subgroup_reduce add %v uniform : (f32) -> f32
    %warp = arith.divui %tx, %c32 : index
    memref.store %sum, %out[%warp] : memref<2xf32>
    gpu.terminator
  }
  return
}

// -----

// A subgroup_reduce under a condition cannot be split into phases.
func.func @nested_reduce(%x: memref<32xf32>, %flag: i1) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  // expected-error @below {{cannot be emulated on the host: its threads communicate other than through top-level uniform gpu.subgroup_reduce ops, or it has several blocks or attributions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    scf.if %flag {
      %v = memref.load %x[%tx] : memref<32xf32>
      %sum = gpu.subgroup_reduce add %v uniform : (f32) -> f32
      memref.store %sum, %x[%tx] : memref<32xf32>
    }
    gpu.terminator
  }
  return
}
