/*===- IGemm.c - int8 x int8 -> int32 matrix multiplication ---------------===*
 *
 * The integer products of W8A8 layers (loom-quantize{mode=w8a8} writes an
 * i8 x i8 -> i32 linalg.matmul). Each row of C is accumulated in an int32
 * row buffer: for every k, the row of B (int8) is widened, multiplied by
 * A[i,k] and added, an inner loop over n that the target's vectoriser turns
 * into widening multiply-adds (the library is optimised with the model, for
 * its CPU). Rows are split over the thread pool. Integer sums are exact, so
 * the result does not depend on the order or the split.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

typedef struct {
  int64_t m, n, k;
  const int8_t *a;
  int64_t a_rs, a_cs;
  const int8_t *b;
  int64_t b_rs, b_cs;
  int32_t *c;
  int64_t c_rs, c_cs;
} IGemmJob;

static void igemmRows(void *context, int64_t begin, int64_t end,
                      int32_t worker) {
  (void)worker;
  const IGemmJob *job = (const IGemmJob *)context;
  int64_t n = job->n, k = job->k;
  int32_t *row = (int32_t *)loom_scratch(0, (uint64_t)n * sizeof(int32_t));
  for (int64_t i = begin; i < end; ++i) {
    int32_t *c = job->c + i * job->c_rs;
    if (row) {
      for (int64_t j = 0; j < n; ++j)
        row[j] = c[j * job->c_cs];
    }
    for (int64_t p = 0; p < k; ++p) {
      int32_t a = job->a[i * job->a_rs + p * job->a_cs];
      if (a == 0)
        continue;
      const int8_t *b = job->b + p * job->b_rs;
      if (row && job->b_cs == 1) {
        for (int64_t j = 0; j < n; ++j)
          row[j] += a * (int32_t)b[j];
      } else if (row) {
        for (int64_t j = 0; j < n; ++j)
          row[j] += a * (int32_t)b[j * job->b_cs];
      } else {
        for (int64_t j = 0; j < n; ++j)
          c[j * job->c_cs] += a * (int32_t)b[j * job->b_cs];
      }
    }
    if (row) {
      for (int64_t j = 0; j < n; ++j)
        c[j * job->c_cs] = row[j];
    }
  }
}

void loom_kernel_igemm_s8s32(int64_t batch, int64_t m, int64_t n, int64_t k,
                             const int8_t *a, int64_t a_batch_stride,
                             int64_t a_row_stride, int64_t a_col_stride,
                             const int8_t *b, int64_t b_batch_stride,
                             int64_t b_row_stride, int64_t b_col_stride,
                             int32_t *c, int64_t c_batch_stride,
                             int64_t c_row_stride, int64_t c_col_stride) {
  for (int64_t bi = 0; bi < batch; ++bi) {
    IGemmJob job = {m,
                    n,
                    k,
                    a + bi * a_batch_stride,
                    a_row_stride,
                    a_col_stride,
                    b + bi * b_batch_stride,
                    b_row_stride,
                    b_col_stride,
                    c + bi * c_batch_stride,
                    c_row_stride,
                    c_col_stride};
    // About 64K multiply-adds per chunk.
    int64_t grain = n * k > 0 ? 1 + 65536 / (n * k) : m;
    loom_parallel_for(m, grain, igemmRows, &job);
  }
}
