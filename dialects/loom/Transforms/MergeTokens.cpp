//===- MergeTokens.cpp - loom-merge-tokens (ToMe) -------------------------===//
//
// Token merging (Bolya et al., ToMe) at inference: in each chosen block, a
// loom.token.merge of the residual stream right after the attention residual
// add, keyed by the head-averaged attention keys; the rest of the function is
// re-typed to the smaller token count by retypeTokenSubset (TokenAxis.h),
// later attentions get the log(size) mask of proportional attention, and
// outputs with every position are restored through every merge. See
// Passes.td and docs/TokenReduction.md.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/TokenAxis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMMERGETOKENS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr llvm::StringLiteral kPass = "loom-merge-tokens";

static SmallVector<AttentionOp> collectAttentions(func::FuncOp func) {
  SmallVector<AttentionOp> attentions;
  func.walk([&](AttentionOp op) { attentions.push_back(op); });
  return attentions;
}

/// True for `linalg.generic` computing `a + b` of two same-typed rank-3
/// tensors elementwise (identity maps, all loops parallel).
static bool isTensorAdd(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics())
    return false;
  auto type = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!type || type.getRank() != 3)
    return false;
  for (Value in : op.getDpsInputs())
    if (in.getType() != type)
      return false;
  if (!llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      op.getNumParallelLoops() != op.getNumLoops())
    return false;
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 2)
    return false;
  auto add = dyn_cast<arith::AddFOp>(body.front());
  auto yield = cast<linalg::YieldOp>(body.back());
  if (!add || yield.getNumOperands() != 1 || yield.getOperand(0) != add)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (add.getLhs() == a && add.getRhs() == b) ||
         (add.getLhs() == b && add.getRhs() == a);
}

/// The attention residual add `x + attn(x)` of `attn`: the first
/// `linalg.generic` add after it of two `[B,S,D]` tensors, one computed from
/// the attention output and the other one the query is computed from.
static linalg::GenericOp findResidualAdd(AttentionOp attn) {
  Block *block = attn->getBlock();
  // The ops reached forward from the attention output, in block order.
  llvm::DenseSet<Operation *> forward{attn};
  // The values the query is computed from.
  llvm::DenseSet<Value> backward;
  SmallVector<Value> worklist{attn.getQuery()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!backward.insert(v).second)
      continue;
    if (Operation *def = v.getDefiningOp())
      llvm::append_range(worklist, def->getOperands());
  }
  auto queryType = cast<RankedTensorType>(attn.getQuery().getType());
  for (Operation *op = attn->getNextNode(); op && op != &block->back();
       op = op->getNextNode()) {
    bool reached = llvm::any_of(op->getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return def && forward.contains(def);
    });
    if (!reached)
      continue;
    forward.insert(op);
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (!generic || !isTensorAdd(generic))
      continue;
    auto type = cast<RankedTensorType>(generic.getResult(0).getType());
    if (type.getDimSize(0) != queryType.getDimSize(0) ||
        type.getDimSize(1) != queryType.getDimSize(2))
      continue;
    for (int64_t i = 0; i < 2; ++i) {
      Value updated = generic.getDpsInputs()[i];
      Value x = generic.getDpsInputs()[1 - i];
      Operation *updatedDef = updated.getDefiningOp();
      Operation *xDef = x.getDefiningOp();
      if (updatedDef && forward.contains(updatedDef) &&
          !(xDef && forward.contains(xDef)) && backward.contains(x))
        return generic;
    }
  }
  return nullptr;
}

namespace {
struct MergeTokensPass : loom::impl::LoomMergeTokensBase<MergeTokensPass> {
  using LoomMergeTokensBase::LoomMergeTokensBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (r < 1) {
      module.emitError() << kPass << ": option r (tokens merged per block) "
                         << "is required and must be >= 1, got "
                         << static_cast<int64_t>(r);
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && !collectAttentions(func).empty())
        funcs.push_back(func);
    if (funcs.empty()) {
      module.emitError() << kPass
                         << ": no loom.attention to merge after (run "
                            "loom-raise-attention first)";
      return signalPassFailure();
    }
    // Check every function before changing any.
    for (func::FuncOp func : funcs)
      if (failed(check(func)))
        return signalPassFailure();
    for (func::FuncOp func : funcs) {
      // A pooler's gather of row 0 becomes a slice the re-typing can follow.
      rewriteConstantTokenSelects(func);
      if (failed(mergeFunction(func)))
        return signalPassFailure();
    }
  }

