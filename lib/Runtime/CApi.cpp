//===- CApi.cpp - The C API of the Loom runtime ---------------------------===//
//
// loom_runtime.h over CompiledModel. No C++ exception leaves a C function:
// std::bad_alloc becomes LOOM_STATUS_OUT_OF_MEMORY. The last error message is
// thread-local, like errno.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/loom_runtime.h"

#include "loom/Runtime/CompiledModel.h"
#include "loom/Runtime/RunnerSupport.h"
#include "loom/Runtime/RuntimeErrors.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

using namespace mlir;
using namespace mlir::loom;

struct loom_model {
  std::unique_ptr<CompiledModel> model;
};

struct loom_random {
  RandomInputGenerator generator;
};

static thread_local std::string lastError;

static loom_status failWith(loom_status status, std::string message) {
  try {
    lastError = std::move(message);
  } catch (const std::bad_alloc &) {
    lastError.clear();
  }
  return status;
}

static loom_status invalidArgument(const char *function, const char *what) {
  return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                  std::string(function) + ": " + what);
}

static loom_status outOfMemory(const char *function) {
  return failWith(LOOM_STATUS_OUT_OF_MEMORY,
                  std::string(function) + ": out of memory");
}

extern "C" {

int32_t loom_runtime_api_version(void) { return LOOM_RUNTIME_API_VERSION; }

int32_t loom_runtime_abi_version(void) {
  return static_cast<int32_t>(kLoomABIVersion);
}

loom_status loom_model_open(const char *dir, loom_model **model) {
  if (!model)
    return invalidArgument("loom_model_open", "model is NULL");
  *model = nullptr;
  if (!dir)
    return invalidArgument("loom_model_open", "dir is NULL");
  try {
    Result<std::unique_ptr<CompiledModel>> loaded = CompiledModel::load(dir);
    if (!loaded)
      return failWith(LOOM_STATUS_INVALID_MODEL, loaded.message());
    *model = new loom_model{std::move(*loaded)};
    return LOOM_STATUS_OK;
  } catch (const std::bad_alloc &) {
    return outOfMemory("loom_model_open");
  }
}

void loom_model_close(loom_model *model) { delete model; }

const char *loom_model_name(const loom_model *model) {
  return model ? model->model->getManifest().name.c_str() : nullptr;
}

const char *loom_model_library_path(const loom_model *model) {
  return model ? model->model->getLibraryPath().c_str() : nullptr;
}

size_t loom_model_num_inputs(const loom_model *model) {
  return model ? model->model->getManifest().inputs.size() : 0;
}

size_t loom_model_num_outputs(const loom_model *model) {
  return model ? model->model->getManifest().outputs.size() : 0;
}

static loom_status tensorInfo(const char *function, const loom_model *model,
                              bool output, size_t index,
                              loom_tensor_info *info) {
  if (!model || !info)
    return invalidArgument(function, "model or info is NULL");
  const ModelManifest &manifest = model->model->getManifest();
  const std::vector<TensorSpec> &specs =
      output ? manifest.outputs : manifest.inputs;
  if (index >= specs.size())
    return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                    std::string(function) + ": index " + std::to_string(index) +
                        " is out of range (the model "
                        "has " +
                        std::to_string(specs.size()) +
                        (output ? " outputs)" : " inputs)"));
  const TensorSpec &spec = specs[index];
  info->name = spec.name.c_str();
  info->dtype = dtypeNumpyName(spec.dtype);
  info->npy_descr = dtypeDescr(spec.dtype);
  info->item_size = static_cast<int64_t>(dtypeSize(spec.dtype));
  info->rank = static_cast<int64_t>(spec.shape.size());
  info->shape = spec.shape.empty() ? nullptr : spec.shape.data();
  info->num_elements = spec.numElements();
  info->byte_size = spec.byteSize();
  return LOOM_STATUS_OK;
}

loom_status loom_model_input_info(const loom_model *model, size_t index,
                                  loom_tensor_info *info) {
  return tensorInfo("loom_model_input_info", model, /*output=*/false, index,
                    info);
}

loom_status loom_model_output_info(const loom_model *model, size_t index,
                                   loom_tensor_info *info) {
  return tensorInfo("loom_model_output_info", model, /*output=*/true, index,
                    info);
}

const char *loom_model_target(const loom_model *model) {
  return model ? model->model->getManifest().target.c_str() : nullptr;
}

