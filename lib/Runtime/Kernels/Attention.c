/*===- Attention.c - Flash attention for the fast CPU path ---------------===*
 *
 * loom_kernel_attention_f32: `out = softmax(scale * q k^T + mask) v` with the
 * exact semantics of the reference lowering of `loom.attention` (tensor K/V,
 * no cache, no key scores, no Hamming; see docs/Attention.md), computed the
 * FlashAttention way so that the score matrix never exists:
 *
 *  - A work item is (batch, kv head, chunk of its query heads, block of query
 *    rows). Its rows (query heads of one GQA group x query positions) all read
 *    the same kv head, so each K/V tile is packed once per item and shared by
 *    every head of the group.
 *  - Keys are visited in tiles of KEY_TILE. K is packed transposed (keys
 *    along the vectors, by 16 x 16 register transposes when channels are
 *    unit-stride) and V is copied with channels padded to 16 unless its rows
 *    already are whole unit-stride vectors, so that both products are
 *    broadcast-FMA loops over contiguous 16-float vectors whatever the operand
 *    strides are. The next tile is prefetched while one is computed.
 *  - Online softmax: each row keeps a running max `m`, a running sum `l` of
 *    exp(s - m) and an unnormalised accumulator; a larger max rescales both by
 *    exp(m_old - m_new). The division by `l` happens once at the end.
 *  - Causal and window limits are turned into key ranges per item, so tiles no
 *    row of the item can see are never touched; the sink keys are a separate
 *    range. Inside a visited tile, invisible keys get -inf as in the reference,
 *    and a row with no visible key at all ends with zeros.
 *
 * Scratch is O(rows x (d + dv + KEY_TILE) + KEY_TILE x (d + dv)) per thread,
 * independent of the key length, from the thread pool's per-thread buffers.
 *
 * Written with clang's ext_vector_type rather than ISA intrinsics: the file is
 * compiled to target-neutral bitcode and the 16-wide operations are legalised
 * for whatever CPU the model is compiled for (one zmm on AVX-512, two ymm on
 * AVX2).
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <stdatomic.h>
#include <string.h>

/// Keys per tile: the score tile row is 4 vectors, and a packed K or V tile of
/// d = 128 is 32 KiB, which stays in L1/L2 next to the accumulator.
#define KEY_TILE 64
/// Most rows (query heads x query positions) per work item: enough to amortise
/// packing a K/V tile, small enough that the causal diagonal wastes little.
#define MAX_ROWS 64
/// Register block of the tile products: ROW_BLOCK rows x COL_BLOCK vectors of
/// 16 floats. 4 x 1 is 8 accumulators on AVX2 (half its registers, enough to
/// hide the FMA latency) but only 4 on AVX-512, too few to cover the FMA
/// latency of two 512-bit pipes; the build compiles this file a second time
/// with LOOM_ATTENTION_WIDE (4 x 2, 8 accumulators) for AVX-512 targets
/// (attention-avx512; with AVX2 that tile would spill).
#define ROW_BLOCK 4
#ifdef LOOM_ATTENTION_WIDE
#define COL_BLOCK 2
#else
#define COL_BLOCK 1
#endif
/// Minimum floating-point work per parallel chunk (as the matmul kernel).
#define MIN_CHUNK_FLOPS (1 << 20)
/// The loom_scratch slot of the per-thread scratch (the matmul uses 0 and 1).
#define SCRATCH_SLOT 2

typedef float v16f __attribute__((ext_vector_type(16)));
typedef int32_t v16i __attribute__((ext_vector_type(16)));

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Unaligned vector load/store (memcpy lowers to one plain vector access). */
ALWAYS_INLINE v16f load16(const float *p) {
  v16f v;
  memcpy(&v, p, sizeof(v));
  return v;
}
ALWAYS_INLINE void store16(float *p, v16f v) { memcpy(p, &v, sizeof(v)); }

typedef float v8f __attribute__((ext_vector_type(8)));
typedef float v4f __attribute__((ext_vector_type(4)));

ALWAYS_INLINE float hsum16(v16f v) {
  v8f a = v.lo + v.hi;
  v4f b = a.lo + a.hi;
  return (b.x + b.z) + (b.y + b.w);
}

