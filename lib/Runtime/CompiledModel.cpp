//===- CompiledModel.cpp - Load and run a loomc output directory ----------===//
//
// dlopen()s OUTDIR/<library> with RTLD_NOW | RTLD_LOCAL: every symbol is
// resolved at load time (an unresolved one is a load error, not a crash in the
// middle of a run) and nothing the library defines leaks into the global
// namespace, so several models can be loaded side by side.
//
// dlsym on a handle also searches the libraries the model depends on (libc,
// libm), so a name alone does not make a symbol the model's: each one is
// checked with dladdr1 to lie in the model's own link map, to be of the
// expected ELF type and, for the signature, of the expected size. The
// signature's pointers must point into the library as well.
//
// Before dlopen, the file's ELF header and program headers are checked: the
// dynamic loader maps segments without comparing them with the file's size,
// so a truncated library would load and then fault (SIGBUS) when a page past
// the end of the file is touched. The checks stop there: a library whose
// contents are corrupted within its segments is code that runs when loaded.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/CompiledModel.h"
#include "loom/Runtime/ModelSignature.h"
#include "loom/Runtime/RuntimeErrors.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <new>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom;

Status mlir::loom::checkInputAgainstSpec(const TensorSpec &spec,
                                         const NpyArray &array) {
  if (array.dtype == spec.dtype && array.shape == spec.shape)
    return Status();
  return Status::error("input '" + spec.name + "' is " + array.shapeString() +
                       " " + dtypeName(array.dtype) +
                       " but the model expects " + spec.describe());
}

static std::string joinPath(const std::string &dir, const std::string &name) {
  if (dir.empty() || dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

/// `path` made absolute against the working directory (dlopen searches the
/// library path for a name without a slash).
static std::string makeAbsolute(const std::string &path) {
  if (!path.empty() && path.front() == '/')
    return path;
  char buffer[PATH_MAX];
  if (!::getcwd(buffer, sizeof(buffer)))
    return "./" + path;
  return joinPath(buffer, path);
}

/// The ELF machine of this host, 0 when unknown (not checked).
static unsigned hostElfMachine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#else
  return 0;
#endif
}

/// Checks that `path` is a 64-bit little-endian shared object for this host
/// whose program headers and segments lie within the file. Returns "" or
/// what is wrong.
static std::string checkElfFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::string("cannot open: ") + std::strerror(errno);
  struct stat status;
  std::string problem;
  Elf64_Ehdr header;
  auto readAt = [&](void *buffer, size_t size, uint64_t offset) {
    return ::pread(fd, buffer, size, static_cast<off_t>(offset)) ==
           static_cast<ssize_t>(size);
  };
  if (::fstat(fd, &status) != 0) {
    problem = std::string("cannot stat: ") + std::strerror(errno);
  } else if (!readAt(&header, sizeof(header), 0) ||
             std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    problem = "not an ELF file";
  } else if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
             header.e_ident[EI_DATA] != ELFDATA2LSB) {
    problem = "not a 64-bit little-endian ELF file";
  } else if (header.e_type != ET_DYN) {
    problem =
        "not a shared object (ELF type " + std::to_string(header.e_type) + ")";
  } else if (hostElfMachine() && header.e_machine != hostElfMachine()) {
    problem = "built for ELF machine " + std::to_string(header.e_machine) +
              ", not this host's " + std::to_string(hostElfMachine());
  } else if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0) {
    problem = "malformed program header table";
  } else {
    uint64_t fileSize = static_cast<uint64_t>(status.st_size);
    auto within = [&](uint64_t offset, uint64_t size) {
      return offset <= fileSize && size <= fileSize - offset;
    };
    if (!within(header.e_phoff,
                uint64_t(header.e_phnum) * sizeof(Elf64_Phdr))) {
      problem = "its program headers lie outside the file (truncated?)";
    } else {
      for (unsigned i = 0; i < header.e_phnum && problem.empty(); ++i) {
        Elf64_Phdr segment;
        if (!readAt(&segment, sizeof(segment),
                    header.e_phoff + uint64_t(i) * sizeof(Elf64_Phdr)))
          problem = "cannot read its program headers";
        else if (!within(segment.p_offset, segment.p_filesz))
          problem = "segment " + std::to_string(i) +
                    " lies outside the file (truncated?)";
        else if (segment.p_type == PT_LOAD &&
                 segment.p_filesz > segment.p_memsz)
          problem = "segment " + std::to_string(i) + " is malformed";
      }
    }
  }
  ::close(fd);
  return problem;
}

