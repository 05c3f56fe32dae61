//===- DataOpsToEmitC.cpp - f32 arithmetic as data_t C++ ------------------===//
//
// The patterns that turn the loop IR's f32 arithmetic into EmitC on the
// `data_t` opaque type: +, -, * and negation as C++ operators (exact
// ap_fixed arithmetic, then one quantisation on assignment), division, min,
// max and math functions as calls of the `loom_hls::` helpers (loom_hls.h),
// constants as `data_t(<float literal>)`, int <-> data_t as casts.
//
//===----------------------------------------------------------------------===//

#include "HLSToEmitC.h"

#include "hls/IR/HLSOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::loom;

std::string mlir::loom::formatHLSFloatLiteral(double value) {
  // The sign of a NaN matters: ap_fixed saturates -NAN to its minimum
  // (linalg.softmax's decomposition starts its running max from -NaN).
  if (std::isnan(value))
    return std::signbit(value) ? "-NAN" : "NAN";
  if (std::isinf(value))
    return value < 0 ? "-INFINITY" : "INFINITY";
  // %.9g round-trips every float; the exponent form keeps it a float
  // literal even for integral values.
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%.9e", value);
  return std::string(buffer) + "f";
}

namespace {

/// Whether `type` is the loop IR's data type (f32).
bool isData(Type type) { return type.isF32(); }

/// arith.{addf,subf,mulf} -> emitc.{add,sub,mul} on data_t.
template <typename ArithOp, typename EmitCOp>
struct BinaryToOperator : OpConversionPattern<ArithOp> {
  using OpConversionPattern<ArithOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArithOp op, typename ArithOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isData(op.getType()))
      return failure();
    Type type = this->getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<EmitCOp>(op, type, adaptor.getLhs(),
                                         adaptor.getRhs());
    return success();
  }
};

/// An op on data values -> a call of the helper `callee` (loom_hls.h).
template <typename OpTy> struct ToHelperCall : OpConversionPattern<OpTy> {
  ToHelperCall(const TypeConverter &converter, MLIRContext *context,
               StringRef callee)
      : OpConversionPattern<OpTy>(converter, context, /*benefit=*/10),
        callee(callee.str()) {}
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = op->getResult(0).getType();
    if (!isData(resultType))
      return rewriter.notifyMatchFailure(op, "not f32");
    Type type = this->getTypeConverter()->convertType(resultType);
    rewriter.replaceOpWithNewOp<emitc::CallOpaqueOp>(
        op, TypeRange{type}, callee, adaptor.getOperands());
    return success();
  }
  std::string callee;
};

/// arith.{divui,remui} on index (head and group arithmetic) -> / and % on
/// size_t, which is unsigned, as the ops are.
template <typename ArithOp, typename EmitCOp>
struct IndexToOperator : OpConversionPattern<ArithOp> {
  IndexToOperator(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern<ArithOp>(converter, context, /*benefit=*/10) {}
  LogicalResult
  matchAndRewrite(ArithOp op, typename ArithOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().isIndex())
      return failure();
    Type type = this->getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<EmitCOp>(op, type, adaptor.getLhs(),
                                         adaptor.getRhs());
    return success();
  }
};

struct NegFToUnaryMinus : OpConversionPattern<arith::NegFOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(arith::NegFOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isData(op.getType()))
      return failure();
    rewriter.replaceOpWithNewOp<emitc::UnaryMinusOp>(
        op, getTypeConverter()->convertType(op.getType()),
        adaptor.getOperand());
    return success();
  }
};

struct ConstantToLiteral : OpConversionPattern<arith::ConstantOp> {
  ConstantToLiteral(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/10) {}
  LogicalResult
  matchAndRewrite(arith::ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<FloatAttr>(op.getValue());
    if (!value || !isData(op.getType()))
      return failure();
    Type type = getTypeConverter()->convertType(op.getType());
    std::string text =
        "data_t(" + formatHLSFloatLiteral(value.getValueAsDouble()) + ")";
    rewriter.replaceOpWithNewOp<emitc::ConstantOp>(
        op, type, emitc::OpaqueAttr::get(op.getContext(), text));
    return success();
  }
};

emitc::CmpPredicate toEmitC(arith::CmpFPredicate predicate, bool &ok) {
  ok = true;
  switch (predicate) {
  case arith::CmpFPredicate::OEQ:
  case arith::CmpFPredicate::UEQ:
    return emitc::CmpPredicate::eq;
  case arith::CmpFPredicate::ONE:
  case arith::CmpFPredicate::UNE:
    return emitc::CmpPredicate::ne;
  case arith::CmpFPredicate::OLT:
  case arith::CmpFPredicate::ULT:
    return emitc::CmpPredicate::lt;
  case arith::CmpFPredicate::OLE:
  case arith::CmpFPredicate::ULE:
    return emitc::CmpPredicate::le;
  case arith::CmpFPredicate::OGT:
  case arith::CmpFPredicate::UGT:
    return emitc::CmpPredicate::gt;
  case arith::CmpFPredicate::OGE:
  case arith::CmpFPredicate::UGE:
    return emitc::CmpPredicate::ge;
  default:
    ok = false;
    return emitc::CmpPredicate::eq;
  }
}

