//===- Validation.cpp - The ONNX checker before import --------------------===//
//
// Runs libonnx's checker on every model before it is imported: what
// `onnx.checker.check_model(model, full_check=True)` does (model fields,
// opset imports, graph structure, every node against its operator schema,
// then strict shape and type inference), built from the checker's parts
// (`onnx::checker::check_node`, `check_tensor`, `check_value_info`,
// `shape_inference::InferShapes`) so that the node a message is about is
// known and so that the checks can follow docs/ONNX.md's relaxations where
// Debian's libonnx (1.12) is stricter than real exporters:
//
// * The IR version is checked against the newest the checker knows (8), not
//   rejected above it: exporters write IR 9-11.
// * Nodes of an opset newer than the checker's schemas (ai.onnx 17) are not
//   verified against a schema and the model gets no shape inference: their
//   schemas may have changed since (ReduceMean-18's axes input, Gelu-20,
//   Attention-23, int4 types), and the importer checks what it imports.
// * Initializers with external data, tensors of element types newer than the
//   checker (int4, float8) and tensors with negative or overflowing shapes
//   are left to the importer, whose checks are stricter (the location must
//   stay inside the model's directory) or name the problem (the checker
//   multiplies dimensions without overflow checks).
// * Graph inputs and outputs may omit their shape (the checker requires one):
//   the importer computes the outputs' types, and names an input without a
//   static shape.
//
// Checker messages become one line: "node 'N' (Op, opset K): rejected by the
// ONNX checker: ..." where a node is known, "rejected by the ONNX checker:
// ..." otherwise. The checker reports through exceptions; none escapes.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "llvm/ADT/ScopeExit.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <regex>
#include <unordered_map>
#include <unordered_set>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {
/// A check failure already in the importer's wording.
struct CheckFailure {
  std::string message;
};

/// The first line of a checker message (they append "==> Context: ..." and
/// node dumps on further lines).
std::string firstLine(StringRef message) {
  return message.split('\n').first.trim().str();
}

/// Checks the model, throwing onnx::checker::ValidationError (from libonnx)
/// or CheckFailure.
class ModelChecker {
public:
  ModelChecker(onnx::ModelProto &model, StringRef modelDir)
      : model(model), modelDir(modelDir) {}

  void check();

  /// The node being checked, for locating the checker's messages.
  const onnx::NodeProto *currentNode = nullptr;
  /// Otherwise the graph input, output or initializer being checked.
  std::string currentValue;

private:
  void checkOpsetImports();
  void checkGraph(const onnx::GraphProto &graph);
  void checkValueInfo(const onnx::ValueInfoProto &valueInfo, StringRef what);
  void checkNode(const onnx::NodeProto &node,
                 const onnx::checker::LexicalScopeContext &scope);
  void inferShapes();

  /// Whether the checker's schema registry knows opset `version` of
  /// `domain` (custom domains have no schemas and are always "known").
  bool schemasKnown(const std::string &domain, int64_t version) const;

  onnx::ModelProto &model;
  std::string modelDir;
  onnx::checker::CheckerContext context;
  std::unordered_map<std::string, int> opsets;
  /// False when some node's opset is newer than the checker's schemas.
  bool allSchemasKnown = true;
};
} // namespace

/// Whether `t` is left to the checker: not when its data is external, its
/// element type newer than the checker, or its element count negative or
/// overflowing (the checker multiplies the dimensions unchecked).
static bool checkerKnowsTensor(const onnx::TensorProto &t) {
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  return t.data_location() != onnx::TensorProto::EXTERNAL &&
         onnx::TensorProto::DataType_IsValid(t.data_type()) &&
         checkedNumel(dims);
}

/// onnx::checker::check_value_info, except that a tensor type may omit its
/// shape: the importer computes the outputs' types itself and names a graph
/// input without a static shape.
void ModelChecker::checkValueInfo(const onnx::ValueInfoProto &valueInfo,
                                  StringRef what) {
  currentValue = (what + " '" + valueInfo.name() + "'").str();
  if (valueInfo.type().has_tensor_type() &&
      !valueInfo.type().tensor_type().has_shape()) {
    onnx::ValueInfoProto withShape = valueInfo;
    withShape.mutable_type()->mutable_tensor_type()->mutable_shape();
    onnx::checker::check_value_info(withShape, context);
  } else {
    onnx::checker::check_value_info(valueInfo, context);
  }
  currentValue.clear();
}

