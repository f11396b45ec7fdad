/* eval_hook.c -- the PEP 523 eval-frame hook: tier 0's call counter and the door into compiled code.
 *
 * CPython calls this for every Python frame it runs.  It is a hot path: a few loads and compares, no Python
 * calls, no allocation except the first time a code object is seen.  In order:
 *   0. a frame that would start with too little C stack left gets RecursionError (the C-stack guard, below);
 *   1. code the compiler itself is running (a thread-local flag) goes straight to the interpreter, so compiling
 *      never recurses into compiling;
 *   2. a code object seen for the first time gets its state (registration of code that did not come through the
 *      import hook: modules loaded before install(), exec/eval, the startup standard library);
 *   3. a fresh call (not a generator resumption, not a throw) is counted; past the threshold, and unless the state
 *      says excluded/failed/compiling/compiled, the Python compiler is called once with (globals, code);
 *   4. code with machine code runs it (tier 1 sets `entry` to accel_bjit_execute), unless tracing or profiling
 *      is on: then the interpreter runs it, so every trace event happens;
 *   5. everything else runs in _PyEval_EvalFrameDefault, which links the frame itself.
 * The interpreter must not see an exception set by us: the callback runs with the caller's error state saved.
 */
#include "bjit.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

accel_hook_options accel_options = {25, 1, 500000, 2};
accel_hook_counters accel_counters;

/* ---- the C-stack guard ----
 *
 * Without a PEP 523 hook, 3.11 runs a Python-to-Python call inside the caller's interpreter loop: no C stack.
 * With one, every Python call is a C call (_PyEval_Vector -> this hook -> _PyEval_EvalFrameDefault: about 400
 * bytes a level, so some 20,000 levels in the main thread's 8 MiB), and a program that raised
 * sys.setrecursionlimit() would run the C stack out long before Python's own limit and die of SIGSEGV.  So each
 * thread's stack bounds are read once (pthread_getattr_np: the main thread's from RLIMIT_STACK, read again if the
 * program changes that limit; other threads' from their own attributes), and a Python frame that would start
 * with less than STACK_MARGIN of the stack left gets the RecursionError CPython raises at its own limit instead.
 * The margin is what C code may still use between two Python frames (an interpreter frame, the C functions it
 * calls, signal handlers, the RecursionError's own unwinding): 256 KiB, or a quarter of a smaller stack (a thread
 * given threading.stack_size(32768) keeps 24 KiB for its frames).  A compile needs the compiler's own frames as
 * well (about 20 KiB at the first compile, which imports the compiler): none starts with less than COMPILE_ROOM
 * more than that left; the code runs interpreted this time and asks again at a later call.  A stack pointer
 * outside the thread's stack (code running on a stack of its own) is never refused. */
#define STACK_MARGIN ((uintptr_t)256 * 1024)
#define COMPILE_ROOM ((uintptr_t)512 * 1024)

/* The stack's lowest address and the room below which frames are refused; before the first look, 0 and all of
 * memory, so that the first check takes the slow path.  (The main thread's RLIMIT_STACK when it was read.) */
static _Thread_local uintptr_t stack_low __attribute__((tls_model("initial-exec"))) = 0;
static _Thread_local uintptr_t stack_margin __attribute__((tls_model("initial-exec"))) = UINTPTR_MAX;
static _Thread_local uintptr_t stack_compile_margin __attribute__((tls_model("initial-exec"))) = UINTPTR_MAX;
static _Thread_local rlim_t stack_rlimit __attribute__((tls_model("initial-exec"))) = 0;
static _Thread_local int stack_main_thread __attribute__((tls_model("initial-exec"))) = 0;

static inline uintptr_t
stack_pointer(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));  /* (__builtin_frame_address would make the hook set up a frame pointer) */
    return sp;
}

static rlim_t
current_stack_rlimit(void)
{
    struct rlimit rl;
    return getrlimit(RLIMIT_STACK, &rl) == 0 ? rl.rlim_cur : 0;
}

