"""Writes the C-simulation test programs (weights as constants, as a
deployed model has them) into a directory: csim_programs.py OUT_DIR."""
import os
import sys

import numpy as np


def dense(a):
    if a.dtype == np.float32:
        body = np.array2string(a, separator=", ", threshold=1 << 30,
                               formatter={"float_kind": lambda v: "%.8e" % v})
    else:
        body = np.array2string(a, separator=", ", threshold=1 << 30)
    return "dense<%s>" % body.replace("\n", "")


def ty(a, elem=None):
    e = elem or {np.float32: "f32", np.int8: "i8"}[a.dtype.type]
    return "tensor<%sx%s>" % ("x".join(map(str, a.shape)), e)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    progs = {}

    # Dense 32 -> 16 + bias + ReLU -> dense 8 + bias -> softmax.
    w1 = (rng.standard_normal((32, 16)) / 6).astype(np.float32)
    b1 = (rng.standard_normal(16) / 10).astype(np.float32)
    w2 = (rng.standard_normal((16, 8)) / 4).astype(np.float32)
    b2 = (rng.standard_normal(8) / 10).astype(np.float32)
    progs["mlp"] = f"""
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
func.func @mlp(%x: tensor<8x32xf32>) -> tensor<8x8xf32> {{
  %w1 = arith.constant {dense(w1)} : {ty(w1)}
  %b1 = arith.constant {dense(b1)} : {ty(b1)}
  %w2 = arith.constant {dense(w2)} : {ty(w2)}
  %b2 = arith.constant {dense(b2)} : {ty(b2)}
  %zero = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<8x16xf32>
  %f16 = linalg.fill ins(%zero : f32) outs(%e16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<8x32xf32>, tensor<32x16xf32>) outs(%f16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h = linalg.generic {{indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%m1, %b1 : tensor<8x16xf32>, tensor<16xf32>) outs(%e16 : tensor<8x16xf32>) {{
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }} -> tensor<8x16xf32>
  %e8 = tensor.empty() : tensor<8x8xf32>
  %f8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %m2 = linalg.matmul ins(%h, %w2 : tensor<8x16xf32>, tensor<16x8xf32>) outs(%f8 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %y = linalg.generic {{indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%m2, %b2 : tensor<8x8xf32>, tensor<8xf32>) outs(%e8 : tensor<8x8xf32>) {{
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }} -> tensor<8x8xf32>
  %p = linalg.softmax dimension(1) ins(%y : tensor<8x8xf32>) outs(%e8 : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %p : tensor<8x8xf32>
}}
"""

    # GQA 4:2 causal attention, 16 tokens, head dim 8.
    progs["attention"] = """
func.func @attention(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}
"""

    # Power-of-two weights: signs in {-1, 0, 1}, exponents in [-6, 1].
    s = rng.integers(-1, 2, (12, 24)).astype(np.int8)
    e = rng.integers(-6, 2, (12, 24)).astype(np.int8)
    progs["shift"] = f"""
func.func @shift(%x: tensor<6x24xf32>) -> tensor<6x12xf32> {{
  %s = arith.constant {dense(s)} : {ty(s)}
  %e = arith.constant {dense(e)} : {ty(e)}
  %y = loom.shift_matmul %x, %s, %e
      : (tensor<6x24xf32>, tensor<12x24xi8>, tensor<12x24xi8>) -> tensor<6x12xf32>
  return %y : tensor<6x12xf32>
}}
"""

    # Binary-coded weights: 2 planes, groups of 8, scale exponents in [-4, 0].
    bits = rng.integers(-128, 128, (2, 10, 4)).astype(np.int8)
    se = rng.integers(-4, 1, (2, 10, 4)).astype(np.int8)
    progs["bcq"] = f"""
func.func @bcq(%x: tensor<3x32xf32>) -> tensor<3x10xf32> {{
  %b = arith.constant {dense(bits)} : {ty(bits)}
  %e = arith.constant {dense(se)} : {ty(se)}
  %y = loom.bcq_matmul %x, %b, %e {{group_size = 8}}
      : (tensor<3x32xf32>, tensor<2x10x4xi8>, tensor<2x10x4xi8>) -> tensor<3x10xf32>
  return %y : tensor<3x10xf32>
}}
"""

    # Int8 weights, per-channel scales.
    wq = rng.integers(-127, 128, (12, 32)).astype(np.int8)
    sc = (rng.uniform(0.5, 1.5, 12) / 256).astype(np.float32)
    progs["qmatmul"] = f"""
func.func @qmatmul(%x: tensor<4x32xf32>) -> tensor<4x12xf32> {{
  %w = arith.constant {dense(wq)} : {ty(wq)}
  %s = arith.constant {dense(sc)} : {ty(sc)}
  %y = loom.qmatmul %x, %w, %s {{bits = 8}}
      : (tensor<4x32xf32>, tensor<12x32xi8>, tensor<12xf32>) -> tensor<4x12xf32>
  return %y : tensor<4x12xf32>
}}
"""

    # Token pruning: keep 5 of 12 tokens by score, class token pinned.
    progs["prune"] = """
func.func @prune(%x: tensor<1x12x8xf32>, %s: tensor<1x12xf32>) -> tensor<1x5x8xf32> {
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: 0>}
      : tensor<1x12x8xf32>, tensor<1x12xf32> -> tensor<1x5x8xf32>, tensor<1x5xi64>
  return %k : tensor<1x5x8xf32>
}
"""
    # MoE FFN: 4 ReLU experts (8 -> 16 -> 8), top-2 softmax routing; the HLS
    # test keeps a task's experts 1 and 3 (loom-hls-specialize-experts).
    wg = (rng.standard_normal((8, 4)) / 2).astype(np.float32)
    e1 = (rng.standard_normal((4, 8, 16)) / 3).astype(np.float32)
    e2 = (rng.standard_normal((4, 16, 8)) / 4).astype(np.float32)
    progs["moe"] = f"""
func.func @moe(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {{
  %wg = arith.constant {dense(wg)} : {ty(wg)}
  %w1 = arith.constant {dense(e1)} : {ty(e1)}
  %w2 = arith.constant {dense(e2)} : {ty(e2)}
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) {{k = 2, activation = #loom.moe_activation<relu>}}
      : (tensor<6x8xf32>, tensor<8x4xf32>, tensor<4x8x16xf32>, tensor<4x16x8xf32>) -> (tensor<6x8xf32>, tensor<i64>)
  return %y : tensor<6x8xf32>
}}
"""
    for name, text in progs.items():
        with open(os.path.join(out, name + ".mlir"), "w") as f:
            f.write(text.lstrip())


if __name__ == "__main__":
    main()
