//===- TensorView.h - Pure data-movement views of tensors -------*- C++ -*-===//
//
// Raising passes must prove that a chain of reshapes, transposes and
// broadcasts (whatever order an exporter or the canonicalizer left them in)
// reads a tensor in one specific way, e.g. "operand[b*H + h, s, d] is
// K[b, h / G, s, d]". TensorView answers that without enumerating op
// sequences: it walks a value's producers backwards and keeps, for every
// dimension of the value, the list of source-dimension factors ("atoms") its
// index decomposes into.
//
// Every op it steps through moves data only: tensor.expand_shape /
// collapse_shape (row-major reshapes), linalg.transpose, linalg.broadcast,
// copy-only linalg.generic ops whose input map is a projection (broadcasts,
// permutations) and, when asked, multiplications by a scalar constant (the
// factor is accumulated separately).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ANALYSIS_TENSORVIEW_H
#define LOOM_ANALYSIS_TENSORVIEW_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir {
namespace loom {

/// One factor of a view dimension: the view index is decomposed row-major
/// over the atoms of its dimension (outermost first); atom `a` with index
/// `i < a.size` adds `i * a.stride` to the index of source dimension
/// `a.dim`, or reads nothing when `a.dim == kBroadcast`.
struct ViewAtom {
  static constexpr int64_t kBroadcast = -1;
  int64_t dim;
  int64_t stride;
  int64_t size;

  bool isBroadcast() const { return dim == kBroadcast; }
  bool operator==(const ViewAtom &o) const {
    return dim == o.dim && size == o.size &&
           (isBroadcast() || stride == o.stride);
  }
  bool operator!=(const ViewAtom &o) const { return !(*this == o); }
};

using ViewDim = SmallVector<ViewAtom, 2>;

/// A description `view[i...] = scale * source[j...]` of a ranked tensor in
/// terms of an earlier tensor it was computed from by data movement only.
class TensorView {
public:
  /// The trivial view of `value` on itself.
  static TensorView identity(Value value);

  /// The source tensor the view reads.
  Value getSource() const { return source; }
  /// The dimensions of the viewed tensor, as normalised atom lists.
  ArrayRef<ViewDim> getDims() const { return dims; }
  /// The product of the scalar factors stepped over (1 unless scales were
  /// allowed).
  double getScale() const { return scale; }

  /// Replaces the source by the operand of the op that defines it when that
  /// op only moves data (and, with `allowScale`, when it multiplies or divides
  /// by a scalar constant). Returns false, leaving the view unchanged, when the
  /// defining op is anything else or the view cannot be expressed through it.
  bool stepBack(bool allowScale = false);

  /// Re-targets the view at `input`, a tensor of the source's shape whose
  /// elements correspond one to one (the data operand of an elementwise op the
  /// caller has interpreted).
  void stepThroughElementwise(Value input);

  /// Steps back (see stepBack) until `pred(*this)` holds, then keeps stepping
  /// over scalar scales (when `allowScale`) so that the scale is folded into
  /// the view rather than left in the source. Returns false, with the view
  /// wherever stepping stopped, when `pred` never holds.
  template <typename Pred>
  bool stepBackUntil(Pred pred, bool allowScale = false) {
    while (!pred(*this))
      if (!stepBack(allowScale))
        return false;
    if (allowScale)
      while (stepBackOverScale()) {
      }
    return true;
  }

  /// Steps over a scalar scale only.
  bool stepBackOverScale();

  /// True when the view reads all of its source in order (`view == source`).
  bool isIdentity() const;

  /// True when dims() equals `want` after normalisation.
  bool equals(ArrayRef<ViewDim> want) const;

  /// Drops size-1 atoms and merges adjacent atoms that continue each other.
  static SmallVector<ViewDim> normalize(ArrayRef<ViewDim> dims);

  /// The atom covering all of source dimension `dim` of a source with shape
  /// `shape`.
  static ViewAtom whole(ArrayRef<int64_t> shape, int64_t dim) {
    return ViewAtom{dim, 1, shape[dim]};
  }
  static ViewAtom broadcast(int64_t size) {
    return ViewAtom{ViewAtom::kBroadcast, 0, size};
  }

  /// For debugging and failure messages: "[(0:1x4)(b:2)][(2:1x16)]".
  std::string toString() const;

private:
  Value source;
  SmallVector<ViewDim> dims;
  double scale = 1.0;
};

/// If `value` is produced from `input` by a linalg.generic that multiplies or
/// divides every element by the same scalar constant, returns the factor
/// (`1/c` for a division) and sets `input`.
std::optional<double> matchScalarScale(Value value, Value &input);

/// The value of a scalar float constant: an `arith.constant` float, or a
/// splat floating-point tensor constant.
std::optional<double> getScalarFloatConstant(Value value);

} // namespace loom
} // namespace mlir

#endif // LOOM_ANALYSIS_TENSORVIEW_H
