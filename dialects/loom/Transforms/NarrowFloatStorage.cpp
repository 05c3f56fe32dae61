//===- NarrowFloatStorage.cpp - loom-narrow-float-storage -----------------===//
//
// f32 tensors stored in f16 or bf16, arithmetic kept in f32: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMNARROWFLOATSTORAGE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {

/// Shape ops whose result element type is their source's: they follow a
/// narrowed source.
bool isElementTypePreserving(Operation *op) {
  return isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
             tensor::ExtractSliceOp>(op);
}

/// Whether every use of the f32 tensor `value` can read it narrowed: an
/// input of a linalg.generic (the body widens it), a tensor.extract (widened
/// after it), or the source of a shape op whose result qualifies in turn.
/// Results, inits of other ops (accumulators), concatenations and anything
/// else keep f32.
bool usesTolerateNarrowing(Value value) {
  Operation *func = value.getParentRegion()->getParentOp();
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    // The pass rewrites the function's top-level ops and the bodies of its
    // top-level generics; a reader nested elsewhere (scf) keeps f32.
    Operation *topLevel = user;
    if (isa<tensor::ExtractOp>(user))
      if (auto generic = user->getParentOfType<linalg::GenericOp>())
        topLevel = generic;
    if (topLevel->getParentOp() != func)
      return false;
    if (auto generic = dyn_cast<linalg::GenericOp>(user)) {
      if (!generic.isDpsInput(&use))
        return false;
      continue;
    }
    if (isa<tensor::ExtractOp>(user))
      continue;
    if (isElementTypePreserving(user) && use.getOperandNumber() == 0 &&
        usesTolerateNarrowing(user->getResult(0)))
      continue;
    return false;
  }
  return true;
}

bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

RankedTensorType withElementType(Type type, Type element) {
  return cast<RankedTensorType>(type).clone(element);
}

