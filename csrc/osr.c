/* osr.c -- on-stack replacement: moving a running interpreted frame into machine code at a loop's back-edge.
 *
 * A function called once whose loop runs for seconds (a script's main(), a benchmark's kernel, module-level
 * code) never gets the second call that would compile it.  JITs enter such loops "on the stack"; on stock 3.11
 * that is hard, because the interpreter keeps next_instr and the stack pointer in C locals of
 * _PyEval_EvalFrameDefault, and nothing outside it can make it stop half-way through a frame.  Except an error.
 * How accel does it:
 *  1. With a PEP 523 hook installed, 3.11 never inlines Python-to-Python calls: every interpreted frame runs in
 *     its own call of _PyEval_EvalFrameDefault made by the hook, so it is an entry frame, and the hook sees the
 *     call end while the frame is still alive (its caller clears it after the hook returns).
 *  2. Watching: on the main thread, the innermost interpreted frame of code with a loop is noted with the
 *     watchdog tick it started at.  A watchdog thread ticks every millisecond; once the watched frame has run
 *     osr_ticks, it queues a pending call (as _PyEval_AddPendingCall does, which needs no GIL; see
 *     queue_from_watchdog).  The thread is started when a frame is first watched and ends after 100 ms with
 *     nothing to watch (a process must never be kept alive by it: a child forked from a thread ends when that
 *     thread does).
 *  3. The interpreter runs pending calls at its eval-breaker checks, and a taken backward jump checks right after
 *     jumping.  The pending call (main thread, GIL held) makes sure the current frame is the watched one and
 *     that its prev_instr is a backward jump the compiler offered as an entry, so the interpreter stands at the
 *     loop header with the stack depth the IR knows.  It compiles the code's head and the header's block, takes
 *     a reference to each value on the stack, and fails with an internal exception.
 *  4. The interpreter's error path: a traceback entry, a handler lookup at the header's offset - 1 (the
 *     compiler only offers loops no handler covers there), the stack popped (our references keep its values),
 *     and the entry frame left -- returning NULL to accel_osr_interpret.
 *  5. That drops the exception and its traceback, puts the values back on the stack and runs the machine code
 *     from the header's block (ctx->entry, as after a block compile).  If tracing came on meanwhile, the
 *     interpreter resumes the frame at the header instead, as for any hand-back.
 * A conditional backward jump (POP_JUMP_BACKWARD_IF_TRUE/FALSE) only checks the eval breaker when taken and
 * when its condition was a bool, which then still lies in the popped slot: that is checked, so a pending call
 * run by some C code during the condition's __bool__ is never mistaken for a taken jump.
 * Functions, and module and class bodies: a script's loop at module level runs in machine code like one in a
 * function (their LOAD_NAME/STORE_NAME are helpers, bjit_blocks.c).  Limits: the main thread only (CPython runs
 * pending calls nowhere else); not generators; not frames that machine code handed back (they would go back and
 * forth); code compiled a block at a time only.
 */
#include "bjit.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "internal/pycore_pystate.h"
#include "internal/pycore_ceval.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_atomic.h"
#include "opcode.h"

#define OSR_MAX_DEPTH 64
#define TICK_NS 1000000L
#define IDLE_TICK_NS 10000000L

accel_osr_counters_t accel_osr_counters;
uint64_t accel_osr_ticks = 2;  /* 0: OSR off */

static PyObject *osr_exit_type;  /* the internal exception that unwinds the interpreter's call */

/* The main thread's innermost watched frame; the watchdog only reads the frame pointer and the start tick. */
typedef struct {
    _PyInterpreterFrame *frame;
    PyThreadState *tstate;  /* the main thread's */
    accel_code_state *st;
    uint64_t start_tick;  /* (moved later when a compile was put off) */
    uint32_t retries;
} watch_t;
static watch_t watch;
static uint64_t tick;
static int armed;
static uint64_t armed_tick;  /* when the pending call was queued */
#define GRACE_TICKS 16        /* how long machine code leaves a queued request to the interpreter */