  /// The chosen blocks of a function with `numBlocks` attentions.
  FailureOr<SmallVector<bool>> chosenBlocks(func::FuncOp func,
                                            int64_t numBlocks) {
    SmallVector<bool> chosen(numBlocks, layers.empty());
    for (int64_t layer : layers) {
      if (layer < 0 || layer >= numBlocks)
        return func.emitError()
               << kPass << ": layers: block " << layer
               << " is out of range (the function has " << numBlocks
               << " loom.attention blocks, numbered from 0)";
      if (chosen[layer])
        return func.emitError()
               << kPass << ": layers: block " << layer << " is listed twice";
      chosen[layer] = true;
    }
    return chosen;
  }

  /// The largest r loom.token.merge accepts for `numTokens` tokens.
  int64_t maxMerges(int64_t numTokens) {
    return protectFirst ? (numTokens + 1) / 2 - 1 : numTokens / 2;
  }

  LogicalResult check(func::FuncOp func) {
    SmallVector<AttentionOp> attentions = collectAttentions(func);
    FailureOr<SmallVector<bool>> chosen = chosenBlocks(func, attentions.size());
    if (failed(chosen))
      return failure();
    int64_t numMerged = 0;
    for (auto [i, attn] : llvm::enumerate(attentions)) {
      auto error = [&]() {
        InFlightDiagnostic diag = attn.emitError();
        diag << kPass << ": block " << i << ": ";
        return diag;
      };
      if (attn.getCausal())
        return error() << "causal attention; ToMe merges tokens of "
                          "non-causal encoders (a merged token would mix "
                          "positions a causal query must not see)";
      if (attn.readsCache())
        return error() << "attention reads a KV cache";
      if (numMerged > 0 && proportional && attn.getMask())
        return error() << "attention after a merge already has a mask; "
                          "proportional attention adds log(size) as its mask "
                          "(use proportional=false)";
      if (!(*chosen)[i])
        continue;
      linalg::GenericOp add = findResidualAdd(attn);
      if (!add)
        return error() << "cannot find the attention residual add (a "
                          "linalg.generic adding the attention branch to "
                          "the [B,S,D] tensor the query is computed from)";
      auto keyType = dyn_cast<RankedTensorType>(attn.getKey().getType());
      if (!keyType || keyType.getRank() != 4)
        return error() << "the keys are not a [B,H,S,Dh] tensor";
      int64_t numTokens =
          cast<RankedTensorType>(add.getResult(0).getType()).getDimSize(1) -
          numMerged * r;
      if (r > maxMerges(numTokens))
        return error() << "r = " << static_cast<int64_t>(r)
                       << " is too large: after " << numMerged
                       << " earlier merges the block has " << numTokens
                       << " tokens, and bipartite matching merges at most "
                       << maxMerges(numTokens)
                       << (protectFirst
                               ? " (the even-indexed tokens other than the "
                                 "protected token 0)"
                               : " (the even-indexed tokens, S / 2)");
      ++numMerged;
    }
    return success();
  }

