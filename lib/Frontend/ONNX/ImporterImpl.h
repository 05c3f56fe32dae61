//===- ImporterImpl.h - What the ONNX importer's files share ----*- C++ -*-===//
//
// Internal to lib/Frontend/ONNX. The importer is split the way torch-mlir's
// ONNX conversion is:
//
//   ONNXImporter.cpp   the core: loading the model, initializers, the value
//                      table, walking the graph, diagnostics, and the op
//                      table built from the families' registration
//                      functions below;
//   Validation.cpp     the ONNX checker, run on every model before import;
//   ShapeSpecialization.cpp
//                      --shape: sizes for symbolic input dimensions, written
//                      into the model before the checker runs;
//   Builders.cpp       the helpers here that build IR or read constants;
//   <Family>.cpp       one file per op family: a converter class deriving
//                      from ImporterBase, and register<Family>Ops, which adds
//                      its converters to the table.
//
// A converter reads the node being imported (`node`, `attrInt`, ...), its
// operands (`in`, null for an omitted optional input; as many leading ones
// as the table entry requires are non-null) and appends one OValue per node
// output it supports to `out`. It builds IR with `b` at `loc` (the node's
// name) and reports a malformed node with `nodeFail`; it never asserts on
// model data.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_FRONTEND_ONNX_IMPORTERIMPL_H
#define LOOM_LIB_FRONTEND_ONNX_IMPORTERIMPL_H

#include "loom/Frontend/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace loom {
namespace onnx_import {

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

/// Constant contents in MLIR storage layout (little endian, one byte per i1).
using Bytes = std::vector<char>;

/// An ONNX value during import: an SSA value, or a constant whose contents
/// are known (initializers, folded shape computations) and which becomes an
/// `arith.constant` only when an op reads it as a tensor (`get`).
struct OValue {
  Value value;                  // SSA value, created lazily for constants
  RankedTensorType type;        // always static
  bool isUnsigned = false;      // ONNX uint* mapped onto signless integers
  std::shared_ptr<Bytes> lit;   // known contents (initializers, folded shapes)
  std::shared_ptr<Bytes> splat; // one element, for large ConstantOfShape
  /// An ONNX INT4/UINT4 initializer, imported unpacked: one code per i8.
  bool int4 = false;
};

using Inputs = SmallVector<OValue *>;
using Outputs = SmallVector<OValue>;

/// Bytes per element in `Bytes` (i1 takes one).
int64_t elemBytes(Type t);
/// The element count of `shape`, or nullopt when a dimension is negative or
/// the product overflows int64.
std::optional<int64_t> checkedNumel(ArrayRef<int64_t> shape);
/// The element count of a shape known to be valid.
int64_t numel(ArrayRef<int64_t> shape);
/// Row-major strides of `shape`, in elements.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape);
/// Element `i` of `b` (of element type `t`) as a double / an int64.
double readFloat(const Bytes &b, Type t, int64_t i);
int64_t readInt(const Bytes &b, Type t, int64_t i, bool isUnsigned);
/// Stores `fv` (float types) or `iv` (integer types, truncated) as element
/// `i` of `b`.
void writeElem(Bytes &b, Type t, int64_t i, double fv, int64_t iv);

bool isFloat(Type t);
/// Normalizes `axis` into [0, rank); returns -1 when out of range.
int64_t normAxis(int64_t axis, int64_t rank);
/// "[2,3]".
std::string shapeStr(ArrayRef<int64_t> s);
/// `[1, C, 1, ...]` of `rank`: a per-channel vector [C] viewed against an
/// NC... tensor.
SmallVector<int64_t> channelShape(int64_t rank, int64_t c);
/// One step of a reduction of `kind` ("sum", "prod", "max", "min").
Value combine(OpBuilder &b, Location loc, StringRef kind, Value x, Value acc,
              bool isUnsigned = false);

//===----------------------------------------------------------------------===//
// Import state and the converters' base class
//===----------------------------------------------------------------------===//

/// Everything one import owns. The core creates one per model; converters
/// see it through ImporterBase.
struct ImportState {
  ImportState(MLIRContext *ctx, const ONNXImportOptions &options)
      : ctx(ctx), options(options), b(ctx), loc(UnknownLoc::get(ctx)) {}

  MLIRContext *ctx;
  ONNXImportOptions options;
  OpBuilder b;
  /// The current node's name (an UnknownLoc outside nodes).
  Location loc;
  onnx::ModelProto model;
  /// The model file's directory: external data must stay inside it.
  std::string modelDir;
  /// The default-domain (ai.onnx) opset.
  int64_t opset = 0;
  /// The node being imported.
  const onnx::NodeProto *node = nullptr;
  /// ONNX value name -> value.
  std::map<std::string, OValue> values;
  /// The first error; it is what the import reports.
  std::string errorMessage;
  /// Why `elementType` failed.
  std::string typeError;
  int resourceCounter = 0;
};

/// The helpers every converter uses, over a shared ImportState. Each op
/// family derives its converter class from this; the class is created for
/// one node and its members read the state through the references below.
class ImporterBase {
public:
  explicit ImporterBase(ImportState &state)
      : state(state), ctx(state.ctx), options(state.options), b(state.b),
        loc(state.loc), node(state.node), opset(state.opset),
        typeError(state.typeError) {}

protected:
  ImportState &state;
  MLIRContext *ctx;
  const ONNXImportOptions &options;
  OpBuilder &b;
  Location &loc;
  const onnx::NodeProto *&node;
  int64_t &opset;
  std::string &typeError;

