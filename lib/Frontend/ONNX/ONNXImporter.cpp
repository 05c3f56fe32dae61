//===- ONNXImporter.cpp - ONNX to upstream MLIR dialects ------------------===//
//
// Reads an ONNX ModelProto with Debian's libonnx protobuf classes and builds a
// `func.func` of upstream ops on statically shaped tensors. Shapes are
// propagated while importing; shape computations on constants (Shape, Gather,
// Concat, ConstantOfShape, ...) are folded so every tensor type is static.
//
// This file is the core: loading the model (checked by Validation.cpp),
// initializers, the value table, walking the graph and dispatching each node
// through the op table that the op families (<Family>.cpp, see
// ImporterImpl.h) fill.
//
// Error handling: every malformed input produces a message in `error` and a
// null module; nothing asserts on user data. Node errors read
//   node 'NAME' (OpType, opset N): message
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::loom::onnx_import;

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

LogicalResult ImporterBase::fail(const Twine &msg) {
  if (state.errorMessage.empty())
    state.errorMessage = msg.str();
  return failure();
}

LogicalResult ImporterBase::nodeFail(const Twine &msg) {
  const std::string &domain = node->domain();
  if (domain.empty() || domain == "ai.onnx")
    return fail(llvm::formatv("node '{0}' ({1}, opset {2}): {3}", node->name(),
                              node->op_type(), opset, msg.str())
                    .str());
  // A custom domain's op: "(com.microsoft MatMulNBits, opset 1)".
  int64_t version = 0;
  for (const auto &os : state.model.opset_import())
    if (os.domain() == domain)
      version = os.version();
  return fail(llvm::formatv("node '{0}' ({1} {2}, opset {3}): {4}",
                            node->name(), domain, node->op_type(), version,
                            msg.str())
                  .str());
}

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

void ConverterTable::add(StringRef domain, StringRef opType,
                         unsigned requiredInputs, ConverterFn convert) {
  converters[{domain.str(), opType.str()}] = {requiredInputs,
                                              std::move(convert)};
}

const OpConverter *ConverterTable::lookup(StringRef domain,
                                          StringRef opType) const {
  auto it = converters.find({domain.str(), opType.str()});
  return it == converters.end() ? nullptr : &it->second;
}

/// Every op family's converters, registered once.
static const ConverterTable &getConverterTable() {
  static const ConverterTable table = [] {
    ConverterTable t;
    registerAttentionOps(t);
    registerConstantOps(t);
    registerConvolutionOps(t);
    registerElementwiseOps(t);
    registerGatherOps(t);
    registerMatMulOps(t);
    registerNormalizationOps(t);
    registerQuantizationOps(t);
    registerQuantizedMatMulOps(t);
    registerReductionOps(t);
    registerShapeOps(t);
    return t;
  }();
  return table;
}

//===----------------------------------------------------------------------===//
// The graph importer
//===----------------------------------------------------------------------===//

namespace {
/// Loads the model, creates the function from the graph's inputs and
/// initializers, and imports the nodes in order through the op table.
class GraphImporter : public ImporterBase {
public:
  GraphImporter(ImportState &state, const ConverterTable &table)
      : ImporterBase(state), table(table), model(state.model),
        values(state.values) {}

  OwningOpRef<ModuleOp> run(StringRef path, std::string &error);

private:
  LogicalResult loadModel(StringRef path);
  LogicalResult importGraph();
  LogicalResult importNode(const onnx::NodeProto &n);

