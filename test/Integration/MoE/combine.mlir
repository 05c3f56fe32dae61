// Execution test: loom.moe.combine scatters random expert outputs (20 rows, some
// of them padding with permutation -1) back to 10 tokens weighted by random
// router weights. Tolerance rtol 1e-5, atol 1e-6 (f32 sums of two products).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference combine %t
// RUN: loom-run %s --entry combine --input %t/y.npy --input %t/perm.npy --input %t/weights.npy --compare %t/ref.npy --rtol 1e-5 --atol 1e-6

func.func @combine(%y: tensor<20x8xf32>, %perm: tensor<20xi64>, %weights: tensor<10x2xf32>) -> tensor<10x8xf32> {
  %out = loom.moe.combine %y, %perm, %weights
      : (tensor<20x8xf32>, tensor<20xi64>, tensor<10x2xf32>) -> tensor<10x8xf32>
  return %out : tensor<10x8xf32>
}
