/* module.c -- accel._core, the Python face of the C shim.
 *
 * A real CPython module (METH_O / METH_FASTCALL functions) rather than cffi calls, because these functions take
 * and return Python objects and must hold the GIL; cffi would release it.  accel_shim_attach(), the one function
 * cffi exposes, builds the module and puts it in sys.modules["accel._core"].
 */
#include "bjit.h"
#include "opcode.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_long.h"
#include "internal/pycore_moduleobject.h"

static accel_code_state *
state_of(PyObject *code, int create)
{
    if (!PyCode_Check(code)) {
        PyErr_Format(PyExc_TypeError, "expected a code object, got %.100s", Py_TYPE(code)->tp_name);
        return NULL;
    }
    if (accel_code_state_init() < 0)
        return NULL;
    accel_code_state *st = accel_code_state_get((PyCodeObject *)code);
    if (st == NULL && create)
        st = accel_code_state_create((PyCodeObject *)code);
    return st;
}

static PyObject *
core_install(PyObject *self, PyObject *callback)
{
    if (callback != Py_None && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "install() needs a callable compile callback or None");
        return NULL;
    }
    if (accel_hook_install(callback == Py_None ? NULL : callback) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
core_uninstall(PyObject *self, PyObject *unused)
{
    accel_hook_uninstall();
    Py_RETURN_NONE;
}

static PyObject *
core_installed(PyObject *self, PyObject *unused)
{
    return PyBool_FromLong(accel_hook_installed());
}

/* set_options(bjit_threshold, max_tier, bjit_loop_threshold, bjit_loop_ns) */
static PyObject *
core_set_options(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    unsigned long long threshold, loop_threshold, loop_ns;
    int max_tier;
    if (!_PyArg_CheckPositional("set_options", nargs, 4, 4))
        return NULL;
    threshold = PyLong_AsUnsignedLongLong(args[0]);
    if (threshold == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    max_tier = _PyLong_AsInt(args[1]);
    if (max_tier == -1 && PyErr_Occurred())
        return NULL;
    loop_threshold = PyLong_AsUnsignedLongLong(args[2]);
    if (loop_threshold == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    loop_ns = PyLong_AsUnsignedLongLong(args[3]);
    if (loop_ns == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    accel_options.bjit_loop_ns = loop_ns;
    accel_options.bjit_loop_threshold = loop_threshold;
    accel_options.bjit_threshold = threshold;
    accel_options.max_tier = max_tier;
    Py_RETURN_NONE;
}

/* register_code(code, flags) -> True if the code was new.  Sets flags on an existing state too. */
static PyObject *
core_register_code(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("register_code", nargs, 2, 2))
        return NULL;
    long flags = PyLong_AsLong(args[1]);
    if (flags == -1 && PyErr_Occurred())
        return NULL;
    accel_code_state *st = state_of(args[0], 0);
    if (st == NULL && PyErr_Occurred())
        return NULL;
    int is_new = st == NULL;
    if (is_new && (st = state_of(args[0], 1)) == NULL)
        return NULL;
    st->flags |= (uint32_t)flags;
    return PyBool_FromLong(is_new);
}

/* set_state(code, set_flags, clear_flags, tier, compiled) -> None; tier -1 and compiled=NotImplemented keep. */
static PyObject *
core_set_state(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("set_state", nargs, 5, 5))
        return NULL;
    accel_code_state *st = state_of(args[0], 1);
    if (st == NULL)
        return NULL;
    long set = PyLong_AsLong(args[1]), clear = PyLong_AsLong(args[2]), tier = PyLong_AsLong(args[3]);
    if (PyErr_Occurred())
        return NULL;
    st->flags = (st->flags | (uint32_t)set) & ~(uint32_t)clear;
    if (tier >= 0)
        st->tier = (int32_t)tier;
    if (args[4] != Py_NotImplemented) {
        PyObject *obj = args[4] == Py_None ? NULL : args[4];
        Py_XINCREF(obj);
        Py_XSETREF(st->compiled, obj);
    }
    Py_RETURN_NONE;
}

/* defer(code, wait_ns): count the code's calls from zero again and double its threshold (a compile put off, at
 * most ACCEL_MAX_DEFERRALS times); no code calls the compiler for the next wait_ns (the budget is spent) */
static PyObject *
core_defer(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("defer", nargs, 2, 2))
        return NULL;
    long long wait_ns = PyLong_AsLongLong(args[1]);
    if (wait_ns == -1 && PyErr_Occurred())
        return NULL;
    accel_code_state *st = state_of(args[0], 0);
    if (st == NULL)
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    st->calls = 0;
    if (st->deferrals < ACCEL_MAX_DEFERRALS)
        st->deferrals++;
    if (wait_ns > 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        accel_budget_wait_until = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + (uint64_t)wait_ns;
    }
    Py_RETURN_NONE;
}

/* code_info(code) -> dict or None when the runtime never saw the code */
static PyObject *
core_code_info(PyObject *self, PyObject *code)
{
    accel_code_state *st = state_of(code, 0);
    if (st == NULL)
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    return Py_BuildValue("{s:K,s:K,s:I,s:i,s:O,s:n,s:N,s:N,s:O}", "calls", (unsigned long long)st->calls,
                         "backedges", (unsigned long long)st->backedges, "flags", (unsigned int)st->flags,
                         "tier", (int)st->tier, "has_entry", st->entry ? Py_True : Py_False,
                         "jit_size", (Py_ssize_t)st->jit_size,
                         "jit_address", PyLong_FromVoidPtr(st->jit_fn),
                         "jit_data", PyLong_FromVoidPtr(st->jit_data),
                         "compiled", st->compiled ? st->compiled : Py_None);
}

static PyObject *
core_counters(PyObject *self, PyObject *unused)
{
    accel_arena_stats a;
    accel_arena_get_stats(&a);
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:n,s:n,s:n,s:n,s:n,s:n,s:i}",
                         "code_objects_registered", (unsigned long long)accel_codes_registered,
                         "frames_seen", (unsigned long long)accel_counters.frames_seen,
                         "frames_entered_jit", (unsigned long long)accel_counters.frames_entered_jit,
                         "calls_direct", (unsigned long long)accel_counters.calls_direct,
                         "calls_direct_bound", (unsigned long long)accel_counters.calls_direct_bound,
                         "generator_resumes_direct", (unsigned long long)accel_counters.gen_resumes_direct,
                         "generators_made_direct", (unsigned long long)accel_counters.gens_made_direct,
                         "generators_collected_direct", (unsigned long long)accel_counters.gens_collected_direct,
                         "compile_requests", (unsigned long long)accel_counters.compile_requests,
                         "compile_callback_errors", (unsigned long long)accel_counters.compile_callback_errors,
                         "bjit_threshold", (unsigned long long)accel_options.bjit_threshold,
                         "arena_mapped_bytes", (Py_ssize_t)a.mapped_bytes,
                         "arena_used_bytes", (Py_ssize_t)a.used_bytes,
                         "arena_peak_used_bytes", (Py_ssize_t)a.peak_used_bytes,
                         "arena_chunks", (Py_ssize_t)a.chunks, "arena_allocations", (Py_ssize_t)a.allocations,
                         "arena_frees", (Py_ssize_t)a.frees, "arena_dual_mapped", a.dual_mapped);
}

