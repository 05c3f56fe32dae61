//===- Estimate.cpp - loom-hls-estimate -----------------------------------===//
//
// The pass: options, the top functions, the table on stdout and the JSON
// file; the model is EstimateModel.{h,cpp} (docs/HLSEstimator.md).
//
//===----------------------------------------------------------------------===//

#include "EstimateModel.h"
#include "loom/HLS/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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
  llvm::Expected<HLSPrecision> parsed = HLSPrecision::get(module);
  if (!parsed) {
    module.emitError("loom-hls-estimate: ")
        << llvm::toString(parsed.takeError());
    return signalPassFailure();
  }
  Precision precision = *parsed;

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
  for (func::FuncOp func : tops)
    estimator.tops.insert(func);
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

  if (table) {
    llvm::raw_ostream &os = llvm::outs();
    os << "HLS estimate: part " << p->name << " (" << p->device << "), " << mhz
       << " MHz, precision " << precision.getName() << "\n";
    os << llvm::format("%-24s %12s %10s %10s %8s %9s %9s %9s\n", "function",
                       "cycles", "us", "interval", "DSP", "BRAM_18K", "LUT",
                       "FF");
    for (FuncReport *r : rows) {
      const Resources &res = r->res;
      os << llvm::format("%-24s %12lld %10.2f %10lld %8.0f %9.0f %9.0f %9.0f\n",
                         ("@" + r->name).c_str(), (long long)r->latency,
                         double(r->latency) / double(mhz),
                         (long long)r->interval, std::ceil(res.dsp),
                         std::ceil(res.bram), std::ceil(res.lut),
                         std::ceil(res.ff));
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
        os << ", iteration " << l.iteration << ", latency " << l.latency
           << "\n";
      }
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
    j.attribute("precision", precision.getName());
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
