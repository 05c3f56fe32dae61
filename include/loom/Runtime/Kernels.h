/*===- Kernels.h - Loom's CPU microkernels, C ABI -----------------*- C -*-===//
 *
 * The hand-written kernels the fast CPU path calls (the IREE "ukernel" idea):
 * compiled to LLVM bitcode when Loom is built, linked into every compiled model
 * and optimised together with it for the `--mcpu` that loomc was given, so one
 * source serves AVX2, AVX-512 and any other ISA LLVM can target.
 *
 * Conventions for every kernel:
 *  - Pointers point at element 0 of the operand (the memref offset already
 *    applied); strides count elements and may be 0 (broadcast) or any other
 *    value (transposed and sliced views).
 *  - Kernels never allocate on the heap except through the thread pool's
 *    per-call scratch, never keep state between calls, and are safe to call
 *    from several threads at once.
 *  - The code is plain C11 with clang vector extensions and pthreads: the
 *    compiled library still depends on libc and libm only.
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOOM_RUNTIME_KERNELS_H
#define LOOM_RUNTIME_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Reports a run-time error of the current model call (RuntimeErrors.h);
/// defined by the compiled library or the JIT. Only the thread that entered
/// the model may call it: kernels collect failures of pool workers and report
/// them after the parallel loop.
void loom_runtime_error(int32_t code);

/// RuntimeError::OutOfMemory.
#define LOOM_KERNEL_ERROR_OUT_OF_MEMORY 2

/*===----------------------------------------------------------------------===
 * Thread pool
 *===----------------------------------------------------------------------===*/

/// Body of a parallel loop: runs iterations [begin, end) of the loop with the
/// caller's `context`. `worker` is in [0, loom_num_threads()) and tells which
/// thread runs the chunk (for per-thread scratch).
typedef void (*loom_parallel_fn)(void *context, int64_t begin, int64_t end,
                                 int32_t worker);

/// Runs `fn` over [0, n) split into chunks of at least `grain` iterations on
/// the pool, and returns when every chunk is done. Runs inline (worker 0) when
/// the pool has one thread, when the loop is too small, when called from a pool
/// worker (no nested parallelism), or when another caller holds the pool (so
/// concurrent calls into one model stay correct).
void loom_parallel_for(int64_t n, int64_t grain, loom_parallel_fn fn,
                       void *context);

/// A 64-byte aligned buffer of at least `bytes` bytes owned by the calling
/// thread, one per `slot` (0-3), kept for the thread's next calls and freed
/// when the thread exits; null when memory runs out. A kernel chunk uses it
/// instead of malloc/free per call, whose large blocks are fresh mmaps that
/// page-fault on every call.
void *loom_scratch(int32_t slot, uint64_t bytes);

/// The number of threads parallel loops use: the environment variable
/// LOOM_NUM_THREADS when set to a positive number, else the count the model
/// was compiled with (`loomc --threads`, 0 = every core).
int32_t loom_num_threads(void);

/*===----------------------------------------------------------------------===
 * Temporary buffers
 *===----------------------------------------------------------------------===*/

/// memref.alloc / memref.dealloc of the fast path (finalize-memref-to-llvm's
/// generic allocation functions): libc allocations behind a per-thread cache
/// of freed blocks, so that a model's temporaries are reused from one call to
/// the next (Allocator.c).
void *_mlir_memref_to_llvm_alloc(uint64_t size);
void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size);
void _mlir_memref_to_llvm_free(void *pointer);

/*===----------------------------------------------------------------------===
 * Matrix multiplication
 *===----------------------------------------------------------------------===*/

/// C[b] += A[b] * B[b] for b in [0, batch): A is m x k, B is k x n, C is m x n,
/// all f32, each with a batch, row and column stride.
void loom_kernel_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                       const float *a, int64_t a_batch_stride,
                       int64_t a_row_stride, int64_t a_col_stride,
                       const float *b, int64_t b_batch_stride,
                       int64_t b_row_stride, int64_t b_col_stride, float *c,
                       int64_t c_batch_stride, int64_t c_row_stride,
                       int64_t c_col_stride);

/// C[b] += A[b] * B[b] in integers: A (m x k) and B (k x n) int8, C (m x n)
/// int32, strides as loom_kernel_sgemm's (IGemm.c). Sums wrap like
/// arith.addi (they cannot overflow for k < 2^17).
void loom_kernel_igemm_s8s32(int64_t batch, int64_t m, int64_t n, int64_t k,
                             const int8_t *a, int64_t a_batch_stride,
                             int64_t a_row_stride, int64_t a_col_stride,
                             const int8_t *b, int64_t b_batch_stride,
                             int64_t b_row_stride, int64_t b_col_stride,
                             int32_t *c, int64_t c_batch_stride,
                             int64_t c_row_stride, int64_t c_col_stride);

