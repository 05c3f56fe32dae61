//===- loom-opt.cpp - Loom's opt-style driver -----------------------------===//
//
// MlirOptMain over every upstream dialect and pass plus Loom's.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::loom::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::loom::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