/* Read this thread's stack bounds.  When they cannot be read, nothing is ever refused. */
static __attribute__((noinline, cold)) void
stack_bounds_init(void)
{
    stack_low = 0;
    stack_margin = stack_compile_margin = 0;
    stack_main_thread = getpid() == (pid_t)syscall(SYS_gettid);
    stack_rlimit = stack_main_thread ? current_stack_rlimit() : 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    void *addr = NULL;
    size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    uintptr_t sp = stack_pointer();
    if (rc != 0 || addr == NULL || size == 0 || sp < (uintptr_t)addr || sp - (uintptr_t)addr > size)
        return;
    uintptr_t margin = size / 4 < STACK_MARGIN ? size / 4 : STACK_MARGIN;
    stack_low = (uintptr_t)addr;
    stack_margin = margin;
    stack_compile_margin = margin + (size / 4 < COMPILE_ROOM ? size / 4 : COMPILE_ROOM);
}

/* Whether the stack pointer is within `margin` of this thread's stack end (unsigned: a stack pointer below the
 * stack, on some other stack, is far above the margin). */
static inline int
stack_within(uintptr_t margin)
{
    return stack_pointer() - stack_low < margin;
}

/* Near the end, or not looked at yet: look (again, if the main thread's limit changed), then decide. */
static __attribute__((noinline, cold)) int
stack_exhausted_slow(void)
{
    if (stack_margin == UINTPTR_MAX || (stack_main_thread && current_stack_rlimit() != stack_rlimit)) {
        stack_bounds_init();
        if (!stack_within(stack_margin))
            return 0;
    }
    PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded (accel: the C stack is nearly full)");
    return 1;
}

/* 1 with RecursionError set when a Python frame must not start here: too little of the C stack is left. */
static inline __attribute__((always_inline)) int
stack_exhausted(void)
{
    if (__builtin_expect(!stack_within(stack_margin), 1))
        return 0;
    return stack_exhausted_slow();
}

/* The same, exported for machine code's direct calls, which push and run frames without the hook. */
int
accel_stack_exhausted(void)
{
    return stack_exhausted();
}

/* Whether there is room to run the compiler here. */
static inline int
stack_room_to_compile(void)
{
    if (stack_margin == UINTPTR_MAX)
        stack_bounds_init();
    return !stack_within(stack_compile_margin);
}

static PyObject *compile_callback = NULL;  /* strong; set while installed */
static _Thread_local int in_compiler __attribute__((tls_model("initial-exec"))) = 0;

/* Is there memory to run the compiler at all?  Under memory exhaustion (or _testcapi.set_nomemory) running it
 * only adds failures -- and 3.11's interpreter loops forever when it cannot allocate the lasti int an exception
 * handler needs at an offset past the small-int cache, which the compiler's own handlers are. */
static int
memory_available(void)
{
    PyObject *probe = PyLong_FromLong(1L << 20);
    if (probe == NULL)
        return 0;
    Py_DECREF(probe);
    return 1;
}

/* Set the program's error state aside (saved[3]) and say whether the compiler can run at all; when not, the
 * error state is back in place. */
static int
begin_compile(PyObject **saved)
{
    PyErr_Fetch(&saved[0], &saved[1], &saved[2]);
    if (memory_available())
        return 1;
    PyErr_Clear();
    PyErr_Restore(saved[0], saved[1], saved[2]);
    return 0;
}

/* cb(a, b) as the compiler's code must run: its frames are never counted or compiled (in_compiler), and the
 * program's trace and profile functions do not see them. */
static PyObject *
call_compiler(PyObject *cb, PyObject *a, PyObject *b)
{
    PyThreadState *tstate = PyThreadState_Get();
    in_compiler = 1;
    PyThreadState_EnterTracing(tstate);
    PyObject *res = PyObject_CallFunctionObjArgs(cb, a, b, NULL);
    PyThreadState_LeaveTracing(tstate);
    in_compiler = 0;
    return res;
}

int
accel_in_compiler(void)
{
    return in_compiler;
}

/* Ask the Python compiler for code.  Returns -1 only when KeyboardInterrupt/SystemExit (anything that is not
 * an Exception) arrived while it ran: that belongs to the program, so the hook raises it in place of the call. */
