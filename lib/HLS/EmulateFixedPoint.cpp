//===- EmulateFixedPoint.cpp - loom-hls-emulate-fixed-point ---------------===//
//
// Loop IR computes its f32 values as ap_fixed<W,I,Q,O> does: each op's result
// is rounded onto the fixed-point grid, once, after the op computed exactly
// (+, -, *, negation: in f64) or in float (/, math functions), as the emitted
// C++ does with one data_t variable per op. See docs/HLSFixedPoint.md.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/FixedPoint.h"
#include "loom/HLS/Passes.h"
#include "loom/HLS/Precision.h"

#include "hls/IR/HLSOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSEMULATEFIXEDPOINT
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// How an op's f32 result is made a data_t.
enum class Rounding {
  /// Not a data value or already on the grid (compares, selects, loop
  /// results, integer ops).
  None,
  /// Computed exactly in f64 from the f32 operands, then quantized.
  ExactF64,
  /// Computed in f32 as the op is, then quantized.
  AfterF32,
  /// A constant: replaced by its quantized value.
  Constant,
  /// Rounding unknown: an error.
  Unsupported,
};

/// The builder of quantize(x) in IR: f64 -> f32 on the grid.
class Quantizer {
public:
  Quantizer(const FixedPointFormat &format) : format(format) {}

  Value quantize(OpBuilder &b, Location loc, Value x64) const {
    auto cst = [&](double v) -> Value {
      return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
    };
    double lo = -std::ldexp(1.0, format.width - 1);
    double hi = std::ldexp(1.0, format.width - 1) - 1;
    // q = x * 2^F and its floor, both exact.
    Value q = arith::MulFOp::create(b, loc, x64,
                                    cst(std::ldexp(1.0, format.fracBits())));
    Value r = math::FloorOp::create(b, loc, q);
    if (format.rounding != "trn") {
      Value dropped = arith::SubFOp::create(b, loc, q, r);
      Value half = cst(0.5);
      Value up;
      if (format.rounding == "rnd") {
        up = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, dropped,
                                   half);
      } else {
        // Ties to even: up when more than half, or half and r odd.
        Value more = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                           dropped, half);
        Value tie = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                          dropped, half);
        Value halfR = arith::MulFOp::create(b, loc, r, half);
        Value odd =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                                  math::FloorOp::create(b, loc, halfR), halfR);
        up = arith::OrIOp::create(b, loc, more,
                                  arith::AndIOp::create(b, loc, tie, odd));
      }
      r = arith::AddFOp::create(
          b, loc, r, arith::SelectOp::create(b, loc, up, cst(1.0), cst(0.0)));
    }
    // Infinities and NaNs (the NaN of r is discarded by the final select).
    Value finite =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                              math::AbsFOp::create(b, loc, x64), cst(INFINITY));
    Value n;
    if (format.overflow == "sat") {
      Value clamped = arith::MinimumFOp::create(
          b, loc, arith::MaximumFOp::create(b, loc, r, cst(lo)), cst(hi));
      // A non-finite value saturates by its sign bit (NaNs included).
      Value bits = arith::BitcastOp::create(b, loc, b.getI64Type(), x64);
      Value negative = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::slt, bits,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
      Value special =
          arith::SelectOp::create(b, loc, negative, cst(lo), cst(hi));
      n = arith::SelectOp::create(b, loc, finite, clamped, special);
    } else {
      // r mod 2^W in [0, 2^W), then the upper half made negative; all exact.
      double modulus = std::ldexp(1.0, format.width);
      Value wraps = math::FloorOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, r,
                                cst(std::ldexp(1.0, -format.width))));
      Value m = arith::SubFOp::create(
          b, loc, r, arith::MulFOp::create(b, loc, wraps, cst(modulus)));
      Value upper =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, m, cst(hi));
      Value wrapped = arith::SelectOp::create(
          b, loc, upper, arith::SubFOp::create(b, loc, m, cst(modulus)), m);
      n = arith::SelectOp::create(b, loc, finite, wrapped, cst(0.0));
    }
    Value scaled = arith::MulFOp::create(
        b, loc, n, cst(std::ldexp(1.0, -format.fracBits())));
    return arith::TruncFOp::create(b, loc, b.getF32Type(), scaled);
  }

private:
  const FixedPointFormat &format;
};

static bool isF32(Type t) { return t.isF32(); }

