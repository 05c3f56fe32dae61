//===- ConstantEvaluator.cpp - Values of small constant tensors -----------===//
//
// A small interpreter over the ops listed in ConstantEvaluator.h. Anything it
// does not know makes the value "not constant"; it never guesses.
//
//===----------------------------------------------------------------------===//

#include "loom/Analysis/ConstantEvaluator.h"
#include "loom/Analysis/TensorView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::loom;

namespace {
using Values = SmallVector<double>;

/// Rounds `x` to what an element of type `t` holds.
double roundTo(Type t, double x) {
  if (t.isF64())
    return x;
  if (auto ft = dyn_cast<FloatType>(t)) {
    if (t.isF32())
      return static_cast<float>(x);
    llvm::APFloat f(x);
    bool lost;
    f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
              &lost);
    return f.convertToDouble();
  }
  if (t.isInteger(1))
    return x != 0 ? 1 : 0;
  if (auto it = dyn_cast<IntegerType>(t); it && it.getWidth() < 64) {
    // Integer arithmetic wraps at the type's width (two's complement); values
    // of signless types are kept signed, as constants are read.
    double m = std::ldexp(1.0, it.getWidth());
    double r = std::fmod(x, m);
    if (r < 0)
      r += m;
    if (!it.isUnsigned() && r >= m / 2)
      r -= m;
    return r;
  }
  return x;
}