namespace {
/// Resolves and checks the symbols of one loaded library.
class SymbolResolver {
public:
  SymbolResolver(void *handle, const std::string &libraryPath)
      : handle(handle), libraryPath(libraryPath) {
    if (::dlinfo(handle, RTLD_DI_LINKMAP, &linkMap) != 0)
      linkMap = nullptr;
  }

  /// Whether `address` lies in the model's own library.
  bool isInLibrary(const void *address) const {
    Dl_info info;
    struct link_map *containing = nullptr;
    return linkMap && address &&
           ::dladdr1(address, &info, reinterpret_cast<void **>(&containing),
                     RTLD_DL_LINKMAP) != 0 &&
           containing == linkMap;
  }

  /// The address of `symbol`, which must be defined by the library itself
  /// as an ELF symbol of type `elfType` (and `size` bytes, when not 0).
  Result<void *> lookup(const std::string &symbol, unsigned elfType,
                        size_t size = 0) const {
    ::dlerror();
    void *address = ::dlsym(handle, symbol.c_str());
    if (!address)
      return Status::error(libraryPath + ": does not export '" + symbol +
                           "' named in the manifest");
    Dl_info info;
    void *extra = nullptr;
    bool found = isInLibrary(address) &&
                 ::dladdr1(address, &info, &extra, RTLD_DL_SYMENT) != 0;
    const auto *entry = static_cast<const ElfW(Sym) *>(extra);
    if (!found || !entry || !info.dli_sname || symbol != info.dli_sname)
      return Status::error(libraryPath + ": '" + symbol +
                           "' is not defined by the library itself");
    const char *kind = elfType == STT_FUNC ? "function" : "data object";
    if (ELF64_ST_TYPE(entry->st_info) != elfType)
      return Status::error(libraryPath + ": '" + symbol + "' is not a " + kind);
    if (size && entry->st_size != size)
      return Status::error(libraryPath + ": '" + symbol + "' is a " + kind +
                           " of " + std::to_string(entry->st_size) +
                           " bytes, not " + std::to_string(size) +
                           " (not a loomc signature)");
    return address;
  }

private:
  void *handle;
  const std::string &libraryPath;
  struct link_map *linkMap = nullptr;
};
} // namespace

/// The longest name a signature may hold: anything longer is not one that
/// loomc wrote.
static constexpr size_t kMaxSignatureString = size_t(1) << 20;

/// Reads a NUL-terminated string of the signature.
static bool readSignatureString(const SymbolResolver &resolver,
                                const char *text, std::string &out) {
  if (!resolver.isInLibrary(text))
    return false;
  size_t length = ::strnlen(text, kMaxSignatureString);
  if (length == kMaxSignatureString)
    return false;
  out.assign(text, length);
  return true;
}

