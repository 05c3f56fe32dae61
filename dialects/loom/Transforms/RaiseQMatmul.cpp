//===- RaiseQMatmul.cpp - loom-raise-qmatmul ------------------------------===//
//
// Rewrites a weight-only int8 matmul written with upstream ops,
//
//   W[k,n] = (float(q[k,n]) - z[k,n]) * s[k,n]     (elementwise generics)
//   y      = linalg.matmul(x, W)                    (zero-filled init)
//
// where q is an 8-bit integer constant (signed, or unsigned through uitofp),
// the zero point z is optional and s is an f32 scale, into
//
//   y = loom.qmatmul x, qT, scales[, zero_points] {bits = 8 or 4[, group_size]}
//
// with q transposed to [N,K] at compile time; codes and zero points that all
// fit 4 bits (INT4/UINT4 QDQ weights) become a packed bits = 4 weight [N,K/2].
// This is what the ONNX importer makes of DequantizeLinear (one generic) and of
// `Mul(Cast(q), s)` (a cast generic and a multiplication generic) feeding
// MatMul.
//
// Exactness. The chain is matched structurally: the weight element must be
// the f32 product of a scale with `sitofp/uitofp(q)` or with
// `sitofp/uitofp(q) - zp` (zp an integer converted to f32, or an
// integer-valued f32). For 8-bit q and a zero point in [-128, 255] the
// difference is an integer of magnitude below 2^9, exact in f32, so the
// weight is fl((q - z) * s) with a single rounding, which is what
// loom.qmatmul computes. Unsigned codes become q - 128 and z - 128 (same
// difference), which needs z - 128 in [-128, 127]. The scale and zero point
// values are evaluated (ConstantEvaluator) and must be constant along K
// (per output channel) or on blocks of g consecutive k (group_size = g,
// the largest g that holds); a scale varying along K in any other way is
// refused. Preconditions: static shapes, f32 activations, scale and result.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/ConstantEvaluator.h"
#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "loom/Transforms/RaisingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/bit.h"
#include <cmath>
#include <numeric>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMRAISEQMATMUL
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// What a scalar of the weight's element expression is: an arith op of some
/// generic's body, an element of a tensor read at the weight's index through
/// `map`, or a constant.
struct Term {
  Operation *op = nullptr;
  Value tensor;
  AffineMap map;
  std::optional<double> constant;
};

/// A generic that computes its results elementwise over `loopShape`: all
/// loops parallel, identity output maps, outputs not read.
bool isElementwiseOver(linalg::GenericOp g, ArrayRef<int64_t> loopShape) {
  if (g.getNumParallelLoops() != g.getNumLoops() ||
      g.getStaticLoopRanges() != SmallVector<int64_t>(loopShape))
    return false;
  for (OpOperand &init : g.getDpsInitsMutable())
    if (!g.getMatchingIndexingMap(&init).isIdentity() ||
        !g.getMatchingBlockArgument(&init).use_empty())
      return false;
  return true;
}

/// Resolves `v` (a scalar in the body of an elementwise generic over
/// `loopShape`) to its term, stepping through inputs that elementwise
/// generics over the same loops produce and read through identity maps.
std::optional<Term> resolve(Value v, ArrayRef<int64_t> loopShape) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr))) {
    if (auto f = dyn_cast<FloatAttr>(attr); f && f.getType().isF32())
      return Term{nullptr, nullptr, AffineMap(), f.getValueAsDouble()};
    return std::nullopt;
  }
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto g = dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp());
    if (!g || arg.getArgNumber() >= g.getNumDpsInputs())
      return std::nullopt;
    OpOperand *operand = g.getDpsInputOperand(arg.getArgNumber());
    AffineMap map = g.getMatchingIndexingMap(operand);
    if (map.isIdentity())
      if (auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
          producer && isElementwiseOver(producer, loopShape)) {
        unsigned result = cast<OpResult>(operand->get()).getResultNumber();
        Value yielded = producer.getBody()->getTerminator()->getOperand(result);
        return resolve(yielded, loopShape);
      }
    return Term{nullptr, operand->get(), map, std::nullopt};
  }
  if (Operation *op = v.getDefiningOp();
      op && isa<linalg::GenericOp>(op->getParentOp()))
    return Term{op, nullptr, AffineMap(), std::nullopt};
  return std::nullopt;
}

