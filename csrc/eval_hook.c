/* eval_hook.c -- the PEP 523 eval-frame hook: tier 0's call counter and the door into compiled code.
 *
 * CPython calls this for every Python frame it runs.  It is a hot path: a few loads and compares, no Python
 * calls, no allocation except the first time a code object is seen.  In order:
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
#include <time.h>

accel_hook_options accel_options = {25, 1, 500000, 2};
accel_hook_counters accel_counters;

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
    if (cb == NULL || !begin_compile(saved))
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
    if (cb == NULL || in_compiler || !begin_compile(saved))
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
    if (st->entry != NULL && !accel_tracing(tstate)) {
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
