//===- MatMul.cpp - ONNX MatMul, Gemm and Einsum --------------------------===//
//
// MatMul as one contraction (ImporterBase::matmul: linalg.matmul with the
// batch folded into M, or linalg.batch_matmul on collapsed batch dims); Gemm
// as transposes, linalg.matmul and generics for alpha and beta * C; Einsum
// of two operands that is a (batched) matrix product up to transposes as
// transposes, reshapes and one MatMul, any other as one contraction
// `linalg.generic` (output labels parallel, the others reductions).
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
class MatMulImporter : public ImporterBase {
public:
  using ImporterBase::ImporterBase;

  LogicalResult opMatMul(Inputs &in, Outputs &out);
  LogicalResult opGemm(Inputs &in, Outputs &out);
  LogicalResult opEinsum(Inputs &in, Outputs &out);
};
} // namespace

LogicalResult MatMulImporter::opMatMul(Inputs &in, Outputs &out) {
  if (in[0]->type.getElementType() != in[1]->type.getElementType())
    return nodeFail("operand element types differ");
  FailureOr<Value> r = matmul(get(*in[0]), get(*in[1]));
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r));
  return success();
}

LogicalResult MatMulImporter::opGemm(Inputs &in, Outputs &out) {
  Value a = get(*in[0]), w = get(*in[1]);
  if (in[0]->type.getRank() != 2 || in[1]->type.getRank() != 2)
    return nodeFail("A and B must be 2-D");
  if (attrInt("transA", 0))
    a = transpose(a, {1, 0});
  if (attrInt("transB", 0))
    w = transpose(w, {1, 0});
  double alpha = attrFloat("alpha", 1.0f), beta = attrFloat("beta", 1.0f);
  FailureOr<Value> r = matmul(a, w);
  if (failed(r))
    return failure();
  Type et = in[0]->type.getElementType();
  if (!isFloat(et))
    return nodeFail("Gemm expects floating-point operands");
  Value y = *r;
  if (alpha != 1.0) {
    FailureOr<Value> s = elementwise(
        {y}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
          return arith::MulFOp::create(
              nb, l, v[0],
              arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, alpha)));
        });
    if (failed(s))
      return failure();
    y = *s;
  }
  if (in.size() > 2 && in[2] && beta != 0.0) {
    auto yShape = cast<RankedTensorType>(y.getType()).getShape();
    FailureOr<Value> s = elementwise(
        {y, get(*in[2])}, et,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
          Value c = v[1];
          if (beta != 1.0)
            c = arith::MulFOp::create(
                nb, l, c,
                arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, beta)));
          return arith::AddFOp::create(nb, l, v[0], c);
        },
        yShape);
    if (failed(s))
      return failure();
    if (cast<RankedTensorType>(s->getType()).getShape() != yShape)
      return nodeFail("C does not broadcast to the result shape");
    y = *s;
  }
  out.push_back(fromValue(y));
  return success();
}

/// One Einsum term split into labels; an ellipsis becomes the labels
/// `0`, `1`, ... (right-aligned over the widest ellipsis, as numpy
/// broadcasts them), which no letter can clash with.
static FailureOr<SmallVector<char>> einsumLabels(StringRef term, int64_t rank,
                                                 int64_t &ellipsisRank,
                                                 int64_t maxEllipsis,
                                                 std::string &why) {
  SmallVector<char> labels;
  size_t dots = term.find("...");
  int64_t letters = 0;
  for (char c : term)
    letters += llvm::isAlpha(c);
  if (term.count('.') != (dots == StringRef::npos ? 0 : 3)) {
    why = "malformed ellipsis";
    return failure();
  }
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (i == dots) {
      ellipsisRank = rank < 0 ? maxEllipsis : rank - letters;
      if (ellipsisRank < 0) {
        why = "operand rank smaller than its labels";
        return failure();
      }
      for (int64_t e = maxEllipsis - ellipsisRank; e < maxEllipsis; ++e)
        labels.push_back('0' + e);
      i += 2;
      continue;
    }
    if (!llvm::isAlpha(c)) {
      why = llvm::formatv("invalid label '{0}'", c).str();
      return failure();
    }
    labels.push_back(c);
  }
  if (dots == StringRef::npos && rank >= 0 && letters != rank) {
    why = llvm::formatv("a term has {0} labels for an operand of rank {1}",
                        letters, rank)
              .str();
    return failure();
  }
  return labels;
}

