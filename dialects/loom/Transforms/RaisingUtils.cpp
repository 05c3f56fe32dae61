//===- RaisingUtils.cpp - Matchers shared by the raising passes -----------===//
//
// See RaisingUtils.h. Every matcher inspects one linalg.generic body (or a
// short chain of them) and accepts nothing it cannot interpret exactly.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/RaisingUtils.h"

#include "loom/Analysis/TensorView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

//===----------------------------------------------------------------------===//
// Generic-body helpers
//===----------------------------------------------------------------------===//

/// The all-parallel, single-result generic with an identity output map that
/// defines `v`, or null.
static linalg::GenericOp elementwiseDef(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInits() != 1 || g.getNumResults() != 1 ||
      g.getNumParallelLoops() != g.getNumLoops() ||
      !g.getIndexingMapsArray().back().isIdentity())
    return nullptr;
  return g;
}

/// The yielded scalar of a single-result generic.
static Value yielded(linalg::GenericOp g) {
  return g.getBody()->getTerminator()->getOperand(0);
}

/// The input operand that body value `x` is the block argument of, or null.
static OpOperand *inputOf(linalg::GenericOp g, Value x) {
  auto arg = dyn_cast<BlockArgument>(x);
  if (!arg || arg.getOwner() != g.getBody() ||
      arg.getArgNumber() >= g.getNumDpsInputs())
    return nullptr;
  return g.getDpsInputOperand(arg.getArgNumber());
}

/// The input read through an identity map with the result's shape that body
/// value `x` stands for, or null.
static Value identityInput(linalg::GenericOp g, Value x) {
  OpOperand *o = inputOf(g, x);
  if (!o || !isa<RankedTensorType>(o->get().getType()) ||
      !g.getMatchingIndexingMap(o).isIdentity() ||
      cast<ShapedType>(o->get().getType()).getShape() !=
          cast<ShapedType>(g.getResult(0).getType()).getShape())
    return nullptr;
  return o->get();
}

/// A float constant in a body: a constant op, or the block argument of a
/// splat constant input.
static std::optional<double> floatConstant(linalg::GenericOp g, Value x) {
  if (OpOperand *o = inputOf(g, x))
    return getScalarFloatConstant(o->get());
  return getScalarFloatConstant(x);
}

/// An integer constant in a body (constant op, or a splat/0-d constant input).
static std::optional<int64_t> intConstant(linalg::GenericOp g, Value x) {
  Value v = x;
  if (OpOperand *o = inputOf(g, x))
    v = o->get();
  IntegerAttr i;
  if (matchPattern(v, m_Constant(&i)))
    return i.getValue().getSExtValue();
  DenseIntElementsAttr d;
  if (matchPattern(v, m_Constant(&d)) && d.isSplat())
    return d.getSplatValue<APInt>().getSExtValue();
  return std::nullopt;
}

static bool isFloatConstant(linalg::GenericOp g, Value x, double want) {
  std::optional<double> c = floatConstant(g, x);
  return c && *c == want;
}

//===----------------------------------------------------------------------===//
// Matmuls
//===----------------------------------------------------------------------===//

static bool isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  std::optional<double> c = getScalarFloatConstant(fill.getInputs()[0]);
  return c && *c == 0.0;
}

bool mlir::loom::isPlainBatchMatmul(linalg::BatchMatmulOp op) {
  return isZeroFill(op.getDpsInits()[0]) &&
         op.getIndexingMapsArray() ==
             linalg::BatchMatmulOp::getDefaultIndexingMaps(op.getContext());
}

bool mlir::loom::isPlainMatmul(linalg::MatmulOp op) {
  return isZeroFill(op.getDpsInits()[0]) &&
         op.getIndexingMapsArray() ==
             linalg::MatmulOp::getDefaultIndexingMaps(op.getContext());
}

//===----------------------------------------------------------------------===//
// NaN guard and masks
//===----------------------------------------------------------------------===//

/// `x` is `cmpf uno %a, %a` on body value `a`.
static bool isIsNaNOf(Value x, Value a) {
  auto cmp = x.getDefiningOp<arith::CmpFOp>();
  return cmp && cmp.getPredicate() == arith::CmpFPredicate::UNO &&
         cmp.getLhs() == a && cmp.getRhs() == a;
}