/// Checks the buffers of a run (counts, null pointers, alignment, overlaps)
/// and runs the model on the input, then output, pointers: on host buffers,
/// or (`device`) on device buffers on `stream`. The same checks hold for
/// host and device pointers (device addresses are checked as numbers; the
/// driver's unified addressing keeps them disjoint).
static loom_status runChecked(const char *function, const loom_model *model,
                              const void *const *inputs, size_t num_inputs,
                              void *const *outputs, size_t num_outputs,
                              int32_t *runtime_error, bool device,
                              void *stream) {
  if (runtime_error)
    *runtime_error = 0;
  if (!model)
    return invalidArgument(function, "model is NULL");
  const ModelManifest &manifest = model->model->getManifest();
  try {
    if (num_inputs != manifest.inputs.size() ||
        num_outputs != manifest.outputs.size())
      return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                      std::string(function) + ": the model takes " +
                          std::to_string(manifest.inputs.size()) +
                          " inputs and " +
                          std::to_string(manifest.outputs.size()) +
                          " outputs, not " + std::to_string(num_inputs) +
                          " and " + std::to_string(num_outputs));
    if ((num_inputs && !inputs) || (num_outputs && !outputs))
      return invalidArgument(function, "inputs or outputs is NULL");

    // Every buffer as a byte range, to check pointers and overlaps.
    struct Range {
      uintptr_t begin, end;
      bool output;
      const std::string *name;
    };
    std::vector<Range> ranges;
    std::vector<void *> args;
    for (size_t i = 0; i < num_inputs + num_outputs; ++i) {
      bool output = i >= num_inputs;
      const TensorSpec &spec =
          output ? manifest.outputs[i - num_inputs] : manifest.inputs[i];
      void *pointer =
          output ? outputs[i - num_inputs] : const_cast<void *>(inputs[i]);
      std::string which = (output ? "output '" : "input '") + spec.name + "'";
      if (!pointer && spec.byteSize() > 0)
        return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                        std::string(function) + ": " + which + " is NULL");
      if (reinterpret_cast<uintptr_t>(pointer) % dtypeSize(spec.dtype) != 0)
        return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                        std::string(function) + ": " + which +
                            " is not aligned for " +
                            dtypeNumpyName(spec.dtype));
      uintptr_t begin = reinterpret_cast<uintptr_t>(pointer);
      if (spec.byteSize() > 0)
        ranges.push_back({begin,
                          begin + static_cast<uintptr_t>(spec.byteSize()),
                          output, &spec.name});
      args.push_back(pointer);
    }
    // Outputs may overlap neither each other nor an input (inputs may share
    // memory: they are only read).
    std::sort(ranges.begin(), ranges.end(),
              [](const Range &a, const Range &b) { return a.begin < b.begin; });
    for (size_t i = 0; i + 1 < ranges.size(); ++i) {
      // Every range that starts before ranges[i] ends is an overlap.
      for (size_t j = i + 1;
           j < ranges.size() && ranges[j].begin < ranges[i].end; ++j)
        if (ranges[i].output || ranges[j].output)
          return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                          std::string(function) + ": the buffers of '" +
                              *ranges[i].name + "' and '" + *ranges[j].name +
                              "' overlap (outputs may overlap nothing)");
    }

    int32_t code = device ? model->model->runDevicePacked(args.data(), stream)
                          : model->model->runPacked(args.data());
    if (runtime_error)
      *runtime_error = code;
    if (code != 0)
      return failWith(LOOM_STATUS_RUNTIME_ERROR,
                      "runtime error: " + model->model->describeError(code));
    return LOOM_STATUS_OK;
  } catch (const std::bad_alloc &) {
    return outOfMemory(function);
  }
}

loom_status loom_model_run(const loom_model *model, const void *const *inputs,
                           size_t num_inputs, void *const *outputs,
                           size_t num_outputs, int32_t *runtime_error) {
  return runChecked("loom_model_run", model, inputs, num_inputs, outputs,
                    num_outputs, runtime_error, /*device=*/false,
                    /*stream=*/nullptr);
}