/// Compares the library's signature with the manifest; returns "" or the
/// first difference.
static std::string compareSignature(const SymbolResolver &resolver,
                                    const ModelSignature &signature,
                                    const ModelManifest &manifest) {
  std::string name;
  if (signature.abiVersion != manifest.abiVersion)
    return "the library says ABI version " +
           std::to_string(signature.abiVersion) + ", the manifest " +
           std::to_string(manifest.abiVersion);
  if (!readSignatureString(resolver, signature.name, name))
    return "its model name is not a string in the library";
  if (name != manifest.name)
    return "the library's model name is '" + name + "', the manifest's '" +
           manifest.name + "'";
  for (auto [kind, count, tensors, specs] :
       {std::make_tuple("input", signature.numInputs, signature.inputs,
                        &manifest.inputs),
        std::make_tuple("output", signature.numOutputs, signature.outputs,
                        &manifest.outputs)}) {
    std::string kinds = std::string(kind) + "s";
    if (count < 0 || static_cast<size_t>(count) != specs->size())
      return "the library has " + std::to_string(count) + " " + kinds +
             ", the manifest " + std::to_string(specs->size());
    if (count > 0 && (!resolver.isInLibrary(tensors) ||
                      !resolver.isInLibrary(tensors + (count - 1))))
      return "its " + kinds + " are not in the library";
    for (int32_t i = 0; i < count; ++i) {
      const TensorSignature &t = tensors[i];
      const TensorSpec &spec = (*specs)[i];
      std::string which = std::string(kind) + " " + std::to_string(i);
      std::string tensorName, cName, dtype;
      if (!readSignatureString(resolver, t.name, tensorName) ||
          !readSignatureString(resolver, t.cName, cName) ||
          !readSignatureString(resolver, t.dtype, dtype))
        return which + " has names that are not strings in the library";
      if (tensorName != spec.name)
        return which + " is '" + tensorName + "' in the library, '" +
               spec.name + "' in the manifest";
      which += " ('" + spec.name + "')";
      if (cName != spec.cName)
        return which + " has the C name '" + cName + "' in the library, '" +
               spec.cName + "' in the manifest";
      if (t.rank < 0 || static_cast<size_t>(t.rank) > kMaxTensorRank ||
          (t.rank > 0 && (!resolver.isInLibrary(t.shape) ||
                          !resolver.isInLibrary(t.shape + (t.rank - 1)))))
        return which + " has a malformed shape in the library";
      std::vector<int64_t> shape(t.shape, t.shape + t.rank);
      std::optional<DType> parsed = parseDTypeNumpyName(dtype);
      if (shape != spec.shape || !parsed || *parsed != spec.dtype)
        return which + " is " + formatShape(shape) + " " +
               (parsed ? dtypeName(*parsed) : dtype.c_str()) +
               " in the library, " + spec.describe() + " in the manifest";
    }
  }
  return "";
}

