//===- FuseProjections.cpp - loom-fuse-projections ------------------------===//
//
// Linear projections that read the same activation (attention's q/k/v, the
// SwiGLU gate/up pair) become one matmul on the column-concatenated weight,
// whose result is split back by tensor.extract_slice: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMFUSEPROJECTIONS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

/// The row-major bytes of a constant tensor (dense, splat or a resource), if
/// its elements are whole bytes.
static std::optional<SmallVector<char>> getConstantBytes(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0)
    return std::nullopt;
  size_t bytes = static_cast<size_t>(type.getNumElements()) * (bits / 8);
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    raw = dense.getRawData();
    if (dense.isSplat()) {
      SmallVector<char> out;
      out.reserve(bytes);
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        out.append(raw.begin(), raw.begin() + bits / 8);
      return out;
    }
  } else if (auto resource =
                 dyn_cast<DenseResourceElementsAttr>(constant.getValue())) {
    const AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    raw = blob->getData();
  } else {
    return std::nullopt;
  }
  if (raw.size() != bytes)
    return std::nullopt;
  return SmallVector<char>(raw.begin(), raw.end());
}

/// What projections must share to be fused: the activation, the scalar their
/// destination is filled with, the weight's type apart from its column count,
/// the result's element type, the block and linalg.matmul's attributes.
struct ProjectionKey {
  Value input;
  Attribute fillValue;
  Type weightElement, resultElement;
  int64_t rows;
  Block *block;
  DictionaryAttr attributes;
  bool operator==(const ProjectionKey &other) const {
    return input == other.input && fillValue == other.fillValue &&
           weightElement == other.weightElement &&
           resultElement == other.resultElement && rows == other.rows &&
           block == other.block && attributes == other.attributes;
  }
};

/// The key of a matmul that reads a static 2-D activation and a constant 2-D
/// weight into a fresh destination filled with a constant; none otherwise.
static std::optional<ProjectionKey> getProjectionKey(linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op.hasUserDefinedMaps() ||
      op->getNumResults() != 1)
    return std::nullopt;
  Value input = op.getDpsInputOperand(0)->get();
  Value weight = op.getDpsInputOperand(1)->get();
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!inputType || !weightType || !resultType || !inputType.hasStaticShape() ||
      !weightType.hasStaticShape() || !resultType.hasStaticShape() ||
      weightType.getRank() != 2 || resultType.getRank() != 2)
    return std::nullopt;
  if (!matchPattern(weight, m_Constant()))
    return std::nullopt;
  auto fill = op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
  if (!fill || !fill.hasPureTensorSemantics() ||
      !fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
    return std::nullopt;
  Attribute fillValue;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&fillValue)))
    return std::nullopt;
  // The attributes that change semantics (cast); the pass copies them.
  NamedAttrList attributes;
  for (NamedAttribute attr : op->getAttrs())
    if (attr.getName() != "operandSegmentSizes" &&
        attr.getName() != "indexing_maps")
      attributes.push_back(attr);
  return ProjectionKey{input,
                       fillValue,
                       weightType.getElementType(),
                       resultType.getElementType(),
                       weightType.getDimSize(0),
                       op->getBlock(),
                       attributes.getDictionary(op.getContext())};
}

