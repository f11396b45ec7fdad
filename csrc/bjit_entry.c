/* bjit_entry.c -- running tier-1 machine code on a CPython frame, and handing frames back.
 *
 * accel_bjit_execute() is what the eval hook calls for a code object with machine code.  It does for the frame
 * exactly what _PyEval_EvalFrameDefault's prologue and RETURN_VALUE do (3.11 ceval.c): link the frame under a
 * _PyCFrame of its own on the C stack, mark it the entry frame, count the recursion depth, and undo all that on
 * the way out.  An exception is unwound here as ceval's error path does it (bjit_exceptions.c) and its handler
 * entered in the machine code; when the machine code stops early -- an instruction it does not handle, a handler
 * without machine code, tracing -- the frame is unlinked the same way and given to _PyEval_EvalFrameDefault,
 * which links it again and carries on at prev_instr + 1 (or, with throwflag while tracing, runs its own error path
 * at prev_instr).  So every frame always looks like an ordinary interpreter frame.
 */
#include "bjit.h"
#include "opcode.h"
#include "internal/pycore_atomic.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_pystate.h"
#include "internal/pycore_runtime.h"
#include "internal/pycore_ceval.h"
#include "internal/pycore_object.h"

/* Handing an exception to the interpreter means entering it with throwflag, and with tracing or profiling on,
 * that entry reports a "call" event (meant for generator.throw()): the function would seem to be called twice.
 * For that one entry the thread's trace and profile functions are swapped for these shims, which drop the
 * first "call" event of that frame and put the real functions back at once. */
static _Thread_local Py_tracefunc saved_trace __attribute__((tls_model("initial-exec"))),
    saved_profile __attribute__((tls_model("initial-exec")));
static _Thread_local _PyInterpreterFrame *throw_frame __attribute__((tls_model("initial-exec")));

static int
trace_shim(PyObject *obj, PyFrameObject *f, int what, PyObject *arg)
{
    PyThreadState *tstate = PyThreadState_Get();
    tstate->c_tracefunc = saved_trace;
    if (what == PyTrace_CALL && f->f_frame == throw_frame)
        return 0;
    return saved_trace(obj, f, what, arg);
}

static int
profile_shim(PyObject *obj, PyFrameObject *f, int what, PyObject *arg)
{
    PyThreadState *tstate = PyThreadState_Get();
    tstate->c_profilefunc = saved_profile;
    if (what == PyTrace_CALL && f->f_frame == throw_frame)
        return 0;
    return saved_profile(obj, f, what, arg);
}

static PyObject *
raise_in_interpreter(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    if (!tstate->cframe->use_tracing)
        return _PyEval_EvalFrameDefault(tstate, frame, 1);
    throw_frame = frame;
    saved_trace = tstate->c_tracefunc;
    saved_profile = tstate->c_profilefunc;
    if (saved_trace != NULL)
        tstate->c_tracefunc = trace_shim;
    if (saved_profile != NULL)
        tstate->c_profilefunc = profile_shim;
    PyObject *res = _PyEval_EvalFrameDefault(tstate, frame, 1);
    if (tstate->c_tracefunc == trace_shim)
        tstate->c_tracefunc = saved_trace;
    if (tstate->c_profilefunc == profile_shim)
        tstate->c_profilefunc = saved_profile;
    throw_frame = NULL;
    return res;
}

uint64_t accel_bjit_exits[ACCEL_EXIT_COUNT];
uint64_t accel_bjit_handbacks[ACCEL_HB_COUNT][256];

/* The end of a run that did not simply return (machine_code_exit below), and the frame's unlinking. */
static inline __attribute__((always_inline)) void
unlink_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    _Py_LeaveRecursiveCallTstate(tstate);
    tstate->cframe->current_frame = frame->previous;
}

/* The block of lazily compiled code starting at code unit `unit` (-1: none; blocks are in code order). */
static int32_t
block_at(const accel_lazy_blocks *lz, int32_t unit)
{
    if (lz == NULL)
        return -1;
    int32_t lo = 0, hi = lz->nblocks - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2, first = lz->entries[2 * mid];
        if (first == unit)
            return mid;
        if (first < unit)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* A run of machine code that stopped other than by returning: a block reached for the first time (compile it
 * and go on there, bjit_lazy.c), or the frame's end in some other way (unlink it and let the interpreter finish
 * whatever the machine code left).  Out of line: the common return stays short in every inlined copy of
 * run_machine_code. */
static __attribute__((noinline)) PyObject *
machine_code_exit(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st, accel_jit_ctx *ctx,
                  int exit, int entry_stacktop)
{
    int handler_stacktop = -1;  /* a generator's handler entered through its resume dispatch: the stack depth there */
    for (;;) {
        accel_bjit_exits[exit]++;
        if (exit == ACCEL_EXIT_ERROR) {
            /* ceval's error path, here (bjit_exceptions.c); while tracing, the interpreter's, which reports it
             * (a re-raise declines while tracing, so it never needs the interpreter's) */
            if (accel_tracing(tstate) && !accel_unwind_is_reraise(frame)) {
                accel_unwind_counts[ACCEL_UNWIND_TO_INTERP]++;
                break;
            }
            int32_t unit;
            if (!accel_unwind_to_handler(tstate, frame, &unit)) {
                unlink_frame(tstate, frame);
                return NULL;
            }
            int32_t depth = frame->stacktop - frame->f_code->co_nlocalsplus;
            if (st->lazy == NULL && (frame->f_code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR))
                && !accel_tracing(tstate)) {
                /* a generator compiled whole: its resume dispatch has an entry at each handler (codegen.py); a
                 * NO_ENTRY exit from there resumes the interpreter at the handler (below) */
                accel_unwind_counts[ACCEL_UNWIND_CAUGHT_JIT]++;
                frame->prev_instr = _PyCode_CODE(frame->f_code) + unit - 1;
                handler_stacktop = frame->stacktop;
                frame->stacktop = -1;
                ctx->entry = NULL;
                ctx->resume_unit = unit;
                exit = ((accel_jit_fn)st->jit_fn)(ctx);
                if (exit != ACCEL_EXIT_NO_ENTRY)
                    handler_stacktop = -1;
                continue;
            }
            int32_t b = block_at(st->lazy, unit);
            ctx->entry = b >= 0 && st->lazy->entries[2 * b + 1] == depth
                             ? accel_bjit_block_code(tstate, st, frame->f_code, b) : NULL;
            if (ctx->entry == NULL) {
                accel_unwind_counts[ACCEL_UNWIND_CAUGHT_INTERP]++;
                exit = ACCEL_EXIT_HANDBACK;
                accel_bjit_exits[exit]++;
                ctx->reason = ACCEL_HB_HANDLER * 256;
                ctx->resume_unit = unit;
                ctx->resume_depth = depth;
                break;
            }
            accel_unwind_counts[ACCEL_UNWIND_CAUGHT_JIT]++;
            frame->stacktop = -1;  /* (running again) */
            exit = ((accel_jit_fn)st->jit_fn)(ctx);
            continue;
        }
        if (exit != ACCEL_EXIT_COMPILE_BLOCK)
            break;
        int32_t b = ctx->reason;
        ctx->entry = accel_bjit_block_code(tstate, st, frame->f_code, b);
        if (ctx->entry == NULL) {
            /* the interpreter runs the block (st->lazy and b are sound: the stub that exited is the lazy code's) */
            exit = ACCEL_EXIT_HANDBACK;
            ctx->reason = ACCEL_HB_BLOCK * 256;
            ctx->resume_unit = st->lazy->entries[2 * b];
            ctx->resume_depth = st->lazy->entries[2 * b + 1];
            break;
        }
        exit = ((accel_jit_fn)st->jit_fn)(ctx);
    }

    unlink_frame(tstate, frame);
    switch (exit) {
    case ACCEL_EXIT_RETURN:
        frame->stacktop = frame->f_code->co_nlocalsplus;
        return ctx->retval;
    case ACCEL_EXIT_YIELD:
        return ctx->retval;
    case ACCEL_EXIT_NO_ENTRY:
        if (handler_stacktop >= 0) {  /* no entry at that handler after all: the interpreter runs it */
            accel_unwind_counts[ACCEL_UNWIND_CAUGHT_JIT]--;
            accel_unwind_counts[ACCEL_UNWIND_CAUGHT_INTERP]++;
            accel_bjit_handbacks[ACCEL_HB_HANDLER][0]++;
            frame->stacktop = handler_stacktop;
            return _PyEval_EvalFrameDefault(tstate, frame, 0);
        }
        accel_bjit_handbacks[ACCEL_HB_RESUME][0]++;
        frame->stacktop = entry_stacktop;
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    case ACCEL_EXIT_ERROR:
        return raise_in_interpreter(tstate, frame);
    default:
        if (ctx->resume_unit == ACCEL_RESUME_AT_PREV_INSTR) {
            /* a helper declined (the shared exit): the interpreter runs that instruction; prev_instr was set
             * to it before the call */
            ctx->resume_unit = (int32_t)(frame->prev_instr - _PyCode_CODE(frame->f_code));
            ctx->reason = ACCEL_HB_HELPER * 256 + accel_opcode_at(frame->f_code, ctx->resume_unit);
        }
        else if (ctx->resume_unit == ACCEL_RESUME_CALL_DECLINED || ctx->resume_unit == ACCEL_RESUME_CALL_TRACING) {
            int32_t unit, depth, to_next, effect;
            accel_call_site_fields(ctx->call_site, &unit, &depth, &to_next, &effect);
            int traced = ctx->resume_unit == ACCEL_RESUME_CALL_TRACING;
            ctx->reason = (traced ? ACCEL_HB_TRACING : ACCEL_HB_HELPER) * 256 + accel_opcode_at(frame->f_code, unit);
            ctx->resume_unit = traced ? unit + to_next : unit;
            ctx->resume_depth = traced ? depth + effect : depth;
        }
        accel_bjit_handbacks[(ctx->reason >> 8) % ACCEL_HB_COUNT][ctx->reason & 255]++;
        frame->prev_instr = _PyCode_CODE(frame->f_code) + ctx->resume_unit - 1;
        frame->stacktop = frame->f_code->co_nlocalsplus + ctx->resume_depth;
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    }
}

