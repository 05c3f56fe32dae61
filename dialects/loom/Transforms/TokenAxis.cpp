//===- TokenAxis.cpp - Which axis runs over the tokens --------------------===//
//
// The token-axis propagation (moved from loom-insert-kv-cache) and the
// re-typing of a token-reduced subset of a function. See TokenAxis.h.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/TokenAxis.h"

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/RaisingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::loom;

InFlightDiagnostic TokenAxisAnalysis::error(Operation *op) {
  InFlightDiagnostic diag = op->emitError();
  diag << options.passName << ": ";
  return diag;
}

LogicalResult TokenAxisAnalysis::assign(Value v, int64_t axis,
                                        Operation *from) {
  auto it = axes.find(v);
  if (it != axes.end()) {
    if (it->second == axis)
      return success();
    return error(from) << "conflicting token axes (" << it->second << " and "
                       << axis << ") for one value";
  }
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || axis < 0 || axis >= type.getRank())
    return error(from) << "the token axis reaches a value of type "
                       << v.getType() << " that has no axis " << axis;
  if (type.getDimSize(axis) != options.seqLen)
    return error(from) << "the token axis " << axis << " of " << type
                       << " has size " << type.getDimSize(axis)
                       << ", not the sequence length " << options.seqLen;
  axes[v] = axis;
  worklist.push_back(v);
  return success();
}

LogicalResult TokenAxisAnalysis::checkOutsideDef(Value v, Operation *def) {
  // Inits and splats are re-created at the new size by the re-typing.
  if (auto empty = dyn_cast<tensor::EmptyOp>(def);
      empty && empty.getDynamicSizes().empty())
    return success();
  if (auto fill = dyn_cast<linalg::FillOp>(def);
      fill && fill.hasPureTensorSemantics() &&
      fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
    return success();
  if (auto cst = dyn_cast<arith::ConstantOp>(def);
      cst && (isa<SplatElementsAttr>(cst.getValue()) || options.allowConstants))
    return success();
  return error(def) << "this value, defined before the reduced tokens, "
                       "carries the token axis into the re-typed ops (a "
                       "constant or a value computed on all tokens cannot "
                       "be cut to the kept ones)";
}

LogicalResult TokenAxisAnalysis::run(AxisFact seedFact) {
  seed = seedFact.first;
  if (failed(assign(seed, seedFact.second, func)))
    return failure();
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    int64_t axis = axes.lookup(v);
    SetVector<Operation *> ops;
    if (Operation *def = v.getDefiningOp()) {
      if (inScope(def))
        ops.insert(def);
      else if (v != seed && failed(checkOutsideDef(v, def)))
        return failure();
    }
    for (Operation *user : v.getUsers()) {
      if (inScope(user)) {
        ops.insert(user);
        continue;
      }
      // A read inside the region of an op being re-typed (a gather in a
      // linalg body) would silently see the reduced tokens.
      if (options.scope && user->getParentOp() != func)
        if (Operation *top =
                func.getBody().front().findAncestorOpInBlock(*user);
            top && inScope(top))
          return error(user) << "a value carrying the token axis is read "
                                "inside the region of '"
                             << top->getName() << "'";
    }
    for (Operation *op : ops) {
      if (op->getParentOp() != func) {
        // A use inside a region (a linalg body capturing the value).
        return error(op) << "a value carrying the token axis is "
                            "used inside the region of '"
                         << op->getParentOp()->getName() << "'";
      }
      SmallVector<AxisFact> out;
      if (failed(implied(op, v, axis, out)))
        return failure();
      for (auto [w, a] : out)
        if (failed(assign(w, a, op)))
          return failure();
    }
    if (auto arg = dyn_cast<BlockArgument>(v); arg && arg != seed) {
      if (options.scope)
        return error(func) << "the token axis reaches argument #"
                           << arg.getArgNumber()
                           << ", which is not the reduced value";
      return error(func)
             << "the token axis reaches argument #" << arg.getArgNumber()
             << ", which is not the token sequence (only one argument, the "
                "token ids, is supported)";
    }
  }
  return success();
}

