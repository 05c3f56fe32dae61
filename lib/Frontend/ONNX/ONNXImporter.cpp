//===- ONNXImporter.cpp - ONNX to upstream MLIR dialects ------------------===//
//
// Reads an ONNX ModelProto with Debian's libonnx protobuf classes and builds a
// `func.func` of upstream ops on statically shaped tensors. Shapes are
// propagated while importing; shape computations on constants (Shape, Gather,
// Concat, ConstantOfShape, ...) are folded so every tensor type is static.
//
// Error handling: every malformed input produces a message in `error` and a
// null module; nothing asserts on user data. Node errors read
//   node 'NAME' (OpType, opset N): message
//
//===----------------------------------------------------------------------===//

#include "loom/Frontend/ONNX/ONNXImporter.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <google/protobuf/io/coded_stream.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// Thrown-free error propagation: the first error wins.
struct ImportError {
  std::string message;
};

//===----------------------------------------------------------------------===//
// Values during import
//===----------------------------------------------------------------------===//

/// Constant contents in MLIR storage layout (little endian, one byte per i1).
using Bytes = std::vector<char>;

struct OValue {
  Value value;                  // SSA value, created lazily for constants
  RankedTensorType type;        // always static
  bool isUnsigned = false;      // ONNX uint* mapped onto signless integers
  std::shared_ptr<Bytes> lit;   // known contents (initializers, folded shapes)
  std::shared_ptr<Bytes> splat; // one element, for large ConstantOfShape
};

int64_t elemBytes(Type t) {
  if (t.isInteger(1))
    return 1;
  return (t.getIntOrFloatBitWidth() + 7) / 8;
}

