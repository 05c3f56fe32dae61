//===- Fitting.h - Numeric core of Loom's quantization passes ---*- C++ -*-===//
//
// Fits the weight formats of `loom.qmatmul` (uniform integer codes),
// `loom.bcq_matmul` (binary-coded planes with power-of-two group scales) and
// `loom.shift_matmul` (power-of-two weights) to a float weight matrix, turns
// each format back into floats, and measures the error. `loom-quantize`,
// `loom-shiftadd` and `loom-assign-precision` call it; it is plain C++17 with
// no LLVM or MLIR, so it can be tested and reused on its own.
//
// Conventions shared by every function:
// - A weight matrix W is [N,K] row-major float: N output channels (rows),
//   K inputs (columns), y = x W^T.
// - Calibration statistics are H = sum over calibration rows x of x x^T,
//   [K,K] row-major double (only the lower triangle is read). The output
//   error of a row w replaced by w' is (w - w')^T H (w - w'), and of the
//   matrix trace((W - W') H (W - W')^T).
// - A group is g consecutive columns of one row; g divides K, and g = 0 means
//   one group per row (per output channel). G = K / g groups per row.
//
// The methods:
// - Round-to-nearest (RTN) and GPTQ (E. Frantar, S. Ashkboos, T. Hoefler,
//   D. Alistarh, "GPTQ: Accurate Post-Training Quantization for Generative
//   Pre-trained Transformers", 2022). GPTQ quantizes the columns of a row in
//   order; after column i it spreads the rounding error over the columns not
//   yet quantized, w[j] -= (w[i] - q[i]) / U[i,i] * U[i,j] for j > i, where
//   U is the upper Cholesky factor of the damped inverse Hessian
//   (H + lambda I)^-1 = U^T U. This is the optimal (OBS) update of the
//   remaining weights for the quadratic output error. Rows are independent
//   (H is shared), so each row is processed on its own.
// - Binary-coding quantization as in ShiftAddLLM (H. You, Y. Guo, Y. Fu,
//   W. Zhou, H. Shi, X. Zhang, S. Kundu, A. Yazdanbakhsh, Y. Lin,
//   "ShiftAddLLM: Accelerating Pretrained LLMs via Post-Training
//   Multiplication-Less Reparameterization", 2024): per row and group,
//   w ~ sum_i alpha_i b_i with b_i in {-1,+1} and alpha_i = 2^e_i, fitted by
//   greedy initialisation and alternating least squares; with the output
//   objective the groups are fitted inside the GPTQ column loop above, so
//   later columns absorb the error of earlier ones.
// - Power-of-two weights as in DeepShift (M. Elhoushi, Z. Chen, F. Shafiq,
//   Y. H. Tian, J. Y. Li, "DeepShift: Towards Multiplication-Less Neural
//   Networks", 2021): w ~ s * 2^p, s in {-1,0,+1}.
//
// Preconditions: finite weights and Hessians, options accepted by the
// matching verify* function (the fit functions assert it). Everything is
// deterministic: no randomness, no threads.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANTIZATION_FITTING_H
#define LOOM_QUANTIZATION_FITTING_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::loom::quant {

//===----------------------------------------------------------------------===//
// Uniform integer quantization (loom.qmatmul)
//===----------------------------------------------------------------------===//

enum class UniformRounding {
  /// Each weight rounded to the nearest code on its own.
  Nearest,
  /// GPTQ's error-compensating rounding; needs the Hessian.
  Gptq,
};

struct UniformOptions {
  /// Code width, 2..8. Codes are signed: [-2^(bits-1), 2^(bits-1) - 1].
  int bits = 8;
  /// Columns per group; 0 = one group per row (per channel).
  int64_t groupSize = 0;
  /// Symmetric: zero point 0, scale = max|w| / (2^(bits-1) - 1).
  /// Asymmetric: integer zero point, scale = (max - min) / (2^bits - 1),
  /// where the range [min, max] is widened to contain 0 (as GPTQ and ONNX
  /// QuantizeLinear do) so that the zero point is a code and 0 is exact.
  bool symmetric = true;
  UniformRounding rounding = UniformRounding::Nearest;
  /// GPTQ: lambda = dampening * mean(diag(H)) is added to H's diagonal.
  double dampening = 0.01;
  /// GPTQ: false (the reference implementation's behaviour) fits a group's
  /// scale and zero point from the row's current, error-updated weights of
  /// that group when the column loop reaches the group's first column;
  /// true (AutoGPTQ's `static_groups`) fits every group from the original
  /// weights before the loop. Ignored by Nearest.
  bool staticGroups = false;
};

