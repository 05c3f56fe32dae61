//===- DropTokens.cpp - loom-drop-tokens ----------------------------------===//
//
// EViT / PyramidDrop token pruning on a raised transformer: in the chosen
// blocks, scores the tokens, keeps the best ones right after the attention
// sublayer's residual add, and re-types everything downstream to the kept
// tokens with retypeTokenSubset (TokenAxis.h). Outputs that need every
// position get loom.token.restore. See Passes.td and docs/TokenReduction.md.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"
#include "loom/Transforms/TokenAxis.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <cmath>
#include <cstdio>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMDROPTOKENS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

static constexpr StringLiteral kPass = "loom-drop-tokens";

namespace {

/// Keep fraction `ratio` after (in) layer `layer`.
struct Step {
  int64_t layer;
  double ratio;
};

/// `x + y` elementwise (a linalg.generic whose body is one addf, or
/// linalg.add) with both inputs and the result of one type.
static bool isAddOfSameType(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || linalgOp.getNumDpsInputs() != 2 ||
      linalgOp.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
      linalgOp.getNumParallelLoops() != linalgOp.getNumLoops())
    return false;
  Type type = op->getResult(0).getType();
  if (linalgOp.getDpsInputs()[0].getType() != type ||
      linalgOp.getDpsInputs()[1].getType() != type ||
      !llvm::all_of(linalgOp.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  if (isa<linalg::AddOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic)
    return false;
  Block *body = generic.getBody();
  if (body->getOperations().size() != 2)
    return false;
  auto add = dyn_cast<arith::AddFOp>(body->front());
  return add && add->getOperand(0).getDefiningOp() == nullptr &&
         add->getOperand(1).getDefiningOp() == nullptr &&
         cast<linalg::YieldOp>(body->getTerminator()).getOperand(0) == add;
}

/// The residual add `x + attn_branch(x)` after `attn`: the first op (in
/// program order) of the attention output's forward slice that adds a value
/// from outside that slice (the block input) of its own type.
static Value findResidual(AttentionOp attn) {
  SetVector<Operation *> forward;
  getForwardSlice(attn.getOutput(), &forward);
  SmallVector<Operation *> ops;
  for (Operation *op : forward)
    if (op->getBlock() == attn->getBlock())
      ops.push_back(op);
  llvm::sort(ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *op : ops) {
    if (!isAddOfSameType(op))
      continue;
    auto linalgOp = cast<linalg::LinalgOp>(op);
    int inside = 0;
    for (Value in : linalgOp.getDpsInputs())
      if (Operation *def = in.getDefiningOp(); def && forward.contains(def))
        ++inside;
    if (inside == 1)
      return op->getResult(0);
  }
  return nullptr;
}

struct DropTokensPass : loom::impl::LoomDropTokensBase<DropTokensPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult parseSchedule(Operation *at, int64_t numLayers,
                              SmallVectorImpl<Step> &steps);
  LogicalResult applyStep(func::FuncOp func, const Step &step,
                          SmallVectorImpl<AttentionOp> &layerOps,
                          ArrayRef<int64_t> pinnedTokens, int64_t keptPrefix);
};

LogicalResult DropTokensPass::parseSchedule(Operation *at, int64_t numLayers,
                                            SmallVectorImpl<Step> &steps) {
  auto error = [&]() {
    InFlightDiagnostic diag = at->emitError();
    diag << kPass << ": ";
    return diag;
  };
  auto checkRatio = [&](double r) -> LogicalResult {
    if (!(r > 0.0 && r <= 1.0)) {
      char text[32];
      std::snprintf(text, sizeof(text), "%g", r);
      return error() << "keep fraction " << text << " is not in (0, 1]";
    }
    return success();
  };
  bool pyramid = stages.hasValue() || ratio.hasValue();
  if (!layers.empty() && pyramid)
    return error() << "give either layers=... or stages=N ratio=r, not both";
  if (layers.empty() && !pyramid)
    return error() << "no schedule: give layers=LAYER:KEEP,... or stages=N "
                      "ratio=r";
  if (pyramid) {
    if (!stages.hasValue() || !ratio.hasValue())
      return error() << "stages and ratio go together";
    int64_t n = stages;
    if (n < 2 || n > numLayers || numLayers % n != 0)
      return error() << "stages=" << n << " does not split the " << numLayers
                     << " layers into at least 2 equal stages";
    if (failed(checkRatio(ratio)))
      return failure();
    int64_t length = numLayers / n;
    for (int64_t s = 0; s + 1 < n; ++s)
      steps.push_back({(s + 1) * length - 1, ratio});
    return success();
  }
  for (const std::string &entry : layers) {
    auto [layerText, ratioText] = StringRef(entry).split(':');
    int64_t layer;
    double r;
    if (ratioText.empty() || layerText.trim().getAsInteger(10, layer) ||
        ratioText.trim().getAsDouble(r))
      return error() << "bad layers entry '" << entry
                     << "' (expected LAYER:KEEP, e.g. 2:0.7)";
    if (layer < 0 || layer >= numLayers)
      return error() << "layer " << layer << " is out of range: the model has "
                     << numLayers << " attention layers (0-based)";
    if (failed(checkRatio(r)))
      return failure();
    if (llvm::any_of(steps, [&](const Step &s) { return s.layer == layer; }))
      return error() << "layer " << layer << " is scheduled twice";
    steps.push_back({layer, r});
  }
  llvm::sort(steps,
             [](const Step &a, const Step &b) { return a.layer < b.layer; });
  return success();
}

static SmallVector<AttentionOp> collectAttentions(func::FuncOp func) {
  return llvm::to_vector(func.getBody().front().getOps<AttentionOp>());
}

LogicalResult DropTokensPass::applyStep(func::FuncOp func, const Step &step,
                                        SmallVectorImpl<AttentionOp> &layerOps,
                                        ArrayRef<int64_t> pinnedTokens,
                                        int64_t keptPrefix) {
  AttentionOp attn = layerOps[step.layer];
  auto error = [&](Operation *op) {
    InFlightDiagnostic diag = op->emitError();
    diag << kPass << ": ";
    return diag;
  };
  bool attentionScore = score != "l2norm";
  if (attn.readsCache() || attn.getMask())
    return error(attn) << "attention with "
                       << (attn.readsCache() ? "a KV cache" : "a mask")
                       << " is not supported";
  if (attentionScore && attn.getCausal())
    return error(attn) << "score=" << score
                       << " needs non-causal attention (a causal layer's "
                          "attention to later tokens is zero)";
  auto qType = cast<RankedTensorType>(attn.getQuery().getType());
  auto kType = cast<RankedTensorType>(attn.getKey().getType());
  int64_t numTokens = qType.getDimSize(2);
  if (kType.getDimSize(2) != numTokens || !qType.hasStaticShape())
    return error(attn) << "not self-attention over static tokens (queries "
                       << qType << ", keys " << kType << ")";
  Value h = findResidual(attn);
  if (!h)
    return error(attn) << "the model's structure is not understood: no "
                          "residual add 'x + attention branch' after layer "
                       << step.layer;
  auto hType = cast<RankedTensorType>(h.getType());
  if (hType.getRank() != 3 || hType.getDimSize(1) != numTokens)
    return error(h.getDefiningOp()) << "the residual stream " << hType
                                    << " is not [B, " << numTokens << ", D]";
  int64_t batch = hType.getDimSize(0);
  MLIRContext *ctx = func.getContext();
  Location loc = attn.getLoc();
  auto f32 = Float32Type::get(ctx);
  auto scoreType = RankedTensorType::get({batch, numTokens}, f32);
  auto keyScoresType =
      RankedTensorType::get({batch, attn.getNumKVHeads(), numTokens}, f32);

  // Scores, right after the residual add.
  OpBuilder b(ctx);
  b.setInsertionPointAfter(h.getDefiningOp());
  auto headScores = [&](Value keyScores) {
    // [B,Hkv,S] -> [B,Hkv,1,S]: one "query row" per kv group.
    auto type =
        RankedTensorType::get({batch, attn.getNumKVHeads(), 1, numTokens}, f32);
    return tensor::ExpandShapeOp::create(
        b, loc, type, keyScores,
        ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  };
  SmallVector<Operation *> exclude;
  Value scores;
  if (score == "cls-attention") {
    // Query row 0 only, against all keys: cheap, and the layer's own
    // attention stays as it is.
    SmallVector<int64_t> rowShape(qType.getShape());
    rowShape[2] = 1;
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)),
        strides(4, b.getIndexAttr(1)), sizes;
    for (int64_t d : rowShape)
      sizes.push_back(b.getIndexAttr(d));
    Value row = tensor::ExtractSliceOp::create(b, loc, qType.clone(rowShape),
                                               attn.getQuery(), offsets, sizes,
                                               strides);
    auto outType = cast<RankedTensorType>(attn.getOutput().getType());
    SmallVector<int64_t> outShape(outType.getShape());
    outShape[2] = 1;
    auto cls = AttentionOp::create(
        b, loc, outType.clone(outShape), keyScoresType, row, attn.getKey(),
        attn.getValue(), Value(), attn.getScaleAttr(), false,
        attn.getWindowAttr(), attn.getSinksAttr(), attn.getHamming());
    scores =
        TokenScoreOp::create(b, loc, scoreType, TokenScoreMethod::cls_attention,
                             headScores(cls.getKeyScores()));
  } else if (score == "attention-received") {
    OpBuilder at(attn);
    auto withScores = AttentionOp::create(
        at, loc, attn.getOutput().getType(), keyScoresType, attn.getQuery(),
        attn.getKey(), attn.getValue(), Value(), attn.getScaleAttr(), false,
        attn.getWindowAttr(), attn.getSinksAttr(), attn.getHamming());
    attn.getOutput().replaceAllUsesWith(withScores.getOutput());
    attn.erase();
    layerOps[step.layer] = withScores;
    scores = TokenScoreOp::create(b, loc, scoreType,
                                  TokenScoreMethod::attention_received,
                                  headScores(withScores.getKeyScores()));
  } else {
    auto norm =
        TokenScoreOp::create(b, loc, scoreType, TokenScoreMethod::l2norm, h);
    exclude.push_back(norm);
    scores = norm;
  }

