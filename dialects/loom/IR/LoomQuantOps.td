//===- LoomQuantOps.td - Quantization operations -------------*- tablegen -*-===//
//
// Weight-only quantized matmul (int8 / packed int4, per channel or per group,
// symmetric or asymmetric) and int8 activation quantize / dequantize (per
// tensor or per token). See TECHNIQUES.md section 7 for the semantics and
// docs/Quantization.md for the design, including why scales are operands
// rather than upstream `!quant.uniform` types.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMQUANTOPS_TD
#define LOOM_IR_LOOMQUANTOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_QuantGranularity : I32EnumAttr<"QuantGranularity",
    "which elements of an activation tensor share one scale", [
      I32EnumAttrCase<"per_tensor", 0>,
      I32EnumAttrCase<"per_token", 1>,
    ]> {
  let cppNamespace = "::mlir::loom";
}

def Loom_QMatmulOp : Loom_Op<"qmatmul", [Pure]> {
  let summary = "Matmul with int8 or packed int4 weights and float activations";
  let description = [{
    Weight-only quantized `y = x W^T` with
    `W[n,k] = (q[n,k] - z[n,G]) * s[n,G]` and `G = k / group_size`
    (or `G` absent: one scale per output channel).

    - `input` is `[M,K]` (`f16`, `bf16` or `f32`), the result is `[M,N]`
      (`f16`, `bf16` or `f32`). Dequantization and the sum over ascending `k`
      run in f32.
    - `bits = 8` (default): `weight` is `[N,K]` of `i8`, values in
      `[-128, 127]`.
    - `bits = 4`: `weight` is `[N,K/2]` of `i8`, two signed (two's
      complement) int4 values per byte, the low nibble first: byte `j` of row
      `n` holds `q[n,2j]` in bits 0..3 and `q[n,2j+1]` in bits 4..7; values in
      `[-8, 7]`. `K` must be even.
    - Without `group_size`, `scales` (and `zero_points`) are `[N]` (per
      output channel); with `group_size = g` (dividing `K`) they are
      `[N,K/g]`. Scales are float; zero points are `i8` in the range of
      `bits` (asymmetric quantization); without them the weights are
      symmetric (`z = 0`).

    ```mlir
    // int4, groups of 32, asymmetric.
    %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32}
        : (tensor<4x128xf16>, tensor<64x64xi8>, tensor<64x4xf16>, tensor<64x4xi8>)
        -> tensor<4x64xf16>
    // int8, per output channel, symmetric.
    %y8 = loom.qmatmul %x1, %w8, %s8
        : (tensor<4x128xf32>, tensor<64x128xi8>, tensor<64xf32>) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    AnyRankedTensor:$weight,
    AnyRankedTensor:$scales,
    Optional<AnyRankedTensor>:$zero_points,
    DefaultValuedAttr<I64Attr, "8">:$bits,
    OptionalAttr<I64Attr>:$group_size
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $scales (`,` $zero_points^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Number of input columns K (twice the packed width for int4).
    int64_t getReductionSize();
  }];
}

class Loom_ActivationQuantOp<string mnemonic> : Loom_Op<mnemonic, [Pure]> {
  let arguments = (ins
    AnyRankedTensor:$input,
    AnyRankedTensor:$scale,
    Optional<AnyRankedTensor>:$zero_point,
    Loom_QuantGranularity:$granularity
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? $granularity attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_QuantizeOp : Loom_ActivationQuantOp<"quantize"> {
  let summary = "Quantizes float activations to int8 (per tensor or per token)";
  let description = [{
    `q = clamp(roundeven(x / s) + z, -128, 127)` computed in f32, the
    result `i8` with the input's shape (W8A8 activations; scales come from
    calibration or a separate reduction).

    - `input` is a float tensor of rank >= 1 whose last dimension is the
      channel dimension; every other index is a token.
    - `per_tensor`: `scale` (f32) and `zero_point` (i8) are `[1]`.
      `per_token`: they have the input's shape without its last dimension.
    - Without `zero_point` the quantization is symmetric (`z = 0`). NaN
      maps to `z`; scales are expected positive.

    ```mlir
    %q = loom.quantize %x, %s per_token
        : (tensor<16x64xf32>, tensor<16xf32>) -> tensor<16x64xi8>
    %q1 = loom.quantize %x, %s1, %z1 per_tensor
        : (tensor<16x64xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<16x64xi8>
    ```
  }];
}

def Loom_DequantizeOp : Loom_ActivationQuantOp<"dequantize"> {
  let summary = "Dequantizes int8 activations (per tensor or per token)";
  let description = [{
    `x = (q - z) * s` computed in f32 and converted to the result float type
    (same shape as the `i8` input). Scales and zero points are shaped as for
    `loom.quantize`.

    ```mlir
    %x = loom.dequantize %q, %s per_token
        : (tensor<16x64xi8>, tensor<16xf32>) -> tensor<16x64xf32>
    ```
  }];
}

#endif // LOOM_IR_LOOMQUANTOPS_TD
