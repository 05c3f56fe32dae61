//===- Sublayers.cpp - The transformer sublayers of a function ------------===//

#include "Sublayers.h"

#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace mlir::loom;

StringRef mlir::loom::sublayerKindName(SublayerKind kind) {
  switch (kind) {
  case SublayerKind::Attention:
    return "attention";
  case SublayerKind::MLP:
    return "mlp";
  case SublayerKind::Block:
    return "block";
  }
  llvm_unreachable("unknown sublayer kind");
}

/// The addends of `op` when it adds two static f32 tensors of its result
/// type elementwise: `arith.addf`, `linalg.add` or a `linalg.generic` of
/// identity maps whose body is one `arith.addf` of its two inputs.
static std::optional<std::pair<Value, Value>> addends(Operation *op) {
  if (op->getNumResults() != 1)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  // Per-token cosines need a static stream with a non-empty innermost
  // dimension (the hidden size).
  if (!type || !type.getElementType().isF32() || type.getRank() < 1 ||
      !type.hasStaticShape() || type.getShape().back() == 0)
    return std::nullopt;
  Value a, b;
  if (auto add = dyn_cast<arith::AddFOp>(op)) {
    a = add.getLhs();
    b = add.getRhs();
  } else if (auto add = dyn_cast<linalg::AddOp>(op)) {
    if (add.getNumDpsInputs() != 2)
      return std::nullopt;
    a = add.getDpsInputs()[0];
    b = add.getDpsInputs()[1];
  } else if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    if (generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops() ||
        !llvm::all_of(generic.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return std::nullopt;
    Block &body = generic.getRegion().front();
    if (body.getOperations().size() != 2)
      return std::nullopt;
    auto add = dyn_cast<arith::AddFOp>(body.front());
    auto yield = dyn_cast<linalg::YieldOp>(body.back());
    if (!add || !yield || yield->getOperand(0) != add.getResult())
      return std::nullopt;
    Value x = body.getArgument(0), y = body.getArgument(1);
    if (!((add.getLhs() == x && add.getRhs() == y) ||
          (add.getLhs() == y && add.getRhs() == x)))
      return std::nullopt;
    a = generic.getDpsInputs()[0];
    b = generic.getDpsInputs()[1];
  } else {
    return std::nullopt;
  }
  if (a.getType() != type || b.getType() != type)
    return std::nullopt;
  return std::make_pair(a, b);
}

/// Whether `op` (or an op nested in it) reads `x` or a result of `set`.
static bool readsAny(Operation *op, Value x,
                     const llvm::SmallPtrSetImpl<Operation *> &set) {
  WalkResult result = op->walk([&](Operation *nested) {
    for (Value operand : nested->getOperands())
      if (operand == x || set.contains(operand.getDefiningOp()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// The branch f of `add` = x + y when x is an ancestor of y: the ops that
/// depend on x and feed y (y's own op included). Empty when x is not an
/// ancestor of y.
static llvm::SmallPtrSet<Operation *, 32> branchOf(Value x, Value y,
                                                   Operation *add) {
  llvm::SmallPtrSet<Operation *, 32> dependents, branch;
  Operation *yOp = y.getDefiningOp();
  Block *block = add->getBlock();
  if (!yOp || yOp->getBlock() != block)
    return branch;
  Block::iterator it = block->begin();
  if (Operation *xOp = x.getDefiningOp()) {
    if (xOp->getBlock() != block || !xOp->isBeforeInBlock(yOp))
      return branch;
    it = std::next(xOp->getIterator());
  } else if (cast<BlockArgument>(x).getOwner() != block) {
    return branch;
  }
  for (; &*it != add; ++it)
    if (readsAny(&*it, x, dependents))
      dependents.insert(&*it);
  if (!dependents.contains(yOp))
    return branch;
  // What of that feeds y.
  SmallVector<Operation *> worklist{yOp};
  branch.insert(yOp);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (def && dependents.contains(def) && branch.insert(def).second)
          worklist.push_back(def);
      }
    });
  }
  return branch;
}

static bool isAttention(Operation *op) {
  return isa<AttentionOp, LinearAttentionOp, BlockSparseAttentionOp>(op);
}

/// A linear layer's product: a contraction (linalg.matmul and kin), loom's
/// quantized and shift-add matmuls (the pass may run after them), or a
/// mixture-of-experts FFN.
static bool isMatmul(Operation *op) {
  if (isa<MoEFFNOp, QMatmulOp, BCQMatmulOp, ShiftMatmulOp, AdderMatmulOp>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalg::isaContractionOpInterface(linalgOp);
}

std::vector<Sublayer> mlir::loom::findSublayers(func::FuncOp func,
                                                SublayerKind kind) {
  std::vector<Sublayer> attention, mlp;
  llvm::SmallPtrSet<Operation *, 16> sublayerAdds;
  for (Operation &op : func.getBody().front()) {
    std::optional<std::pair<Value, Value>> operands = addends(&op);
    if (!operands)
      continue;
    auto [a, b] = *operands;
    Value x = a;
    llvm::SmallPtrSet<Operation *, 32> branch = branchOf(a, b, &op);
    if (branch.empty()) {
      x = b;
      branch = branchOf(b, a, &op);
    }
    if (branch.empty())
      continue;
    // A residual add around whole sublayers is not one.
    if (llvm::any_of(branch, [&](Operation *inner) {
          return sublayerAdds.contains(inner);
        }))
      continue;
    bool hasAttention = llvm::any_of(branch, isAttention);
    bool hasMatmul = llvm::any_of(branch, isMatmul);
    if (!hasAttention && !hasMatmul)
      continue;
    sublayerAdds.insert(&op);
    Sublayer sublayer{hasAttention ? SublayerKind::Attention
                                   : SublayerKind::MLP,
                      0, x, op.getResult(0), &op};
    std::vector<Sublayer> &list = hasAttention ? attention : mlp;
    sublayer.index = list.size();
    list.push_back(sublayer);
  }
  if (kind == SublayerKind::Attention)
    return attention;
  if (kind == SublayerKind::MLP)
    return mlp;
  std::vector<Sublayer> blocks;
  for (const Sublayer &a : attention)
    for (const Sublayer &m : mlp)
      if (m.input == a.output)
        blocks.push_back({SublayerKind::Block, int64_t(blocks.size()), a.input,
                          m.output, m.add});
  return blocks;
}
