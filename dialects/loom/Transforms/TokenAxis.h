//===- TokenAxis.h - Which axis runs over the tokens ------------*- C++ -*-===//
//
// Shared by the passes that change the number of tokens a model computes on:
// loom-insert-kv-cache (S tokens -> P or 1), loom-drop-tokens (S -> K kept
// tokens) and the token-merging and token-skipping passes built on the same
// utility.
//
// TokenAxisAnalysis finds, by a dataflow propagation from one seed value and
// axis, which axis of every reachable tensor runs over the S tokens: through
// linalg indexing maps, reshape reassociations, slices, concatenation and the
// semantics of the loom ops (attention, rope, rms_norm, moe.ffn). It never
// guesses: an op that mixes tokens or whose axis relation is unknown is a
// diagnostic at its location, prefixed by the pass name.
//
// retypeTokenSubset rebuilds the part of a function that a token-reduced
// value flows into with the smaller token count. See docs/TokenReduction.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TRANSFORMS_TOKENAXIS_H
#define LOOM_TRANSFORMS_TOKENAXIS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

#include <functional>
#include <optional>

namespace mlir {
namespace loom {

/// A value and the axis of its type that runs over the tokens.
using AxisFact = std::pair<Value, int64_t>;

struct TokenAxisOptions {
  /// Prefixes every diagnostic ("loom-insert-kv-cache: ...").
  std::string passName;
  /// The number of tokens S every token axis must have.
  int64_t seqLen = 0;
  /// When set, only these ops are propagated through (the forward slice of a
  /// reduced value). A value carrying the token axis that is defined outside
  /// the scope must be the seed, a `tensor.empty`, a `linalg.fill` of one, or
  /// a splat constant (re-created at the new size by retypeTokenSubset); any
  /// other is a diagnostic. Uses outside the scope are not followed.
  const llvm::DenseSet<Operation *> *scope = nullptr;
  /// `tensor.extract_slice` of rows [0, n) along the token axis with
  /// `n <= keptPrefix` is allowed and leaves the token axis (the pinned
  /// leading tokens keep their rows after an order-preserving prune). 0: any
  /// slice along the token axis is a diagnostic.
  int64_t keptPrefix = 0;
  /// Allow `loom.attention` with a mask broadcast along the query rows
  /// (`[.., 1, S]`, e.g. ToMe's log-size bias) and with key scores; the
  /// KV-cache pass rejects both.
  bool allowAttentionExtras = false;
  /// `loom.token.restore` ops in the scope are sinks: their input carries the
  /// token axis, their result does not.
  bool restoreIsSink = false;
  /// A non-splat `arith.constant` defined outside the scope may carry the
  /// token axis (retypeTokenSubset gathers it through
  /// RetypeOptions::gatherConstant).
  bool allowConstants = false;
};

/// Which axis of each tensor value runs over the S tokens of the sequence.
/// Facts flow both ways through every op that touches a value carrying the
/// token axis; an op whose relation between operand and result axes is not
/// known, or that would mix tokens (a reduction over the token loop, a read
/// of the loop index, a token axis merged with another non-unit dimension),
/// is an error at its location.
class TokenAxisAnalysis {
public:
  TokenAxisAnalysis(func::FuncOp func, TokenAxisOptions options)
      : func(func), options(std::move(options)) {}

  /// Runs the propagation from `seed`; emits a diagnostic and fails on the
  /// first op it cannot handle.
  LogicalResult run(AxisFact seed);

  /// The token axis of `v`, if it has one.
  std::optional<int64_t> lookup(Value v) const {
    auto it = axes.find(v);
    if (it == axes.end())
      return std::nullopt;
    return it->second;
  }

