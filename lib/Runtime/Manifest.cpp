//===- Manifest.cpp - The manifest.json of a compiled model ---------------===//
//
// Printing and strict parsing of manifest.json (see docs/Runtime.md). The
// parser checks every field a host relies on, so a hand-edited or truncated
// manifest is an error that names the field, never a crash or a silent
// mismatch with the library.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Manifest.h"
#include "loom/Support/Errors.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

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
  NpyArray shapeOnly;
  shapeOnly.shape = shape;
  return shapeOnly.shapeString() + " " + dtypeName(dtype);
}

void mlir::loom::setDerivedNames(ModelManifest &manifest) {
  manifest.library = manifest.name + ".so";
  manifest.header = manifest.name + ".h";
  manifest.mlir = manifest.name + ".mlir";
  manifest.runSymbol = manifest.name + "_run";
  manifest.runPackedSymbol = manifest.name + "_run_packed";
  manifest.errorMessageSymbol = manifest.name + "_error_message";
  manifest.abiVersionSymbol = manifest.name + "_abi_version";
}

bool mlir::loom::isValidCIdentifier(llvm::StringRef name) {
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
  if (name.empty() || !(llvm::isAlpha(name.front()) || name.front() == '_'))
    return false;
  if (!llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return false;
  return llvm::none_of(
      kKeywords, [&](const char *k) { return name == llvm::StringRef(k); });
}

std::string mlir::loom::printManifest(const ModelManifest &m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream j(os, /*IndentSize=*/2);
  auto tensors = [&](llvm::StringRef key, const std::vector<TensorSpec> &list) {
    j.attributeArray(key, [&] {
      for (const TensorSpec &t : list)
        j.object([&] {
          j.attribute("name", t.name);
          j.attribute("c_name", t.cName);
          j.attributeArray("shape", [&] {
            for (int64_t d : t.shape)
              j.value(d);
          });
          j.attribute("dtype", dtypeNumpyName(t.dtype));
          j.attribute("npy_descr", dtypeDescr(t.dtype));
          j.attribute("byte_size", t.byteSize());
        });
    });
  };
  j.object([&] {
    j.attribute("generator", m.generator);
    j.attribute("abi_version", m.abiVersion);
    j.attribute("name", m.name);
    j.attribute("source", m.source);
    j.attribute("function", m.function);
    j.attributeObject("target", [&] {
      j.attribute("kind", m.target);
      j.attribute("triple", m.triple);
      j.attribute("cpu", m.cpu);
      j.attribute("opt_level", static_cast<int64_t>(m.optLevel));
    });
    j.attributeObject("files", [&] {
      j.attribute("library", m.library);
      j.attribute("header", m.header);
      j.attribute("mlir", m.mlir);
    });
    j.attributeObject("entry_points", [&] {
      j.attribute("run", m.runSymbol);
      j.attribute("run_packed", m.runPackedSymbol);
      j.attribute("error_message", m.errorMessageSymbol);
      j.attribute("abi_version", m.abiVersionSymbol);
    });
    tensors("inputs", m.inputs);
    tensors("outputs", m.outputs);
  });
  os << "\n";
  return text;
}

namespace {
/// Reads fields of one JSON object, recording the first problem as an error
/// that names the field by its path (e.g. `inputs[1].shape`).
class FieldReader {
public:
  FieldReader(const llvm::json::Object &object, std::string path,
              std::string &error)
      : object(object), path(std::move(path)), error(error) {}

  const llvm::json::Value *get(llvm::StringRef key) {
    const llvm::json::Value *v = object.get(key);
    if (!v)
      fail(key, "is missing");
    return v;
  }

  bool readString(llvm::StringRef key, std::string &out) {
    const llvm::json::Value *v = get(key);
    if (!v)
      return false;
    std::optional<llvm::StringRef> s = v->getAsString();
    if (!s)
      return fail(key, "must be a string");
    out = s->str();
    return true;
  }

  /// A string that names a file in the model directory.
  bool readFileName(llvm::StringRef key, std::string &out) {
    if (!readString(key, out))
      return false;
    if (out.empty() || out == "." || out == ".." ||
        llvm::StringRef(out).contains('/') ||
        llvm::StringRef(out).contains('\0'))
      return fail(key, "must be a file name in the model directory");
    return true;
  }

  bool readSymbol(llvm::StringRef key, std::string &out) {
    if (!readString(key, out))
      return false;
    if (!isValidCIdentifier(out))
      return fail(key, "must be a C identifier");
    return true;
  }

  bool readInt(llvm::StringRef key, int64_t &out) {
    const llvm::json::Value *v = get(key);
    if (!v)
      return false;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i)
      return fail(key, "must be an integer");
    out = *i;
    return true;
  }

  const llvm::json::Object *readObject(llvm::StringRef key) {
    const llvm::json::Value *v = get(key);
    if (!v)
      return nullptr;
    const llvm::json::Object *o = v->getAsObject();
    if (!o)
      fail(key, "must be an object");
    return o;
  }

  const llvm::json::Array *readArray(llvm::StringRef key) {
    const llvm::json::Value *v = get(key);
    if (!v)
      return nullptr;
    const llvm::json::Array *a = v->getAsArray();
    if (!a)
      fail(key, "must be an array");
    return a;
  }

  bool fail(llvm::StringRef key, const llvm::Twine &msg) {
    if (error.empty())
      error = ("'" + (path.empty() ? "" : path + ".") + key + "' " + msg).str();
    return false;
  }

private:
  const llvm::json::Object &object;
  std::string path;
  std::string &error;
};
} // namespace