/// The GEMM's building blocks for kernels that produce one operand themselves
/// (the quantized matmul dequantizes weight rows into A). The register tile
/// is loom_gemm_mr() rows by loom_gemm_nr() columns, constants of the linked
/// Gemm.c variant.
int64_t loom_gemm_mr(void);
int64_t loom_gemm_nr(void);

/// The row stride (in floats) of loom_gemm_rows_by_packed_b's A, and the
/// largest reduction slice it takes.
#define LOOM_GEMM_KC 256

/// Packs rows [0, kc) x columns [0, cols) of B into NR-column panels (row p of
/// a panel is NR consecutive floats, zero padded): ceil(cols / NR) * NR * kc
/// floats.
void loom_gemm_pack_b(int64_t kc, int64_t cols, const float *b,
                      int64_t row_stride, int64_t col_stride, float *packed);

/// C[rows, cols] += A[rows, kc] * B[kc, cols] on the calling thread, for
/// rows a multiple of MR, cols a multiple of NR and kc <= LOOM_GEMM_KC; A
/// row-major with row stride LOOM_GEMM_KC, B packed by loom_gemm_pack_b, C
/// with unit column stride.
void loom_gemm_rows_by_packed_b(int64_t rows, int64_t cols, int64_t kc,
                                const float *a, const float *packed_b, float *c,
                                int64_t c_row_stride);

/// y[n,g,f,i,j] += sum_{c,p,q} x[n,g,c, i*sh + p*dh, j*sw + q*dw] *
/// w[g,f,c,p,q]: the importer's grouped 2-D convolution (x [N,G,C,H,W] already
/// padded, w [G,F,C,KH,KW], y [N,G,F,OH,OW]), each operand with five strides.
void loom_kernel_conv2d_f32(int64_t batch, int64_t groups, int64_t channels,
                            int64_t filters, int64_t oh, int64_t ow, int64_t kh,
                            int64_t kw, int64_t sh, int64_t sw, int64_t dh,
                            int64_t dw, const float *x, int64_t x_s0,
                            int64_t x_s1, int64_t x_s2, int64_t x_s3,
                            int64_t x_s4, const float *w, int64_t w_s0,
                            int64_t w_s1, int64_t w_s2, int64_t w_s3,
                            int64_t w_s4, float *y, int64_t y_s0, int64_t y_s1,
                            int64_t y_s2, int64_t y_s3, int64_t y_s4);

/*===----------------------------------------------------------------------===
 * Quantized and binary-coded matrix multiplication
 *===----------------------------------------------------------------------===*/

/// `loom.qmatmul` with f32 activations and result: y[m,n] = sum_k x[m,k] *
/// W[n,k] with W[n,k] = (q[n,k] - z[n,k/group_size]) * s[n,k/group_size],
/// read from the packed weight (never dequantized whole):
///  - bits 8: w [n, k] of int8; bits 4: w [n, k/2], two's complement nibbles,
///    the low nibble first (k even).
///  - scales [n, k/group_size] f32 (per channel: group_size = k and one
///    column); zero_points (may be null: symmetric) of the same shape, int8.
///  - group_size divides k. Every operand comes with its strides; y is
///    overwritten. The sum is reassociated (scales factored out of a group's
///    sum, vector partial sums): results match the op within rounding.
void loom_kernel_qmatmul_f32(int64_t m, int64_t n, int64_t k, int32_t bits,
                             int64_t group_size, const float *x, int64_t x_rs,
                             int64_t x_cs, const int8_t *w, int64_t w_rs,
                             int64_t w_cs, const float *scales, int64_t s_rs,
                             int64_t s_cs, const int8_t *zero_points,
                             int64_t z_rs, int64_t z_cs, float *y, int64_t y_rs,
                             int64_t y_cs);

/// `loom.bcq_matmul` with f32 activations and result: planes [planes, n,
/// k/8] of bits (bit j of byte c is column 8c + j, set = +1, clear = -1),
/// exponents [planes, n, k/group_size] (alpha = 2^e), group_size a multiple
/// of 8 dividing k; y [m, n] is overwritten. The additions are the op's, in
/// its order, so the result has the reference lowering's bits.
void loom_kernel_bcq_matmul_f32(int64_t m, int64_t n, int64_t k, int64_t planes,
                                int64_t group_size, const float *x,
                                int64_t x_rs, int64_t x_cs, const int8_t *bits,
                                int64_t b_ps, int64_t b_rs, int64_t b_cs,
                                const int8_t *exponents, int64_t e_ps,
                                int64_t e_rs, int64_t e_cs, float *y,
                                int64_t y_rs, int64_t y_cs);

/*===----------------------------------------------------------------------===
 * Attention
 *===----------------------------------------------------------------------===*/

