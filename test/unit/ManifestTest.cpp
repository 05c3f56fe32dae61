//===- ManifestTest.cpp - Unit tests of the manifest.json validator -------===//
//
// A manifest printManifest wrote parses back; one edit per rule of
// parseManifest (Manifest.h) is refused with a message naming the field.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Manifest.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

using namespace mlir::loom;

namespace {

ModelManifest makeManifest() {
  ModelManifest m;
  m.name = "model";
  setDerivedNames(m);
  m.source = "m.onnx";
  m.function = "main";
  m.triple = "x86_64-pc-linux-gnu";
  m.cpu = "generic";
  TensorSpec ids;
  ids.name = "input_ids";
  ids.cName = "input_ids";
  ids.dtype = DType::I64;
  ids.shape = {1, 4};
  TensorSpec logits;
  logits.name = "logits/0";
  logits.cName = "logits_0";
  logits.dtype = DType::F32;
  logits.shape = {1, 4, 8};
  m.inputs = {ids};
  m.outputs = {logits};
  return m;
}

/// printManifest's text with the first occurrence of `from` replaced.
std::string edited(const std::string &from, const std::string &to) {
  std::string text = printManifest(makeManifest());
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

void expectError(const std::string &text, const std::string &needle) {
  Result<ModelManifest> m = parseManifest(text, "m.json");
  ASSERT_FALSE(m.ok()) << "accepted: " << needle;
  EXPECT_EQ(m.message(), "m.json: " + needle);
}

TEST(Manifest, RoundTrips) {
  ModelManifest original = makeManifest();
  Result<ModelManifest> m = parseManifest(printManifest(original), "m.json");
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->name, "model");
  EXPECT_EQ(m->signatureSymbol, "model_signature");
  ASSERT_EQ(m->inputs.size(), 1u);
  EXPECT_EQ(m->inputs[0].shape, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(m->inputs[0].dtype, DType::I64);
  EXPECT_EQ(m->outputs[0].name, "logits/0");
  EXPECT_EQ(m->outputs[0].byteSize(), 128);
}

TEST(Manifest, ChecksTheVersionFirst) {
  expectError(edited("\"abi_version\": 1", "\"abi_version\": 2"),
              "ABI version 2 is not supported (this build supports version "
              "1); recompile with loomc");
  // Other keys of another version are not looked at.
  expectError("{\"abi_version\": 7, \"whatever\": []}",
              "ABI version 7 is not supported (this build supports version "
              "1); recompile with loomc");
  expectError("{\"name\": \"x\"}", "'abi_version' is missing");
  expectError(edited("\"abi_version\": 1", "\"abi_version\": 1.0"),
              "'abi_version' must be an integer");
  expectError("[]", "expected a JSON object");
}

TEST(Manifest, RefusesBadJson) {
  expectError(edited("{", "{\"name\": \"x\", "),
              "not valid JSON: line 4, column 3: duplicate key 'name'");
  std::string text = printManifest(makeManifest());
  expectError(text.substr(0, text.size() / 2),
              "not valid JSON: line 22, column 31: unterminated string");
  // A manifest nests four deep; eight levels are allowed, not more.
  expectError(edited("\"source\": \"m.onnx\"", "\"source\": [[[[[[[[1]]]]]]]]"),
              "not valid JSON: line 5, column 20: arrays and objects nest "
              "deeper than 8 levels");
}

TEST(Manifest, RefusesUnknownAndMissingKeys) {
  expectError(edited("\"generator\"", "\"extra\": 1, \"generator\""),
              "'extra' is not a key of the ABI version 1 manifest");
  expectError(edited("\"kind\"", "\"fast\": true, \"kind\""),
              "'target.fast' is not a key of the ABI version 1 manifest");
  expectError(edited("\"library\"", "\"weights\": \"w.bin\", \"library\""),
              "'files.weights' is not a key of the ABI version 1 manifest");
  expectError(edited("\"run\":", "\"init\": \"model_init\", \"run\":"),
              "'entry_points.init' is not a key of the ABI version 1 "
              "manifest");
  expectError(edited("\"c_name\": \"logits_0\"",
                     "\"c_name\": \"logits_0\", \"layout\": \"nchw\""),
              "'outputs[0].layout' is not a key of the ABI version 1 "
              "manifest");
  expectError(edited(",\n      \"npy_descr\": \"<i8\"", ""),
              "'inputs[0].npy_descr' is missing");
  expectError(edited(",\n    \"signature\": \"model_signature\"", ""),
              "'entry_points.signature' is missing");
  expectError(edited("\"target\": {", "\"target\": 3, \"x\": {"),
              "'target' must be an object");
  expectError(edited("\"source\": \"m.onnx\"", "\"source\": 1"),
              "'source' must be a string");
  expectError(edited("\"inputs\": [", "\"inputs\": {}, \"x\": ["),
              "'inputs' must be an array");
}

TEST(Manifest, ChecksValues) {
  expectError(edited("\"generator\": \"loomc\"", "\"generator\": \"other\""),
              "'generator' is 'other', expected 'loomc'");
  expectError(edited("\"kind\": \"cpu\"", "\"kind\": \"gpu\""),
              "target 'gpu' cannot be run by this runtime (expected 'cpu' or "
              "'cuda')");
  expectError(edited("\"opt_level\": 3", "\"opt_level\": 4"),
              "'target.opt_level' must be between 0 and 3");
  expectError(edited("\"name\": \"model\"", "\"name\": \"int\""),
              "'name' must be a C identifier");
  expectError(
      edited("\"library\": \"model.so\"", "\"library\": \"../x/model.so\""),
      "'files.library' must be a file name in the model directory");
  expectError(edited("\"mlir\": \"model.mlir\"", "\"mlir\": \"..\""),
              "'files.mlir' must be a file name in the model directory");
  // Entry points are the model's own symbols, nothing else in the process.
  expectError(edited("\"run_packed\": \"model_run_packed\"",
                     "\"run_packed\": \"system\""),
              "'entry_points.run_packed' is 'system' but must be the model's "
              "own 'model_run_packed'");
  expectError(edited("\"name\": \"model\"", "\"name\": \"other\""),
              "'entry_points.run' is 'model_run' but must be the model's own "
              "'other_run'");
}

/// A `cuda` target's manifest: the common part, then the "cuda" object
/// loomc --target=cuda adds (the kernel list abridged).
std::string cudaManifest(const std::string &cuda) {
  std::string text = edited("\"kind\": \"cpu\"", "\"kind\": \"cuda\"");
  size_t end = text.rfind('}');
  return text.substr(0, end) + ", \"cuda\": " + cuda + "}";
}

const char *const kCUDASection =
    "{\"entry_points\": {\"last_error\": \"model_last_error\", "
    "\"run_device\": \"model_run_device\", "
    "\"run_device_packed\": \"model_run_device_packed\"}, "
    "\"gpu_arch\": \"sm_90\", \"kernels\": [{\"name\": \"k\", "
    "\"grid\": [1, 1, 1]}], \"kernels_header\": \"kernels.h\", "
    "\"weights\": {\"bytes\": 0, \"count\": 0}}";

TEST(Manifest, CUDASection) {
  Result<ModelManifest> m = parseManifest(cudaManifest(kCUDASection), "m.json");
  ASSERT_TRUE(m.ok()) << m.message();
  ASSERT_TRUE(m->cuda.has_value());
  EXPECT_EQ(m->cuda->gpuArch, "sm_90");
  EXPECT_EQ(m->cuda->runDeviceSymbol, "model_run_device");
  EXPECT_EQ(m->cuda->lastErrorSymbol, "model_last_error");
  // A cpu manifest has no "cuda" object; a cuda one needs it.
  Result<ModelManifest> cpu = parseManifest(
      printManifest(makeManifest())
              .substr(0, printManifest(makeManifest()).rfind('}')) +
          ", \"cuda\": " + kCUDASection + "}",
      "m.json");
  ASSERT_FALSE(cpu.ok());
  EXPECT_EQ(cpu.message(),
            "m.json: 'cuda' is not a key of the ABI version 1 manifest");
  expectError(edited("\"kind\": \"cpu\"", "\"kind\": \"cuda\""),
              "'cuda' is missing");
  std::string section = kCUDASection;
  auto with = [&](const std::string &from, const std::string &to) {
    std::string text = section;
    text.replace(text.find(from), from.size(), to);
    return cudaManifest(text);
  };
  expectError(with("\"model_run_device\"", "\"system\""),
              "'cuda.entry_points.run_device' is 'system' but must be the "
              "model's own 'model_run_device'");
  expectError(with("\"kernels.h\"", "\"../kernels.h\""),
              "'cuda.kernels_header' must be a file name in the model "
              "directory");
  expectError(with("\"gpu_arch\": \"sm_90\"", "\"gpu_arch\": \"\""),
              "'cuda.gpu_arch' must be a non-empty string without NUL "
              "characters");
  expectError(with("\"weights\"", "\"extra\": 1, \"weights\""),
              "'cuda.extra' is not a key of the ABI version 1 manifest");
  // Optional members: cuda_graph (a boolean) and dtype (f32, f16, bf16).
  EXPECT_FALSE(m->cuda->cudaGraph);
  EXPECT_EQ(m->cuda->dtype, "f32");
  Result<ModelManifest> half = parseManifest(
      with("\"weights\"",
           "\"cuda_graph\": true, \"dtype\": \"bf16\", \"weights\""),
      "m.json");
  ASSERT_TRUE(half.ok()) << half.message();
  EXPECT_TRUE(half->cuda->cudaGraph);
  EXPECT_EQ(half->cuda->dtype, "bf16");
  expectError(with("\"weights\"", "\"dtype\": \"f64\", \"weights\""),
              "'cuda.dtype' must be f32, f16 or bf16");
  expectError(with("\"weights\"", "\"cuda_graph\": 1, \"weights\""),
              "'cuda.cuda_graph' must be true or false");
}

TEST(Manifest, ChecksTensors) {
  expectError(edited("\"dtype\": \"int64\"", "\"dtype\": \"complex64\""),
              "'inputs[0].dtype' 'complex64' is not a dtype the ABI supports");
  expectError(edited("\"npy_descr\": \"<i8\"", "\"npy_descr\": \"<i4\""),
              "'inputs[0].npy_descr' '<i4' does not match dtype 'int64' "
              "(expected '<i8')");
  expectError(edited("\"byte_size\": 32", "\"byte_size\": 33"),
              "'inputs[0].byte_size' 33 does not match shape and dtype (32 "
              "bytes)");
  expectError(edited("\"byte_size\": 32", "\"byte_size\": -1"),
              "'inputs[0].byte_size' must be between 0 and "
              "9223372036854775807");
  expectError(edited("1,\n        4\n", "1,\n        -4\n"),
              "'inputs[0].shape' must be an array of non-negative integers");
  expectError(edited("1,\n        4\n", "1,\n        4.0\n"),
              "'inputs[0].shape' must be an array of non-negative integers");
  expectError(edited("1,\n        4\n", "1048576,\n        1048577\n"),
              "'inputs[0].shape' is too large (more than 2^40 elements)");
  std::string rank65 = "[";
  for (int i = 0; i < 65; ++i)
    rank65 += i ? ",1" : "1";
  expectError(edited("[\n        1,\n        4\n      ]", rank65 + "]"),
              "'inputs[0].shape' has more than 64 dimensions");
  expectError(edited("\"name\": \"input_ids\"", "\"name\": \"\""),
              "'inputs[0].name' must be a non-empty string without NUL "
              "characters");
  expectError(edited("\"name\": \"input_ids\"", "\"name\": \"a\\u0000b\""),
              "'inputs[0].name' must be a non-empty string without NUL "
              "characters");
  expectError(edited("\"c_name\": \"input_ids\"", "\"c_name\": \"1x\""),
              "'inputs[0].c_name' must be a C identifier");
  expectError(edited("\"c_name\": \"logits_0\"", "\"c_name\": \"input_ids\""),
              "'outputs[0].c_name' 'input_ids' names two parameters of the "
              "run function");
  expectError(edited("\"inputs\": [", "\"inputs\": [1, "),
              "'inputs[0]' must be an object");
  expectError(edited("\"outputs\": [", "\"outputs\": {\"a\": ["),
              "not valid JSON: line 53, column 1: expected ',' or '}' in an "
              "object");
  // At most kMaxModelTensors inputs (the text stays under the size limit).
  ModelManifest many = makeManifest();
  many.inputs.resize(kMaxModelTensors + 1, many.inputs[0]);
  expectError(printManifest(many), "'inputs' has more than 65536 entries");
  // Names are unique within the inputs and within the outputs.
  ModelManifest twice = makeManifest();
  twice.inputs.push_back(twice.inputs[0]);
  twice.inputs[1].cName = "other";
  expectError(printManifest(twice),
              "'inputs[1].name' 'input_ids' appears twice in 'inputs'");
}

TEST(Manifest, ReadsRegularFilesOnly) {
  Result<ModelManifest> m = readManifestFile(::testing::TempDir());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("cannot read: not a regular file"),
            std::string::npos)
      << m.message();
  // A file over the size limit is refused before it is read.
  std::string big = ::testing::TempDir() + "loom_big_manifest.json";
  FILE *file = std::fopen(big.c_str(), "w");
  ASSERT_TRUE(file);
  ASSERT_EQ(::ftruncate(fileno(file), kMaxManifestBytes + 1), 0);
  std::fclose(file);
  m = readManifestFile(big);
  std::remove(big.c_str());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.message(), big + ": 16777217 bytes is larger than the 16777216 "
                               "bytes a manifest may have");
  m = readManifestFile("/nonexistent/manifest.json");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("cannot read: No such file or directory"),
            std::string::npos)
      << m.message();
}

