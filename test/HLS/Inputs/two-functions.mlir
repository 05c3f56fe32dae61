// Used by loom-hls-directives.mlir (top=helper).
func.func @main(%x: memref<4xf32>) {
  func.call @helper(%x) : (memref<4xf32>) -> ()
  return
}

func.func private @helper(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%i] : memref<4xf32>
  }
  return
}
