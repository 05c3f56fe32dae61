// fixed_point_mlp.mlir written by hand in C++ on the vendor's ap_fixed, as
// the HLS emitter writes loop IR: every value a data_t, one variable per op,
// the loops of convert-linalg-to-loops in their order; +, -, * on data_t,
// exp and / in float. fixed-point-cpu.test compiles it with
// -DFMT_W=.. -DFMT_I=.. -DFMT_Q=AP_.. -DFMT_O=AP_.. and compares what it
// writes with `loom-run --fixed-point`, bit for bit.
// Usage: fixed_point_mlp IN.f32 OUT.f32 (raw float32: x 8x32, w 32x16, b 16
// in; y, softmax, o 8x16 and b 16 out).
#include <ap_fixed.h>

#include <cmath>
#include <cstdio>

typedef ap_fixed<FMT_W, FMT_I, FMT_Q, FMT_O> data_t;

static data_t x[8][32], w[32][16], b[16], h[8][16], y[8][16], z[8][16];
static data_t e[8][16], s[8][16], o[8][16], rowMax[8], rowSum[8];

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  static float raw[8 * 32 + 32 * 16 + 16];
  FILE *in = std::fopen(argv[1], "rb");
  if (!in || std::fread(raw, sizeof(float), sizeof(raw) / sizeof(float), in) !=
                 sizeof(raw) / sizeof(float))
    return 2;
  std::fclose(in);
  // The testbench's conversion of the float inputs.
  const float *p = raw;
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < 32; ++k)
      x[i][k] = *p++;
  for (int k = 0; k < 32; ++k)
    for (int j = 0; j < 16; ++j)
      w[k][j] = *p++;
  for (int j = 0; j < 16; ++j)
    b[j] = *p++;

  const data_t zero = 0.0f, scale = 1.3f, big = 16.0f;
  const data_t maxInit = -NAN; // linalg.softmax's -NaN start (maxnumf)
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j)
      h[i][j] = zero;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j)
      for (int k = 0; k < 32; ++k) {
        data_t prod = x[i][k] * w[k][j];
        data_t sum = h[i][j] + prod;
        h[i][j] = sum;
      }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t sum = h[i][j] + b[j];
      data_t relu = sum > zero ? sum : zero;
      y[i][j] = relu;
    }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t scaled = y[i][j] * scale;
      z[i][j] = scaled;
    }
  for (int i = 0; i < 8; ++i)
    rowMax[i] = maxInit;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t m = z[i][j] > rowMax[i] ? z[i][j] : rowMax[i];
      rowMax[i] = m;
    }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t diff = z[i][j] - rowMax[i];
      data_t ex = std::exp(diff.to_float());
      e[i][j] = ex;
    }
  for (int i = 0; i < 8; ++i)
    rowSum[i] = zero;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t sum = rowSum[i] + e[i][j];
      rowSum[i] = sum;
    }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t q = e[i][j].to_float() / rowSum[i].to_float();
      s[i][j] = q;
    }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 16; ++j) {
      data_t times = h[i][j] * big;
      o[i][j] = times;
    }

  FILE *out = std::fopen(argv[2], "wb");
  if (!out)
    return 2;
  for (auto *a : {&y, &s, &o})
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 16; ++j) {
        float v = (*a)[i][j].to_float();
        std::fwrite(&v, sizeof(float), 1, out);
      }
  for (int j = 0; j < 16; ++j) {
    float v = b[j].to_float();
    std::fwrite(&v, sizeof(float), 1, out);
  }
  std::fclose(out);
  return 0;
}
