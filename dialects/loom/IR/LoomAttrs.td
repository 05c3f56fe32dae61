//===- LoomAttrs.td - loom dialect enums and attributes -----*- tablegen -*-===//

#ifndef LOOM_IR_LOOMATTRS_TD
#define LOOM_IR_LOOMATTRS_TD

include "loom/IR/LoomDialect.td"
include "mlir/IR/EnumAttr.td"

def Loom_FeatureMap : I32EnumAttr<"FeatureMap",
    "feature map phi of linear attention", [
      I32EnumAttrCase<"elu_plus_one", 0>,
      I32EnumAttrCase<"relu", 1>,
      I32EnumAttrCase<"identity", 2>,
    ]> {
  let cppNamespace = "::mlir::loom";
  let genSpecializedAttr = 0;
}
def Loom_FeatureMapAttr : EnumAttr<Loom_Dialect, Loom_FeatureMap, "feature_map">;

def Loom_EvictionPolicy : I32EnumAttr<"EvictionPolicy",
    "KV cache eviction policy", [
      I32EnumAttrCase<"window_sinks", 0>,
      I32EnumAttrCase<"h2o", 1>,
      I32EnumAttrCase<"snapkv", 2>,
    ]> {
  let cppNamespace = "::mlir::loom";
  let genSpecializedAttr = 0;
}
def Loom_EvictionPolicyAttr
    : EnumAttr<Loom_Dialect, Loom_EvictionPolicy, "eviction_policy">;

#endif // LOOM_IR_LOOMATTRS_TD
