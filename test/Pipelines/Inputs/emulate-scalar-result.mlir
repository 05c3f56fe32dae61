// Input of test/Pipelines/loom-emulate-gpu-kernels.mlir: a scalar result is
// not a buffer, so the kernel stage gives it no out-parameter and the
// emulation cannot rebuild the tensor signature.

// expected-error @below {{has no out-parameter per tensor result after the kernel stage}}
func.func @scalar_result(%x: f32) -> f32 {
  return %x : f32
}
