//===- LoomShiftAddOps.td - Shift-add operations -------------*- tablegen -*-===//
//
// Multiplication-free matmuls: power-of-two weights (DeepShift), binary-coded
// weights with power-of-two scales (ShiftAddLLM) and adder layers (AdderNet).
// See TECHNIQUES.md section 4 for the semantics and docs/ShiftAdd.md for the
// design. Every op computes `y = x W^T` with `x [M,K]`, a weight `[N,K]` and
// `y [M,N]`; their reference lowerings contain no multiplication.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMSHIFTADDOPS_TD
#define LOOM_IR_LOOMSHIFTADDOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_ShiftMatmulOp : Loom_Op<"shift_matmul", [Pure]> {
  let summary = "Matmul with power-of-two weights W = s * 2^p (shifts and adds)";
  let description = [{
    Computes `y[m,n] = sum_k x[m,k] * W[n,k]` with `W[n,k] = s[n,k] * 2^p[n,k]`
    (DeepShift / NASA), without multiplying.

    - `input` is `[M,K]`, `sign` and `exponent` are `[N,K]` of `i8`, the
      result is `[M,N]`. `s` is the sign of `sign[n,k]` (positive: +1,
      negative: -1, zero: 0). `p = exponent[n,k]` clamped to
      `[min_exponent, max_exponent]` (default `[-8, 7]`); a constant
      `exponent` or `sign` operand outside its range is rejected.
    - Integer (fixed-point) input `iW` with `frac_bits = F` holds
      `x_int * 2^-F`; the result `iR` (`R >= W`) is fixed point with
      `result_frac_bits = F'` (default `F`). Each product is
      `x_int` sign-extended to `iR` and shifted by `p + F' - F`: left
      (`shli`) when non-negative, arithmetic right (`shrsi`, rounding towards
      minus infinity) otherwise, then negated when `s = -1`. Products and the
      sum over `k` wrap modulo `2^R` like `arith.addi`. The shift range
      `[min_exponent + F' - F, max_exponent + F' - F]` must lie in
      `(-R, R)`.
    - Float input (`f16`, `bf16`, `f32`; result `f16`, `bf16` or `f32`):
      each product is `ldexp(x, p)` computed by adding `p` to the f32
      exponent field, negated when `s = -1`; sums run in f32 over ascending
      `k`. Subnormal inputs and results flush to signed zero, overflow gives
      signed infinity, infinities and NaN pass through. `frac_bits` and
      `result_frac_bits` are not allowed.

    ```mlir
    // Q8.8 activations, Q?.12 accumulator.
    %y = loom.shift_matmul %x, %s, %p {frac_bits = 8, result_frac_bits = 12}
        : (tensor<4x64xi16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
    %z = loom.shift_matmul %xf, %s, %p {min_exponent = -12, max_exponent = 3}
        : (tensor<4x64xf32>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    AnyRankedTensor:$sign,
    AnyRankedTensor:$exponent,
    OptionalAttr<I64Attr>:$frac_bits,
    OptionalAttr<I64Attr>:$result_frac_bits,
    DefaultValuedAttr<I64Attr, "-8">:$min_exponent,
    DefaultValuedAttr<I64Attr, "7">:$max_exponent
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $sign `,` $exponent attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The shift applied to the integer input on top of the exponent:
    /// result_frac_bits - frac_bits (0 for float input).
    int64_t getFracShift();
  }];
}

def Loom_BCQMatmulOp : Loom_Op<"bcq_matmul", [Pure]> {
  let summary = "Matmul with binary-coded weights and power-of-two group scales";
  let description = [{
    ShiftAddLLM's binary-coding quantization (BCQ): the weight is
    `W[n,k] = sum_{i<q} 2^{e[i,n,k/g]} * B_i[n,k]` with `B_i` in `{-1,+1}` and
    one power-of-two scale `alpha = 2^e` per plane, output row and group of
    `g = group_size` input columns; `y = x W^T`.

    - `input` is `[M,K]` (`f16`, `bf16` or `f32`); the result is `[M,N]`
      (`f16`, `bf16` or `f32`).
    - `planes` is `[q,N,K/8]` of `i8`, the planes packed eight columns per
      byte: bit `j` (least significant first) of byte `c` of row `n` of plane
      `i` is column `k = 8c + j`; a set bit is `+1`, a clear bit `-1`.
    - `scale_exponents` is `[q,N,K/g]` of `i8`: `alpha = 2^e`.
    - `g` is a positive multiple of 8 dividing `K`, so every byte lies in
      one scale group.
    - The arithmetic is defined in f32 and in this order, so that every
      lowering gives the same bits: for each byte, the signed sum of its eight
      activations `t = (((0 +- x[8c]) +- x[8c+1]) ... +- x[8c+7])`; per group,
      the sum of its bytes' `t` in ascending `c`; then
      `y = sum_i sum_G ldexp(partial[i,G], e[i,n,G])` over ascending `i`, then
      ascending `G`. `ldexp` adds to the exponent field (as in
      `loom.shift_matmul`: subnormals flush to zero, overflow gives infinity).

    The reference lowering recomputes each signed byte sum; with
    `convert-loom-to-linalg{bcq-lut=true}` every group of eight activations
    instead builds a 256-entry table of all signed sums once per row of `x`,
    and each byte of a plane becomes one table lookup (same bits).

    ```mlir
    // 3 planes, groups of 32 columns.
    %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
        : (tensor<4x128xf32>, tensor<3x64x16xi8>, tensor<3x64x4xi8>) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    AnyRankedTensor:$planes,
    AnyRankedTensor:$scale_exponents,
    I64Attr:$group_size
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $planes `,` $scale_exponents attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_AdderMatmulOp : Loom_Op<"adder_matmul", [Pure]> {
  let summary = "AdderNet layer: y[m,n] = -sum_k |x[m,k] - w[n,k]|";
  let description = [{
    The adder layer of AdderNet: the negated L1 distance between each input
    row and each weight row, with no multiplication.

    - `input` is `[M,K]`, `weight` is `[N,K]` of the same element type, the
      result is `[M,N]`.
    - Float (`f16`, `bf16`, `f32`): computed in f32, `acc = acc - |x - w|` over
      ascending `k`, then converted to the result float type.
    - Signless integer `iW`: operands sign-extended to the result `iR`
      (`R >= W`), differences and the sum wrap modulo `2^R`.

    ```mlir
    %y = loom.adder_matmul %x, %w
        : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_IR_LOOMSHIFTADDOPS_TD
