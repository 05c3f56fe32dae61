/* Concurrent calls into a model that uses the CPU kernels and their thread
 * pool: one call from the main thread gives the expected output; then
 * kThreads application threads call the model at once, kCalls times each,
 * with their own buffers. The kernels' results do not depend on how the work
 * is split (every element sums in the same order), so every call must match
 * the first bit for bit. Finally the library is unloaded and loaded again
 * (the pool's workers must be joined at dlclose) and called once more. */
#include "par.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kThreads = 4, kCalls = 40 };

static float a[PAR_INPUT0_NUM_ELEMENTS], b[PAR_INPUT1_NUM_ELEMENTS];
static float expected[PAR_OUTPUT0_NUM_ELEMENTS];
static int mismatches[kThreads];

static void *work(void *arg) {
  int id = (int)(intptr_t)arg;
  float *out = malloc(sizeof(expected));
  for (int i = 0; i < kCalls; ++i) {
    memset(out, 0xff, sizeof(expected));
    if (par_run(a, b, out) != LOOM_OK ||
        memcmp(out, expected, sizeof(expected)) != 0)
      ++mismatches[id];
  }
  free(out);
  return NULL;
}

int main(int argc, char **argv) {
  for (int i = 0; i < PAR_INPUT0_NUM_ELEMENTS; ++i)
    a[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
  for (int i = 0; i < PAR_INPUT1_NUM_ELEMENTS; ++i)
    b[i] = (float)((i * 104729) % 1000) / 500.0f - 1.0f;
  if (par_run(a, b, expected) != LOOM_OK)
    return 2;
  pthread_t threads[kThreads];
  int total = 0;
  for (int i = 0; i < kThreads; ++i)
    if (pthread_create(&threads[i], NULL, work, (void *)(intptr_t)i) != 0)
      return 2;
  for (int i = 0; i < kThreads; ++i) {
    pthread_join(threads[i], NULL);
    total += mismatches[i];
  }
  printf("%d threads x %d calls: %d mismatches\n", kThreads, kCalls, total);

  /* Unload and reload through dlopen (argv[1] is the library). */
  int reloads = 0;
  for (int round = 0; round < 3 && argc > 1; ++round) {
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library)
      break;
    int32_t (*run)(const float *, const float *, float *) =
        (int32_t(*)(const float *, const float *, float *))dlsym(library,
                                                                 "par_run");
    float *out = malloc(sizeof(expected));
    if (run && run(a, b, out) == LOOM_OK &&
        memcmp(out, expected, sizeof(expected)) == 0)
      ++reloads;
    free(out);
    dlclose(library);
  }
  printf("dlopen/run/dlclose: %d of 3 ok\n", reloads);
  return total != 0 || reloads != 3;
}
