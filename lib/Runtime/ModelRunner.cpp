//===- ModelRunner.cpp - loom-run on a compiled model directory -----------===//
//
// See ModelRunner.h. Everything that can go wrong (a bad directory, a bad
// input, a failed write, a run-time error of the model) ends in one
// `error: ...` line and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/ModelRunner.h"
#include "loom/Runtime/CompiledModel.h"
#include "loom/Runtime/RunnerSupport.h"
#include "loom/Runtime/RuntimeErrors.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <sys/stat.h>

using namespace mlir;
using namespace mlir::loom;

static int fail(std::ostream &err, const std::string &message) {
  err << "error: " << message << "\n";
  err.flush();
  return 1;
}

static bool fileExists(const std::string &path) {
  struct stat status;
  return ::stat(path.c_str(), &status) == 0;
}

/// mkdir -p.
static Status createDirectories(const std::string &path) {
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    if (prefix.empty() || fileExists(prefix))
      continue;
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return Status::error("cannot create " + path + ": " +
                           std::strerror(errno));
  }
  struct stat status;
  if (::stat(path.c_str(), &status) != 0 || !S_ISDIR(status.st_mode))
    return Status::error("cannot create " + path + ": not a directory");
  return Status();
}

static std::string listNames(const std::vector<TensorSpec> &specs) {
  std::string names;
  for (const TensorSpec &spec : specs)
    names += (names.empty() ? "'" : ", '") + spec.name + "'";
  return names.empty() ? "none" : names;
}

/// Assigns each `--<flag> [NAME=]FILE` to one of `specs`: NAME= picks the one
/// of that name, a plain FILE the first that has none yet. A text whose part
/// before '=' names no spec is a plain path when such a file exists (paths
/// may contain '='). Returns the file per spec ("" when none); the error names
/// the flag.
static Result<std::vector<std::string>>
assignFiles(const std::vector<std::string> &flags,
            const std::vector<TensorSpec> &specs, const std::string &flag,
            const std::string &kind) {
  std::vector<std::string> files(specs.size());
  for (const std::string &text : flags) {
    std::optional<size_t> index;
    std::string path = text;
    if (size_t eq = text.find('='); eq != std::string::npos) {
      std::string name = text.substr(0, eq);
      for (size_t i = 0; i < specs.size(); ++i)
        if (specs[i].name == name)
          index = i;
      if (index)
        path = text.substr(eq + 1);
      else if (!fileExists(text))
        return Status::error("--" + flag + " " + text + ": the model has no " +
                             kind + " named '" + name + "' (its " + kind +
                             "s: " + listNames(specs) + ")");
    }
    if (!index) {
      for (size_t i = 0; i < specs.size() && !index; ++i)
        if (files[i].empty())
          index = i;
      if (!index)
        return Status::error("--" + flag + " " + text + ": every " + kind +
                             " already has a file (the model has " +
                             std::to_string(specs.size()) + " " + kind +
                             "s: " + listNames(specs) + ")");
    } else if (!files[*index].empty()) {
      return Status::error(kind + " '" + specs[*index].name +
                           "' is given twice (--" + flag + " " + files[*index] +
                           " and --" + flag + " " + text + ")");
    }
    files[*index] = path;
  }
  return files;
}

/// Output file names: sanitised, and unique even when two names sanitise to
/// the same text (compared without case, for case-insensitive file systems).
static std::vector<std::string>
outputFileNames(const std::vector<TensorSpec> &specs) {
  std::vector<std::string> names;
  std::set<std::string> used;
  auto lower = [](std::string s) {
    for (char &c : s)
      if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c - 'A' + 'a');
    return s;
  };
  for (const TensorSpec &spec : specs) {
    std::string base = sanitizeFileName(spec.name);
    std::string name = base;
    for (int i = 2; !used.insert(lower(name)).second; ++i)
      name = base + "_" + std::to_string(i);
    names.push_back(name + ".npy");
  }
  return names;
}

static std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