Result<std::unique_ptr<CompiledModel>>
CompiledModel::load(const std::string &dir) {
  std::string manifestPath = joinPath(dir, "manifest.json");
  struct stat status;
  if (::stat(manifestPath.c_str(), &status) != 0 && errno == ENOENT)
    return Status::error(dir + ": not a compiled model directory (it has no "
                               "manifest.json; loomc --target=cpu -o DIR "
                               "writes one)");
  Result<ModelManifest> manifest = readManifestFile(manifestPath);
  if (!manifest)
    return manifest.status();

  std::string libraryPath = makeAbsolute(joinPath(dir, manifest->library));
  if (::lstat(libraryPath.c_str(), &status) != 0)
    return Status::error(libraryPath + ": the library named in " +
                         manifestPath + " does not exist");
  if (!S_ISREG(status.st_mode))
    return Status::error(libraryPath + ": the library named in " +
                         manifestPath +
                         " is not a regular file (a symbolic link or "
                         "something else that may lead out of the model "
                         "directory)");

  if (std::string problem = checkElfFile(libraryPath); !problem.empty())
    return Status::error(libraryPath +
                         ": not a library this host can load: " + problem);

  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->manifest = std::move(*manifest);
  model->libraryPath = libraryPath;
  ::dlerror();
  model->handle = ::dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->handle) {
    const char *reason = ::dlerror();
    return Status::error(libraryPath + ": cannot load: " +
                         (reason ? reason : "unknown dlopen error"));
  }
  const ModelManifest &m = model->manifest;
  SymbolResolver resolver(model->handle, libraryPath);

  // Data first: nothing of the library is called before its signature
  // matches the manifest.
  Result<void *> signature =
      resolver.lookup(m.signatureSymbol, STT_OBJECT, sizeof(ModelSignature));
  if (!signature)
    return signature.status();
  std::string mismatch = compareSignature(
      resolver, *static_cast<const ModelSignature *>(*signature), m);
  if (!mismatch.empty())
    return Status::error(libraryPath +
                         ": the library's signature does not "
                         "match " +
                         manifestPath + ": " + mismatch);

  // --generate: the decode step's signature too, before anything is called.
  if (m.generate) {
    const ModelManifest::GenerateSection &g = *m.generate;
    ModelManifest step;
    step.abiVersion = m.abiVersion;
    step.name = m.name;
    step.inputs = g.inputs;
    step.outputs = g.outputs;
    Result<void *> stepSignature =
        resolver.lookup(g.signatureSymbol, STT_OBJECT, sizeof(ModelSignature));
    if (!stepSignature)
      return stepSignature.status();
    std::string stepMismatch = compareSignature(
        resolver, *static_cast<const ModelSignature *>(*stepSignature), step);
    if (!stepMismatch.empty())
      return Status::error(libraryPath + ": the decode step's signature ('" +
                           g.signatureSymbol +
                           "') does not match the "
                           "'generate' section of " +
                           manifestPath + ": " + stepMismatch);
    void *functions[6];
    const std::string *symbols[6] = {&g.runSymbol,         &g.runPackedSymbol,
                                     &g.cacheCreateSymbol, &g.cacheFreeSymbol,
                                     &g.prefillSymbol,     &g.stepSymbol};
    for (int i = 0; i < 6; ++i) {
      Result<void *> function = resolver.lookup(*symbols[i], STT_FUNC);
      if (!function)
        return function.status();
      functions[i] = *function;
    }
    model->cacheCreateFn = reinterpret_cast<CacheCreateFn>(functions[2]);
    model->cacheFreeFn = reinterpret_cast<CacheFreeFn>(functions[3]);
    model->generatePrefillFn =
        reinterpret_cast<GeneratePrefillFn>(functions[4]);
    model->generateStepFn = reinterpret_cast<GenerateStepFn>(functions[5]);
  }

  if (Result<void *> run = resolver.lookup(m.runSymbol, STT_FUNC); !run)
    return run.status();
  Result<void *> errorMessage = resolver.lookup(m.errorMessageSymbol, STT_FUNC);
  if (!errorMessage)
    return errorMessage.status();
  model->errorMessageFn = reinterpret_cast<ErrorMessageFn>(*errorMessage);
  if (m.cuda) {
    if (Result<void *> function =
            resolver.lookup(m.cuda->runDeviceSymbol, STT_FUNC);
        !function)
      return function.status();
    Result<void *> runDevicePacked =
        resolver.lookup(m.cuda->runDevicePackedSymbol, STT_FUNC);
    if (!runDevicePacked)
      return runDevicePacked.status();
    model->runDevicePackedFn =
        reinterpret_cast<RunDevicePackedFn>(*runDevicePacked);
    Result<void *> lastError =
        resolver.lookup(m.cuda->lastErrorSymbol, STT_FUNC);
    if (!lastError)
      return lastError.status();
    model->lastErrorFn = reinterpret_cast<LastErrorFn>(*lastError);
  }
  Result<void *> runPacked = resolver.lookup(m.runPackedSymbol, STT_FUNC);
  if (!runPacked)
    return runPacked.status();
  model->runPackedFn = reinterpret_cast<RunPackedFn>(*runPacked);
  Result<void *> abiVersion = resolver.lookup(m.abiVersionSymbol, STT_FUNC);
  if (!abiVersion)
    return abiVersion.status();
  int32_t libraryVersion = reinterpret_cast<int32_t (*)()>(*abiVersion)();
  if (libraryVersion != m.abiVersion)
    return Status::error(libraryPath + ": the library has ABI version " +
                         std::to_string(libraryVersion) +
                         " but its manifest says " +
                         std::to_string(m.abiVersion));
  return model;
}

