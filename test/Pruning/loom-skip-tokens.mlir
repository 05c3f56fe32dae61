// loom-skip-tokens on the two-layer transformer of Inputs/skip_check.py
// (8 tokens, causal), checked by execution (Inputs/skip_tokens_check.py):
// each router must be NumPy's least-squares fit of the block's update norm
// on the calibration tokens (predictions, R^2 and kept fraction within
// 1e-4), and the rewritten model must compute a NumPy mixture-of-depths
// model with the pass's router weights and the same selection (1e-4 of
// max |y|).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/skip_tokens_check.py gen %t
//
// The default blocks (every other one from 1): block 1 at capacity 0.5.
// RUN: loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.5 calibration=%t/calibration" \
// RUN:   -o %t/half.mlir 2>&1 | FileCheck %s --check-prefix=HALF
// HALF: remark: loc("mlp1_residual"): loom-skip-tokens: block 1: router fitted on 32 calibration tokens, R^2 0.{{[0-9]+}}; the 4 of 8 tokens kept carry 0.{{[0-9]+}} of the update norm
// HALF-NOT: block 0
// RUN: FileCheck %s --check-prefix=HALF-IR --input-file=%t/half.mlir
// HALF-IR: loom.skip_tokens = {blocks = [{bias = {{.*}}, block = 1 : i64, keep = 4 : i64, kept_fraction = {{.*}}, pinned = array<i64>, r2 = {{.*}}, weights = array<f64: {{.*}}>}], capacity = 5.000000e-01 : f64}
// HALF-IR: loom.attention {{.*}} -> tensor<1x1x8x16xf32>
// HALF-IR: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x8xf32>)
// HALF-IR: %[[SCORE:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[X:.*]], %{{.*}} : tensor<1x8x16xf32>, tensor<16xf32>) outs(%[[INIT]] : tensor<1x8xf32>)
// HALF-IR: %[[KEPT:.*]], %[[IDX:.*]] = loom.token.prune %[[X]], %[[SCORE]] {keep = 4 : i64} : tensor<1x8x16xf32>, tensor<1x8xf32> -> tensor<1x4x16xf32>, tensor<1x4xi64>
// HALF-IR: loom.rms_norm %[[KEPT]]
// HALF-IR: loom.attention {{.*}}causal{{.*}} -> tensor<1x1x4x16xf32>
// HALF-IR: linalg.matmul {{.*}} -> tensor<4x32xf32>
// HALF-IR: %[[OUT:.*]] = linalg.add {{.*}} -> tensor<1x4x16xf32>
// HALF-IR: loom.token.restore %[[OUT]] indices(%[[IDX]]) fill(%[[X]]) : (tensor<1x4x16xf32>, tensor<1x4xi64>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_tokens_check.py check %t %t/half.mlir | FileCheck %s --check-prefix=OK
// OK: ok: routers match NumPy's least squares
// OK: ok: matches the NumPy model
//
// Both blocks, consecutive (block 1 reads block 0's restore), pinned tokens.
// RUN: loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.75 blocks=1,0 pinned=3,0 calibration=%t/calibration" \
// RUN:   -o %t/both.mlir 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH-DAG: block 0: {{.*}} the 6 of 8 tokens kept
// BOTH-DAG: block 1: {{.*}} the 6 of 8 tokens kept
// RUN: FileCheck %s --check-prefix=BOTH-IR --input-file=%t/both.mlir
// BOTH-IR: loom.token.prune {{.*}} {keep = 6 : i64, pinned = array<i64: 0, 3>}
// BOTH-IR: %[[R0:.*]] = loom.token.restore
// BOTH-IR: loom.token.prune %[[R0]], {{.*}} {keep = 6 : i64, pinned = array<i64: 0, 3>}
// BOTH-IR: loom.token.restore {{.*}} fill(%[[R0]])
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_tokens_check.py check %t %t/both.mlir | FileCheck %s --check-prefix=OK
//
// One token of eight (capacity 0.1 rounds up to 1).
// RUN: loom-opt %t/model.mlir "--loom-skip-tokens=capacity=0.1 blocks=0 calibration=%t/calibration" \
// RUN:   -o %t/one.mlir
// RUN: FileCheck %s --check-prefix=ONE-IR --input-file=%t/one.mlir
// ONE-IR: loom.token.prune {{.*}} {keep = 1 : i64}
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_tokens_check.py check %t %t/one.mlir | FileCheck %s --check-prefix=OK
//
// A constant carrying the token axis into the block (as Llama's rotary
// tables do): gathered at the kept tokens.
// RUN: loom-opt %t/posbias.mlir "--loom-skip-tokens=capacity=0.5 calibration=%t/calibration" -o %t/posbias-out.mlir
// RUN: FileCheck %s --check-prefix=POS-IR --input-file=%t/posbias-out.mlir
// POS-IR: %[[POS:.*]] = arith.constant dense<{{.*}}> : tensor<1x8x16xf32>
// POS-IR: %[[KEPT:.*]], %[[IDX:.*]] = loom.token.prune
// POS-IR: %[[GATHERED:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[POS]], %[[IDX]] : tensor<1x8x16xf32>, tensor<1x4xi64>) outs(%{{.*}} : tensor<1x4x16xf32>)
// POS-IR: linalg.add ins(%[[KEPT]], %[[GATHERED]] : tensor<1x4x16xf32>, tensor<1x4x16xf32>)
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_tokens_check.py check %t %t/posbias-out.mlir posbias | FileCheck %s --check-prefix=OK
//
// negative_capacity_one: every token is kept, so nothing is rewritten (the
// routers are still fitted and reported) and the numbers are the full
// model's, as the execution check shows ("change from the full model: 0").
// RUN: loom-opt %t/model.mlir "--loom-skip-tokens=capacity=1.0 blocks=0,1 calibration=%t/calibration" \
// RUN:   -o %t/negative_capacity_one.mlir 2>&1 | FileCheck %s --check-prefix=NEG-ONE
// NEG-ONE-DAG: block 0: {{.*}} the 8 of 8 tokens kept carry 1.0000 of the update norm (every token kept: block unchanged)
// NEG-ONE-DAG: block 1: {{.*}} the 8 of 8 tokens kept carry 1.0000 of the update norm (every token kept: block unchanged)
// RUN: FileCheck %s --check-prefix=NEG-ONE-IR --input-file=%t/negative_capacity_one.mlir
// NEG-ONE-IR-NOT: loom.token
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_tokens_check.py check %t %t/negative_capacity_one.mlir \
// RUN:   | FileCheck %s --check-prefix=NEG-ONE-EXEC
// NEG-ONE-EXEC: change from the full model: 0.00e+00
// NEG-ONE-EXEC: ok: matches the NumPy model
//
// Through loom-optimize-pipeline's skip-tokens option (calibration from the
// pipeline's own option).
// RUN: loom-opt %t/model.mlir "--loom-optimize-pipeline=raise=false skip-tokens=capacity=0.5,blocks=0 calibration=%t/calibration" \
// RUN:   -o %t/pipeline.mlir 2>&1 | FileCheck %s --check-prefix=PIPE
// PIPE: loom-skip-tokens: block 0: {{.*}} the 4 of 8 tokens kept
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_tokens_check.py check %t %t/pipeline.mlir | FileCheck %s --check-prefix=OK