std::optional<int64_t> checkedNumel(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

int64_t numel(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

double readFloat(const Bytes &b, Type t, int64_t i) {
  if (t.isF32()) {
    float f;
    std::memcpy(&f, b.data() + 4 * i, 4);
    return f;
  }
  if (t.isF64()) {
    double f;
    std::memcpy(&f, b.data() + 8 * i, 8);
    return f;
  }
  if (t.isF16() || t.isBF16()) {
    uint16_t bits;
    std::memcpy(&bits, b.data() + 2 * i, 2);
    llvm::APFloat f(t.isF16() ? llvm::APFloat::IEEEhalf()
                              : llvm::APFloat::BFloat(),
                    llvm::APInt(16, bits));
    return f.convertToFloat();
  }
  return 0;
}

int64_t readInt(const Bytes &b, Type t, int64_t i, bool isUnsigned) {
  if (isa<FloatType>(t))
    return (int64_t)readFloat(b, t, i);
  switch (elemBytes(t)) {
  case 1: {
    if (t.isInteger(1))
      return b[i] != 0;
    return isUnsigned ? (int64_t)(uint8_t)b[i] : (int64_t)(int8_t)b[i];
  }
  case 2: {
    int16_t v;
    std::memcpy(&v, b.data() + 2 * i, 2);
    return isUnsigned ? (int64_t)(uint16_t)v : v;
  }
  case 4: {
    int32_t v;
    std::memcpy(&v, b.data() + 4 * i, 4);
    return isUnsigned ? (int64_t)(uint32_t)v : v;
  }
  default: {
    int64_t v;
    std::memcpy(&v, b.data() + 8 * i, 8);
    return v;
  }
  }
}

void writeElem(Bytes &b, Type t, int64_t i, double fv, int64_t iv) {
  if (t.isF32()) {
    float f = (float)fv;
    std::memcpy(b.data() + 4 * i, &f, 4);
  } else if (t.isF64()) {
    std::memcpy(b.data() + 8 * i, &fv, 8);
  } else if (t.isF16() || t.isBF16()) {
    llvm::APFloat f(fv);
    bool lost;
    f.convert(t.isF16() ? llvm::APFloat::IEEEhalf() : llvm::APFloat::BFloat(),
              llvm::APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = (uint16_t)f.bitcastToAPInt().getZExtValue();
    std::memcpy(b.data() + 2 * i, &bits, 2);
  } else if (t.isInteger(1)) {
    b[i] = iv != 0;
  } else {
    int64_t n = elemBytes(t);
    std::memcpy(b.data() + n * i, &iv, n); // little endian truncation
  }
}

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

class Importer {
public:
  Importer(MLIRContext *ctx, const loom::ONNXImportOptions &options)
      : ctx(ctx), options(options), b(ctx), loc(UnknownLoc::get(ctx)) {}

  OwningOpRef<ModuleOp> run(StringRef path, std::string &error);

private:
  using Inputs = SmallVector<OValue *>;
  using Outputs = SmallVector<OValue>;

  // --- errors --------------------------------------------------------------
  LogicalResult fail(const Twine &msg) {
    if (errorMessage.empty())
      errorMessage = msg.str();
    return failure();
  }
  LogicalResult nodeFail(const Twine &msg) {
    return fail(llvm::formatv("node '{0}' ({1}, opset {2}): {3}", node->name(),
                              node->op_type(), opset, msg.str())
                    .str());
  }

  // --- model loading -------------------------------------------------------
  LogicalResult loadModel(StringRef path);
  FailureOr<Type> elementType(int32_t onnxType, bool &isUnsigned);
  LogicalResult tensorFromProto(const onnx::TensorProto &t, OValue &out,
                                StringRef what);
  LogicalResult readExternal(const onnx::TensorProto &t, int64_t nbytes,
                             Bytes &out, StringRef what);
  LogicalResult importGraph();
  LogicalResult importNode(const onnx::NodeProto &n);

  // --- attributes ----------------------------------------------------------
  const onnx::AttributeProto *attr(StringRef name) const {
    for (const auto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t attrInt(StringRef name, int64_t dflt) const {
    const auto *a = attr(name);
    return a ? a->i() : dflt;
  }
  float attrFloat(StringRef name, float dflt) const {
    const auto *a = attr(name);
    return a ? a->f() : dflt;
  }
  std::string attrString(StringRef name, StringRef dflt) const {
    const auto *a = attr(name);
    return a ? a->s() : dflt.str();
  }
  std::optional<SmallVector<int64_t>> attrInts(StringRef name) const {
    const auto *a = attr(name);
    if (!a)
      return std::nullopt;
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  }

  // --- values --------------------------------------------------------------
  Value get(OValue &v);
  OValue fromValue(Value v, bool isUnsigned = false) {
    OValue o;
    o.value = v;
    o.type = cast<RankedTensorType>(v.getType());
    o.isUnsigned = isUnsigned;
    return o;
  }
  OValue fromLiteral(RankedTensorType type, Bytes bytes, bool isUnsigned) {
    OValue o;
    o.type = type;
    o.isUnsigned = isUnsigned;
    o.lit = std::make_shared<Bytes>(std::move(bytes));
    return o;
  }
  OValue intLiteral(ArrayRef<int64_t> shape, ArrayRef<int64_t> vals) {
    auto t = RankedTensorType::get(shape, b.getI64Type());
    Bytes bytes(vals.size() * 8);
    std::memcpy(bytes.data(), vals.data(), bytes.size());
    return fromLiteral(t, std::move(bytes), false);
  }
  /// Integer contents of a constant input (shape operands etc.).
  FailureOr<SmallVector<int64_t>> constInts(OValue *v, StringRef what) {
    if (!v)
      return nodeFail(Twine("missing ") + what);
    if (!v->lit)
      return nodeFail(Twine(what) +
                      " is not a constant; cannot make shapes static");
    SmallVector<int64_t> out;
    int64_t n = v->type.getNumElements();
    for (int64_t i = 0; i < n; ++i)
      out.push_back(
          readInt(*v->lit, v->type.getElementType(), i, v->isUnsigned));
    return out;
  }
  FailureOr<double> constScalar(OValue *v, StringRef what) {
    if (!v->lit || v->type.getNumElements() != 1)
      return nodeFail(Twine(what) + " must be a constant scalar");
    Type t = v->type.getElementType();
    return isa<FloatType>(t) ? readFloat(*v->lit, t, 0)
                             : (double)readInt(*v->lit, t, 0, v->isUnsigned);
  }

  // --- builders ------------------------------------------------------------
  Value empty(ArrayRef<int64_t> shape, Type et) {
    return tensor::EmptyOp::create(b, loc, shape, et);
  }
  Value scalar(Type et, double v) {
    if (auto ft = dyn_cast<FloatType>(et))
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
    if (et.isIndex())
      return arith::ConstantIndexOp::create(b, loc, (int64_t)v);
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, (int64_t)v));
  }
  Value intScalar(Type et, int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, v));
  }
  Value filled(ArrayRef<int64_t> shape, Type et, double v) {
    return linalg::FillOp::create(b, loc, ValueRange{scalar(et, v)},
                                  ValueRange{empty(shape, et)})
        .getResult(0);
  }
  Value lowestValue(Type et) {
    if (auto ft = dyn_cast<FloatType>(et))
      return arith::ConstantOp::create(
          b, loc,
          b.getFloatAttr(ft, llvm::APFloat::getInf(ft.getFloatSemantics(),
                                                   /*Negative=*/true)));
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(
            et, llvm::APInt::getSignedMinValue(et.getIntOrFloatBitWidth())));
  }
  Value highestValue(Type et) {
    if (auto ft = dyn_cast<FloatType>(et))
      return arith::ConstantOp::create(
          b, loc,
          b.getFloatAttr(ft, llvm::APFloat::getInf(ft.getFloatSemantics())));
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(
            et, llvm::APInt::getSignedMaxValue(et.getIntOrFloatBitWidth())));
  }

  using BodyFn = std::function<Value(OpBuilder &, Location, ArrayRef<Value>)>;
  FailureOr<SmallVector<int64_t>> broadcastShape(ArrayRef<ArrayRef<int64_t>>);
  FailureOr<Value> elementwise(ArrayRef<Value> ins, Type outElem, BodyFn fn,
                               std::optional<ArrayRef<int64_t>> outShape = {});
  Value reshape(Value v, ArrayRef<int64_t> shape);
  Value transpose(Value v, ArrayRef<int64_t> perm);
  Value reduce(Value v, ArrayRef<int64_t> axes, bool keepdims, StringRef kind);
  FailureOr<Value> matmul(Value a, Value bb);
  Value convertElem(Value v, Type to, bool fromUnsigned, bool toUnsigned);
  Value sliceAxis(Value v, int64_t axis, int64_t start, int64_t size,
                  int64_t step);
  Value reverseAxis(Value v, int64_t axis);
  Value pad(Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
            Value padValue);

  // --- op handlers ---------------------------------------------------------
  LogicalResult dispatch(StringRef op, Inputs &in, Outputs &out);
  LogicalResult unary(StringRef op, Inputs &in, Outputs &out);
  LogicalResult binary(StringRef op, Inputs &in, Outputs &out);
  LogicalResult variadic(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opMatMul(Inputs &in, Outputs &out);
  LogicalResult opGemm(Inputs &in, Outputs &out);
  LogicalResult opReshapeFamily(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opTranspose(Inputs &in, Outputs &out);
  LogicalResult opSlice(Inputs &in, Outputs &out);
  LogicalResult opConcat(Inputs &in, Outputs &out);
  LogicalResult opGather(Inputs &in, Outputs &out);
  LogicalResult opGatherND(Inputs &in, Outputs &out);
  LogicalResult opGatherElements(Inputs &in, Outputs &out);
  LogicalResult opReduce(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opSoftmax(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opTopK(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opSplit(Inputs &in, Outputs &out);
  LogicalResult opExpand(Inputs &in, Outputs &out);
  LogicalResult opWhere(Inputs &in, Outputs &out);
  LogicalResult opClip(Inputs &in, Outputs &out);
  LogicalResult opConv(Inputs &in, Outputs &out);
  LogicalResult opConvTranspose(Inputs &in, Outputs &out);
  LogicalResult addConvBias(Value y, Inputs &in, Outputs &out);
  Value convCore(Value xPadded, Value w, int64_t groups,
                 ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                 ArrayRef<int64_t> outSize);
  LogicalResult opPool(StringRef op, Inputs &in, Outputs &out);
  LogicalResult opLayerNorm(Inputs &in, Outputs &out);
  LogicalResult opRMSNorm(Inputs &in, Outputs &out);
  LogicalResult opRotaryEmbedding(Inputs &in, Outputs &out);
  LogicalResult opAttention(Inputs &in, Outputs &out);
  LogicalResult opMsAttention(StringRef op, Inputs &in, Outputs &out);
  struct AttentionParams {
    double scale = 0; // <= 0: 1/sqrt(head_dim)
    double softcap = 0;
    bool causal = false;
    OValue *mask = nullptr;
  };
  FailureOr<Value> attentionCore(Value q, Value k, Value v,
                                 const AttentionParams &params);
  LogicalResult opBatchNorm(Inputs &in, Outputs &out);
  LogicalResult opInstanceNorm(Inputs &in, Outputs &out);
  LogicalResult opConstant(Outputs &out);
  LogicalResult opConstantOfShape(Inputs &in, Outputs &out);
  LogicalResult opCast(Inputs &in, Outputs &out);
  LogicalResult opDequantizeLinear(Inputs &in, Outputs &out);
  LogicalResult opQuantizeLinear(Inputs &in, Outputs &out);
  FailureOr<Value> quantParamAsBroadcast(OValue *param, StringRef what,
                                         RankedTensorType xType, int64_t axis,
                                         int64_t blockSize);
  FailureOr<SmallVector<Value>> quantOperands(OValue *x, OValue *scale,
                                              OValue *zeroPoint,
                                              StringRef scaleName,
                                              StringRef zeroPointName);
  LogicalResult opPad(Inputs &in, Outputs &out);
  LogicalResult opTile(Inputs &in, Outputs &out);
  LogicalResult opRange(Inputs &in, Outputs &out);
  LogicalResult opLRN(Inputs &in, Outputs &out);

  MLIRContext *ctx;
  loom::ONNXImportOptions options;
  OpBuilder b;
  Location loc;
  onnx::ModelProto model;
  std::string modelDir;
  int64_t opset = 0;
  const onnx::NodeProto *node = nullptr;
  std::map<std::string, OValue> values;
  std::string errorMessage;
  std::string typeError;
  int resourceCounter = 0;
};

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

LogicalResult Importer::loadModel(StringRef path) {
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
  modelDir = std::string(dir);
  for (const auto &os : model.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx")
      opset = os.version();
  if (opset == 0)
    return fail("the model imports no default-domain (ai.onnx) opset");
  return success();
}

FailureOr<Type> Importer::elementType(int32_t t, bool &isUnsigned) {
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
LogicalResult Importer::readExternal(const onnx::TensorProto &t, int64_t nbytes,
                                     Bytes &out, StringRef what) {
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
  SmallString<256> full(modelDir);
  llvm::sys::path::append(full, location);
  SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(modelDir, realDir) ||
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

LogicalResult Importer::tensorFromProto(const onnx::TensorProto &t, OValue &out,
                                        StringRef what) {
  bool isUnsigned;
  if (t.data_type() == onnx::TensorProto::STRING)
    return fail(Twine(what) + ": string tensors are not supported");
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

Value Importer::get(OValue &v) {
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
    std::string name = "onnx_" + std::to_string(resourceCounter++);
    attr = DenseResourceElementsAttr::get(
        t, name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(int64_t)));
  }
  v.value = arith::ConstantOp::create(b, loc, t, cast<TypedAttr>(attr));
  return v.value;
}

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
Importer::broadcastShape(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (auto s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> out(rank, 1);
  for (auto s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &o = out[rank - s.size() + i];
      int64_t d = s[i];
      if (d == o || d == 1)
        continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string msg = "shapes cannot be broadcast:";
      for (auto sh : shapes) {
        msg += " [";
        msg += llvm::join(
            llvm::map_range(sh, [](int64_t x) { return std::to_string(x); }),
            ",");
        msg += "]";
      }
      return nodeFail(msg);
    }
  }
  return out;
}

FailureOr<Value>
Importer::elementwise(ArrayRef<Value> ins, Type outElem, BodyFn fn,
                      std::optional<ArrayRef<int64_t>> outShape) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : ins)
    shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
  SmallVector<int64_t> shapeStore;
  if (outShape)
    shapes.push_back(*outShape);
  FailureOr<SmallVector<int64_t>> bs = broadcastShape(shapes);
  if (failed(bs))
    return failure();
  shapeStore = *bs;
  int64_t rank = shapeStore.size();
  SmallVector<AffineMap> maps;
  for (Value v : ins) {
    auto s = cast<RankedTensorType>(v.getType()).getShape();
    SmallVector<AffineExpr> exprs;
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t od = rank - s.size() + i;
      if (s[i] == 1 && shapeStore[od] != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(od));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value init = empty(shapeStore, outElem);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> scalars(args.drop_back());
        linalg::YieldOp::create(nb, l, fn(nb, l, scalars));
      });
  return op.getResult(0);
}

Value Importer::reshape(Value v, ArrayRef<int64_t> shape) {
  auto st = cast<RankedTensorType>(v.getType());
  if (st.getShape() == shape)
    return v;
  auto dt = RankedTensorType::get(shape, st.getElementType());
  if (st.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, dt, v,
                                         ArrayRef<ReassociationIndices>{});
  if (dt.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, dt, v,
                                           ArrayRef<ReassociationIndices>{});
  if (dt.getRank() < st.getRank())
    if (auto r = getReassociationIndicesForCollapse(st.getShape(), shape))
      return tensor::CollapseShapeOp::create(b, loc, dt, v, *r);
  if (dt.getRank() > st.getRank())
    if (auto r = getReassociationIndicesForCollapse(shape, st.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, dt, v, *r);
  Value flat = v;
  int64_t n = st.getNumElements();
  if (st.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < st.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n}, st.getElementType()), v,
        ArrayRef<ReassociationIndices>{all});
  }
  if (dt.getRank() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0; i < dt.getRank(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, dt, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

Value Importer::transpose(Value v, ArrayRef<int64_t> perm) {
  auto st = cast<RankedTensorType>(v.getType());
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity &= perm[i] == (int64_t)i;
  if (identity)
    return v;
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(st.getDimSize(p));
  Value init = empty(shape, st.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

Value combine(OpBuilder &b, Location loc, StringRef kind, Value x, Value acc,
              bool isUnsigned = false) {
  bool f = isa<FloatType>(x.getType());
  if (kind == "sum")
    return f ? (Value)arith::AddFOp::create(b, loc, x, acc)
             : (Value)arith::AddIOp::create(b, loc, x, acc);
  if (kind == "prod")
    return f ? (Value)arith::MulFOp::create(b, loc, x, acc)
             : (Value)arith::MulIOp::create(b, loc, x, acc);
  if (kind == "max")
    return f            ? (Value)arith::MaximumFOp::create(b, loc, x, acc)
           : isUnsigned ? (Value)arith::MaxUIOp::create(b, loc, x, acc)
                        : (Value)arith::MaxSIOp::create(b, loc, x, acc);
  // min
  return f            ? (Value)arith::MinimumFOp::create(b, loc, x, acc)
         : isUnsigned ? (Value)arith::MinUIOp::create(b, loc, x, acc)
                      : (Value)arith::MinSIOp::create(b, loc, x, acc);
}

/// linalg.reduce over sorted, unique `axes`; keepdims re-inserts unit dims.
Value Importer::reduce(Value v, ArrayRef<int64_t> axes, bool keepdims,
                       StringRef kind) {
  auto st = cast<RankedTensorType>(v.getType());
  Type et = st.getElementType();
  SmallVector<int64_t> outShape, keepShape;
  for (int64_t i = 0; i < st.getRank(); ++i) {
    bool red = llvm::is_contained(axes, i);
    if (!red)
      outShape.push_back(st.getDimSize(i));
    keepShape.push_back(red ? 1 : st.getDimSize(i));
  }
  Value init;
  if (kind == "sum")
    init = filled(outShape, et, 0);
  else if (kind == "prod")
    init = filled(outShape, et, 1);
  else
    init = linalg::FillOp::create(
               b, loc,
               ValueRange{kind == "max" ? lowestValue(et) : highestValue(et)},
               ValueRange{empty(outShape, et)})
               .getResult(0);
  Value r = axes.empty()
                ? v
                : linalg::ReduceOp::create(
                      b, loc, ValueRange{v}, ValueRange{init}, axes,
                      [&](OpBuilder &nb, Location l, ValueRange args) {
                        linalg::YieldOp::create(
                            nb, l, combine(nb, l, kind, args[0], args[1]));
                      })
                      .getResult(0);
  return keepdims ? reshape(r, keepShape) : r;
}

/// ONNX MatMul (numpy matmul semantics) as linalg.matmul / batch_matmul on
/// collapsed batch dimensions.
FailureOr<Value> Importer::matmul(Value a, Value w) {
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(w.getType());
  Type et = at.getElementType();
  if (at.getRank() == 0 || bt.getRank() == 0)
    return nodeFail("MatMul operands must have rank >= 1");
  bool aVec = at.getRank() == 1, bVec = bt.getRank() == 1;
  if (aVec)
    a = reshape(a, {1, at.getDimSize(0)});
  if (bVec)
    w = reshape(w, {bt.getDimSize(0), 1});
  at = cast<RankedTensorType>(a.getType());
  bt = cast<RankedTensorType>(w.getType());
  int64_t m = at.getDimSize(at.getRank() - 2),
          k = at.getDimSize(at.getRank() - 1);
  int64_t k2 = bt.getDimSize(bt.getRank() - 2),
          n = bt.getDimSize(bt.getRank() - 1);
  if (k != k2)
    return nodeFail(
        llvm::formatv("contraction dimensions differ ({0} vs {1})", k, k2)
            .str());
  auto aBatch = at.getShape().drop_back(2), bBatch = bt.getShape().drop_back(2);
  FailureOr<SmallVector<int64_t>> batch = broadcastShape({aBatch, bBatch});
  if (failed(batch))
    return failure();
  int64_t nb = numel(*batch);
  SmallVector<int64_t> outShape(*batch);
  outShape.push_back(m);
  outShape.push_back(n);
  Value result;
  if (bt.getRank() == 2) {
    // [..., M, K] x [K, N]: fold the batch into M, one linalg.matmul.
    Value a2 = reshape(a, {numel(at.getShape().drop_back(1)), k});
    Value init = filled({numel(at.getShape().drop_back(1)), n}, et, 0);
    result =
        linalg::MatmulOp::create(b, loc, ValueRange{a2, w}, ValueRange{init})
            .getResult(0);
    SmallVector<int64_t> s(aBatch);
    s.push_back(m);
    s.push_back(n);
    result = reshape(result, s);
  } else {
    auto bcast = [&](Value v, ArrayRef<int64_t> vb, int64_t r, int64_t c) {
      SmallVector<int64_t> full(*batch);
      full.push_back(r);
      full.push_back(c);
      if (vb == ArrayRef<int64_t>(*batch))
        return v;
      return *elementwise(
          {v}, et,
          [](OpBuilder &, Location, ArrayRef<Value> x) { return x[0]; },
          ArrayRef<int64_t>(full));
    };
    Value a3 = reshape(bcast(a, aBatch, m, k), {nb, m, k});
    Value b3 = reshape(bcast(w, bBatch, k, n), {nb, k, n});
    Value init = filled({nb, m, n}, et, 0);
    result = linalg::BatchMatmulOp::create(b, loc, ValueRange{a3, b3},
                                           ValueRange{init})
                 .getResult(0);
    result = reshape(result, outShape);
  }
  if (aVec || bVec) {
    SmallVector<int64_t> s(*batch);
    if (!aVec)
      s.push_back(m);
    if (!bVec)
      s.push_back(n);
    result = reshape(result, s);
  }
  return result;
}

Value Importer::convertElem(Value v, Type to, bool fromUnsigned,
                            bool toUnsigned) {
  Type from = v.getType();
  if (from == to)
    return v;
  bool ff = isa<FloatType>(from), tf = isa<FloatType>(to);
  if (to.isInteger(1)) {
    if (ff)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   scalar(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 scalar(from, 0));
  }
  if (ff && tf)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? (Value)arith::ExtFOp::create(b, loc, to, v)
               : (Value)arith::TruncFOp::create(b, loc, to, v);
  if (ff)
    return toUnsigned ? (Value)arith::FPToUIOp::create(b, loc, to, v)
                      : (Value)arith::FPToSIOp::create(b, loc, to, v);
  if (tf)
    return (fromUnsigned || from.isInteger(1))
               ? (Value)arith::UIToFPOp::create(b, loc, to, v)
               : (Value)arith::SIToFPOp::create(b, loc, to, v);
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return (fromUnsigned || from.isInteger(1))
               ? (Value)arith::ExtUIOp::create(b, loc, to, v)
               : (Value)arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

Value Importer::sliceAxis(Value v, int64_t axis, int64_t start, int64_t size,
                          int64_t step) {
  auto st = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offs, sizes, strides;
  for (int64_t i = 0; i < st.getRank(); ++i) {
    offs.push_back(b.getIndexAttr(i == axis ? start : 0));
    sizes.push_back(b.getIndexAttr(i == axis ? size : st.getDimSize(i)));
    strides.push_back(b.getIndexAttr(i == axis ? step : 1));
  }
  return tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides);
}

Value Importer::reverseAxis(Value v, int64_t axis) {
  auto st = cast<RankedTensorType>(v.getType());
  int64_t rank = st.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(i == axis ? b.getAffineConstantExpr(st.getDimSize(i) - 1) -
                                    b.getAffineDimExpr(i)
                              : b.getAffineDimExpr(i));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                 b.getMultiDimIdentityMap(rank)};
  Value init = empty(st.getShape(), st.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{st}, ValueRange{v}, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

Value Importer::pad(Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                    Value padValue) {
  if (llvm::all_of(low, [](int64_t x) { return x == 0; }) &&
      llvm::all_of(high, [](int64_t x) { return x == 0; }))
    return v;
  auto st = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> lo, hi;
  for (int64_t i = 0; i < st.getRank(); ++i) {
    shape.push_back(st.getDimSize(i) + low[i] + high[i]);
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, st.getElementType()), v, lo, hi,
      padValue);
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::run(StringRef path, std::string &error) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  if (failed(loadModel(path)) || failed(importGraph())) {
    error = errorMessage.empty() ? "import failed" : errorMessage;
    return nullptr;
  }
  // Move the function into the module.
  return module;
}

LogicalResult Importer::importGraph() {
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
                  "' has no shape; only static shapes are supported");
    SmallVector<int64_t> shape;
    for (const auto &d : tt.shape().dim()) {
      if (!d.has_dim_value())
        return fail(Twine("graph input '") + in.name() +
                    "' has a symbolic "
                    "dimension '" +
                    d.dim_param() + "'; only static shapes are supported");
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

LogicalResult Importer::importNode(const onnx::NodeProto &n) {
  node = &n;
  std::string nameLoc = n.name().empty() ? n.op_type() : n.name();
  loc = NameLoc::get(b.getStringAttr(nameLoc));
  bool msAttention =
      n.domain() == "com.microsoft" && (n.op_type() == "MultiHeadAttention" ||
                                        n.op_type() == "GroupQueryAttention");
  if (!n.domain().empty() && n.domain() != "ai.onnx" && !msAttention) {
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
    if (it == values.end())
      return nodeFail(Twine("input '") + name + "' is not defined");
    in.push_back(&it->second);
  }
  Outputs out;
  if (failed(msAttention ? opMsAttention(n.op_type(), in, out)
                         : dispatch(n.op_type(), in, out)))
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
    values[n.output(i)] = out[i];
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Op handlers
//===----------------------------------------------------------------------===//

namespace {

bool isFloat(Type t) { return isa<FloatType>(t); }

/// Normalizes `axis` into [0, rank); returns -1 when out of range.
int64_t normAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return -1;
  return axis < 0 ? axis + rank : axis;
}

std::string shapeStr(ArrayRef<int64_t> s) {
  return "[" +
         llvm::join(
             llvm::map_range(s, [](int64_t x) { return std::to_string(x); }),
             ",") +
         "]";
}

LogicalResult Importer::dispatch(StringRef op, Inputs &in, Outputs &out) {
  // Number of required inputs per op is checked by each handler through
  // `need`.
  static const llvm::StringSet<> unaryOps = {
      "Neg",       "Sqrt",      "Reciprocal", "Sigmoid",
      "Tanh",      "Exp",       "Log",        "Abs",
      "Relu",      "IsNaN",     "Gelu",       "Erf",
      "Floor",     "Ceil",      "Sin",        "Cos",
      "Not",       "Sign",      "Softplus",   "Softsign",
      "LeakyRelu", "Elu",       "Selu",       "HardSigmoid",
      "Identity",  "Dropout",   "Shrink",     "IsInf",
      "Round",     "HardSwish", "Mish",       "ThresholdedRelu",
      "Celu",      "Tan",       "Atan",       "Asin",
      "Acos",      "Sinh",      "Cosh",       "Asinh",
      "Acosh",     "Atanh"};
  static const llvm::StringSet<> binaryOps = {
      "Add",     "Sub",  "Mul",     "Div",         "Pow",
      "Equal",   "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
      "And",     "Or",   "Xor",     "PRelu",       "Mod",
      "BitShift"};
  auto need = [&](size_t n) -> LogicalResult {
    if (in.size() < n)
      return nodeFail(
          llvm::formatv("expects at least {0} inputs, got {1}", n, in.size())
              .str());
    for (size_t i = 0; i < n; ++i)
      if (!in[i])
        return nodeFail(llvm::formatv("input {0} is required", i).str());
    return success();
  };
  if (op == "Constant")
    return opConstant(out);
  if (unaryOps.contains(op))
    return failed(need(1)) ? failure() : unary(op, in, out);
  if (binaryOps.contains(op))
    return failed(need(2)) ? failure() : binary(op, in, out);
  if (op == "Sum" || op == "Max" || op == "Min" || op == "Mean")
    return failed(need(1)) ? failure() : variadic(op, in, out);
  if (op == "MatMul")
    return failed(need(2)) ? failure() : opMatMul(in, out);
  if (op == "Gemm")
    return failed(need(2)) ? failure() : opGemm(in, out);
  if (op == "Reshape" || op == "Unsqueeze" || op == "Squeeze" ||
      op == "Flatten")
    return failed(need(1)) ? failure() : opReshapeFamily(op, in, out);
  if (op == "Transpose")
    return failed(need(1)) ? failure() : opTranspose(in, out);
  if (op == "Slice")
    return failed(need(1)) ? failure() : opSlice(in, out);
  if (op == "Concat")
    return failed(need(1)) ? failure() : opConcat(in, out);
  if (op == "Gather")
    return failed(need(2)) ? failure() : opGather(in, out);
  if (op == "GatherND")
    return failed(need(2)) ? failure() : opGatherND(in, out);
  if (op == "GatherElements")
    return failed(need(2)) ? failure() : opGatherElements(in, out);
  if (op.starts_with("Reduce"))
    return failed(need(1)) ? failure() : opReduce(op, in, out);
  if (op == "Softmax" || op == "LogSoftmax")
    return failed(need(1)) ? failure() : opSoftmax(op, in, out);
  if (op == "TopK" || op == "ArgMax" || op == "ArgMin")
    return failed(need(1)) ? failure() : opTopK(op, in, out);
  if (op == "Split")
    return failed(need(1)) ? failure() : opSplit(in, out);
  if (op == "Expand")
    return failed(need(2)) ? failure() : opExpand(in, out);
  if (op == "Where")
    return failed(need(3)) ? failure() : opWhere(in, out);
  if (op == "Clip")
    return failed(need(1)) ? failure() : opClip(in, out);
  if (op == "Conv")
    return failed(need(2)) ? failure() : opConv(in, out);
  if (op == "ConvTranspose")
    return failed(need(2)) ? failure() : opConvTranspose(in, out);
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
      op == "GlobalMaxPool")
    return failed(need(1)) ? failure() : opPool(op, in, out);
  if (op == "RMSNormalization")
    return failed(need(2)) ? failure() : opRMSNorm(in, out);
  if (op == "RotaryEmbedding")
    return failed(need(3)) ? failure() : opRotaryEmbedding(in, out);
  if (op == "Attention")
    return failed(need(3)) ? failure() : opAttention(in, out);
  if (op == "LayerNormalization")
    return failed(need(2)) ? failure() : opLayerNorm(in, out);
  if (op == "BatchNormalization")
    return failed(need(5)) ? failure() : opBatchNorm(in, out);
  if (op == "InstanceNormalization")
    return failed(need(3)) ? failure() : opInstanceNorm(in, out);
  if (op == "ConstantOfShape")
    return failed(need(1)) ? failure() : opConstantOfShape(in, out);
  if (op == "Cast")
    return failed(need(1)) ? failure() : opCast(in, out);
  if (op == "DequantizeLinear")
    return failed(need(2)) ? failure() : opDequantizeLinear(in, out);
  if (op == "QuantizeLinear")
    return failed(need(2)) ? failure() : opQuantizeLinear(in, out);
  if (op == "Pad")
    return failed(need(1)) ? failure() : opPad(in, out);
  if (op == "Tile")
    return failed(need(2)) ? failure() : opTile(in, out);
  if (op == "Range")
    return failed(need(3)) ? failure() : opRange(in, out);
  if (op == "LRN")
    return failed(need(1)) ? failure() : opLRN(in, out);
  if (op == "Shape") {
    if (failed(need(1)))
      return failure();
    auto shape = in[0]->type.getShape();
    int64_t r = shape.size();
    int64_t s = attrInt("start", 0), e = attrInt("end", r);
    s = std::clamp(s < 0 ? s + r : s, (int64_t)0, r);
    e = std::clamp(e < 0 ? e + r : e, (int64_t)0, r);
    SmallVector<int64_t> v(shape.begin() + s, shape.begin() + std::max(s, e));
    out.push_back(intLiteral({(int64_t)v.size()}, v));
    return success();
  }
  if (op == "Size") {
    if (failed(need(1)))
      return failure();
    out.push_back(intLiteral({}, {in[0]->type.getNumElements()}));
    return success();
  }
  return fail(llvm::formatv("unsupported op '{0}' (node '{1}', opset {2})", op,
                            node->name(), opset)
                  .str());
}

//--- elementwise ------------------------------------------------------------

LogicalResult Importer::unary(StringRef op, Inputs &in, Outputs &out) {
  OValue *x = in[0];
  Type et = x->type.getElementType();
  bool f = isFloat(et);
  if (op == "Identity" || op == "Dropout") {
    out.push_back(*x);
    // Inference: the mask output is all true.
    if (op == "Dropout" && node->output_size() > 1 && !node->output(1).empty())
      out.push_back(
          fromLiteral(RankedTensorType::get(x->type.getShape(), b.getI1Type()),
                      Bytes(x->type.getNumElements(), 1), false));
    return success();
  }
  auto needFloat = [&]() -> LogicalResult {
    if (!f)
      return nodeFail("expects a floating-point input");
    return success();
  };
  double alpha = attrFloat("alpha", op == "LeakyRelu"     ? 0.01f
                                    : op == "HardSigmoid" ? 0.2f
                                    : op == "Selu" ? 1.67326319217681884765625f
                                                   : 1.0f);
  double gamma = attrFloat("gamma", 1.05070102214813232421875f);
  std::string approx = attrString("approximate", "none");
  double lambd = attrFloat("lambd", 0.5f), bias = attrFloat("bias", 0.0f);
  Type outElem = (op == "IsNaN" || op == "IsInf") ? b.getI1Type() : et;
  if (op != "Abs" && op != "Neg" && op != "Relu" && op != "Not" &&
      op != "Sign" && failed(needFloat()))
    return failure();
  bool isU = x->isUnsigned;
  std::string opName = op.str();
  BodyFn fn = [&, opName](OpBuilder &nb, Location l,
                          ArrayRef<Value> a) -> Value {
    Value v = a[0];
    StringRef o = opName;
    auto c = [&](double d) { return scalar(et, d); };
    // `scalar` uses the importer's builder; keep the insertion point in sync.
    (void)nb;
    if (o == "Neg")
      return f ? (Value)arith::NegFOp::create(b, l, v)
               : (Value)arith::SubIOp::create(b, l, c(0), v);
    if (o == "Sqrt")
      return math::SqrtOp::create(b, l, v);
    if (o == "Reciprocal")
      return arith::DivFOp::create(b, l, c(1), v);
    if (o == "Sigmoid") {
      Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, v));
      return arith::DivFOp::create(b, l, c(1),
                                   arith::AddFOp::create(b, l, c(1), e));
    }
    if (o == "Tanh")
      return math::TanhOp::create(b, l, v);
    if (o == "Exp")
      return math::ExpOp::create(b, l, v);
    if (o == "Log")
      return math::LogOp::create(b, l, v);
    if (o == "Erf")
      return math::ErfOp::create(b, l, v);
    if (o == "Floor")
      return math::FloorOp::create(b, l, v);
    if (o == "Ceil")
      return math::CeilOp::create(b, l, v);
    if (o == "Round")
      return math::RoundEvenOp::create(b, l, v);
    if (o == "Sin")
      return math::SinOp::create(b, l, v);
    if (o == "Cos")
      return math::CosOp::create(b, l, v);
    if (o == "Tan")
      return math::TanOp::create(b, l, v);
    if (o == "Atan")
      return math::AtanOp::create(b, l, v);
    if (o == "Asin")
      return math::AsinOp::create(b, l, v);
    if (o == "Acos")
      return math::AcosOp::create(b, l, v);
    if (o == "Sinh")
      return math::SinhOp::create(b, l, v);
    if (o == "Cosh")
      return math::CoshOp::create(b, l, v);
    if (o == "Asinh")
      return math::AsinhOp::create(b, l, v);
    if (o == "Acosh")
      return math::AcoshOp::create(b, l, v);
    if (o == "Atanh")
      return math::AtanhOp::create(b, l, v);
    if (o == "Abs")
      return f     ? (Value)math::AbsFOp::create(b, l, v)
             : isU ? v
                   : (Value)math::AbsIOp::create(b, l, v);
    if (o == "Relu")
      return f ? (Value)arith::MaximumFOp::create(b, l, v, c(0))
               : (Value)arith::MaxSIOp::create(b, l, v, c(0));
    if (o == "IsNaN")
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    if (o == "IsInf") {
      Value a = math::AbsFOp::create(b, l, v);
      bool pos = attrInt("detect_positive", 1),
           neg = attrInt("detect_negative", 1);
      Value isInf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a,
                                          highestValue(et));
      Value positive =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(0));
      Value t = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
      Value sel =
          pos && neg ? t
          : pos      ? positive
          : neg ? (Value)arith::XOrIOp::create(b, l, positive, t)
                : (Value)arith::ConstantOp::create(b, l, b.getBoolAttr(false));
      return arith::AndIOp::create(b, l, isInf, sel);
    }
    if (o == "Not")
      return arith::XOrIOp::create(
          b, l, v, arith::ConstantOp::create(b, l, b.getBoolAttr(true)));
    if (o == "Sign") {
      if (f) {
        Value pos = arith::UIToFPOp::create(
            b, l, et,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(0)));
        Value neg = arith::UIToFPOp::create(
            b, l, et,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0)));
        return arith::SubFOp::create(b, l, pos, neg);
      }
      Value pos = arith::ExtUIOp::create(
          b, l, et,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, v, c(0)));
      Value neg = arith::ExtUIOp::create(
          b, l, et,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v, c(0)));
      return arith::SubIOp::create(b, l, pos, neg);
    }
    if (o == "Softplus")
      return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, v));
    if (o == "Softsign")
      return arith::DivFOp::create(
          b, l, v,
          arith::AddFOp::create(b, l, c(1), math::AbsFOp::create(b, l, v)));
    if (o == "LeakyRelu") {
      Value neg =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0));
      return arith::SelectOp::create(
          b, l, neg, arith::MulFOp::create(b, l, v, c(alpha)), v);
    }
    if (o == "ThresholdedRelu") {
      Value gt =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(alpha));
      return arith::SelectOp::create(b, l, gt, v, c(0));
    }
    if (o == "Elu" || o == "Selu" || o == "Celu") {
      Value neg =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0));
      Value e;
      if (o == "Celu")
        e = arith::MulFOp::create(
            b, l, c(alpha),
            math::ExpM1Op::create(b, l,
                                  arith::DivFOp::create(b, l, v, c(alpha))));
      else
        e = arith::MulFOp::create(b, l, c(alpha),
                                  math::ExpM1Op::create(b, l, v));
      Value r = arith::SelectOp::create(b, l, neg, e, v);
      return o == "Selu" ? (Value)arith::MulFOp::create(b, l, r, c(gamma)) : r;
    }
    if (o == "HardSigmoid" || o == "HardSwish") {
      double a = o == "HardSwish" ? 1.0 / 6 : alpha;
      double bb = o == "HardSwish" ? 0.5 : attrFloat("beta", 0.5f);
      Value y = arith::AddFOp::create(
          b, l, arith::MulFOp::create(b, l, v, c(a)), c(bb));
      y = arith::MinimumFOp::create(
          b, l, arith::MaximumFOp::create(b, l, y, c(0)), c(1));
      return o == "HardSwish" ? (Value)arith::MulFOp::create(b, l, v, y) : y;
    }
    if (o == "Mish") {
      Value sp = math::Log1pOp::create(b, l, math::ExpOp::create(b, l, v));
      return arith::MulFOp::create(b, l, v, math::TanhOp::create(b, l, sp));
    }
    if (o == "Shrink") {
      Value lt =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(-lambd));
      Value gt =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, c(lambd));
      Value add = arith::AddFOp::create(b, l, v, c(bias));
      Value sub = arith::SubFOp::create(b, l, v, c(bias));
      return arith::SelectOp::create(
          b, l, lt, add, arith::SelectOp::create(b, l, gt, sub, c(0)));
    }
    // Gelu
    if (approx == "tanh") {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value x3 =
          arith::MulFOp::create(b, l, v, arith::MulFOp::create(b, l, v, v));
      Value in = arith::MulFOp::create(
          b, l, c(std::sqrt(2.0 / M_PI)),
          arith::AddFOp::create(b, l, v,
                                arith::MulFOp::create(b, l, c(0.044715), x3)));
      Value t =
          arith::AddFOp::create(b, l, c(1), math::TanhOp::create(b, l, in));
      return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, c(0.5), v),
                                   t);
    }
    Value e =
        math::ErfOp::create(b, l, arith::MulFOp::create(b, l, v, c(M_SQRT1_2)));
    Value t = arith::AddFOp::create(b, l, c(1), e);
    return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, c(0.5), v),
                                 t);
  };
  if (op == "Gelu" && approx != "none" && approx != "tanh")
    return nodeFail("unknown approximate mode '" + approx + "'");
  // The body builders use the importer's builder `b`; save and restore its
  // insertion point around the generic.
  OpBuilder::InsertionGuard guard(b);
  BodyFn wrapped = [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    return fn(nb, l, a);
  };
  FailureOr<Value> r = elementwise({get(*x)}, outElem, wrapped);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, outElem == et && isU));
  return success();
}