int
accel_request_compile(_PyInterpreterFrame *frame, accel_code_state *st)
{
    PyObject *saved[3];
    PyObject *cb = compile_callback;
    int rc = 0;
    /* (deep in recursion the compiler, which needs stack too, is not started: a later call asks again) */
    if (cb == NULL || !stack_room_to_compile() || !begin_compile(saved))
        return 0;
    st->flags |= ACCEL_CS_COMPILING;
    accel_counters.compile_requests++;
    Py_INCREF(cb);
    PyObject *res = call_compiler(cb, frame->f_globals, (PyObject *)frame->f_code);
    if (res == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            rc = -1;  /* keep it raised; the caller's (empty) error state is dropped */
            Py_XDECREF(saved[0]);
            Py_XDECREF(saved[1]);
            Py_XDECREF(saved[2]);
        }
        else if (PyErr_ExceptionMatches(PyExc_RecursionError))
            PyErr_Clear();  /* the callback could not even start (deep recursion): a later call asks again */
        else {
            /* The compiler catches its own errors; reaching here is an accel bug.  Never let it reach the program. */
            accel_counters.compile_callback_errors++;
            st->flags |= ACCEL_CS_FAILED;
            PyErr_Clear();
        }
    }
    Py_XDECREF(res);
    if (rc == 0)
        PyErr_Restore(saved[0], saved[1], saved[2]);
    Py_DECREF(cb);
    st->flags &= ~ACCEL_CS_COMPILING;
    return rc;
}

/* The Python compiler's entry for one block of a function compiled a block at a time (bjit_lazy.c), called
 * from machine code's exit while the frame is exact at the block's start.  Returns 1 when it compiled the block
 * (and placed it), 0 when it failed (the interpreter runs that block from now on), -1 when not now: the
 * compiler's own code is running, accel was uninstalled, or the compiler said so (e.g. the program is deep in
 * recursion and the compiler itself would hit the limit). */
static PyObject *block_callback = NULL;  /* strong */

int
accel_set_block_callback(PyObject *callback)
{
    Py_XINCREF(callback);
    Py_XSETREF(block_callback, callback);
    return 0;
}

int
accel_request_block(PyCodeObject *co, int32_t block)
{
    PyObject *saved[3];
    PyObject *cb = block_callback;
    if (cb == NULL || in_compiler || !stack_room_to_compile() || !begin_compile(saved))
        return -1;
    Py_INCREF(cb);
    PyObject *index = PyLong_FromLong(block);
    PyObject *res = index == NULL ? NULL : call_compiler(cb, (PyObject *)co, index);
    Py_XDECREF(index);
    int ok = 0;
    if (res != NULL) {
        long v = PyLong_Check(res) ? PyLong_AsLong(res) : 0;
        ok = v == 1 ? 1 : v == -1 ? -1 : 0;
        PyErr_Clear();
    }
    else {
        /* The callback could not even start (deep recursion), or Ctrl-C arrived: not now, maybe later. */
        ok = -1;
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))
            PyErr_SetInterrupt();  /* the program gets it at its next check */
        else if (!PyErr_ExceptionMatches(PyExc_RecursionError))
            accel_counters.compile_callback_errors++;
        PyErr_Clear();
    }
    Py_XDECREF(res);
    PyErr_Restore(saved[0], saved[1], saved[2]);
    Py_DECREF(cb);
    return ok;
}

uint64_t accel_budget_wait_until;

/* Whether the compile budget is still spent (then hot code waits, without a call into the compiler) */
static inline int
budget_spent(void)
{
    if (accel_budget_wait_until == 0)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec < accel_budget_wait_until)
        return 1;
    accel_budget_wait_until = 0;
    return 0;
}