static PyObject *
core_arena_alloc(PyObject *self, PyObject *arg)
{
    Py_ssize_t size = PyLong_AsSsize_t(arg);
    if (size == -1 && PyErr_Occurred())
        return NULL;
    if (size < 0)
        return PyErr_Format(PyExc_ValueError, "negative size");
    void *p = accel_arena_alloc((size_t)size);
    if (p == NULL)
        return PyErr_NoMemory();
    return PyLong_FromVoidPtr(p);
}

static PyObject *
core_arena_free(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("arena_free", nargs, 2, 2))
        return NULL;
    void *p = PyLong_AsVoidPtr(args[0]);
    Py_ssize_t size = PyLong_AsSsize_t(args[1]);
    if (PyErr_Occurred())
        return NULL;
    if (accel_arena_free(p, (size_t)size) < 0)
        return PyErr_Format(PyExc_ValueError, "arena_free: %p is not arena memory", p);
    Py_RETURN_NONE;
}

/* arena_write(address, bytes-like) */
static PyObject *
core_arena_write(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    if (!_PyArg_CheckPositional("arena_write", nargs, 2, 2))
        return NULL;
    void *p = PyLong_AsVoidPtr(args[0]);
    if (PyErr_Occurred())
        return NULL;
    if (PyObject_GetBuffer(args[1], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    int rc = accel_arena_write(p, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    if (rc < 0)
        return PyErr_Format(PyExc_ValueError, "arena_write: %p (+%zd) is outside the arena", p, view.len);
    Py_RETURN_NONE;
}

/* set_jit(code, address, size): run the code object's frames with tier-1 machine code from now on.
 * The arena memory becomes the code object's: freed when it dies.  address 0 removes machine code. */
int
accel_set_jit(accel_code_state *st, PyCodeObject *co, void *address, size_t size)
{
    if (st->jit_fn != NULL) {
        /* replacing machine code is only safe while no frame of this code runs it; tier 1 never does */
        PyErr_SetString(PyExc_RuntimeError, "set_jit: the code object already has machine code");
        return -1;
    }
    st->jit_fn = address;
    st->jit_size = size;
    int plain = !(co->co_flags & (CO_VARARGS | CO_VARKEYWORDS)) && co->co_kwonlyargcount == 0;
    int kind = co->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE);
    st->gen_start = -1;
    if (plain && (kind == CO_GENERATOR || kind == CO_COROUTINE)) {
        /* what the interpreter runs before RETURN_GENERATOR, bjit_entry.c's make_generator does too */
        _Py_CODEUNIT *units = _PyCode_CODE(co);
        for (Py_ssize_t i = 0; i < Py_SIZE(co); i++) {
            int op = _Py_OPCODE(units[i]);
            if (op == RETURN_GENERATOR)
                st->gen_start = (int32_t)i;
            if (op != MAKE_CELL && op != COPY_FREE_VARS)
                break;
        }
    }
    st->direct_argcount = plain && (kind == 0 || st->gen_start >= 0) ? co->co_argcount : -1;
    st->direct_bind = address != NULL && kind == 0;
    st->frame_size = co->co_nlocalsplus + co->co_stacksize + FRAME_SPECIALS_SIZE;
    st->entry = address != NULL ? accel_bjit_execute : NULL;
    st->tier = address != NULL ? 1 : 0;
    return 0;
}

static PyObject *
core_set_jit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("set_jit", nargs, 3, 3))
        return NULL;
    accel_code_state *st = state_of(args[0], 1);
    if (st == NULL)
        return NULL;
    void *address = PyLong_AsVoidPtr(args[1]);
    Py_ssize_t size = PyLong_AsSsize_t(args[2]);
    if (PyErr_Occurred())
        return NULL;
    if (accel_set_jit(st, (PyCodeObject *)args[0], address, (size_t)size) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* compile_in_c(code) -> (address, size) of its head, attached, or None: the Python compiler compiles it
 * (bjit_plan.c) */
static PyObject *
core_compile_in_c(PyObject *self, PyObject *code)
{
    accel_code_state *st = state_of(code, 1);
    if (st == NULL)
        return NULL;
    void *address = NULL;
    size_t size = 0;
    if (!accel_compile_in_c(st, (PyCodeObject *)code, &address, &size))
        Py_RETURN_NONE;
    if (accel_set_jit(st, (PyCodeObject *)code, address, size) < 0)
        return NULL;  /* (cannot happen: accel_compile_in_c declines a code object with machine code) */
    return Py_BuildValue("(Nn)", PyLong_FromVoidPtr(address), (Py_ssize_t)size);
}

/* compile_block_now(code, block) -> whether the block has machine code now: what machine code reaching it first
 * does (bjit_lazy.c: placed by C, else by the Python compiler); for sweeps and tests */
static PyObject *
core_compile_block_now(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("compile_block_now", nargs, 2, 2))
        return NULL;
    accel_code_state *st = state_of(args[0], 0);
    long b = PyLong_AsLong(args[1]);
    if (st == NULL || st->lazy == NULL || (b == -1 && PyErr_Occurred()))
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_RuntimeError, "compile_block_now: not compiled lazily");
    return PyBool_FromLong(accel_bjit_block_code(_PyThreadState_GET(), st, (PyCodeObject *)args[0], (int32_t)b)
                           != NULL);
}

