//===- loom-translate.cpp - Loom's translation driver ---------------------===//
//
// mlirTranslateMain over every upstream translation (mlir-to-llvmir, ...).
// Loom's own emitters (CUDA C++, HLS C++) register here as they land.
//
//===----------------------------------------------------------------------===//

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Loom translation driver\n"));
}