LogicalResult TokenAxisAnalysis::impliedLinalg(linalg::LinalgOp op, Value v,
                                               int64_t axis,
                                               SmallVectorImpl<AxisFact> &out) {
  // The operands through which `v` is read or written.
  SmallVector<OpOperand *> anchors;
  if (auto res = dyn_cast<OpResult>(v); res && res.getOwner() == op)
    anchors.push_back(op.getDpsInitOperand(res.getResultNumber()));
  for (OpOperand &operand : op->getOpOperands())
    if (operand.get() == v)
      anchors.push_back(&operand);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (OpOperand *anchor : anchors) {
    AffineMap map = op.getMatchingIndexingMap(anchor);
    auto dimExpr = dyn_cast<AffineDimExpr>(map.getResult(axis));
    if (!dimExpr)
      return error(op) << "the token axis is "
                          "indexed by a non-trivial expression";
    unsigned dim = dimExpr.getPosition();
    if (iterators[dim] != utils::IteratorType::parallel)
      return error(op) << "the op reduces over the token axis "
                          "(loop "
                       << dim << "), which mixes tokens outside loom.attention";
    bool readsIndex = false;
    op->walk([&](linalg::IndexOp index) {
      if (index.getDim() == dim)
        readsIndex = true;
    });
    if (readsIndex)
      return error(op)
             << "the op reads the token position "
                "(linalg.index "
             << dim << "); position-dependent computations are not supported";
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap m = op.getMatchingIndexingMap(&operand);
      std::optional<int64_t> position;
      for (auto [p, expr] : llvm::enumerate(m.getResults())) {
        if (auto d = dyn_cast<AffineDimExpr>(expr);
            d && d.getPosition() == dim) {
          if (position)
            return error(op) << "operand #" << operand.getOperandNumber()
                             << " reads the token loop along two axes";
          position = p;
        } else if (expr.isFunctionOfDim(dim)) {
          return error(op)
                 << "operand #" << operand.getOperandNumber()
                 << " is indexed by the token loop through a non-trivial "
                    "expression";
        }
      }
      if (!position) {
        // Every result must keep the tokens apart.
        if (op.isDpsInit(&operand))
          return error(op) << "init #"
                           << operand.getOperandNumber() - op.getNumDpsInputs()
                           << " is not indexed by the token loop";
        continue;
      }
      out.push_back({operand.get(), *position});
      if (op.isDpsInit(&operand))
        out.push_back({op.getTiedOpResult(&operand), *position});
    }
  }
  return success();
}

/// The only non-unit dimension among `dims` of `shape`, if exactly one.
static std::optional<int64_t> onlyNonUnit(ArrayRef<int64_t> shape,
                                          ArrayRef<int64_t> dims) {
  std::optional<int64_t> found;
  for (int64_t d : dims) {
    if (shape[d] == 1)
      continue;
    if (found)
      return std::nullopt;
    found = d;
  }
  return found;
}

LogicalResult
TokenAxisAnalysis::impliedReshape(Operation *op, Value v, int64_t axis,
                                  SmallVectorImpl<AxisFact> &out) {
  // Collapse: source (expanded) -> result (collapsed); expand: the reverse.
  Value expanded, collapsed;
  SmallVector<ReassociationIndices> groups;
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
    expanded = c.getSrc();
    collapsed = c.getResult();
    groups = c.getReassociationIndices();
  } else {
    auto e = cast<tensor::ExpandShapeOp>(op);
    expanded = e.getResult();
    collapsed = e.getSrc();
    groups = e.getReassociationIndices();
  }
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(expanded.getType()).getShape();
  auto mergedError = [&]() {
    return error(op) << "the token axis is merged "
                        "with another non-unit dimension";
  };
  if (v == expanded) {
    for (auto [g, group] : llvm::enumerate(groups)) {
      if (!llvm::is_contained(group, axis))
        continue;
      if (onlyNonUnit(shape, group) != axis)
        return mergedError();
      out.push_back({collapsed, static_cast<int64_t>(g)});
    }
    return success();
  }
  std::optional<int64_t> inner = onlyNonUnit(shape, groups[axis]);
  if (!inner)
    return mergedError();
  out.push_back({expanded, *inner});
  return success();
}

