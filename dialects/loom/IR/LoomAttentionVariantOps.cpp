//===- LoomAttentionVariantOps.cpp - Linear / block-sparse attention ------===//

#include "loom/IR/LoomOps.h"

using namespace mlir;
using namespace mlir::loom;