/* Run the machine code of `st` on `frame` from `resume_unit`: link the frame as the thread's current frame (in
 * the caller's _PyCFrame, as ceval does for the Python-to-Python calls it inlines), count the recursion depth,
 * and on the way out unlink it and finish whatever the machine code left to the interpreter. */
static inline __attribute__((always_inline)) int
link_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    _PyCFrame *cframe = tstate->cframe;
    frame->is_entry = true;
    frame->previous = cframe->current_frame;
    cframe->current_frame = frame;
    /* the C stack too: direct calls from machine code come here without the eval hook's check */
    if (accel_stack_exhausted() || _Py_EnterRecursiveCallTstate(tstate, "")) {
        cframe->current_frame = frame->previous;  /* as ceval's exit_unwind: the frame never ran */
        return 0;
    }
    return 1;
}

static inline __attribute__((always_inline)) PyObject *
run_machine_code(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st, int32_t resume_unit,
                 void *entry)
{
    if (!link_frame(tstate, frame))
        return NULL;
    int entry_stacktop = frame->stacktop;  /* a resumed generator's stack depth */
    frame->stacktop = -1;  /* as ceval while a frame executes: the cycle GC sees no half-built stack */

    accel_counters.frames_entered_jit++;
    accel_jit_ctx ctx = {tstate, frame, NULL, resume_unit, 0, 0, 0, entry, 0};
    int exit = ((accel_jit_fn)st->jit_fn)(&ctx);
    if (exit != ACCEL_EXIT_RETURN)
        return machine_code_exit(tstate, frame, st, &ctx, exit, entry_stacktop);
    accel_bjit_exits[ACCEL_EXIT_RETURN]++;
    unlink_frame(tstate, frame);  /* (tstate->cframe is the one link_frame linked into again by now) */
    frame->stacktop = frame->f_code->co_nlocalsplus;
    return ctx.retval;
}

/* generator.throw()/close() into a generator compiled whole: ceval's error path from the suspended frame (its
 * prev_instr is the YIELD_VALUE it stopped at), then the handler's entry in the machine code or the frame left --
 * what the interpreter's throwflag entry does, without a trip through the interpreter. */
static __attribute__((noinline)) PyObject *
throw_into_machine_code(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st)
{
    if (!link_frame(tstate, frame))
        return NULL;
    accel_counters.frames_entered_jit++;
    accel_jit_ctx ctx = {tstate, frame, NULL, 0, 0, 0, 0, NULL, 0};
    return machine_code_exit(tstate, frame, st, &ctx, ACCEL_EXIT_ERROR, frame->stacktop);
}

PyObject *
accel_bjit_execute(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag)
{
    return accel_bjit_execute_state(tstate, frame, throwflag, accel_code_state_get(frame->f_code));
}

/* accel_bjit_execute for a caller that has the code's state already (the eval hook) */
PyObject *
accel_bjit_execute_state(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag, accel_code_state *st)
{
    PyCodeObject *co = frame->f_code;
    int32_t resume_unit = 0;
    if (throwflag && st != NULL && st->jit_fn != NULL && st->lazy == NULL && frame->owner == FRAME_OWNED_BY_GENERATOR
        && (co->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)) && !accel_tracing(tstate))
        return throw_into_machine_code(tstate, frame, st);
    if (throwflag || st == NULL || st->jit_fn == NULL) {
        /* generator.throw()/close(): the interpreter's own exception entry */
        accel_bjit_handbacks[ACCEL_HB_RESUME][0]++;
        return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
    }
    if (co->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)) {
        /* A call of a generator function only runs RETURN_GENERATOR, which needs CPython's private
         * _Py_MakeCoro: the interpreter does it.  Resumptions of the generator's frame run machine code. */
        if (frame->prev_instr == _PyCode_CODE(co) - 1 || frame->owner != FRAME_OWNED_BY_GENERATOR)
            return _PyEval_EvalFrameDefault(tstate, frame, 0);
        resume_unit = (int32_t)(frame->prev_instr + 1 - _PyCode_CODE(co));
    }
    else if (frame->prev_instr != _PyCode_CODE(co) - 1) {
        accel_bjit_handbacks[ACCEL_HB_RESUME][0]++;
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    }
    return run_machine_code(tstate, frame, st, resume_unit, NULL);
}

PyObject *
accel_bjit_run_from(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st, void *entry)
{
    return run_machine_code(tstate, frame, st, 0, entry);
}

/* ---- direct calls between compiled functions ----
 *
 * With a PEP 523 hook installed, CPython's CALL no longer runs Python callees inside the same interpreter loop:
 * every call goes PyObject_Vectorcall -> _PyFunction_Vectorcall -> _PyEval_Vector -> the hook.  For a callee
 * that has machine code and takes its arguments plainly, compiled code does what _PyEval_Vector would: push a
 * frame on the thread's data stack, fill it, run the callee's machine code, then clear and pop the frame
 * exactly as 3.11's _PyEvalFrameClearAndPop / _PyFrame_Clear do (those are not exported, so this is our own
 * version, including handing the frame's contents to a frame object that outlives the call). */

/* A frame object that outlives its frame (someone kept sys._getframe()) takes a copy of the frame's data, as
 * take_ownership() in Python/frame.c does.  `link_back`: a call's frame, whose caller is the current frame now
 * (a finished generator's frame has no `previous` any more: no f_back). */
static void
frame_object_takes_ownership(PyFrameObject *f, _PyInterpreterFrame *frame, int link_back)
{
    Py_ssize_t size = ((char *)&frame->localsplus[frame->stacktop]) - (char *)frame;
    memcpy((_PyInterpreterFrame *)f->_f_frame_data, frame, size);
    frame = (_PyInterpreterFrame *)f->_f_frame_data;
    f->f_frame = frame;
    frame->owner = FRAME_OWNED_BY_FRAME_OBJECT;
    if (link_back) {
        /* The caller is the current frame now (the callee was unlinked); PyEval_GetFrame skips incomplete
         * frames just as take_ownership's walk does, and makes the caller's frame object if needed. */
        PyFrameObject *back = PyEval_GetFrame();
        if (back != NULL)
            f->f_back = (PyFrameObject *)Py_NewRef(back);
    }
    frame->previous = NULL;
    if (!_PyObject_GC_IS_TRACKED((PyObject *)f))
        _PyObject_GC_TRACK((PyObject *)f);
}

/* Py_DECREF, which gcc does not always inline */
static inline __attribute__((always_inline)) void
decref_inline(PyObject *op)
{
    if (--op->ob_refcnt == 0)
        _Py_Dealloc(op);
}

/* The references a frame holds: its locals and value stack up to stacktop, f_locals, f_func, f_code. */
static inline __attribute__((always_inline)) void
release_frame_references(_PyInterpreterFrame *frame)
{
    PyObject **locals = frame->localsplus;
    for (int i = 0; i < frame->stacktop; i++) {
        if (locals[i] != NULL)
            decref_inline(locals[i]);
    }
    Py_XDECREF(frame->f_locals);
    decref_inline((PyObject *)frame->f_func);
    decref_inline((PyObject *)frame->f_code);
}

