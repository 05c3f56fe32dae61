/*===- loom_runtime.h - The C API of the Loom runtime --------------*- C -*-===*
 *
 * Opens a model directory that `loomc -o OUTDIR` wrote (--target=cpu or
 * --target=cuda), tells
 * its inputs and outputs, and runs it on the caller's buffers. This is the
 * C API of libLoomRuntimeCore.so, which links neither LLVM nor MLIR (only
 * libc, libdl and the C++ standard library); the Python package `loom`
 * (python/) is a ctypes binding of it.
 *
 * Opening a directory checks it as untrusted input (docs/Runtime.md,
 * "Loading a model directory"): the manifest is parsed strictly, the library
 * must be a regular file in the directory, every entry point must be the
 * model's own symbol, and the signature the library exports must match the
 * manifest before anything of the library is called.
 *
 * Errors: every function that can fail returns a loom_status; the message of
 * the last failure on the calling thread is loom_last_error_message().
 * A model may be run from several threads at once (compiled models keep no
 * state between calls), each call with its own output buffers.
 *
 *   loom_model *model;
 *   if (loom_model_open("out", &model) != LOOM_STATUS_OK) {
 *     fprintf(stderr, "error: %s\n", loom_last_error_message());
 *     return 1;
 *   }
 *   const void *inputs[] = {ids};
 *   void *outputs[] = {logits};
 *   int32_t code;
 *   if (loom_model_run(model, inputs, 1, outputs, 1, &code) != LOOM_STATUS_OK)
 *     fprintf(stderr, "error: %s\n", loom_last_error_message());
 *   loom_model_close(model);
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOOM_RUNTIME_LOOM_RUNTIME_H
#define LOOM_RUNTIME_LOOM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this API (not of the compiled-model ABI). */
#define LOOM_RUNTIME_API_VERSION 3

typedef enum loom_status {
  LOOM_STATUS_OK = 0,
  /* A null pointer, an index out of range, a wrong count, overlapping
   * buffers. */
  LOOM_STATUS_INVALID_ARGUMENT = 1,
  /* loom_model_open: the directory, its manifest or its library is not a
   * valid compiled model. */
  LOOM_STATUS_INVALID_MODEL = 2,
  /* loom_model_run: the model reported a run-time error (its code is stored
   * through `runtime_error`); the outputs are unspecified. */
  LOOM_STATUS_RUNTIME_ERROR = 3,
  LOOM_STATUS_OUT_OF_MEMORY = 4
} loom_status;

typedef struct loom_model loom_model;

/* One input or output. The strings and the shape belong to the model and
 * live until loom_model_close. */
typedef struct loom_tensor_info {
  const char *name;      /* the value name (the ONNX name) */
  const char *dtype;     /* numpy dtype name: "float32", "int64", "bool"... */
  const char *npy_descr; /* its .npy descr: "<f4", "<i8", "|b1"... */
  int64_t item_size;     /* bytes per element */
  int64_t rank;
  const int64_t *shape; /* `rank` sizes (NULL when rank is 0) */
  int64_t num_elements;
  int64_t byte_size; /* num_elements * item_size */
} loom_tensor_info;

/* The API version of the loaded runtime library: LOOM_RUNTIME_API_VERSION. */
int32_t loom_runtime_api_version(void);

/* The compiled-model ABI version the runtime loads (docs/Runtime.md). */
int32_t loom_runtime_abi_version(void);

/* Opens the model directory `dir`; on success *model is the model, to be
 * closed with loom_model_close. */
loom_status loom_model_open(const char *dir, loom_model **model);

/* Unloads the model (NULL is ignored). No call may be running on it. */
void loom_model_close(loom_model *model);

/* The model's name (the symbol prefix of its library). */
const char *loom_model_name(const loom_model *model);
/* The absolute path of its library. */
const char *loom_model_library_path(const loom_model *model);

size_t loom_model_num_inputs(const loom_model *model);
size_t loom_model_num_outputs(const loom_model *model);
loom_status loom_model_input_info(const loom_model *model, size_t index,
                                  loom_tensor_info *info);
