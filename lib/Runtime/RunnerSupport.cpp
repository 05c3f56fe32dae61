//===- RunnerSupport.cpp - What loom-run's two modes share ----------------===//
//
// Result comparison, seeded random inputs and output file names for loom-run.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/RunnerSupport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::loom;

std::string mlir::loom::formatReportNumber(double value) {
  // The spelling of llvm::raw_ostream's operator<<(double), which loom-run
  // used before the runtime stopped linking LLVM.
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return std::signbit(value) ? "-INF" : "INF";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%e", value);
  return buffer;
}

bool mlir::loom::compareWithReference(std::string &report,
                                      const std::string &label,
                                      const NpyArray &actual,
                                      const NpyArray &expected,
                                      const std::string &refName, double relTol,
                                      double absTol) {
  report += label + ": ";
  if (actual.shape != expected.shape) {
    report += "shape " + actual.shapeString() + " does not match reference " +
              refName + " shape " + expected.shapeString() + ": FAIL\n";
    return false;
  }
  double maxAbs = 0, maxRef = 0, maxRel = 0;
  int64_t bad = 0, nans = 0, worst = -1;
  for (int64_t i = 0, e = actual.numElements(); i < e; ++i) {
    double a = actual.getAsDouble(i), r = expected.getAsDouble(i);
    if (std::isnan(r)) {
      if (!std::isnan(a))
        ++bad;
      continue;
    }
    maxRef = std::max(maxRef, std::fabs(r));
    if (std::isnan(a)) {
      ++nans;
      ++bad;
      continue;
    }
    double err = std::fabs(a - r);
    if (std::isinf(r) && a == r)
      err = 0;
    if (err > maxAbs) {
      maxAbs = err;
      worst = i;
    }
    if (r != 0)
      maxRel = std::max(maxRel, err / std::fabs(r));
    // Equal values always match (0 * inf tolerance bounds would be NaN).
    if (err != 0 && !(err <= absTol + relTol * std::fabs(r)))
      ++bad;
  }
  report += actual.shapeString() + " " + dtypeName(actual.dtype) + " vs " +
            refName + ": max_abs_err=" + formatReportNumber(maxAbs) +
            " max_rel_err=" + formatReportNumber(maxRel) +
            " max_abs_err/max_abs_ref=" +
            formatReportNumber(maxRef > 0 ? maxAbs / maxRef : maxAbs) +
            " (rtol=" + formatReportNumber(relTol) +
            ", atol=" + formatReportNumber(absTol) + ")";
  if (bad) {
    report += ": FAIL, " + std::to_string(bad) + " of " +
              std::to_string(actual.numElements()) +
              " elements out of tolerance";
    if (nans)
      report += " (" + std::to_string(nans) + " NaN)";
    if (worst >= 0)
      report += ", worst at flat index " + std::to_string(worst) + ": got " +
                formatReportNumber(actual.getAsDouble(worst)) + ", expected " +
                formatReportNumber(expected.getAsDouble(worst));
    report += "\n";
    return false;
  }
  report += ": ok\n";
  return true;
}

NpyArray RandomInputGenerator::generate(DType dtype,
                                        const std::vector<int64_t> &shape) {
  NpyArray array = makeNpyArray(dtype, shape);
  fill(dtype, array.data.data(), array.numElements());
  return array;
}

void RandomInputGenerator::fill(DType dtype, void *data, int64_t count) {
  NpyArray view; // setFromDouble's conversions, one element at a time
  view.dtype = dtype;
  view.data.resize(dtypeSize(dtype));
  char *out = static_cast<char *>(data);
  for (int64_t i = 0; i < count; ++i) {
    view.setFromDouble(0, distribution(rng));
    std::copy(view.data.begin(), view.data.end(), out + i * dtypeSize(dtype));
  }
}

std::string mlir::loom::sanitizeFileName(std::string_view name) {
  std::string result;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    result += keep ? c : '_';
  }
  if (result.empty() || result.front() == '.')
    result.insert(result.begin(), '_');
  return result;
}
