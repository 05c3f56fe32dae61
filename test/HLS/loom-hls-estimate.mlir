// RUN: loom-opt %s --split-input-file --allow-unregistered-dialect --loom-hls-estimate --verify-diagnostics -o /dev/null | FileCheck %s
// RUN: loom-opt %s --split-input-file --allow-unregistered-dialect --loom-hls-estimate="part=zcu102 json=-" --verify-diagnostics -o /dev/null | FileCheck %s --check-prefix=ZCU
// RUN: loom-opt %s --split-input-file --allow-unregistered-dialect --loom-hls-estimate="json=%t.json" --verify-diagnostics -o /dev/null
// Each split chunk rewrites the file: it holds the last estimated module (@df).
// RUN: %python -c "import json,sys; d=json.load(open(sys.argv[1])); f=d['functions']; assert d['part']=='u280' and d['clock_mhz']==300 and [(x['name'],x['role'],x['latency_cycles'],x['interval_cycles']) for x in f]==[('df','top',139,70),('stage_a','stage of @df',69,69),('stage_b','stage of @df',70,70)] and f[1]['loops'][0]['ii']==1, d" %t.json
// RUN: loom-opt %S/Inputs/attention-64x32.mlir --convert-loom-to-linalg --canonicalize --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --buffer-results-to-out-params="hoist-static-allocs modify-public-functions" --loom-hls-local-buffers --convert-linalg-to-loops --loom-hls-directives --loom-hls-estimate -o /dev/null | FileCheck %s --check-prefix=ATTN
// RUN: not loom-opt %s --split-input-file --loom-hls-estimate="part=vu9p" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADPART
// RUN: not loom-opt %s --split-input-file --loom-hls-estimate="clock-mhz=-5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADCLOCK
// RUN: not loom-opt %s --split-input-file --loom-hls-estimate="json=/nonexistent/dir/x.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADJSON

// End to end: loom.attention (64 tokens, head dim 32) lowered by the
// reference lowering to loop IR, directed with the defaults (PIPELINE II=1
// on every innermost loop). The estimate (docs/HLSEstimator.md compares it
// with the analytical bound) is the sum of eleven sequential nests; two
// dominate: Q.K^T accumulates into a local 64x64 array (recurrence
// fadd 4 + 1 = II 5: 64 * (64 * (31 * 5 + 72 + 1) + 1) + 2 cycles, the 2
// for the two trip-1 loops of batch and head), and P.V accumulates into the m_axi output (no forwarding
// through the bus: 4 + 1 + 64 = II 69: 64 * (32 * (63 * 69 + 72 + 1) + 1) + 2).
// BRAM: four 64x64 f32 arrays of 8 BRAM_18K, two 64-element arrays of 1,
// four m_axi adapters of 2: 42.
// ATTN: @attention 10036246 33454.15 10036246 24 42
// ATTN: latency 933954
// ATTN: loop {{.*}}: trip 32, pipelined II 5 (requested 1, recurrence 5, ports 1), iteration 72, latency 227
// ATTN: latency 9052226
// ATTN: loop {{.*}}: trip 64, pipelined II 69 (requested 1, recurrence 69, ports 1), iteration 72, latency 4419

// BADPART: error: loom-hls-estimate: unknown part 'vu9p' (known: u280, zcu102)
// BADCLOCK: error: loom-hls-estimate: clock-mhz must be > 0, got -5
// BADJSON: error: loom-hls-estimate: cannot write '/nonexistent/dir/x.json'

// The figures below are computed by hand from the cost table
// (docs/HLSEstimator.md): m_axi load 64 cycles, BRAM load 2, store 1,
// f32 add 4 cycles / 2 DSP / 214 LUT / 227 FF, f32 mul 3 / 3 / 128 / 143,
// m_axi adapter 2 BRAM / 1200 LUT / 1600 FF, control 300 LUT / 400 FF, loop
// control 2b+10 LUT / b+2 FF with b = ceil(log2(trip + 1)).