LogicalResult Importer::binary(StringRef op, Inputs &in, Outputs &out) {
  OValue *x = in[0], *y = in[1];
  Type et = x->type.getElementType();
  Type yt = y->type.getElementType();
  bool f = isFloat(et);
  bool isU = x->isUnsigned;
  if (op != "Pow" && op != "BitShift" && et != yt)
    return nodeFail(llvm::formatv("operand element types differ", 0).str());
  bool cmp = op == "Equal" || op == "Less" || op == "Greater" ||
             op == "LessOrEqual" || op == "GreaterOrEqual";
  Type outElem = cmp ? b.getI1Type() : et;
  if (op == "Pow" && !f)
    return nodeFail("integer Pow is not supported");
  int64_t fmod = attrInt("fmod", 0);
  std::string dir = attrString("direction", "LEFT");
  std::string o = op.str();
  BodyFn fn = [&, o](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    Value p = a[0], q = a[1];
    if (o == "Add")
      return f ? (Value)arith::AddFOp::create(b, l, p, q)
               : (Value)arith::AddIOp::create(b, l, p, q);
    if (o == "Sub")
      return f ? (Value)arith::SubFOp::create(b, l, p, q)
               : (Value)arith::SubIOp::create(b, l, p, q);
    if (o == "Mul")
      return f ? (Value)arith::MulFOp::create(b, l, p, q)
               : (Value)arith::MulIOp::create(b, l, p, q);
    if (o == "Div")
      return f     ? (Value)arith::DivFOp::create(b, l, p, q)
             : isU ? (Value)arith::DivUIOp::create(b, l, p, q)
                   : (Value)arith::DivSIOp::create(b, l, p, q);
    if (o == "Mod") {
      if (f)
        return arith::RemFOp::create(b, l, p, q);
      if (isU)
        return arith::RemUIOp::create(b, l, p, q);
      if (fmod)
        return arith::RemSIOp::create(b, l, p, q);
      // Python-style modulo: the result takes the divisor's sign.
      Value r = arith::RemSIOp::create(b, l, p, q);
      Value zero = scalar(et, 0);
      Value rNeg =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
      Value qNeg =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, q, zero);
      Value nz = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
      Value fix = arith::AndIOp::create(
          b, l, nz, arith::XOrIOp::create(b, l, rNeg, qNeg));
      return arith::SelectOp::create(b, l, fix,
                                     arith::AddIOp::create(b, l, r, q), r);
    }
    if (o == "Pow") {
      if (q.getType() != p.getType())
        q = convertElem(q, p.getType(), false, false);
      return math::PowFOp::create(b, l, p, q);
    }
    if (o == "PRelu") {
      Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, p,
                                        scalar(et, 0));
      return arith::SelectOp::create(b, l, neg,
                                     arith::MulFOp::create(b, l, p, q), p);
    }
    if (o == "And")
      return arith::AndIOp::create(b, l, p, q);
    if (o == "Or")
      return arith::OrIOp::create(b, l, p, q);
    if (o == "Xor")
      return arith::XOrIOp::create(b, l, p, q);
    if (o == "BitShift")
      return dir == "LEFT" ? (Value)arith::ShLIOp::create(b, l, p, q)
                           : (Value)arith::ShRUIOp::create(b, l, p, q);
    // Comparisons.
    if (f) {
      arith::CmpFPredicate pr = o == "Equal"     ? arith::CmpFPredicate::OEQ
                                : o == "Less"    ? arith::CmpFPredicate::OLT
                                : o == "Greater" ? arith::CmpFPredicate::OGT
                                : o == "LessOrEqual"
                                    ? arith::CmpFPredicate::OLE
                                    : arith::CmpFPredicate::OGE;
      return arith::CmpFOp::create(b, l, pr, p, q);
    }
    arith::CmpIPredicate pr =
        o == "Equal" ? arith::CmpIPredicate::eq
        : o == "Less"
            ? (isU ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt)
        : o == "Greater"
            ? (isU ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
        : o == "LessOrEqual"
            ? (isU ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
            : (isU ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge);
    return arith::CmpIOp::create(b, l, pr, p, q);
  };
  // Fold integer arithmetic on constants (shape computations).
  if (x->lit && y->lit && !f && !cmp &&
      (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")) {
    FailureOr<SmallVector<int64_t>> bs =
        broadcastShape({x->type.getShape(), y->type.getShape()});
    if (failed(bs))
      return failure();
    if (numel(*bs) <= 4096) {
      auto at = [&](OValue *v, ArrayRef<int64_t> idx) {
        auto s = v->type.getShape();
        int64_t flat = 0;
        for (size_t i = 0; i < s.size(); ++i) {
          int64_t d = idx[idx.size() - s.size() + i];
          flat = flat * s[i] + (s[i] == 1 ? 0 : d);
        }
        return readInt(*v->lit, v->type.getElementType(), flat, v->isUnsigned);
      };
      auto st = stridesOf(*bs);
      Bytes bytes(numel(*bs) * elemBytes(et));
      for (int64_t i = 0; i < numel(*bs); ++i) {
        SmallVector<int64_t> idx;
        for (size_t d = 0; d < bs->size(); ++d)
          idx.push_back((i / st[d]) % (*bs)[d]);
        int64_t p = at(x, idx), q = at(y, idx), r;
        if (op == "Add")
          r = p + q;
        else if (op == "Sub")
          r = p - q;
        else if (op == "Mul")
          r = p * q;
        else {
          if (q == 0)
            return nodeFail("integer division by zero in a constant");
          r = p / q;
        }
        writeElem(bytes, et, i, 0, r);
      }
      out.push_back(
          fromLiteral(RankedTensorType::get(*bs, et), std::move(bytes), isU));
      return success();
    }
  }
  Value xv = get(*x), yv = get(*y);
  auto xs = x->type.getShape(), ys = y->type.getShape();
  // Opset < 7 legacy broadcasting: `broadcast=1, axis=a` aligns B at axis a.
  if (opset < 7 && attrInt("broadcast", 0) && attr("axis") && !ys.empty()) {
    int64_t axis = attrInt("axis", 0);
    if (axis < 0)
      axis += xs.size();
    if (axis < 0 || axis + ys.size() > xs.size())
      return nodeFail("legacy broadcast axis out of range");
    SmallVector<int64_t> s(axis, 1);
    s.append(ys.begin(), ys.end());
    s.resize(xs.size(), 1);
    yv = reshape(yv, s);
  }
  // PRelu-6 and older exporters give a per-channel slope [C] for [N, C, ...].
  if (op == "PRelu" && ys.size() == 1 && xs.size() >= 2 && ys[0] == xs[1] &&
      ys[0] != xs.back()) {
    SmallVector<int64_t> s(xs.size(), 1);
    s[1] = ys[0];
    yv = reshape(yv, s);
  }
  FailureOr<Value> r = elementwise({xv, yv}, outElem, fn);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, !cmp && isU));
  return success();
}

LogicalResult Importer::variadic(StringRef op, Inputs &in, Outputs &out) {
  SmallVector<Value> vals;
  for (OValue *v : in) {
    if (!v)
      return nodeFail("empty input names are not allowed");
    vals.push_back(get(*v));
  }
  Type et = in[0]->type.getElementType();
  bool isU = in[0]->isUnsigned;
  std::string kind = op == "Sum" || op == "Mean" ? "sum"
                     : op == "Max"               ? "max"
                                                 : "min";
  bool f = isFloat(et);
  size_t n = vals.size();
  BodyFn fn = [&, kind, n, f](OpBuilder &nb, Location l,
                              ArrayRef<Value> a) -> Value {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    Value acc = a[0];
    for (size_t i = 1; i < a.size(); ++i)
      acc = combine(b, l, kind, a[i], acc, isU);
    if (op == "Mean")
      acc = f ? (Value)arith::DivFOp::create(b, l, acc, scalar(et, n))
              : (Value)arith::DivSIOp::create(b, l, acc, scalar(et, n));
    return acc;
  };
  FailureOr<Value> r = elementwise(vals, et, fn);
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, isU));
  return success();
}

LogicalResult Importer::opWhere(Inputs &in, Outputs &out) {
  if (!in[0]->type.getElementType().isInteger(1))
    return nodeFail("condition must be a bool tensor");
  if (in[1]->type.getElementType() != in[2]->type.getElementType())
    return nodeFail("X and Y element types differ");
  Type et = in[1]->type.getElementType();
  FailureOr<Value> r =
      elementwise({get(*in[0]), get(*in[1]), get(*in[2])}, et,
                  [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::SelectOp::create(nb, l, a[0], a[1], a[2]);
                  });
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, in[1]->isUnsigned));
  return success();
}

LogicalResult Importer::opClip(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  Type et = x->type.getElementType();
  std::optional<double> lo, hi;
  Value loV, hiV;
  if (opset < 11) {
    lo = attrFloat("min", -std::numeric_limits<float>::max());
    hi = attrFloat("max", std::numeric_limits<float>::max());
  } else {
    if (in.size() > 1 && in[1])
      loV = get(*in[1]);
    if (in.size() > 2 && in[2])
      hiV = get(*in[2]);
  }
  SmallVector<Value> ins = {get(*x)};
  // Min/max arrive as 0-d tensors; pass them as broadcast operands.
  int loIdx = -1, hiIdx = -1;
  if (loV) {
    loIdx = ins.size();
    ins.push_back(loV);
  }
  if (hiV) {
    hiIdx = ins.size();
    ins.push_back(hiV);
  }
  bool f = isFloat(et), isU = x->isUnsigned;
  BodyFn fn = [&, loIdx, hiIdx](OpBuilder &nb, Location l,
                                ArrayRef<Value> a) -> Value {
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    Value v = a[0];
    Value lov = loIdx >= 0 ? a[loIdx] : lo ? scalar(et, *lo) : Value();
    Value hiv = hiIdx >= 0 ? a[hiIdx] : hi ? scalar(et, *hi) : Value();
    auto sel = [&](Value cmpWith, bool lower) -> Value {
      Value c =
          f ? (Value)arith::CmpFOp::create(b, l,
                                           lower ? arith::CmpFPredicate::OLT
                                                 : arith::CmpFPredicate::OGT,
                                           v, cmpWith)
            : (Value)arith::CmpIOp::create(
                  b, l,
                  lower ? (isU ? arith::CmpIPredicate::ult
                               : arith::CmpIPredicate::slt)
                        : (isU ? arith::CmpIPredicate::ugt
                               : arith::CmpIPredicate::sgt),
                  v, cmpWith);
      return arith::SelectOp::create(b, l, c, cmpWith, v);
    };
    if (lov)
      v = sel(lov, true);
    if (hiv)
      v = sel(hiv, false);
    return v;
  };
  FailureOr<Value> r = elementwise(ins, et, fn, x->type.getShape());
  if (failed(r))
    return failure();
  if (cast<RankedTensorType>(r->getType()).getShape() != x->type.getShape())
    return nodeFail("min/max must be scalars");
  out.push_back(fromValue(*r, isU));
  return success();
}