/// Ordered and unordered comparisons alike (data_t has no NaN in fixed
/// point; float kernels see none from finite inputs).
struct CmpFToCmp : OpConversionPattern<arith::CmpFOp> {
  CmpFToCmp(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/10) {}
  LogicalResult
  matchAndRewrite(arith::CmpFOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isData(op.getLhs().getType()))
      return failure();
    // ord / uno: NaN tests, x == x and x != x (never NaN in fixed point).
    arith::CmpFPredicate p = op.getPredicate();
    if (p == arith::CmpFPredicate::ORD || p == arith::CmpFPredicate::UNO) {
      bool isOrd = p == arith::CmpFPredicate::ORD;
      auto self = [&](Value v) -> Value {
        return emitc::CmpOp::create(
            rewriter, op.getLoc(), rewriter.getI1Type(),
            isOrd ? emitc::CmpPredicate::eq : emitc::CmpPredicate::ne, v, v);
      };
      Value lhs = self(adaptor.getLhs()), rhs = self(adaptor.getRhs());
      if (isOrd)
        rewriter.replaceOpWithNewOp<emitc::LogicalAndOp>(
            op, rewriter.getI1Type(), lhs, rhs);
      else
        rewriter.replaceOpWithNewOp<emitc::LogicalOrOp>(
            op, rewriter.getI1Type(), lhs, rhs);
      return success();
    }
    bool ok;
    emitc::CmpPredicate predicate = toEmitC(op.getPredicate(), ok);
    if (!ok)
      return op.emitError("HLS C++ has no form of the comparison '")
             << arith::stringifyCmpFPredicate(op.getPredicate()) << "'";
    rewriter.replaceOpWithNewOp<emitc::CmpOp>(op, rewriter.getI1Type(),
                                              predicate, adaptor.getLhs(),
                                              adaptor.getRhs());
    return success();
  }
};

/// arith.{maxsi,minsi,maxui,minui} -> loom_hls::max/min on the integer
/// type (signedness as the converted type has it: signless integers are
/// signed in C++, index is size_t).
template <typename ArithOp>
struct IntegerMinMax : OpConversionPattern<ArithOp> {
  IntegerMinMax(const TypeConverter &converter, MLIRContext *context,
                StringRef callee)
      : OpConversionPattern<ArithOp>(converter, context, /*benefit=*/10),
        callee(callee.str()) {}
  LogicalResult
  matchAndRewrite(ArithOp op, typename ArithOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = this->getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<emitc::CallOpaqueOp>(
        op, TypeRange{type}, callee, adaptor.getOperands());
    return success();
  }
  std::string callee;
};

/// Integer <-> data_t conversions as C++ casts.
template <typename OpTy> struct ConversionToCast : OpConversionPattern<OpTy> {
  ConversionToCast(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern<OpTy>(converter, context, /*benefit=*/10) {}
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isData(op.getIn().getType()) && !isData(op.getType()))
      return failure();
    Type type = this->getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<emitc::CastOp>(op, type, adaptor.getIn());
    return success();
  }
};

} // namespace

void mlir::loom::populateHLSDataOpsToEmitCPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<BinaryToOperator<arith::AddFOp, emitc::AddOp>,
               BinaryToOperator<arith::SubFOp, emitc::SubOp>,
               BinaryToOperator<arith::MulFOp, emitc::MulOp>>(
      converter, context, /*benefit=*/10);
  patterns.add<NegFToUnaryMinus>(converter, context, /*benefit=*/10);
  patterns.add<IndexToOperator<arith::DivUIOp, emitc::DivOp>,
               IndexToOperator<arith::RemUIOp, emitc::RemOp>>(converter,
                                                              context);
  patterns.add<ConstantToLiteral, CmpFToCmp, ConversionToCast<arith::SIToFPOp>,
               ConversionToCast<arith::UIToFPOp>,
               ConversionToCast<arith::FPToSIOp>>(converter, context);
  patterns.add<IntegerMinMax<arith::MaxSIOp>, IntegerMinMax<arith::MaxUIOp>>(
      converter, context, "loom_hls::max");
  patterns.add<IntegerMinMax<arith::MinSIOp>, IntegerMinMax<arith::MinUIOp>>(
      converter, context, "loom_hls::min");
  patterns.add<ToHelperCall<arith::DivFOp>>(converter, context,
                                            "loom_hls::div");
  patterns.add<ToHelperCall<arith::MaximumFOp>, ToHelperCall<arith::MaxNumFOp>>(
      converter, context, "loom_hls::max");
  patterns.add<ToHelperCall<arith::MinimumFOp>, ToHelperCall<arith::MinNumFOp>>(
      converter, context, "loom_hls::min");
  patterns.add<ToHelperCall<math::ExpOp>>(converter, context, "loom_hls::exp");
  patterns.add<ToHelperCall<math::LogOp>>(converter, context, "loom_hls::log");
  patterns.add<ToHelperCall<math::SqrtOp>>(converter, context,
                                           "loom_hls::sqrt");
  patterns.add<ToHelperCall<math::RsqrtOp>>(converter, context,
                                            "loom_hls::rsqrt");
  patterns.add<ToHelperCall<math::TanhOp>>(converter, context,
                                           "loom_hls::tanh");
  patterns.add<ToHelperCall<math::ErfOp>>(converter, context, "loom_hls::erf");
  patterns.add<ToHelperCall<math::PowFOp>>(converter, context, "loom_hls::pow");
  patterns.add<ToHelperCall<math::AbsFOp>>(converter, context, "loom_hls::abs");
  patterns.add<ToHelperCall<math::FloorOp>>(converter, context,
                                            "loom_hls::floor");
  patterns.add<ToHelperCall<math::CeilOp>>(converter, context,
                                           "loom_hls::ceil");
  // x * 2^e as a shift (fixed point) or an exponent add (float).
  patterns.add<ToHelperCall<hls::ShiftOp>>(converter, context,
                                           "loom_hls::shift");
  patterns.add<ToHelperCall<math::SinOp>>(converter, context, "loom_hls::sin");
  patterns.add<ToHelperCall<math::CosOp>>(converter, context, "loom_hls::cos");
}
