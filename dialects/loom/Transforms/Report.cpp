//===- Report.cpp - loom-report -------------------------------------------===//
//
// The cost report as a pass (see Passes.td and docs/Report.md): builds the
// report of the module, prints the table and/or writes the JSON, and leaves
// the IR unchanged.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "loom/Analysis/CostReport.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMREPORT
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {
struct ReportPass : loom::impl::LoomReportBase<ReportPass> {
  using LoomReportBase::LoomReportBase;

  void runOnOperation() override {
    markAllAnalysesPreserved();
    CostReport report = buildCostReport(getOperation());
    numLayers = report.layers.size();
    numUnknown = report.unknown.size();
    if (print) {
      printCostReportTable(report, llvm::outs());
      llvm::outs().flush();
    }
    if (output.empty())
      return;
    if (llvm::Error error = writeCostReportJSON(report, output)) {
      getOperation().emitError()
          << "loom-report: " << llvm::toString(std::move(error));
      return signalPassFailure();
    }
  }
};
} // namespace
