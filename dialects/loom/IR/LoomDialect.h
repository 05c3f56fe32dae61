//===- LoomDialect.h - The loom dialect -------------------------*- C++ -*-===//
//
// Declares the loom dialect class.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMDIALECT_H
#define LOOM_IR_LOOMDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "loom/IR/LoomDialect.h.inc"

#endif // LOOM_IR_LOOMDIALECT_H
