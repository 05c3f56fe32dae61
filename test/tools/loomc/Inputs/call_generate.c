/* The cache API of a `loomc --generate` library from user code (model.h):
 * greedy generation from the prompt 1 2 3 4 until the cache is full, two
 * cache objects interleaved (one per sequence: they must not share state),
 * and the argument checks, each of which must leave the cache unchanged.
 * Prints the generated tokens for comparison with loom-run's tokens.npy. */
#include "model.h"

#include <stdio.h>
#include <string.h>

static const int64_t prompt[MODEL_PROMPT_LENGTH] = {1, 2, 3, 4};
static float prefill_logits[MODEL_PROMPT_LENGTH * MODEL_VOCAB_SIZE];
static float logits[MODEL_VOCAB_SIZE], logits2[MODEL_VOCAB_SIZE];

static int64_t argmax(const float *row) {
  int64_t best = 0, i;
  for (i = 1; i < MODEL_VOCAB_SIZE; ++i)
    if (row[i] > row[best])
      best = i;
  return best;
}

int main(void) {
  model_cache *a = model_cache_create(), *b = model_cache_create();
  int64_t token, token2, position;
  int32_t rc;
  int same = 1;
  printf("prompt %d, capacity %d, vocab %d, layers %d, kv bytes %d, object "
         "bytes %d\n",
         MODEL_PROMPT_LENGTH, MODEL_KV_CAPACITY, MODEL_VOCAB_SIZE,
         MODEL_NUM_LAYERS, MODEL_KV_CACHE_BYTES, MODEL_CACHE_OBJECT_BYTES);
  printf("decode step: %d inputs, %d outputs, input 2 %s, output 1 %s\n",
         (int)model_decode_step_signature.num_inputs,
         (int)model_decode_step_signature.num_outputs,
         model_decode_step_signature.inputs[2].name,
         model_decode_step_signature.outputs[1].name);
  if (!a || !b)
    return 1;
  model_cache_free(NULL);

  rc = model_generate_step(a, 1, MODEL_PROMPT_LENGTH, logits);
  printf("step before prefill: %s\n",
         rc == LOOM_ERROR_INVALID_ARGUMENT ? "invalid argument" : "WRONG");
  rc = model_generate_prefill(a, NULL, prefill_logits);
  printf("prefill without tokens: %s\n",
         rc == LOOM_ERROR_INVALID_ARGUMENT ? "invalid argument" : "WRONG");

  rc = model_generate_prefill(a, prompt, prefill_logits);
  rc |= model_generate_prefill(b, prompt, prefill_logits);
  printf("prefill: %s\n", model_error_message(rc));
  token = argmax(prefill_logits + (MODEL_PROMPT_LENGTH - 1) * MODEL_VOCAB_SIZE);
  printf("tokens: %lld", (long long)token);
  token2 = token;
  for (position = MODEL_PROMPT_LENGTH;; ++position) {
    /* Refused arguments change nothing. */
    if (model_generate_step(a, MODEL_VOCAB_SIZE, position, logits) !=
            LOOM_ERROR_INVALID_ARGUMENT ||
        model_generate_step(a, token, -1, logits) !=
            LOOM_ERROR_INVALID_ARGUMENT ||
        model_generate_step(a, token, position, NULL) !=
            LOOM_ERROR_INVALID_ARGUMENT)
      printf(" WRONG");
    rc = model_generate_step(a, token, position, logits);
    if (rc != LOOM_OK)
      break;
    token = argmax(logits);
    printf(" %lld", (long long)token);
    /* The second sequence, interleaved, follows the same path. */
    if (model_generate_step(b, token2, position, logits2) != LOOM_OK)
      same = 0;
    token2 = argmax(logits2);
    same &= memcmp(logits, logits2, sizeof(logits)) == 0;
  }
  printf("\nstopped at position %lld: %s\n", (long long)position,
         model_error_message(rc));
  printf("two caches agree: %s\n", same ? "yes" : "NO");
  model_cache_free(a);
  model_cache_free(b);
  return 0;
}
