// The compiled-in thread count is a global the kernel library reserves
// (__loom_compiled_num_threads). A model whose own public global has that name
// is refused with a message, and no output directory is left behind; a
// private one is renamed by the LLVM linker and does not clash.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: not loomc %s -o %t/public 2>&1 | FileCheck %s --check-prefix=PUBLIC
// PUBLIC: error: compiling @reserved for the CPU failed: the model defines @__loom_compiled_num_threads, a name Loom reserves
// RUN: not test -e %t/public
// RUN: sed 's/memref.global constant/memref.global "private" constant/' %s > %t/private.mlir
// RUN: loomc %t/private.mlir -o %t/private
// RUN: test -f %t/private/model.so

memref.global constant @__loom_compiled_num_threads : memref<i32> = dense<5>
func.func @reserved(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> (tensor<64x64xf32>, tensor<i32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %c = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %g = memref.get_global @__loom_compiled_num_threads : memref<i32>
  %t = bufferization.to_tensor %g restrict : memref<i32> to tensor<i32>
  return %c, %t : tensor<64x64xf32>, tensor<i32>
}
