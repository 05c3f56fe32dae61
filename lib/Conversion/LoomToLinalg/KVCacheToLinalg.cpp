//===- KVCacheToLinalg.cpp - Reference lowering (in progress) -------------===//

#include "KVCacheParts.h"
#include "LoweringUtils.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

using namespace mlir;
using namespace mlir::loom;

void mlir::loom::populateKVCacheToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {}
