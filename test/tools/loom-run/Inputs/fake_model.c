/* Libraries that are not what a manifest for model "model" (the model of
 * untrusted-library.test: inputs a f32[2x3], b f32[3]; outputs sum f32[2x3],
 * neg f32[3]) says, built with -D to test the loader's checks:
 *   FUNCTION_SIGNATURE   model_signature is a function, not data
 *   SMALL_SIGNATURE      model_signature is 8 bytes
 *   SIGNATURE_ABI=N      the signature says ABI version N
 *   LIBRARY_ABI=N        model_abi_version() returns N
 *   FOREIGN_NAME         the signature's name points outside the library
 *   FOREIGN_TENSORS      its inputs array points outside the library
 *   FOREIGN_TENSOR_NAME  an input's name points outside the library
 *   SIGNATURE_NAME=S     the signature's model name is S
 *   BAD_RANK             an input has rank 100
 *   DATA_RUN_PACKED      model_run_packed is data, not a function
 *   NO_SIGNATURE         the library defines no model_signature (a
 *                        dependency built with DEPENDENCY does)
 *   NO_RUN_PACKED        the library lacks model_run_packed */
#include <stdint.h>
#include <string.h>

typedef struct {
  const char *name, *c_name, *dtype;
  int64_t rank;
  const int64_t *shape;
} tensor;
typedef struct {
  int32_t abi_version, num_inputs, num_outputs;
  const char *name;
  const tensor *inputs, *outputs;
} signature;

#ifndef SIGNATURE_ABI
#define SIGNATURE_ABI 1
#endif
#ifndef LIBRARY_ABI
#define LIBRARY_ABI 1
#endif
#ifndef SIGNATURE_NAME
#define SIGNATURE_NAME "model"
#endif

#if defined(FUNCTION_SIGNATURE)
int model_signature(void) { return 0; }
#elif defined(SMALL_SIGNATURE)
const char model_signature[8] = "model";
#elif !defined(NO_SIGNATURE) || defined(DEPENDENCY)
static const int64_t s23[] = {2, 3}, s3[] = {3};
static const tensor ins[] = {
#ifdef FOREIGN_TENSOR_NAME
    {(const char *)&strlen, "a", "float32", 2, s23},
#elif defined(BAD_RANK)
    {"a", "a", "float32", 100, s23},
#else
    {"a", "a", "float32", 2, s23},
#endif
    {"b", "b", "float32", 1, s3}};
static const tensor outs[] = {{"sum", "sum", "float32", 2, s23},
                              {"neg", "neg", "float32", 1, s3}};
const signature model_signature = {SIGNATURE_ABI,
                                   2,
                                   2,
#ifdef FOREIGN_NAME
                                   (const char *)&strlen,
#else
                                   SIGNATURE_NAME,
#endif
#ifdef FOREIGN_TENSORS
                                   (const tensor *)&strlen,
#else
                                   ins,
#endif
                                   outs};
#endif

#ifndef DEPENDENCY
int32_t model_run(const float *a, const float *b, float *sum, float *neg) {
  int i;
  for (i = 0; i < 6; ++i)
    sum[i] = a[i] + a[i];
  for (i = 0; i < 3; ++i)
    neg[i] = -b[i];
  return 0;
}
#if defined(DATA_RUN_PACKED)
const int64_t model_run_packed = 0;
#elif !defined(NO_RUN_PACKED)
int32_t model_run_packed(void **args) {
  return model_run(args[0], args[1], args[2], args[3]);
}
#endif
const char *model_error_message(int32_t code) {
  return code ? "unknown loom runtime error" : "no error";
}
int32_t model_abi_version(void) { return LIBRARY_ABI; }
#endif
