/*===- MoE.c - Grouped mixture-of-experts FFN for the fast CPU path -------===*
 *
 * loom.moe.experts with feed-forward experts only: each expert multiplies just
 * the rows dispatched to it (its group [offsets[e], offsets[e] + counts[e])),
 * through the packed GEMM kernel, so the work is that of the selected experts
 * and not of every expert on every row. Rows outside every group are zero, as
 * the op defines. Threads take (expert, column chunk) items in two phases (up
 * projections and activation, then the down projection), so a layer with few
 * tokens per expert still spreads over every core.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <math.h>
#include <string.h>

/// tanh(u) = 1 - 2 / (exp(2u) + 1), as the reference lowering writes it.
static float geluTanh(float x) {
  float u = 0.7978845608028654f * (x + 0.044715f * x * x * x);
  float t = 1.0f - 2.0f / (expf(2.0f * u) + 1.0f);
  return 0.5f * x * (1.0f + t);
}

/// The activation of `columns` hidden values in place; for SwiGLU multiplied
/// by the up projection.
static void activateRow(float *restrict h, const float *restrict up,
                        int64_t columns, int32_t activation) {
  for (int64_t j = 0; j < columns; ++j) {
    float x = h[j];
    switch (activation) {
    case LOOM_MOE_ACTIVATION_SWIGLU:
      h[j] = x / (1.0f + expf(-x)) * up[j];
      break;
    case LOOM_MOE_ACTIVATION_GELU:
      h[j] = 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
      break;
    case LOOM_MOE_ACTIVATION_GELU_TANH:
      h[j] = geluTanh(x);
      break;
    default: // relu
      h[j] = x > 0.0f ? x : 0.0f;
      break;
    }
  }
}

enum { COLUMN_CHUNK = 128 };

typedef struct {
  int64_t hidden, ffn, experts, rows;
  const float *x;
  int64_t x_rs, x_cs;
  const int64_t *begin, *count, *first; // per expert: rows and first item
  int64_t offsets_s, counts_s;          // the caller's strides, before clipping
  const float *w1, *w2, *w3;
  int64_t w1_se, w1_sh, w1_sf, w2_se, w2_sf, w2_sh, w3_se, w3_sh, w3_sf;
  float *gate, *up; // [rows, ffn]: the hidden activations of every group
  float *out;
  int64_t out_rs, out_cs;
  int32_t activation;
  // Quantized weights (w1, w2, w3) when `bits` is 8 or 4, else 0.
  const loom_moe_quant_weight *q[3];
  int32_t bits;
} ExpertsJob;

/// Columns [n0, n0 + cols) of expert e's quantized weight `w` with `k` input
/// rows, dequantized as the reference lowering does ((q - z) * s in f32)
/// into `tile` [k, cols]; returns `tile`.
static float *dequantizeTile(const loom_moe_quant_weight *w, int32_t bits,
                             int64_t e, int64_t k, int64_t n0, int64_t cols,
                             float *tile) {
  for (int64_t kk = 0; kk < k; ++kk) {
    int64_t row = bits == 4 ? kk / 2 : kk, g = kk / w->group_size;
    const int8_t *q = w->codes + e * w->codes_se + row * w->codes_sk;
    const float *s = w->scales + e * w->scales_se + g * w->scales_sg;
    const int8_t *z =
        w->zero_points ? w->zero_points + e * w->zero_se + g * w->zero_sg : 0;
    for (int64_t j = 0; j < cols; ++j) {
      int8_t byte = q[(n0 + j) * w->codes_sn];
      int32_t code = byte;
      if (bits == 4)
        code = (kk & 1) ? (int8_t)byte >> 4 : (int8_t)(byte << 4) >> 4;
      float value = (float)code;
      if (z)
        value -= (float)z[(n0 + j) * w->zero_sn];
      tile[kk * cols + j] = value * s[(n0 + j) * w->scales_sn];
    }
  }
  return tile;
}

/// The expert whose chunks include work item `item` (empty experts own none).
static int64_t expertOf(const ExpertsJob *job, int64_t item) {
  int64_t e = 0;
  while (e + 1 < job->experts && job->first[e + 1] <= item)
    ++e;
  return e;
}

/// Phase 1, items (expert, chunk of ffn columns): the gate (and up)
/// projections of the expert's rows for those columns, then the activation.
static void projectUp(void *context, int64_t begin, int64_t end,
                      int32_t worker) {
  (void)worker;
  const ExpertsJob *job = (const ExpertsJob *)context;
  for (int64_t item = begin; item < end; ++item) {
    int64_t e = expertOf(job, item);
    int64_t j0 = (item - job->first[e]) * COLUMN_CHUNK;
    int64_t cols = job->ffn - j0 < COLUMN_CHUNK ? job->ffn - j0 : COLUMN_CHUNK;
    int64_t r0 = job->begin[e], count = job->count[e];
    const float *rows = job->x + r0 * job->x_rs;
    float *gate = job->gate + r0 * job->ffn + j0;
    int swiglu = job->activation == LOOM_MOE_ACTIVATION_SWIGLU;
    float *up = swiglu ? job->up + r0 * job->ffn + j0 : 0;
    if (job->bits) {
      // The expert's [hidden, cols] tile of w1 (and w3), dequantized.
      // Slot 2: loom_kernel_sgemm uses slots 0 and 1 of this thread.
      float *tile =
          loom_scratch(2, (uint64_t)job->hidden * cols * sizeof(float));
      if (!tile) {
        loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
        return;
      }
      loom_kernel_sgemm(
          1, count, cols, job->hidden, rows, 0, job->x_rs, job->x_cs,
          dequantizeTile(job->q[0], job->bits, e, job->hidden, j0, cols, tile),
          0, cols, 1, gate, 0, job->ffn, 1);
      if (swiglu)
        loom_kernel_sgemm(1, count, cols, job->hidden, rows, 0, job->x_rs,
                          job->x_cs,
                          dequantizeTile(job->q[2], job->bits, e, job->hidden,
                                         j0, cols, tile),
                          0, cols, 1, up, 0, job->ffn, 1);
    } else {
      loom_kernel_sgemm(1, count, cols, job->hidden, rows, 0, job->x_rs,
                        job->x_cs, job->w1 + e * job->w1_se + j0 * job->w1_sf,
                        0, job->w1_sh, job->w1_sf, gate, 0, job->ffn, 1);
      if (swiglu)
        loom_kernel_sgemm(1, count, cols, job->hidden, rows, 0, job->x_rs,
                          job->x_cs, job->w3 + e * job->w3_se + j0 * job->w3_sf,
                          0, job->w3_sh, job->w3_sf, up, 0, job->ffn, 1);
    }
    for (int64_t r = 0; r < count; ++r)
      activateRow(gate + r * job->ffn, up ? up + r * job->ffn : 0, cols,
                  job->activation);
  }
}

/// Phase 2, items (expert, chunk of hidden columns): the down projection.
static void projectDown(void *context, int64_t begin, int64_t end,
                        int32_t worker) {
  (void)worker;
  const ExpertsJob *job = (const ExpertsJob *)context;
  for (int64_t item = begin; item < end; ++item) {
    int64_t e = expertOf(job, item);
    int64_t h0 = (item - job->first[e]) * COLUMN_CHUNK;
    int64_t cols =
        job->hidden - h0 < COLUMN_CHUNK ? job->hidden - h0 : COLUMN_CHUNK;
    int64_t r0 = job->begin[e];
    if (job->bits) {
      float *tile = loom_scratch(2, (uint64_t)job->ffn * cols * sizeof(float));
      if (!tile) {
        loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
        return;
      }
      loom_kernel_sgemm(
          1, job->count[e], cols, job->ffn, job->gate + r0 * job->ffn, 0,
          job->ffn, 1,
          dequantizeTile(job->q[1], job->bits, e, job->ffn, h0, cols, tile), 0,
          cols, 1, job->out + r0 * job->out_rs + h0 * job->out_cs, 0,
          job->out_rs, job->out_cs);
      continue;
    }
    loom_kernel_sgemm(
        1, job->count[e], cols, job->ffn, job->gate + r0 * job->ffn, 0,
        job->ffn, 1, job->w2 + e * job->w2_se + h0 * job->w2_sh, 0, job->w2_sf,
        job->w2_sh, job->out + r0 * job->out_rs + h0 * job->out_cs, 0,
        job->out_rs, job->out_cs);
  }
}

/// Numbers each expert's column chunks consecutively: first[e] is the item
/// of expert e's first chunk; returns the number of items.
static int64_t numberItems(const int64_t *count, int64_t experts,
                           int64_t columns, int64_t *first) {
  int64_t chunks = (columns + COLUMN_CHUNK - 1) / COLUMN_CHUNK, items = 0;
  for (int64_t e = 0; e < experts; ++e) {
    first[e] = items;
    if (count[e] > 0)
      items += chunks;
  }
  return items;
}

/// Runs `job` (its weights, activation and output set): zeroes the output,
/// clips the groups, then the two phases.
static void runExperts(ExpertsJob *job) {
  int64_t rows = job->rows, hidden = job->hidden, ffn = job->ffn;
  int64_t experts = job->experts;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t h = 0; h < hidden; ++h)
      job->out[r * job->out_rs + h * job->out_cs] = 0.0f;
  if (experts <= 0 || rows <= 0 || ffn <= 0 || hidden <= 0)
    return;
  int swiglu = job->activation == LOOM_MOE_ACTIVATION_SWIGLU;
  uint64_t hiddenBytes = (uint64_t)rows * ffn * sizeof(float);
  uint64_t tableBytes = (uint64_t)experts * sizeof(int64_t);
  int64_t *table = _mlir_memref_to_llvm_alloc(4 * tableBytes);
  float *gate = _mlir_memref_to_llvm_alloc(hiddenBytes);
  float *up = swiglu ? _mlir_memref_to_llvm_alloc(hiddenBytes) : 0;
  if (!table || !gate || (swiglu && !up)) {
    _mlir_memref_to_llvm_free(table);
    _mlir_memref_to_llvm_free(gate);
    _mlir_memref_to_llvm_free(up);
    loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
    return;
  }
  // Each group clipped to the rows that exist; empty groups do no work.
  const int64_t *offsets = job->begin, *counts = job->count;
  int64_t *begin = table, *count = table + experts;
  int64_t *firstUp = table + 2 * experts, *firstDown = table + 3 * experts;
  for (int64_t e = 0; e < experts; ++e) {
    int64_t b = offsets[e * job->offsets_s],
            end = b + counts[e * job->counts_s];
    b = b < 0 ? 0 : b;
    end = end > rows ? rows : end;
    begin[e] = b;
    count[e] = end > b ? end - b : 0;
  }
  memset(gate, 0, hiddenBytes);
  if (up)
    memset(up, 0, hiddenBytes);
  job->begin = begin;
  job->count = count;
  job->gate = gate;
  job->up = up;
  // Expert x column-chunk items keep every thread busy even when only a few
  // experts are selected; the GEMMs inside an item run on its thread.
  job->first = firstUp;
  int64_t items = numberItems(count, experts, ffn, firstUp);
  loom_parallel_for(items, 1, projectUp, job);
  job->first = firstDown;
  items = numberItems(count, experts, hidden, firstDown);
  loom_parallel_for(items, 1, projectDown, job);
  _mlir_memref_to_llvm_free(table);
  _mlir_memref_to_llvm_free(gate);
  _mlir_memref_to_llvm_free(up);
}

void loom_kernel_moe_experts_f32(
    int64_t rows, int64_t hidden, int64_t ffn, int64_t experts, const float *x,
    int64_t x_rs, int64_t x_cs, const int64_t *offsets, int64_t offsets_s,
    const int64_t *counts, int64_t counts_s, const float *w1, int64_t w1_se,
    int64_t w1_sh, int64_t w1_sf, const float *w2, int64_t w2_se, int64_t w2_sf,
    int64_t w2_sh, const float *w3, int64_t w3_se, int64_t w3_sh, int64_t w3_sf,
    float *out, int64_t out_rs, int64_t out_cs, int32_t activation) {
  ExpertsJob job;
  memset(&job, 0, sizeof(job));
  job.hidden = hidden, job.ffn = ffn, job.experts = experts, job.rows = rows;
  job.x = x, job.x_rs = x_rs, job.x_cs = x_cs;
  job.begin = offsets, job.offsets_s = offsets_s;
  job.count = counts, job.counts_s = counts_s;
  job.w1 = w1, job.w1_se = w1_se, job.w1_sh = w1_sh, job.w1_sf = w1_sf;
  job.w2 = w2, job.w2_se = w2_se, job.w2_sf = w2_sf, job.w2_sh = w2_sh;
  job.w3 = w3, job.w3_se = w3_se, job.w3_sh = w3_sh, job.w3_sf = w3_sf;
  job.out = out, job.out_rs = out_rs, job.out_cs = out_cs;
  job.activation = activation;
  runExperts(&job);
}

void loom_kernel_moe_experts_q_f32(
    int64_t rows, int64_t hidden, int64_t ffn, int64_t experts, const float *x,
    int64_t x_rs, int64_t x_cs, const int64_t *offsets, int64_t offsets_s,
    const int64_t *counts, int64_t counts_s, const loom_moe_quant_weight *w1,
    const loom_moe_quant_weight *w2, const loom_moe_quant_weight *w3,
    int32_t bits, float *out, int64_t out_rs, int64_t out_cs,
    int32_t activation) {
  ExpertsJob job;
  memset(&job, 0, sizeof(job));
  job.hidden = hidden, job.ffn = ffn, job.experts = experts, job.rows = rows;
  job.x = x, job.x_rs = x_rs, job.x_cs = x_cs;
  job.begin = offsets, job.offsets_s = offsets_s;
  job.count = counts, job.counts_s = counts_s;
  job.out = out, job.out_rs = out_rs, job.out_cs = out_cs;
  job.activation = activation;
  job.q[0] = w1, job.q[1] = w2, job.q[2] = w3;
  job.bits = bits == 4 ? 4 : 8;
  runExperts(&job);
}

typedef struct {
  int64_t tokens, slots, hidden, rows;
  const float *y;
  int64_t y_rs, y_cs;
  const int64_t *perm;
  int64_t perm_s;
  const float *w;
  int64_t w_ts, w_ss;
  float *out;
  int64_t out_ts, out_hs;
} CombineJob;

/// Hidden columns [begin, end) of the combine, scattering rows in ascending
/// order (each output element sums its rows in the reference's order).
static void combineColumns(void *context, int64_t begin, int64_t end,
                           int32_t worker) {
  (void)worker;
  const CombineJob *job = (const CombineJob *)context;
  for (int64_t t = 0; t < job->tokens; ++t)
    for (int64_t h = begin; h < end; ++h)
      job->out[t * job->out_ts + h * job->out_hs] = 0.0f;
  for (int64_t r = 0; r < job->rows; ++r) {
    int64_t assignment = job->perm[r * job->perm_s];
    if (assignment < 0 || assignment >= job->tokens * job->slots)
      continue;
    int64_t t = assignment / job->slots, s = assignment % job->slots;
    float weight = job->w[t * job->w_ts + s * job->w_ss];
    const float *y = job->y + r * job->y_rs;
    float *out = job->out + t * job->out_ts;
    for (int64_t h = begin; h < end; ++h) {
      float contribution = weight * y[h * job->y_cs];
      out[h * job->out_hs] = out[h * job->out_hs] + contribution;
    }
  }
}

void loom_kernel_moe_combine_f32(int64_t tokens, int64_t slots, int64_t hidden,
                                 int64_t rows, const float *y, int64_t y_rs,
                                 int64_t y_cs, const int64_t *permutation,
                                 int64_t perm_s, const float *weights,
                                 int64_t w_ts, int64_t w_ss, float *out,
                                 int64_t out_ts, int64_t out_hs) {
  CombineJob job = {tokens, slots, hidden,      rows,   y,
                    y_rs,   y_cs,  permutation, perm_s, weights,
                    w_ts,   w_ss,  out,         out_ts, out_hs};
  // Columns per chunk: enough rows x columns of work to be worth a thread.
  loom_parallel_for(hidden, 1 + (1 << 16) / (rows + 1), combineColumns, &job);
}