/* clear_frame for a frame that has a frame object (out of line: the uncommon case) */
static __attribute__((noinline)) void
clear_frame_with_object(_PyInterpreterFrame *frame, int link_back)
{
    PyFrameObject *f = frame->frame_obj;
    frame->frame_obj = NULL;
    if (Py_REFCNT(f) > 1) {
        frame_object_takes_ownership(f, frame, link_back);
        Py_DECREF(f);
        return;
    }
    Py_DECREF(f);
    release_frame_references(frame);
}

/* _PyFrame_Clear (not exported): drop the frame's references, or hand its data to a frame object that
 * outlives it. */
static inline __attribute__((always_inline)) void
clear_frame(_PyInterpreterFrame *frame, int link_back)
{
    if (frame->frame_obj != NULL)
        clear_frame_with_object(frame, link_back);
    else
        release_frame_references(frame);
}

/* _PyEvalFrameClearAndPop for a frame pushed within the current data-stack chunk */
static inline __attribute__((always_inline)) void
clear_and_pop(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    tstate->recursion_remaining--;
    clear_frame(frame, 1);
    tstate->recursion_remaining++;
    tstate->datastack_top = (PyObject **)frame;
}

/* The locals of a frame for `func`: the arguments (their references move), defaults for the missing ones, NULL
 * for the rest. */
static inline void
bind_arguments(PyObject **locals, PyCodeObject *co, PyObject *const *args, Py_ssize_t nargs, Py_ssize_t argcount,
               PyObject *defaults, Py_ssize_t ndefaults)
{
    Py_ssize_t missing = argcount - nargs;
    for (Py_ssize_t i = 0; i < nargs; i++)
        locals[i] = args[i];
    for (Py_ssize_t i = nargs; i < argcount; i++)
        locals[i] = Py_NewRef(PyTuple_GET_ITEM(defaults, ndefaults - missing + (i - nargs)));
    for (int i = (int)argcount; i < co->co_nlocalsplus; i++)
        locals[i] = NULL;
}

/* Calling a plain generator (or coroutine) function only makes the generator: what ceval does for such a call (push a frame,
 * run MAKE_CELL/COPY_FREE_VARS, then RETURN_GENERATOR: _Py_MakeCoro's make_gen and a copy of the frame into the
 * generator), done in place in the generator's own frame -- no data-stack frame, no trip through the eval hook
 * and the interpreter (_Py_MakeCoro is not exported).  Its first resumption continues after RETURN_GENERATOR. */
static int
make_generator(PyThreadState *tstate, PyFunctionObject *func, accel_code_state *st, PyObject *const *args,
               Py_ssize_t nargs, Py_ssize_t argcount, PyObject *defaults, Py_ssize_t ndefaults, PyObject **result)
{
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    if (tstate->recursion_remaining <= 0)
        return 0;  /* the call's RecursionError is the ordinary path's */
    /* a coroutine is the same object of another type (_Py_MakeCoro), with cr_origin when origins are tracked:
     * then the ordinary path computes it */
    int coroutine = (co->co_flags & CO_COROUTINE) != 0;
    if (coroutine && tstate->coroutine_origin_tracking_depth != 0)
        return 0;
    PyGenObject *gen = PyObject_GC_NewVar(PyGenObject, coroutine ? &PyCoro_Type : &PyGen_Type,
                                          co->co_nlocalsplus + co->co_stacksize);
    if (gen == NULL) {
        Py_DECREF(func);
        for (Py_ssize_t i = 0; i < nargs; i++)
            Py_DECREF(args[i]);
        *result = NULL;
        return 1;
    }
    gen->gi_code = (PyCodeObject *)Py_NewRef(co);
    gen->gi_weakreflist = NULL;
    gen->gi_name = Py_NewRef(func->func_name);
    gen->gi_qualname = Py_NewRef(func->func_qualname);
    gen->gi_exc_state.exc_value = NULL;
    gen->gi_exc_state.previous_item = NULL;
    gen->gi_origin_or_finalizer = NULL;
    gen->gi_hooks_inited = 0;
    gen->gi_closed = 0;
    gen->gi_running_async = 0;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    _PyFrame_InitializeSpecials(frame, func, NULL, co->co_nlocalsplus);  /* takes the reference to func */
    PyObject **locals = frame->localsplus;
    bind_arguments(locals, co, args, nargs, argcount, defaults, ndefaults);
    frame->previous = NULL;
    frame->owner = FRAME_OWNED_BY_GENERATOR;
    gen->gi_frame_state = FRAME_CREATED;
    int ok = 1;
    _Py_CODEUNIT *units = _PyCode_CODE(co);
    for (int32_t i = 0; i < st->gen_start && ok; i++) {
        int oparg = _Py_OPARG(units[i]);
        if (_Py_OPCODE(units[i]) == MAKE_CELL) {
            PyObject *cell = PyCell_New(locals[oparg]);
            ok = cell != NULL;
            if (ok)
                Py_XSETREF(locals[oparg], cell);
        }
        else {  /* COPY_FREE_VARS */
            PyObject *closure = func->func_closure;
            int offset = co->co_nlocals + co->co_nplaincellvars;
            for (int k = 0; k < oparg; k++)
                locals[offset + k] = Py_NewRef(PyTuple_GET_ITEM(closure, k));
        }
    }
    frame->prev_instr = units + st->gen_start;
    _PyObject_GC_TRACK(gen);
    if (!ok) {
        Py_DECREF(gen);  /* (never started: closing it only clears its frame) */
        *result = NULL;
        return 1;
    }
    st->calls++;
    accel_counters.gens_made_direct++;
    *result = (PyObject *)gen;
    return 1;
}

/* Where a compiled caller may push the callee's frame itself: only within the current data-stack chunk and never
 * at its start, so that popping is just moving datastack_top back, as _PyThreadState_PopFrame does in that case.
 * NULL: the ordinary path pushes it. */
static inline PyObject **
frame_room(PyThreadState *tstate, accel_code_state *st)
{
    PyObject **top = tstate->datastack_top;
    if (top == NULL || top + st->frame_size >= tstate->datastack_limit || top == &tstate->datastack_chunk->data[0])
        return NULL;
    return top;
}

/* Call `func` with `nargs` positional arguments through its machine code, if it has some and takes them
 * plainly.  Returns 0 when it did not apply (nothing done), else 1 with *result set (NULL: exception); then the
 * references to `func` and to the arguments have moved into the callee's frame, as in ceval's
 * CALL_PY_EXACT_ARGS. */
static inline __attribute__((always_inline)) int
call_direct_state(PyThreadState *tstate, PyFunctionObject *func, accel_code_state *st, PyObject *const *args,
                  Py_ssize_t nargs, PyObject **result)
{
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    /* Only while accel's hook is the interpreter's frame evaluator: after uninstall(), or when another PEP 523
     * user (a debugger, a recorder in CPython's tests) has replaced it, every call must reach that evaluator. */
    if (st == NULL || st->jit_fn == NULL || nargs > st->direct_argcount || accel_tracing(tstate)
        || tstate->interp->eval_frame != accel_eval_frame)
        return 0;
    Py_ssize_t argcount = st->direct_argcount;
    Py_ssize_t missing = argcount - nargs;
    PyObject *defaults = NULL;
    Py_ssize_t ndefaults = 0;
    if (missing) {
        defaults = func->func_defaults;
        ndefaults = defaults == NULL ? 0 : PyTuple_GET_SIZE(defaults);
        if (missing > ndefaults)
            return 0;  /* the TypeError is the ordinary path's */
    }
    if (st->gen_start >= 0)
        return make_generator(tstate, func, st, args, nargs, argcount, defaults, ndefaults, result);
    PyObject **top = frame_room(tstate, st);
    if (top == NULL)
        return 0;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)top;
    tstate->datastack_top = top + st->frame_size;
    _PyFrame_InitializeSpecials(frame, func, NULL, co->co_nlocalsplus);
    bind_arguments(frame->localsplus, co, args, nargs, argcount, defaults, ndefaults);
    st->calls++;
    accel_counters.calls_direct++;
    *result = run_machine_code(tstate, frame, st, 0, NULL);
    clear_and_pop(tstate, frame);
    return 1;
}

/* The same with keyword arguments (KW_NAMES: the last PyTuple_GET_SIZE(kwnames) of the `total` arguments are
 * passed by those names): each name must be, by identity, one of the parameters after the positional arguments
 * that are not positional-only, and given once; missing ones come from the defaults.  Anything else -- a name
 * matched only by equality, a duplicate, a missing argument -- is left to the ordinary path (0, nothing done),
 * which binds or raises exactly as CPython does. */
#define DIRECT_KW_MAX 32

