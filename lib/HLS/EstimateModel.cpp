//===- EstimateModel.cpp - the latency and resource model -----------------===//
//
// Straight-line code takes its critical path, a sequential loop
// trip * (body + 1), a pipelined loop (trip - 1) * II + depth with
// II = max(requested, recurrence bound, memory-port bound); loops inside a
// pipelined loop are fully unrolled (docs/HLSEstimator.md).
//
//===----------------------------------------------------------------------===//

#include "EstimateModel.h"

#include "llvm/ADT/StringSet.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::loom::hls;

namespace {
std::string lineCol(Location loc) {
  if (auto flc = loc->findInstanceOf<FileLineColLoc>())
    return std::to_string(flc.getLine()) + ":" +
           std::to_string(flc.getColumn());
  return "?";
}

/// The memref a view (subview, cast, reshape) reads through.
Value rootMemref(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<memref::SubViewOp, memref::CastOp, memref::CollapseShapeOp,
             memref::ExpandShapeOp, memref::ReinterpretCastOp>(def))
      break;
    v = def->getOperand(0);
  }
  return v;
}

bool dependsOn(Value v, Value iv, int depth = 0) {
  if (v == iv)
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return false;
  return llvm::any_of(def->getOperands(),
                      [&](Value o) { return dependsOn(o, iv, depth + 1); });
}
} // namespace

Storage Estimator::storage(Value memref) const {
  auto it = storageOf.find(rootMemref(memref));
  return it == storageOf.end() ? Storage::Bram : it->second;
}

FailureOr<int64_t> Estimator::latencyOf(Operation *op) {
  if (auto it = loopLatency.find(op); it != loopLatency.end())
    return it->second;
  if (auto call = dyn_cast<func::CallOp>(op)) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (auto it = reports.find(callee); it != reports.end())
      return it->second->latency;
    return 0;
  }
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return cast<MemRefType>(copy.getSource().getType()).getNumElements() + 2;
  Storage s = Storage::Bram;
  if (auto load = dyn_cast<memref::LoadOp>(op))
    s = storage(load.getMemRef());
  std::optional<OpCost> c = opCost(op, precision, s);
  if (!c)
    return op->emitError("loom-hls-estimate: no cost table entry for '")
           << op->getName() << "' (loop IR has arith, math, memref and scf.for "
           << "ops only)";
  return c->latency;
}

int64_t Estimator::ports(Value memref, int64_t reads, int64_t writes) const {
  Value root = rootMemref(memref);
  auto it = storageOf.find(root);
  Storage s = it == storageOf.end() ? Storage::Bram : it->second;
  switch (s) {
  case Storage::MAxi: // one read and one write channel, an element a cycle
  case Storage::Stream:
    return std::max(reads, writes);
  case Storage::Registers:
    return 1;
  case Storage::Bram:
  case Storage::LutRam: { // two ports per bank
    int64_t banks = banksOf.lookup(root);
    return llvm::divideCeil(reads + writes, 2 * std::max<int64_t>(banks, 1));
  }
  }
  return 1;
}

/// Longest latency from `from` to `to` through the ops of `body`; -1 when
/// `to` does not depend on `from`.
int64_t Estimator::path(Block &body, Value from, Value to) {
  DenseMap<Value, int64_t> dist;
  dist[from] = 0;
  for (Operation &op : body) {
    int64_t in = -1;
    auto see = [&](Value v) {
      if (auto it = dist.find(v); it != dist.end())
        in = std::max(in, it->second);
    };
    for (Value v : op.getOperands())
      see(v);
    op.walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        see(v);
    });
    if (in < 0)
      continue;
    FailureOr<int64_t> lat = latencyOf(&op);
    for (Value r : op.getResults())
      dist[r] = in + (succeeded(lat) ? *lat : 0);
  }
  auto it = dist.find(to);
  return it == dist.end() ? -1 : it->second;
}

