/* Calls a `loomc --target=cuda` model twice through model.h (zero inputs;
 * the outputs are not checked: where these tests run there is no GPU) with
 * host buffers, then once with "device" buffers, and prints each return
 * code with its description and the library's last error. */

#include "model.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void *args[MODEL_NUM_INPUTS + MODEL_NUM_OUTPUTS];
  /* Up to four inputs and one output (what the tests compile). */
  int64_t bytes[] = {
      MODEL_INPUT0_BYTES,
#if MODEL_NUM_INPUTS > 1
      MODEL_INPUT1_BYTES,
#endif
#if MODEL_NUM_INPUTS > 2
      MODEL_INPUT2_BYTES,
#endif
#if MODEL_NUM_INPUTS > 3
      MODEL_INPUT3_BYTES,
#endif
      MODEL_OUTPUT0_BYTES,
  };
  if (MODEL_NUM_INPUTS > 4 || MODEL_NUM_OUTPUTS != 1) {
    printf("unsupported model signature\n");
    return 2;
  }
  for (int i = 0; i < MODEL_NUM_INPUTS + MODEL_NUM_OUTPUTS; ++i)
    args[i] = calloc(1, (size_t)bytes[i]);
  for (int call = 0; call < 2; ++call) {
    int32_t code = model_run_packed(args);
    printf("model_run: %d (%s) [%s]\n", code, model_error_message(code),
           model_last_error());
  }
  int32_t code = model_run_device_packed(args, NULL);
  printf("model_run_device: %d (%s) [%s]\n", code, model_error_message(code),
         model_last_error());
  printf("abi %d (header %d)\n", model_abi_version(), MODEL_ABI_VERSION);
  return 0;
}