/* Set by the pending call for the frame it made leave the interpreter. */
static struct {
    _PyInterpreterFrame *frame;
    void *entry;
    int32_t unit, depth;
    PyObject *values[OSR_MAX_DEPTH];
} ready;

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wakeup;
static pthread_t thread;
static int thread_running, stop_requested, atfork_done;
static int thread_exited;  /* the watchdog ended by itself (idle) and has not been joined yet */
#define IDLE_EXIT_TICKS 10  /* idle ticks (10 ms each) after which the watchdog ends: a process whose last other
                               thread ends (a child forked from a thread) must not be kept alive by it */

#define LOAD(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)

static const accel_osr_entry *
find_entry(const accel_lazy_blocks *lz, int32_t jump_unit)
{
    for (int32_t i = 0; i < lz->nosr; i++)
        if (lz->osr[i].jump_unit == jump_unit)
            return &lz->osr[i];
    return NULL;
}

/* Is the interpreter, running `frame`, at the eval-breaker check of a taken backward jump `e`? */
static int
at_taken_backedge(_PyInterpreterFrame *frame, const accel_osr_entry *e)
{
    int op = _Py_OPCODE(*frame->prev_instr);
    if (op == JUMP_BACKWARD || op == JUMP_BACKWARD_QUICK)
        return 1;
    PyObject *cond = frame->localsplus[frame->f_code->co_nlocalsplus + e->depth];  /* the slot it was popped from */
    if (op == POP_JUMP_BACKWARD_IF_TRUE)
        return cond == Py_True;
    if (op == POP_JUMP_BACKWARD_IF_FALSE)
        return cond == Py_False;
    return 0;
}

static int osr_pending(void *unused);

/* The watched frame is looked at again after 2, 4, 8... ticks, at most 2**max_shift. */
static void
retry_later(uint32_t max_shift)
{
    watch.retries++;
    uint32_t shift = watch.retries < max_shift ? watch.retries : max_shift;
    STORE(&watch.start_tick, LOAD(&tick) + (1ull << shift));
}

/* The pending call ran where it cannot act.  In a frame the watched one called (its check at a call or a
 * RESUME): the watched frame is looked at again after 2, 4 ... 64 ms -- it may be waiting for a long call, and a
 * queued request costs every check it reaches.  At another check of the watched frame itself (after a call), its
 * back-edge is near: the request is queued again at once (for up to REARMS places; a second call in the same
 * round of pending calls, nothing having run in between, is left to the watchdog's next tick instead). */
#define REARMS 64
static uint32_t rearms;
static _PyInterpreterFrame *last_frame;
static _Py_CODEUNIT *last_instr;

static void
not_at_loop(_PyInterpreterFrame *frame)
{
    accel_osr_counters.not_at_loop++;
    if (frame == NULL || frame != watch.frame) {
        retry_later(6);
        return;
    }
    int moved = frame != last_frame || frame->prev_instr != last_instr;
    last_frame = frame;
    last_instr = frame->prev_instr;
    if (!moved)
        return;  /* (armed is 0: the watchdog asks again at its next tick) */
    if (rearms++ < REARMS && Py_AddPendingCall(osr_pending, NULL) == 0) {
        STORE(&armed, 1);
        return;
    }
    retry_later(6);
}

/* The pending call: runs on the main thread at an eval-breaker check, GIL held.  0: nothing to do (here);
 * -1 with the internal exception set: the watched frame leaves the interpreter (or a KeyboardInterrupt that
 * arrived while compiling, which the program gets at this check). */
