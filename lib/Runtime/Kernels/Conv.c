/*===- Conv.c - 2-D convolution as im2col + GEMM --------------------------===*
 *
 * The ONNX importer's convolution (groups, strides, dilations; padding is a
 * separate pad before it) for two spatial dimensions: for each image and
 * group, the receptive fields are gathered into a [OH*OW, C*KH*KW] matrix
 * (im2col), the filters packed into [C*KH*KW, F], and one packed GEMM adds
 * the product to the output. The gather costs one read of the input per
 * kernel tap; the GEMM runs at the matmul kernel's speed.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

#include <string.h>

typedef struct {
  const float *x;
  const int64_t *xs;
  float *columns;
  int64_t c, ow, kh, kw, sh, sw, dh, dw, k;
} Im2Col;

/// Gathers output rows [begin, end) (row = oh * OW + ow) of the im2col matrix.
static void gatherRows(void *context, int64_t begin, int64_t end,
                       int32_t worker) {
  (void)worker;
  const Im2Col *g = (const Im2Col *)context;
  for (int64_t row = begin; row < end; ++row) {
    int64_t i = row / g->ow, j = row % g->ow;
    float *out = g->columns + row * g->k;
    for (int64_t c = 0; c < g->c; ++c)
      for (int64_t p = 0; p < g->kh; ++p) {
        const float *in = g->x + c * g->xs[2] + (i * g->sh + p * g->dh) *
                                                    g->xs[3] +
                          j * g->sw * g->xs[4];
        for (int64_t q = 0; q < g->kw; ++q)
          *out++ = in[q * g->dw * g->xs[4]];
      }
  }
}

void loom_kernel_conv2d_f32(
    int64_t batch, int64_t groups, int64_t channels, int64_t filters,
    int64_t oh, int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
    int64_t dh, int64_t dw, const float *x, int64_t x_s0, int64_t x_s1,
    int64_t x_s2, int64_t x_s3, int64_t x_s4, const float *w, int64_t w_s0,
    int64_t w_s1, int64_t w_s2, int64_t w_s3, int64_t w_s4, float *y,
    int64_t y_s0, int64_t y_s1, int64_t y_s2, int64_t y_s3, int64_t y_s4) {
  int64_t rows = oh * ow, k = channels * kh * kw;
  if (rows <= 0 || k <= 0 || filters <= 0)
    return;
  float *columns = _mlir_memref_to_llvm_alloc((uint64_t)rows * k * 4);
  float *packed = _mlir_memref_to_llvm_alloc((uint64_t)k * filters * 4);
  // The spatial output dims fold into one GEMM row index when contiguous.
  int foldRows = y_s3 == ow * y_s4;
  float *result =
      foldRows ? 0 : _mlir_memref_to_llvm_alloc((uint64_t)rows * filters * 4);
  if (!columns || !packed || (!foldRows && !result)) {
    _mlir_memref_to_llvm_free(columns);
    _mlir_memref_to_llvm_free(packed);
    _mlir_memref_to_llvm_free(result);
    loom_runtime_error(LOOM_KERNEL_ERROR_OUT_OF_MEMORY);
    return;
  }
  int64_t xs[5] = {x_s0, x_s1, x_s2, x_s3, x_s4};
  for (int64_t g = 0; g < groups; ++g) {
    // Filters of the group as [K, F], K ordered (c, p, q) like the columns.
    const float *wg = w + g * w_s0;
    for (int64_t c = 0, kk = 0; c < channels; ++c)
      for (int64_t p = 0; p < kh; ++p)
        for (int64_t q = 0; q < kw; ++q, ++kk)
          for (int64_t f = 0; f < filters; ++f)
            packed[kk * filters + f] =
                wg[f * w_s1 + c * w_s2 + p * w_s3 + q * w_s4];
    for (int64_t n = 0; n < batch; ++n) {
      Im2Col job = {x + n * x_s0 + g * x_s1, xs, columns, channels, ow, kh,
                    kw, sh, sw, dh, dw, k};
      loom_parallel_for(rows, 1 + 16384 / (k + 1), gatherRows, &job);
      float *yg = y + n * y_s0 + g * y_s1;
      if (foldRows) {
        loom_kernel_sgemm(1, rows, filters, k, columns, 0, k, 1, packed, 0,
                          filters, 1, yg, 0, y_s4, y_s2);
        continue;
      }
      memset(result, 0, (size_t)rows * filters * 4);
      loom_kernel_sgemm(1, rows, filters, k, columns, 0, k, 1, packed, 0,
                        filters, 1, result, 0, filters, 1);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t f = 0; f < filters; ++f)
          yg[f * y_s2 + (r / ow) * y_s3 + (r % ow) * y_s4] +=
              result[r * filters + f];
    }
  }
  _mlir_memref_to_llvm_free(columns);
  _mlir_memref_to_llvm_free(packed);
  _mlir_memref_to_llvm_free(result);
}