LogicalResult Importer::opExpand(Inputs &in, Outputs &out) {
  FailureOr<SmallVector<int64_t>> shape = constInts(in[1], "the shape input");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return nodeFail("negative dimension in the target shape");
  FailureOr<Value> r = elementwise(
      {get(*in[0])}, in[0]->type.getElementType(),
      [](OpBuilder &, Location, ArrayRef<Value> a) { return a[0]; },
      ArrayRef<int64_t>(*shape));
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, in[0]->isUnsigned));
  return success();
}

LogicalResult Importer::opCast(Inputs &in, Outputs &out) {
  bool toU;
  int64_t to = attrInt("to", 0);
  FailureOr<Type> et = elementType(to, toU);
  if (failed(et))
    return nodeFail(typeError);
  OValue *x = in[0];
  Type from = x->type.getElementType();
  auto rt = RankedTensorType::get(x->type.getShape(), *et);
  if (x->lit && !isFloat(from) && !isFloat(*et)) {
    Bytes bytes(x->type.getNumElements() * elemBytes(*et));
    for (int64_t i = 0; i < x->type.getNumElements(); ++i)
      writeElem(bytes, *et, i, 0, readInt(*x->lit, from, i, x->isUnsigned));
    out.push_back(fromLiteral(rt, std::move(bytes), toU));
    return success();
  }
  bool fromU = x->isUnsigned;
  Type toT = *et;
  FailureOr<Value> r = elementwise(
      {get(*x)}, toT,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Location saved = loc;
        loc = l;
        Value v = convertElem(a[0], toT, fromU, toU);
        loc = saved;
        return v;
      });
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, toU));
  return success();
}

/// The scale or zero point of DequantizeLinear as a tensor of x's rank that
/// broadcasts against x: per tensor (a scalar or one element) all unit
/// dimensions; per axis (1-D) the axis dimension; blocked (x's rank, the axis
/// dimension ceil(D / block_size)) each entry repeated block_size times along
/// the axis and cut to D.
FailureOr<Value> Importer::quantParamAsBroadcast(OValue *param, StringRef what,
                                                 RankedTensorType xType,
                                                 int64_t axis,
                                                 int64_t blockSize) {
  ArrayRef<int64_t> xs = xType.getShape();
  ArrayRef<int64_t> ps = param->type.getShape();
  int64_t rank = xs.size();
  auto shapeStr = [](ArrayRef<int64_t> s) {
    return "[" +
           llvm::join(
               llvm::map_range(s, [](int64_t d) { return std::to_string(d); }),
               ",") +
           "]";
  };
  Value v = get(*param);
  if (blockSize == 0) {
    if (ps.size() > 1)
      return nodeFail(llvm::formatv("{0} must be a scalar or 1-D without "
                                    "block_size, got shape {1}",
                                    what, shapeStr(ps))
                          .str());
    SmallVector<int64_t> shape(rank, 1);
    // One element: per tensor. Otherwise per axis.
    if (param->type.getNumElements() != 1) {
      // (x has rank >= 1 here: the caller checked the axis.)
      if (ps[0] != xs[axis])
        return nodeFail(
            llvm::formatv("{0} has {1} elements but x has {2} along axis {3}",
                          what, ps[0], xs[axis], axis)
                .str());
      shape[axis] = ps[0];
    }
    return reshape(v, shape);
  }
  if ((int64_t)ps.size() != rank)
    return nodeFail(llvm::formatv("blocked {0} must have x's rank {1}, got "
                                  "shape {2}",
                                  what, rank, shapeStr(ps))
                        .str());
  int64_t blocks = llvm::divideCeil(xs[axis], blockSize);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t want = d == axis ? blocks : xs[d];
    if (ps[d] != want)
      return nodeFail(
          llvm::formatv("blocked {0} has shape {1}; with x {2}, axis {3} and "
                        "block_size {4} it must be {5} along dimension {6}",
                        what, shapeStr(ps), shapeStr(xs), axis, blockSize, want,
                        d)
              .str());
  }
  // [.., C, ..] -> [.., C, 1, ..] -> broadcast [.., C, B, ..] -> [.., C*B, ..].
  Type et = param->type.getElementType();
  SmallVector<int64_t> repeated(ps.begin(), ps.end());
  repeated.insert(repeated.begin() + axis + 1, blockSize);
  Value init = empty(repeated, et);
  Value bcast =
      linalg::BroadcastOp::create(b, loc, v, init, ArrayRef<int64_t>{axis + 1})
          .getResult()[0];
  SmallVector<int64_t> flat(ps.begin(), ps.end());
  flat[axis] = blocks * blockSize;
  Value r = reshape(bcast, flat);
  if (flat[axis] != xs[axis])
    r = sliceAxis(r, axis, 0, xs[axis], 1);
  return r;
}

/// x, then its scale and (when given) zero point broadcast against x: the
/// operands of QuantizeLinear's and DequantizeLinear's elementwise body. Both
/// read `axis` (opset 13) and `block_size` (opset 21) alike; the axis is
/// checked unless the scale is per tensor (one element, no blocks).
FailureOr<SmallVector<Value>>
Importer::quantOperands(OValue *x, OValue *scale, OValue *zeroPoint,
                        StringRef scaleName, StringRef zeroPointName) {
  int64_t rank = x->type.getRank();
  int64_t blockSize = opset >= 21 ? attrInt("block_size", 0) : 0;
  if (blockSize < 0)
    return nodeFail(
        llvm::formatv("block_size must be >= 0, got {0}", blockSize).str());
  int64_t axis = opset >= 13 ? attrInt("axis", 1) : 1;
  if (blockSize != 0 || scale->type.getNumElements() != 1) {
    int64_t a = normAxis(axis, rank);
    if (a < 0)
      return nodeFail(
          llvm::formatv("axis {0} is out of range for x of rank {1}", axis,
                        rank)
              .str());
    axis = a;
  }
  FailureOr<Value> s =
      quantParamAsBroadcast(scale, scaleName, x->type, axis, blockSize);
  if (failed(s))
    return failure();
  SmallVector<Value> ins = {get(*x), *s};
  if (zeroPoint) {
    FailureOr<Value> z = quantParamAsBroadcast(zeroPoint, zeroPointName,
                                               x->type, axis, blockSize);
    if (failed(z))
      return failure();
    ins.push_back(*z);
  }
  return ins;
}

/// y = (x - x_zero_point) * x_scale in f32 (ONNX's reference computes x and
/// the zero point as float32), converted to the scale's type.
LogicalResult Importer::opDequantizeLinear(Inputs &in, Outputs &out) {
  OValue *x = in[0], *scale = in[1];
  OValue *zeroPoint = in.size() > 2 ? in[2] : nullptr;
  Type xt = x->type.getElementType();
  if (!(xt.isInteger(8) || xt.isInteger(16) ||
        (xt.isInteger(32) && !x->isUnsigned)))
    return nodeFail("x must be int8, uint8, int16, uint16 or int32");
  Type st = scale->type.getElementType();
  if (!isa<FloatType>(st) || st.isF64())
    return nodeFail("x_scale must be float, float16 or bfloat16");
  if (zeroPoint && (zeroPoint->type.getElementType() != xt ||
                    zeroPoint->isUnsigned != x->isUnsigned))
    return nodeFail("x_zero_point must have the element type of x");
  if (zeroPoint && zeroPoint->type.getShape() != scale->type.getShape())
    return nodeFail("x_zero_point must have the shape of x_scale");
  FailureOr<SmallVector<Value>> ins =
      quantOperands(x, scale, zeroPoint, "x_scale", "x_zero_point");
  if (failed(ins))
    return failure();
  bool isU = x->isUnsigned;
  Type f32 = b.getF32Type();
  FailureOr<Value> r = elementwise(
      *ins, st,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto toF32 = [&](Value v) -> Value {
          return isU ? (Value)arith::UIToFPOp::create(nb, l, f32, v)
                     : (Value)arith::SIToFPOp::create(nb, l, f32, v);
        };
        Value dx = toF32(a[0]);
        if (a.size() > 2)
          dx = arith::SubFOp::create(nb, l, dx, toF32(a[2]));
        Value sv = a[1];
        if (!st.isF32())
          sv = arith::ExtFOp::create(nb, l, f32, sv);
        Value y = arith::MulFOp::create(nb, l, dx, sv);
        if (!st.isF32())
          y = arith::TruncFOp::create(nb, l, st, y);
        return y;
      },
      x->type.getShape());
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r));
  return success();
}

/// y = saturate(roundeven(x / y_scale) + y_zero_point) computed in f32, as
/// ONNX's reference does; y has the zero point's type (output_dtype from opset
/// 21 without a zero point; uint8 by default).
LogicalResult Importer::opQuantizeLinear(Inputs &in, Outputs &out) {
  OValue *x = in[0], *scale = in[1];
  OValue *zeroPoint = in.size() > 2 ? in[2] : nullptr;
  Type xt = x->type.getElementType(), st = scale->type.getElementType();
  if (!isa<FloatType>(xt) || xt.isF64() || !isa<FloatType>(st) || st.isF64())
    return nodeFail("x and y_scale must be float, float16 or bfloat16");
  Type yt = b.getI8Type();
  bool isU = true;
  if (zeroPoint) {
    yt = zeroPoint->type.getElementType();
    isU = zeroPoint->isUnsigned;
  } else if (opset >= 21 && attrInt("output_dtype", 0) != 0) {
    FailureOr<Type> t = elementType(attrInt("output_dtype", 0), isU);
    if (failed(t))
      return nodeFail(typeError);
    yt = *t;
  }
  if (!yt.isInteger(8) && !yt.isInteger(16))
    return nodeFail("y must be int8, uint8, int16 or uint16");
  if (zeroPoint && zeroPoint->type.getShape() != scale->type.getShape())
    return nodeFail("y_zero_point must have the shape of y_scale");
  FailureOr<SmallVector<Value>> ins =
      quantOperands(x, scale, zeroPoint, "y_scale", "y_zero_point");
  if (failed(ins))
    return failure();
  unsigned width = yt.getIntOrFloatBitWidth();
  double lo = isU ? 0 : -std::ldexp(1.0, width - 1);
  double hi = isU ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  Type f32 = b.getF32Type();
  FailureOr<Value> r = elementwise(
      *ins, yt,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto toF32 = [&](Value v) -> Value {
          if (v.getType() == f32)
            return v;
          return arith::ExtFOp::create(nb, l, f32, v);
        };
        Value q = math::RoundEvenOp::create(
            nb, l, arith::DivFOp::create(nb, l, toF32(a[0]), toF32(a[1])));
        if (a.size() > 2)
          q = arith::AddFOp::create(
              nb, l, q,
              isU ? (Value)arith::UIToFPOp::create(nb, l, f32, a[2])
                  : (Value)arith::SIToFPOp::create(nb, l, f32, a[2]));
        // Saturate (NaN maps to the lower bound, like fptosi of a clamp).
        Value loV = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(lo));
        Value hiV = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(hi));
        q = arith::MinNumFOp::create(
            nb, l, arith::MaxNumFOp::create(nb, l, q, loV), hiV);
        return isU ? (Value)arith::FPToUIOp::create(nb, l, yt, q)
                   : (Value)arith::FPToSIOp::create(nb, l, yt, q);
      },
      x->type.getShape());
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r, isU));
  return success();
}

//--- linear algebra ---------------------------------------------------------

LogicalResult Importer::opMatMul(Inputs &in, Outputs &out) {
  if (in[0]->type.getElementType() != in[1]->type.getElementType())
    return nodeFail("operand element types differ");
  FailureOr<Value> r = matmul(get(*in[0]), get(*in[1]));
  if (failed(r))
    return failure();
  out.push_back(fromValue(*r));
  return success();
}

LogicalResult Importer::opGemm(Inputs &in, Outputs &out) {
  Value a = get(*in[0]), w = get(*in[1]);
  if (in[0]->type.getRank() != 2 || in[1]->type.getRank() != 2)
    return nodeFail("A and B must be 2-D");
  if (attrInt("transA", 0))
    a = transpose(a, {1, 0});
  if (attrInt("transB", 0))
    w = transpose(w, {1, 0});
  double alpha = attrFloat("alpha", 1.0f), beta = attrFloat("beta", 1.0f);
  FailureOr<Value> r = matmul(a, w);
  if (failed(r))
    return failure();
  Type et = in[0]->type.getElementType();
  if (!isFloat(et))
    return nodeFail("Gemm expects floating-point operands");
  Value y = *r;
  if (alpha != 1.0) {
    FailureOr<Value> s = elementwise(
        {y}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
          return arith::MulFOp::create(
              nb, l, v[0],
              arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, alpha)));
        });
    if (failed(s))
      return failure();
    y = *s;
  }
  if (in.size() > 2 && in[2] && beta != 0.0) {
    auto yShape = cast<RankedTensorType>(y.getType()).getShape();
    FailureOr<Value> s = elementwise(
        {y, get(*in[2])}, et,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> v) -> Value {
          Value c = v[1];
          if (beta != 1.0)
            c = arith::MulFOp::create(
                nb, l, c,
                arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, beta)));
          return arith::AddFOp::create(nb, l, v[0], c);
        },
        yShape);
    if (failed(s))
      return failure();
    if (cast<RankedTensorType>(s->getType()).getShape() != yShape)
      return nodeFail("C does not broadcast to the result shape");
    y = *s;
  }
  out.push_back(fromValue(y));
  return success();
}

//--- shapes -----------------------------------------------------------------

LogicalResult Importer::opReshapeFamily(StringRef op, Inputs &in,
                                        Outputs &out) {
  OValue *x = in[0];
  auto shape = x->type.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> target;
  if (op == "Reshape") {
    FailureOr<SmallVector<int64_t>> s =
        constInts(in.size() > 1 ? in[1] : nullptr, "the shape input");
    if (failed(s))
      return failure();
    bool allowZero = attrInt("allowzero", 0);
    int64_t inferIdx = -1, known = 1;
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t d = (*s)[i];
      if (d == 0 && !allowZero) {
        if ((int64_t)i >= rank)
          return nodeFail("shape entry 0 copies a dimension the input lacks");
        d = shape[i];
      }
      if (d == -1) {
        if (inferIdx >= 0)
          return nodeFail("more than one -1 in the shape");
        inferIdx = i;
        target.push_back(1);
        continue;
      }
      if (d < -1)
        return nodeFail(llvm::formatv("invalid shape entry {0}", d).str());
      target.push_back(d);
      known *= d;
    }
    int64_t n = x->type.getNumElements();
    if (inferIdx >= 0) {
      if (known == 0 || n % known != 0)
        return nodeFail("cannot infer the -1 dimension of " + shapeStr(*s) +
                        " for an input of shape " + shapeStr(shape));
      target[inferIdx] = n / known;
    }
  } else if (op == "Flatten") {
    int64_t axis = attrInt("axis", 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis > rank)
      return nodeFail("axis out of range");
    target = {numel(shape.take_front(axis)), numel(shape.drop_front(axis))};
  } else {
    SmallVector<int64_t> axes;
    bool hasAxes = false;
    if (opset >= 13) {
      if (in.size() > 1 && in[1]) {
        FailureOr<SmallVector<int64_t>> a = constInts(in[1], "the axes input");
        if (failed(a))
          return failure();
        axes = *a;
        hasAxes = true;
      }
    } else if (auto a = attrInts("axes")) {
      axes = *a;
      hasAxes = true;
    }
    if (op == "Unsqueeze") {
      if (!hasAxes)
        return nodeFail("missing axes");
      int64_t outRank = rank + axes.size();
      SmallVector<bool> isNew(outRank, false);
      for (int64_t a : axes) {
        int64_t na = normAxis(a, outRank);
        if (na < 0 || isNew[na])
          return nodeFail(llvm::formatv("invalid axis {0}", a).str());
        isNew[na] = true;
      }
      int64_t j = 0;
      for (int64_t i = 0; i < outRank; ++i)
        target.push_back(isNew[i] ? 1 : shape[j++]);
    } else {
      SmallVector<bool> drop(rank, false);
      if (!hasAxes || axes.empty()) {
        for (int64_t i = 0; i < rank; ++i)
          drop[i] = shape[i] == 1;
      } else {
        for (int64_t a : axes) {
          int64_t na = normAxis(a, rank);
          if (na < 0)
            return nodeFail(llvm::formatv("invalid axis {0}", a).str());
          if (shape[na] != 1)
            return nodeFail(llvm::formatv("cannot squeeze axis {0} of size {1}",
                                          a, shape[na])
                                .str());
          drop[na] = true;
        }
      }
      for (int64_t i = 0; i < rank; ++i)
        if (!drop[i])
          target.push_back(shape[i]);
    }
  }
  std::optional<int64_t> n = checkedNumel(target);
  if (!n || *n != x->type.getNumElements())
    return nodeFail("cannot reshape " + shapeStr(shape) + " into " +
                    shapeStr(target));
  auto rt = RankedTensorType::get(target, x->type.getElementType());
  if (x->lit && !x->value) {
    out.push_back(fromLiteral(rt, Bytes(), x->isUnsigned));
    out.back().lit = x->lit;
    return success();
  }
  out.push_back(fromValue(reshape(get(*x), target), x->isUnsigned));
  return success();
}

