//===- KVCompress.cpp - loom-kv-compress ----------------------------------===//
//
// Inserts KV-cache compression (eviction, KIVI quantization) after the
// attention that reads each cache of a prefill/decode pair, and retypes the
// caches that cross function boundaries to their compressed form (see
// Passes.td and docs/KVCache.md).
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMKVCOMPRESS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// One cache of one function: created (prefill) or received (decode step),
/// appended to, read by `attention`, returned.
struct CacheChain {
  KVAppendOp append;
  AttentionOp attention;
  /// The function argument the cache comes from; null when kv.init makes it.
  BlockArgument argument;
  /// The capacity before compression: the positions a sequence reaches.
  int64_t uncompressedCapacity = 0;
};

struct Policy {
  bool windowSinks = false, snapkv = false, quantize = false, h2o = false,
       merge = false;
  std::string name;
  /// Evicts (or merges) after every step's attention.
  bool perStep() const { return windowSinks || h2o || merge; }
  /// Carries accumulated attention scores with the cache.
  bool scored() const { return h2o || merge; }
};

/// The attribute naming a per-layer state tensor that travels with a cache.
constexpr llvm::StringLiteral kStateAttr = "loom.kv_state";

struct KVCompressPass : loom::impl::LoomKVCompressBase<KVCompressPass> {
  using LoomKVCompressBase::LoomKVCompressBase;

  void runOnOperation() override;

private:
  LogicalResult parseOptions(Policy &parsed);
  /// The count budget for a cache of uncompressed capacity `capacity`.
  FailureOr<int64_t> budgetFor(Operation *at, int64_t capacity);
  FailureOr<CacheChain> matchChain(AttentionOp attention);
  /// The type of the cache the caller keeps between steps.
  FailureOr<KVCacheType> compressedType(CacheChain chain, const Policy &policy);
  /// Both return the compressed cache and, for scored policies, the
  /// accumulated scores that travel with it.
  FailureOr<std::pair<Value, Value>> rewritePrefill(CacheChain chain,
                                                    const Policy &policy,
                                                    KVCacheType compressed);
  std::pair<Value, Value> rewriteDecode(CacheChain chain, const Policy &policy,
                                        KVCacheType compressed);
  /// One eviction (window-sinks, h2o) or merge to `k` entries.
  std::pair<Value, Value> compressStep(OpBuilder &b, Location loc,
                                       const Policy &policy, Value cache,
                                       Value scores, int64_t k);

  double fraction = 0;
  int64_t count = 0;
};

