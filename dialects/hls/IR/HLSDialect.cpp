//===- HLSDialect.cpp - The hls dialect -----------------------------------===//
//
// Registers the hls dialect's ops.
//
//===----------------------------------------------------------------------===//

#include "hls/IR/HLSDialect.h"
#include "hls/IR/HLSOps.h"

using namespace mlir;
using namespace mlir::hls;

#include "hls/IR/HLSDialect.cpp.inc"

void HLSDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "hls/IR/HLSOps.cpp.inc"
      >();
}
