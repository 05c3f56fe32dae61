//===- SkipTokens.cpp - loom-skip-tokens ----------------------------------===//
//
// Mixture-of-depths at inference: per chosen transformer block, a linear
// router scores the tokens of the block's input; the top `capacity` fraction
// goes through the block (re-typed to the kept tokens with
// retypeTokenSubset) and is scattered back over the input, so the other
// tokens pass through the residual path. With no trained router in the
// model, the router is the least-squares fit, on calibration inputs, of the
// norm of the block's residual update from the token.
//
//===----------------------------------------------------------------------===//

#include "Sublayers.h"

#include "loom/IR/LoomOps.h"
#include "loom/Pruning/Passes.h"
#include "loom/Quantization/Calibration.h"
#include "loom/Quantization/LinearLayers.h"

#include "loom/Transforms/TokenAxis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <numeric>

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMSKIPTOKENS
#include "loom/Pruning/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

/// `value` as %g prints it ("0.5", "1.5").
static std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%g", value);
  return text;
}

namespace {
constexpr StringLiteral kPass = "loom-skip-tokens";

/// A fitted router and how well it does on the calibration tokens.
struct Router {
  std::vector<double> weights;
  double bias = 0, r2 = 0, keptFraction = 0;
  int64_t numTokens = 0;
};

struct SkipTokensPass : loom::impl::LoomSkipTokensBase<SkipTokensPass> {
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return validateOptions([&](const Twine &what) {
      return errorHandler(Twine(kPass) + ": " + what);
    });
  }

  void runOnOperation() override;

private:
  LogicalResult validateOptions(function_ref<LogicalResult(const Twine &)> bad);
  LogicalResult fit(func::FuncOp func, ArrayRef<Sublayer> blocks,
                    ArrayRef<int64_t> keep, ArrayRef<SmallVector<int64_t>> pins,
                    std::vector<Router> &routers);
  LogicalResult rewrite(func::FuncOp func, const Sublayer &block,
                        const Router &router, int64_t keep,
                        ArrayRef<int64_t> pins);
};
} // namespace

LogicalResult SkipTokensPass::validateOptions(
    function_ref<LogicalResult(const Twine &)> bad) {
  if (!(capacity > 0.0 && capacity <= 1.0))
    return bad(
        "capacity must be in (0, 1], not " +
        (!capacity.hasValue() ? std::string("given") : formatNumber(capacity)));
  for (int64_t b : blocks)
    if (b < 0)
      return bad("blocks must be non-negative, not " + Twine(b));
  for (int64_t p : pinned)
    if (p < 0)
      return bad("pinned tokens must be non-negative, not " + Twine(p));
  if (calibration.empty())
    return bad("calibration is required (a directory of .npy model inputs)");
  return success();
}

/// `K` as loom.token.prune computes it from a ratio: rounded up, a product
/// within 1e-3 of an integer counting as that integer.
static int64_t keepCount(double capacity, int64_t numTokens) {
  double product = capacity * double(numTokens);
  double nearest = std::round(product);
  int64_t k = std::abs(product - nearest) <= 1e-3 ? int64_t(nearest)
                                                  : int64_t(std::ceil(product));
  return std::clamp<int64_t>(k, 1, numTokens);
}

/// The kept tokens of one sequence, as loom.token.prune selects them: the
/// pinned ones, then the highest scores (ties: the lowest index).
static std::vector<bool> selectTokens(ArrayRef<double> scores, int64_t keep,
                                      ArrayRef<int64_t> pins) {
  int64_t n = scores.size();
  std::vector<bool> kept(n, false);
  for (int64_t p : pins)
    kept[p] = true;
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  int64_t left = keep - int64_t(pins.size());
  for (int64_t i : order) {
    if (left <= 0)
      break;
    if (!kept[i]) {
      kept[i] = true;
      --left;
    }
  }
  return kept;
}

