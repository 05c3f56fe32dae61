// The vendor's ap_fixed semantics, as loom-hls-emulate-fixed-point computes
// them (docs/HLSFixedPoint.md). Reads pairs of doubles (C hex literals, one
// pair a line) from stdin and prints, for every ap_fixed<W,I,Q,O> below and
// every pair (x, y), a line
//   W I Q O  x  data_t(x)  data_t(float(x))  a*b  a+b  a-b  -a
// with a = data_t(x), b = data_t(y) and each result assigned to data_t (as the
// emitted C++ does: one variable per op), every value printed exactly (%a).
// check_ap_fixed.py compares each with its own implementation of the formula.
#include <ap_fixed.h>

#include <cstdio>
#include <vector>

static std::vector<std::pair<double, double>> pairs;

template <int W, int I, ap_q_mode Q, ap_o_mode O>
static void run(const char *q, const char *o) {
  typedef ap_fixed<W, I, Q, O> data_t;
  for (const auto &p : pairs) {
    data_t a = p.first, b = p.second;
    data_t fromFloat = float(p.first);
    data_t mul = a * b, add = a + b, sub = a - b, neg = -a;
    std::printf("%d %d %s %s %a %a %a %a %a %a %a\n", W, I, q, o, p.first,
                a.to_double(), fromFloat.to_double(), mul.to_double(),
                add.to_double(), sub.to_double(), neg.to_double());
  }
}

template <int W, int I> static void runModes() {
  run<W, I, AP_RND_CONV, AP_SAT>("conv", "sat");
  run<W, I, AP_RND_CONV, AP_WRAP>("conv", "wrap");
  run<W, I, AP_RND, AP_SAT>("rnd", "sat");
  run<W, I, AP_RND, AP_WRAP>("rnd", "wrap");
  run<W, I, AP_TRN, AP_SAT>("trn", "sat");
  run<W, I, AP_TRN, AP_WRAP>("trn", "wrap");
}

int main() {
  double x, y;
  while (std::scanf("%la %la", &x, &y) == 2)
    pairs.push_back({x, y});
  runModes<16, 6>();
  runModes<8, 3>();
  runModes<24, 10>();
  runModes<12, 0>();
  runModes<5, 5>();
  runModes<2, 1>();
  return 0;
}