static inline int
call_direct_kw(PyThreadState *tstate, PyFunctionObject *func, accel_code_state *st, PyObject *const *args,
               Py_ssize_t total, PyObject *kwnames, PyObject **result)
{
    if (st == NULL || st->jit_fn == NULL || st->direct_argcount > DIRECT_KW_MAX || total > st->direct_argcount)
        return 0;
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    Py_ssize_t argcount = st->direct_argcount, nkw = PyTuple_GET_SIZE(kwnames), npos = total - nkw;
    PyObject *locals[DIRECT_KW_MAX];  /* the frame's argument order; the references move later */
    for (Py_ssize_t i = 0; i < argcount; i++)
        locals[i] = i < npos ? args[i] : NULL;
    Py_ssize_t first = npos > co->co_posonlyargcount ? npos : co->co_posonlyargcount;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t j = first;
        while (j < argcount && PyTuple_GET_ITEM(co->co_localsplusnames, j) != name)
            j++;
        if (j == argcount || locals[j] != NULL)
            return 0;
        locals[j] = args[npos + k];
    }
    PyObject *defaults = func->func_defaults;
    Py_ssize_t ndefaults = defaults == NULL ? 0 : PyTuple_GET_SIZE(defaults), first_default = argcount - ndefaults;
    for (Py_ssize_t j = npos; j < first_default; j++) {
        if (locals[j] == NULL)
            return 0;  /* a missing argument: the ordinary path's TypeError */
    }
    uint64_t from_defaults = 0;  /* (bit j: locals[j] is a new reference to a default) */
    for (Py_ssize_t j = first_default > npos ? first_default : npos; j < argcount; j++) {
        if (locals[j] == NULL) {
            locals[j] = Py_NewRef(PyTuple_GET_ITEM(defaults, j - first_default));
            from_defaults |= (uint64_t)1 << j;
        }
    }
    if (call_direct_state(tstate, func, st, locals, argcount, result))
        return 1;
    for (Py_ssize_t j = 0; j < argcount; j++) {
        if (from_defaults & ((uint64_t)1 << j))
            Py_DECREF(locals[j]);  /* not taken after all: the defaults' references go, the arguments stay */
    }
    return 0;
}

/* Any parameter list: what ceval's initialize_locals does for a compiled callee with *args, **kwargs or
 * keyword-only parameters (decorators' `wrapper(*args, **kwargs)`, keyword-only options), and for `f(*args,
 * **kwargs)` into any compiled function (CALL_FUNCTION_EX).  Without it each such call went PyObject_Vectorcall ->
 * _PyEval_Vector -> _PyEvalFramePushAndInit -> the hook (django's template filters: 60% of its Python calls).
 *
 * bind_any_parameters: the positional arguments args[0..npos), then the keyword arguments -- named by kwnames
 * (values args[npos..]) or those of the exact dict kwargs -- bound to the frame's order in bound[] as new
 * references: the parameters, then the *args tuple and the **kwargs dict where the code has them.  Every argument
 * is borrowed.  Returns the number of entries, or -1 with nothing held and no exception when the call is not an
 * ordinary one -- too many positional arguments, a name given twice or matching a positional-only parameter
 * without **kwargs, a name equal to a parameter's but not the same object, a missing argument, a key that is not
 * a str: the ordinary path then binds, or raises CPython's own TypeError.  Nothing here runs Python code (str
 * keys only). */
#define BIND_MAX 64

static Py_ssize_t
bind_any_parameters(PyFunctionObject *func, PyObject *const *args, Py_ssize_t npos, PyObject *kwnames,
                    PyObject *kwargs, PyObject **bound)
{
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    Py_ssize_t n = co->co_argcount, nparams = n + co->co_kwonlyargcount, posonly = co->co_posonlyargcount;
    int varargs = (co->co_flags & CO_VARARGS) != 0, varkw = (co->co_flags & CO_VARKEYWORDS) != 0;
    Py_ssize_t nbound = nparams + varargs + varkw;
    if (nbound > BIND_MAX || (npos > n && !varargs))
        return -1;
    for (Py_ssize_t j = 0; j < nbound; j++)
        bound[j] = NULL;
    for (Py_ssize_t j = 0; j < npos && j < n; j++)
        bound[j] = Py_NewRef(args[j]);
    PyObject *kwdict = NULL;
    if (varkw) {
        kwdict = bound[nparams + varargs] = PyDict_New();
        if (kwdict == NULL)
            goto fail;
    }
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames), k = 0, pos = 0;
    for (;;) {
        PyObject *name, *value;
        if (kwnames != NULL) {
            if (k == nkw)
                break;
            name = PyTuple_GET_ITEM(kwnames, k);
            value = args[npos + k++];
        }
        else if (kwargs == NULL || !PyDict_Next(kwargs, &pos, &name, &value))
            break;
        else if (!PyUnicode_Check(name))
            goto fail;  /* "keywords must be strings" */
        Py_ssize_t j = posonly;  /* (a positional-only parameter's name goes to **kwargs: PEP 570) */
        while (j < nparams && PyTuple_GET_ITEM(co->co_localsplusnames, j) != name)
            j++;
        if (j < nparams) {
            if (bound[j] != NULL)
                goto fail;  /* given twice */
            bound[j] = Py_NewRef(value);
            continue;
        }
        for (j = posonly; j < nparams; j++) {
            if (_PyUnicode_Equal(PyTuple_GET_ITEM(co->co_localsplusnames, j), name))
                goto fail;  /* the same name, another object: ceval's second lookup */
        }
        if (kwdict == NULL || PyDict_SetItem(kwdict, name, value) < 0)
            goto fail;
    }
    if (varargs) {
        Py_ssize_t extra = npos > n ? npos - n : 0;
        PyObject *rest = bound[nparams] = PyTuple_New(extra);
        if (rest == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < extra; i++)
            PyTuple_SET_ITEM(rest, i, Py_NewRef(args[n + i]));
    }
    PyObject *defaults = func->func_defaults;
    Py_ssize_t ndefaults = defaults == NULL ? 0 : PyTuple_GET_SIZE(defaults);
    for (Py_ssize_t j = npos; j < n; j++) {
        if (bound[j] == NULL) {
            if (j < n - ndefaults)
                goto fail;  /* a missing argument */
            bound[j] = Py_NewRef(PyTuple_GET_ITEM(defaults, j - (n - ndefaults)));
        }
    }
    for (Py_ssize_t j = n; j < nparams; j++) {
        if (bound[j] == NULL) {
            PyObject *kwdefaults = func->func_kwdefaults, *value = NULL;
            if (kwdefaults != NULL && PyDict_CheckExact(kwdefaults))
                value = PyDict_GetItemWithError(kwdefaults, PyTuple_GET_ITEM(co->co_localsplusnames, j));
            if (value == NULL)
                goto fail;  /* a missing keyword-only argument */
            bound[j] = Py_NewRef(value);
        }
    }
    return nbound;
fail:
    for (Py_ssize_t j = 0; j < nbound; j++)
        Py_XDECREF(bound[j]);
    PyErr_Clear();  /* (out of memory: the ordinary path meets it again) */
    return -1;
}

/* The call itself, for a compiled function that is not a generator: 1 with *result (its frame holds references
 * of its own: the caller still owns the function and the arguments), 0 when it was not done. */
static int
call_direct_bound(PyThreadState *tstate, PyFunctionObject *func, accel_code_state *st, PyObject *const *args,
                  Py_ssize_t npos, PyObject *kwnames, PyObject *kwargs, PyObject **result)
{
    if (st == NULL || !st->direct_bind || st->jit_fn == NULL || accel_tracing(tstate)
        || tstate->interp->eval_frame != accel_eval_frame)
        return 0;
    PyObject **top = frame_room(tstate, st);
    if (top == NULL)
        return 0;
    PyObject *bound[BIND_MAX];
    Py_ssize_t nbound = bind_any_parameters(func, args, npos, kwnames, kwargs, bound);
    if (nbound < 0)
        return 0;
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)top;
    tstate->datastack_top = top + st->frame_size;
    _PyFrame_InitializeSpecials(frame, (PyFunctionObject *)Py_NewRef(func), NULL, co->co_nlocalsplus);
    PyObject **locals = frame->localsplus;
    for (Py_ssize_t i = 0; i < nbound; i++)
        locals[i] = bound[i];
    for (Py_ssize_t i = nbound; i < co->co_nlocalsplus; i++)
        locals[i] = NULL;
    st->calls++;
    accel_counters.calls_direct++;
    accel_counters.calls_direct_bound++;
    *result = run_machine_code(tstate, frame, st, 0, NULL);
    clear_and_pop(tstate, frame);
    return 1;
}

/* CALL_FUNCTION_EX's `f(*args, **kwargs)` (callargs an exact tuple, kwargs an exact dict or NULL) into a compiled
 * function, or a bound method of one, without PyObject_Call and the hook.  1: done, *result set (the caller
 * still owns func, callargs, kwargs); 0: not done. */
