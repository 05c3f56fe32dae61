//===- Estimate.cpp - loom-hls-estimate -----------------------------------===//
//
// Latency and resource estimate of directed loop IR for a named FPGA part
// (docs/HLSEstimator.md has the model): straight-line code takes its
// critical path, a sequential loop trip * (body + 1), a pipelined loop
// (trip - 1) * II + depth with II = max(requested, recurrence bound,
// memory-port bound); loops inside a pipelined loop are fully unrolled.
//
//===----------------------------------------------------------------------===//

#include "CostTable.h"
#include "loom/HLS/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSESTIMATE
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::hls;

namespace {

struct LoopReport {
  std::string loc;
  int64_t level = 0, trip = 0, unroll = 1, latency = 0, iteration = 0;
  // Pipelined loops: the requested II, the recurrence and memory-port
  // bounds, and the achieved II (the largest of the three); 0 otherwise.
  int64_t iiRequested = 0, recurrenceII = 0, portII = 0, ii = 0;
};

struct FuncReport {
  std::string name, role;
  int64_t latency = 0, interval = 0;
  Resources res;
  std::vector<LoopReport> loops;
};

/// What a block (one iteration of a loop body) costs.
struct BlockCost {
  int64_t latency = 0;
  Resources res;
  /// Accesses per execution, by memref: (reads, writes).
  llvm::MapVector<Value, std::pair<int64_t, int64_t>> access;
};

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

class Estimator {
public:
  Estimator(const Precision &precision) : precision(precision) {}

  /// Estimates `func` (memoised); failure after a diagnostic.
  FailureOr<FuncReport *> estimate(func::FuncOp func);

private:
  FailureOr<BlockCost> block(Block &body, bool unrolled);
  FailureOr<BlockCost> loop(scf::ForOp loop, bool unrolled);
  int64_t recurrence(scf::ForOp loop);
  int64_t path(Block &body, Value from, Value to);
  FailureOr<int64_t> latencyOf(Operation *op);
  void classify(func::FuncOp func);
  Storage storage(Value memref) {
    auto it = storageOf.find(rootMemref(memref));
    return it == storageOf.end() ? Storage::Bram : it->second;
  }
  int64_t ports(Value memref, int64_t reads, int64_t writes) const;

  const Precision &precision;
  DenseMap<Operation *, std::unique_ptr<FuncReport>> reports;
  DenseSet<Operation *> inProgress;
  DenseMap<Value, Storage> storageOf;
  DenseMap<Value, int64_t> banksOf;
  DenseMap<Operation *, int64_t> loopLatency;
  FuncReport *current = nullptr;
  int64_t level = 0;
};

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
    cost.latency = body->latency + (*trip - 1) * rec;
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
    cost.latency = (trips - 1) * report.ii + iteration;
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
  bool top = func->hasAttr("hls.top");
  for (BlockArgument arg : func.getArguments())
    if (isa<MemRefType>(arg.getType())) {
      storageOf[arg] = top ? Storage::MAxi : Storage::Bram;
      banksOf[arg] = 1;
    }
  func.walk([&](memref::AllocaOp alloca) {
    MemRefType type = alloca.getType();
    int64_t width = isa<FloatType>(type.getElementType()) && precision.fixed
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
  if (func->hasAttr("hls.top")) {
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

struct EstimatePass : public loom::impl::LoomHLSEstimateBase<EstimatePass> {
  using Base::Base;

  void runOnOperation() override;
};
} // namespace

static std::string pct(double used, int64_t total) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.1f%%", 100.0 * used / double(total));
  return s;
}

void EstimatePass::runOnOperation() {
  ModuleOp module = getOperation();
  const Part *p = lookupPart(part);
  if (!p) {
    module.emitError("loom-hls-estimate: unknown part '")
        << part << "' (known: u280, zcu102)";
    return signalPassFailure();
  }
  if (clockMHz < 0) {
    module.emitError("loom-hls-estimate: clock-mhz must be > 0, got ")
        << static_cast<int64_t>(clockMHz);
    return signalPassFailure();
  }
  int64_t mhz = clockMHz ? static_cast<int64_t>(clockMHz) : p->defaultMHz;
  Precision precision;
  if (auto attr = module->getAttrOfType<StringAttr>("hls.precision")) {
    std::optional<Precision> parsed = Precision::parse(attr.getValue());
    if (!parsed) {
      module.emitError("loom-hls-estimate: hls.precision must be \"float\" "
                       "or \"fixed<W,I>\", got ")
          << attr;
      return signalPassFailure();
    }
    precision = *parsed;
  }

  // Top functions; without any hls.top, every public function with a body.
  SmallVector<func::FuncOp> tops;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal() && func->hasAttr("hls.top"))
      tops.push_back(func);
  if (tops.empty())
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && func.isPublic())
        tops.push_back(func);

