//===- Dataflow.cpp - loom-hls-dataflow -----------------------------------===//
//
// The top-level loop nests of a top function become DATAFLOW stages: each
// nest is outlined into `<top>_stage<i>`, buffers reused across nests are
// renamed so that every channel has one producer and one consumer, and
// elementwise channels between adjacent stages become hls::stream FIFOs.
// docs/HLSDataflow.md.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSDATAFLOW
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

/// The buffer a memref value is a view of (through expand/collapse_shape).
static Value getRoot(Value memref) {
  while (Operation *def = memref.getDefiningOp()) {
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(def))
      memref = expand.getSrc();
    else if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def))
      memref = collapse.getSrc();
    else
      break;
  }
  return memref;
}

/// `memref` rebuilt on `root` instead of its own root (the views recreated).
static Value rebase(OpBuilder &b, Value memref, Value root) {
  Operation *def = memref.getDefiningOp();
  if (!def || !isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
    return root;
  Value source = rebase(b, def->getOperand(0), root);
  IRMapping map;
  map.map(def->getOperand(0), source);
  return b.clone(*def, map)->getResult(0);
}

/// True when `op` (a load or store of `memref` with `indices`) runs once per
/// element of `memref`, in row-major order: it is directly in the innermost
/// loop of a perfect nest of loops 0..extent step 1 whose outermost loop is
/// a top-level op of its function, and its indices are the induction
/// variables in nest order.
static bool isElementwiseAccess(Operation *op, Value memref,
                                ValueRange indices) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<scf::ForOp> loops;
  Operation *inner = op;
  while (auto loop = dyn_cast<scf::ForOp>(inner->getParentOp())) {
    // Perfect: the inner op is the only op of the outer loop's body (the
    // innermost loop holds the access and other ops of its iteration).
    if (!loops.empty() && loop.getBody()->getOperations().size() != 2)
      return false;
    loops.push_back(loop);
    inner = loop;
    if (isa<func::FuncOp>(loop->getParentOp()))
      break;
  }
  if (!isa_and_nonnull<func::FuncOp>(inner->getParentOp()) ||
      loops.size() != static_cast<size_t>(type.getRank()) ||
      type.getRank() == 0)
    return false;
  std::reverse(loops.begin(), loops.end());
  for (auto [d, loop] : llvm::enumerate(loops)) {
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (lb != 0 || step != 1 || ub != type.getDimSize(d) ||
        indices[d] != loop.getInductionVar())
      return false;
  }
  return true;
}

/// A perfect identity nest `for ... : body(ivs)` over `shape`, pipelined at
/// the innermost loop with `ii`.
static void buildNest(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      int64_t ii,
                      function_ref<void(OpBuilder &, ValueRange)> body) {
  OpBuilder::InsertionGuard guard(b);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> ubs, ivs;
  for (int64_t extent : shape)
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, extent));
  for (auto [d, ub] : llvm::enumerate(ubs)) {
    auto loop = scf::ForOp::create(b, loc, zero, ub, one);
    if (d + 1 == shape.size())
      loop->setAttr("hls.pipeline_ii", b.getI64IntegerAttr(ii));
    ivs.push_back(loop.getInductionVar());
    b.setInsertionPointToStart(loop.getBody());
  }
  body(b, ivs);
}

namespace {

/// How a stage accesses one buffer (a local array or an argument).
struct Use {
  SmallVector<memref::LoadOp> loads;
  SmallVector<memref::StoreOp> stores;
};

/// What a stage does with one local array after renaming.
enum class Mode { Read, Write, InPlace, CopyIn };

/// One version of a local array: one producer, its readers.
struct Version {
  Value root;        // the original buffer
  int producer = -1; // stage index, -1 = the function's argument
  Value argument;    // the argument itself when producer = -1
  SmallVector<int> readers;
  SmallVector<Value> copies; // one buffer per reader, in the new top
};

struct StagePlan {
  scf::ForOp nest;
  // Per buffer root: mode, version read (-1: none), version written.
  llvm::MapVector<Value, std::tuple<Mode, int, int>> buffers;
};

struct DataflowPass : public loom::impl::LoomHLSDataflowBase<DataflowPass> {
  void runOnOperation() override;
  /// Empty when `top` can be a dataflow region, else why not.
  std::string check(func::FuncOp top, SmallVector<scf::ForOp> &nests,
                    SmallVector<llvm::MapVector<Value, Use>> &uses);
  void transform(func::FuncOp top, SmallVector<scf::ForOp> &nests);
};

} // namespace