/// Largest lane, by compares (__builtin_reduce_max follows fmax's NaN rules,
/// which cost extra instructions on x86).
ALWAYS_INLINE float hmax16(v16f v) {
  v8f a = v.lo > v.hi ? v.lo : v.hi;
  v4f b = a.lo > a.hi ? a.lo : a.hi;
  float x = b.x > b.z ? b.x : b.z, y = b.y > b.w ? b.y : b.w;
  return x > y ? x : y;
}

/// Transposes the 16 x 16 block src[j * srcStride + c] into
/// dst[c * dstStride + j]. Four butterfly stages; stage S exchanges, between
/// rows i and i + S, the elements whose column has bit S set, i.e. swaps that
/// bit of the row index with the same bit of the column index.
ALWAYS_INLINE void transpose16(const float *src, int64_t srcStride, float *dst,
                               int64_t dstStride) {
  /* Fully unrolled so that the 16 rows stay in registers. */
  v16f r[16];
#pragma clang loop unroll(full)
  for (int i = 0; i < 16; ++i)
    r[i] = load16(src + i * srcStride);
  /* clang-format off */
#define LOOM_LIST(...) __VA_ARGS__
#define LOOM_STAGE(S, LOW, HIGH)                                               \
  _Pragma("clang loop unroll(full)") for (int i = 0; i < 16; ++i)              \
    if (!(i & S)) {                                                            \
      v16f a = r[i], b = r[i + S];                                             \
      r[i] = __builtin_shufflevector(a, b, LOOM_LIST LOW);                     \
      r[i + S] = __builtin_shufflevector(a, b, LOOM_LIST HIGH);                \
    }
  /* clang-format on */
  LOOM_STAGE(1, (0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30),
             (1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31))
  LOOM_STAGE(2, (0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29),
             (2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31))
  LOOM_STAGE(4, (0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27),
             (4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31))
  LOOM_STAGE(8, (0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
             (8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31))
#undef LOOM_STAGE
#undef LOOM_LIST
#pragma clang loop unroll(full)
  for (int i = 0; i < 16; ++i)
    store16(dst + i * dstStride, r[i]);
}

/// exp(x) for x <= 0 (or -inf), with relative error about 1e-7: the Cephes
/// expf scheme written with plain vector arithmetic so that it vectorises for
/// any target. x = n ln2 + r with |r| <= ln2/2 (ln2 split in two so that r is
/// exact), exp(r) by a degree-7 polynomial, 2^n built in the exponent bits.
/// Results below FLT_MIN (x < ln(FLT_MIN)), including x = -inf, flush to 0,
/// an absolute error under 1.2e-38.
ALWAYS_INLINE v16f expNonPositive(v16f x) {
  const float lnFltMin = -87.33654475f;
  v16i tiny = x < lnFltMin;
  x = tiny ? (v16f)lnFltMin : x;
  /* Adding 1.5 * 2^23 rounds x / ln2 to the nearest integer, which then sits
   * in the low mantissa bits. */
  const float shifter = 12582912.0f;
  v16f t = x * 1.44269504088896341f + shifter;
  v16f n = t - shifter;
  v16i ni = (v16i)t - (v16i)(v16f)shifter;
  v16f r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  v16f p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  /* n >= -126 after the clamp, so 2^n is a normal float. */
  v16f scaleByN = (v16f)((ni + 127) << 23);
  return tiny ? (v16f)0.0f : p * scaleByN;
}

/// c[mr x 16 nv] (row stride ldc) = scale * a[mr x kdim] b[kdim x 16 nv],
/// plus the old c when `accumulate`. `a` is read one scalar at a time and
/// broadcast, `b` one row of vectors at a time: with mr and nv constant after
/// inlining, the mr x nv accumulators live in registers.
ALWAYS_INLINE void microTile(int mr, int nv, int64_t kdim,
                             const float *restrict a, int64_t lda,
                             const float *restrict b, int64_t ldb,
                             float *restrict c, int64_t ldc, float scale,
                             int accumulate) {
  v16f acc[ROW_BLOCK][COL_BLOCK];
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nv; ++j)
      acc[i][j] = 0.0f;
  for (int64_t p = 0; p < kdim; ++p) {
    v16f bv[COL_BLOCK];
    for (int j = 0; j < nv; ++j)
      bv[j] = load16(b + p * ldb + 16 * j);
    for (int i = 0; i < mr; ++i) {
      v16f av = a[i * lda + p];
      for (int j = 0; j < nv; ++j)
        acc[i][j] += av * bv[j];
    }
  }
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nv; ++j) {
      float *dst = c + i * ldc + 16 * j;
      v16f result = acc[i][j] * scale;
      store16(dst, accumulate ? load16(dst) + result : result);
    }
}