//===----------------------------------------------------------------------===//
// --generate
//===----------------------------------------------------------------------===//

static std::string formatMs(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.3f ms", seconds * 1e3);
  return buffer;
}

/// Prefill, then greedy decode steps through the library's cache API.
static int runGenerate(const ModelRunOptions &options, std::ostream &out,
                       std::ostream &err) {
  if (options.prompt.empty())
    return fail(err, "--generate needs --prompt IDS.npy (the prompt's token "
                     "ids, int64)");
  if (!options.generateTokens)
    return fail(err, "--prompt applies to --generate N");
  if (!options.inputs.empty() || !options.compares.empty() ||
      options.randomSeed)
    return fail(err, "--input, --compare and --random-seed do not apply to "
                     "--generate (the prompt is --prompt)");
  uint64_t count = *options.generateTokens;
  if (count == 0)
    return fail(err, "--generate 0: nothing to generate (N counts the new "
                     "tokens, at least 1)");
  Result<std::unique_ptr<CompiledModel>> loaded =
      CompiledModel::load(options.modelDir);
  if (!loaded)
    return fail(err, loaded.message());
  const CompiledModel &model = **loaded;
  const ModelManifest &manifest = model.getManifest();
  if (!model.isGenerate())
    return fail(err, options.modelDir +
                         ": not a --generate model directory (its "
                         "manifest.json has no 'generate' section; compile "
                         "with loomc --generate)");
  const ModelManifest::GenerateSection &g = *manifest.generate;
  Result<NpyArray> prompt = readNpyFile(options.prompt);
  if (!prompt)
    return fail(err, prompt.message());
  if (prompt->dtype != DType::I64)
    return fail(err, options.prompt + ": the prompt is " +
                         dtypeName(prompt->dtype) + "; token ids are int64");
  if (prompt->shape.size() > 2 ||
      (prompt->shape.size() == 2 && prompt->shape[0] != 1))
    return fail(err, options.prompt + ": the prompt is " +
                         prompt->shapeString() +
                         "; expected [P] or [1, P] token ids (batch 1)");
  if (prompt->numElements() != g.promptLength)
    return fail(err, options.prompt + ": the prompt has " +
                         std::to_string(prompt->numElements()) +
                         " tokens but the model's prefill takes " +
                         std::to_string(g.promptLength) +
                         " (loomc --prompt-length)");
  // At most capacity - P + 1 tokens fit: the step after that fails (the
  // library's error), so a huge N allocates no more than one token beyond.
  uint64_t fits = static_cast<uint64_t>(g.capacity - g.promptLength + 1);
  if (count > fits + 1)
    count = fits + 1;
  NpyArray tokens, rows;
  try {
    tokens = makeNpyArray(DType::I64, {1, static_cast<int64_t>(count)});
    rows = makeNpyArray(DType::F32, {1, static_cast<int64_t>(count), g.vocab});
  } catch (const std::bad_alloc &) {
    return fail(err, "not enough memory for " + std::to_string(count) +
                         " tokens and their logits");
  }
  auto *tokenData = reinterpret_cast<int64_t *>(tokens.data.data());
  Result<GenerateResult> run = model.generateGreedy(
      reinterpret_cast<const int64_t *>(prompt->data.data()), count, tokenData,
      reinterpret_cast<float *>(rows.data.data()));
  if (!run)
    return fail(err, run.message());
  if (int32_t code = run->runtimeError) {
    if (run->failedStep == 0)
      return fail(err, "prefill: runtime error: " + model.describeError(code));
    int64_t i = run->failedStep;
    int64_t position = g.promptLength + i - 1;
    std::string hint;
    if (code == static_cast<int32_t>(RuntimeError::KVCacheCapacityExceeded))
      hint = " (the cache holds " + std::to_string(g.capacity) +
             " tokens: the prompt and " +
             std::to_string(g.capacity - g.promptLength) +
             " steps, so at most " +
             std::to_string(g.capacity - g.promptLength + 1) + " new tokens)";
    return fail(err, "decode step " + std::to_string(i) + " (token " +
                         std::to_string(i + 1) + ", position " +
                         std::to_string(position) + "): runtime error: " +
                         model.describeError(code) + hint);
  }
  double prefillSeconds = run->prefillSeconds;
  const std::vector<double> &stepSeconds = run->stepSeconds;

  if (!options.outputDir.empty()) {
    if (Status s = createDirectories(options.outputDir); !s.ok())
      return fail(err, s.message());
    for (auto [name, array] : {std::make_pair("tokens.npy", &tokens),
                               std::make_pair("logits.npy", &rows)})
      if (Status s = writeNpyFile(options.outputDir + "/" + name, *array);
          !s.ok())
        return fail(err, s.message());
  }
  out << "prompt: " << g.promptLength << " tokens\n";
  out << "generated " << count << " tokens:";
  for (uint64_t i = 0; i < count; ++i)
    out << " " << tokenData[i];
  out << "\n";
  out << "time to first token (prefill): " << formatMs(prefillSeconds) << "\n";
  if (stepSeconds.empty()) {
    out << "decode steps: 0\n";
  } else {
    std::vector<double> sorted = stepSeconds;
    std::sort(sorted.begin(), sorted.end());
    size_t n = sorted.size();
    double median =
        n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    out << "decode steps: " << n << ", per step: median " << formatMs(median)
        << ", min " << formatMs(sorted.front()) << ", max "
        << formatMs(sorted.back()) << "\n";
  }
  out << "KV cache: " << g.kvBytes << " bytes (" << g.layers
      << " layers, capacity " << g.capacity << " tokens), " << 2 * g.kvBytes
      << " bytes with the step's second set\n";
  out.flush();
  return 0;
}

