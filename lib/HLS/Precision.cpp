//===- Precision.cpp - The data type of HLS code --------------------------===//

#include "loom/HLS/Precision.h"
#include "loom/Support/Errors.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::loom;

static constexpr llvm::StringLiteral kPrecision = "hls.precision";
static constexpr llvm::StringLiteral kRounding = "hls.rounding";
static constexpr llvm::StringLiteral kOverflow = "hls.overflow";

llvm::Expected<HLSPrecision> HLSPrecision::parse(llvm::StringRef precision,
                                                 llvm::StringRef rounding,
                                                 llvm::StringRef overflow) {
  HLSPrecision result;
  if (rounding != "conv" && rounding != "rnd" && rounding != "trn")
    return makeError("rounding must be conv, rnd or trn, not '" + rounding +
                     "'");
  if (overflow != "sat" && overflow != "wrap")
    return makeError("overflow must be sat or wrap, not '" + overflow + "'");
  result.rounding = rounding.str();
  result.overflow = overflow.str();
  if (precision == "float")
    return result;
  llvm::StringRef body = precision;
  int64_t width = 0, intBits = 0;
  if (!body.consume_front("fixed<") || !body.consume_back(">") ||
      body.split(',').first.trim().getAsInteger(10, width) ||
      body.split(',').second.trim().getAsInteger(10, intBits))
    return makeError("precision must be float or fixed<W,I>, not '" +
                     precision + "'");
  if (width < 2 || width > 64 || intBits < 1 || intBits > width)
    return makeError("fixed<W,I> needs 2 <= W <= 64 and 1 <= I <= W, not "
                     "fixed<" +
                     llvm::Twine(width) + "," + llvm::Twine(intBits) + ">");
  result.isFixed = true;
  result.width = width;
  result.intBits = intBits;
  return result;
}

llvm::Expected<HLSPrecision> HLSPrecision::get(ModuleOp module) {
  auto precision = module->getAttrOfType<StringAttr>(kPrecision);
  if (!precision)
    return HLSPrecision();
  auto rounding = module->getAttrOfType<StringAttr>(kRounding);
  auto overflow = module->getAttrOfType<StringAttr>(kOverflow);
  return parse(precision.getValue(), rounding ? rounding.getValue() : "conv",
               overflow ? overflow.getValue() : "sat");
}

void HLSPrecision::attach(ModuleOp module) const {
  Builder b(module.getContext());
  module->setAttr(kPrecision, b.getStringAttr(getName()));
  if (isFixed) {
    module->setAttr(kRounding, b.getStringAttr(rounding));
    module->setAttr(kOverflow, b.getStringAttr(overflow));
  } else {
    module->removeAttr(kRounding);
    module->removeAttr(kOverflow);
  }
}

std::string HLSPrecision::getName() const {
  if (!isFixed)
    return "float";
  return "fixed<" + std::to_string(width) + "," + std::to_string(intBits) + ">";
}

std::string HLSPrecision::getCppType() const {
  if (!isFixed)
    return "float";
  std::string q = rounding == "conv"  ? "AP_RND_CONV"
                  : rounding == "rnd" ? "AP_RND"
                                      : "AP_TRN";
  std::string o = overflow == "sat" ? "AP_SAT" : "AP_WRAP";
  return "ap_fixed<" + std::to_string(width) + "," + std::to_string(intBits) +
         "," + q + "," + o + ">";
}