/// Solves the symmetric positive definite system `a x = rhs` (n x n, row
/// major) by Gaussian elimination with partial pivoting.
static std::vector<double> solve(std::vector<double> a,
                                 std::vector<double> rhs) {
  int64_t n = rhs.size();
  for (int64_t c = 0; c < n; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::abs(a[r * n + c]) > std::abs(a[pivot * n + c]))
        pivot = r;
    for (int64_t k = 0; k < n; ++k)
      std::swap(a[c * n + k], a[pivot * n + k]);
    std::swap(rhs[c], rhs[pivot]);
    for (int64_t r = c + 1; r < n; ++r) {
      double f = a[r * n + c] / a[c * n + c];
      for (int64_t k = c; k < n; ++k)
        a[r * n + k] -= f * a[c * n + k];
      rhs[r] -= f * rhs[c];
    }
  }
  std::vector<double> x(n);
  for (int64_t r = n - 1; r >= 0; --r) {
    double s = rhs[r];
    for (int64_t k = r + 1; k < n; ++k)
      s -= a[r * n + k] * x[k];
    x[r] = s / a[r * n + r];
  }
  return x;
}

LogicalResult SkipTokensPass::fit(func::FuncOp func, ArrayRef<Sublayer> chosen,
                                  ArrayRef<int64_t> keep,
                                  ArrayRef<SmallVector<int64_t>> pins,
                                  std::vector<Router> &routers) {
  FailureOr<std::vector<CalibrationSample>> samples =
      loadCalibrationSamples(func, calibration);
  if (failed(samples))
    return failure();
  SmallVector<Value> taps;
  for (const Sublayer &s : chosen)
    taps.append({s.input, s.output});
  // Per block: the rows x_t (with a trailing 1) and the targets ||y_t - x_t||,
  // and the sequence length of each row's sequence.
  size_t n = chosen.size();
  std::vector<std::vector<double>> rows(n), targets(n);
  std::vector<int64_t> dims(n), seqLens(n);
  for (size_t i = 0; i < n; ++i) {
    auto type = cast<RankedTensorType>(chosen[i].input.getType());
    seqLens[i] = type.getDimSize(1);
    dims[i] = type.getDimSize(2);
  }
  auto accumulate = [&](ArrayRef<const NpyArray *> arrays) -> LogicalResult {
    for (size_t i = 0; i < n; ++i) {
      const NpyArray &x = *arrays[2 * i], &y = *arrays[2 * i + 1];
      int64_t dim = dims[i], count = x.numElements() / dim;
      const float *xs = reinterpret_cast<const float *>(x.data.data());
      const float *ys = reinterpret_cast<const float *>(y.data.data());
      for (int64_t r = 0; r < count; ++r) {
        double norm = 0;
        for (int64_t c = r * dim; c < (r + 1) * dim; ++c) {
          double d = double(ys[c]) - double(xs[c]);
          norm += d * d;
          rows[i].push_back(xs[c]);
        }
        rows[i].push_back(1.0);
        targets[i].push_back(std::sqrt(norm));
      }
    }
    return success();
  };
  if (failed(runWithTaps(func, taps, *samples, accumulate)))
    return failure();

  for (size_t i = 0; i < n; ++i) {
    int64_t m = dims[i] + 1, count = targets[i].size();
    // Normal equations (X^T X + ridge I) w = X^T t, the ridge 1e-9 of the
    // mean diagonal so that fewer tokens than features stay solvable.
    std::vector<double> ata(m * m, 0.0), atb(m, 0.0);
    for (int64_t r = 0; r < count; ++r) {
      const double *row = &rows[i][r * m];
      for (int64_t a = 0; a < m; ++a) {
        atb[a] += row[a] * targets[i][r];
        for (int64_t b = 0; b < m; ++b)
          ata[a * m + b] += row[a] * row[b];
      }
    }
    double trace = 0;
    for (int64_t a = 0; a < m; ++a)
      trace += ata[a * m + a];
    for (int64_t a = 0; a < m; ++a)
      ata[a * m + a] += 1e-9 * trace / m + 1e-30;
    std::vector<double> w = solve(ata, atb);
    Router router;
    // As the f32 constants in the IR hold them.
    for (int64_t a = 0; a < m - 1; ++a)
      router.weights.push_back(float(w[a]));
    router.bias = float(w[m - 1]);
    router.numTokens = count;
    double mean = std::accumulate(targets[i].begin(), targets[i].end(), 0.0) /
                  std::max<int64_t>(count, 1);
    double ssRes = 0, ssTot = 0, keptNorm = 0, totalNorm = 0;
    std::vector<double> scores(count);
    for (int64_t r = 0; r < count; ++r) {
      double s = router.bias;
      for (int64_t a = 0; a < m - 1; ++a)
        s += router.weights[a] * rows[i][r * m + a];
      scores[r] = s;
      ssRes += (targets[i][r] - s) * (targets[i][r] - s);
      ssTot += (targets[i][r] - mean) * (targets[i][r] - mean);
    }
    router.r2 = ssTot > 0 ? 1.0 - ssRes / ssTot : 1.0;
    int64_t seq = seqLens[i];
    for (int64_t start = 0; start + seq <= count; start += seq) {
      std::vector<bool> kept = selectTokens(
          ArrayRef<double>(scores).slice(start, seq), keep[i], pins[i]);
      for (int64_t t = 0; t < seq; ++t) {
        totalNorm += targets[i][start + t];
        if (kept[t])
          keptNorm += targets[i][start + t];
      }
    }
    router.keptFraction = totalNorm > 0 ? keptNorm / totalNorm : 1.0;
    routers.push_back(std::move(router));
  }
  return success();
}

