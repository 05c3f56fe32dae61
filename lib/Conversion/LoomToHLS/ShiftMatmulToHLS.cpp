//===- ShiftMatmulToHLS.cpp - Power-of-two weights as shifts --------------===//
//
// loom.shift_matmul (DeepShift weights W = s * 2^p, the form loom-shiftadd
// {mode=power-of-two} produces) on f32: each product x * W[n,k] becomes
// +-hls.shift(x, p) with p clamped to [min_exponent, max_exponent], selected
// by the sign (0 for a zero sign), summed in f32 over ascending k like the
// reference. The body multiplies nothing: in hardware it is a shifter (fixed
// point) or an exponent adder (float), and hls.shift's CPU lowering gives
// the reference's bits whenever x and the product are normal floats (the
// reference flushes subnormals to zero).
//
//===----------------------------------------------------------------------===//

#include "LoomToHLS.h"
#include "hls/IR/HLSOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::hlsform;

std::optional<std::string>
mlir::loom::whyShiftMatmulUnsupported(ShiftMatmulOp op) {
  if (!hasStaticShapes(op))
    return "dynamic shapes";
  Type f32 = Float32Type::get(op.getContext());
  if (!isTensorOf(op.getInput(), f32) || !isTensorOf(op.getOutput(), f32))
    return "an input or result other than f32 (integer shifts are already "
           "shifts in the reference lowering)";
  if (static_cast<int64_t>(op.getMinExponent()) < hls::ShiftOp::kMinExponent ||
      static_cast<int64_t>(op.getMaxExponent()) > hls::ShiftOp::kMaxExponent)
    return "an exponent range outside hls.shift's";
  return std::nullopt;
}

void mlir::loom::lowerShiftMatmulToHLS(RewriterBase &rewriter,
                                       ShiftMatmulOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getOutput().getType());
  Type f32 = rewriter.getF32Type();
  int64_t minExp = static_cast<int64_t>(op.getMinExponent());
  int64_t maxExp = static_cast<int64_t>(op.getMaxExponent());

  Value init =
      tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), f32);
  init =
      linalg::FillOp::create(rewriter, loc, f32Const(rewriter, loc, 0.0f), init)
          .getResult(0);
  auto dims = [&](ArrayRef<unsigned> which) {
    SmallVector<AffineExpr> exprs;
    for (unsigned dim : which)
      exprs.push_back(getAffineDimExpr(dim, ctx));
    return AffineMap::get(3, 0, exprs, ctx);
  };
  // Loops (m, n, k): y[m,n] += sign[n,k] ? +-shift(x[m,k], p[n,k]) : 0.
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType},
      ValueRange{op.getInput(), op.getSign(), op.getExponent()},
      ValueRange{init},
      ArrayRef<AffineMap>{dims({0, 2}), dims({1, 2}), dims({1, 2}),
                          dims({0, 1})},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                    utils::IteratorType::parallel,
                                    utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto i32Const = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(v));
        };
        Value p = arith::ExtSIOp::create(nb, nl, nb.getI32Type(), args[2]);
        p = arith::MaxSIOp::create(nb, nl, p, i32Const(minExp));
        p = arith::MinSIOp::create(nb, nl, p, i32Const(maxExp));
        Value shifted = hls::ShiftOp::create(nb, nl, f32, args[0], p);
        Value zero8 = arith::ConstantOp::create(nb, nl, nb.getI8IntegerAttr(0));
        Value positive = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::sgt, args[1], zero8);
        Value negative = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::slt, args[1], zero8);
        Value term = arith::SelectOp::create(
            nb, nl, negative, arith::NegFOp::create(nb, nl, shifted),
            f32Const(nb, nl, 0.0f));
        term = arith::SelectOp::create(nb, nl, positive, shifted, term);
        linalg::YieldOp::create(
            nb, nl, ValueRange{arith::AddFOp::create(nb, nl, args[3], term)});
      });
  rewriter.replaceOp(op, generic.getResult(0));
}