static int
osr_pending(void *unused)
{
    STORE(&armed, 0);
    accel_osr_counters.requests++;
    PyThreadState *tstate = _PyThreadState_GET();
    _PyInterpreterFrame *frame = tstate->cframe->current_frame;
    if (watch.frame == NULL)
        return 0;
    if (frame != watch.frame || ready.frame != NULL || accel_in_compiler() || accel_tracing(tstate)
        || tstate->interp->eval_frame != accel_eval_frame) {
        /* Somewhere else (most likely a callee of the watched frame) */
        not_at_loop(frame);
        return 0;
    }
    accel_code_state *st = watch.st;
    PyCodeObject *co = frame->f_code;
    int32_t jump_unit = (int32_t)(frame->prev_instr - _PyCode_CODE(co));
    if (st->lazy != NULL) {
        const accel_osr_entry *e = find_entry(st->lazy, jump_unit);
        if (e == NULL || !at_taken_backedge(frame, e)) {
            not_at_loop(frame);
            return 0;
        }
    }
    else {
        int op = _Py_OPCODE(*frame->prev_instr);
        if (op != JUMP_BACKWARD && op != JUMP_BACKWARD_QUICK && op != POP_JUMP_BACKWARD_IF_TRUE
            && op != POP_JUMP_BACKWARD_IF_FALSE) {
            not_at_loop(frame);
            return 0;
        }
    }
    /* At a loop: one attempt for this frame, unless the compile is only put off (the compile budget, deep
     * recursion): then again after 1, 2, 4... ms more -- the program's running time earns the budget back. */
    STORE(&watch.frame, NULL);
    if (st->entry == NULL) {
        if (st->flags & ACCEL_CS_NO_COMPILE)
            return 0;
        if (accel_request_compile(frame, st) < 0)
            return -1;
        if (st->entry == NULL && !(st->flags & ACCEL_CS_NO_COMPILE)) {
            accel_osr_counters.put_off++;
            STORE(&watch.frame, frame);
            retry_later(10);
            return 0;
        }
    }
    if (st->entry != accel_bjit_execute || st->lazy == NULL) {
        accel_osr_counters.declined++;
        return 0;
    }
    const accel_osr_entry *e = find_entry(st->lazy, jump_unit);
    if (e == NULL || e->depth > OSR_MAX_DEPTH || !at_taken_backedge(frame, e)) {
        accel_osr_counters.declined++;
        return 0;
    }
    /* machine code reads the arguments the code never deletes, and the locals bound on every path to the loop,
     * without an unbound check (ACCEL_ALWAYS_BOUND), and stores to the locals bound on no path without releasing
     * an old value (ACCEL_ALWAYS_UNBOUND); only a debugger writing f_locals in the interpreter can have changed
     * that */
    for (int32_t k = 0, nargs = accel_code_nargs(co); k < nargs; k++)
        if (frame->localsplus[k] == NULL) {
            accel_osr_counters.declined++;
            return 0;
        }
    for (int k = 0; k < 64 && k < co->co_nlocalsplus; k++)
        if ((e->bound >> k & 1) ? frame->localsplus[k] == NULL : (e->empty >> k & 1) && frame->localsplus[k] != NULL) {
            accel_osr_counters.declined++;
            return 0;
        }
    void *entry = accel_bjit_block_code(tstate, st, co, e->block);
    if (entry == NULL || accel_tracing(tstate)) {
        accel_osr_counters.declined++;
        return 0;
    }
    PyObject **stack = frame->localsplus + co->co_nlocalsplus;
    for (int32_t i = 0; i < e->depth; i++)
        ready.values[i] = Py_XNewRef(stack[i]);
    ready.frame = frame;
    ready.entry = entry;
    ready.unit = e->unit;
    ready.depth = e->depth;
    PyErr_SetNone(osr_exit_type);
    return -1;
}

/* The interpreter left `frame` at the loop header through the error path: carry on in machine code. */
static PyObject *
continue_in_machine_code(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st)
{
    PyCodeObject *co = frame->f_code;
    ready.frame = NULL;
    /* Our exception, or one that replaced it while the frame unwound (no memory for the traceback entry): the
     * program never raised either. */
    PyErr_Clear();
    PyObject **stack = frame->localsplus + co->co_nlocalsplus;
    for (int32_t i = 0; i < ready.depth; i++) {
        stack[i] = ready.values[i];
        ready.values[i] = NULL;
    }
    frame->stacktop = co->co_nlocalsplus + ready.depth;
    if (accel_tracing(tstate) || st->jit_fn == NULL || tstate->interp->eval_frame != accel_eval_frame) {
        accel_osr_counters.resumed_interpreted++;
        frame->prev_instr = _PyCode_CODE(co) + ready.unit - 1;
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    }
    accel_osr_counters.entered++;
    return accel_bjit_run_from(tstate, frame, st, ready.entry);
}

/* Is the only pending call a fresh OSR request?  Machine code's eval-breaker poll (a compiled callee of the watched
 * frame, most of the time) then leaves it queued, so that the watched frame's own back-edge check finds it; after
 * GRACE_TICKS it is run anyway (the watched frame may be waiting for a long call) and is asked again later. */
