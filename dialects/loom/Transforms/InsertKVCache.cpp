//===- InsertKVCache.cpp - loom-insert-kv-cache ---------------------------===//
//
// Turns a prefill-only export (one function computing a causal LM over the
// whole sequence of S tokens, its attention raised to causal `loom.attention`
// on key/value tensors) into the two functions of autoregressive generation:
//
//   @prefill(tokens [B,P])                -> (logits [B,P,V], cache_0..L-1)
//   @decode_step(token [B,1], position [1],
//                cache_0..L-1)             -> (logits [B,1,V], cache_0..L-1)
//
// Both are the original computation with the sequence length S replaced by T
// (P or 1) along the token axis. Which axis of which value is the token axis
// is found by a dataflow propagation from the token argument's axis 1
// (TokenAxisAnalysis, TokenAxis.h), through linalg indexing maps, reshape
// reassociations and the semantics of the loom ops; constants that carry the
// token axis (rotary tables) are sliced at the run-time position. See
// Passes.td and docs/KVCache.md for the contract.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomTypes.h"
#include "loom/Runtime/RuntimeErrors.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/TokenAxis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "loom-insert-kv-cache"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMINSERTKVCACHE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct InsertKVCachePass
    : loom::impl::LoomInsertKVCacheBase<InsertKVCachePass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Everything the analysis established about the source function.
  struct Plan {
    func::FuncOp func;
    int64_t seqLen = 0, capacity = 0, promptLength = 0;
    TokenAxisAnalysis *axes = nullptr;
    /// The causal attention ops in program order (layer order).
    SmallVector<AttentionOp> attentions;
    /// Whether some constant carries the token axis (decode then checks
    /// the position against S).
    bool slicesConstants = false;
  };

  FailureOr<func::FuncOp> pickFunction(ModuleOp module);
  func::FuncOp buildFunction(ModuleOp module, const Plan &plan, bool decode,
                             func::FuncOp errorFn);
};

FailureOr<func::FuncOp> InsertKVCachePass::pickFunction(ModuleOp module) {
  if (!function.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(function);
    if (!func || func.isExternal()) {
      module.emitError() << "loom-insert-kv-cache: no function @" << function
                         << " with a body";
      return failure();
    }
    return func;
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    if (found) {
      module.emitError() << "loom-insert-kv-cache: several public functions; "
                            "choose one with function=NAME";
      return failure();
    }
    found = func;
  }
  if (!found) {
    module.emitError() << "loom-insert-kv-cache: no public function with a "
                          "body";
    return failure();
  }
  return found;
}

/// `@loom_runtime_error(i32)`, declared in `module` when missing.
static FailureOr<func::FuncOp> getOrInsertRuntimeErrorFn(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto type = FunctionType::get(ctx, {IntegerType::get(ctx, 32)}, {});
  if (Operation *existing =
          SymbolTable::lookupSymbolIn(module, kRuntimeErrorFnName)) {
    auto fn = dyn_cast<func::FuncOp>(existing);
    if (!fn || fn.getFunctionType() != type) {
      existing->emitError()
          << "loom-insert-kv-cache: symbol '" << kRuntimeErrorFnName
          << "' must be a func.func of type " << type;
      return failure();
    }
    return fn;
  }
  OpBuilder b(ctx);
  b.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), kRuntimeErrorFnName, type);
  fn.setPrivate();
  return fn;
}

/// Calls the runtime error function with `code` when `condition` holds.
static void reportIf(OpBuilder &b, Location loc, Value condition,
                     func::FuncOp errorFn, RuntimeError code) {
  scf::IfOp::create(b, loc, condition, [&](OpBuilder &nb, Location nl) {
    Value c = arith::ConstantOp::create(
        nb, nl, nb.getI32IntegerAttr(static_cast<int32_t>(code)));
    func::CallOp::create(nb, nl, errorFn, ValueRange{c});
    scf::YieldOp::create(nb, nl);
  });
}

static Value i64Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}

