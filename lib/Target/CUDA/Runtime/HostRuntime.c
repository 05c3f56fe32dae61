/*===- HostRuntime.c - The CUDA host runtime of compiled models -*- C -*-===*\
|*                                                                          *|
|* Linked into every model.so of `loomc --target=cuda` (as bitcode, with    *|
|* internal linkage): see include/loom/Target/CUDA/HostRuntime.h. The CUDA  *|
|* driver is loaded with dlopen on the first call, so that model.so loads   *|
|* and reports LOOM_ERROR_CUDA_NO_DRIVER where there is none; the driver    *|
|* API is declared here (no cuda.h at build time); $LOOM_CUDA_DRIVER names  *|
|* another library to load instead. One copy of this file's                *|
|* state exists per loaded model: its CUDA context (the one current at the  *|
|* first call, else device LOOM_CUDA_DEVICE's (default 0) primary context), *|
|* its kernels and its weights, kept until the process exits.               *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "loom/Target/CUDA/HostRuntime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===-- The driver API, declared by hand
 * -----------------------------------===*/

#ifdef LOOM_CHECK_AGAINST_CUDA_H
/* test/Target/CUDA/driver-api.test compiles this file against the toolkit's
 * cuda.h to check the declarations below. */
#include <cuda.h>
#else
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NO_DEVICE = 100,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};
#endif

#define LOOM_CU_STREAM_PER_THREAD ((CUstream)0x2)
/* CU_STREAM_NON_BLOCKING and CU_STREAM_CAPTURE_MODE_RELAXED. */
#define LOOM_CU_STREAM_NON_BLOCKING 1u
#define LOOM_CU_STREAM_CAPTURE_MODE_RELAXED 2

#ifdef LOOM_CHECK_AGAINST_CUDA_H
typedef CUjit_option LoomJitOption;
typedef CUstreamCaptureMode LoomCaptureMode;
#else
typedef unsigned LoomJitOption;
typedef int LoomCaptureMode;
#endif

/* Name, the symbol in libcuda.so.1 (the _v2 ABI where there is one), and
 * the parameters (every function returns CUresult). */
#define LOOM_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuInit, cuInit, (unsigned))                                                \
  X(cuDeviceGetCount, cuDeviceGetCount, (int *))                               \
  X(cuDeviceGet, cuDeviceGet, (CUdevice *, int))                               \
  X(cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRetain,                        \
    (CUcontext *, CUdevice))                                                   \
  X(cuCtxGetCurrent, cuCtxGetCurrent, (CUcontext *))                           \
  X(cuCtxPushCurrent, cuCtxPushCurrent_v2, (CUcontext))                        \
  X(cuCtxPopCurrent, cuCtxPopCurrent_v2, (CUcontext *))                        \
  X(cuModuleLoadDataEx, cuModuleLoadDataEx,                                    \
    (CUmodule *, const void *, unsigned, LoomJitOption *, void **))            \
  X(cuModuleGetFunction, cuModuleGetFunction,                                  \
    (CUfunction *, CUmodule, const char *))                                    \
  X(cuLaunchKernel, cuLaunchKernel,                                            \
    (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,   \
     unsigned, CUstream, void **, void **))                                    \
  X(cuMemAlloc, cuMemAlloc_v2, (CUdeviceptr *, size_t))                        \
  X(cuMemFree, cuMemFree_v2, (CUdeviceptr))                                    \
  X(cuMemcpyHtoD, cuMemcpyHtoD_v2, (CUdeviceptr, const void *, size_t))        \
  X(cuMemcpyHtoDAsync, cuMemcpyHtoDAsync_v2,                                   \
    (CUdeviceptr, const void *, size_t, CUstream))                             \
  X(cuMemcpyDtoHAsync, cuMemcpyDtoHAsync_v2,                                   \
    (void *, CUdeviceptr, size_t, CUstream))                                   \
  X(cuMemcpyAsync, cuMemcpyAsync,                                              \
    (CUdeviceptr, CUdeviceptr, size_t, CUstream))                              \
  X(cuStreamSynchronize, cuStreamSynchronize, (CUstream))                      \
  X(cuGetErrorName, cuGetErrorName, (CUresult, const char **))

