//===- KernelCalls.h - Calling CPU kernels from tensor IR -------*- C++ -*-===//
//
// What the tensor-level kernel conversions share: passing tensors to a kernel
// as memref descriptors of fully dynamic strided layout (so bufferization
// hands over any producer's layout without a copy), and declaring the kernel
// with `llvm.emit_c_interface`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_LOOMTOCPUKERNELS_KERNELCALLS_H
#define LOOM_CONVERSION_LOOMTOCPUKERNELS_KERNELCALLS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/Statistic.h"

namespace mlir {
namespace loom {

/// memref<?x...x?xT, strided<[?, ...], offset: ?>> of `rank`.
MemRefType getDynamicStridedType(Type elementType, int64_t rank);

/// `tensor` as a read-only buffer of the fully dynamic type above.
Value toDynamicBuffer(RewriterBase &rewriter, Location loc, Value tensor);

/// As toDynamicBuffer, but a tensor made by a linalg.transpose becomes a
/// transposed view of the transpose's input buffer (memref.transpose), so the
/// transpose is never materialised for a kernel that takes any strides (it
/// stays, and is erased when dead, for its other users).
Value toDynamicBufferThroughTranspose(RewriterBase &rewriter, Location loc,
                                      Value tensor);

/// The private declaration `name(inputs) -> ()` with llvm.emit_c_interface,
/// created at the start of `module` unless it exists.
func::FuncOp getOrInsertKernelDecl(RewriterBase &rewriter, ModuleOp module,
                                   StringRef name, TypeRange inputs);

/// A fresh buffer for `resultType`, its dynamic-layout view for the kernel
/// call, and (after the call) the tensor the op's users read.
struct KernelResult {
  Value buffer;
  Value view;
};
KernelResult allocateKernelResult(RewriterBase &rewriter, Location loc,
                                  RankedTensorType resultType);

/// As allocateKernelResult for the single result of `op`, except that when
/// that result's only user is a linalg.transpose the buffer is allocated in
/// the transpose's result shape and `view` is its inverse-transposed view:
/// the kernel writes the transposed result directly; `transpose` is then
/// that transpose.
struct KernelResultInto : KernelResult {
  Operation *transpose = nullptr;
};
KernelResultInto allocateKernelResultThroughTranspose(RewriterBase &rewriter,
                                                      Location loc,
                                                      Operation *op);

/// Calls `kernel` with `args` (among them `result.view`, where the kernel
/// writes) and replaces the single result of `op` by `result.buffer` read
/// back as a tensor.
void replaceOpWithKernelCall(RewriterBase &rewriter, Operation *op,
                             func::FuncOp kernel, ValueRange args,
                             const KernelResult &result);

/// As above for a result from allocateKernelResultThroughTranspose: with a
/// transpose, the transpose's users read the buffer as a tensor instead, and
/// `op` becomes a tensor.empty (both left dead for the canonicalizer).
void replaceOpWithKernelCall(RewriterBase &rewriter, Operation *op,
                             func::FuncOp kernel, ValueRange args,
                             const KernelResultInto &result);

/// For kernels called on buffers (after bufferization): the address of the
/// first element of `buffer` as an `!llvm.ptr`, and its strides as i64 values.
struct BufferPointer {
  Value pointer;
  SmallVector<Value> strides;
};
BufferPointer getBufferPointer(RewriterBase &rewriter, Location loc,
                               Value buffer);

/// The private declaration `name(inputs) -> ()` with bare pointer and scalar
/// arguments, created at the start of `module` unless it exists.
func::FuncOp getOrInsertPlainKernelDecl(RewriterBase &rewriter, ModuleOp module,
                                        StringRef name, TypeRange inputs);

/// Adds the pattern that turns the importer's 2-D convolution generic on f32
/// buffers into a loom_kernel_conv2d_f32 call (ConvolutionsToKernels.cpp).
void populateConvolutionToKernelPatterns(RewritePatternSet &patterns,
                                         llvm::Statistic &numCalls);

/// True for a statically shaped tensor of element type `elementType`.
bool isStaticTensorOf(Type type, Type elementType);

} // namespace loom
} // namespace mlir

#endif // LOOM_CONVERSION_LOOMTOCPUKERNELS_KERNELCALLS_H
