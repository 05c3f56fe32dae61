/* The run-time error slot is per call and per thread: the decode model fails
 * exactly when asked for more steps than its KV cache holds, so a failing
 * call followed by a good one must return LOOM_OK, and threads that
 * interleave failing and good calls must each see their own outcome. */
#include "decode.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

enum { kThreads = 4, kCalls = 500 };

static float k[DECODE_INPUT1_NUM_ELEMENTS];
static int failures[kThreads];

static int call(int64_t steps) {
  int64_t length = -1;
  int32_t rc = decode_run(&steps, k, &length);
  if (steps > 4)
    return rc == LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED;
  return rc == LOOM_OK && length == steps;
}

static void *work(void *arg) {
  int id = (int)(intptr_t)arg;
  int i;
  for (i = 0; i < kCalls; ++i)
    if (!call((i + id) % 2 ? 6 : 3))
      ++failures[id];
  return NULL;
}

int main(void) {
  pthread_t threads[kThreads];
  int i, total = 0;
  printf("6 steps: %s\n", call(6) ? "error as expected" : "WRONG");
  printf("then 3 steps: %s\n", call(3) ? "ok" : "WRONG");
  for (i = 0; i < kThreads; ++i)
    if (pthread_create(&threads[i], NULL, work, (void *)(intptr_t)i) != 0)
      return 2;
  for (i = 0; i < kThreads; ++i) {
    pthread_join(threads[i], NULL);
    total += failures[i];
  }
  printf("%d threads x %d calls: %d wrong results\n", kThreads, kCalls, total);
  return total != 0;
}