int
accel_call_ex_direct(PyThreadState *tstate, PyObject *func, PyObject *callargs, PyObject *kwargs, PyObject **result)
{
    PyObject *self = NULL;
    if (Py_TYPE(func) == &PyMethod_Type) {
        self = PyMethod_GET_SELF(func);
        func = PyMethod_GET_FUNCTION(func);
    }
    if (Py_TYPE(func) != &PyFunction_Type)
        return 0;
    accel_code_state *st = accel_code_state_get((PyCodeObject *)((PyFunctionObject *)func)->func_code);
    Py_ssize_t n = PyTuple_GET_SIZE(callargs);
    if (self == NULL)
        return call_direct_bound(tstate, (PyFunctionObject *)func, st, &PyTuple_GET_ITEM(callargs, 0), n, NULL,
                                 kwargs, result);
    if (n >= BIND_MAX)
        return 0;
    PyObject *args[BIND_MAX];  /* borrowed: the method and the tuple hold them */
    args[0] = self;
    for (Py_ssize_t i = 0; i < n; i++)
        args[i + 1] = PyTuple_GET_ITEM(callargs, i);
    return call_direct_bound(tstate, (PyFunctionObject *)func, st, args, n + 1, NULL, kwargs, result);
}

/* `obj[key]`, `obj[key] = value` and `value in obj` on an instance of a class with its own __getitem__,
 * __setitem__ or __contains__ written in Python (dict-like classes, template contexts, lazy sequences): what the
 * type's slot function (typeobject.c's slot_mp_subscript, slot_mp_ass_subscript, slot_sq_contains, static there)
 * does -- the method looked up on the type, called with the object first -- with a compiled method entered
 * directly instead of through vectorcall_method and the hook.  The slot functions' addresses are read once from a
 * probe class: a type whose slot is another function (a C class, an inherited C method) is left alone. */
static binaryfunc generic_getitem;
static objobjargproc generic_setitem;
static objobjproc generic_contains;
static descrgetfunc generic_descr_get;
static descrsetfunc generic_descr_set;

static int
generic_slots_known(void)
{
    static int known;  /* 1 known, -1 could not be learnt */
    if (known == 0) {
        known = -1;
        /* (any class attribute that is not a C slot wrapper gives the type the generic slot functions) */
        PyObject *ns = Py_BuildValue("{sOsOsOsOsO}", "__getitem__", &PyLong_Type, "__setitem__", &PyLong_Type,
                                     "__contains__", &PyLong_Type, "__get__", &PyLong_Type, "__set__", &PyLong_Type);
        PyObject *probe = ns == NULL ? NULL
                          : PyObject_CallFunction((PyObject *)&PyType_Type, "s()O", "accel_slot_probe", ns);
        if (probe != NULL && ((PyTypeObject *)probe)->tp_as_mapping != NULL) {
            PyTypeObject *tp = (PyTypeObject *)probe;
            generic_getitem = tp->tp_as_mapping->mp_subscript;
            generic_setitem = tp->tp_as_mapping->mp_ass_subscript;
            generic_contains = tp->tp_as_sequence->sq_contains;
            generic_descr_get = tp->tp_descr_get;
            generic_descr_set = tp->tp_descr_set;
            known = generic_getitem != NULL && generic_setitem != NULL && generic_contains != NULL
                    && generic_descr_get != NULL && generic_descr_set != NULL ? 1 : -1;
        }
        Py_XDECREF(probe);
        Py_XDECREF(ns);
        PyErr_Clear();
    }
    return known > 0;
}

/* which: ACCEL_DUNDER_GETITEM (args: obj, key), _SETITEM (obj, key, value), _CONTAINS (obj, value).  1: done,
 * *result the method's result (NULL: an exception); 0: not done, nothing happened. */
int
accel_call_dunder_direct(PyThreadState *tstate, int which, PyObject *const *args, PyObject **result)
{
    PyTypeObject *tp = Py_TYPE(args[0]);
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || !generic_slots_known())
        return 0;
    PyObject *name;
    if (which == ACCEL_DUNDER_GETITEM) {
        if (tp->tp_as_mapping == NULL || tp->tp_as_mapping->mp_subscript != generic_getitem)
            return 0;
        name = &_Py_ID(__getitem__);
    }
    else if (which == ACCEL_DUNDER_SETITEM) {
        if (tp->tp_as_mapping == NULL || tp->tp_as_mapping->mp_ass_subscript != generic_setitem)
            return 0;
        name = &_Py_ID(__setitem__);
    }
    else {
        if (tp->tp_as_sequence == NULL || tp->tp_as_sequence->sq_contains != generic_contains)
            return 0;
        name = &_Py_ID(__contains__);
    }
    PyObject *func = _PyType_Lookup(tp, name);  /* borrowed (the frame takes a reference of its own) */
    /* (None, a staticmethod, a callable object: the slot function's own ways) */
    return accel_call_python_direct(tstate, func, args, which == ACCEL_DUNDER_SETITEM ? 3 : 2, result);
}

/* A compiled Python function (func may be NULL or anything else: 0) called with the borrowed positional args. */
int
accel_call_python_direct(PyThreadState *tstate, PyObject *func, PyObject *const *args, Py_ssize_t nargs,
                         PyObject **result)
{
    if (func == NULL || Py_TYPE(func) != &PyFunction_Type)
        return 0;
    accel_code_state *st = accel_code_state_get((PyCodeObject *)((PyFunctionObject *)func)->func_code);
    return call_direct_bound(tstate, (PyFunctionObject *)func, st, args, nargs, NULL, NULL, result);
}

/* descr.__get__(instance, owner) as the attribute caches call it, for the two kinds library code is full of:
 * a property whose getter is a compiled function (descrobject.c's property_descr_get: fget(instance)), and a
 * descriptor class written in Python (slot_tp_descr_get: its __get__(descr, instance or None, owner or None);
 * SQLAlchemy's instrumented attributes) -- the compiled function entered directly instead of through
 * PyObject_CallOneArg / PyObject_CallFunctionObjArgs and the hook.  1: done, *result (NULL: an exception). */
typedef struct {
    PyObject_HEAD
    PyObject *prop_get;  /* (descrobject.c's propertyobject starts so; the rest is not read) */
    PyObject *prop_set;
} accel_property_head;

int
accel_descr_get_direct(PyObject *descr, PyObject *instance, PyObject *owner, PyObject **result)
{
    PyTypeObject *tp = Py_TYPE(descr);
    if (tp == &PyProperty_Type) {
        PyObject *get = ((accel_property_head *)descr)->prop_get;
        if (instance == NULL || instance == Py_None)
            return 0;
        return accel_call_python_direct(_PyThreadState_GET(), get, &instance, 1, result);
    }
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || !generic_slots_known() || tp->tp_descr_get != generic_descr_get)
        return 0;
    PyObject *args[3] = {descr, instance != NULL ? instance : Py_None, owner != NULL ? owner : Py_None};
    return accel_call_python_direct(_PyThreadState_GET(), _PyType_Lookup(tp, &_Py_ID(__get__)), args, 3, result);
}

/* descr.__set__(instance, value) the same way (a property's fset(instance, value): property_descr_set; a Python
 * descriptor class's __set__(descr, instance, value): slot_tp_descr_set).  1: done, *err 0 or -1 (an exception). */
int
accel_descr_set_direct(PyObject *descr, PyObject *instance, PyObject *value, int *err)
{
    PyTypeObject *tp = Py_TYPE(descr);
    PyObject *res;
    if (tp == &PyProperty_Type) {
        PyObject *args[2] = {instance, value};
        if (!accel_call_python_direct(_PyThreadState_GET(), ((accel_property_head *)descr)->prop_set, args, 2, &res))
            return 0;
    }
    else {
        if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || !generic_slots_known() || tp->tp_descr_set != generic_descr_set)
            return 0;
        PyObject *args[3] = {descr, instance, value};
        if (!accel_call_python_direct(_PyThreadState_GET(), _PyType_Lookup(tp, &_Py_ID(__set__)), args, 3, &res))
            return 0;
    }
    *err = res == NULL ? -1 : 0;
    Py_XDECREF(res);
    return 1;
}

static int
call_direct(PyThreadState *tstate, PyFunctionObject *func, PyObject *const *args, Py_ssize_t nargs,
            PyObject **result)
{
    return call_direct_state(tstate, func, accel_code_state_get((PyCodeObject *)func->func_code), args, nargs,
                             result);
}