static PyObject *
core_plan_setup(PyObject *self, PyObject *args)
{
    if (accel_plan_setup(args) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
core_plan_dry(PyObject *self, PyObject *code)
{
    if (!PyCode_Check(code))
        return PyErr_Format(PyExc_TypeError, "plan_dry: a code object");
    return accel_plan_dry((PyCodeObject *)code);
}

static PyObject *
core_plan_window(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("plan_window", nargs, 2, 2))
        return NULL;
    int op = (int)PyLong_AsLong(args[0]), pops, pushes;
    long arg = PyLong_AsLong(args[1]);
    if (PyErr_Occurred())
        return NULL;
    if (accel_plan_window(op, (int32_t)arg, &pops, &pushes) < 0)
        Py_RETURN_NONE;
    return Py_BuildValue("(ii)", pops, pushes);
}

/* ---- tier 1 a block at a time (bjit_lazy.c) ---- */

static PyObject *
core_set_block_compiler(PyObject *self, PyObject *callback)
{
    accel_set_block_callback(callback == Py_None ? NULL : callback);
    Py_RETURN_NONE;
}

/* lazy_init(code, nblocks, exit_address, error_address, entries): the code's machine code (set_jit) is a head;
 * its other blocks come one at a time.  entries: int32 pairs, each block's first code unit and entry depth */
static PyObject *
core_lazy_init(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("lazy_init", nargs, 5, 5))
        return NULL;
    accel_code_state *st = state_of(args[0], 1);
    if (st == NULL)
        return NULL;
    long nblocks = PyLong_AsLong(args[1]);
    void *exit_address = PyLong_AsVoidPtr(args[2]);
    void *error_address = PyLong_AsVoidPtr(args[3]);
    if (PyErr_Occurred())
        return NULL;
    if (st->lazy != NULL)
        return PyErr_Format(PyExc_RuntimeError, "lazy_init: already done for this code object");
    if (nblocks < 0 || nblocks > INT32_MAX)
        return PyErr_Format(PyExc_ValueError, "bad block count");
    Py_buffer entries;
    if (PyObject_GetBuffer(args[4], &entries, PyBUF_SIMPLE) < 0)
        return NULL;
    if (entries.len != 8 * (Py_ssize_t)nblocks) {
        PyBuffer_Release(&entries);
        return PyErr_Format(PyExc_ValueError, "lazy_init: entries must be 2 int32 per block");
    }
    st->lazy = accel_lazy_new((int32_t)nblocks, exit_address, error_address, entries.buf);
    PyBuffer_Release(&entries);
    if (st->lazy == NULL)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* lazy_place(code, block, address, chunk_address, chunk_size, sites): block `block` starts at `address`; the
 * chunk (0: part of the head) is freed with the code; `sites` are (block, rel32 field address) pairs of jumps
 * still aimed at stubs */
static PyObject *
core_lazy_place(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("lazy_place", nargs, 6, 6))
        return NULL;
    accel_code_state *st = state_of(args[0], 1);
    if (st == NULL)
        return NULL;
    if (st->lazy == NULL)
        return PyErr_Format(PyExc_RuntimeError, "lazy_place: not compiled a block at a time");
    long block = PyLong_AsLong(args[1]);
    void *address = PyLong_AsVoidPtr(args[2]);
    void *chunk = PyLong_AsVoidPtr(args[3]);
    Py_ssize_t chunk_size = PyLong_AsSsize_t(args[4]);
    if (PyErr_Occurred())
        return NULL;
    accel_lazy_blocks *lz = st->lazy;
    if (block < 0 || block >= lz->nblocks)
        return PyErr_Format(PyExc_ValueError, "no block %ld", block);
    if (chunk != NULL && accel_lazy_add_chunk(lz, chunk, (size_t)chunk_size) < 0)
        return PyErr_NoMemory();
    PyObject *seq = PySequence_Fast(args[5], "sites must be a sequence");
    if (seq == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            Py_DECREF(seq);
            return PyErr_Format(PyExc_TypeError, "sites are (block, address) pairs");
        }
        long target = PyLong_AsLong(PyTuple_GET_ITEM(item, 0));
        void *site = PyLong_AsVoidPtr(PyTuple_GET_ITEM(item, 1));
        if (PyErr_Occurred() || accel_lazy_add_patch(lz, (int32_t)target, (uint8_t *)site) < 0) {
            Py_DECREF(seq);
            return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_RuntimeError, "lazy_place: bad site");
        }
    }
    Py_DECREF(seq);
    if (accel_lazy_place(lz, (int32_t)block, address) < 0)
        return PyErr_Format(PyExc_RuntimeError, "lazy_place: could not patch");
    Py_RETURN_NONE;
}

/* lazy_osr(code, [(jump_unit, block, unit, depth, bound_low, bound_high, empty_low, empty_high), ...]): the loop
 * back-edges where a running interpreted frame of this code may move into its machine code (osr.c) */
static PyObject *
core_lazy_osr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("lazy_osr", nargs, 2, 2))
        return NULL;
    accel_code_state *st = state_of(args[0], 1);
    if (st == NULL)
        return NULL;
    if (st->lazy == NULL)
        return PyErr_Format(PyExc_RuntimeError, "lazy_osr: not compiled a block at a time");
    PyObject *seq = PySequence_Fast(args[1], "entries must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int32_t *quads = PyMem_Malloc((size_t)(n ? n : 1) * ACCEL_OSR_FIELDS * sizeof(int32_t));
    if (quads == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    int ok = 1;
    for (Py_ssize_t i = 0; i < n && ok; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        ok = PyTuple_Check(item) && PyTuple_GET_SIZE(item) == ACCEL_OSR_FIELDS;
        for (int k = 0; k < ACCEL_OSR_FIELDS && ok; k++) {
            long v = PyLong_AsLong(PyTuple_GET_ITEM(item, k));
            ok = !PyErr_Occurred() && v >= 0 && v <= (k < 4 ? INT32_MAX : (long)UINT32_MAX);
            quads[ACCEL_OSR_FIELDS * i + k] = (int32_t)(uint32_t)v;
        }
    }
    Py_DECREF(seq);
    if (ok && accel_lazy_set_osr(st->lazy, (int32_t)n, quads) < 0)
        ok = 0;
    PyMem_Free(quads);
    if (!ok)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "lazy_osr: bad entries");
    Py_RETURN_NONE;
}

/* set_osr(ticks): watchdog ticks (ms) an interpreted frame runs before it is moved into machine code; 0: off */
static PyObject *
core_set_osr(PyObject *self, PyObject *arg)
{
    unsigned long long ticks = PyLong_AsUnsignedLongLong(arg);
    if (ticks == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    __atomic_store_n(&accel_osr_ticks, (uint64_t)ticks, __ATOMIC_RELAXED);
    Py_RETURN_NONE;
}

static PyObject *
core_osr_stop(PyObject *self, PyObject *unused)
{
    accel_osr_stop();
    Py_RETURN_NONE;
}

static PyObject *
core_osr_counters(PyObject *self, PyObject *unused)
{
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K}",
                         "requests", (unsigned long long)accel_osr_counters.requests,
                         "put_off", (unsigned long long)accel_osr_counters.put_off,
                         "not_at_loop", (unsigned long long)accel_osr_counters.not_at_loop,
                         "declined", (unsigned long long)accel_osr_counters.declined,
                         "entered", (unsigned long long)accel_osr_counters.entered,
                         "resumed_interpreted", (unsigned long long)accel_osr_counters.resumed_interpreted);
}

/* lazy_info(code) -> None, or {"blocks": [address, 0 (not compiled) or -1 (interpreted)], "exit", "error",
 * "patched", "pending_patches", "chunk_bytes"} */
static PyObject *
core_lazy_info(PyObject *self, PyObject *code)
{
    accel_code_state *st = state_of(code, 0);
    if (st == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    accel_lazy_blocks *lz = st->lazy;
    if (lz == NULL)
        Py_RETURN_NONE;
    PyObject *blocks = PyList_New(lz->nblocks);
    if (blocks == NULL)
        return NULL;
    for (int32_t i = 0; i < lz->nblocks; i++) {
        void *c = lz->code[i];
        PyObject *v = c == ACCEL_BLOCK_INTERPRET ? PyLong_FromLong(-1)
                      : PyLong_FromVoidPtr(c == ACCEL_BLOCK_COMPILING ? NULL : c);
        if (v == NULL) {
            Py_DECREF(blocks);
            return NULL;
        }
        PyList_SET_ITEM(blocks, i, v);
    }
    size_t bytes = 0;
    PyObject *chunks = PyList_New(lz->nchunks);
    if (chunks == NULL) {
        Py_DECREF(blocks);
        return NULL;
    }
    for (int32_t i = 0; i < lz->nchunks; i++) {
        bytes += lz->chunks[i].size;
        PyObject *pair = Py_BuildValue("(Nn)", PyLong_FromVoidPtr(lz->chunks[i].address), (Py_ssize_t)lz->chunks[i].size);
        if (pair == NULL) {
            Py_DECREF(blocks);
            Py_DECREF(chunks);
            return NULL;
        }
        PyList_SET_ITEM(chunks, i, pair);
    }
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:K,s:i,s:n}", "blocks", blocks, "chunks", chunks,
                         "exit", PyLong_FromVoidPtr(lz->exit_address), "error", PyLong_FromVoidPtr(lz->error_address),
                         "patched", (unsigned long long)lz->patched, "pending_patches", (int)lz->npatches,
                         "chunk_bytes", (Py_ssize_t)bytes);
}

