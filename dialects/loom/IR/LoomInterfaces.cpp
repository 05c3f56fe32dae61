//===- LoomInterfaces.cpp - loom op interfaces ----------------------------===//
//
// Definitions generated from LoomInterfaces.td. The implementations of the
// interfaces live with their users (lib/Analysis/*CostModels.cpp).
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomInterfaces.h"

#include "loom/IR/LoomInterfaces.cpp.inc"
