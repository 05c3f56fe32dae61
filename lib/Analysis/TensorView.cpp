//===- TensorView.cpp - Pure data-movement views of tensors ---------------===//
//
// See TensorView.h. Each step rewrites the atoms, which are expressed in the
// dimensions of the current source, into the dimensions of the defining op's
// operand.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/TensorView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

TensorView TensorView::identity(Value value) {
  TensorView view;
  view.source = value;
  auto type = cast<RankedTensorType>(value.getType());
  for (int64_t d = 0, e = type.getRank(); d < e; ++d)
    view.dims.push_back(ViewDim{whole(type.getShape(), d)});
  view.dims = normalize(view.dims);
  return view;
}

SmallVector<ViewDim> TensorView::normalize(ArrayRef<ViewDim> dims) {
  SmallVector<ViewDim> out;
  for (const ViewDim &dim : dims) {
    ViewDim merged;
    for (const ViewAtom &atom : dim) {
      if (atom.size == 1)
        continue;
      ViewAtom a = atom;
      if (a.isBroadcast())
        a.stride = 0;
      if (!merged.empty()) {
        ViewAtom &outer = merged.back();
        if (outer.dim == a.dim &&
            (a.isBroadcast() || outer.stride == a.stride * a.size)) {
          outer.size *= a.size;
          outer.stride = a.stride;
          continue;
        }
      }
      merged.push_back(a);
    }
    out.push_back(std::move(merged));
  }
  return out;
}

bool TensorView::isIdentity() const {
  auto type = cast<RankedTensorType>(source.getType());
  if (static_cast<int64_t>(dims.size()) != type.getRank())
    return false;
  SmallVector<ViewDim> want;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d)
    want.push_back(ViewDim{whole(type.getShape(), d)});
  return equals(want);
}

bool TensorView::equals(ArrayRef<ViewDim> want) const {
  SmallVector<ViewDim> a = normalize(dims), b = normalize(want);
  return a == b;
}

std::string TensorView::toString() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (const ViewDim &dim : dims) {
    os << "[";
    for (const ViewAtom &a : dim) {
      if (a.isBroadcast())
        os << "(b:" << a.size << ")";
      else
        os << "(" << a.dim << ":" << a.stride << "x" << a.size << ")";
    }
    os << "]";
  }
  if (scale != 1.0)
    os << " * " << scale;
  return s;
}