int
accel_osr_only_request(PyInterpreterState *interp)
{
    if (!LOAD(&armed) || LOAD(&tick) - LOAD(&armed_tick) >= GRACE_TICKS || interp != PyInterpreterState_Main())
        return 0;
    struct _pending_calls *pending = &interp->ceval.pending;
    int first = LOAD(&pending->first), last = LOAD(&pending->last);  /* (a racy peek: a hint only) */
    return (first + 1) % NPENDINGCALLS == last && pending->calls[first].func == osr_pending;
}

/* ---- the watchdog ---- */

/* _PyEval_AddPendingCall(interp, osr_pending, NULL) without its COMPUTE_EVAL_BREAKER, which computes the breaker
 * from the calling thread's point of view: on the watchdog, which can handle neither signals nor pending calls,
 * it *clears* the breaker, so a signal that had just arrived waited for a later check than CPython would make
 * (test_generators' raise_SIGINT_then_send_None saw its KeyboardInterrupt late once, with the watchdog preempted
 * between that store and its own store of 1).  The queue is pushed under its lock as ceval's _push_pending_call
 * does; calls_to_do and the breaker are only ever set, and the main thread recomputes the breaker itself once it
 * has run the call. */
static int
queue_from_watchdog(PyInterpreterState *interp)
{
    struct _pending_calls *pending = &interp->ceval.pending;
    if (pending->lock == NULL)
        return -1;
    PyThread_acquire_lock(pending->lock, WAIT_LOCK);
    int i = pending->last, j = (i + 1) % NPENDINGCALLS, rc = -1;
    if (j != pending->first) {  /* (full: the next tick tries again) */
        pending->calls[i].func = osr_pending;
        pending->calls[i].arg = NULL;
        pending->last = j;
        rc = 0;
    }
    PyThread_release_lock(pending->lock);
    if (rc == 0) {
        _Py_atomic_store_relaxed(&pending->calls_to_do, 1);
        _Py_atomic_store_relaxed(&interp->ceval.eval_breaker, 1);
    }
    return rc;
}

static void *
watchdog(void *unused)
{
    int idle = 0;
    pthread_mutex_lock(&mutex);
    while (!stop_requested) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long step = LOAD(&watch.frame) != NULL ? TICK_NS : IDLE_TICK_NS;
        t.tv_nsec += step;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wakeup, &mutex, &t);
        if (stop_requested)
            break;
        if (LOAD(&watch.frame) != NULL)
            idle = 0;
        else if (++idle >= IDLE_EXIT_TICKS) {
            __atomic_store_n(&thread_exited, 1, __ATOMIC_SEQ_CST);  /* (first: see start_watchdog) */
            __atomic_store_n(&thread_running, 0, __ATOMIC_SEQ_CST);
            break;
        }
        uint64_t now = LOAD(&tick) + 1;
        STORE(&tick, now);
        uint64_t ticks = LOAD(&accel_osr_ticks);
        /* Only while the main thread runs Python (holds the GIL): a watched frame blocked in a call (a join, a
         * select) is not hot, and other threads must not see the eval breaker raised for it. */
        PyThreadState *main_tstate = LOAD(&watch.tstate);
        int main_runs = (PyThreadState *)_Py_atomic_load_relaxed(&_PyRuntime.gilstate.tstate_current)
                        == main_tstate;
        /* Nor while the watched frame waits for a Python call it made (a script's main() in a long call): its
         * back-edge is not near, and a queued request would only keep the eval breaker raised for every check
         * the callees make (machine code leaves the request to the watched frame).  The main thread's current
         * frame is read racily, as a hint: its cframe lives on that thread's stack, which stays mapped. */
        _PyCFrame *cframe = main_runs && main_tstate != NULL ? LOAD(&main_tstate->cframe) : NULL;
        int in_call = cframe != NULL && LOAD(&cframe->current_frame) != LOAD(&watch.frame);
        if ((!main_runs || in_call) && LOAD(&watch.frame) != NULL)
            STORE(&watch.start_tick, LOAD(&watch.start_tick) + 1);  /* (blocked time does not count) */
        else if (ticks && LOAD(&watch.frame) != NULL
                 && (int64_t)(now - LOAD(&watch.start_tick)) >= (int64_t)ticks) {
            PyInterpreterState *interp = PyInterpreterState_Main();
            if (!LOAD(&armed)) {
                STORE(&armed, 1);
                STORE(&armed_tick, now);
                STORE(&rearms, 0);
                if (queue_from_watchdog(interp) < 0)
                    STORE(&armed, 0);  /* the queue is full: next tick */
            }
            /* 3.11 only raises the eval breaker for a pending call queued by the main thread itself (the check
             * asks whether the *calling* thread may run pending calls); raise it for the main thread while it
             * holds the GIL, every tick until it ran ours. */
            if (LOAD(&armed))
                _Py_atomic_store_relaxed(&interp->ceval.eval_breaker, 1);
        }
    }
    pthread_mutex_unlock(&mutex);
    return NULL;
}

