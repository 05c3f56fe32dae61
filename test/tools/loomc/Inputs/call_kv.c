/* Two compiled models in one process: "bad" appends past its KV cache's
 * capacity, "fits" does not. Each library records run-time errors in its own
 * thread-local slot, so bad's error must not leak into fits, and every call
 * reports its own outcome. */
#include "bad.h"
#include "fits.h"

#include <stdio.h>

static float k1[BAD_INPUT0_NUM_ELEMENTS], v1[BAD_INPUT1_NUM_ELEMENTS],
    k2[BAD_INPUT2_NUM_ELEMENTS], v2[BAD_INPUT3_NUM_ELEMENTS];

int main(void) {
  int64_t length = -1;
  int round;
  for (round = 0; round < 2; ++round) {
    int32_t rc = bad_run(k1, v1, k2, v2, &length);
    printf("bad_run: %d %s (%s)\n", (int)rc,
           rc == LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED ? "capacity" : "other",
           bad_error_message(rc));
    length = -1;
    rc = fits_run(k1, v1, k2, v2, &length);
    printf("fits_run: %d (%s), length %lld\n", (int)rc, fits_error_message(rc),
           (long long)length);
  }
  return 0;
}