bool ModelChecker::schemasKnown(const std::string &domain,
                                int64_t version) const {
  const auto &ranges =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = ranges.find(domain == "ai.onnx" ? "" : domain);
  return it == ranges.end() || version <= it->second.second;
}

void ModelChecker::checkOpsetImports() {
  for (const auto &import : model.opset_import()) {
    std::string domain =
        import.domain().empty() ? std::string("ai.onnx") : import.domain();
    if (import.version() < 1)
      throw CheckFailure{llvm::formatv("the model imports opset {0} of domain "
                                       "'{1}'; opset versions start at 1",
                                       import.version(), domain)
                             .str()};
    if (import.version() > std::numeric_limits<int>::max())
      throw CheckFailure{llvm::formatv("the model imports opset {0} of domain "
                                       "'{1}', which does not exist",
                                       import.version(), domain)
                             .str()};
    opsets[import.domain()] = static_cast<int>(import.version());
  }
  // As onnx::checker::check_model.
  if (model.ir_version() >= 3) {
    if (opsets.empty())
      fail_check("model with IR version >= 3 must specify opset_import for "
                 "ONNX");
  } else {
    if (!opsets.empty())
      fail_check("model with IR version < 3 cannot have opset_import "
                 "specified");
    opsets[""] = 1;
  }
}

void ModelChecker::check() {
  // onnx::checker::check_model, except that an IR version newer than the
  // checker's is checked as the newest it knows.
  if (model.ir_version() <= 0)
    fail_check("The model does not have an ir_version set properly.");
  std::unordered_set<std::string> keys;
  for (const auto &entry : model.metadata_props())
    if (!keys.insert(entry.key()).second)
      fail_check("Your model has duplicate keys in metadata_props.");
  checkOpsetImports();
  context.set_ir_version(static_cast<int>(
      std::min<int64_t>(model.ir_version(), onnx::Version::IR_VERSION)));
  context.set_opset_imports(opsets);
  context.set_model_dir(modelDir + "/");
  for (const auto &[domain, version] : opsets)
    allSchemasKnown &= schemasKnown(domain, version);
  checkGraph(model.graph());
  if (allSchemasKnown && model.functions_size() && model.ir_version() >= 8) {
    onnx::checker::LexicalScopeContext scope;
    onnx::checker::check_model_local_functions(model, context, scope);
  }
  // full_check: strict type and shape inference.
  if (allSchemasKnown)
    inferShapes();
}

/// onnx::checker::check_graph for the main graph, node by node.
void ModelChecker::checkGraph(const onnx::GraphProto &graph) {
  if (graph.name().empty())
    fail_check("Field 'name' of graph is required to be non-empty.");
  for (const auto &valueInfo : graph.input())
    checkValueInfo(valueInfo, "graph input");
  for (const auto &valueInfo : graph.output())
    checkValueInfo(valueInfo, "graph output");

  std::unordered_set<std::string> defined;
  for (const auto &valueInfo : graph.input())
    if (!defined.insert(valueInfo.name()).second)
      fail_check("Graph must be in single static assignment (SSA) form, "
                 "however '",
                 valueInfo.name(),
                 "' has been used as graph input names multiple times.");
  for (const auto &init : graph.initializer()) {
    currentValue = "initializer '" + init.name() + "'";
    if (context.get_ir_version() <= 3) {
      // Initializers are a subset of the graph inputs up to IR version 3.
      if (!defined.count(init.name()))
        fail_check(init.name() + " in initializer but not in graph input");
    } else {
      defined.insert(init.name());
    }
    if (checkerKnowsTensor(init))
      onnx::checker::check_tensor(init, context);
    currentValue.clear();
  }

  for (const auto &node : graph.node()) {
    currentNode = &node;
    for (const auto &input : node.input())
      if (!input.empty() && !defined.count(input))
        fail_check("Nodes in a graph must be topologically sorted, however "
                   "input '",
                   input, "' is not output of any previous nodes.");
    onnx::checker::LexicalScopeContext scope;
    scope.output_names = defined;
    checkNode(node, scope);
    for (const auto &output : node.output())
      if (!output.empty() && !defined.insert(output).second)
        fail_check("Graph must be in single static assignment (SSA) form, "
                   "however '",
                   output, "' has been used as output names multiple times.");
  }
  currentNode = nullptr;
}