/// W[n,k] ~ (codes[n,k] - zeroPoints[n,G]) * scales[n,G], G = k / g,
/// the dequantization of `loom.qmatmul` (in f32: float(q - z) * s).
struct UniformWeights {
  int64_t rows = 0, cols = 0;
  int bits = 8;
  /// As in UniformOptions: 0 = per channel.
  int64_t groupSize = 0;
  /// [N,K], each in [-2^(bits-1), 2^(bits-1) - 1]. Symmetric RTN never
  /// gives -2^(bits-1); GPTQ can, where error moved onto a weight pushes it
  /// past the group's range and it is clamped. Codes of fewer than 4 bits
  /// are valid int4 codes, so packInt4 stores them for bits = 4.
  std::vector<int8_t> codes;
  /// [N,G] (G = 1 per channel), positive. A group of zeros (or one whose
  /// scale underflows f32) gets scale 1 and, asymmetric, zero point
  /// -2^(bits-1), so its codes all dequantize to 0.
  std::vector<float> scales;
  /// [N,G] in the code range, or empty when symmetric (zero point 0).
  std::vector<int8_t> zeroPoints;

  /// Columns per group with 0 resolved to K.
  int64_t effectiveGroupSize() const { return groupSize ? groupSize : cols; }
  int64_t numGroups() const { return cols / effectiveGroupSize(); }
};

/// The reason `options` cannot quantize an [rows, cols] weight (empty when
/// they can). `haveHessian` says whether a Hessian will be passed.
std::string verifyUniformOptions(int64_t rows, int64_t cols,
                                 const UniformOptions &options,
                                 bool haveHessian);

/// Quantizes `weights` [rows, cols]. Scales and zero points of a group come
/// from the group's weights (see UniformOptions); a code is
/// clamp(roundHalfToEven(w / s) + z) with s the stored float scale. RTN
/// ignores `hessian`; GPTQ needs it. GPTQ treats an input with H[k,k] = 0
/// (never active) as GPTQ does: its weights are quantized as 0.
UniformWeights quantizeUniform(const float *weights, int64_t rows, int64_t cols,
                               const UniformOptions &options,
                               const double *hessian = nullptr);

/// Packs int4 codes [rows, cols] (each in [-8, 7], cols even) into
/// [rows, cols / 2] bytes as `loom.qmatmul` with bits = 4 reads them: byte j
/// of a row holds code 2j in bits 0..3 and code 2j+1 in bits 4..7, each as a
/// two's complement nibble.
std::vector<int8_t> packInt4(const std::vector<int8_t> &codes, int64_t rows,
                             int64_t cols);

/// The inverse of packInt4 (sign-extends each nibble).
std::vector<int8_t> unpackInt4(const std::vector<int8_t> &packed, int64_t rows,
                               int64_t cols);

/// W' [N,K] in f32, exactly as `loom.qmatmul` dequantizes.
std::vector<float> dequantize(const UniformWeights &quantized);

//===----------------------------------------------------------------------===//
// Binary-coding quantization (loom.bcq_matmul)
//===----------------------------------------------------------------------===//

enum class BinaryCodingObjective {
  /// Minimise ||W - W'||^2.
  Weight,
  /// Minimise trace((W - W') H (W - W')^T); needs the Hessian.
  Output,
};

struct BinaryCodingOptions {
  /// Binary planes q, 1..4 (the shift-add pass offers 2, 3 and 4).
  int bits = 3;
  /// Columns per scale group: a positive multiple of 8 dividing K.
  int64_t groupSize = 128;
  /// Rounds of alternating refinement after the greedy initialisation.
  int iterations = 3;
  BinaryCodingObjective objective = BinaryCodingObjective::Weight;
  /// Output objective: lambda = dampening * mean(diag(H)).
  double dampening = 0.01;
};

/// W[n,k] ~ sum_{i<q} 2^{e[i,n,k/g]} * B_i[n,k], B in {-1,+1}, summed in f32
/// over ascending i: the weight of `loom.bcq_matmul`.
struct BinaryCodedWeights {
  int64_t rows = 0, cols = 0;
  int bits = 0;
  int64_t groupSize = 0;
  /// [q, N, K/8]: bit j (least significant first) of byte c of row n of
  /// plane i is B_i[n, 8c + j]; set means +1, clear -1.
  std::vector<uint8_t> planes;
  /// [q, N, K/g], in [kMinBinaryCodingExponent, kMaxBinaryCodingExponent].
  std::vector<int8_t> exponents;
};

/// Exponents stay in f32's normal range, since `loom.bcq_matmul` flushes
/// subnormals; a group of zeros gets the smallest.
constexpr int kMinBinaryCodingExponent = -126;
constexpr int kMaxBinaryCodingExponent = 127;

std::string verifyBinaryCodingOptions(int64_t rows, int64_t cols,
                                      const BinaryCodingOptions &options,
                                      bool haveHessian);