  const ConverterTable &table;
  onnx::ModelProto &model;
  std::map<std::string, OValue> &values;
};
} // namespace

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::loadModel(StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return fail(Twine("cannot read '") + path +
                "': " + buf.getError().message());
  const auto *data =
      reinterpret_cast<const uint8_t *>((*buf)->getBufferStart());
  size_t size = (*buf)->getBufferSize();
  if (size > (size_t)std::numeric_limits<int>::max())
    return fail(Twine("'") + path +
                "' is larger than 2 GiB; store weights as "
                "external data");
  google::protobuf::io::CodedInputStream stream(data, (int)size);
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return fail(Twine("'") + path +
                "' is not a valid ONNX model (truncated or not an ONNX "
                "protobuf)");
  if (!model.has_graph() || model.ir_version() <= 0)
    return fail(Twine("'") + path +
                "' is not a valid ONNX model (no graph or no ir_version)");
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  state.modelDir = std::string(dir);
  // --shape first: the checker's shape inference then sees static inputs.
  std::string shapeError;
  if (failed(specializeShapes(model, options.shapes, shapeError)))
    return fail(shapeError);
  std::string checkError;
  if (failed(checkModel(model, state.modelDir, checkError)))
    return fail(checkError);
  for (const auto &os : model.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx")
      opset = os.version();
  if (opset == 0)
    return fail("the model imports no default-domain (ai.onnx) opset");
  return success();
}

FailureOr<Type> ImporterBase::elementType(int32_t t, bool &isUnsigned) {
  isUnsigned = false;
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Type(b.getF32Type());
  case onnx::TensorProto::DOUBLE:
    return Type(b.getF64Type());
  case onnx::TensorProto::FLOAT16:
    return Type(b.getF16Type());
  case onnx::TensorProto::BFLOAT16:
    return Type(b.getBF16Type());
  case onnx::TensorProto::BOOL:
    return Type(b.getI1Type());
  case onnx::TensorProto::UINT8:
    isUnsigned = true;
    [[fallthrough]];
  case onnx::TensorProto::INT8:
    return Type(b.getI8Type());
  case onnx::TensorProto::UINT16:
    isUnsigned = true;
    [[fallthrough]];
  case onnx::TensorProto::INT16:
    return Type(b.getI16Type());
  case onnx::TensorProto::UINT32:
    isUnsigned = true;
    [[fallthrough]];
  case onnx::TensorProto::INT32:
    return Type(b.getI32Type());
  case onnx::TensorProto::UINT64:
    isUnsigned = true;
    [[fallthrough]];
  case onnx::TensorProto::INT64:
    return Type(b.getI64Type());
  default:
    break;
  }
  // The onnx 1.12 protobuf classes predate the 4-bit types (onnx 1.16).
  std::string name =
      onnx::TensorProto::DataType_IsValid(t)
          ? onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)t)
      : t == 21 ? "UINT4 (21)"
      : t == 22 ? "INT4 (22)"
                : std::to_string(t);
  typeError = "unsupported element type " + name;
  return failure();
}

/// Reads `nbytes` of external data for tensor `t`, confined to the model's
/// directory.
LogicalResult ImporterBase::readExternal(const onnx::TensorProto &t,
                                         int64_t nbytes, Bytes &out,
                                         StringRef what) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      int64_t v;
      if (StringRef(kv.value()).getAsInteger(10, v) || v < 0)
        return fail(Twine(what) + ": external data " + kv.key() + " '" +
                    kv.value() + "' is not a non-negative integer");
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty())
    return fail(Twine(what) + ": external data without a location");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return fail(Twine(what) + ": external data location '" + location +
                "' is an absolute path; only paths relative to the model's "
                "directory are allowed");
  for (auto it = llvm::sys::path::begin(location),
            e = llvm::sys::path::end(location);
       it != e; ++it)
    if (*it == "..")
      return fail(Twine(what) + ": external data location '" + location +
                  "' escapes the model's directory ('..')");
  SmallString<256> full(state.modelDir);
  llvm::sys::path::append(full, location);
  SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(state.modelDir, realDir) ||
      llvm::sys::fs::real_path(full, realFile))
    return fail(Twine(what) + ": cannot open external data file '" + location +
                "'");
  StringRef rf(realFile);
  if (!rf.starts_with(realDir) ||
      (rf.size() > realDir.size() &&
       !llvm::sys::path::is_separator(rf[realDir.size()])))
    return fail(Twine(what) + ": external data location '" + location +
                "' resolves (through a symlink) outside the model's "
                "directory");
  uint64_t fileSize;
  if (llvm::sys::fs::file_size(realFile, fileSize))
    return fail(Twine(what) + ": cannot stat external data file '" + location +
                "'");
  if ((uint64_t)offset > fileSize)
    return fail(Twine(what) +
                llvm::formatv(": external data offset {0} is past "
                              "the end of '{1}' ({2} bytes)",
                              offset, location, fileSize)
                    .str());
  if (length < 0)
    length = (int64_t)fileSize - offset;
  if ((uint64_t)length > fileSize - (uint64_t)offset)
    return fail(Twine(what) +
                llvm::formatv(": external data offset {0} + length {1} is past "
                              "the end of '{2}' ({3} bytes)",
                              offset, length, location, fileSize)
                    .str());
  if (length != nbytes)
    return fail(Twine(what) +
                llvm::formatv(": external data has {0} bytes but the shape "
                              "needs {1}",
                              length, nbytes)
                    .str());
  auto buf = llvm::MemoryBuffer::getFileSlice(realFile, length, offset);
  if (!buf)
    return fail(Twine(what) + ": cannot read external data file '" + location +
                "'");
  out.assign((*buf)->getBufferStart(), (*buf)->getBufferEnd());
  return success();
}

