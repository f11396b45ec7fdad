/* code_arena.c -- executable memory for machine code, never writable and executable at once (W^X).
 *
 * Memory comes in chunks mapped twice from one memfd: a read+execute view that code runs from and a read+write
 * view that the JIT writes through.  No virtual page is ever both writable and executable, and writing (a new
 * block, a patched jump, an inline-cache slot) never takes execute permission away from code another thread
 * may be running — which flipping page protections would.  Where memfd_create is unavailable the arena falls
 * back to one private mapping whose pages are flipped RW -> RX around each write (safe only while no other
 * thread runs code on that page; the stats say which mode is in use).
 *
 * The two views share pages, and so would a parent and its forked child: after fork() each process would write
 * its own new code into the other's memory.  So on both sides of a fork every chunk is moved to a fresh memfd
 * with the same contents, mapped again at the same addresses (pthread_atfork handlers, run by fork() itself
 * before either process can touch the arena again).
 *
 * Allocation is first-fit over an address-ordered free list with coalescing; callers pass the size back to
 * free(), as with munmap, so no header sits in front of machine code.  Everything runs under the GIL.
 */
#define _GNU_SOURCE
#include "accel.h"
#include <sys/mman.h>
#include <unistd.h>
#include <string.h>
#include <pthread.h>

#define ARENA_CHUNK_SIZE (1u << 20)
#define ARENA_ALIGN 16

typedef struct arena_chunk {
    struct arena_chunk *next;
    char *rx;      /* where code runs */
    char *rw;      /* where the JIT writes; == rx in flip mode */
    size_t size;
} arena_chunk;

typedef struct free_extent {
    struct free_extent *next;
    char *start;   /* rx address */
    size_t size;
} free_extent;

static arena_chunk *chunks = NULL;
static free_extent *free_list = NULL;  /* sorted by address */
static accel_arena_stats stats;
static int use_dual_mapping = -1;      /* decided at the first chunk */
static size_t page_size = 4096;