LogicalResult Importer::opTranspose(Inputs &in, Outputs &out) {
  int64_t rank = in[0]->type.getRank();
  SmallVector<int64_t> perm;
  if (auto p = attrInts("perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  for (int64_t i = 0; i < (int64_t)sorted.size(); ++i)
    if (sorted[i] != i || (int64_t)perm.size() != rank)
      return nodeFail("perm is not a permutation of the input's dimensions");
  out.push_back(fromValue(transpose(get(*in[0]), perm), in[0]->isUnsigned));
  return success();
}

LogicalResult Importer::opSlice(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    auto s = attrInts("starts"), e = attrInts("ends");
    if (!s || !e)
      return nodeFail("missing starts/ends");
    starts = *s;
    ends = *e;
    if (auto a = attrInts("axes"))
      axes = *a;
  } else {
    if (in.size() < 3 || !in[1] || !in[2])
      return nodeFail("expects starts and ends inputs");
    auto s = constInts(in[1], "the starts input");
    auto e = constInts(in[2], "the ends input");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (in.size() > 3 && in[3]) {
      auto a = constInts(in[3], "the axes input");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (in.size() > 4 && in[4]) {
      auto st = constInts(in[4], "the steps input");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (starts.size() != ends.size())
    return nodeFail("starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return nodeFail("axes/steps differ in length from starts");
  Value v = get(*x);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normAxis(axes[i], rank);
    if (axis < 0 || seen[axis])
      return nodeFail(llvm::formatv("invalid axis {0}", axes[i]).str());
    seen[axis] = true;
    int64_t dim = x->type.getDimSize(axis);
    int64_t step = steps[i];
    if (step == 0)
      return nodeFail("step 0");
    int64_t s = starts[i], e = ends[i];
    if (s < 0)
      s = s < -dim ? 0 : s + dim;
    if (e < 0)
      e = e < -dim ? -1 : e + dim;
    int64_t size;
    if (step > 0) {
      s = std::clamp(s, (int64_t)0, dim);
      e = std::clamp(e, (int64_t)0, dim);
      size = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp(s, (int64_t)-1, dim - 1);
      e = std::clamp(e, (int64_t)-1, dim - 1);
      size = s > e ? (s - e + (-step) - 1) / (-step) : 0;
    }
    if (step > 0) {
      v = sliceAxis(v, axis, s, size, step);
    } else {
      int64_t low = s - (size - 1) * (-step);
      v = sliceAxis(v, axis, size ? low : 0, size, -step);
      if (size > 1)
        v = reverseAxis(v, axis);
    }
  }
  out.push_back(fromValue(v, x->isUnsigned));
  return success();
}

LogicalResult Importer::opConcat(Inputs &in, Outputs &out) {
  int64_t rank = in[0]->type.getRank();
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  bool allLit = true;
  int64_t total = 0;
  for (OValue *v : in) {
    if (!v)
      return nodeFail("empty input names are not allowed");
    if (v->type.getRank() != rank ||
        v->type.getElementType() != in[0]->type.getElementType())
      return nodeFail("inputs differ in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v->type.getDimSize(d) != in[0]->type.getDimSize(d))
        return nodeFail("inputs differ in a non-concatenated dimension");
    allLit &= (bool)v->lit;
    total += v->type.getDimSize(axis);
  }
  Type et = in[0]->type.getElementType();
  SmallVector<int64_t> shape(in[0]->type.getShape());
  shape[axis] = total;
  if (allLit && rank == 1) {
    Bytes bytes;
    for (OValue *v : in)
      bytes.insert(bytes.end(), v->lit->begin(), v->lit->end());
    out.push_back(fromLiteral(RankedTensorType::get(shape, et),
                              std::move(bytes), in[0]->isUnsigned));
    return success();
  }
  SmallVector<Value> vals;
  for (OValue *v : in)
    if (v->type.getDimSize(axis) != 0)
      vals.push_back(get(*v));
  if (vals.size() == 1) {
    out.push_back(fromValue(vals[0], in[0]->isUnsigned));
    return success();
  }
  out.push_back(fromValue(tensor::ConcatOp::create(b, loc, axis, vals),
                          in[0]->isUnsigned));
  return success();
}

LogicalResult Importer::opSplit(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  int64_t dim = x->type.getDimSize(axis);
  int64_t nOut = node->output_size();
  SmallVector<int64_t> sizes;
  if (opset >= 13 && in.size() > 1 && in[1]) {
    auto s = constInts(in[1], "the split input");
    if (failed(s))
      return failure();
    sizes = *s;
  } else if (auto s = attrInts("split")) {
    sizes = *s;
  } else {
    int64_t parts = attrInt("num_outputs", nOut);
    if (parts <= 0)
      return nodeFail("invalid number of outputs");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t i = 0, left = dim; i < parts; ++i, left -= chunk)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, left)));
  }
  if ((int64_t)sizes.size() != nOut)
    return nodeFail("number of split sizes differs from the number of outputs");
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return nodeFail("negative split size");
    sum += s;
  }
  if (sum != dim)
    return nodeFail(
        llvm::formatv("split sizes sum to {0}, axis has {1}", sum, dim).str());
  Value v = get(*x);
  int64_t off = 0;
  for (int64_t s : sizes) {
    out.push_back(fromValue(sliceAxis(v, axis, off, s, 1), x->isUnsigned));
    off += s;
  }
  return success();
}

/// An ONNX gather index (integer scalar) as an `index` in [0, dimSize):
/// negative indices count from the end, and out-of-range ones are clamped so
/// that a bad index cannot read out of bounds.
static Value wrapAndClampIndex(OpBuilder &nb, Location l, Value index,
                               int64_t dimSize) {
  Value k = arith::IndexCastOp::create(nb, l, nb.getIndexType(), index);
  Value dsz = arith::ConstantIndexOp::create(nb, l, dimSize);
  Value zero = arith::ConstantIndexOp::create(nb, l, 0);
  Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, k, zero);
  k = arith::SelectOp::create(nb, l, neg, arith::AddIOp::create(nb, l, k, dsz),
                              k);
  k = arith::MaxSIOp::create(nb, l, k, zero);
  return arith::MinSIOp::create(
      nb, l, k,
      arith::ConstantIndexOp::create(nb, l, std::max<int64_t>(dimSize - 1, 0)));
}

LogicalResult Importer::opGather(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1];
  int64_t rank = data->type.getRank();
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Type it = idx->type.getElementType();
  if (!it.isInteger(32) && !it.isInteger(64))
    return nodeFail("indices must be int32 or int64");
  auto ds = data->type.getShape(), is = idx->type.getShape();
  int64_t dimSize = ds[axis];
  SmallVector<int64_t> shape(ds.take_front(axis));
  shape.append(is.begin(), is.end());
  shape.append(ds.begin() + axis + 1, ds.end());
  Type et = data->type.getElementType();
  if (data->lit && idx->lit && numel(shape) <= 4096) {
    // Fold (shape computations).
    Bytes bytes(numel(shape) * elemBytes(et));
    auto dst = stridesOf(ds);
    int64_t ni = numel(is), inner = numel(ds.drop_front(axis + 1)),
            outer = numel(ds.take_front(axis));
    int64_t o = 0;
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t j = 0; j < ni; ++j) {
        int64_t k = readInt(*idx->lit, it, j, false);
        if (k < 0)
          k += dimSize;
        if (k < 0 || k >= dimSize)
          return nodeFail(
              llvm::formatv("index {0} out of range [0, {1})", k, dimSize)
                  .str());
        for (int64_t c = 0; c < inner; ++c, ++o) {
          int64_t src = a * dimSize * inner + k * inner + c;
          std::memcpy(bytes.data() + o * elemBytes(et),
                      data->lit->data() + src * elemBytes(et), elemBytes(et));
        }
      }
    (void)dst;
    out.push_back(fromLiteral(RankedTensorType::get(shape, et),
                              std::move(bytes), data->isUnsigned));
    return success();
  }
  if (dimSize == 0 && numel(is) != 0)
    return nodeFail("gathering from an empty axis");
  Value dataV = get(*data), idxV = get(*idx);
  int64_t outRank = shape.size(), q = is.size();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < q; ++i)
    idxExprs.push_back(b.getAffineDimExpr(axis + i));
  SmallVector<AffineMap> maps = {AffineMap::get(outRank, 0, idxExprs, ctx),
                                 b.getMultiDimIdentityMap(outRank)};
  Value init = empty(shape, et);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{idxV}, ValueRange{init},
      maps,
      SmallVector<utils::IteratorType>(outRank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value k = wrapAndClampIndex(nb, l, args[0], dimSize);
        SmallVector<Value> ix;
        for (int64_t i = 0; i < axis; ++i)
          ix.push_back(linalg::IndexOp::create(nb, l, i));
        ix.push_back(k);
        for (int64_t i = axis + 1; i < rank; ++i)
          ix.push_back(linalg::IndexOp::create(nb, l, i - 1 + q));
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, dataV, ix).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

LogicalResult Importer::opGatherND(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1];
  int64_t bd = attrInt("batch_dims", 0);
  auto ds = data->type.getShape(), is = idx->type.getShape();
  int64_t r = ds.size(), q = is.size();
  if (q < 1 || r < 1)
    return nodeFail("data and indices must have rank >= 1");
  int64_t k = is.back();
  if (bd < 0 || bd >= std::min(q, r) || k < 1 || bd + k > r)
    return nodeFail("invalid batch_dims or index depth");
  for (int64_t i = 0; i < bd; ++i)
    if (ds[i] != is[i])
      return nodeFail("batch dimensions of data and indices differ");
  Type it = idx->type.getElementType();
  if (!it.isInteger(64) && !it.isInteger(32))
    return nodeFail("indices must be int32 or int64");
  SmallVector<int64_t> shape(is.drop_back());
  shape.append(ds.begin() + bd + k, ds.end());
  for (int64_t j = 0; j < k; ++j)
    if (ds[bd + j] == 0 && numel(shape) != 0)
      return nodeFail("gathering from an empty axis");
  Type et = data->type.getElementType();
  Value dataV = get(*data), idxV = get(*idx);
  int64_t outRank = shape.size();
  Value init = empty(shape, et);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(outRank)},
      SmallVector<utils::IteratorType>(outRank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> outIdx;
        for (int64_t i = 0; i < outRank; ++i)
          outIdx.push_back(linalg::IndexOp::create(nb, l, i));
        SmallVector<Value> ix(outIdx.begin(), outIdx.begin() + bd);
        for (int64_t j = 0; j < k; ++j) {
          SmallVector<Value> ii(outIdx.begin(), outIdx.begin() + (q - 1));
          ii.push_back(arith::ConstantIndexOp::create(nb, l, j));
          Value v = tensor::ExtractOp::create(nb, l, idxV, ii);
          ix.push_back(wrapAndClampIndex(nb, l, v, ds[bd + j]));
        }
        for (int64_t i = q - 1; i < outRank; ++i)
          ix.push_back(outIdx[i]);
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, dataV, ix).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

LogicalResult Importer::opGatherElements(Inputs &in, Outputs &out) {
  OValue *data = in[0], *idx = in[1];
  int64_t rank = data->type.getRank();
  if (rank < 1 || idx->type.getRank() != rank)
    return nodeFail("data and indices must have the same rank >= 1");
  int64_t axis = normAxis(attrInt("axis", 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Type it = idx->type.getElementType();
  if (!it.isInteger(32) && !it.isInteger(64))
    return nodeFail("indices must be int32 or int64");
  ArrayRef<int64_t> ds = data->type.getShape(), is = idx->type.getShape();
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && is[i] > ds[i])
      return nodeFail(llvm::formatv("indices dimension {0} ({1}) exceeds the "
                                    "data dimension ({2})",
                                    i, is[i], ds[i])
                          .str());
  int64_t dimSize = ds[axis];
  if (dimSize == 0 && numel(is) != 0)
    return nodeFail("gathering from an empty axis");
  Type et = data->type.getElementType();
  Value dataV = get(*data), idxV = get(*idx);
  Value init = empty(is, et);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{idxV}, ValueRange{init},
      SmallVector<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value k = wrapAndClampIndex(nb, l, args[0], dimSize);
        SmallVector<Value> ix;
        for (int64_t i = 0; i < rank; ++i)
          ix.push_back(i == axis ? k : linalg::IndexOp::create(nb, l, i));
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, dataV, ix).getResult());
      });
  out.push_back(fromValue(op.getResult(0), data->isUnsigned));
  return success();
}

//--- reductions / normalizations -------------------------------------------

LogicalResult Importer::opReduce(StringRef op, Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  bool keep = attrInt("keepdims", 1);
  bool noop = attrInt("noop_with_empty_axes", 0);
  SmallVector<int64_t> axes;
  bool axesFromInput = (op == "ReduceSum" && opset >= 13) || opset >= 18;
  if (axesFromInput) {
    if (in.size() > 1 && in[1]) {
      auto a = constInts(in[1], "the axes input");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else if (auto a = attrInts("axes")) {
    axes = *a;
  }
  if (axes.empty()) {
    if (noop) {
      out.push_back(*x);
      return success();
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &a : axes) {
    int64_t na = normAxis(a, rank);
    if (na < 0)
      return nodeFail(llvm::formatv("axis {0} out of range", a).str());
    a = na;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  int64_t count = 1;
  for (int64_t a : axes)
    count *= x->type.getDimSize(a);
  Value v = get(*x);
  bool f = isFloat(et);
  auto mapEach = [&](Value t,
                     std::function<Value(OpBuilder &, Location, Value)> fn)
      -> FailureOr<Value> {
    return elementwise({t}, et,
                       [&](OpBuilder &nb, Location l, ArrayRef<Value> a) {
                         return fn(nb, l, a[0]);
                       });
  };
  auto cst = [&](OpBuilder &nb, Location l, double d) -> Value {
    return f ? (Value)arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d))
             : (Value)arith::ConstantOp::create(
                   nb, l, nb.getIntegerAttr(et, (int64_t)d));
  };
  StringRef kind = "sum";
  if (op == "ReduceSumSquare" || op == "ReduceL2") {
    auto s = mapEach(v, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return f ? (Value)arith::MulFOp::create(nb, l, a, a)
               : (Value)arith::MulIOp::create(nb, l, a, a);
    });
    if (failed(s))
      return failure();
    v = *s;
  } else if (op == "ReduceL1") {
    auto s = mapEach(v, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return f ? (Value)math::AbsFOp::create(nb, l, a)
               : (Value)math::AbsIOp::create(nb, l, a);
    });
    if (failed(s))
      return failure();
    v = *s;
  } else if (op == "ReduceLogSumExp") {
    if (!f)
      return nodeFail("expects a floating-point input");
    auto s = mapEach(v, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return math::ExpOp::create(nb, l, a);
    });
    if (failed(s))
      return failure();
    v = *s;
  } else if (op == "ReduceMax") {
    kind = "max";
  } else if (op == "ReduceMin") {
    kind = "min";
  } else if (op == "ReduceProd") {
    kind = "prod";
  } else if (op != "ReduceSum" && op != "ReduceMean" && op != "ReduceLogSum") {
    return fail(llvm::formatv("unsupported op '{0}' (node '{1}', opset {2})",
                              op, node->name(), opset)
                    .str());
  }
  Value r = reduce(v, axes, keep, kind);
  if (op == "ReduceMean") {
    auto s = mapEach(r, [&](OpBuilder &nb, Location l, Value a) -> Value {
      return f ? (Value)arith::DivFOp::create(nb, l, a, cst(nb, l, count))
               : (Value)arith::DivSIOp::create(nb, l, a, cst(nb, l, count));
    });
    if (failed(s))
      return failure();
    r = *s;
  } else if (op == "ReduceL2" || op == "ReduceLogSum" ||
             op == "ReduceLogSumExp") {
    if (!f)
      return nodeFail("expects a floating-point input");
    auto s = mapEach(r, [&](OpBuilder &nb, Location l, Value a) -> Value {
      if (op == "ReduceL2")
        return math::SqrtOp::create(nb, l, a);
      return math::LogOp::create(nb, l, a);
    });
    if (failed(s))
      return failure();
    r = *s;
  }
  out.push_back(fromValue(r, x->isUnsigned));
  return success();
}

LogicalResult Importer::opSoftmax(StringRef op, Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et))
    return nodeFail("expects a floating-point input");
  int64_t axis = normAxis(attrInt("axis", opset >= 13 ? -1 : 1), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  Value v = get(*x);
  auto shape = x->type.getShape();
  int64_t dim = axis;
  if (opset < 13) {
    // Softmax-1/11 coerce the input to 2-D [prod(:axis), prod(axis:)].
    v = reshape(v,
                {numel(shape.take_front(axis)), numel(shape.drop_front(axis))});
    dim = 1;
  }
  auto vt = cast<RankedTensorType>(v.getType());
  Value init = empty(vt.getShape(), et);
  Value r = linalg::SoftmaxOp::create(b, loc, TypeRange{vt}, v, init, dim)
                .getResult()[0];
  if (op == "LogSoftmax") {
    FailureOr<Value> l = elementwise(
        {r}, et, [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
          return math::LogOp::create(nb, l, a[0]);
        });
    if (failed(l))
      return failure();
    r = *l;
  }
  out.push_back(fromValue(reshape(r, shape)));
  return success();
}