PyObject *
accel_eval_frame(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag)
{
    /* The frame never ran: the caller clears and pops it as for any error, as after ceval's own recursion check
     * at a frame's start (a generator's frame is finished with the error, as there). */
    if (stack_exhausted())
        return NULL;
    if (in_compiler)
        return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
    accel_counters.frames_seen++;  /* (the program's frames: not the compiler's own) */
    PyCodeObject *co = frame->f_code;
    accel_code_state *st = accel_code_state_get(co);
    if (st == NULL) {
        st = accel_code_state_create(co);
        if (st == NULL) {
            PyErr_Clear();
            return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
        }
    }
    int fresh = !throwflag && frame->prev_instr == _PyCode_CODE(co) - 1;
    int timed = 0;
    if (st->entry == NULL && accel_options.max_tier > 0 && !(st->flags & ACCEL_CS_NO_COMPILE)) {
        /* Code with a loop is compiled early once it has shown that it loops: its interpreted frames (calls,
         * and a generator's resumptions) took bjit_loop_ns in all -- the interpreter cannot count back-edges
         * for us.  Startup code that loops over a few items is left alone; a kernel, a main loop or a
         * generator driving one is compiled at its next call. */
        uint64_t threshold = accel_options.bjit_threshold;
        if ((st->flags & ACCEL_CS_HAS_LOOP) && accel_options.bjit_loop_threshold < threshold) {
            if (st->interp_ns >= (accel_options.bjit_loop_ns << st->deferrals))
                threshold = accel_options.bjit_loop_threshold;
            else
                timed = 1;
        }
        /* A generator that loops is compiled at its next call -- or its next resumption: one generator object
         * driving a long loop may never be called again (its resumptions enter the machine code at the yield). */
        int resumed = !throwflag && !fresh && frame->owner == FRAME_OWNED_BY_GENERATOR
                      && threshold == accel_options.bjit_loop_threshold && (st->flags & ACCEL_CS_HAS_LOOP);
        if ((fresh && ++st->calls > threshold << st->deferrals) || resumed) {
            if (budget_spent())
                st->calls -= st->calls > 32 ? 32 : st->calls;  /* (ask again 32 calls later) */
            else {
                if (accel_request_compile(frame, st) < 0)
                    return NULL;  /* the frame never ran; the caller clears and pops it as for any error */
                timed = 0;
            }
        }
    }
    else if (fresh)
        st->calls++;
    int gen_traced = 0;  /* (a tracer may have rewritten a generator frame's locals: ACCEL_CS_GEN_TRACED) */
    if (frame->owner == FRAME_OWNED_BY_GENERATOR) {
        if (accel_tracing(tstate))
            st->flags |= ACCEL_CS_GEN_TRACED;
        gen_traced = st->flags & ACCEL_CS_GEN_TRACED;
    }
    if (st->entry != NULL && !gen_traced && !accel_tracing(tstate)) {
        if (st->entry == accel_bjit_execute)
            return accel_bjit_execute_state(tstate, frame, throwflag, st);
        return st->entry(tstate, frame, throwflag);
    }
    int watched = fresh && st->entry == NULL && accel_osr_watchable(tstate, frame, st);
    if (timed) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        PyObject *res = watched ? accel_osr_interpret(tstate, frame, st)
                                : _PyEval_EvalFrameDefault(tstate, frame, throwflag);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        st->interp_ns += (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)(t1.tv_nsec - t0.tv_nsec);
        return res;
    }
    if (watched)
        return accel_osr_interpret(tstate, frame, st);
    return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
}

uint64_t accel_insn_jit, accel_insn_interp;
int accel_counting;

int
accel_count_trace(PyObject *obj, PyFrameObject *f, int what, PyObject *arg)
{
    if (what == PyTrace_CALL)
        f->f_trace_opcodes = 1;  /* (every frame the interpreter runs, hand-backs included, starts with CALL) */
    else if (what == PyTrace_OPCODE)
        accel_insn_interp++;
    return 0;
}

int
accel_hook_install(PyObject *callback)
{
    if (accel_code_state_init() < 0)
        return -1;
    PyInterpreterState *interp = PyInterpreterState_Get();
    _PyFrameEvalFunction current = _PyInterpreterState_GetEvalFrameFunc(interp);
    if (current != _PyEval_EvalFrameDefault && current != accel_eval_frame) {
        PyErr_SetString(PyExc_RuntimeError,
                        "accel: another PEP 523 frame evaluator is installed (a debugger or another JIT?)");
        return -1;
    }
    Py_XINCREF(callback);
    Py_XSETREF(compile_callback, callback);
    _PyInterpreterState_SetEvalFrameFunc(interp, accel_eval_frame);
    return 0;
}

void
accel_hook_uninstall(void)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    if (_PyInterpreterState_GetEvalFrameFunc(interp) == accel_eval_frame)
        _PyInterpreterState_SetEvalFrameFunc(interp, _PyEval_EvalFrameDefault);
    Py_CLEAR(compile_callback);
    Py_CLEAR(block_callback);
}

int
accel_hook_installed(void)
{
    return _PyInterpreterState_GetEvalFrameFunc(PyInterpreterState_Get()) == accel_eval_frame;
}
