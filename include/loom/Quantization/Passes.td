//===- Passes.td - Quantization and shift-add passes ---------*- tablegen -*-===//
//
// The passes that apply a quantization technique to a model: they find its
// linear layers (LinearLayers.h), fit the reduced weights (Fitting.h) and
// rewrite the layers into loom's quantized and shift-add ops. They may run
// the model on calibration inputs (Calibration.h). docs/Quantization.md has
// the design and the measured errors.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANTIZATION_PASSES_TD
#define LOOM_QUANTIZATION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomQuantize : Pass<"loom-quantize", "::mlir::ModuleOp"> {
  let summary = "Quantize linear layers: weight-only int8/int4 or W8A8";
  let description = [{
    Rewrites every linear layer (a static f32 `linalg.matmul(x, W)` with a
    constant `[K,N]` weight) of the entry function:

    - `mode=weight-only`: into `loom.qmatmul` with `bits`-wide codes (8 or
      4; 2, 3 and 5 to 7 are fitted at that width and stored in the int4 or
      int8 format: their error is the narrow width's, their size the
      container's). int4 is packed two per byte in the IR and in the
      compiled artifact. One
      scale per output channel (`granularity=per-channel`) or per group of
      `group-size` inputs (`granularity=group`), symmetric or with integer
      zero points. `rounding=gptq` uses GPTQ's error-compensating rounding
      with the layer's input second moments from `calibration`.
    - `mode=w8a8`: int8 weights (symmetric, per output channel) and int8
      activations, multiplied in integers: `q(x)` (i8) times the weight codes
      (i8) accumulated in i32 by `linalg.matmul`, then one rescale per output
      `acc * s_x * s_w[n]`. Activation scales are per token and computed at
      run time (`activation-scale=dynamic`, `max|x| / 127` of each row), or
      one per tensor from the calibration inputs (`static`: `max|x| / 127`
      over all calibration rows; larger inputs saturate).

    The output head (a layer whose result reaches a function result through
    reshapes only: a language model's logits) is left in f32 unless
    `include-head`; `policy` (a JSON file as loom-assign-precision writes)
    sets each named layer's `bits` or skips it. Remarks say which layers
    were left alone and why, and summarise what was rewritten.

    #### Input invariant
    A module whose entry function (`function`, or the only public one) is on
    static tensors, as loom-optimize-pipeline leaves an imported model.

    #### Output IR
    `loom.qmatmul` (weight-only) or `loom.quantize` + an i8 x i8 -> i32
    `linalg.matmul` + a rescaling `linalg.generic` (W8A8) on new constants.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"weight-only\"",
           "weight-only or w8a8">,
    Option<"bits", "bits", "int64_t", /*default=*/"8",
           "weight code width, 2 to 8 (stored as int4 up to 4, else int8; "
           "w8a8: 8)">,
    Option<"granularity", "granularity", "std::string",
           /*default=*/"\"per-channel\"",
           "per-channel (one scale per output) or group (weight-only)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "inputs per scale with granularity=group: positive, even for "
           "int4; a layer whose K it does not divide uses one group per "
           "output channel (with a remark)">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "zero points 0 (true) or fitted integer zero points (false; "
           "weight-only)">,
    Option<"rounding", "rounding", "std::string", /*default=*/"\"nearest\"",
           "nearest, or gptq (needs calibration; weight-only)">,
    Option<"activationScale", "activation-scale", "std::string",
           /*default=*/"\"dynamic\"",
           "w8a8: dynamic (per token at run time) or static (per tensor, "
           "from calibration)">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "directory of .npy model inputs (see docs/Quantization.md)">,
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "JSON file with per-layer bits (loom-assign-precision's output)">,
    Option<"includeHead", "include-head", "bool", /*default=*/"false",
           "quantize the output head too">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "entry function (default: the only public one)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::loom::LoomDialect",
  ];
  let statistics = [
    Statistic<"numQuantized", "num-quantized", "Linear layers rewritten">,
  ];
}

def LoomShiftAdd : Pass<"loom-shiftadd", "::mlir::ModuleOp"> {
  let summary = "Reparameterise linear layers as shift-and-add (ShiftAddLLM, DeepShift)";
  let description = [{
    Post-training reparameterisation of every linear layer (as loom-quantize
    finds them) into multiplication-free form:

    - `mode=bcq` (ShiftAddLLM): `W ~ sum_{i<bits} 2^e[i,n,G] B_i` with binary
      planes `B_i` in {-1,+1} and one power-of-two scale per plane, output
      row and group of `group-size` inputs, fitted by a greedy start and
      `iterations` rounds of alternating refinement. `objective=weight`
      minimises `||W - W'||^2`; `objective=output` minimises the layer's
      output error on the calibration inputs (`sum_x ||x (W - W')^T||^2`),
      GPTQ-style, column by column with error feedback. Becomes
      `loom.bcq_matmul`.
    - `mode=power-of-two` (DeepShift): each weight becomes `s * 2^p` with a
      sign in {-1,0,+1} and `p` in `[min-exponent, max-exponent]`. Becomes
      `loom.shift_matmul`.

    The output head is left alone unless `include-head`; `policy` (or the
    `loom.bits` attributes loom-assign-precision sets) gives per-layer
    plane counts for `mode=bcq`.

    #### Input invariant
    As loom-quantize.

    #### Output IR
    `loom.bcq_matmul` or `loom.shift_matmul` on new `i8` constants.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"bcq\"",
           "bcq (binary-coded, ShiftAddLLM) or power-of-two (DeepShift)">,
    Option<"bits", "bits", "int64_t", /*default=*/"3",
           "bcq: binary planes per weight, 2, 3 or 4">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "bcq: inputs per power-of-two scale, a positive multiple of 8; a "
           "layer whose K it does not divide uses one group per output "
           "channel (with a remark)">,
    Option<"objective", "objective", "std::string", /*default=*/"\"weight\"",
           "bcq: weight (||W - W'||) or output (needs calibration)">,
    Option<"iterations", "iterations", "int64_t", /*default=*/"3",
           "bcq: rounds of alternating refinement, 0 to 100">,
    Option<"minExponent", "min-exponent", "int64_t", /*default=*/"-8",
           "power-of-two: smallest exponent, -127 to 127">,
    Option<"maxExponent", "max-exponent", "int64_t", /*default=*/"7",
           "power-of-two: largest exponent, min-exponent to 127">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "directory of .npy model inputs (see docs/Quantization.md)">,
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "JSON file with per-layer bits (loom-assign-precision's output)">,
    Option<"includeHead", "include-head", "bool", /*default=*/"false",
           "rewrite the output head too">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "entry function (default: the only public one)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::loom::LoomDialect",
  ];
  let statistics = [
    Statistic<"numRewritten", "num-rewritten", "Linear layers rewritten">,
  ];
}

def LoomAssignPrecision : Pass<"loom-assign-precision", "::mlir::ModuleOp"> {
  let summary = "Choose per-layer code widths under an average-bits budget";
  let description = [{
    Measures each linear layer's sensitivity on the calibration inputs: the
    model's relative output error `||y' - y||^2 / ||y||^2` (summed over the
    samples, first result) when only that layer is reduced to each candidate
    width of `scheme` (`bcq`: loom-shiftadd's binary coding with its
    `group-size`, `objective` and `iterations`; `uniform`: loom-quantize's
    weight-only codes with `group-size` groups when `granularity=group`).
    Then it picks one width per layer minimising the total sensitivity with
    the average code bits per weight (weighted by parameters) at most
    `budget` (or the codes' bytes at most `budget-bytes`): a knapsack over layers solved exactly by dynamic programming,
    as HAWQ-V2 and ShiftAddLLM's bit allocation do.

    The choice is written as a policy file (`output`) and as a `loom.bits`
    attribute on each layer, which loom-shiftadd and loom-quantize read when
    they run next without a `policy`. The sensitivities and the achieved
    average are in the policy file. The IR's numbers are unchanged.

    #### Input invariant
    As loom-quantize; `calibration` is required.
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"bcq\"",
           "bcq (loom-shiftadd) or uniform (loom-quantize weight-only)">,
    ListOption<"candidates", "candidates", "int64_t",
               "widths to choose from (default: 2,3,4 for bcq, 4,8 for "
               "uniform; bcq takes 2 to 4, uniform 2 to 8)">,
    Option<"budget", "budget", "double", /*default=*/"0",
           "average code bits per weight, between the smallest and the "
           "largest candidate">,
    Option<"budgetBytes", "budget-bytes", "int64_t", /*default=*/"0",
           "instead of budget: the most bytes the sized layers' codes may "
           "take (parameters x bits / 8, scales not counted)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "as the scheme's pass">,
    Option<"granularity", "granularity", "std::string",
           /*default=*/"\"per-channel\"", "uniform: per-channel or group">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "uniform: symmetric codes, or integer zero points (as "
           "loom-quantize's option of that name)">,
    Option<"objective", "objective", "std::string", /*default=*/"\"weight\"",
           "bcq: weight or output">,
    Option<"iterations", "iterations", "int64_t", /*default=*/"3",
           "bcq: refinement rounds">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "directory of .npy model inputs (required)">,
    Option<"output", "output", "std::string", /*default=*/"\"\"",
           "policy JSON file to write (optional)">,
    Option<"includeHead", "include-head", "bool", /*default=*/"false",
           "size the output head too">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "entry function (default: the only public one)">,
  ];
}

#endif // LOOM_QUANTIZATION_PASSES_TD