int mlir::loom::runModelDirectory(const ModelRunOptions &options,
                                  std::ostream &out, std::ostream &err) {
  if (options.generateTokens || !options.prompt.empty()) {
    if (options.entryGiven || options.referenceGiven)
      return fail(err, "--entry and --reference apply to .mlir files");
    return runGenerate(options, out, err);
  }
  if (options.entryGiven)
    return fail(err, "--entry applies to .mlir files; a model directory has "
                     "one entry point (see its manifest.json)");
  if (options.referenceGiven)
    return fail(err, "--reference applies to .mlir files; a model directory "
                     "is compiled already (loomc --reference compiles the "
                     "reference lowering)");
  Result<std::unique_ptr<CompiledModel>> model =
      CompiledModel::load(options.modelDir);
  if (!model)
    return fail(err, model.message());
  const ModelManifest &manifest = (*model)->getManifest();

  Result<std::vector<std::string>> inputFiles =
      assignFiles(options.inputs, manifest.inputs, "input", "input");
  if (!inputFiles)
    return fail(err, inputFiles.message());
  std::vector<NpyArray> args(manifest.inputs.size());
  std::vector<std::string> missing;
  for (size_t i = 0; i < manifest.inputs.size(); ++i) {
    const TensorSpec &spec = manifest.inputs[i];
    const std::string &path = (*inputFiles)[i];
    if (path.empty()) {
      missing.push_back(spec.name);
      continue;
    }
    Result<NpyArray> array = readNpyFile(path);
    if (!array)
      return fail(err, array.message());
    if (Status s = checkInputAgainstSpec(spec, *array); !s.ok())
      return fail(err, s.message() + " (from " + path + ")");
    args[i] = std::move(*array);
  }
  if (!missing.empty()) {
    if (!options.randomSeed) {
      std::string names;
      for (const std::string &name : missing)
        names += (names.empty() ? "'" : ", '") + name + "'";
      return fail(err, "missing input" +
                           std::string(missing.size() > 1 ? "s " : " ") +
                           names +
                           " (pass --input NAME=FILE.npy for each, or "
                           "--random-seed to fill float inputs)");
    }
    // The same stream as FILE.mlir mode: the missing inputs in order.
    RandomInputGenerator random(*options.randomSeed);
    for (size_t i = 0; i < manifest.inputs.size(); ++i) {
      const TensorSpec &spec = manifest.inputs[i];
      if (!(*inputFiles)[i].empty())
        continue;
      if (!isFloatDType(spec.dtype))
        return fail(err, "input '" + spec.name + "' is " + spec.describe() +
                             ", not a float tensor: it needs --input");
      try {
        args[i] = random.generate(spec.dtype, spec.shape);
      } catch (const std::bad_alloc &) {
        return fail(err, "not enough memory for input '" + spec.name + "'");
      }
      out << "input '" << spec.name << "': " << args[i].shapeString() << " "
          << dtypeName(args[i].dtype)
          << " random (uniform [-1, 1), --random-seed " << *options.randomSeed
          << ")\n";
    }
  }

  Result<CompiledRunResult> run = (*model)->run(args);
  if (!run)
    return fail(err, run.message());
  if (run->runtimeError != 0)
    return fail(err,
                "runtime error: " + (*model)->describeError(run->runtimeError));

  if (!options.outputDir.empty()) {
    if (Status s = createDirectories(options.outputDir); !s.ok())
      return fail(err, s.message());
    std::vector<std::string> names = outputFileNames(manifest.outputs);
    for (size_t i = 0; i < names.size(); ++i) {
      std::string path = options.outputDir + "/" + names[i];
      if (Status s = writeNpyFile(path, run->outputs[i]); !s.ok())
        return fail(err, s.message());
    }
  }

  if (options.compares.size() > manifest.outputs.size())
    return fail(err, std::to_string(options.compares.size()) +
                         " references given but the model has " +
                         std::to_string(manifest.outputs.size()) + " outputs");
  Result<std::vector<std::string>> referenceFiles =
      assignFiles(options.compares, manifest.outputs, "compare", "output");
  if (!referenceFiles)
    return fail(err, referenceFiles.message());
  bool ok = true;
  for (size_t i = 0; i < manifest.outputs.size(); ++i) {
    const std::string &path = (*referenceFiles)[i];
    if (path.empty())
      continue;
    Result<NpyArray> ref = readNpyFile(path);
    if (!ref) {
      out.flush();
      return fail(err, ref.message());
    }
    std::string report;
    ok &= compareWithReference(report, manifest.outputs[i].name,
                               run->outputs[i], *ref, baseName(path),
                               options.relTol, options.absTol);
    out << report;
  }
  if (options.compares.empty())
    for (size_t i = 0; i < manifest.outputs.size(); ++i)
      out << manifest.outputs[i].name << ": " << run->outputs[i].shapeString()
          << " " << dtypeName(run->outputs[i].dtype) << "\n";
  out.flush();
  return ok ? 0 : 1;
}

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

