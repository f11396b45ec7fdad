/* bjit_exceptions.c -- exceptions in tier-1 machine code: the error exit's unwinding, and the instructions of
 * exception handlers.
 *
 * Until this unit, an exception raised in machine code always left it: the trampoline gave the frame to
 * _PyEval_EvalFrameDefault with throwflag, and the interpreter added the traceback entry, looked the exception
 * table up, ran the handler -- and then the rest of the frame, every later iteration of the loop the `try` sat
 * in included.  Library code that uses exceptions for control flow (a KeyError caught per lookup, StopIteration,
 * AttributeError behind getattr(x, name, default), a `with` block's exit) thus ran in the interpreter after its
 * first exception.
 *
 * Now the trampoline does what ceval does from its `error:` label on (accel_unwind_to_handler):
 *   - the traceback entry (PyTraceBack_Here) -- unless the exception was re-raised (RERAISE, a bare `raise`),
 *     which in ceval jumps to `exception_unwind:` past it;
 *   - the exception table's entry for the failing instruction (get_exception_handler's varint format);
 *   - no entry: the value stack is emptied and the frame left with NULL, as `exit_unwind:`;
 *   - an entry: the stack popped to the handler's level, the frame's lasti pushed when the entry asks, the
 *     exception fetched, normalised, given its traceback and pushed;
 * and the handler's block then runs in machine code, compiled like any other block the first time it is entered
 * (bjit_lazy.c), or in the interpreter when it cannot be (hand-back reason "handler").  With tracing or profiling
 * on, the interpreter's own unwinding runs instead: it reports the exception and unwind events.
 *
 * The handler instructions (PUSH_EXC_INFO, POP_EXCEPT, CHECK_EXC_MATCH, RERAISE, WITH_EXCEPT_START) are
 * helpers with bjit_ops.c's contract, each following 3.11's ceval.c for its instruction.
 * A re-raise marks the thread's frame (reraised_frame) so that the unwinding adds no traceback entry; it declines
 * while tracing, where the interpreter's unwinding would add one.
 */
#include "bjit.h"
#include "frameobject.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_pyerrors.h"

#define ERROR_AT(sp_) (_PyFrame_SetStackPointer(f, (sp_)), (PyObject **)NULL)

uint64_t accel_unwind_counts[ACCEL_UNWIND_COUNT];

/* The frame whose error exit is a re-raise (no traceback entry), and the lasti RERAISE restores (-1: none). */
static _Thread_local _PyInterpreterFrame *reraised_frame __attribute__((tls_model("initial-exec")));
static _Thread_local int reraised_lasti __attribute__((tls_model("initial-exec")));

/* The exception table's entry covering code unit `offset`: 1 with the handler's unit, stack level and lasti
 * flag, 0 when none covers it (ceval's get_exception_handler: entries are sorted and do not overlap). */
static int
find_handler(PyCodeObject *co, int offset, int *handler, int *level, int *lasti)
{
    const uint8_t *p = (const uint8_t *)PyBytes_AS_STRING(co->co_exceptiontable);
    const uint8_t *end = p + PyBytes_GET_SIZE(co->co_exceptiontable);
    while (p < end) {
        int start, size, target, depth_lasti;
        if ((p = accel_exc_varint(p, end, &start)) == NULL || (p = accel_exc_varint(p, end, &size)) == NULL
            || (p = accel_exc_varint(p, end, &target)) == NULL || (p = accel_exc_varint(p, end, &depth_lasti)) == NULL)
            return 0;
        if (offset < start)
            return 0;
        if (offset < start + size) {
            *handler = target;
            *level = depth_lasti >> 1;
            *lasti = depth_lasti & 1;
            return 1;
        }
    }
    return 0;
}

/* ceval's traceback entry at `error:` (a frame still in its prefix, before _co_firsttraceable, gets none).  The
 * frame is the thread's current one, so PyThreadState_GetFrame makes its frame object when it has none; it
 * clears any error on the way, hence the fetch around it. */
static void
add_traceback_entry(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    if (_PyFrame_IsIncomplete(frame))
        return;
    PyFrameObject *fo = frame->frame_obj;
    if (fo != NULL) {
        PyTraceBack_Here(fo);
        return;
    }
    PyObject *type, *value, *tb;
    _PyErr_Fetch(tstate, &type, &value, &tb);
    fo = tstate->cframe->current_frame == frame ? PyThreadState_GetFrame(tstate) : NULL;
    _PyErr_Restore(tstate, type, value, tb);
    if (fo != NULL) {
        if (fo->f_frame == frame)
            PyTraceBack_Here(fo);
        Py_DECREF(fo);
    }
}

static inline void
pop_to(_PyInterpreterFrame *frame, int depth)
{
    int base = frame->f_code->co_nlocalsplus;
    while (frame->stacktop > base + depth) {
        PyObject *v = frame->localsplus[frame->stacktop - 1];
        frame->stacktop--;  /* (first: a destructor run by the decref sees the stack without it) */
        Py_XDECREF(v);
    }
}

