//===- loom-run-model.cpp - Run a compiled model without the compiler -----===//
//
//   loom-run-model OUTDIR [--input [NAME=]X.npy]... [--random-seed N]
//                  [--output-dir DIR] [--compare [NAME=]REF.npy]...
//                  [--rtol R] [--atol A]
//
// `loom-run OUTDIR` (same flags, reports, messages and exit status) linked
// against the runtime core only, for machines that have no LLVM or MLIR.
// See include/loom/Runtime/ModelRunner.h.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/ModelRunner.h"

int main(int argc, char **argv) {
  return mlir::loom::modelRunnerMain(argc, argv);
}
