//===- HLSOps.h - hls dialect operations ------------------------*- C++ -*-===//
//
// Declares the hls dialect's operations.
//
//===----------------------------------------------------------------------===//

#ifndef HLS_IR_HLSOPS_H
#define HLS_IR_HLSOPS_H

#include "hls/IR/HLSDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "hls/IR/HLSOps.h.inc"

#endif // HLS_IR_HLSOPS_H
