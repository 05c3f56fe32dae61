// RUN: loom-opt %s --split-input-file --verify-diagnostics --convert-gpu-host-to-loom-cuda | FileCheck %s

// The host side of loom-gpu-pipeline's output on Loom's CUDA host runtime.
// What the runtime then does with these calls is checked with a stand-in
// driver in test/tools/loomc/cuda-fake-driver.test (no GPU here).

// A launch of the second kernel module (index 1): each parameter in a stack
// slot (a memref as its five descriptor fields, then the index), the slots'
// addresses in an array, the slots released after the call.
// CHECK:       gpu.module @first
// CHECK:       gpu.module @second
// CHECK-LABEL: llvm.func @launch(
// CHECK:         %[[SP:.*]] = llvm.intr.stacksave : !llvm.ptr
// CHECK:         %[[SIX:.*]] = llvm.mlir.constant(6 : i64) : i64
// CHECK:         %[[ARRAY:.*]] = llvm.alloca %[[SIX]] x !llvm.ptr
// CHECK-COUNT-2: llvm.alloca %{{.*}} x !llvm.ptr
// CHECK-COUNT-4: llvm.alloca %{{.*}} x i64
// CHECK:         %[[K:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK:         llvm.call @loom_cuda_launch(%[[K]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ARRAY]]) : (i32, i64, i64, i64, i64, i64, i64, !llvm.ptr) -> ()
// CHECK:         llvm.intr.stackrestore %[[SP]]
// CHECK:       llvm.func @loom_cuda_launch(i32, i64, i64, i64, i64, i64, i64, !llvm.ptr)
module attributes {gpu.container_module} {
  gpu.module @first {
    gpu.func @k(%n: index) kernel { gpu.return }
  }
  gpu.module @second {
    gpu.func @k(%x: memref<8xf32>, %n: index) kernel { gpu.return }
  }
  func.func @launch(%x: memref<8xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    gpu.launch_func @second::@k blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%x : memref<8xf32>, %n : index)
    return
  }
}

// -----

// Temporaries, a copy of one element to a host slot, and a weight: the
// device copy of the constant (index 0), its host address and byte size.
// CHECK:       llvm.mlir.global private constant @weight(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>)
// CHECK-LABEL: llvm.func @buffers(
// CHECK:         %[[WEIGHT:.*]] = llvm.mlir.addressof @weight : !llvm.ptr
// CHECK:         %[[WINDEX:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK:         llvm.call @loom_cuda_weight(%[[WINDEX]], %[[WEIGHT]], %{{.*}}) : (i32, !llvm.ptr, i64) -> !llvm.ptr
// CHECK:         llvm.call @loom_cuda_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK:         llvm.call @loom_cuda_memcpy(%{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK:         llvm.call @loom_cuda_free(%{{.*}}) : (!llvm.ptr) -> ()
module attributes {gpu.container_module} {
  memref.global "private" constant @weight : memref<2xf32> = dense<[1.0, 2.0]>
  func.func @buffers() -> f32 {
    %c0 = arith.constant 0 : index
    %w = memref.get_global @weight : memref<2xf32>
    %tmp = gpu.alloc () : memref<4xf32>
    %slot = memref.alloca() : memref<1xf32>
    %view = memref.reinterpret_cast %w to offset: [1], sizes: [1], strides: [1] : memref<2xf32> to memref<1xf32, strided<[1], offset: 1>>
    gpu.memcpy %slot, %view : memref<1xf32>, memref<1xf32, strided<[1], offset: 1>>
    gpu.dealloc %tmp : memref<4xf32>
    %x = memref.load %slot[%c0] : memref<1xf32>
    return %x : f32
  }
}

// -----

// A mutable global cannot be uploaded once.
module attributes {gpu.container_module} {
  memref.global "private" @state : memref<2xf32> = dense<0.0>
  func.func @mutable() {
    // expected-error @below {{reads a mutable global; the CUDA target uploads only constants, once per loaded model}}
    %s = memref.get_global @state : memref<2xf32>
    return
  }
}

// -----

// Asynchronous launches are not something loom-gpu-pipeline makes.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k() kernel { gpu.return }
  }
  func.func @async() {
    %c1 = arith.constant 1 : index
    // expected-error @below {{failed to legalize operation 'gpu.launch_func'}}
    %d = gpu.launch_func async @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
}
