//===- Loomc.cpp - The loomc compiler driver ------------------------------===//
//
// Reads the model, runs loom-optimize-pipeline, derives the compiled model's
// signature (names from the importer's `onnx.name` attributes, arg<i> /
// result<i> otherwise) and hands over to the target that `--target` names in
// the registry of lib/Target (TargetBackend.h): its serialisation, then its
// packaging into the staged output directory, manifest.json last.
// With --generate the signature is that of @prefill and @decode_step (from
// loom-insert-kv-cache, run by its pipeline name when the module lacks them),
// each KV cache flattened into its five tensors (docs/loomc.md).
// Diagnostics of every stage are collected and reported as one
// `STAGE: LOCATION: MESSAGE` line.
//
//===----------------------------------------------------------------------===//

#include "loom/Driver/Loomc.h"
#include "loom/Support/Errors.h"

#include "loom/Analysis/CostReport.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/Driver/OutputDirectory.h"
#include "loom/Frontend/ONNX/ONNXImporter.h"
#include "loom/IR/LoomTypes.h"
#include "loom/InitAllDialects.h"
#include "loom/InitAllTargets.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Runtime/JitRunner.h"
#include "loom/Runtime/Manifest.h"
#include "loom/Target/TargetBackend.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom;

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

/// "file:line:col", or the name of a NameLoc (the importer names ops after
/// their ONNX node), or "" when the location says nothing.
static std::string formatLocation(Location loc) {
  std::string result;
  loc->walk([&](Location inner) {
    if (auto fileLoc = dyn_cast<FileLineColLoc>(inner)) {
      result = (fileLoc.getFilename().getValue() + ":" +
                llvm::Twine(fileLoc.getLine()) + ":" +
                llvm::Twine(fileLoc.getColumn()))
                   .str();
      return WalkResult::interrupt();
    }
    if (auto nameLoc = dyn_cast<NameLoc>(inner)) {
      result = ("node '" + nameLoc.getName().getValue() + "'").str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result;
}

namespace {
/// Collects the error diagnostics emitted while it is alive (and swallows
/// the others): loomc reports the first one on its single error line.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *context)
      : handler(context, [this](Diagnostic &diag) {
          if (diag.getSeverity() == DiagnosticSeverity::Error &&
              errorCount++ == 0) {
            std::string loc = formatLocation(diag.getLocation());
            first = (loc.empty() ? "" : loc + ": ") + diag.str();
          }
          return success();
        }) {}

  /// An error "`what`: <first diagnostic> (and N more errors)".
  llvm::Error takeError(const llvm::Twine &what) {
    std::string message = what.str();
    if (errorCount) {
      message += ": " + first;
      if (errorCount > 1)
        message += " (and " + std::to_string(errorCount - 1) + " more errors)";
    }
    errorCount = 0;
    first.clear();
    return makeError(message);
  }

private:
  ScopedDiagnosticHandler handler;
  unsigned errorCount = 0;
  std::string first;
};
} // namespace

/// Messages must stay on one line even when a diagnostic spans several.
static std::string toOneLine(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  for (char &c : message)
    if (c == '\n' || c == '\r')
      c = ' ';
  return message;
}

static llvm::Error flattenError(llvm::Error error) {
  if (!error)
    return error;
  return makeError(toOneLine(llvm::toString(std::move(error))));
}

//===----------------------------------------------------------------------===//
// Input
//===----------------------------------------------------------------------===//

static bool isMLIRFile(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".mlir" || ext == ".mlirbc";
}

static llvm::Expected<OwningOpRef<ModuleOp>>
loadModule(MLIRContext &context, const LoomcOptions &options,
           ArrayRef<ONNXShapeSpec> shapes) {
  const std::string &path = options.inputPath;
  if (llvm::sys::fs::is_directory(path))
    return makeError(path + ": is a directory, not a model file");
  if (!isMLIRFile(path)) {
    // The importer reports through `error`; keep stray diagnostics off
    // stderr.
    DiagnosticCollector diagnostics(&context);
    std::string error;
    ONNXImportOptions importOptions;
    importOptions.maxConstantBytes = options.maxConstantBytes;
    importOptions.shapes.assign(shapes.begin(), shapes.end());
    OwningOpRef<ModuleOp> module =
        importONNXModel(&context, path, importOptions, error);
    if (!module)
      return makeError(path + ": " + error);
    return module;
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &error);
  if (!file)
    return makeError(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  DiagnosticCollector diagnostics(&context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return diagnostics.takeError("cannot parse " + path);
  return module;
}

/// --entry, or the only public function with a body.
static llvm::Expected<func::FuncOp> pickEntry(ModuleOp module,
                                              const LoomcOptions &options) {
  if (!options.entry.empty()) {
    std::string name = llvm::StringRef(options.entry).ltrim('@').str();
    auto func = module.lookupSymbol<func::FuncOp>(name);
    if (!func || func.isExternal())
      return makeError("no function @" + name + " with a body in " +
                       options.inputPath);
    return func;
  }
  llvm::SmallVector<func::FuncOp> candidates;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      candidates.push_back(func);
  if (candidates.size() == 1)
    return candidates.front();
  std::string names;
  for (func::FuncOp func : candidates)
    names += (names.empty() ? "@" : ", @") + func.getName().str();
  return makeError(
      "cannot pick the function to compile: " + options.inputPath + " has " +
      llvm::Twine(candidates.size()) + " public functions with a body" +
      (names.empty() ? "" : " (" + names + ")") + "; pass --entry NAME");
}

//===----------------------------------------------------------------------===//
// Signature
//===----------------------------------------------------------------------===//

/// A C parameter name for value `name`, unique among `used`. The C names only
/// document the typed entry point, so any readable, safe identifier will do;
/// names that look like macros or are typedef names are changed because
/// <stdint.h> and <stdbool.h> define such names.
static std::string makeCName(llvm::StringRef name, llvm::StringSet<> &used) {
  static const char *const kReserved[] = {
      "bool",     "true",      "false",     "int8_t",   "int16_t",
      "int32_t",  "int64_t",   "uint8_t",   "uint16_t", "uint32_t",
      "uint64_t", "intptr_t",  "uintptr_t", "intmax_t", "uintmax_t",
      "size_t",   "ptrdiff_t", "wchar_t",   "args",     "code"};
  std::string s;
  for (char c : name)
    s += llvm::isAlnum(c) ? c : '_';
  if (s.empty() || llvm::isDigit(s.front()))
    s = "t_" + s;
  else if (s.front() == '_')
    s = "t" + s;
  bool hasLower = llvm::any_of(s, [](char c) { return llvm::isLower(c); });
  unsigned upperCount =
      llvm::count_if(s, [](char c) { return llvm::isUpper(c); });
  if (!hasLower && upperCount >= 2)
    s = llvm::StringRef(s).lower();
  if (!isValidCIdentifier(s) ||
      llvm::any_of(kReserved, [&](const char *r) { return s == r; }))
    s += "_";
  std::string unique = s;
  for (int i = 2; !used.insert(unique).second; ++i)
    unique = s + "_" + std::to_string(i);
  return unique;
}

static std::string typeToString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

/// The ABI's description of `type`, value `index` of `func`'s arguments or
/// results (`kind`), appended to `list`.
static llvm::Error buildTensorSpec(func::FuncOp func, Type type,
                                   StringAttr onnxName, bool isUnsigned,
                                   llvm::StringRef kind,
                                   llvm::StringRef defaultName, unsigned index,
                                   llvm::StringSet<> &cNames,
                                   std::vector<TensorSpec> &list) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<DType> dtype =
      tensor ? getDTypeFor(tensor.getElementType()) : std::nullopt;
  // The importer marks ONNX uint tensors (signless in MLIR): uint8 crosses
  // the ABI as such, wider unsigned types are not ABI types.
  if (dtype && isUnsigned) {
    if (*dtype != DType::I8)
      return makeError("unsupported signature: " + kind + " " +
                       llvm::Twine(index) + " of @" + func.getName() +
                       " is an unsigned " + typeToString(type) +
                       " (onnx.unsigned); of the unsigned types only uint8 "
                       "crosses the ABI");
    dtype = DType::U8;
  }
  if (!tensor || !tensor.hasStaticShape() || !dtype)
    return makeError("unsupported signature: " + kind + " " +
                     llvm::Twine(index) + " of @" + func.getName() +
                     " has type " + typeToString(type) +
                     "; compiled models take and return statically shaped "
                     "tensors of f16/f32/f64/i1/i8/i16/i32/i64/ui8");
  TensorSpec spec;
  spec.name = onnxName && !onnxName.getValue().empty()
                  ? onnxName.getValue().str()
                  : defaultName.str();
  if (!llvm::json::isUTF8(spec.name))
    return makeError("the name of " + kind + " " + llvm::Twine(index) +
                     " of @" + func.getName() + " is not valid UTF-8");
  // The library's signature holds names as NUL-terminated C strings.
  if (llvm::StringRef(spec.name).contains('\0'))
    return makeError("the name of " + kind + " " + llvm::Twine(index) +
                     " of @" + func.getName() + " contains a NUL character");
  for (const TensorSpec &other : list)
    if (other.name == spec.name)
      return makeError("unsupported signature: two " + kind + "s of @" +
                       func.getName() + " are named '" + spec.name + "'");
  spec.cName = makeCName(spec.name, cNames);
  spec.dtype = *dtype;
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  list.push_back(std::move(spec));
  return llvm::Error::success();
}

/// The inputs and outputs of `func` as the ABI passes them.
static llvm::Error buildSignature(func::FuncOp func, ModelManifest &manifest) {
  llvm::StringSet<> cNames;
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (llvm::Error e = buildTensorSpec(
            func, t, func.getArgAttrOfType<StringAttr>(i, "onnx.name"),
            func.getArgAttr(i, "onnx.unsigned") != nullptr, "argument",
            "arg" + std::to_string(i), i, cNames, manifest.inputs))
      return e;
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (llvm::Error e = buildTensorSpec(
            func, t, func.getResultAttrOfType<StringAttr>(i, "onnx.name"),
            func.getResultAttr(i, "onnx.unsigned") != nullptr, "result",
            "result" + std::to_string(i), i, cNames, manifest.outputs))
      return e;
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// --generate: @prefill and @decode_step
//===----------------------------------------------------------------------===//

/// Appends the specs of `types` (the arguments or results of `func`, from
/// `first` on), expanding each cache into the parts of the reference lowering
/// (getKVCachePartTypes) named `<cachePrefix><layer>.<part>`; the others are
/// named `names[i]`.
static llvm::Error
buildGenerateSpecs(func::FuncOp func, TypeRange types, llvm::StringRef kind,
                   llvm::ArrayRef<llvm::StringRef> names,
                   llvm::StringRef cachePrefix, llvm::StringSet<> &cNames,
                   std::vector<TensorSpec> &list,
                   llvm::SmallVectorImpl<KVCacheType> &caches,
                   std::vector<std::pair<int64_t, std::string>> &parts) {
  for (auto [i, t] : llvm::enumerate(types)) {
    if (i < names.size()) {
      if (isa<KVCacheType>(t))
        return makeError("--generate: @" + func.getName() + "'s " + kind + " " +
                         llvm::Twine(i) + " is a KV cache; expected " +
                         (names.size() == 1
                              ? "the " + names[0]
                              : "the " + names[0] + " and the " + names[1]) +
                         " first");
      if (llvm::Error e = buildTensorSpec(func, t, nullptr, false, kind,
                                          names[i], i, cNames, list))
        return e;
      continue;
    }
    auto cache = dyn_cast<KVCacheType>(t);
    // A compression policy's state (loom-kv-compress: accumulated scores)
    // travels with the cache before it.
    auto state = kind == "argument"
                     ? func.getArgAttrOfType<StringAttr>(i, "loom.kv_state")
                     : func.getResultAttrOfType<StringAttr>(i, "loom.kv_state");
    if (!cache && state && !caches.empty()) {
      int64_t layer = static_cast<int64_t>(caches.size()) - 1;
      std::string name = state.getValue().str();
      if (llvm::Error e = buildTensorSpec(
              func, t, nullptr, false, kind,
              (cachePrefix + llvm::Twine(layer) + "." + name).str(), i, cNames,
              list))
        return e;
      parts.emplace_back(layer, name);
      continue;
    }
    if (!cache)
      return makeError("--generate: @" + func.getName() + "'s " + kind + " " +
                       llvm::Twine(i) + " has type " + typeToString(t) +
                       "; expected only KV caches after the " + names.back());
    size_t layer = caches.size();
    caches.push_back(cache);
    llvm::SmallVector<Type> partTypes;
    llvm::SmallVector<llvm::StringRef> partNames;
    getKVCachePartTypes(cache, partTypes);
    getKVCachePartNames(cache, partNames);
    for (auto [partType, partName] : llvm::zip_equal(partTypes, partNames)) {
      if (llvm::Error e = buildTensorSpec(
              func, partType, nullptr, false, kind,
              (cachePrefix + llvm::Twine(layer) + "." + partName).str(), i,
              cNames, list))
        return e;
      parts.emplace_back(static_cast<int64_t>(layer), partName.str());
    }
  }
  return llvm::Error::success();
}

/// Fills the manifest of a --generate library from @prefill and
/// @decode_step, checking that they have the form loom-insert-kv-cache
/// writes.
static llvm::Error buildGenerateSignature(ModuleOp module,
                                          const LoomcOptions &options,
                                          ModelManifest &manifest) {
  auto prefill = module.lookupSymbol<func::FuncOp>("prefill");
  auto step = module.lookupSymbol<func::FuncOp>("decode_step");
  if (!prefill || prefill.isExternal() || !step || step.isExternal())
    return makeError("--generate needs functions @prefill and @decode_step "
                     "with a body in " +
                     options.inputPath);
  manifest.function = "prefill";
  manifest.generate.emplace();
  ModelManifest::GenerateSection &g = *manifest.generate;
  g.function = "decode_step";
  setGenerateNames(manifest);
  llvm::SmallVector<KVCacheType> prefillCaches, stepInCaches, stepOutCaches;
  llvm::StringSet<> prefillNames, stepNames;
  std::vector<std::pair<int64_t, std::string>> inParts, prefillParts,
      stepInParts, stepOutParts;
  FunctionType pt = prefill.getFunctionType(), st = step.getFunctionType();
  auto fail = [&](const llvm::Twine &why) {
    return makeError("--generate: " + why);
  };
  if (pt.getNumInputs() != 1)
    return fail("@prefill must take only the tokens, it takes " +
                llvm::Twine(pt.getNumInputs()) + " arguments");
  if (llvm::Error e = buildGenerateSpecs(
          prefill, pt.getInputs(), "argument", {"tokens"}, "", prefillNames,
          manifest.inputs, prefillCaches, inParts))
    return e;
  if (llvm::Error e = buildGenerateSpecs(
          prefill, pt.getResults(), "result", {"logits"}, "cache", prefillNames,
          manifest.outputs, prefillCaches, prefillParts))
    return e;
  if (llvm::Error e = buildGenerateSpecs(
          step, st.getInputs(), "argument", {"token", "position"}, "cache",
          stepNames, g.inputs, stepInCaches, stepInParts))
    return e;
  if (llvm::Error e = buildGenerateSpecs(
          step, st.getResults(), "result", {"logits"}, "new_cache", stepNames,
          g.outputs, stepOutCaches, stepOutParts))
    return e;
  if (prefillCaches.empty())
    return fail("@prefill returns no KV cache");
  if (prefillCaches != stepInCaches || prefillCaches != stepOutCaches ||
      prefillParts != stepInParts || prefillParts != stepOutParts)
    return fail("@decode_step must take and return the KV caches (and their "
                "states) that @prefill returns, of the same types and in the "
                "same order");
  const TensorSpec &tokens = manifest.inputs[0];
  if (tokens.dtype != DType::I64 || tokens.shape.size() != 2 ||
      tokens.shape[0] != 1)
    return fail("@prefill's tokens must be a tensor<1xPxi64> (batch 1), not " +
                tokens.describe());
  g.promptLength = tokens.shape[1];
  const TensorSpec &logits = manifest.outputs[0];
  if (logits.dtype != DType::F32 ||
      logits.shape !=
          std::vector<int64_t>{1, g.promptLength,
                               logits.shape.size() == 3 ? logits.shape[2] : 0})
    return fail("@prefill's first result must be the logits, a tensor<1x" +
                llvm::Twine(g.promptLength) + "xVxf32>, not " +
                logits.describe());
  g.vocab = logits.shape[2];
  if (g.inputs[0].dtype != DType::I64 ||
      g.inputs[0].shape != std::vector<int64_t>{1, 1} ||
      g.inputs[1].dtype != DType::I64 ||
      g.inputs[1].shape != std::vector<int64_t>{1})
    return fail("@decode_step must take a tensor<1x1xi64> token and a "
                "tensor<1xi64> position first");
  if (g.outputs[0].dtype != DType::F32 ||
      g.outputs[0].shape != std::vector<int64_t>{1, 1, g.vocab})
    return fail("@decode_step's first result must be the logits, a "
                "tensor<1x1x" +
                llvm::Twine(g.vocab) + "xf32>, not " + g.outputs[0].describe());
  g.cacheEntries = prefillCaches.front().getCapacity();
  for (KVCacheType cache : prefillCaches)
    if (cache.getCapacity() != g.cacheEntries)
      return fail("the KV caches have different capacities");
  // A compressed cache stores fewer entries than the positions a sequence
  // reaches (loom-kv-compress records the uncompressed capacity).
  g.capacity = g.cacheEntries;
  if (auto context = step->getAttrOfType<IntegerAttr>("loom.kv_context"))
    g.capacity = context.getInt();
  if (g.capacity < g.cacheEntries)
    return fail("@decode_step's loom.kv_context (" + llvm::Twine(g.capacity) +
                ") is below its caches' capacity " +
                llvm::Twine(g.cacheEntries));
  if (g.promptLength > g.capacity)
    return fail("the prompt length " + llvm::Twine(g.promptLength) +
                " exceeds the KV cache capacity " + llvm::Twine(g.capacity));
  if (options.kvCapacity && options.kvCapacity != g.capacity)
    return fail("--kv-capacity=" + llvm::Twine(options.kvCapacity) +
                " but the KV caches of " + options.inputPath +
                " have capacity " + llvm::Twine(g.capacity));
  if (options.promptLength && options.promptLength != g.promptLength)
    return fail("--prompt-length=" + llvm::Twine(options.promptLength) +
                " but @prefill of " + options.inputPath + " takes " +
                llvm::Twine(g.promptLength) + " tokens");
  g.layers = static_cast<int64_t>(prefillCaches.size());
  for (auto [index, layerPart] : llvm::enumerate(prefillParts)) {
    ModelManifest::GenerateSection::CachePart part;
    part.layer = layerPart.first;
    part.part = layerPart.second;
    part.prefillOutput = 1 + static_cast<int64_t>(index);
    part.stepInput = 2 + static_cast<int64_t>(index);
    part.stepOutput = 1 + static_cast<int64_t>(index);
    g.cacheParts.push_back(part);
    g.kvBytes += manifest.outputs[1 + index].byteSize();
  }
  return llvm::Error::success();
}

/// Runs loom-kv-compress with the options of --kv-compress.
static llvm::Error compressKVCache(MLIRContext &context, ModuleOp module,
                                   const LoomcOptions &options) {
  std::string passOptions = options.kvCompress;
  std::replace(passOptions.begin(), passOptions.end(), ',', ' ');
  std::string pipeline = "loom-kv-compress{" + passOptions + "}";
  std::string parseErrors;
  llvm::raw_string_ostream errorStream(parseErrors);
  DiagnosticCollector diagnostics(&context);
  PassManager pm(&context);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    return makeError("invalid option --kv-compress=" + options.kvCompress +
                     ": " + toOneLine(parseErrors));
  if (failed(pm.run(module)))
    return diagnostics.takeError("--kv-compress: loom-kv-compress failed");
  return llvm::Error::success();
}

/// Runs loom-insert-kv-cache (with --kv-capacity and --prompt-length).
static llvm::Error insertKVCache(MLIRContext &context, ModuleOp module,
                                 const LoomcOptions &options) {
  std::string pipeline = "loom-insert-kv-cache";
  llvm::SmallVector<std::string> passOptions;
  if (options.kvCapacity)
    passOptions.push_back("capacity=" + std::to_string(options.kvCapacity));
  if (options.promptLength)
    passOptions.push_back("prompt-length=" +
                          std::to_string(options.promptLength));
  if (!passOptions.empty())
    pipeline += "{" + llvm::join(passOptions, " ") + "}";
  std::string parseErrors;
  llvm::raw_string_ostream errorStream(parseErrors);
  DiagnosticCollector diagnostics(&context);
  PassManager pm(&context);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    return makeError("--generate: invalid pass pipeline '" + pipeline +
                     "': " + toOneLine(parseErrors));
  if (failed(pm.run(module)))
    return diagnostics.takeError("--generate: " + pipeline + " failed");
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// Writes what `print` produces to `path` ("" or "-": stdout) through a
/// temporary file next to it, so a failure leaves no partial file.
static llvm::Error
writeOutput(llvm::StringRef path,
            llvm::function_ref<void(llvm::raw_ostream &)> print) {
  if (path.empty() || path == "-") {
    print(llvm::outs());
    llvm::outs().flush();
    return llvm::Error::success();
  }
  llvm::SmallString<256> model(path);
  llvm::sys::path::remove_filename(model);
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(path) +
                                     ".loomc-tmp-%%%%%%");
  int fd;
  llvm::SmallString<256> tmp;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp))
    return makeError("cannot create a temporary file next to '" + path +
                     "': " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    print(os);
    std::string message = closeAndTakeWriteError(os);
    if (!message.empty()) {
      llvm::sys::fs::remove(tmp);
      return makeError("cannot write '" + path + "': " + message);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    return makeError("cannot rename '" + tmp + "' to '" + path +
                     "': " + ec.message());
  }
  return llvm::Error::success();
}

static std::string printModule(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  os << "\n";
  return text;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

namespace {
/// Wall time of each compile phase, printed to stderr by `--timing`.
class PhaseTimer {
public:
  explicit PhaseTimer(bool enabled) : enabled(enabled) {}
  ~PhaseTimer() { print(); }

  /// Ends the running phase, if any, and starts `name`.
  void start(llvm::StringRef name) {
    stop();
    current = name.str();
    begin = std::chrono::steady_clock::now();
  }

  /// Ends the running phase.
  void stop() {
    if (current.empty())
      return;
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - begin;
    phases.emplace_back(std::move(current), elapsed.count());
    current.clear();
  }

private:
  void print() {
    stop();
    if (!enabled || phases.empty())
      return;
    double total = 0;
    for (const auto &phase : phases)
      total += phase.second;
    llvm::errs() << "loomc phase timing (wall clock):\n";
    for (const auto &[name, seconds] : phases)
      llvm::errs() << llvm::format("  %8.3f s  %5.1f%%  ", seconds,
                                   total > 0 ? 100 * seconds / total : 0.0)
                   << name << "\n";
    llvm::errs() << llvm::format("  %8.3f s  100.0%%  total\n", total);
  }

  bool enabled;
  std::string current;
  std::chrono::steady_clock::time_point begin;
  std::vector<std::pair<std::string, double>> phases;
};
} // namespace

namespace {
/// A staged output directory as the targets see it.
class StagedOutputFiles : public OutputFiles {
public:
  explicit StagedOutputFiles(StagedOutputDirectory &directory)
      : directory(directory) {}

  std::string getPath(llvm::StringRef relativePath) const override {
    return directory.getPath(relativePath);
  }
  llvm::Error writeFile(llvm::StringRef relativePath,
                        llvm::StringRef contents) override {
    return directory.writeFile(relativePath, contents);
  }
  llvm::Error createDirectory(llvm::StringRef relativePath) override {
    std::string path = directory.getPath(relativePath);
    if (std::error_code ec = llvm::sys::fs::create_directories(path))
      return makeError("cannot create " + path + ": " + ec.message());
    return llvm::Error::success();
  }

private:
  StagedOutputDirectory &directory;
};
} // namespace

/// "cpu, cuda": the registered targets.
static std::string listTargets() {
  std::string names;
  for (const std::string &name : getRegisteredTargetBackendNames())
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

/// `manifest` (printManifest's text) with the members of `extension` added
/// after the common ones, in the same layout.
static std::string extendManifest(std::string manifest,
                                  const llvm::json::Object &extension) {
  if (extension.empty())
    return manifest;
  std::string members;
  llvm::raw_string_ostream os(members);
  llvm::json::OStream j(os, /*IndentSize=*/2);
  j.object([&] {
    for (const llvm::json::Object::value_type *member :
         llvm::json::sortedElements(extension))
      j.attribute(member->first, member->second);
  });
  os.flush();
  // The members without the object's own braces, at the top level's
  // indentation already.
  llvm::StringRef body =
      llvm::StringRef(members).drop_front().drop_back().trim('\n');
  size_t close = manifest.rfind("\n}");
  return manifest.substr(0, close) + ",\n" + body.str() +
         manifest.substr(close);
}

static llvm::Error validateOptions(const LoomcOptions &options,
                                   std::vector<ONNXShapeSpec> &shapes) {
  if (options.inputPath.empty())
    return makeError("no input file (usage: loomc MODEL.onnx --target=cpu -o "
                     "OUTDIR)");
  if (!lookupTargetBackend(options.target))
    return makeError("unknown --target '" + options.target +
                     "' (this build supports: " + listTargets() + ")");
  if (options.emit != "lib" && options.emit != "mlir" && options.emit != "llvm")
    return makeError("unknown --emit '" + options.emit +
                     "' (expected lib, mlir or llvm)");
  if (!isValidCIdentifier(options.name))
    return makeError("--name '" + options.name +
                     "' is not a C identifier (letters, digits and '_', not "
                     "starting with a digit, not a keyword)");
  if (options.numThreads < 0)
    return makeError("--threads=" + llvm::Twine(options.numThreads) +
                     " is negative (expected 0 for every core, or a count)");
  if (options.emitStatic && options.emit != "lib")
    return makeError("--static needs --emit=lib");
  if (options.target == "hls" && options.emit == "llvm")
    return makeError("--target=hls writes HLS C++, not LLVM IR (use "
                     "--emit=lib or --emit=mlir)");

  if (options.optLevel > 3)
    return makeError("-O" + llvm::Twine(options.optLevel) +
                     " is not an optimisation level (expected -O0 to -O3)");
  if (options.emit == "lib" && options.outputPath.empty())
    return makeError("--emit=lib needs -o OUTDIR");
  if (!options.reportPath.empty()) {
    // Fail before the compile when the report cannot be written there.
    llvm::SmallString<256> directory(options.reportPath);
    llvm::sys::path::remove_filename(directory);
    if (directory.empty())
      directory = ".";
    if (!llvm::sys::fs::is_directory(directory))
      return makeError("--report=" + options.reportPath + ": directory '" +
                       directory + "' does not exist");
    if (llvm::sys::fs::is_directory(options.reportPath))
      return makeError("--report=" + options.reportPath +
                       " is a directory (expected a file name)");
  }
  for (const std::string &shape : options.shapes)
    if (llvm::Error e = parseShapeOption(shape, shapes))
      return e;
  if (!options.generate && (options.kvCapacity || options.promptLength))
    return makeError(
        llvm::Twine(options.kvCapacity ? "--kv-capacity" : "--prompt-length") +
        " applies to --generate");
  if (!options.generate && !options.kvCompress.empty())
    return makeError("--kv-compress applies to --generate");
  if (options.kvCapacity < 0 || options.promptLength < 0)
    return makeError(llvm::Twine(options.kvCapacity < 0 ? "--kv-capacity"
                                                        : "--prompt-length") +
                     " must be positive");
  if (options.generate) {
    if (options.target != "cpu")
      return makeError("--generate supports --target=cpu only");
    if (options.emitStatic)
      return makeError("--generate does not support --static (the cache "
                       "API is compiled into the shared library only)");
    if (!options.entry.empty())
      return makeError("--generate compiles @prefill and @decode_step; "
                       "--entry does not apply");
  }
  if (!shapes.empty() && isMLIRFile(options.inputPath))
    return makeError("--shape applies to ONNX models, not to the MLIR file " +
                     options.inputPath +
                     " (its function's types are its shapes)");
  return llvm::Error::success();
}

static llvm::Error compile(const LoomcOptions &options) {
  registerAllTargetBackends();
  std::vector<ONNXShapeSpec> shapes;
  if (llvm::Error e = validateOptions(options, shapes))
    return e;
  // Fail before the (possibly long) compile when OUTDIR cannot be written.
  if (options.emit == "lib")
    if (llvm::Error e =
            StagedOutputDirectory::checkDestination(options.outputPath))
      return e;

  TargetOptions targetOptions;
  targetOptions.optLevel = options.optLevel;
  targetOptions.cpu = options.cpu;
  targetOptions.reference = options.reference;
  targetOptions.numThreads = options.numThreads;
  targetOptions.linker = options.linker;
  targetOptions.emitStatic = options.emitStatic;
  targetOptions.gpuArch = options.gpuArch;
  targetOptions.cudaPath = options.cudaPath;
  targetOptions.cudaGraph = options.cudaGraph;
  targetOptions.dtype = options.dtype;
  targetOptions.hls.precision = options.hlsPrecision;
  targetOptions.hls.rounding = options.hlsRounding;
  targetOptions.hls.overflow = options.hlsOverflow;
  targetOptions.hls.ii = options.hlsII;
  targetOptions.hls.unroll = options.hlsUnroll;
  targetOptions.hls.part = options.hlsPart;
  targetOptions.hls.dataflow = options.hlsDataflow;
  if (options.emit != "mlir")
    if (llvm::Error e =
            lookupTargetBackend(options.target)->checkOptions(targetOptions))
      return e;

  PhaseTimer timer(options.timing);
  timer.start(llvm::sys::path::extension(options.inputPath) == ".onnx"
                  ? "import ONNX"
                  : "parse MLIR");
  DialectRegistry registry;
  loom::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::Expected<OwningOpRef<ModuleOp>> module =
      loadModule(context, options, shapes);
  if (!module)
    return module.takeError();

  ModelManifest manifest;
  manifest.name = options.name;
  setDerivedNames(manifest);
  manifest.source = llvm::sys::path::filename(options.inputPath).str();
  manifest.target = options.target;
  manifest.optLevel = options.optLevel;
  if (options.emit != "mlir" && !options.generate) {
    llvm::Expected<func::FuncOp> entry = pickEntry(**module, options);
    if (!entry)
      return entry.takeError();
    manifest.function = entry->getName().str();
    if (llvm::Error e = buildSignature(*entry, manifest))
      return e;
  }

  timer.start("loom-optimize-pipeline (raising, clean-ups)");
  {
    DiagnosticCollector diagnostics(&context);
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return diagnostics.takeError("invalid pass manager options");
    // --mlir-timing: a report of this pass manager's passes on stderr.
    auto timingManager = std::make_unique<DefaultTimingManager>();
    applyDefaultTimingManagerCLOptions(*timingManager);
    if (timingManager->isEnabled())
      pm.enableTiming(std::move(timingManager));
    OptimizePipelineOptions optimizeOptions;
    optimizeOptions.raise = options.raise;
    optimizeOptions.skipLayers = options.skipLayers;
    optimizeOptions.skipTokens = options.skipTokens;
    optimizeOptions.quantize = options.quantize;
    optimizeOptions.shiftadd = options.shiftadd;
    optimizeOptions.dropTokens = options.dropTokens;
    optimizeOptions.precisionBudget = options.precisionBudget;
    optimizeOptions.calibration = options.calibration;
    optimizeOptions.fuse = options.fuse;
    optimizeOptions.mergeTokens = options.mergeTokens;
    std::string optionError;
    if (failed(buildOptimizePipeline(pm, optimizeOptions,
                                     [&](const llvm::Twine &message) {
                                       optionError = message.str();
                                       return failure();
                                     })))
      return makeError("invalid option --" + toOneLine(optionError));
    if (failed(pm.run(**module)))
      return diagnostics.takeError("loom-optimize-pipeline failed");
  }
  if (options.generate) {
    // A module with both functions is compiled as it is; any other gets
    // them from loom-insert-kv-cache, which needs the raised attention.
    if (!module->get().lookupSymbol<func::FuncOp>("prefill") ||
        !module->get().lookupSymbol<func::FuncOp>("decode_step")) {
      timer.start("loom-insert-kv-cache");
      if (llvm::Error e = insertKVCache(context, **module, options))
        return e;
    }
    if (!options.kvCompress.empty()) {
      timer.start("loom-kv-compress");
      if (llvm::Error e = compressKVCache(context, **module, options))
        return e;
    }
    if (options.emit != "mlir")
      if (llvm::Error e = buildGenerateSignature(**module, options, manifest))
        return e;
  }
  // The report describes the optimised, target-neutral IR (what every
  // target starts from); it is written only once the compile succeeded.
  std::optional<CostReport> costReport;
  if (!options.reportPath.empty())
    costReport = buildCostReport(**module);
  auto writeReport = [&]() -> llvm::Error {
    if (!costReport)
      return llvm::Error::success();
    return writeCostReportJSON(*costReport, options.reportPath);
  };
  if (options.emit == "mlir") {
    if (llvm::Error e =
            writeOutput(options.outputPath, [&](llvm::raw_ostream &os) {
              os << printModule(**module);
            }))
      return e;
    return writeReport();
  }

  const TargetBackend &backend = *lookupTargetBackend(options.target);
  manifest.target = backend.getName().str();
  std::unique_ptr<TargetArtifact> artifact;
  {
    auto startPhase = [&](llvm::StringRef name) { timer.start(name); };
    DiagnosticCollector diagnostics(&context);
    auto serialized =
        backend.serialize(**module, manifest, targetOptions, startPhase);
    if (!serialized) {
      std::string what = ("compiling @" + manifest.function + " for " +
                          backend.getDisplayName() +
                          " failed: " + llvm::toString(serialized.takeError()))
                             .str();
      return diagnostics.takeError(what);
    }
    artifact = std::move(*serialized);
  }
  if (options.emit == "llvm") {
    if (llvm::Error e =
            writeOutput(options.outputPath, [&](llvm::raw_ostream &os) {
              artifact->printLLVMIR(os);
            }))
      return e;
    return writeReport();
  }

  timer.start("write header and IR");
  auto staged = StagedOutputDirectory::create(options.outputPath);
  if (!staged)
    return staged.takeError();
  StagedOutputDirectory &out = **staged;
  if (llvm::Error e = out.writeFile(manifest.mlir, printModule(**module)))
    return e;
  StagedOutputFiles files(out);
  if (llvm::Error e = artifact->package(
          files, manifest, [&](llvm::StringRef name) { timer.start(name); }))
    return e;
  if (costReport)
    if (llvm::Error e =
            out.writeFile("report.json", printCostReportJSON(*costReport)))
      return e;
  // The manifest last: a directory with one is complete.
  if (llvm::Error e = out.writeFile(
          "manifest.json", extendManifest(printManifest(manifest),
                                          artifact->getManifestExtension())))
    return e;
  if (llvm::Error e = out.commit())
    return e;
  return writeReport();
}

llvm::Error mlir::loom::runLoomc(const LoomcOptions &options) {
  return flattenError(compile(options));
}

static void handleFatalError(void *, const char *reason, bool) {
  StagedOutputDirectory::removeAllPending();
  llvm::errs() << "error: internal compiler error: "
               << toOneLine(reason ? reason : "unknown") << "\n";
  llvm::errs().flush();
  std::_Exit(1);
}

/// An allocation failed (a constant too large for memory, ...): the same
/// clean exit as a fatal error, with a message that says so. Runs on a
/// thread that may hold allocator locks, so it only writes to stderr.
static void handleBadAlloc(void *, const char *, bool) {
  StagedOutputDirectory::removeAllPending();
  static const char message[] =
      "error: out of memory: the compile needs more memory than the system "
      "gives it\n";
  (void)!write(2, message, sizeof(message) - 1);
  std::_Exit(1);
}

/// SIGINT, SIGTERM, SIGHUP, ... (LLVM's interrupt signals): no staging
/// directory is left behind; the exit status is the shell's 128 + SIGINT.
static void handleInterrupt() {
  StagedOutputDirectory::removeAllPending();
  std::_Exit(130);
}

void mlir::loom::installLoomcFatalErrorHandler() {
  llvm::install_fatal_error_handler(handleFatalError, nullptr);
  llvm::install_bad_alloc_error_handler(handleBadAlloc, nullptr);
  llvm::sys::SetInterruptFunction(handleInterrupt);
}