/* alloc_jit_data(code, nbytes) -> address of a zeroed block owned by the code object (per-site caches) */
static PyObject *
core_alloc_jit_data(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("alloc_jit_data", nargs, 2, 2))
        return NULL;
    accel_code_state *st = state_of(args[0], 1);
    if (st == NULL)
        return NULL;
    Py_ssize_t n = PyLong_AsSsize_t(args[1]);
    if (n < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "negative size");
    if (st->jit_data != NULL) {
        if (st->jit_fn != NULL)
            return PyErr_Format(PyExc_RuntimeError, "alloc_jit_data: the code object already has its data");
        accel_free(st->jit_data);  /* an earlier compile stopped before attaching code: no machine code uses it */
        st->jit_data = NULL;
    }
    st->jit_data = accel_calloc(1, n ? (size_t)n : 1);
    if (st->jit_data == NULL)
        return PyErr_NoMemory();
    return PyLong_FromVoidPtr(st->jit_data);
}

/* bjit_symbols() -> {name: address} of the op helpers machine code calls */
static PyObject *
core_bjit_symbols(PyObject *self, PyObject *unused)
{
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    for (const accel_symbol *s = accel_bjit_symbols; s->name != NULL; s++) {
        PyObject *addr = PyLong_FromVoidPtr(s->address);
        if (addr == NULL || PyDict_SetItemString(out, s->name, addr) < 0) {
            Py_XDECREF(addr);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(addr);
    }
    return out;
}

/* bjit_layout() -> offsets and addresses machine code is built with */
static PyObject *
core_bjit_layout(PyObject *self, PyObject *unused)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
#define OFF(type, field) (intptr_t) offsetof(type, field)
    const struct {
        const char *name;
        intptr_t value;
    } entries[] = {
        {"frame_localsplus", OFF(_PyInterpreterFrame, localsplus)},
        {"frame_bias", ACCEL_FRAME_BIAS},
        {"frame_prev_instr", OFF(_PyInterpreterFrame, prev_instr)},
        {"frame_stacktop", OFF(_PyInterpreterFrame, stacktop)},
        {"frame_code", OFF(_PyInterpreterFrame, f_code)},
        {"frame_globals", OFF(_PyInterpreterFrame, f_globals)},
        {"frame_builtins", OFF(_PyInterpreterFrame, f_builtins)},
        {"ctx_tstate", OFF(accel_jit_ctx, tstate)},
        {"ctx_frame", OFF(accel_jit_ctx, frame)},
        {"ctx_retval", OFF(accel_jit_ctx, retval)},
        {"ctx_resume_unit", OFF(accel_jit_ctx, resume_unit)},
        {"ctx_resume_depth", OFF(accel_jit_ctx, resume_depth)},
        {"ctx_reason", OFF(accel_jit_ctx, reason)},
        {"ctx_entry", OFF(accel_jit_ctx, entry)},
        {"exit_compile_block", ACCEL_EXIT_COMPILE_BLOCK},
        {"resume_at_prev_instr", ACCEL_RESUME_AT_PREV_INSTR},
        {"resume_call_declined", ACCEL_RESUME_CALL_DECLINED},
        {"resume_call_tracing", ACCEL_RESUME_CALL_TRACING},
        {"ctx_call_site", OFF(accel_jit_ctx, call_site)},
        {"code_nlocalsplus", OFF(PyCodeObject, co_nlocalsplus)},
        {"code_names", OFF(PyCodeObject, co_names)},
        {"tstate_cframe", OFF(PyThreadState, cframe)},
        {"cframe_use_tracing", OFF(_PyCFrame, use_tracing)},
        {"ob_refcnt", OFF(PyObject, ob_refcnt)},
        {"ob_type", OFF(PyObject, ob_type)},
        {"ob_size", OFF(PyVarObject, ob_size)},
        {"long_digit", OFF(PyLongObject, ob_digit)},
        {"float_value", OFF(PyFloatObject, ob_fval)},
        {"dict_version", OFF(PyDictObject, ma_version_tag)},
        {"global_cache_globals", OFF(accel_load_global_cache, globals)},
        {"global_cache_builtins", OFF(accel_load_global_cache, builtins)},
        {"global_cache_globals_version", OFF(accel_load_global_cache, globals_version)},
        {"global_cache_builtins_version", OFF(accel_load_global_cache, builtins_version)},
        {"global_cache_module_version", OFF(accel_load_global_cache, module_version)},
        {"global_cache_value", OFF(accel_load_global_cache, value)},
        {"global_cache_index", OFF(accel_load_global_cache, index)},
        {"global_cache_in_builtins", OFF(accel_load_global_cache, in_builtins)},
        {"global_cache_name", OFF(accel_load_global_cache, name)},
        {"dict_keys_unicode", DICT_KEYS_UNICODE},
        {"code_units_offset", OFF(PyCodeObject, co_code_adaptive)},
        {"eval_breaker", (intptr_t)&interp->ceval.eval_breaker},
        {"none", (intptr_t)Py_None},
        {"true", (intptr_t)Py_True},
        {"false", (intptr_t)Py_False},
        {"long_type", (intptr_t)&PyLong_Type},
        {"unicode_type", (intptr_t)&PyUnicode_Type},
        {"list_type", (intptr_t)&PyList_Type},
        {"cfunction_type", (intptr_t)&PyCFunction_Type},
        {"cfunction_ml", OFF(PyCFunctionObject, m_ml)},
        {"cfunction_self", OFF(PyCFunctionObject, m_self)},
        {"ml_meth", OFF(PyMethodDef, ml_meth)},
        {"ml_flags", OFF(PyMethodDef, ml_flags)},
        {"meth_o", METH_O},
        {"meth_fast", METH_FASTCALL},
        {"meth_noargs", METH_NOARGS},
        {"methoddescr_type", (intptr_t)&PyMethodDescr_Type},
        {"descr_type", OFF(PyDescrObject, d_type)},
        {"descr_method", OFF(PyMethodDescrObject, d_method)},
        {"tstate_recursion_remaining", OFF(PyThreadState, recursion_remaining)},
        {"tstate_curexc_type", OFF(PyThreadState, curexc_type)},
        {"check_function_result", (intptr_t)_Py_CheckFunctionResult},
        {"tuple_type", (intptr_t)&PyTuple_Type},
        {"list_items", OFF(PyListObject, ob_item)},
        {"list_allocated", OFF(PyListObject, allocated)},
        {"cell_ref", OFF(PyCellObject, ob_ref)},
        {"listiter_type", accel_iterators_known() ? (intptr_t)&PyListIter_Type : 0},
        {"listiter_index", OFF(accel_listiter, it_index)},
        {"listiter_seq", OFF(accel_listiter, it_seq)},
        {"rangeiter_type", accel_iterators_known() ? (intptr_t)&PyRangeIter_Type : 0},
        {"rangeiter_index", OFF(accel_rangeiter, index)},
        {"rangeiter_start", OFF(accel_rangeiter, start)},
        {"rangeiter_step", OFF(accel_rangeiter, step)},
        {"rangeiter_len", OFF(accel_rangeiter, len)},
        {"small_ints", (intptr_t)&_PyLong_SMALL_INTS[0]},       /* -5 .. 256, sizeof(PyLongObject) apart */
        {"small_ints_negative", _PY_NSMALLNEGINTS},
        {"small_ints_count", _PY_NSMALLNEGINTS + _PY_NSMALLPOSINTS},
        {"long_size_log2", sizeof(PyLongObject) == 32 ? 5 : -1},
        {"long_digit_mask", PyLong_MASK},
        {"tuple_items", OFF(PyTupleObject, ob_item)},
        {"long_from_long_long", (intptr_t)PyLong_FromLongLong},
        {"float_from_double", (intptr_t)PyFloat_FromDouble},
        {"float_type", (intptr_t)&PyFloat_Type},
        {"dealloc", (intptr_t)_Py_Dealloc},
        {"exit_return", ACCEL_EXIT_RETURN},
        {"exit_error", ACCEL_EXIT_ERROR},
        {"exit_handback", ACCEL_EXIT_HANDBACK},
        {"exit_yield", ACCEL_EXIT_YIELD},
        {"exit_no_entry", ACCEL_EXIT_NO_ENTRY},
        {"gen_frame_state_from_frame", OFF(PyGenObject, gi_frame_state) - OFF(PyGenObject, gi_iframe)},
        {"frame_suspended", FRAME_SUSPENDED},
        {"hb_unsupported", ACCEL_HB_UNSUPPORTED},
        {"hb_helper", ACCEL_HB_HELPER},
        {"counting", accel_counting},
        {"type_version_tag", OFF(PyTypeObject, tp_version_tag)},
        {"ht_cached_keys", OFF(PyHeapTypeObject, ht_cached_keys)},
        {"dk_nentries", OFF(PyDictKeysObject, dk_nentries)},
        {"values_pointer", -4 * (intptr_t)sizeof(PyObject *)},  /* _PyObject_ValuesPointer */
        {"attr_type_version", OFF(accel_attr_cache, type_version)},
        {"attr_kind_shadow", OFF(accel_attr_cache, kind)},
        {"attr_index", OFF(accel_attr_cache, index)},
        {"attr_nentries", OFF(accel_attr_cache, nentries)},
        {"attr_descr", OFF(accel_attr_cache, descr)},
        {"attr_hits", OFF(accel_attr_cache, hits)},
        {"kind_instance_value", KIND_INSTANCE_VALUE},
        {"kind_instance_dict", KIND_INSTANCE_DICT},
        {"shadow_dict", SHADOW_DICT},
        {"attr_dict_hint", OFF(accel_attr_cache, dict_hint)},
        {"dict_type", (intptr_t)&PyDict_Type},
        {"ma_keys", OFF(PyDictObject, ma_keys)},
        {"ma_values", OFF(PyDictObject, ma_values)},
        {"dk_kind", OFF(PyDictKeysObject, dk_kind)},
        {"dk_log2_index_bytes", OFF(PyDictKeysObject, dk_log2_index_bytes)},
        {"dk_indices", OFF(PyDictKeysObject, dk_indices)},
        {"managed_dict_pointer", -3 * (intptr_t)sizeof(PyObject *)},  /* _PyObject_ManagedDictPointer */
        {"kind_method", KIND_METHOD},
        {"kind_store_value", KIND_STORE_VALUE},
        {"kind_slot", KIND_SLOT},
        {"kind_store_slot", KIND_STORE_SLOT},
        {"kind_store_dict", KIND_STORE_DICT},
        {"dict_version_counter", (intptr_t)&accel_dict_version},
        {"gc_next_from_object", -(intptr_t)sizeof(PyGC_Head) + OFF(PyGC_Head, _gc_next)},
        {"shadow_none", SHADOW_NONE},
        {"shadow_values", SHADOW_VALUES},
        {"site_hits_counter", (intptr_t)&accel_site_counters.hits},
        {"attr_ic_code", ACCEL_ATTR_WAYS * (intptr_t)sizeof(accel_attr_cache) + OFF(accel_attr_site_ic, code)},
        {"attr_ic_inline", ACCEL_ATTR_WAYS * (intptr_t)sizeof(accel_attr_cache) + OFF(accel_attr_site_ic, inline_kinds)},
        {"md_dict", OFF(PyModuleObject, md_dict)},
        {"module_type", (intptr_t)&PyModule_Type},
        {"type_type", (intptr_t)&PyType_Type},
        {"ma_version_tag", OFF(PyDictObject, ma_version_tag)},
        {"dk_log2_size", OFF(PyDictKeysObject, dk_log2_size)},
        {"str_hash", OFF(PyASCIIObject, hash)},
        {"ic_tpl_load_method_dict", IC_TPL_LOAD_METHOD_DICT},
        {"ic_hole_hash", IC_HOLE_HASH},
        {"ic_hole_name", IC_HOLE_NAME},
        {"ic_tpl_load_dict_hint", IC_TPL_LOAD_DICT_HINT},
        {"ic_tpl_load_value", IC_TPL_LOAD_VALUE},
        {"ic_tpl_load_slot", IC_TPL_LOAD_SLOT},
        {"ic_tpl_load_const", IC_TPL_LOAD_CONST},
        {"ic_tpl_load_const_values", IC_TPL_LOAD_CONST_VALUES},
        {"ic_tpl_load_module", IC_TPL_LOAD_MODULE},
        {"ic_tpl_load_type_attr", IC_TPL_LOAD_TYPE_ATTR},
        {"ic_tpl_store_value", IC_TPL_STORE_VALUE},
        {"ic_tpl_store_slot", IC_TPL_STORE_SLOT},
        {"ic_hole_version", IC_HOLE_VERSION},
        {"ic_hole_disp", IC_HOLE_DISP},
        {"ic_hole_value", IC_HOLE_VALUE},
        {"ic_hole_nentries", IC_HOLE_NENTRIES},
        {"ic_hole_dict", IC_HOLE_DICT},
        {"ic_hole_dict_version", IC_HOLE_DICT_VERSION},
        {"ic_hole_hits", IC_HOLE_HITS},
        {"ic_hole_flag", IC_HOLE_FLAG},
        {"ic_hole_count", IC_HOLE_COUNT},
        {"ic_region_bytes", ACCEL_IC_REGION_BYTES},
        {"insn_jit_counter", (intptr_t)&accel_insn_jit},
        {"count_trace", (intptr_t)accel_count_trace},
        {"tstate_c_tracefunc", OFF(PyThreadState, c_tracefunc)},
        {"tstate_c_profilefunc", OFF(PyThreadState, c_profilefunc)},
    };
#undef OFF
    PyObject *out = PyDict_New();
    for (size_t i = 0; out != NULL && i < sizeof(entries) / sizeof(entries[0]); i++) {
        PyObject *v = PyLong_FromSsize_t(entries[i].value);
        if (v == NULL || PyDict_SetItemString(out, entries[i].name, v) < 0)
            Py_CLEAR(out);
        Py_XDECREF(v);
    }
    return out;
}