Value mlir::loom::matchNaNGuard(Value value) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g)
    return nullptr;
  auto sel = yielded(g).getDefiningOp<arith::SelectOp>();
  if (!sel || !isFloatConstant(g, sel.getTrueValue(), 0.0))
    return nullptr;
  Value x = identityInput(g, sel.getFalseValue());
  if (!x)
    return nullptr;
  // One generic: select(isnan(a), 0, a).
  if (isIsNaNOf(sel.getCondition(), sel.getFalseValue()))
    return x;
  // Two generics: the condition is an input computed as isnan(x).
  Value cond = identityInput(g, sel.getCondition());
  linalg::GenericOp cg = cond ? elementwiseDef(cond) : nullptr;
  if (!cg || cg.getNumDpsInputs() != 1)
    return nullptr;
  Value a = cg.getBody()->getArgument(0);
  if (identityInput(cg, a) != x || !isIsNaNOf(yielded(cg), a) ||
      cg.getBody()->getOperations().size() != 2)
    return nullptr;
  return x;
}

LogicalResult mlir::loom::matchAdditiveMask(Value value, Value &x, Value &mask,
                                            AffineMap &maskMap) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g || g.getNumDpsInputs() != 2 ||
      g.getBody()->getOperations().size() != 2)
    return failure();
  auto add = yielded(g).getDefiningOp<arith::AddFOp>();
  if (!add)
    return failure();
  for (unsigned side = 0; side < 2; ++side) {
    Value data = identityInput(g, add->getOperand(side));
    OpOperand *m = inputOf(g, add->getOperand(1 - side));
    if (!data || !m || data.getType() != value.getType() ||
        !isa<RankedTensorType>(m->get().getType()) || m->get() == data ||
        !g.getMatchingIndexingMap(m).isProjectedPermutation(
            /*allowZeroInResults=*/true))
      continue;
    x = data;
    mask = m->get();
    maskMap = g.getMatchingIndexingMap(m);
    return success();
  }
  return failure();
}

LogicalResult mlir::loom::matchBooleanMask(Value value, Value &x, Value &cond,
                                           AffineMap &condMap, double &fill,
                                           bool &inverted) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g || g.getBody()->getOperations().size() != 2)
    return failure();
  auto sel = yielded(g).getDefiningOp<arith::SelectOp>();
  if (!sel)
    return failure();
  OpOperand *c = inputOf(g, sel.getCondition());
  if (!c || !isa<RankedTensorType>(c->get().getType()) ||
      !g.getMatchingIndexingMap(c).isProjectedPermutation(
          /*allowZeroInResults=*/true))
    return failure();
  for (unsigned side = 0; side < 2; ++side) {
    Value data =
        identityInput(g, side == 0 ? sel.getTrueValue() : sel.getFalseValue());
    std::optional<double> f =
        floatConstant(g, side == 0 ? sel.getFalseValue() : sel.getTrueValue());
    if (!data || !f || !(*f <= -1.0e30) || data.getType() != value.getType())
      continue;
    x = data;
    cond = c->get();
    condMap = g.getMatchingIndexingMap(c);
    fill = *f;
    inverted = side == 1;
    return success();
  }
  return failure();
}

Value mlir::loom::booleanToAdditiveMask(OpBuilder &b, Location loc, Value cond,
                                        double fill, bool inverted) {
  auto type = cast<RankedTensorType>(cond.getType());
  auto outType = RankedTensorType::get(type.getShape(), b.getF32Type());
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), b.getF32Type());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  auto g = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{cond}, ValueRange{init},
      ArrayRef<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value zero = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(0));
        Value masked = arith::ConstantOp::create(
            nb, l, nb.getF32FloatAttr(static_cast<float>(fill)));
        Value r = inverted
                      ? arith::SelectOp::create(nb, l, args[0], masked, zero)
                      : arith::SelectOp::create(nb, l, args[0], zero, masked);
        linalg::YieldOp::create(nb, l, r);
      });
  return g.getResult(0);
}

