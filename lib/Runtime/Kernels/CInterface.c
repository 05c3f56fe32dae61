/*===- CInterface.c - Kernel entry points on MLIR memref descriptors ------===*
 *
 * Passes that call kernels before bufferization hand over memrefs, which
 * `llvm.emit_c_interface` turns into pointers to descriptors. These adapters
 * read shapes and strides from the descriptors and call the kernels of
 * Kernels.h, so each kernel has one implementation with plain arguments.
 *
 *===----------------------------------------------------------------------===*/

#include "loom/Runtime/Kernels.h"

/// The element stride of dimension `dim` of `mask` when it is broadcast to
/// `size` elements: 0 for a dimension of size 1.
static int64_t broadcastStride(const loom_memref4_f32 *mask, int dim,
                               int64_t size) {
  return mask->sizes[dim] == 1 && size != 1 ? 0 : mask->strides[dim];
}

void _mlir_ciface_loom_attention_f32(const loom_memref4_f32 *q,
                                     const loom_memref4_f32 *k,
                                     const loom_memref4_f32 *v,
                                     const loom_memref4_f32 *mask,
                                     const loom_memref4_f32 *out, float scale,
                                     int32_t causal, int64_t window,
                                     int64_t sinks, int32_t has_mask) {
  int64_t batch = q->sizes[0], hq = q->sizes[1], sq = q->sizes[2];
  int64_t d = q->sizes[3], hkv = k->sizes[1], skv = k->sizes[2];
  int64_t dv = v->sizes[3];
  const float *maskData = has_mask ? mask->aligned + mask->offset : 0;
  int64_t full[4] = {batch, hq, sq, skv};
  int64_t maskStrides[4] = {0, 0, 0, 0};
  if (has_mask)
    for (int dim = 0; dim < 4; ++dim)
      maskStrides[dim] = broadcastStride(mask, dim, full[dim]);
  loom_kernel_attention_f32(
      batch, hq, hkv, sq, skv, d, dv, q->aligned + q->offset, q->strides[0],
      q->strides[1], q->strides[2], q->strides[3], k->aligned + k->offset,
      k->strides[0], k->strides[1], k->strides[2], k->strides[3],
      v->aligned + v->offset, v->strides[0], v->strides[1], v->strides[2],
      v->strides[3], maskData, maskStrides[0], maskStrides[1], maskStrides[2],
      maskStrides[3], out->aligned + out->offset, out->strides[0],
      out->strides[1], out->strides[2], out->strides[3], scale, causal, window,
      sinks);
}

void _mlir_ciface_loom_moe_experts_f32(
    const loom_memref2_f32 *x, const loom_memref1_i64 *offsets,
    const loom_memref1_i64 *counts, const loom_memref3_f32 *w1,
    const loom_memref3_f32 *w2, const loom_memref3_f32 *w3,
    const loom_memref2_f32 *out, int32_t activation) {
  loom_kernel_moe_experts_f32(
      x->sizes[0], x->sizes[1], w1->sizes[2], offsets->sizes[0],
      x->aligned + x->offset, x->strides[0], x->strides[1],
      offsets->aligned + offsets->offset, offsets->strides[0],
      counts->aligned + counts->offset, counts->strides[0],
      w1->aligned + w1->offset, w1->strides[0], w1->strides[1], w1->strides[2],
      w2->aligned + w2->offset, w2->strides[0], w2->strides[1], w2->strides[2],
      w3->aligned + w3->offset, w3->strides[0], w3->strides[1], w3->strides[2],
      out->aligned + out->offset, out->strides[0], out->strides[1], activation);
}

static loom_moe_quant_weight quantWeight(const loom_memref3_i8 *q,
                                         const loom_memref3_f32 *s,
                                         const loom_memref3_i8 *z,
                                         int64_t reduction, int32_t hasZero) {
  loom_moe_quant_weight w = {q->aligned + q->offset,
                             q->strides[0],
                             q->strides[1],
                             q->strides[2],
                             s->aligned + s->offset,
                             s->strides[0],
                             s->strides[1],
                             s->strides[2],
                             hasZero ? z->aligned + z->offset : 0,
                             z->strides[0],
                             z->strides[1],
                             z->strides[2],
                             s->sizes[1] > 0 ? reduction / s->sizes[1]
                                             : reduction};
  return w;
}

