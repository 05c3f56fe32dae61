// loom-insert-kv-cache by execution on both CPU paths and the GPU kernel
// emulation: a one-layer causal LM over S = 8 tokens (random weights, rotary
// tables, GQA 2/1) is split with prompt-length=3 capacity=8 and lowered
// (convert-loom-to-linalg: the cache crosses the ABI as keys, values,
// positions, length, next). @prefill runs on tokens [3, 7, 1], @decode_step
// on token 5 at position 3 and token 9 at position 4 (each taking the
// previous call's cache parts), and @reference (a copy of the model,
// which the pass leaves alone) on the 5 tokens padded to 8. Every prefill row
// and each step's logits must equal the reference's row (causal: row t
// depends only on tokens <= t) to 1e-5 relative error
// (test/lib/insert_kv_cache_driver.py). Then a step at position 8 (past the
// rotary tables) and one at position 4 on a cache whose next position is 5
// must report their run-time errors on every path.
//
// RUN: rm -rf %t && mkdir -p %t && %python -m insert_kv_cache_driver inputs %t
// RUN: loom-opt %s "--loom-insert-kv-cache=function=main prompt-length=3 capacity=8" --convert-loom-to-linalg -o %t/lowered.mlir
// RUN: loom-run %t/lowered.mlir --entry prefill --input %t/tokens.npy --output-dir %t/p > /dev/null
// RUN: loom-run %t/lowered.mlir --entry decode_step --input %t/t3.npy --input %t/pos3.npy \
// RUN:   --input %t/p/result1.npy --input %t/p/result2.npy --input %t/p/result3.npy \
// RUN:   --input %t/p/result4.npy --input %t/p/result5.npy --output-dir %t/d3 > /dev/null
// RUN: loom-run %t/lowered.mlir --entry decode_step --input %t/t4.npy --input %t/pos4.npy \
// RUN:   --input %t/d3/result1.npy --input %t/d3/result2.npy --input %t/d3/result3.npy \
// RUN:   --input %t/d3/result4.npy --input %t/d3/result5.npy --output-dir %t/d4 > /dev/null
// RUN: loom-run %t/lowered.mlir --entry reference --input %t/all.npy --output-dir %t/ref > /dev/null
// RUN: %python -m insert_kv_cache_driver compare %t | FileCheck %s
// CHECK: prefill rows 0..2 vs reference: ok
// CHECK: decode position 3 vs reference: ok
// CHECK: decode position 4 vs reference: ok
// CHECK: cache length [5], next [5]
//
// RUN: not loom-run %t/lowered.mlir --entry decode_step --input %t/t4.npy --input %t/pos8.npy \
// RUN:   --input %t/d4/result1.npy --input %t/d4/result2.npy --input %t/d4/result3.npy \
// RUN:   --input %t/d4/result4.npy --input %t/d4/result5.npy 2>&1 | FileCheck %s --check-prefix=PAST
// PAST: error: runtime error: decode_step: the position is outside the positions the model's export covers
// RUN: not loom-run %t/lowered.mlir --entry decode_step --input %t/t4.npy --input %t/pos4.npy \
// RUN:   --input %t/d4/result1.npy --input %t/d4/result2.npy --input %t/d4/result3.npy \
// RUN:   --input %t/d4/result4.npy --input %t/d4/result5.npy 2>&1 | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: error: runtime error: decode_step: the position differs from the KV cache's next position