TEST(Manifest, CIdentifiers) {
  EXPECT_TRUE(isValidCIdentifier("model_1"));
  EXPECT_TRUE(isValidCIdentifier("_x"));
  EXPECT_FALSE(isValidCIdentifier(""));
  EXPECT_FALSE(isValidCIdentifier("1x"));
  EXPECT_FALSE(isValidCIdentifier("a-b"));
  EXPECT_FALSE(isValidCIdentifier("while"));
  EXPECT_FALSE(isValidCIdentifier("_Bool"));
}

} // namespace

namespace {
/// A --generate manifest: prompt 4, vocabulary 8, one layer, capacity 6.
ModelManifest makeGenerateManifest() {
  ModelManifest m = makeManifest();
  m.function = "prefill";
  m.generate.emplace();
  setGenerateNames(m);
  ModelManifest::GenerateSection &g = *m.generate;
  g.function = "decode_step";
  g.promptLength = 4;
  g.capacity = 6;
  g.cacheEntries = 6;
  g.vocab = 8;
  g.layers = 1;
  auto spec = [](std::string name, DType dtype, std::vector<int64_t> shape) {
    TensorSpec t;
    t.cName = name;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    return t;
  };
  std::vector<TensorSpec> parts = {spec("keys", DType::F32, {1, 2, 6, 4}),
                                   spec("values", DType::F32, {1, 2, 6, 4}),
                                   spec("positions", DType::I64, {1, 2, 6}),
                                   spec("length", DType::I64, {1}),
                                   spec("next", DType::I64, {1})};
  g.inputs = {spec("token", DType::I64, {1, 1}),
              spec("position", DType::I64, {1})};
  g.outputs = {spec("logits", DType::F32, {1, 1, 8})};
  for (int64_t i = 0; i < 5; ++i) {
    TensorSpec in = parts[i], out = parts[i];
    out.name = "new_" + out.name;
    out.cName = out.name;
    m.outputs.push_back(parts[i]);
    g.inputs.push_back(in);
    g.outputs.push_back(out);
    g.cacheParts.push_back({0, parts[i].name, 1 + i, 2 + i, 1 + i});
    g.kvBytes += parts[i].byteSize();
  }
  return m;
}
} // namespace