Value mlir::loom::reshapeRowMajor(OpBuilder &b, Location loc, Value value,
                                  RankedTensorType type) {
  auto src = cast<RankedTensorType>(value.getType());
  if (src == type)
    return value;
  Value flat = value;
  if (src.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (src.getRank() > 0) {
      all.emplace_back();
      for (int64_t i = 0; i < src.getRank(); ++i)
        all.back().push_back(i);
    }
    flat =
        src.getRank() == 0
            ? tensor::ExpandShapeOp::create(
                  b, loc, RankedTensorType::get({1}, src.getElementType()),
                  value, SmallVector<ReassociationIndices>{})
                  .getResult()
            : tensor::CollapseShapeOp::create(b, loc, value, all).getResult();
  }
  if (type.getRank() == 1)
    return flat;
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat,
                                           SmallVector<ReassociationIndices>{});
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < type.getRank(); ++i)
    all[0].push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all);
}

//===----------------------------------------------------------------------===//
// Activations and elementwise arithmetic
//===----------------------------------------------------------------------===//

/// Body value `s` is `1 / (1 + exp(-a))`.
static bool isSigmoidOf(linalg::GenericOp g, Value s, Value a) {
  auto div = s.getDefiningOp<arith::DivFOp>();
  if (!div || !isFloatConstant(g, div.getLhs(), 1.0))
    return false;
  auto add = div.getRhs().getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value e = add.getLhs();
  if (isFloatConstant(g, e, 1.0))
    e = add.getRhs();
  else if (!isFloatConstant(g, add.getRhs(), 1.0))
    return false;
  auto exp = e.getDefiningOp<math::ExpOp>();
  if (!exp)
    return false;
  auto neg = exp.getOperand().getDefiningOp<arith::NegFOp>();
  return neg && neg.getOperand() == a;
}

Value mlir::loom::matchSiLU(Value value) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g)
    return nullptr;
  auto mul = yielded(g).getDefiningOp<arith::MulFOp>();
  if (!mul)
    return nullptr;
  for (unsigned side = 0; side < 2; ++side) {
    Value a = mul->getOperand(side), s = mul->getOperand(1 - side);
    Value x = identityInput(g, a);
    if (!x)
      continue;
    // One generic: a * sigmoid(a).
    if (isSigmoidOf(g, s, a))
      return x;
    // Two generics: a * s where s is an input computed as sigmoid(x).
    Value sv = identityInput(g, s);
    linalg::GenericOp sg = sv ? elementwiseDef(sv) : nullptr;
    if (!sg || sg.getNumDpsInputs() != 1 ||
        g.getBody()->getOperations().size() != 2)
      continue;
    Value sa = sg.getBody()->getArgument(0);
    if (identityInput(sg, sa) == x && isSigmoidOf(sg, yielded(sg), sa))
      return x;
  }
  return nullptr;
}

template <typename OpTy>
static std::optional<BinaryOperands> matchBinary(Value value) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g || g.getNumDpsInputs() != 2 ||
      g.getBody()->getOperations().size() != 2)
    return std::nullopt;
  auto op = yielded(g).getDefiningOp<OpTy>();
  if (!op)
    return std::nullopt;
  OpOperand *l = inputOf(g, op.getLhs()), *r = inputOf(g, op.getRhs());
  if (!l || !r || l == r || !isa<RankedTensorType>(l->get().getType()) ||
      !isa<RankedTensorType>(r->get().getType()))
    return std::nullopt;
  return BinaryOperands{l->get(), r->get(), g.getMatchingIndexingMap(l),
                        g.getMatchingIndexingMap(r)};
}

std::optional<BinaryOperands> mlir::loom::matchElementwiseMulF(Value value) {
  return matchBinary<arith::MulFOp>(value);
}

std::optional<BinaryOperands> mlir::loom::matchElementwiseAddF(Value value) {
  return matchBinary<arith::AddFOp>(value);
}

template <typename OpTy> static Value matchUnary(Value value) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g || g.getNumDpsInputs() != 1 ||
      g.getBody()->getOperations().size() != 2)
    return nullptr;
  auto op = yielded(g).getDefiningOp<OpTy>();
  if (!op)
    return nullptr;
  return identityInput(g, op->getOperand(0));
}

Value mlir::loom::matchElementwiseNegF(Value value) {
  return matchUnary<arith::NegFOp>(value);
}

Value mlir::loom::matchElementwiseSqrt(Value value) {
  return matchUnary<math::SqrtOp>(value);
}

Value mlir::loom::matchElementwiseRsqrt(Value value) {
  return matchUnary<math::RsqrtOp>(value);
}

