//===- Precision.h - The data type of HLS code ------------------*- C++ -*-===//
//
// The HLS target computes every f32 value of the loop IR in one C++ type,
// `data_t`: float, or ap_fixed<W,I,Q,O>. The choice is a module attribute
// (`hls.precision`, `hls.rounding`, `hls.overflow`) that the pipeline sets
// and the emitter, the estimator and the fixed-point emulation read.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_HLS_PRECISION_H
#define LOOM_HLS_PRECISION_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
namespace loom {

struct HLSPrecision {
  /// ap_fixed<width, intBits> when set, else float.
  bool isFixed = false;
  int64_t width = 0;
  int64_t intBits = 0;
  /// "conv" (AP_RND_CONV), "rnd" (AP_RND) or "trn" (AP_TRN).
  std::string rounding = "conv";
  /// "sat" (AP_SAT) or "wrap" (AP_WRAP).
  std::string overflow = "sat";

  /// Parses `float` or `fixed<W,I>` (1 <= I <= W, 2 <= W <= 64) and the
  /// mode names; the message names what is wrong.
  static llvm::Expected<HLSPrecision> parse(llvm::StringRef precision,
                                            llvm::StringRef rounding = "conv",
                                            llvm::StringRef overflow = "sat");
  /// The module's precision (float when it has no `hls.precision`).
  static llvm::Expected<HLSPrecision> get(ModuleOp module);
  /// Sets the module attributes.
  void attach(ModuleOp module) const;

  /// `float` or `fixed<W,I>`.
  std::string getName() const;
  /// The C++ type: `float` or `ap_fixed<W,I,AP_RND_CONV,AP_SAT>`.
  std::string getCppType() const;
  /// Bits of one value (32 for float).
  int64_t getBits() const { return isFixed ? width : 32; }
};

} // namespace loom
} // namespace mlir

#endif // LOOM_HLS_PRECISION_H