/// An INT4 (22) or UINT4 (21) tensor, two codes per byte low nibble first in
/// raw_data or external data (one packed byte per int32_data entry), as i8
/// with one (sign- or zero-extended) code per element: what DequantizeLinear
/// and GatherBlockQuantized read.
LogicalResult ImporterBase::int4FromProto(const onnx::TensorProto &t,
                                          OValue &out, StringRef what) {
  bool isSigned = t.data_type() == 22;
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      return fail(Twine(what) +
                  llvm::formatv(": negative dimension {0}", d).str());
  std::optional<int64_t> n = checkedNumel(shape);
  Type i8 = b.getI8Type();
  if (!n)
    return fail(Twine(what) + ": element count overflows");
  if (std::optional<std::string> tooLarge = constantTooLarge(shape, i8))
    return fail(Twine(what) + " has " + *tooLarge);
  int64_t nbytes = (*n + 1) / 2;
  Bytes packed;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternal(t, nbytes, packed, what)))
      return failure();
  } else if (t.has_raw_data()) {
    packed.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    for (int32_t v : t.int32_data())
      packed.push_back((char)v);
  }
  if ((int64_t)packed.size() != nbytes)
    return fail(Twine(what) +
                llvm::formatv(": 4-bit data has {0} bytes but shape {1} "
                              "needs {2}",
                              packed.size(), shapeStr(shape), nbytes)
                    .str());
  Bytes codes(*n);
  for (int64_t i = 0; i < *n; ++i) {
    int v = ((unsigned char)packed[i / 2] >> (4 * (i % 2))) & 0xF;
    codes[i] = (char)(isSigned && v >= 8 ? v - 16 : v);
  }
  out = fromLiteral(RankedTensorType::get(shape, i8), std::move(codes),
                    /*isUnsigned=*/!isSigned);
  out.int4 = true;
  return success();
}

