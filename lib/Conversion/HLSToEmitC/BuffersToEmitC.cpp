//===- BuffersToEmitC.cpp - Local arrays and weights as C++ arrays --------===//
//
// memref.alloca -> a local array, followed by the pragmas of its directive
// attributes (`hls.array_partition`, `hls.bind_storage`); a constant f32
// memref.global (a weight) -> a `static const data_t` array whose
// initialiser lists the float values (each quantised to data_t by its
// constructor, as an input is); a dataflow channel (a memref in the memory
// space "hls.stream", docs/HLSDataflow.md) -> an `hls::stream<data_t>`
// variable with its STREAM pragma, read and written by loom_hls::read and
// loom_hls::write.
//
//===----------------------------------------------------------------------===//

#include "HLSToEmitC.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

/// `hls.array_partition = [{dim, factor, type}]` and `hls.bind_storage` as
/// pragma text with one `{}` for the variable.
SmallVector<std::string> getBufferPragmas(Operation *op) {
  SmallVector<std::string> pragmas;
  if (auto partitions = op->getAttrOfType<ArrayAttr>("hls.array_partition")) {
    for (Attribute attr : partitions) {
      auto dict = dyn_cast<DictionaryAttr>(attr);
      if (!dict)
        continue;
      auto type = dict.getAs<StringAttr>("type");
      auto dim = dict.getAs<IntegerAttr>("dim");
      auto factor = dict.getAs<IntegerAttr>("factor");
      std::string text = "#pragma HLS ARRAY_PARTITION variable={} type=" +
                         (type ? type.getValue().str() : "complete");
      if (factor && (!type || type.getValue() != "complete"))
        text += " factor=" + std::to_string(factor.getInt());
      text += " dim=" + std::to_string(dim ? dim.getInt() : 0);
      pragmas.push_back(text);
    }
  }
  if (auto storage = op->getAttrOfType<StringAttr>("hls.bind_storage"))
    pragmas.push_back("#pragma HLS BIND_STORAGE variable={} type=" +
                      storage.getValue().str());
  if (auto depth = op->getAttrOfType<IntegerAttr>("hls.stream"))
    pragmas.push_back("#pragma HLS STREAM variable={} depth=" +
                      std::to_string(depth.getInt()));
  return pragmas;
}

/// True for a dataflow channel's memref type.
bool isStream(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  auto space = memref ? dyn_cast_or_null<StringAttr>(memref.getMemorySpace())
                      : StringAttr();
  return space && space.getValue() == "hls.stream";
}

/// `hls::stream<data_t> NAME;` and `#pragma HLS STREAM`; the value is the
/// name (an emitc.literal), which calls pass by reference.
struct AllocaToStream : OpConversionPattern<memref::AllocaOp> {
  AllocaToStream(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/20) {}
  LogicalResult
  matchAndRewrite(memref::AllocaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto name = op->getAttrOfType<StringAttr>("hls.channel_name");
    Type type = getTypeConverter()->convertType(op.getType());
    if (!isStream(op.getType()) || !name || !type)
      return failure();
    Location loc = op.getLoc();
    auto depth = op->getAttrOfType<IntegerAttr>("hls.stream");
    emitc::VerbatimOp::create(rewriter, loc,
                              "hls::stream<data_t> " + name.str() + ";");
    emitc::VerbatimOp::create(
        rewriter, loc,
        "#pragma HLS STREAM variable=" + name.str() +
            " depth=" + std::to_string(depth ? depth.getInt() : 2));
    rewriter.replaceOpWithNewOp<emitc::LiteralOp>(op, type, name.getValue());
    return success();
  }
};

/// A channel's element in row-major order: `loom_hls::read(s)`.
struct StreamLoad : OpConversionPattern<memref::LoadOp> {
  StreamLoad(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/20) {}
  LogicalResult
  matchAndRewrite(memref::LoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    if (!isStream(op.getMemRef().getType()) || !type)
      return failure();
    rewriter.replaceOpWithNewOp<emitc::CallOpaqueOp>(
        op, TypeRange{type}, "loom_hls::read", ValueRange{adaptor.getMemref()});
    return success();
  }
};

/// `loom_hls::write(s, v)`.
struct StreamStore : OpConversionPattern<memref::StoreOp> {
  StreamStore(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/20) {}
  LogicalResult
  matchAndRewrite(memref::StoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isStream(op.getMemRef().getType()))
      return failure();
    rewriter.replaceOpWithNewOp<emitc::CallOpaqueOp>(
        op, TypeRange{}, "loom_hls::write",
        ValueRange{adaptor.getMemref(), adaptor.getValue()});
    return success();
  }
};

struct AllocaToLocalArray : OpConversionPattern<memref::AllocaOp> {
  AllocaToLocalArray(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/10) {}
  LogicalResult
  matchAndRewrite(memref::AllocaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MemRefType type = op.getType();
    // The pass diagnosed dynamic shapes and layouts before converting.
    Type arrayType = getTypeConverter()->convertType(type);
    if (!arrayType || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "no C++ array type");
    auto variable =
        emitc::VariableOp::create(rewriter, op.getLoc(), arrayType,
                                  emitc::OpaqueAttr::get(op.getContext(), ""));
    for (const std::string &pragma : getBufferPragmas(op))
      emitc::VerbatimOp::create(rewriter, op.getLoc(),
                                rewriter.getStringAttr(pragma),
                                ValueRange{variable.getResult()});
    rewriter.replaceOp(op, variable.getResult());
    return success();
  }
};

