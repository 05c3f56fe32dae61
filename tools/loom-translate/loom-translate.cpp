//===- loom-translate.cpp - Loom's translation driver ---------------------===//
//
// mlirTranslateMain over every upstream translation (mlir-to-llvmir, ...)
// and Loom's own emitters (`--emit-hls-cpp`).
//
//===----------------------------------------------------------------------===//

#include "loom/Target/HLSCpp/HLSTarget.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  mlir::loom::registerToHLSCppTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Loom translation driver\n"));
}