/// How `op`'s f32 result is rounded; `Unsupported` for ops with float
/// results of other types too.
static Rounding classify(Operation *op) {
  if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::NegFOp,
          hls::ShiftOp>(op))
    return Rounding::ExactF64;
  if (isa<arith::DivFOp, arith::RemFOp, arith::MaximumFOp, arith::MinimumFOp,
          arith::MaxNumFOp, arith::MinNumFOp, arith::SIToFPOp, arith::UIToFPOp,
          arith::ExtFOp, arith::TruncFOp, memref::LoadOp, affine::AffineLoadOp>(
          op))
    return Rounding::AfterF32;
  if (isa<arith::ConstantOp>(op))
    return Rounding::Constant;
  if (isa<math::FmaOp>(op))
    return Rounding::Unsupported;
  if (isa<math::MathDialect>(op->getDialect()))
    return Rounding::AfterF32;
  // Values that pass through: selects, loop and branch results, calls.
  if (isa<arith::SelectOp, scf::ForOp, scf::IfOp, scf::WhileOp,
          scf::ExecuteRegionOp, scf::IndexSwitchOp, func::CallOp>(op))
    return Rounding::None;
  return Rounding::Unsupported;
}

/// The error for `op` when it makes or computes on float data that is not
/// scalar f32, or an f32 value whose rounding is unknown; success otherwise.
static LogicalResult checkTypes(Operation *op, Rounding rounding) {
  for (Type t : op->getResultTypes()) {
    Type elem = getElementTypeOrSelf(t);
    if (!isa<FloatType>(elem))
      continue;
    if (isa<ShapedType>(t) && !isa<MemRefType>(t))
      return op->emitError("cannot emulate fixed point on ")
             << t << ": loop IR's data are scalar f32 values";
    if (isa<MemRefType>(t) || isF32(t))
      continue;
    // Other float types may be storage only: loads of them are converted
    // by extf/truncf to f32, which are rounded.
    if (isa<memref::LoadOp, affine::AffineLoadOp>(op))
      continue;
    return op->emitError("cannot emulate fixed point on ")
           << t << " data: only f32 values are data_t (ap_fixed)";
  }
  // Values of other float types may only be stored or converted to f32.
  if (!isa<memref::StoreOp, affine::AffineStoreOp, arith::ExtFOp,
           arith::TruncFOp>(op))
    for (Type t : op->getOperandTypes())
      if (isa<FloatType>(t) && !isF32(t))
        return op->emitError("cannot emulate fixed point on ")
               << t << " data: only f32 values are data_t (ap_fixed)";
  bool makesF32 = llvm::any_of(op->getResultTypes(), isF32);
  if (makesF32 && rounding == Rounding::Unsupported)
    return op->emitError("cannot emulate fixed point for '")
           << op->getName() << "': its rounding in ap_fixed is not modelled";
  return success();
}