/// The same product over m rows and nv vectors of columns, by register blocks.
static void tileProduct(int64_t m, int64_t nv, int64_t kdim,
                        const float *restrict a, int64_t lda,
                        const float *restrict b, int64_t ldb, float *restrict c,
                        int64_t ldc, float scale, int accumulate) {
  int64_t i = 0;
  for (; i + ROW_BLOCK <= m; i += ROW_BLOCK) {
    int64_t j = 0;
    for (; j + COL_BLOCK <= nv; j += COL_BLOCK)
      microTile(ROW_BLOCK, COL_BLOCK, kdim, a + i * lda, lda, b + 16 * j, ldb,
                c + i * ldc + 16 * j, ldc, scale, accumulate);
    for (; j < nv; ++j)
      microTile(ROW_BLOCK, 1, kdim, a + i * lda, lda, b + 16 * j, ldb,
                c + i * ldc + 16 * j, ldc, scale, accumulate);
  }
  for (; i < m; ++i) {
    int64_t j = 0;
    for (; j + COL_BLOCK <= nv; j += COL_BLOCK)
      microTile(1, COL_BLOCK, kdim, a + i * lda, lda, b + 16 * j, ldb,
                c + i * ldc + 16 * j, ldc, scale, accumulate);
    for (; j < nv; ++j)
      microTile(1, 1, kdim, a + i * lda, lda, b + 16 * j, ldb,
                c + i * ldc + 16 * j, ldc, scale, accumulate);
  }
}

/// The kernel's arguments plus the work decomposition derived from them.
typedef struct {
  int64_t batch, hkv, sq, skv, d, dv;
  const float *q, *k, *v, *mask;
  float *out;
  int64_t qs[4], ks[4], vs[4], ms[4], os[4];
  float scale;
  int32_t causal;
  int64_t window, sinks;
  int64_t group;               /* query heads per kv head */
  int64_t headsPerItem;        /* query heads of a group handled by one item */
  int64_t headChunks;          /* ceil(group / headsPerItem) */
  int64_t queryBlock;          /* query rows per item */
  int64_t queryBlocks;         /* ceil(sq / queryBlock) */
  int64_t dvPadded;            /* dv rounded up to 16 */
  _Atomic int32_t outOfMemory; /* set by a chunk that got no scratch */
} AttentionArgs;

/// Per-thread scratch, carved from one loom_scratch buffer (64-byte aligned).
typedef struct {
  float *query;  /* [MAX_ROWS][d]: the item's query rows */
  float *keyT;   /* [d][KEY_TILE]: the key tile, transposed */
  float *value;  /* [KEY_TILE][dvPadded]: the value tile */
  float *scores; /* [MAX_ROWS][KEY_TILE]: scores, then probabilities */
  float *acc;    /* [MAX_ROWS][dvPadded]: unnormalised output rows */
} Scratch;

static size_t roundUp16(int64_t n) { return (size_t)((n + 15) & ~(int64_t)15); }

static size_t scratchFloats(const AttentionArgs *args) {
  return roundUp16(MAX_ROWS * args->d) + roundUp16(args->d * KEY_TILE) +
         (size_t)KEY_TILE * args->dvPadded + (size_t)MAX_ROWS * KEY_TILE +
         (size_t)MAX_ROWS * args->dvPadded;
}

