// Not loop IR: loom-hls-dataflow runs after convert-linalg-to-loops.
func.func @tensors(%x: memref<4xf32>, %y: memref<4xf32>) attributes {hls.top} {
  linalg.copy ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
  return
}
