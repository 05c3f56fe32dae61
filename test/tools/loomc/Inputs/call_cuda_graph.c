/* Calls a `loomc --target=cuda --cuda-graph` model (one input, one output)
 * on "device" buffers five times: buffers A three times, B, then A again,
 * printing each return code (test/tools/loomc/cuda-graph.test). */

#include "model.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void *a[2], *b[2];
  a[0] = calloc(1, MODEL_INPUT0_BYTES);
  a[1] = calloc(1, MODEL_OUTPUT0_BYTES);
  b[0] = calloc(1, MODEL_INPUT0_BYTES);
  b[1] = calloc(1, MODEL_OUTPUT0_BYTES);
  void **calls[] = {a, a, a, b, a};
  for (int i = 0; i < 5; ++i) {
    int32_t code = model_run_device_packed(calls[i], NULL);
    printf("call %d: %d (%s) [%s]\n", i + 1, code, model_error_message(code),
           model_last_error());
  }
  return 0;
}
