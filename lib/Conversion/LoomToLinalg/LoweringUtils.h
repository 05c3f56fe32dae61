//===- LoweringUtils.h - Builders shared by the reference lowering -*- C++
//-*-===//
//
// Small builders over linalg.generic that every op family of the reference
// lowering uses. Internal to lib/Conversion/LoomToLinalg.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_LOWERINGUTILS_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace loom {

using GenericBody = function_ref<void(OpBuilder &, Location, ValueRange)>;

/// A tensor of `shape` x `elementType` filled with `fill`.
Value createFilledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                         Type elementType, TypedAttr fill);

/// An uninitialised tensor of `shape` x `elementType` (for pure elementwise
/// outputs whose init value is never read).
Value createEmptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        Type elementType);

/// One-result linalg.generic over `init`. `maps` lists the inputs' maps then
/// the output's; iterator kinds are given as a string of 'p' (parallel) and 'r'
/// (reduction), one per loop.
Value createGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                    ArrayRef<AffineMap> maps, StringRef iterators,
                    GenericBody body);

/// A map over `numDims` loops selecting the given loop dimensions.
AffineMap selectDims(MLIRContext *ctx, unsigned numDims,
                     ArrayRef<unsigned> dims);

/// Converts a float scalar to f32 (extf/truncf as needed).
Value castToF32(OpBuilder &b, Location loc, Value v);
/// Converts an f32 scalar to `type` (a float type).
Value castFromF32(OpBuilder &b, Location loc, Value v, Type type);

/// Terminates a linalg.generic body with `value`.
void yieldValue(OpBuilder &b, Location loc, Value value);

/// linalg.index `dim` as an i64.
Value indexAsI64(OpBuilder &b, Location loc, unsigned dim);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_LOWERINGUTILS_H
