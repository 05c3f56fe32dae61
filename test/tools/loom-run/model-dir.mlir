// loom-run on a directory that loomc wrote: inputs are checked against its
// manifest.json by name, shape and dtype; outputs are written as
// <name>.npy; references apply by name or in order; seeded random inputs
// are the ones FILE.mlir mode draws.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loomc %s -o %t/m
// RUN: %python -c "import numpy as np; d='%t'; a=np.random.default_rng(0).standard_normal((2,3)).astype(np.float32); ids=np.array([4,-2,7],np.int32); np.save(d+'/a.npy',a); np.save(d+'/ids.npy',ids); np.save(d+'/eq=ids.npy',ids); np.save(d+'/2a.npy',a+a); np.save(d+'/nega.npy',-a); np.save(d+'/v3.npy',np.zeros(3,np.float32))"

// RUN: loom-run %t/m --input a=%t/a.npy --input ids=%t/ids.npy \
// RUN:   --output-dir %t/res --compare out/sum=%t/2a.npy \
// RUN:   --compare result2=%t/nega.npy --compare %t/ids.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s
// CHECK:      out/sum: 2x3 f32 vs 2a.npy: max_abs_err=0.000000e+00 {{.*}}: ok
// CHECK-NEXT: out_sum: 3 i32 vs ids.npy: max_abs_err=0.000000e+00 {{.*}}: ok
// CHECK-NEXT: result2: 2x3 f32 vs nega.npy: max_abs_err=0.000000e+00 {{.*}}: ok

// Output names that sanitise to the same file name stay apart.
// RUN: ls %t/res | FileCheck %s --check-prefix=FILES
// FILES:      out_sum.npy
// FILES-NEXT: out_sum_2.npy
// FILES-NEXT: result2.npy

// Without references each output is listed; a path with '=' whose prefix
// names no input is a plain path.
// RUN: loom-run %t/m --input %t/eq=ids.npy --input %t/a.npy | FileCheck %s --check-prefix=LIST
// LIST:      out/sum: 2x3 f32
// LIST-NEXT: out_sum: 3 i32
// LIST-NEXT: result2: 2x3 f32

// The JIT and the compiled library agree on the same seeded random input.
// RUN: loom-run %s --input %t/ids.npy --random-seed 5 --output-dir %t/jit
// RUN: loom-run %t/m --input ids=%t/ids.npy --random-seed 5 --output-dir %t/aot
// RUN: cmp %t/jit/result0.npy %t/aot/out_sum.npy
// RUN: cmp %t/jit/result2.npy %t/aot/result2.npy

// Bad inputs: each error names the input.
// RUN: not loom-run %t/m --input zzz=%t/a.npy 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: --input zzz={{.*}}a.npy: the model has no input named 'zzz' (its inputs: 'ids', 'a')
// RUN: not loom-run %t/m --input ids=%t/ids.npy --input a=%t/v3.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: input 'a' is 3 f32 but the model expects 2x3 f32 (from {{.*}}v3.npy)
// RUN: not loom-run %t/m --input ids=%t/v3.npy --input a=%t/a.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: input 'ids' is 3 f32 but the model expects 3 i32 (from {{.*}}v3.npy)
// RUN: not loom-run %t/m --input a=%t/a.npy --input a=%t/a.npy 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: input 'a' is given twice (--input {{.*}}a.npy and --input a={{.*}}a.npy)
// RUN: not loom-run %t/m --input %t/ids.npy --input ids=%t/ids.npy 2>&1 | FileCheck %s --check-prefix=TWICE2
// TWICE2: error: input 'ids' is given twice
// RUN: not loom-run %t/m --input a=%t/a.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: missing input 'ids' (pass --input NAME=FILE.npy for each, or --random-seed to fill float inputs)
// RUN: not loom-run %t/m 2>&1 | FileCheck %s --check-prefix=MISSING2
// MISSING2: error: missing inputs 'ids', 'a'
// RUN: not loom-run %t/m --input %t/ids.npy --input %t/a.npy --input %t/a.npy 2>&1 | FileCheck %s --check-prefix=TOOMANY
// TOOMANY: error: --input {{.*}}a.npy: every input already has a file (the model has 2 inputs: 'ids', 'a')
// RUN: not loom-run %t/m --random-seed 1 2>&1 | FileCheck %s --check-prefix=RANDINT
// RANDINT: error: input 'ids' is 3 i32, not a float tensor: it needs --input
// RUN: not loom-run %t/m --input %t/nonexistent.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: {{.*}}nonexistent.npy: cannot read:
// RUN: not loom-run %t/m --entry main --random-seed 1 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: --entry applies to .mlir files; a model directory has one entry point (see its manifest.json)

