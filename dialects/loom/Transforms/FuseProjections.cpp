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
      weightType.getRank() != 2 || resultType.getRank() != 2 ||
      !weightType.getElementType().isIntOrFloat() ||
      !resultType.getElementType().isIntOrFloat())
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

/// A bias add that follows a projection: `add(expand_shape?(result), bias)`
/// with the projection's result used only there, an expand_shape that keeps
/// the column dimension, and a constant 1-D bias broadcast along columns.
struct BiasAdd {
  tensor::ExpandShapeOp expand; // null: the add reads the matmul directly
  linalg::GenericOp add;
  Value bias;
};

static std::optional<BiasAdd> getBiasAdd(linalg::MatmulOp op) {
  Value value = op->getResult(0);
  if (!value.hasOneUse())
    return std::nullopt;
  auto expand = dyn_cast<tensor::ExpandShapeOp>(*value.getUsers().begin());
  if (expand) {
    if (expand.getReassociationIndices().back().size() != 1 ||
        !expand.getResult().hasOneUse())
      return std::nullopt;
    value = expand.getResult();
  }
  auto add = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
  if (!add || add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
      add.getNumLoops() != add.getNumParallelLoops() ||
      !add.hasPureTensorSemantics() ||
      add.getResult(0).getType() != value.getType() ||
      !add.getIndexingMapsArray().back().isIdentity())
    return std::nullopt;
  Block *body = add.getBlock();
  auto addf = dyn_cast<arith::AddFOp>(body->front());
  if (body->getOperations().size() != 2 || !addf ||
      body->getTerminator()->getOperand(0) != addf.getResult() ||
      !llvm::is_contained(addf->getOperands(), body->getArgument(0)) ||
      !llvm::is_contained(addf->getOperands(), body->getArgument(1)))
    return std::nullopt;
  unsigned self = add.getDpsInputOperand(0)->get() == value ? 0 : 1;
  if (add.getDpsInputOperand(self)->get() != value ||
      !add.getIndexingMapsArray()[self].isIdentity())
    return std::nullopt;
  Value bias = add.getDpsInputOperand(1 - self)->get();
  AffineMap map = add.getIndexingMapsArray()[1 - self];
  auto biasType = dyn_cast<RankedTensorType>(bias.getType());
  unsigned last = map.getNumDims() - 1;
  if (!biasType || biasType.getRank() != 1 ||
      biasType.getElementType() !=
          cast<RankedTensorType>(value.getType()).getElementType() ||
      map.getNumResults() != 1 ||
      map.getResult(0) != getAffineDimExpr(last, map.getContext()) ||
      !matchPattern(bias, m_Constant()))
    return std::nullopt;
  return BiasAdd{expand, add, bias};
}

/// Replaces `group` (at least two projections with one key) by one matmul on
/// the concatenated weight and a slice per projection. Fails, changing
/// nothing, when a weight's bytes cannot be read; true when the bias adds
/// were fused too.
static FailureOr<bool> fuseGroup(ArrayRef<linalg::MatmulOp> group,
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
  // Bias adds after every projection become one add on the concatenated
  // bias (which loom-fuse-epilogues can then move into the accumulator).
  SmallVector<BiasAdd> biasAdds;
  SmallVector<char> biases;
  for (linalg::MatmulOp op : group) {
    std::optional<BiasAdd> biasAdd = getBiasAdd(op);
    std::optional<SmallVector<char>> bytes;
    if (biasAdd)
      bytes = getConstantBytes(biasAdd->bias);
    if (!bytes) {
      biasAdds.clear();
      break;
    }
    biasAdds.push_back(*biasAdd);
    biases.append(bytes->begin(), bytes->end());
  }
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
      builder, loc, TypeRange{resultType},
      // The members' operand, not key.input: fusing an earlier group may have
      // replaced the activation (a projection of it) by a slice.
      ValueRange{first.getDpsInputOperand(0)->get(), weight}, ValueRange{init},
      key.attributes.getValue());
  Value product = matmul->getResult(0);
  if (!biasAdds.empty()) {
    auto biasType = RankedTensorType::get({total}, key.resultElement);
    Value bias = arith::ConstantOp::create(
        builder, loc, biasType,
        cast<TypedAttr>(DenseElementsAttr::getFromRawBuffer(biasType, biases)));
    MLIRContext *context = builder.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, context);
    AffineMap alongColumns =
        AffineMap::get(2, 0, getAffineDimExpr(1, context), context);
    Value empty = tensor::EmptyOp::create(builder, loc, resultType.getShape(),
                                          key.resultElement);
    product =
        linalg::GenericOp::create(
            builder, loc, TypeRange{resultType}, ValueRange{product, bias},
            ValueRange{empty},
            ArrayRef<AffineMap>{identity, alongColumns, identity},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  arith::AddFOp::create(b, l, args[0], args[1]).getResult());
            })
            .getResult(0);
  }

  int64_t offset = 0;
  for (auto [index, n] : llvm::enumerate(columns)) {
    linalg::MatmulOp op = group[index];
    builder.setInsertionPoint(op);
    SmallVector<OpFoldResult> offsets = {builder.getIndexAttr(0),
                                         builder.getIndexAttr(offset)};
    SmallVector<OpFoldResult> sizes = {builder.getIndexAttr(rows),
                                       builder.getIndexAttr(n)};
    SmallVector<OpFoldResult> strides(2, builder.getIndexAttr(1));
    if (!biasAdds.empty())
      builder.setInsertionPoint(biasAdds[index].add);
    Value slice = tensor::ExtractSliceOp::create(builder, op.getLoc(), product,
                                                 offsets, sizes, strides);
    if (biasAdds.empty()) {
      op->getResult(0).replaceAllUsesWith(slice);
      op->erase();
    } else {
      // The add's users read the slice of the biased product instead.
      BiasAdd &biasAdd = biasAdds[index];
      Value value = slice;
      if (biasAdd.expand)
        value = tensor::ExpandShapeOp::create(
            builder, biasAdd.expand.getLoc(), biasAdd.expand.getResultType(),
            slice, biasAdd.expand.getReassociationIndices(),
            biasAdd.expand.getMixedOutputShape());
      biasAdd.add->getResult(0).replaceAllUsesWith(value);
      biasAdd.add->erase();
      if (biasAdd.expand)
        biasAdd.expand->erase();
      op->erase();
    }
    offset += n;
  }
  return !biasAdds.empty();
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
      if (members.size() < 2)
        continue;
      FailureOr<bool> withBiases = fuseGroup(members, key);
      if (failed(withBiases))
        continue;
      if (*withBiases)
        numBiases += members.size();
      ++numGroups;
      numProjections += members.size();
    }
  }
};
} // namespace
