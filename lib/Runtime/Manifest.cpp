//===- Manifest.cpp - The manifest.json of a compiled model ---------------===//
//
// Printing and strict parsing of manifest.json (see docs/Runtime.md). The
// parser checks every field a host relies on and refuses any it does not
// know, so a hand-edited, truncated or tampered manifest is an error that
// names the field, never a crash or a silent mismatch with the library.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Manifest.h"
#include "loom/Runtime/Json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom;

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t TensorSpec::byteSize() const {
  return numElements() * static_cast<int64_t>(dtypeSize(dtype));
}

std::string TensorSpec::describe() const {
  return formatShape(shape) + " " + dtypeName(dtype);
}

void mlir::loom::setDerivedNames(ModelManifest &manifest) {
  manifest.library = manifest.name + ".so";
  manifest.header = manifest.name + ".h";
  manifest.mlir = manifest.name + ".mlir";
  manifest.runSymbol = manifest.name + "_run";
  manifest.runPackedSymbol = manifest.name + "_run_packed";
  manifest.errorMessageSymbol = manifest.name + "_error_message";
  manifest.abiVersionSymbol = manifest.name + "_abi_version";
  manifest.signatureSymbol = manifest.name + "_signature";
}

void mlir::loom::setGenerateNames(ModelManifest &manifest) {
  const std::string &n = manifest.name;
  manifest.runSymbol = n + "_prefill";
  manifest.runPackedSymbol = n + "_prefill_packed";
  manifest.signatureSymbol = n + "_prefill_signature";
  ModelManifest::GenerateSection &g = *manifest.generate;
  g.runSymbol = n + "_decode_step";
  g.runPackedSymbol = n + "_decode_step_packed";
  g.signatureSymbol = n + "_decode_step_signature";
  g.cacheCreateSymbol = n + "_cache_create";
  g.cacheFreeSymbol = n + "_cache_free";
  g.prefillSymbol = n + "_generate_prefill";
  g.stepSymbol = n + "_generate_step";
}

bool mlir::loom::isValidCIdentifier(std::string_view name) {
  // C11 and C++17 keywords plus the alternative operator spellings: a name
  // that is one of them cannot be a parameter or a symbol prefix.
  static const char *const kKeywords[] = {"alignas",
                                          "alignof",
                                          "and",
                                          "and_eq",
                                          "asm",
                                          "auto",
                                          "bitand",
                                          "bitor",
                                          "bool",
                                          "break",
                                          "case",
                                          "catch",
                                          "char",
                                          "char16_t",
                                          "char32_t",
                                          "class",
                                          "compl",
                                          "const",
                                          "const_cast",
                                          "constexpr",
                                          "continue",
                                          "decltype",
                                          "default",
                                          "delete",
                                          "do",
                                          "double",
                                          "dynamic_cast",
                                          "else",
                                          "enum",
                                          "explicit",
                                          "export",
                                          "extern",
                                          "false",
                                          "float",
                                          "for",
                                          "friend",
                                          "goto",
                                          "if",
                                          "inline",
                                          "int",
                                          "long",
                                          "mutable",
                                          "namespace",
                                          "new",
                                          "noexcept",
                                          "not",
                                          "not_eq",
                                          "nullptr",
                                          "operator",
                                          "or",
                                          "or_eq",
                                          "private",
                                          "protected",
                                          "public",
                                          "register",
                                          "reinterpret_cast",
                                          "restrict",
                                          "return",
                                          "short",
                                          "signed",
                                          "sizeof",
                                          "static",
                                          "static_assert",
                                          "static_cast",
                                          "struct",
                                          "switch",
                                          "template",
                                          "this",
                                          "thread_local",
                                          "throw",
                                          "true",
                                          "try",
                                          "typedef",
                                          "typeid",
                                          "typename",
                                          "union",
                                          "unsigned",
                                          "using",
                                          "virtual",
                                          "void",
                                          "volatile",
                                          "wchar_t",
                                          "while",
                                          "xor",
                                          "xor_eq",
                                          "_Alignas",
                                          "_Alignof",
                                          "_Atomic",
                                          "_Bool",
                                          "_Complex",
                                          "_Generic",
                                          "_Imaginary",
                                          "_Noreturn",
                                          "_Static_assert",
                                          "_Thread_local"};
  auto isAlpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !(isAlpha(name.front()) || name.front() == '_'))
    return false;
  if (!std::all_of(name.begin(), name.end(), [&](char c) {
        return isAlpha(c) || isDigit(c) || c == '_';
      }))
    return false;
  return std::none_of(std::begin(kKeywords), std::end(kKeywords),
                      [&](const char *k) { return name == k; });
}

