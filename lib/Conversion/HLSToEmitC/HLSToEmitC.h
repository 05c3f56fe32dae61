//===- HLSToEmitC.h - Patterns of convert-hls-loops-to-emitc ----*- C++ -*-===//

#ifndef LOOM_LIB_CONVERSION_HLSTOEMITC_HLSTOEMITC_H
#define LOOM_LIB_CONVERSION_HLSTOEMITC_HLSTOEMITC_H

#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mlir {
class TypeConverter;
namespace loom {

/// A C++ float literal of `value` that round-trips (`1.00000000e+00f`,
/// `-INFINITY`, `NAN`).
std::string formatHLSFloatLiteral(double value);

/// f32 arithmetic, comparisons, conversions and math functions on `data_t`.
void populateHLSDataOpsToEmitCPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

/// Local arrays (with their ARRAY_PARTITION/BIND_STORAGE pragmas) and
/// constant globals (weights) as `static const data_t` arrays.
void populateHLSBuffersToEmitCPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_CONVERSION_HLSTOEMITC_HLSTOEMITC_H