template <typename OpTy>
static std::optional<ScalarOperand> matchScalarBinary(Value value) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g || g.getNumDpsInputs() > 2 || g.getBody()->getOperations().size() != 2)
    return std::nullopt;
  auto op = yielded(g).getDefiningOp<OpTy>();
  if (!op)
    return std::nullopt;
  for (unsigned side = 0; side < 2; ++side) {
    Value x = identityInput(g, op->getOperand(side));
    std::optional<double> c = floatConstant(g, op->getOperand(1 - side));
    if (x && c)
      return ScalarOperand{x, *c, side == 1};
  }
  return std::nullopt;
}

std::optional<ScalarOperand> mlir::loom::matchScalarAddF(Value value) {
  return matchScalarBinary<arith::AddFOp>(value);
}

std::optional<ScalarOperand> mlir::loom::matchScalarMulF(Value value) {
  return matchScalarBinary<arith::MulFOp>(value);
}

std::optional<ScalarOperand> mlir::loom::matchScalarDivF(Value value) {
  return matchScalarBinary<arith::DivFOp>(value);
}

std::optional<ScalarOperand> mlir::loom::matchScalarPowF(Value value) {
  return matchScalarBinary<math::PowFOp>(value);
}

Value mlir::loom::peelTrailingUnit(Value value) {
  auto expand = value.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand)
    return value;
  ArrayRef<int64_t> shape = expand.getResultType().getShape();
  if (shape.empty() || shape.back() != 1 ||
      expand.getSrcType().getShape() != shape.drop_back())
    return value;
  return expand.getSrc();
}

std::optional<SmallVector<int64_t>>
mlir::loom::getBroadcastShape(AffineMap map, ArrayRef<int64_t> operandShape,
                              ArrayRef<int64_t> loopShape) {
  if (map.getNumDims() != loopShape.size() || map.getNumSymbols() != 0 ||
      map.getNumResults() != operandShape.size())
    return std::nullopt;
  SmallVector<int64_t> shape(loopShape.size(), 1);
  int64_t last = -1;
  for (auto [expr, size] : llvm::zip_equal(map.getResults(), operandShape)) {
    if (auto c = dyn_cast<AffineConstantExpr>(expr)) {
      if (c.getValue() != 0 || size != 1)
        return std::nullopt;
      continue;
    }
    auto d = dyn_cast<AffineDimExpr>(expr);
    if (!d || static_cast<int64_t>(d.getPosition()) <= last)
      return std::nullopt;
    last = d.getPosition();
    if (size != loopShape[last] && size != 1)
      return std::nullopt;
    shape[last] = size;
  }
  return shape;
}

//===----------------------------------------------------------------------===//
// Gathers and index arithmetic
//===----------------------------------------------------------------------===//

/// Peels the importer's index arithmetic (index_cast, negative wrap, clamp)
/// off body value `k`.
static Value peelIndexArithmetic(linalg::GenericOp g, Value k) {
  while (true) {
    if (auto c = k.getDefiningOp<arith::IndexCastOp>()) {
      k = c.getIn();
      continue;
    }
    if (auto m = k.getDefiningOp<arith::MinSIOp>()) {
      if (intConstant(g, m.getRhs())) {
        k = m.getLhs();
        continue;
      }
      return k;
    }
    if (auto m = k.getDefiningOp<arith::MaxSIOp>()) {
      if (intConstant(g, m.getRhs())) {
        k = m.getLhs();
        continue;
      }
      return k;
    }
    // select(k < 0, k + N, k)
    if (auto sel = k.getDefiningOp<arith::SelectOp>()) {
      auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
      auto add = sel.getTrueValue().getDefiningOp<arith::AddIOp>();
      Value base = sel.getFalseValue();
      if (cmp && add && cmp.getPredicate() == arith::CmpIPredicate::slt &&
          cmp.getLhs() == base && intConstant(g, cmp.getRhs()) == 0 &&
          add.getLhs() == base && intConstant(g, add.getRhs())) {
        k = base;
        continue;
      }
      return k;
    }
    return k;
  }
}

