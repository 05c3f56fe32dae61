/*===- ThreadPool.c - The thread pool of compiled models ------------------===*
 *
 * One pool per loaded model library (this file is linked into each), started
 * on the first parallel loop and joined when the library is unloaded.
 *
 * Why a pool of our own rather than OpenMP: a compiled model must depend on
 * libc and libm only (docs/Runtime.md), load into any process next to any
 * other OpenMP runtime, and stay reentrant. The pool therefore takes one
 * parallel loop at a time; a loop that finds the pool busy (another thread of
 * the application is inside the model) or that is issued from a pool worker
 * runs inline on its caller, which is always correct, only not parallel.
 *
 * Workers spin briefly before they sleep: a transformer layer issues many
 * short loops back to back, and a condition-variable wake-up per loop would
 * cost more than the small loops themselves.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "loom/Runtime/Kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/// The thread count `loomc --threads` compiled in (0: every core). The
/// compiled library (or the JIT) defines it.
extern const int32_t __loom_compiled_num_threads;

enum { kMaxThreads = 256, kSpinIterations = 1 << 13 };

typedef struct {
  pthread_mutex_t submitLock; // held by the caller whose loop the pool runs
  pthread_mutex_t sleepLock;
  pthread_cond_t wake;
  pthread_cond_t finished;
  // The current loop. Written by the submitter before `generation` moves.
  loom_parallel_fn fn;
  void *context;
  int64_t n;
  int64_t chunk;
  int64_t numChunks;
  _Atomic int64_t nextChunk;
  _Atomic int32_t busyWorkers; // workers still inside the current loop
  _Atomic int64_t generation;  // bumped once per loop; workers wait on it
  _Atomic int32_t shutdown;
  int32_t numThreads;
  int32_t numStarted; // worker threads actually running
  pthread_t threads[kMaxThreads];
} ThreadPool;

static ThreadPool pool = {
    .submitLock = PTHREAD_MUTEX_INITIALIZER,
    .sleepLock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .finished = PTHREAD_COND_INITIALIZER,
};
static pthread_once_t poolOnce = PTHREAD_ONCE_INIT;

enum { kScratchSlots = 4 };
typedef struct {
  void *buffer[kScratchSlots];
  uint64_t size[kScratchSlots];
} Scratch;
static _Thread_local Scratch scratch;
// Frees a thread's scratch when it exits; created with the pool.
static pthread_key_t scratchKey;
static int scratchKeyValid;

static void freeScratch(void *value) {
  Scratch *owned = (Scratch *)value;
  for (int i = 0; i < kScratchSlots; ++i) {
    free(owned->buffer[i]);
    owned->buffer[i] = 0;
    owned->size[i] = 0;
  }
}
static _Thread_local int32_t insideLoop; // set on workers and running callers

static int32_t countCores(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0)
      return count;
  }
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? (int32_t)online : 1;
}

static int32_t chooseThreadCount(void) {
  const char *env = getenv("LOOM_NUM_THREADS");
  if (env && *env) {
    char *end = 0;
    long value = strtol(env, &end, 10);
    if (*end == '\0' && value > 0)
      return value > kMaxThreads ? kMaxThreads : (int32_t)value;
  }
  int32_t compiled = __loom_compiled_num_threads;
  int32_t count = compiled > 0 ? compiled : countCores();
  return count > kMaxThreads ? kMaxThreads : count;
}

/// Runs chunks of the current loop until none is left.
static void runChunks(int32_t worker) {
  for (;;) {
    int64_t index =
        atomic_fetch_add_explicit(&pool.nextChunk, 1, memory_order_relaxed);
    if (index >= pool.numChunks)
      return;
    int64_t begin = index * pool.chunk;
    int64_t end = begin + pool.chunk;
    if (end > pool.n)
      end = pool.n;
    pool.fn(pool.context, begin, end, worker);
  }
}

/// Waits while `pending(argument)` holds: spins briefly, then sleeps on
/// `wakeUp`, which is broadcast under `pool.sleepLock` when the state changes.
static void waitWhile(int (*pending)(int64_t), int64_t argument,
                      pthread_cond_t *wakeUp) {
  int spins = 0;
  while (pending(argument)) {
    if (++spins < kSpinIterations) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      continue;
    }
    pthread_mutex_lock(&pool.sleepLock);
    while (pending(argument))
      pthread_cond_wait(wakeUp, &pool.sleepLock);
    pthread_mutex_unlock(&pool.sleepLock);
    spins = 0;
  }
}

/// A worker's wait: no loop after generation `seen` yet, and no shutdown.
static int noNewLoop(int64_t seen) {
  return atomic_load_explicit(&pool.generation, memory_order_acquire) ==
             seen &&
         !atomic_load_explicit(&pool.shutdown, memory_order_relaxed);
}

/// The submitter's wait: some worker is still inside the current loop.
static int workersBusy(int64_t unused) {
  (void)unused;
  return atomic_load_explicit(&pool.busyWorkers, memory_order_acquire) != 0;
}

static void *workerMain(void *arg) {
  int32_t worker = (int32_t)(intptr_t)arg;
  insideLoop = 1;
  int64_t seen = 0;
  for (;;) {
    waitWhile(noNewLoop, seen, &pool.wake);
    if (atomic_load_explicit(&pool.shutdown, memory_order_relaxed))
      return 0;
    // The submitter cannot start another loop before this worker finishes.
    seen = atomic_load_explicit(&pool.generation, memory_order_acquire);
    runChunks(worker);
    if (atomic_fetch_sub_explicit(&pool.busyWorkers, 1,
                                  memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&pool.sleepLock);
      pthread_cond_broadcast(&pool.finished);
      pthread_mutex_unlock(&pool.sleepLock);
    }
  }
}

static void startPool(void) {
  scratchKeyValid = pthread_key_create(&scratchKey, freeScratch) == 0;
  pool.numThreads = chooseThreadCount();
  pool.numStarted = 0;
  for (int32_t i = 1; i < pool.numThreads; ++i) {
    if (pthread_create(&pool.threads[i], 0, workerMain, (void *)(intptr_t)i))
      break; // fewer workers than asked: loops still complete
    ++pool.numStarted;
  }
}

/// Joins the workers when the library is unloaded, so that no thread runs
/// code that dlclose unmaps.
__attribute__((destructor)) static void stopPool(void) {
  // Threads that outlive the library must not run its key destructor (their
  // scratch is left to the process).
  if (scratchKeyValid) {
    pthread_key_delete(scratchKey);
    scratchKeyValid = 0;
  }
  if (pool.numStarted == 0)
    return;
  pthread_mutex_lock(&pool.sleepLock);
  atomic_store(&pool.shutdown, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.sleepLock);
  for (int32_t i = 1; i <= pool.numStarted; ++i)
    pthread_join(pool.threads[i], 0);
  pool.numStarted = 0;
}

void *loom_scratch(int32_t slot, uint64_t bytes) {
  if (slot < 0 || slot >= kScratchSlots)
    return 0;
  if (scratch.size[slot] >= bytes)
    return scratch.buffer[slot];
  pthread_once(&poolOnce, startPool);
  free(scratch.buffer[slot]);
  uint64_t rounded = (bytes + 63) / 64 * 64;
  scratch.buffer[slot] = aligned_alloc(64, rounded);
  scratch.size[slot] = scratch.buffer[slot] ? rounded : 0;
  if (scratchKeyValid)
    pthread_setspecific(scratchKey, &scratch);
  return scratch.buffer[slot];
}

int32_t loom_num_threads(void) {
  pthread_once(&poolOnce, startPool);
  return pool.numThreads;
}

void loom_parallel_for(int64_t n, int64_t grain, loom_parallel_fn fn,
                       void *context) {
  if (n <= 0)
    return;
  if (grain < 1)
    grain = 1;
  int32_t threads = loom_num_threads();
  int32_t workers = pool.numStarted + 1;
  if (threads < workers)
    workers = threads;
  if (workers <= 1 || n <= grain || insideLoop ||
      pthread_mutex_trylock(&pool.submitLock) != 0) {
    fn(context, 0, n, 0);
    return;
  }
  // A few chunks per thread balance uneven chunks without many tiny ones.
  int64_t numChunks = (n + grain - 1) / grain;
  int64_t target = (int64_t)workers * 4;
  if (numChunks > target)
    numChunks = target;
  pool.fn = fn;
  pool.context = context;
  pool.n = n;
  pool.chunk = (n + numChunks - 1) / numChunks;
  pool.numChunks = (n + pool.chunk - 1) / pool.chunk;
  atomic_store_explicit(&pool.nextChunk, 0, memory_order_relaxed);
  atomic_store_explicit(&pool.busyWorkers, pool.numStarted,
                        memory_order_relaxed);
  pthread_mutex_lock(&pool.sleepLock);
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.sleepLock);

  insideLoop = 1;
  runChunks(0);
  insideLoop = 0;
  // Every worker takes part in every loop (possibly finding no chunk left),
  // so the loop state may only change once all have come back.
  waitWhile(workersBusy, 0, &pool.finished);
  pthread_mutex_unlock(&pool.submitLock);
}