LogicalResult ImporterBase::tensorFromProto(const onnx::TensorProto &t,
                                            OValue &out, StringRef what) {
  bool isUnsigned;
  if (t.data_type() == onnx::TensorProto::STRING)
    return fail(Twine(what) + ": string tensors are not supported");
  if (t.data_type() == 21 || t.data_type() == 22)
    return int4FromProto(t, out, what);
  FailureOr<Type> et = elementType(t.data_type(), isUnsigned);
  if (failed(et))
    return fail(Twine(what) + ": " + typeError);
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      return fail(Twine(what) +
                  llvm::formatv(": negative dimension {0}", d).str());
  std::optional<int64_t> n = checkedNumel(shape);
  int64_t eb = elemBytes(*et);
  if (!n || *n > std::numeric_limits<int64_t>::max() / eb)
    return fail(Twine(what) + ": element count overflows");
  int64_t nbytes = *n * eb;
  if (std::optional<std::string> tooLarge = constantTooLarge(shape, *et))
    return fail(Twine(what) + " has " + *tooLarge);
  Bytes bytes;
  auto mismatch = [&](int64_t have) {
    return fail(
        Twine(what) +
        llvm::formatv(
            ": data holds {0} elements but shape [{1}] "
            "needs {2}",
            have,
            llvm::join(llvm::map_range(
                           shape, [](int64_t d) { return std::to_string(d); }),
                       ","),
            *n)
            .str());
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternal(t, nbytes, bytes, what)))
      return failure();
  } else if (t.has_raw_data()) {
    if ((int64_t)t.raw_data().size() != nbytes) {
      if (t.raw_data().size() % eb != 0)
        return fail(Twine(what) +
                    llvm::formatv(": raw_data has {0} bytes, not a multiple of "
                                  "the element size {1}",
                                  t.raw_data().size(), eb)
                        .str());
      return mismatch(t.raw_data().size() / eb);
    }
    bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    bytes.assign(nbytes, 0);
    Type e = *et;
    auto fill = [&](auto &field, auto conv) -> LogicalResult {
      if (field.size() != *n)
        return mismatch(field.size());
      for (int64_t i = 0; i < *n; ++i)
        conv(i, field.Get(i));
      return success();
    };
    int dt = t.data_type();
    if (dt == onnx::TensorProto::FLOAT) {
      if (failed(fill(t.float_data(), [&](int64_t i, float v) {
            writeElem(bytes, e, i, v, 0);
          })))
        return failure();
    } else if (dt == onnx::TensorProto::DOUBLE) {
      if (failed(fill(t.double_data(), [&](int64_t i, double v) {
            writeElem(bytes, e, i, v, 0);
          })))
        return failure();
    } else if (dt == onnx::TensorProto::INT64) {
      if (failed(fill(t.int64_data(), [&](int64_t i, int64_t v) {
            writeElem(bytes, e, i, 0, v);
          })))
        return failure();
    } else if (dt == onnx::TensorProto::UINT64 ||
               dt == onnx::TensorProto::UINT32) {
      if (failed(fill(t.uint64_data(), [&](int64_t i, uint64_t v) {
            writeElem(bytes, e, i, 0, (int64_t)v);
          })))
        return failure();
    } else if (dt == onnx::TensorProto::FLOAT16 ||
               dt == onnx::TensorProto::BFLOAT16) {
      if (failed(fill(t.int32_data(), [&](int64_t i, int32_t v) {
            uint16_t bits = (uint16_t)v;
            std::memcpy(bytes.data() + 2 * i, &bits, 2);
          })))
        return failure();
    } else {
      // int32, int16, int8, uint16, uint8, bool live in int32_data.
      if (failed(fill(t.int32_data(), [&](int64_t i, int32_t v) {
            writeElem(bytes, e, i, 0, v);
          })))
        return failure();
    }
  }
  out = fromLiteral(RankedTensorType::get(shape, *et), std::move(bytes),
                    isUnsigned);
  return success();
}

Value ImporterBase::get(OValue &v) {
  if (v.value)
    return v.value;
  RankedTensorType t = v.type;
  if (v.splat) {
    Type et = t.getElementType();
    auto one = RankedTensorType::get({1}, et);
    DenseElementsAttr attr =
        et.isInteger(1)
            ? DenseElementsAttr::get(one, ArrayRef<bool>{(*v.splat)[0] != 0})
            : DenseElementsAttr::getFromRawBuffer(one, *v.splat);
    v.value = arith::ConstantOp::create(b, loc, t, attr.resizeSplat(t));
    return v.value;
  }
  // Materialize a constant.
  Type et = t.getElementType();
  int64_t n = t.getNumElements();
  const Bytes &bytes = *v.lit;
  ElementsAttr attr;
  bool splat = n > 0;
  for (int64_t i = 1; i < n && splat; ++i)
    splat = std::memcmp(bytes.data(), bytes.data() + i * elemBytes(et),
                        elemBytes(et)) == 0;
  if (et.isInteger(1)) {
    SmallVector<bool> bs;
    for (int64_t i = 0; i < n; ++i)
      bs.push_back(bytes[i] != 0);
    attr = DenseElementsAttr::get(t, bs);
  } else if (n <= options.inlineConstantLimit || splat) {
    auto one = RankedTensorType::get({1}, et);
    if (splat && n > 1)
      attr = DenseElementsAttr::getFromRawBuffer(
                 one, ArrayRef<char>(bytes.data(), elemBytes(et)))
                 .resizeSplat(t);
    else
      attr = DenseElementsAttr::getFromRawBuffer(t, bytes);
  } else {
    std::string name = "onnx_" + std::to_string(state.resourceCounter++);
    attr = DenseResourceElementsAttr::get(
        t, name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(int64_t)));
  }
  v.value = arith::ConstantOp::create(b, loc, t, cast<TypedAttr>(attr));
  return v.value;
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> GraphImporter::run(StringRef path, std::string &error) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  if (failed(loadModel(path)) || failed(importGraph())) {
    error = state.errorMessage.empty() ? "import failed" : state.errorMessage;
    return nullptr;
  }
  // Move the function into the module.
  return module;
}