std::string mlir::loom::printManifest(const ModelManifest &m) {
  auto tensors = [&](const std::vector<TensorSpec> &list) {
    JsonValue array = JsonValue::array();
    for (const TensorSpec &t : list) {
      JsonValue object = JsonValue::object();
      object.set("name", JsonValue::string(t.name));
      object.set("c_name", JsonValue::string(t.cName));
      JsonValue shape = JsonValue::array();
      for (int64_t d : t.shape)
        shape.push(JsonValue::integer(d));
      object.set("shape", std::move(shape));
      object.set("dtype", JsonValue::string(dtypeNumpyName(t.dtype)));
      object.set("npy_descr", JsonValue::string(dtypeDescr(t.dtype)));
      object.set("byte_size", JsonValue::integer(t.byteSize()));
      array.push(std::move(object));
    }
    return array;
  };
  JsonValue root = JsonValue::object();
  root.set("generator", JsonValue::string(m.generator));
  root.set("abi_version", JsonValue::integer(m.abiVersion));
  root.set("name", JsonValue::string(m.name));
  root.set("source", JsonValue::string(m.source));
  root.set("function", JsonValue::string(m.function));
  JsonValue target = JsonValue::object();
  target.set("kind", JsonValue::string(m.target));
  target.set("triple", JsonValue::string(m.triple));
  target.set("cpu", JsonValue::string(m.cpu));
  target.set("opt_level", JsonValue::integer(m.optLevel));
  root.set("target", std::move(target));
  JsonValue files = JsonValue::object();
  files.set("library", JsonValue::string(m.library));
  files.set("header", JsonValue::string(m.header));
  files.set("mlir", JsonValue::string(m.mlir));
  root.set("files", std::move(files));
  JsonValue entries = JsonValue::object();
  entries.set("run", JsonValue::string(m.runSymbol));
  entries.set("run_packed", JsonValue::string(m.runPackedSymbol));
  entries.set("error_message", JsonValue::string(m.errorMessageSymbol));
  entries.set("abi_version", JsonValue::string(m.abiVersionSymbol));
  entries.set("signature", JsonValue::string(m.signatureSymbol));
  root.set("entry_points", std::move(entries));
  root.set("inputs", tensors(m.inputs));
  root.set("outputs", tensors(m.outputs));
  if (m.generate) {
    const ModelManifest::GenerateSection &g = *m.generate;
    JsonValue gen = JsonValue::object();
    gen.set("function", JsonValue::string(g.function));
    JsonValue genEntries = JsonValue::object();
    genEntries.set("run", JsonValue::string(g.runSymbol));
    genEntries.set("run_packed", JsonValue::string(g.runPackedSymbol));
    genEntries.set("signature", JsonValue::string(g.signatureSymbol));
    genEntries.set("cache_create", JsonValue::string(g.cacheCreateSymbol));
    genEntries.set("cache_free", JsonValue::string(g.cacheFreeSymbol));
    genEntries.set("prefill", JsonValue::string(g.prefillSymbol));
    genEntries.set("step", JsonValue::string(g.stepSymbol));
    gen.set("entry_points", std::move(genEntries));
    gen.set("prompt_length", JsonValue::integer(g.promptLength));
    gen.set("capacity", JsonValue::integer(g.capacity));
    gen.set("cache_entries", JsonValue::integer(g.cacheEntries));
    gen.set("vocab", JsonValue::integer(g.vocab));
    gen.set("layers", JsonValue::integer(g.layers));
    gen.set("kv_bytes", JsonValue::integer(g.kvBytes));
    JsonValue parts = JsonValue::array();
    for (const auto &part : g.cacheParts) {
      JsonValue object = JsonValue::object();
      object.set("layer", JsonValue::integer(part.layer));
      object.set("part", JsonValue::string(part.part));
      object.set("prefill_output", JsonValue::integer(part.prefillOutput));
      object.set("step_input", JsonValue::integer(part.stepInput));
      object.set("step_output", JsonValue::integer(part.stepOutput));
      parts.push(std::move(object));
    }
    gen.set("cache_parts", std::move(parts));
    gen.set("inputs", tensors(g.inputs));
    gen.set("outputs", tensors(g.outputs));
    root.set("generate", std::move(gen));
  }
  return printJson(root) + "\n";
}

