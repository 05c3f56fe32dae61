//===- KernelCalls.cpp - Calling CPU kernels from tensor IR ---------------===//

#include "KernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;

MemRefType mlir::loom::getDynamicStridedType(Type elementType, int64_t rank) {
  int64_t dynamic = ShapedType::kDynamic;
  auto layout = StridedLayoutAttr::get(elementType.getContext(), dynamic,
                                       SmallVector<int64_t>(rank, dynamic));
  return MemRefType::get(SmallVector<int64_t>(rank, dynamic), elementType,
                         layout);
}

Value mlir::loom::toDynamicBuffer(RewriterBase &rewriter, Location loc,
                                  Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value buffer = bufferization::ToBufferOp::create(
      rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
      tensor, /*read_only=*/true);
  return memref::CastOp::create(
      rewriter, loc,
      getDynamicStridedType(type.getElementType(), type.getRank()), buffer);
}

Value mlir::loom::toDynamicBufferThroughTranspose(RewriterBase &rewriter,
                                                  Location loc, Value tensor) {
  auto transpose = tensor.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || !transpose.hasPureTensorSemantics())
    return toDynamicBuffer(rewriter, loc, tensor);
  Value input = transpose.getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  Value buffer = bufferization::ToBufferOp::create(
      rewriter, loc,
      MemRefType::get(inputType.getShape(), inputType.getElementType()), input,
      /*read_only=*/true);
  // Result dimension i of both transposes is input dimension permutation[i].
  auto permutation = AffineMapAttr::get(AffineMap::getPermutationMap(
      transpose.getPermutation(), rewriter.getContext()));
  Value view = memref::TransposeOp::create(rewriter, loc, buffer, permutation);
  return memref::CastOp::create(
      rewriter, loc,
      getDynamicStridedType(inputType.getElementType(), inputType.getRank()),
      view);
}

BufferPointer mlir::loom::getBufferPointer(RewriterBase &rewriter, Location loc,
                                           Value buffer) {
  Type i64 = rewriter.getI64Type();
  Type ptrType = LLVM::LLVMPointerType::get(rewriter.getContext());
  Type elementType = cast<MemRefType>(buffer.getType()).getElementType();
  auto toI64 = [&](Value index) -> Value {
    return arith::IndexCastOp::create(rewriter, loc, i64, index);
  };
  auto metadata =
      memref::ExtractStridedMetadataOp::create(rewriter, loc, buffer);
  Value aligned =
      memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc, buffer);
  Value base = LLVM::IntToPtrOp::create(rewriter, loc, ptrType, toI64(aligned));
  BufferPointer result;
  result.pointer =
      LLVM::GEPOp::create(rewriter, loc, ptrType, elementType, base,
                          ValueRange{toI64(metadata.getOffset())});
  for (Value stride : metadata.getStrides())
    result.strides.push_back(toI64(stride));
  return result;
}

func::FuncOp mlir::loom::getOrInsertPlainKernelDecl(RewriterBase &rewriter,
                                                    ModuleOp module,
                                                    StringRef name,
                                                    TypeRange inputs) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto decl =
      func::FuncOp::create(rewriter, module.getLoc(), name,
                           FunctionType::get(module.getContext(), inputs, {}));
  decl.setPrivate();
  return decl;
}

func::FuncOp mlir::loom::getOrInsertKernelDecl(RewriterBase &rewriter,
                                               ModuleOp module, StringRef name,
                                               TypeRange inputs) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto decl = func::FuncOp::create(rewriter, module.getLoc(), name,
                                   FunctionType::get(context, inputs, {}));
  decl.setPrivate();
  // Memref descriptors by pointer: the kernel's C side reads them as structs.
  decl->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(context));
  return decl;
}

KernelResult mlir::loom::allocateKernelResult(RewriterBase &rewriter,
                                              Location loc,
                                              RankedTensorType resultType) {
  Value buffer = memref::AllocOp::create(
      rewriter, loc,
      MemRefType::get(resultType.getShape(), resultType.getElementType()));
  Value view = memref::CastOp::create(
      rewriter, loc,
      getDynamicStridedType(resultType.getElementType(), resultType.getRank()),
      buffer);
  return {buffer, view};
}

void mlir::loom::replaceOpWithKernelCall(RewriterBase &rewriter, Operation *op,
                                         func::FuncOp kernel, ValueRange args,
                                         const KernelResult &result) {
  func::CallOp::create(rewriter, op->getLoc(), kernel, args);
  rewriter.replaceOpWithNewOp<bufferization::ToTensorOp>(
      op, op->getResult(0).getType(), result.buffer, /*restrict=*/true,
      /*writable=*/true);
}

KernelResultInto mlir::loom::allocateKernelResultThroughTranspose(
    RewriterBase &rewriter, Location loc, Operation *op) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  KernelResultInto result;
  auto transpose =
      op->getResult(0).hasOneUse()
          ? dyn_cast<linalg::TransposeOp>(*op->getResult(0).getUsers().begin())
          : linalg::TransposeOp();
  if (!transpose || !transpose.hasPureTensorSemantics()) {
    static_cast<KernelResult &>(result) =
        allocateKernelResult(rewriter, loc, resultType);
    return result;
  }
  auto transposedType =
      cast<RankedTensorType>(transpose->getResult(0).getType());
  result.buffer = memref::AllocOp::create(
      rewriter, loc,
      MemRefType::get(transposedType.getShape(),
                      transposedType.getElementType()));
  // Buffer dimension j holds result dimension permutation[j]; the view's
  // dimension i is therefore the buffer's inverse-permutation[i].
  AffineMap inverse = inversePermutation(AffineMap::getPermutationMap(
      transpose.getPermutation(), rewriter.getContext()));
  Value view = memref::TransposeOp::create(rewriter, loc, result.buffer,
                                           AffineMapAttr::get(inverse));
  result.view = memref::CastOp::create(
      rewriter, loc,
      getDynamicStridedType(resultType.getElementType(), resultType.getRank()),
      view);
  result.transpose = transpose;
  return result;
}

void mlir::loom::replaceOpWithKernelCall(RewriterBase &rewriter, Operation *op,
                                         func::FuncOp kernel, ValueRange args,
                                         const KernelResultInto &result) {
  if (!result.transpose) {
    replaceOpWithKernelCall(rewriter, op, kernel, args,
                            static_cast<const KernelResult &>(result));
    return;
  }
  func::CallOp::create(rewriter, op->getLoc(), kernel, args);
  // The walk driver must not see ops after `op` erased: the transpose's users
  // read the buffer instead, and the transpose (now of an empty tensor) is
  // left dead for the canonicalizer.
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(result.transpose);
  Value transposed = bufferization::ToTensorOp::create(
      rewriter, op->getLoc(), result.transpose->getResult(0).getType(),
      result.buffer, /*restrict=*/true, /*writable=*/true);
  rewriter.replaceAllUsesWith(result.transpose->getResult(0), transposed);
  rewriter.setInsertionPoint(op);
  rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
      op, cast<RankedTensorType>(op->getResult(0).getType()).getShape(),
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType());
}

bool mlir::loom::isStaticTensorOf(Type type, Type elementType) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() &&
         tensor.getElementType() == elementType;
}