/// TopK (and ArgMax/ArgMin) by k selection passes: pass j picks, along the
/// axis, the best element not chosen by passes 0..j-1 (ties: lower index).
LogicalResult Importer::opTopK(StringRef op, Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  auto shape = x->type.getShape();
  int64_t axis = normAxis(attrInt("axis", op == "TopK" ? -1 : 0), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  int64_t k = 1;
  bool largest = op == "ArgMax" || (op == "TopK" && attrInt("largest", 1));
  if (op == "TopK") {
    if (opset >= 10) {
      if (in.size() < 2 || !in[1])
        return nodeFail("missing K input");
      auto kv = constInts(in[1], "the K input");
      if (failed(kv))
        return failure();
      if (kv->size() != 1)
        return nodeFail("K must have one element");
      k = (*kv)[0];
    } else {
      k = attrInt("k", 1);
    }
    if (k < 0 || k > shape[axis])
      return nodeFail(
          llvm::formatv("K={0} out of range for axis size {1}", k, shape[axis])
              .str());
  }
  if (op == "TopK" && k == 0)
    return nodeFail("K=0 is not supported");
  bool isU = x->isUnsigned;
  if (!isFloat(et) && (!et.isSignlessInteger() || et.isInteger(1)))
    return nodeFail("expects a numeric (not bool) input");
  Value xv = get(*x);
  // TopK on floats and signed integers is loom.topk (MoE raising matches it);
  // ArgMax/ArgMin (with keepdims and select_last_index) and unsigned TopK use
  // the same selection passes directly.
  if (op == "TopK" && !isU) {
    SmallVector<int64_t> outShape(shape);
    outShape[axis] = k;
    auto top = loom::TopKOp::create(
        b, loc, RankedTensorType::get(outShape, et),
        RankedTensorType::get(outShape, b.getI64Type()), xv,
        b.getI64IntegerAttr(k), b.getI64IntegerAttr(axis),
        largest ? UnitAttr() : b.getUnitAttr());
    out.push_back(fromValue(top.getValues(), isU));
    out.push_back(fromValue(top.getIndices()));
    return success();
  }
  loom::TopKOrder order;
  order.largest = largest;
  order.unsignedCompare = isU;
  order.lastIndexOnTies = attrInt("select_last_index", 0);
  loom::TopKSelection sel =
      loom::buildTopKSelection(b, loc, xv, axis, k, order);
  if (op != "TopK") {
    SmallVector<int64_t> keepShape(shape);
    keepShape[axis] = 1;
    bool keep = attrInt("keepdims", 1);
    out.push_back(
        fromValue(keep ? reshape(sel.indices[0], keepShape) : sel.indices[0]));
    return success();
  }
  out.push_back(
      fromValue(loom::concatTopKParts(b, loc, sel.values, axis), isU));
  out.push_back(fromValue(loom::concatTopKParts(b, loc, sel.indices, axis)));
  return success();
}

/// RMSNormalization-23: X / sqrt(mean(X^2 over axes [axis, rank)) + eps) *
/// scale; `loom.rms_norm` for the last axis and a per-channel scale, upstream
/// ops otherwise.
LogicalResult Importer::opRMSNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et))
    return nodeFail("expects a floating-point input");
  int64_t axis = normAxis(attrInt("axis", -1), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  double eps = attrFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    count *= x->type.getDimSize(i);
  }
  Value v = get(*x);
  // The common case, normalising the last axis with a per-channel scale, is
  // one loom.rms_norm (which computes in f32, as the default stash_type asks).
  auto scaleType = in[1]->type;
  int64_t n = x->type.getShape().back();
  bool perChannel =
      scaleType.hasStaticShape() && scaleType.getNumElements() == n &&
      scaleType.getRank() >= 1 && scaleType.getShape().back() == n &&
      scaleType.getElementType() == et;
  if (axis == rank - 1 && x->type.hasStaticShape() && perChannel &&
      (attrInt("stash_type", 1) == 1 || et.isF32())) {
    Value scale = get(*in[1]);
    if (scaleType.getRank() != 1)
      scale = reshape(scale, {n});
    out.push_back(fromValue(
        loom::RMSNormOp::create(b, loc, x->type, v, scale,
                                b.getF32FloatAttr(static_cast<float>(eps)))));
    return success();
  }
  FailureOr<Value> sq = elementwise(
      {v}, et, [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      });
  if (failed(sq))
    return failure();
  Value sum = reduce(*sq, axes, true, "sum");
  FailureOr<Value> y = elementwise(
      {v, sum, get(*in[1])}, et,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto c = [&](double d) -> Value {
          return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d));
        };
        Value ms = arith::AddFOp::create(
            nb, l, arith::DivFOp::create(nb, l, a[1], c(count)), c(eps));
        Value n =
            arith::DivFOp::create(nb, l, a[0], math::SqrtOp::create(nb, l, ms));
        return arith::MulFOp::create(nb, l, n, a[2]);
      },
      x->type.getShape());
  if (failed(y))
    return failure();
  if (cast<RankedTensorType>(y->getType()).getShape() != x->type.getShape())
    return nodeFail("scale does not broadcast to the input shape");
  out.push_back(fromValue(*y));
  return success();
}

/// RotaryEmbedding-23 as one `loom.rope`: the half-width caches (gathered
/// through position_ids when given) are widened to full-width tables [B, S, R]
/// (angle `d mod R/2`, or `d / 2` when interleaved) and broadcast over the
/// heads; a 3-D input is viewed as [B, S, H, D] for the op.
LogicalResult Importer::opRotaryEmbedding(Inputs &in, Outputs &out) {
  OValue *x = in[0], *cosC = in[1], *sinC = in[2];
  OValue *pos = in.size() > 3 ? in[3] : nullptr;
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et) || (rank != 3 && rank != 4))
    return nodeFail("expects a floating-point input of rank 3 or 4");
  bool interleaved = attrInt("interleaved", 0);
  int64_t numHeads = attrInt("num_heads", 0);
  auto xs = x->type.getShape();
  Value xv = get(*x);
  int64_t bsz = xs[0], seq, heads, hd;
  if (rank == 4) {
    heads = xs[1];
    seq = xs[2];
    hd = xs[3];
  } else {
    if (numHeads <= 0 || xs[2] % numHeads)
      return nodeFail("3-D input needs num_heads dividing the hidden size");
    heads = numHeads;
    seq = xs[1];
    hd = xs[2] / numHeads;
    xv = reshape(xv, {bsz, seq, heads, hd});
  }
  int64_t rot = attrInt("rotary_embedding_dim", 0);
  if (rot == 0)
    rot = hd;
  if (rot < 2 || rot > hd || rot % 2)
    return nodeFail("invalid rotary_embedding_dim");
  int64_t half = rot / 2;
  auto cs = cosC->type.getShape();
  if (cosC->type != sinC->type || cosC->type.getElementType() != et)
    return nodeFail("cos_cache and sin_cache must have the same type as X");
  if (pos) {
    if (cs.size() != 2 || cs[1] < half)
      return nodeFail("with position_ids the caches must be [max_position, >= "
                      "rotary_dim/2]");
    auto ps = pos->type.getShape();
    if (ps.size() != 2 || ps[0] != bsz || ps[1] != seq ||
        !pos->type.getElementType().isInteger(64))
      return nodeFail("position_ids must be int64 [batch, sequence]");
  } else if (cs.size() != 3 || cs[0] != bsz || cs[1] != seq || cs[2] < half) {
    return nodeFail("without position_ids the caches must be [batch, sequence, "
                    ">= rotary_dim/2]");
  }
  Value cosV = get(*cosC), sinV = get(*sinC), posV = pos ? get(*pos) : Value();
  int64_t maxPos = cs[0];
  Value init = empty({bsz, seq, rot}, et);
  auto widen = [&](Value cache) -> Value {
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{},
               ValueRange{init},
               SmallVector<AffineMap>{b.getMultiDimIdentityMap(3)},
               SmallVector<utils::IteratorType>(3,
                                                utils::IteratorType::parallel),
               [&](OpBuilder &nb, Location l, ValueRange) {
                 auto idx = [&](int64_t v) -> Value {
                   return arith::ConstantIndexOp::create(nb, l, v);
                 };
                 Value bi = linalg::IndexOp::create(nb, l, 0);
                 Value si = linalg::IndexOp::create(nb, l, 1);
                 Value d = linalg::IndexOp::create(nb, l, 2);
                 Value j =
                     interleaved
                         ? arith::DivUIOp::create(nb, l, d, idx(2)).getResult()
                         : arith::RemUIOp::create(nb, l, d, idx(half))
                               .getResult();
                 Value v;
                 if (posV) {
                   Value p = tensor::ExtractOp::create(nb, l, posV,
                                                       ValueRange{bi, si});
                   p = arith::IndexCastOp::create(nb, l, nb.getIndexType(), p);
                   p = arith::MaxSIOp::create(nb, l, p, idx(0));
                   p = arith::MinSIOp::create(nb, l, p, idx(maxPos - 1));
                   v = tensor::ExtractOp::create(nb, l, cache,
                                                 ValueRange{p, j});
                 } else {
                   v = tensor::ExtractOp::create(nb, l, cache,
                                                 ValueRange{bi, si, j});
                 }
                 linalg::YieldOp::create(nb, l, v);
               })
        .getResult(0);
  };
  // [B, 1, S, R] against [B, H, S, D]; [B, S, 1, R] against [B, S, H, D].
  SmallVector<int64_t> tableShape =
      rank == 4 ? SmallVector<int64_t>{bsz, 1, seq, rot}
                : SmallVector<int64_t>{bsz, seq, 1, rot};
  Value cosT = reshape(widen(cosV), tableShape);
  Value sinT = reshape(widen(sinV), tableShape);
  Value r =
      loom::RoPEOp::create(b, loc, xv.getType(), xv, cosT, sinT, interleaved);
  if (rank == 3)
    r = reshape(r, xs);
  out.push_back(fromValue(r));
  return success();
}

/// Attention-23 decomposed into upstream ops: (3-D inputs split into heads),
/// GQA by repeating K/V heads, Q.K^T (batch_matmul) * scale, softcap,
/// attn_mask / is_causal as additive -inf biases, linalg.softmax, P.V.
/// Scaled dot-product attention on [B, heads, S, D] operands: GQA by
/// repeating K/V heads, Q.K^T * scale, softcap, additive (float) or selecting
/// (bool) mask, causal (top-left aligned) mask, linalg.softmax, P.V. Returns
/// [B, q_heads, S_q, D_v].
FailureOr<Value> Importer::attentionCore(Value q4v, Value k4v, Value v4v,
                                         const AttentionParams &params) {
  Type et = cast<RankedTensorType>(q4v.getType()).getElementType();
  auto qs = cast<RankedTensorType>(q4v.getType()).getShape();
  auto ks = cast<RankedTensorType>(k4v.getType()).getShape();
  auto vs = cast<RankedTensorType>(v4v.getType()).getShape();
  int64_t bsz = qs[0], qh = qs[1], sq = qs[2], hd = qs[3];
  int64_t kvh = ks[1], skv = ks[2], vd = vs[3];
  if (ks[0] != bsz || vs[0] != bsz || vs[1] != kvh || vs[2] != skv ||
      ks[3] != hd)
    return nodeFail("Q, K, V shapes are inconsistent");
  if (kvh <= 0 || qh % kvh)
    return nodeFail("q heads must be a multiple of kv heads");
  Value kr = k4v, vr = v4v;
  if (kvh != qh) {
    // Each kv head serves qh/kvh consecutive q heads.
    int64_t rep = qh / kvh;
    auto repeat = [&](Value t, int64_t d) -> Value {
      Value e = reshape(t, {bsz, kvh, 1, skv, d});
      FailureOr<Value> bc = elementwise(
          {e}, et,
          [](OpBuilder &, Location, ArrayRef<Value> a) { return a[0]; },
          ArrayRef<int64_t>{bsz, kvh, rep, skv, d});
      return reshape(*bc, {bsz, qh, skv, d});
    };
    kr = repeat(kr, hd);
    vr = repeat(vr, vd);
  }
  double scale = params.scale > 0 ? params.scale : 1.0 / std::sqrt((double)hd);
  double softcap = params.softcap;
  OValue *mask = params.mask;
  FailureOr<Value> scores = matmul(q4v, transpose(kr, {0, 1, 3, 2}));
  if (failed(scores))
    return failure();
  Value sc = *scores;
  SmallVector<int64_t> sShape = {bsz, qh, sq, skv};
  FailureOr<Value> scaled = elementwise(
      {sc}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value r = arith::MulFOp::create(
            nb, l, a[0],
            arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, scale)));
        if (softcap > 0) {
          Value cap =
              arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, softcap));
          r = arith::MulFOp::create(
              nb, l,
              math::TanhOp::create(nb, l, arith::DivFOp::create(nb, l, r, cap)),
              cap);
        }
        return r;
      });
  if (failed(scaled))
    return failure();
  sc = *scaled;
  if (mask) {
    bool boolMask = mask->type.getElementType().isInteger(1);
    if (!boolMask && mask->type.getElementType() != et)
      return nodeFail("attn_mask must be bool or the type of Q");
    FailureOr<Value> m = elementwise(
        {sc, get(*mask)}, et,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
          if (!boolMask)
            return arith::AddFOp::create(nb, l, a[0], a[1]);
          Value ninf = arith::ConstantOp::create(
              nb, l,
              nb.getFloatAttr(
                  et, llvm::APFloat::getInf(
                          cast<FloatType>(et).getFloatSemantics(), true)));
          return arith::SelectOp::create(nb, l, a[1], a[0], ninf);
        },
        ArrayRef<int64_t>(sShape));
    if (failed(m))
      return failure();
    if (cast<RankedTensorType>(m->getType()).getShape() !=
        ArrayRef<int64_t>(sShape))
      return nodeFail("attn_mask does not broadcast to [batch, heads, q, kv]");
    sc = *m;
  }
  if (params.causal) {
    // Query i attends key j iff j <= i (no past cache: offset 0).
    Value init = empty(sShape, et);
    sc =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{sc}, ValueRange{init},
            SmallVector<AffineMap>(2, b.getMultiDimIdentityMap(4)),
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(nb, l, 2);
              Value j = linalg::IndexOp::create(nb, l, 3);
              Value ok =
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ule, j, i);
              Value ninf = arith::ConstantOp::create(
                  nb, l,
                  nb.getFloatAttr(
                      et, llvm::APFloat::getInf(
                              cast<FloatType>(et).getFloatSemantics(), true)));
              linalg::YieldOp::create(
                  nb, l,
                  arith::SelectOp::create(nb, l, ok, a[0], ninf).getResult());
            })
            .getResult(0);
  }
  Value probs = linalg::SoftmaxOp::create(b, loc, TypeRange{sc.getType()}, sc,
                                          empty(sShape, et), 3)
                    .getResult()[0];
  FailureOr<Value> y = matmul(probs, vr);
  if (failed(y))
    return failure();
  return *y;
}

LogicalResult Importer::opAttention(Inputs &in, Outputs &out) {
  OValue *q = in[0], *k = in[1], *v = in[2];
  OValue *mask = in.size() > 3 ? in[3] : nullptr;
  if ((in.size() > 4 && in[4]) || (in.size() > 5 && in[5]))
    return nodeFail("past_key/past_value are not supported");
  if (in.size() > 6 && in[6])
    return nodeFail("nonpad_kv_seqlen is not supported");
  for (int i = 3; i < node->output_size(); ++i)
    if (!node->output(i).empty())
      return nodeFail("the qk_matmul_output output is not supported");
  int64_t rank = q->type.getRank();
  Type et = q->type.getElementType();
  if (!isFloat(et) || (rank != 3 && rank != 4) || k->type.getRank() != rank ||
      v->type.getRank() != rank)
    return nodeFail("Q, K, V must be floating-point tensors of rank 3 or 4");
  if (attrInt("left_window_size", -1) != -1 ||
      attrInt("right_window_size", -1) != -1)
    return nodeFail("sliding windows are not supported");
  // To 4-D [B, heads, S, D].
  auto to4d = [&](OValue *t, int64_t heads) -> FailureOr<Value> {
    auto ts = t->type.getShape();
    if (rank == 4)
      return get(*t);
    if (heads <= 0 || ts[2] % heads)
      return nodeFail(
          "3-D inputs need q_num_heads/kv_num_heads dividing the hidden size");
    Value r = reshape(get(*t), {ts[0], ts[1], heads, ts[2] / heads});
    return transpose(r, {0, 2, 1, 3});
  };
  FailureOr<Value> q4 = to4d(q, attrInt("q_num_heads", 0));
  FailureOr<Value> k4 = to4d(k, attrInt("kv_num_heads", 0));
  FailureOr<Value> v4 = to4d(v, attrInt("kv_num_heads", 0));
  if (failed(q4) || failed(k4) || failed(v4))
    return failure();
  AttentionParams params;
  params.scale = attr("scale") ? attrFloat("scale", 1.0f) : 0.0;
  params.softcap = attrFloat("softcap", 0.0f);
  params.causal = attrInt("is_causal", 0);
  params.mask = mask;
  FailureOr<Value> y = attentionCore(*q4, *k4, *v4, params);
  if (failed(y))
    return failure();
  Value yv = *y;
  if (rank == 3) {
    auto ys = cast<RankedTensorType>(yv.getType()).getShape();
    yv = transpose(yv, {0, 2, 1, 3});
    yv = reshape(yv, {ys[0], ys[2], ys[1] * ys[3]});
  }
  out.push_back(fromValue(yv));
  out.push_back(fromValue(*k4));
  out.push_back(fromValue(*v4));
  return success();
}

