// loom-skip-layers on a two-layer transformer that Inputs/skip_check.py
// writes (attention 1 and MLP 0 are scaled down, so they change the
// residual stream least), checked by execution: the pass's cosines must be
// NumPy's (1e-5), the removed sublayers the highest-scoring ones, and the
// rewritten model must compute the NumPy model without them (1e-4 of max |y|).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/skip_check.py gen %t
//
// count=1 at each granularity.
// RUN: loom-opt %t/model.mlir "--loom-skip-layers=granularity=attention count=1 calibration=%t/calibration" \
// RUN:   -o %t/attention1.mlir 2>&1 | FileCheck %s --check-prefix=ATT1
// ATT1: remark: loom-skip-layers: cosine(x, x + f(x)) of the 2 attention sublayers, most redundant first: 1 (0.9999{{[0-9]+}}, removed), 0 (0.8{{[0-9]+}})
// ATT1: remark: loc("attn1_residual"): loom-skip-layers: removed attention sublayer 1 (cosine 0.9999{{[0-9]+}})
// ATT1: remark: loom-skip-layers: removed 1 of 2 attention sublayers (count=1)
// RUN: FileCheck %s --check-prefix=ATT1-IR --input-file=%t/attention1.mlir
// ATT1-IR: loom.skip_layers = {cosine = array<f64: {{.*}}>, granularity = "attention", metric = "cosine", removed = array<i64: 1>}
// ATT1-IR-COUNT-1: loom.attention
// ATT1-IR-NOT: loom.attention
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/attention1.mlir | FileCheck %s --check-prefix=OK
// OK: ok: removed
// OK: ok: matches the NumPy model
//
// RUN: loom-opt %t/model.mlir "--loom-skip-layers=granularity=mlp count=1 calibration=%t/calibration" \
// RUN:   -o %t/mlp1.mlir 2>&1 | FileCheck %s --check-prefix=MLP1
// MLP1: remark: loc("mlp0_residual"): loom-skip-layers: removed mlp sublayer 0 (cosine 0.998{{[0-9]+}})
// RUN: FileCheck %s --check-prefix=MLP1-IR --input-file=%t/mlp1.mlir
// MLP1-IR: removed = array<i64: 0>
// RUN: FileCheck %s --check-prefix=MLP1-UP --input-file=%t/mlp1.mlir
// MLP1-UP-COUNT-1: linalg.matmul {{.*}}tensor<16x32xf32>
// MLP1-UP-NOT: linalg.matmul {{.*}}tensor<16x32xf32>
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/mlp1.mlir | FileCheck %s --check-prefix=OK
//
// A block is an attention sublayer and its MLP: block 0 goes whole.
// RUN: loom-opt %t/model.mlir "--loom-skip-layers=count=1 calibration=%t/calibration" \
// RUN:   -o %t/block1.mlir 2>&1 | FileCheck %s --check-prefix=BLOCK1
// BLOCK1: remark: loom-skip-layers: cosine(x, x + f(x)) of the 2 blocks, most redundant first: 0 ({{[0-9.]+}}, removed), 1 ({{[0-9.]+}})
// BLOCK1: remark: loc("mlp0_residual"): loom-skip-layers: removed block 0
// RUN: FileCheck %s --check-prefix=BLOCK1-IR --input-file=%t/block1.mlir
// BLOCK1-IR: granularity = "block"
// BLOCK1-IR-COUNT-1: loom.attention
// BLOCK1-IR-NOT: loom.attention
// BLOCK1-IR-NOT: attn0_residual
// BLOCK1-IR-NOT: mlp0_residual
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/block1.mlir | FileCheck %s --check-prefix=OK
//
// A threshold: both attention sublayers score at least 0.8.
// RUN: loom-opt %t/model.mlir "--loom-skip-layers=granularity=attention threshold=0.8 calibration=%t/calibration" \
// RUN:   -o %t/threshold.mlir 2>&1 | FileCheck %s --check-prefix=THRESH
// THRESH: removed 2 of 2 attention sublayers (cosine >= 0.8)
// RUN: FileCheck %s --check-prefix=THRESH-IR --input-file=%t/threshold.mlir
// THRESH-IR: removed = array<i64: 0, 1>
// THRESH-IR-NOT: loom.attention
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/threshold.mlir | FileCheck %s --check-prefix=OK
//
// negative_threshold: above every score, nothing is removed (the model is
// unchanged, as the execution check shows).
// RUN: loom-opt %t/model.mlir "--loom-skip-layers=granularity=mlp threshold=0.9999 calibration=%t/calibration" \
// RUN:   -o %t/negative_threshold.mlir 2>&1 | FileCheck %s --check-prefix=NEG-THRESH
// NEG-THRESH-NOT: removed mlp sublayer
// NEG-THRESH: removed 0 of 2 mlp sublayers (cosine >= 0.9999)
// RUN: FileCheck %s --check-prefix=NONE-IR --input-file=%t/negative_threshold.mlir
// RUN: FileCheck %s --check-prefix=NONE-ATT --input-file=%t/negative_threshold.mlir
// NONE-ATT-COUNT-2: loom.attention
// NONE-IR: removed = array<i64>
// NONE-IR-COUNT-13: linalg.matmul
// NONE-IR-NOT: linalg.matmul
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/negative_threshold.mlir | FileCheck %s --check-prefix=OK
//
// negative_count0: count=0 scores and removes nothing.
// RUN: loom-opt %t/model.mlir "--loom-skip-layers=count=0 calibration=%t/calibration" \
// RUN:   -o %t/negative_count0.mlir 2>&1 | FileCheck %s --check-prefix=NEG-COUNT0
// NEG-COUNT0-NOT: removed block
// NEG-COUNT0: removed 0 of 2 blocks (count=0)
// RUN: FileCheck %s --check-prefix=NONE-IR --input-file=%t/negative_count0.mlir
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/negative_count0.mlir | FileCheck %s --check-prefix=OK
//
// Through loom-optimize-pipeline (its skip-layers option, with the
// pipeline's calibration): the same rewrite as loom-skip-layers alone.
// RUN: loom-opt %t/model.mlir "--loom-optimize-pipeline=skip-layers=granularity=mlp,count=1 calibration=%t/calibration" \
// RUN:   -o %t/pipeline.mlir 2>&1 | FileCheck %s --check-prefix=MLP1
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/skip_check.py check %t %t/pipeline.mlir | FileCheck %s --check-prefix=OK
// RUN: not loom-opt %t/model.mlir "--loom-optimize-pipeline=skip-layers=count=1" 2>&1 | FileCheck %s --check-prefix=PIPE-ERR
// PIPE-ERR: error: skip-layers: loom-skip-layers: calibration is required
//
// The hand-written function below: decoy adds are not sublayers.
// RUN: %python %S/Inputs/skip_check.py calib %t/decoy-calibration 4x8
// RUN: loom-opt %s "--loom-skip-layers=granularity=mlp count=1 calibration=%t/decoy-calibration" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=DECOY