  auto ratioAttr = b.getF32FloatAttr(static_cast<float>(step.ratio));
  int64_t keep = static_cast<int64_t>(std::ceil(
      static_cast<double>(ratioAttr.getValue().convertToFloat()) * numTokens -
      1e-3));
  for (int64_t p : pinnedTokens)
    if (p >= numTokens)
      return error(attn) << "pinned token " << p << " is out of range ["
                         << "0, " << numTokens << ")";
  if (static_cast<int64_t>(pinnedTokens.size()) > keep)
    return error(attn) << pinnedTokens.size() << " pinned tokens exceed the "
                       << keep << " kept ones";
  auto prune = TokenPruneOp::create(
      b, loc, hType.clone({batch, keep, hType.getDimSize(2)}),
      RankedTensorType::get({batch, keep}, b.getI64Type()), h, scores,
      IntegerAttr(), ratioAttr, b.getDenseI64ArrayAttr(pinnedTokens));
  exclude.push_back(prune);
  Value indices = prune.getIndices();

  // Outputs that need every position: kept rows back in place, zeros
  // elsewhere.
  auto restore = [&](OpBuilder &rb, OpOperand &sink, Value reduced,
                     int64_t axis) -> FailureOr<Value> {
    auto type = cast<RankedTensorType>(sink.get().getType());
    if (axis != 1 || type.getRank() != 3) {
      error(sink.getOwner())
          << "this output needs every token, but its token axis (" << axis
          << " of " << type << ") is not axis 1 of [B, S, D]";
      return failure();
    }
    return TokenRestoreOp::create(rb, sink.getOwner()->getLoc(), type, reduced,
                                  indices, Value(), Value())
        .getResult();
  };
  RetypeOptions options;
  options.passName = kPass.str();
  options.keptPrefix = keptPrefix;
  FailureOr<RetypeResult> result = retypeTokenSubset(
      func, h, /*axis=*/1, prune.getKept(), exclude, restore, options);
  if (failed(result))
    return failure();
  // The layers after this one were rebuilt.
  for (AttentionOp &layer : layerOps)
    if (Operation *rebuilt = result->mapping.lookupOrNull(layer.getOperation()))
      layer = cast<AttentionOp>(rebuilt);
  ++numPrunes;
  numRebuilt += result->numRebuilt;
  return success();
}

void DropTokensPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto error = [&](Operation *op) {
    InFlightDiagnostic diag = op->emitError();
    diag << kPass << ": ";
    return diag;
  };
  if (score != "cls-attention" && score != "attention-received" &&
      score != "l2norm") {
    error(module) << "unknown score '" << score
                  << "' (cls-attention, attention-received or l2norm)";
    return signalPassFailure();
  }
  func::FuncOp func;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal() || f.getBody().front().getOps<AttentionOp>().empty())
      continue;
    if (func) {
      error(f) << "several functions with loom.attention";
      return signalPassFailure();
    }
    func = f;
  }
  if (!func || !func.getBody().hasOneBlock()) {
    error(module) << "the model's structure is not understood: no function "
                     "of one block with loom.attention (run "
                     "loom-raise-attention first)";
    return signalPassFailure();
  }
  // The layers, in program order; kept up to date as steps rebuild them.
  SmallVector<AttentionOp> layerOps = collectAttentions(func);
  int64_t numLayers = layerOps.size();
  SmallVector<Step> steps;
  if (failed(parseSchedule(func, numLayers, steps)))
    return signalPassFailure();

  SmallVector<int64_t> pinnedTokens(pinned.begin(), pinned.end());
  if (pinnedTokens.empty())
    pinnedTokens.push_back(0);
  llvm::sort(pinnedTokens);
  for (auto [i, p] : llvm::enumerate(pinnedTokens))
    if (p < 0 || (i > 0 && pinnedTokens[i - 1] == p)) {
      error(func) << "pinned tokens must be distinct and non-negative";
      return signalPassFailure();
    }
  // The leading rows that stay in place: 0..n-1 all pinned.
  int64_t keptPrefix = 0;
  while (keptPrefix < static_cast<int64_t>(pinnedTokens.size()) &&
         pinnedTokens[keptPrefix] == keptPrefix)
    ++keptPrefix;

  rewriteConstantTokenSelects(func);
  for (const Step &step : steps)
    if (failed(applyStep(func, step, layerOps, pinnedTokens, keptPrefix)))
      return signalPassFailure();
}

} // namespace