/* ic_enable(flag): whether attribute sites grow executable slots (config ic_slots) */
static PyObject *
core_ic_enable(PyObject *self, PyObject *arg)
{
    int on = PyObject_IsTrue(arg);
    if (on < 0)
        return NULL;
    accel_ic_enabled = on;
    Py_RETURN_NONE;
}

/* ic_set_template(tpl, code: bytes, holes: tuple of byte offsets or -1, one per IC_HOLE_*) */
static PyObject *
core_ic_set_template(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("ic_set_template", nargs, 3, 3))
        return NULL;
    int tpl = _PyLong_AsInt(args[0]);
    if (tpl == -1 && PyErr_Occurred())
        return NULL;
    if (!PyBytes_Check(args[1]) || !PyTuple_Check(args[2]) || PyTuple_GET_SIZE(args[2]) != IC_HOLE_COUNT)
        return PyErr_Format(PyExc_TypeError, "ic_set_template(tpl, bytes, (%d offsets))", IC_HOLE_COUNT);
    int holes[IC_HOLE_COUNT];
    for (int h = 0; h < IC_HOLE_COUNT; h++) {
        holes[h] = _PyLong_AsInt(PyTuple_GET_ITEM(args[2], h));
        if (holes[h] == -1 && PyErr_Occurred())
            return NULL;
    }
    if (accel_ic_set_template(tpl, PyBytes_AS_STRING(args[1]), PyBytes_GET_SIZE(args[1]), holes) < 0)
        return PyErr_Format(PyExc_ValueError, "ic_set_template: bad template %d", tpl);
    Py_RETURN_NONE;
}