static void
after_fork_in_child(void)
{
    /* only the forking thread survives */
    pthread_mutex_init(&mutex, NULL);
    thread_running = 0;
    thread_exited = 0;
    stop_requested = 0;
    armed = 0;
    watch.frame = NULL;
}

static void
join_exited_watchdog(void)
{
    if (__atomic_load_n(&thread_exited, __ATOMIC_SEQ_CST)) {
        pthread_join(thread, NULL);  /* (it has left its loop: at most a moment) */
        thread_exited = 0;
    }
}

static int
start_watchdog(void)
{
    join_exited_watchdog();
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wakeup, &attr);
    pthread_condattr_destroy(&attr);
    if (!atfork_done) {
        pthread_atfork(NULL, NULL, after_fork_in_child);
        atfork_done = 1;
    }
    stop_requested = 0;
    pthread_attr_t tattr;
    pthread_attr_init(&tattr);
    pthread_attr_setstacksize(&tattr, 64 * 1024);
    __atomic_store_n(&thread_running, 1, __ATOMIC_SEQ_CST);
    /* The watchdog blocks every signal (it inherits this mask): a signal sent to the process must reach a thread
     * of the program's, which may be waiting for it with the signal blocked (sigwait, sigtimedwait). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&thread, &tattr, watchdog, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&tattr);
    if (rc != 0) {
        thread_running = 0;
        STORE(&accel_osr_ticks, 0);  /* no thread, no OSR */
        return -1;
    }
    return 0;
}

/* Stop the watchdog (accel's atexit, uninstall): it must not queue pending calls while the interpreter
 * finalizes. */
void
accel_osr_stop(void)
{
    if (!__atomic_load_n(&thread_running, __ATOMIC_SEQ_CST)) {
        join_exited_watchdog();
        return;
    }
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&mutex);
    stop_requested = 1;
    pthread_cond_signal(&wakeup);
    pthread_mutex_unlock(&mutex);
    pthread_join(thread, NULL);
    Py_END_ALLOW_THREADS
    thread_running = 0;
}

int
accel_osr_init(PyObject *module)
{
    osr_exit_type = PyErr_NewException("accel._core.OSRExit", PyExc_BaseException, NULL);
    return osr_exit_type == NULL ? -1 : 0;
}

/* ---- the hook's side ---- */

/* Interpret `frame` (accel_osr_watchable) while the watchdog watches it; carry on in machine code if the
 * pending call made it leave the interpreter at a loop header. */
PyObject *
accel_osr_interpret(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st)
{
    if (!__atomic_load_n(&thread_running, __ATOMIC_SEQ_CST) && start_watchdog() < 0)
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    watch_t outer = watch;
    watch.st = st;
    STORE(&watch.tstate, tstate);
    watch.retries = 0;
    STORE(&watch.start_tick, LOAD(&tick));
    STORE(&watch.frame, frame);
    PyObject *res = _PyEval_EvalFrameDefault(tstate, frame, 0);
    watch.st = outer.st;
    watch.retries = outer.retries;
    STORE(&watch.start_tick, outer.start_tick);
    STORE(&watch.frame, outer.frame);
    if (res != NULL || ready.frame != frame)
        return res;
    return continue_in_machine_code(tstate, frame, st);
}
