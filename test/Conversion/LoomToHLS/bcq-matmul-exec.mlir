// loom.bcq_matmul as per-row lookup tables (convert-loom-to-hls +
// convert-hls-to-arith) against the reference lowering, both run by loom-run
// --reference on the same inputs: bit planes over the whole i8 range, scale
// exponents in [-4, 2], x from --random-seed 1. Bit-exact: the tables hold
// the op's signed byte sums and the group and plane sums run in the op's
// order; the scales are exact powers of two.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/a --entry g32 --i8 3x24x16,-128,127 --i8 3x24x4,-4,2 --exact | FileCheck %s
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/b --entry g8 --i8 2x10x6,-128,127 --i8 2x10x6,-4,2 --exact | FileCheck %s
// CHECK: result0: {{.*}}: bit-exact

// 3 planes, groups of 32 columns (4 bytes per group).
func.func @g32(%b: tensor<3x24x16xi8>, %e: tensor<3x24x4xi8>, %x: tensor<5x128xf32>) -> tensor<5x24xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<5x128xf32>, tensor<3x24x16xi8>, tensor<3x24x4xi8>) -> tensor<5x24xf32>
  return %y : tensor<5x24xf32>
}

// 2 planes, groups of 8 columns (one byte per group).
func.func @g8(%b: tensor<2x10x6xi8>, %e: tensor<2x10x6xi8>, %x: tensor<3x48xf32>) -> tensor<3x10xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 8}
      : (tensor<3x48xf32>, tensor<2x10x6xi8>, tensor<2x10x6xi8>) -> tensor<3x10xf32>
  return %y : tensor<3x10xf32>
}
