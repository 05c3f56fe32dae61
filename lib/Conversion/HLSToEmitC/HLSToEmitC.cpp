//===- HLSToEmitC.cpp - convert-hls-loops-to-emitc ------------------------===//
//
// Directed loop IR to EmitC: loop directives become pragmas inside the loop
// bodies, then one dialect conversion (upstream SCF, MemRef, Func and integer
// Arith patterns plus Loom's data_t patterns) under one type converter, then
// the top functions' INTERFACE pragmas, the include and the data_t typedef.
//
//===----------------------------------------------------------------------===//

#include "HLSToEmitC.h"

#include "hls/IR/HLSDialect.h"

#include "loom/Conversion/Passes.h"
#include "loom/HLS/Precision.h"

#include "mlir/Conversion/ArithToEmitC/ArithToEmitC.h"
#include "mlir/Conversion/FuncToEmitC/FuncToEmitC.h"
#include "mlir/Conversion/MemRefToEmitC/MemRefToEmitC.h"
#include "mlir/Conversion/SCFToEmitC/SCFToEmitC.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/EmitC/Transforms/TypeConversions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSet.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTHLSLOOPSTOEMITC
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

/// PIPELINE and UNROLL pragmas as the first statements of the loop bodies.
static void addLoopPragmas(ModuleOp module) {
  module.walk([](scf::ForOp loop) {
    OpBuilder b = OpBuilder::atBlockBegin(loop.getBody());
    if (auto ii = loop->getAttrOfType<IntegerAttr>("hls.pipeline_ii"))
      emitc::VerbatimOp::create(b, loop.getLoc(),
                                "#pragma HLS PIPELINE II=" +
                                    std::to_string(ii.getInt()));
    if (auto unroll = loop->getAttrOfType<IntegerAttr>("hls.unroll")) {
      std::string text = "#pragma HLS UNROLL";
      if (unroll.getInt() > 0)
        text += " factor=" + std::to_string(unroll.getInt());
      emitc::VerbatimOp::create(b, loop.getLoc(), text);
    }
  });
}

/// An m_axi port per array argument (its own bundle, so ports are read in
/// parallel; its depth the element count, which C/RTL co-simulation needs)
/// and the s_axilite control port.
static void addInterfacePragmas(emitc::FuncOp func) {
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  Location loc = func.getLoc();
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    auto array = dyn_cast<emitc::ArrayType>(arg.getType());
    if (!array)
      continue;
    std::string text =
        "#pragma HLS INTERFACE mode=m_axi port={} offset=slave bundle=gmem" +
        std::to_string(i) + " depth=" + std::to_string(array.getNumElements());
    emitc::VerbatimOp::create(b, loc, b.getStringAttr(text), ValueRange{arg});
  }
  emitc::VerbatimOp::create(b, loc,
                            "#pragma HLS INTERFACE mode=s_axilite port=return");
}

namespace {
struct ConvertHLSLoopsToEmitCPass
    : public loom::impl::ConvertHLSLoopsToEmitCBase<
          ConvertHLSLoopsToEmitCPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    llvm::Expected<HLSPrecision> precision = HLSPrecision::get(module);
    if (!precision) {
      module.emitError() << llvm::toString(precision.takeError());
      return signalPassFailure();
    }
    // Only f32 data has a C++ form here.
    WalkResult checked = module.walk([](Operation *op) {
      for (Type type : op->getResultTypes()) {
        Type element = getElementTypeOrSelf(type);
        if (isa<FloatType>(element) && !element.isF32()) {
          op->emitError("HLS C++ computes f32 data only, not ") << element;
          return WalkResult::interrupt();
        }
        if (auto memref = dyn_cast<MemRefType>(type);
            memref &&
            (!memref.hasStaticShape() || !memref.getLayout().isIdentity())) {
          op->emitError("HLS C++ needs arrays of static shape and identity "
                        "layout, not ")
              << type;
          return WalkResult::interrupt();
        }
        if (isa<TensorType>(type)) {
          op->emitError("HLS C++ needs loop IR on buffers: bufferize and "
                        "lower to loops first (loom-hls-pipeline)");
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (checked.wasInterrupted())
      return signalPassFailure();

    llvm::StringSet<> tops, dataflow;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func->hasAttr("hls.top"))
        tops.insert(func.getSymName());
      if (func->hasAttr("hls.dataflow"))
        dataflow.insert(func.getSymName());
      // Dataflow channels get names of their own (docs/HLSDataflow.md).
      unsigned channel = 0;
      func.walk([&](memref::AllocaOp alloca) {
        if (alloca->hasAttr("hls.stream"))
          alloca->setAttr(
              "hls.channel_name",
              StringAttr::get(context, "stream" + std::to_string(channel++)));
      });
    }
    addLoopPragmas(module);

    Type dataType = emitc::OpaqueType::get(context, "data_t");
    TypeConverter converter;
    converter.addConversion([](Type type) { return type; });
    populateEmitCSizeTTypeConversions(converter);
    converter.addConversion([=](Float32Type) { return dataType; });
    populateMemRefToEmitCTypeConversion(converter);
    // A dataflow channel (memory space "hls.stream") is an hls::stream of
    // its elements, passed by reference.
    converter.addConversion([=](MemRefType type) -> std::optional<Type> {
      auto space = dyn_cast_or_null<StringAttr>(type.getMemorySpace());
      if (!space || space.getValue() != "hls.stream")
        return std::nullopt;
      if (!type.getElementType().isF32())
        return Type();
      return emitc::OpaqueType::get(context, "hls::stream<data_t> &");
    });

    RewritePatternSet patterns(context);
    populateHLSDataOpsToEmitCPatterns(converter, patterns);
    populateHLSBuffersToEmitCPatterns(converter, patterns);
    populateArithToEmitCPatterns(converter, patterns);
    populateMemRefToEmitCConversionPatterns(patterns, converter);
    populateSCFToEmitCConversionPatterns(patterns, converter);
    populateFuncToEmitCPatterns(converter, patterns);

    ConversionTarget target(*context);
    target.addLegalDialect<emitc::EmitCDialect>();
    target.addLegalOp<ModuleOp>();
    target.addIllegalDialect<arith::ArithDialect, math::MathDialect,
                             memref::MemRefDialect, scf::SCFDialect,
                             func::FuncDialect, hls::HLSDialect>();
    if (failed(applyFullConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    OpBuilder b(context);
    for (auto func : module.getOps<emitc::FuncOp>()) {
      if (tops.contains(func.getSymName()))
        addInterfacePragmas(func);
      // DATAFLOW after the INTERFACE pragmas, before any statement.
      if (dataflow.contains(func.getSymName())) {
        Block &entry = func.getBody().front();
        auto first = llvm::find_if(entry, [](Operation &op) {
          auto verbatim = dyn_cast<emitc::VerbatimOp>(op);
          return !verbatim ||
                 !verbatim.getValue().starts_with("#pragma HLS INTERFACE");
        });
        OpBuilder b(&entry, first);
        emitc::VerbatimOp::create(b, func.getLoc(), "#pragma HLS DATAFLOW");
      }
      // Private functions (dataflow stages) have internal linkage.
      if (func.isPrivate() && !func.isExternal())
        func.setSpecifiersAttr(b.getStrArrayAttr({"static"}));
    }
    b.setInsertionPointToStart(module.getBody());
    emitc::IncludeOp::create(b, module.getLoc(), "loom_hls.h",
                             /*is_standard_include=*/false);
    emitc::VerbatimOp::create(
        b, module.getLoc(), "typedef " + precision->getCppType() + " data_t;");
  }
};
} // namespace
