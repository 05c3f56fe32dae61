//===- RunnerSupport.cpp - What loom-run's two modes share ----------------===//
//
// Result comparison, seeded random inputs and output file names for loom-run.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/RunnerSupport.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

bool mlir::loom::compareWithReference(llvm::raw_ostream &os,
                                      llvm::StringRef label,
                                      const NpyArray &actual,
                                      const NpyArray &expected,
                                      llvm::StringRef refName, double relTol,
                                      double absTol) {
  os << label << ": ";
  if (actual.shape != expected.shape) {
    os << "shape " << actual.shapeString() << " does not match reference "
       << refName << " shape " << expected.shapeString() << ": FAIL\n";
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
  os << actual.shapeString() << " " << dtypeName(actual.dtype) << " vs "
     << refName << ": max_abs_err=" << maxAbs << " max_rel_err=" << maxRel
     << " max_abs_err/max_abs_ref=" << (maxRef > 0 ? maxAbs / maxRef : maxAbs)
     << " (rtol=" << relTol << ", atol=" << absTol << ")";
  if (bad) {
    os << ": FAIL, " << bad << " of " << actual.numElements()
       << " elements out of tolerance";
    if (nans)
      os << " (" << nans << " NaN)";
    if (worst >= 0)
      os << ", worst at flat index " << worst << ": got "
         << actual.getAsDouble(worst) << ", expected "
         << expected.getAsDouble(worst);
    os << "\n";
    return false;
  }
  os << ": ok\n";
  return true;
}

NpyArray RandomInputGenerator::generate(DType dtype,
                                        llvm::ArrayRef<int64_t> shape) {
  NpyArray array =
      makeNpyArray(dtype, std::vector<int64_t>(shape.begin(), shape.end()));
  for (int64_t i = 0, e = array.numElements(); i < e; ++i)
    array.setFromDouble(i, distribution(rng));
  return array;
}

std::string mlir::loom::sanitizeFileName(llvm::StringRef name) {
  std::string result;
  for (char c : name)
    result += llvm::isAlnum(c) || c == '.' || c == '_' || c == '-' ? c : '_';
  if (result.empty() || result.front() == '.')
    result.insert(result.begin(), '_');
  return result;
}
