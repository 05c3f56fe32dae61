//===- LoomOps.td - loom dialect operations -----------------*- tablegen -*-===//
//
// Aggregates the op families; each family lives in its own file.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMOPS_TD
#define LOOM_IR_LOOMOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "loom/IR/LoomTypes.td"
include "loom/IR/LoomAttentionOps.td"
include "loom/IR/LoomKVOps.td"
include "loom/IR/LoomLayerOps.td"
include "loom/IR/LoomMoEOps.td"
include "loom/IR/LoomQuantOps.td"
include "loom/IR/LoomShiftAddOps.td"
include "loom/IR/LoomTensorOps.td"
include "loom/IR/LoomTokenOps.td"

#endif // LOOM_IR_LOOMOPS_TD
