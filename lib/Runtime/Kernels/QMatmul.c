/*===- QMatmul.c - int8 / int4 weight-only quantized matmul ---------------===*
 *
 * loom.qmatmul with f32 activations and result: y = x W^T with
 * W[n,k] = (q[n,k] - z[n,G]) * s[n,G], reading the packed weights and never
 * a full dequantized copy of W.
 *
 *  - Few rows of x (decode, M <= SMALL_M): a streaming matrix-vector product.
 *    Threads take blocks of weight rows; each weight byte is read once per
 *    call (the M rows of x reuse it from L1), converted to f32 in registers
 *    and multiplied with x, four weight rows at a time so that four FMA
 *    chains run at once. The scale is applied once per group to the group's
 *    vector of partial sums (so the sum is reassociated: results match the
 *    reference within rounding, not bit for bit). For int4 the activations
 *    are split into even and odd columns once per call, so that the low and
 *    high nibbles of a byte vector multiply contiguous vectors without a
 *    shuffle.
 *  - More rows: y^T = W x^T on the f32 GEMM's register tile. x^T is packed
 *    once (up to M_CHUNK register-tile widths of x rows at a time) as the
 *    GEMM's B. Threads take blocks of PANEL_ROWS weight rows; each block
 *    dequantizes KC columns at a time into a per-thread row-major panel (the
 *    GEMM's A: plain vector stores, no transposition), which the register
 *    tile multiplies with every panel of x^T into a per-thread y^T tile,
 *    transposed into y once per block. Each dequantized value is reused M
 *    times and the dequantized weight never exceeds one panel per thread.
 *
 * int4 with an odd group size (a byte straddles two groups) takes a plain
 * scalar loop; convert-loom-quant-to-cpu-kernels does not produce that case.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <stdatomic.h>
#include <string.h>

enum { VW = 16, GEMV_ROWS = 4, SMALL_M = 4, GEMV_BLOCK = 32 };
// PANEL_ROWS is a multiple of both register-tile heights (12 and 6).
enum { PANEL_ROWS = 48, KC = LOOM_GEMM_KC, M_CHUNK = 8 };

typedef float vfloat __attribute__((ext_vector_type(VW), aligned(4)));
typedef int8_t vbyte __attribute__((ext_vector_type(VW), aligned(1)));

static inline vfloat loadFloats(const float *p) {
  vfloat v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/// VW bytes from p with element stride `stride` (1 in the common case).
static inline vbyte loadBytes(const int8_t *p, int64_t stride) {
  vbyte v;
  if (stride == 1) {
    memcpy(&v, p, sizeof(v));
    return v;
  }
  for (int i = 0; i < VW; ++i)
    v[i] = p[i * stride];
  return v;
}

static inline float horizontalSum(vfloat v) {
  float sum = 0.0f;
  for (int i = 0; i < VW; ++i)
    sum += v[i];
  return sum;
}

/// Signed value of nibble `index & 1` of `byte` (low nibble first).
static inline int32_t nibble(int8_t byte, int64_t index) {
  return (index & 1) ? (int8_t)byte >> 4 : (int8_t)(byte << 4) >> 4;
}

typedef struct {
  int64_t m, n, k, bits, groupSize, groups;
  const float *x;
  int64_t xRow, xCol;
  const int8_t *w;
  int64_t wRow, wCol;
  const float *scales;
  int64_t sRow, sCol;
  const int8_t *zeros; // null: symmetric
  int64_t zRow, zCol;
  float *y;
  int64_t yRow, yCol;
  // Small M: x rows copied contiguously (int4: even columns, then odd ones).
  const float *xPrepared;
  // Larger M: rows [chunkM0, chunkM0 + chunkRows) of x, transposed and
  // packed as the GEMM's B with chunkCols (chunkRows rounded up to NR)
  // columns.
  const float *xPacked;
  int64_t chunkM0, chunkRows, chunkCols;
  _Atomic int32_t outOfMemory;
} QMatmulProblem;

/// q[n,k] as an integer.
static inline int32_t weightAt(const QMatmulProblem *p, int64_t n, int64_t k) {
  if (p->bits == 8)
    return p->w[n * p->wRow + k * p->wCol];
  return nibble(p->w[n * p->wRow + (k / 2) * p->wCol], k);
}

/// W[n,k] in f32, as the op defines it.
static inline float dequantized(const QMatmulProblem *p, int64_t n, int64_t k) {
  int64_t g = k / p->groupSize;
  float value = (float)weightAt(p, n, k);
  if (p->zeros)
    value = value - (float)p->zeros[n * p->zRow + g * p->zCol];
  return value * p->scales[n * p->sRow + g * p->sCol];
}

/// Rows [begin, end) of y, plain loops: the int4 case with odd groups.
static void scalarRows(void *context, int64_t begin, int64_t end,
                       int32_t worker) {
  (void)worker;
  const QMatmulProblem *p = (const QMatmulProblem *)context;
  for (int64_t n = begin; n < end; ++n)
    for (int64_t i = 0; i < p->m; ++i) {
      float sum = 0.0f;
      for (int64_t k = 0; k < p->k; ++k)
        sum += p->x[i * p->xRow + k * p->xCol] * dequantized(p, n, k);
      p->y[i * p->yRow + n * p->yCol] = sum;
    }
}

/// dot[r] += x[b .. b + VW) * (q[n_r, b .. b + VW) - z_r) for the
/// GEMV_ROWS weight rows (int4: byte b holds columns 2b and 2b + 1, which
/// multiply x's even and odd columns x[b] and xo[b]).
static inline __attribute__((always_inline)) void
gemvStep(vfloat dot[GEMV_ROWS], const int8_t *const w[GEMV_ROWS], int64_t wCol,
         int64_t b, const float *x, const float *xo,
         const vfloat zero[GEMV_ROWS], int hasZeros, int int4) {
  vfloat xv = loadFloats(x + b);
  vfloat xov = int4 ? loadFloats(xo + b) : xv;
#pragma clang loop unroll(full)
  for (int r = 0; r < GEMV_ROWS; ++r) {
    vbyte bytes = loadBytes(w[r] + b * wCol, wCol);
    if (!int4) {
      vfloat q = __builtin_convertvector(bytes, vfloat);
      if (hasZeros)
        q = q - zero[r];
      dot[r] = xv * q + dot[r];
    } else {
      vfloat lo = __builtin_convertvector((vbyte)(bytes << 4) >> 4, vfloat);
      vfloat hi = __builtin_convertvector(bytes >> 4, vfloat);
      if (hasZeros) {
        lo = lo - zero[r];
        hi = hi - zero[r];
      }
      dot[r] = xv * lo + dot[r];
      dot[r] = xov * hi + dot[r];
    }
  }
}

/// y[i, n0 .. n0 + GEMV_ROWS) for x row i: four dot products sharing the
/// activation loads; each group's vector sums are scaled once. Rows past
/// `rows` repeat the last row and are not stored.
static inline __attribute__((always_inline)) void
gemvRows(const QMatmulProblem *p, int64_t i, int64_t n0, int64_t rows,
         int hasZeros, int int4, int contiguous) {
  int64_t wCol = contiguous ? 1 : p->wCol;
  const int8_t *w[GEMV_ROWS];
  int64_t n[GEMV_ROWS];
  for (int r = 0; r < GEMV_ROWS; ++r) {
    n[r] = n0 + (r < rows ? r : rows - 1);
    w[r] = p->w + n[r] * p->wRow;
  }
  // int4: byte b holds columns 2b and 2b + 1; xe/xo are x's even/odd columns.
  const float *x = p->xPrepared + i * p->k;
  const float *xo = x + p->k / 2;
  int64_t step = int4 ? p->groupSize / 2 : p->groupSize; // bytes per group
  vfloat acc[GEMV_ROWS];
  float tail[GEMV_ROWS];
  for (int r = 0; r < GEMV_ROWS; ++r) {
    acc[r] = (vfloat)0.0f;
    tail[r] = 0.0f;
  }
  for (int64_t g = 0; g < p->groups; ++g) {
    int64_t b0 = g * step, b1 = b0 + step, b = b0;
    vfloat dot[GEMV_ROWS], zero[GEMV_ROWS];
    for (int r = 0; r < GEMV_ROWS; ++r) {
      dot[r] = (vfloat)0.0f;
      zero[r] = hasZeros ? (vfloat)(float)p->zeros[n[r] * p->zRow + g * p->zCol]
                         : (vfloat)0.0f;
    }
    for (; b + VW <= b1; b += VW)
      gemvStep(dot, w, wCol, b, x, xo, zero, hasZeros, int4);
    for (int r = 0; r < GEMV_ROWS; ++r) {
      float s = p->scales[n[r] * p->sRow + g * p->sCol];
      float z = zero[r][0], rest = 0.0f;
      for (int64_t c = b; c < b1; ++c) {
        int8_t byte = w[r][c * wCol];
        if (!int4) {
          rest += x[c] * ((float)byte - z);
        } else {
          rest += x[c] * ((float)nibble(byte, 0) - z);
          rest += xo[c] * ((float)nibble(byte, 1) - z);
        }
      }
      acc[r] = (vfloat)s * dot[r] + acc[r];
      tail[r] += s * rest;
    }
  }
  for (int r = 0; r < rows; ++r)
    p->y[i * p->yRow + n[r] * p->yCol] = horizontalSum(acc[r]) + tail[r];
}

/// Streaming path: weight rows [begin, end) of GEMV_BLOCK rows each block.
static void gemvBlocks(void *context, int64_t begin, int64_t end,
                       int32_t worker) {
  (void)worker;
  const QMatmulProblem *p = (const QMatmulProblem *)context;
  int hasZeros = p->zeros != 0, int4 = p->bits == 4;
  int64_t last = end * GEMV_BLOCK < p->n ? end * GEMV_BLOCK : p->n;
  for (int64_t n0 = begin * GEMV_BLOCK; n0 < last; n0 += GEMV_ROWS) {
    int64_t rows = last - n0 < GEMV_ROWS ? last - n0 : GEMV_ROWS;
    // Every x row while these weight rows are in L1; constant flags so that
    // each combination gets its own loop (only the common contiguous-weight
    // case is unswitched: -O2 does not unswitch the stride itself).
    for (int64_t i = 0; i < p->m; ++i) {
      if (p->wCol != 1)
        gemvRows(p, i, n0, rows, hasZeros, int4, 0);
      else if (int4)
        hasZeros ? gemvRows(p, i, n0, rows, 1, 1, 1)
                 : gemvRows(p, i, n0, rows, 0, 1, 1);
      else
        hasZeros ? gemvRows(p, i, n0, rows, 1, 0, 1)
                 : gemvRows(p, i, n0, rows, 0, 0, 1);
    }
  }
}

/// out[k] = (q[k * stride] - z) * s for whole vectors of k in [k, end);
/// returns the first k it did not write.
static inline __attribute__((always_inline)) int64_t
dequantizeBytes(const int8_t *q, int64_t stride, int64_t k, int64_t end,
                float z, float s, float *out) {
  for (; k + VW <= end; k += VW) {
    vfloat v =
        __builtin_convertvector(loadBytes(q + k * stride, stride), vfloat);
    vfloat d = (v - (vfloat)z) * (vfloat)s;
    memcpy(out + k, &d, sizeof(d));
  }
  return k;
}

/// Dequantizes W[n0 .. n0 + rows, k0 .. k0 + kc) into `panel`, row r at
/// panel + r * KC (the GEMM's row-major A); rows [rows, PANEL_ROWS) are zero.
static void dequantizePanel(const QMatmulProblem *p, int64_t n0, int64_t rows,
                            int64_t k0, int64_t kc, float *restrict panel) {
  for (int64_t r = 0; r < rows; ++r) {
    int64_t n = n0 + r;
    float *row = panel + r * KC - k0;
    int64_t k = k0;
    while (k < k0 + kc) {
      int64_t g = k / p->groupSize;
      int64_t end =
          (g + 1) * p->groupSize < k0 + kc ? (g + 1) * p->groupSize : k0 + kc;
      float s = p->scales[n * p->sRow + g * p->sCol];
      float z = p->zeros ? (float)p->zeros[n * p->zRow + g * p->zCol] : 0.0f;
      if (p->bits == 8) {
        const int8_t *q = p->w + n * p->wRow;
        // The contiguous case unswitched by hand: -O2 does not unswitch a
        // condition inside the loop body.
        k = p->wCol == 1 ? dequantizeBytes(q, 1, k, end, z, s, row)
                         : dequantizeBytes(q, p->wCol, k, end, z, s, row);
      }
      for (; k < end; ++k)
        row[k] = ((float)weightAt(p, n, k) - z) * s;
    }
  }
  for (int64_t r = rows; r < PANEL_ROWS; ++r)
    memset(panel + r * KC, 0, (size_t)kc * sizeof(float));
}

/// Panel path, first step: x rows [chunkM0, chunkM0 + chunkRows) transposed
/// and packed once as the GEMM's B (x^T, NR columns of x rows per panel), KC
/// slices [begin, end) of the reduction (slice s at chunkCols * s * KC).
static void packActivationSlices(void *context, int64_t begin, int64_t end,
                                 int32_t worker) {
  (void)worker;
  const QMatmulProblem *p = (const QMatmulProblem *)context;
  for (int64_t slice = begin; slice < end; ++slice) {
    int64_t k0 = slice * KC;
    int64_t kc = p->k - k0 < KC ? p->k - k0 : KC;
    loom_gemm_pack_b(kc, p->chunkRows,
                     p->x + p->chunkM0 * p->xRow + k0 * p->xCol, p->xCol,
                     p->xRow, (float *)p->xPacked + p->chunkCols * k0);
  }
}

/// Panel path: blocks [begin, end) of PANEL_ROWS weight rows. Each block
/// dequantizes one KC slice at a time into a per-thread panel, multiplies it
/// by the packed x^T into a per-thread y^T tile (the GEMM's full register
/// tiles, contiguous stores), and finally transposes the tile into y.
static void panelBlocks(void *context, int64_t begin, int64_t end,
                        int32_t worker) {
  (void)worker;
  QMatmulProblem *p = (QMatmulProblem *)context;
  int64_t cols = p->chunkCols;
  float *panel =
      loom_scratch(2, (uint64_t)(KC + cols) * PANEL_ROWS * sizeof(float));
  if (!panel) {
    atomic_store(&p->outOfMemory, 1);
    return;
  }
  float *tile = panel + KC * PANEL_ROWS; // y^T: PANEL_ROWS x cols
  for (int64_t block = begin; block < end; ++block) {
    int64_t n0 = block * PANEL_ROWS;
    int64_t rows = p->n - n0 < PANEL_ROWS ? p->n - n0 : PANEL_ROWS;
    memset(tile, 0, (size_t)(PANEL_ROWS * cols) * sizeof(float));
    for (int64_t k0 = 0; k0 < p->k; k0 += KC) {
      int64_t kc = p->k - k0 < KC ? p->k - k0 : KC;
      dequantizePanel(p, n0, rows, k0, kc, panel);
      loom_gemm_rows_by_packed_b(PANEL_ROWS, cols, kc, panel,
                                 p->xPacked + cols * k0, tile, cols);
    }
    float *y = p->y + p->chunkM0 * p->yRow + n0 * p->yCol;
    for (int64_t i = 0; i < p->chunkRows; ++i)
      for (int64_t r = 0; r < rows; ++r)
        y[i * p->yRow + r * p->yCol] = tile[r * cols + i];
  }
}

/// Copies x for the streaming path: contiguous rows, int4 as the even
/// columns followed by the odd ones.
static void prepareActivations(const QMatmulProblem *p, float *prepared) {
  for (int64_t i = 0; i < p->m; ++i) {
    float *row = prepared + i * p->k;
    const float *x = p->x + i * p->xRow;
    if (p->bits == 8) {
      for (int64_t k = 0; k < p->k; ++k)
        row[k] = x[k * p->xCol];
    } else {
      int64_t half = p->k / 2;
      for (int64_t j = 0; j < half; ++j) {
        row[j] = x[2 * j * p->xCol];
        row[half + j] = x[(2 * j + 1) * p->xCol];
      }
    }
  }
}

/// Chunks of at least ~1 MFLOP are worth a thread.
static int64_t grainFor(int64_t flopsPerItem) {
  return flopsPerItem >= (1 << 20) ? 1 : (1 << 20) / flopsPerItem + 1;
}

void loom_kernel_qmatmul_f32(int64_t m, int64_t n, int64_t k, int32_t bits,
                             int64_t group_size, const float *x, int64_t x_rs,
                             int64_t x_cs, const int8_t *w, int64_t w_rs,
                             int64_t w_cs, const float *scales, int64_t s_rs,
                             int64_t s_cs, const int8_t *zero_points,
                             int64_t z_rs, int64_t z_cs, float *y, int64_t y_rs,
                             int64_t y_cs) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0 || group_size <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        y[i * y_rs + j * y_cs] = 0.0f;
    return;
  }
  QMatmulProblem p = {.m = m,
                      .n = n,
                      .k = k,
                      .bits = bits,
                      .groupSize = group_size,
                      .groups = k / group_size,
                      .x = x,
                      .xRow = x_rs,
                      .xCol = x_cs,
                      .w = w,
                      .wRow = w_rs,
                      .wCol = w_cs,
                      .scales = scales,
                      .sRow = s_rs,
                      .sCol = s_cs,
                      .zeros = zero_points,
                      .zRow = z_rs,
                      .zCol = z_cs,
                      .y = y,
                      .yRow = y_rs,
                      .yCol = y_cs};
  if (bits == 4 && group_size % 2 != 0) {
    loom_parallel_for(n, grainFor(2 * m * k), scalarRows, &p);
    return;
  }
  if (m <= SMALL_M) {
    float *prepared = loom_scratch(3, (uint64_t)m * k * sizeof(float));
    if (!prepared) {
      loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
      return;
    }
    prepareActivations(&p, prepared);
    p.xPrepared = prepared;
    int64_t blocks = (n + GEMV_BLOCK - 1) / GEMV_BLOCK;
    loom_parallel_for(blocks, grainFor(2 * m * k * GEMV_BLOCK), gemvBlocks, &p);
    return;
  }
  // Chunks of M_CHUNK register-tile columns' worth of x rows: each packed
  // once and multiplied with every dequantized weight panel.
  int64_t nr = loom_gemm_nr(), chunk = M_CHUNK * nr;
  int64_t paddedChunk = m < chunk ? (m + nr - 1) / nr * nr : chunk;
  float *packed = loom_scratch(3, (uint64_t)paddedChunk * k * sizeof(float));
  if (!packed) {
    loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
    return;
  }
  p.xPacked = packed;
  int64_t slices = (k + KC - 1) / KC;
  int64_t blocks = (n + PANEL_ROWS - 1) / PANEL_ROWS;
  for (int64_t m0 = 0; m0 < m; m0 += chunk) {
    p.chunkM0 = m0;
    p.chunkRows = m - m0 < chunk ? m - m0 : chunk;
    p.chunkCols = (p.chunkRows + nr - 1) / nr * nr;
    loom_parallel_for(slices, grainFor(p.chunkRows * KC * 16),
                      packActivationSlices, &p);
    loom_parallel_for(blocks, grainFor(2 * p.chunkRows * k * PANEL_ROWS),
                      panelBlocks, &p);
    if (atomic_load(&p.outOfMemory)) {
      loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
      return;
    }
  }
}
