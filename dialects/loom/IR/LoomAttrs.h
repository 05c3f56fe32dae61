//===- LoomAttrs.h - loom dialect enums and attributes ----------*- C++ -*-===//

#ifndef LOOM_IR_LOOMATTRS_H
#define LOOM_IR_LOOMATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "loom/IR/LoomEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/IR/LoomAttrs.h.inc"

#endif // LOOM_IR_LOOMATTRS_H