/// Replaces `group` (at least two projections with one key) by one matmul on
/// the concatenated weight and a slice per projection. Fails, changing
/// nothing, when a weight's bytes cannot be read.
static LogicalResult fuseGroup(ArrayRef<linalg::MatmulOp> group,
                               const ProjectionKey &key) {
  SmallVector<SmallVector<char>> weights;
  SmallVector<int64_t> columns;
  for (linalg::MatmulOp op : group) {
    std::optional<SmallVector<char>> bytes =
        getConstantBytes(op.getDpsInputOperand(1)->get());
    if (!bytes)
      return failure();
    weights.push_back(std::move(*bytes));
    columns.push_back(
        cast<RankedTensorType>(op->getResult(0).getType()).getDimSize(1));
  }
  int64_t total = 0;
  for (int64_t n : columns)
    total += n;
  size_t elementBytes = key.weightElement.getIntOrFloatBitWidth() / 8;
  SmallVector<char> fused;
  fused.reserve(key.rows * total * elementBytes);
  for (int64_t row = 0; row < key.rows; ++row)
    for (auto [bytes, n] : llvm::zip(weights, columns)) {
      size_t rowBytes = n * elementBytes;
      fused.append(bytes.begin() + row * rowBytes,
                   bytes.begin() + (row + 1) * rowBytes);
    }

  // The fused matmul stands where the first projection stood: its input and
  // every weight (constants) dominate that point.
  linalg::MatmulOp first = group.front();
  for (linalg::MatmulOp op : group)
    if (op->isBeforeInBlock(first))
      first = op;
  OpBuilder builder(first);
  SmallVector<Location> locs;
  for (linalg::MatmulOp op : group)
    locs.push_back(op.getLoc());
  Location loc = builder.getFusedLoc(locs);
  auto weightType = RankedTensorType::get({key.rows, total}, key.weightElement);
  Attribute weightAttr;
  if (key.rows * total > 64)
    weightAttr = DenseResourceElementsAttr::get(
        weightType, "loom_fused_projection",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(fused,
                                                      alignof(uint64_t)));
  else
    weightAttr = DenseElementsAttr::getFromRawBuffer(weightType, fused);
  Value weight = arith::ConstantOp::create(builder, loc, weightType,
                                           cast<TypedAttr>(weightAttr));
  int64_t rows =
      cast<RankedTensorType>(first->getResult(0).getType()).getDimSize(0);
  auto resultType = RankedTensorType::get({rows, total}, key.resultElement);
  Value empty = tensor::EmptyOp::create(builder, loc, resultType.getShape(),
                                        key.resultElement);
  Value scalar =
      arith::ConstantOp::create(builder, loc, cast<TypedAttr>(key.fillValue));
  Value init = linalg::FillOp::create(builder, loc, scalar, empty).result();
  auto matmul = linalg::MatmulOp::create(
      builder, loc, TypeRange{resultType}, ValueRange{key.input, weight},
      ValueRange{init}, key.attributes.getValue());

  int64_t offset = 0;
  for (auto [index, n] : llvm::enumerate(columns)) {
    linalg::MatmulOp op = group[index];
    builder.setInsertionPoint(op);
    SmallVector<OpFoldResult> offsets = {builder.getIndexAttr(0),
                                         builder.getIndexAttr(offset)};
    SmallVector<OpFoldResult> sizes = {builder.getIndexAttr(rows),
                                       builder.getIndexAttr(n)};
    SmallVector<OpFoldResult> strides(2, builder.getIndexAttr(1));
    Value slice = tensor::ExtractSliceOp::create(
        builder, op.getLoc(), matmul->getResult(0), offsets, sizes, strides);
    op->getResult(0).replaceAllUsesWith(slice);
    op->erase();
    offset += n;
  }
  return success();
}

namespace {
struct FuseProjectionsPass
    : loom::impl::LoomFuseProjectionsBase<FuseProjectionsPass> {
  void runOnOperation() override {
    // Projections in program order, grouped by key.
    SmallVector<std::pair<ProjectionKey, SmallVector<linalg::MatmulOp>>> groups;
    getOperation().walk([&](linalg::MatmulOp op) {
      std::optional<ProjectionKey> key = getProjectionKey(op);
      if (!key)
        return;
      for (auto &[existing, members] : groups)
        if (existing == *key) {
          members.push_back(op);
          return;
        }
      groups.push_back({*key, {op}});
    });
    for (auto &[key, members] : groups) {
      if (members.size() < 2 || failed(fuseGroup(members, key)))
        continue;
      ++numGroups;
      numProjections += members.size();
    }
  }
};
} // namespace