/// One key tile [j0, j0 + n) against the item's `rows` rows: pack, score,
/// online-softmax update, value product.
static void processKeyTile(const AttentionArgs *args, const Scratch *s,
                           int64_t rows, const float *k, const float *v,
                           const int64_t *pos, const float *const *maskRows,
                           float *runMax, float *runSum, int64_t j0,
                           int64_t n) {
  const int64_t d = args->d, dv = args->dv, dvp = args->dvPadded;
  const int64_t nv = (n + 15) / 16;
  /* Pack K transposed, keys past n zeroed so that the padded scores stay
   * finite until they are hidden. */
  int64_t fullKeys = 0, fullChannels = 0;
  if (args->ks[3] == 1) {
    /* Unit channel stride (the usual layouts): 16 x 16 register transposes. */
    fullKeys = n & ~(int64_t)15;
    fullChannels = d & ~(int64_t)15;
    for (int64_t jj = 0; jj < fullKeys; jj += 16)
      for (int64_t c = 0; c < fullChannels; c += 16)
        transpose16(k + (j0 + jj) * args->ks[2] + c, args->ks[2],
                    s->keyT + c * KEY_TILE + jj, KEY_TILE);
  }
  for (int64_t c = 0; c < d; ++c) {
    const float *src = k + j0 * args->ks[2] + c * args->ks[3];
    float *dst = s->keyT + c * KEY_TILE;
    for (int64_t jj = c < fullChannels ? fullKeys : 0; jj < n; ++jj)
      dst[jj] = src[jj * args->ks[2]];
    for (int64_t jj = n; jj < 16 * nv; ++jj)
      dst[jj] = 0.0f;
  }
  /* V rows that already are whole unit-stride vectors are read in place;
   * others are copied with zero padding channels. */
  const float *value = v + j0 * args->vs[2];
  int64_t valueStride = args->vs[2];
  if (args->vs[3] != 1 || dv != dvp) {
    for (int64_t jj = 0; jj < n; ++jj) {
      const float *src = value + jj * valueStride;
      float *dst = s->value + jj * dvp;
      for (int64_t e = 0; e < dv; ++e)
        dst[e] = src[e * args->vs[3]];
      for (int64_t e = dv; e < dvp; ++e)
        dst[e] = 0.0f;
    }
    value = s->value;
    valueStride = dvp;
  }

  tileProduct(rows, nv, d, s->query, d, s->keyT, KEY_TILE, s->scores, KEY_TILE,
              args->scale, 0);

  const v16i lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const float negInf = -__builtin_inff();
  for (int64_t r = 0; r < rows; ++r) {
    float *row = s->scores + r * KEY_TILE;
    if (maskRows[r]) {
      const float *m = maskRows[r] + j0 * args->ms[3];
      for (int64_t jj = 0; jj < n; ++jj)
        row[jj] += m[jj * args->ms[3]];
    }
    /* Visible keys, relative to j0: jj <= last && (jj >= first || jj < sink),
     * clamped into [-1, KEY_TILE] so that they fit the 32-bit lanes. */
    int64_t last = (args->causal ? pos[r] : args->skv - 1) - j0;
    last = last < -1 ? -1 : last > n - 1 ? n - 1 : last;
    int64_t first = 0, sink = 0;
    if (args->window > 0) {
      first = pos[r] - args->window + 1 - j0;
      sink = args->sinks - j0;
    }
    first = first < 0 ? 0 : first > KEY_TILE ? KEY_TILE : first;
    sink = sink < 0 ? 0 : sink > KEY_TILE ? KEY_TILE : sink;
    v16f vmax = negInf;
    for (int64_t c = 0; c < nv; ++c) {
      v16i jj = lane + (int32_t)(16 * c);
      v16i visible = (jj <= (int32_t)last) &
                     ((jj >= (int32_t)first) | (jj < (int32_t)sink));
      v16f x = visible ? load16(row + 16 * c) : (v16f)negInf;
      store16(row + 16 * c, x);
      vmax = vmax > x ? vmax : x;
    }
    float tileMax = hmax16(vmax);
    float newMax = tileMax > runMax[r] ? tileMax : runMax[r];
    if (newMax == negInf) {
      /* Nothing visible to this row yet: exp(-inf - -inf) would be NaN, and
       * the row must contribute nothing. */
      memset(row, 0, sizeof(float) * 16 * nv);
      continue;
    }
    v16f vsum = 0.0f;
    for (int64_t c = 0; c < nv; ++c) {
      v16f p = expNonPositive(load16(row + 16 * c) - newMax);
      store16(row + 16 * c, p);
      vsum += p;
    }
    if (newMax != runMax[r]) {
      /* exp(-inf) = 0 on the first visible tile, which clears nothing. */
      float alpha = expNonPositive((v16f)(runMax[r] - newMax)).x;
      runSum[r] *= alpha;
      float *acc = s->acc + r * dvp;
      for (int64_t e = 0; e < dvp; e += 16)
        store16(acc + e, load16(acc + e) * alpha);
      runMax[r] = newMax;
    }
    runSum[r] += hsum16(vsum);
  }

  tileProduct(rows, dvp / 16, n, s->scores, KEY_TILE, value, valueStride,
              s->acc, dvp, 1.0f, 1);
}