namespace {
/// Reads the fields of one JSON object, recording the first problem as an
/// error that names the field by its path (e.g. `inputs[1].shape`). Every
/// key the object has must be read: `checkNoOtherKeys` reports the first one
/// that was not.
class FieldReader {
public:
  FieldReader(const JsonValue &object, std::string path, std::string &error)
      : object(object), path(std::move(path)), error(error) {}

  std::string fieldPath(std::string_view key) const {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  const JsonValue *get(std::string_view key) {
    known.insert(std::string(key));
    const JsonValue *v = object.get(key);
    if (!v)
      fail(key, "is missing");
    return v;
  }

  bool readString(std::string_view key, std::string &out) {
    const JsonValue *v = get(key);
    if (!v)
      return false;
    const std::string *s = v->getAsString();
    if (!s)
      return fail(key, "must be a string");
    out = *s;
    return true;
  }

  /// A non-empty string without NUL bytes (it crosses the C ABI as a
  /// NUL-terminated string).
  bool readName(std::string_view key, std::string &out) {
    if (!readString(key, out))
      return false;
    if (out.empty() || out.find('\0') != std::string::npos)
      return fail(key, "must be a non-empty string without NUL characters");
    return true;
  }

  /// A string that names a file in the model directory.
  bool readFileName(std::string_view key, std::string &out) {
    if (!readString(key, out))
      return false;
    if (out.empty() || out == "." || out == ".." ||
        out.find('/') != std::string::npos ||
        out.find('\0') != std::string::npos)
      return fail(key, "must be a file name in the model directory");
    return true;
  }

  bool readSymbol(std::string_view key, std::string &out) {
    if (!readString(key, out))
      return false;
    if (!isValidCIdentifier(out))
      return fail(key, "must be a C identifier");
    return true;
  }

  /// `<prefix>_<what>`: an entry point must be the model's own symbol.
  bool readEntryPoint(std::string_view key, const std::string &expected,
                      std::string &out) {
    if (!readString(key, out))
      return false;
    if (out != expected)
      return fail(key, "is '" + out + "' but must be the model's own '" +
                           expected + "'");
    return true;
  }

  bool readInt(std::string_view key, int64_t &out, int64_t min, int64_t max) {
    const JsonValue *v = get(key);
    if (!v)
      return false;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i)
      return fail(key, "must be an integer");
    if (*i < min || *i > max)
      return fail(key, "must be between " + std::to_string(min) + " and " +
                           std::to_string(max));
    out = *i;
    return true;
  }

  /// Whether the object has `key` (which then counts as known).
  bool has(std::string_view key) {
    known.insert(std::string(key));
    return object.get(key) != nullptr;
  }