// A float dot product of 32 elements read over m_axi, reduced through
// iter_args and pipelined at II 1: the f32 add (4 cycles) is the
// loop-carried cycle, so II = 4. Iteration: load 64, fmul 3, fadd 4 = 71.
// Loop: (32 - 1) * 4 + 71 = 195; the final store: 196 cycles.
// LUT = 128 + 214 + 3 * 1200 + 300 + (2 * 6 + 10) = 4264;
// FF = 143 + 227 + 3 * 1600 + 400 + 8 = 5578; BRAM = 3 * 2 (m_axi FIFOs).
// CHECK-LABEL: HLS estimate: part u280 (xcu280), 300 MHz, precision float
// CHECK: @dot 196 0.65 196 5 6 4264 5578
// CHECK-NEXT: (top) util 0.1% 0.1% 0.3% 0.2%
// CHECK-NEXT: loop {{[0-9]+}}:{{[0-9]+}}: trip 32, pipelined II 4 (requested 1, recurrence 4, ports 1), iteration 71, latency 195
// On the ZCU102 (200 MHz): the same cycles, 0.98 us, a larger share of the
// part (5 / 2520 DSP).
// ZCU-LABEL: HLS estimate: part zcu102 (xczu9eg), 200 MHz, precision float
// ZCU: @dot 196 0.98 196 5 6 4264 5578
// ZCU-NEXT: (top) util 0.2% 0.3% 1.6% 1.0%
// ZCU: "name": "dot",
// ZCU: "latency_cycles": 196,
func.func @dot(%x: memref<32xf32>, %y: memref<32xf32>, %out: memref<1xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c32 step %c1 iter_args(%acc = %zero) -> (f32) {
    %a = memref.load %x[%i] : memref<32xf32>
    %b = memref.load %y[%i] : memref<32xf32>
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    scf.yield %s : f32
  } {hls.pipeline_ii = 1 : i64}
  memref.store %sum, %out[%c0] : memref<1xf32>
  return
}

// -----

// 16x16x16 matmul, f32, accumulating in a local array (256 x 32 bits: one
// BRAM_18K), PIPELINE II=1 on k (what loom-hls-directives does by default).
// acc[i][j] is loaded and stored at indices invariant in k: a recurrence
// through memory of fadd 4 + 1 (store-to-load turnaround) = 5, so II = 5.
//   init:  j: (16-1)*1 + 1 (store) = 16;  i: 16 * (16 + 1) = 272
//   k:     iteration = 64 (m_axi load) + 3 (fmul) + 4 (fadd) + 1 (store) = 72
//          latency = (16-1)*5 + 72 = 147
//   j:     16 * (147 + 1) = 2368;  i: 16 * (2368 + 1) = 37904
//   copy:  256 + 2 = 258;  total 272 + 37904 + 258 = 38434 cycles
// CHECK-LABEL: HLS estimate: part u280
// CHECK: @mm_k 38434 128.11 38434 5 7
// CHECK: loop {{.*}}: trip 16, sequential, iteration 16, latency 272
// CHECK-NEXT: loop {{.*}}: trip 16, pipelined II 1 (requested 1, recurrence 0, ports 1), iteration 1, latency 16
// CHECK-NEXT: loop {{.*}}: trip 16, sequential, iteration 2368, latency 37904
// CHECK-NEXT: loop {{.*}}: trip 16, sequential, iteration 147, latency 2368
// CHECK-NEXT: loop {{.*}}: trip 16, pipelined II 5 (requested 1, recurrence 5, ports 1), iteration 72, latency 147
func.func @mm_k(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloca() : memref<16x16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      memref.store %zero, %acc[%i, %j] : memref<16x16xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %a = memref.load %A[%i, %k] : memref<16x16xf32>
        %b = memref.load %B[%k, %j] : memref<16x16xf32>
        %c = memref.load %acc[%i, %j] : memref<16x16xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %c, %p : f32
        memref.store %s, %acc[%i, %j] : memref<16x16xf32>
      } {hls.pipeline_ii = 1 : i64}
    }
  }
  memref.copy %acc, %C : memref<16x16xf32> to memref<16x16xf32>
  return
}

// -----