/* Stream-ordered allocation (CUDA 11.2): used where the driver has it. */
typedef CUresult (*LoomMemAllocAsyncFn)(CUdeviceptr *, size_t, CUstream);
typedef CUresult (*LoomMemFreeAsyncFn)(CUdeviceptr, CUstream);

/* CUDA graphs (--cuda-graph; CUDA 12): used where the driver has them all,
 * with stream-ordered allocation (the temporaries become graph memory
 * nodes). */
#define LOOM_CUDA_GRAPH_FUNCTIONS(X)                                           \
  X(cuStreamCreate, cuStreamCreate, (CUstream *, unsigned))                    \
  X(cuStreamBeginCapture, cuStreamBeginCapture_v2,                             \
    (CUstream, LoomCaptureMode))                                               \
  X(cuStreamEndCapture, cuStreamEndCapture, (CUstream, CUgraph *))             \
  X(cuGraphInstantiate, cuGraphInstantiateWithFlags,                           \
    (CUgraphExec *, CUgraph, unsigned long long))                              \
  X(cuGraphDestroy, cuGraphDestroy, (CUgraph))                                 \
  X(cuGraphExecDestroy, cuGraphExecDestroy, (CUgraphExec))                     \
  X(cuGraphLaunch, cuGraphLaunch, (CUgraphExec, CUstream))

static struct {
#define LOOM_DECLARE(name, symbol, params) CUresult(*name) params;
  LOOM_CUDA_DRIVER_FUNCTIONS(LOOM_DECLARE)
  LOOM_CUDA_GRAPH_FUNCTIONS(LOOM_DECLARE)
#undef LOOM_DECLARE
  LoomMemAllocAsyncFn cuMemAllocAsync;
  LoomMemFreeAsyncFn cuMemFreeAsync;
  /* Whether every graph function (and stream-ordered allocation) exists. */
  int hasGraphs;
  /* 0 once the driver is usable, else the error code and message. */
  int32_t status;
  char message[256];
} driver;