int
accel_unwind_to_handler(PyThreadState *tstate, _PyInterpreterFrame *frame, int32_t *handler_unit)
{
    PyCodeObject *co = frame->f_code;
    int offset = (int)(frame->prev_instr - _PyCode_CODE(co));  /* the failing instruction */
    if (reraised_frame == frame) {
        reraised_frame = NULL;
        if (reraised_lasti >= 0)  /* RERAISE 1: the frame's lasti is the original raise again */
            frame->prev_instr = _PyCode_CODE(co) + reraised_lasti;
    }
    else {
        add_traceback_entry(tstate, frame);
    }
    for (;;) {
        int handler, level, lasti;
        if (!find_handler(co, offset, &handler, &level, &lasti)) {
            pop_to(frame, 0);
            accel_unwind_counts[ACCEL_UNWIND_LEFT]++;
            return 0;
        }
        pop_to(frame, level);
        if (lasti) {
            PyObject *frame_lasti = PyLong_FromLong((long)(frame->prev_instr - _PyCode_CODE(co)));
            if (frame_lasti == NULL)
                continue;  /* as ceval: unwind again, with the MemoryError */
            frame->localsplus[frame->stacktop++] = frame_lasti;
        }
        PyObject *type, *value, *tb;
        _PyErr_Fetch(tstate, &type, &value, &tb);
        _PyErr_NormalizeException(tstate, &type, &value, &tb);
        PyException_SetTraceback(value, tb != NULL ? tb : Py_None);
        Py_XDECREF(tb);
        Py_XDECREF(type);
        frame->localsplus[frame->stacktop++] = value;
        *handler_unit = handler;
        return 1;
    }
}

int
accel_unwind_is_reraise(_PyInterpreterFrame *frame)
{
    return reraised_frame == frame;
}

/* ---- the instructions of handlers ---- */

/* PUSH_EXC_INFO: [exc] -> [previous exception or None, exc], exc becoming the thread's handled exception */
PyObject **
accel_op_push_exc_info(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *value = sp[-1];
    _PyErr_StackItem *exc_info = ts->exc_info;
    sp[-1] = exc_info->exc_value != NULL ? exc_info->exc_value : Py_NewRef(Py_None);
    *sp++ = Py_NewRef(value);
    exc_info->exc_value = value;
    return sp;
}

/* POP_EXCEPT: [previous exception] -> [], which becomes the handled exception again */
PyObject **
accel_op_pop_except(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    _PyErr_StackItem *exc_info = ts->exc_info;
    PyObject *value = exc_info->exc_value;
    exc_info->exc_value = *--sp;
    Py_XDECREF(value);
    return sp;
}

#define CANNOT_CATCH_MSG "catching classes that do not inherit from BaseException is not allowed"

/* CHECK_EXC_MATCH: [exc, type] -> [exc, exc matches type], ceval's check_except_type_valid first */
PyObject **
accel_op_check_exc_match(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *right = sp[-1], *left = sp[-2];
    int valid = 1;
    if (PyTuple_Check(right)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(right); i++)
            valid &= PyExceptionClass_Check(PyTuple_GET_ITEM(right, i)) != 0;
    }
    else {
        valid = PyExceptionClass_Check(right) != 0;
    }
    if (!valid) {
        PyErr_SetString(PyExc_TypeError, CANNOT_CATCH_MSG);
        Py_DECREF(right);
        return ERROR_AT(sp - 1);
    }
    int res = PyErr_GivenExceptionMatches(left, right);
    Py_DECREF(right);
    sp[-1] = Py_NewRef(res ? Py_True : Py_False);
    return sp;
}

/* RERAISE: [lasti?, ..., exc] -> the exception raised again, its traceback as it is (no entry for this frame);
 * with an oparg the frame's lasti becomes the one saved when the handler was entered.  While tracing, the
 * interpreter does it (its unwinding would add an entry). */
PyObject **
accel_op_reraise(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    if (accel_tracing(ts))
        return ACCEL_HANDBACK;
    int lasti = -1;
    if (oparg) {
        PyObject *saved = sp[-1 - oparg];
        if (!PyLong_Check(saved)) {
            PyErr_SetString(PyExc_SystemError, "lasti is not an int");
            return ERROR_AT(sp);
        }
        lasti = (int)PyLong_AsLong(saved);
    }
    PyObject *value = *--sp;
    PyObject *type = Py_NewRef(PyExceptionInstance_Class(value));
    PyObject *tb = PyException_GetTraceback(value);
    _PyErr_Restore(ts, type, value, tb);  /* (takes the stack's reference to value) */
    reraised_frame = f;
    reraised_lasti = lasti;
    return ERROR_AT(sp);
}

/* A bare `raise` (RAISE_VARARGS 0): the handled exception raised again without an entry for this frame, as
 * do_raise(); "No active exception to reraise" otherwise (with the entry: ceval's `goto error`). */
PyObject **
accel_op_reraise_handled(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    if (accel_tracing(ts))
        return ACCEL_HANDBACK;
    PyObject *value = _PyErr_GetTopmostException(ts)->exc_value;
    if (value == NULL || Py_IsNone(value)) {
        PyErr_SetString(PyExc_RuntimeError, "No active exception to reraise");
        return ERROR_AT(sp);
    }
    PyObject *type = Py_NewRef(PyExceptionInstance_Class(value));
    _PyErr_Restore(ts, type, Py_NewRef(value), PyException_GetTraceback(value));
    reraised_frame = f;
    reraised_lasti = -1;
    return ERROR_AT(sp);
}

/* WITH_EXCEPT_START: [exit, lasti, previous exception, exc] -> [..., exit(type(exc), exc, exc.__traceback__)] */
PyObject **
accel_op_with_except_start(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *value = sp[-1];
    PyObject *tb = PyException_GetTraceback(value);
    Py_XDECREF(tb);  /* (borrowed from here on, as ceval: value holds it) */
    PyObject *args[4] = {NULL, (PyObject *)PyExceptionInstance_Class(value), value, tb};
    PyObject *res = PyObject_Vectorcall(sp[-4], args + 1, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    if (res == NULL)
        return ERROR_AT(sp);
    *sp++ = res;
    return sp;
}
