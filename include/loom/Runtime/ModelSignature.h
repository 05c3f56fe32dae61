//===- ModelSignature.h - The signature a compiled model exports -*- C++
//-*-===//
//
// Every library loomc writes exports `<name>_signature`, a constant of the C
// type `loom_model_signature` (declared in the model's generated header):
// its ABI version, its name and, per input and output, the value name, the
// parameter name, the numpy dtype name, the rank and the shape. The
// manifest says the same as data; loaders compare the two before they call
// anything, so a manifest that does not describe its library (edited,
// truncated, or next to another model's library) is refused instead of
// making the library read or write out of bounds.
//
// These are the same layouts for the C++ loader; the static_asserts pin
// them to what lib/Target/CPU/CPUTarget.cpp emits (x86-64/AArch64 LP64).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_MODELSIGNATURE_H
#define LOOM_RUNTIME_MODELSIGNATURE_H

#include <cstddef>
#include <cstdint>

namespace mlir {
namespace loom {

/// `loom_tensor_signature` of the generated header.
struct TensorSignature {
  const char *name;
  const char *cName;
  /// The numpy dtype name, e.g. "float32".
  const char *dtype;
  int64_t rank;
  /// `rank` sizes; null when the rank is 0.
  const int64_t *shape;
};

/// `loom_model_signature` of the generated header.
struct ModelSignature {
  int32_t abiVersion;
  int32_t numInputs;
  int32_t numOutputs;
  /// The symbol prefix (the manifest's "name").
  const char *name;
  const TensorSignature *inputs;
  const TensorSignature *outputs;
};

static_assert(sizeof(TensorSignature) == 40 &&
                  offsetof(TensorSignature, rank) == 24 &&
                  offsetof(TensorSignature, shape) == 32,
              "loom_tensor_signature layout");
static_assert(sizeof(ModelSignature) == 40 &&
                  offsetof(ModelSignature, numOutputs) == 8 &&
                  offsetof(ModelSignature, name) == 16 &&
                  offsetof(ModelSignature, outputs) == 32,
              "loom_model_signature layout");

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_MODELSIGNATURE_H
