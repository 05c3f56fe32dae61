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
  bool windowSinks = false, snapkv = false, quantize = false;
  std::string name;
};

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
  LogicalResult rewritePrefill(CacheChain chain, const Policy &policy,
                               KVCacheType compressed);
  void rewriteDecode(CacheChain chain, const Policy &policy,
                     KVCacheType compressed);

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
    else
      return mlir::emitError(module.getLoc())
             << "loom-kv-compress: unknown policy '" << part
             << "' (expected window-sinks, snapkv, quantize or "
                "snapkv+quantize)";
  }
  if (parsed.windowSinks && (parsed.snapkv || parsed.quantize))
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: window-sinks evicts at every step and cannot "
              "be combined with another policy (quantized caches cannot be "
              "evicted)";
  bool evicts = parsed.windowSinks || parsed.snapkv;
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
  if (interval != 1 && !parsed.windowSinks)
    return mlir::emitError(module.getLoc())
           << "loom-kv-compress: interval applies to window-sinks only";
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
  if (policy.windowSinks || policy.snapkv) {
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
    if (policy.windowSinks) {
      if (sinks >= *k)
        return chain.attention.emitError()
               << "loom-kv-compress: budget " << *k << " leaves no room after "
               << static_cast<int64_t>(sinks) << " sinks";
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

LogicalResult KVCompressPass::rewritePrefill(CacheChain chain,
                                             const Policy &policy,
                                             KVCacheType compressed) {
  AttentionOp attention = chain.attention;
  KVAppendOp append = chain.append;
  KVCacheType type = append.getCache().getType();
  OpBuilder b(attention->getContext());
  b.setInsertionPointAfter(attention);
  Location loc = attention.getLoc();
  Value cache = append.getResult();
  int64_t capacity = type.getCapacity();
  auto resized = [&](int64_t c) {
    return KVCacheType::get(type.getContext(), type.getBatch(), type.getHeads(),
                            c, type.getHeadDim(), type.getValueDim(),
                            type.getElementType(), 0, 0, 0);
  };

  if (policy.windowSinks) {
    int64_t k = compressed.getCapacity() - interval;
    cache = KVEvictOp::create(b, loc, type, /*kept_scores=*/Type(), cache,
                              EvictionPolicyAttr::get(
                                  b.getContext(), EvictionPolicy::window_sinks),
                              Value(), b.getI64IntegerAttr(k), FloatAttr(),
                              b.getI64IntegerAttr(sinks), IntegerAttr(),
                              IntegerAttr(), IntegerAttr())
                .getResult();
    cache =
        KVResizeOp::create(b, loc, resized(compressed.getCapacity()), cache);
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

  for (OpOperand &use :
       llvm::make_early_inc_range(append.getResult().getUses()))
    if (isa<func::ReturnOp>(use.getOwner()))
      use.set(cache);
  return success();
}

void KVCompressPass::rewriteDecode(CacheChain chain, const Policy &policy,
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
  if (!policy.windowSinks)
    return; // SnapKV and KIVI compress once, after prefill.
  OpBuilder b(attention->getContext());
  b.setInsertionPointAfter(attention);
  Location loc = attention.getLoc();
  Value cache = append.getResult();
  int64_t k = compressed.getCapacity() - interval;
  auto evict = [&](OpBuilder &nb, Location nl) -> Value {
    return KVEvictOp::create(nb, nl, compressed, /*kept_scores=*/Type(), cache,
                             EvictionPolicyAttr::get(
                                 nb.getContext(), EvictionPolicy::window_sinks),
                             Value(), nb.getI64IntegerAttr(k), FloatAttr(),
                             nb.getI64IntegerAttr(sinks), IntegerAttr(),
                             IntegerAttr(), IntegerAttr())
        .getResult();
  };
  Value compressedCache;
  if (interval == 1) {
    compressedCache = evict(b, loc);
  } else {
    // Evict once the cache is full: when some sequence holds K + interval
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
      Value isFull = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                           length, limit);
      full = full ? arith::OrIOp::create(b, loc, full, isFull) : isFull;
    }
    auto ifOp = scf::IfOp::create(
        b, loc, full,
        [&](OpBuilder &nb, Location nl) {
          scf::YieldOp::create(nb, nl, evict(nb, nl));
        },
        [&](OpBuilder &nb, Location nl) {
          scf::YieldOp::create(nb, nl, cache);
        });
    compressedCache = ifOp.getResult(0);
  }
  for (OpOperand &use : llvm::make_early_inc_range(cache.getUses()))
    if (isa<func::ReturnOp>(use.getOwner()))
      use.set(compressedCache);
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
  for (auto &[chain, compressed] : chains) {
    if (chain.argument)
      rewriteDecode(chain, parsed, compressed);
    else if (failed(rewritePrefill(chain, parsed, compressed)))
      return signalPassFailure();
    ++numCompressed;
  }
  // Signatures follow the retyped arguments and returned values.
  std::string summary = parsed.name;
  if (!budget.empty())
    summary += " budget=" + budget;
  llvm::SetVector<func::FuncOp> functions;
  llvm::DenseMap<func::FuncOp, int64_t> contexts;
  for (auto &[chain, compressed] : chains) {
    auto fn = chain.attention->getParentOfType<func::FuncOp>();
    functions.insert(fn);
    contexts[fn] = std::max(contexts.lookup(fn), chain.uncompressedCapacity);
  }
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
