/* accel.h -- what the pieces of the C shim share.
 *
 * The shim is compiled by cffi (see build_shim.py) with Py_BUILD_CORE, so it sees CPython 3.11's internal frame
 * and code layouts.  Python talks to it through a real CPython module, accel._core (module.c), not through cffi
 * calls: cffi drops the GIL around every call, and everything here touches Python objects.
 */
#ifndef ACCEL_H
#define ACCEL_H

#include <Python.h>

/* Memory accel keeps for compiled code (code states, plans, lazy-compile state, per-site data, inline-cache and
 * arena bookkeeping) and its compilers' scratch: the C library's allocator, not PyMem_Raw, so that tracemalloc
 * (which traces PyMem_Raw) shows the program's own allocations -- CPython's test_tracemalloc compares them with
 * what its functions allocate, and a compile at the first call would add accel's.  Every allocation made with
 * these is freed with accel_free; none crosses to CPython's allocators. */
#include <stdlib.h>
#define accel_malloc(n) malloc(n)
#define accel_calloc(n, size) calloc((n), (size))
#define accel_realloc(p, n) realloc((p), (n))
#define accel_free(p) free(p)
#include <stdint.h>
#include "internal/pycore_frame.h"
#include "internal/pycore_code.h"

/* ---- per-code state (code_state.c), kept in co_extra ---- */

enum {
    ACCEL_CS_INCLUDED   = 1 << 0,  /* module matched include/exclude: compile when hot */
    ACCEL_CS_EXCLUDED   = 1 << 1,  /* never compile; the hook passes straight through */
    ACCEL_CS_COMPILING  = 1 << 2,  /* a compile is under way (maybe on another thread) */
    ACCEL_CS_FAILED     = 1 << 3,  /* compiling failed once: never try again */
    ACCEL_CS_COMPILED   = 1 << 4,  /* the compiler ran and kept its result (IR, later code) */
    ACCEL_CS_HAS_LOOP   = 1 << 6,  /* the code has a backward jump: compiled after bjit_loop_threshold calls */
    ACCEL_CS_GEN_TRACED = 1 << 7,  /* a generator frame of it ran under a tracer, which may have changed its locals
                                      (f_locals): its generator frames stay in the interpreter (accel/ir/bound.py) */
};

/* Flags that stop the hook from asking for a compile. */
#define ACCEL_CS_NO_COMPILE (ACCEL_CS_EXCLUDED | ACCEL_CS_COMPILING | ACCEL_CS_FAILED | ACCEL_CS_COMPILED)

/* Machine-code entry: same contract as a PEP 523 eval function. */
typedef PyObject *(*accel_entry_fn)(PyThreadState *, _PyInterpreterFrame *, int);

typedef struct {
    uint64_t calls;        /* fresh entries of the code (not generator resumptions) */
    uint64_t backedges;    /* loop back-edges taken by compiled code */
    uint32_t flags;        /* ACCEL_CS_* */
    int32_t tier;          /* 0 interpreter, 1 baseline JIT, 2 LLVM */
    accel_entry_fn entry;  /* what runs the frame instead of the interpreter (tier 1: accel_bjit_execute), or NULL */
    void *jit_fn;          /* tier-1 machine code (bjit.h: accel_jit_fn), in the code arena */
    size_t jit_size;       /* its size, freed with the code object */
    void *jit_data;        /* per-site caches of the machine code (zeroed; freed with the code object) */
    int32_t direct_argcount;  /* tier 1: co_argcount when compiled callers may set up its frame themselves
                                 (plain positional parameters, not a generator), else -1 */
    int32_t frame_size;       /* tier 1: words of data stack a frame takes (as _PyFrame_Push) */
    int32_t direct_bind;      /* tier 1: 1 when compiled callers may bind any parameter list themselves (*args,
                                 **kwargs, keyword-only parameters: bjit_entry.c call_direct_bound); not a
                                 generator or coroutine function */
    int32_t gen_start;        /* tier 1, a plain generator or coroutine function that compiled callers make those of
                                 themselves: the code unit of its RETURN_GENERATOR (only MAKE_CELL and
                                 COPY_FREE_VARS before it); else -1 */
    uint32_t deferrals;       /* compiles put off by the compile budget: the threshold doubles with each (at most
                                 ACCEL_MAX_DEFERRALS times) */
    uint64_t interp_ns;       /* code with a loop, not compiled yet: time its interpreted calls took in all */
    PyObject *compiled;    /* strong: what the compiler keeps for this code (IR, code handles) */
    struct accel_lazy_blocks *lazy;  /* tier 1 a block at a time (bjit.h), or NULL: all blocks in jit_fn */
    void *ics;             /* tier 1: the executable inline caches of its sites (inline_cache.c), a list */
} accel_code_state;

int accel_code_state_init(void);
struct accel_lazy_blocks;
void accel_lazy_free(struct accel_lazy_blocks *);
void accel_ic_free_code(void *ics);  /* inline_cache.c */
/* The state of a code object, or NULL.  Inline: the eval hook calls it on every frame. */
static inline accel_code_state *accel_code_state_get(PyCodeObject *co);
accel_code_state *accel_code_state_create(PyCodeObject *co);  /* NULL + exception on failure */
extern Py_ssize_t accel_extra_index;
extern uint64_t accel_codes_registered;

