// RUN: loom-opt %s --loom-gpu-pipeline | FileCheck %s
// RUN: loom-opt %s --loom-gpu-pipeline -o %t.fast.mlir
// RUN: %python %loom_src/test/lib/gpu_binaries.py --arch sm_90 --format bin --expect-count 4 %t.fast.mlir | FileCheck %s --check-prefix=FAST
// RUN: loom-opt %s --loom-gpu-pipeline=reference=true -o %t.ref.mlir
// RUN: %python %loom_src/test/lib/gpu_binaries.py --arch sm_90 --format bin --expect-count 6 %t.ref.mlir | FileCheck %s --check-prefix=REF
// RUN: loom-opt %s --loom-gpu-pipeline="gpu-arch=sm_80 format=isa" -o %t.ptx.mlir
// RUN: %python %loom_src/test/lib/gpu_binaries.py --arch sm_80 --format isa %t.ptx.mlir | FileCheck %s --check-prefix=PTX
// RUN: loom-opt %s --loom-gpu-pipeline=format=none | FileCheck %s --check-prefix=NVVM
// RUN: loom-opt %s --loom-gpu-pipeline=block-size=128 | FileCheck %s --check-prefix=BLOCK
// RUN: not loom-opt %s --loom-gpu-pipeline=format=cubin 2>&1 | FileCheck %s --check-prefix=BADFORMAT
// RUN: not loom-opt %s --loom-gpu-pipeline=cuda-path=%t.nonexistent 2>&1 | FileCheck %s --check-prefix=BADCUDA
// RUN: rm -rf %t.empty && mkdir -p %t.empty
// RUN: not env -u CUDA_ROOT -u CUDA_HOME -u CUDA_PATH PATH=%t.empty loom-opt %s --loom-gpu-pipeline=cuda-path=%t.empty 2>&1 | FileCheck %s --check-prefix=NOPTXAS
// RUN: not loom-opt %s --loom-gpu-pipeline=gpu-arch=sm_1 2>&1 | FileCheck %s --check-prefix=BADARCH
// RUN: not loom-opt %s --loom-gpu-pipeline=gpu-arch=compute_90 2>&1 | FileCheck %s --check-prefix=BADARCH2
// RUN: not loom-opt %s --loom-gpu-pipeline=block-size=2048 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// RUN: not loom-opt %s --loom-gpu-pipeline=opt-level=4 2>&1 | FileCheck %s --check-prefix=BADOPT

// The pipeline's shape: one cubin per kernel (ptxas accepted it, it is a CUDA
// ELF file for the requested SM), and a host function on memrefs that
// allocates temporaries in GPU memory and launches the kernels. Numbers are
// checked by test/Integration (the kernel stage emulated on the host; no GPU
// here) and on the GPU by the on-device tests (docs/GPU.md).

// CHECK-NOT:   gpu.module
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:    %{{.*}}: memref<4x8xf32>, %{{.*}}: memref<8x16xf32>, %{{.*}}: memref<16xf32>, %[[OUT:.*]]: memref<4x16xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     scf.parallel
// CHECK:         %[[TMP:.*]] = gpu.alloc  () : memref<4x16xf32>
// CHECK:         gpu.launch_func  @mlp_kernel::@mlp_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%[[THREADS:.*]], %{{.*}}, %{{.*}}) args(%[[TMP]] : memref<4x16xf32>)
// CHECK:         gpu.launch_func
// CHECK:         gpu.dealloc  %[[TMP]] : memref<4x16xf32>
// CHECK:         return
// CHECK:       gpu.binary @mlp_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, properties = {{.*}}, bin = "\7FELF
// CHECK-NOT:   gpu.module

// The fast path fuses bias, ReLU and scale into one kernel (with the fill,
// the matmul and the copy into the result: 4); the reference path keeps one
// kernel per op (6).
// FAST: 4 kernels: bin for sm_90
// REF: 6 kernels: bin for sm_90

// PTX for sm_80.
// PTX: 4 kernels: isa for sm_80

// format=none stops at the NVVM dialect.
// NVVM:       gpu.module @mlp_kernel [#nvvm.target<O = 3, chip = "sm_90">]
// NVVM:         llvm.func @mlp_kernel({{.*}} attributes {gpu.kernel, gpu.known_block_size = array<i32: 256, 1, 1>
// NVVM:           nvvm.read.ptx.sreg.tid.x

// BLOCK:       %[[C128:.*]] = arith.constant 128 : index
// BLOCK:       gpu.launch_func {{.*}} threads in (%[[C128]],

// Invalid options are errors before anything runs.
// BADFORMAT: error: loom-gpu-pipeline: format 'cubin' is not one of bin, isa, fatbin or none
// BADARCH: error: loom-gpu-pipeline: gpu-arch 'sm_1' is not an NVIDIA GPU architecture (expected sm_<N>, N >= 20, such as sm_80 or sm_90)
// BADARCH2: error: loom-gpu-pipeline: gpu-arch 'compute_90' is not an NVIDIA GPU architecture
// BADBLOCK: error: loom-gpu-pipeline: block-size 2048 is not a CUDA block size (1 to 1024 threads)
// BADOPT: error: loom-gpu-pipeline: opt-level 4 is not an optimisation level (0 to 3)

// BADCUDA: error: loom-gpu-pipeline: cuda-path '{{.*}}.nonexistent' is not a directory (expected a CUDA toolkit with bin/ptxas)

// No ptxas in the toolkit, PATH or $CUDA_ROOT/$CUDA_HOME/$CUDA_PATH:
// gpu-module-to-binary's error.
// NOPTXAS: error: Couldn't find the `ptxas` binary.

#row = affine_map<(i, j) -> (i, j)>
#bias = affine_map<(i, j) -> (j)>
func.func @mlp(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %biased = linalg.generic {indexing_maps = [#row, #bias, #row], iterator_types = ["parallel", "parallel"]}
      ins(%m, %b : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %s = arith.addf %v, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %relu = linalg.generic {indexing_maps = [#row, #row], iterator_types = ["parallel", "parallel"]}
      ins(%biased : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %scaled = linalg.generic {indexing_maps = [#row, #row], iterator_types = ["parallel", "parallel"]}
      ins(%relu : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.mulf %v, %half : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  return %scaled : tensor<4x16xf32>
}