std::optional<double> mlir::loom::getScalarFloatConstant(Value value) {
  FloatAttr f;
  if (matchPattern(value, m_Constant(&f)))
    return f.getValueAsDouble();
  DenseElementsAttr dense;
  if (matchPattern(value, m_Constant(&dense)) && dense.isSplat() &&
      isa<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

/// True for an all-parallel generic with one result written through an
/// identity map.
static bool isParallelWithIdentityOutput(linalg::GenericOp g) {
  return g.getNumDpsInits() == 1 && g.getNumResults() == 1 &&
         g.getNumParallelLoops() == g.getNumLoops() &&
         g.getIndexingMapsArray().back().isIdentity();
}

/// The value of `bodyValue`, a scalar in the body of `g`, when it is a
/// constant: defined by a constant op, or the block argument of an input that
/// is a splat constant.
static std::optional<double> bodyScalarConstant(linalg::GenericOp g,
                                                Value bodyValue) {
  if (auto arg = dyn_cast<BlockArgument>(bodyValue)) {
    if (arg.getOwner() != g.getBody() ||
        arg.getArgNumber() >= g.getNumDpsInputs())
      return std::nullopt;
    return getScalarFloatConstant(g.getDpsInputs()[arg.getArgNumber()]);
  }
  return getScalarFloatConstant(bodyValue);
}

std::optional<double> mlir::loom::matchScalarScale(Value value, Value &input) {
  auto g = value.getDefiningOp<linalg::GenericOp>();
  if (!g || !isParallelWithIdentityOutput(g))
    return std::nullopt;
  Block *body = g.getBody();
  if (body->getOperations().size() != 2)
    return std::nullopt;
  Operation *op = &body->front();
  if (!isa<arith::MulFOp, arith::DivFOp>(op) ||
      body->getTerminator()->getOperand(0) != op->getResult(0))
    return std::nullopt;
  // Which operand of the body op is the data: a block argument of an input
  // read through an identity map with the result's type.
  for (unsigned side = 0; side < 2; ++side) {
    if (side == 1 && isa<arith::DivFOp>(op))
      break; // c / x is not a scale.
    auto arg = dyn_cast<BlockArgument>(op->getOperand(side));
    if (!arg || arg.getOwner() != body ||
        arg.getArgNumber() >= g.getNumDpsInputs())
      continue;
    unsigned idx = arg.getArgNumber();
    Value operand = g.getDpsInputs()[idx];
    if (!g.getIndexingMapsArray()[idx].isIdentity() ||
        operand.getType() != value.getType())
      continue;
    std::optional<double> c = bodyScalarConstant(g, op->getOperand(1 - side));
    if (!c)
      continue;
    if (isa<arith::DivFOp>(op)) {
      if (*c == 0.0)
        return std::nullopt;
      input = operand;
      return 1.0 / *c;
    }
    input = operand;
    return *c;
  }
  return std::nullopt;
}

/// Rewrites atoms of a collapsed dimension into the source dimensions `group`
/// (outermost first) of shape `srcShape`. Fails when an atom does not split at
/// the source dimensions' boundaries.
static bool splitCollapsed(const ViewAtom &atom, ArrayRef<int64_t> group,
                           ArrayRef<int64_t> srcShape, ViewDim &out) {
  if (atom.isBroadcast()) {
    out.push_back(atom);
    return true;
  }
  // Place value of each source dimension inside the collapsed index.
  SmallVector<int64_t> place(group.size());
  int64_t p = 1;
  for (int64_t i = group.size() - 1; i >= 0; --i) {
    place[i] = p;
    p *= srcShape[group[i]];
  }
  int64_t lo = atom.stride, hi = atom.stride * atom.size;
  int64_t covered = 1;
  for (size_t i = 0; i < group.size(); ++i) {
    int64_t dlo = place[i], dhi = place[i] * srcShape[group[i]];
    int64_t a = std::max(lo, dlo), b = std::min(hi, dhi);
    if (a >= b)
      continue;
    if (a % dlo != 0 || b % a != 0)
      return false;
    out.push_back(ViewAtom{group[i], a / dlo, b / a});
    covered *= b / a;
  }
  // The pieces must tile the atom exactly (no digit left uncovered).
  if (covered != atom.size)
    return false;
  return true;
}

void TensorView::stepThroughElementwise(Value input) {
  assert(cast<ShapedType>(input.getType()).getShape() ==
             cast<ShapedType>(source.getType()).getShape() &&
         "elementwise operand of another shape");
  source = input;
}

bool TensorView::stepBackOverScale() {
  Value input;
  std::optional<double> c = matchScalarScale(source, input);
  if (!c)
    return false;
  scale *= *c;
  source = input;
  return true;
}

bool TensorView::stepBack(bool allowScale) {
  Operation *def = source.getDefiningOp();
  if (!def)
    return false;
  SmallVector<ViewDim> next;
  auto rewriteAtoms = [&](auto fn) -> bool {
    for (const ViewDim &dim : dims) {
      ViewDim nd;
      for (const ViewAtom &atom : dim)
        if (!fn(atom, nd))
          return false;
      next.push_back(std::move(nd));
    }
    return true;
  };
  // Result dim d reads operand dim inDim[d] (kBroadcast: none, a broadcast).
  auto remapDims = [&](ArrayRef<int64_t> inDim) {
    return rewriteAtoms([&](const ViewAtom &a, ViewDim &nd) {
      if (a.isBroadcast() || inDim[a.dim] == ViewAtom::kBroadcast)
        nd.push_back(broadcast(a.size));
      else
        nd.push_back(ViewAtom{inDim[a.dim], a.stride, a.size});
      return true;
    });
  };

  if (auto exp = dyn_cast<tensor::ExpandShapeOp>(def)) {
    ArrayRef<int64_t> shape = exp.getResultType().getShape();
    SmallVector<int64_t> srcDimOf(shape.size()), strideOf(shape.size());
    for (auto [srcDim, group] :
         llvm::enumerate(exp.getReassociationIndices())) {
      int64_t s = 1;
      for (int64_t i = group.size() - 1; i >= 0; --i) {
        srcDimOf[group[i]] = srcDim;
        strideOf[group[i]] = s;
        s *= shape[group[i]];
      }
    }
    if (!rewriteAtoms([&](const ViewAtom &a, ViewDim &nd) {
          if (a.isBroadcast())
            nd.push_back(a);
          else
            nd.push_back(
                ViewAtom{srcDimOf[a.dim], a.stride * strideOf[a.dim], a.size});
          return true;
        }))
      return false;
    source = exp.getSrc();
  } else if (auto col = dyn_cast<tensor::CollapseShapeOp>(def)) {
    ArrayRef<int64_t> srcShape = col.getSrcType().getShape();
    SmallVector<ReassociationIndices> groups = col.getReassociationIndices();
    if (!rewriteAtoms([&](const ViewAtom &a, ViewDim &nd) {
          if (a.isBroadcast()) {
            nd.push_back(a);
            return true;
          }
          return splitCollapsed(a, groups[a.dim], srcShape, nd);
        }))
      return false;
    source = col.getSrc();
  } else if (auto tr = dyn_cast<linalg::TransposeOp>(def)) {
    if (!remapDims(tr.getPermutation()))
      return false;
    source = tr.getInput();
  } else if (auto bc = dyn_cast<linalg::BroadcastOp>(def)) {
    // Result dims not in `dimensions` are the input dims, in order.
    int64_t rank = bc.getInit().getType().getRank();
    SmallVector<int64_t> inDim(rank, ViewAtom::kBroadcast);
    ArrayRef<int64_t> added = bc.getDimensions();
    int64_t next = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(added, d))
        inDim[d] = next++;
    if (!remapDims(inDim))
      return false;
    source = bc.getInput();
  } else if (auto g = dyn_cast<linalg::GenericOp>(def)) {
    if (allowScale && stepBackOverScale())
      return true;
    // A copy through a projected map: broadcasts, permutations, unit dims.
    if (!isParallelWithIdentityOutput(g) || g.getNumDpsInputs() != 1)
      return false;
    Block *body = g.getBody();
    if (body->getOperations().size() != 1 ||
        body->getTerminator()->getOperand(0) != body->getArgument(0))
      return false;
    Value input = g.getDpsInputs()[0];
    auto inType = dyn_cast<RankedTensorType>(input.getType());
    if (!inType ||
        inType.getElementType() !=
            cast<RankedTensorType>(source.getType()).getElementType())
      return false;
    AffineMap map = g.getIndexingMapsArray()[0];
    int64_t rank = map.getNumDims();
    SmallVector<int64_t> inDim(rank, ViewAtom::kBroadcast);
    for (auto [i, expr] : llvm::enumerate(map.getResults())) {
      if (auto d = dyn_cast<AffineDimExpr>(expr)) {
        if (inDim[d.getPosition()] != ViewAtom::kBroadcast)
          return false; // a diagonal, not a view
        inDim[d.getPosition()] = i;
        continue;
      }
      auto c = dyn_cast<AffineConstantExpr>(expr);
      if (!c || c.getValue() != 0 || inType.getDimSize(i) != 1)
        return false; // reads a slice, not all of the input
    }
    if (!remapDims(inDim))
      return false;
    source = input;
  } else {
    return false;
  }
  dims = normalize(next);
  return true;
}