/* ---- resuming compiled generators directly ----
 *
 * A generator or coroutine resumed by SEND or FOR_ITER would otherwise go PyIter_Send -> gen_send_ex2 ->
 * _PyEval_EvalFrame -> the hook -> here: four C frames per level of a `yield from` chain, enough to overflow the
 * CPU's return-address predictor on deep chains.  For a suspended generator whose code has machine code this is
 * gen_send_ex2 of 3.11 (genobject.c) with exc=0, closing=0, around run_machine_code.  Anything unusual (a
 * non-None value sent to a fresh generator, a running or finished one, async generators, tracing) goes the
 * ordinary way, which raises CPython's own errors. */

/* Returns ACCEL_GEN_NOT_DIRECT when the ordinary path must do it (nothing done), else a PySendResult: NEXT with
 * the yielded value, RETURN with the return value (NULL for next() on a generator that returned None: it is
 * exhausted and needs no StopIteration), ERROR with an exception set.  `arg` NULL means next(). */
static inline __attribute__((always_inline)) int
gen_send_direct(PyThreadState *tstate, PyObject *receiver, PyObject *arg, PyObject **presult)
{
    if (Py_TYPE(receiver) != &PyGen_Type && Py_TYPE(receiver) != &PyCoro_Type)
        return ACCEL_GEN_NOT_DIRECT;
    PyGenObject *gen = (PyGenObject *)receiver;
    if (gen->gi_frame_state != FRAME_SUSPENDED
        && !(gen->gi_frame_state == FRAME_CREATED && (arg == NULL || arg == Py_None)))
        return ACCEL_GEN_NOT_DIRECT;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    PyCodeObject *co = frame->f_code;
    accel_code_state *st = accel_code_state_get(co);
    if (st == NULL || st->jit_fn == NULL || accel_tracing(tstate) || tstate->interp->eval_frame != accel_eval_frame
            || (st->flags & ACCEL_CS_GEN_TRACED))
        return ACCEL_GEN_NOT_DIRECT;

    _PyFrame_StackPush(frame, Py_NewRef(arg != NULL ? arg : Py_None));
    gen->gi_exc_state.previous_item = tstate->exc_info;
    tstate->exc_info = &gen->gi_exc_state;
    gen->gi_frame_state = FRAME_EXECUTING;
    accel_counters.gen_resumes_direct++;
    PyObject *result = run_machine_code(tstate, frame, st, (int32_t)(frame->prev_instr + 1 - _PyCode_CODE(co)), NULL);
    if (gen->gi_frame_state == FRAME_EXECUTING)
        gen->gi_frame_state = FRAME_COMPLETED;
    tstate->exc_info = gen->gi_exc_state.previous_item;
    gen->gi_exc_state.previous_item = NULL;
    frame->previous = NULL;

    if (result != NULL && gen->gi_frame_state == FRAME_SUSPENDED) {
        *presult = result;
        return PYGEN_NEXT;
    }
    if (result == NULL && PyErr_ExceptionMatches(PyExc_StopIteration)) {  /* PEP 479 */
        _PyErr_FormatFromCause(PyExc_RuntimeError, "%s",
                               PyCoro_CheckExact(gen) ? "coroutine raised StopIteration"
                                                      : "generator raised StopIteration");
    }
    Py_CLEAR(gen->gi_exc_state.exc_value);  /* _PyErr_ClearExcState */
    gen->gi_frame_state = FRAME_CLEARED;
    clear_frame(frame, 0);
    if (result == NULL)
        return PYGEN_ERROR;
    if (result == Py_None && arg == NULL)
        Py_CLEAR(result);
    *presult = result;
    return PYGEN_RETURN;
}

int
accel_gen_send(PyThreadState *tstate, PyObject *receiver, PyObject *arg, PyObject **presult)
{
    return gen_send_direct(tstate, receiver, arg, presult);
}

/* SEND: [receiver, value] -> [receiver, yielded] (the machine code falls through to YIELD_VALUE), or, when the
 * receiver returned, [result] (it jumps to SEND's target).  With a debugger's trace function set, ceval sends
 * differently (it reports StopIteration to the tracer): the interpreter does that.  It lives here, not with the
 * other block helpers, so that resuming a compiled generator inlines into it: one C frame per `yield from`. */
PyObject **
accel_op_send(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    if (ts->c_tracefunc != NULL && !(accel_counting && ts->c_tracefunc == accel_count_trace))
        return ACCEL_HANDBACK;
    PyObject *v = sp[-1], *receiver = sp[-2], *retval;
    int status = gen_send_direct(ts, receiver, v, &retval);
    if (status == ACCEL_GEN_NOT_DIRECT)
        status = PyIter_Send(receiver, v, &retval);
    Py_DECREF(v);
    sp--;
    if (status == PYGEN_ERROR) {
        _PyFrame_SetStackPointer(f, sp);
        return NULL;
    }
    if (status == PYGEN_RETURN) {
        Py_DECREF(receiver);
        sp[-1] = retval;
        return sp;
    }
    *sp++ = retval;
    return sp;
}

/* tuple(g), list(g), set(g) and sep.join(g) of a generator whose code has machine code -- a generator expression
 * passed to a constructor, most of the time: the builtin would drive it through tp_iternext -> gen_send_ex2 ->
 * the eval hook -> the trampoline for every item.  Here each item comes from gen_send_direct, in one C loop.  What
 * the builtins do with the items is unchanged: appended in order (tuple() and join() build from a list, as
 * PySequence_Tuple and PySequence_Fast do with an iterator), added to a fresh set one by one.  Returns 0 when it
 * does not apply (nothing done), else 1 with *result set (NULL: an exception); the references to the callable and
 * the argument are the caller's either way. */
#define COLLECT_NONE 0
#define COLLECT_LIST 1
#define COLLECT_TUPLE 2
#define COLLECT_SET 3
#define COLLECT_JOIN 4

static inline int
collect_kind(PyObject *callable, PyObject *self)
{
    if (callable == (PyObject *)&PyTuple_Type)
        return COLLECT_TUPLE;
    if (callable == (PyObject *)&PyList_Type)
        return COLLECT_LIST;
    if (callable == (PyObject *)&PySet_Type)
        return COLLECT_SET;
    if (self != NULL && Py_TYPE(callable) == &PyMethodDescr_Type && PyUnicode_CheckExact(self)) {
        PyMethodDescrObject *d = (PyMethodDescrObject *)callable;
        if (d->d_common.d_type == &PyUnicode_Type && strcmp(d->d_method->ml_name, "join") == 0)
            return COLLECT_JOIN;
    }
    return COLLECT_NONE;
}

/* Add `item` to the set or list being built, dropping the reference to it; -1 with an exception set. */
static inline int
collect_item(int kind, PyObject *acc, PyObject *item)
{
    int rc = kind == COLLECT_SET ? PySet_Add(acc, item) : PyList_Append(acc, item);
    Py_DECREF(item);
    return rc;
}

static int
collect_generator(PyThreadState *tstate, int kind, PyObject *self, PyObject *arg, PyObject **result)
{
    if (Py_TYPE(arg) != &PyGen_Type)
        return 0;
    PyGenObject *gen = (PyGenObject *)arg;
    if (gen->gi_frame_state != FRAME_CREATED && gen->gi_frame_state != FRAME_SUSPENDED)
        return 0;
    accel_code_state *st = accel_code_state_get(gen->gi_code);
    if (st == NULL || st->jit_fn == NULL || accel_tracing(tstate) || tstate->interp->eval_frame != accel_eval_frame
            || (st->flags & ACCEL_CS_GEN_TRACED))
        return 0;
    PyObject *acc = kind == COLLECT_SET ? PySet_New(NULL) : PyList_New(0);
    if (acc == NULL) {
        *result = NULL;
        return 1;
    }
    accel_counters.gens_collected_direct++;
    for (;;) {
        PyObject *item;
        int status = gen_send_direct(tstate, arg, NULL, &item);
        if (status == PYGEN_NEXT) {
            if (collect_item(kind, acc, item) < 0)
                goto error;
            continue;
        }
        if (status == PYGEN_RETURN) {
            Py_XDECREF(item);  /* (a generator's return value: the builtins drop it with the StopIteration) */
            break;
        }
        if (status == PYGEN_ERROR)
            goto error;
        /* Not directly any more (a tracer came on, the hook was replaced): the rest the ordinary way. */
        while ((item = PyIter_Next(arg)) != NULL) {
            if (collect_item(kind, acc, item) < 0)
                goto error;
        }
        if (PyErr_Occurred())
            goto error;
        break;
    }
    if (kind == COLLECT_TUPLE)
        Py_SETREF(acc, PyList_AsTuple(acc));
    else if (kind == COLLECT_JOIN)
        Py_SETREF(acc, PyUnicode_Join(self, acc));
    *result = acc;
    return 1;
error:
    Py_DECREF(acc);
    *result = NULL;
    return 1;
}