  /// Every value with a token axis, in discovery order.
  const llvm::MapVector<Value, int64_t> &getAxes() const { return axes; }

private:
  LogicalResult assign(Value v, int64_t axis, Operation *from);
  LogicalResult checkOutsideDef(Value v, Operation *def);
  LogicalResult implied(Operation *op, Value v, int64_t axis,
                        SmallVectorImpl<AxisFact> &out);
  LogicalResult impliedLinalg(linalg::LinalgOp op, Value v, int64_t axis,
                              SmallVectorImpl<AxisFact> &out);
  LogicalResult impliedReshape(Operation *op, Value v, int64_t axis,
                               SmallVectorImpl<AxisFact> &out);
  InFlightDiagnostic error(Operation *op);
  bool inScope(Operation *op) const {
    return !options.scope || options.scope->contains(op);
  }

  func::FuncOp func;
  TokenAxisOptions options;
  Value seed;
  llvm::MapVector<Value, int64_t> axes;
  SmallVector<Value> worklist;
};

/// Builds, before `sink`'s owner, the value that replaces the operand `sink`
/// (of its old, full-length type) from `reduced`, the rebuilt value with K
/// tokens along `axis`; typically a `loom.token.restore`. A sink is a
/// `func.return` operand or the input of an existing `loom.token.restore`.
/// For the latter the callback returns that restore's new input: of the old
/// input's type (nested reductions: restore one level), or `reduced` itself
/// (the restore then reads the reduced rows; the caller makes its indices
/// match). The seed `from` may be such a restore's `fill` (mixture-of-depths:
/// skipped tokens keep the block input); it stays untouched.
using RestoreFn = function_ref<FailureOr<Value>(OpBuilder &b, OpOperand &sink,
                                                Value reduced, int64_t axis)>;

struct RetypeOptions {
  /// Prefixes every diagnostic.
  std::string passName;
  /// See TokenAxisOptions::keptPrefix.
  int64_t keptPrefix = 0;
  /// When set, a non-splat `arith.constant` outside the slice that carries
  /// the token axis (e.g. the rotary cos/sin tables of Llama, downstream of
  /// a prune) is replaced by the value this returns, of type `type` (`K`
  /// tokens along `axis`), built at the builder's insertion point (before
  /// its first reader in the slice); typically the constant's rows at the
  /// kept indices. Unset: such a constant is a diagnostic.
  std::function<FailureOr<Value>(OpBuilder &b, Value constant, int64_t axis,
                                 RankedTensorType type)>
      gatherConstant;
};

struct RetypeResult {
  /// Old values and ops -> their rebuilt counterparts (the old ops are
  /// erased: use the keys only as lookup handles).
  IRMapping mapping;
  /// The number of ops rebuilt.
  int64_t numRebuilt = 0;
};

/// Rebuilds every op of the forward slice of `from` (not descending through
/// the ops in `exclude`, e.g. the score and prune ops that read `from`
/// themselves) with `K = size of to along axis` instead of `S = size of from`
/// along the token axis, reading `to` where the slice read `from`. Inits
/// defined outside the slice are re-created at the new size; where the token
/// axis reaches a sink, `restore` builds the full-length value. The old ops
/// are erased. `to` must be defined before the first op of the slice. Emits
/// a diagnostic (prefixed by the pass name) and fails, leaving the function
/// unchanged, when the slice cannot be re-typed.
FailureOr<RetypeResult> retypeTokenSubset(func::FuncOp func, Value from,
                                          int64_t axis, Value to,
                                          ArrayRef<Operation *> exclude,
                                          RestoreFn restore,
                                          const RetypeOptions &options);

/// Replaces `value[..] = from[.., k, ..]` gathers with a constant index (the
/// exporter's form of `hidden[:, 0]` in a pooler, a `tensor.extract` inside a
/// `linalg.generic`) by extract_slice and collapse_shape, which the token-axis
/// propagation understands (a value read inside a region is an error there).
void rewriteConstantTokenSelects(func::FuncOp func);

} // namespace loom
} // namespace mlir

#endif // LOOM_TRANSFORMS_TOKENAXIS_H