/// The first op outside the block that reads a value computed in it: the
/// block's ops are those on a path from `from` to `to` (not through the ops
/// of `stop`); any other reader of `from` or of their results escapes.
static Operation *findEscape(Value from, Value to,
                             const DenseSet<Operation *> &stop) {
  DenseSet<Operation *> forward;
  SmallVector<Value> worklist{from};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers())
      if (!stop.contains(user) && forward.insert(user).second)
        llvm::append_range(worklist, user->getResults());
  }
  DenseSet<Operation *> inBlock;
  SmallVector<Operation *> ops;
  if (Operation *def = to.getDefiningOp())
    ops.push_back(def);
  while (!ops.empty()) {
    Operation *op = ops.pop_back_val();
    if (!forward.contains(op) || !inBlock.insert(op).second)
      continue;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        ops.push_back(def);
  }
  auto escapes = [&](Value v) -> Operation * {
    for (Operation *user : v.getUsers())
      if (!stop.contains(user) && !inBlock.contains(user))
        return user;
    return nullptr;
  };
  if (Operation *user = escapes(from))
    return user;
  for (Operation *op : inBlock)
    for (Value result : op->getResults())
      if (result != to)
        if (Operation *user = escapes(result))
          return user;
  return nullptr;
}

LogicalResult SkipTokensPass::rewrite(func::FuncOp func, const Sublayer &block,
                                      const Router &router, int64_t keep,
                                      ArrayRef<int64_t> pins) {
  Value x = block.input, y = block.output;
  auto type = cast<RankedTensorType>(x.getType());
  int64_t batch = type.getDimSize(0), dim = type.getDimSize(2);
  Location loc = block.add->getLoc();
  MLIRContext *ctx = func.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointAfterValue(x);

  // score[b, s] = bias + sum_d x[b, s, d] * w[d]
  Type f32 = b.getF32Type();
  auto wType = RankedTensorType::get({dim}, f32);
  SmallVector<float> weights(router.weights.begin(), router.weights.end());
  Value w = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(wType, ArrayRef<float>(weights)));
  Value bias =
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(router.bias));
  auto scoreType = RankedTensorType::get({batch, type.getDimSize(1)}, f32);
  Value empty = tensor::EmptyOp::create(b, loc, scoreType.getShape(), f32);
  Value init = linalg::FillOp::create(b, loc, bias, empty).getResult(0);
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {d0, d1, d2}, ctx),
                              AffineMap::get(3, 0, {d2}, ctx),
                              AffineMap::get(3, 0, {d0, d1}, ctx)};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
  auto score = linalg::GenericOp::create(
      b, loc, scoreType, ValueRange{x, w}, ValueRange{init}, maps, iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
        Value sum = arith::AddFOp::create(nb, nloc, args[2], prod);
        linalg::YieldOp::create(nb, nloc, sum);
      });
  auto keptType = RankedTensorType::get({batch, keep, dim}, f32);
  auto indexType = RankedTensorType::get({batch, keep}, b.getI64Type());
  auto prune = TokenPruneOp::create(
      b, loc, keptType, indexType, x, score.getResult(0),
      b.getI64IntegerAttr(keep), FloatAttr(),
      pins.empty() ? DenseI64ArrayAttr() : b.getDenseI64ArrayAttr(pins));

  // A placeholder restore marks where the block ends: the re-typing stops
  // there and the callback builds the real restore.
  b.setInsertionPointAfterValue(y);
  auto marker =
      TokenRestoreOp::create(b, loc, y.getType(), y, Value(), Value(), Value());
  y.replaceAllUsesExcept(marker.getResult(), marker);
  auto undo = [&]() {
    marker.getResult().replaceAllUsesWith(y);
    marker->erase();
    prune->erase();
    score->erase();
    init.getDefiningOp()->erase();
    empty.getDefiningOp()->erase();
    bias.getDefiningOp()->erase();
    w.getDefiningOp()->erase();
    return failure();
  };
  DenseSet<Operation *> stop{score, prune, marker};
  if (Operation *escape = findEscape(x, y, stop)) {
    InFlightDiagnostic diag = escape->emitError()
                              << kPass << ": a value computed from the input "
                              << "of block " << block.index
                              << " is used after the block";
    diag.attachNote(loc) << "the block's residual add";
    return undo();
  }
  auto restore = [&](OpBuilder &rb, OpOperand &sink, Value reduced,
                     int64_t axis) -> FailureOr<Value> {
    if (sink.getOwner() != marker || axis != 1)
      return sink.getOwner()->emitError()
             << kPass << ": the kept tokens of block " << block.index
             << " reach an op outside the block";
    return TokenRestoreOp::create(rb, loc, y.getType(), reduced,
                                  prune.getIndices(), x, Value())
        .getResult();
  };
  RetypeOptions options;
  options.passName = kPass.str();
  // A constant carrying the token axis (the rotary cos/sin tables): its rows
  // at the kept indices.
  options.gatherConstant = [&](OpBuilder &gb, Value table, int64_t axis,
                               RankedTensorType newType) -> FailureOr<Value> {
    auto oldType = cast<RankedTensorType>(table.getType());
    Type elementType = oldType.getElementType();
    if (batch != 1 || !isa<FloatType>(elementType))
      return table.getDefiningOp()->emitError()
             << kPass << ": a constant carrying the token axis into block "
             << block.index
             << " is gathered at the kept tokens only for a batch of 1 and a "
                "float type, not batch "
             << batch << " and " << elementType;
    int64_t rank = newType.getRank();
    SmallVector<AffineExpr> dims, tableDims;
    for (int64_t d = 0; d <= rank; ++d)
      dims.push_back(gb.getAffineDimExpr(d));
    tableDims.assign(dims.begin(), dims.begin() + rank);
    tableDims[axis] = dims[rank];
    SmallVector<AffineMap> gatherMaps{
        AffineMap::get(rank + 1, 0, tableDims, ctx),
        AffineMap::get(rank + 1, 0, {gb.getAffineConstantExpr(0), dims[axis]},
                       ctx),
        AffineMap::get(rank + 1, 0, ArrayRef(dims).take_front(rank), ctx)};
    SmallVector<utils::IteratorType> gatherIterators(
        rank, utils::IteratorType::parallel);
    gatherIterators.push_back(utils::IteratorType::reduction);
    Value zero =
        arith::ConstantOp::create(gb, loc, gb.getZeroAttr(elementType));
    Value out =
        linalg::FillOp::create(
            gb, loc, zero,
            tensor::EmptyOp::create(gb, loc, newType.getShape(), elementType)
                .getResult())
            .getResult(0);
    // out[.., k, ..] = sum_s table[.., s, ..] * (s == idx[0, k]): exact, a
    // single non-zero term.
    return linalg::GenericOp::create(
               gb, loc, newType, ValueRange{table, prune.getIndices()},
               ValueRange{out}, gatherMaps, gatherIterators,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value s = linalg::IndexOp::create(nb, nloc, rank);
                 Value s64 =
                     arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), s);
                 Value hit = arith::CmpIOp::create(
                     nb, nloc, arith::CmpIPredicate::eq, s64, args[1]);
                 Value zeroElem = arith::ConstantOp::create(
                     nb, nloc, nb.getZeroAttr(args[0].getType()));
                 Value pick =
                     arith::SelectOp::create(nb, nloc, hit, args[0], zeroElem);
                 linalg::YieldOp::create(
                     nb, nloc,
                     ValueRange{arith::AddFOp::create(nb, nloc, args[2], pick)
                                    .getResult()});
               })
        .getResult(0);
  };
  if (failed(retypeTokenSubset(func, x, 1, prune.getKept(),
                               {score.getOperation(), prune.getOperation()},
                               restore, options)))
    return undo();
  marker.getResult().replaceAllUsesWith(marker.getInput());
  marker->erase();
  return success();
}

void SkipTokensPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (failed(validateOptions([&](const Twine &what) {
        return emitError(module.getLoc()) << kPass << ": " << what;
      })))
    return signalPassFailure();
  func::FuncOp func = getEntryFunction(module, function);
  if (!func)
    return signalPassFailure();
  std::vector<Sublayer> all = findSublayers(func, SublayerKind::Block);
  if (all.empty()) {
    func.emitError() << kPass
                     << ": found no transformer blocks (an attention "
                        "sublayer x + f(x) followed by its MLP sublayer)";
    return signalPassFailure();
  }
  int64_t numBlocks = all.size();
  SmallVector<int64_t> chosenIndices;
  if (blocks.hasValue()) {
    chosenIndices.assign(blocks.begin(), blocks.end());
    llvm::sort(chosenIndices);
    if (std::adjacent_find(chosenIndices.begin(), chosenIndices.end()) !=
        chosenIndices.end()) {
      func.emitError() << kPass << ": blocks lists a block twice";
      return signalPassFailure();
    }
    if (chosenIndices.back() >= numBlocks) {
      func.emitError() << kPass << ": block " << chosenIndices.back()
                       << " does not exist: the function has " << numBlocks
                       << " blocks";
      return signalPassFailure();
    }
  } else {
    for (int64_t i = 1; i < numBlocks; i += 2)
      chosenIndices.push_back(i);
    if (chosenIndices.empty()) {
      func.emitError() << kPass
                       << ": the function has one block; the default (every "
                          "other block from 1) chooses none, give blocks=0";
      return signalPassFailure();
    }
  }
  std::vector<Sublayer> chosen;
  SmallVector<int64_t> keep;
  SmallVector<SmallVector<int64_t>> pins;
  for (int64_t i : chosenIndices) {
    const Sublayer &s = all[i];
    auto type = dyn_cast<RankedTensorType>(s.input.getType());
    if (!type || type.getRank() != 3 || !type.hasStaticShape() ||
        !type.getElementType().isF32()) {
      mlir::emitError(s.add->getLoc())
          << kPass << ": the input of block " << i << " is "
          << s.input.getType()
          << ", not a static f32 tensor [batch, tokens, hidden]";
      return signalPassFailure();
    }
    int64_t seq = type.getDimSize(1);
    SmallVector<int64_t> blockPins;
    if (pinned.hasValue()) {
      blockPins.assign(pinned.begin(), pinned.end());
    } else {
      // Token 0 (the class token) for encoders; none for causal models.
      bool causal = false;
      func.walk([&](AttentionOp attn) { causal |= attn.getCausal(); });
      if (!causal)
        blockPins.push_back(0);
    }
    llvm::sort(blockPins);
    int64_t k = keepCount(capacity, seq);
    for (int64_t p : blockPins)
      if (p >= seq) {
        mlir::emitError(s.add->getLoc())
            << kPass << ": pinned token " << p << " is out of range: block "
            << i << " has " << seq << " tokens";
        return signalPassFailure();
      }
    if (std::adjacent_find(blockPins.begin(), blockPins.end()) !=
        blockPins.end()) {
      func.emitError() << kPass << ": pinned lists a token twice";
      return signalPassFailure();
    }
    if (int64_t(blockPins.size()) > k) {
      mlir::emitError(s.add->getLoc())
          << kPass << ": " << blockPins.size() << " pinned tokens but capacity "
          << formatNumber(capacity) << " keeps only " << k << " of the " << seq
          << " tokens of block " << i;
      return signalPassFailure();
    }
    chosen.push_back(s);
    keep.push_back(k);
    pins.push_back(blockPins);
  }

  std::vector<Router> routers;
  if (failed(fit(func, chosen, keep, pins, routers)))
    return signalPassFailure();

  Builder b(func.getContext());
  SmallVector<Attribute> records(chosen.size());
  // Backwards: a block's input may be the output of the previous one.
  for (int64_t c = int64_t(chosen.size()) - 1; c >= 0; --c) {
    const Sublayer &s = chosen[c];
    const Router &r = routers[c];
    int64_t seq = cast<RankedTensorType>(s.input.getType()).getDimSize(1);
    mlir::emitRemark(s.add->getLoc())
        << kPass << ": block " << s.index << ": router fitted on "
        << r.numTokens << " calibration tokens, R^2 "
        << llvm::formatv("{0:f4}", r.r2).str() << "; the " << keep[c] << " of "
        << seq << " tokens kept carry "
        << llvm::formatv("{0:f4}", r.keptFraction).str()
        << " of the update norm"
        << (keep[c] == seq ? " (every token kept: block unchanged)" : "");
    records[c] = b.getDictionaryAttr(
        {b.getNamedAttr("block", b.getI64IntegerAttr(s.index)),
         b.getNamedAttr("keep", b.getI64IntegerAttr(keep[c])),
         b.getNamedAttr("pinned", b.getDenseI64ArrayAttr(pins[c])),
         b.getNamedAttr("weights", b.getDenseF64ArrayAttr(r.weights)),
         b.getNamedAttr("bias", b.getF64FloatAttr(r.bias)),
         b.getNamedAttr("r2", b.getF64FloatAttr(r.r2)),
         b.getNamedAttr("kept_fraction", b.getF64FloatAttr(r.keptFraction))});
    if (keep[c] == seq)
      continue;
    if (failed(rewrite(func, s, r, keep[c], pins[c])))
      return signalPassFailure();
    ++numRouted;
  }
  func->setAttr("loom.skip_tokens",
                b.getDictionaryAttr(
                    {b.getNamedAttr("capacity", b.getF64FloatAttr(capacity)),
                     b.getNamedAttr("blocks", b.getArrayAttr(records))}));
}
