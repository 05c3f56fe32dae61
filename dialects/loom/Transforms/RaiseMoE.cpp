//===- RaiseMoE.cpp - loom-raise-moe ----------------------------------------===//
//
// (being written)
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEMOE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {
struct RaiseMoEPass : loom::impl::LoomRaiseMoEBase<RaiseMoEPass> {
  void runOnOperation() override {}
};
} // namespace

void mlir::loom::populateRaiseMoEPatterns(RewritePatternSet &patterns) {}
