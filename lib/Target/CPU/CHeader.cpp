//===- CHeader.cpp - The C header of a compiled model ---------------------===//
//
// Writes <name>.h for a compiled library: the entry points with typed
// parameters, and per input/output its name, rank, shape, element count,
// byte size and dtype as macros. Value names come from ONNX and may contain
// anything, so they only ever appear inside escaped string literals (in
// macros and in comments); parameter names are the manifest's C names.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU/CPUTarget.h"

#include "loom/Runtime/RuntimeErrors.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

const char *mlir::loom::getCTypeName(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "uint16_t";
  case DType::F32:
    return "float";
  case DType::F64:
    return "double";
  case DType::I8:
    return "int8_t";
  case DType::I16:
    return "int16_t";
  case DType::I32:
    return "int32_t";
  case DType::I64:
    return "int64_t";
  case DType::U8:
    return "uint8_t";
  case DType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown dtype");
}

/// `text` as a C string literal that is also safe inside a comment: quotes,
/// backslashes, '?' (trigraphs), a '/' after '*' (it would end the comment)
/// and non-printable or non-ASCII bytes are escaped, the latter in octal.
std::string mlir::loom::quoteCString(llvm::StringRef text) {
  std::string out = "\"";
  char previous = 0;
  for (unsigned char c : text) {
    bool endsComment = c == '/' && previous == '*';
    previous = static_cast<char>(c);
    if (c == '"' || c == '\\' || c == '?') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (endsComment || c < 0x20 || c >= 0x7f) {
      char buffer[5];
      snprintf(buffer, sizeof(buffer), "\\%03o", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// "[1][64]" (C array declarator style; "" for a scalar).
static std::string bracketShape(const TensorSpec &spec) {
  std::string s;
  for (int64_t d : spec.shape)
    s += "[" + std::to_string(d) + "]";
  return s;
}

void mlir::loom::emitTensorMacros(llvm::raw_ostream &os, llvm::StringRef prefix,
                                  llvm::StringRef kind, size_t index,
                                  const TensorSpec &spec) {
  std::string macro = (prefix + "_" + kind.upper() + llvm::Twine(index)).str();
  os << "/* " << kind << " " << index << ": " << quoteCString(spec.name) << ", "
     << getCTypeName(spec.dtype) << bracketShape(spec) << " (numpy "
     << dtypeNumpyName(spec.dtype) << ")";
  if (spec.dtype == DType::F16)
    os << ", IEEE binary16 bit patterns";
  if (spec.dtype == DType::Bool)
    os << ", one byte per element, 0 or 1";
  os << " */\n";
  os << "#define " << macro << "_NAME " << quoteCString(spec.name) << "\n";
  os << "#define " << macro << "_DTYPE "
     << quoteCString(dtypeNumpyName(spec.dtype)) << "\n";
  os << "#define " << macro << "_RANK " << spec.shape.size() << "\n";
  // `{}` is not a valid C99 initializer, so a scalar has no _SHAPE.
  if (!spec.shape.empty()) {
    os << "#define " << macro << "_SHAPE {";
    llvm::interleave(spec.shape, os, ", ");
    os << "}\n";
  }
  os << "#define " << macro << "_NUM_ELEMENTS " << spec.numElements() << "\n";
  os << "#define " << macro << "_BYTES " << spec.byteSize() << "\n\n";
}

void mlir::loom::emitSignatureTypes(llvm::raw_ostream &os) {
  os << "/* The type of the signature every Loom library exports. */\n"
     << "#ifndef LOOM_MODEL_SIGNATURE_TYPES\n"
     << "#define LOOM_MODEL_SIGNATURE_TYPES\n"
     << "typedef struct loom_tensor_signature {\n"
     << "  const char *name;     /* the value name (NAME_INPUT<i>_NAME) */\n"
     << "  const char *c_name;   /* its parameter name in NAME_run */\n"
     << "  const char *dtype;    /* the numpy dtype name (_DTYPE) */\n"
     << "  int64_t rank;\n"
     << "  const int64_t *shape; /* rank sizes; NULL when rank is 0 */\n"
     << "} loom_tensor_signature;\n"
     << "typedef struct loom_model_signature {\n"
     << "  int32_t abi_version;\n"
     << "  int32_t num_inputs;\n"
     << "  int32_t num_outputs;\n"
     << "  const char *name; /* the symbol prefix */\n"
     << "  const loom_tensor_signature *inputs;  /* num_inputs entries */\n"
     << "  const loom_tensor_signature *outputs; /* num_outputs entries */\n"
     << "} loom_model_signature;\n"
     << "#endif\n\n";
}

/// The typed declaration of an entry point and its comment.
static void emitRunDeclaration(llvm::raw_ostream &os, llvm::StringRef symbol,
                               const std::vector<TensorSpec> &inputs,
                               const std::vector<TensorSpec> &outputs,
                               llvm::StringRef what) {
  os << "/* " << what << ", writing the outputs:\n";
  for (const TensorSpec &spec : inputs)
    os << " *   in  " << spec.cName << ": " << getCTypeName(spec.dtype)
       << bracketShape(spec) << " " << quoteCString(spec.name) << "\n";
  for (const TensorSpec &spec : outputs)
    os << " *   out " << spec.cName << ": " << getCTypeName(spec.dtype)
       << bracketShape(spec) << " " << quoteCString(spec.name) << "\n";
  os << " * Returns LOOM_OK or a LOOM_ERROR_* code. */\n";
  os << "int32_t " << symbol << "(";
  bool first = true;
  for (const TensorSpec &spec : inputs) {
    os << (first ? "" : ", ") << "const " << getCTypeName(spec.dtype) << " *"
       << spec.cName;
    first = false;
  }
  for (const TensorSpec &spec : outputs) {
    os << (first ? "" : ", ") << getCTypeName(spec.dtype) << " *" << spec.cName;
    first = false;
  }
  if (first)
    os << "void";
  os << ");\n\n";
}

/// The decode step and the cache API of a --generate library.
static void emitGenerateDeclarations(llvm::raw_ostream &os,
                                     const ModelManifest &m,
                                     llvm::StringRef prefix) {
  const ModelManifest::GenerateSection &g = *m.generate;
  std::string stepPrefix = (prefix + "_DECODE_STEP").str();
  os << "/* ---- Token generation (loomc --generate) ----\n"
     << " *\n"
     << " * " << m.runSymbol << " runs the prompt (" << g.promptLength
     << " tokens) through the model and\n"
     << " * returns the logits of every prompt position and the KV cache of "
        "each of\n"
     << " * the " << g.layers << " layers; " << g.runSymbol
     << " takes one token, its position\n"
     << " * and the caches and returns the logits of that token and the "
        "caches with\n"
     << " * it appended. Each cache is the buffers listed below (for a "
        "full-precision\n"
     << " * cache keys [B,H,C,D], values [B,H,C,Dv], positions [B,H,C] int64, "
        "length [B]\n"
     << " * int64, next [B] int64; docs/KVCache.md).\n"
     << " * The caches a step returns must not overlap those it reads: keep "
        "two sets\n"
     << " * and swap them, as the cache API below does. */\n"
     << "#define " << prefix << "_PROMPT_LENGTH " << g.promptLength << "\n"
     << "#define " << prefix << "_KV_CAPACITY " << g.capacity
     << " /* positions a sequence reaches: prompt + steps */\n"
     << "#define " << prefix << "_KV_CACHE_ENTRIES " << g.cacheEntries
     << " /* entries each cache stores (fewer when compressed) */\n"
     << "#define " << prefix << "_VOCAB_SIZE " << g.vocab << "\n"
     << "#define " << prefix << "_NUM_LAYERS " << g.layers << "\n"
     << "#define " << prefix << "_KV_CACHE_BYTES " << g.kvBytes
     << " /* one set of cache buffers, all layers */\n"
     << "#define " << prefix << "_CACHE_OBJECT_BYTES " << 2 * g.kvBytes
     << " /* what " << g.cacheCreateSymbol << " allocates: two sets */\n"
     << "#define " << stepPrefix << "_NUM_INPUTS " << g.inputs.size() << "\n"
     << "#define " << stepPrefix << "_NUM_OUTPUTS " << g.outputs.size()
     << "\n\n";
  for (auto [i, spec] : llvm::enumerate(g.inputs))
    emitTensorMacros(os, stepPrefix, "Input", i, spec);
  for (auto [i, spec] : llvm::enumerate(g.outputs))
    emitTensorMacros(os, stepPrefix, "Output", i, spec);
  emitRunDeclaration(os, g.runSymbol, g.inputs, g.outputs,
                     "Runs one decode step");
  os << "/* The same for generic hosts: args[0 .. " << stepPrefix
     << "_NUM_INPUTS - 1] point to\n"
     << " * the inputs, the next " << stepPrefix
     << "_NUM_OUTPUTS entries to the outputs. */\n"
     << "int32_t " << g.runPackedSymbol << "(void **args);\n\n"
     << "/* The decode step's signature (the prefill's is " << m.signatureSymbol
     << "). */\n"
     << "extern const loom_model_signature " << g.signatureSymbol << ";\n\n";

  os << "/* The cache API: one " << m.name
     << "_cache object per sequence holds its KV cache\n"
     << " * (" << prefix << "_CACHE_OBJECT_BYTES bytes: two sets of " << prefix
     << "_KV_CACHE_BYTES, the set a step reads\n"
     << " * and the set it writes, swapped after each successful step).\n"
     << " * Ownership: the caller owns the object (free it with "
     << g.cacheFreeSymbol << ") and\n"
     << " * the tokens and logits buffers; the object owns its cache "
        "buffers.\n"
     << " * Thread safety: calls on different objects may run concurrently; "
        "an object\n"
     << " * must not be used by two threads at once. */\n"
     << "typedef struct " << m.name << "_cache " << m.name << "_cache;\n\n"
     << "/* A new, empty cache object; NULL when memory runs out. */\n"
     << m.name << "_cache *" << g.cacheCreateSymbol << "(void);\n\n"
     << "/* Frees a cache object (NULL is allowed). */\n"
     << "void " << g.cacheFreeSymbol << "(" << m.name << "_cache *cache);\n\n"
     << "/* Runs the prefill on tokens[" << prefix
     << "_PROMPT_LENGTH] (each in [0, " << prefix << "_VOCAB_SIZE)),\n"
     << " * writing logits[" << prefix << "_PROMPT_LENGTH * " << prefix
     << "_VOCAB_SIZE] (row-major; the last row\n"
     << " * predicts the first new token) and resetting the cache to the "
        "prompt's.\n"
     << " * Returns LOOM_OK, LOOM_ERROR_INVALID_ARGUMENT (a null pointer, a "
        "token out\n"
     << " * of range) or the prefill's code. */\n"
     << "int32_t " << g.prefillSymbol << "(" << m.name
     << "_cache *cache, const int64_t *tokens,\n"
     << "    float *logits);\n\n"
     << "/* Appends `token` at `position` (the prompt length plus the number "
        "of steps\n"
     << " * run since the prefill) and writes its logits[" << prefix
     << "_VOCAB_SIZE]. Returns LOOM_OK;\n"
     << " * LOOM_ERROR_INVALID_ARGUMENT (no prefill yet, a null pointer, a "
        "token out of\n"
     << " * range, a negative position); "
        "LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED when the cache\n"
     << " * is full or position >= " << prefix << "_KV_CAPACITY (" << prefix
     << "_KV_CAPACITY - " << prefix << "_PROMPT_LENGTH steps fit);\n"
     << " * on any error the cache is unchanged. */\n"
     << "int32_t " << g.stepSymbol << "(" << m.name
     << "_cache *cache, int64_t token,\n"
     << "    int64_t position, float *logits);\n\n";
}

std::string mlir::loom::generateCacheRuntimeSource(const ModelManifest &m) {
  const ModelManifest::GenerateSection &g = *m.generate;
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string prefix = llvm::StringRef(m.name).upper();
  size_t numParts = g.cacheParts.size();
  os << "/* " << m.name << "_cache.c: the cache API of " << m.library << " ("
     << m.header << "), generated by loomc\n"
     << " * --generate and linked into the library. Do not edit. */\n"
     << "#include \"" << m.header << "\"\n\n"
     << "#include <stdlib.h>\n\n"
     << "#define NUM_PARTS " << numParts << "\n\n"
     << "static const size_t part_bytes[NUM_PARTS] = {";
  for (size_t i = 0; i < numParts; ++i)
    os << (i ? ", " : "") << m.outputs[1 + i].byteSize();
  os << "};\n\n"
     << "struct " << m.name << "_cache {\n"
     << "  void *sets[2][NUM_PARTS];\n"
     << "  int current;   /* the set that holds the cache */\n"
     << "  int prefilled; /* whether a prefill succeeded */\n"
     << "};\n\n"
     << "void " << g.cacheFreeSymbol << "(" << m.name << "_cache *cache) {\n"
     << "  int s, i;\n"
     << "  if (!cache)\n    return;\n"
     << "  for (s = 0; s < 2; ++s)\n"
     << "    for (i = 0; i < NUM_PARTS; ++i)\n"
     << "      free(cache->sets[s][i]);\n"
     << "  free(cache);\n"
     << "}\n\n"
     << m.name << "_cache *" << g.cacheCreateSymbol << "(void) {\n"
     << "  int s, i;\n"
     << "  " << m.name << "_cache *cache = calloc(1, sizeof *cache);\n"
     << "  if (!cache)\n    return NULL;\n"
     << "  for (s = 0; s < 2; ++s)\n"
     << "    for (i = 0; i < NUM_PARTS; ++i)\n"
     << "      if (!(cache->sets[s][i] = calloc(1, part_bytes[i] ? "
        "part_bytes[i] : 1))) {\n"
     << "        " << g.cacheFreeSymbol << "(cache);\n"
     << "        return NULL;\n"
     << "      }\n"
     << "  return cache;\n"
     << "}\n\n"
     << "int32_t " << g.prefillSymbol << "(" << m.name
     << "_cache *cache, const int64_t *tokens,\n"
     << "    float *logits) {\n"
     << "  void *args[2 + NUM_PARTS];\n"
     << "  int i;\n"
     << "  int32_t code;\n"
     << "  if (!cache || !tokens || !logits)\n"
     << "    return LOOM_ERROR_INVALID_ARGUMENT;\n"
     << "  for (i = 0; i < " << prefix << "_PROMPT_LENGTH; ++i)\n"
     << "    if (tokens[i] < 0 || tokens[i] >= " << prefix << "_VOCAB_SIZE)\n"
     << "      return LOOM_ERROR_INVALID_ARGUMENT;\n"
     << "  args[0] = (void *)tokens;\n"
     << "  args[1] = logits;\n"
     << "  for (i = 0; i < NUM_PARTS; ++i)\n"
     << "    args[2 + i] = cache->sets[0][i];\n"
     << "  code = " << m.runPackedSymbol << "(args);\n"
     << "  cache->current = 0;\n"
     << "  cache->prefilled = code == LOOM_OK;\n"
     << "  return code;\n"
     << "}\n\n"
     << "int32_t " << g.stepSymbol << "(" << m.name
     << "_cache *cache, int64_t token,\n"
     << "    int64_t position, float *logits) {\n"
     << "  void *args[3 + 2 * NUM_PARTS];\n"
     << "  int64_t token_buffer[1], position_buffer[1];\n"
     << "  int i;\n"
     << "  int32_t code;\n"
     << "  if (!cache || !logits || !cache->prefilled || token < 0 ||\n"
     << "      token >= " << prefix << "_VOCAB_SIZE || position < 0)\n"
     << "    return LOOM_ERROR_INVALID_ARGUMENT;\n"
     << "  /* Checked before the model reads a position table of that size. "
        "*/\n"
     << "  if (position >= " << prefix << "_KV_CAPACITY)\n"
     << "    return LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED;\n"
     << "  token_buffer[0] = token;\n"
     << "  position_buffer[0] = position;\n"
     << "  args[0] = token_buffer;\n"
     << "  args[1] = position_buffer;\n"
     << "  for (i = 0; i < NUM_PARTS; ++i)\n"
     << "    args[2 + i] = cache->sets[cache->current][i];\n"
     << "  args[2 + NUM_PARTS] = logits;\n"
     << "  for (i = 0; i < NUM_PARTS; ++i)\n"
     << "    args[3 + NUM_PARTS + i] = cache->sets[1 - cache->current][i];\n"
     << "  code = " << g.runPackedSymbol << "(args);\n"
     << "  if (code == LOOM_OK)\n"
     << "    cache->current = 1 - cache->current;\n"
     << "  return code;\n"
     << "}\n";
  return text;
}

std::string mlir::loom::generateCHeader(const ModelManifest &m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string prefix = llvm::StringRef(m.name).upper();
  std::string guard = "LOOM_MODEL_" + prefix + "_H";

  os << "/* " << m.header << ": the C interface of " << m.library
     << ", generated by loomc. Do not edit.\n"
     << " *\n"
     << " * Compiled from " << quoteCString(m.source) << " (function "
     << quoteCString(m.function) << ") for " << m.triple << ", CPU " << m.cpu
     << ", -O" << m.optLevel << ".\n"
     << " *\n"
     << " * The Loom compiled-model ABI, version " << kLoomABIVersion << ":\n"
     << " *  - every input and output is a dense row-major (C order) buffer "
        "of\n"
     << " *    exactly the element type and shape documented below, allocated\n"
     << " *    by the caller; natural alignment of the element type suffices;\n"
     << " *  - inputs are only read; outputs must not overlap each other or "
        "an\n"
     << " *    input, and are completely written when a call returns LOOM_OK;\n"
     << " *  - a call returns LOOM_OK (0), or a LOOM_ERROR_* code for a\n"
     << " *    run-time error the compiled code detected (the outputs are "
        "then\n"
     << " *    unspecified, nothing was written out of bounds);\n"
     << " *  - the library keeps no state between calls: calls may run\n"
     << " *    concurrently on different threads with different outputs.\n"
     << " */\n"
     << "#ifndef " << guard << "\n"
     << "#define " << guard << "\n\n"
     << "#include <stdbool.h>\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\n"
     << "extern \"C\" {\n"
     << "#endif\n\n";

  os << "/* Return codes, shared by every Loom model header. */\n"
     << "#ifndef LOOM_RUNTIME_ERROR_CODES\n"
     << "#define LOOM_RUNTIME_ERROR_CODES\n";
  for (int32_t code = 0; code <= kLastRuntimeError; ++code)
    os << "#define " << getRuntimeErrorMacroName(code) << " " << code << " /* "
       << describeRuntimeError(code) << " */\n";
  os << "#endif\n\n";

  emitSignatureTypes(os);

  os << "#define " << prefix << "_ABI_VERSION " << kLoomABIVersion << "\n"
     << "#define " << prefix << "_NUM_INPUTS " << m.inputs.size() << "\n"
     << "#define " << prefix << "_NUM_OUTPUTS " << m.outputs.size() << "\n\n";
  for (auto [i, spec] : llvm::enumerate(m.inputs))
    emitTensorMacros(os, prefix, "Input", i, spec);
  for (auto [i, spec] : llvm::enumerate(m.outputs))
    emitTensorMacros(os, prefix, "Output", i, spec);

  emitRunDeclaration(os, m.runSymbol, m.inputs, m.outputs,
                     m.generate ? "Runs the prefill on the prompt"
                                : "Runs the model on the inputs");
  os << "/* The same for generic hosts: args[0 .. " << prefix
     << "_NUM_INPUTS - 1] point to\n"
     << " * the inputs, the next " << prefix
     << "_NUM_OUTPUTS entries to the outputs. */\n"
     << "int32_t " << m.runPackedSymbol << "(void **args);\n\n"
     << "/* A static description of a code returned by the functions above. "
        "*/\n"
     << "const char *" << m.errorMessageSymbol << "(int32_t code);\n\n"
     << "/* The ABI version of the loaded library; compare with " << prefix
     << "_ABI_VERSION. */\n"
     << "int32_t " << m.abiVersionSymbol << "(void);\n\n"
     << "/* What the macros above say, as data in the library; loaders compare "
        "it\n"
     << " * with manifest.json before they call anything. */\n"
     << "extern const loom_model_signature " << m.signatureSymbol << ";\n\n";
  if (m.generate)
    emitGenerateDeclarations(os, m, prefix);
  os << "#ifdef __cplusplus\n"
     << "} /* extern \"C\" */\n"
     << "#endif\n\n"
     << "#endif /* " << guard << " */\n";
  return text;
}