func.func @main(%ids: tensor<1x8xi64>) -> tensor<1x8x16xf32> {
  %emb = arith.constant dense<[[0.250200, 0.794400, 0.551400, -0.549600, -0.399700, 0.747100, -0.989500, 0.642500], [0.594100, -0.064100, -0.393900, -0.443100, -0.490300, -0.109800, 0.009100, 0.107000], [0.991000, 0.585300, 0.244400, 0.977900, -0.569400, -0.679600, 0.225100, -0.912100], [-0.928600, 0.029800, -0.067600, 0.834300, 0.258500, 0.028200, -0.006300, -0.505000], [-0.976400, -0.615200, 0.384100, -0.598800, -0.260900, -0.992500, 0.660100, -0.691100], [-0.464800, 0.760700, 0.019600, 0.694300, 0.279400, 0.483500, -0.817000, 0.082300], [0.015500, 0.742700, -0.277500, 0.196400, -0.881500, -0.224700, -0.353900, -0.699600], [0.632700, -0.241100, 0.957500, 0.180000, 0.210100, 0.276000, 0.352900, -0.698400], [-0.119400, -0.520900, -0.195000, -0.806600, 0.935700, -0.570000, 0.343500, -0.399200], [0.748200, 0.324400, -0.736800, 0.690100, 0.889900, 0.807800, 0.139400, -0.709100], [-0.615100, 0.855800, 0.104700, -0.638900, 0.768100, 0.283100, 0.139400, -0.247400], [-0.178100, -0.521000, -0.923900, 0.752400, -0.064500, 0.095300, -0.355700, 0.502600], [-0.949600, -0.255600, -0.939300, -0.754200, 0.934300, 0.315500, -0.143600, 0.047500], [0.745600, -0.311600, 0.180600, 0.367400, -0.289200, 0.038200, 0.530500, 0.818400], [-0.697900, 0.866800, -0.989600, 0.506000, 0.621100, -0.726500, -0.162200, 0.630500], [-0.971500, 0.256900, 0.586000, 0.026000, 0.451700, -0.547200, -0.603000, -0.273700]]> : tensor<16x8xf32>
  %wq = arith.constant dense<[[-0.641200, -0.307900, 0.896200, 0.146700, -0.319900, -0.457000, 0.904100, -0.111000], [0.960800, 0.031000, 0.042300, 0.793100, 0.485500, 0.161300, -0.146700, 0.756400], [-0.176700, 0.845500, -0.862600, -0.140000, 0.039000, 0.901900, -0.498000, 0.612100], [0.352900, 0.434200, 0.259200, 0.943100, -0.334600, -0.203400, -0.594200, -0.898600], [-0.574200, 0.830900, 0.680300, -0.775200, 0.207600, -0.041600, 0.189400, 0.318600], [-0.386700, 0.922700, -0.068300, 0.256200, 0.270500, -0.632200, -0.876300, -0.177000], [0.528100, 0.630400, 0.460000, -0.773600, 0.826700, 0.604100, 0.755400, 0.046600], [0.831300, -0.906700, -0.939400, -0.959600, -0.494500, -0.502900, -0.625000, 0.134100]]> : tensor<8x8xf32>
  %wk = arith.constant dense<[[-0.922000, 0.180800, -0.668000, 0.355700], [-0.957800, -0.378900, 0.876700, 0.076800], [0.623200, 0.316100, 0.221500, -0.617500], [0.148800, -0.920600, 0.603300, 0.920100], [0.708000, -0.898600, -0.322700, -0.364000], [-0.774600, 0.253200, 0.594900, -0.372600], [0.725600, 0.594300, -0.741700, 0.533700], [0.765200, -0.605400, 0.147300, 0.277500]]> : tensor<8x4xf32>
  %wv = arith.constant dense<[[0.218700, -0.807500, 0.322400, 0.263900], [0.647800, 0.607000, -0.345700, 0.444100], [0.734500, 0.785900, -0.677000, -0.946600], [0.301600, -0.570600, 0.127400, 0.889600], [-0.241400, -0.494500, -0.087000, 0.314500], [-0.797800, -0.238800, -0.732600, 0.324900], [0.661100, -0.246300, -0.256600, 0.079000], [-0.569900, -0.505200, -0.340300, -0.085100]]> : tensor<8x4xf32>
  %wo = arith.constant dense<[[-0.836900, 0.505500, 0.158100, -0.400600, -0.844900, 0.526400, -0.737800, -0.733600, -0.738600, -0.837500, 0.812800, -0.461500, -0.387200, 0.665600, 0.239800, -0.625700], [-0.130400, 0.767800, -0.249300, 0.421800, -0.806400, 0.454600, 0.552900, 0.651500, 0.348400, -0.258500, -0.871600, 0.037600, 0.514900, -0.618300, -0.467500, 0.072200], [0.496700, 0.793200, -0.748500, -0.631500, 0.599100, 0.289000, 0.441900, 0.993500, 0.878400, 0.686100, 0.554200, -0.210000, 0.282500, -0.631100, 0.519000, 0.515400], [0.442600, -0.110400, -0.243600, -0.160500, -0.933300, 0.688600, 0.084700, -0.225000, 0.096100, 0.443300, -0.237100, 0.661300, 0.838900, -0.225100, -0.724400, 0.520700], [0.985900, -0.704000, 0.425400, 0.650600, 0.841100, -0.753200, -0.816400, 0.975700, -0.766500, -0.646400, 0.149900, -0.107500, 0.500800, -0.618900, 0.828900, -0.565600], [0.538200, -0.864800, -0.053200, -0.934900, -0.372400, -0.375500, 0.439500, -0.090000, -0.886500, 0.990700, 0.777400, 0.832600, -0.506800, -0.211800, -0.545600, -0.750200], [-0.934000, 0.006700, -0.753700, -0.647400, 0.721000, -0.031500, -0.632600, 0.339700, -0.468300, 0.053900, -0.434100, 0.032300, 0.257100, 0.072400, -0.208800, 0.581600], [0.746900, -0.641300, -0.727400, -0.773600, 0.959200, 0.883200, -0.538700, 0.939800, -0.584400, 0.013000, -0.005200, 0.829900, -0.918900, -0.369300, 0.199900, -0.867200]]> : tensor<8x16xf32>
  %cos = arith.constant dense<[[[[1.000000, 1.000000, 1.000000, 1.000000], [0.540302, 0.999950, 0.540302, 0.999950], [-0.416147, 0.999800, -0.416147, 0.999800], [-0.989992, 0.999550, -0.989992, 0.999550], [-0.653644, 0.999200, -0.653644, 0.999200], [0.283662, 0.998750, 0.283662, 0.998750], [0.960170, 0.998201, 0.960170, 0.998201], [0.753902, 0.997551, 0.753902, 0.997551]]]]> : tensor<1x1x8x4xf32>
  %sin = arith.constant dense<[[[[0.000000, 0.000000, 0.000000, 0.000000], [0.841471, 0.010000, 0.841471, 0.010000], [0.909297, 0.019999, 0.909297, 0.019999], [0.141120, 0.029996, 0.141120, 0.029996], [-0.756802, 0.039989, -0.756802, 0.039989], [-0.958924, 0.049979, -0.958924, 0.049979], [-0.279415, 0.059964, -0.279415, 0.059964], [0.656987, 0.069943, 0.656987, 0.069943]]]]> : tensor<1x1x8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x8xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e0 : tensor<1x8x8xf32>) {
  ^bb0(%in: i64, %out: f32):
    %i = arith.index_cast %in : i64 to index
    %j = linalg.index 2 : index
    %v = tensor.extract %emb[%i, %j] : tensor<16x8xf32>
    linalg.yield %v : f32
  } -> tensor<1x8x8xf32>
  %n = loom.rms_norm %x {epsilon = 1.0e-06 : f32} : (tensor<1x8x8xf32>) -> tensor<1x8x8xf32>
  %c = tensor.collapse_shape %n [[0, 1], [2]] : tensor<1x8x8xf32> into tensor<8x8xf32>
  %eq = tensor.empty() : tensor<8x8xf32>
  %fq = linalg.fill ins(%zero : f32) outs(%eq : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q = linalg.matmul ins(%c, %wq : tensor<8x8xf32>, tensor<8x8xf32>) outs(%fq : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q4 = tensor.expand_shape %q [[0, 1], [2, 3]] output_shape [1, 8, 2, 4] : tensor<8x8xf32> into tensor<1x8x2x4xf32>
  %eqt = tensor.empty() : tensor<1x2x8x4xf32>
  %qt = linalg.transpose ins(%q4 : tensor<1x8x2x4xf32>) outs(%eqt : tensor<1x2x8x4xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<8x4xf32>
  %fk = linalg.fill ins(%zero : f32) outs(%ek : tensor<8x4xf32>) -> tensor<8x4xf32>
  %k = linalg.matmul ins(%c, %wk : tensor<8x8xf32>, tensor<8x4xf32>) outs(%fk : tensor<8x4xf32>) -> tensor<8x4xf32>
  %k4 = tensor.expand_shape %k [[0, 1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<8x4xf32> into tensor<1x8x1x4xf32>
  %ekt = tensor.empty() : tensor<1x1x8x4xf32>
  %kt = linalg.transpose ins(%k4 : tensor<1x8x1x4xf32>) outs(%ekt : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.matmul ins(%c, %wv : tensor<8x8xf32>, tensor<8x4xf32>) outs(%fk : tensor<8x4xf32>) -> tensor<8x4xf32>
  %v4 = tensor.expand_shape %v [[0, 1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<8x4xf32> into tensor<1x8x1x4xf32>
  %vt = linalg.transpose ins(%v4 : tensor<1x8x1x4xf32>) outs(%ekt : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %qr = loom.rope %qt, %cos, %sin : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  %kr = loom.rope %kt, %cos, %sin : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  %o = loom.attention %qr, %kr, %vt {causal, scale = 0.5 : f32} : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  %eo = tensor.empty() : tensor<1x8x2x4xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x8x4xf32>) outs(%eo : tensor<1x8x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc = tensor.collapse_shape %ot [[0, 1], [2, 3]] : tensor<1x8x2x4xf32> into tensor<8x8xf32>
  %el = tensor.empty() : tensor<8x16xf32>
  %fl = linalg.fill ins(%zero : f32) outs(%el : tensor<8x16xf32>) -> tensor<8x16xf32>
  %l = linalg.matmul ins(%oc, %wo : tensor<8x8xf32>, tensor<8x16xf32>) outs(%fl : tensor<8x16xf32>) -> tensor<8x16xf32>
  %le = tensor.expand_shape %l [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xf32> into tensor<1x8x16xf32>
  return %le : tensor<1x8x16xf32>
}

func.func @reference(%ids: tensor<1x8xi64>) -> tensor<1x8x16xf32> {
  %emb = arith.constant dense<[[0.250200, 0.794400, 0.551400, -0.549600, -0.399700, 0.747100, -0.989500, 0.642500], [0.594100, -0.064100, -0.393900, -0.443100, -0.490300, -0.109800, 0.009100, 0.107000], [0.991000, 0.585300, 0.244400, 0.977900, -0.569400, -0.679600, 0.225100, -0.912100], [-0.928600, 0.029800, -0.067600, 0.834300, 0.258500, 0.028200, -0.006300, -0.505000], [-0.976400, -0.615200, 0.384100, -0.598800, -0.260900, -0.992500, 0.660100, -0.691100], [-0.464800, 0.760700, 0.019600, 0.694300, 0.279400, 0.483500, -0.817000, 0.082300], [0.015500, 0.742700, -0.277500, 0.196400, -0.881500, -0.224700, -0.353900, -0.699600], [0.632700, -0.241100, 0.957500, 0.180000, 0.210100, 0.276000, 0.352900, -0.698400], [-0.119400, -0.520900, -0.195000, -0.806600, 0.935700, -0.570000, 0.343500, -0.399200], [0.748200, 0.324400, -0.736800, 0.690100, 0.889900, 0.807800, 0.139400, -0.709100], [-0.615100, 0.855800, 0.104700, -0.638900, 0.768100, 0.283100, 0.139400, -0.247400], [-0.178100, -0.521000, -0.923900, 0.752400, -0.064500, 0.095300, -0.355700, 0.502600], [-0.949600, -0.255600, -0.939300, -0.754200, 0.934300, 0.315500, -0.143600, 0.047500], [0.745600, -0.311600, 0.180600, 0.367400, -0.289200, 0.038200, 0.530500, 0.818400], [-0.697900, 0.866800, -0.989600, 0.506000, 0.621100, -0.726500, -0.162200, 0.630500], [-0.971500, 0.256900, 0.586000, 0.026000, 0.451700, -0.547200, -0.603000, -0.273700]]> : tensor<16x8xf32>
  %wq = arith.constant dense<[[-0.641200, -0.307900, 0.896200, 0.146700, -0.319900, -0.457000, 0.904100, -0.111000], [0.960800, 0.031000, 0.042300, 0.793100, 0.485500, 0.161300, -0.146700, 0.756400], [-0.176700, 0.845500, -0.862600, -0.140000, 0.039000, 0.901900, -0.498000, 0.612100], [0.352900, 0.434200, 0.259200, 0.943100, -0.334600, -0.203400, -0.594200, -0.898600], [-0.574200, 0.830900, 0.680300, -0.775200, 0.207600, -0.041600, 0.189400, 0.318600], [-0.386700, 0.922700, -0.068300, 0.256200, 0.270500, -0.632200, -0.876300, -0.177000], [0.528100, 0.630400, 0.460000, -0.773600, 0.826700, 0.604100, 0.755400, 0.046600], [0.831300, -0.906700, -0.939400, -0.959600, -0.494500, -0.502900, -0.625000, 0.134100]]> : tensor<8x8xf32>
  %wk = arith.constant dense<[[-0.922000, 0.180800, -0.668000, 0.355700], [-0.957800, -0.378900, 0.876700, 0.076800], [0.623200, 0.316100, 0.221500, -0.617500], [0.148800, -0.920600, 0.603300, 0.920100], [0.708000, -0.898600, -0.322700, -0.364000], [-0.774600, 0.253200, 0.594900, -0.372600], [0.725600, 0.594300, -0.741700, 0.533700], [0.765200, -0.605400, 0.147300, 0.277500]]> : tensor<8x4xf32>
  %wv = arith.constant dense<[[0.218700, -0.807500, 0.322400, 0.263900], [0.647800, 0.607000, -0.345700, 0.444100], [0.734500, 0.785900, -0.677000, -0.946600], [0.301600, -0.570600, 0.127400, 0.889600], [-0.241400, -0.494500, -0.087000, 0.314500], [-0.797800, -0.238800, -0.732600, 0.324900], [0.661100, -0.246300, -0.256600, 0.079000], [-0.569900, -0.505200, -0.340300, -0.085100]]> : tensor<8x4xf32>
  %wo = arith.constant dense<[[-0.836900, 0.505500, 0.158100, -0.400600, -0.844900, 0.526400, -0.737800, -0.733600, -0.738600, -0.837500, 0.812800, -0.461500, -0.387200, 0.665600, 0.239800, -0.625700], [-0.130400, 0.767800, -0.249300, 0.421800, -0.806400, 0.454600, 0.552900, 0.651500, 0.348400, -0.258500, -0.871600, 0.037600, 0.514900, -0.618300, -0.467500, 0.072200], [0.496700, 0.793200, -0.748500, -0.631500, 0.599100, 0.289000, 0.441900, 0.993500, 0.878400, 0.686100, 0.554200, -0.210000, 0.282500, -0.631100, 0.519000, 0.515400], [0.442600, -0.110400, -0.243600, -0.160500, -0.933300, 0.688600, 0.084700, -0.225000, 0.096100, 0.443300, -0.237100, 0.661300, 0.838900, -0.225100, -0.724400, 0.520700], [0.985900, -0.704000, 0.425400, 0.650600, 0.841100, -0.753200, -0.816400, 0.975700, -0.766500, -0.646400, 0.149900, -0.107500, 0.500800, -0.618900, 0.828900, -0.565600], [0.538200, -0.864800, -0.053200, -0.934900, -0.372400, -0.375500, 0.439500, -0.090000, -0.886500, 0.990700, 0.777400, 0.832600, -0.506800, -0.211800, -0.545600, -0.750200], [-0.934000, 0.006700, -0.753700, -0.647400, 0.721000, -0.031500, -0.632600, 0.339700, -0.468300, 0.053900, -0.434100, 0.032300, 0.257100, 0.072400, -0.208800, 0.581600], [0.746900, -0.641300, -0.727400, -0.773600, 0.959200, 0.883200, -0.538700, 0.939800, -0.584400, 0.013000, -0.005200, 0.829900, -0.918900, -0.369300, 0.199900, -0.867200]]> : tensor<8x16xf32>
  %cos = arith.constant dense<[[[[1.000000, 1.000000, 1.000000, 1.000000], [0.540302, 0.999950, 0.540302, 0.999950], [-0.416147, 0.999800, -0.416147, 0.999800], [-0.989992, 0.999550, -0.989992, 0.999550], [-0.653644, 0.999200, -0.653644, 0.999200], [0.283662, 0.998750, 0.283662, 0.998750], [0.960170, 0.998201, 0.960170, 0.998201], [0.753902, 0.997551, 0.753902, 0.997551]]]]> : tensor<1x1x8x4xf32>
  %sin = arith.constant dense<[[[[0.000000, 0.000000, 0.000000, 0.000000], [0.841471, 0.010000, 0.841471, 0.010000], [0.909297, 0.019999, 0.909297, 0.019999], [0.141120, 0.029996, 0.141120, 0.029996], [-0.756802, 0.039989, -0.756802, 0.039989], [-0.958924, 0.049979, -0.958924, 0.049979], [-0.279415, 0.059964, -0.279415, 0.059964], [0.656987, 0.069943, 0.656987, 0.069943]]]]> : tensor<1x1x8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x8xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<1x8xi64>) outs(%e0 : tensor<1x8x8xf32>) {
  ^bb0(%in: i64, %out: f32):
    %i = arith.index_cast %in : i64 to index
    %j = linalg.index 2 : index
    %v = tensor.extract %emb[%i, %j] : tensor<16x8xf32>
    linalg.yield %v : f32
  } -> tensor<1x8x8xf32>
  %n = loom.rms_norm %x {epsilon = 1.0e-06 : f32} : (tensor<1x8x8xf32>) -> tensor<1x8x8xf32>
  %c = tensor.collapse_shape %n [[0, 1], [2]] : tensor<1x8x8xf32> into tensor<8x8xf32>
  %eq = tensor.empty() : tensor<8x8xf32>
  %fq = linalg.fill ins(%zero : f32) outs(%eq : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q = linalg.matmul ins(%c, %wq : tensor<8x8xf32>, tensor<8x8xf32>) outs(%fq : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q4 = tensor.expand_shape %q [[0, 1], [2, 3]] output_shape [1, 8, 2, 4] : tensor<8x8xf32> into tensor<1x8x2x4xf32>
  %eqt = tensor.empty() : tensor<1x2x8x4xf32>
  %qt = linalg.transpose ins(%q4 : tensor<1x8x2x4xf32>) outs(%eqt : tensor<1x2x8x4xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<8x4xf32>
  %fk = linalg.fill ins(%zero : f32) outs(%ek : tensor<8x4xf32>) -> tensor<8x4xf32>
  %k = linalg.matmul ins(%c, %wk : tensor<8x8xf32>, tensor<8x4xf32>) outs(%fk : tensor<8x4xf32>) -> tensor<8x4xf32>
  %k4 = tensor.expand_shape %k [[0, 1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<8x4xf32> into tensor<1x8x1x4xf32>
  %ekt = tensor.empty() : tensor<1x1x8x4xf32>
  %kt = linalg.transpose ins(%k4 : tensor<1x8x1x4xf32>) outs(%ekt : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.matmul ins(%c, %wv : tensor<8x8xf32>, tensor<8x4xf32>) outs(%fk : tensor<8x4xf32>) -> tensor<8x4xf32>
  %v4 = tensor.expand_shape %v [[0, 1], [2, 3]] output_shape [1, 8, 1, 4] : tensor<8x4xf32> into tensor<1x8x1x4xf32>
  %vt = linalg.transpose ins(%v4 : tensor<1x8x1x4xf32>) outs(%ekt : tensor<1x1x8x4xf32>) permutation = [0, 2, 1, 3]
  %qr = loom.rope %qt, %cos, %sin : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  %kr = loom.rope %kt, %cos, %sin : (tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  %o = loom.attention %qr, %kr, %vt {causal, scale = 0.5 : f32} : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  %eo = tensor.empty() : tensor<1x8x2x4xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x8x4xf32>) outs(%eo : tensor<1x8x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc = tensor.collapse_shape %ot [[0, 1], [2, 3]] : tensor<1x8x2x4xf32> into tensor<8x8xf32>
  %el = tensor.empty() : tensor<8x16xf32>
  %fl = linalg.fill ins(%zero : f32) outs(%el : tensor<8x16xf32>) -> tensor<8x16xf32>
  %l = linalg.matmul ins(%oc, %wo : tensor<8x8xf32>, tensor<8x16xf32>) outs(%fl : tensor<8x16xf32>) -> tensor<8x16xf32>
  %le = tensor.expand_shape %l [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xf32> into tensor<1x8x16xf32>
  return %le : tensor<1x8x16xf32>
}