std::string CompiledModel::describeError(int32_t code) const {
  const char *message = errorMessageFn(code);
  std::string text = message ? message : describeRuntimeError(code);
  if (lastErrorFn) {
    const char *detail = lastErrorFn();
    if (detail && *detail)
      text += std::string(" (") + detail + ")";
  }
  return text;
}

Result<GenerateResult> CompiledModel::generateGreedy(const int64_t *prompt,
                                                     uint64_t count,
                                                     int64_t *tokens,
                                                     float *rows) const {
  const ModelManifest::GenerateSection &g = *manifest.generate;
  auto argmax = [&](const float *logits) {
    int64_t best = 0;
    for (int64_t i = 1; i < g.vocab; ++i)
      if (logits[i] > logits[best])
        best = i;
    return best;
  };
  GenerateResult result;
  std::vector<float> logits;
  try {
    logits.resize(static_cast<size_t>(g.promptLength * g.vocab));
    result.stepSeconds.reserve(count);
  } catch (const std::bad_alloc &) {
    return Status::error("not enough memory for the logits");
  }
  void *raw = cacheCreateFn();
  if (!raw)
    return Status::error("out of memory: cannot allocate the KV cache (" +
                         std::to_string(2 * g.kvBytes) + " bytes)");
  struct Free {
    const CompiledModel *model;
    void *cache;
    ~Free() { model->cacheFreeFn(cache); }
  } free{this, raw};
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  int32_t code = generatePrefillFn(raw, prompt, logits.data());
  result.prefillSeconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (code != 0) {
    result.runtimeError = code;
    result.failedStep = 0;
    return result;
  }
  const float *last = logits.data() + (g.promptLength - 1) * g.vocab;
  if (count == 0)
    return result;
  float *row = rows ? rows : logits.data();
  std::copy(last, last + g.vocab, row);
  tokens[0] = argmax(row);
  for (uint64_t i = 1; i < count; ++i) {
    row = rows ? rows + i * g.vocab : logits.data();
    int64_t position = g.promptLength + static_cast<int64_t>(i) - 1;
    start = Clock::now();
    code = generateStepFn(raw, tokens[i - 1], position, row);
    result.stepSeconds.push_back(
        std::chrono::duration<double>(Clock::now() - start).count());
    if (code != 0) {
      result.runtimeError = code;
      result.failedStep = static_cast<int64_t>(i);
      return result;
    }
    tokens[i] = argmax(row);
  }
  return result;
}

CompiledModel::~CompiledModel() {
  if (handle)
    ::dlclose(handle);
}

Result<CompiledRunResult>
CompiledModel::run(const std::vector<NpyArray> &inputs) const {
  if (inputs.size() != manifest.inputs.size())
    return Status::error(
        "the model takes " + std::to_string(manifest.inputs.size()) +
        " inputs but " + std::to_string(inputs.size()) + " were given");
  for (size_t i = 0; i < inputs.size(); ++i)
    if (Status s = checkInputAgainstSpec(manifest.inputs[i], inputs[i]);
        !s.ok())
      return s;

  CompiledRunResult result;
  std::vector<NpyArray> inputCopies;
  try {
    // The library gets its own copies; the originals show whether it wrote
    // into an input.
    inputCopies = inputs;
    for (const TensorSpec &spec : manifest.outputs) {
      NpyArray out = makeNpyArray(spec.dtype, spec.shape);
      std::memset(out.data.data(), 0xff, out.data.size());
      result.outputs.push_back(std::move(out));
    }
  } catch (const std::bad_alloc &) {
    return Status::error("not enough memory for the model's inputs and "
                         "outputs");
  }
  std::vector<void *> args;
  for (NpyArray &in : inputCopies)
    args.push_back(in.data.data());
  for (NpyArray &out : result.outputs)
    args.push_back(out.data.data());
  result.runtimeError = runPackedFn(args.data());

  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].data != inputCopies[i].data)
      return Status::error("the library wrote into input '" +
                           manifest.inputs[i].name +
                           "', which the ABI passes as const");
  return result;
}
