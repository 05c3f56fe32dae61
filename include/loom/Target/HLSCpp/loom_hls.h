//===- loom_hls.h - Helpers of Loom's HLS C++ kernels -----------*- C++ -*-===//
//
// Every kernel that `loom-translate --emit-hls-cpp` and `loomc --target=hls`
// emit includes this header (loomc writes a copy next to the kernel). It
// brings in the vendor's arbitrary-precision types and defines the
// `loom_hls::` operations that the kernels call on their data type `data_t`
// (float or ap_fixed<W,I,Q,O>). Operations without an exact fixed-point form
// (division, exp, log, sqrt, tanh, erf, ...) are computed in float and
// quantised to `T` once, as docs/HLS.md states; min/max and shifts are exact.
// Synthesisable: no allocation, recursion or standard containers.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_HLS_H
#define LOOM_HLS_H

#include <ap_fixed.h>
#include <ap_int.h>
#include <hls_stream.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace loom_hls {

// C simulation only (fixed point): a weight ROM filled from its float
// initialiser at start-up, which g++ compiles much faster than ~1e5 ap_fixed
// initialisers; synthesis sees the ROM with its own initialiser. Each
// element is T(float), as it is there.
template <typename T>
inline bool load_rom(T *rom, const float *init, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    rom[i] = T(init[i]);
  return true;
}

// Dataflow channels (docs/HLSDataflow.md): one element in row-major order.
template <typename T> inline T read(hls::stream<T> &s) { return s.read(); }
template <typename T> inline void write(hls::stream<T> &s, T v) {
  s.write(v);
}

template <typename T> inline T max(T a, T b) { return a < b ? b : a; }
template <typename T> inline T min(T a, T b) { return b < a ? b : a; }
template <typename T> inline T abs(T a) { return a < T(0) ? T(-a) : a; }

template <typename T> inline T div(T a, T b) {
  return T(static_cast<float>(a) / static_cast<float>(b));
}
template <typename T> inline T exp(T a) {
  return T(std::exp(static_cast<float>(a)));
}
template <typename T> inline T log(T a) {
  return T(std::log(static_cast<float>(a)));
}
template <typename T> inline T sqrt(T a) {
  return T(std::sqrt(static_cast<float>(a)));
}
template <typename T> inline T rsqrt(T a) {
  return T(1.0f / std::sqrt(static_cast<float>(a)));
}
template <typename T> inline T tanh(T a) {
  return T(std::tanh(static_cast<float>(a)));
}
template <typename T> inline T erf(T a) {
  return T(std::erf(static_cast<float>(a)));
}
template <typename T> inline T pow(T a, T b) {
  return T(std::pow(static_cast<float>(a), static_cast<float>(b)));
}
template <typename T> inline T floor(T a) {
  return T(std::floor(static_cast<float>(a)));
}
template <typename T> inline T ceil(T a) {
  return T(std::ceil(static_cast<float>(a)));
}
template <typename T> inline T sin(T a) {
  return T(std::sin(static_cast<float>(a)));
}
template <typename T> inline T cos(T a) {
  return T(std::cos(static_cast<float>(a)));
}

/// x * 2^e without a multiplier: an exponent add in float; in fixed point a
/// shift of the bits in a type wide enough to be exact (|e| <= 32), then one
/// quantisation to the kernel's type with its rounding and overflow modes,
/// like every other op. A shift by a constant exponent is wiring.
inline float shift(float x, int32_t e) { return std::ldexp(x, e); }
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
inline ap_fixed<W, I, Q, O, N> shift(ap_fixed<W, I, Q, O, N> x, int32_t e) {
  ap_fixed<W + 64, I + 32> wide = x;
  e = e > 32 ? 32 : (e < -32 ? -32 : e);
  if (e >= 0)
    wide <<= e;
  else
    wide >>= -e;
  return ap_fixed<W, I, Q, O, N>(wide);
}

} // namespace loom_hls

#endif // LOOM_HLS_H