static const char *const kUsage =
    "USAGE: %s OUTDIR [options]\n"
    "\n"
    "Runs a model directory that `loomc --target=cpu -o OUTDIR` wrote.\n"
    "\n"
    "OPTIONS:\n"
    "  --input [NAME=]FILE.npy    the input of that name, or the next input\n"
    "                             without a file\n"
    "  --random-seed N            fill float inputs without --input with\n"
    "                             uniform [-1, 1) floats from this seed\n"
    "  --output-dir DIR           write each output as DIR/<name>.npy\n"
    "  --compare [NAME=]REF.npy   compare the output of that name, or the\n"
    "                             next output without a reference\n"
    "  --rtol R                   relative tolerance (default 1e-5)\n"
    "  --atol A                   absolute tolerance (default 1e-6)\n"
    "  --prompt IDS.npy           the prompt's int64 token ids (--generate)\n"
    "  --generate N               a `loomc --generate` model: prefill the\n"
    "                             prompt, then generate N tokens greedily\n"
    "                             (N - 1 decode steps); --output-dir writes\n"
    "                             tokens.npy and logits.npy\n"
    "\n"
    "Exit status: 0 when everything ran and matched, 1 otherwise.\n";

static bool parseDouble(const std::string &text, double &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size();
}

static bool parseUnsigned(const std::string &text, uint64_t &out) {
  if (text.empty() || !std::all_of(text.begin(), text.end(),
                                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  // loom-run's --random-seed is an `unsigned`.
  if (errno != 0 || value > 0xffffffffULL)
    return false;
  out = value;
  return true;
}

Result<std::optional<ModelRunOptions>>
mlir::loom::parseModelRunArguments(const std::vector<std::string> &arguments,
                                   const std::string &toolName,
                                   std::ostream &out) {
  ModelRunOptions options;
  std::vector<std::string> positional;
  bool onlyPositional = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string &argument = arguments[i];
    if (onlyPositional || argument.size() < 2 || argument[0] != '-') {
      positional.push_back(argument);
      continue;
    }
    if (argument == "--") {
      onlyPositional = true;
      continue;
    }
    std::string flag = argument.substr(argument[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "help" || flag == "h") {
      char usage[4096];
      std::snprintf(usage, sizeof(usage), kUsage, toolName.c_str());
      out << usage;
      return std::optional<ModelRunOptions>();
    }
    if (flag == "reference") {
      if (value)
        return Status::error("--reference takes no value");
      options.referenceGiven = true;
      continue;
    }
    static const char *const kValueFlags[] = {
        "input", "compare", "output-dir", "random-seed", "rtol",
        "atol",  "entry",   "prompt",     "generate"};
    if (std::find_if(std::begin(kValueFlags), std::end(kValueFlags),
                     [&](const char *f) { return flag == f; }) ==
        std::end(kValueFlags))
      return Status::error("unknown option '" + argument + "' (see --help)");
    if (!value) {
      if (i + 1 == arguments.size())
        return Status::error("--" + flag + " needs a value");
      value = arguments[++i];
    }
    if (flag == "input") {
      options.inputs.push_back(*value);
    } else if (flag == "compare") {
      options.compares.push_back(*value);
    } else if (flag == "output-dir") {
      options.outputDir = *value;
    } else if (flag == "entry") {
      options.entryGiven = true;
    } else if (flag == "prompt") {
      options.prompt = *value;
    } else if (flag == "generate") {
      uint64_t n;
      if (!parseUnsigned(*value, n))
        return Status::error("--generate '" + *value +
                             "' is not an unsigned 32-bit integer");
      options.generateTokens = n;
    } else if (flag == "random-seed") {
      uint64_t seed;
      if (!parseUnsigned(*value, seed))
        return Status::error("--random-seed '" + *value +
                             "' is not an unsigned 32-bit integer");
      options.randomSeed = seed;
    } else {
      double number;
      if (!parseDouble(*value, number))
        return Status::error("--" + flag + " '" + *value + "' is not a number");
      (flag == "rtol" ? options.relTol : options.absTol) = number;
    }
  }
  if (positional.size() != 1)
    return Status::error(positional.empty()
                             ? "no model directory given (see --help)"
                             : "more than one model directory given: '" +
                                   positional[1] + "'");
  options.modelDir = positional.front();
  return std::optional<ModelRunOptions>(std::move(options));
}

int mlir::loom::modelRunnerMain(int argc, char **argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  std::string toolName = argc > 0 ? baseName(argv[0]) : "loom-run-model";
  Result<std::optional<ModelRunOptions>> options =
      parseModelRunArguments(arguments, toolName, std::cout);
  if (!options)
    return fail(std::cerr, options.message());
  if (!*options)
    return 0;
  struct stat status;
  if (::stat((*options)->modelDir.c_str(), &status) != 0 ||
      !S_ISDIR(status.st_mode))
    return fail(std::cerr, (*options)->modelDir +
                               ": not a model directory (loom-run runs "
                               ".mlir files)");
  return runModelDirectory(**options, std::cout, std::cerr);
}