func::FuncOp InsertKVCachePass::buildFunction(ModuleOp module, const Plan &plan,
                                              bool decode,
                                              func::FuncOp errorFn) {
  MLIRContext *ctx = module.getContext();
  func::FuncOp src = plan.func;
  int64_t tokens = decode ? 1 : plan.promptLength;
  const TokenAxisAnalysis &axes = *plan.axes;
  auto retype = [&](Value v) -> Type {
    std::optional<int64_t> axis = axes.lookup(v);
    if (!axis)
      return v.getType();
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[*axis] = tokens;
    return type.clone(shape);
  };

  // Cache types, one per attention, in layer order.
  SmallVector<Type> cacheTypes;
  for (AttentionOp attn : plan.attentions) {
    auto k = cast<RankedTensorType>(attn.getKey().getType());
    auto v = cast<RankedTensorType>(attn.getValue().getType());
    cacheTypes.push_back(KVCacheType::get(
        ctx, k.getDimSize(0), k.getDimSize(1), plan.capacity, k.getDimSize(3),
        v.getDimSize(3), k.getElementType(), 0, 0, 0));
  }

  // Signature.
  Value tokenArg = src.getArgument(0);
  SmallVector<Type> inputs{retype(tokenArg)};
  if (decode) {
    inputs.push_back(RankedTensorType::get({1}, IntegerType::get(ctx, 64)));
    llvm::append_range(inputs, cacheTypes);
  }
  auto srcReturn = cast<func::ReturnOp>(src.getBody().front().getTerminator());
  SmallVector<Type> results;
  for (Value r : srcReturn.getOperands())
    results.push_back(retype(r));
  llvm::append_range(results, cacheTypes);

  OpBuilder b(ctx);
  b.setInsertionPoint(src);
  auto fn =
      func::FuncOp::create(b, src.getLoc(), decode ? "decode_step" : "prefill",
                           FunctionType::get(ctx, inputs, results));
  if (DictionaryAttr attrs = src.getArgAttrDict(0))
    fn.setArgAttrs(0, attrs);
  for (unsigned i = 0; i < srcReturn.getNumOperands(); ++i)
    if (DictionaryAttr attrs = src.getResultAttrDict(i))
      fn.setResultAttrs(i, attrs);
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  Location loc = src.getLoc();

  IRMapping mapping;
  mapping.map(tokenArg, body->getArgument(0));

  // The row of position-dependent constants: 0 for prefill, the run-time
  // position (clamped into the tables, with an error when out of range) for
  // decode.
  OpFoldResult row = b.getIndexAttr(0);
  Value position;
  if (decode) {
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    position =
        tensor::ExtractOp::create(b, loc, body->getArgument(1), ValueRange{c0});
    if (plan.slicesConstants) {
      Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                             position, i64Constant(b, loc, 0));
      Value past =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, position,
                                i64Constant(b, loc, plan.seqLen));
      reportIf(b, loc, arith::OrIOp::create(b, loc, negative, past), errorFn,
               RuntimeError::PositionOutOfRange);
      Value clamped = arith::MaxSIOp::create(
          b, loc,
          arith::MinSIOp::create(b, loc, position,
                                 i64Constant(b, loc, plan.seqLen - 1)),
          i64Constant(b, loc, 0));
      row = arith::IndexCastOp::create(b, loc, b.getIndexType(), clamped)
                .getResult();
    }
  }

  SmallVector<Value> caches;
  for (Operation &op : src.getBody().front().without_terminator()) {
    if (auto attn = dyn_cast<AttentionOp>(op);
        attn && llvm::is_contained(plan.attentions, attn)) {
      size_t layer = caches.size();
      Type cacheType = cacheTypes[layer];
      Value cache = decode
                        ? Value(body->getArgument(2 + layer))
                        : Value(KVInitOp::create(b, attn.getLoc(), cacheType));
      Value appended = KVAppendOp::create(b, attn.getLoc(), cacheType, cache,
                                          mapping.lookup(attn.getKey()),
                                          mapping.lookup(attn.getValue()));
      if (decode && layer == 0) {
        // The token just appended was recorded at the cache's `next`; it
        // must be the position the caller passed, or the rotary phases
        // (sliced at `position`) and the causal mask (at `next`) disagree.
        auto kvType = cast<KVCacheType>(cacheType);
        int64_t batch = kvType.getBatch();
        Location l = attn.getLoc();
        Value lengths = KVLengthOp::create(
            b, l, RankedTensorType::get({batch}, b.getI64Type()), appended);
        Value positions = KVPositionsOp::create(
            b, l,
            RankedTensorType::get(
                {batch, kvType.getHeads(), kvType.getCapacity()},
                b.getI64Type()),
            appended);
        Value mismatch;
        Value c0 = arith::ConstantIndexOp::create(b, l, 0);
        for (int64_t s = 0; s < batch; ++s) {
          Value bi = arith::ConstantIndexOp::create(b, l, s);
          Value len = tensor::ExtractOp::create(b, l, lengths, ValueRange{bi});
          Value last = arith::MaxSIOp::create(
              b, l, arith::SubIOp::create(b, l, len, i64Constant(b, l, 1)),
              i64Constant(b, l, 0));
          Value lastIdx =
              arith::IndexCastOp::create(b, l, b.getIndexType(), last);
          Value recorded = tensor::ExtractOp::create(
              b, l, positions, ValueRange{bi, c0, lastIdx});
          Value ne = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                           recorded, position);
          mismatch = mismatch ? arith::OrIOp::create(b, l, mismatch, ne) : ne;
        }
        reportIf(b, l, mismatch, errorFn, RuntimeError::PositionMismatch);
      }
      auto out = AttentionOp::create(
          b, attn.getLoc(), retype(attn.getOutput()), /*key_scores=*/Type(),
          mapping.lookup(attn.getQuery()), appended, /*value=*/Value(),
          /*mask=*/Value(), attn.getScaleAttr(), /*causal=*/true,
          attn.getWindowAttr(), attn.getSinksAttr(), attn.getHamming());
      mapping.map(attn.getOutput(), out.getOutput());
      caches.push_back(appended);
      continue;
    }
    if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      std::optional<int64_t> axis = axes.lookup(cst.getResult());
      if (axis) {
        auto newType = cast<RankedTensorType>(retype(cst.getResult()));
        if (auto splat = dyn_cast<SplatElementsAttr>(cst.getValue())) {
          mapping.map(cst.getResult(),
                      arith::ConstantOp::create(b, cst.getLoc(),
                                                splat.resizeSplat(newType))
                          .getResult());
          continue;
        }
        Value table = b.clone(op)->getResult(0);
        if (!decode && tokens == plan.seqLen) {
          // The whole table: no slice.
          mapping.map(cst.getResult(), table);
          continue;
        }
        auto type = cast<RankedTensorType>(table.getType());
        SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes,
            strides(type.getRank(), b.getIndexAttr(1));
        for (int64_t d : newType.getShape())
          sizes.push_back(b.getIndexAttr(d));
        offsets[*axis] = row;
        mapping.map(cst.getResult(), tensor::ExtractSliceOp::create(
                                         b, cst.getLoc(), newType, table,
                                         offsets, sizes, strides)
                                         .getResult());
        continue;
      }
    }
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
      if (std::optional<int64_t> axis = axes.lookup(slice.getResult())) {
        SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
        sizes[*axis] = b.getIndexAttr(tokens);
        Value s = tensor::ExtractSliceOp::create(
            b, slice.getLoc(),
            cast<RankedTensorType>(retype(slice.getResult())),
            mapping.lookup(slice.getSource()), slice.getMixedOffsets(), sizes,
            slice.getMixedStrides());
        mapping.map(slice.getResult(), s);
        continue;
      }
    }
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op);
        expand && axes.lookup(expand.getResult())) {
      Value e = tensor::ExpandShapeOp::create(
          b, expand.getLoc(), retype(expand.getResult()),
          mapping.lookup(expand.getSrc()), expand.getReassociationIndices());
      mapping.map(expand.getResult(), e);
      continue;
    }
    Operation *clone = b.clone(op, mapping);
    for (auto [orig, result] : llvm::zip(op.getResults(), clone->getResults()))
      result.setType(retype(orig));
  }
  SmallVector<Value> returned;
  for (Value r : srcReturn.getOperands())
    returned.push_back(mapping.lookupOrDefault(r));
  llvm::append_range(returned, caches);
  func::ReturnOp::create(b, srcReturn.getLoc(), returned);
  return fn;
}

