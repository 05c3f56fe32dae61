"""Writes a small transformer-like block as linalg on tensors (the shapes the
ONNX importer emits) with random constant weights, for fusion.test:

  h = x (collapsed to [T, D])
  q, k, v = h Wq + bq, h Wk + bk, h Wv + bv      (q/k/v projections + biases)
  a = softmax-free mix: q * k + v                 (stands in for attention)
  r = x + expand(a Wo)                            (output projection + residual)
  g, u = r Wg, r Wu                               (SwiGLU gate/up)
  s = silu(g) * u
  y = r + expand(s Wd + bd)                       (down projection, bias, residual)
  z = gelu_tanh(h W1 + b1)                        (a projection + bias + activation)

Results: y and z. Usage: make_block.py SEED > block.mlir
"""

import sys

import numpy as np

T, D, H, F = 12, 32, 24, 40
rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 0)


def dense(name, shape):
    values = rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)
    body = np.array2string(values, separator=", ", threshold=1 << 30,
                           floatmode="unique", max_line_width=1 << 30)
    return (f"    %{name} = arith.constant dense<{body}> : "
            f"tensor<{'x'.join(map(str, shape))}xf32>")


ID3 = "affine_map<(d0, d1, d2) -> (d0, d1, d2)>"
B3 = "affine_map<(d0, d1, d2) -> (d2)>"
ID2 = "affine_map<(d0, d1) -> (d0, d1)>"
B2 = "affine_map<(d0, d1) -> (d1)>"
lines = []


def emit(line):
    lines.append("    " + line)


def matmul(out, lhs, k, w, n):
    emit(f"%{out}_e = tensor.empty() : tensor<{T}x{n}xf32>")
    emit(f"%{out}_f = linalg.fill ins(%zero : f32) outs(%{out}_e : tensor<{T}x{n}xf32>) -> tensor<{T}x{n}xf32>")
    emit(f"%{out} = linalg.matmul ins(%{lhs}, %{w} : tensor<{T}x{k}xf32>, tensor<{k}x{n}xf32>) "
         f"outs(%{out}_f : tensor<{T}x{n}xf32>) -> tensor<{T}x{n}xf32>")


def binary(out, a, amap, atype, b, bmap, btype, n, op, rank=2):
    shape = f"1x{T}x{n}" if rank == 3 else f"{T}x{n}"
    ident = ID3 if rank == 3 else ID2
    iters = ", ".join(['"parallel"'] * rank)
    emit(f"%{out}_e = tensor.empty() : tensor<{shape}xf32>")
    emit(f"%{out} = linalg.generic {{indexing_maps = [{amap}, {bmap}, {ident}], iterator_types = [{iters}]}} "
         f"ins(%{a}, %{b} : {atype}, {btype}) outs(%{out}_e : tensor<{shape}xf32>) {{")
    emit("^bb0(%b_p: f32, %b_q: f32, %b_o: f32):")
    emit(f"  %b_r = {op} %b_p, %b_q : f32")
    emit("  linalg.yield %b_r : f32")
    emit(f"}} -> tensor<{shape}xf32>")


def unary(out, a, n, body):
    emit(f"%{out}_e = tensor.empty() : tensor<{T}x{n}xf32>")
    emit(f"%{out} = linalg.generic {{indexing_maps = [{ID2}, {ID2}], iterator_types = [\"parallel\", \"parallel\"]}} "
         f"ins(%{a} : tensor<{T}x{n}xf32>) outs(%{out}_e : tensor<{T}x{n}xf32>) {{")
    emit("^bb0(%b_p: f32, %b_o: f32):")
    for line in body:
        line = line.replace("%", "%b_")
        for constant in ("one", "half", "c3", "c"):
            line = line.replace(f"%b_{constant} ", f"%{constant} ")
        emit("  " + line)
    emit(f"}} -> tensor<{T}x{n}xf32>")


def t2(n):
    return f"tensor<{T}x{n}xf32>"


def t3(n):
    return f"tensor<1x{T}x{n}xf32>"