// negative_decoys: x + relu(x) has no matmul in its branch and a + b adds
// two values neither of which feeds the other; neither is a sublayer, so
// the one MLP sublayer (x + relu(x W) V) is the only candidate.
// DECOY: remark: loom-skip-layers: cosine(x, x + f(x)) of the 1 mlp sublayers, most redundant first: 0
// DECOY: remark: loc("mlp"): loom-skip-layers: removed mlp sublayer 0
// (Not a CHECK-LABEL: the remarks above echo the source line of the function.)
// DECOY: func.func @negative_decoys(%arg0
// DECOY: %[[RELU:.*]] = linalg.generic
// DECOY: linalg.add ins(%arg0, %[[RELU]] :
// DECOY: %[[A:.*]] = linalg.matmul
// DECOY: %[[B:.*]] = linalg.matmul
// DECOY: %[[NOTRESIDUAL:.*]] = linalg.add ins(%[[A]], %[[B]] :
// DECOY-NOT: linalg.matmul
// DECOY: return %[[NOTRESIDUAL]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @negative_decoys(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.125> : tensor<8x8xf32>
  %v = arith.constant dense<-0.25> : tensor<8x8xf32>
  %init = tensor.empty() : tensor<4x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %nomatmul = linalg.add ins(%x, %relu : tensor<4x8xf32>, tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32> loc("negative_no_matmul")
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  %a = linalg.matmul ins(%nomatmul, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = linalg.matmul ins(%nomatmul, %v : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %notresidual = linalg.add ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32> loc("negative_not_residual")
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%notresidual : tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) {
  ^bb0(%a2: f32, %o: f32):
    %m = arith.maximumf %a2, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %d = linalg.matmul ins(%h, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mlp = linalg.add ins(%notresidual, %d : tensor<4x8xf32>, tensor<4x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32> loc("mlp")
  return %mlp : tensor<4x8xf32>
}
