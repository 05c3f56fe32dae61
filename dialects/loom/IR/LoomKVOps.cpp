//===- LoomKVOps.cpp - KV cache op verifiers and helpers ------------------===//

#include "loom/IR/LoomOps.h"

using namespace mlir;
using namespace mlir::loom;