LogicalResult TokenAxisAnalysis::implied(Operation *op, Value v, int64_t axis,
                                         SmallVectorImpl<AxisFact> &out) {
  // Values without operands: re-typed (empty) or sliced (constants) later.
  if (isa<tensor::EmptyOp, arith::ConstantOp, func::ReturnOp>(op)) {
    if (auto empty = dyn_cast<tensor::EmptyOp>(op);
        empty && !empty.getDynamicSizes().empty())
      return error(op) << "dynamic tensor.empty";
    return success();
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (!linalgOp.hasPureTensorSemantics())
      return error(op) << "linalg op on buffers";
    return impliedLinalg(linalgOp, v, axis, out);
  }
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
    return impliedReshape(op, v, axis, out);
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    // A slice along other axes (a fused QKV split, partial rotary channels)
    // keeps every token: the token axis must be taken whole.
    if (slice.getSourceType().getRank() != slice.getResultType().getRank())
      return error(op) << "rank-reducing "
                          "tensor.extract_slice of a token value";
    bool whole = !slice.isDynamicOffset(axis) && !slice.isDynamicSize(axis) &&
                 !slice.isDynamicStride(axis) &&
                 slice.getStaticOffset(axis) == 0 &&
                 slice.getStaticSize(axis) == options.seqLen &&
                 slice.getStaticStride(axis) == 1;
    if (!whole && v == slice.getSource() && !slice.isDynamicOffset(axis) &&
        !slice.isDynamicSize(axis) && !slice.isDynamicStride(axis) &&
        slice.getStaticStride(axis) == 1 &&
        slice.getStaticOffset(axis) + slice.getStaticSize(axis) <=
            options.keptPrefix)
      // Leading rows that every reduction keeps in place: the result no
      // longer runs over the tokens.
      return success();
    if (!whole && options.scope)
      return error(op) << "tensor.extract_slice along the token axis (only "
                          "rows among the leading "
                       << options.keptPrefix
                       << " tokens, which keep their rows because they are "
                          "pinned, can be sliced)";
    if (!whole)
      return error(op) << "tensor.extract_slice along the token axis";
    out.push_back({slice.getSource(), axis});
    out.push_back({slice.getResult(), axis});
    return success();
  }
  if (auto concat = dyn_cast<tensor::ConcatOp>(op)) {
    if (static_cast<int64_t>(concat.getDim()) == axis)
      return error(op) << "tensor.concat along "
                          "the token axis";
    for (Value input : concat.getInputs())
      out.push_back({input, axis});
    out.push_back({concat.getResult(), axis});
    return success();
  }
  if (auto rope = dyn_cast<RoPEOp>(op)) {
    // Per position: input and output share the axis; a table carries it
    // unless broadcast (size 1) along it.
    int64_t rank = cast<RankedTensorType>(rope.getType()).getRank();
    if (axis == rank - 1)
      return error(op) << "the token axis is the "
                          "rotated channel axis";
    out.push_back({rope.getInput(), axis});
    out.push_back({rope.getOutput(), axis});
    for (Value table : {rope.getCos(), rope.getSin()})
      if (cast<RankedTensorType>(table.getType()).getDimSize(axis) != 1)
        out.push_back({table, axis});
    return success();
  }
  if (auto norm = dyn_cast<RMSNormOp>(op)) {
    int64_t rank = cast<RankedTensorType>(norm.getType()).getRank();
    if (v == norm.getWeight() || axis == rank - 1)
      return error(op) << "rms_norm normalises "
                          "over the token axis";
    out.push_back({norm.getInput(), axis});
    out.push_back({norm.getOutput(), axis});
    return success();
  }
  if (auto moe = dyn_cast<MoEFFNOp>(op)) {
    // Tokens are routed independently unless experts have a capacity.
    if (v != moe.getInput() && v != moe.getOutput())
      return error(op) << "the token axis reaches "
                          "a weight of loom.moe.ffn";
    if (axis != 0)
      return error(op) << "loom.moe.ffn rows are "
                          "not the token axis";
    if (moe.getCapacityFactor())
      return error(op)
             << "loom.moe.ffn with a capacity factor "
                "drops tokens depending on how many are routed together; "
                "prefill and decode would differ from the full sequence";
    out.push_back({moe.getInput(), 0});
    out.push_back({moe.getOutput(), 0});
    return success();
  }
  if (auto attn = dyn_cast<AttentionOp>(op)) {
    if (attn.readsCache())
      return error(op) << "attention already reads a KV cache";
    Value mask = attn.getMask();
    if (mask && !options.allowAttentionExtras)
      return error(op) << "attention with an explicit mask is not supported";
    if (attn.getKeyScores() && !options.allowAttentionExtras)
      return error(op) << "attention returning key scores is not supported";
    // The mask broadcasts to [B,Hq,Sq,Skv]: its axis 2 runs over the query
    // tokens, axis 3 over the key tokens, unless of size 1. A mask that
    // needs both is a conflict of axes.
    auto maskType =
        mask ? cast<RankedTensorType>(mask.getType()) : RankedTensorType();
    if (v == mask ? (axis != 2 && axis != 3) : axis != 2)
      return error(op) << "the token axis of an attention operand must be "
                          "axis 2 (or 3 for a mask)";
    // Queries and outputs share the query tokens; keys, values and key
    // scores share the key tokens.
    bool queries = v == attn.getQuery() || v == attn.getOutput() ||
                   (v == mask && axis == 2);
    if (queries) {
      out.push_back({attn.getQuery(), 2});
      out.push_back({attn.getOutput(), 2});
      if (mask && maskType.getDimSize(2) != 1)
        out.push_back({mask, 2});
    } else {
      out.push_back({attn.getKey(), 2});
      out.push_back({attn.getValue(), 2});
      if (Value scores = attn.getKeyScores())
        out.push_back({scores, 2});
      if (mask && maskType.getDimSize(3) != 1)
        out.push_back({mask, 3});
    }
    return success();
  }
  if (auto restore = dyn_cast<TokenRestoreOp>(op);
      restore && options.restoreIsSink) {
    // A sink: it rebuilds the full sequence from its input. The full-length
    // seed may also be its fill (mixture-of-depths: skipped tokens keep the
    // block input); it is left as it is.
    if (v != restore.getInput() && v != seed)
      return error(op) << "the token axis reaches an operand of "
                          "loom.token.restore other than its input";
    return success();
  }
  if (op->hasTrait<OpTrait::Elementwise>()) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    SmallVector<Value> all(op->getOperands());
    llvm::append_range(all, op->getResults());
    for (Value w : all)
      if (auto t = dyn_cast<RankedTensorType>(w.getType());
          t && t.getRank() == rank)
        out.push_back({w, axis});
    return success();
  }
  return error(op) << "cannot propagate the token "
                      "axis through '"
                   << op->getName() << "'";
}

