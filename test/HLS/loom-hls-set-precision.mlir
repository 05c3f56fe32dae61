// RUN: loom-opt %s --loom-hls-set-precision | FileCheck %s --check-prefix=FLOAT
// RUN: loom-opt %s --loom-hls-set-precision="precision=fixed<16,6> rounding=trn overflow=wrap" | FileCheck %s --check-prefix=FIXED
// RUN: not loom-opt %s --loom-hls-set-precision="precision=fixed<16,20>" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not loom-opt %s --loom-hls-set-precision="precision=double" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not loom-opt %s --loom-hls-set-precision="rounding=up" 2>&1 | FileCheck %s --check-prefix=ROUND
// RUN: not loom-opt %s --loom-hls-set-precision="overflow=clip" 2>&1 | FileCheck %s --check-prefix=OVER

// FLOAT: module attributes {hls.precision = "float"}
// FIXED: module attributes {hls.overflow = "wrap", hls.precision = "fixed<16,6>", hls.rounding = "trn"}
// RANGE: error: loom-hls-set-precision: fixed<W,I> needs 2 <= W <= 64 and 1 <= I <= W, not fixed<16,20>
// NAME: error: loom-hls-set-precision: precision must be float or fixed<W,I>, not 'double'
// ROUND: error: loom-hls-set-precision: rounding must be conv, rnd or trn, not 'up'
// OVER: error: loom-hls-set-precision: overflow must be sat or wrap, not 'clip'
module {
}
