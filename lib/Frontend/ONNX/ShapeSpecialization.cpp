//===- ShapeSpecialization.cpp - --shape for symbolic ONNX dimensions -----===//
//
// Exporters write graph inputs with symbolic dimensions (dim_param "batch",
// "sequence_length"); Loom compiles static shapes only. `--shape` gives them
// sizes before import: `INPUT=DxDx...` (an input's full shape) or `SYMBOL=N`
// (every dimension named SYMBOL). The sizes are written into the model's
// graph inputs, and into the graph outputs and value_info dimensions that use
// the same symbols, so the checker's shape inference and the importer see a
// static model; shape computations on the specialised dimensions (Shape,
// Gather, Concat, ...) then fold like any other.
//
// Precondition of specializeShapes: the model parsed; it runs before the
// checker. Every inconsistency between the specifications and the model is
// a one-line error naming the specification; nothing asserts on user input.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::onnx_import;

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

static llvm::Error invalidSpec(StringRef spec, const Twine &why) {
  return llvm::createStringError(
      "invalid --shape value '" + spec + "': " + why +
      " (expected INPUT=DxDx... or SYMBOL=N with positive sizes, e.g. "
      "input_ids=1x64 or batch=1)");
}

/// One size of a specification: a positive decimal integer that fits int64.
static llvm::Expected<int64_t> parseSize(StringRef spec, StringRef size) {
  if (size.empty())
    return invalidSpec(spec, "a size is empty");
  StringRef digits = size;
  bool negative = digits.consume_front("-");
  if (digits.empty() || !llvm::all_of(digits, llvm::isDigit))
    return invalidSpec(spec, "'" + size + "' is not a positive integer");
  if (negative)
    return invalidSpec(spec, "the size " + size + " is not positive");
  int64_t value;
  // Digits only, so getAsInteger fails only on overflow.
  if (digits.getAsInteger(10, value))
    return invalidSpec(spec, "the size " + size + " is too large (at most " +
                                 Twine(std::numeric_limits<int64_t>::max()) +
                                 ")");
  if (value == 0)
    return invalidSpec(spec, "the size 0 is not positive");
  return value;
}