/* co_extra's layout is private to Objects/codeobject.c in 3.11; this mirrors it. */
typedef struct {
    Py_ssize_t ce_size;
    void *ce_extras[1];
} accel_code_extra;

static inline accel_code_state *
accel_code_state_get(PyCodeObject *co)
{
    accel_code_extra *extra = (accel_code_extra *)co->co_extra;
    if (extra == NULL || accel_extra_index >= extra->ce_size)
        return NULL;
    return (accel_code_state *)extra->ce_extras[accel_extra_index];
}

/* ---- instruction counting (eval_hook.c), a measurement mode: ACCEL_COUNT_INSTRUCTIONS ----
 * Machine code adds each block's instruction count to accel_insn_jit; the interpreter's share is counted by a
 * C trace function asking for per-opcode events.  That trace function does not count as "tracing" for the
 * decisions that send frames to the interpreter when a debugger or profiler is active. */
extern uint64_t accel_insn_jit, accel_insn_interp;
extern int accel_counting;
int accel_count_trace(PyObject *obj, PyFrameObject *f, int what, PyObject *arg);

/* Is a trace or profile function (other than the instruction counter) active on this thread? */
static inline int
accel_tracing(PyThreadState *tstate)
{
    return tstate->cframe->use_tracing
           && !(accel_counting && tstate->c_tracefunc == accel_count_trace && tstate->c_profilefunc == NULL);
}

/* ---- the eval-frame hook (eval_hook.c) ---- */

int accel_hook_install(PyObject *compile_callback);
PyObject *accel_eval_frame(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag);
void accel_hook_uninstall(void);
int accel_hook_installed(void);
/* tier 1's entry (bjit_entry.c), also callable with the state the hook has looked up already */
PyObject *accel_bjit_execute(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag);
PyObject *accel_bjit_execute_state(PyThreadState *, _PyInterpreterFrame *, int throwflag, accel_code_state *);

typedef struct {
    uint64_t bjit_threshold;  /* calls before a compile is requested */
    uint64_t bjit_loop_threshold;  /* the same for code with a loop (the interpreter cannot count back-edges)... */
    uint64_t bjit_loop_ns;         /* ...once its interpreted calls took this long in all (ns): it loops a lot */
    int max_tier;             /* 0: count only, never call the compiler */
} accel_hook_options;
extern accel_hook_options accel_options;
#define ACCEL_MAX_DEFERRALS 2
/* The compile budget (accel/runtime/compiler.py) is spent until this CLOCK_MONOTONIC time (ns; 0: it is not):
 * code that gets hot meanwhile waits without calling the compiler. */
extern uint64_t accel_budget_wait_until;

typedef struct {
    uint64_t frames_seen;        /* every frame of the program that went through the hook (not the compiler's) */
    uint64_t frames_entered_jit; /* frames run by machine code */
    uint64_t calls_direct;       /* of those, calls from machine code that bypassed the hook */
    uint64_t calls_direct_bound; /* of calls_direct, those that bound *args, **kwargs, keyword-only parameters or
                                    f(*args, **kwargs) (call_direct_bound) */
    uint64_t gen_resumes_direct; /* and generator resumptions from machine code that bypassed the hook */
    uint64_t gens_made_direct;   /* generators that calls from machine code made without running the frame */
    uint64_t gens_collected_direct; /* generators that tuple()/list()/set()/str.join() called from machine code
                                       drove directly */
    uint64_t compile_requests;   /* calls into the Python compiler */
    uint64_t compile_callback_errors;  /* the compiler raised (a bug in accel: it must catch its own) */
} accel_hook_counters;
extern accel_hook_counters accel_counters;

/* ---- executable memory (code_arena.c) ---- */

int accel_arena_init(void);
void *accel_arena_alloc(size_t size);                    /* executable address, NULL when out of memory */
int accel_arena_free(void *code, size_t size);           /* -1 if not ours */
int accel_arena_write(void *code, const void *src, size_t n);  /* -1 if outside an allocation's chunk */

typedef struct {
    size_t mapped_bytes;   /* address space reserved in chunks */
    size_t used_bytes;     /* handed out and not freed */
    size_t peak_used_bytes;
    size_t chunks;
    size_t allocations;
    size_t frees;
    int dual_mapped;       /* 1: separate RW and RX views; 0: mprotect flips */
} accel_arena_stats;
void accel_arena_get_stats(accel_arena_stats *out);
int accel_arena_force_flip_mode(void);

/* 1 with RecursionError set when a Python frame must not start here: the C stack is nearly full (eval_hook.c) */
__attribute__((visibility("hidden"))) int accel_stack_exhausted(void);  /* (hidden: a direct call, no PLT) */

/* ---- placing tier-1 templates (bjit_place.c) ---- */
PyObject *accel_place_setup(PyObject *self, PyObject *flags);
PyObject *accel_place_block(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *accel_place_cold(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *accel_place_link(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* ---- the template file, read on demand (bjit_template_file.c) ---- */
PyObject *accel_template_file_setup(PyObject *self, PyObject *args);
PyObject *accel_template_fetch_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *accel_template_file_counts(PyObject *self, PyObject *templates);
PyObject *accel_template_checksum_py(PyObject *self, PyObject *data);

/* ---- the Python-facing module (module.c) ---- */
int accel_shim_attach(void);

#endif
