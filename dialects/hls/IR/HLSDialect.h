//===- HLSDialect.h - The hls dialect ---------------------------*- C++ -*-===//
//
// Declares the hls dialect class (docs/HLSOps.md).
//
//===----------------------------------------------------------------------===//

#ifndef HLS_IR_HLSDIALECT_H
#define HLS_IR_HLSDIALECT_H

#include "mlir/IR/Dialect.h"

#include "hls/IR/HLSDialect.h.inc"

#endif // HLS_IR_HLSDIALECT_H