/* Calling a class `C(args)` whose instances come from object.__new__ and whose __init__ is a Python function:
 * what type_call -> object_new -> slot_tp_init do, without their lookups and the bound method, so that a
 * compiled __init__ is entered directly (3.12's CALL_ALLOC_AND_ENTER_INIT does the same).  `slot` is the class's
 * stack slot, followed by the nargs arguments; on success the class reference was dropped, the arguments moved,
 * and *result is the new instance (NULL: an exception).  0: not such a class, nothing done. */
static inline int
alloc_and_init(PyThreadState *tstate, PyObject **slot, Py_ssize_t nargs, PyObject **result)
{
    PyTypeObject *tp = (PyTypeObject *)*slot;
    if (Py_TYPE(tp) != &PyType_Type || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)
        || (tp->tp_flags & Py_TPFLAGS_IS_ABSTRACT) || tp->tp_new != PyBaseObject_Type.tp_new
        || tp->tp_init == PyBaseObject_Type.tp_init)
        return 0;
    PyObject *init = _PyType_Lookup(tp, &_Py_ID(__init__));
    if (init == NULL || Py_TYPE(init) != &PyFunction_Type)
        return 0;
    /* object.__new__ itself: it also gives a managed-dict instance its inline values (private to dictobject.c) */
    PyObject *no_args = PyTuple_New(0);  /* (the empty-tuple singleton) */
    PyObject *self = no_args == NULL ? NULL : tp->tp_new(tp, no_args, NULL);
    Py_XDECREF(no_args);
    if (self == NULL) {
        *result = NULL;
        Py_DECREF(tp);
        for (Py_ssize_t i = 1; i <= nargs; i++)
            Py_DECREF(slot[i]);
        return 1;
    }
    Py_INCREF(init);  /* (the call takes a reference to the function, and the class may drop its own) */
    *slot = Py_NewRef(self);  /* [self, args...]: __init__'s arguments */
    PyObject *res;
    if (!call_direct(tstate, (PyFunctionObject *)init, slot, nargs + 1, &res)) {
        res = PyObject_Vectorcall(init, slot, nargs + 1, NULL);
        Py_DECREF(init);
        for (Py_ssize_t i = 0; i <= nargs; i++)
            Py_DECREF(slot[i]);
    }
    Py_DECREF(tp);
    if (res != NULL && res != Py_None) {
        PyErr_Format(PyExc_TypeError, "__init__() should return None, not '%.200s'", Py_TYPE(res)->tp_name);
        Py_CLEAR(res);
    }
    if (res == NULL) {
        Py_DECREF(self);
        *result = NULL;
        return 1;
    }
    Py_DECREF(res);
    *result = self;
    return 1;
}

/* Calls of C functions without keywords, the way ceval's specialised PRECALL_NO_KW_* instructions make them:
 * type(x); a builtin function (exact builtin_function_or_method) or a method descriptor called on an object of
 * exactly its class, METH_O / METH_NOARGS (with the recursion check CPython makes for those) or METH_FASTCALL --
 * straight into the C function, not through PyObject_Vectorcall and the function object's vectorcall (whose
 * result check is kept: _Py_CheckFunctionResult).  Returns
 * 0 when it does not apply (nothing done), else 1 with *result set (NULL: an exception); the references to the
 * callable and the arguments stay the caller's. */
static inline int
call_c_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args, Py_ssize_t total,
                PyObject **result)
{
    PyTypeObject *tp = Py_TYPE(callable);
    PyObject *self;
    PyCFunction cfunc;
    int flags;
    if (tp == &PyCFunction_Type) {
        flags = PyCFunction_GET_FLAGS(callable);
        cfunc = PyCFunction_GET_FUNCTION(callable);
        self = PyCFunction_GET_SELF(callable);
    }
    else if (tp == &PyMethodDescr_Type && total >= 1) {
        PyMethodDescrObject *d = (PyMethodDescrObject *)callable;
        if (!Py_IS_TYPE(args[0], d->d_common.d_type))
            return 0;
        flags = d->d_method->ml_flags;
        cfunc = d->d_method->ml_meth;
        self = args[0];
        args++;
        total--;
    }
    else if (callable == (PyObject *)&PyType_Type && total == 1) {
        *result = Py_NewRef(Py_TYPE(args[0]));
        return 1;
    }
    else
        return 0;
    PyObject *res;
    if (flags == METH_FASTCALL) {
        res = ((_PyCFunctionFast)(void (*)(void))cfunc)(self, args, total);
    }
    else if ((flags == METH_O && total == 1) || (flags == METH_NOARGS && total == 0)) {
        if (_Py_EnterRecursiveCallTstate(tstate, " while calling a Python object")) {
            *result = NULL;
            return 1;
        }
        res = cfunc(self, total ? args[0] : NULL);
        _Py_LeaveRecursiveCallTstate(tstate);
    }
    else
        return 0;
    /* What PyObject_Vectorcall checks after any call (a C function returning NULL without an exception, or a
     * result with one, is a SystemError naming it); ceval's specialised calls only assert it.  The usual case,
     * a result and no exception, is checked here; _Py_CheckFunctionResult makes the SystemError. */
    if (res == NULL || tstate->curexc_type != NULL)
        res = _Py_CheckFunctionResult(tstate, callable, res, NULL);
    *result = res;
    return 1;
}

/* CALL's stack: [NULL|meth, callable|self, args...].  A bound method in the callable slot is split into function +
 * self first, as the interpreter's PRECALL does, so that CALL always sees the method form.  Returns the number of
 * arguments with self (`total`); the callable is at sp[-total - 1]. */
static inline __attribute__((always_inline)) Py_ssize_t
call_arguments(PyObject **sp, intptr_t oparg)
{
    if (sp[-oparg - 2] == NULL) {
        PyObject *callable = sp[-oparg - 1];
        if (Py_TYPE(callable) == &PyMethod_Type) {
            sp[-oparg - 1] = Py_NewRef(((PyMethodObject *)callable)->im_self);
            sp[-oparg - 2] = Py_NewRef(((PyMethodObject *)callable)->im_func);
            Py_DECREF(callable);
        }
    }
    return oparg + (sp[-oparg - 2] != NULL);
}

/* accel_call_cache.argcount for a callee whose code has state `st` */
static inline int64_t
exact_argcount(accel_code_state *st)
{
    return st->jit_fn != NULL && st->gen_start < 0 ? st->direct_argcount : -1;
}

/* The code state of a Python function `function`, through the site's cache of the last one it called. */
static inline __attribute__((always_inline)) accel_code_state *
callee_state(PyObject *function, accel_call_cache *cc)
{
    PyObject *code = ((PyFunctionObject *)function)->func_code;
    if (cc->func == function && cc->code == code && cc->epoch == accel_code_epoch)
        return cc->st;
    accel_code_state *st = accel_code_state_get((PyCodeObject *)code);
    if (st != NULL) {
        if (cc->epoch != accel_code_epoch)
            cc->code2 = NULL;  /* (the second entry's state may be gone) */
        else if (cc->code != code && cc->code != NULL) {
            cc->code2 = cc->code;  /* the callee before becomes the second entry */
            cc->st2 = cc->st;
            cc->argcount2 = cc->argcount;
        }
        cc->func = function;
        cc->code = code;
        cc->st = st;
        cc->epoch = accel_code_epoch;
        cc->argcount = exact_argcount(st);
    }
    return st;
}

/* The call made: pop [callable, args...], push the result (NULL: the error exit, with the stack pointer). */
static inline __attribute__((always_inline)) PyObject **
call_done(_PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, PyObject *res)
{
    sp -= oparg + 2;
    *sp++ = res;
    if (res == NULL) {
        _PyFrame_SetStackPointer(f, sp);
        return NULL;
    }
    return sp;
}

static inline __attribute__((always_inline)) void
release_call(PyObject *function, PyObject **args, Py_ssize_t total)
{
    Py_DECREF(function);
    for (Py_ssize_t i = 0; i < total; i++)
        Py_DECREF(args[i]);
}