llvm::Error mlir::loom::parseShapeOption(StringRef text,
                                         std::vector<ONNXShapeSpec> &specs) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  for (StringRef part : parts) {
    StringRef spec = part.trim();
    if (spec.empty())
      return invalidSpec(text, "an empty specification");
    // Sizes never contain '=', names (ONNX value names) might.
    size_t equals = spec.rfind('=');
    if (equals == StringRef::npos)
      return invalidSpec(spec, "no '='");
    ONNXShapeSpec parsed;
    StringRef name = spec.take_front(equals).trim();
    StringRef value = spec.drop_front(equals + 1).trim();
    if (name.empty())
      return invalidSpec(spec, "the name before '=' is empty");
    if (value.empty())
      return invalidSpec(spec, "no size after '='");
    parsed.name = name.str();
    parsed.text = spec.str();
    parsed.isShape = value.contains('x');
    SmallVector<StringRef> sizes;
    value.split(sizes, 'x');
    for (StringRef size : sizes) {
      llvm::Expected<int64_t> parsedSize = parseSize(spec, size.trim());
      if (!parsedSize)
        return parsedSize.takeError();
      parsed.sizes.push_back(*parsedSize);
    }
    specs.push_back(std::move(parsed));
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Specialisation
//===----------------------------------------------------------------------===//

namespace {
/// A size given to a symbol, and the specification that gave it.
struct Binding {
  int64_t size;
  const ONNXShapeSpec *spec;
};

/// Resolves the specifications against the graph inputs, then writes the
/// sizes into the model.
class ShapeSpecializer {
public:
  ShapeSpecializer(onnx::ModelProto &model, std::string &error)
      : graph(*model.mutable_graph()), error(error) {}

  LogicalResult run(ArrayRef<ONNXShapeSpec> specs);

private:
  LogicalResult fail(const Twine &message) {
    error = message.str();
    return failure();
  }
  LogicalResult applyInputShape(const ONNXShapeSpec &spec, size_t input);
  LogicalResult bindSymbol(StringRef symbol, int64_t size,
                           const ONNXShapeSpec &spec);
  void apply();

  onnx::GraphProto &graph;
  std::string &error;
  /// The graph inputs that are not initializers, in graph order.
  SmallVector<onnx::ValueInfoProto *> inputs;
  /// The dim_params of the inputs, in order of first use (they point into
  /// the model, which changes only after the last use, in apply()).
  llvm::SetVector<StringRef> symbols;
  llvm::StringMap<Binding> symbolSizes;
  /// The full-shape specification of each input given one.
  llvm::DenseMap<size_t, const ONNXShapeSpec *> inputShapes;
};
} // namespace

/// `batchx4`: an ONNX shape, '?' for a dimension without value or symbol.
static std::string shapeText(const onnx::TensorShapeProto &shape) {
  SmallVector<std::string> dims;
  for (const auto &d : shape.dim())
    dims.push_back(d.has_dim_value()        ? std::to_string(d.dim_value())
                   : !d.dim_param().empty() ? d.dim_param()
                                            : "?");
  return llvm::join(dims, "x");
}

static std::string sizesText(ArrayRef<int64_t> sizes) {
  return llvm::join(
      llvm::map_range(sizes, [](int64_t s) { return std::to_string(s); }), "x");
}

LogicalResult ShapeSpecializer::bindSymbol(StringRef symbol, int64_t size,
                                           const ONNXShapeSpec &spec) {
  auto [it, inserted] = symbolSizes.try_emplace(symbol, Binding{size, &spec});
  if (inserted || it->second.size == size)
    return success();
  const Binding &earlier = it->second;
  if (earlier.spec == &spec)
    return fail(llvm::formatv("--shape={0} gives symbol '{1}' two sizes ({2} "
                              "and {3})",
                              spec.text, symbol, earlier.size, size));
  return fail(llvm::formatv("--shape={0} and --shape={1} give symbol '{2}' "
                            "different sizes ({3} and {4})",
                            earlier.spec->text, spec.text, symbol, earlier.size,
                            size));
}

LogicalResult ShapeSpecializer::applyInputShape(const ONNXShapeSpec &spec,
                                                size_t input) {
  const onnx::ValueInfoProto &info = *inputs[input];
  auto [it, inserted] = inputShapes.try_emplace(input, &spec);
  if (!inserted) {
    if (it->second->sizes == spec.sizes)
      return success();
    return fail(llvm::formatv("--shape={0} and --shape={1} give graph input "
                              "'{2}' different shapes ({3} and {4})",
                              it->second->text, spec.text, info.name(),
                              sizesText(it->second->sizes),
                              sizesText(spec.sizes)));
  }
  if (!info.type().has_tensor_type())
    return fail(llvm::formatv("--shape={0}: graph input '{1}' is not a tensor",
                              spec.text, info.name()));
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  // An input without a shape takes the one given.
  if (!tensor.has_shape())
    return success();
  const onnx::TensorShapeProto &shape = tensor.shape();
  if ((size_t)shape.dim_size() != spec.sizes.size())
    return fail(llvm::formatv("--shape={0}: graph input '{1}' has {2} "
                              "dimensions ({3}), not {4}",
                              spec.text, info.name(), shape.dim_size(),
                              shapeText(shape), spec.sizes.size()));
  for (auto [i, d] : llvm::enumerate(shape.dim())) {
    int64_t size = spec.sizes[i];
    if (d.has_dim_value()) {
      if (d.dim_value() != size)
        return fail(llvm::formatv("--shape={0}: dimension {1} of graph input "
                                  "'{2}' ({3}) is {4} in the model, not {5}",
                                  spec.text, i, info.name(), shapeText(shape),
                                  d.dim_value(), size));
      continue;
    }
    if (!d.dim_param().empty() && failed(bindSymbol(d.dim_param(), size, spec)))
      return failure();
  }
  return success();
}

void ShapeSpecializer::apply() {
  auto specialize = [&](onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() ||
        !info.type().tensor_type().has_shape())
      return;
    for (auto &d : *info.mutable_type()
                        ->mutable_tensor_type()
                        ->mutable_shape()
                        ->mutable_dim()) {
      if (d.has_dim_value() || d.dim_param().empty())
        continue;
      auto it = symbolSizes.find(d.dim_param());
      if (it != symbolSizes.end())
        d.set_dim_value(it->second.size);
    }
  };
  // Full input shapes first: they also cover dimensions without a symbol
  // and inputs without a shape.
  for (auto [input, spec] : inputShapes) {
    onnx::ValueInfoProto &info = *inputs[input];
    onnx::TensorShapeProto *shape =
        info.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() == 0)
      for (size_t i = 0; i < spec->sizes.size(); ++i)
        shape->add_dim();
    for (auto [d, size] : llvm::zip_equal(*shape->mutable_dim(), spec->sizes))
      d.set_dim_value(size);
  }
  for (onnx::ValueInfoProto &info : *graph.mutable_input())
    specialize(info);
  for (onnx::ValueInfoProto &info : *graph.mutable_output())
    specialize(info);
  for (onnx::ValueInfoProto &info : *graph.mutable_value_info())
    specialize(info);
}