LogicalResult KVCompressPass::parseOptions(Policy &parsed) {
  ModuleOp module = getOperation();
  parsed.name = policy;
  if (policy.empty())
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: 'policy' is required";
  SmallVector<StringRef> parts;
  StringRef(policy).split(parts, '+');
  for (StringRef part : parts) {
    if (part == "window-sinks")
      parsed.windowSinks = true;
    else if (part == "snapkv")
      parsed.snapkv = true;
    else if (part == "quantize")
      parsed.quantize = true;
    else if (part == "h2o")
      parsed.h2o = true;
    else if (part == "merge")
      parsed.merge = true;
    else
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: unknown policy '" << part
             << "' (expected window-sinks, h2o, merge, snapkv, quantize or "
                "snapkv+quantize)";
  }
  if (parsed.perStep() && parts.size() > 1)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: " << policy
           << ": window-sinks, h2o and merge compress at every step and "
              "cannot be combined with another policy (quantized caches "
              "cannot be evicted)";
  bool evicts = parsed.perStep() || parsed.snapkv;
  if (evicts) {
    if (budget.empty())
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: policy '" << policy
             << "' needs a 'budget' (a count or a fraction in (0, 1))";
    StringRef text(budget);
    if (text.contains('.')) {
      if (text.getAsDouble(fraction) || !(fraction > 0 && fraction < 1))
        return mlir::emitError(module.getLoc())
               << "loom-kv-compress: budget '" << budget
               << "' is not a fraction in (0, 1)";
    } else if (text.getAsInteger(10, count) || count < 1) {
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: budget '" << budget
             << "' is not a positive count";
    }
  } else if (!budget.empty()) {
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: policy 'quantize' takes no budget (its "
              "memory is set by 'bits')";
  }
  if (sinks < 0)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: sinks must be >= 0";
  if (window < 1)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: window must be >= 1";
  if (kernel < 1 || kernel % 2 == 0)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: kernel must be a positive odd number, got "
           << static_cast<int64_t>(kernel);
  if (interval < 1)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: interval must be >= 1";
  if (interval != 1 && !parsed.perStep())
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: interval applies to window-sinks, h2o and "
              "merge only";
  if (recent < 0)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: recent must be >= 0";
  if (!(threshold >= -1.0 && threshold <= 1.0))
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: threshold is a cosine similarity in [-1, 1]";
  if (!(sigma > 0))
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: sigma must be positive";
  if (parsed.quantize) {
    if (bits != 2 && bits != 4 && bits != 8)
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: bits must be 2, 4 or 8, got "
             << static_cast<int64_t>(bits);
    if (group < 1)
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: group must be >= 1";
    if (residual < -1)
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: residual must be >= 0 (or -1: the group)";
  }
  return success();
}

FailureOr<int64_t> KVCompressPass::budgetFor(Operation *at, int64_t capacity) {
  int64_t k = count ? count
                    : static_cast<int64_t>(
                          std::floor(fraction * static_cast<double>(capacity)));
  if (k < 1)
    return at->emitError() << "loom-kv-compress: budget '" << budget
                           << "' keeps no entry of a cache of capacity "
                           << capacity;
  if (k >= capacity)
    return at->emitError() << "loom-kv-compress: budget " << k
                           << " is not below the cache capacity " << capacity
                           << ": nothing to compress";
  return k;
}

FailureOr<CacheChain> KVCompressPass::matchChain(AttentionOp attention) {
  CacheChain chain;
  chain.attention = attention;
  chain.append = attention.getKey().getDefiningOp<KVAppendOp>();
  if (!chain.append)
    return attention.emitError()
           << "loom-kv-compress: the cache this attention reads is not the "
              "result of loom.kv.append (run loom-insert-kv-cache first)";
  if (!attention.getCausal())
    return attention.emitError()
           << "loom-kv-compress: only causal attention over a cache is "
              "compressed";
  if (attention.getMask())
    return attention.emitError()
           << "loom-kv-compress: attention with an explicit mask over a cache "
              "is not supported";
  chain.uncompressedCapacity = chain.append.getCache().getType().getCapacity();
  Value source = chain.append.getCache();
  if (auto arg = dyn_cast<BlockArgument>(source);
      arg && isa<func::FuncOp>(arg.getOwner()->getParentOp()))
    chain.argument = arg;
  else if (!source.getDefiningOp<KVInitOp>())
    return attention.emitError()
           << "loom-kv-compress: the appended cache must come from "
              "loom.kv.init or a function argument";
  if (chain.append.getCache().getType().isQuantized())
    return attention.emitError()
           << "loom-kv-compress: the cache is already quantized";
  for (Operation *user : chain.append.getResult().getUsers()) {
    if (user == attention.getOperation() || isa<func::ReturnOp>(user) ||
        isa<KVLengthOp>(user))
      continue;
    // Reads of the entries (e.g. loom-insert-kv-cache's check of the step's
    // position) follow the cache to its compressed capacity: their results
    // may only be read element by element.
    if (isa<KVPositionsOp, KVKeysOp, KVValuesOp>(user) &&
        llvm::all_of(user->getResult(0).getUsers(),
                     [](Operation *op) { return isa<tensor::ExtractOp>(op); }))
      continue;
    return attention.emitError()
           << "loom-kv-compress: the appended cache has a use other than "
              "this attention, the return and element reads ("
           << user->getName() << ")";
  }
  if (chain.argument && !chain.argument.hasOneUse())
    return attention.emitError()
           << "loom-kv-compress: the cache argument has uses other than its "
              "append";
  return chain;
}

FailureOr<KVCacheType> KVCompressPass::compressedType(CacheChain chain,
                                                      const Policy &policy) {
  KVCacheType type = chain.append.getCache().getType();
  int64_t capacity = type.getCapacity();
  auto withCapacity = [&](int64_t c) {
    return KVCacheType::get(type.getContext(), type.getBatch(), type.getHeads(),
                            c, type.getHeadDim(), type.getValueDim(),
                            type.getElementType(), 0, 0, 0);
  };
  KVCacheType result = type;
  if (policy.perStep() || policy.snapkv) {
    FailureOr<int64_t> k = budgetFor(chain.attention, capacity);
    if (failed(k))
      return failure();
    // A quantized cache's capacity is whole groups: the budget is an upper
    // bound, so it rounds down.
    if (policy.quantize)
      *k = *k / group * group;
    if (*k < 1)
      return chain.attention.emitError()
             << "loom-kv-compress: the budget rounded down to whole groups of "
             << static_cast<int64_t>(group) << " keeps no entry";
    if (policy.perStep()) {
      if (policy.windowSinks && sinks >= *k)
        return chain.attention.emitError()
               << "loom-kv-compress: budget " << *k << " leaves no room after "
               << static_cast<int64_t>(sinks) << " sinks";
      if (policy.scored() && recent >= *k)
        return chain.attention.emitError()
               << "loom-kv-compress: budget " << *k
               << " leaves no room beside the " << static_cast<int64_t>(recent)
               << " recent entries";
      result = withCapacity(*k + interval);
    } else {
      result = withCapacity(*k);
    }
  }
  if (policy.quantize) {
    int64_t r = residual < 0 ? group : residual;
    if (result.getCapacity() % group != 0)
      return chain.attention.emitError()
             << "loom-kv-compress: group " << static_cast<int64_t>(group)
             << " does not divide the cache capacity " << result.getCapacity();
    result = KVCacheType::get(
        type.getContext(), type.getBatch(), type.getHeads(),
        result.getCapacity(), type.getHeadDim(), type.getValueDim(),
        type.getElementType(), static_cast<unsigned>(bits), group, r);
  }
  return result;
}

/// `attention` with its key_scores result (recreated when it has none).
static std::pair<AttentionOp, Value> withKeyScores(AttentionOp attention) {
  if (Value scores = attention.getKeyScores())
    return {attention, scores};
  KVCacheType cache = attention.getCacheType();
  OpBuilder b(attention);
  auto scoresType = RankedTensorType::get(
      {cache.getBatch(), cache.getHeads(), cache.getCapacity()},
      b.getF32Type());
  auto scored = AttentionOp::create(
      b, attention.getLoc(), attention.getOutput().getType(), scoresType,
      attention.getQuery(), attention.getKey(), attention.getValue(),
      attention.getMask(), attention.getScaleAttr(), attention.getCausalAttr(),
      attention.getWindowAttr(), attention.getSinksAttr(),
      attention.getHammingAttr());
  attention.getOutput().replaceAllUsesWith(scored.getOutput());
  attention.erase();
  return {scored, scored.getKeyScores()};
}

/// `scores` [B,H,C] moved to capacity `c` along dimension 2 (only the first
/// length entries are meaningful; the rest are zero on both sides).
static Value resizeScores(OpBuilder &b, Location loc, Value scores, int64_t c) {
  auto type = cast<RankedTensorType>(scores.getType());
  int64_t old = type.getDimSize(2);
  SmallVector<OpFoldResult> offsets(3, b.getIndexAttr(0)),
      strides(3, b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(type.getDimSize(0)),
                                     b.getIndexAttr(type.getDimSize(1)),
                                     b.getIndexAttr(std::min(old, c))};
  auto sliceType = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), std::min(old, c)},
      type.getElementType());
  if (c <= old)
    return tensor::ExtractSliceOp::create(b, loc, sliceType, scores, offsets,
                                          sizes, strides);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{type.getDimSize(0), type.getDimSize(1), c},
      b.getF32Type());
  Value filled = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  return tensor::InsertSliceOp::create(b, loc, scores, filled, offsets, sizes,
                                       strides);
}