void _mlir_ciface_loom_moe_experts_q_f32(
    const loom_memref2_f32 *x, const loom_memref1_i64 *offsets,
    const loom_memref1_i64 *counts, const loom_memref3_i8 *q1,
    const loom_memref3_i8 *q2, const loom_memref3_i8 *q3,
    const loom_memref3_f32 *s1, const loom_memref3_f32 *s2,
    const loom_memref3_f32 *s3, const loom_memref3_i8 *z1,
    const loom_memref3_i8 *z2, const loom_memref3_i8 *z3,
    const loom_memref2_f32 *out, int32_t activation, int32_t bits,
    int32_t has_zero_points) {
  int64_t hidden = x->sizes[1], ffn = q1->sizes[2];
  loom_moe_quant_weight w1 = quantWeight(q1, s1, z1, hidden, has_zero_points);
  loom_moe_quant_weight w2 = quantWeight(q2, s2, z2, ffn, has_zero_points);
  loom_moe_quant_weight w3 = quantWeight(q3, s3, z3, hidden, has_zero_points);
  loom_kernel_moe_experts_q_f32(
      x->sizes[0], hidden, ffn, offsets->sizes[0], x->aligned + x->offset,
      x->strides[0], x->strides[1], offsets->aligned + offsets->offset,
      offsets->strides[0], counts->aligned + counts->offset, counts->strides[0],
      &w1, &w2, &w3, bits, out->aligned + out->offset, out->strides[0],
      out->strides[1], activation);
}

void _mlir_ciface_loom_moe_combine_f32(const loom_memref2_f32 *y,
                                       const loom_memref1_i64 *permutation,
                                       const loom_memref2_f32 *weights,
                                       const loom_memref2_f32 *out) {
  loom_kernel_moe_combine_f32(
      weights->sizes[0], weights->sizes[1], y->sizes[1], y->sizes[0],
      y->aligned + y->offset, y->strides[0], y->strides[1],
      permutation->aligned + permutation->offset, permutation->strides[0],
      weights->aligned + weights->offset, weights->strides[0],
      weights->strides[1], out->aligned + out->offset, out->strides[0],
      out->strides[1]);
}

void _mlir_ciface_loom_qmatmul_f32(const loom_memref2_f32 *x,
                                   const loom_memref2_i8 *w,
                                   const loom_memref2_f32 *scales,
                                   const loom_memref2_i8 *zero_points,
                                   const loom_memref2_f32 *y, int32_t bits,
                                   int32_t has_zero_points) {
  int64_t k = x->sizes[1], groups = scales->sizes[1];
  const int8_t *zeros =
      has_zero_points ? zero_points->aligned + zero_points->offset : 0;
  loom_kernel_qmatmul_f32(
      x->sizes[0], w->sizes[0], k, bits, groups > 0 ? k / groups : k,
      x->aligned + x->offset, x->strides[0], x->strides[1],
      w->aligned + w->offset, w->strides[0], w->strides[1],
      scales->aligned + scales->offset, scales->strides[0], scales->strides[1],
      zeros, has_zero_points ? zero_points->strides[0] : 0,
      has_zero_points ? zero_points->strides[1] : 0, y->aligned + y->offset,
      y->strides[0], y->strides[1]);
}

void _mlir_ciface_loom_bcq_matmul_f32(const loom_memref2_f32 *x,
                                      const loom_memref3_i8 *planes,
                                      const loom_memref3_i8 *exponents,
                                      const loom_memref2_f32 *y) {
  int64_t k = x->sizes[1], groups = exponents->sizes[2];
  loom_kernel_bcq_matmul_f32(
      x->sizes[0], planes->sizes[1], k, planes->sizes[0],
      groups > 0 ? k / groups : k, x->aligned + x->offset, x->strides[0],
      x->strides[1], planes->aligned + planes->offset, planes->strides[0],
      planes->strides[1], planes->strides[2],
      exponents->aligned + exponents->offset, exponents->strides[0],
      exponents->strides[1], exponents->strides[2], y->aligned + y->offset,
      y->strides[0], y->strides[1]);
}
