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
  // expected-error @below {{cannot be emulated on the host: its threads communicate or it has several blocks or attributions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    gpu.barrier
    memref.store %v, %x[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
