//===- HLSDialect.td - The hls dialect definition -----------*- tablegen -*-===//
//
// The `hls` dialect: the few scalar operations that the HLS target's
// hardware-friendly lowerings (docs/HLSOps.md) need and that upstream
// dialects lack. They appear inside linalg.generic bodies and loops.
//
//===----------------------------------------------------------------------===//

#ifndef HLS_IR_HLSDIALECT_TD
#define HLS_IR_HLSDIALECT_TD

include "mlir/IR/OpBase.td"

def HLS_Dialect : Dialect {
  let name = "hls";
  let cppNamespace = "::mlir::hls";
  let summary = "Scalar operations of Loom's HLS target";
  let description = [{
    Operations that the HLS lowerings (`convert-loom-to-hls`, see
    docs/HLSOps.md) use to say what hardware should do where upstream
    arithmetic would say something costlier: `hls.shift` is a product by a
    power of two, which the HLS C++ emitter prints as a shift (`ap_fixed`) or
    an `ldexpf` (float), never as a multiplier. `convert-hls-to-arith` lowers
    the dialect to upstream arithmetic for the CPU, which is how the HLS
    lowerings are tested by execution.
  }];
}

class HLS_Op<string mnemonic, list<Trait> traits = []>
    : Op<HLS_Dialect, mnemonic, traits>;

#endif // HLS_IR_HLSDIALECT_TD