/* ic_describe(code) -> [{unit, site, state, rewrites, bytes, region, slots: [{kind, type, ...}]}] */
static PyObject *
core_ic_describe(PyObject *self, PyObject *code)
{
    if (!PyCode_Check(code))
        return PyErr_Format(PyExc_TypeError, "ic_describe: a code object, not %.100s", Py_TYPE(code)->tp_name);
    return accel_ic_describe((PyCodeObject *)code);
}

/* lazy_plan(code, plan): what placing its blocks in C needs (bjit_lazy_place.c: accel_lazy_set_plan) */
static PyObject *
core_lazy_plan(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("lazy_plan", nargs, 2, 2))
        return NULL;
    accel_code_state *st = state_of(args[0], 0);
    if (st == NULL || st->lazy == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_RuntimeError, "lazy_plan: not compiled a block at a time");
    if (accel_lazy_set_plan(st->lazy, args[1]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
core_lazy_place_setup(PyObject *self, PyObject *args)
{
    if (accel_lazy_place_setup(args) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* lazy_place_dry(code, block) -> (address, code as placed there, [(field, target)], [(block, field)]) or None:
 * what bjit_lazy_place.c would place for the block (-1: the head), placing nothing (tests compare it with the
 * Python compiler's) */
static PyObject *
core_lazy_place_dry(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("lazy_place_dry", nargs, 2, 2))
        return NULL;
    accel_code_state *st = state_of(args[0], 0);
    long b = PyLong_AsLong(args[1]);
    if (st == NULL || (b == -1 && PyErr_Occurred()))
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_RuntimeError, "lazy_place_dry: not compiled");
    PyObject *out = NULL;
    PyCodeObject *co = (PyCodeObject *)args[0];
    int placed = b < 0 ? accel_lazy_place_head(st, co, &out, NULL, NULL)
                       : accel_lazy_place_block(st, co, (int32_t)b, &out);
    if (!placed)
        Py_RETURN_NONE;
    return out;
}

static PyObject *
core_lazy_place_seconds(PyObject *self, PyObject *unused)
{
    return PyFloat_FromDouble((double)accel_lazy_place_counters.ns / 1e9);
}

static PyObject *
core_lazy_place_counters(PyObject *self, PyObject *unused)
{
    accel_lazy_place_counters_t *c = &accel_lazy_place_counters;
    PyObject *sites = PyDict_New();
    if (sites == NULL)
        return NULL;
    for (int op = 0; op < 256; op++) {
        if (c->handback_sites[op] == 0)
            continue;
        PyObject *key = PyLong_FromLong(op), *value = PyLong_FromUnsignedLongLong(c->handback_sites[op]);
        int rc = key && value ? PyDict_SetItem(sites, key, value) : -1;
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (rc < 0) {
            Py_DECREF(sites);
            return NULL;
        }
    }
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:d,s:d,s:{s:K,s:K,s:K,s:K,s:K},s:N}",
                         "plans_built", (unsigned long long)accel_plan_counters.built,
                         "plans_declined", (unsigned long long)accel_plan_counters.declined,
                         "plan_instructions", (unsigned long long)accel_plan_counters.instructions,
                         "blocks", (unsigned long long)c->blocks, "heads", (unsigned long long)c->heads,
                         "instructions", (unsigned long long)c->instructions,
                         "bytes", (unsigned long long)c->bytes, "seconds", (double)c->ns / 1e9,
                         "head_seconds", (double)c->head_ns / 1e9, "declined",
                         "template_missing", (unsigned long long)c->declined[0],
                         "no_template", (unsigned long long)c->declined[1],
                         "handback_not_compact", (unsigned long long)c->declined[2],
                         "out_of_reach", (unsigned long long)c->declined[3],
                         "error", (unsigned long long)c->declined[4], "handback_sites", sites);
}

/* attr_site_set_inline(address, mask): the kinds (1 << KIND_*) an attribute site's machine code checks inline */
static PyObject *
core_attr_site_set_inline(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("attr_site_set_inline", nargs, 2, 2))
        return NULL;
    accel_attr_cache *c = PyLong_AsVoidPtr(args[0]);
    unsigned long mask = PyLong_AsUnsignedLong(args[1]);
    if ((c == NULL || mask == (unsigned long)-1) && PyErr_Occurred())
        return NULL;
    if (c == NULL)
        return PyErr_Format(PyExc_ValueError, "attr_site_set_inline: NULL");
    ATTR_SITE_IC(c)->inline_kinds = (uint32_t)mask;
    Py_RETURN_NONE;
}

/* attr_site_prefill(address, kind, type_version, index): an empty site's first entry, from CPython's quickened
 * cache (an instance value or a __slots__ member: no pointers, valid while the type has that version) */
static PyObject *
core_attr_site_prefill(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("attr_site_prefill", nargs, 4, 4))
        return NULL;
    accel_attr_cache *c = PyLong_AsVoidPtr(args[0]);
    long kind = PyLong_AsLong(args[1]);
    unsigned long version = PyLong_AsUnsignedLong(args[2]);
    Py_ssize_t index = PyLong_AsSsize_t(args[3]);
    if (PyErr_Occurred())
        return NULL;
    if (c == NULL || (kind != KIND_INSTANCE_VALUE && kind != KIND_SLOT && kind != KIND_STORE_VALUE
                      && kind != KIND_STORE_SLOT))
        return PyErr_Format(PyExc_ValueError, "attr_site_prefill: bad site or kind");
    accel_attr_site_prefill(c, (int)kind, (uint32_t)version, index);
    Py_RETURN_NONE;
}