  /// `[B,S,Dh]` f32: the keys `[B,H,S,Dh]` of `attn` averaged over heads.
  Value keyMean(OpBuilder &b, Location loc, AttentionOp attn) {
    auto keyType = cast<RankedTensorType>(attn.getKey().getType());
    Type f32 = b.getF32Type();
    int64_t numHeads = keyType.getDimSize(1);
    SmallVector<int64_t> shape{keyType.getDimSize(0), keyType.getDimSize(2),
                               keyType.getDimSize(3)};
    Value empty = tensor::EmptyOp::create(b, loc, shape, f32);
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
    MLIRContext *ctx = b.getContext();
    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);
    SmallVector<AffineMap> maps{AffineMap::get(4, 0, {d0, d3, d1, d2}, ctx),
                                AffineMap::get(4, 0, {d0, d1, d2}, ctx)};
    SmallVector<utils::IteratorType> iterators(3,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), attn.getKey(), init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value k = args[0];
          if (k.getType() != f32)
            k = arith::ExtFOp::create(nb, nloc, f32, k);
          Value inv = arith::ConstantOp::create(
              nb, nloc, nb.getF32FloatAttr(1.0f / numHeads));
          Value scaled = arith::MulFOp::create(nb, nloc, k, inv);
          Value sum = arith::AddFOp::create(nb, nloc, args[1], scaled);
          linalg::YieldOp::create(nb, nloc, sum);
        });
    return generic.getResult(0);
  }

  /// Gives `attn` the mask `log(sizes)` broadcast as `[B,1,1,S']`.
  LogicalResult addSizeMask(AttentionOp attn, Value sizes) {
    auto sizesType = cast<RankedTensorType>(sizes.getType());
    auto keyType = cast<RankedTensorType>(attn.getKey().getType());
    if (keyType.getDimSize(2) != sizesType.getDimSize(1) ||
        keyType.getDimSize(0) != sizesType.getDimSize(0))
      return attn.emitError()
             << kPass << ": the keys " << keyType
             << " do not run over the merged tokens " << sizesType;
    OpBuilder b(attn);
    Location loc = attn.getLoc();
    Type elementType =
        cast<RankedTensorType>(attn.getQuery().getType()).getElementType();
    auto logType = RankedTensorType::get(sizesType.getShape(), elementType);
    Value empty = tensor::EmptyOp::create(b, loc, logType.getShape(),
                                          logType.getElementType());
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    auto generic = linalg::GenericOp::create(
        b, loc, logType, sizes, empty, SmallVector<AffineMap>{id, id},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value log = math::LogOp::create(nb, nloc, args[0]);
          if (elementType != log.getType())
            log = arith::TruncFOp::create(nb, nloc, elementType, log);
          linalg::YieldOp::create(nb, nloc, log);
        });
    auto maskType = RankedTensorType::get(
        {sizesType.getDimSize(0), 1, 1, sizesType.getDimSize(1)}, elementType);
    Value mask = tensor::ExpandShapeOp::create(
        b, loc, maskType, generic.getResult(0),
        SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    attn.getMaskMutable().assign(mask);
    ++numMasked;
    return success();
  }

  LogicalResult mergeFunction(func::FuncOp func) {
    int64_t numBlocks = collectAttentions(func).size();
    SmallVector<bool> chosen = *chosenBlocks(func, numBlocks);
    Value sizes;
    for (int64_t i = 0; i < numBlocks; ++i) {
      // Re-typing rebuilds the later blocks: look the attention up again
      // (the order of the attentions does not change).
      AttentionOp attn = collectAttentions(func)[i];
      if (sizes && proportional && failed(addSizeMask(attn, sizes)))
        return failure();
      if (!chosen[i])
        continue;
      linalg::GenericOp add = findResidualAdd(attn);
      if (!add)
        return attn.emitError() << kPass << ": block " << i
                                << ": cannot find the attention residual add";
      Value h = add.getResult(0);
      auto hType = cast<RankedTensorType>(h.getType());
      int64_t numTokens = hType.getDimSize(1);
      OpBuilder b(func.getContext());
      b.setInsertionPointAfter(add);
      Location loc = add.getLoc();
      Value keys = keyMean(b, loc, attn);
      if (cast<RankedTensorType>(keys.getType()).getDimSize(1) != numTokens)
        return attn.emitError()
               << kPass << ": block " << i << ": the keys "
               << attn.getKey().getType() << " do not run over the "
               << numTokens << " tokens of the residual stream";
      int64_t batch = hType.getDimSize(0);
      auto mergedType = RankedTensorType::get(
          {batch, numTokens - r, hType.getDimSize(2)}, hType.getElementType());
      auto sizesType =
          RankedTensorType::get({batch, numTokens - r}, b.getF32Type());
      auto sourceType =
          RankedTensorType::get({batch, numTokens}, b.getI64Type());
      auto merge = TokenMergeOp::create(
          b, loc, mergedType, sizesType, sourceType, h, keys, sizes,
          static_cast<uint64_t>(r), static_cast<bool>(protectFirst));
      Value mergeSource = merge.getSource();
      auto restore = [&](OpBuilder &rb, OpOperand &sink, Value reduced,
                         int64_t axis) -> FailureOr<Value> {
        auto fullType = cast<RankedTensorType>(sink.get().getType());
        if (axis != 1 || fullType.getRank() != 3)
          return sink.getOwner()->emitError()
                 << kPass << ": an output " << fullType
                 << " needs every token along axis " << axis
                 << "; loom.token.restore rebuilds [B,S,D] along axis 1";
        return TokenRestoreOp::create(rb, sink.getOwner()->getLoc(), fullType,
                                      reduced, Value(), Value(), mergeSource)
            .getResult();
      };
      RetypeOptions options;
      options.passName = kPass.str();
      // Token 0 is never merged and stays row 0: a slice of it (a pooler)
      // reads the same token.
      options.keptPrefix = protectFirst ? 1 : 0;
      FailureOr<RetypeResult> result =
          retypeTokenSubset(func, h, /*axis=*/1, merge.getMerged(),
                            {merge.getOperation()}, restore, options);
      if (failed(result)) {
        merge->emitRemark() << kPass << ": while merging in block " << i;
        return failure();
      }
      sizes = merge.getMergedSizes();
      ++numMerges;
    }
    return success();
  }
};
} // namespace