//===----------------------------------------------------------------------===//
// Re-typing a token-reduced subset
//===----------------------------------------------------------------------===//

namespace {
/// Records every op a builder inserts, to undo a failed re-typing.
struct InsertionRecorder : public OpBuilder::Listener {
  void notifyOperationInserted(Operation *op, OpBuilder::InsertPoint) override {
    inserted.push_back(op);
  }
  SmallVector<Operation *> inserted;
};
} // namespace

/// Re-creates the init `old` (a static tensor.empty, a linalg.fill of one, or
/// a splat constant, as TokenAxisAnalysis::checkOutsideDef allows) at type
/// `type`.
static Value recreateInit(OpBuilder &b, Value old, RankedTensorType type) {
  Operation *def = old.getDefiningOp();
  Location loc = def->getLoc();
  if (isa<tensor::EmptyOp>(def))
    return tensor::EmptyOp::create(b, loc, type.getShape(),
                                   type.getElementType());
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    Value empty =
        tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
    return linalg::FillOp::create(b, loc, fill.getInputs()[0], empty)
        .getResult(0);
  }
  auto splat = cast<SplatElementsAttr>(cast<arith::ConstantOp>(def).getValue());
  return arith::ConstantOp::create(b, loc, splat.resizeSplat(type));
}

FailureOr<RetypeResult>
mlir::loom::retypeTokenSubset(func::FuncOp func, Value from, int64_t axis,
                              Value to, ArrayRef<Operation *> exclude,
                              RestoreFn restore, const RetypeOptions &options) {
  auto error = [&](Operation *op) {
    InFlightDiagnostic diag = op->emitError();
    diag << options.passName << ": ";
    return diag;
  };
  Operation *toDef = to.getDefiningOp();
  Operation *at = toDef ? toDef : func.getOperation();
  auto fromType = dyn_cast<RankedTensorType>(from.getType());
  auto toType = dyn_cast<RankedTensorType>(to.getType());
  if (!fromType || !toType || !fromType.hasStaticShape() ||
      !toType.hasStaticShape() || fromType.getRank() != toType.getRank() ||
      axis < 0 || axis >= fromType.getRank() ||
      fromType.getElementType() != toType.getElementType())
    return error(at) << "the reduced value " << to.getType()
                     << " must be a static tensor like " << from.getType()
                     << " with fewer tokens along axis " << axis;
  for (int64_t d = 0; d < fromType.getRank(); ++d)
    if (d != axis && fromType.getDimSize(d) != toType.getDimSize(d))
      return error(at) << "the reduced value " << to.getType()
                       << " differs from " << from.getType() << " along axis "
                       << d << ", not the token axis";
  int64_t numKept = toType.getDimSize(axis);
  Block &body = func.getBody().front();

  // The forward slice of `from`, stopping at sinks and excluded ops.
  llvm::DenseSet<Operation *> excluded(exclude.begin(), exclude.end());
  llvm::DenseSet<Operation *> scope;
  SmallVector<Value> worklist{from};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (excluded.contains(user))
        continue;
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        return error(user) << "a use outside the function body";
      if (!scope.insert(top).second)
        continue;
      if (isa<func::ReturnOp, TokenRestoreOp>(top))
        continue;
      llvm::append_range(worklist, top->getResults());
    }
  }
  for (Operation *op : exclude)
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp();
          def && scope.contains(body.findAncestorOpInBlock(*def)))
        return error(op) << "an excluded op reads a value computed from the "
                            "tokens being reduced";
  SmallVector<Operation *> ops;
  for (Operation &op : body)
    if (scope.contains(&op))
      ops.push_back(&op);
  if (!ops.empty() && toDef &&
      (toDef->getBlock() != &body || !toDef->isBeforeInBlock(ops.front())))
    return error(ops.front()) << "the reduced value must be defined before "
                                 "the first op that reads the full one";

  TokenAxisOptions axisOptions;
  axisOptions.passName = options.passName;
  axisOptions.seqLen = fromType.getDimSize(axis);
  axisOptions.scope = &scope;
  axisOptions.keptPrefix = options.keptPrefix;
  axisOptions.allowAttentionExtras = true;
  axisOptions.restoreIsSink = true;
  axisOptions.allowConstants = bool(options.gatherConstant);
  TokenAxisAnalysis axes(func, axisOptions);
  if (failed(axes.run({from, axis})))
    return failure();
  auto retype = [&](Value v) -> Type {
    std::optional<int64_t> a = axes.lookup(v);
    if (!a)
      return v.getType();
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[*a] = numKept;
    return type.clone(shape);
  };

  RetypeResult result;
  IRMapping &mapping = result.mapping;
  mapping.map(from, to);
  InsertionRecorder recorder;
  OpBuilder b(func.getContext(), &recorder);
  SmallVector<std::pair<OpOperand *, Value>> sinkUpdates;
  auto undo = [&]() {
    // Nested ops (recorded after their parent) go with it.
    for (Operation *op : llvm::reverse(recorder.inserted))
      if (op->getParentOp() == func)
        op->erase();
    return failure();
  };
  for (Operation *op : ops) {
    b.setInsertionPoint(op);
    // Inits from outside the slice, at the new size.
    for (Value operand : op->getOperands()) {
      if (mapping.contains(operand) || !axes.lookup(operand))
        continue;
      auto type = cast<RankedTensorType>(retype(operand));
      auto cst = operand.getDefiningOp<arith::ConstantOp>();
      if (cst && !isa<SplatElementsAttr>(cst.getValue())) {
        FailureOr<Value> gathered =
            options.gatherConstant(b, operand, *axes.lookup(operand), type);
        if (failed(gathered))
          return undo();
        if ((*gathered).getType() != type) {
          error(cst) << "the gathered constant has type "
                     << (*gathered).getType() << ", not " << type;
          return undo();
        }
        mapping.map(operand, *gathered);
        continue;
      }
      mapping.map(operand, recreateInit(b, operand, type));
    }
    if (isa<func::ReturnOp, TokenRestoreOp>(op)) {
      auto restoreSink = dyn_cast<TokenRestoreOp>(op);
      for (OpOperand &use : op->getOpOperands()) {
        Value reduced = mapping.lookupOrNull(use.get());
        if (!reduced || (restoreSink && use.get() == from &&
                         &use != &restoreSink.getInputMutable()))
          continue;
        if (std::optional<int64_t> a = axes.lookup(use.get())) {
          FailureOr<Value> full = restore(b, use, reduced, *a);
          if (failed(full))
            return undo();
          // A restore may take the reduced rows themselves as its input.
          if ((*full).getType() != use.get().getType() &&
              !(restoreSink && *full == reduced)) {
            error(op) << "the restored value has type " << (*full).getType()
                      << ", not " << use.get().getType();
            return undo();
          }
          reduced = *full;
        }
        sinkUpdates.push_back({&use, reduced});
      }
      continue;
    }
    Operation *clone = nullptr;
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op);
        slice && axes.lookup(slice.getResult())) {
      SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
      sizes[*axes.lookup(slice.getResult())] = b.getIndexAttr(numKept);
      clone = tensor::ExtractSliceOp::create(
          b, slice.getLoc(), cast<RankedTensorType>(retype(slice.getResult())),
          mapping.lookupOrDefault(slice.getSource()), slice.getMixedOffsets(),
          sizes, slice.getMixedStrides());
    } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op);
               expand && axes.lookup(expand.getResult())) {
      clone = tensor::ExpandShapeOp::create(
          b, expand.getLoc(), retype(expand.getResult()),
          mapping.lookupOrDefault(expand.getSrc()),
          expand.getReassociationIndices());
    } else {
      clone = b.clone(*op, mapping);
      for (auto [orig, res] : llvm::zip(op->getResults(), clone->getResults()))
        res.setType(retype(orig));
    }
    mapping.map(op, clone);
    mapping.map(op->getResults(), clone->getResults());
    // A size-dependent attribute the propagation does not know about.
    if (failed(verify(clone))) {
      error(op) << "the op re-typed to " << numKept
                << " tokens does not verify";
      return undo();
    }
    ++result.numRebuilt;
  }
  for (auto [use, value] : sinkUpdates)
    use->set(value);
  for (Operation *op : llvm::reverse(ops)) {
    if (isa<func::ReturnOp, TokenRestoreOp>(op))
      continue;
    op->erase();
  }
  return result;
}