struct NarrowFloatStoragePass
    : loom::impl::LoomNarrowFloatStorageBase<NarrowFloatStoragePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    Type narrow;
    if (dtype == "f16")
      narrow = Float16Type::get(ctx);
    else if (dtype == "bf16")
      narrow = BFloat16Type::get(ctx);
    else {
      func.emitError() << "loom-narrow-float-storage: dtype must be f16 or "
                          "bf16, not '"
                       << dtype << "'";
      return signalPassFailure();
    }
    Type f32 = Float32Type::get(ctx);

    // Values now stored narrow (their readers widen them).
    llvm::SetVector<Value> narrowed;
    SmallVector<Operation *> topLevel;
    for (Operation &op : func.getBody().getOps())
      topLevel.push_back(&op);

    for (Operation *op : topLevel) {
      OpBuilder b(op);
      // Weights and other constants: converted at compile time.
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        if (!isF32Tensor(constant.getType()) ||
            !usesTolerateNarrowing(constant.getResult()))
          continue;
        auto type = withElementType(constant.getType(), narrow);
        TypedAttr converted = convertConstant(constant.getValue(), type);
        if (!converted)
          continue;
        auto replacement =
            arith::ConstantOp::create(b, constant.getLoc(), type, converted);
        constant.getResult().replaceAllUsesWith(replacement.getResult());
        constant.erase();
        narrowed.insert(replacement.getResult());
        continue;
      }
      if (isElementTypePreserving(op)) {
        if (narrowed.contains(op->getOperand(0))) {
          op->getResult(0).setType(
              withElementType(op->getResult(0).getType(), narrow));
          narrowed.insert(op->getResult(0));
        }
        continue;
      }
      if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
        narrowGeneric(generic, narrow, f32, narrowed);
        continue;
      }
      if (auto extract = dyn_cast<tensor::ExtractOp>(op))
        widenExtract(extract, f32, narrowed);
    }
  }

  /// `value` (f32 elements, inline or a resource) rounded to `type`'s
  /// element type; null for other attributes.
  static TypedAttr convertConstant(Attribute value, RankedTensorType type) {
    const llvm::fltSemantics &semantics =
        cast<FloatType>(type.getElementType()).getFloatSemantics();
    auto round = [&](APFloat v) {
      bool lost;
      v.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
      return static_cast<uint16_t>(v.bitcastToAPInt().getZExtValue());
    };
    if (auto dense = dyn_cast<DenseFPElementsAttr>(value))
      return dense.mapValues(type.getElementType(), [&](const APFloat &v) {
        return APInt(16, round(v));
      });
    auto resource = dyn_cast<DenseF32ResourceElementsAttr>(value);
    if (!resource)
      return {};
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return {};
    SmallVector<uint16_t> bits;
    bits.reserve(data->size());
    for (float v : *data)
      bits.push_back(round(APFloat(v)));
    std::string name =
        (resource.getRawHandle().getKey() + "_narrow").str();
    return DenseResourceElementsAttr::get(
        type, name,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef(bits)));
  }

  /// Widens a scalar read from a narrowed tensor back to f32 after it.
  void widenExtract(tensor::ExtractOp extract, Type f32,
                    const llvm::SetVector<Value> &narrowed) {
    if (!narrowed.contains(extract.getTensor()))
      return;
    extract.getResult().setType(
        cast<RankedTensorType>(extract.getTensor().getType())
            .getElementType());
    OpBuilder b(extract->getContext());
    b.setInsertionPointAfter(extract);
    auto wide =
        arith::ExtFOp::create(b, extract.getLoc(), f32, extract.getResult());
    extract.getResult().replaceAllUsesExcept(wide.getResult(), wide);
  }

  void narrowGeneric(linalg::GenericOp generic, Type narrow, Type f32,
                     llvm::SetVector<Value> &narrowed) {
    Block &body = generic.getRegion().front();
    OpBuilder b(generic->getContext());
    b.setInsertionPointToStart(&body);
    // Narrowed inputs: widened at the top of the body.
    for (OpOperand *input : generic.getDpsInputOperands()) {
      if (!narrowed.contains(input->get()))
        continue;
      BlockArgument arg = generic.getMatchingBlockArgument(input);
      arg.setType(narrow);
      auto wide = arith::ExtFOp::create(b, generic.getLoc(), f32, arg);
      arg.replaceAllUsesExcept(wide.getResult(), wide);
    }
    // Reads of narrowed tensors inside the body (gathers).
    generic.getRegion().walk([&](tensor::ExtractOp extract) {
      widenExtract(extract, f32, narrowed);
    });

    // Outputs: narrowed when the op reduces nothing (accumulators stay
    // f32), its init is a fresh tensor.empty, and every reader tolerates it.
    if (generic.getNumReductionLoops() != 0)
      return;
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    for (OpOperand &init : generic.getDpsInitsMutable()) {
      unsigned i = init.getOperandNumber() - generic.getNumDpsInputs();
      Value result = generic->getResult(i);
      auto empty = init.get().getDefiningOp<tensor::EmptyOp>();
      if (!isF32Tensor(result.getType()) || !empty ||
          !usesTolerateNarrowing(result))
        continue;
      BlockArgument arg = generic.getMatchingBlockArgument(&init);
      if (!arg.use_empty())
        continue;
      OpBuilder outer(generic);
      auto type = withElementType(result.getType(), narrow);
      init.set(tensor::EmptyOp::create(outer, empty.getLoc(), type,
                                       empty.getDynamicSizes()));
      arg.setType(narrow);
      result.setType(type);
      OpBuilder atYield(yield);
      auto truncated = arith::TruncFOp::create(atYield, yield.getLoc(), narrow,
                                               yield.getOperand(i));
      yield.setOperand(i, truncated.getResult());
      narrowed.insert(result);
      if (empty->use_empty())
        empty->erase();
    }
  }
};

} // namespace
