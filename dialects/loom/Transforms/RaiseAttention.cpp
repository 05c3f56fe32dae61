//===- RaiseAttention.cpp - loom-raise-attention (being written) ----===//

#include "loom/Transforms/Passes.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEATTENTION
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {
struct RaiseAttentionPass : loom::impl::LoomRaiseAttentionBase<RaiseAttentionPass> {
  void runOnOperation() override {}
};
} // namespace
