/*===- Gemm.c - f32 matrix multiplication for the fast CPU path ----------===*
 *
 * C[b] += A[b] * B[b] with any strides, in the structure of BLIS/GotoBLAS:
 * the output is cut into one rectangular region per thread; within a region,
 * for each NC-column block and KC slice of the reduction, B is packed into
 * NR-column panels, then for each MC-row block A is packed into MR-row panels
 * (contiguous, zero padded), and a register-tiled microkernel multiplies one
 * MR x NR tile from them. Packing makes every operand layout (transposed,
 * broadcast, sliced) run at the speed of the contiguous one.
 *
 * The register tile is MR rows by NR = 2 * LOOM_GEMM_VW columns held in
 * `ext_vector_type` accumulators. The build compiles this file twice, with
 * LOOM_GEMM_VW = 16 (one AVX-512 register per vector, MR = 12: 24 of the 32
 * registers hold accumulators) and 8 (one AVX2
 * register, MR = 6: 12 accumulators of the 16 AVX2 registers); loomc links the
 * one that fits the target CPU. Matrix-vector products (one row of A) stream B
 * once without packing, since packing would read it twice.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#ifndef LOOM_GEMM_VW
#define LOOM_GEMM_VW 8
#endif

#if LOOM_GEMM_VW == 16
#define MR 12
#else
#define MR 6
#endif
#define VW LOOM_GEMM_VW
#define NR (2 * VW)

enum { KC = LOOM_GEMM_KC, MC = MR * 16, NC_MAX = NR * 16 };

typedef float vfloat __attribute__((ext_vector_type(VW), aligned(4)));

static inline vfloat loadVector(const float *p) {
  vfloat v;
  memcpy(&v, p, sizeof(v));
  return v;
}

static inline void storeVector(float *p, vfloat v) { memcpy(p, &v, sizeof(v)); }

/// Multiplies an MR x kc panel of A by a kc x NR panel of B and adds the rows
/// < `rows` and columns < `cols` of the product to C. Element (i, p) of the A
/// panel is a[i * aRow + p * aCol] (packed: aRow = 1, aCol = MR; in place:
/// A's own strides); row p of the B panel starts at b + p * bRow (packed:
/// bRow = NR; in place: B's row stride, its columns being contiguous).
static inline __attribute__((always_inline)) void
microkernel(int64_t kc, const float *restrict a, int64_t aRow, int64_t aCol,
            const float *restrict b, int64_t bRow, float *restrict c,
            int64_t rowStride, int64_t colStride, int64_t rows, int64_t cols) {
  vfloat acc[MR][2];
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; ++i)
    acc[i][0] = acc[i][1] = (vfloat)0.0f;
  for (int64_t p = 0; p < kc; ++p) {
    vfloat b0 = loadVector(b), b1 = loadVector(b + VW);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
      vfloat ai = (vfloat)a[i * aRow];
      acc[i][0] = ai * b0 + acc[i][0];
      acc[i][1] = ai * b1 + acc[i][1];
    }
    a += aCol;
    b += bRow;
  }
  if (rows == MR && cols == NR && colStride == 1) {
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
      float *row = c + i * rowStride;
      storeVector(row, loadVector(row) + acc[i][0]);
      storeVector(row + VW, loadVector(row + VW) + acc[i][1]);
    }
    return;
  }
  float tile[MR][NR];
  for (int i = 0; i < MR; ++i) {
    storeVector(tile[i], acc[i][0]);
    storeVector(tile[i] + VW, acc[i][1]);
  }
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      c[i * rowStride + j * colStride] += tile[i][j];
}

/// The microkernel on packed panels: with the strides constant, every load
/// of the inner loop is a fixed displacement from two moving pointers.
static void microkernelPacked(int64_t kc, const float *restrict a,
                              const float *restrict b, float *restrict c,
                              int64_t rowStride, int64_t colStride,
                              int64_t rows, int64_t cols) {
  microkernel(kc, a, 1, MR, b, NR, c, rowStride, colStride, rows, cols);
}

/// The microkernel reading A and/or B in place (small problems).
static void microkernelInPlace(int64_t kc, const float *restrict a,
                               int64_t aRow, int64_t aCol,
                               const float *restrict b, int64_t bRow,
                               float *restrict c, int64_t rowStride,
                               int64_t colStride, int64_t rows, int64_t cols) {
  microkernel(kc, a, aRow, aCol, b, bRow, c, rowStride, colStride, rows, cols);
}

/// Packs rows [0, rows) x columns [0, kc) of A into MR-row panels, each
/// column of a panel MR consecutive floats, zero padded to whole panels.
static void packA(int64_t rows, int64_t kc, const float *a, int64_t rowStride,
                  int64_t colStride, float *restrict packed) {
  for (int64_t i0 = 0; i0 < rows; i0 += MR) {
    int64_t panelRows = rows - i0 < MR ? rows - i0 : MR;
    for (int64_t p = 0; p < kc; ++p) {
      const float *src = a + i0 * rowStride + p * colStride;
      int64_t i = 0;
      for (; i < panelRows; ++i)
        packed[i] = src[i * rowStride];
      for (; i < MR; ++i)
        packed[i] = 0.0f;
      packed += MR;
    }
  }
}

/// Packs rows [0, kc) x columns [0, cols) of B into NR-column panels, each
/// row of a panel NR consecutive floats, zero padded to whole panels.
static void packB(int64_t kc, int64_t cols, const float *b, int64_t rowStride,
                  int64_t colStride, float *restrict packed) {
  for (int64_t j0 = 0; j0 < cols; j0 += NR) {
    int64_t panelCols = cols - j0 < NR ? cols - j0 : NR;
    for (int64_t p = 0; p < kc; ++p) {
      const float *src = b + p * rowStride + j0 * colStride;
      int64_t j = 0;
      if (colStride == 1)
        for (; j < panelCols; ++j)
          packed[j] = src[j];
      else
        for (; j < panelCols; ++j)
          packed[j] = src[j * colStride];
      for (; j < NR; ++j)
        packed[j] = 0.0f;
      packed += NR;
    }
  }
}

typedef struct {
  int64_t m, n, k;
  const float *a, *b;
  float *c;
  int64_t aBatch, aRow, aCol, bBatch, bRow, bCol, cBatch, cRow, cCol;
  // The output of each batch is cut into a gridM x gridN grid of regions, one
  // parallel task each; regionM and regionN are whole register tiles.
  int64_t gridM, gridN, regionM, regionN;
  // GEMV: columns per task.
  int64_t nc;
  // Small problems read A and B in place: packing would cost as much as the
  // multiplication saves (each panel is reused only a few times).
  int directA, directB;
  _Atomic int32_t outOfMemory; // set by a worker that could not allocate
} GemmProblem;

/// C[rows, cols] += A[rows, kc] * B[kc, cols] for one KC slice of a block,
/// B already packed (or read in place when g->directB): A is packed here (or
/// read in place), then each NR-column panel of B stays in L1 while every
/// MR-row panel of A streams past it from L2.
static void macroKernel(const GemmProblem *g, int64_t rows, int64_t cols,
                        int64_t kc, const float *aSlice, const float *bSlice,
                        const float *bPacked, float *c, float *packedA,
                        float *packedB) {
  if (!g->directA)
    packA(rows, kc, aSlice, g->aRow, g->aCol, packedA);
  for (int64_t j = 0; j < cols; j += NR) {
    int64_t panelCols = cols - j < NR ? cols - j : NR;
    // Only whole panels are read in place; an edge panel is packed.
    int inPlaceB = g->directB && panelCols == NR;
    if (g->directB && !inPlaceB)
      packB(kc, panelCols, bSlice + j, g->bRow, 1, packedB);
    const float *bPanel =
        inPlaceB ? bSlice + j : (g->directB ? packedB : bPacked + j * kc);
    int64_t bRow = inPlaceB ? g->bRow : NR;
    for (int64_t i = 0; i < rows; i += MR) {
      int64_t panelRows = rows - i < MR ? rows - i : MR;
      const float *aPanel;
      int64_t aRow, aCol;
      if (g->directA && panelRows == MR) {
        aPanel = aSlice + i * g->aRow;
        aRow = g->aRow;
        aCol = 1;
      } else {
        if (g->directA)
          packA(panelRows, kc, aSlice + i * g->aRow, g->aRow, 1, packedA);
        aPanel = packedA + (g->directA ? 0 : i * kc);
        aRow = 1;
        aCol = MR;
      }
      float *cTile = c + i * g->cRow + j * g->cCol;
      if (aRow == 1 && aCol == MR && bRow == NR)
        microkernelPacked(kc, aPanel, bPanel, cTile, g->cRow, g->cCol,
                          panelRows, panelCols);
      else
        microkernelInPlace(kc, aPanel, aRow, aCol, bPanel, bRow, cTile, g->cRow,
                           g->cCol, panelRows, panelCols);
    }
  }
}

/// Computes regions [begin, end) of the output, numbered batch-major, then
/// grid row, then grid column. Within a region the loops are BLIS's: NC
/// columns at a time, KC slices of the reduction (B packed once per slice),
/// MC rows at a time (A packed once per slice), then the macro-kernel. One
/// region per thread packs each part of A and B only as often as its own
/// columns and rows need it.
static void gemmRegions(void *context, int64_t begin, int64_t end,
                        int32_t worker) {
  (void)worker;
  GemmProblem *g = (GemmProblem *)context;
  int64_t kcMax = g->k < KC ? g->k : KC;
  float *packedA = loom_scratch(0, (uint64_t)(MC + MR) * kcMax * sizeof(float));
  float *packedB = loom_scratch(1, (uint64_t)(g->directB ? NR : NC_MAX) *
                                       kcMax * sizeof(float));
  if (!packedA || !packedB) {
    atomic_store(&g->outOfMemory, 1);
    return;
  }
  int64_t perBatch = g->gridM * g->gridN;
  for (int64_t region = begin; region < end; ++region) {
    int64_t batch = region / perBatch;
    int64_t r0 = (region % perBatch) / g->gridN * g->regionM;
    int64_t c0 = region % g->gridN * g->regionN;
    int64_t r1 = r0 + g->regionM < g->m ? r0 + g->regionM : g->m;
    int64_t c1 = c0 + g->regionN < g->n ? c0 + g->regionN : g->n;
    const float *a = g->a + batch * g->aBatch;
    const float *b = g->b + batch * g->bBatch;
    float *c = g->c + batch * g->cBatch;
    for (int64_t j0 = c0; j0 < c1; j0 += NC_MAX) {
      int64_t cols = c1 - j0 < NC_MAX ? c1 - j0 : NC_MAX;
      for (int64_t p0 = 0; p0 < g->k; p0 += KC) {
        int64_t kc = g->k - p0 < KC ? g->k - p0 : KC;
        const float *bSlice = b + p0 * g->bRow + j0 * g->bCol;
        if (!g->directB)
          packB(kc, cols, bSlice, g->bRow, g->bCol, packedB);
        for (int64_t i0 = r0; i0 < r1; i0 += MC) {
          int64_t rows = r1 - i0 < MC ? r1 - i0 : MC;
          macroKernel(g, rows, cols, kc, a + i0 * g->aRow + p0 * g->aCol,
                      bSlice, packedB, c + i0 * g->cRow + j0 * g->cCol, packedA,
                      packedB);
        }
      }
    }
  }
}

enum { GEMV_MAX_COLUMNS = 2048, GEMV_MIN_COLUMNS = 256 };

/// One row of A times B with unit column stride: C[j] += sum_p A[p] B[p, j]
/// over column blocks [begin, end) of g->nc columns (every batch). B streams
/// through in row segments of up to 8 KiB, eight rows per pass over the
/// accumulators, which stay in L1; the sum still runs over ascending p.
static void gemvBlocks(void *context, int64_t begin, int64_t end,
                       int32_t worker) {
  (void)worker;
  const GemmProblem *g = (const GemmProblem *)context;
  int64_t perBatch = (g->n + g->nc - 1) / g->nc;
  for (int64_t block = begin; block < end; ++block) {
    int64_t batch = block / perBatch;
    int64_t j0 = (block % perBatch) * g->nc;
    int64_t cols = g->n - j0 < g->nc ? g->n - j0 : g->nc;
    const float *a = g->a + batch * g->aBatch;
    const float *b = g->b + batch * g->bBatch + j0;
    float acc[GEMV_MAX_COLUMNS];
    for (int64_t j = 0; j < cols; ++j)
      acc[j] = 0.0f;
    int64_t p = 0;
    for (; p + 8 <= g->k; p += 8) {
      float w[8];
      const float *restrict r[8];
      for (int i = 0; i < 8; ++i) {
        w[i] = a[(p + i) * g->aCol];
        r[i] = b + (p + i) * g->bRow;
      }
      for (int64_t j = 0; j < cols; ++j) {
        float sum = acc[j];
#pragma clang loop unroll(full)
        for (int i = 0; i < 8; ++i)
          sum = sum + w[i] * r[i][j];
        acc[j] = sum;
      }
    }
    for (; p < g->k; ++p) {
      float ap = a[p * g->aCol];
      const float *restrict row = b + p * g->bRow;
      for (int64_t j = 0; j < cols; ++j)
        acc[j] += ap * row[j];
    }
    float *c = g->c + batch * g->cBatch + j0 * g->cCol;
    for (int64_t j = 0; j < cols; ++j)
      c[j * g->cCol] += acc[j];
  }
}

int64_t loom_gemm_mr(void) { return MR; }
int64_t loom_gemm_nr(void) { return NR; }

void loom_gemm_pack_b(int64_t kc, int64_t cols, const float *b,
                      int64_t row_stride, int64_t col_stride, float *packed) {
  packB(kc, cols, b, row_stride, col_stride, packed);
}

void loom_gemm_rows_by_packed_b(int64_t rows, int64_t cols, int64_t kc,
                                const float *a, const float *packed_b, float *c,
                                int64_t c_row_stride) {
  // Each NR-column panel of B stays in L1 while the rows of A stream past it;
  // A's constant row stride makes every broadcast a fixed displacement.
  for (int64_t j = 0; j < cols; j += NR)
    for (int64_t i = 0; i < rows; i += MR)
      microkernel(kc, a + i * LOOM_GEMM_KC, LOOM_GEMM_KC, 1, packed_b + j * kc,
                  NR, c + i * c_row_stride + j, c_row_stride, 1, MR, NR);
}

void loom_kernel_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                       const float *a, int64_t a_batch_stride,
                       int64_t a_row_stride, int64_t a_col_stride,
                       const float *b, int64_t b_batch_stride,
                       int64_t b_row_stride, int64_t b_col_stride, float *c,
                       int64_t c_batch_stride, int64_t c_row_stride,
                       int64_t c_col_stride) {
  if (batch <= 0 || m <= 0 || n <= 0 || k <= 0)
    return;
  GemmProblem g = {.m = m,
                   .n = n,
                   .k = k,
                   .a = a,
                   .b = b,
                   .c = c,
                   .aBatch = a_batch_stride,
                   .aRow = a_row_stride,
                   .aCol = a_col_stride,
                   .bBatch = b_batch_stride,
                   .bRow = b_row_stride,
                   .bCol = b_col_stride,
                   .cBatch = c_batch_stride,
                   .cRow = c_row_stride,
                   .cCol = c_col_stride};
  int64_t threads = loom_num_threads();
  if (m == 1 && b_col_stride == 1) {
    // Column blocks: long row segments for the prefetcher, but at least two
    // per thread when the matrix is large enough.
    int64_t columns = (n + 2 * threads - 1) / (2 * threads);
    columns = (columns + 15) / 16 * 16;
    if (columns < GEMV_MIN_COLUMNS)
      columns = GEMV_MIN_COLUMNS;
    if (columns > GEMV_MAX_COLUMNS)
      columns = GEMV_MAX_COLUMNS;
    g.nc = columns;
    int64_t perBatch = (n + columns - 1) / columns;
    // Enough columns per chunk that a thread's share is worth waking it.
    int64_t grain = (int64_t)(1 << 16) / (k * columns) + 1;
    loom_parallel_for(batch * perBatch, grain, gemvBlocks, &g);
    return;
  }
  // One region per thread (fewer when the problem is small: at least ~1
  // MFLOP each), as square as whole register tiles allow, so that each
  // thread packs as little of A and B as its share of C needs.
  int64_t flops = 2 * batch * m * n * k;
  int64_t tasks = flops / (1 << 20);
  if (tasks > threads)
    tasks = threads;
  g.regionM = (m + MR - 1) / MR * MR;
  g.regionN = (n + NR - 1) / NR * NR;
  for (;;) {
    int64_t regions = batch * ((m + g.regionM - 1) / g.regionM) *
                      ((n + g.regionN - 1) / g.regionN);
    if (regions >= tasks)
      break;
    // Split the longer side (in elements); stop at one register tile.
    int splitN = g.regionN >= g.regionM ? g.regionN > NR : g.regionM <= MR;
    if (splitN && g.regionN > NR)
      g.regionN = (g.regionN / 2 + NR - 1) / NR * NR;
    else if (g.regionM > MR)
      g.regionM = (g.regionM / 2 + MR - 1) / MR * MR;
    else
      break;
  }
  g.gridM = (m + g.regionM - 1) / g.regionM;
  g.gridN = (n + g.regionN - 1) / g.regionN;
  g.directA = a_col_stride == 1 && n <= 2 * NR;
  // B in place when few row panels reuse it, or when the whole of it stays in
  // L2 (the weights of small layers): packing would cost more than the
  // strided panel reads.
  g.directB = b_col_stride == 1 &&
              (m <= 8 * MR || (uint64_t)k * n * sizeof(float) <= (512u << 10));
  loom_parallel_for(batch * g.gridM * g.gridN, 1, gemmRegions, &g);
  if (atomic_load(&g.outOfMemory))
    loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
}