  /// An optional boolean (`out` keeps its value when the key is absent).
  bool readOptionalBool(std::string_view key, bool &out) {
    if (!has(key))
      return true;
    std::optional<bool> b = object.get(key)->getAsBool();
    if (!b)
      return fail(key, "must be true or false");
    out = *b;
    return true;
  }

  const JsonValue *readObject(std::string_view key) {
    const JsonValue *v = get(key);
    if (v && !v->getAsObject()) {
      fail(key, "must be an object");
      return nullptr;
    }
    return v;
  }

  const std::vector<JsonValue> *readArray(std::string_view key) {
    const JsonValue *v = get(key);
    if (!v)
      return nullptr;
    const std::vector<JsonValue> *a = v->getAsArray();
    if (!a)
      fail(key, "must be an array");
    return a;
  }

  bool checkNoOtherKeys() {
    for (const auto &[key, value] : *object.getAsObject())
      if (!known.count(key))
        return fail(key, "is not a key of the ABI version " +
                             std::to_string(kLoomABIVersion) + " manifest");
    return true;
  }

  bool fail(std::string_view key, const std::string &msg) {
    if (error.empty())
      error = "'" + fieldPath(key) + "' " + msg;
    return false;
  }

private:
  const JsonValue &object;
  std::string path;
  std::string &error;
  std::set<std::string> known;
};
} // namespace

static bool readTensor(const JsonValue &value, const std::string &path,
                       TensorSpec &spec, std::string &error) {
  FieldReader reader(value, path, error);
  std::string dtype, descr;
  if (!reader.readName("name", spec.name) ||
      !reader.readSymbol("c_name", spec.cName) ||
      !reader.readString("dtype", dtype))
    return false;
  std::optional<DType> parsed = parseDTypeNumpyName(dtype);
  if (!parsed)
    return reader.fail("dtype",
                       "'" + dtype + "' is not a dtype the ABI supports");
  spec.dtype = *parsed;
  if (!reader.readString("npy_descr", descr))
    return false;
  if (descr != dtypeDescr(spec.dtype))
    return reader.fail("npy_descr", "'" + descr + "' does not match dtype '" +
                                        dtype + "' (expected '" +
                                        dtypeDescr(spec.dtype) + "')");
  const std::vector<JsonValue> *shape = reader.readArray("shape");
  if (!shape)
    return false;
  if (shape->size() > kMaxTensorRank)
    return reader.fail("shape", "has more than " +
                                    std::to_string(kMaxTensorRank) +
                                    " dimensions");
  uint64_t count = 1;
  for (const JsonValue &d : *shape) {
    std::optional<int64_t> dim = d.getAsInteger();
    if (!dim || *dim < 0)
      return reader.fail("shape", "must be an array of non-negative integers");
    if (*dim != 0 && count > kMaxTensorElements / static_cast<uint64_t>(*dim))
      return reader.fail("shape", "is too large (more than 2^40 elements)");
    count *= static_cast<uint64_t>(*dim);
    spec.shape.push_back(*dim);
  }
  int64_t byteSize = 0;
  if (!reader.readInt("byte_size", byteSize, 0, INT64_MAX))
    return false;
  if (byteSize != spec.byteSize())
    return reader.fail("byte_size", std::to_string(byteSize) +
                                        " does not match shape and dtype (" +
                                        std::to_string(spec.byteSize()) +
                                        " bytes)");
  return reader.checkNoOtherKeys();
}