std::optional<Values> readRaw(ArrayRef<char> data, Type et, int64_t n) {
  unsigned bits = et.getIntOrFloatBitWidth();
  int64_t bytes = et.isInteger(1) ? 1 : bits / 8;
  if (static_cast<int64_t>(data.size()) != n * bytes)
    return std::nullopt;
  Values out(n);
  const char *p = data.data();
  for (int64_t i = 0; i < n; ++i, p += bytes) {
    if (et.isF32()) {
      float f;
      std::memcpy(&f, p, 4);
      out[i] = f;
    } else if (et.isF64()) {
      std::memcpy(&out[i], p, 8);
    } else if (auto ft = dyn_cast<FloatType>(et)) {
      uint64_t raw = 0;
      std::memcpy(&raw, p, bytes);
      llvm::APFloat f(ft.getFloatSemantics(), llvm::APInt(bits, raw));
      out[i] = f.convertToDouble();
    } else if (et.isInteger(1)) {
      out[i] = *p ? 1 : 0;
    } else if (auto it = dyn_cast<IntegerType>(et)) {
      int64_t v = 0;
      std::memcpy(&v, p, bytes);
      if (!it.isUnsigned() && bits < 64)
        v = llvm::SignExtend64(v, bits);
      out[i] = static_cast<double>(v);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

class Evaluator {
public:
  explicit Evaluator(int64_t maxElements) : maxElements(maxElements) {}

  std::optional<Values> eval(Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || !type.hasStaticShape() ||
        type.getNumElements() > maxElements ||
        !type.getElementType().isIntOrFloat())
      return std::nullopt;
    auto it = cache.find(v);
    if (it != cache.end())
      return it->second;
    std::optional<Values> r = compute(v, type);
    cache[v] = r;
    return r;
  }

private:
  std::optional<Values> compute(Value v, RankedTensorType type) {
    int64_t n = type.getNumElements();
    Type et = type.getElementType();
    Operation *def = v.getDefiningOp();
    if (!def)
      return std::nullopt;
    if (auto cst = dyn_cast<arith::ConstantOp>(def)) {
      if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
        Values out;
        out.reserve(n);
        if (isa<FloatType>(et)) {
          for (APFloat f : dense.getValues<APFloat>())
            out.push_back(f.convertToDouble());
        } else {
          bool isUnsigned = et.isUnsignedInteger() || et.isInteger(1);
          for (APInt i : dense.getValues<APInt>())
            out.push_back(isUnsigned ? static_cast<double>(i.getZExtValue())
                                     : static_cast<double>(i.getSExtValue()));
        }
        return out;
      }
      if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue())) {
        AsmResourceBlob *blob = res.getRawHandle().getBlob();
        if (!blob)
          return std::nullopt;
        return readRaw(blob->getData(), et, n);
      }
      return std::nullopt;
    }
    if (auto fill = dyn_cast<linalg::FillOp>(def)) {
      std::optional<double> c = scalar(fill.getInputs()[0]);
      if (!c)
        return std::nullopt;
      return Values(n, roundTo(et, *c));
    }
    // Views: read the source through the atoms.
    TensorView view = TensorView::identity(v);
    if (view.stepBack(/*allowScale=*/false))
      return gatherView(view, type);
    if (auto g = dyn_cast<linalg::GenericOp>(def))
      return evalGeneric(g, cast<OpResult>(v).getResultNumber(), type);
    return std::nullopt;
  }

  std::optional<double> scalar(Value v) {
    Attribute a;
    if (!matchPattern(v, m_Constant(&a)))
      return std::nullopt;
    if (auto f = dyn_cast<FloatAttr>(a))
      return f.getValueAsDouble();
    if (auto i = dyn_cast<IntegerAttr>(a))
      return i.getType().isUnsignedInteger() || i.getType().isInteger(1)
                 ? static_cast<double>(i.getValue().getZExtValue())
                 : static_cast<double>(i.getValue().getSExtValue());
    return std::nullopt;
  }

  std::optional<Values> gatherView(const TensorView &view,
                                   RankedTensorType type) {
    std::optional<Values> src = eval(view.getSource());
    if (!src)
      return std::nullopt;
    auto srcType = cast<RankedTensorType>(view.getSource().getType());
    SmallVector<int64_t> srcStrides(srcType.getRank(), 1);
    for (int64_t d = srcType.getRank() - 2; d >= 0; --d)
      srcStrides[d] = srcStrides[d + 1] * srcType.getDimSize(d + 1);
    int64_t n = type.getNumElements();
    Values out(n);
    SmallVector<int64_t> idx(type.getRank(), 0);
    for (int64_t lin = 0; lin < n; ++lin) {
      int64_t rem = lin;
      for (int64_t d = type.getRank() - 1; d >= 0; --d) {
        idx[d] = rem % type.getDimSize(d);
        rem /= type.getDimSize(d);
      }
      int64_t off = 0;
      for (auto [d, atoms] : llvm::enumerate(view.getDims())) {
        int64_t i = idx[d];
        for (int64_t a = atoms.size() - 1; a >= 0; --a) {
          const ViewAtom &atom = atoms[a];
          int64_t digit = i % atom.size;
          i /= atom.size;
          if (!atom.isBroadcast())
            off += digit * atom.stride * srcStrides[atom.dim];
        }
      }
      out[lin] = (*src)[off];
    }
    return out;
  }

  std::optional<Values> evalGeneric(linalg::GenericOp g, unsigned result,
                                    RankedTensorType type) {
    if (g.getNumParallelLoops() != g.getNumLoops())
      return std::nullopt;
    SmallVector<AffineMap> maps = g.getIndexingMapsArray();
    AffineMap outMap = maps[g.getNumDpsInputs() + result];
    if (!outMap.isIdentity())
      return std::nullopt;
    // Inputs and the inits the body reads.
    SmallVector<std::optional<Values>> operands;
    for (OpOperand &o : g->getOpOperands()) {
      BlockArgument arg = g.getMatchingBlockArgument(&o);
      if (arg.use_empty()) {
        operands.push_back(Values());
        continue;
      }
      operands.push_back(eval(o.get()));
      if (!operands.back())
        return std::nullopt;
      if (!maps[o.getOperandNumber()].isProjectedPermutation(
              /*allowZeroInResults=*/true))
        return std::nullopt;
    }
    int64_t n = type.getNumElements();
    int64_t rank = type.getRank();
    Values out(n);
    SmallVector<int64_t> idx(rank, 0);
    Block *body = g.getBody();
    for (int64_t lin = 0; lin < n; ++lin) {
      int64_t rem = lin;
      for (int64_t d = rank - 1; d >= 0; --d) {
        idx[d] = rem % type.getDimSize(d);
        rem /= type.getDimSize(d);
      }
      llvm::SmallDenseMap<Value, double, 16> env;
      for (OpOperand &o : g->getOpOperands()) {
        BlockArgument arg = g.getMatchingBlockArgument(&o);
        if (arg.use_empty())
          continue;
        auto ot = cast<RankedTensorType>(o.get().getType());
        AffineMap m = maps[o.getOperandNumber()];
        int64_t off = 0;
        for (auto [k, e] : llvm::enumerate(m.getResults())) {
          int64_t i = 0;
          if (auto d = dyn_cast<AffineDimExpr>(e))
            i = idx[d.getPosition()];
          off = off * ot.getDimSize(k) + i;
        }
        env[arg] = (*operands[o.getOperandNumber()])[off];
      }
      for (Operation &op : body->without_terminator()) {
        std::optional<double> r = step(op, env, idx);
        if (!r)
          return std::nullopt;
        env[op.getResult(0)] = roundTo(op.getResult(0).getType(), *r);
      }
      Value y = body->getTerminator()->getOperand(result);
      auto it = env.find(y);
      if (it != env.end()) {
        out[lin] = it->second;
      } else if (std::optional<double> c = scalar(y)) {
        out[lin] = *c;
      } else {
        return std::nullopt;
      }
    }
    return out;
  }

  std::optional<double> step(Operation &op,
                             llvm::SmallDenseMap<Value, double, 16> &env,
                             ArrayRef<int64_t> idx) {
    if (op.getNumResults() != 1)
      return std::nullopt;
    auto get = [&](unsigned i) -> std::optional<double> {
      Value v = op.getOperand(i);
      auto it = env.find(v);
      if (it != env.end())
        return it->second;
      return scalar(v);
    };
    if (auto c = dyn_cast<arith::ConstantOp>(op))
      return scalar(c.getResult());
    if (auto ix = dyn_cast<linalg::IndexOp>(op))
      return static_cast<double>(idx[ix.getDim()]);
    SmallVector<double, 3> a;
    for (unsigned i = 0; i < op.getNumOperands(); ++i) {
      std::optional<double> x = get(i);
      if (!x)
        return std::nullopt;
      a.push_back(*x);
    }
    if (isa<arith::AddFOp, arith::AddIOp>(op))
      return a[0] + a[1];
    if (isa<arith::SubFOp, arith::SubIOp>(op))
      return a[0] - a[1];
    if (isa<arith::MulFOp, arith::MulIOp>(op))
      return a[0] * a[1];
    if (isa<arith::DivFOp>(op))
      return a[0] / a[1];
    if (isa<arith::NegFOp>(op))
      return -a[0];
    if (isa<arith::MaximumFOp, arith::MaxNumFOp, arith::MaxSIOp>(op))
      return std::max(a[0], a[1]);
    if (isa<arith::MinimumFOp, arith::MinNumFOp, arith::MinSIOp>(op))
      return std::min(a[0], a[1]);
    if (isa<arith::SelectOp>(op))
      return a[0] != 0 ? a[1] : a[2];
    if (isa<arith::AndIOp>(op) && op.getResult(0).getType().isInteger(1))
      return (a[0] != 0 && a[1] != 0) ? 1 : 0;
    if (isa<arith::OrIOp>(op) && op.getResult(0).getType().isInteger(1))
      return (a[0] != 0 || a[1] != 0) ? 1 : 0;
    if (isa<arith::XOrIOp>(op) && op.getResult(0).getType().isInteger(1))
      return ((a[0] != 0) != (a[1] != 0)) ? 1 : 0;
    if (isa<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp, arith::ExtSIOp,
            arith::IndexCastOp>(op))
      return a[0];
    if (isa<arith::UIToFPOp, arith::ExtUIOp>(op)) {
      Type in = op.getOperand(0).getType();
      if (in.isInteger(1))
        return a[0];
      unsigned w = in.getIntOrFloatBitWidth();
      return a[0] < 0 ? a[0] + std::ldexp(1.0, w) : a[0];
    }
    if (auto c = dyn_cast<arith::CmpFOp>(op)) {
      double x = a[0], y = a[1];
      bool uno = std::isnan(x) || std::isnan(y);
      using P = arith::CmpFPredicate;
      switch (c.getPredicate()) {
      case P::AlwaysFalse:
        return 0;
      case P::AlwaysTrue:
        return 1;
      case P::OEQ:
        return !uno && x == y;
      case P::ONE:
        return !uno && x != y;
      case P::OLT:
        return !uno && x < y;
      case P::OLE:
        return !uno && x <= y;
      case P::OGT:
        return !uno && x > y;
      case P::OGE:
        return !uno && x >= y;
      case P::ORD:
        return !uno;
      case P::UEQ:
        return uno || x == y;
      case P::UNE:
        return uno || x != y;
      case P::ULT:
        return uno || x < y;
      case P::ULE:
        return uno || x <= y;
      case P::UGT:
        return uno || x > y;
      case P::UGE:
        return uno || x >= y;
      case P::UNO:
        return uno;
      }
      return std::nullopt;
    }
    if (auto c = dyn_cast<arith::CmpIOp>(op)) {
      double x = a[0], y = a[1];
      using P = arith::CmpIPredicate;
      switch (c.getPredicate()) {
      case P::eq:
        return x == y;
      case P::ne:
        return x != y;
      case P::slt:
        return x < y;
      case P::sle:
        return x <= y;
      case P::sgt:
        return x > y;
      case P::sge:
        return x >= y;
      default:
        return std::nullopt; // unsigned compares of signed values: not needed
      }
    }
    return std::nullopt;
  }

  int64_t maxElements;
  llvm::DenseMap<Value, std::optional<Values>> cache;
};
} // namespace

std::optional<SmallVector<double>>
mlir::loom::evaluateConstantTensor(Value value, int64_t maxElements) {
  Evaluator e(maxElements);
  return e.eval(value);
}