LogicalResult ShapeSpecializer::run(ArrayRef<ONNXShapeSpec> specs) {
  if (specs.empty())
    return success();
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  for (onnx::ValueInfoProto &info : *graph.mutable_input()) {
    if (initializers.contains(info.name()))
      continue;
    inputs.push_back(&info);
    if (!info.type().has_tensor_type())
      continue;
    for (const auto &d : info.type().tensor_type().shape().dim())
      if (!d.has_dim_value() && !d.dim_param().empty())
        symbols.insert(d.dim_param());
  }
  auto findInput = [&](StringRef name) -> std::optional<size_t> {
    for (auto [i, info] : llvm::enumerate(inputs))
      if (info->name() == name)
        return i;
    return std::nullopt;
  };
  auto listInputs = [&] {
    if (inputs.empty())
      return std::string("the graph has no inputs");
    return "graph inputs: " +
           llvm::join(llvm::map_range(
                          inputs,
                          [](onnx::ValueInfoProto *info) {
                            std::string text = info->name();
                            if (info->type().has_tensor_type() &&
                                info->type().tensor_type().has_shape())
                              text += " (" +
                                      shapeText(
                                          info->type().tensor_type().shape()) +
                                      ")";
                            return text;
                          }),
                      ", ");
  };

  for (const ONNXShapeSpec &spec : specs) {
    bool isSymbol = !spec.isShape && symbols.contains(spec.name);
    if (isSymbol) {
      if (failed(bindSymbol(spec.name, spec.sizes.front(), spec)))
        return failure();
      continue;
    }
    if (std::optional<size_t> input = findInput(spec.name)) {
      if (failed(applyInputShape(spec, *input)))
        return failure();
      continue;
    }
    if (spec.isShape)
      return fail(llvm::formatv("--shape={0}: '{1}' is not a graph input ({2})",
                                spec.text, spec.name, listInputs()));
    std::string knownSymbols =
        symbols.empty() ? std::string("no graph input has a symbolic dimension")
                        : "the symbols: " + llvm::join(symbols, ", ");
    return fail(llvm::formatv("--shape={0}: no graph input has a symbolic "
                              "dimension '{1}', and no graph input is named "
                              "'{1}' ({2}; {3})",
                              spec.text, spec.name, knownSymbols,
                              listInputs()));
  }
  apply();
  return success();
}

LogicalResult
mlir::loom::onnx_import::specializeShapes(onnx::ModelProto &model,
                                          ArrayRef<ONNXShapeSpec> specs,
                                          std::string &error) {
  // Every check runs before the model changes (ShapeSpecializer::apply).
  return ShapeSpecializer(model, error).run(specs);
}