static bool readTensorList(FieldReader &parent, std::string_view key,
                           std::vector<TensorSpec> &out,
                           std::set<std::string> &cNames, std::string &error) {
  const std::vector<JsonValue> *list = parent.readArray(key);
  if (!list)
    return false;
  if (list->size() > kMaxModelTensors)
    return parent.fail(key, "has more than " +
                                std::to_string(kMaxModelTensors) + " entries");
  std::set<std::string> names;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    const JsonValue &value = (*list)[i];
    if (!value.getAsObject())
      return parent.fail(path, "must be an object");
    TensorSpec spec;
    if (!readTensor(value, path, spec, error))
      return false;
    FieldReader reader(value, path, error);
    if (!names.insert(spec.name).second)
      return reader.fail("name", "'" + spec.name + "' appears twice in '" +
                                     std::string(key) + "'");
    // Inputs and outputs are parameters of one C function.
    if (!cNames.insert(spec.cName).second)
      return reader.fail("c_name", "'" + spec.cName +
                                       "' names two parameters of the run "
                                       "function");
    out.push_back(std::move(spec));
  }
  return true;
}

/// The optional "dtype" of the cuda section: f32 (the default), f16, bf16.
static bool readOptionalDtype(FieldReader &reader, std::string &out) {
  if (!reader.has("dtype"))
    return true;
  if (!reader.readString("dtype", out))
    return false;
  if (out != "f32" && out != "f16" && out != "bf16")
    return reader.fail("dtype", "must be f32, f16 or bf16");
  return true;
}

/// The "cuda" object of a `cuda` target's manifest: its entry points must be
/// the model's own symbols, its header a file in the model directory.
static bool readCUDASection(FieldReader &top, ModelManifest &m,
                            std::string &error) {
  const JsonValue *cuda = top.readObject("cuda");
  if (!cuda)
    return false;
  FieldReader reader(*cuda, "cuda", error);
  ModelManifest::CUDASection section;
  const JsonValue *entries = reader.readObject("entry_points");
  if (!entries)
    return false;
  FieldReader entryReader(*entries, "cuda.entry_points", error);
  bool ok = entryReader.readEntryPoint("run_device", m.name + "_run_device",
                                       section.runDeviceSymbol) &&
            entryReader.readEntryPoint("run_device_packed",
                                       m.name + "_run_device_packed",
                                       section.runDevicePackedSymbol) &&
            entryReader.readEntryPoint("last_error", m.name + "_last_error",
                                       section.lastErrorSymbol) &&
            entryReader.checkNoOtherKeys() &&
            reader.readName("gpu_arch", section.gpuArch) &&
            reader.readOptionalBool("cuda_graph", section.cudaGraph) &&
            readOptionalDtype(reader, section.dtype) &&
            reader.readFileName("kernels_header", section.kernelsHeader) &&
            reader.readArray("kernels") && reader.readObject("weights") &&
            reader.checkNoOtherKeys();
  if (ok)
    m.cuda = std::move(section);
  return ok;
}

static bool sameTensor(const TensorSpec &a, const TensorSpec &b) {
  return a.dtype == b.dtype && a.shape == b.shape;
}