loom_status loom_model_run_device(const loom_model *model,
                                  const void *const *inputs, size_t num_inputs,
                                  void *const *outputs, size_t num_outputs,
                                  void *stream, int32_t *runtime_error) {
  const char *function = "loom_model_run_device";
  if (model && !model->model->hasDeviceEntry()) {
    if (runtime_error)
      *runtime_error = 0;
    return failWith(
        LOOM_STATUS_INVALID_ARGUMENT,
        std::string(function) + ": model '" + model->model->getManifest().name +
            "' is compiled for the '" + model->model->getManifest().target +
            "' target; only 'cuda' models run on device buffers");
  }
  return runChecked(function, model, inputs, num_inputs, outputs, num_outputs,
                    runtime_error, /*device=*/true, stream);
}

loom_status loom_model_generate_info(const loom_model *model,
                                     int64_t *prompt_length, int64_t *vocab,
                                     int64_t *capacity, int64_t *kv_bytes) {
  const char *function = "loom_model_generate_info";
  if (!model)
    return invalidArgument(function, "model is NULL");
  const ModelManifest &m = model->model->getManifest();
  if (!model->model->isGenerate())
    return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                    std::string(function) + ": model '" + m.name +
                        "' was not compiled with loomc --generate");
  if (prompt_length)
    *prompt_length = m.generate->promptLength;
  if (vocab)
    *vocab = m.generate->vocab;
  if (capacity)
    *capacity = m.generate->capacity;
  if (kv_bytes)
    *kv_bytes = m.generate->kvBytes;
  return LOOM_STATUS_OK;
}

loom_status loom_model_generate(const loom_model *model, const int64_t *prompt,
                                size_t prompt_length, size_t count,
                                int64_t *tokens, float *logits,
                                int32_t *runtime_error) {
  const char *function = "loom_model_generate";
  if (runtime_error)
    *runtime_error = 0;
  if (loom_status status =
          loom_model_generate_info(model, nullptr, nullptr, nullptr, nullptr))
    return status;
  const ModelManifest &m = model->model->getManifest();
  if (!prompt || (count && !tokens))
    return invalidArgument(function, "prompt or tokens is NULL");
  if (static_cast<int64_t>(prompt_length) != m.generate->promptLength)
    return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                    std::string(function) + ": the prompt has " +
                        std::to_string(prompt_length) +
                        " tokens but the model's prefill takes " +
                        std::to_string(m.generate->promptLength));
  Result<GenerateResult> result =
      model->model->generateGreedy(prompt, count, tokens, logits);
  if (!result)
    return failWith(LOOM_STATUS_OUT_OF_MEMORY,
                    std::string(function) + ": " + result.message());
  if (result->runtimeError) {
    if (runtime_error)
      *runtime_error = result->runtimeError;
    return failWith(
        LOOM_STATUS_RUNTIME_ERROR,
        std::string(function) + ": " +
            (result->failedStep == 0
                 ? std::string("prefill")
                 : "decode step " + std::to_string(result->failedStep)) +
            ": " + model->model->describeError(result->runtimeError));
  }
  return LOOM_STATUS_OK;
}

const char *loom_last_error_message(void) { return lastError.c_str(); }

const char *loom_status_string(loom_status status) {
  switch (status) {
  case LOOM_STATUS_OK:
    return "ok";
  case LOOM_STATUS_INVALID_ARGUMENT:
    return "invalid argument";
  case LOOM_STATUS_INVALID_MODEL:
    return "invalid model directory";
  case LOOM_STATUS_RUNTIME_ERROR:
    return "run-time error of the model";
  case LOOM_STATUS_OUT_OF_MEMORY:
    return "out of memory";
  }
  return "unknown status";
}

const char *loom_runtime_error_string(int32_t code) {
  return describeRuntimeError(code);
}

loom_random *loom_random_create(uint64_t seed) {
  return new (std::nothrow) loom_random{RandomInputGenerator(seed)};
}

loom_status loom_random_fill(loom_random *random, const char *dtype, void *data,
                             int64_t count) {
  const char *function = "loom_random_fill";
  if (!random || !dtype || (count > 0 && !data) || count < 0)
    return invalidArgument(function, "random, dtype or data is NULL, or the "
                                     "count is negative");
  std::optional<DType> parsed = parseDTypeNumpyName(dtype);
  if (!parsed || !isFloatDType(*parsed))
    return failWith(LOOM_STATUS_INVALID_ARGUMENT,
                    std::string(function) + ": '" + dtype +
                        "' is not float16, float32 or float64");
  random->generator.fill(*parsed, data, count);
  return LOOM_STATUS_OK;
}

void loom_random_destroy(loom_random *random) { delete random; }

} // extern "C"