weights = [dense("wq", (D, D)), dense("wk", (D, H)), dense("wv", (D, H)),
           dense("bq", (D,)), dense("bk", (H,)), dense("bv", (H,)),
           dense("wo", (H, D)), dense("wg", (D, F)), dense("wu", (D, F)),
           dense("wd", (F, D)), dense("bd", (D,)), dense("w1", (D, F)),
           dense("b1", (F,))]
emit("%zero = arith.constant 0.0 : f32")
emit("%one = arith.constant 1.0 : f32")
emit("%half = arith.constant 0.5 : f32")
emit("%c = arith.constant 0.797884583 : f32")
emit("%c3 = arith.constant 0.044715 : f32")
emit(f"%h = tensor.collapse_shape %x [[0, 1], [2]] : {t3(D)} into {t2(D)}")
for name, w, n in (("q", "wq", D), ("k", "wk", H), ("v", "wv", H)):
    matmul(f"{name}0", "h", D, w, n)
    emit(f"%{name}0x = tensor.expand_shape %{name}0 [[0, 1], [2]] output_shape [1, {T}, {n}] : {t2(n)} into {t3(n)}")
    binary(name, f"{name}0x", ID3, t3(n), f"b{name}", B3, f"tensor<{n}xf32>", n, "arith.addf", rank=3)
# a = q[:, :, :H] * k + v
emit(f"%qs = tensor.extract_slice %q[0, 0, 0] [1, {T}, {H}] [1, 1, 1] : {t3(D)} to {t3(H)}")
binary("qk", "qs", ID3, t3(H), "k", ID3, t3(H), H, "arith.mulf", rank=3)
binary("a3", "qk", ID3, t3(H), "v", ID3, t3(H), H, "arith.addf", rank=3)
emit(f"%a = tensor.collapse_shape %a3 [[0, 1], [2]] : {t3(H)} into {t2(H)}")
matmul("o", "a", H, "wo", D)
emit(f"%ox = tensor.expand_shape %o [[0, 1], [2]] output_shape [1, {T}, {D}] : {t2(D)} into {t3(D)}")
binary("r", "x", ID3, t3(D), "ox", ID3, t3(D), D, "arith.addf", rank=3)
emit(f"%rc = tensor.collapse_shape %r [[0, 1], [2]] : {t3(D)} into {t2(D)}")
matmul("g", "rc", D, "wg", F)
matmul("u", "rc", D, "wu", F)
unary("sg", "g", F, ["%n = arith.negf %p : f32", "%e = math.exp %n : f32",
                     "%d = arith.addf %e, %one : f32", "%s = arith.divf %p, %d : f32",
                     "linalg.yield %s : f32"])
binary("s", "sg", ID2, t2(F), "u", ID2, t2(F), F, "arith.mulf")
matmul("dn", "s", F, "wd", D)
emit(f"%dnx = tensor.expand_shape %dn [[0, 1], [2]] output_shape [1, {T}, {D}] : {t2(D)} into {t3(D)}")
binary("db", "dnx", ID3, t3(D), "bd", B3, f"tensor<{D}xf32>", D, "arith.addf", rank=3)
binary("y", "r", ID3, t3(D), "db", ID3, t3(D), D, "arith.addf", rank=3)
matmul("f1", "h", D, "w1", F)
binary("f1b", "f1", ID2, t2(F), "b1", B2, f"tensor<{F}xf32>", F, "arith.addf")
unary("z", "f1b", F, ["%p3 = arith.mulf %p, %p : f32", "%p3b = arith.mulf %p3, %p : f32",
                      "%t0 = arith.mulf %p3b, %c3 : f32", "%t1 = arith.addf %p, %t0 : f32",
                      "%t2 = arith.mulf %t1, %c : f32", "%t3 = math.tanh %t2 : f32",
                      "%t4 = arith.addf %t3, %one : f32", "%t5 = arith.mulf %p, %half : f32",
                      "%t6 = arith.mulf %t5, %t4 : f32", "linalg.yield %t6 : f32"])
print(f"func.func @block(%x: {t3(D)}) -> ({t3(D)}, {t2(F)}) {{")
print("\n".join(weights))
print("\n".join(lines))
print(f"    return %y, %z : {t3(D)}, {t2(F)}")
print("}")
