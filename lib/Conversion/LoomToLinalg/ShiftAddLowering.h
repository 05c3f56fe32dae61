//===- ShiftAddLowering.h - Alternative shift-add lowerings ------*- C++
//-*-===//
//
// Pattern sets of the shift-add family that the reference lowering selects by
// pass option. Internal to lib/Conversion/LoomToLinalg.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_SHIFTADDLOWERING_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_SHIFTADDLOWERING_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace loom {

/// The lookup-table lowering of `loom.bcq_matmul` (ShiftAddLLM inference): one
/// 256-entry table of signed sums per group of eight activations, one lookup
/// per packed byte. Added with a higher benefit than the plain lowering of
/// populateShiftAddToLinalgPatterns, so it wins when both are present. Gives
/// the same bits as the plain lowering.
void populateBCQLookupTableToLinalgPatterns(const TypeConverter &converter,
                                            RewritePatternSet &patterns);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_SHIFTADDLOWERING_H