/// The "generate" object of a `loomc --generate` manifest. Its layout is
/// fixed (docs/loomc.md), and checked here against the prefill's and the
/// decode step's tensor lists, so a loader can size every buffer from it.
static bool readGenerateSection(FieldReader &top, ModelManifest &m,
                                std::string &error) {
  const JsonValue *object = top.readObject("generate");
  if (!object)
    return false;
  FieldReader reader(*object, "generate", error);
  ModelManifest expected;
  expected.name = m.name;
  expected.generate.emplace();
  setGenerateNames(expected);
  ModelManifest::GenerateSection g;
  const ModelManifest::GenerateSection &e = *expected.generate;
  if (!reader.readName("function", g.function))
    return false;
  const JsonValue *entries = reader.readObject("entry_points");
  if (!entries)
    return false;
  FieldReader entryReader(*entries, "generate.entry_points", error);
  int64_t big = int64_t(1) << 40;
  std::set<std::string> cNames;
  bool ok =
      entryReader.readEntryPoint("run", e.runSymbol, g.runSymbol) &&
      entryReader.readEntryPoint("run_packed", e.runPackedSymbol,
                                 g.runPackedSymbol) &&
      entryReader.readEntryPoint("signature", e.signatureSymbol,
                                 g.signatureSymbol) &&
      entryReader.readEntryPoint("cache_create", e.cacheCreateSymbol,
                                 g.cacheCreateSymbol) &&
      entryReader.readEntryPoint("cache_free", e.cacheFreeSymbol,
                                 g.cacheFreeSymbol) &&
      entryReader.readEntryPoint("prefill", e.prefillSymbol, g.prefillSymbol) &&
      entryReader.readEntryPoint("step", e.stepSymbol, g.stepSymbol) &&
      entryReader.checkNoOtherKeys() &&
      reader.readInt("prompt_length", g.promptLength, 1, big) &&
      reader.readInt("capacity", g.capacity, 1, big) &&
      reader.readInt("cache_entries", g.cacheEntries, 1, big) &&
      reader.readInt("vocab", g.vocab, 1, big) &&
      reader.readInt("layers", g.layers, 1, 4096) &&
      reader.readInt("kv_bytes", g.kvBytes, 0, INT64_MAX) &&
      readTensorList(reader, "inputs", g.inputs, cNames, error) &&
      readTensorList(reader, "outputs", g.outputs, cNames, error);
  if (!ok)
    return false;
  const std::vector<JsonValue> *parts = reader.readArray("cache_parts");
  if (!parts)
    return false;
  if (parts->empty())
    return reader.fail("cache_parts", "must list the parts of every layer");
  std::set<std::string> layerParts;
  for (size_t i = 0; i < parts->size(); ++i) {
    std::string path = "generate.cache_parts[" + std::to_string(i) + "]";
    if (!(*parts)[i].getAsObject())
      return reader.fail("cache_parts", "entries must be objects");
    FieldReader partReader((*parts)[i], path, error);
    ModelManifest::GenerateSection::CachePart part;
    if (!partReader.readInt("layer", part.layer, 0, big) ||
        !partReader.readString("part", part.part) ||
        !partReader.readInt("prefill_output", part.prefillOutput, 0, big) ||
        !partReader.readInt("step_input", part.stepInput, 0, big) ||
        !partReader.readInt("step_output", part.stepOutput, 0, big) ||
        !partReader.checkNoOtherKeys())
      return false;
    // The layout: logits first, then the parts of each layer in order, layer
    // after layer, each part a distinct name within its layer.
    int64_t index = static_cast<int64_t>(i);
    int64_t current = i ? g.cacheParts.back().layer : 0;
    if (i && part.layer == current + 1) {
      current = part.layer;
      layerParts.clear();
    }
    if (part.layer != current)
      return partReader.fail("layer", "must be " + std::to_string(current) +
                                          (i ? " or the next layer" : "") +
                                          " (layers in order from 0)");
    if (part.part.empty() || !layerParts.insert(part.part).second)
      return partReader.fail("part",
                             "must be a non-empty name, once per layer");
    if (part.prefillOutput != 1 + index || part.stepInput != 2 + index ||
        part.stepOutput != 1 + index)
      return partReader.fail(
          "part", "is not at prefill output " + std::to_string(1 + index) +
                      ", step input " + std::to_string(2 + index) +
                      ", step output " + std::to_string(1 + index));
    g.cacheParts.push_back(part);
  }
  if (g.cacheParts.back().layer + 1 != g.layers)
    return reader.fail("cache_parts", "must cover layers 0 to " +
                                          std::to_string(g.layers - 1));
  if (g.cacheEntries > g.capacity)
    return reader.fail("cache_entries", "must not exceed the capacity");
  if (!reader.checkNoOtherKeys())
    return false;
  // Against the tensor lists: tokens, positions and logits as documented,
  // each cache part the same tensor in all three places.
  size_t numParts = g.cacheParts.size();
  auto is = [](const TensorSpec &t, DType dtype, std::vector<int64_t> shape) {
    return t.dtype == dtype && t.shape == shape;
  };
  std::string problem;
  if (m.inputs.size() != 1 || m.outputs.size() != 1 + numParts ||
      g.inputs.size() != 2 + numParts || g.outputs.size() != 1 + numParts)
    problem = "the prefill must take the tokens and return the logits and " +
              std::to_string(numParts) +
              " cache parts, the decode step take the token, the position "
              "and the parts and return the logits and the parts";
  else if (!is(m.inputs[0], DType::I64, {1, g.promptLength}))
    problem = "the prefill's input must be 1x" +
              std::to_string(g.promptLength) + " int64 (the prompt)";
  else if (!is(m.outputs[0], DType::F32, {1, g.promptLength, g.vocab}))
    problem = "the prefill's first output must be the 1x" +
              std::to_string(g.promptLength) + "x" + std::to_string(g.vocab) +
              " float32 logits";
  else if (!is(g.inputs[0], DType::I64, {1, 1}) ||
           !is(g.inputs[1], DType::I64, {1}))
    problem = "the decode step's inputs must start with the 1x1 int64 token "
              "and the 1 int64 position";
  else if (!is(g.outputs[0], DType::F32, {1, 1, g.vocab}))
    problem = "the decode step's first output must be the 1x1x" +
              std::to_string(g.vocab) + " float32 logits";
  int64_t kvBytes = 0;
  for (size_t i = 0; problem.empty() && i < numParts; ++i) {
    const TensorSpec &t = m.outputs[1 + i];
    if (!sameTensor(t, g.inputs[2 + i]) || !sameTensor(t, g.outputs[1 + i]))
      problem = "cache part " + std::to_string(i) +
                " differs between the prefill and the decode step";
    else if (g.cacheParts[i].part == "keys" &&
             (t.shape.size() != 4 || t.shape[2] != g.cacheEntries))
      problem = "cache part " + std::to_string(i) +
                " (keys) is not [B, H, cache_entries, D]";
    kvBytes += t.byteSize();
  }
  if (problem.empty() && kvBytes != g.kvBytes)
    problem = "kv_bytes is " + std::to_string(g.kvBytes) +
              " but the cache parts take " + std::to_string(kvBytes);
  if (!problem.empty())
    return top.fail("generate", "does not describe its entries: " + problem);
  m.generate = std::move(g);
  return true;
}