// Bad references.
// RUN: not loom-run %t/m --input %t/ids.npy --input %t/a.npy --compare nope=%t/a.npy 2>&1 | FileCheck %s --check-prefix=NOOUT
// NOOUT: error: --compare nope={{.*}}a.npy: the model has no output named 'nope' (its outputs: 'out/sum', 'out_sum', 'result2')
// RUN: not loom-run %t/m --input %t/ids.npy --input %t/a.npy --compare %t/a.npy --compare %t/a.npy --compare %t/a.npy --compare %t/a.npy 2>&1 | FileCheck %s --check-prefix=REFCOUNT
// REFCOUNT: error: 4 references given but the model has 3 outputs
// RUN: not loom-run %t/m --input %t/ids.npy --input %t/a.npy --compare %t/a.npy 2>&1 | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: out/sum: 2x3 f32 vs a.npy: {{.*}}: FAIL, 6 of 6 elements out of tolerance

// Not a model directory, or a broken one.
// RUN: mkdir %t/empty
// RUN: not loom-run %t/empty 2>&1 | FileCheck %s --check-prefix=NOMANIFEST
// NOMANIFEST: error: {{.*}}empty: not a compiled model directory (it has no manifest.json; loomc --target=cpu -o DIR writes one)
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/noinputs -inputs
// RUN: not loom-run %t/noinputs 2>&1 | FileCheck %s --check-prefix=NOINPUTS
// NOINPUTS: error: {{.*}}manifest.json: 'inputs' is missing
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/abi abi_version=99
// RUN: not loom-run %t/abi 2>&1 | FileCheck %s --check-prefix=ABI
// ABI: error: {{.*}}manifest.json: ABI version 99 is not supported (this build supports version 1); recompile with loomc
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/escape 'files.library="../m/model.so"'
// RUN: not loom-run %t/escape 2>&1 | FileCheck %s --check-prefix=ESCAPE
// ESCAPE: error: {{.*}}manifest.json: 'files.library' must be a file name in the model directory
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/dtype 'inputs.1.dtype="complex64"'
// RUN: not loom-run %t/dtype 2>&1 | FileCheck %s --check-prefix=BADDTYPE
// BADDTYPE: error: {{.*}}manifest.json: 'inputs[1].dtype' 'complex64' is not a dtype the ABI supports
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/shape 'outputs.0.shape=[2,-3]'
// RUN: not loom-run %t/shape 2>&1 | FileCheck %s --check-prefix=BADSHAPE
// BADSHAPE: error: {{.*}}manifest.json: 'outputs[0].shape' must be an array of non-negative integers
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/nolib
// RUN: rm %t/nolib/model.so
// RUN: not loom-run %t/nolib 2>&1 | FileCheck %s --check-prefix=NOLIB
// NOLIB: error: {{.*}}nolib/model.so: the library named in {{.*}}manifest.json does not exist
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/nosym 'entry_points.run_packed="other_run_packed"'
// RUN: not loom-run %t/nosym 2>&1 | FileCheck %s --check-prefix=NOSYM
// NOSYM: error: {{.*}}manifest.json: 'entry_points.run_packed' is 'other_run_packed' but must be the model's own 'model_run_packed'
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/renamed 'name="other"' \
// RUN:   'entry_points.run="other_run"' 'entry_points.run_packed="other_run_packed"' \
// RUN:   'entry_points.error_message="other_error_message"' \
// RUN:   'entry_points.abi_version="other_abi_version"' 'entry_points.signature="other_signature"'
// RUN: not loom-run %t/renamed 2>&1 | FileCheck %s --check-prefix=RENAMED
// RUN: not loom-run-model %t/renamed 2>&1 | FileCheck %s --check-prefix=RENAMED
// RENAMED: error: {{.*}}renamed/model.so: does not export 'other_signature' named in the manifest
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/oldabi -entry_points.signature
// RUN: not loom-run %t/oldabi 2>&1 | FileCheck %s --check-prefix=OLDABI
// OLDABI: error: {{.*}}manifest.json: 'entry_points.signature' is missing
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/extra 'inputs.0.layout="nchw"'
// RUN: not loom-run %t/extra 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: error: {{.*}}manifest.json: 'inputs[0].layout' is not a key of the ABI version 1 manifest