std::pair<Value, Value> KVCompressPass::compressStep(OpBuilder &b, Location loc,
                                                     const Policy &policy,
                                                     Value cache, Value scores,
                                                     int64_t k) {
  auto type = cast<KVCacheType>(cache.getType());
  Type keptType = scores ? scores.getType() : Type();
  if (policy.windowSinks)
    return {KVEvictOp::create(b, loc, type, Type(), cache,
                              EvictionPolicyAttr::get(
                                  b.getContext(), EvictionPolicy::window_sinks),
                              Value(), b.getI64IntegerAttr(k), FloatAttr(),
                              b.getI64IntegerAttr(sinks), IntegerAttr(),
                              IntegerAttr(), IntegerAttr())
                .getResult(),
            Value()};
  if (policy.h2o) {
    auto evict = KVEvictOp::create(
        b, loc, type, keptType, cache,
        EvictionPolicyAttr::get(b.getContext(), EvictionPolicy::h2o), scores,
        b.getI64IntegerAttr(k), FloatAttr(), IntegerAttr(),
        b.getI64IntegerAttr(recent), IntegerAttr(), IntegerAttr());
    return {evict.getResult(), evict.getKeptScores()};
  }
  auto merge = KVMergeOp::create(
      b, loc, type, keptType, cache, scores, b.getI64IntegerAttr(k),
      FloatAttr(), b.getI64IntegerAttr(recent),
      b.getF32FloatAttr(static_cast<float>(threshold)),
      b.getF32FloatAttr(static_cast<float>(sigma)));
  return {merge.getResult(), merge.getKeptScores()};
}

