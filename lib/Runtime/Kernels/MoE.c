/*===- MoE.c - Grouped mixture-of-experts FFN for the fast CPU path -------===*
 *
 * loom.moe.experts with feed-forward experts only: each expert multiplies just
 * the rows dispatched to it (its group [offsets[e], offsets[e] + counts[e])),
 * through the packed GEMM kernel, so the work is that of the selected experts
 * and not of every expert on every row. Rows outside every group are zero, as
 * the op defines.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  float *hidden;
  const float *up;
  int64_t columns;
  int32_t activation;
} ActivationJob;

/// tanh(u) = 1 - 2 / (exp(2u) + 1), as the reference lowering writes it.
static float geluTanh(float x) {
  float u = 0.7978845608028654f * (x + 0.044715f * x * x * x);
  float t = 1.0f - 2.0f / (expf(2.0f * u) + 1.0f);
  return 0.5f * x * (1.0f + t);
}

/// The activation over rows [begin, end) of the hidden matrix, in place; for
/// SwiGLU multiplied by the up projection.
static void activateRows(void *context, int64_t begin, int64_t end,
                         int32_t worker) {
  (void)worker;
  const ActivationJob *job = (const ActivationJob *)context;
  for (int64_t r = begin; r < end; ++r) {
    float *restrict h = job->hidden + r * job->columns;
    const float *restrict up = job->up ? job->up + r * job->columns : 0;
    for (int64_t j = 0; j < job->columns; ++j) {
      float x = h[j];
      switch (job->activation) {
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
}

void loom_kernel_moe_experts_f32(
    int64_t rows, int64_t hidden, int64_t ffn, int64_t experts,
    const float *x, int64_t x_rs, int64_t x_cs, const int64_t *offsets,
    int64_t offsets_s, const int64_t *counts, int64_t counts_s,
    const float *w1, int64_t w1_se, int64_t w1_sh, int64_t w1_sf,
    const float *w2, int64_t w2_se, int64_t w2_sf, int64_t w2_sh,
    const float *w3, int64_t w3_se, int64_t w3_sh, int64_t w3_sf, float *out,
    int64_t out_rs, int64_t out_cs, int32_t activation) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t h = 0; h < hidden; ++h)
      out[r * out_rs + h * out_cs] = 0.0f;
  int swiglu = activation == LOOM_MOE_ACTIVATION_SWIGLU;
  for (int64_t e = 0; e < experts; ++e) {
    int64_t begin = offsets[e * offsets_s];
    int64_t end = begin + counts[e * counts_s];
    if (begin < 0)
      begin = 0;
    if (end > rows)
      end = rows;
    int64_t count = end - begin;
    if (count <= 0)
      continue;
    uint64_t bytes = (uint64_t)count * ffn * sizeof(float);
    float *gate = _mlir_memref_to_llvm_alloc(bytes);
    float *up = swiglu ? _mlir_memref_to_llvm_alloc(bytes) : 0;
    if (!gate || (swiglu && !up)) {
      _mlir_memref_to_llvm_free(gate);
      _mlir_memref_to_llvm_free(up);
      loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
      return;
    }
    memset(gate, 0, bytes);
    const float *rowsIn = x + begin * x_rs;
    loom_kernel_sgemm(1, count, ffn, hidden, rowsIn, 0, x_rs, x_cs,
                      w1 + e * w1_se, 0, w1_sh, w1_sf, gate, 0, ffn, 1);
    if (swiglu) {
      memset(up, 0, bytes);
      loom_kernel_sgemm(1, count, ffn, hidden, rowsIn, 0, x_rs, x_cs,
                        w3 + e * w3_se, 0, w3_sh, w3_sf, up, 0, ffn, 1);
    }
    ActivationJob job = {gate, up, ffn, activation};
    loom_parallel_for(count, 1 + 4096 / (ffn + 1), activateRows, &job);
    loom_kernel_sgemm(1, count, hidden, ffn, gate, 0, ffn, 1, w2 + e * w2_se,
                      0, w2_sf, w2_sh, out + begin * out_rs, 0, out_rs,
                      out_cs);
    _mlir_memref_to_llvm_free(gate);
    _mlir_memref_to_llvm_free(up);
  }
}
