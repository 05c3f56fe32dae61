// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg -verify-diagnostics

// negative_: a loom_runtime_error symbol of another type cannot be called, so
// append is not lowered (and nothing crashes).
func.func private @loom_runtime_error(i64)
func.func @negative_wrong_runtime_error(%k: tensor<1x1x1x4xf32>) -> !loom.kv_cache<1x1x4x4xf32> {
  %c0 = loom.kv.init : !loom.kv_cache<1x1x4x4xf32>
  // expected-error @+2 {{cannot report capacity errors: symbol 'loom_runtime_error' must be a func.func of type '(i32) -> ()'}}
  // expected-error @+1 {{failed to legalize operation 'loom.kv.append'}}
  %c1 = loom.kv.append %c0, %k, %k : !loom.kv_cache<1x1x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
  return %c1 : !loom.kv_cache<1x1x4x4xf32>
}