/// The recurrence bound of `loop`: the latency of the longest cycle carried
/// from one iteration to the next, through iter_args or through a memory
/// element whose indices do not depend on the induction variable.
int64_t Estimator::recurrence(scf::ForOp loop) {
  int64_t rec = 0;
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  for (auto [arg, next] :
       llvm::zip(loop.getRegionIterArgs(), yield.getOperands()))
    rec = std::max(rec, path(*body, arg, next));
  Value iv = loop.getInductionVar();
  loop.getBody()->walk([&](memref::StoreOp store) {
    if (llvm::any_of(store.getIndices(),
                     [&](Value i) { return dependsOn(i, iv); }))
      return;
    for (Operation &op : *store->getBlock()) {
      auto load = dyn_cast<memref::LoadOp>(&op);
      if (!load || load.getMemRef() != store.getMemRef() ||
          load.getIndices() != store.getIndices())
        continue;
      int64_t p =
          path(*store->getBlock(), load.getResult(), store.getValueToStore());
      if (p < 0)
        continue;
      int64_t turnaround = kMemoryTurnaround;
      if (storage(load.getMemRef()) == Storage::MAxi) // no forwarding
        turnaround += *latencyOf(load);
      rec = std::max(rec, p + turnaround);
    }
  });
  return rec;
}

FailureOr<BlockCost> Estimator::loop(scf::ForOp op, bool unrolled) {
  std::optional<int64_t> trip;
  if (std::optional<APInt> t = op.getStaticTripCount())
    trip = t->getSExtValue();
  else if (auto attr = op->getAttrOfType<IntegerAttr>("hls.trip_count"))
    trip = attr.getInt();
  if (trip && *trip < 0)
    trip = 0; // a loop that never runs
  if (!trip)
    return op.emitError("loom-hls-estimate: this loop has no constant trip "
                        "count (set hls.trip_count or make its bounds static)");
  auto iiAttr = op->getAttrOfType<IntegerAttr>("hls.pipeline_ii");
  bool pipelined = iiAttr && !unrolled;
  // Report slots in pre-order (outer loops first), indented by level.
  size_t slot = current->loops.size();
  if (!unrolled) {
    current->loops.emplace_back();
    current->loops[slot].level = level++;
  }
  FailureOr<BlockCost> body = block(*op.getBody(), unrolled || pipelined);
  if (!unrolled)
    --level;
  if (failed(body))
    return failure();
  int64_t rec = recurrence(op);
  BlockCost cost;
  if (unrolled) { // fully unrolled inside a pipeline: trip chained copies
    cost.latency = *trip ? body->latency + (*trip - 1) * rec : 0;
    cost.res = body->res * *trip;
    for (auto &[m, rw] : body->access)
      cost.access[m] = {rw.first * *trip, rw.second * *trip};
    loopLatency[op] = cost.latency;
    return cost;
  }
  int64_t u = 1;
  if (auto attr = op->getAttrOfType<IntegerAttr>("hls.unroll"))
    u = attr.getInt() == 0 ? *trip : attr.getInt();
  u = std::clamp<int64_t>(u, 1, std::max<int64_t>(*trip, 1));
  int64_t trips = llvm::divideCeil(*trip, u);
  int64_t iteration = body->latency + (u - 1) * rec;
  LoopReport &report = current->loops[slot];
  report.loc = lineCol(op.getLoc());
  report.trip = *trip;
  report.unroll = u;
  report.iteration = iteration;
  if (pipelined) {
    report.iiRequested = iiAttr.getInt();
    for (auto &[m, rw] : body->access)
      report.portII =
          std::max(report.portII, ports(m, rw.first * u, rw.second * u));
    report.recurrenceII = rec * u;
    report.ii =
        std::max({report.iiRequested, report.recurrenceII, report.portII});
    cost.latency = trips ? (trips - 1) * report.ii + iteration : 0;
  } else {
    cost.latency = trips * (iteration + 1);
  }
  report.latency = cost.latency;
  cost.res = body->res * u;
  cost.res += loopControl(trips);
  loopLatency[op] = cost.latency;
  return cost;
}