/// An 8-bit code or zero point: integer elements of `tensor` (or a constant),
/// read as unsigned when converted by uitofp.
struct IntegerRead {
  Term term;
  bool isUnsigned = false;
};

/// `sitofp(i)` / `uitofp(i)` to f32 of an integer tensor element or constant.
std::optional<IntegerRead> matchIntToFloat(const Term &t,
                                           ArrayRef<int64_t> loopShape) {
  if (!t.op || !isa<arith::SIToFPOp, arith::UIToFPOp>(t.op) ||
      !t.op->getResult(0).getType().isF32())
    return std::nullopt;
  Value in = t.op->getOperand(0);
  Attribute attr;
  if (matchPattern(in, m_Constant(&attr))) {
    auto i = dyn_cast<IntegerAttr>(attr);
    if (!i)
      return std::nullopt;
    bool isUnsigned = isa<arith::UIToFPOp>(t.op);
    double c = isUnsigned ? (double)i.getValue().getZExtValue()
                          : (double)i.getValue().getSExtValue();
    return IntegerRead{Term{nullptr, nullptr, AffineMap(), c}, false};
  }
  std::optional<Term> leaf = resolve(in, loopShape);
  if (!leaf || !leaf->tensor)
    return std::nullopt;
  return IntegerRead{*leaf, isa<arith::UIToFPOp>(t.op)};
}

/// The values of a tensor term at every point of a [K,N] loop space, looked
/// up through the term's map (a projected permutation, zeros allowed).
class TermValues {
public:
  static std::optional<TermValues> get(const Term &t, bool isUnsigned,
                                       int64_t maxElements) {
    TermValues tv;
    if (t.constant) {
      tv.constant = *t.constant;
      return tv;
    }
    if (!t.map || !t.map.isProjectedPermutation(/*allowZeroInResults=*/true))
      return std::nullopt;
    auto type = cast<RankedTensorType>(t.tensor.getType());
    std::optional<SmallVector<double>> values =
        evaluateConstantTensor(t.tensor, maxElements);
    if (!values)
      return std::nullopt;
    tv.values = std::move(*values);
    if (isUnsigned) {
      unsigned width = type.getElementTypeBitWidth();
      for (double &v : tv.values)
        if (v < 0)
          v += std::ldexp(1.0, width);
    }
    // Offset = sum over results of index * stride; a 0 result reads index 0.
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);
    for (auto [r, e] : llvm::enumerate(t.map.getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        (dim.getPosition() == 0 ? tv.kStride : tv.nStride) += strides[r];
    return tv;
  }

  double at(int64_t k, int64_t n) const {
    return constant ? *constant : values[k * kStride + n * nStride];
  }
  bool dependsOnK() const { return !constant && kStride != 0; }

private:
  std::optional<double> constant;
  SmallVector<double> values;
  int64_t kStride = 0, nStride = 0;
};

bool isIntegerInRange(double v, double lo, double hi) {
  return v == std::floor(v) && v >= lo && v <= hi;
}

/// A constant of `type` holding `data` (resources for large ones, so that the
/// printed IR stays readable).
template <typename T>
Value makeConstant(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, ArrayRef<T> data, StringRef name) {
  Attribute attr;
  if (data.size() > 64)
    attr = DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(data));
  else
    attr = DenseElementsAttr::get(type, data);
  return arith::ConstantOp::create(rewriter, loc, type, cast<TypedAttr>(attr));
}