static bool readTensorList(FieldReader &parent, llvm::StringRef key,
                           std::vector<TensorSpec> &out, std::string &error) {
  const llvm::json::Array *list = parent.readArray(key);
  if (!list)
    return false;
  llvm::StringSet<> names;
  for (auto [i, value] : llvm::enumerate(*list)) {
    std::string path = (key + "[" + llvm::Twine(i) + "]").str();
    const llvm::json::Object *object = value.getAsObject();
    if (!object)
      return parent.fail(path, "must be an object");
    FieldReader reader(*object, path, error);
    TensorSpec spec;
    std::string dtype;
    if (!reader.readString("name", spec.name) ||
        !reader.readSymbol("c_name", spec.cName) ||
        !reader.readString("dtype", dtype))
      return false;
    std::optional<DType> parsed = parseDTypeNumpyName(dtype);
    if (!parsed)
      return reader.fail("dtype",
                         "'" + dtype + "' is not a dtype the ABI supports");
    spec.dtype = *parsed;
    const llvm::json::Array *shape = reader.readArray("shape");
    if (!shape)
      return false;
    uint64_t count = 1;
    for (const llvm::json::Value &d : *shape) {
      std::optional<int64_t> dim = d.getAsInteger();
      if (!dim || *dim < 0)
        return reader.fail("shape",
                           "must be an array of non-negative integers");
      if (*dim != 0 &&
          count > (uint64_t(1) << 40) / static_cast<uint64_t>(*dim))
        return reader.fail("shape", "is too large");
      count *= static_cast<uint64_t>(*dim);
      spec.shape.push_back(*dim);
    }
    if (!names.insert(spec.name).second)
      return reader.fail("name",
                         "'" + spec.name + "' appears twice in '" + key + "'");
    out.push_back(std::move(spec));
  }
  return true;
}

llvm::Expected<ModelManifest> mlir::loom::parseManifest(llvm::StringRef text,
                                                        llvm::StringRef path) {
  auto fail = [&](const llvm::Twine &msg) {
    return mlir::loom::makeError(path + ": " + msg);
  };
  llvm::Expected<llvm::json::Value> root = llvm::json::parse(text);
  if (!root)
    return fail("not valid JSON: " + llvm::toString(root.takeError()));
  const llvm::json::Object *object = root->getAsObject();
  if (!object)
    return fail("expected a JSON object");

  std::string error;
  ModelManifest m;
  FieldReader top(*object, "", error);
  // The version first: a future layout may change every other field.
  if (!top.readInt("abi_version", m.abiVersion))
    return fail(error);
  if (m.abiVersion != kLoomABIVersion)
    return fail("ABI version " + llvm::Twine(m.abiVersion) +
                " is not supported (this build supports version " +
                llvm::Twine(kLoomABIVersion) + "); recompile with loomc");
  bool ok = top.readString("generator", m.generator) &&
            top.readSymbol("name", m.name) &&
            top.readString("source", m.source) &&
            top.readString("function", m.function);
  if (ok) {
    const llvm::json::Object *target = top.readObject("target");
    FieldReader reader(target ? *target : *object, "target", error);
    int64_t optLevel = 0;
    ok = target && reader.readString("kind", m.target) &&
         reader.readString("triple", m.triple) &&
         reader.readString("cpu", m.cpu) &&
         reader.readInt("opt_level", optLevel);
    m.optLevel = static_cast<unsigned>(optLevel);
  }
  if (ok) {
    const llvm::json::Object *files = top.readObject("files");
    FieldReader reader(files ? *files : *object, "files", error);
    ok = files && reader.readFileName("library", m.library) &&
         reader.readFileName("header", m.header) &&
         reader.readFileName("mlir", m.mlir);
  }
  if (ok) {
    const llvm::json::Object *entries = top.readObject("entry_points");
    FieldReader reader(entries ? *entries : *object, "entry_points", error);
    ok = entries && reader.readSymbol("run", m.runSymbol) &&
         reader.readSymbol("run_packed", m.runPackedSymbol) &&
         reader.readSymbol("error_message", m.errorMessageSymbol) &&
         reader.readSymbol("abi_version", m.abiVersionSymbol);
  }
  ok = ok && readTensorList(top, "inputs", m.inputs, error) &&
       readTensorList(top, "outputs", m.outputs, error);
  if (!ok)
    return fail(error);
  if (m.generator != kManifestGenerator)
    return fail("'generator' is '" + m.generator + "', expected '" +
                kManifestGenerator + "'");
  if (m.target != "cpu")
    return fail("target '" + m.target +
                "' cannot be run on this host (expected 'cpu')");
  return m;
}

llvm::Expected<ModelManifest>
mlir::loom::readManifestFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        path + ": cannot read: " + buffer.getError().message());
  return parseManifest((*buffer)->getBuffer(), path);
}
