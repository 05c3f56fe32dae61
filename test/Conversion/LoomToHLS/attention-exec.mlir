// Streaming attention (convert-loom-to-hls + convert-hls-to-arith) against
// the reference lowering, both run by loom-run --reference on the same
// random inputs (--random-seed 1): |hls - ref| <= 1e-6 + 1e-5 |ref|.
// The online softmax rescales the running sum and accumulator, so the bits
// differ from the reference's two-pass softmax by a few ulps.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/gqa --entry causal_gqa --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/dec --entry causal_decode_mqa --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/nc --entry noncausal_scale_mask --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/inf --entry masked_rows --rtol 1e-5 --atol 1e-6 | FileCheck %s --check-prefix=ZERO
// The comparison can fail: the HLS form is not bit-exact here.
// RUN: not env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/exact --entry causal_gqa --exact | FileCheck %s --check-prefix=INEXACT
// CHECK: result0: {{.*}}: within rtol 1e-05 atol 1e-06
// ZERO: result0: {{.*}}: within rtol 1e-05 atol 1e-06
// INEXACT: result0: {{.*}}: NOT bit-exact

// GQA 8:2, causal prefill.
func.func @causal_gqa(%q: tensor<2x8x24x16xf32>, %k: tensor<2x2x24x16xf32>, %v: tensor<2x2x24x16xf32>) -> tensor<2x8x24x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<2x8x24x16xf32>, tensor<2x2x24x16xf32>, tensor<2x2x24x16xf32>) -> tensor<2x8x24x16xf32>
  return %o : tensor<2x8x24x16xf32>
}

// MQA, causal, 3 new queries against 40 keys (Dv != D).
func.func @causal_decode_mqa(%q: tensor<1x4x3x16xf32>, %k: tensor<1x1x40x16xf32>, %v: tensor<1x1x40x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x3x16xf32>, tensor<1x1x40x16xf32>, tensor<1x1x40x8xf32>) -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}

// Not causal, explicit scale, a random additive mask broadcast over heads.
func.func @noncausal_scale_mask(%q: tensor<1x2x16x16xf32>, %k: tensor<1x2x32x16xf32>, %v: tensor<1x2x32x16xf32>, %m: tensor<1x1x16x32xf32>) -> tensor<1x2x16x16xf32> {
  %o = loom.attention %q, %k, %v mask(%m) {scale = 2.0 : f32}
      : (tensor<1x2x16x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x1x16x32xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// A -inf mask hides keys; row 3 sees none and must be zeros, never NaN.
func.func @masked_rows(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %m = arith.constant dense<[[[[0.0, 0xFF800000, 0.5, 0xFF800000],
                               [0xFF800000, 0.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0, 0xFF800000],
                               [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000]]]]> : tensor<1x1x4x4xf32>
  %o = loom.attention %q, %k, %v mask(%m)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

