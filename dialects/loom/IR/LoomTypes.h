//===- LoomTypes.h - loom dialect types -------------------------*- C++ -*-===//
//
// Declares the loom dialect's types (the KV cache).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMTYPES_H
#define LOOM_IR_LOOMTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "loom/IR/LoomTypes.h.inc"

#endif // LOOM_IR_LOOMTYPES_H