  Estimator estimator(precision);
  SmallVector<FuncReport *> rows;
  for (func::FuncOp func : tops) {
    FailureOr<FuncReport *> r = estimator.estimate(func);
    if (failed(r))
      return signalPassFailure();
    (*r)->role = "top";
    rows.push_back(*r);
    if (!func->hasAttr("hls.dataflow"))
      continue;
    for (auto call : func.getBody().getOps<func::CallOp>()) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      FuncReport *stage = *estimator.estimate(callee);
      stage->role = "stage of @" + func.getSymName().str();
      rows.push_back(stage);
    }
  }

  llvm::raw_ostream &os = llvm::outs();
  os << "HLS estimate: part " << p->name << " (" << p->device << "), " << mhz
     << " MHz, precision " << precision.str() << "\n";
  os << llvm::format("%-24s %12s %10s %10s %8s %9s %9s %9s\n", "function",
                     "cycles", "us", "interval", "DSP", "BRAM_18K", "LUT",
                     "FF");
  for (FuncReport *r : rows) {
    const Resources &res = r->res;
    os << llvm::format("%-24s %12lld %10.2f %10lld %8.0f %9.0f %9.0f %9.0f\n",
                       ("@" + r->name).c_str(), (long long)r->latency,
                       double(r->latency) / double(mhz), (long long)r->interval,
                       std::ceil(res.dsp), std::ceil(res.bram),
                       std::ceil(res.lut), std::ceil(res.ff));
    os << llvm::format(
        "%-24s %12s %10s %10s %8s %9s %9s %9s\n",
        ("  (" + r->role + ")").c_str(), "", "", "util",
        pct(res.dsp, p->dsp).c_str(), pct(res.bram, p->bram).c_str(),
        pct(res.lut, p->lut).c_str(), pct(res.ff, p->ff).c_str());
    for (const LoopReport &l : r->loops) {
      os.indent(2 + 2 * l.level) << "loop " << l.loc << ": trip " << l.trip;
      if (l.unroll > 1)
        os << " unroll " << l.unroll;
      if (l.iiRequested)
        os << ", pipelined II " << l.ii << " (requested " << l.iiRequested
           << ", recurrence " << l.recurrenceII << ", ports " << l.portII
           << ")";
      else
        os << ", sequential";
      os << ", iteration " << l.iteration << ", latency " << l.latency << "\n";
    }
  }

  if (json.empty())
    return;
  std::error_code ec;
  std::unique_ptr<llvm::raw_fd_ostream> file;
  if (json != "-") {
    file = std::make_unique<llvm::raw_fd_ostream>(json, ec);
    if (ec) {
      module.emitError("loom-hls-estimate: cannot write '")
          << json << "': " << ec.message();
      return signalPassFailure();
    }
  }
  llvm::json::OStream j(file ? *file : llvm::outs(), 2);
  j.object([&] {
    j.attribute("part", p->name);
    j.attribute("device", p->device);
    j.attribute("clock_mhz", mhz);
    j.attribute("precision", precision.str());
    j.attributeArray("functions", [&] {
      for (FuncReport *r : rows)
        j.object([&] {
          j.attribute("name", r->name);
          j.attribute("role", r->role);
          j.attribute("latency_cycles", r->latency);
          j.attribute("latency_us", double(r->latency) / double(mhz));
          j.attribute("interval_cycles", r->interval);
          j.attribute("dsp", std::ceil(r->res.dsp));
          j.attribute("bram_18k", std::ceil(r->res.bram));
          j.attribute("lut", std::ceil(r->res.lut));
          j.attribute("ff", std::ceil(r->res.ff));
          j.attributeObject("utilisation_pct", [&] {
            j.attribute("dsp", 100.0 * r->res.dsp / p->dsp);
            j.attribute("bram_18k", 100.0 * r->res.bram / p->bram);
            j.attribute("lut", 100.0 * r->res.lut / p->lut);
            j.attribute("ff", 100.0 * r->res.ff / p->ff);
          });
          j.attributeArray("loops", [&] {
            for (const LoopReport &l : r->loops)
              j.object([&] {
                j.attribute("loc", l.loc);
                j.attribute("level", l.level);
                j.attribute("trip", l.trip);
                j.attribute("unroll", l.unroll);
                j.attribute("pipelined", l.iiRequested > 0);
                j.attribute("ii_requested", l.iiRequested);
                j.attribute("ii_recurrence", l.recurrenceII);
                j.attribute("ii_ports", l.portII);
                j.attribute("ii", l.ii);
                j.attribute("iteration_latency", l.iteration);
                j.attribute("latency", l.latency);
              });
          });
        });
    });
  });
  (file ? *file : llvm::outs()) << "\n";
}