/* attr_site(address) -> the inline (first) entry of the attribute site at that address of a jit_data block */
static PyObject *
core_attr_site(PyObject *self, PyObject *arg)
{
    accel_attr_cache *c = PyLong_AsVoidPtr(arg);
    if (c == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "attr_site: NULL");
    PyObject *ways = PyList_New(0);
    for (int k = 0; ways != NULL && k < ACCEL_ATTR_WAYS && c[k].kind != KIND_EMPTY; k++) {
        PyObject *d = Py_BuildValue("{s:s,s:I}", "kind", accel_attr_kind_name(c[k].kind),
                                    "type_version", c[k].type_version);
        if (d == NULL || PyList_Append(ways, d) < 0)
            Py_CLEAR(ways);
        Py_XDECREF(d);
    }
    if (ways == NULL)
        return NULL;
    return Py_BuildValue("{s:N,s:I,s:I,s:O}", "entries", ways, "hits", c->hits, "misses", c->misses,
                         "region", ATTR_SITE_IC(c)->code != NULL ? Py_True : Py_False);
}

/* bjit_counters() -> {"returns": n, "errors": n, "handbacks": n, "handback_sites": {(reason, opcode): n}} */
static PyObject *
core_bjit_counters(PyObject *self, PyObject *unused)
{
    PyObject *sites = PyDict_New();
    if (sites == NULL)
        return NULL;
    for (int reason = 0; reason < ACCEL_HB_COUNT; reason++) {
        for (int op = 0; op < 256; op++) {
            if (accel_bjit_handbacks[reason][op] == 0)
                continue;
            PyObject *key = Py_BuildValue("(ii)", reason, op);
            PyObject *value = PyLong_FromUnsignedLongLong(accel_bjit_handbacks[reason][op]);
            int rc = key && value ? PyDict_SetItem(sites, key, value) : -1;
            Py_XDECREF(key);
            Py_XDECREF(value);
            if (rc < 0) {
                Py_DECREF(sites);
                return NULL;
            }
        }
    }
    return Py_BuildValue("{s:i,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:N,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K}",
                         "counting", accel_counting,
                         "block_compiles", (unsigned long long)accel_bjit_exits[ACCEL_EXIT_COMPILE_BLOCK],
                         "returns", (unsigned long long)accel_bjit_exits[ACCEL_EXIT_RETURN],
                         "yields", (unsigned long long)accel_bjit_exits[ACCEL_EXIT_YIELD],
                         "errors", (unsigned long long)accel_bjit_exits[ACCEL_EXIT_ERROR],
                         "handbacks", (unsigned long long)accel_bjit_exits[ACCEL_EXIT_HANDBACK],
                         "exc_caught_jit", (unsigned long long)accel_unwind_counts[ACCEL_UNWIND_CAUGHT_JIT],
                         "exc_caught_interp", (unsigned long long)accel_unwind_counts[ACCEL_UNWIND_CAUGHT_INTERP],
                         "exc_left", (unsigned long long)accel_unwind_counts[ACCEL_UNWIND_LEFT],
                         "exc_to_interp", (unsigned long long)accel_unwind_counts[ACCEL_UNWIND_TO_INTERP],
                         "handback_sites", sites,
                         "ic_hits", (unsigned long long)accel_site_counters.hits,
                         "ic_misses", (unsigned long long)accel_site_counters.misses,
                         "fast_ops", (unsigned long long)accel_site_counters.fast_ops,
                         "ic_slot_hits", (unsigned long long)accel_ic_slot_hits(),
                         "ic_helper_hits", (unsigned long long)accel_site_counters.helper_hits,
                         "ic_shared_hits", (unsigned long long)accel_site_counters.shared_hits,
                         "ic_rewrites", (unsigned long long)accel_ic_counters.rewrites,
                         "ic_slots_written", (unsigned long long)accel_ic_counters.slots_written,
                         "ic_evictions", (unsigned long long)accel_ic_counters.evictions,
                         "ic_regions", (unsigned long long)accel_ic_counters.regions,
                         "ic_bytes", (unsigned long long)accel_ic_counters.region_bytes,
                         "ic_megamorphic", (unsigned long long)accel_ic_counters.megamorphic,
                         "insn_jit", (unsigned long long)accel_insn_jit,
                         "insn_interp", (unsigned long long)accel_insn_interp);
}

/* count_instructions(): start the instruction-counting mode on this thread (before anything is compiled) */
static PyObject *
core_count_instructions(PyObject *self, PyObject *unused)
{
    accel_counting = 1;
    PyEval_SetTrace(accel_count_trace, NULL);
    if (PyErr_Occurred())
        return NULL;  /* (an audit hook refused sys.settrace) */
    Py_RETURN_NONE;
}

/* address(obj) -> the object's address, as id() but without id()'s "builtins.id" audit event: the code
 * generator embeds constants' addresses, and the program's audit hooks must not see the compiler's work. */
static PyObject *
core_address(PyObject *self, PyObject *obj)
{
    return PyLong_FromVoidPtr(obj);
}

static PyObject *
core_arena_force_flip_mode(PyObject *self, PyObject *unused)
{
    if (accel_arena_force_flip_mode() < 0)
        return PyErr_Format(PyExc_RuntimeError, "the arena already has chunks");
    Py_RETURN_NONE;
}