/* Give one chunk a private memfd: copy its contents into a new file and map that over both views. */
static int
unshare_chunk(arena_chunk *c)
{
    int fd = memfd_create("accel-jit", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < c->size) {
        ssize_t n = write(fd, c->rw + done, c->size - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    void *rx = mmap(c->rx, c->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
    void *rw = mmap(c->rw, c->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    close(fd);
    return (rx == c->rx && rw == c->rw) ? 0 : -1;
}

static int arena_broken_by_fork = 0;  /* a chunk could not be unshared: never write code again */

static void
unshare_after_fork(void)
{
    if (use_dual_mapping != 1)
        return;  /* private mappings are copy-on-write across fork already */
    for (arena_chunk *c = chunks; c != NULL; c = c->next) {
        if (unshare_chunk(c) < 0)
            arena_broken_by_fork = 1;
    }
}

int
accel_arena_init(void)
{
    static int initialised = 0;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps > 0)
        page_size = (size_t)ps;
    if (!initialised) {
        initialised = 1;
        pthread_atfork(NULL, unshare_after_fork, unshare_after_fork);
    }
    return 0;
}

static arena_chunk *
map_chunk(size_t size)
{
    arena_chunk *chunk = accel_calloc(1, sizeof(*chunk));
    if (chunk == NULL)
        return NULL;
    chunk->size = size;
    if (use_dual_mapping != 0) {
        int fd = memfd_create("accel-jit", MFD_CLOEXEC);
        if (fd >= 0 && ftruncate(fd, (off_t)size) == 0) {
            void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
            void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            close(fd);
            if (rx != MAP_FAILED && rw != MAP_FAILED) {
                use_dual_mapping = 1;
                chunk->rx = rx;
                chunk->rw = rw;
                return chunk;
            }
            if (rx != MAP_FAILED)
                munmap(rx, size);
            if (rw != MAP_FAILED)
                munmap(rw, size);
        }
        else if (fd >= 0) {
            close(fd);
        }
        use_dual_mapping = 0;
    }
    void *mem = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        accel_free(chunk);
        return NULL;
    }
    chunk->rx = chunk->rw = mem;
    return chunk;
}

static arena_chunk *
chunk_of(const char *rx, size_t n)
{
    for (arena_chunk *c = chunks; c != NULL; c = c->next) {
        if (rx >= c->rx && rx + n <= c->rx + c->size)
            return c;
    }
    return NULL;
}

/* Put [start, start+size) back on the free list, merging with neighbours in the same chunk. */
static int
release(char *start, size_t size)
{
    arena_chunk *c = chunk_of(start, size);
    free_extent **link = &free_list;
    while (*link != NULL && (*link)->start < start)
        link = &(*link)->next;
    free_extent *next = *link;
    free_extent *prev = (link == &free_list) ? NULL : (free_extent *)((char *)link - offsetof(free_extent, next));
    int prev_touches = prev != NULL && prev->start + prev->size == start && chunk_of(prev->start, 1) == c;
    int next_touches = next != NULL && start + size == next->start && chunk_of(next->start, 1) == c;
    if (prev_touches && next_touches) {
        prev->size += size + next->size;
        prev->next = next->next;
        accel_free(next);
    }
    else if (prev_touches) {
        prev->size += size;
    }
    else if (next_touches) {
        next->start = start;
        next->size += size;
    }
    else {
        free_extent *e = accel_malloc(sizeof(*e));
        if (e == NULL)
            return -1;  /* the extent leaks; the memory stays mapped and harmless */
        e->start = start;
        e->size = size;
        e->next = next;
        *link = e;
    }
    return 0;
}

void *
accel_arena_alloc(size_t size)
{
    if (arena_broken_by_fork)
        return NULL;
    if (size == 0)
        size = 1;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    for (int attempt = 0; attempt < 2; attempt++) {
        for (free_extent **link = &free_list; *link != NULL; link = &(*link)->next) {
            free_extent *e = *link;
            if (e->size < size)
                continue;
            char *out = e->start;
            e->start += size;
            e->size -= size;
            if (e->size == 0) {
                *link = e->next;
                accel_free(e);
            }
            stats.used_bytes += size;
            if (stats.used_bytes > stats.peak_used_bytes)
                stats.peak_used_bytes = stats.used_bytes;
            stats.allocations++;
            return out;
        }
        size_t chunk_size = ARENA_CHUNK_SIZE;
        if (size > chunk_size)
            chunk_size = (size + page_size - 1) & ~(page_size - 1);
        arena_chunk *c = map_chunk(chunk_size);
        if (c == NULL)
            return NULL;
        c->next = chunks;
        chunks = c;
        stats.chunks++;
        stats.mapped_bytes += chunk_size;
        if (release(c->rx, chunk_size) < 0)
            return NULL;
    }
    return NULL;
}

int
accel_arena_free(void *code, size_t size)
{
    if (size == 0)
        size = 1;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (chunk_of(code, size) == NULL)
        return -1;
    stats.used_bytes -= size;
    stats.frees++;
    return release(code, size);
}

int
accel_arena_write(void *code, const void *src, size_t n)
{
    arena_chunk *c = chunk_of(code, n);
    if (c == NULL || arena_broken_by_fork)
        return -1;
    size_t offset = (char *)code - c->rx;
    if (c->rw != c->rx) {
        memcpy(c->rw + offset, src, n);
        __builtin___clear_cache(c->rx + offset, c->rx + offset + n);
        return 0;
    }
    char *page = (char *)((uintptr_t)code & ~(uintptr_t)(page_size - 1));
    size_t span = ((char *)code + n) - page;
    if (mprotect(page, span, PROT_READ | PROT_WRITE) != 0)
        return -1;
    memcpy(code, src, n);
    if (mprotect(page, span, PROT_READ | PROT_EXEC) != 0)
        return -1;
    __builtin___clear_cache((char *)code, (char *)code + n);
    return 0;
}

void
accel_arena_get_stats(accel_arena_stats *out)
{
    *out = stats;
    out->dual_mapped = use_dual_mapping == 1;
}

/* For tests of the fallback: use mprotect flips for all chunks.  Only before the first chunk is mapped. */
int
accel_arena_force_flip_mode(void)
{
    if (chunks != NULL)
        return -1;
    use_dual_mapping = 0;
    return 0;
}