LogicalResult MatMulImporter::opEinsum(Inputs &in, Outputs &out) {
  std::string equation = attrString("equation", "");
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  auto refuse = [&](const Twine &why) {
    return nodeFail("equation '" + equation + "': " + why);
  };
  StringRef lhs = eq, rhs;
  bool explicitOut = false;
  if (size_t arrow = lhs.find("->"); arrow != StringRef::npos) {
    rhs = lhs.substr(arrow + 2);
    lhs = lhs.substr(0, arrow);
    explicitOut = true;
  }
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != in.size())
    return refuse(llvm::formatv("{0} operand terms for {1} inputs",
                                terms.size(), in.size())
                      .str());
  Type et = in[0]->type.getElementType();
  if (et.isInteger(1))
    return nodeFail("expects numeric (not bool) inputs");
  for (OValue *v : in)
    if (!v || v->type.getElementType() != et)
      return nodeFail("every input must be present and have the same element "
                      "type");
  // The widest ellipsis first: every term's labels are right-aligned to it.
  int64_t maxEllipsis = 0;
  for (auto [t, v] : llvm::zip(terms, in))
    if (t.contains("...")) {
      int64_t letters = llvm::count_if(t, llvm::isAlpha);
      maxEllipsis = std::max(maxEllipsis, v->type.getRank() - letters);
    }
  std::string why;
  SmallVector<SmallVector<char>> inLabels;
  std::map<char, int64_t> size, count;
  SmallVector<char> order; // first appearance
  for (auto [i, t] : llvm::enumerate(terms)) {
    int64_t er = 0;
    auto labels = einsumLabels(t, in[i]->type.getRank(), er, maxEllipsis, why);
    if (failed(labels))
      return refuse(why);
    ArrayRef<int64_t> shape = in[i]->type.getShape();
    llvm::SmallDenseSet<char> seen;
    for (auto [d, c] : llvm::enumerate(*labels)) {
      if (!seen.insert(c).second)
        return refuse(llvm::formatv("label '{0}' repeats in operand {1} "
                                    "(diagonals are not supported)",
                                    c, i)
                          .str());
      if (!size.count(c)) {
        order.push_back(c);
        size[c] = shape[d];
      } else if (size[c] != shape[d]) {
        if (size[c] == 1)
          size[c] = shape[d];
        else if (shape[d] != 1)
          return refuse(llvm::formatv("label '{0}' has sizes {1} and {2}", c,
                                      size[c], shape[d])
                            .str());
      }
      ++count[c];
    }
    inLabels.push_back(std::move(*labels));
  }
  SmallVector<char> outLabels;
  if (explicitOut) {
    int64_t er = 0;
    auto labels = einsumLabels(rhs, -1, er, maxEllipsis, why);
    if (failed(labels))
      return refuse(why);
    llvm::SmallDenseSet<char> seen;
    for (char c : *labels) {
      if (!size.count(c))
        return refuse(
            llvm::formatv("output label '{0}' is in no operand", c).str());
      if (!seen.insert(c).second)
        return refuse(llvm::formatv("output label '{0}' repeats", c).str());
    }
    outLabels = std::move(*labels);
  } else {
    // Implicit output: the ellipsis, then the labels used once, sorted.
    for (int64_t e = 0; e < maxEllipsis; ++e)
      outLabels.push_back('0' + e);
    SmallVector<char> once;
    for (char c : order)
      if (count[c] == 1 && llvm::isAlpha(c))
        once.push_back(c);
    llvm::sort(once);
    outLabels.append(once);
  }
  // Two operands whose labels are all batch (both operands and the output),
  // free (one operand and the output) or contracted (both operands only),
  // without broadcasting: transposes and reshapes around one linalg.matmul
  // or batch_matmul (ImporterBase::matmul), the form the CPU kernels and the
  // attention raising take.
  if (in.size() == 2) {
    llvm::SmallDenseSet<char> inA(inLabels[0].begin(), inLabels[0].end()),
        inB(inLabels[1].begin(), inLabels[1].end()),
        inOut(outLabels.begin(), outLabels.end());
    SmallVector<char> batchL, mL, nL, kL;
    bool contraction = true;
    for (char c : order) {
      bool a = inA.contains(c), w = inB.contains(c), o = inOut.contains(c);
      if (a && w)
        (o ? batchL : kL).push_back(c);
      else if (a && o)
        mL.push_back(c);
      else if (w && o)
        nL.push_back(c);
      else
        contraction = false; // summed over one operand only
    }
    for (int i = 0; i < 2; ++i)
      for (auto [d, c] : llvm::enumerate(inLabels[i]))
        contraction &= in[i]->type.getDimSize(d) == size[c];
    if (contraction) {
      auto sizeOf = [&](ArrayRef<char> labels) {
        int64_t n = 1;
        for (char c : labels)
          n *= size[c];
        return n;
      };
      // Operand i with its labels reordered as `groups`, collapsed to one
      // dimension per group (the batch group only when there is one).
      auto arrange = [&](int i, ArrayRef<ArrayRef<char>> groups) {
        SmallVector<int64_t> perm, shape;
        for (auto [gi, g] : llvm::enumerate(groups)) {
          for (char c : g)
            perm.push_back(llvm::find(inLabels[i], c) - inLabels[i].begin());
          if (gi != 0 || !batchL.empty())
            shape.push_back(sizeOf(g));
        }
        Value v = get(*in[i]);
        if (!llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
          v = transpose(v, perm);
        return reshape(v, shape);
      };
      FailureOr<Value> r =
          matmul(arrange(0, {batchL, mL, kL}), arrange(1, {batchL, kL, nL}));
      if (failed(r))
        return failure();
      SmallVector<char> labels(batchL);
      labels.append(mL);
      labels.append(nL);
      SmallVector<int64_t> shape, perm;
      for (char c : labels)
        shape.push_back(size[c]);
      for (char c : outLabels)
        perm.push_back(llvm::find(labels, c) - labels.begin());
      Value v = reshape(*r, shape);
      if (!llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
        v = transpose(v, perm);
      out.push_back(fromValue(v, in[0]->isUnsigned));
      return success();
    }
  }
  // Loops: the output labels (parallel), then the summed ones (reduction).
  std::map<char, unsigned> loop;
  SmallVector<utils::IteratorType> iters;
  SmallVector<int64_t> outShape;
  for (char c : outLabels) {
    loop[c] = loop.size();
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(size[c]);
  }
  for (char c : order)
    if (!loop.count(c)) {
      loop[c] = loop.size();
      iters.push_back(utils::IteratorType::reduction);
    }
  unsigned nl = loop.size();
  SmallVector<AffineMap> maps;
  SmallVector<Value> operands;
  for (auto [i, labels] : llvm::enumerate(inLabels)) {
    SmallVector<AffineExpr> exprs;
    ArrayRef<int64_t> shape = in[i]->type.getShape();
    for (auto [d, c] : llvm::enumerate(labels))
      exprs.push_back(shape[d] == 1 && size[c] != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(loop[c]));
    maps.push_back(AffineMap::get(nl, 0, exprs, ctx));
    operands.push_back(get(*in[i]));
  }
  SmallVector<AffineExpr> outExprs;
  for (char c : outLabels)
    outExprs.push_back(b.getAffineDimExpr(loop[c]));
  maps.push_back(AffineMap::get(nl, 0, outExprs, ctx));
  Value init = filled(outShape, et, 0.0);
  size_t n = operands.size();
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, operands, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value p = args[0];
        for (size_t i = 1; i < n; ++i)
          p = combine(nb, l, "prod", args[i], p);
        linalg::YieldOp::create(nb, l, combine(nb, l, "sum", p, args[n]));
      });
  out.push_back(fromValue(op.getResult(0), in[0]->isUnsigned));
  return success();
}

void mlir::loom::onnx_import::registerMatMulOps(ConverterTable &table) {
  table.add("MatMul", 2, &MatMulImporter::opMatMul);
  table.add("Gemm", 2, &MatMulImporter::opGemm);
  table.add("Einsum", 1, &MatMulImporter::opEinsum);
}