/// linalg.matmul(x, dequantize(q)) -> loom.qmatmul(x, q^T, scales[, zp]).
struct RaiseDequantizedMatmul : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isPlainMatmul(op))
      return rewriter.notifyMatchFailure(op, "not a plain matmul");
    Value x = op.getDpsInputs()[0], weight = op.getDpsInputs()[1];
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(weight.getType());
    auto yType = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!xType.getElementType().isF32() || !wType.getElementType().isF32() ||
        !yType.getElementType().isF32() || !xType.hasStaticShape() ||
        !wType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static f32 matmul");
    int64_t k = wType.getDimSize(0), n = wType.getDimSize(1);
    SmallVector<int64_t> loopShape = {k, n};

    // W[k,n] = a * s (either order), a = float(q) or float(q) - zp.
    auto g = weight.getDefiningOp<linalg::GenericOp>();
    if (!g || !isElementwiseOver(g, loopShape))
      return rewriter.notifyMatchFailure(op, "weight is not elementwise");
    unsigned result = cast<OpResult>(weight).getResultNumber();
    std::optional<Term> top =
        resolve(g.getBody()->getTerminator()->getOperand(result), loopShape);
    auto mul = top && top->op ? dyn_cast<arith::MulFOp>(top->op) : nullptr;
    if (!mul)
      return rewriter.notifyMatchFailure(op, "weight is not a product");
    std::optional<IntegerRead> code, zeroPoint;
    std::optional<Term> scale;
    bool zeroPointIsFloat = false;
    for (unsigned side = 0; side < 2 && !code; ++side) {
      std::optional<Term> a = resolve(mul->getOperand(side), loopShape);
      scale = resolve(mul->getOperand(1 - side), loopShape);
      if (!a || !scale || scale->op ||
          (scale->tensor && !cast<RankedTensorType>(scale->tensor.getType())
                                 .getElementType()
                                 .isF32()))
        continue;
      if ((code = matchIntToFloat(*a, loopShape)))
        break;
      if (!a->op || !isa<arith::SubFOp>(a->op))
        continue;
      std::optional<Term> lhs = resolve(a->op->getOperand(0), loopShape);
      std::optional<Term> rhs = resolve(a->op->getOperand(1), loopShape);
      if (!lhs || !rhs || !(code = matchIntToFloat(*lhs, loopShape)))
        continue;
      zeroPoint = matchIntToFloat(*rhs, loopShape);
      if (!zeroPoint && !rhs->op &&
          (rhs->constant || cast<RankedTensorType>(rhs->tensor.getType())
                                .getElementType()
                                .isF32())) {
        zeroPoint = IntegerRead{*rhs, false};
        zeroPointIsFloat = true;
      }
      if (!zeroPoint)
        code.reset();
    }
    if (!code)
      return rewriter.notifyMatchFailure(
          op, "weight is not (float(q) [- zero point]) * scale");
    if (!code->term.tensor)
      return rewriter.notifyMatchFailure(op, "codes are a scalar constant");
    auto qType = cast<RankedTensorType>(code->term.tensor.getType());
    AffineMap qMap = code->term.map;
    if (!qType.getElementType().isInteger(8) || !qMap.isPermutation())
      return rewriter.notifyMatchFailure(op, "codes are not 8-bit, one per "
                                             "weight element");

    int64_t maxElements = k * n;
    std::optional<TermValues> q =
        TermValues::get(code->term, code->isUnsigned, maxElements);
    std::optional<TermValues> s =
        TermValues::get(*scale, /*isUnsigned=*/false, maxElements);
    std::optional<TermValues> z;
    if (zeroPoint)
      z = TermValues::get(zeroPoint->term, zeroPoint->isUnsigned, maxElements);
    if (!q || !s || (zeroPoint && !z))
      return rewriter.notifyMatchFailure(op, "codes, scales or zero points "
                                             "are not constant");

    // Codes in i8; the zero point shifted alike must be an i8 too (and an
    // integer when given as a float).
    double shift = code->isUnsigned ? 128 : 0;
    auto zeroAt = [&](int64_t kk, int64_t nn) {
      return (z ? z->at(kk, nn) : 0.0) - shift;
    };
    // Codes and zero points that all fit 4 bits (INT4/UINT4 weights, which
    // the ONNX importer unpacks to one code per i8) are stored packed, two
    // per byte, with unsigned ones shifted by 8 instead of 128.
    double shift4 = code->isUnsigned ? 8 : 0;
    bool fits4 = k % 2 == 0;
    for (int64_t kk = 0; kk < k && fits4; ++kk)
      for (int64_t nn = 0; nn < n && fits4; ++nn)
        fits4 = isIntegerInRange(q->at(kk, nn) - shift4, -8, 7) &&
                isIntegerInRange((z ? z->at(kk, nn) : 0.0) - shift4, -8, 7);
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t nn = 0; nn < n; ++nn)
        if (!isIntegerInRange(q->at(kk, nn) - shift, -128, 127))
          return rewriter.notifyMatchFailure(op, "codes outside the 8-bit "
                                                 "range");
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t nn = 0; nn < n; ++nn)
        if (!isIntegerInRange(zeroAt(kk, nn), -128, 127))
          return rewriter.notifyMatchFailure(
              op, zeroPointIsFloat
                      ? "zero point is not an integer in the i8 range"
                      : "zero point is outside the i8 range");

    // Group size: the largest g dividing K such that scales and zero points
    // only change at multiples of g.
    auto scaleBits = [&](int64_t kk, int64_t nn) {
      return llvm::bit_cast<uint32_t>(static_cast<float>(s->at(kk, nn)));
    };
    int64_t group = k;
    if (s->dependsOnK() || (z && z->dependsOnK()))
      for (int64_t kk = 1; kk < k && group > 1; ++kk)
        for (int64_t nn = 0; nn < n; ++nn)
          if (scaleBits(kk, nn) != scaleBits(kk - 1, nn) ||
              zeroAt(kk, nn) != zeroAt(kk - 1, nn)) {
            group = std::gcd(group, kk);
            break;
          }
    if (group == 1 && k > 1)
      return rewriter.notifyMatchFailure(
          op, "scale varies along K without a block structure");
    int64_t groups = k / group;

    // The compile-time operands.
    if (fits4)
      shift = shift4;
    SmallVector<int8_t> codes(n * k);
    for (int64_t nn = 0; nn < n; ++nn)
      for (int64_t kk = 0; kk < k; ++kk)
        codes[nn * k + kk] = static_cast<int8_t>(q->at(kk, nn) - shift);
    SmallVector<float> scales(n * groups);
    SmallVector<int8_t> zeros(n * groups);
    bool anyZero = false;
    for (int64_t nn = 0; nn < n; ++nn)
      for (int64_t gg = 0; gg < groups; ++gg) {
        scales[nn * groups + gg] = static_cast<float>(s->at(gg * group, nn));
        zeros[nn * groups + gg] = static_cast<int8_t>(zeroAt(gg * group, nn));
        anyZero |= zeros[nn * groups + gg] != 0;
      }

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type();
    SmallVector<int64_t> paramShape = {n};
    if (groups > 1)
      paramShape.push_back(groups);
    int64_t bits = 8;
    if (fits4) {
      // Low nibble first: byte j of row n holds codes 2j and 2j + 1.
      SmallVector<int8_t> packed(n * k / 2);
      for (int64_t i = 0; i < n * k / 2; ++i)
        packed[i] = static_cast<int8_t>((codes[2 * i] & 0xF) |
                                        ((codes[2 * i + 1] & 0xF) << 4));
      codes = std::move(packed);
      bits = 4;
    }
    Value w = makeConstant<int8_t>(rewriter, loc,
                                   RankedTensorType::get({n, k * bits / 8}, i8),
                                   codes, "loom_qweight");
    Value sv = makeConstant<float>(
        rewriter, loc, RankedTensorType::get(paramShape, rewriter.getF32Type()),
        scales, "loom_qscale");
    Value zv = anyZero
                   ? makeConstant<int8_t>(rewriter, loc,
                                          RankedTensorType::get(paramShape, i8),
                                          zeros, "loom_qzero")
                   : Value();
    IntegerAttr groupAttr =
        groups > 1 ? rewriter.getI64IntegerAttr(group) : IntegerAttr();
    rewriter.replaceOpWithNewOp<QMatmulOp>(op, yType, x, w, sv, zv, bits,
                                           groupAttr);
    return success();
  }
};

struct RaiseQMatmulPass : loom::impl::LoomRaiseQMatmulBase<RaiseQMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseQMatmulPatterns(patterns);
    FailureOr<int64_t> raised = applyRaisingPatterns<loom::QMatmulOp>(
        getOperation(), std::move(patterns));
    if (failed(raised))
      return signalPassFailure();
    numRaised += *raised;
  }
};
} // namespace

void mlir::loom::populateRaiseQMatmulPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseDequantizedMatmul>(patterns.getContext());
}
