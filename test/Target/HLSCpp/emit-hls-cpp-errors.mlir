// What synthesis forbids is an error of --emit-hls-cpp, with its location.
// RUN: not loom-translate %s --split-input-file --emit-hls-cpp 2>&1 | FileCheck %s

// CHECK: error: --emit-hls-cpp translates EmitC (the output of loom-hls-pipeline), not 'func.func'
func.func @not_emitc() {
  return
}

// -----

// CHECK: error: HLS C++ cannot allocate at run time: a call of 'malloc'
emitc.func @heap() {
  %n = "emitc.constant"() <{value = 64 : i32}> : () -> i32
  %p = emitc.call_opaque "malloc"(%n) : (i32) -> !emitc.ptr<!emitc.opaque<"void">>
  emitc.return
}

// -----

// CHECK: error: HLS C++ cannot synthesise recursion: @ping calls itself
emitc.func @ping() {
  emitc.call @pong() : () -> ()
  emitc.return
}
emitc.func @pong() {
  emitc.call @ping() : () -> ()
  emitc.return
}

// -----

// CHECK: error: HLS C++ cannot synthesise the standard-library type '!emitc.opaque<"std::vector<float>">'
emitc.func @container(%v: !emitc.opaque<"std::vector<float>">) {
  emitc.return
}