/// Replaces `value[..] = from[.., k, ..]` gathers with a constant index (the
/// exporter's form of `hidden[:, 0]` in a pooler) by extract_slice and
/// collapse_shape, which the token-axis propagation understands.
void mlir::loom::rewriteConstantTokenSelects(func::FuncOp func) {
  SmallVector<linalg::GenericOp> generics(
      func.getBody().front().getOps<linalg::GenericOp>());
  for (linalg::GenericOp g : generics) {
    if (g->getNumResults() != 1)
      continue;
    int64_t axis, k;
    Value from = matchAxisSelect(g->getResult(0), axis, k);
    if (!from)
      continue;
    auto fromType = cast<RankedTensorType>(from.getType());
    OpBuilder b(g);
    int64_t rank = fromType.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
        strides(rank, b.getIndexAttr(1)), sizes;
    SmallVector<int64_t> shape(fromType.getShape());
    shape[axis] = 1;
    for (int64_t d : shape)
      sizes.push_back(b.getIndexAttr(d));
    offsets[axis] = b.getIndexAttr(k);
    Value slice = tensor::ExtractSliceOp::create(
        b, g.getLoc(), fromType.clone(shape), from, offsets, sizes, strides);
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      groups.push_back({d});
    }
    // The unit axis joins its neighbour's group.
    if (axis == 0)
      groups.front().insert(groups.front().begin(), 0);
    else
      groups[axis - 1].push_back(axis);
    Value collapsed = tensor::CollapseShapeOp::create(
        b, g.getLoc(), g->getResult(0).getType(), slice, groups);
    g->getResult(0).replaceAllUsesWith(collapsed);
    g->erase();
  }
}