FailureOr<BlockCost> Estimator::block(Block &body, bool unrolled) {
  BlockCost cost;
  DenseMap<Value, int64_t> ready;
  DenseMap<Value, int64_t> lastStore;
  int64_t barrier = 0, end = 0;
  for (Operation &op : body) {
    auto isTensor = [](Value v) { return isa<TensorType>(v.getType()); };
    if (llvm::any_of(op.getOperands(), isTensor) ||
        llvm::any_of(op.getResults(), isTensor))
      return op.emitError("loom-hls-estimate: not loop IR: a tensor value "
                          "(bufferize and lower to loops first)");
    if (op.getDialect() && op.getDialect()->getNamespace() == "linalg")
      return op.emitError("loom-hls-estimate: not loop IR: a linalg op "
                          "(run convert-linalg-to-loops first)");
    int64_t start = barrier;
    auto use = [&](Value v) {
      if (auto it = ready.find(v); it != ready.end())
        start = std::max(start, it->second);
      if (isa<MemRefType>(v.getType()))
        if (auto it = lastStore.find(rootMemref(v)); it != lastStore.end())
          start = std::max(start, it->second);
    };
    for (Value v : op.getOperands())
      use(v);
    SmallVector<Value> stored;
    for (Region &r : op.getRegions())
      r.walk([&](Operation *inner) {
        for (Value v : inner->getOperands())
          use(v);
        if (auto s = dyn_cast<memref::StoreOp>(inner))
          stored.push_back(rootMemref(s.getMemRef()));
      });

    int64_t latency = 0;
    bool sequential = false; // a state of the FSM of its own
    if (auto forOp = dyn_cast<scf::ForOp>(op)) {
      FailureOr<BlockCost> c = loop(forOp, unrolled);
      if (failed(c))
        return failure();
      latency = c->latency;
      cost.res += c->res;
      for (auto &[m, rw] : c->access) {
        cost.access[m].first += rw.first;
        cost.access[m].second += rw.second;
      }
      sequential = !unrolled;
    } else if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (!callee || callee.isExternal())
        return call.emitError("loom-hls-estimate: the callee has no body");
      FailureOr<FuncReport *> r = estimate(callee);
      if (failed(r))
        return failure();
      latency = (*r)->latency;
      cost.res += (*r)->res;
      sequential = true;
    } else {
      Storage s = Storage::Bram;
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        s = storage(load.getMemRef());
        cost.access[rootMemref(load.getMemRef())].first += 1;
      } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
        cost.access[rootMemref(store.getMemRef())].second += 1;
        stored.push_back(rootMemref(store.getMemRef()));
      }
      if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        // A pipelined element-by-element copy at II 1.
        auto type = cast<MemRefType>(copy.getSource().getType());
        latency = type.getNumElements() + 2;
        cost.res += loopControl(type.getNumElements());
        cost.access[rootMemref(copy.getSource())].first += 1;
        cost.access[rootMemref(copy.getTarget())].second += 1;
        stored.push_back(rootMemref(copy.getTarget()));
        sequential = !unrolled;
      } else {
        std::optional<OpCost> c = opCost(&op, precision, s);
        if (!c)
          return op.emitError("loom-hls-estimate: no cost table entry for '")
                 << op.getName() << "' (loop IR has arith, math, memref, "
                 << "scf.for and func.call ops only)";
        latency = c->latency;
        cost.res += c->res;
      }
    }
    if (sequential)
      start = std::max(start, end);
    int64_t finish = start + latency;
    for (Value r : op.getResults())
      ready[r] = finish;
    for (Value m : stored)
      lastStore[m] = std::max(lastStore[m], finish);
    end = std::max(end, finish);
    if (sequential)
      barrier = finish;
  }
  cost.latency = end;
  return cost;
}