/// com.microsoft MultiHeadAttention / GroupQueryAttention (onnxruntime
/// contrib ops) on 3-D [B, S, hidden] query/key/value without KV cache:
/// split into heads and lowered through attentionCore. GroupQueryAttention is
/// causal; its seqlens_k / total_sequence_length must describe an unpadded
/// prompt (constants), since padding would need per-batch masks.
LogicalResult Importer::opMsAttention(StringRef op, Inputs &in, Outputs &out) {
  bool gqa = op == "GroupQueryAttention";
  auto has = [&](size_t i) { return in.size() > i && in[i]; };
  if (!has(0) || !has(1) || !has(2))
    return nodeFail("query, key and value inputs are required (packed QKV is "
                    "not supported)");
  OValue *q = in[0], *k = in[1], *v = in[2];
  Type et = q->type.getElementType();
  if (!isFloat(et) || q->type.getRank() != 3 || k->type.getRank() != 3 ||
      v->type.getRank() != 3)
    return nodeFail("query, key and value must be floating-point [batch, "
                    "sequence, hidden] tensors");
  int64_t heads = attrInt("num_heads", 0);
  int64_t kvHeads = gqa ? attrInt("kv_num_heads", 0) : heads;
  AttentionParams params;
  params.scale = attrFloat("scale", 0.0f);
  params.softcap = gqa ? attrFloat("softcap", 0.0f) : 0.0;
  int64_t bsz = q->type.getDimSize(0), sq = q->type.getDimSize(1);
  if (gqa) {
    if (has(3) || has(4)) {
      if (!has(3) || !has(4) || in[3]->type.getDimSize(2) != 0 ||
          in[4]->type.getDimSize(2) != 0)
        return nodeFail("a non-empty past_key/past_value (KV cache) is not "
                        "supported");
    }
    for (size_t i = 7; i < in.size(); ++i)
      if (in[i])
        return nodeFail(llvm::formatv("input {0} (rotary caches, position_ids, "
                                      "attention_bias, head_sink) is not "
                                      "supported",
                                      i)
                            .str());
    if (attrInt("do_rotary", 0) || attrInt("local_window_size", -1) != -1 ||
        attrInt("smooth_softmax", 0) || attrInt("qk_output", 0))
      return nodeFail("do_rotary, local_window_size, smooth_softmax and "
                      "qk_output are not supported");
    if (!has(5) || !has(6))
      return nodeFail("seqlens_k and total_sequence_length are required");
    auto seqlens = constInts(in[5], "seqlens_k");
    auto total = constInts(in[6], "total_sequence_length");
    if (failed(seqlens) || failed(total))
      return failure();
    if (total->size() != 1 || (*total)[0] != sq)
      return nodeFail("total_sequence_length must equal the query length "
                      "(prompt without cache)");
    for (int64_t l : *seqlens)
      if (l != sq - 1)
        return nodeFail("seqlens_k must be sequence_length - 1 for every batch "
                        "(padded prompts are not supported)");
    params.causal = true;
  } else {
    if (has(3))
      return nodeFail("the bias input is not supported");
    if (has(4))
      return nodeFail("key_padding_mask is not supported");
    if (has(6) || has(7))
      return nodeFail("past_key/past_value are not supported");
    if (has(5))
      params.mask = in[5]; // attention_bias: additive
    params.causal = attrInt("unidirectional", 0);
  }
  auto split = [&](OValue *t, int64_t h) -> FailureOr<Value> {
    auto ts = t->type.getShape();
    if (h <= 0 || ts[2] % h)
      return nodeFail("num_heads/kv_num_heads must divide the hidden size");
    Value r = reshape(get(*t), {ts[0], ts[1], h, ts[2] / h});
    return transpose(r, {0, 2, 1, 3});
  };
  FailureOr<Value> q4 = split(q, heads), k4 = split(k, kvHeads),
                   v4 = split(v, kvHeads);
  if (failed(q4) || failed(k4) || failed(v4))
    return failure();
  FailureOr<Value> y = attentionCore(*q4, *k4, *v4, params);
  if (failed(y))
    return failure();
  auto ys = cast<RankedTensorType>(y->getType()).getShape();
  Value yv = reshape(transpose(*y, {0, 2, 1, 3}), {bsz, sq, ys[1] * ys[3]});
  out.push_back(fromValue(yv));
  out.push_back(fromValue(*k4));
  out.push_back(fromValue(*v4));
  return success();
}

LogicalResult Importer::opLayerNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et))
    return nodeFail("expects a floating-point input");
  int64_t axis = normAxis(attrInt("axis", -1), rank);
  if (axis < 0)
    return nodeFail("axis out of range");
  double eps = attrFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    count *= x->type.getDimSize(i);
  }
  Value v = get(*x);
  auto c = [&](OpBuilder &nb, Location l, double d) -> Value {
    return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d));
  };
  Value sum = reduce(v, axes, true, "sum");
  FailureOr<Value> mean = elementwise(
      {sum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::DivFOp::create(nb, l, a[0], c(nb, l, count));
      });
  if (failed(mean))
    return failure();
  FailureOr<Value> centered =
      elementwise({v, *mean}, et,
                  [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::SubFOp::create(nb, l, a[0], a[1]);
                  });
  if (failed(centered))
    return failure();
  FailureOr<Value> sq =
      elementwise({*centered}, et,
                  [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::MulFOp::create(nb, l, a[0], a[0]);
                  });
  if (failed(sq))
    return failure();
  Value varSum = reduce(*sq, axes, true, "sum");
  FailureOr<Value> invStd = elementwise(
      {varSum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value var = arith::DivFOp::create(nb, l, a[0], c(nb, l, count));
        return arith::DivFOp::create(
            nb, l, c(nb, l, 1),
            math::SqrtOp::create(
                nb, l, arith::AddFOp::create(nb, l, var, c(nb, l, eps))));
      });
  if (failed(invStd))
    return failure();
  SmallVector<Value> ins = {*centered, *invStd, get(*in[1])};
  bool hasBias = in.size() > 2 && in[2];
  if (hasBias)
    ins.push_back(get(*in[2]));
  FailureOr<Value> y = elementwise(
      ins, et,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value r = arith::MulFOp::create(
            nb, l, arith::MulFOp::create(nb, l, a[0], a[1]), a[2]);
        return hasBias ? (Value)arith::AddFOp::create(nb, l, r, a[3]) : r;
      },
      x->type.getShape());
  if (failed(y))
    return failure();
  if (cast<RankedTensorType>(y->getType()).getShape() != x->type.getShape())
    return nodeFail("scale/bias do not broadcast to the input shape");
  out.push_back(fromValue(*y));
  out.push_back(fromValue(*mean));
  out.push_back(fromValue(*invStd));
  return success();
}

/// Reshapes a per-channel vector [C] to [1, C, 1, ...] for an NC... input.
static SmallVector<int64_t> channelShape(int64_t rank, int64_t c) {
  SmallVector<int64_t> s(rank, 1);
  if (rank > 1)
    s[1] = c;
  return s;
}

LogicalResult Importer::opBatchNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et) || rank < 2)
    return nodeFail("expects a floating-point input of rank >= 2");
  if (attrInt("training_mode", 0))
    return nodeFail("training_mode=1 is not supported");
  double eps = attrFloat("epsilon", 1e-5f);
  int64_t ch = x->type.getDimSize(1);
  SmallVector<Value> ins = {get(*x)};
  for (int i = 1; i <= 4; ++i) {
    if (in[i]->type.getRank() != 1 || in[i]->type.getDimSize(0) != ch)
      return nodeFail("scale/B/mean/var must be vectors of the channel count");
    ins.push_back(reshape(get(*in[i]), channelShape(rank, ch)));
  }
  FailureOr<Value> y = elementwise(
      ins, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value e = arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, eps));
        Value d = arith::SubFOp::create(nb, l, a[0], a[3]);
        Value s =
            math::SqrtOp::create(nb, l, arith::AddFOp::create(nb, l, a[4], e));
        Value n = arith::DivFOp::create(nb, l, d, s);
        return arith::AddFOp::create(
            nb, l, arith::MulFOp::create(nb, l, n, a[1]), a[2]);
      });
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

LogicalResult Importer::opInstanceNorm(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (!isFloat(et) || rank < 3)
    return nodeFail("expects a floating-point input of rank >= 3");
  double eps = attrFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = 2; i < rank; ++i) {
    axes.push_back(i);
    count *= x->type.getDimSize(i);
  }
  int64_t ch = x->type.getDimSize(1);
  Value v = get(*x);
  auto c = [&](OpBuilder &nb, Location l, double d) -> Value {
    return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, d));
  };
  Value sum = reduce(v, axes, true, "sum");
  FailureOr<Value> centered = elementwise(
      {v, sum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::SubFOp::create(
            nb, l, a[0], arith::DivFOp::create(nb, l, a[1], c(nb, l, count)));
      });
  if (failed(centered))
    return failure();
  FailureOr<Value> sq =
      elementwise({*centered}, et,
                  [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                    return arith::MulFOp::create(nb, l, a[0], a[0]);
                  });
  if (failed(sq))
    return failure();
  Value varSum = reduce(*sq, axes, true, "sum");
  FailureOr<Value> y = elementwise(
      {*centered, varSum, reshape(get(*in[1]), channelShape(rank, ch)),
       reshape(get(*in[2]), channelShape(rank, ch))},
      et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        Value var = arith::DivFOp::create(nb, l, a[1], c(nb, l, count));
        Value s = math::SqrtOp::create(
            nb, l, arith::AddFOp::create(nb, l, var, c(nb, l, eps)));
        return arith::AddFOp::create(
            nb, l,
            arith::MulFOp::create(nb, l, arith::DivFOp::create(nb, l, a[0], s),
                                  a[2]),
            a[3]);
      });
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

//--- convolution and pooling -----------------------------------------------

namespace {
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padLo, padHi, outSize;
};
} // namespace

/// Computes pads and output sizes of a sliding window op (Conv, pools).
static LogicalResult computeWindow(ArrayRef<int64_t> inSpatial, Window &w,
                                   StringRef autoPad, bool ceilMode,
                                   std::optional<SmallVector<int64_t>> pads,
                                   std::string &err) {
  size_t s = inSpatial.size();
  if (w.kernel.size() != s) {
    err = "kernel rank differs from the spatial rank";
    return failure();
  }
  if (w.strides.empty())
    w.strides.assign(s, 1);
  if (w.dilations.empty())
    w.dilations.assign(s, 1);
  if (w.strides.size() != s || w.dilations.size() != s) {
    err = "strides/dilations rank differs from the spatial rank";
    return failure();
  }
  w.padLo.assign(s, 0);
  w.padHi.assign(s, 0);
  for (size_t i = 0; i < s; ++i) {
    if (w.strides[i] <= 0 || w.dilations[i] <= 0 || w.kernel[i] <= 0) {
      err = "kernel, strides and dilations must be positive";
      return failure();
    }
    int64_t ek = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (inSpatial[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + ek - inSpatial[i]);
      int64_t small = total / 2, big = total - small;
      w.padLo[i] = autoPad == "SAME_UPPER" ? small : big;
      w.padHi[i] = autoPad == "SAME_UPPER" ? big : small;
    } else if (autoPad == "NOTSET" || autoPad.empty()) {
      if (pads) {
        if (pads->size() != 2 * s) {
          err = "pads must have 2 entries per spatial dimension";
          return failure();
        }
        w.padLo[i] = (*pads)[i];
        w.padHi[i] = (*pads)[i + s];
        if (w.padLo[i] < 0 || w.padHi[i] < 0) {
          err = "negative pads are not supported";
          return failure();
        }
      }
    } else if (autoPad != "VALID") {
      err = "unknown auto_pad '" + autoPad.str() + "'";
      return failure();
    }
    int64_t span = inSpatial[i] + w.padLo[i] + w.padHi[i] - ek;
    if (span < 0) {
      err = "the kernel is larger than the padded input";
      return failure();
    }
    int64_t out = ceilMode ? (span + w.strides[i] - 1) / w.strides[i] + 1
                           : span / w.strides[i] + 1;
    if (ceilMode && (out - 1) * w.strides[i] >= inSpatial[i] + w.padLo[i])
      --out; // the last window must start inside the input or left pad
    // Extra high padding so that ceil-mode windows stay in bounds.
    int64_t need = (out - 1) * w.strides[i] + ek - (inSpatial[i] + w.padLo[i]);
    if (need > w.padHi[i])
      w.padHi[i] = need;
    w.outSize.push_back(out);
  }
  return success();
}

/// Grouped N-D convolution of an already padded X [N, C, S...] with
/// W [M, C/G, K...] as one linalg.generic; returns [N, M, O...].
Value Importer::convCore(Value xv, Value wv, int64_t g,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                         ArrayRef<int64_t> outSize) {
  auto ws = cast<RankedTensorType>(wv.getType()).getShape();
  Type et = cast<RankedTensorType>(xv.getType()).getElementType();
  auto pxs = cast<RankedTensorType>(xv.getType()).getShape();
  int64_t s = pxs.size() - 2, n = pxs[0], c = pxs[1], m = ws[0];
  struct {
    ArrayRef<int64_t> strides, dilations, outSize;
  } w = {strides, dilations, outSize};
  int64_t cg = c / g, mg = m / g;
  // X: [N, G, Cg, S...], W: [G, Mg, Cg, K...], Y: [N, G, Mg, O...].
  SmallVector<int64_t> x5 = {n, g, cg};
  x5.append(pxs.begin() + 2, pxs.end());
  SmallVector<int64_t> w5 = {g, mg, cg};
  w5.append(ws.begin() + 2, ws.end());
  SmallVector<int64_t> y5 = {n, g, mg};
  y5.append(w.outSize.begin(), w.outSize.end());
  Value xr = reshape(xv, x5), wr = reshape(wv, w5);
  // Loops: n, g, mg, o_1..o_s, cg, k_1..k_s.
  int64_t nl = 3 + s + 1 + s;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1), d(3 + s)},
                          we = {d(1), d(2), d(3 + s)}, ye = {d(0), d(1), d(2)};
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(3 + i) * w.strides[i] + d(4 + s + i) * w.dilations[i]);
    we.push_back(d(4 + s + i));
    ye.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                 AffineMap::get(nl, 0, we, ctx),
                                 AffineMap::get(nl, 0, ye, ctx)};
  SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
  for (int64_t i = 3 + s; i < nl; ++i)
    iters[i] = utils::IteratorType::reduction;
  Value init = filled(y5, et, 0);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{xr, wr},
                ValueRange{init}, maps, iters,
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
                  linalg::YieldOp::create(
                      nb, l, arith::AddFOp::create(nb, l, a[2], p).getResult());
                })
                .getResult(0);
  SmallVector<int64_t> yShape = {n, m};
  yShape.append(outSize.begin(), outSize.end());
  return reshape(y, yShape);
}

LogicalResult Importer::opConv(Inputs &in, Outputs &out) {
  OValue *x = in[0], *wt = in[1];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || wt->type.getRank() != rank)
    return nodeFail("X and W must have the same rank >= 3");
  if (!isFloat(et))
    return nodeFail("expects floating-point operands");
  auto xs = x->type.getShape(), ws = wt->type.getShape();
  int64_t c = xs[1], m = ws[0];
  int64_t g = attrInt("group", 1);
  if (g <= 0 || c % g || m % g || ws[1] != c / g)
    return nodeFail(llvm::formatv("channels do not match: X has {0}, W {1}, "
                                  "group {2}",
                                  c, shapeStr(ws), g)
                        .str());
  Window w;
  w.kernel =
      attrInts("kernel_shape").value_or(SmallVector<int64_t>(ws.drop_front(2)));
  w.strides = attrInts("strides").value_or(SmallVector<int64_t>());
  w.dilations = attrInts("dilations").value_or(SmallVector<int64_t>());
  std::string err;
  if (failed(computeWindow(xs.drop_front(2), w,
                           attrString("auto_pad", "NOTSET"), false,
                           attrInts("pads"), err)))
    return nodeFail(err);
  Value xv = pad(
      get(*x),
      [&] {
        SmallVector<int64_t> lo = {0, 0};
        lo.append(w.padLo);
        return lo;
      }(),
      [&] {
        SmallVector<int64_t> hi = {0, 0};
        hi.append(w.padHi);
        return hi;
      }(),
      scalar(et, 0));
  Value y = convCore(xv, get(*wt), g, w.strides, w.dilations, w.outSize);
  return addConvBias(y, in, out);
}

LogicalResult Importer::addConvBias(Value y, Inputs &in, Outputs &out) {
  auto yt = cast<RankedTensorType>(y.getType());
  int64_t rank = yt.getRank(), m = yt.getDimSize(1);
  Type et = yt.getElementType();
  if (in.size() > 2 && in[2]) {
    if (in[2]->type.getRank() != 1 || in[2]->type.getDimSize(0) != m)
      return nodeFail("B must be a vector of the output channel count");
    FailureOr<Value> r =
        elementwise({y, reshape(get(*in[2]), channelShape(rank, m))}, et,
                    [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                      return arith::AddFOp::create(nb, l, a[0], a[1]);
                    });
    if (failed(r))
      return failure();
    y = *r;
  }
  out.push_back(fromValue(y));
  return success();
}