LogicalResult GraphImporter::importGraph() {
  const onnx::GraphProto &g = model.graph();
  // Initializers first: they may shadow graph inputs.
  for (const auto &init : g.initializer()) {
    OValue v;
    std::string what = "initializer '" + init.name() + "'";
    if (failed(tensorFromProto(init, v, what)))
      return failure();
    values[init.name()] = v;
  }
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<bool> argUnsigned;
  for (const auto &in : g.input()) {
    if (values.count(in.name()))
      continue;
    if (!in.type().has_tensor_type())
      return fail(Twine("graph input '") + in.name() + "' is not a tensor");
    const auto &tt = in.type().tensor_type();
    bool isUnsigned;
    FailureOr<Type> et = elementType(tt.elem_type(), isUnsigned);
    if (failed(et))
      return fail(Twine("graph input '") + in.name() + "': " + typeError);
    if (!tt.has_shape())
      return fail(Twine("graph input '") + in.name() +
                  "' has no shape; only static shapes are supported (give "
                  "it one with --shape=" +
                  in.name() + "=DxDx...)");
    // The --shape that would make this input static: its static sizes, N
    // for the others.
    auto suggestedShape = [&] {
      SmallVector<std::string> dims;
      for (const auto &d : tt.shape().dim())
        dims.push_back(d.has_dim_value() ? std::to_string(d.dim_value())
                                         : std::string("N"));
      return "--shape=" + in.name() + "=" + llvm::join(dims, "x");
    };
    SmallVector<int64_t> shape;
    for (const auto &[i, d] : llvm::enumerate(tt.shape().dim())) {
      if (!d.has_dim_value() && !d.dim_param().empty())
        return fail(Twine("graph input '") + in.name() +
                    "' has a symbolic dimension '" + d.dim_param() +
                    "'; give it a size with --shape=" + d.dim_param() +
                    "=N or " + suggestedShape());
      if (!d.has_dim_value())
        return fail(Twine("graph input '") + in.name() +
                    llvm::formatv("' has a dimension of unknown size "
                                  "(dimension {0}); give it a size with ",
                                  i)
                        .str() +
                    suggestedShape());
      if (d.dim_value() < 0)
        return fail(
            Twine("graph input '") + in.name() +
            llvm::formatv("' has a negative dimension {0}", d.dim_value())
                .str());
      shape.push_back(d.dim_value());
    }
    if (!checkedNumel(shape))
      return fail(Twine("graph input '") + in.name() +
                  "' has an element count that overflows");
    argTypes.push_back(RankedTensorType::get(shape, *et));
    argNames.push_back(in.name());
    argUnsigned.push_back(isUnsigned);
  }
  auto funcType = b.getFunctionType(argTypes, {});
  auto func = func::FuncOp::create(b, loc, options.functionName, funcType);
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "onnx.name", b.getStringAttr(name));
    // Element types are signless; the ABI needs to know uint tensors.
    if (argUnsigned[i])
      func.setArgAttr(i, "onnx.unsigned", b.getUnitAttr());
    values[name] = fromValue(entry->getArgument(i), argUnsigned[i]);
  }
  b.setInsertionPointToStart(entry);

  for (const auto &n : g.node())
    if (failed(importNode(n)))
      return failure();

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  SmallVector<bool> resultUnsigned;
  for (const auto &out : g.output()) {
    auto it = values.find(out.name());
    if (it == values.end())
      return fail(Twine("graph output '") + out.name() + "' is never produced");
    results.push_back(get(it->second));
    resultTypes.push_back(results.back().getType());
    resultUnsigned.push_back(it->second.isUnsigned);
  }
  func::ReturnOp::create(b, loc, results);
  func.setFunctionType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(g.output())) {
    func.setResultAttr(i, "onnx.name", b.getStringAttr(out.name()));
    if (resultUnsigned[i])
      func.setResultAttr(i, "onnx.unsigned", b.getUnitAttr());
  }
  if (failed(verify(func)))
    return fail("internal error: the imported function does not verify");
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &n) {
  node = &n;
  std::string nameLoc = n.name().empty() ? n.op_type() : n.name();
  loc = NameLoc::get(b.getStringAttr(nameLoc));
  StringRef domain = n.domain() == "ai.onnx" ? StringRef() : n.domain();
  const OpConverter *converter = table.lookup(domain, n.op_type());
  if (!converter && !domain.empty()) {
    int64_t domainOpset = 0;
    for (const auto &os : model.opset_import())
      if (os.domain() == n.domain())
        domainOpset = os.version();
    return fail(llvm::formatv("unsupported op '{0}' (node '{1}', domain '{2}', "
                              "opset {3})",
                              n.op_type(), n.name(), n.domain(), domainOpset)
                    .str());
  }
  Inputs in;
  for (const auto &name : n.input()) {
    if (name.empty()) {
      in.push_back(nullptr);
      continue;
    }
    auto it = values.find(name);
    // (The checker rejects undefined inputs before import.)
    if (it == values.end())
      return nodeFail(Twine("input '") + name + "' is not defined");
    in.push_back(&it->second);
  }
  if (!converter)
    return fail(llvm::formatv("unsupported op '{0}' (node '{1}', opset {2})",
                              n.op_type(), n.name(), opset)
                    .str());
  if (in.size() < converter->requiredInputs)
    return nodeFail(llvm::formatv("expects at least {0} inputs, got {1}",
                                  converter->requiredInputs, in.size())
                        .str());
  for (unsigned i = 0; i < converter->requiredInputs; ++i)
    if (!in[i])
      return nodeFail(llvm::formatv("input {0} is required", i).str());
  Outputs out;
  if (failed(converter->convert(state, in, out)))
    return failure();
  for (int i = 0; i < n.output_size(); ++i) {
    if (n.output(i).empty())
      continue;
    if (i < (int)out.size() && !checkedNumel(out[i].type.getShape()))
      return nodeFail(
          llvm::formatv("the shape of output {0} overflows", i).str());
    if (i >= (int)out.size())
      return nodeFail(
          llvm::formatv("output {0} ('{1}') is not supported", i, n.output(i))
              .str());
    // Every constant result (folded, or a splat) must fit
    // --max-constant-bytes; converters that allocate one check first.
    if ((out[i].lit || out[i].splat) &&
        failed(checkConstantResult(out[i].type.getShape(),
                                   out[i].type.getElementType())))
      return failure();
    values[n.output(i)] = out[i];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::optional<uint64_t> mlir::loom::parseByteSize(StringRef text) {
  uint64_t multiplier = 1;
  if (!text.empty()) {
    switch (llvm::toLower(text.back())) {
    case 't':
      multiplier <<= 10;
      [[fallthrough]];
    case 'g':
      multiplier <<= 10;
      [[fallthrough]];
    case 'm':
      multiplier <<= 10;
      [[fallthrough]];
    case 'k':
      multiplier <<= 10;
      text = text.drop_back();
      break;
    default:
      break;
    }
  }
  // Digits only: getAsInteger alone would also take a radix prefix.
  uint64_t value;
  if (text.empty() || !llvm::all_of(text, llvm::isDigit) ||
      text.getAsInteger(10, value) || value == 0 ||
      value > std::numeric_limits<uint64_t>::max() / multiplier)
    return std::nullopt;
  return value * multiplier;
}

llvm::Expected<uint64_t>
mlir::loom::parseMaxConstantBytesOption(StringRef text) {
  if (std::optional<uint64_t> bytes = parseByteSize(text))
    return *bytes;
  return llvm::createStringError(
      "invalid --max-constant-bytes value '" + text +
      "' (expected a positive number of bytes, optionally with a K, M, G or "
      "T suffix: 4096, 64M, 1G)");
}

void mlir::loom::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  LoomDialect, math::MathDialect, tensor::TensorDialect>();
}

OwningOpRef<ModuleOp>
mlir::loom::importONNXModel(MLIRContext *context, StringRef path,
                            const ONNXImportOptions &options,
                            std::string &error) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  context->loadDialect<arith::ArithDialect, func::FuncDialect, LoomDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect>();
  ImportState state(context, options);
  GraphImporter importer(state, getConverterTable());
  return importer.run(path, error);
}