/* CALL: [NULL|meth, callable|self, args...] -> [result]. */
PyObject **
accel_op_call(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, PyObject *kwnames,
              accel_call_cache *cc)
{
    Py_ssize_t total = call_arguments(sp, oparg);
    int is_meth = total != oparg;
    PyObject *function = sp[-total - 1];
    PyObject **args = sp - total;
    PyObject *res;
    int kind;
    accel_code_state *st = Py_TYPE(function) == &PyFunction_Type ? callee_state(function, cc) : NULL;
    if (st != NULL && (kwnames == NULL ? call_direct_state(ts, (PyFunctionObject *)function, st, args, total, &res)
                                       : call_direct_kw(ts, (PyFunctionObject *)function, st, args, total, kwnames,
                                                        &res))) {
        /* the callee's frame took the references */
    }
    else if (st != NULL && call_direct_bound(ts, (PyFunctionObject *)function, st, args,
                                             total - (kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames)), kwnames,
                                             NULL, &res)) {
        release_call(function, args, total);
    }
    else if (kwnames == NULL && !is_meth && Py_TYPE(function) == &PyType_Type && !accel_tracing(ts)
             && alloc_and_init(ts, args - 1, total, &res)) {
        /* the class and the arguments were used up */
    }
    else if (kwnames == NULL && oparg == 1 && (kind = collect_kind(function, is_meth ? args[0] : NULL))
             && collect_generator(ts, kind, is_meth ? args[0] : NULL, args[total - 1], &res)) {
        release_call(function, args, total);
    }
    else if (kwnames == NULL && call_c_function(ts, function, args, total, &res)) {
        release_call(function, args, total);
    }
    else {
        Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
        res = PyObject_Vectorcall(function, args, (total - nkw) | PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
        release_call(function, args, total);
    }
    return call_done(f, sp, oparg, res);
}

/* CALL at a site whose PRECALL CPython specialised for a Python function or a bound method: the direct call
 * only, anything else by accel_op_call.  (One small entry per kind of site also gives each kind its own
 * branch-prediction history.) */
PyObject **
accel_op_call_py(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, PyObject *kwnames,
                 accel_call_cache *cc)
{
    Py_ssize_t total = call_arguments(sp, oparg);
    PyObject *function = sp[-total - 1];
    PyObject *res;
    if (Py_TYPE(function) == &PyFunction_Type) {
        accel_code_state *st = callee_state(function, cc);
        if (st != NULL
            && (kwnames == NULL ? call_direct_state(ts, (PyFunctionObject *)function, st, sp - total, total, &res)
                                : call_direct_kw(ts, (PyFunctionObject *)function, st, sp - total, total, kwnames,
                                                 &res)))
            return call_done(f, sp, oparg, res);
    }
    return accel_op_call(ts, f, sp, oparg, kwnames, cc);
}

/* accel_op_call_exact's other cases: note what the callee takes (the cache's argcount) and call it the
 * ordinary way. */
static __attribute__((noinline)) PyObject **
call_exact_miss(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, PyObject *kwnames,
                accel_call_cache *cc, PyObject *function)
{
    if (Py_TYPE(function) == &PyFunction_Type) {
        accel_code_state *callee = callee_state(function, cc);
        if (callee != NULL)
            cc->argcount = exact_argcount(callee);  /* (compiled since the cache was filled, perhaps) */
    }
    return accel_op_call_py(ts, f, sp, oparg, kwnames, cc);
}

/* CALL at a site whose PRECALL CPython specialised for a Python function, without keywords -- what 3.11 would
 * make CALL_PY_EXACT_ARGS or CALL_PY_WITH_DEFAULTS if no PEP 523 hook were installed.  When the callee's code is
 * one of the two this site called last (the cache: same code, no code state freed since) and its machine code takes
 * the arguments as they are, defaults filling the rest, this is the whole call -- frame pushed and filled,
 * machine code run, frame cleared and popped -- with none of accel_op_call's case analysis.  Anything else
 * (another callee, a generator, keyword-only parameters, tracing, no room in the data-stack chunk) goes the way
 * of accel_op_call_py, after which the cache describes this call's callee. */
/* (no memset call for the few locals to clear) */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) PyObject **
accel_op_call_exact(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, PyObject *kwnames,
                    accel_call_cache *cc)
{
    Py_ssize_t total = oparg + (sp[-oparg - 2] != NULL);
    PyFunctionObject *func = (PyFunctionObject *)sp[-total - 1];
    if (Py_TYPE(func) != &PyFunction_Type || cc->epoch != accel_code_epoch)
        return call_exact_miss(ts, f, sp, oparg, kwnames, cc, (PyObject *)func);
    /* The code, not the function, is what the machine code was made for: a closure or comprehension made
     * afresh for each call is still the same callee.  Two entries: a site that alternates between two callees
     * (a dispatch table's functions) keeps both. */
    Py_ssize_t argcount;
    accel_code_state *st;
    if (func->func_code == cc->code) {
        argcount = cc->argcount;
        st = cc->st;
    }
    else if (func->func_code == cc->code2) {
        argcount = cc->argcount2;
        st = cc->st2;
    }
    else
        return call_exact_miss(ts, f, sp, oparg, kwnames, cc, (PyObject *)func);
    if (total > argcount || accel_tracing(ts) || ts->interp->eval_frame != accel_eval_frame)
        return call_exact_miss(ts, f, sp, oparg, kwnames, cc, (PyObject *)func);
    PyObject *defaults = func->func_defaults;
    Py_ssize_t ndefaults = 0;
    if (total < argcount) {
        ndefaults = defaults == NULL ? 0 : PyTuple_GET_SIZE(defaults);
        if (argcount - total > ndefaults)
            return call_exact_miss(ts, f, sp, oparg, kwnames, cc, (PyObject *)func);  /* (its TypeError) */
    }
    PyObject **top = frame_room(ts, st);
    if (top == NULL)
        return call_exact_miss(ts, f, sp, oparg, kwnames, cc, (PyObject *)func);

    PyCodeObject *co = (PyCodeObject *)func->func_code;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)top;
    ts->datastack_top = top + st->frame_size;
    _PyFrame_InitializeSpecials(frame, func, NULL, co->co_nlocalsplus);
    PyObject **args = sp - total, **locals = frame->localsplus;
    int nlocals = co->co_nlocalsplus, i = 0;
    for (; i < total; i++)
        locals[i] = args[i];
    for (; i < argcount; i++)
        locals[i] = Py_NewRef(PyTuple_GET_ITEM(defaults, ndefaults - argcount + i));
    for (; i < nlocals; i++)
        locals[i] = NULL;
    st->calls++;
    accel_counters.calls_direct++;
    PyObject *res = run_machine_code(ts, frame, st, 0, NULL);
    clear_and_pop(ts, frame);
    return call_done(f, sp, oparg, res);
}

/* CALL at a site whose PRECALL CPython specialised for a C function (builtin or method descriptor) or type(x). */
PyObject **
accel_op_call_c(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, PyObject *kwnames,
                accel_call_cache *cc)
{
    if (kwnames == NULL) {
        Py_ssize_t total = call_arguments(sp, oparg);
        PyObject *function = sp[-total - 1];
        PyObject *res;
        if (call_c_function(ts, function, sp - total, total, &res)) {
            release_call(function, sp - total, total);
            return call_done(f, sp, oparg, res);
        }
    }
    return accel_op_call(ts, f, sp, oparg, kwnames, cc);
}

/* What ceval's eval_frame_handle_pending does, from exported pieces: signals and pending calls (main thread
 * only; Py_MakePendingCalls checks), a GIL drop request (save/restore the thread state gives the GIL away the
 * same way), and an asynchronous exception (PyThreadState_SetAsyncExc).  Returns -1 with an exception set. */
int
accel_bjit_handle_pending(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    PyInterpreterState *interp = tstate->interp;
    struct _ceval_state *ceval2 = &interp->ceval;
    int signals = _Py_atomic_load_relaxed(&_PyRuntime.ceval.signals_pending);
    if (signals || _Py_atomic_load_relaxed(&ceval2->pending.calls_to_do)) {
        /* (an OSR request alone is left for the interpreted frame it is meant for: osr.c) */
        if ((signals || !accel_osr_only_request(interp)) && Py_MakePendingCalls() < 0)
            return -1;
    }
    if (_Py_atomic_load_relaxed(&ceval2->gil_drop_request)) {
        PyThreadState *saved = PyEval_SaveThread();
        PyEval_RestoreThread(saved);
    }
    if (tstate->async_exc != NULL) {
        PyObject *exc = tstate->async_exc;
        tstate->async_exc = NULL;
        ceval2->pending.async_exc = 0;
        /* recompute eval_breaker as ceval's COMPUTE_EVAL_BREAKER does */
        int main_thread = _Py_IsMainThread();
        _Py_atomic_store_relaxed(
            &ceval2->eval_breaker,
            _Py_atomic_load_relaxed(&ceval2->gil_drop_request)
                | (_Py_atomic_load_relaxed(&_PyRuntime.ceval.signals_pending) && main_thread
                   && _Py_IsMainInterpreter(interp))
                | (_Py_atomic_load_relaxed(&ceval2->pending.calls_to_do) && main_thread)
                | ceval2->pending.async_exc);
        PyErr_SetNone(exc);
        Py_DECREF(exc);
        return -1;
    }
    return 0;
}
