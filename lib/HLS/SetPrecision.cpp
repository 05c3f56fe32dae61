//===- SetPrecision.cpp - loom-hls-set-precision --------------------------===//
//
// Records the C++ type of the HLS code's data on the module.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/Passes.h"
#include "loom/HLS/Precision.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSSETPRECISION
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {
struct SetPrecisionPass
    : public loom::impl::LoomHLSSetPrecisionBase<SetPrecisionPass> {
  using Base::Base;
  void runOnOperation() override {
    llvm::Expected<HLSPrecision> parsed =
        HLSPrecision::parse(precision, rounding, overflow);
    if (!parsed) {
      getOperation().emitError("loom-hls-set-precision: ")
          << llvm::toString(parsed.takeError());
      return signalPassFailure();
    }
    parsed->attach(getOperation());
  }
};
} // namespace