FailureOr<std::pair<Value, Value>>
KVCompressPass::rewritePrefill(CacheChain chain, const Policy &policy,
                               KVCacheType compressed) {
  AttentionOp attention = chain.attention;
  KVAppendOp append = chain.append;
  KVCacheType type = append.getCache().getType();
  Value scores;
  if (policy.scored())
    std::tie(attention, scores) = withKeyScores(attention);
  OpBuilder b(attention->getContext());
  b.setInsertionPointAfter(attention);
  Location loc = attention.getLoc();
  Value cache = append.getResult();
  Value state;
  int64_t capacity = type.getCapacity();
  auto resized = [&](int64_t c) {
    return KVCacheType::get(type.getContext(), type.getBatch(), type.getHeads(),
                            c, type.getHeadDim(), type.getValueDim(),
                            type.getElementType(), 0, 0, 0);
  };

  if (policy.perStep()) {
    std::tie(cache, state) = compressStep(b, loc, policy, cache, scores,
                                          compressed.getCapacity() - interval);
    cache =
        KVResizeOp::create(b, loc, resized(compressed.getCapacity()), cache);
    if (state)
      state = resizeScores(b, loc, state, compressed.getCapacity());
  }
  if (policy.snapkv) {
    auto queryType = cast<RankedTensorType>(attention.getQuery().getType());
    int64_t prompt = queryType.getDimSize(2);
    int64_t total = compressed.getCapacity();
    int64_t kept = total - (capacity - prompt);
    if (kept <= window)
      return attention.emitError()
             << "loom-kv-compress: a budget of " << total << " entries leaves "
             << kept << " for the " << prompt << "-token prompt once the "
             << capacity - prompt
             << " generated tokens are counted: not more than the observation "
                "window "
             << static_cast<int64_t>(window);
    // The observation window's queries read the same cache: their key scores
    // are what SnapKV ranks the prefix by.
    SmallVector<int64_t> windowShape(queryType.getShape());
    windowShape[2] = window;
    int64_t rank = queryType.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    offsets[2] = b.getIndexAttr(prompt - window);
    SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
    for (int64_t size : windowShape)
      sizes.push_back(b.getIndexAttr(size));
    Value windowQueries = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(windowShape, queryType.getElementType()),
        attention.getQuery(), offsets, sizes, strides);
    auto outType = cast<RankedTensorType>(attention.getOutput().getType());
    SmallVector<int64_t> outShape(outType.getShape());
    outShape[2] = window;
    auto scoresType = RankedTensorType::get(
        {type.getBatch(), type.getHeads(), capacity}, b.getF32Type());
    auto observe = AttentionOp::create(
        b, loc, RankedTensorType::get(outShape, outType.getElementType()),
        scoresType, windowQueries, cache, Value(), Value(),
        attention.getScaleAttr(), attention.getCausalAttr(),
        attention.getWindowAttr(), attention.getSinksAttr(),
        attention.getHammingAttr());
    cache = KVEvictOp::create(
                b, loc, type, /*kept_scores=*/Type(), cache,
                EvictionPolicyAttr::get(b.getContext(), EvictionPolicy::snapkv),
                observe.getKeyScores(), b.getI64IntegerAttr(kept), FloatAttr(),
                IntegerAttr(), IntegerAttr(), b.getI64IntegerAttr(window),
                b.getI64IntegerAttr(kernel))
                .getResult();
    cache = KVResizeOp::create(b, loc, resized(total), cache);
  }
  if (policy.quantize)
    cache = KVQuantizeOp::create(b, loc, compressed, cache);
  return std::make_pair(cache, state);
}

