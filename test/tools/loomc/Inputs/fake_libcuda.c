/* A stand-in for libcuda.so.1 in the tests of `loomc --target=cuda` (there is
 * no GPU where they run): the driver calls model.so's host runtime makes, on
 * host memory, each logged as one line to $FAKE_CUDA_LOG. Kernels are not
 * run (a launch is only logged), so outputs are not computed; what the tests
 * check is the host side: the driver is initialised once, every kernel is
 * loaded once (its cubin, or its PTX when $FAKE_CUDA_REJECT_CUBIN is set),
 * weights are uploaded once, inputs and outputs are copied, temporaries are
 * freed, launches come in the host code's order with their first parameter
 * (a buffer's allocated pointer) pointing to a live allocation, and a
 * failing driver call ($FAKE_CUDA_FAIL_ALLOC: allocations fail with out of
 * memory; $FAKE_CUDA_NO_DEVICE: cuInit finds no GPU) is reported.
 * Build: cc -shared -fPIC fake_libcuda.c -o libcuda.so.1 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream;

static FILE *logFile;
static long live;
/* Whether a stream capture is on, and the kernel launches it recorded. */
static int capturing, capturedLaunches;
/* The live allocations, to tell which one a kernel parameter points to. */
static struct {
  void *start;
  size_t bytes;
} allocations[4096];
static int context;
static _Thread_local CUcontext current;

static void note(const char *format, ...) {
  if (!logFile) {
    const char *path = getenv("FAKE_CUDA_LOG");
    logFile = fopen(path ? path : "/dev/null", "a");
  }
  va_list args;
  va_start(args, format);
  vfprintf(logFile, format, args);
  va_end(args);
  fputc('\n', logFile);
  fflush(logFile);
}

__attribute__((destructor)) static void report(void) {
  if (logFile)
    note("exit: %ld device allocations live", live);
}