/// The constant index an index chain evaluates to, when its root is a
/// constant (wrap and clamp applied as the importer emits them).
static std::optional<int64_t> evaluateIndexChain(linalg::GenericOp g, Value k) {
  if (std::optional<int64_t> c = intConstant(g, k))
    return c;
  if (auto c = k.getDefiningOp<arith::IndexCastOp>())
    return evaluateIndexChain(g, c.getIn());
  if (auto m = k.getDefiningOp<arith::MinSIOp>()) {
    auto a = evaluateIndexChain(g, m.getLhs()),
         b = evaluateIndexChain(g, m.getRhs());
    if (a && b)
      return std::min(*a, *b);
  }
  if (auto m = k.getDefiningOp<arith::MaxSIOp>()) {
    auto a = evaluateIndexChain(g, m.getLhs()),
         b = evaluateIndexChain(g, m.getRhs());
    if (a && b)
      return std::max(*a, *b);
  }
  if (auto a = k.getDefiningOp<arith::AddIOp>()) {
    auto x = evaluateIndexChain(g, a.getLhs()),
         y = evaluateIndexChain(g, a.getRhs());
    if (x && y)
      return *x + *y;
  }
  if (auto sel = k.getDefiningOp<arith::SelectOp>()) {
    auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::slt)
      return std::nullopt;
    auto x = evaluateIndexChain(g, cmp.getLhs()),
         y = evaluateIndexChain(g, cmp.getRhs());
    if (!x || !y)
      return std::nullopt;
    return evaluateIndexChain(g, *x < *y ? sel.getTrueValue()
                                         : sel.getFalseValue());
  }
  return std::nullopt;
}

/// `x` is `linalg.index d`.
static bool isLoopIndex(Value x, int64_t d) {
  auto ix = x.getDefiningOp<linalg::IndexOp>();
  return ix && static_cast<int64_t>(ix.getDim()) == d;
}

std::optional<RowGather> mlir::loom::matchRowGather(Value value) {
  auto g = value.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInits() != 1 || g.getNumResults() != 1 ||
      g.getNumParallelLoops() != g.getNumLoops() ||
      !g.getIndexingMapsArray().back().isIdentity())
    return std::nullopt;
  auto ex = yielded(g).getDefiningOp<tensor::ExtractOp>();
  if (!ex || ex->getBlock() != g.getBody())
    return std::nullopt;
  Value table = ex.getTensor();
  auto tableType = cast<RankedTensorType>(table.getType());
  auto outType = cast<RankedTensorType>(value.getType());
  if (tableType.getRank() != outType.getRank() ||
      tableType.getShape().drop_front() != outType.getShape().drop_front())
    return std::nullopt;
  // The table must be defined outside the body (not a gathered value).
  if (table.getParentBlock() == g.getBody())
    return std::nullopt;
  for (int64_t i = 1; i < tableType.getRank(); ++i)
    if (!isLoopIndex(ex.getIndices()[i], i))
      return std::nullopt;
  Value root = peelIndexArithmetic(g, ex.getIndices()[0]);
  // The row index read from an index tensor, at [r] or [r, 0...].
  if (auto ix = root.getDefiningOp<tensor::ExtractOp>()) {
    auto idxType = cast<RankedTensorType>(ix.getTensor().getType());
    if (ix->getBlock() != g.getBody() || idxType.getRank() < 1 ||
        !isLoopIndex(ix.getIndices()[0], 0))
      return std::nullopt;
    for (int64_t i = 1; i < idxType.getRank(); ++i)
      if (idxType.getDimSize(i) != 1 || intConstant(g, ix.getIndices()[i]) != 0)
        return std::nullopt;
    if (idxType.getDimSize(0) != outType.getDimSize(0))
      return std::nullopt;
    return RowGather{table, ix.getTensor()};
  }
  if (OpOperand *o = inputOf(g, root)) {
    AffineMap m = g.getMatchingIndexingMap(o);
    auto idxType = cast<RankedTensorType>(o->get().getType());
    if (idxType.getRank() != 1 || m.getNumResults() != 1 ||
        m.getResult(0) != getAffineDimExpr(0, g.getContext()) ||
        idxType.getDimSize(0) != outType.getDimSize(0))
      return std::nullopt;
    return RowGather{table, o->get()};
  }
  return std::nullopt;
}