/// Asks for the K and V rows of keys [j0, min(j0 + KEY_TILE, end)) while the
/// current tile is computed: with few rows per item (decode) the kernel is
/// bound by memory, and the hardware prefetchers alone leave the load latency
/// exposed at every tile start.
static void prefetchTile(const float *k, const int64_t *ks, int64_t d,
                         const float *v, const int64_t *vs, int64_t dv,
                         int64_t j0, int64_t end) {
  if (ks[3] != 1 || vs[3] != 1)
    return;
  end = end < j0 + KEY_TILE ? end : j0 + KEY_TILE;
  for (int64_t j = j0; j < end; ++j) {
    for (int64_t c = 0; c < d; c += 16)
      __builtin_prefetch(k + j * ks[2] + c, 0, 2);
    for (int64_t e = 0; e < dv; e += 16)
      __builtin_prefetch(v + j * vs[2] + e, 0, 2);
  }
}

/// One work item: `item` enumerates query blocks slowest, in the order last,
/// first, second last, second, ... so that contiguous chunks of items mix
/// heavy and light causal blocks.
static void processItem(const AttentionArgs *args, const Scratch *s,
                        int64_t item) {
  int64_t perBlock = args->batch * args->hkv * args->headChunks;
  int64_t rank = item / perBlock, rest = item % perBlock;
  int64_t qb = rank % 2 == 0 ? args->queryBlocks - 1 - rank / 2 : rank / 2;
  int64_t chunk = rest % args->headChunks;
  int64_t kvh = rest / args->headChunks % args->hkv;
  int64_t b = rest / args->headChunks / args->hkv;

  int64_t h0 = kvh * args->group + chunk * args->headsPerItem;
  int64_t heads = args->group - chunk * args->headsPerItem;
  heads = heads < args->headsPerItem ? heads : args->headsPerItem;
  int64_t q0 = qb * args->queryBlock;
  int64_t nq =
      args->sq - q0 < args->queryBlock ? args->sq - q0 : args->queryBlock;
  int64_t rows = heads * nq, d = args->d, dv = args->dv;
  int64_t firstPos = args->skv - args->sq + q0, lastPos = firstPos + nq - 1;

  /* Row r = g * nq + i is query head h0 + g at query q0 + i. */
  int64_t pos[MAX_ROWS];
  const float *maskRows[MAX_ROWS];
  float runMax[MAX_ROWS], runSum[MAX_ROWS];
  for (int64_t g = 0; g < heads; ++g)
    for (int64_t i = 0; i < nq; ++i) {
      int64_t r = g * nq + i, h = h0 + g;
      const float *src =
          args->q + b * args->qs[0] + h * args->qs[1] + (q0 + i) * args->qs[2];
      for (int64_t c = 0; c < d; ++c)
        s->query[r * d + c] = src[c * args->qs[3]];
      pos[r] = firstPos + i;
      maskRows[r] = args->mask ? args->mask + b * args->ms[0] +
                                     h * args->ms[1] + (q0 + i) * args->ms[2]
                               : NULL;
      runMax[r] = -__builtin_inff();
      runSum[r] = 0.0f;
    }
  memset(s->acc, 0, sizeof(float) * rows * args->dvPadded);

  /* Keys any row of the item can see: [first, end) plus the sinks [0, sinkEnd)
   * below the window. Everything else is skipped without being read. */
  int64_t end =
      args->causal && lastPos + 1 < args->skv ? lastPos + 1 : args->skv;
  int64_t first = 0, sinkEnd = 0;
  if (args->window > 0) {
    first = firstPos - args->window + 1;
    first = first < 0 ? 0 : first > end ? end : first;
    sinkEnd = args->sinks < first ? args->sinks : first;
  }
  const float *k = args->k + b * args->ks[0] + kvh * args->ks[1];
  const float *v = args->v + b * args->vs[0] + kvh * args->vs[1];
  int64_t ranges[2][2] = {{0, sinkEnd}, {first, end}};
  for (int range = 0; range < 2; ++range)
    for (int64_t j0 = ranges[range][0]; j0 < ranges[range][1]; j0 += KEY_TILE) {
      int64_t n = ranges[range][1] - j0;
      prefetchTile(k, args->ks, args->d, v, args->vs, args->dv, j0 + KEY_TILE,
                   ranges[range][1]);
      processKeyTile(args, s, rows, k, v, pos, maskRows, runMax, runSum, j0,
                     n < KEY_TILE ? n : KEY_TILE);
    }

  /* Normalise. Like the reference, a row whose sum is not positive (no
   * visible key, or NaN from a +inf mask entry) is zeros. */
  for (int64_t g = 0; g < heads; ++g)
    for (int64_t i = 0; i < nq; ++i) {
      int64_t r = g * nq + i;
      int positive = runSum[r] > 0.0f;
      float inv = positive ? 1.0f / runSum[r] : 0.0f;
      float *dst = args->out + b * args->os[0] + (h0 + g) * args->os[1] +
                   (q0 + i) * args->os[2];
      const float *acc = s->acc + r * args->dvPadded;
      for (int64_t e = 0; e < dv; ++e)
        dst[e * args->os[3]] = positive ? acc[e] * inv : 0.0f;
    }
}

