/* Calls the small model (small_model.py) through the C ABI the way user code
 * would: buffers sized by the header's macros, model_run with typed
 * pointers, then model_run_packed, which must give the same bytes. Writes
 * each output's raw float32 data to OUTDIR/<i>.bin for check_outputs.py. */
#include "model.h"

#include <stdio.h>
#include <string.h>

static float x[MODEL_INPUT0_NUM_ELEMENTS];
static int64_t ids[MODEL_INPUT1_NUM_ELEMENTS] = {7, 0, 3};
static float y[MODEL_OUTPUT0_NUM_ELEMENTS], emb[MODEL_OUTPUT1_NUM_ELEMENTS],
    sum[MODEL_OUTPUT2_NUM_ELEMENTS];
static float y2[MODEL_OUTPUT0_NUM_ELEMENTS], emb2[MODEL_OUTPUT1_NUM_ELEMENTS],
    sum2[MODEL_OUTPUT2_NUM_ELEMENTS];

/* The signature the library exports, as loaders compare it with the
 * manifest: "name: in x float32[2x3x4] ... out ...". */
static void print_signature(const loom_model_signature *s) {
  int i, d, out;
  printf("signature: abi %d, %s:", (int)s->abi_version, s->name);
  for (out = 0; out < 2; ++out) {
    const loom_tensor_signature *t = out ? s->outputs : s->inputs;
    int count = out ? s->num_outputs : s->num_inputs;
    for (i = 0; i < count; ++i) {
      printf(" %s %s (%s) %s[", out ? "out" : "in", t[i].name, t[i].c_name,
             t[i].dtype);
      for (d = 0; d < (int)t[i].rank; ++d)
        printf("%s%lld", d ? "x" : "", (long long)t[i].shape[d]);
      printf("]");
    }
  }
  printf("\n");
}

static int save(const char *dir, int index, const void *data, size_t bytes) {
  char path[4096];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%d.bin", dir, index);
  f = fopen(path, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes)
    return 1;
  return fclose(f) != 0;
}

int main(int argc, char **argv) {
  static const int64_t shape[] = MODEL_OUTPUT0_SHAPE;
  void *args[MODEL_NUM_INPUTS + MODEL_NUM_OUTPUTS];
  int32_t rc, packed_rc;
  int i;
  if (argc != 2)
    return 2;
  /* Keep in sync with small_model.py's c_inputs(). */
  for (i = 0; i < MODEL_INPUT0_NUM_ELEMENTS; ++i)
    x[i] = (float)((i * 37) % 17) / 8.0f - 1.0f;

  printf("abi %d (header %d), %d inputs, %d outputs\n",
         (int)model_abi_version(), MODEL_ABI_VERSION, MODEL_NUM_INPUTS,
         MODEL_NUM_OUTPUTS);
  printf("input 0 %s %s rank %d, output 1 %s, output 0 shape %lldx%lldx%lld\n",
         MODEL_INPUT0_NAME, MODEL_INPUT0_DTYPE, MODEL_INPUT0_RANK,
         MODEL_OUTPUT1_NAME, (long long)shape[0], (long long)shape[1],
         (long long)shape[2]);

  print_signature(&model_signature);

  rc = model_run(x, ids, y, emb, sum);
  printf("model_run: %d (%s)\n", (int)rc, model_error_message(rc));

  args[0] = x;
  args[1] = ids;
  args[2] = y2;
  args[3] = emb2;
  args[4] = sum2;
  packed_rc = model_run_packed(args);
  printf("model_run_packed: %d, same outputs: %s\n", (int)packed_rc,
         memcmp(y, y2, sizeof(y)) == 0 && memcmp(emb, emb2, sizeof(emb)) == 0 &&
                 memcmp(sum, sum2, sizeof(sum)) == 0
             ? "yes"
             : "no");
  printf("unknown code: %s\n", model_error_message(12345));
  if (save(argv[1], 0, y, sizeof(y)) || save(argv[1], 1, emb, sizeof(emb)) ||
      save(argv[1], 2, sum, sizeof(sum)))
    return 3;
  return rc == LOOM_OK && packed_rc == LOOM_OK ? 0 : 1;
}
