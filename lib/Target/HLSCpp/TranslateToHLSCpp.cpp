//===- TranslateToHLSCpp.cpp - --emit-hls-cpp -----------------------------===//
//
// EmitC to HLS C++: the upstream C++ emitter (mlir/Target/Cpp) prints the
// code, after checks of what synthesis forbids.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/HLSCpp/HLSTarget.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/Cpp/CppEmitter.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::loom;

/// Whether `type` names a standard-library type (a container, a string, a
/// smart pointer...), which HLS cannot synthesise.
static bool isStandardLibraryType(Type type) {
  while (true) {
    if (auto array = dyn_cast<emitc::ArrayType>(type))
      type = array.getElementType();
    else if (auto pointer = dyn_cast<emitc::PointerType>(type))
      type = pointer.getPointee();
    else if (auto lvalue = dyn_cast<emitc::LValueType>(type))
      type = lvalue.getValueType();
    else
      break;
  }
  auto opaque = dyn_cast<emitc::OpaqueType>(type);
  return opaque && opaque.getValue().starts_with("std::");
}

/// Checks the module: every error is reported, then the result says whether
/// there was one.
static LogicalResult checkSynthesisable(ModuleOp module) {
  bool ok = true;
  static const llvm::StringSet<> heapFunctions = {
      "malloc", "calloc", "realloc", "free", "aligned_alloc", "new", "delete"};
  // Calls between functions, for the recursion check.
  llvm::DenseMap<StringRef, llvm::SmallVector<StringRef>> callees;
  module.walk([&](Operation *op) {
    if (auto call = dyn_cast<emitc::CallOpaqueOp>(op)) {
      if (heapFunctions.contains(call.getCallee())) {
        call.emitError("HLS C++ cannot allocate at run time: a call of '")
            << call.getCallee() << "'";
        ok = false;
      }
    }
    if (auto call = dyn_cast<emitc::CallOp>(op))
      if (auto func = op->getParentOfType<emitc::FuncOp>())
        callees[func.getSymName()].push_back(call.getCallee());
    for (Type type : op->getResultTypes())
      if (isStandardLibraryType(type)) {
        op->emitError("HLS C++ cannot synthesise the standard-library type ")
            << type;
        ok = false;
      }
    if (auto func = dyn_cast<emitc::FuncOp>(op))
      for (Type type : func.getFunctionType().getInputs())
        if (isStandardLibraryType(type)) {
          func.emitError("HLS C++ cannot synthesise the standard-library "
                         "type ")
              << type;
          ok = false;
        }
  });
  // A call cycle is recursion, which HLS cannot synthesise.
  for (auto func : module.getOps<emitc::FuncOp>()) {
    llvm::SetVector<StringRef> reached;
    llvm::SmallVector<StringRef> worklist(callees.lookup(func.getSymName()));
    while (!worklist.empty()) {
      StringRef next = worklist.pop_back_val();
      if (!reached.insert(next))
        continue;
      llvm::append_range(worklist, callees.lookup(next));
    }
    if (reached.contains(func.getSymName())) {
      func.emitError("HLS C++ cannot synthesise recursion: @")
          << func.getSymName() << " calls itself";
      ok = false;
    }
  }
  return success(ok);
}

LogicalResult mlir::loom::translateToHLSCpp(Operation *op,
                                            llvm::raw_ostream &os) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError("--emit-hls-cpp translates a module");
  for (Operation &nested : module.getBody()->getOperations())
    if (!isa<emitc::EmitCDialect>(nested.getDialect())) {
      return nested.emitError("--emit-hls-cpp translates EmitC (the output "
                              "of loom-hls-pipeline), not '")
             << nested.getName() << "'";
    }
  if (failed(checkSynthesisable(module)))
    return failure();
  return emitc::translateToCpp(module, os, /*declareVariablesAtTop=*/false);
}

void mlir::loom::registerToHLSCppTranslation() {
  static TranslateFromMLIRRegistration registration(
      "emit-hls-cpp",
      "Print EmitC from loom-hls-pipeline as Vitis-style HLS C++",
      [](Operation *op, llvm::raw_ostream &os) {
        return translateToHLSCpp(op, os);
      },
      [](DialectRegistry &registry) {
        // func too, so that a module not yet lowered gets a clear error.
        registry.insert<emitc::EmitCDialect, func::FuncDialect>();
      });
}
