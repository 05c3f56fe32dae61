//===- SpecializeExperts.cpp - loom-hls-specialize-experts ----------------===//
//
// Keeps a task's experts of every loom.moe.ffn: the router weight's columns
// and the expert weights' rows of the kept experts, folded into new
// constants when the weights are constants, so the other experts' weights
// leave the module (docs/HLSOps.md).
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/Passes.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSSPECIALIZEEXPERTS
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// The raw row-major bytes of a constant `value` (dense or dense_resource,
/// not splat), or nullopt.
std::optional<ArrayRef<char>> constantBytes(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    if (dense.isSplat())
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource =
          dyn_cast<DenseResourceElementsAttr>(constant.getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  return std::nullopt;
}

/// `value` with only the entries `keep` of dimension `dim`, as a new constant
/// when `value` is one (the bytes copied), else extract_slice + concat.
Value selectAlong(OpBuilder &b, Location loc, Value value, int64_t dim,
                  ArrayRef<int64_t> keep) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = keep.size();
  auto newType = RankedTensorType::get(shape, type.getElementType());
  unsigned bits = type.getElementTypeBitWidth();
  std::optional<ArrayRef<char>> bytes = constantBytes(value);
  if (bytes && bits % 8 == 0 &&
      static_cast<int64_t>(bytes->size()) ==
          type.getNumElements() * (bits / 8)) {
    int64_t outer = 1, inner = bits / 8;
    for (int64_t i = 0; i < dim; ++i)
      outer *= type.getDimSize(i);
    for (int64_t i = dim + 1; i < type.getRank(); ++i)
      inner *= type.getDimSize(i);
    int64_t extent = type.getDimSize(dim);
    std::vector<char> data;
    data.reserve(outer * keep.size() * inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t e : keep) {
        const char *row = bytes->data() + (o * extent + e) * inner;
        data.insert(data.end(), row, row + inner);
      }
    Attribute attr;
    if (isa<DenseResourceElementsAttr>(
            value.getDefiningOp<arith::ConstantOp>().getValue()))
      attr = DenseResourceElementsAttr::get(
          newType, "loom_hls_experts",
          HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<char>(data)));
    else
      attr = DenseElementsAttr::getFromRawBuffer(newType, data);
    return arith::ConstantOp::create(b, loc, newType, cast<TypedAttr>(attr));
  }
  SmallVector<Value> pieces;
  for (int64_t e : keep) {
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(b.getIndexAttr(size));
    offsets[dim] = b.getIndexAttr(e);
    sizes[dim] = b.getIndexAttr(1);
    pieces.push_back(
        tensor::ExtractSliceOp::create(b, loc, value, offsets, sizes, strides));
  }
  if (pieces.size() == 1)
    return pieces.front();
  return tensor::ConcatOp::create(b, loc, dim, pieces);
}

struct SpecializeExpertsPass
    : public loom::impl::LoomHLSSpecializeExpertsBase<SpecializeExpertsPass> {
  using Base::Base;

  LogicalResult check(MoEFFNOp op, int64_t numExperts) {
    if (experts.empty())
      return op.emitError() << "loom-hls-specialize-experts needs a non-empty "
                               "`experts` list";
    for (auto [i, e] : llvm::enumerate(experts)) {
      if (e < 0 || e >= numExperts)
        return op.emitError() << "loom-hls-specialize-experts: expert " << e
                              << " is out of range for a layer of "
                              << numExperts << " experts";
      if (i > 0 && e <= experts[i - 1])
        return op.emitError() << "loom-hls-specialize-experts: `experts` must "
                                 "be strictly ascending";
    }
    int64_t kept = static_cast<int64_t>(experts.size());
    if (op.getNumSlots() > kept)
      return op.emitError() << "loom-hls-specialize-experts keeps " << kept
                            << " experts but the router selects "
                            << op.getNumSlots() << " per token";
    if (op.getCapacityFactor())
      return op.emitError() << "loom-hls-specialize-experts: a capacity "
                               "factor depends on the number of experts";
    if (!op.getScales().empty() || !op.getZeroPoints().empty())
      return op.emitError()
             << "loom-hls-specialize-experts: quantized experts are not "
                "supported";
    if (std::optional<ArrayAttr> kinds = op.getKinds())
      for (Attribute kind : *kinds)
        if (cast<MoEExpertKindAttr>(kind).getValue() != MoEExpertKind::ffn)
          return op.emitError() << "loom-hls-specialize-experts: expert kinds "
                                   "other than ffn are not supported";
    return success();
  }

  void runOnOperation() override {
    SmallVector<MoEFFNOp> layers;
    getOperation()->walk([&](MoEFFNOp op) { layers.push_back(op); });
    SmallVector<int64_t> keep(experts.begin(), experts.end());
    for (MoEFFNOp op : layers) {
      int64_t numExperts =
          cast<RankedTensorType>(op.getRouterWeight().getType()).getDimSize(1);
      if (failed(check(op, numExperts)))
        return signalPassFailure();
      if (static_cast<int64_t>(keep.size()) == numExperts)
        continue;
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Operation *> oldDefs;
      auto replace = [&](OpOperand &operand, int64_t dim) {
        Value old = operand.get();
        if (Operation *def = old.getDefiningOp<arith::ConstantOp>())
          oldDefs.push_back(def);
        operand.set(selectAlong(b, loc, old, dim, keep));
      };
      replace(op.getRouterWeightMutable(), 1);
      replace(op.getW1Mutable(), 0);
      replace(op.getW2Mutable(), 0);
      if (op.getW3())
        replace(op.getW3Mutable()[0], 0);
      if (op.getKinds())
        op.setKindsAttr(b.getArrayAttr(SmallVector<Attribute>(
            keep.size(),
            MoEExpertKindAttr::get(&getContext(), MoEExpertKind::ffn))));
      for (Operation *def : oldDefs)
        if (def->use_empty()) {
          auto type = cast<RankedTensorType>(def->getResult(0).getType());
          numDroppedBytes +=
              type.getNumElements() * type.getElementTypeBitWidth() / 8;
          def->erase();
        }
      ++numSpecialized;
    }
  }
};

} // namespace