loom_status loom_model_output_info(const loom_model *model, size_t index,
                                   loom_tensor_info *info);

/* Runs the model. inputs[i] points to input i (read only), outputs[j] to a
 * buffer for output j, each dense, row-major, of byte_size bytes and
 * aligned for its element type; outputs may not overlap each other or an
 * input. Returns LOOM_STATUS_OK, LOOM_STATUS_INVALID_ARGUMENT (nothing was
 * called), or LOOM_STATUS_RUNTIME_ERROR with the model's code in
 * *runtime_error (which may be NULL; it is set to 0 on success). */
loom_status loom_model_run(const loom_model *model, const void *const *inputs,
                           size_t num_inputs, void *const *outputs,
                           size_t num_outputs, int32_t *runtime_error);

/* The target the model was compiled for: "cpu" or "cuda". A cuda model's
 * loom_model_run takes host buffers and copies them to and from the GPU; its
 * loom_model_run_device takes GPU buffers. */
const char *loom_model_target(const loom_model *model);

/* Runs a cuda model on device buffers: inputs[i] and outputs[j] are CUDA
 * device pointers (CUdeviceptr values) laid out as for loom_model_run, and
 * `stream` a CUstream of the current (or primary) context, NULL for the
 * default stream. The call enqueues the model's work on `stream` and returns
 * without waiting (except where the model reads a GPU value on the host);
 * kernel faults show when the caller synchronises. API version 2.
 * LOOM_STATUS_INVALID_ARGUMENT for a cpu model. */
loom_status loom_model_run_device(const loom_model *model,
                                  const void *const *inputs, size_t num_inputs,
                                  void *const *outputs, size_t num_outputs,
                                  void *stream, int32_t *runtime_error);

/* The message of the last failure of a loom_* call on this thread ("" when
 * none failed yet). Valid until the next failing call on this thread. */
/* A `loomc --generate` model (docs/loomc.md): its prompt length, vocabulary
 * size, KV cache capacity and KV bytes (one set of cache buffers), each
 * pointer may be NULL. LOOM_STATUS_INVALID_ARGUMENT for other models. */
loom_status loom_model_generate_info(const loom_model *model,
                                     int64_t *prompt_length, int64_t *vocab,
                                     int64_t *capacity, int64_t *kv_bytes);

/* Greedy generation with a `loomc --generate` model: prefills `prompt`
 * (prompt_length token ids, which must be the model's) and writes `count`
 * new tokens to `tokens`, the first chosen from the prefill's last logits
 * row, each other from a decode step fed the previous token; `logits` (NULL,
 * or count x vocab floats) receives each token's row. A cache object of its
 * own per call, so calls may run concurrently. LOOM_STATUS_RUNTIME_ERROR with
 * the library's code in *runtime_error (e.g. the KV cache is full: capacity
 * - prompt_length + 1 tokens fit), and the tokens before the failing step
 * written. */
loom_status loom_model_generate(const loom_model *model, const int64_t *prompt,
                                size_t prompt_length, size_t count,
                                int64_t *tokens, float *logits,
                                int32_t *runtime_error);

const char *loom_last_error_message(void);

/* A static description of a status, and of a model's run-time error code
 * (LOOM_ERROR_* in the model header). */
const char *loom_status_string(loom_status status);
const char *loom_runtime_error_string(int32_t code);

/* Deterministic test data: the uniform [-1, 1) stream `loom-run
 * --random-seed SEED` fills float inputs with. A generator fills arrays one
 * after the other from one stream, as loom-run does for the inputs it was
 * not given. */
typedef struct loom_random loom_random;
loom_random *loom_random_create(uint64_t seed);
/* Fills `count` elements of the float dtype `dtype` ("float16", "float32" or
 * "float64") at `data`. */
loom_status loom_random_fill(loom_random *random, const char *dtype, void *data,
                             int64_t count);
void loom_random_destroy(loom_random *random);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LOOM_RUNTIME_LOOM_RUNTIME_H */