/// `out = softmax(scale * q k^T + mask) v` with online softmax over key
/// tiles, exactly the semantics of `loom.attention` without a cache, key
/// scores or Hamming (see docs/Attention.md):
///  - q [batch, hq, sq, d], k [batch, hkv, skv, d], v [batch, hkv, skv, dv],
///    out [batch, hq, sq, dv]; query head h reads kv head h / (hq / hkv).
///    Each operand comes with four strides (batch, head, sequence, channel).
///  - query i sits at absolute position skv - sq + i, key j at position j;
///    `causal` hides keys after the query, `window` > 0 (only with causal) also
///    hides keys at or before pos - window, except keys j < `sinks`.
///  - `mask` (may be null) is added to the scores: [batch, hq, sq, skv] with
///    stride 0 on broadcast dimensions.
///  - a query row with no visible key (or only -inf scores) yields zeros.
void loom_kernel_attention_f32(
    int64_t batch, int64_t hq, int64_t hkv, int64_t sq, int64_t skv, int64_t d,
    int64_t dv, const float *q, int64_t q_sb, int64_t q_sh, int64_t q_ss,
    int64_t q_sd, const float *k, int64_t k_sb, int64_t k_sh, int64_t k_ss,
    int64_t k_sd, const float *v, int64_t v_sb, int64_t v_sh, int64_t v_ss,
    int64_t v_sd, const float *mask, int64_t m_sb, int64_t m_sh, int64_t m_ss,
    int64_t m_sd, float *out, int64_t o_sb, int64_t o_sh, int64_t o_ss,
    int64_t o_sd, float scale, int32_t causal, int64_t window, int64_t sinks);

/*===----------------------------------------------------------------------===
 * Mixture of experts
 *===----------------------------------------------------------------------===*/

/// Activations of loom.moe.experts (the values of loom::MoEActivation).
#define LOOM_MOE_ACTIVATION_SWIGLU 0
#define LOOM_MOE_ACTIVATION_GELU 1
#define LOOM_MOE_ACTIVATION_GELU_TANH 2
#define LOOM_MOE_ACTIVATION_RELU 3

/// `loom.moe.experts` with feed-forward experts only: for each expert e, the
/// rows [offsets[e], offsets[e] + counts[e]) of x [rows, hidden] go through
/// `act(x W1[e]) (* x W3[e] for SwiGLU) W2[e]` (W1, W3 [experts, hidden, ffn],
/// W2 [experts, ffn, hidden]; w3 is only read for SwiGLU); other rows of out
/// are 0. Every operand comes with its strides.
void loom_kernel_moe_experts_f32(
    int64_t rows, int64_t hidden, int64_t ffn, int64_t experts, const float *x,
    int64_t x_rs, int64_t x_cs, const int64_t *offsets, int64_t offsets_s,
    const int64_t *counts, int64_t counts_s, const float *w1, int64_t w1_se,
    int64_t w1_sh, int64_t w1_sf, const float *w2, int64_t w2_se, int64_t w2_sf,
    int64_t w2_sh, const float *w3, int64_t w3_se, int64_t w3_sh, int64_t w3_sf,
    float *out, int64_t out_rs, int64_t out_cs, int32_t activation);

/// One quantized expert weight of `loom.moe.experts` (codes [experts, K, N]
/// i8, or [experts, K/2, N] packed int4 along K as loom.qmatmul packs them;
/// scales and zero points [experts, K / group_size, N]; `zero_points` null
/// when symmetric), each with its strides.
typedef struct {
  const int8_t *codes;
  int64_t codes_se, codes_sk, codes_sn;
  const float *scales;
  int64_t scales_se, scales_sg, scales_sn;
  const int8_t *zero_points;
  int64_t zero_se, zero_sg, zero_sn;
  int64_t group_size;
} loom_moe_quant_weight;

/// loom_kernel_moe_experts_f32 with quantized weights (`bits` 8 or 4): each
/// (expert, column chunk) work item dequantizes its [K, chunk] tile of the
/// weight, `(q - z) * s` in f32, into a scratch buffer and runs the same
/// GEMM, so no f32 copy of the experts exists. `w3` is read only for SwiGLU.
void loom_kernel_moe_experts_q_f32(
    int64_t rows, int64_t hidden, int64_t ffn, int64_t experts, const float *x,
    int64_t x_rs, int64_t x_cs, const int64_t *offsets, int64_t offsets_s,
    const int64_t *counts, int64_t counts_s, const loom_moe_quant_weight *w1,
    const loom_moe_quant_weight *w2, const loom_moe_quant_weight *w3,
    int32_t bits, float *out, int64_t out_rs, int64_t out_cs,
    int32_t activation);