std::pair<Value, Value> KVCompressPass::rewriteDecode(CacheChain chain,
                                                      const Policy &policy,
                                                      KVCacheType compressed) {
  AttentionOp attention = chain.attention;
  KVAppendOp append = chain.append;
  chain.argument.setType(compressed);
  append.getResult().setType(compressed);
  // Entry reads follow the new capacity (dimension 2 of their result).
  for (Operation *user : append.getResult().getUsers()) {
    if (!isa<KVPositionsOp, KVKeysOp, KVValuesOp>(user))
      continue;
    auto type = cast<RankedTensorType>(user->getResult(0).getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[2] = compressed.getCapacity();
    user->getResult(0).setType(type.clone(shape));
  }
  Value cache = append.getResult();
  if (!policy.perStep())
    return {cache, Value()}; // SnapKV and KIVI compress once, after prefill.

  // H2O and merging rank by the attention accumulated over the steps: the
  // caller passes it in beside the cache (a state argument) and gets it back.
  Value accumulated;
  if (policy.scored()) {
    auto fn = cast<func::FuncOp>(chain.argument.getOwner()->getParentOp());
    unsigned index = chain.argument.getArgNumber() + 1;
    auto stateType =
        RankedTensorType::get({compressed.getBatch(), compressed.getHeads(),
                               compressed.getCapacity()},
                              Float32Type::get(fn.getContext()));
    (void)fn.insertArgument(
        index, stateType,
        DictionaryAttr::get(
            fn.getContext(),
            {NamedAttribute(StringAttr::get(fn.getContext(), kStateAttr),
                            StringAttr::get(fn.getContext(), "scores"))}),
        chain.argument.getLoc());
    Value state = fn.getArgument(index);
    Value scores;
    std::tie(attention, scores) = withKeyScores(attention);
    OpBuilder b(attention->getContext());
    b.setInsertionPointAfter(attention);
    Value init =
        tensor::EmptyOp::create(b, attention.getLoc(), stateType.getShape(),
                                stateType.getElementType());
    accumulated =
        linalg::AddOp::create(b, attention.getLoc(), ValueRange{state, scores},
                              ValueRange{init})
            .getResult(0);
  }
  OpBuilder b(attention->getContext());
  b.setInsertionPointAfter(accumulated ? accumulated.getDefiningOp()
                                       : attention.getOperation());
  Location loc = attention.getLoc();
  int64_t k = compressed.getCapacity() - interval;
  if (interval == 1)
    return compressStep(b, loc, policy, cache, accumulated, k);
  // Compress once the cache is full: when some sequence holds K + interval
  // entries (the next append would not fit).
  Value lengths = KVLengthOp::create(
      b, loc, RankedTensorType::get({compressed.getBatch()}, b.getI64Type()),
      cache);
  Value full;
  Value limit = arith::ConstantOp::create(
      b, loc, b.getI64IntegerAttr(compressed.getCapacity()));
  for (int64_t i = 0; i < compressed.getBatch(); ++i) {
    Value index = arith::ConstantIndexOp::create(b, loc, i);
    Value length = tensor::ExtractOp::create(b, loc, lengths, index);
    Value isFull =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, length, limit);
    full = full ? arith::OrIOp::create(b, loc, full, isFull) : isFull;
  }
  auto pack = [&](Value c, Value st) {
    SmallVector<Value> values = {c};
    if (st)
      values.push_back(st);
    return values;
  };
  auto ifOp = scf::IfOp::create(
      b, loc, full,
      [&](OpBuilder &nb, Location nl) {
        auto [c, st] = compressStep(nb, nl, policy, cache, accumulated, k);
        scf::YieldOp::create(nb, nl, pack(c, st));
      },
      [&](OpBuilder &nb, Location nl) {
        scf::YieldOp::create(nb, nl, pack(cache, accumulated));
      });
  return {ifOp.getResult(0), accumulated ? ifOp.getResult(1) : Value()};
}

