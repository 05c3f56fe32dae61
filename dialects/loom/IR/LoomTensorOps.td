//===- LoomTensorOps.td - Tensor utilities missing upstream -*- tablegen -*-===//
//
// General tensor operations that transformer graphs need and that upstream
// dialects (linalg, tensor, tosa) do not have. Today: top-k selection, which
// MoE routers and token pruning are built on; the ONNX importer emits it for
// TopK so that raising can recognise routers.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMTENSOROPS_TD
#define LOOM_IR_LOOMTENSOROPS_TD

include "loom/IR/LoomDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_TopKOp : Loom_Op<"topk", [Pure]> {
  let summary = "The k largest (or smallest) elements along an axis, sorted";
  let description = [{
    Selects `k` elements of every 1-d slice of `input` along `axis` (default
    `-1`, the last; negative values count from the end) and returns them
    sorted together with their positions: `values` (the input's type, with
    `axis` of size `k`) and `indices` (i64, same shape).

    - Without `smallest`: the largest elements in descending order; with it,
      the smallest in ascending order.
    - Equal elements are ranked by position: the lower index first (ONNX
      `TopK`, `torch.topk` on CPU). NaN ranks above every number, as in
      `torch.topk` (so it comes first without `smallest` and last with it);
      NaNs are ordered by position too.
    - Integer inputs (wider than i1) are compared as signed;
      `1 <= k <=` the axis size.

    ```mlir
    // A Mixtral router: the 2 best of 8 experts per token.
    %w, %e = loom.topk %probs {k = 2}
        : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
    // The 3 smallest along the first axis.
    %v, %i = loom.topk %x {k = 3, axis = 0, smallest}
        : tensor<10x4xf32> -> (tensor<3x4xf32>, tensor<3x4xi64>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    I64Attr:$k,
    DefaultValuedAttr<I64Attr, "-1">:$axis,
    UnitAttr:$smallest
  );
  let results = (outs AnyRankedTensor:$values, AnyRankedTensor:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($values) `,` type($indices) `)`
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// `axis` normalised to [0, rank).
    int64_t getNormalizedAxis();
  }];
}

#endif // LOOM_IR_LOOMTENSOROPS_TD
