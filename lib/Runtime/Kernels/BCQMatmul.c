/*===- BCQMatmul.c - binary-coded (BCQ) weight matmul ----------------------===*
 *
 * loom.bcq_matmul with f32 activations and result:
 * y[m,n] = sum_i sum_G ldexp(sum_{c in G} t[m,i,n,c], e[i,n,G]) where t is
 * the signed sum of the eight activations of byte c of plane i, row n.
 *
 * The vector lanes are LANES consecutive weight rows, each lane doing exactly
 * the additions the op defines, in its order (((0 +- x0) +- x1) ... per byte,
 * bytes in ascending order per group, groups and planes ascending): the
 * result has the reference lowering's bits. A sign flip is an XOR of the
 * activation's sign bit with the complement of the plane bit, so a step is
 * four integer/float vector operations for LANES rows. Threads take panels
 * of LANES rows; a panel's plane bytes are first transposed into per-thread
 * scratch (byte c of every row contiguous) and its exponents widened, then
 * reused for every row of x.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <stdatomic.h>
#include <string.h>

enum { VW = 16, VECTORS = 4, LANES = VW * VECTORS };

typedef float vfloat __attribute__((ext_vector_type(VW), aligned(4)));
typedef int32_t vint __attribute__((ext_vector_type(VW), aligned(4)));
typedef uint32_t vuint __attribute__((ext_vector_type(VW), aligned(4)));
typedef int8_t vbyte __attribute__((ext_vector_type(VW), aligned(1)));

/// Lanes of `a` where `mask` is all ones, else of `b`.
static inline vint select(vint mask, vint a, vint b) {
  return (mask & a) | (~mask & b);
}

/// ldexp(x, p) on f32 bit patterns as the op defines it (the exponent field
/// plus p; zero/subnormal inputs and results below the normal range give
/// signed zero, results above it signed infinity; inf and NaN pass).
static inline vint ldexpBits(vint bits, vint p) {
  vint sign = bits & (vint)(int32_t)0x80000000u;
  vint field = (vint)((vuint)bits >> 23) & 0xff;
  vint newField = field + p;
  vint normal =
      (bits & (vint)(int32_t)0x807fffffu) | (vint)((vuint)newField << 23);
  vint infinity = sign | 0x7f800000;
  vint result = select(newField >= 0xff, infinity, normal);
  result = select((field == 0) | (newField <= 0), sign, result);
  return select(field == 0xff, bits, result);
}

typedef struct {
  int64_t m, n, k, planes, groupSize;
  const float *x;
  int64_t xRow, xCol;
  const int8_t *bits;
  int64_t bPlane, bRow, bCol;
  const int8_t *exponents;
  int64_t ePlane, eRow, eCol;
  float *y;
  int64_t yRow, yCol;
  _Atomic int32_t outOfMemory;
} BCQProblem;

/// Panels [begin, end) of LANES weight rows.
static void bcqPanels(void *context, int64_t begin, int64_t end,
                      int32_t worker) {
  (void)worker;
  BCQProblem *p = (BCQProblem *)context;
  int64_t bytes = p->k / 8, groups = p->k / p->groupSize;
  int64_t bytesPerGroup = p->groupSize / 8;
  // packedBits[(i * bytes + c) * LANES + r], packedExp[(i * groups + G) *
  // LANES + r]; rows past n are zero bits and exponents (not stored).
  int8_t *packedBits = loom_scratch(
      2, (uint64_t)p->planes * (bytes * LANES + groups * LANES * 4));
  if (!packedBits) {
    atomic_store(&p->outOfMemory, 1);
    return;
  }
  int32_t *packedExp =
      (int32_t *)(packedBits + (uint64_t)p->planes * bytes * LANES);
  for (int64_t panel = begin; panel < end; ++panel) {
    int64_t n0 = panel * LANES;
    int64_t rows = p->n - n0 < LANES ? p->n - n0 : LANES;
    for (int64_t i = 0; i < p->planes; ++i) {
      for (int64_t r = 0; r < LANES; ++r) {
        int64_t n = n0 + (r < rows ? r : 0);
        const int8_t *src = p->bits + i * p->bPlane + n * p->bRow;
        const int8_t *e = p->exponents + i * p->ePlane + n * p->eRow;
        for (int64_t c = 0; c < bytes; ++c)
          packedBits[(i * bytes + c) * LANES + r] =
              r < rows ? src[c * p->bCol] : 0;
        for (int64_t g = 0; g < groups; ++g)
          packedExp[(i * groups + g) * LANES + r] =
              r < rows ? e[g * p->eCol] : 0;
      }
    }
    for (int64_t row = 0; row < p->m; ++row) {
      const float *x = p->x + row * p->xRow;
      vfloat y[VECTORS];
      for (int v = 0; v < VECTORS; ++v)
        y[v] = (vfloat)0.0f;
      for (int64_t i = 0; i < p->planes; ++i) {
        for (int64_t g = 0; g < groups; ++g) {
          vfloat partial[VECTORS];
          for (int v = 0; v < VECTORS; ++v)
            partial[v] = (vfloat)0.0f;
          for (int64_t c = g * bytesPerGroup; c < (g + 1) * bytesPerGroup;
               ++c) {
            const int8_t *byteRow = packedBits + (i * bytes + c) * LANES;
            vint cleared[VECTORS]; // bit j set where plane bit j is clear
            vfloat t[VECTORS];
            for (int v = 0; v < VECTORS; ++v) {
              vbyte b;
              memcpy(&b, byteRow + v * VW, sizeof(b));
              cleared[v] = ~__builtin_convertvector(b, vint);
              t[v] = (vfloat)0.0f;
            }
#pragma clang loop unroll(full)
            for (int j = 0; j < 8; ++j) {
              float xj = x[(8 * c + j) * p->xCol];
              int32_t xBits;
              memcpy(&xBits, &xj, sizeof(xBits));
#pragma clang loop unroll(full)
              for (int v = 0; v < VECTORS; ++v) {
                vint flip = (vint)((vuint)cleared[v] << (31 - j)) &
                            (vint)(int32_t)0x80000000u;
                vint term = (vint)xBits ^ flip;
                t[v] = t[v] + (vfloat)term;
              }
            }
            for (int v = 0; v < VECTORS; ++v)
              partial[v] = partial[v] + t[v];
          }
          const int32_t *e = packedExp + (i * groups + g) * LANES;
          for (int v = 0; v < VECTORS; ++v) {
            vint ev;
            memcpy(&ev, e + v * VW, sizeof(ev));
            y[v] = y[v] + (vfloat)ldexpBits((vint)partial[v], ev);
          }
        }
      }
      float out[LANES];
      for (int v = 0; v < VECTORS; ++v)
        memcpy(out + v * VW, &y[v], sizeof(y[v]));
      for (int64_t r = 0; r < rows; ++r)
        p->y[row * p->yRow + (n0 + r) * p->yCol] = out[r];
    }
  }
}

void loom_kernel_bcq_matmul_f32(int64_t m, int64_t n, int64_t k, int64_t planes,
                                int64_t group_size, const float *x,
                                int64_t x_rs, int64_t x_cs, const int8_t *bits,
                                int64_t b_ps, int64_t b_rs, int64_t b_cs,
                                const int8_t *exponents, int64_t e_ps,
                                int64_t e_rs, int64_t e_cs, float *y,
                                int64_t y_rs, int64_t y_cs) {
  if (m <= 0 || n <= 0)
    return;
  BCQProblem p = {.m = m,
                  .n = n,
                  .k = k,
                  .planes = planes,
                  .groupSize = group_size,
                  .x = x,
                  .xRow = x_rs,
                  .xCol = x_cs,
                  .bits = bits,
                  .bPlane = b_ps,
                  .bRow = b_rs,
                  .bCol = b_cs,
                  .exponents = exponents,
                  .ePlane = e_ps,
                  .eRow = e_rs,
                  .eCol = e_cs,
                  .y = y,
                  .yRow = y_rs,
                  .yCol = y_cs};
  int64_t panels = (n + LANES - 1) / LANES;
  // About 4 vector operations per activation and plane for LANES rows.
  int64_t work = 4 * m * k * (planes > 0 ? planes : 1) * LANES / VW + 1;
  int64_t grain = work >= (1 << 20) ? 1 : (1 << 20) / work + 1;
  loom_parallel_for(panels, grain, bcqPanels, &p);
  if (atomic_load(&p.outOfMemory))
    loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
}
