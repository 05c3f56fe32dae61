//===- HLSToArith.cpp - convert-hls-to-arith ------------------------------===//
//
// The CPU form of the hls dialect: `hls.shift %x, %e` (x * 2^e) becomes
// products by exact powers of two built from the exponent bits. See the pass
// description in include/loom/Conversion/Passes.td for the exactness range.
//
//===----------------------------------------------------------------------===//

#include "hls/IR/HLSDialect.h"
#include "hls/IR/HLSOps.h"
#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <cmath>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTHLSTOARITH
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {

/// The largest and smallest exponents of a normal f32 power of two.
constexpr int64_t kMaxNormal = 127;
constexpr int64_t kMinNormal = -126;

/// `clamp(e, kMinNormal, kMaxNormal)` on an i32 value.
Value clampExponent(OpBuilder &b, Location loc, Value e) {
  auto i32Const = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  Value upper = arith::MinSIOp::create(b, loc, e, i32Const(kMaxNormal));
  return arith::MaxSIOp::create(b, loc, upper, i32Const(kMinNormal));
}

/// `2^e` as an f32 from its bits, for an i32 `e` in [-126, 127].
Value powerOfTwo(OpBuilder &b, Location loc, Value e) {
  auto i32Const = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  Value field = arith::AddIOp::create(b, loc, e, i32Const(127));
  Value bits = arith::ShLIOp::create(b, loc, field, i32Const(23));
  return arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
}

Value constantPowerOfTwo(OpBuilder &b, Location loc, int64_t e) {
  return arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(std::ldexp(1.0f, static_cast<int>(e))));
}

void lowerShift(RewriterBase &rewriter, hls::ShiftOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value x = op.getInput();
  APInt constant;
  Value result;
  if (matchPattern(op.getExponent(), m_ConstantInt(&constant))) {
    // One product per non-zero part of the split exponent (at least one).
    int64_t rest = constant.getSExtValue();
    result = x;
    do {
      int64_t part = std::clamp(rest, kMinNormal, kMaxNormal);
      result = arith::MulFOp::create(rewriter, loc, result,
                                     constantPowerOfTwo(rewriter, loc, part));
      rest -= part;
    } while (rest != 0);
  } else {
    // Three parts reach [-378, 381], beyond which (and well before) every
    // finite product is 0 or inf; the clamps keep any i32 in range.
    Value rest = op.getExponent();
    result = x;
    for (int i = 0; i < 3; ++i) {
      Value part = clampExponent(rewriter, loc, rest);
      result = arith::MulFOp::create(rewriter, loc, result,
                                     powerOfTwo(rewriter, loc, part));
      if (i < 2)
        rest = arith::SubIOp::create(rewriter, loc, rest, part);
    }
  }
  rewriter.replaceOp(op, result);
}

struct ConvertHLSToArithPass
    : public loom::impl::ConvertHLSToArithBase<ConvertHLSToArithPass> {
  void runOnOperation() override {
    SmallVector<hls::ShiftOp> shifts;
    getOperation()->walk([&](hls::ShiftOp op) { shifts.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (hls::ShiftOp op : shifts)
      lowerShift(rewriter, op);
  }
};

} // namespace