  // --- errors --------------------------------------------------------------
  /// Records `msg` unless an error was recorded already (the first wins).
  LogicalResult fail(const Twine &msg);
  /// An error about the current node: "node 'N' (Op, opset K): msg".
  LogicalResult nodeFail(const Twine &msg);

  // --- tensors from protobuf (ONNXImporter.cpp) ----------------------------
  /// The MLIR element type of ONNX data type `onnxType`; on failure sets
  /// `typeError`.
  FailureOr<Type> elementType(int32_t onnxType, bool &isUnsigned);
  /// A TensorProto (initializer, Constant value) as a constant OValue.
  /// `what` names it in errors.
  LogicalResult tensorFromProto(const onnx::TensorProto &t, OValue &out,
                                StringRef what);
  /// The same for INT4/UINT4 tensors (one code per i8 element).
  LogicalResult int4FromProto(const onnx::TensorProto &t, OValue &out,
                              StringRef what);
  LogicalResult readExternal(const onnx::TensorProto &t, int64_t nbytes,
                             Bytes &out, StringRef what);

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
  /// The SSA value of `v`, materialising a constant on first use
  /// (ONNXImporter.cpp).
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
  OValue intLiteral(ArrayRef<int64_t> shape, ArrayRef<int64_t> vals);
  /// Integer contents of a constant input (shape operands etc.).
  FailureOr<SmallVector<int64_t>> constInts(OValue *v, StringRef what);
  FailureOr<double> constScalar(OValue *v, StringRef what);

  /// Why a constant of `shape` x `elementType` may not be created ("N bytes
  /// (n x T), more than --max-constant-bytes=L allows"), or nullopt when it
  /// fits. Checked before the importer allocates a constant's contents.
  std::optional<std::string> constantTooLarge(ArrayRef<int64_t> shape,
                                              Type elementType) const;
  /// Fails naming the current node when its constant result of `shape` x
  /// `elementType` would exceed --max-constant-bytes.
  LogicalResult checkConstantResult(ArrayRef<int64_t> shape, Type elementType) {
    if (std::optional<std::string> tooLarge =
            constantTooLarge(shape, elementType))
      return nodeFail("the constant result has " + *tooLarge);
    return success();
  }

  // --- builders (Builders.cpp) ---------------------------------------------
  Value empty(ArrayRef<int64_t> shape, Type et) {
    return tensor::EmptyOp::create(b, loc, shape, et);
  }
  Value scalar(Type et, double v);
  Value intScalar(Type et, int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, v));
  }
  Value filled(ArrayRef<int64_t> shape, Type et, double v) {
    return linalg::FillOp::create(b, loc, ValueRange{scalar(et, v)},
                                  ValueRange{empty(shape, et)})
        .getResult(0);
  }
  /// -inf, or the smallest signed integer.
  Value lowestValue(Type et);
  /// +inf, or the largest signed integer.
  Value highestValue(Type et);

  using BodyFn = std::function<Value(OpBuilder &, Location, ArrayRef<Value>)>;
  /// The ONNX multidirectional broadcast of `shapes`.
  FailureOr<SmallVector<int64_t>> broadcastShape(ArrayRef<ArrayRef<int64_t>>);
  /// One linalg.generic applying `fn` to the broadcast elements of `ins`
  /// (broadcast dims read index 0); `outShape` takes part in the broadcast.
  /// When every input is a constant the result is one too (constant folding
  /// may materialise it) and must fit --max-constant-bytes.
  FailureOr<Value> elementwise(ArrayRef<Value> ins, Type outElem, BodyFn fn,
                               std::optional<ArrayRef<int64_t>> outShape = {});
  /// expand_shape / collapse_shape to `shape` (same element count).
  Value reshape(Value v, ArrayRef<int64_t> shape);
  Value transpose(Value v, ArrayRef<int64_t> perm);
  /// linalg.reduce over sorted, unique `axes`; keepdims re-inserts unit dims.
  Value reduce(Value v, ArrayRef<int64_t> axes, bool keepdims, StringRef kind);
  /// ONNX MatMul (numpy matmul semantics) as linalg.matmul / batch_matmul on
  /// collapsed batch dimensions.
  FailureOr<Value> matmul(Value a, Value bb);
  Value convertElem(Value v, Type to, bool fromUnsigned, bool toUnsigned);
  Value sliceAxis(Value v, int64_t axis, int64_t start, int64_t size,
                  int64_t step);
  Value reverseAxis(Value v, int64_t axis);
  Value pad(Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
            Value padValue);
};

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

