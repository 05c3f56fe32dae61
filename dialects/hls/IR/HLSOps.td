//===- HLSOps.td - hls dialect operations --------------------*- tablegen -*-===//
//
// The operations of the hls dialect.
//
//===----------------------------------------------------------------------===//

#ifndef HLS_IR_HLSOPS_TD
#define HLS_IR_HLSOPS_TD

include "hls/IR/HLSDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def HLS_ShiftOp : HLS_Op<"shift", [Pure]> {
  let summary = "Product by a power of two: y = x * 2^e";
  let description = [{
    `y = x * 2^e` for an `f32` `x` and a signless `i32` exponent `e`, which
    may be negative. In hardware this is a shift of a fixed-point value
    (`<<` for `e >= 0`, `>>` otherwise) or an add to a float's exponent
    field: no multiplier. The HLS C++ emitter prints `loom_hls::shift(x, e)`.

    Semantics (float): the exact product `x * 2^e` rounded once to f32, as
    `ldexpf(x, e)`, for every `e`. Outside `[-277, 276]` every finite
    product is zero or infinite, so a constant `e` there is rejected by the
    verifier as a likely mistake. Zero, infinities and NaN pass through with
    their sign.

    Its CPU lowering (`convert-hls-to-arith`) multiplies by exact powers of
    two built from the exponent bits (one product for a constant `e` in
    `[-126, 127]`); see that pass for where it can differ from `ldexpf`
    (subnormal results when `e < -126`).

    ```mlir
    // x / 8
    %e = arith.constant -3 : i32
    %y = hls.shift %x, %e : f32, i32
    ```
  }];
  let arguments = (ins F32:$input, I32:$exponent);
  let results = (outs F32:$output);
  let assemblyFormat = [{
    $input `,` $exponent attr-dict `:` type($input) `,` type($exponent)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The exponents whose products are not all zero or infinite:
    /// |x| < 2^128 times 2^-278 rounds to 0; |x| >= 2^-149 times 2^277
    /// overflows.
    static constexpr int64_t kMinExponent = -277;
    static constexpr int64_t kMaxExponent = 276;
  }];
}

#endif // HLS_IR_HLSOPS_TD