/// `{v0, v1, ...}` from a dense or dense_resource (ONNX weights) value.
std::optional<std::string> getInitializer(Attribute value, Type element) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "{";
  auto printInteger = [&](int64_t v) {
    if (element.isInteger(1))
      os << (v ? "true" : "false");
    else
      os << v;
  };
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(value)) {
    if (element.isF32())
      llvm::interleave(
          dense.getValues<APFloat>(), os,
          [&](const APFloat &v) {
            os << formatHLSFloatLiteral(v.convertToDouble());
          },
          ", ");
    else if (element.isSignlessInteger())
      llvm::interleave(
          dense.getValues<APInt>(), os,
          [&](const APInt &v) {
            printInteger(element.isInteger(1) ? v.getZExtValue()
                                              : v.getSExtValue());
          },
          ", ");
    else
      return std::nullopt;
  } else if (auto f32 = dyn_cast_or_null<DenseF32ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<float>> values = f32.tryGetAsArrayRef();
    if (!values)
      return std::nullopt;
    llvm::interleave(
        *values, os, [&](float v) { os << formatHLSFloatLiteral(v); }, ", ");
  } else if (auto i8 = dyn_cast_or_null<DenseI8ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<int8_t>> values = i8.tryGetAsArrayRef();
    if (!values)
      return std::nullopt;
    llvm::interleave(*values, os, printInteger, ", ");
  } else if (auto i32 = dyn_cast_or_null<DenseI32ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<int32_t>> values = i32.tryGetAsArrayRef();
    if (!values)
      return std::nullopt;
    llvm::interleave(*values, os, printInteger, ", ");
  } else if (auto i64 = dyn_cast_or_null<DenseI64ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<int64_t>> values = i64.tryGetAsArrayRef();
    if (!values)
      return std::nullopt;
    llvm::interleave(*values, os, printInteger, ", ");
  } else {
    return std::nullopt;
  }
  os << "}";
  return text;
}

/// A memref.global with a dense initial value (weights, index tables, masks)
/// as a `static [const]` array whose initialiser lists the values: f32 ones
/// as float literals that the data_t constructor quantises, integers as
/// integers.
struct GlobalToArray : OpConversionPattern<memref::GlobalOp> {
  GlobalToArray(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/10) {}
  LogicalResult
  matchAndRewrite(memref::GlobalOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type element = op.getType().getElementType();
    Type arrayType = getTypeConverter()->convertType(op.getType());
    std::optional<std::string> text =
        arrayType ? getInitializer(op.getInitialValue().value_or(Attribute()),
                                   element)
                  : std::nullopt;
    if (!text)
      return op.emitError("HLS C++ needs globals with a dense f32 or integer "
                          "initial value");
    auto module = op->getParentOfType<ModuleOp>();
    auto precision =
        module ? module->getAttrOfType<StringAttr>("hls.precision") : nullptr;
    if (precision && precision.getValue().starts_with("fixed") &&
        element.isF32() && op.getConstant()) {
      // Fixed point: g++ compiles ~1e5 ap_fixed initialisers very slowly, so
      // C simulation fills the ROM from a float array at start-up (as
      // hls4ml's C simulation loads its weights); synthesis sees the ROM
      // with its initialiser. Both give each weight data_t(<float>).
      std::string name = op.getSymName().str();
      std::string dims;
      for (int64_t d : op.getType().getShape())
        dims += "[" + std::to_string(d) + "]";
      std::string first = name;
      for (size_t d = 0; d < op.getType().getShape().size(); ++d)
        first += "[0]";
      Location loc = op.getLoc();
      auto verbatim = [&](const std::string &line) {
        emitc::VerbatimOp::create(rewriter, loc, line);
      };
      verbatim("#define " + name + "_VALUES " + *text);
      verbatim("#ifdef __SYNTHESIS__");
      verbatim("static const data_t " + name + dims + " = " + name +
               "_VALUES;");
      verbatim("#else");
      auto global = rewriter.replaceOpWithNewOp<emitc::GlobalOp>(
          op, op.getSymName(), arrayType, Attribute(),
          /*externSpecifier=*/false, /*staticSpecifier=*/true,
          /*constSpecifier=*/false);
      rewriter.setInsertionPointAfter(global);
      std::string count = std::to_string(op.getType().getNumElements());
      verbatim("static const float " + name + "_init[" + count + "] = " + name +
               "_VALUES;");
      verbatim("static const bool " + name + "_loaded = loom_hls::load_rom(&" +
               first + ", " + name + "_init, " + count + ");");
      verbatim("#endif");
      verbatim("#undef " + name + "_VALUES");
      return success();
    }
    rewriter.replaceOpWithNewOp<emitc::GlobalOp>(
        op, op.getSymName(), arrayType,
        emitc::OpaqueAttr::get(op.getContext(), *text),
        /*externSpecifier=*/false, /*staticSpecifier=*/true,
        /*constSpecifier=*/op.getConstant());
    return success();
  }
};

} // namespace

void mlir::loom::populateHLSBuffersToEmitCPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<AllocaToLocalArray, GlobalToArray, AllocaToStream, StreamLoad,
               StreamStore>(converter, patterns.getContext());
}