void Estimator::classify(func::FuncOp func) {
  bool top = tops.contains(func);
  for (BlockArgument arg : func.getArguments())
    if (isa<MemRefType>(arg.getType())) {
      storageOf[arg] = top ? Storage::MAxi : Storage::Bram;
      banksOf[arg] = 1;
    }
  func.walk([&](memref::AllocaOp alloca) {
    MemRefType type = alloca.getType();
    int64_t width = isa<FloatType>(type.getElementType()) && precision.isFixed
                        ? precision.width
                        : (type.getElementType().isIntOrFloat()
                               ? type.getElementTypeBitWidth()
                               : 64);
    int64_t elements = type.getNumElements();
    int64_t bits = elements * width;
    if (auto depth = alloca->getAttrOfType<IntegerAttr>("hls.stream")) {
      storageOf[alloca] = Storage::Stream;
      current->res += Resources{
          0, 0, double(llvm::divideCeil(depth.getInt() * width, 64) + 20), 20};
      return;
    }
    int64_t banks = 1;
    if (auto parts = alloca->getAttrOfType<ArrayAttr>("hls.array_partition"))
      for (auto entry : parts.getAsRange<DictionaryAttr>()) {
        auto dim = entry.getAs<IntegerAttr>("dim");
        auto factor = entry.getAs<IntegerAttr>("factor");
        auto kind = entry.getAs<StringAttr>("type");
        if (!dim || dim.getInt() < 1 || dim.getInt() > type.getRank())
          continue;
        int64_t extent = type.getDimSize(dim.getInt() - 1);
        banks *= (kind && kind.getValue() == "complete") || !factor
                     ? extent
                     : std::min(factor.getInt(), extent);
      }
    Storage s = localStorage(bits, banks, banks >= elements);
    storageOf[alloca] = s;
    banksOf[alloca] = banks;
    int64_t perBank = llvm::divideCeil(elements, banks);
    if (s == Storage::Bram)
      current->res.bram += banks * bramBlocks(perBank, width);
    else if (s == Storage::LutRam)
      current->res.lut += banks * llvm::divideCeil(perBank * width, 64);
    else
      current->res.ff += bits;
  });
  // Constant weights: a ROM per function that reads them (BRAM, or LUTs
  // when small), one port.
  llvm::StringSet<> weights;
  func.walk([&](memref::GetGlobalOp global) {
    if (!weights.insert(global.getName()).second)
      return;
    MemRefType type = global.getType();
    int64_t width = isa<FloatType>(type.getElementType()) && precision.isFixed
                        ? precision.width
                        : type.getElementTypeBitWidth();
    int64_t elements = type.getNumElements();
    Storage s = localStorage(elements * width, 1, false);
    storageOf[global] = s;
    banksOf[global] = 1;
    if (s == Storage::Bram)
      current->res.bram += bramBlocks(elements, width);
    else if (s == Storage::LutRam)
      current->res.lut += llvm::divideCeil(elements * width, 64);
    else
      current->res.ff += elements * width;
  });
}

FailureOr<FuncReport *> Estimator::estimate(func::FuncOp func) {
  if (auto it = reports.find(func); it != reports.end())
    return it->second.get();
  if (!inProgress.insert(func).second)
    return func.emitError("loom-hls-estimate: recursion (HLS has none)");
  for (Type t : func.getArgumentTypes())
    if (isa<TensorType>(t))
      return func.emitError("loom-hls-estimate: not loop IR: a tensor "
                            "argument (bufferize and lower to loops first)");
  auto report = std::make_unique<FuncReport>();
  report->name = func.getSymName().str();
  FuncReport *saved = current;
  current = report.get();
  classify(func);
  FailureOr<BlockCost> body = block(func.getBody().front(), false);
  if (failed(body)) {
    current = saved;
    return failure();
  }
  report->latency = body->latency;
  report->interval = body->latency;
  report->res += body->res;
  if (tops.contains(func)) {
    for (Type t : func.getArgumentTypes())
      if (isa<MemRefType>(t))
        report->res += mAxiAdapter();
    report->res += controlAdapter();
  }
  if (func->hasAttr("hls.dataflow")) {
    // Stages run concurrently: the interval is the slowest stage; the
    // latency stays the sum (no overlap within one invocation assumed).
    report->interval = 0;
    for (auto call : func.getBody().getOps<func::CallOp>())
      if (auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
              call, call.getCalleeAttr()))
        report->interval =
            std::max(report->interval, reports.find(callee)->second->latency);
  }
  current = saved;
  inProgress.erase(func);
  FuncReport *result = report.get();
  reports[func] = std::move(report);
  return result;
}