void KVCompressPass::runOnOperation() {
  ModuleOp module = getOperation();
  Policy parsed;
  if (failed(parseOptions(parsed)))
    return signalPassFailure();

  SmallVector<AttentionOp> attentions;
  module.walk([&](AttentionOp op) {
    if (op.readsCache())
      attentions.push_back(op);
  });
  if (attentions.empty()) {
    module.emitError() << "loom-kv-compress: no loom.attention reads a KV "
                          "cache (run loom-insert-kv-cache first)";
    return signalPassFailure();
  }
  SmallVector<std::pair<CacheChain, KVCacheType>> chains;
  for (AttentionOp attention : attentions) {
    FailureOr<CacheChain> chain = matchChain(attention);
    if (failed(chain))
      return signalPassFailure();
    FailureOr<KVCacheType> compressed = compressedType(*chain, parsed);
    if (failed(compressed))
      return signalPassFailure();
    chains.push_back({*chain, *compressed});
  }
  llvm::SetVector<func::FuncOp> functions;
  llvm::DenseMap<func::FuncOp, int64_t> contexts;
  for (auto &[chain, compressed] : chains) {
    auto fn = chain.attention->getParentOfType<func::FuncOp>();
    functions.insert(fn);
    contexts[fn] = std::max(contexts.lookup(fn), chain.uncompressedCapacity);
  }
  // The returned cache of each chain becomes its compressed cache, followed
  // by its state when the policy carries one.
  llvm::DenseMap<Value, std::pair<Value, Value>> replacements;
  for (auto &[chain, compressed] : chains) {
    Value returned = chain.append.getResult();
    if (chain.argument) {
      replacements[returned] = rewriteDecode(chain, parsed, compressed);
    } else {
      FailureOr<std::pair<Value, Value>> result =
          rewritePrefill(chain, parsed, compressed);
      if (failed(result))
        return signalPassFailure();
      replacements[returned] = *result;
    }
    ++numCompressed;
  }
  SmallVector<func::ReturnOp> returns;
  module.walk([&](func::ReturnOp ret) { returns.push_back(ret); });
  for (func::ReturnOp ret : returns) {
    SmallVector<Value> operands;
    SmallVector<unsigned> stateResults;
    bool changed = false;
    for (Value operand : ret.getOperands()) {
      auto it = replacements.find(operand);
      if (it == replacements.end()) {
        operands.push_back(operand);
        continue;
      }
      changed = true;
      operands.push_back(it->second.first);
      if (it->second.second) {
        stateResults.push_back(operands.size());
        operands.push_back(it->second.second);
      }
    }
    if (!changed)
      continue;
    auto fn = ret->getParentOfType<func::FuncOp>();
    SmallVector<DictionaryAttr> resultAttrs;
    fn.getAllResultAttrs(resultAttrs);
    OpBuilder b(ret);
    func::ReturnOp::create(b, ret.getLoc(), operands);
    ret.erase();
    // Result attributes (e.g. onnx.name of the logits) stay with their
    // results; the states get theirs.
    SmallVector<Attribute> newAttrs;
    unsigned old = 0;
    for (unsigned i = 0; i < operands.size(); ++i) {
      if (llvm::is_contained(stateResults, i)) {
        newAttrs.push_back(DictionaryAttr::get(
            fn.getContext(),
            {NamedAttribute(StringAttr::get(fn.getContext(), kStateAttr),
                            StringAttr::get(fn.getContext(), "scores"))}));
        continue;
      }
      newAttrs.push_back(old < resultAttrs.size()
                             ? Attribute(resultAttrs[old])
                             : DictionaryAttr::get(fn.getContext()));
      ++old;
    }
    fn.setType(FunctionType::get(fn.getContext(),
                                 fn.getBody().getArgumentTypes(),
                                 TypeRange(ValueRange(operands))));
    fn.setAllResultAttrs(newAttrs);
  }
  // Signatures follow the retyped arguments and returned values.
  std::string summary = parsed.name;
  if (!budget.empty())
    summary += " budget=" + budget;
  for (func::FuncOp fn : functions) {
    auto ret = cast<func::ReturnOp>(fn.getBody().back().getTerminator());
    fn.setType(FunctionType::get(fn.getContext(),
                                 fn.getBody().getArgumentTypes(),
                                 ret.getOperandTypes()));
    fn->setAttr("loom.kv_compression",
                StringAttr::get(fn.getContext(), summary));
    fn->setAttr("loom.kv_context",
                IntegerAttr::get(IntegerType::get(fn.getContext(), 64),
                                 contexts.lookup(fn)));
  }
}

} // namespace