#ifdef LOOM_CHECK_AGAINST_CUDA_H
#define LOOM_CHECK(name, symbol, params)                                       \
  _Static_assert(                                                              \
      __builtin_types_compatible_p(__typeof__(&symbol), CUresult(*) params),   \
      #symbol " is declared differently in cuda.h");
LOOM_CUDA_DRIVER_FUNCTIONS(LOOM_CHECK)
LOOM_CHECK(cuMemAllocAsync, cuMemAllocAsync, (CUdeviceptr *, size_t, CUstream))
_Static_assert(CU_STREAM_CAPTURE_MODE_RELAXED ==
                       LOOM_CU_STREAM_CAPTURE_MODE_RELAXED &&
                   CU_STREAM_NON_BLOCKING == LOOM_CU_STREAM_NON_BLOCKING,
               "cuda.h's capture mode and stream flag");
LOOM_CUDA_GRAPH_FUNCTIONS(LOOM_CHECK)
LOOM_CHECK(cuMemFreeAsync, cuMemFreeAsync, (CUdeviceptr, CUstream))
_Static_assert(CUDA_ERROR_OUT_OF_MEMORY == 2 && CUDA_ERROR_NO_DEVICE == 100 &&
                   CU_JIT_ERROR_LOG_BUFFER == 5 &&
                   CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES == 6,
               "cuda.h's constants");
_Static_assert(LOOM_CU_STREAM_PER_THREAD == CU_STREAM_PER_THREAD,
               "cuda.h's per-thread stream");
#endif

static pthread_once_t driverOnce = PTHREAD_ONCE_INIT;

extern const LoomCudaModel __loom_cuda_model;

/*===-- Per-thread call state
 * ----------------------------------------------===*/

static _Thread_local struct {
  int32_t code;
  CUstream stream;
  char detail[512];
} call;

/* Records the first error of the current call. */
static void fail(int32_t code, const char *format, ...) {
  if (call.code != 0)
    return;
  call.code = code;
  va_list args;
  va_start(args, format);
  vsnprintf(call.detail, sizeof(call.detail), format, args);
  va_end(args);
}

static const char *errorName(CUresult result) {
  const char *name = NULL;
  if (driver.cuGetErrorName && driver.cuGetErrorName(result, &name) == 0 &&
      name)
    return name;
  return "unknown CUDA error";
}

/* Records a failed driver call as LOOM_ERROR_CUDA_DRIVER (or out of memory);
 * returns whether `result` was a success. */
static int check(CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return 1;
  fail(result == CUDA_ERROR_OUT_OF_MEMORY ? 103 : 105, "%s: %s (%d)", what,
       errorName(result), result);
  return 0;
}

/*===-- The driver and the model's state
 * -----------------------------------===*/

static void loadDriver(void) {
  /* $LOOM_CUDA_DRIVER names another driver library (tests, unusual
   * installations). */
  const char *path = getenv("LOOM_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    driver.status = 100;
    snprintf(driver.message, sizeof(driver.message), "dlopen(%s): %s", path,
             why ? why : "failed");
    return;
  }
#define LOOM_LOAD(name, symbol, params)                                        \
  driver.name = (CUresult(*) params)dlsym(library, #symbol);                   \
  if (!driver.name) {                                                          \
    driver.status = 100;                                                       \
    snprintf(driver.message, sizeof(driver.message),                           \
             "%s lacks %s (driver too old)", path, #symbol);                   \
    return;                                                                    \
  }
  LOOM_CUDA_DRIVER_FUNCTIONS(LOOM_LOAD)
#undef LOOM_LOAD
  driver.cuMemAllocAsync =
      (LoomMemAllocAsyncFn)dlsym(library, "cuMemAllocAsync");
  driver.cuMemFreeAsync = (LoomMemFreeAsyncFn)dlsym(library, "cuMemFreeAsync");
  if (!driver.cuMemAllocAsync || !driver.cuMemFreeAsync)
    driver.cuMemAllocAsync = NULL, driver.cuMemFreeAsync = NULL;
  driver.hasGraphs = driver.cuMemAllocAsync != NULL;
#define LOOM_LOAD_GRAPH(name, symbol, params)                                  \
  driver.name = (CUresult(*) params)dlsym(library, #symbol);                   \
  if (!driver.name)                                                            \
    driver.hasGraphs = 0;
  LOOM_CUDA_GRAPH_FUNCTIONS(LOOM_LOAD_GRAPH)
#undef LOOM_LOAD_GRAPH
  CUresult result = driver.cuInit(0);
  if (result == CUDA_ERROR_NO_DEVICE) {
    driver.status = 101;
    snprintf(driver.message, sizeof(driver.message), "cuInit: %s",
             errorName(result));
    return;
  }
  if (result != CUDA_SUCCESS) {
    driver.status = 105;
    snprintf(driver.message, sizeof(driver.message), "cuInit: %s (%d)",
             errorName(result), result);
    return;
  }
  int count = 0;
  if (driver.cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0) {
    driver.status = 101;
    snprintf(driver.message, sizeof(driver.message),
             "cuDeviceGetCount: no CUDA device");
  }
}

static struct {
  pthread_mutex_t mutex;
  /* The context the kernels and weights live in; NULL before the first
   * call. */
  CUcontext context;
  /* The primary context this model retained, if it did. */
  CUcontext primary;
  CUmodule *modules;
  CUfunction *functions;
  CUdeviceptr *weights;
  /* Whether a call ran to the end (kernels loaded, weights uploaded).
   * Every call reads it and a successful one sets it, without the mutex,
   * from any thread (launchModel). */
  atomic_int warm;
} state = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, NULL, NULL, 0};

/* --cuda-graph: the calls' launches as instantiated graphs, one per set of
 * buffer pointers (the graph's kernel parameters are those addresses), the
 * least recently captured replaced when all are taken. Captured on a
 * private stream (the caller's may be the legacy default stream, which
 * cannot be captured) and launched on the caller's. */
#define LOOM_CUDA_GRAPHS 8
static struct {
  pthread_mutex_t mutex;
  CUstream captureStream;
  struct {
    void **args; /* NULL: a free slot */
    CUgraphExec exec;
  } slots[LOOM_CUDA_GRAPHS];
  unsigned next;
} graphs = {PTHREAD_MUTEX_INITIALIZER, NULL, {{NULL, NULL}}, 0};

/* Loads kernel `k`: its cubin, else its PTX. Called with the mutex held. */
static int loadKernel(uint64_t k) {
  const LoomCudaKernelImage *image = &__loom_cuda_model.kernels[k];
  CUmodule module = NULL;
  CUresult fromCubin =
      driver.cuModuleLoadDataEx(&module, image->cubin, 0, NULL, NULL);
  if (fromCubin != CUDA_SUCCESS) {
    char log[256] = "";
    LoomJitOption options[] = {CU_JIT_ERROR_LOG_BUFFER,
                               CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {log, (void *)(uintptr_t)sizeof(log)};
    CUresult fromPTX =
        driver.cuModuleLoadDataEx(&module, image->ptx, 2, options, values);
    if (fromPTX != CUDA_SUCCESS) {
      fail(102, "kernel %s (compiled for %s): cubin: %s; PTX: %s%s%s",
           image->name, __loom_cuda_model.gpuArch, errorName(fromCubin),
           errorName(fromPTX), log[0] ? ": " : "", log);
      return 0;
    }
  }
  state.modules[k] = module;
  return check(
      driver.cuModuleGetFunction(&state.functions[k], module, image->name),
      "cuModuleGetFunction");
}

/* Loads every kernel into `context` (the first call's). Called with the
 * mutex held. */
static int loadModel(CUcontext context) {
  uint64_t kernels = __loom_cuda_model.numKernels;
  uint64_t weights = __loom_cuda_model.numWeights;
  state.modules = calloc(kernels ? kernels : 1, sizeof(CUmodule));
  state.functions = calloc(kernels ? kernels : 1, sizeof(CUfunction));
  state.weights = calloc(weights ? weights : 1, sizeof(CUdeviceptr));
  if (!state.modules || !state.functions || !state.weights) {
    fail(2, "out of host memory");
    return 0;
  }
  for (uint64_t k = 0; k < kernels; ++k)
    if (!loadKernel(k)) {
      // The next call tries again (the modules loaded so far stay loaded).
      free(state.modules);
      free(state.functions);
      free(state.weights);
      state.modules = NULL;
      state.functions = NULL;
      state.weights = NULL;
      return 0;
    }
  state.context = context;
  return 1;
}

/* Starts a call on `stream`: the driver, a current context, the kernels.
 * Sets *pushed when it made a context current (end() pops it). */
static int begin(CUstream stream, int *pushed) {
  call.code = 0;
  call.detail[0] = '\0';
  call.stream = stream;
  *pushed = 0;
  pthread_once(&driverOnce, loadDriver);
  if (driver.status != 0) {
    fail(driver.status, "%s", driver.message);
    return 0;
  }
  CUcontext current = NULL;
  if (!check(driver.cuCtxGetCurrent(&current), "cuCtxGetCurrent"))
    return 0;
  pthread_mutex_lock(&state.mutex);
  int ok = 1;
  if (!current) {
    if (!state.primary) {
      const char *ordinal = getenv("LOOM_CUDA_DEVICE");
      CUdevice device;
      ok = check(driver.cuDeviceGet(&device, ordinal ? atoi(ordinal) : 0),
                 "cuDeviceGet (LOOM_CUDA_DEVICE)") &&
           check(driver.cuDevicePrimaryCtxRetain(&state.primary, device),
                 "cuDevicePrimaryCtxRetain");
    }
    if (ok)
      ok = check(driver.cuCtxPushCurrent(state.primary), "cuCtxPushCurrent");
    if (ok) {
      *pushed = 1;
      current = state.primary;
    }
  }
  if (ok && !state.context)
    ok = loadModel(current);
  else if (ok && state.context != current) {
    fail(104, "model %s: its kernels were loaded in another CUDA context",
         __loom_cuda_model.name);
    ok = 0;
  }
  pthread_mutex_unlock(&state.mutex);
  return ok;
}

static int32_t end(int pushed) {
  if (pushed) {
    CUcontext popped;
    driver.cuCtxPopCurrent(&popped);
  }
  return call.code;
}

/*===-- CUDA graphs
 * --------------------------------------------------------===*/

/* The instantiated graph of the model's launches on `deviceArgs`, captured
 * now if there is none; NULL after an error. Called with graphs.mutex held. */
static CUgraphExec graphFor(void **deviceArgs) {
  uint64_t count = __loom_cuda_model.numInputs + __loom_cuda_model.numOutputs;
  size_t bytes = (count ? count : 1) * sizeof(void *);
  for (unsigned i = 0; i < LOOM_CUDA_GRAPHS; ++i)
    if (graphs.slots[i].args &&
        memcmp(graphs.slots[i].args, deviceArgs, count * sizeof(void *)) == 0)
      return graphs.slots[i].exec;
  if (!graphs.captureStream &&
      !check(driver.cuStreamCreate(&graphs.captureStream,
                                   LOOM_CU_STREAM_NON_BLOCKING),
             "cuStreamCreate (graph capture)"))
    return NULL;
  void **key = malloc(bytes);
  if (!key) {
    fail(2, "out of host memory");
    return NULL;
  }
  memcpy(key, deviceArgs, count * sizeof(void *));
  CUstream callers = call.stream;
  call.stream = graphs.captureStream;
  CUgraph graph = NULL;
  CUgraphExec exec = NULL;
  if (check(driver.cuStreamBeginCapture(graphs.captureStream,
                                        LOOM_CU_STREAM_CAPTURE_MODE_RELAXED),
            "cuStreamBeginCapture")) {
    __loom_cuda_model.launch(deviceArgs);
    /* Ended even after an error, so that the stream can capture again. */
    CUresult ended = driver.cuStreamEndCapture(graphs.captureStream, &graph);
    if (check(ended, "cuStreamEndCapture") && call.code == 0)
      check(driver.cuGraphInstantiate(&exec, graph, 0), "cuGraphInstantiate");
    if (graph)
      driver.cuGraphDestroy(graph);
  }
  call.stream = callers;
  if (call.code != 0 || !exec) {
    free(key);
    return NULL;
  }
  unsigned slot = graphs.next;
  graphs.next = (graphs.next + 1) % LOOM_CUDA_GRAPHS;
  if (graphs.slots[slot].args) {
    /* Destroying a graph whose launches are pending is allowed: they
     * complete. */
    driver.cuGraphExecDestroy(graphs.slots[slot].exec);
    free(graphs.slots[slot].args);
  }
  graphs.slots[slot].args = key;
  graphs.slots[slot].exec = exec;
  return exec;
}

/* Runs the model's host code on device buffers, on call.stream: directly,
 * or (--cuda-graph, after a first direct call has loaded the kernels and
 * uploaded the weights) as one graph launch. */
static void launchModel(void **deviceArgs) {
  /* Release and acquire: a thread that reads warm == 1 also sees what the
   * warming call did before it set the flag (its weight uploads, the
   * kernels it loaded under state.mutex), so the launches it captures in a
   * graph find them and load or upload nothing. A stale 0 only costs one
   * more direct call. */
  if (!__loom_cuda_model.cudaGraph || !driver.hasGraphs ||
      !atomic_load_explicit(&state.warm, memory_order_acquire)) {
    __loom_cuda_model.launch(deviceArgs);
    if (call.code == 0)
      atomic_store_explicit(&state.warm, 1, memory_order_release);
    return;
  }
  pthread_mutex_lock(&graphs.mutex);
  CUgraphExec exec = graphFor(deviceArgs);
  if (exec)
    check(driver.cuGraphLaunch(exec, call.stream), "cuGraphLaunch");
  pthread_mutex_unlock(&graphs.mutex);
}

/*===-- Entry points
 * -------------------------------------------------------===*/

int32_t loom_cuda_run_device(void **deviceArgs, void *stream) {
  int pushed;
  if (begin((CUstream)stream, &pushed))
    launchModel(deviceArgs);
  return end(pushed);
}

int32_t loom_cuda_run_host(void **hostArgs) {
  int pushed;
  if (!begin(LOOM_CU_STREAM_PER_THREAD, &pushed))
    return end(pushed);
  uint64_t numInputs = __loom_cuda_model.numInputs;
  uint64_t count = numInputs + __loom_cuda_model.numOutputs;
  void **deviceArgs = calloc(count ? count : 1, sizeof(void *));
  if (!deviceArgs) {
    fail(2, "out of host memory");
    return end(pushed);
  }
  const uint64_t *bytes = __loom_cuda_model.argBytes;
  for (uint64_t i = 0; i < count; ++i)
    deviceArgs[i] = loom_cuda_alloc((int64_t)bytes[i]);
  for (uint64_t i = 0; i < numInputs && call.code == 0; ++i)
    if (bytes[i])
      check(driver.cuMemcpyHtoDAsync((CUdeviceptr)deviceArgs[i], hostArgs[i],
                                     bytes[i], call.stream),
            "cuMemcpyHtoDAsync (input)");
  if (call.code == 0)
    launchModel(deviceArgs);
  for (uint64_t i = numInputs; i < count && call.code == 0; ++i)
    if (bytes[i])
      check(driver.cuMemcpyDtoHAsync(hostArgs[i], (CUdeviceptr)deviceArgs[i],
                                     bytes[i], call.stream),
            "cuMemcpyDtoHAsync (output)");
  for (uint64_t i = 0; i < count; ++i)
    loom_cuda_free(deviceArgs[i]);
  free(deviceArgs);
  CUresult synced = driver.cuStreamSynchronize(call.stream);
  check(synced, "cuStreamSynchronize (the kernels failed)");
  return end(pushed);
}

const char *loom_cuda_last_error(void) { return call.detail; }

/*===-- Calls of the lowered host code
 * -------------------------------------===*/

void *loom_cuda_alloc(int64_t bytes) {
  if (call.code != 0 || bytes <= 0)
    return NULL;
  CUdeviceptr pointer = 0;
  CUresult result =
      driver.cuMemAllocAsync
          ? driver.cuMemAllocAsync(&pointer, (size_t)bytes, call.stream)
          : driver.cuMemAlloc(&pointer, (size_t)bytes);
  if (result == CUDA_ERROR_OUT_OF_MEMORY) {
    fail(103, "allocating %lld bytes of GPU memory", (long long)bytes);
    return NULL;
  }
  if (!check(result, "cuMemAllocAsync"))
    return NULL;
  return (void *)pointer;
}

void loom_cuda_free(void *pointer) {
  if (!pointer)
    return;
  /* Freed even after an error: the call must not leak its temporaries. */
  CUresult result =
      driver.cuMemFreeAsync
          ? driver.cuMemFreeAsync((CUdeviceptr)pointer, call.stream)
          : driver.cuMemFree((CUdeviceptr)pointer);
  check(result, "cuMemFreeAsync");
}

void *loom_cuda_weight(int32_t index, const void *host, int64_t bytes) {
  if (call.code != 0 || index < 0 ||
      (uint64_t)index >= __loom_cuda_model.numWeights || bytes <= 0)
    return NULL;
  pthread_mutex_lock(&state.mutex);
  CUdeviceptr pointer = state.weights[index];
  if (!pointer) {
    CUresult result = driver.cuMemAlloc(&pointer, (size_t)bytes);
    if (result == CUDA_ERROR_OUT_OF_MEMORY)
      fail(103, "allocating %lld bytes of GPU memory for a weight",
           (long long)bytes);
    else if (check(result, "cuMemAlloc (weight)") &&
             check(driver.cuMemcpyHtoD(pointer, host, (size_t)bytes),
                   "cuMemcpyHtoD (weight)"))
      state.weights[index] = pointer;
    if (!state.weights[index])
      pointer = 0;
  }
  pthread_mutex_unlock(&state.mutex);
  return (void *)pointer;
}

void loom_cuda_launch(int32_t kernel, int64_t gridX, int64_t gridY,
                      int64_t gridZ, int64_t blockX, int64_t blockY,
                      int64_t blockZ, void **params) {
  if (call.code != 0 || gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return;
  check(driver.cuLaunchKernel(state.functions[kernel], (unsigned)gridX,
                              (unsigned)gridY, (unsigned)gridZ,
                              (unsigned)blockX, (unsigned)blockY,
                              (unsigned)blockZ, 0, call.stream, params, NULL),
        __loom_cuda_model.kernels[kernel].name);
}

void loom_cuda_memcpy(void *destination, const void *source, int64_t bytes) {
  if (bytes <= 0)
    return;
  if (call.code == 0 &&
      check(driver.cuMemcpyAsync((CUdeviceptr)destination, (CUdeviceptr)source,
                                 (size_t)bytes, call.stream),
            "cuMemcpyAsync") &&
      check(driver.cuStreamSynchronize(call.stream), "cuStreamSynchronize"))
    return;
  /* After an error the host code still reads the destination (always host
   * memory): defined contents; whatever it decides is discarded with the
   * call. */
  memset(destination, 0, (size_t)bytes);
}

/* Run-time errors the lowered host code reports (RuntimeErrors.h). */
void loom_runtime_error(int32_t code) {
  if (call.code == 0)
    call.code = code;
}
