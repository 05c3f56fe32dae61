//===- loom-lsp-server.cpp - Language server for Loom IR ------------------===//
//
// MlirLspServerMain with every dialect Loom tools understand, so editors show
// diagnostics, hover and navigation for .mlir files using `loom`.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAllDialects.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::loom::registerAllDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry));
}