// The same matmul with PIPELINE II=1 on j: the k loop inside is fully
// unrolled (16 copies: 16 * 5 = 80 DSP), its copies chained through acc[i][j]
// (recurrence 5): k takes 72 + (16-1)*5 = 147 cycles. Each j iteration reads
// A and B 16 times over m_axi (one element a cycle) and acc 32 times on two
// BRAM ports, so II = 16 (memory ports), not 1.
//   j: (16-1)*16 + 147 = 387;  i: 16 * (387 + 1) = 6208
//   total 272 + 6208 + 258 = 6738 cycles
// CHECK-LABEL: HLS estimate: part u280
// CHECK: @mm_j 6738 22.46 6738 80 7
// CHECK: loop {{.*}}: trip 16, sequential, iteration 387, latency 6208
// CHECK-NEXT: loop {{.*}}: trip 16, pipelined II 16 (requested 1, recurrence 0, ports 16), iteration 147, latency 387
func.func @mm_j(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloca() : memref<16x16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      memref.store %zero, %acc[%i, %j] : memref<16x16xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %a = memref.load %A[%i, %k] : memref<16x16xf32>
        %b = memref.load %B[%k, %j] : memref<16x16xf32>
        %c = memref.load %acc[%i, %j] : memref<16x16xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %c, %p : f32
        memref.store %s, %acc[%i, %j] : memref<16x16xf32>
      }
    } {hls.pipeline_ii = 1 : i64}
  }
  memref.copy %acc, %C : memref<16x16xf32> to memref<16x16xf32>
  return
}

// -----

// mm_k in fixed<16,6>: a 16-bit add is 1 cycle and W = 16 LUTs, a 16x16
// multiply one DSP48E2 (27x18) with 2 cycles. Recurrence 1 + 1 = 2: II 2.
//   k: iteration 64 + 2 + 1 + 1 = 68; (16-1)*2 + 68 = 98
//   j: 16 * 99 = 1584;  i: 16 * 1585 = 25360;  total 272 + 25360 + 258 = 25890
// acc is 256 x 16 bits: one BRAM_18K (1Kx18). DSP: 1.
// CHECK-LABEL: HLS estimate: part u280 (xcu280), 300 MHz, precision fixed<16,6>
// CHECK: @mm_fixed 25890 86.30 25890 1 7
// CHECK: loop {{.*}}: trip 16, pipelined II 2 (requested 1, recurrence 2, ports 1), iteration 68, latency 98
module attributes {hls.precision = "fixed<16,6>"} {
func.func @mm_fixed(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloca() : memref<16x16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      memref.store %zero, %acc[%i, %j] : memref<16x16xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %a = memref.load %A[%i, %k] : memref<16x16xf32>
        %b = memref.load %B[%k, %j] : memref<16x16xf32>
        %c = memref.load %acc[%i, %j] : memref<16x16xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %c, %p : f32
        memref.store %s, %acc[%i, %j] : memref<16x16xf32>
      } {hls.pipeline_ii = 1 : i64}
    }
  }
  memref.copy %acc, %C : memref<16x16xf32> to memref<16x16xf32>
  return
}
}

// -----

// Power-of-two products as hls.shift (written generically here): in
// fixed<16,6> a shift by a constant exponent is wiring (0 cycles, no DSP,
// no LUT), a variable one a barrel shifter (1 cycle, 16 * 4 LUTs).
//   iteration: m_axi load 64, variable shift 1 (the constant one 0), add 1,
//   store 1 = 67; (8-1)*1 + 67 = 74
// LUT = 16 (add) + 64 (barrel) + 2 * 1200 + 300 + (2 * 4 + 10) = 2798
// CHECK-LABEL: precision fixed<16,6>
// CHECK: @shifts 74 0.25 74 0 4 2798
module attributes {hls.precision = "fixed<16,6>"} {
  func.func @shifts(%x: memref<8xf32>, %y: memref<8xf32>, %e: i32) attributes {hls.top} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %m3 = arith.constant -3 : i32
    scf.for %i = %c0 to %c8 step %c1 {
      %v = memref.load %x[%i] : memref<8xf32>
      %a = "hls.shift"(%v, %m3) : (f32, i32) -> f32
      %b = "hls.shift"(%v, %e) : (f32, i32) -> f32
      %s = arith.addf %a, %b : f32
      memref.store %s, %y[%i] : memref<8xf32>
    } {hls.pipeline_ii = 1 : i64}
    return
  }
}

// -----

// Without hls.top, every public function with a body is estimated as a top
// (its memref argument is an m_axi interface: 2 BRAM, 1200 LUT, 1600 FF,
// plus control 300 / 400 and a 1-bit loop counter 12 / 3); the private one
// is not reported. A loop of trip 0 takes no cycles.
// CHECK-LABEL: HLS estimate: part u280
// CHECK: @zero_trip 0 0.00 0 0 2 1512 2003
// CHECK-NOT: @private_helper
// CHECK: loop {{.*}}: trip 0, pipelined II 1 (requested 1, recurrence 0, ports 1), iteration 65, latency 0
func.func @zero_trip(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c0 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    memref.store %v, %x[%i] : memref<4xf32>
  } {hls.pipeline_ii = 1 : i64}
  return
}
func.func private @private_helper() {
  return
}