// A manifest that no longer describes its library: the signature model.so
// exports says otherwise, and nothing of the library is called.
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/sigshape 'inputs.1.shape=[2,4]' 'inputs.1.byte_size=32'
// RUN: not loom-run %t/sigshape 2>&1 | FileCheck %s --check-prefix=SIGSHAPE
// SIGSHAPE: error: {{.*}}sigshape/model.so: the library's signature does not match {{.*}}sigshape/manifest.json: input 1 ('a') is 2x3 f32 in the library, 2x4 f32 in the manifest
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/sigdtype 'outputs.1.dtype="float32"' 'outputs.1.npy_descr="<f4"'
// RUN: not loom-run %t/sigdtype 2>&1 | FileCheck %s --check-prefix=SIGDTYPE
// SIGDTYPE: error: {{.*}}: output 1 ('out_sum') is 3 i32 in the library, 3 f32 in the manifest
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/signame 'inputs.0.name="idz"'
// RUN: not loom-run %t/signame 2>&1 | FileCheck %s --check-prefix=SIGNAME
// SIGNAME: error: {{.*}}: input 0 is 'ids' in the library, 'idz' in the manifest
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/sigcname 'inputs.0.c_name="idz"'
// RUN: not loom-run %t/sigcname 2>&1 | FileCheck %s --check-prefix=SIGCNAME
// SIGCNAME: error: {{.*}}: input 0 ('ids') has the C name 'ids' in the library, 'idz' in the manifest
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/sigcount -outputs.2
// RUN: not loom-run %t/sigcount 2>&1 | FileCheck %s --check-prefix=SIGCOUNT
// SIGCOUNT: error: {{.*}}: the library has 3 outputs, the manifest 2
// The library of another model with the same name and other shapes.
// RUN: loomc %S/../loom-run-model/Inputs/two_outputs.mlir -o %t/other
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/swapped
// RUN: cp %t/other/model.so %t/swapped/model.so
// RUN: not loom-run %t/swapped 2>&1 | FileCheck %s --check-prefix=SWAPPED
// SWAPPED: error: {{.*}}swapped/model.so: the library's signature does not match {{.*}}: input 0 is 'a' in the library, 'ids' in the manifest
// The library must be a regular file in the directory.
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/symlink
// RUN: rm %t/symlink/model.so && ln -s %t/m/model.so %t/symlink/model.so
// RUN: not loom-run %t/symlink 2>&1 | FileCheck %s --check-prefix=SYMLINK
// SYMLINK: error: {{.*}}symlink/model.so: the library named in {{.*}}manifest.json is not a regular file (a symbolic link or something else that may lead out of the model directory)
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/notelf
// RUN: cp %t/m/manifest.json %t/notelf/model.so
// RUN: not loom-run %t/notelf 2>&1 | FileCheck %s --check-prefix=NOTELF
// NOTELF: error: {{.*}}notelf/model.so: not a library this host can load: not an ELF file
// The dynamic loader would map a truncated library and fault on a page past
// its end; the loader checks the ELF headers against the file size first.
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/truncated
// RUN: head -c 1000 %t/m/model.so > %t/truncated/model.so
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: error: {{.*}}truncated/model.so: not a library this host can load: segment {{[0-9]+}} lies outside the file (truncated?)
// RUN: head -c 100 %t/m/model.so > %t/truncated/model.so
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=TRUNCATED2
// TRUNCATED2: error: {{.*}}: not a library this host can load: its program headers lie outside the file (truncated?)
// RUN: %python %S/Inputs/elf_edit.py %t/m/model.so %t/truncated/model.so class32
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=ELF32
// ELF32: error: {{.*}}: not a library this host can load: not a 64-bit little-endian ELF file
// RUN: %python %S/Inputs/elf_edit.py %t/m/model.so %t/truncated/model.so machine
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=MACHINE
// MACHINE: error: {{.*}}: not a library this host can load: built for ELF machine 183, not this host's {{[0-9]+}}
// RUN: %python %S/Inputs/elf_edit.py %t/m/model.so %t/truncated/model.so relocatable
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=NOTDYN
// NOTDYN: error: {{.*}}: not a library this host can load: not a shared object (ELF type 1)
// RUN: %python %S/Inputs/elf_edit.py %t/m/model.so %t/truncated/model.so phentsize
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=PHDR
// PHDR: error: {{.*}}: not a library this host can load: malformed program header table
// RUN: %python %S/Inputs/elf_edit.py %t/m/model.so %t/truncated/model.so memsz
// RUN: not loom-run %t/truncated 2>&1 | FileCheck %s --check-prefix=MEMSZ
// MEMSZ: error: {{.*}}: not a library this host can load: segment {{[0-9]+}} is malformed
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/notjson
// RUN: echo "{" > %t/notjson/manifest.json
// RUN: not loom-run %t/notjson 2>&1 | FileCheck %s --check-prefix=NOTJSON
// NOTJSON: error: {{.*}}manifest.json: not valid JSON: line 2, column 1: expected a string key
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/dupkey
// RUN: %python -c "p='%t/dupkey/manifest.json'; t=open(p).read(); open(p,'w').write(t.replace('{', '{\"name\": \"x\",', 1))"
// RUN: not loom-run %t/dupkey 2>&1 | FileCheck %s --check-prefix=DUPKEY
// DUPKEY: error: {{.*}}manifest.json: not valid JSON: line 4, column 3: duplicate key 'name'
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/nested 'source=[[[[[[[[1]]]]]]]]'
// RUN: not loom-run %t/nested 2>&1 | FileCheck %s --check-prefix=NESTED
// NESTED: error: {{.*}}manifest.json: not valid JSON: {{.*}}: arrays and objects nest deeper than 8 levels
// RUN: %python %S/Inputs/edit_manifest.py %t/m %t/bigfile
// RUN: %python -c "open('%t/bigfile/manifest.json', 'a').write(' ' * (16 << 20))"
// RUN: not loom-run %t/bigfile 2>&1 | FileCheck %s --check-prefix=BIGFILE
// BIGFILE: error: {{.*}}manifest.json: {{[0-9]+}} bytes is larger than the 16777216 bytes a manifest may have

func.func @main(%ids: tensor<3xi32> {onnx.name = "ids"},
                %a: tensor<2x3xf32> {onnx.name = "a"})
    -> (tensor<2x3xf32> {onnx.name = "out/sum"},
        tensor<3xi32> {onnx.name = "out_sum"}, tensor<2x3xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %a : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  %neg = linalg.negf ins(%a : tensor<2x3xf32>) outs(%e2 : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %sum, %ids, %neg : tensor<2x3xf32>, tensor<3xi32>, tensor<2x3xf32>
}