void ModelChecker::checkNode(const onnx::NodeProto &node,
                             const onnx::checker::LexicalScopeContext &scope) {
  auto opset = opsets.find(node.domain());
  if (opset == opsets.end() || schemasKnown(opset->first, opset->second)) {
    onnx::checker::check_node(node, context, scope);
    return;
  }
  // A newer opset than the checker's schemas: the structure of the node
  // only (check_node without the schema).
  if (node.op_type().empty())
    fail_check("Field 'op_type' of node is required to be non-empty.");
  if (node.input().empty() && node.output().empty())
    fail_check("NodeProto (name: ", node.name(), ", type: ", node.op_type(),
               ") has zero input and zero output.");
  for (const auto &attribute : node.attribute()) {
    if (attribute.has_t() && !checkerKnowsTensor(attribute.t()))
      continue;
    onnx::checker::check_attribute(attribute, context, scope);
  }
}

void ModelChecker::inferShapes() {
  // Inference records what it infers in the graph's value_info and merges it
  // into the outputs' types; the importer reads neither, and they are put
  // back so that the checked model is the one that was read.
  onnx::GraphProto *graph = model.mutable_graph();
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> valueInfo, outputs;
  valueInfo.Swap(graph->mutable_value_info());
  outputs.CopyFrom(graph->output());
  graph->mutable_value_info()->CopyFrom(valueInfo);
  llvm::scope_exit restore([&] {
    graph->mutable_value_info()->Swap(&valueInfo);
    graph->mutable_output()->Swap(&outputs);
  });
  onnx::ShapeInferenceOptions options(/*check_type_val=*/true,
                                      /*strict_mode_val=*/1,
                                      /*data_prop_val=*/false);
  onnx::shape_inference::InferShapes(model, context.get_schema_registry(),
                                     options);
}

/// "(op_type:Add, node name: add): [ShapeInferenceError] message" -> the
/// node and the message, for shape inference errors.
static bool splitInferenceError(const std::string &message, std::string &name,
                                std::string &opType, std::string &detail) {
  static const std::regex pattern(
      R"(\(op_type:([^,]*), node name: ([^)]*)\): (\[[A-Za-z]*\] )?([^\n]*))");
  std::smatch match;
  if (!std::regex_search(message, match, pattern))
    return false;
  opType = match[1];
  name = match[2];
  detail = match[4];
  return true;
}

LogicalResult mlir::loom::onnx_import::checkModel(onnx::ModelProto &model,
                                                  StringRef modelDir,
                                                  std::string &error) {
  ModelChecker checker(model, modelDir);
  auto isDefault = [](StringRef domain) {
    return domain.empty() || domain == "ai.onnx";
  };
  auto nodeError = [&](const std::string &name, const std::string &opType,
                       StringRef domain, StringRef message) {
    std::string where;
    if (!isDefault(domain))
      where = (", domain '" + domain + "'").str();
    std::optional<int64_t> opset;
    for (const auto &import : model.opset_import())
      if (import.domain() == domain ||
          (isDefault(import.domain()) && isDefault(domain)))
        opset = import.version();
    where += opset ? llvm::formatv(", opset {0}", *opset).str()
                   : std::string(", no opset import");
    error = llvm::formatv("node '{0}' ({1}{2}): rejected by the ONNX checker: "
                          "{3}",
                          name, opType, where, message)
                .str();
  };
  auto located = [&](StringRef message) {
    if (const onnx::NodeProto *node = checker.currentNode)
      nodeError(node->name(), node->op_type(), node->domain(), message);
    else if (!checker.currentValue.empty())
      error =
          (checker.currentValue + ": rejected by the ONNX checker: " + message)
              .str();
    else
      error = ("rejected by the ONNX checker: " + message).str();
  };
  try {
    checker.check();
    return success();
  } catch (const CheckFailure &failure) {
    error = failure.message;
  } catch (const onnx::InferenceError &e) {
    std::string name, opType, detail, what = e.what();
    if (splitInferenceError(what, name, opType, detail)) {
      std::string domain;
      for (const auto &node : model.graph().node())
        if (node.name() == name && node.op_type() == opType)
          domain = node.domain();
      nodeError(name, opType, domain, "shape inference: " + detail);
    } else {
      located("shape inference: " + firstLine(what));
    }
  } catch (const std::exception &e) {
    located(firstLine(e.what()));
  } catch (...) {
    located("unknown error");
  }
  return failure();
}