/// Runs the ONNX checker on `model` (read from `modelDir`) as
/// `onnx.checker.check_model(full_check=True)` does, with the relaxations
/// listed in Validation.cpp and docs/ONNX.md. On failure sets `error` to one
/// line ("node 'N' (Op, opset K): rejected by the ONNX checker: ..." where a
/// node is known). The model is unchanged afterwards.
LogicalResult checkModel(onnx::ModelProto &model, StringRef modelDir,
                         std::string &error);

//===----------------------------------------------------------------------===//
// Shape specialisation
//===----------------------------------------------------------------------===//

/// Gives the symbolic dimensions of `model`'s graph inputs the sizes of
/// `specs` (--shape), and the dimensions of the graph outputs and value_info
/// whose dim_param is a specified symbol the same sizes. Checks every
/// specification against the model (the name exists, the rank and static
/// dimensions agree, no two give one dimension different sizes); on failure
/// sets `error` to one line and leaves the model unspecified.
LogicalResult specializeShapes(onnx::ModelProto &model,
                               ArrayRef<ONNXShapeSpec> specs,
                               std::string &error);

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

/// Converts the current node (`ImportState::node`).
using ConverterFn =
    std::function<LogicalResult(ImportState &, Inputs &, Outputs &)>;

struct OpConverter {
  /// Inputs 0 .. requiredInputs-1 must be present; the core checks that
  /// before calling `convert`.
  unsigned requiredInputs = 0;
  ConverterFn convert;
};

/// Op (domain, type) -> converter. The default domain is "" (the core maps
/// "ai.onnx" onto it). Every op type is registered by exactly one family.
class ConverterTable {
public:
  void add(StringRef domain, StringRef opType, unsigned requiredInputs,
           ConverterFn convert);
  void add(StringRef opType, unsigned requiredInputs, ConverterFn convert) {
    add("", opType, requiredInputs, std::move(convert));
  }

  /// Registers a member of converter class `ConverterT` (an ImporterBase):
  /// one instance is created per node.
  template <typename ConverterT>
  void add(StringRef opType, unsigned requiredInputs,
           LogicalResult (ConverterT::*method)(Inputs &, Outputs &)) {
    add("", opType, requiredInputs, wrap(method));
  }
  template <typename ConverterT>
  void add(StringRef domain, StringRef opType, unsigned requiredInputs,
           LogicalResult (ConverterT::*method)(Inputs &, Outputs &)) {
    add(domain, opType, requiredInputs, wrap(method));
  }
  /// The same for a member shared by several ops, which receives the op type.
  template <typename ConverterT>
  void add(StringRef opType, unsigned requiredInputs,
           LogicalResult (ConverterT::*method)(StringRef, Inputs &,
                                               Outputs &)) {
    add("", opType, requiredInputs, wrap(method));
  }
  template <typename ConverterT>
  void add(StringRef domain, StringRef opType, unsigned requiredInputs,
           LogicalResult (ConverterT::*method)(StringRef, Inputs &,
                                               Outputs &)) {
    add(domain, opType, requiredInputs, wrap(method));
  }

  /// The converter of `opType` in `domain`, or null.
  const OpConverter *lookup(StringRef domain, StringRef opType) const;

private:
  template <typename ConverterT>
  static ConverterFn wrap(LogicalResult (ConverterT::*method)(Inputs &,
                                                              Outputs &)) {
    return [method](ImportState &state, Inputs &in, Outputs &out) {
      ConverterT converter(state);
      return (converter.*method)(in, out);
    };
  }
  template <typename ConverterT>
  static ConverterFn
  wrap(LogicalResult (ConverterT::*method)(StringRef, Inputs &, Outputs &)) {
    return [method](ImportState &state, Inputs &in, Outputs &out) {
      ConverterT converter(state);
      return (converter.*method)(state.node->op_type(), in, out);
    };
  }

  /// (domain, op type) -> converter.
  std::map<std::pair<std::string, std::string>, OpConverter> converters;
};

/// One registration function per op family (<Family>.cpp).
void registerAttentionOps(ConverterTable &table);
void registerConstantOps(ConverterTable &table);
void registerConvolutionOps(ConverterTable &table);
void registerElementwiseOps(ConverterTable &table);
void registerGatherOps(ConverterTable &table);
void registerMatMulOps(ConverterTable &table);
void registerNormalizationOps(ConverterTable &table);
void registerQuantizationOps(ConverterTable &table);
void registerReductionOps(ConverterTable &table);
void registerQuantizedMatMulOps(ConverterTable &table);
void registerShapeOps(ConverterTable &table);

/// ONNX Gather of `in` (data, indices) for the current node, whose `axis`
/// attribute it reads (Gather.cpp); other families build on it.
LogicalResult importGather(ImportState &state, Inputs &in, Outputs &out);

} // namespace onnx_import
} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_FRONTEND_ONNX_IMPORTERIMPL_H