Result<ModelManifest> mlir::loom::parseManifest(std::string_view text,
                                                const std::string &path) {
  auto fail = [&](const std::string &msg) {
    return Status::error(path + ": " + msg);
  };
  JsonLimits limits;
  limits.maxBytes = kMaxManifestBytes;
  // The format nests five deep (the root, "generate", "inputs", a tensor,
  // its shape).
  limits.maxDepth = 8;
  Result<JsonValue> root = parseJson(text, limits);
  if (!root)
    return fail("not valid JSON: " + root.message());
  if (!root->getAsObject())
    return fail("expected a JSON object");

  std::string error;
  ModelManifest m;
  FieldReader top(*root, "", error);
  // The version first: a future layout may change every other field.
  if (!top.readInt("abi_version", m.abiVersion, INT64_MIN, INT64_MAX))
    return fail(error);
  if (m.abiVersion != kLoomABIVersion)
    return fail("ABI version " + std::to_string(m.abiVersion) +
                " is not supported (this build supports version " +
                std::to_string(kLoomABIVersion) + "); recompile with loomc");
  bool ok = top.readString("generator", m.generator) &&
            top.readSymbol("name", m.name) &&
            top.readString("source", m.source) &&
            top.readString("function", m.function);
  if (ok) {
    const JsonValue *target = top.readObject("target");
    FieldReader reader(target ? *target : *root, "target", error);
    int64_t optLevel = 0;
    ok = target && reader.readString("kind", m.target) &&
         reader.readString("triple", m.triple) &&
         reader.readString("cpu", m.cpu) &&
         reader.readInt("opt_level", optLevel, 0, 3) &&
         reader.checkNoOtherKeys();
    m.optLevel = static_cast<unsigned>(optLevel);
    // Before the other keys: another target's manifest has its own.
    if (ok && m.target == "hls")
      return fail("target 'hls' cannot be run by this runtime: an HLS C++ "
                  "directory runs by C simulation (its run_csim.sh)");
  }
  if (ok) {
    const JsonValue *files = top.readObject("files");
    FieldReader reader(files ? *files : *root, "files", error);
    ok = files && reader.readFileName("library", m.library) &&
         reader.readFileName("header", m.header) &&
         reader.readFileName("mlir", m.mlir) && reader.checkNoOtherKeys();
  }
  if (ok) {
    ModelManifest expected;
    expected.name = m.name;
    setDerivedNames(expected);
    // A --generate library exports `<name>_prefill...` instead of
    // `<name>_run...`.
    if (root->get("generate")) {
      expected.generate.emplace();
      setGenerateNames(expected);
    }
    const JsonValue *entries = top.readObject("entry_points");
    FieldReader reader(entries ? *entries : *root, "entry_points", error);
    ok = entries &&
         reader.readEntryPoint("run", expected.runSymbol, m.runSymbol) &&
         reader.readEntryPoint("run_packed", expected.runPackedSymbol,
                               m.runPackedSymbol) &&
         reader.readEntryPoint("error_message", expected.errorMessageSymbol,
                               m.errorMessageSymbol) &&
         reader.readEntryPoint("abi_version", expected.abiVersionSymbol,
                               m.abiVersionSymbol) &&
         reader.readEntryPoint("signature", expected.signatureSymbol,
                               m.signatureSymbol) &&
         reader.checkNoOtherKeys();
  }
  std::set<std::string> cNames;
  ok = ok && readTensorList(top, "inputs", m.inputs, cNames, error) &&
       readTensorList(top, "outputs", m.outputs, cNames, error);
  if (ok && m.target == "cuda")
    ok = readCUDASection(top, m, error);
  if (ok && top.has("generate"))
    ok = readGenerateSection(top, m, error);
  ok = ok && top.checkNoOtherKeys();
  if (!ok)
    return fail(error);
  if (m.generator != kManifestGenerator)
    return fail("'generator' is '" + m.generator + "', expected '" +
                kManifestGenerator + "'");
  if (m.target != "cpu" && m.target != "cuda")
    return fail("target '" + m.target +
                "' cannot be run by this runtime (expected 'cpu' or 'cuda')");
  return m;
}

Result<ModelManifest> mlir::loom::readManifestFile(const std::string &path) {
  auto cannotRead = [&](const std::string &why) {
    return Status::error(path + ": cannot read: " + why);
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cannotRead(std::strerror(errno));
  struct stat status;
  std::string text;
  std::string problem;
  if (::fstat(fd, &status) != 0) {
    problem = std::strerror(errno);
  } else if (!S_ISREG(status.st_mode)) {
    problem = "not a regular file";
  } else if (static_cast<uint64_t>(status.st_size) > kMaxManifestBytes) {
    ::close(fd);
    return Status::error(path + ": " + std::to_string(status.st_size) +
                         " bytes is larger than the " +
                         std::to_string(kMaxManifestBytes) +
                         " bytes a manifest may have");
  } else {
    // One byte more than its size: a file that grew is caught by the
    // parser's size limit or as invalid JSON.
    text.resize(static_cast<size_t>(status.st_size) + 1);
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::read(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        problem = std::strerror(errno);
        break;
      }
      if (n == 0)
        break;
      done += static_cast<size_t>(n);
    }
    text.resize(done);
  }
  ::close(fd);
  if (!problem.empty())
    return cannotRead(problem);
  return parseManifest(text, path);
}
