//===- CostReport.cpp - Per-layer cost report of a module -----------------===//
//
// Collects the LoomCostInterface records of a module into layers and prints
// them (see CostReport.h and docs/Report.md).
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/CostReport.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::loom;

double mlir::loom::getArithmeticIntensity(const OpCost &cost) {
  return cost.bytesMoved == 0
             ? 0.0
             : static_cast<double>(cost.flops) / cost.bytesMoved;
}

/// The first name in `loc` (a NameLoc, or one inside a fused or call-site
/// location), or "".
static std::string getLocationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations()) {
      std::string name = getLocationName(inner);
      if (!name.empty())
        return name;
    }
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return getLocationName(callSite.getCallee());
  return "";
}

CostReport mlir::loom::buildCostReport(Operation *root) {
  CostReport report;
  llvm::StringMap<unsigned> opIndex, nameUses;
  root->walk([&](LoomCostInterface costOp) {
    Operation *op = costOp.getOperation();
    StringRef opName = op->getName().getStringRef();
    unsigned index = opIndex[opName]++;
    CostReportLayer layer;
    layer.op = opName.str();
    layer.name = getLocationName(op->getLoc());
    if (layer.name.empty())
      layer.name = (opName + "#" + llvm::Twine(index)).str();
    if (unsigned uses = nameUses[layer.name]++)
      layer.name += "#" + std::to_string(uses);
    FailureOr<OpCost> cost = costOp.getCost();
    if (failed(cost)) {
      report.unknown.push_back(std::move(layer));
      return;
    }
    if (cost->isZero())
      return;
    layer.cost = *cost;
    report.total += *cost;
    report.layers.push_back(std::move(layer));
  });
  return report;
}

/// One table row.
static void printRow(llvm::raw_ostream &os, StringRef layer, StringRef op,
                     const OpCost &cost) {
  os << llvm::format("%-36s %-28s %12lld %12lld %14lld %14lld %9.2f %10lld\n",
                     layer.str().c_str(), op.str().c_str(),
                     static_cast<long long>(cost.parameters),
                     static_cast<long long>(cost.weightBytes),
                     static_cast<long long>(cost.flops),
                     static_cast<long long>(cost.bytesMoved),
                     getArithmeticIntensity(cost),
                     static_cast<long long>(cost.kvBytesPerToken));
}

void mlir::loom::printCostReportTable(const CostReport &report,
                                      llvm::raw_ostream &os) {
  os << llvm::format("%-36s %-28s %12s %12s %14s %14s %9s %10s\n", "layer",
                     "op", "params", "weight B", "FLOPs", "bytes moved",
                     "FLOP/B", "KV B/tok");
  for (const CostReportLayer &layer : report.layers)
    printRow(os, layer.name, layer.op, layer.cost);
  printRow(os, "total", (llvm::Twine(report.layers.size()) + " layers").str(),
           report.total);
  for (const CostReportLayer &layer : report.unknown)
    os << "unknown cost (dynamic sizes or buffers): " << layer.name << " (" << layer.op
       << ")\n";
}

/// The cost fields of one JSON object.
static llvm::json::Object costToJSON(const OpCost &cost) {
  return llvm::json::Object{
      {"parameters", cost.parameters},
      {"weight_bytes", cost.weightBytes},
      {"flops", cost.flops},
      {"matmul_flops", cost.matmulFlops},
      {"shift_add_ops", cost.shiftAddOps},
      {"bytes_moved", cost.bytesMoved},
      {"arithmetic_intensity", getArithmeticIntensity(cost)},
      {"kv_cache_bytes_per_token", cost.kvBytesPerToken},
  };
}

llvm::json::Value mlir::loom::costReportToJSON(const CostReport &report) {
  llvm::json::Array layers, unknown;
  for (const CostReportLayer &layer : report.layers) {
    llvm::json::Object object = costToJSON(layer.cost);
    object["layer"] = layer.name;
    object["op"] = layer.op;
    layers.push_back(std::move(object));
  }
  for (const CostReportLayer &layer : report.unknown)
    unknown.push_back(
        llvm::json::Object{{"layer", layer.name}, {"op", layer.op}});
  llvm::json::Object total = costToJSON(report.total);
  total["layers"] = static_cast<int64_t>(report.layers.size());
  return llvm::json::Object{{"layers", std::move(layers)},
                            {"total", std::move(total)},
                            {"unknown", std::move(unknown)}};
}

std::string mlir::loom::printCostReportJSON(const CostReport &report) {
  return llvm::formatv("{0:2}\n", costReportToJSON(report)).str();
}

llvm::Error mlir::loom::writeCostReportJSON(const CostReport &report,
                                            llvm::StringRef path) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError("cannot write the cost report to '" + path +
                                   "': " + why);
  };
  llvm::SmallString<256> model(path);
  llvm::sys::path::remove_filename(model);
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(path) +
                                     ".tmp-%%%%%%");
  int fd;
  llvm::SmallString<256> tmp;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp))
    return fail(ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << printCostReportJSON(report);
    os.close();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return fail(message);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    return fail(ec.message());
  }
  return llvm::Error::success();
}