TEST(Manifest, GenerateSection) {
  ModelManifest original = makeGenerateManifest();
  std::string text = printManifest(original);
  Result<ModelManifest> m = parseManifest(text, "m.json");
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->runSymbol, "model_prefill");
  EXPECT_EQ(m->signatureSymbol, "model_prefill_signature");
  ASSERT_TRUE(m->generate.has_value());
  EXPECT_EQ(m->generate->runPackedSymbol, "model_decode_step_packed");
  EXPECT_EQ(m->generate->stepSymbol, "model_generate_step");
  EXPECT_EQ(m->generate->kvBytes, 192 + 192 + 96 + 8 + 8);
  EXPECT_EQ(m->generate->cacheParts[4].part, "next");
  EXPECT_EQ(m->generate->inputs.size(), 7u);
  EXPECT_EQ(printManifest(*m), text);

  auto replaced = [&](const std::string &from, const std::string &to) {
    std::string copy = text;
    size_t at = copy.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
      copy.replace(at, from.size(), to);
    return copy;
  };
  expectError(replaced("\"cache_entries\": 6", "\"cache_entries\": 5"),
              "'generate' does not describe its entries: cache part 0 (keys) "
              "is not [B, H, cache_entries, D]");
  expectError(replaced("\"capacity\": 6", "\"capacity\": 5"),
              "'generate.cache_entries' must not exceed the capacity");
  expectError(replaced("\"vocab\": 8", "\"vocab\": 9"),
              "'generate' does not describe its entries: the prefill's first "
              "output must be the 1x4x9 float32 logits");
  expectError(replaced("\"layers\": 1", "\"layers\": 2"),
              "'generate.cache_parts' must cover layers 0 to 1");
  expectError(replaced("\"part\": \"values\"", "\"part\": \"keys\""),
              "'generate.cache_parts[1].part' must be a non-empty name, once "
              "per layer");
  expectError(replaced("\"layer\": 0", "\"layer\": 1"),
              "'generate.cache_parts[0].layer' must be 0 (layers in order "
              "from 0)");
  expectError(replaced("\"step_input\": 2", "\"step_input\": 3"),
              "'generate.cache_parts[0].part' is not at prefill output 1, "
              "step input 2, step output 1");
  // Without the section the prefill's symbols are not the model's own.
  ModelManifest plain = original;
  plain.generate.reset();
  expectError(printManifest(plain),
              "'entry_points.run' is 'model_prefill' but must be the model's "
              "own 'model_run'");
}
