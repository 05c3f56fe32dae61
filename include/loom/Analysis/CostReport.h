//===- CostReport.h - Per-layer cost report of a module ---------*- C++ -*-===//
//
// Sums the LoomCostInterface records of a module per layer (one op with a
// cost) and in total, and prints them as a fixed-width table or as JSON.
// `loom-report` and `loomc --report` are its users; docs/Report.md gives the
// JSON schema and the counting conventions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ANALYSIS_COSTREPORT_H
#define LOOM_ANALYSIS_COSTREPORT_H

#include "loom/IR/LoomInterfaces.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir {
namespace loom {

/// One op with a cost.
struct CostReportLayer {
  /// The op's name location (the ONNX node name), else `<op name>#<index>`
  /// (the index counts that op name's ops in walk order); a repeated name
  /// gets `#1`, `#2`, ... appended.
  std::string name;
  /// The op's name, e.g. `linalg.matmul`.
  std::string op;
  OpCost cost;
};

struct CostReport {
  /// Ops with a non-zero cost, in walk (program) order.
  std::vector<CostReportLayer> layers;
  /// Ops with a cost model whose cost depends on dynamic sizes, or linalg
  /// ops on buffers (not in the total).
  std::vector<CostReportLayer> unknown;
  /// The sum over `layers`.
  OpCost total;
};

/// FLOPs per byte moved (0 when nothing moves).
double getArithmeticIntensity(const OpCost &cost);

/// The report of every op under `root` (root included) that implements
/// LoomCostInterface. The IR is not changed.
CostReport buildCostReport(Operation *root);

/// A fixed-width table: one row per layer, then the total.
void printCostReportTable(const CostReport &report, llvm::raw_ostream &os);

/// `{"layers": [...], "total": {...}, "unknown": [...]}` (docs/Report.md).
llvm::json::Value costReportToJSON(const CostReport &report);

/// costReportToJSON as text (indented by 2, with a final newline).
std::string printCostReportJSON(const CostReport &report);

/// Writes printCostReportJSON to `path` through a temporary file in the same
/// directory that is renamed over `path` at the end, so a failure leaves no
/// partial file. The error names the path.
llvm::Error writeCostReportJSON(const CostReport &report, llvm::StringRef path);

} // namespace loom
} // namespace mlir

#endif // LOOM_ANALYSIS_COSTREPORT_H