/// ConvTranspose as a stride-1 convolution of the zero-interleaved, padded
/// input with the flipped, channel-swapped kernel.
LogicalResult Importer::opConvTranspose(Inputs &in, Outputs &out) {
  OValue *x = in[0], *wt = in[1];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || wt->type.getRank() != rank)
    return nodeFail("X and W must have the same rank >= 3");
  if (!isFloat(et))
    return nodeFail("expects floating-point operands");
  int64_t s = rank - 2;
  auto xs = x->type.getShape(), ws = wt->type.getShape();
  int64_t n = xs[0], c = xs[1];
  int64_t g = attrInt("group", 1);
  if (g <= 0 || c % g || ws[0] != c)
    return nodeFail("W's first dimension must equal the input channels");
  int64_t mg = ws[1], m = mg * g, cg = c / g;
  SmallVector<int64_t> k(ws.drop_front(2));
  if (auto ks = attrInts("kernel_shape"); ks && *ks != k)
    return nodeFail("kernel_shape differs from W's shape");
  SmallVector<int64_t> strides =
      attrInts("strides").value_or(SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> dil =
      attrInts("dilations").value_or(SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> outPad =
      attrInts("output_padding").value_or(SmallVector<int64_t>(s, 0));
  SmallVector<int64_t> pads =
      attrInts("pads").value_or(SmallVector<int64_t>(2 * s, 0));
  if ((int64_t)strides.size() != s || (int64_t)dil.size() != s ||
      (int64_t)outPad.size() != s || (int64_t)pads.size() != 2 * s)
    return nodeFail(
        "strides/dilations/output_padding/pads have the wrong length");
  std::string autoPad = attrString("auto_pad", "NOTSET");
  auto outShape = attrInts("output_shape");
  SmallVector<int64_t> lo(s), hi(s), outSize(s);
  for (int64_t i = 0; i < s; ++i) {
    if (strides[i] <= 0 || dil[i] <= 0)
      return nodeFail("strides and dilations must be positive");
    int64_t full =
        strides[i] * (xs[2 + i] - 1) + outPad[i] + (k[i] - 1) * dil[i] + 1;
    if (outShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outShape ? (*outShape)[outShape->size() - s + i]
                                : xs[2 + i] * strides[i];
      int64_t total = full - target;
      if (total < 0)
        return nodeFail("output_shape larger than the full transposed output");
      lo[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      hi[i] = total - lo[i];
    } else {
      lo[i] = pads[i];
      hi[i] = pads[i + s];
    }
    outSize[i] = full - lo[i] - hi[i];
    if (outSize[i] <= 0)
      return nodeFail("empty output");
  }
  // Zero-interleave and pad X: X'[.., (k-1)d - lo + i*s] = X[.., i].
  SmallVector<int64_t> bigShape = {n, c};
  SmallVector<OpFoldResult> offs = {b.getIndexAttr(0), b.getIndexAttr(0)},
                            sizes = {b.getIndexAttr(n), b.getIndexAttr(c)},
                            strd = {b.getIndexAttr(1), b.getIndexAttr(1)};
  for (int64_t i = 0; i < s; ++i) {
    int64_t plo = (k[i] - 1) * dil[i] - lo[i];
    int64_t phi = (k[i] - 1) * dil[i] - hi[i] + outPad[i];
    if (plo < 0 || phi < 0)
      return nodeFail("pads larger than the dilated kernel are not supported");
    bigShape.push_back(plo + (xs[2 + i] - 1) * strides[i] + 1 + phi);
    offs.push_back(b.getIndexAttr(plo));
    sizes.push_back(b.getIndexAttr(xs[2 + i]));
    strd.push_back(b.getIndexAttr(strides[i]));
  }
  Value big = tensor::InsertSliceOp::create(
      b, loc, get(*x), filled(bigShape, et, 0), offs, sizes, strd);
  // W [C, Mg, K] -> [G, Cg, Mg, K] -> [G, Mg, Cg, K] -> [M, Cg, K], flipped.
  SmallVector<int64_t> w4 = {g, cg, mg};
  w4.append(k);
  Value wv = reshape(get(*wt), w4);
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t i = 0; i < s; ++i)
    perm.push_back(3 + i);
  wv = transpose(wv, perm);
  SmallVector<int64_t> w3 = {m, cg};
  w3.append(k);
  wv = reshape(wv, w3);
  for (int64_t i = 0; i < s; ++i)
    if (k[i] > 1)
      wv = reverseAxis(wv, 2 + i);
  Value y = convCore(big, wv, g, SmallVector<int64_t>(s, 1), dil, outSize);
  return addConvBias(y, in, out);
}

LogicalResult Importer::opPool(StringRef op, Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || !isFloat(et))
    return nodeFail("expects a floating-point input of rank >= 3");
  int64_t s = rank - 2;
  auto xs = x->type.getShape();
  bool isMax = op == "MaxPool" || op == "GlobalMaxPool";
  if (op.starts_with("Global")) {
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = 2; i < rank; ++i) {
      axes.push_back(i);
      count *= xs[i];
    }
    Value r = reduce(get(*x), axes, true, isMax ? "max" : "sum");
    if (!isMax) {
      FailureOr<Value> m = elementwise(
          {r}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
            return arith::DivFOp::create(
                nb, l, a[0],
                arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, count)));
          });
      if (failed(m))
        return failure();
      r = *m;
    }
    out.push_back(fromValue(r));
    return success();
  }
  if (isMax && node->output_size() > 1 && !node->output(1).empty())
    return nodeFail("the Indices output of MaxPool is not supported");
  if (attrInt("storage_order", 0))
    return nodeFail("storage_order=1 is not supported");
  Window w;
  auto k = attrInts("kernel_shape");
  if (!k)
    return nodeFail("missing kernel_shape");
  w.kernel = *k;
  w.strides = attrInts("strides").value_or(SmallVector<int64_t>());
  w.dilations = attrInts("dilations").value_or(SmallVector<int64_t>());
  std::string err;
  SmallVector<int64_t> origLo, origHi;
  if (failed(computeWindow(xs.drop_front(2), w,
                           attrString("auto_pad", "NOTSET"),
                           attrInt("ceil_mode", 0), attrInts("pads"), err)))
    return nodeFail(err);
  SmallVector<int64_t> lo = {0, 0}, hi = {0, 0};
  lo.append(w.padLo);
  hi.append(w.padHi);
  Value padVal = isMax ? lowestValue(et) : scalar(et, 0);
  Value xv = pad(get(*x), lo, hi, padVal);
  int64_t nl = 2 + 2 * s;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1)}, ke, ye = {d(0), d(1)};
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(2 + i) * w.strides[i] + d(2 + s + i) * w.dilations[i]);
    ke.push_back(d(2 + s + i));
    ye.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                 AffineMap::get(nl, 0, ke, ctx),
                                 AffineMap::get(nl, 0, ye, ctx)};
  SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
  for (int64_t i = 2 + s; i < nl; ++i)
    iters[i] = utils::IteratorType::reduction;
  SmallVector<int64_t> yShape = {xs[0], xs[1]};
  yShape.append(w.outSize);
  auto window = [&](Value input, bool max) {
    Value initV =
        max ? linalg::FillOp::create(b, loc, ValueRange{lowestValue(et)},
                                     ValueRange{empty(yShape, et)})
                  .getResult(0)
            : filled(yShape, et, 0);
    Value kernel = empty(w.kernel, et);
    return linalg::GenericOp::create(
               b, loc, TypeRange{initV.getType()}, ValueRange{input, kernel},
               ValueRange{initV}, maps, iters,
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 Value r =
                     max ? (Value)arith::MaximumFOp::create(nb, l, a[0], a[2])
                         : (Value)arith::AddFOp::create(nb, l, a[0], a[2]);
                 linalg::YieldOp::create(nb, l, r);
               })
        .getResult(0);
  };
  Value y = window(xv, isMax);
  if (!isMax) {
    bool includePad = attrInt("count_include_pad", 0);
    // Divisor per output: the number of window elements inside the input
    // (or inside input + explicit pads with count_include_pad).
    SmallVector<int64_t> onesShape(xs.begin(), xs.end());
    SmallVector<int64_t> lo2 = lo, hi2 = hi;
    if (includePad) {
      auto pads = attrInts("pads");
      for (int64_t i = 0; i < s; ++i) {
        int64_t pl = w.padLo[i], ph = pads && pads->size() == (size_t)2 * s
                                          ? (*pads)[i + s]
                                          : w.padHi[i];
        if (attrString("auto_pad", "NOTSET") != "NOTSET")
          ph = w.padHi[i];
        onesShape[2 + i] += pl + ph;
        lo2[2 + i] = 0;
        hi2[2 + i] = w.padHi[i] - ph;
        (void)pl;
      }
    }
    Value ones = pad(filled(onesShape, et, 1), lo2, hi2, scalar(et, 0));
    Value cnt = window(ones, false);
    FailureOr<Value> r =
        elementwise({y, cnt}, et,
                    [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
                      return arith::DivFOp::create(nb, l, a[0], a[1]);
                    });
    if (failed(r))
      return failure();
    y = *r;
  }
  out.push_back(fromValue(y));
  return success();
}

LogicalResult Importer::opLRN(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  if (rank < 3 || !isFloat(et))
    return nodeFail("expects a floating-point input of rank >= 3");
  double alpha = attrFloat("alpha", 1e-4f), beta = attrFloat("beta", 0.75f),
         bias = attrFloat("bias", 1.0f);
  int64_t size = attrInt("size", 0);
  if (size <= 0)
    return nodeFail("size must be positive");
  auto xs = x->type.getShape();
  Value v = get(*x);
  FailureOr<Value> sq = elementwise(
      {v}, et, [](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      });
  if (failed(sq))
    return failure();
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  SmallVector<int64_t> pl(rank, 0), ph(rank, 0);
  pl[1] = lo;
  ph[1] = hi;
  Value padded = pad(*sq, pl, ph, scalar(et, 0));
  // Loops: all dims of X, then the channel window.
  int64_t nl = rank + 1;
  SmallVector<AffineExpr> pe, ke = {b.getAffineDimExpr(rank)}, ye;
  for (int64_t i = 0; i < rank; ++i) {
    pe.push_back(i == 1 ? b.getAffineDimExpr(1) + b.getAffineDimExpr(rank)
                        : b.getAffineDimExpr(i));
    ye.push_back(b.getAffineDimExpr(i));
  }
  SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
  iters[rank] = utils::IteratorType::reduction;
  Value init = filled(xs, et, 0);
  Value sum =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()},
          ValueRange{padded, empty({size}, et)}, ValueRange{init},
          SmallVector<AffineMap>{AffineMap::get(nl, 0, pe, ctx),
                                 AffineMap::get(nl, 0, ke, ctx),
                                 AffineMap::get(nl, 0, ye, ctx)},
          iters,
          [](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(
                nb, l, arith::AddFOp::create(nb, l, a[0], a[2]).getResult());
          })
          .getResult(0);
  FailureOr<Value> y = elementwise(
      {v, sum}, et, [&](OpBuilder &nb, Location l, ArrayRef<Value> a) -> Value {
        auto c = [&](double dd) -> Value {
          return arith::ConstantOp::create(nb, l, nb.getFloatAttr(et, dd));
        };
        Value t = arith::AddFOp::create(
            nb, l, c(bias),
            arith::MulFOp::create(nb, l, c(alpha / size), a[1]));
        return arith::DivFOp::create(nb, l, a[0],
                                     math::PowFOp::create(nb, l, t, c(beta)));
      });
  if (failed(y))
    return failure();
  out.push_back(fromValue(*y));
  return success();
}

//--- constants and misc ------------------------------------------------------

LogicalResult Importer::opConstant(Outputs &out) {
  if (node->attribute_size() != 1)
    return nodeFail("expects exactly one attribute");
  const auto &a = node->attribute(0);
  OValue v;
  if (a.name() == "value") {
    if (failed(tensorFromProto(a.t(), v,
                               "node '" + node->name() + "' (Constant) value")))
      return failure();
  } else if (a.name() == "value_float") {
    Bytes bytes(4);
    float f = a.f();
    std::memcpy(bytes.data(), &f, 4);
    v = fromLiteral(RankedTensorType::get({}, b.getF32Type()), bytes, false);
  } else if (a.name() == "value_floats") {
    Bytes bytes(4 * a.floats_size());
    for (int i = 0; i < a.floats_size(); ++i) {
      float f = a.floats(i);
      std::memcpy(bytes.data() + 4 * i, &f, 4);
    }
    v = fromLiteral(RankedTensorType::get({a.floats_size()}, b.getF32Type()),
                    bytes, false);
  } else if (a.name() == "value_int") {
    v = intLiteral({}, {a.i()});
  } else if (a.name() == "value_ints") {
    SmallVector<int64_t> vals(a.ints().begin(), a.ints().end());
    v = intLiteral({(int64_t)vals.size()}, vals);
  } else {
    return nodeFail("unsupported attribute '" + a.name() + "'");
  }
  out.push_back(v);
  return success();
}

LogicalResult Importer::opConstantOfShape(Inputs &in, Outputs &out) {
  auto shape = constInts(in[0], "the shape input");
  if (failed(shape))
    return failure();
  std::optional<int64_t> n = checkedNumel(*shape);
  if (!n)
    return nodeFail("negative or overflowing dimension in the shape");
  OValue value;
  if (const auto *a = attr("value")) {
    if (failed(tensorFromProto(a->t(), value,
                               "node '" + node->name() +
                                   "' (ConstantOfShape) value")))
      return failure();
    if (value.type.getNumElements() != 1)
      return nodeFail("value must have one element");
  } else {
    value = fromLiteral(RankedTensorType::get({1}, b.getF32Type()), Bytes(4, 0),
                        false);
  }
  Type et = value.type.getElementType();
  int64_t eb = elemBytes(et);
  if (*n > 4096) {
    // Large fills stay a splat (never expanded in memory).
    OValue o;
    o.type = RankedTensorType::get(*shape, et);
    o.isUnsigned = value.isUnsigned;
    o.splat =
        std::make_shared<Bytes>(value.lit->begin(), value.lit->begin() + eb);
    out.push_back(o);
    return success();
  }
  Bytes bytes(*n * eb);
  for (int64_t i = 0; i < *n; ++i)
    std::memcpy(bytes.data() + i * eb, value.lit->data(), eb);
  out.push_back(fromLiteral(RankedTensorType::get(*shape, et), std::move(bytes),
                            value.isUnsigned));
  return success();
}

LogicalResult Importer::opRange(Inputs &in, Outputs &out) {
  Type et = in[0]->type.getElementType();
  auto s = constScalar(in[0], "start"), l = constScalar(in[1], "limit"),
       d = constScalar(in[2], "delta");
  if (failed(s) || failed(l) || failed(d))
    return failure();
  if (*d == 0)
    return nodeFail("delta is 0");
  double cnt = std::ceil((*l - *s) / *d);
  int64_t n = std::max<int64_t>(0, (int64_t)cnt);
  if (n > (1 << 24))
    return nodeFail("the range is too large");
  Bytes bytes(n * elemBytes(et));
  for (int64_t i = 0; i < n; ++i) {
    double v = *s + i * *d;
    writeElem(bytes, et, i, v, isFloat(et) ? 0 : (int64_t)*s + i * (int64_t)*d);
  }
  out.push_back(fromLiteral(RankedTensorType::get({n}, et), std::move(bytes),
                            in[0]->isUnsigned));
  return success();
}

LogicalResult Importer::opPad(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  Type et = x->type.getElementType();
  std::string mode = attrString("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return nodeFail("pad mode '" + mode + "' is not supported");
  SmallVector<int64_t> pads;
  double value = 0;
  Value padV;
  if (opset < 11) {
    pads = attrInts("pads").value_or(SmallVector<int64_t>());
    value = attrFloat("value", 0.0f);
  } else {
    auto p = constInts(in.size() > 1 ? in[1] : nullptr, "the pads input");
    if (failed(p))
      return failure();
    pads = *p;
    if (in.size() > 2 && in[2]) {
      auto c = constScalar(in[2], "constant_value");
      if (failed(c))
        return failure();
      value = *c;
    }
  }
  SmallVector<int64_t> axes;
  if (in.size() > 3 && in[3]) {
    auto a = constInts(in[3], "the axes input");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    return nodeFail("pads must have 2 entries per padded axis");
  SmallVector<int64_t> lo(rank, 0), hi(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normAxis(axes[i], rank);
    if (a < 0)
      return nodeFail("axis out of range");
    lo[a] = pads[i];
    hi[a] = pads[i + axes.size()];
    if (lo[a] < 0 || hi[a] < 0)
      return nodeFail("negative pads are not supported");
  }
  if (mode == "constant") {
    padV = scalar(et, value);
    out.push_back(fromValue(pad(get(*x), lo, hi, padV), x->isUnsigned));
    return success();
  }
  // edge / reflect: each output element reads the input at a clamped or
  // mirrored index.
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t n = x->type.getDimSize(i);
    if (mode == "reflect" && (lo[i] >= n || hi[i] >= n) && (lo[i] || hi[i]))
      return nodeFail("reflect pads must be smaller than the dimension");
    if (n == 0 && (lo[i] || hi[i]))
      return nodeFail("cannot edge/reflect-pad an empty dimension");
    shape.push_back(n + lo[i] + hi[i]);
  }
  Value xv = get(*x);
  Value init = empty(shape, et);
  bool reflect = mode == "reflect";
  Value r =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
          SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange) {
            SmallVector<Value> ix;
            for (int64_t i = 0; i < rank; ++i) {
              int64_t n = x->type.getDimSize(i);
              Value idx = linalg::IndexOp::create(nb, l, i);
              Value k = arith::SubIOp::create(
                  nb, l, idx, arith::ConstantIndexOp::create(nb, l, lo[i]));
              Value zero = arith::ConstantIndexOp::create(nb, l, 0);
              Value last = arith::ConstantIndexOp::create(nb, l, n - 1);
              if (reflect) {
                Value neg = arith::SubIOp::create(nb, l, zero, k);
                k = arith::MaxSIOp::create(nb, l, k, neg);
                Value mirror = arith::SubIOp::create(
                    nb, l, arith::ConstantIndexOp::create(nb, l, 2 * (n - 1)),
                    k);
                k = arith::MinSIOp::create(nb, l, k, mirror);
              }
              k = arith::MaxSIOp::create(nb, l, k, zero);
              k = arith::MinSIOp::create(nb, l, k, last);
              ix.push_back(k);
            }
            linalg::YieldOp::create(
                nb, l, tensor::ExtractOp::create(nb, l, xv, ix).getResult());
          })
          .getResult(0);
  out.push_back(fromValue(r, x->isUnsigned));
  return success();
}

LogicalResult Importer::opTile(Inputs &in, Outputs &out) {
  OValue *x = in[0];
  int64_t rank = x->type.getRank();
  auto reps = constInts(in[1], "the repeats input");
  if (failed(reps))
    return failure();
  if ((int64_t)reps->size() != rank)
    return nodeFail("repeats must have one entry per dimension");
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    if ((*reps)[i] < 0)
      return nodeFail("negative repeat");
    int64_t d = x->type.getDimSize(i);
    shape.push_back(d * (*reps)[i]);
    exprs.push_back(d == 0 ? b.getAffineConstantExpr(0)
                           : b.getAffineDimExpr(i) % d);
  }
  Type et = x->type.getElementType();
  Value init = empty(shape, et);
  Value r =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{get(*x)},
          ValueRange{init},
          SmallVector<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                                 b.getMultiDimIdentityMap(rank)},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(nb, l, a[0]);
          })
          .getResult(0);
  out.push_back(fromValue(r, x->isUnsigned));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

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
  Importer importer(context, options);
  return importer.run(path, error);
}
