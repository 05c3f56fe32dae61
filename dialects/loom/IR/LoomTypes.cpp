//===- LoomTypes.cpp - loom dialect types ---------------------------------===//
//
// Parsing, printing and verification of `!loom.kv_cache`.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomTypes.h"
#include "loom/IR/LoomDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom;

#define GET_TYPEDEF_CLASSES
#include "loom/IR/LoomTypes.cpp.inc"

void LoomDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "loom/IR/LoomTypes.cpp.inc"
      >();
}

LogicalResult KVCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t batch, int64_t heads,
                                  int64_t capacity, int64_t headDim,
                                  int64_t valueDim, Type elementType,
                                  unsigned quantBits, int64_t quantGroup,
                                  int64_t quantResidual) {
  if (batch < 1 || heads < 1 || capacity < 1 || headDim < 1 || valueDim < 1)
    return emitError()
           << "kv_cache dimensions must be static and positive, got " << batch
           << "x" << heads << "x" << capacity << "x" << headDim
           << " with value_dim " << valueDim;
  if (!isa<FloatType>(elementType))
    return emitError() << "kv_cache element type must be a float type, got "
                       << elementType;
  if (quantBits == 0)
    return success();
  if (quantBits != 2 && quantBits != 4 && quantBits != 8)
    return emitError() << "kv_cache quant bits must be 2, 4 or 8, got "
                       << quantBits;
  if (quantGroup < 1)
    return emitError() << "kv_cache quant group must be positive, got "
                       << quantGroup;
  if (capacity % quantGroup != 0)
    return emitError() << "kv_cache quant group (" << quantGroup
                       << ") must divide the capacity (" << capacity << ")";
  if (valueDim % quantGroup != 0)
    return emitError() << "kv_cache quant group (" << quantGroup
                       << ") must divide the value dim (" << valueDim << ")";
  int64_t perByte = 8 / quantBits;
  if (headDim % perByte != 0 || valueDim % perByte != 0)
    return emitError() << "kv_cache " << quantBits << "-bit codes are packed "
                       << perByte << " to a byte: head dim (" << headDim
                       << ") and value dim (" << valueDim
                       << ") must be multiples of " << perByte;
  if (quantResidual < 0 || quantResidual > capacity)
    return emitError()
           << "kv_cache quant residual must be in [0, capacity], got "
           << quantResidual;
  return success();
}

/// Parses `<BxHxCxDxT [, value_dim = Dv] [, quant = <bits = b, group = g,
/// residual = r>]>`.
Type KVCacheType::parse(AsmParser &parser) {
  SmallVector<int64_t> dims;
  Type elementType;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() ||
      parser.parseDimensionList(dims, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return {};
  if (dims.size() != 4) {
    parser.emitError(loc, "expected 4 dimensions (batch x heads x capacity x "
                          "head_dim), got ")
        << dims.size();
    return {};
  }
  int64_t valueDim = dims[3];
  int64_t bits = 0, group = 0, residual = 0;
  while (succeeded(parser.parseOptionalComma())) {
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (key == "value_dim") {
      if (parser.parseInteger(valueDim))
        return {};
      continue;
    }
    if (key != "quant") {
      parser.emitError(parser.getCurrentLocation(),
                       "unknown kv_cache parameter '")
          << key << "', expected 'value_dim' or 'quant'";
      return {};
    }
    if (parser.parseLess())
      return {};
    do {
      StringRef field;
      int64_t value;
      if (parser.parseKeyword(&field) || parser.parseEqual() ||
          parser.parseInteger(value))
        return {};
      if (field == "bits")
        bits = value;
      else if (field == "group")
        group = value;
      else if (field == "residual")
        residual = value;
      else {
        parser.emitError(parser.getCurrentLocation(), "unknown quant field '")
            << field << "', expected 'bits', 'group' or 'residual'";
        return {};
      }
    } while (succeeded(parser.parseOptionalComma()));
    if (parser.parseGreater())
      return {};
    if (bits <= 0 || bits > 64) {
      parser.emitError(loc, "kv_cache quant requires 'bits' in {2, 4, 8}");
      return {};
    }
    if (group == 0)
      group = dims[3];
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<KVCacheType>(
      loc, parser.getContext(), dims[0], dims[1], dims[2], dims[3], valueDim,
      elementType, static_cast<unsigned>(bits), group, residual);
}

void KVCacheType::print(AsmPrinter &printer) const {
  printer << "<" << getBatch() << "x" << getHeads() << "x" << getCapacity()
          << "x" << getHeadDim() << "x" << getElementType();
  if (getValueDim() != getHeadDim())
    printer << ", value_dim = " << getValueDim();
  if (isQuantized())
    printer << ", quant = <bits = " << getQuantBits()
            << ", group = " << getQuantGroup()
            << ", residual = " << getQuantResidual() << ">";
  printer << ">";
}
