/* Drives the runtime core's C API (loom/Runtime/loom_runtime.h) the way an
 * embedding program would: opens OUTDIR, describes its inputs and outputs,
 * fills the float inputs from loom_random with SEED (the stream of loom-run
 * --random-seed), runs, writes output j's bytes to PREFIX<j>.bin, then tries
 * each misuse the API must refuse.
 *
 * Usage: c_api OUTDIR SEED PREFIX */
#include "loom/Runtime/loom_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENSORS 8

static void report(const char *what, loom_status status) {
  printf("%s: %s: %s\n", what, loom_status_string(status),
         status == LOOM_STATUS_OK ? "" : loom_last_error_message());
}

static void describe(const char *kind, size_t i, const loom_tensor_info *t) {
  int64_t d;
  printf("%s %zu: %s %s %s item %lld rank %lld [", kind, i, t->name, t->dtype,
         t->npy_descr, (long long)t->item_size, (long long)t->rank);
  for (d = 0; d < t->rank; ++d)
    printf("%s%lld", d ? "x" : "", (long long)t->shape[d]);
  printf("] %lld elements %lld bytes\n", (long long)t->num_elements,
         (long long)t->byte_size);
}

int main(int argc, char **argv) {
  loom_model *model = NULL;
  loom_tensor_info in_info[MAX_TENSORS], out_info[MAX_TENSORS];
  void *inputs[MAX_TENSORS], *outputs[MAX_TENSORS];
  size_t num_inputs, num_outputs, i;
  loom_random *random;
  loom_status status;
  int32_t code = -1;
  if (argc != 4)
    return 2;

  printf("api %d, abi %d\n", (int)loom_runtime_api_version(),
         (int)loom_runtime_abi_version());
  report("open missing", loom_model_open("/nonexistent/model", &model));
  printf("model after failed open: %s\n", model ? "set" : "NULL");
  report("open NULL", loom_model_open(NULL, &model));
  status = loom_model_open(argv[1], &model);
  report("open", status);
  if (status != LOOM_STATUS_OK)
    return 1;
  num_inputs = loom_model_num_inputs(model);
  num_outputs = loom_model_num_outputs(model);
  printf("model %s: %zu inputs, %zu outputs, library %s\n",
         loom_model_name(model), num_inputs, num_outputs,
         strstr(loom_model_library_path(model), "/model.so") ? "model.so"
                                                             : "?");
  if (num_inputs > MAX_TENSORS || num_outputs > MAX_TENSORS)
    return 1;

  random = loom_random_create(strtoull(argv[2], NULL, 10));
  for (i = 0; i < num_inputs; ++i) {
    loom_model_input_info(model, i, &in_info[i]);
    describe("input", i, &in_info[i]);
    inputs[i] = calloc(1, (size_t)in_info[i].byte_size + 8);
    if (strncmp(in_info[i].dtype, "float", 5) == 0)
      loom_random_fill(random, in_info[i].dtype, inputs[i],
                       in_info[i].num_elements);
  }
  for (i = 0; i < num_outputs; ++i) {
    loom_model_output_info(model, i, &out_info[i]);
    describe("output", i, &out_info[i]);
    outputs[i] = calloc(1, (size_t)out_info[i].byte_size + 8);
  }

  status = loom_model_run(model, (const void *const *)inputs, num_inputs,
                          outputs, num_outputs, &code);
  report("run", status);
  printf("runtime error code: %d\n", (int)code);
  for (i = 0; i < num_outputs; ++i) {
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s%zu.bin", argv[3], i);
    f = fopen(path, "wb");
    if (!f || fwrite(outputs[i], 1, (size_t)out_info[i].byte_size, f) !=
                  (size_t)out_info[i].byte_size)
      return 1;
    fclose(f);
  }

  /* Misuse: each is refused before anything is called. */
  report("input_info out of range",
         loom_model_input_info(model, num_inputs, &in_info[0]));
  report("output_info NULL", loom_model_output_info(model, 0, NULL));
  report("run wrong counts",
         loom_model_run(model, (const void *const *)inputs, num_inputs + 1,
                        outputs, num_outputs, NULL));
  report("run NULL outputs",
         loom_model_run(model, (const void *const *)inputs, num_inputs, NULL,
                        num_outputs, NULL));
  {
    void *saved = inputs[0];
    inputs[0] = NULL;
    report("run NULL input",
           loom_model_run(model, (const void *const *)inputs, num_inputs,
                          outputs, num_outputs, NULL));
    inputs[0] = (char *)saved + 1;
    report("run misaligned input",
           loom_model_run(model, (const void *const *)inputs, num_inputs,
                          outputs, num_outputs, NULL));
    inputs[0] = saved;
  }
  {
    void *saved = outputs[1];
    outputs[1] = (char *)outputs[0] + 4;
    report("run overlapping outputs",
           loom_model_run(model, (const void *const *)inputs, num_inputs,
                          outputs, num_outputs, NULL));
    outputs[1] = inputs[1];
    report("run output over an input",
           loom_model_run(model, (const void *const *)inputs, num_inputs,
                          outputs, num_outputs, NULL));
    outputs[1] = saved;
  }
  {
    /* Inputs may share memory: they are only read. */
    void *saved = inputs[1];
    inputs[1] = inputs[0];
    report("run shared inputs",
           loom_model_run(model, (const void *const *)inputs, num_inputs,
                          outputs, num_outputs, NULL));
    inputs[1] = saved;
  }
  report("random int32", loom_random_fill(random, "int32", inputs[0], 1));
  report("run NULL model", loom_model_run(NULL, NULL, 0, NULL, 0, NULL));
  printf("target: %s\n", loom_model_target(model));
  report("run_device on a cpu model",
         loom_model_run_device(model, (const void *const *)inputs, num_inputs,
                               outputs, num_outputs, NULL, &code));
  report("run_device NULL model",
         loom_model_run_device(NULL, NULL, 0, NULL, 0, NULL, NULL));
  printf("runtime error 1: %s\n", loom_runtime_error_string(1));
  printf("runtime error 99: %s\n", loom_runtime_error_string(99));

  loom_random_destroy(random);
  for (i = 0; i < num_inputs; ++i)
    free(inputs[i]);
  for (i = 0; i < num_outputs; ++i)
    free(outputs[i]);
  loom_model_close(model);
  loom_model_close(NULL);
  return 0;
}