/// `loom.moe.combine`: out[t, :] = sum over rows r (ascending) with
/// permutation[r] = t * slots + s of weights[t, s] * y[r, :]; rows with an
/// assignment outside [0, tokens * slots) contribute nothing. A scatter over
/// the rows, where the reference lowering scans every row for every token.
void loom_kernel_moe_combine_f32(int64_t tokens, int64_t slots, int64_t hidden,
                                 int64_t rows, const float *y, int64_t y_rs,
                                 int64_t y_cs, const int64_t *permutation,
                                 int64_t perm_s, const float *weights,
                                 int64_t w_ts, int64_t w_ss, float *out,
                                 int64_t out_ts, int64_t out_hs);

/*===----------------------------------------------------------------------===
 * Entry points with MLIR memref descriptors
 *===----------------------------------------------------------------------===*/

/// The descriptor MLIR passes for a rank-4 f32 memref (llvm.emit_c_interface).
typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
} loom_memref4_f32;

/// `func.call @loom_attention_f32` of convert-loom-attention-to-cpu-kernels:
/// loom_kernel_attention_f32 on descriptors. The mask is read only when
/// `has_mask`; its dimensions of size 1 broadcast.
void _mlir_ciface_loom_attention_f32(const loom_memref4_f32 *q,
                                     const loom_memref4_f32 *k,
                                     const loom_memref4_f32 *v,
                                     const loom_memref4_f32 *mask,
                                     const loom_memref4_f32 *out, float scale,
                                     int32_t causal, int64_t window,
                                     int64_t sinks, int32_t has_mask);

/// Descriptors of rank 1-3 memrefs of f32 or i64.
typedef struct {
  int64_t *allocated;
  int64_t *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} loom_memref1_i64;
typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} loom_memref2_f32;
typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} loom_memref3_f32;

/// `func.call @loom_moe_experts_f32` of convert-loom-moe-to-cpu-kernels:
/// loom_kernel_moe_experts_f32 on descriptors (w3 is read only for SwiGLU).
void _mlir_ciface_loom_moe_experts_f32(
    const loom_memref2_f32 *x, const loom_memref1_i64 *offsets,
    const loom_memref1_i64 *counts, const loom_memref3_f32 *w1,
    const loom_memref3_f32 *w2, const loom_memref3_f32 *w3,
    const loom_memref2_f32 *out, int32_t activation);

/// `func.call @loom_moe_combine_f32`: loom_kernel_moe_combine_f32 on
/// descriptors.
void _mlir_ciface_loom_moe_combine_f32(const loom_memref2_f32 *y,
                                       const loom_memref1_i64 *permutation,
                                       const loom_memref2_f32 *weights,
                                       const loom_memref2_f32 *out);

/// Descriptors of rank 2 and 3 i8 memrefs.
typedef struct {
  int8_t *allocated;
  int8_t *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} loom_memref2_i8;
typedef struct {
  int8_t *allocated;
  int8_t *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} loom_memref3_i8;

/// `func.call @loom_moe_experts_q_f32` of convert-loom-moe-to-cpu-kernels:
/// loom_kernel_moe_experts_q_f32 on descriptors (codes, scales and zero
/// points in w1, w2, w3 order; w3's only read for SwiGLU, zero points only
/// when `has_zero_points`).
void _mlir_ciface_loom_moe_experts_q_f32(
    const loom_memref2_f32 *x, const loom_memref1_i64 *offsets,
    const loom_memref1_i64 *counts, const loom_memref3_i8 *q1,
    const loom_memref3_i8 *q2, const loom_memref3_i8 *q3,
    const loom_memref3_f32 *s1, const loom_memref3_f32 *s2,
    const loom_memref3_f32 *s3, const loom_memref3_i8 *z1,
    const loom_memref3_i8 *z2, const loom_memref3_i8 *z3,
    const loom_memref2_f32 *out, int32_t activation, int32_t bits,
    int32_t has_zero_points);

/// `func.call @loom_qmatmul_f32` of convert-loom-quant-to-cpu-kernels:
/// loom_kernel_qmatmul_f32 on descriptors. Scales and zero points are
/// [n, groups] (per channel: [n, 1]); K is the input's second size and the
/// group size K / groups. The zero points are read only when
/// `has_zero_points`.
void _mlir_ciface_loom_qmatmul_f32(const loom_memref2_f32 *x,
                                   const loom_memref2_i8 *w,
                                   const loom_memref2_f32 *scales,
                                   const loom_memref2_i8 *zero_points,
                                   const loom_memref2_f32 *y, int32_t bits,
                                   int32_t has_zero_points);

/// `func.call @loom_bcq_matmul_f32`: loom_kernel_bcq_matmul_f32 on
/// descriptors (the group size is K / exponents' last size).
void _mlir_ciface_loom_bcq_matmul_f32(const loom_memref2_f32 *x,
                                      const loom_memref3_i8 *planes,
                                      const loom_memref3_i8 *exponents,
                                      const loom_memref2_f32 *y);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_RUNTIME_KERNELS_H */