struct EmulateFixedPointPass
    : public loom::impl::LoomHLSEmulateFixedPointBase<EmulateFixedPointPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FixedPointFormat format;
    format.width = width;
    format.intBits = intBits;
    format.rounding = rounding;
    format.overflow = overflow;
    if (llvm::Error e = checkFixedPointFormat(format)) {
      module.emitError("loom-hls-emulate-fixed-point: ")
          << llvm::toString(std::move(e));
      return signalPassFailure();
    }
    // The module attributes the emitter and the estimator read, written by
    // their one owner.
    HLSPrecision precision;
    precision.isFixed = true;
    precision.width = format.width;
    precision.intBits = format.intBits;
    precision.rounding = format.rounding;
    precision.overflow = format.overflow;
    precision.attach(module);

    SmallVector<std::pair<Operation *, Rounding>> work;
    bool failedAny = false;
    module.walk([&](Operation *op) {
      if (isa<ModuleOp, func::FuncOp>(op))
        return;
      Rounding r = classify(op);
      if (failed(checkTypes(op, r))) {
        failedAny = true;
        return;
      }
      if (r != Rounding::None && r != Rounding::Unsupported &&
          llvm::any_of(op->getResultTypes(), isF32))
        work.push_back({op, r});
    });
    if (failedAny)
      return signalPassFailure();

    Quantizer quantizer(format);
    OpBuilder b(&getContext());
    // f32 arguments of functions: values the caller converts to data_t.
    module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return;
      Block &entry = func.getBody().front();
      b.setInsertionPointToStart(&entry);
      for (BlockArgument arg : entry.getArguments())
        if (isF32(arg.getType()))
          replaceByQuantized(b, quantizer, arg, func.getLoc());
    });
    for (auto [op, r] : work)
      rewrite(b, quantizer, format, op, r);
    // Copies of f32 buffers (an input or a weight returned through an
    // out-param) become loops whose loads are rounded.
    SmallVector<memref::CopyOp> copies;
    module.walk([&](memref::CopyOp copy) {
      if (copy.getSource().getType().getElementType().isF32())
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies)
      roundCopy(b, quantizer, copy);
  }

  /// `copy` as a loop nest of rounded loads and stores.
  void roundCopy(OpBuilder &b, const Quantizer &quantizer,
                 memref::CopyOp copy) {
    Location loc = copy.getLoc();
    b.setInsertionPoint(copy);
    Value source = copy.getSource(), target = copy.getTarget();
    auto type = cast<MemRefType>(source.getType());
    SmallVector<Value> indices;
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = 0; d < type.getRank(); ++d) {
      Value size = memref::DimOp::create(b, loc, source, d);
      auto loop = scf::ForOp::create(b, loc, zero, size, one);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      indices.push_back(loop.getInductionVar());
    }
    Value value = memref::LoadOp::create(b, loc, source, indices);
    Value wide = arith::ExtFOp::create(b, loc, b.getF64Type(), value);
    memref::StoreOp::create(b, loc, quantizer.quantize(b, loc, wide), target,
                            indices);
    copy.erase();
    ++numRounded;
  }

  /// Uses of `v` (except the rounding's own) read quantize(v) instead.
  void replaceByQuantized(OpBuilder &b, const Quantizer &quantizer, Value v,
                          Location loc) {
    Value wide = arith::ExtFOp::create(b, loc, b.getF64Type(), v);
    Value rounded = quantizer.quantize(b, loc, wide);
    v.replaceAllUsesExcept(rounded, wide.getDefiningOp());
    ++numRounded;
  }

  void rewrite(OpBuilder &b, const Quantizer &quantizer,
               const FixedPointFormat &format, Operation *op, Rounding r) {
    Location loc = op->getLoc();
    if (r == Rounding::Constant) {
      auto cst = cast<arith::ConstantOp>(op);
      auto value = dyn_cast<FloatAttr>(cst.getValue());
      if (!value)
        return;
      double q = quantizeFixedPoint(value.getValueAsDouble(), format);
      if (q != value.getValueAsDouble()) {
        cst.setValueAttr(FloatAttr::get(b.getF32Type(), q));
        ++numConstants;
      }
      return;
    }
    if (r == Rounding::AfterF32) {
      b.setInsertionPointAfter(op);
      for (Value result : op->getResults())
        if (isF32(result.getType()))
          replaceByQuantized(b, quantizer, result, loc);
      return;
    }
    // +, -, *, negation: exact in f64, then one rounding.
    b.setInsertionPoint(op);
    auto wide = [&](Value v) -> Value {
      return arith::ExtFOp::create(b, loc, b.getF64Type(), v);
    };
    Value exact =
        llvm::TypeSwitch<Operation *, Value>(op)
            .Case([&](arith::AddFOp o) -> Value {
              return arith::AddFOp::create(b, loc, wide(o.getLhs()),
                                           wide(o.getRhs()));
            })
            .Case([&](arith::SubFOp o) -> Value {
              return arith::SubFOp::create(b, loc, wide(o.getLhs()),
                                           wide(o.getRhs()));
            })
            .Case([&](arith::MulFOp o) -> Value {
              return arith::MulFOp::create(b, loc, wide(o.getLhs()),
                                           wide(o.getRhs()));
            })
            .Case([&](arith::NegFOp o) -> Value {
              return arith::NegFOp::create(b, loc, wide(o.getOperand()));
            })
            .Case([&](hls::ShiftOp o) -> Value {
              // x * 2^e with e clamped to [-32, 32] as loom_hls::shift does
              // (beyond, every W <= 24 result saturates or rounds the same);
              // 2^e is built from its f64 exponent bits, so it is exact.
              Type i32 = b.getI32Type(), i64 = b.getI64Type();
              Value e = arith::MaxSIOp::create(
                  b, loc, o.getExponent(),
                  arith::ConstantOp::create(b, loc,
                                            b.getIntegerAttr(i32, -32)));
              e = arith::MinSIOp::create(
                  b, loc, e,
                  arith::ConstantOp::create(b, loc, b.getIntegerAttr(i32, 32)));
              Value biased = arith::AddIOp::create(
                  b, loc, arith::ExtSIOp::create(b, loc, i64, e),
                  arith::ConstantOp::create(b, loc,
                                            b.getIntegerAttr(i64, 1023)));
              Value bits = arith::ShLIOp::create(
                  b, loc, biased,
                  arith::ConstantOp::create(b, loc, b.getIntegerAttr(i64, 52)));
              Value scale =
                  arith::BitcastOp::create(b, loc, b.getF64Type(), bits);
              return arith::MulFOp::create(b, loc, wide(o.getInput()), scale);
            });
    op->getResult(0).replaceAllUsesWith(quantizer.quantize(b, loc, exact));
    op->erase();
    ++numRounded;
  }
};

} // namespace
