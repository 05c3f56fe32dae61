//===- HLSOps.cpp - hls dialect operations --------------------------------===//
//
// Verifiers of the hls dialect's operations.
//
//===----------------------------------------------------------------------===//

#include "hls/IR/HLSOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::hls;

LogicalResult ShiftOp::verify() {
  APInt exponent;
  if (!matchPattern(getExponent(), m_ConstantInt(&exponent)))
    return success();
  int64_t e = exponent.getSExtValue();
  if (e < kMinExponent || e > kMaxExponent)
    return emitOpError() << "exponent " << e << " is outside [" << kMinExponent
                         << ", " << kMaxExponent
                         << "] (every finite product would be 0 or inf)";
  return success();
}

#define GET_OP_CLASSES
#include "hls/IR/HLSOps.cpp.inc"
