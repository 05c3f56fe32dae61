/* One core's fp32 FMA peak: 12 independent 16-wide (AVX-512) or 8-wide (AVX2)
 * FMA chains (two steps each per iteration), enough to cover the FMA latency on two pipes, timed over
 * repeated runs; prints GFLOP/s (2 flops per lane per FMA) of the best run.
 * The ceiling that GEMM results are compared against (PERF.md).
 * Build: cc -O2 -march=x86-64-v4 (or -v3) fma_peak.c -o fma_peak */
#include <stdio.h>
#include <time.h>

#ifdef __AVX512F__
#define W 16
#else
#define W 8
#endif
typedef float vf __attribute__((vector_size(W * 4)));
enum { CHAINS = 24, ITERS = 50000000 }; /* CHAINS: FMAs per iteration */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHAIN_STEP(x) x = x * a + b;
#define TWELVE(M) M(c0) M(c1) M(c2) M(c3) M(c4) M(c5) M(c6) M(c7) M(c8) \
  M(c9) M(c10) M(c11)

int main(void) {
  vf a, b;
  for (int i = 0; i < W; ++i) {
    a[i] = 0.999999f;
    b[i] = 1e-7f;
  }
  vf c0 = a, c1 = a * 2, c2 = a * 3, c3 = a * 4, c4 = a * 5, c5 = a * 6,
     c6 = a * 7, c7 = a * 8, c8 = a * 9, c9 = a * 10, c10 = a * 11,
     c11 = a * 12;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t = now();
    for (long i = 0; i < ITERS; ++i) {
      TWELVE(CHAIN_STEP)
      TWELVE(CHAIN_STEP)
    }
    t = now() - t;
    double gflops = 2.0 * W * CHAINS * ITERS / t * 1e-9;
    if (gflops > best)
      best = gflops;
  }
  vf sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  printf("{\"vector_width\": %d, \"fma_peak_gflops\": %.1f, \"sink\": %g}\n", W,
         best, (double)sum[0]);
  return 0;
}
