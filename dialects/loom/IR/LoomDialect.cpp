//===- LoomDialect.cpp - The loom dialect ---------------------------------===//
//
// Registers the loom dialect's ops and types.
//
//===----------------------------------------------------------------------===//

#include "loom/IR/LoomDialect.h"
#include "loom/IR/LoomOps.h"
#include "loom/IR/LoomTypes.h"

using namespace mlir;
using namespace mlir::loom;

#include "loom/IR/LoomDialect.cpp.inc"

void LoomDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "loom/IR/LoomOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
  // TilingInterface is part of the ops' semantics, so it comes with the
  // dialect rather than from a separate registration.
  attachLoomTilingInterfaces(*getContext());
}
