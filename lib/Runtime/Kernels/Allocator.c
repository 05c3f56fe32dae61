/*===- Allocator.c - Temporary buffers of compiled models -----------------===*
 *
 * The fast CPU path lowers memref.alloc / memref.dealloc to these generic
 * allocation functions (finalize-memref-to-llvm{use-generic-functions}) rather
 * than to malloc and free. A model allocates the same temporaries, of the same
 * sizes, on every call; glibc serves large blocks with fresh mmaps whose pages
 * fault in again on every call. Freed blocks are therefore kept in a small
 * per-thread cache and handed back to the next allocation of a size that fits,
 * so that steady-state calls touch warm memory and make no system calls.
 *
 * Each block carries a 64-byte header (its usable size and the offset back to
 * the underlying allocation), so the free function needs no size and blocks
 * may be freed on any thread. The cache is per thread, needs no lock, and is
 * released when the thread exits.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "loom/Runtime/Kernels.h"

#include <pthread.h>
#include <stdlib.h>

enum {
  kHeader = 64,
  kCacheEntries = 64,
  // Blocks up to this size are worth keeping; larger ones go back to libc.
  kMaxCachedBytes = 256 << 20,
};

typedef struct {
  uint64_t size;   // usable bytes after the header
  uint64_t offset; // from the underlying allocation to the user pointer
} BlockHeader;

typedef struct {
  void *blocks[kCacheEntries];
  uint64_t sizes[kCacheEntries];
  int count;
  uint64_t bytes;
} BlockCache;

static _Thread_local BlockCache cache;
static pthread_key_t cacheKey;
static pthread_once_t cacheOnce = PTHREAD_ONCE_INIT;
static int cacheKeyValid;

static BlockHeader *headerOf(void *pointer) {
  return (BlockHeader *)((char *)pointer - sizeof(BlockHeader));
}

static void releaseBlock(void *pointer) {
  free((char *)pointer - headerOf(pointer)->offset);
}

static void releaseCache(void *value) {
  BlockCache *owned = (BlockCache *)value;
  for (int i = 0; i < owned->count; ++i)
    releaseBlock(owned->blocks[i]);
  owned->count = 0;
  owned->bytes = 0;
}

static void createCacheKey(void) {
  cacheKeyValid = pthread_key_create(&cacheKey, releaseCache) == 0;
}

/// Forgets the key when the library is unloaded, so that threads outliving
/// it never call into unmapped code (their cached blocks are left behind).
__attribute__((destructor)) static void deleteCacheKey(void) {
  if (cacheKeyValid) {
    pthread_key_delete(cacheKey);
    cacheKeyValid = 0;
  }
}

static void *allocate(uint64_t alignment, uint64_t size) {
  if (alignment < kHeader)
    alignment = kHeader;
  if (size == 0)
    size = 1;
  // The smallest cached block that fits and wastes at most half of itself.
  int best = -1;
  for (int i = 0; i < cache.count; ++i) {
    void *block = cache.blocks[i];
    if (cache.sizes[i] >= size && cache.sizes[i] <= 2 * size &&
        ((uintptr_t)block % alignment) == 0 &&
        (best < 0 || cache.sizes[i] < cache.sizes[best]))
      best = i;
  }
  if (best >= 0) {
    void *block = cache.blocks[best];
    cache.bytes -= cache.sizes[best];
    cache.blocks[best] = cache.blocks[--cache.count];
    cache.sizes[best] = cache.sizes[cache.count];
    return block;
  }
  uint64_t rounded = (size + 63) / 64 * 64;
  char *base = aligned_alloc(alignment, alignment + rounded);
  if (!base)
    return 0;
  char *pointer = base + alignment;
  headerOf(pointer)->size = rounded;
  headerOf(pointer)->offset = alignment;
  return pointer;
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) { return allocate(0, size); }

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  return allocate(alignment, size);
}

void _mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  uint64_t size = headerOf(pointer)->size;
  if (size > kMaxCachedBytes) {
    releaseBlock(pointer);
    return;
  }
  pthread_once(&cacheOnce, createCacheKey);
  // Make room: evict the largest blocks until this one fits the budget.
  while (cache.count > 0 && (cache.count == kCacheEntries ||
                             cache.bytes + size > kMaxCachedBytes)) {
    int largest = 0;
    for (int i = 1; i < cache.count; ++i)
      if (cache.sizes[i] > cache.sizes[largest])
        largest = i;
    releaseBlock(cache.blocks[largest]);
    cache.bytes -= cache.sizes[largest];
    cache.blocks[largest] = cache.blocks[--cache.count];
    cache.sizes[largest] = cache.sizes[cache.count];
  }
  cache.blocks[cache.count] = pointer;
  cache.sizes[cache.count] = size;
  ++cache.count;
  cache.bytes += size;
  if (cacheKeyValid)
    pthread_setspecific(cacheKey, &cache);
}
