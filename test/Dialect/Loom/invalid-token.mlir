// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of loom.token.{score,prune,merge,restore} has a case here.

// Score: integer input.
func.func @f(%p: tensor<2x4x9x9xi32>) {
  // expected-error @+1 {{input element type must be a float, got 'i32'}}
  %s = loom.token.score cls_attention %p : tensor<2x4x9x9xi32> -> tensor<2x9xf32>
  return
}

// -----

// Score: l2norm takes hidden states.
func.func @f(%p: tensor<2x4x9x9xf32>) {
  // expected-error @+1 {{l2norm input must be rank 3 [B,S,D], got rank 4}}
  %s = loom.token.score l2norm %p : tensor<2x4x9x9xf32> -> tensor<2x9xf32>
  return
}

// -----

// Score: attention methods take probabilities.
func.func @f(%x: tensor<2x9x16xf32>) {
  // expected-error @+1 {{attention_received input must be rank 4 [B,H,Sq,S], got rank 3}}
  %s = loom.token.score attention_received %x : tensor<2x9x16xf32> -> tensor<2x9xf32>
  return
}

// -----

// Score: no class-token row.
func.func @f(%p: tensor<2x4x0x9xf32>) {
  // expected-error @+1 {{attention input needs at least one query row}}
  %s = loom.token.score cls_attention %p : tensor<2x4x0x9xf32> -> tensor<2x9xf32>
  return
}

// -----

// Score: result must be f32.
func.func @f(%x: tensor<2x9x16xf16>) {
  // expected-error @+1 {{scores result must be a rank-2 tensor of 'f32', got 'tensor<2x9xf16>'}}
  %s = loom.token.score l2norm %x : tensor<2x9x16xf16> -> tensor<2x9xf16>
  return
}

// -----

// Score: result length.
func.func @f(%p: tensor<2x4x9x9xf32>) {
  // expected-error @+1 {{scores result dimension 1 is 8, expected 9}}
  %s = loom.token.score cls_attention %p : tensor<2x4x9x9xf32> -> tensor<2x8xf32>
  return
}

// -----

// Prune: tokens must be rank 3.
func.func @f(%x: tensor<12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{input must be rank 3 [B,S,D], got rank 2}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: integer tokens.
func.func @f(%x: tensor<2x12x8xi32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{input element type must be a float, got 'i32'}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xi32>, tensor<2x12xf32> -> tensor<2x5x8xi32>, tensor<2x5xi64>
  return
}

// -----

// Prune: integer scores.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xi32>) {
  // expected-error @+1 {{scores must be a rank-2 float tensor [B,S], got 'tensor<2x12xi32>'}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xi32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: scores / tokens length mismatch.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x11xf32>) {
  // expected-error @+1 {{scores dimension 1 is 11, expected 12}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x11xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: scores / tokens batch mismatch.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<3x12xf32>) {
  // expected-error @+1 {{scores dimension 0 is 3, expected 2}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<3x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: neither keep nor keep_ratio.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{requires exactly one of 'keep' and 'keep_ratio'}}
  %k, %i = loom.token.prune %x, %s : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: both keep and keep_ratio.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{requires exactly one of 'keep' and 'keep_ratio'}}
  %k, %i = loom.token.prune %x, %s {keep = 6, keep_ratio = 0.5 : f32} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x6x8xf32>, tensor<2x6xi64>
  return
}

// -----

// Prune: keep < 1.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{keep must be at least 1, got 0}}
  %k, %i = loom.token.prune %x, %s {keep = 0} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x0x8xf32>, tensor<2x0xi64>
  return
}

// -----

// Prune: keep > tokens.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{keep (13) exceeds the number of tokens (12)}}
  %k, %i = loom.token.prune %x, %s {keep = 13} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x13x8xf32>, tensor<2x13xi64>
  return
}

// -----

// Prune: ratio 0.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{keep_ratio must be in (0, 1], got 0}}
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.0 : f32} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x1x8xf32>, tensor<2x1xi64>
  return
}

// -----

// Prune: ratio above 1.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{keep_ratio must be in (0, 1], got 1.5}}
  %k, %i = loom.token.prune %x, %s {keep_ratio = 1.5 : f32} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x12x8xf32>, tensor<2x12xi64>
  return
}

// -----

// Prune: pinned index past the end.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{pinned index 12 is out of range [0, 12)}}
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: 0, 12>} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: negative pinned index.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{pinned index -1 is out of range [0, 12)}}
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: -1>} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: repeated pinned index.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{pinned index 0 is repeated}}
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: 0, 0>} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: more pinned than kept (ratio 0.1 of 12 keeps ceil(1.2) = 2).
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{more pinned tokens (3) than kept tokens (2)}}
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.1 : f32, pinned = array<i64: 0, 1, 2>} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x2x8xf32>, tensor<2x2xi64>
  return
}