CUresult cuInit(unsigned flags) {
  note("cuInit");
  return getenv("FAKE_CUDA_NO_DEVICE") ? 100 : 0;
}
CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return 0;
}
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  note("cuDeviceGet %d", ordinal);
  *device = ordinal;
  return ordinal == 0 ? 0 : 101;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice device) {
  note("cuDevicePrimaryCtxRetain");
  *ctx = &context;
  return 0;
}
CUresult cuCtxGetCurrent(CUcontext *ctx) {
  *ctx = current;
  return 0;
}
CUresult cuCtxPushCurrent_v2(CUcontext ctx) {
  current = ctx;
  return 0;
}
CUresult cuCtxPopCurrent_v2(CUcontext *ctx) {
  *ctx = current;
  current = NULL;
  return 0;
}
CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned n,
                            int *options, void **values) {
  int cubin = memcmp(image, "\177ELF", 4) == 0;
  if (cubin && getenv("FAKE_CUDA_REJECT_CUBIN")) {
    note("cuModuleLoadDataEx cubin: rejected");
    return 209; /* CUDA_ERROR_NO_BINARY_FOR_GPU */
  }
  if (!cubin && strstr((const char *)image, ".target") == NULL)
    return 218; /* CUDA_ERROR_INVALID_PTX */
  note("cuModuleLoadDataEx %s", cubin ? "cubin" : "ptx");
  *module = (void *)image;
  return 0;
}
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name) {
  *function = strdup(name);
  return 0;
}
CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        CUstream stream, void **params, void **extra) {
  /* A buffer's first parameter is its allocated pointer. */
  void *first = params ? *(void **)params[0] : NULL;
  size_t bytes = 0;
  for (int i = 0; i < 4096; ++i)
    if (allocations[i].start && allocations[i].start == first)
      bytes = allocations[i].bytes;
  capturedLaunches += capturing;
  note("%scuLaunchKernel %s grid %u %u %u block %u %u %u, p0: %s %zu",
       capturing ? "captured " : "", (const char *)f, gx, gy, gz, bx, by, bz,
       bytes ? "allocation of" : "not an allocation", bytes);
  return 0;
}
static CUresult allocate(CUdeviceptr *pointer, size_t bytes, const char *how) {
  if (getenv("FAKE_CUDA_FAIL_ALLOC"))
    return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
  *pointer = (CUdeviceptr)calloc(1, bytes);
  for (int i = 0; i < 4096; ++i)
    if (!allocations[i].start) {
      allocations[i].start = (void *)*pointer;
      allocations[i].bytes = bytes;
      break;
    }
  ++live;
  note("%s %zu", how, bytes);
  return 0;
}
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  return allocate(pointer, bytes, "cuMemAlloc");
}
CUresult cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes, CUstream s) {
  return allocate(pointer, bytes, "cuMemAllocAsync");
}
static void forget(CUdeviceptr pointer) {
  for (int i = 0; i < 4096; ++i)
    if (allocations[i].start == (void *)pointer)
      allocations[i].start = NULL;
  free((void *)pointer);
}
CUresult cuMemFree_v2(CUdeviceptr pointer) {
  forget(pointer);
  --live;
  note("cuMemFree");
  return 0;
}
CUresult cuMemFreeAsync(CUdeviceptr pointer, CUstream s) {
  forget(pointer);
  --live;
  note("cuMemFreeAsync");
  return 0;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void *h, size_t bytes) {
  memcpy((void *)d, h, bytes);
  note("cuMemcpyHtoD %zu", bytes);
  return 0;
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *h, size_t bytes,
                              CUstream s) {
  memcpy((void *)d, h, bytes);
  note("cuMemcpyHtoDAsync %zu", bytes);
  return 0;
}
CUresult cuMemcpyDtoHAsync_v2(void *h, CUdeviceptr d, size_t bytes,
                              CUstream s) {
  memcpy(h, (const void *)d, bytes);
  note("cuMemcpyDtoHAsync %zu", bytes);
  return 0;
}
CUresult cuMemcpyAsync(CUdeviceptr d, CUdeviceptr s, size_t bytes,
                       CUstream stream) {
  memcpy((void *)d, (const void *)s, bytes);
  note("cuMemcpyAsync %zu", bytes);
  return 0;
}
CUresult cuStreamSynchronize(CUstream s) {
  note("cuStreamSynchronize");
  return 0;
}
/* CUDA graphs: a capture logs what it records (the calls above still run
 * on host memory, once, when captured); a graph launch logs its number of
 * recorded kernel launches. */
CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  static int streams;
  note("cuStreamCreate flags %u", flags);
  *stream = &streams;
  return 0;
}
CUresult cuStreamBeginCapture_v2(CUstream stream, int mode) {
  note("cuStreamBeginCapture mode %d", mode);
  capturing = 1;
  capturedLaunches = 0;
  return 0;
}
CUresult cuStreamEndCapture(CUstream stream, void **graph) {
  note("cuStreamEndCapture: %d kernels", capturedLaunches);
  capturing = 0;
  *graph = malloc(sizeof(int));
  *(int *)*graph = capturedLaunches;
  return 0;
}
CUresult cuGraphInstantiateWithFlags(void **exec, void *graph,
                                     unsigned long long flags) {
  note("cuGraphInstantiate");
  *exec = malloc(sizeof(int));
  *(int *)*exec = *(int *)graph;
  return 0;
}
CUresult cuGraphDestroy(void *graph) {
  free(graph);
  return 0;
}
CUresult cuGraphExecDestroy(void *exec) {
  note("cuGraphExecDestroy");
  free(exec);
  return 0;
}
CUresult cuGraphLaunch(void *exec, CUstream stream) {
  note("cuGraphLaunch: %d kernels", *(int *)exec);
  return 0;
}
CUresult cuGetErrorName(CUresult error, const char **name) {
  static char text[64];
  snprintf(text, sizeof(text), "CUDA_ERROR_%d", error);
  *name = text;
  return 0;
}