static void attentionChunk(void *context, int64_t begin, int64_t end,
                           int32_t worker) {
  (void)worker;
  AttentionArgs *args = context;
  float *base = loom_scratch(SCRATCH_SLOT, scratchFloats(args) * sizeof(float));
  if (!base) {
    /* Only the calling thread may report; it does after the loop. */
    atomic_store(&args->outOfMemory, 1);
    return;
  }
  Scratch s;
  s.query = base;
  s.keyT = s.query + roundUp16(MAX_ROWS * args->d);
  s.value = s.keyT + roundUp16(args->d * KEY_TILE);
  s.scores = s.value + (size_t)KEY_TILE * args->dvPadded;
  s.acc = s.scores + (size_t)MAX_ROWS * KEY_TILE;
  for (int64_t item = begin; item < end; ++item)
    processItem(args, &s, item);
}

void loom_kernel_attention_f32(
    int64_t batch, int64_t hq, int64_t hkv, int64_t sq, int64_t skv, int64_t d,
    int64_t dv, const float *q, int64_t q_sb, int64_t q_sh, int64_t q_ss,
    int64_t q_sd, const float *k, int64_t k_sb, int64_t k_sh, int64_t k_ss,
    int64_t k_sd, const float *v, int64_t v_sb, int64_t v_sh, int64_t v_ss,
    int64_t v_sd, const float *mask, int64_t m_sb, int64_t m_sh, int64_t m_ss,
    int64_t m_sd, float *out, int64_t o_sb, int64_t o_sh, int64_t o_ss,
    int64_t o_sd, float scale, int32_t causal, int64_t window, int64_t sinks) {
  if (batch <= 0 || hq <= 0 || hkv <= 0 || sq <= 0 || dv <= 0)
    return;
  AttentionArgs args = {.batch = batch,
                        .hkv = hkv,
                        .sq = sq,
                        .skv = skv,
                        .d = d,
                        .dv = dv,
                        .q = q,
                        .k = k,
                        .v = v,
                        .mask = mask,
                        .out = out,
                        .qs = {q_sb, q_sh, q_ss, q_sd},
                        .ks = {k_sb, k_sh, k_ss, k_sd},
                        .vs = {v_sb, v_sh, v_ss, v_sd},
                        .ms = {m_sb, m_sh, m_ss, m_sd},
                        .os = {o_sb, o_sh, o_ss, o_sd},
                        .scale = scale,
                        .causal = causal,
                        .window = window,
                        .sinks = sinks,
                        .group = hq / hkv,
                        .dvPadded = (int64_t)roundUp16(dv)};
  args.headsPerItem = args.group < MAX_ROWS ? args.group : MAX_ROWS;
  args.headChunks = (args.group + args.headsPerItem - 1) / args.headsPerItem;
  args.queryBlock = MAX_ROWS / args.headsPerItem;
  args.queryBlock = args.queryBlock < sq ? args.queryBlock : sq;
  args.queryBlocks = (sq + args.queryBlock - 1) / args.queryBlock;

  int64_t items = args.queryBlocks * batch * hkv * args.headChunks;
  /* Average work of an item (causal items see about half the keys). */
  int64_t itemFlops = 2 * args.headsPerItem * args.queryBlock * (d + dv) *
                      (causal ? skv / 2 + 1 : skv + 1);
  int64_t grain = MIN_CHUNK_FLOPS / (itemFlops > 0 ? itemFlops : 1);
  loom_parallel_for(items, grain > 0 ? grain : 1, attentionChunk, &args);
  if (atomic_load(&args.outOfMemory))
    loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
}