// -----

// Prune: kept result element type.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{kept result must be a rank-3 tensor of 'f32', got 'tensor<2x5x8xf16>'}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf16>, tensor<2x5xi64>
  return
}

// -----

// Prune: kept result length disagrees with keep.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{kept result dimension 1 is 4, expected 5}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x4x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: kept result length disagrees with the rounded-up ratio (ceil(0.5 * 11) = 6).
func.func @f(%x: tensor<2x11x8xf32>, %s: tensor<2x11xf32>) {
  // expected-error @+1 {{kept result dimension 1 is 5, expected 6}}
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.5 : f32} : tensor<2x11x8xf32>, tensor<2x11xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: kept result width.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{kept result dimension 2 is 4, expected 8}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x4xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: kept result batch.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{kept result dimension 0 is 1, expected 2}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<1x5x8xf32>, tensor<2x5xi64>
  return
}

// -----

// Prune: indices must be i64.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{indices result must be a rank-2 tensor of 'i64', got 'tensor<2x5xi32>'}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi32>
  return
}

// -----

// Prune: indices length.
func.func @f(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{indices result dimension 1 is 4, expected 5}}
  %k, %i = loom.token.prune %x, %s {keep = 5} : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x4xi64>
  return
}

// -----

// Merge: tokens must be rank 3.
func.func @f(%x: tensor<16x8xf32>) {
  // expected-error @+1 {{input must be rank 3 [B,S,D], got rank 2}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<16x8xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: keys must be float.
func.func @f(%x: tensor<2x16x8xf32>, %k: tensor<2x16x4xi8>) {
  // expected-error @+1 {{keys element type must be a float, got 'i8'}}
  %m, %sz, %src = loom.token.merge %x keys(%k) {r = 4} : (tensor<2x16x8xf32>, tensor<2x16x4xi8>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: keys length.
func.func @f(%x: tensor<2x16x8xf32>, %k: tensor<2x15x4xf32>) {
  // expected-error @+1 {{keys dimension 1 is 15, expected 16}}
  %m, %sz, %src = loom.token.merge %x keys(%k) {r = 4} : (tensor<2x16x8xf32>, tensor<2x15x4xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: keys batch.
func.func @f(%x: tensor<2x16x8xf32>, %k: tensor<1x16x4xf32>) {
  // expected-error @+1 {{keys dimension 0 is 1, expected 2}}
  %m, %sz, %src = loom.token.merge %x keys(%k) {r = 4} : (tensor<2x16x8xf32>, tensor<1x16x4xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: sizes must be f32.
func.func @f(%x: tensor<2x16x8xf32>, %s: tensor<2x16xi64>) {
  // expected-error @+1 {{sizes must be a rank-2 tensor of 'f32', got 'tensor<2x16xi64>'}}
  %m, %sz, %src = loom.token.merge %x sizes(%s) {r = 4} : (tensor<2x16x8xf32>, tensor<2x16xi64>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: sizes length.
func.func @f(%x: tensor<2x16x8xf32>, %s: tensor<2x12xf32>) {
  // expected-error @+1 {{sizes dimension 1 is 12, expected 16}}
  %m, %sz, %src = loom.token.merge %x sizes(%s) {r = 4} : (tensor<2x16x8xf32>, tensor<2x12xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: r < 1.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{r must be at least 1, got 0}}
  %m, %sz, %src = loom.token.merge %x {r = 0} : (tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: r > S / 2 (only 7 B tokens for 15 tokens).
func.func @f(%x: tensor<2x15x8xf32>) {
  // expected-error @+1 {{r (8) exceeds half the number of tokens (15 / 2 = 7)}}
  %m, %sz, %src = loom.token.merge %x {r = 8} : (tensor<2x15x8xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x15xi64>)
  return
}

// -----

// Merge: with token 0 protected only 5 of the 6 A tokens of 12 can merge.
func.func @f(%x: tensor<2x12x8xf32>) {
  // expected-error @+1 {{r (6) exceeds the 5 mergeable A tokens (token 0 is protected)}}
  %m, %sz, %src = loom.token.merge %x {r = 6, protect_first} : (tensor<2x12x8xf32>) -> (tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<2x12xi64>)
  return
}

// -----

// Merge: merged result element type.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{merged result must be a rank-3 tensor of 'f32', got 'tensor<2x12x8xf16>'}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<2x12x8xf16>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: merged result length is S - r.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{merged result dimension 1 is 16, expected 12}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: merged result width.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{merged result dimension 2 is 4, expected 8}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<2x12x4xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: merged result batch.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{merged result dimension 0 is 1, expected 2}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<1x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: merged sizes length.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{merged_sizes result dimension 1 is 16, expected 12}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<2x12x8xf32>, tensor<2x16xf32>, tensor<2x16xi64>)
  return
}

// -----

// Merge: source map must be i64.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{source result must be a rank-2 tensor of 'i64', got 'tensor<2x16xi32>'}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi32>)
  return
}

// -----

// Merge: source map covers every input token.
func.func @f(%x: tensor<2x16x8xf32>) {
  // expected-error @+1 {{source result dimension 1 is 12, expected 16}}
  %m, %sz, %src = loom.token.merge %x {r = 4} : (tensor<2x16x8xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x12xi64>)
  return
}

// -----

// Restore: input rank.
func.func @f(%x: tensor<7x8xf32>, %i: tensor<2x7xi64>) {
  // expected-error @+1 {{input must be rank 3 [B,S,D], got rank 2}}
  %r = loom.token.restore %x indices(%i) : (tensor<7x8xf32>, tensor<2x7xi64>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: result element type.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi64>) {
  // expected-error @+1 {{result must be a rank-3 tensor of 'f32', got 'tensor<2x12x8xf16>'}}
  %r = loom.token.restore %x indices(%i) : (tensor<2x7x8xf32>, tensor<2x7xi64>) -> tensor<2x12x8xf16>
  return
}

// -----

// Restore: result width.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi64>) {
  // expected-error @+1 {{result dimension 2 is 4, expected 8}}
  %r = loom.token.restore %x indices(%i) : (tensor<2x7x8xf32>, tensor<2x7xi64>) -> tensor<2x12x4xf32>
  return
}

// -----

// Restore: result batch.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi64>) {
  // expected-error @+1 {{result dimension 0 is 1, expected 2}}
  %r = loom.token.restore %x indices(%i) : (tensor<2x7x8xf32>, tensor<2x7xi64>) -> tensor<1x12x8xf32>
  return
}

// -----

// Restore: neither indices nor source.
func.func @f(%x: tensor<2x7x8xf32>) {
  // expected-error @+1 {{requires exactly one of 'indices' and 'source'}}
  %r = loom.token.restore %x : (tensor<2x7x8xf32>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: both indices and source.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi64>, %s: tensor<2x12xi64>) {
  // expected-error @+1 {{requires exactly one of 'indices' and 'source'}}
  %r = loom.token.restore %x indices(%i) source(%s) : (tensor<2x7x8xf32>, tensor<2x7xi64>, tensor<2x12xi64>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: indices must be i64.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi32>) {
  // expected-error @+1 {{indices must be a rank-2 tensor of 'i64', got 'tensor<2x7xi32>'}}
  %r = loom.token.restore %x indices(%i) : (tensor<2x7x8xf32>, tensor<2x7xi32>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: one index per input row.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x6xi64>) {
  // expected-error @+1 {{indices dimension 1 is 6, expected 7}}
  %r = loom.token.restore %x indices(%i) : (tensor<2x7x8xf32>, tensor<2x6xi64>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: more rows than the result has.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi64>) {
  // expected-error @+1 {{input has more tokens (7) than the result (5)}}
  %r = loom.token.restore %x indices(%i) : (tensor<2x7x8xf32>, tensor<2x7xi64>) -> tensor<2x5x8xf32>
  return
}

// -----

// Restore: fill shape.
func.func @f(%x: tensor<2x7x8xf32>, %i: tensor<2x7xi64>, %f: tensor<2x11x8xf32>) {
  // expected-error @+1 {{fill type 'tensor<2x11x8xf32>' must equal the result type 'tensor<2x12x8xf32>'}}
  %r = loom.token.restore %x indices(%i) fill(%f) : (tensor<2x7x8xf32>, tensor<2x7xi64>, tensor<2x11x8xf32>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: a source map copies every row, so a fill means nothing.
func.func @f(%x: tensor<2x9x8xf32>, %f: tensor<2x12x8xf32>, %s: tensor<2x12xi64>) {
  // expected-error @+1 {{'fill' is only valid with 'indices'}}
  %r = loom.token.restore %x fill(%f) source(%s) : (tensor<2x9x8xf32>, tensor<2x12x8xf32>, tensor<2x12xi64>) -> tensor<2x12x8xf32>
  return
}

// -----

// Restore: source map covers every result row.
func.func @f(%x: tensor<2x9x8xf32>, %s: tensor<2x11xi64>) {
  // expected-error @+1 {{source dimension 1 is 11, expected 12}}
  %r = loom.token.restore %x source(%s) : (tensor<2x9x8xf32>, tensor<2x11xi64>) -> tensor<2x12x8xf32>
  return
}