// -----

// A DATAFLOW top calling two stages through a stream: each stage is
// reported; the top's interval is the slowest stage, its latency the sum
// (no overlap within one call assumed). Stage arguments are on-chip arrays
// (load 2 cycles).
//   stage_a: iteration 2 + 3 (fmul) + 1 = 6; (64-1)*1 + 6 = 69
//   stage_b: iteration 2 + 4 (fadd) + 1 = 7; (64-1)*1 + 7 = 70
//   df: 69 + 70 = 139 cycles, interval 70
// CHECK-LABEL: HLS estimate: part u280
// CHECK: @df 139 0.46 70
// CHECK-NEXT: (top)
// CHECK: @stage_a 69 0.23 69 3 0
// CHECK-NEXT: (stage of @df)
// CHECK: @stage_b 70 0.23 70 2 0
// CHECK-NEXT: (stage of @df)
func.func private @stage_a(%x: memref<64xf32>, %t: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %x[%i] : memref<64xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %t[%i] : memref<64xf32>
  } {hls.pipeline_ii = 1 : i64}
  return
}
func.func private @stage_b(%t: memref<64xf32>, %y: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %t[%i] : memref<64xf32>
    %w = arith.addf %v, %one : f32
    memref.store %w, %y[%i] : memref<64xf32>
  } {hls.pipeline_ii = 1 : i64}
  return
}
func.func @df(%x: memref<64xf32>, %y: memref<64xf32>) attributes {hls.top, hls.dataflow} {
  %t = memref.alloca() {hls.stream = 4 : i64} : memref<64xf32>
  func.call @stage_a(%x, %t) : (memref<64xf32>, memref<64xf32>) -> ()
  func.call @stage_b(%t, %y) : (memref<64xf32>, memref<64xf32>) -> ()
  return
}

// -----

// expected-error @below {{loom-hls-estimate: not loop IR: a tensor argument (bufferize and lower to loops first)}}
func.func @tensor_argument(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// -----

func.func @tensors(%m: memref<4xf32>) {
  // expected-error @below {{loom-hls-estimate: not loop IR: a tensor value (bufferize and lower to loops first)}}
  %t = bufferization.to_tensor %m : memref<4xf32> to tensor<4xf32>
  %r = arith.addf %t, %t : tensor<4xf32>
  return
}

// -----

func.func @linalg(%m: memref<4xf32>) {
  %cst = arith.constant 0.0 : f32
  // expected-error @below {{loom-hls-estimate: not loop IR: a linalg op (run convert-linalg-to-loops first)}}
  linalg.fill ins(%cst : f32) outs(%m : memref<4xf32>)
  return
}

// -----

func.func @dynamic_trip(%m: memref<8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{loom-hls-estimate: this loop has no constant trip count (set hls.trip_count or make its bounds static)}}
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %m[%i] : memref<8xf32>
    memref.store %v, %m[%i] : memref<8xf32>
  } {hls.pipeline_ii = 1 : i64}
  return
}

// -----

func.func @unknown_op(%m: memref<8xf32>, %cond: i1) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{loom-hls-estimate: no cost table entry for 'scf.if' (loop IR has arith, math, memref, scf.for and func.call ops only)}}
  scf.if %cond {
    %v = memref.load %m[%c0] : memref<8xf32>
    memref.store %v, %m[%c0] : memref<8xf32>
  }
  return
}

// -----

// expected-error @below {{loom-hls-estimate: precision must be float or fixed<W,I>, not 'half'}}
module attributes {hls.precision = "half"} {
  func.func @f() {
    return
  }
}

// -----

func.func private @external(memref<4xf32>)
func.func @calls_declaration(%m: memref<4xf32>) {
  // expected-error @below {{loom-hls-estimate: the callee has no body}}
  func.call @external(%m) : (memref<4xf32>) -> ()
  return
}

// -----

// expected-error @below {{loom-hls-estimate: recursion (HLS has none)}}
func.func @recursive(%m: memref<4xf32>) {
  func.call @recursive(%m) : (memref<4xf32>) -> ()
  return
}