/// Fits `weights` [rows, cols]. Per row and group (objective Weight), on the
/// group's weights w (g values):
///  1. Greedy: r = w; for each plane i, b_i = sign(r) (+1 at 0),
///     alpha_i = mean|r|, r -= alpha_i b_i.
///  2. `iterations` rounds of: least-squares alphas for the fixed b's (kept
///     only if the error does not grow; negative alphas flip their plane),
///     then for each weight the sign combination (of the 2^q) nearest to it.
///  3. Power-of-two rounding: after the greedy step and after every round,
///     each alpha_i is rounded to 2^floor(log2) or 2^ceil(log2); of the
///     (up to 2^q) joint choices, each with its signs re-picked, the one with
///     the lowest squared error is kept, then single exponents move by +-1
///     (signs re-picked) while that lowers the error. The best candidate over
///     the whole run is the result, so the error never grows with
///     `iterations`.
///  Sign ties (a weight halfway between two values) go to the lower value.
/// Objective Output runs GPTQ's column loop (see the file comment) on each
/// row: when the loop reaches a group's first column, the group's exponents
/// are fitted as above from the row's current, error-updated weights; each
/// column then gets the sign combination nearest its current weight, and
/// its error is propagated to the later columns.
BinaryCodedWeights quantizeBinaryCoding(const float *weights, int64_t rows,
                                        int64_t cols,
                                        const BinaryCodingOptions &options,
                                        const double *hessian = nullptr);

/// W' [N,K] in f32, as `loom.bcq_matmul` sees it: ascending-i f32 sum of
/// +-ldexp(1, e).
std::vector<float> dequantize(const BinaryCodedWeights &quantized);

/// One group's fit with real (not power-of-two) scales, the building block of
/// step 2 above, exposed for tests and analyses: greedy initialisation then
/// `iterations` rounds of alternating refinement. Writes q alphas (>= 0) and
/// for each of the g weights its sign combination (bit i set: b_i = +1) and
/// returns the squared error sum_k (w_k - sum_i alpha_i b_ik)^2.
double fitBinaryCodingGroup(const float *weights, int64_t groupSize, int bits,
                            int iterations, float *alphas,
                            uint8_t *combinations);

//===----------------------------------------------------------------------===//
// Power-of-two weights (loom.shift_matmul)
//===----------------------------------------------------------------------===//

struct PowerOfTwoOptions {
  /// Exponent range of `loom.shift_matmul` (its defaults), within int8.
  int minExponent = -8;
  int maxExponent = 7;
};

/// W[n,k] ~ sign[n,k] * 2^exponent[n,k].
struct PowerOfTwoWeights {
  int64_t rows = 0, cols = 0;
  int minExponent = -8, maxExponent = 7;
  /// [N,K] in {-1, 0, +1}.
  std::vector<int8_t> signs;
  /// [N,K] in [minExponent, maxExponent]; 0 clamped into the range where
  /// the sign is 0.
  std::vector<int8_t> exponents;
};

std::string verifyPowerOfTwoOptions(const PowerOfTwoOptions &options);

/// Per weight w: the (s, p) minimising |w - s 2^p| over p in the range and
/// s in {-1, 0, +1}. Ties go to the larger magnitude (round half away from
/// zero): |w| = 1.5 * 2^p gives 2^(p+1), and |w| = 2^(minExponent-1), as
/// close to 0 as to 2^minExponent, gives 2^minExponent; anything smaller is
/// 0. Magnitudes beyond 2^maxExponent give 2^maxExponent.
PowerOfTwoWeights quantizePowerOfTwo(const float *weights, int64_t rows,
                                     int64_t cols,
                                     const PowerOfTwoOptions &options = {});

/// W' [N,K] in f32: s * ldexp(1, p).
std::vector<float> dequantize(const PowerOfTwoWeights &quantized);

//===----------------------------------------------------------------------===//
// Calibration statistics and errors
//===----------------------------------------------------------------------===//

/// Adds sum over the rows x of `activations` [rows, cols] of x x^T to
/// `hessian` ([cols, cols], resized and zeroed when empty). Both triangles
/// are written.
void accumulateHessian(std::vector<double> &hessian, const float *activations,
                       int64_t rows, int64_t cols);

/// GPTQ's factor: the upper-triangular U with positive diagonal such that
/// (H' + lambda I)^-1 = U^T U, where H' is `hessian` [cols, cols] with a
/// zero diagonal entry replaced by 1 and lambda = dampening * mean(diag(H')).
/// Returns U [cols, cols] row-major (zero below the diagonal). Should the
/// damped matrix not be positive definite in floating point, lambda is
/// multiplied by 10 (up to 6 times) until it is.
std::vector<double> inverseHessianFactor(const double *hessian, int64_t cols,
                                         double dampening);

/// mean((a - b)^2) over `count` values.
double weightMeanSquaredError(const float *a, const float *b, int64_t count);

/// trace((A - B) H (A - B)^T) = sum_n (a_n - b_n)^T H (a_n - b_n) for A, B
/// [rows, cols] and H [cols, cols] (full matrix read).
double outputError(const float *a, const float *b, int64_t rows, int64_t cols,
                   const double *hessian);

} // namespace mlir::loom::quant

#endif // LOOM_QUANTIZATION_FITTING_H