void InsertKVCachePass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<func::FuncOp> picked = pickFunction(module);
  if (failed(picked))
    return signalPassFailure();
  func::FuncOp func = *picked;
  auto fail = [&](const Twine &message) {
    func.emitError() << "loom-insert-kv-cache: " << message;
    signalPassFailure();
  };

  for (StringRef name : {"prefill", "decode_step"})
    if (module.lookupSymbol(name))
      return fail("the module already has a symbol @" + name);
  if (!func.getBody().hasOneBlock())
    return fail("the function must have a single block");
  if (func.getNumArguments() != 1)
    return fail("the function must take exactly one argument, the token ids "
                "[B, S] (it takes " +
                Twine(func.getNumArguments()) + ")");
  auto tokenType = dyn_cast<RankedTensorType>(func.getArgument(0).getType());
  if (!tokenType || tokenType.getRank() != 2 || !tokenType.hasStaticShape() ||
      !tokenType.getElementType().isInteger())
    return fail("the argument must be static integer token ids [B, S]");

  Plan plan;
  plan.func = func;
  plan.seqLen = tokenType.getDimSize(1);
  plan.capacity = capacity.hasValue() ? capacity : plan.seqLen;
  plan.promptLength = promptLength.hasValue() ? promptLength : plan.seqLen;
  if (plan.capacity < 1)
    return fail("capacity must be at least 1 (got " + Twine(plan.capacity) +
                ")");
  if (plan.promptLength < 1)
    return fail("prompt-length must be at least 1 (got " +
                Twine(plan.promptLength) + ")");
  if (plan.promptLength > plan.capacity)
    return fail("prompt-length " + Twine(plan.promptLength) +
                " exceeds the cache capacity " + Twine(plan.capacity));

  TokenAxisOptions axisOptions;
  axisOptions.passName = "loom-insert-kv-cache";
  axisOptions.seqLen = plan.seqLen;
  TokenAxisAnalysis axes(func, axisOptions);
  plan.axes = &axes;
  if (failed(axes.run({func.getArgument(0), 1})))
    return signalPassFailure();

  for (Operation &op : func.getBody().front()) {
    if (auto attn = dyn_cast<AttentionOp>(op)) {
      bool query = axes.lookup(attn.getQuery()).has_value();
      bool key = axes.lookup(attn.getKey()).has_value();
      if (!query && !key)
        continue;
      if (!attn.getCausal()) {
        attn.emitError() << "loom-insert-kv-cache: non-causal attention over "
                            "the token sequence cannot be computed "
                            "incrementally";
        return signalPassFailure();
      }
      if (!query || !key) {
        attn.emitError() << "loom-insert-kv-cache: attention whose "
                         << (key ? "queries" : "keys")
                         << " do not come from the token sequence";
        return signalPassFailure();
      }
      plan.attentions.push_back(attn);
    }
    if (auto cst = dyn_cast<arith::ConstantOp>(op);
        cst && axes.lookup(cst.getResult()) &&
        !isa<SplatElementsAttr>(cst.getValue())) {
      plan.slicesConstants = true;
      ++numSlicedConstants;
      if (plan.promptLength > plan.seqLen) {
        cst.emitError() << "loom-insert-kv-cache: prompt-length "
                        << plan.promptLength << " exceeds the sequence length "
                        << plan.seqLen
                        << " this position-dependent constant covers";
        return signalPassFailure();
      }
    }
  }
  if (plan.attentions.empty())
    return fail("no causal loom.attention over the token sequence (run "
                "loom-raise-attention first)");

  FailureOr<func::FuncOp> errorFn = getOrInsertRuntimeErrorFn(module);
  if (failed(errorFn))
    return signalPassFailure();
  // The clones are re-typed op by op; an op whose verifier rejects its new
  // types (a size-dependent attribute the propagation did not know about) is
  // reported here rather than left as invalid IR.
  for (bool decode : {false, true}) {
    func::FuncOp fn = buildFunction(module, plan, decode, *errorFn);
    if (failed(verify(fn))) {
      fn.emitError() << "loom-insert-kv-cache: the re-typed @" << fn.getName()
                     << " does not verify";
      return signalPassFailure();
    }
  }
  numCaches += plan.attentions.size();
  LLVM_DEBUG(llvm::dbgs() << "loom-insert-kv-cache: " << plan.attentions.size()
                          << " caches, S = " << plan.seqLen
                          << ", P = " << plan.promptLength
                          << ", C = " << plan.capacity << "\n");
  func.erase();
}

} // namespace
