//===- LoomLayerOps.td - Transformer layer building blocks --*- tablegen -*-===//
//
// The per-layer steps around attention that exporters decompose into a dozen
// elementwise ops: rotary position embedding and RMS normalisation. Raising
// (`loom-raise-rope`, `loom-raise-rms-norm`) recovers them so that later
// passes and the GPU/HLS lowerings can fuse them (into the attention
// prologue, into the following GEMM) without pattern matching again.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMLAYEROPS_TD
#define LOOM_IR_LOOMLAYEROPS_TD

include "loom/IR/LoomDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_RoPEOp : Loom_Op<"rope", [Pure]> {
  let summary = "Rotary position embedding with per-position cos/sin tables";
  let description = [{
    Rotates the first `R` channels of the last axis of `input` (`[..., D]`)
    by position-dependent angles whose cosines and sines are given as
    full-width tables: `cos` and `sin` have the input's rank, every
    dimension equal to the input's or 1 (broadcast), and last dimension `R`
    (even, `R <= D`). Channels `R..D-1` pass through unchanged (partial
    rotary, as in GPT-NeoX and Phi).

    Without `interleaved` (rotate-half: Llama, Mistral, Qwen, NeoX), channel
    `d` pairs with `d + R/2`:

    ```
    y[d] = x[d] * cos[d] - x[d + R/2] * sin[d]     for d <  R/2
    y[d] = x[d] * cos[d] + x[d - R/2] * sin[d]     for R/2 <= d < R
    ```

    With `interleaved` (GPT-J, ONNX `RotaryEmbedding` with `interleaved=1`),
    channel `2i` pairs with `2i + 1`:

    ```
    y[2i]   = x[2i]   * cos[2i]   - x[2i+1] * sin[2i]
    y[2i+1] = x[2i+1] * cos[2i+1] + x[2i]   * sin[2i+1]
    ```

    This is exactly `x * cos + rotate(x) * sin` as HuggingFace computes it:
    the tables are full width (the usual ones repeat each angle twice, but
    the op does not require it), so the op is the exporter's arithmetic, not
    an approximation of it.

    ```mlir
    // Llama: q [B, H, S, D], tables [B, 1, S, D] shared by all heads.
    %q1 = loom.rope %q, %cos, %sin
        : (tensor<1x8x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>)
        -> tensor<1x8x64x16xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    AnyRankedTensor:$cos,
    AnyRankedTensor:$sin,
    UnitAttr:$interleaved
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $cos `,` $sin attr-dict `:` `(` type($input) `,` type($cos) `,`
    type($sin) `)` `->` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of rotated channels (the tables' last dimension).
    int64_t getRotaryDim() {
      return cast<RankedTensorType>(getCos().getType()).getShape().back();
    }
  }];
}

def Loom_RMSNormOp : Loom_Op<"rms_norm", [Pure]> {
  let summary = "Root-mean-square normalisation over the last axis";
  let description = [{
    Normalises every row of the last axis of `input` (`[..., N]`) by its
    root mean square and scales it by `weight` (`[N]`, optional):

    ```
    y[..., n] = x[..., n] / sqrt(mean_m(x[..., m]^2) + epsilon) * weight[n]
    ```

    The sum of squares, the mean and the square root are computed in f32
    (f16/bf16 inputs are extended first, as HuggingFace's `LlamaRMSNorm`
    does); the result is rounded to the input's element type. `epsilon` must
    be finite and non-negative.

    ```mlir
    %h = loom.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
        : (tensor<1x64x128xf32>, tensor<128xf32>) -> tensor<1x64x128xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    Optional<AnyRankedTensor>:$weight,
    F32Attr:$epsilon
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $weight^)? attr-dict `:` `(` type($input) (`,` type($weight)^)?
    `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_IR_LOOMLAYEROPS_TD