Value mlir::loom::matchIntegerClamp(Value value, int64_t &lo, int64_t &hi) {
  linalg::GenericOp g = elementwiseDef(value);
  if (!g)
    return nullptr;
  std::optional<int64_t> l, h;
  Value k = yielded(g);
  while (true) {
    if (auto m = k.getDefiningOp<arith::MinSIOp>()) {
      if (!(h = intConstant(g, m.getRhs())))
        return nullptr;
      k = m.getLhs();
      continue;
    }
    if (auto m = k.getDefiningOp<arith::MaxSIOp>()) {
      if (!(l = intConstant(g, m.getRhs())))
        return nullptr;
      k = m.getLhs();
      continue;
    }
    // select(x < c, c, x) and select(x > c, c, x).
    if (auto sel = k.getDefiningOp<arith::SelectOp>()) {
      auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
      if (!cmp || cmp.getLhs() != sel.getFalseValue() ||
          cmp.getRhs() != sel.getTrueValue())
        return nullptr;
      std::optional<int64_t> c = intConstant(g, cmp.getRhs());
      if (!c)
        return nullptr;
      if (cmp.getPredicate() == arith::CmpIPredicate::slt)
        l = c;
      else if (cmp.getPredicate() == arith::CmpIPredicate::sgt)
        h = c;
      else
        return nullptr;
      k = sel.getFalseValue();
      continue;
    }
    break;
  }
  Value x = identityInput(g, k);
  if (!x || !l || !h)
    return nullptr;
  lo = *l;
  hi = *h;
  return x;
}

/// The `tensor.extract` that an all-parallel, identity-output
/// `linalg.generic` defining `value` yields, reading a tensor of one more
/// dimension defined outside its body (the exporter's Gather of one index);
/// null otherwise.
static tensor::ExtractOp matchSelectExtract(Value value) {
  auto g = value.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInits() != 1 || g.getNumResults() != 1 ||
      g.getNumParallelLoops() != g.getNumLoops() ||
      !g.getIndexingMapsArray().back().isIdentity())
    return nullptr;
  auto ex = yielded(g).getDefiningOp<tensor::ExtractOp>();
  if (!ex || ex->getBlock() != g.getBody())
    return nullptr;
  auto fromType = cast<RankedTensorType>(ex.getTensor().getType());
  auto outType = cast<RankedTensorType>(value.getType());
  if (fromType.getRank() != outType.getRank() + 1 ||
      ex.getTensor().getParentBlock() == g.getBody())
    return nullptr;
  return ex;
}

Value mlir::loom::matchLastAxisSelect(Value value, int64_t &k) {
  tensor::ExtractOp ex = matchSelectExtract(value);
  if (!ex)
    return nullptr;
  auto g = cast<linalg::GenericOp>(value.getDefiningOp());
  Value from = ex.getTensor();
  auto fromType = cast<RankedTensorType>(from.getType());
  auto outType = cast<RankedTensorType>(value.getType());
  int64_t r = fromType.getRank();
  if (fromType.getShape().drop_back() != outType.getShape())
    return nullptr;
  for (int64_t i = 0; i + 1 < r; ++i)
    if (!isLoopIndex(ex.getIndices()[i], i))
      return nullptr;
  std::optional<int64_t> c = evaluateIndexChain(g, ex.getIndices()[r - 1]);
  if (!c || *c < 0 || *c >= fromType.getDimSize(r - 1))
    return nullptr;
  k = *c;
  return from;
}

Value mlir::loom::matchAxisSelect(Value value, int64_t &axis, int64_t &k) {
  tensor::ExtractOp ex = matchSelectExtract(value);
  if (!ex)
    return nullptr;
  auto g = cast<linalg::GenericOp>(value.getDefiningOp());
  Value from = ex.getTensor();
  auto fromType = cast<RankedTensorType>(from.getType());
  auto outType = cast<RankedTensorType>(value.getType());
  int64_t r = fromType.getRank();
  for (int64_t a = 0; a < r; ++a) {
    bool ok = true;
    for (int64_t i = 0; i < r && ok; ++i) {
      if (i == a)
        continue;
      int64_t loop = i < a ? i : i - 1;
      ok = fromType.getDimSize(i) == outType.getDimSize(loop) &&
           (isLoopIndex(ex.getIndices()[i], loop) ||
            (fromType.getDimSize(i) == 1 &&
             intConstant(g, ex.getIndices()[i]) == 0));
    }
    if (!ok)
      continue;
    std::optional<int64_t> c = evaluateIndexChain(g, ex.getIndices()[a]);
    if (!c || *c < 0 || *c >= fromType.getDimSize(a))
      continue;
    axis = a;
    k = *c;
    return from;
  }
  return nullptr;
}