std::string
DataflowPass::check(func::FuncOp top, SmallVector<scf::ForOp> &nests,
                    SmallVector<llvm::MapVector<Value, Use>> &uses) {
  for (Operation &op : top.getBody().front()) {
    if (auto nest = dyn_cast<scf::ForOp>(op)) {
      nests.push_back(nest);
      continue;
    }
    if (isa<arith::ConstantOp, memref::AllocaOp, memref::GetGlobalOp,
            func::ReturnOp>(op))
      continue;
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op))
      continue;
    return "its body has a top-level '" + op.getName().getStringRef().str() +
           "', not only loop nests, constants and local arrays";
  }
  if (nests.size() < 2)
    return "it has fewer than two loop nests (nothing to overlap)";
  for (scf::ForOp nest : nests) {
    llvm::MapVector<Value, Use> nestUses;
    std::string why;
    nest.walk([&](Operation *op) {
      for (OpOperand &operand : op->getOpOperands()) {
        Value value = operand.get();
        if (!isa<MemRefType>(value.getType()) ||
            nest->isAncestor(value.getParentBlock()->getParentOp()))
          continue;
        Value root = getRoot(value);
        if (root.getDefiningOp<memref::GetGlobalOp>()) {
          if (!isa<memref::LoadOp>(op))
            why = "a loop writes a weight";
          continue;
        }
        if (auto load = dyn_cast<memref::LoadOp>(op))
          nestUses[root].loads.push_back(load);
        else if (auto store = dyn_cast<memref::StoreOp>(op);
                 store && operand.getOperandNumber() == 1)
          nestUses[root].stores.push_back(store);
        else
          why = "a loop uses a buffer in '" +
                op->getName().getStringRef().str() +
                "', not only memref.load/store";
      }
    });
    if (!why.empty())
      return why;
    uses.push_back(std::move(nestUses));
  }
  return "";
}

void DataflowPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<func::FuncOp> tops;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr("hls.top") && !func.isExternal())
      tops.push_back(func);
  if (tops.empty()) {
    module.emitError("loom-hls-dataflow: no function has 'hls.top' (run "
                     "loom-hls-directives first)");
    return signalPassFailure();
  }
  for (func::FuncOp top : tops) {
    WalkResult bad = top.walk([](Operation *op) {
      auto isTensor = [](Type t) { return isa<TensorType>(t); };
      if (isa<linalg::LinalgOp>(op) ||
          llvm::any_of(op->getOperandTypes(), isTensor) ||
          llvm::any_of(op->getResultTypes(), isTensor)) {
        op->emitError("loom-hls-dataflow needs loop IR on buffers: lower '")
            << op->getName() << "' to loops first (loom-hls-pipeline)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (bad.wasInterrupted())
      return signalPassFailure();
    if (top->hasAttr("hls.dataflow"))
      continue;
    SmallVector<scf::ForOp> nests;
    SmallVector<llvm::MapVector<Value, Use>> uses;
    std::string why = check(top, nests, uses);
    if (!why.empty()) {
      top.emitRemark("loom-hls-dataflow: '")
          << top.getSymName() << "' left as it is: " << why;
      ++numLeft;
      continue;
    }
    transform(top, nests);
  }
}

/// The argument `arg`, touched by several stages, replaced in the nests by a
/// local shadow array, filled by a first nest and copied back by a last one.
static void shadowArgument(func::FuncOp top, BlockArgument arg,
                           ArrayRef<scf::ForOp> nests, bool read, bool written,
                           int64_t ii) {
  Location loc = arg.getLoc();
  auto type = cast<MemRefType>(arg.getType());
  auto local = MemRefType::get(type.getShape(), type.getElementType());
  OpBuilder b = OpBuilder::atBlockBegin(&top.getBody().front());
  Value shadow = memref::AllocaOp::create(b, loc, local);
  arg.replaceUsesWithIf(shadow, [&](OpOperand &use) {
    Operation *user = use.getOwner();
    return user->getBlock() != &top.getBody().front() ||
           isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(user);
  });
  auto copy = [&](Value from, Value to) {
    return [=](OpBuilder &b, ValueRange ivs) {
      Value v = memref::LoadOp::create(b, loc, from, ivs);
      memref::StoreOp::create(b, loc, v, to, ivs);
    };
  };
  if (read) {
    b.setInsertionPoint(nests.front());
    buildNest(b, loc, type.getShape(), ii, copy(arg, shadow));
  }
  if (written) {
    b.setInsertionPointAfter(nests.back());
    buildNest(b, loc, type.getShape(), ii, copy(shadow, arg));
  }
}

void DataflowPass::transform(func::FuncOp top, SmallVector<scf::ForOp> &nests) {
  MLIRContext *context = &getContext();
  int64_t ii = 1;
  top.walk([&](scf::ForOp loop) {
    if (auto attr = loop->getAttrOfType<IntegerAttr>("hls.pipeline_ii"))
      ii = attr.getInt();
  });
  Block &body = top.getBody().front();

  // Arguments touched by more than one stage get a local shadow.
  {
    SmallVector<llvm::MapVector<Value, Use>> uses;
    SmallVector<scf::ForOp> none;
    (void)check(top, none, uses);
    for (BlockArgument arg : body.getArguments()) {
      if (!isa<MemRefType>(arg.getType()))
        continue;
      int stages = 0;
      bool read = false, written = false;
      for (auto &nestUses : uses) {
        auto it = nestUses.find(arg);
        if (it == nestUses.end())
          continue;
        ++stages;
        read |= !it->second.loads.empty();
        written |= !it->second.stores.empty();
      }
      if (stages > 1)
        shadowArgument(top, arg, nests, read, written, ii);
    }
  }
  nests.clear();
  SmallVector<llvm::MapVector<Value, Use>> uses;
  (void)check(top, nests, uses);

  // Renaming: every stage that writes a local array writes a new version.
  SmallVector<Version> versions;
  DenseMap<Value, int> current;
  SmallVector<StagePlan> plans(nests.size());
  for (auto [i, nest] : llvm::enumerate(nests)) {
    plans[i].nest = nest;
    for (auto &entry : uses[i]) {
      Value root = entry.first;
      Use &use = entry.second;
      if (isa<BlockArgument>(root)) {
        plans[i].buffers[root] = {Mode::Read, -1, -1};
        continue;
      }
      auto direct = [&](Operation *op, Value memref, ValueRange indices) {
        return memref == root && isElementwiseAccess(op, memref, indices);
      };
      bool elementwiseStore = use.stores.size() == 1 &&
                              direct(use.stores[0], use.stores[0].getMemRef(),
                                     use.stores[0].getIndices());
      bool elementwiseLoads = llvm::all_of(use.loads, [&](memref::LoadOp l) {
        return direct(l, l.getMemRef(), l.getIndices()) && elementwiseStore &&
               l->getBlock() == use.stores[0]->getBlock() &&
               l->isBeforeInBlock(use.stores[0]);
      });
      auto it = current.find(root);
      int in = it == current.end() ? -1 : it->second;
      if (use.stores.empty()) {
        if (in < 0) { // reads an array no stage wrote: a local of its own
          plans[i].buffers[root] = {Mode::CopyIn, -1, -1};
          continue;
        }
        versions[in].readers.push_back(i);
        plans[i].buffers[root] = {Mode::Read, in, -1};
        continue;
      }
      Mode mode;
      if (use.loads.empty() && (elementwiseStore || in < 0))
        mode = Mode::Write;
      else if (in >= 0 && elementwiseLoads)
        mode = Mode::InPlace;
      else
        mode = Mode::CopyIn;
      if (mode != Mode::Write && in >= 0)
        versions[in].readers.push_back(i);
      else
        in = -1;
      Version out;
      out.root = root;
      out.producer = i;
      versions.push_back(out);
      current[root] = versions.size() - 1;
      plans[i].buffers[root] = {mode, in,
                                static_cast<int>(versions.size()) - 1};
    }
  }

  // One channel buffer per (version, reader).
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  for (Version &version : versions) {
    auto type = cast<MemRefType>(version.root.getType());
    for (size_t r = 0; r < version.readers.size(); ++r)
      version.copies.push_back(
          memref::AllocaOp::create(b, version.root.getLoc(), type));
    numCopies += version.readers.size() > 1 ? version.readers.size() - 1 : 0;
  }
  auto copyFor = [&](int v, int stage) -> Value {
    auto it = llvm::find(versions[v].readers, stage);
    return versions[v].copies[it - versions[v].readers.begin()];
  };

  // Outline each nest.
  auto module = top->getParentOfType<ModuleOp>();
  OpBuilder mb(context);
  // Stages before the top: C++ declares before use.
  mb.setInsertionPoint(top);
  SmallVector<func::FuncOp> stages;
  for (auto [i, plan] : llvm::enumerate(plans)) {
    llvm::SetVector<Value> operands;
    for (auto &[root, p] : plan.buffers) {
      auto [mode, in, out] = p;
      if (isa<BlockArgument>(root))
        operands.insert(root);
      if (in >= 0)
        operands.insert(copyFor(in, i));
      if (out >= 0)
        operands.insert(versions[out].copies.begin(),
                        versions[out].copies.end());
    }
    // Scalar arguments used in the nest.
    plan.nest.walk([&](Operation *op) {
      for (Value v : op->getOperands())
        if (auto arg = dyn_cast<BlockArgument>(v);
            arg && arg.getOwner() == &body && !isa<MemRefType>(v.getType()))
          operands.insert(v);
    });
    std::string name = (top.getSymName() + "_stage" + std::to_string(i)).str();
    auto func = func::FuncOp::create(
        mb, plan.nest.getLoc(), name,
        FunctionType::get(context, TypeRange(operands.getArrayRef()), {}));
    func.setPrivate();
    Block *entry = func.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    for (auto [v, arg] : llvm::zip(operands, entry->getArguments()))
      map.map(v, arg);
    Location loc = plan.nest.getLoc();
    SmallVector<std::pair<Value, SmallVector<Value>>> fanOut; // primary, rest
    SmallVector<std::pair<Value, Value>> redirect; // primary -> read copy
    SmallVector<std::tuple<Value, SmallVector<Value>, ArrayRef<int64_t>>>
        copyOut;
    for (auto &[root, p] : plan.buffers) {
      auto [mode, in, out] = p;
      if (isa<BlockArgument>(root))
        continue;
      auto type = cast<MemRefType>(root.getType());
      Value inArg = in >= 0 ? map.lookup(copyFor(in, i)) : Value();
      SmallVector<Value> outArgs;
      if (out >= 0)
        for (Value c : versions[out].copies)
          outArgs.push_back(map.lookup(c));
      Value primary;
      switch (mode) {
      case Mode::Read:
        primary = inArg;
        break;
      case Mode::Write:
      case Mode::InPlace:
        primary = outArgs.empty() ? memref::AllocaOp::create(fb, loc, type)
                                  : outArgs.front();
        if (outArgs.size() > 1)
          fanOut.push_back(
              {primary, SmallVector<Value>(llvm::drop_begin(outArgs))});
        if (mode == Mode::InPlace)
          redirect.push_back({primary, inArg});
        break;
      case Mode::CopyIn:
        primary = memref::AllocaOp::create(fb, loc, type);
        if (inArg)
          buildNest(fb, loc, type.getShape(), ii,
                    [&](OpBuilder &b, ValueRange ivs) {
                      Value v = memref::LoadOp::create(b, loc, inArg, ivs);
                      memref::StoreOp::create(b, loc, v, primary, ivs);
                    });
        if (!outArgs.empty())
          copyOut.push_back({primary, outArgs, type.getShape()});
        break;
      }
      map.map(root, primary);
    }
    // Constants, weights and views the nest uses, then the nest.
    std::function<void(Value)> materialize = [&](Value v) {
      if (map.contains(v) || v.getParentBlock() != &body)
        return;
      Operation *def = v.getDefiningOp();
      if (!def)
        return;
      for (Value operand : def->getOperands())
        materialize(operand);
      fb.clone(*def, map);
    };
    plan.nest.walk([&](Operation *op) {
      for (Value v : op->getOperands())
        materialize(v);
    });
    auto nest = cast<scf::ForOp>(fb.clone(*plan.nest, map));
    for (auto &pair : redirect)
      nest.walk([&](memref::LoadOp load) {
        if (load.getMemRef() == pair.first)
          load->setOperand(0, pair.second);
      });
    for (auto &pair : fanOut)
      nest.walk([&](memref::StoreOp store) {
        if (getRoot(store.getMemRef()) != pair.first)
          return;
        OpBuilder sb(store->getNextNode());
        for (Value c : pair.second) {
          Value memref = rebase(sb, store.getMemRef(), c);
          memref::StoreOp::create(sb, store.getLoc(), store.getValue(), memref,
                                  store.getIndices());
        }
      });
    for (auto &entry : copyOut)
      buildNest(
          fb, loc, std::get<2>(entry), ii, [&](OpBuilder &b, ValueRange ivs) {
            Value v = memref::LoadOp::create(b, loc, std::get<0>(entry), ivs);
            for (Value c : std::get<1>(entry))
              memref::StoreOp::create(b, loc, v, c, ivs);
          });
    func::ReturnOp::create(fb, loc);
    stages.push_back(func);
    ++numStages;

    b.setInsertionPoint(plan.nest);
    func::CallOp::create(b, loc, func, operands.getArrayRef());
  }
  for (StagePlan &plan : plans)
    plan.nest.erase();
  // What the stages cloned is dead in the top now.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (!isa<func::CallOp, func::ReturnOp>(op) && op.use_empty())
      op.erase();
  top->setAttr("hls.dataflow", UnitAttr::get(context));

  // Streams: a channel between adjacent stages written and read once per
  // element in row-major order, the only channel between the two.
  DenseMap<int, int> streamOf;             // producer stage -> version
  SmallVector<std::pair<int, int>> arrays; // (producer, reader) of arrays
  DenseMap<std::pair<int, int>, int> channels;
  for (Version &version : versions)
    for (int r : version.readers)
      ++channels[{version.producer, r}];
  for (size_t v = 0; v < versions.size(); ++v) {
    Version &version = versions[v];
    int p = version.producer;
    if (version.copies.size() != 1) {
      for (int r : version.readers)
        arrays.push_back({p, r});
      continue;
    }
    int r = version.readers.front();
    auto findArg = [&](int stage) -> BlockArgument {
      auto call = cast<func::CallOp>(
          *llvm::find_if(version.copies[0].getUsers(), [&](Operation *user) {
            auto c = dyn_cast<func::CallOp>(user);
            return c && c.getCallee() == stages[stage].getSymName();
          }));
      unsigned index = llvm::find(call.getOperands(), version.copies[0]) -
                       call.getOperands().begin();
      return stages[stage].getArgument(index);
    };
    auto once = [](BlockArgument arg, bool store) {
      if (!arg.hasOneUse())
        return false;
      Operation *user = *arg.getUsers().begin();
      if (store) {
        auto s = dyn_cast<memref::StoreOp>(user);
        return s && s.getMemRef() == arg &&
               isElementwiseAccess(s, arg, s.getIndices());
      }
      auto l = dyn_cast<memref::LoadOp>(user);
      return l && isElementwiseAccess(l, arg, l.getIndices());
    };
    if (r == p + 1 && channels[{p, r}] == 1 && once(findArg(p), true) &&
        once(findArg(r), false))
      streamOf[p] = v;
    else
      arrays.push_back({p, r});
  }
  // Stages joined by streams run together; a ping-pong array from one of
  // them to a later one would make that one wait for the first to finish,
  // which waits for it: a deadlock. Such a chain is cut before the reader.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t a = 0; a < arrays.size(); ++a) {
      int x = arrays[a].first, y = arrays[a].second;
      int k = x;
      while (k < y && streamOf.contains(k))
        ++k;
      if (k == y && y > x) {
        streamOf.erase(y - 1);
        arrays.push_back({y - 1, y});
        changed = true;
        break;
      }
    }
  }
  numArrays += arrays.size();
  for (auto &entry : streamOf) {
    Version &version = versions[entry.second];
    Value channel = version.copies[0];
    auto type = cast<MemRefType>(channel.getType());
    auto stream = MemRefType::get(type.getShape(), type.getElementType(),
                                  MemRefLayoutAttrInterface(),
                                  StringAttr::get(context, "hls.stream"));
    channel.setType(stream);
    channel.getDefiningOp()->setAttr(
        "hls.stream", IntegerAttr::get(IntegerType::get(context, 64), 2));
    for (Operation *user : channel.getUsers()) {
      auto call = cast<func::CallOp>(user);
      auto func = module.lookupSymbol<func::FuncOp>(call.getCallee());
      for (auto [operand, arg] :
           llvm::zip(call.getOperands(), func.getArguments()))
        if (operand == channel)
          arg.setType(stream);
      func.setFunctionType(FunctionType::get(
          context, func.getBody().front().getArgumentTypes(), {}));
    }
    ++numStreams;
  }
}
