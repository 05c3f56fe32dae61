/*===- HostRuntime.h - The CUDA host runtime of compiled models -*- C -*-===*\
|*                                                                          *|
|* `loomc --target=cuda` links a small C runtime (lib/Target/CUDA/Runtime/  *|
|* HostRuntime.c, embedded as bitcode) into every model.so. It loads        *|
|* libcuda.so.1 with dlopen at run time (so the library loads on machines   *|
|* without a driver and reports that as an error code), loads the kernels   *|
|* and uploads the weights once per loaded model, and implements the calls  *|
|* the lowered host code makes (convert-gpu-host-to-loom-cuda). This header *|
|* is shared by that C file and by the C++ that generates the model's       *|
|* descriptor and entry points; every function and object here gets         *|
|* internal linkage in model.so.                                            *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef LOOM_TARGET_CUDA_HOSTRUNTIME_H
#define LOOM_TARGET_CUDA_HOSTRUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The return codes of the CUDA target beyond the common ones (RuntimeErrors.h):
 * X(code, macro name, description). */
#define LOOM_CUDA_ERROR_LIST(X)                                                \
  X(100, LOOM_ERROR_CUDA_NO_DRIVER,                                            \
    "no CUDA driver: libcuda.so.1 could not be loaded")                        \
  X(101, LOOM_ERROR_CUDA_NO_DEVICE, "the CUDA driver found no GPU")            \
  X(102, LOOM_ERROR_CUDA_NO_KERNEL_IMAGE,                                      \
    "the GPU can run neither the model's cubins nor its PTX")                  \
  X(103, LOOM_ERROR_CUDA_OUT_OF_MEMORY, "a GPU memory allocation failed")      \
  X(104, LOOM_ERROR_CUDA_CONTEXT,                                              \
    "called in another CUDA context than the model's first call")              \
  X(105, LOOM_ERROR_CUDA_DRIVER, "a CUDA driver call failed")

/* One kernel: its function name, its cubin and its PTX (compiled by the
 * driver where the cubin does not fit the GPU). */
typedef struct LoomCudaKernelImage {
  const char *name;
  const void *cubin;
  uint64_t cubinSize;
  const char *ptx;
} LoomCudaKernelImage;

/* What the runtime needs to know about the model; model.so defines one,
 * constant, as `__loom_cuda_model`. */
typedef struct LoomCudaModel {
  const char *name;
  const char *gpuArch;
  uint64_t numKernels;
  const LoomCudaKernelImage *kernels;
  uint64_t numWeights;
  uint64_t numInputs;
  uint64_t numOutputs;
  /* Byte size of each input, then of each output. */
  const uint64_t *argBytes;
  /* Runs the compiled host function on device buffers: deviceArgs[i] is the
   * i-th input, then output. */
  void (*launch)(void **deviceArgs);
  /* Nonzero (--cuda-graph): after the first call, each call's launches are
   * captured once per set of buffer pointers into a CUDA graph and replayed
   * as one graph launch. */
  uint64_t cudaGraph;
} LoomCudaModel;

/* The entry points' implementations: `_run` (host buffers, copied in and
 * out, synchronous) and `_run_device` (device buffers, enqueued on
 * `stream`). Both return LOOM_OK or an error code. */
int32_t loom_cuda_run_host(void **hostArgs);
int32_t loom_cuda_run_device(void **deviceArgs, void *stream);

/* A description of the current thread's last failed call ("" after a call
 * that succeeded). */
const char *loom_cuda_last_error(void);

/* Calls of the lowered host code, on the current call's stream. After an
 * error they do nothing (and allocations return NULL). */
void *loom_cuda_alloc(int64_t bytes);
void loom_cuda_free(void *pointer);
/* The device copy of constant `index` (`bytes` at `host`), uploaded on its
 * first use in the loaded model. */
void *loom_cuda_weight(int32_t index, const void *host, int64_t bytes);
void loom_cuda_launch(int32_t kernel, int64_t gridX, int64_t gridY,
                      int64_t gridZ, int64_t blockX, int64_t blockY,
                      int64_t blockZ, void **params);
/* Copies device memory to the host stack buffer `destination` after the
 * call's earlier work, and waits for it. */
void loom_cuda_memcpy(void *destination, const void *source, int64_t bytes);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LOOM_TARGET_CUDA_HOSTRUNTIME_H */