static PyMethodDef core_methods[] = {
    {"install", core_install, METH_O, "install(callback): put the eval-frame hook in place"},
    {"uninstall", core_uninstall, METH_NOARGS, "restore CPython's own frame evaluator"},
    {"installed", core_installed, METH_NOARGS, "is the hook in place?"},
    {"set_options", (PyCFunction)(void (*)(void))core_set_options, METH_FASTCALL,
     "set_options(bjit_threshold, max_tier, bjit_loop_threshold, bjit_loop_ns)"},
    {"register_code", (PyCFunction)(void (*)(void))core_register_code, METH_FASTCALL,
     "register_code(code, flags) -> bool (new)"},
    {"set_state", (PyCFunction)(void (*)(void))core_set_state, METH_FASTCALL,
     "set_state(code, set_flags, clear_flags, tier, compiled)"},
    {"code_info", core_code_info, METH_O, "code_info(code) -> dict | None"},
    {"defer", (PyCFunction)(void (*)(void))core_defer, METH_FASTCALL,
     "defer(code, wait_ns): restart the code's call count; no compile requests for wait_ns"},
    {"counters", core_counters, METH_NOARGS, "C-side counters"},
    {"arena_alloc", core_arena_alloc, METH_O, "arena_alloc(size) -> address"},
    {"arena_free", (PyCFunction)(void (*)(void))core_arena_free, METH_FASTCALL, "arena_free(address, size)"},
    {"arena_write", (PyCFunction)(void (*)(void))core_arena_write, METH_FASTCALL, "arena_write(address, data)"},
    {"place_setup", accel_place_setup, METH_O, "place_setup(flags: 256 bytes) (bjit_place.c)"},
    {"place_block", (PyCFunction)(void (*)(void))accel_place_block, METH_FASTCALL,
     "place_block(hot, cold, templates, info, block, start, entry, kwnames, outputs) (bjit_place.c)"},
    {"place_link", (PyCFunction)(void (*)(void))accel_place_link, METH_FASTCALL,
     "place_link(code, base, externals) -> code as placed at base (bjit_place.c)"},
    {"place_cold", (PyCFunction)(void (*)(void))accel_place_cold, METH_FASTCALL,
     "place_cold(hot, cold, deferred, externals) -> cold offset (bjit_place.c)"},
    {"template_file_setup", accel_template_file_setup, METH_O,
     "template_file_setup(None or (templates, fd, index)): templates read on demand (bjit_template_file.c)"},
    {"template_fetch", (PyCFunction)(void (*)(void))accel_template_fetch_py, METH_FASTCALL,
     "template_fetch(templates, key) -> bytes or None; KeyError not in the file, ValueError damaged"},
    {"template_file_counts", accel_template_file_counts, METH_O,
     "template_file_counts(templates) -> (entries in its file, entries fetched)"},
    {"template_checksum", accel_template_checksum_py, METH_O, "template_checksum(data) -> int (the file's)"},
    {"address", core_address, METH_O, "address(obj) -> int, like id() but not audited"},
    {"set_jit", (PyCFunction)(void (*)(void))core_set_jit, METH_FASTCALL, "set_jit(code, address, size)"},
    {"set_block_compiler", core_set_block_compiler, METH_O, "set_block_compiler(callable(code, block) -> bool)"},
    {"lazy_init", (PyCFunction)(void (*)(void))core_lazy_init, METH_FASTCALL,
     "lazy_init(code, nblocks, exit_address, error_address)"},
    {"lazy_place", (PyCFunction)(void (*)(void))core_lazy_place, METH_FASTCALL,
     "lazy_place(code, block, address, chunk_address, chunk_size, sites)"},
    {"lazy_osr", (PyCFunction)(void (*)(void))core_lazy_osr, METH_FASTCALL,
     "lazy_osr(code, [(jump_unit, block, unit, depth, bound_low, bound_high, empty_low, empty_high), ...])"},
    {"set_osr", core_set_osr, METH_O, "set_osr(ticks): OSR after this many ms of interpretation; 0: off"},
    {"osr_stop", core_osr_stop, METH_NOARGS, "stop the OSR watchdog thread (at exit)"},
    {"osr_counters", core_osr_counters, METH_NOARGS, "on-stack replacement counters"},
    {"lazy_info", core_lazy_info, METH_O, "lazy_info(code) -> dict or None"},
    {"lazy_plan", (PyCFunction)(void (*)(void))core_lazy_plan, METH_FASTCALL,
     "lazy_plan(code, plan): what placing its blocks in C needs (bjit_lazy_place.c)"},
    {"lazy_place_setup", core_lazy_place_setup, METH_O,
     "lazy_place_setup(None or (templates, runtime, snippets, attr_masks, method_mask, prefill_kinds))"},
    {"lazy_place_dry", (PyCFunction)(void (*)(void))core_lazy_place_dry, METH_FASTCALL,
     "lazy_place_dry(code, block) -> what bjit_lazy_place.c would place, or None"},
    {"compile_in_c", core_compile_in_c, METH_O, "compile_in_c(code) -> (address, size) or None (bjit_plan.c)"},
    {"plan_setup", core_plan_setup, METH_O, "plan_setup(tables) (bjit_plan.c)"},
    {"compile_block_now", (PyCFunction)(void (*)(void))core_compile_block_now, METH_FASTCALL,
     "compile_block_now(code, block) -> bool: compile a block as machine code reaching it would"},
    {"plan_dry", core_plan_dry, METH_O, "plan_dry(code) -> the plan bjit_plan.c builds, or None"},
    {"plan_window", (PyCFunction)(void (*)(void))core_plan_window, METH_FASTCALL,
     "plan_window(op, arg) -> (pops, pushes) or None (bjit_plan.c)"},
    {"lazy_place_counters", core_lazy_place_counters, METH_NOARGS, "blocks placed in C, and why others were not"},
    {"lazy_place_seconds", core_lazy_place_seconds, METH_NOARGS,
     "seconds spent placing blocks in C (not heads: they are part of a compile the driver times)"},
    {"alloc_jit_data", (PyCFunction)(void (*)(void))core_alloc_jit_data, METH_FASTCALL,
     "alloc_jit_data(code, nbytes) -> address"},
    {"bjit_symbols", core_bjit_symbols, METH_NOARGS, "op helper addresses for machine code"},
    {"bjit_layout", core_bjit_layout, METH_NOARGS, "struct offsets and addresses for machine code"},
    {"bjit_counters", core_bjit_counters, METH_NOARGS, "tier-1 exits and hand-backs"},
    {"ic_set_template", (PyCFunction)(void (*)(void))core_ic_set_template, METH_FASTCALL,
     "ic_set_template(tpl, code, holes): an executable inline-cache slot template"},
    {"ic_enable", core_ic_enable, METH_O, "ic_enable(flag): executable inline-cache slots on or off"},
    {"ic_describe", core_ic_describe, METH_O, "ic_describe(code) -> the executable inline caches of its sites"},
    {"attr_site", core_attr_site, METH_O, "attr_site(address) -> an attribute site's cache entries"},
    {"attr_site_prefill", (PyCFunction)(void (*)(void))core_attr_site_prefill, METH_FASTCALL,
     "attr_site_prefill(address, kind, type_version, index): a first entry from CPython's quickened cache"},
    {"attr_site_set_inline", (PyCFunction)(void (*)(void))core_attr_site_set_inline, METH_FASTCALL,
     "attr_site_set_inline(address, mask): the kinds a site checks inline"},
    {"count_instructions", core_count_instructions, METH_NOARGS, "start counting executed instructions"},
    {"arena_force_flip_mode", core_arena_force_flip_mode, METH_NOARGS, "tests: mprotect-flip mode"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "accel._core", "accel's C runtime (built by cffi from csrc/)", -1, core_methods,
};

static int
add_int(PyObject *m, const char *name, long value)
{
    return PyModule_AddIntConstant(m, name, value);
}

int
accel_shim_attach(void)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    int rc = -1;
    PyObject *m = NULL;
    if (accel_code_state_init() < 0 || accel_arena_init() < 0 || accel_osr_init(NULL) < 0)
        goto done;
    m = PyModule_Create(&core_module);
    if (m == NULL)
        goto done;
    if (add_int(m, "CS_INCLUDED", ACCEL_CS_INCLUDED) || add_int(m, "CS_EXCLUDED", ACCEL_CS_EXCLUDED)
        || add_int(m, "CS_COMPILING", ACCEL_CS_COMPILING) || add_int(m, "CS_FAILED", ACCEL_CS_FAILED)
        || add_int(m, "CS_COMPILED", ACCEL_CS_COMPILED))
        goto done;
    PyObject *modules = PyImport_GetModuleDict();
    if (PyDict_SetItemString(modules, "accel._core", m) < 0)
        goto done;
    rc = 0;
done:
    if (rc < 0)
        PyErr_Print();
    Py_XDECREF(m);
    PyGILState_Release(gil);
    return rc;
}
