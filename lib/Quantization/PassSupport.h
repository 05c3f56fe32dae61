//===- PassSupport.h - What the quantization passes share -------*- C++ -*-===//
//
// Selecting the layers a pass rewrites (head, policy, remarks), calibrating
// them, and making the new constants.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_QUANTIZATION_PASSSUPPORT_H
#define LOOM_LIB_QUANTIZATION_PASSSUPPORT_H

#include "loom/Quantization/Calibration.h"
#include "loom/Quantization/Fitting.h"
#include "loom/Quantization/LinearLayers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace loom {

/// The attribute loom-assign-precision puts on each layer's matmul: the code
/// width it chose.
constexpr StringLiteral kBitsAttrName = "loom.bits";

/// A layer to rewrite and its code width.
struct SelectedLayer {
  LinearLayer layer;
  int64_t bits = 0;
};

struct LayerSelection {
  func::FuncOp func;
  std::vector<SelectedLayer> layers;
};

/// The linear layers of the entry function `function` (see
/// getEntryFunction) that `pass` rewrites: all but the output head (unless
/// `includeHead`) and those `policyPath` skips, each with the policy's bits
/// (else the `loom.bits` attribute) or `defaultBits`; `validBits` checks a
/// policy's bits (`validText` says what is allowed). Remarks name each layer
/// left alone and why.
FailureOr<LayerSelection>
selectLayers(ModuleOp module, StringRef pass, StringRef function,
             bool includeHead, StringRef policyPath, int64_t defaultBits,
             llvm::function_ref<bool(int64_t)> validBits, StringRef validText);

/// Statistics of `layers` over the samples in `dir`.
FailureOr<std::vector<LayerStatistics>>
calibrateLayers(func::FuncOp func, ArrayRef<SelectedLayer> layers,
                StringRef dir, bool withHessian);

/// A constant of `type` holding `data`, as a resource blob when large (so
/// that printed IR stays readable).
template <typename T>
Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<T> data, StringRef name) {
  Attribute attr;
  if (data.size() > 64)
    attr = DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(data));
  else
    attr = DenseElementsAttr::get(type, data);
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

/// The group size a layer with `k` inputs uses when `groupSize` is asked
/// for: `groupSize` if it divides `k` (and is a multiple of `multiple`),
/// else `k` (one group per output channel), with a remark on `op` when
/// `pass` is not empty.
int64_t resolveGroupSize(Operation *op, StringRef pass, int64_t k,
                         int64_t groupSize, int64_t multiple = 1);

/// How loom-quantize fits `layer` with `bits`-wide uniform codes (and how
/// loom-assign-precision sizes it): groups of `groupSize` when `grouped`
/// (resolved as resolveGroupSize does, a whole row becoming per channel),
/// else per channel. Remarks as resolveGroupSize.
quant::UniformOptions uniformFitOptions(const LinearLayer &layer,
                                        StringRef pass, int64_t bits,
                                        bool grouped, int64_t groupSize,
                                        bool symmetric, int64_t multiple = 1);

/// How loom-shiftadd fits `layer` with `bits` binary planes (and how
/// loom-assign-precision sizes it). Remarks as resolveGroupSize.
quant::BinaryCodingOptions bcqFitOptions(const LinearLayer &layer,
                                         StringRef pass, int64_t bits,
                                         int64_t groupSize, int64_t iterations,
                                         bool outputObjective);

/// The base of the passes here: their options are checked by
/// `Derived::validateOptions(bad)` when the pass is configured (an error
/// before anything runs) and by checkOptions() when it runs (options set
/// programmatically), each message prefixed by the pass's flag.
template <typename Derived, typename Base>
class ValidatedOptionsPass : public Base {
public:
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return static_cast<Derived *>(this)->validateOptions(
        [&](const Twine &what) {
          return errorHandler(this->getArgument() + ": " + what);
        });
  }

protected:
  LogicalResult checkOptions() {
    return static_cast<Derived *>(this)->validateOptions(
        [&](const Twine &what) -> LogicalResult {
          return mlir::emitError(this->getOperation().getLoc())
                 << this->getArgument() << ": " << what;
        });
  }
};

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_QUANTIZATION_PASSSUPPORT_H
