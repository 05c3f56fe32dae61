//===- LoomDialect.td - The loom dialect definition ---------*- tablegen -*-===//
//
// The `loom` dialect: transformer-inference operations that upstream MLIR has no
// first-class form for (attention variants, KV caches, MoE routing, shift-add
// arithmetic, token reduction, quantized matmuls). Ops are target-neutral and work on
// tensors; see docs/Dialect.md for the rationale.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMDIALECT_TD
#define LOOM_IR_LOOMDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let cppNamespace = "::mlir::loom";
  let summary = "Transformer-inference operations for efficiency research";
  let description = [{
    The `loom` dialect holds the operations of efficient transformer inference that
    upstream dialects lack: attention variants (softmax with GQA, causal masking,
    sliding windows and sinks; linear; block-sparse; Hamming), the KV cache as an SSA
    value with eviction, merging and quantization, mixture-of-experts routing, shift-add
    arithmetic, token reduction and quantized matmuls. Every op has a reference lowering to upstream
    dialects (`convert-loom-to-linalg`) that defines its meaning by execution.

    The compute ops `qmatmul`, `bcq_matmul`, `shift_matmul`, `adder_matmul`,
    `rms_norm`, `rope` and `attention` (tensor keys and values) implement
    `TilingInterface` and `AggregatedOpInterface` (whose decomposition is the
    reference lowering), so upstream tile-and-fuse and the transform dialect
    apply to them; see docs/Tiling.md.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

class Loom_Op<string mnemonic, list<Trait> traits = []>
    : Op<Loom_Dialect, mnemonic, traits>;

class Loom_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Loom_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

class Loom_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Loom_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // LOOM_IR_LOOMDIALECT_TD
