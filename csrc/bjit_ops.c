/* bjit_ops.c -- generic implementations of bytecode instructions, called from tier-1 machine code.
 *
 * Each helper does what CPython 3.11's interpreter does for one instruction on the frame's own value stack
 * (read ceval.c for the reference semantics; this is our own code): it gets the stack pointer and returns the
 * new one.  On an error it sets the exception, writes frame->stacktop to exactly the depth the interpreter's
 * error path would see after that instruction failed (so the interpreter can unwind it: it pops and releases
 * what is there, a NULL included), and returns NULL.  Where CPython raises with a message built by ceval's
 * private helpers (NameError suggestions, unbound locals, unpacking counts), or for a rare shape of operand,
 * the helper checks *before* touching anything and returns ACCEL_HANDBACK: the interpreter then runs the
 * instruction itself, so messages and side effects are CPython's own.
 *
 * Inline caches (a later layer) put fast paths in front of these; they stay the always-correct slow path.
 */
#include "bjit.h"
#include "internal/pycore_ceval.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_list.h"
#include "opcode.h"

typedef PyObject **(*op_fn)(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);

#define ERROR_AT(sp_) (_PyFrame_SetStackPointer(f, (sp_)), (PyObject **)NULL)
#define NAMES(f) ((f)->f_code->co_names)
#define CONSTS(f) ((f)->f_code->co_consts)

/* ---- globals and attributes ---- */

typedef accel_load_global_cache load_global_cache;  /* (bjit.h) */

/* The value of entry `ix` of a combined str-keyed dict when its key is `name` (the same object), else NULL.  A dict
 * holds one entry per key, so this is the name's current value in that dict (deleting a name empties its entry;
 * adding it again appends a new one). */
static inline PyObject *
entry_value(PyDictObject *d, PyObject *name, Py_ssize_t ix)
{
    PyDictKeysObject *keys = d->ma_keys;
    if (ix < 0 || ix >= keys->dk_nentries || d->ma_values != NULL || !DK_IS_UNICODE(keys))
        return NULL;
    PyDictUnicodeEntry *e = &DK_UNICODE_ENTRIES(keys)[ix];
    return e->me_key == name ? e->me_value : NULL;
}

static Py_ssize_t
entry_index(PyDictObject *d, PyObject *name)
{
    PyDictKeysObject *keys = d->ma_keys;
    if (d->ma_values != NULL || !DK_IS_UNICODE(keys))
        return -1;
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++)
        if (entries[i].me_key == name)
            return i;
    return -1;
}

PyObject **
accel_op_load_global(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg,
                     load_global_cache *cache)
{
    PyDictObject *globals = (PyDictObject *)f->f_globals, *builtins = (PyDictObject *)f->f_builtins;
    PyObject *name = PyTuple_GET_ITEM(NAMES(f), oparg >> 1);
    if (cache->value != NULL && cache->globals == globals && cache->builtins == builtins) {
        PyObject *v = NULL;
        if (globals->ma_version_tag == cache->globals_version && builtins->ma_version_tag == cache->builtins_version)
            v = cache->value;
        else if (!cache->in_builtins)
            v = entry_value(globals, name, cache->index);
        else if (globals->ma_version_tag == cache->globals_version
                 || (cache->globals_keys_version != 0 && globals->ma_keys->dk_version == cache->globals_keys_version)
                 || (PyUnicode_CheckExact(name) && ((PyASCIIObject *)name)->hash != -1
                     && _PyDict_GetItem_KnownHash((PyObject *)globals, name, ((PyASCIIObject *)name)->hash) == NULL
                     && !PyErr_Occurred()))
            v = entry_value(builtins, name, cache->index);
        if (v != NULL) {
            if (cache->in_builtins)  /* (absent from globals now, whichever way that was known) */
                cache->globals_keys_version = globals->ma_keys->dk_version;
            cache->value = v;
            cache->globals_version = globals->ma_version_tag;
            cache->builtins_version = builtins->ma_version_tag;
            cache->module_version = cache->in_builtins ? 0 : globals->ma_version_tag;
            Py_INCREF(v);
            if (oparg & 1)
                *sp++ = NULL;
            *sp++ = v;
            return sp;
        }
        if (PyErr_Occurred())
            return ERROR_AT(sp);
    }
    if (!PyDict_CheckExact(f->f_globals) || !PyDict_CheckExact(f->f_builtins))
        return ACCEL_HANDBACK;
    Py_hash_t hash = ((PyASCIIObject *)name)->hash;
    if (hash == -1 && (hash = PyObject_Hash(name)) == -1)
        return ERROR_AT(sp);
    int in_builtins = 0;
    PyObject *v = _PyDict_GetItem_KnownHash(f->f_globals, name, hash);
    if (v == NULL) {
        if (PyErr_Occurred())
            return ERROR_AT(sp);
        v = _PyDict_GetItem_KnownHash(f->f_builtins, name, hash);
        if (v == NULL)
            return PyErr_Occurred() ? ERROR_AT(sp) : ACCEL_HANDBACK;  /* NameError: the interpreter's words */
        in_builtins = 1;
    }
    /* (the lookup may have run __eq__ of a key, which could change the dicts: take the versions now) */
    cache->in_builtins = in_builtins;
    cache->name = name;
    cache->globals_keys_version = in_builtins ? globals->ma_keys->dk_version : 0;
    cache->index = entry_index(in_builtins ? builtins : globals, name);
    cache->value = v;
    cache->globals = globals;
    cache->builtins = builtins;
    cache->globals_version = globals->ma_version_tag;
    cache->builtins_version = builtins->ma_version_tag;
    cache->module_version = in_builtins ? 0 : globals->ma_version_tag;
    Py_INCREF(v);
    if (oparg & 1)
        *sp++ = NULL;
    *sp++ = v;
    return sp;
}

/* LOAD_NAME with a cache: in a module body (the frame's locals are its globals) the lookup is LOAD_GLOBAL's --
 * locals, then globals (the same dict), then builtins -- so it is LOAD_GLOBAL's, cache and all, which survives
 * the module storing its globals all the time (its loop's variables).  Anywhere else (a class body, exec with
 * other locals), the plain lookup. */
PyObject **
accel_op_load_name_cached(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg,
                          load_global_cache *cache)
{
    if (f->f_locals == f->f_globals)
        return accel_op_load_global(ts, f, sp, oparg << 1, cache);
    return accel_op_load_name(ts, f, sp, oparg);
}

PyObject **
accel_op_store_global(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *name = PyTuple_GET_ITEM(NAMES(f), oparg);
    PyObject *v = *--sp;
    int err = PyDict_SetItem(f->f_globals, name, v);
    Py_DECREF(v);
    return err ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_delete_attr(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *owner = *--sp;
    int err = PyObject_SetAttr(owner, PyTuple_GET_ITEM(NAMES(f), oparg), NULL);
    Py_DECREF(owner);
    return err ? ERROR_AT(sp) : sp;
}
/* CALL is in bjit_entry.c, beside the direct calls it makes. */

PyObject **
accel_op_is_op(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *right = sp[-1], *left = sp[-2];
    PyObject *b = ((left == right) ^ (int)oparg) ? Py_True : Py_False;
    Py_INCREF(b);
    sp[-2] = b;
    Py_DECREF(left);
    Py_DECREF(right);
    return sp - 1;
}

PyObject **
accel_op_contains_op(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *right = sp[-1], *left = sp[-2];
    sp -= 2;
    PyObject *args[2] = {right, left}, *found;
    int res;
    if (accel_call_dunder_direct(ts, ACCEL_DUNDER_CONTAINS, args, &found)) {
        res = found == NULL ? -1 : PyObject_IsTrue(found);  /* (as slot_sq_contains) */
        Py_XDECREF(found);
    }
    else
        res = PySequence_Contains(right, left);
    Py_DECREF(left);
    Py_DECREF(right);
    if (res < 0)
        return ERROR_AT(sp);
    PyObject *b = (res ^ (int)oparg) ? Py_True : Py_False;
    Py_INCREF(b);
    *sp++ = b;
    return sp;
}

static PyObject **
unary(PyObject *(*fn)(PyObject *), _PyInterpreterFrame *f, PyObject **sp)
{
    PyObject *value = sp[-1];
    PyObject *res = fn(value);
    Py_DECREF(value);
    sp[-1] = res;
    return res == NULL ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_unary_negative(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    return unary(PyNumber_Negative, f, sp);
}

PyObject **
accel_op_unary_positive(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    return unary(PyNumber_Positive, f, sp);
}

PyObject **
accel_op_unary_invert(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    return unary(PyNumber_Invert, f, sp);
}

PyObject **
accel_op_unary_not(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *value = sp[-1];
    int err = PyObject_IsTrue(value);
    Py_DECREF(value);
    if (err < 0)
        return ERROR_AT(sp - 1);
    sp[-1] = Py_NewRef(err ? Py_False : Py_True);
    return sp;
}

/* Truth of the top of the stack: 1/0, or -1 with an exception.  pop: the value is popped and released
 * whatever the outcome (POP_JUMP_*); otherwise it stays (JUMP_IF_*_OR_POP, which pops it itself). */
int
accel_op_truth(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t pop)
{
    PyObject *cond = sp[-1];
    int res = cond == Py_True ? 1 : cond == Py_False ? 0 : PyObject_IsTrue(cond);
    if (pop)
        Py_DECREF(cond);
    if (res < 0)
        _PyFrame_SetStackPointer(f, pop ? sp - 1 : sp);
    return res;
}

/* ---- subscripts ---- */

PyObject **
accel_op_delete_subscr(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    sp -= 2;
    int err = PyObject_DelItem(container, sub);
    Py_DECREF(container);
    Py_DECREF(sub);
    return err ? ERROR_AT(sp) : sp;
}

/* ---- building containers ---- */

PyObject **
accel_op_build_tuple(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *tup = PyTuple_New(oparg);
    if (tup == NULL)
        return ERROR_AT(sp);
    sp -= oparg;
    for (intptr_t i = 0; i < oparg; i++)
        PyTuple_SET_ITEM(tup, i, sp[i]);
    *sp++ = tup;
    return sp;
}

PyObject **
accel_op_build_list(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *list = PyList_New(oparg);
    if (list == NULL)
        return ERROR_AT(sp);
    sp -= oparg;
    for (intptr_t i = 0; i < oparg; i++)
        PyList_SET_ITEM(list, i, sp[i]);
    *sp++ = list;
    return sp;
}

PyObject **
accel_op_build_set(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *set = PySet_New(NULL);
    if (set == NULL)
        return ERROR_AT(sp);
    int err = 0;
    for (intptr_t i = oparg; i > 0; i--) {
        PyObject *item = sp[-i];
        if (err == 0)
            err = PySet_Add(set, item);
        Py_DECREF(item);
    }
    sp -= oparg;
    if (err) {
        Py_DECREF(set);
        return ERROR_AT(sp);
    }
    *sp++ = set;
    return sp;
}

/* [k1, v1, ..., kn, vn] -> [dict] */
PyObject **
accel_op_build_map(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *map = _PyDict_NewPresized(oparg);
    if (map == NULL)
        return ERROR_AT(sp);
    PyObject **items = sp - 2 * oparg;
    for (intptr_t i = 0; i < oparg; i++) {
        if (PyDict_SetItem(map, items[2 * i], items[2 * i + 1]) < 0) {
            Py_DECREF(map);
            return ERROR_AT(sp);
        }
    }
    for (intptr_t i = 0; i < 2 * oparg; i++)
        Py_DECREF(items[i]);
    sp = items;
    *sp++ = map;
    return sp;
}

/* [v1, ..., vn, keys_tuple] -> [dict] */
PyObject **
accel_op_build_const_key_map(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *keys = sp[-1];
    if (!PyTuple_CheckExact(keys) || PyTuple_GET_SIZE(keys) != oparg)
        return ACCEL_HANDBACK;
    PyObject *map = _PyDict_NewPresized(oparg);
    if (map == NULL)
        return ERROR_AT(sp);
    PyObject **values = sp - 1 - oparg;
    for (intptr_t i = 0; i < oparg; i++) {
        if (PyDict_SetItem(map, PyTuple_GET_ITEM(keys, i), values[i]) < 0) {
            Py_DECREF(map);
            return ERROR_AT(sp);
        }
    }
    Py_DECREF(keys);
    for (intptr_t i = 0; i < oparg; i++)
        Py_DECREF(values[i]);
    sp = values;
    *sp++ = map;
    return sp;
}

PyObject **
accel_op_build_slice(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *step = oparg == 3 ? *--sp : NULL;
    PyObject *stop = *--sp;
    PyObject *start = sp[-1];
    PyObject *slice = PySlice_New(start, stop, step);
    Py_DECREF(start);
    Py_DECREF(stop);
    Py_XDECREF(step);
    sp[-1] = slice;
    return slice == NULL ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_build_string(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    static PyObject *empty = NULL;
    if (empty == NULL && (empty = PyUnicode_FromString("")) == NULL)
        return ERROR_AT(sp);
    PyObject *str = _PyUnicode_JoinArray(empty, sp - oparg, oparg);
    if (str == NULL)
        return ERROR_AT(sp);
    for (intptr_t i = 1; i <= oparg; i++)
        Py_DECREF(sp[-i]);
    sp -= oparg;
    *sp++ = str;
    return sp;
}

PyObject **
accel_op_list_append(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *v = *--sp;
    PyObject *list = sp[-oparg];
    int err = PyList_Append(list, v);
    Py_DECREF(v);
    return err ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_set_add(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *v = *--sp;
    int err = PySet_Add(sp[-oparg], v);
    Py_DECREF(v);
    return err ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_map_add(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *value = sp[-1], *key = sp[-2];
    sp -= 2;
    int err = PyDict_SetItem(sp[-oparg], key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    return err ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_list_extend(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *iterable = sp[-1];
    if (Py_TYPE(iterable)->tp_iter == NULL && !PySequence_Check(iterable))
        return ACCEL_HANDBACK;  /* "Value after * must be an iterable": the interpreter's message */
    PyObject *list = sp[-1 - oparg];
    PyObject *none = _PyList_Extend((PyListObject *)list, iterable);
    sp -= 1;
    Py_DECREF(iterable);
    if (none == NULL)
        return ERROR_AT(sp);
    Py_DECREF(none);
    return sp;
}

PyObject **
accel_op_list_to_tuple(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *list = sp[-1];
    PyObject *tuple = PyList_AsTuple(list);
    Py_DECREF(list);
    if (tuple == NULL)
        return ERROR_AT(sp - 1);
    sp[-1] = tuple;
    return sp;
}

/* UNPACK_SEQUENCE for exact tuples and lists of the right length; anything else (iterators, errors with
 * CPython's exact counts) goes to the interpreter. */
/* UNPACK_SEQUENCE of any iterable: an exact tuple or list of the right size straight, anything else through its
 * iterator as ceval's unpack_iterable does (the same errors: "cannot unpack non-iterable ...", "not enough values to
 * unpack (expected n, got k)", "too many values to unpack (expected n)"); the items land from the top down. */
PyObject **
accel_op_unpack_sequence(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *seq = sp[-1];
    PyObject **items = NULL;
    if (PyTuple_CheckExact(seq) && PyTuple_GET_SIZE(seq) == oparg)
        items = _PyTuple_ITEMS(seq);
    else if (PyList_CheckExact(seq) && PyList_GET_SIZE(seq) == oparg)
        items = ((PyListObject *)seq)->ob_item;
    sp -= 1;
    if (items != NULL) {
        for (intptr_t i = oparg - 1; i >= 0; i--)
            *sp++ = Py_NewRef(items[i]);
        Py_DECREF(seq);
        return sp;
    }
    PyObject *it = PyObject_GetIter(seq);
    if (it == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError) && Py_TYPE(seq)->tp_iter == NULL && !PySequence_Check(seq))
            PyErr_Format(PyExc_TypeError, "cannot unpack non-iterable %.200s object", Py_TYPE(seq)->tp_name);
        Py_DECREF(seq);
        return ERROR_AT(sp);
    }
    PyObject **top = sp + oparg;
    intptr_t got = 0;
    for (; got < oparg; got++) {
        PyObject *w = PyIter_Next(it);
        if (w == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected %d, got %d)", (int)oparg,
                             (int)got);
            goto error;
        }
        top[-1 - got] = w;
    }
    PyObject *extra = PyIter_Next(it);
    if (extra == NULL && !PyErr_Occurred()) {
        Py_DECREF(it);
        Py_DECREF(seq);
        return top;
    }
    if (extra != NULL) {
        Py_DECREF(extra);
        PyErr_Format(PyExc_ValueError, "too many values to unpack (expected %d)", (int)oparg);
    }
error:
    for (intptr_t k = 0; k < got; k++)
        Py_DECREF(top[-1 - k]);
    Py_DECREF(it);
    Py_DECREF(seq);
    return ERROR_AT(sp);
}

/* ---- iteration ---- */

PyObject **
accel_op_get_iter(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *iterable = sp[-1];
    PyObject *iter = PyObject_GetIter(iterable);
    Py_DECREF(iterable);
    sp[-1] = iter;
    return iter == NULL ? ERROR_AT(sp) : sp;
}

/* FOR_ITER: returns sp + 1 with the next value pushed, or sp - 1 with the exhausted iterator popped. */
int
accel_iterators_known(void)
{
    return PyListIter_Type.tp_basicsize == sizeof(accel_listiter)
           && PyRangeIter_Type.tp_basicsize == sizeof(accel_rangeiter);
}

PyObject **
accel_op_for_iter(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *iter = sp[-1], *next;
    if (Py_TYPE(iter) == &PyRangeIter_Type && accel_iterators_known()) {
        /* as ceval's FOR_ITER_RANGE (without its in-place reuse of the loop variable's int) */
        accel_rangeiter *r = (accel_rangeiter *)iter;
        if (r->index < r->len) {
            next = PyLong_FromLong((long)(r->start + (unsigned long)(r->index++) * r->step));
            if (next == NULL)
                return ERROR_AT(sp);
            *sp++ = next;
            return sp;
        }
        Py_DECREF(iter);
        return sp - 1;
    }
    if (Py_TYPE(iter) == &PyGen_Type) {
        int status = accel_gen_send(ts, iter, NULL, &next);
        if (status == PYGEN_NEXT) {
            *sp++ = next;
            return sp;
        }
        if (status == PYGEN_RETURN) {  /* the StopIteration ending the loop would be cleared at once */
            Py_XDECREF(next);
            Py_DECREF(iter);
            return sp - 1;
        }
        if (status == PYGEN_ERROR)
            return ERROR_AT(sp);
    }
    next = (*Py_TYPE(iter)->tp_iternext)(iter);
    if (next != NULL) {
        *sp++ = next;
        return sp;
    }
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_StopIteration))
            return ERROR_AT(sp);
        PyErr_Clear();
    }
    Py_DECREF(iter);
    return sp - 1;
}

/* ---- cells, functions, formatting ---- */

PyObject **
accel_op_load_deref(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *value = PyCell_GET(f->localsplus[oparg]);
    if (value == NULL)
        return ACCEL_HANDBACK;  /* unbound: the interpreter's NameError/UnboundLocalError */
    *sp++ = Py_NewRef(value);
    return sp;
}

PyObject **
accel_op_store_deref(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *v = *--sp;
    PyObject *cell = f->localsplus[oparg];
    PyObject *old = PyCell_GET(cell);
    PyCell_SET(cell, v);
    Py_XDECREF(old);
    return sp;
}

PyObject **
accel_op_make_cell(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *initial = f->localsplus[oparg];
    PyObject *cell = PyCell_New(initial);
    if (cell == NULL)
        return ERROR_AT(sp);
    f->localsplus[oparg] = cell;
    Py_XDECREF(initial);
    return sp;
}

PyObject **
accel_op_copy_free_vars(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *closure = f->f_func->func_closure;
    int offset = f->f_code->co_nlocalsplus - (int)oparg;
    for (intptr_t i = 0; i < oparg; i++)
        f->localsplus[offset + i] = Py_NewRef(PyTuple_GET_ITEM(closure, i));
    return sp;
}

PyObject **
accel_op_make_function(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *codeobj = *--sp;
    PyFunctionObject *func = (PyFunctionObject *)PyFunction_New(codeobj, f->f_globals);
    Py_DECREF(codeobj);
    if (func == NULL)
        return ERROR_AT(sp);
    if (oparg & 0x08)
        func->func_closure = *--sp;
    if (oparg & 0x04)
        func->func_annotations = *--sp;
    if (oparg & 0x02)
        func->func_kwdefaults = *--sp;
    if (oparg & 0x01)
        func->func_defaults = *--sp;
    *sp++ = (PyObject *)func;
    return sp;
}

PyObject **
accel_op_format_value(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    int have_spec = (oparg & FVS_MASK) == FVS_HAVE_SPEC;
    PyObject *(*conv)(PyObject *);
    switch (oparg & FVC_MASK) {
    case FVC_NONE: conv = NULL; break;
    case FVC_STR: conv = PyObject_Str; break;
    case FVC_REPR: conv = PyObject_Repr; break;
    case FVC_ASCII: conv = PyObject_ASCII; break;
    default: return ACCEL_HANDBACK;
    }
    PyObject *spec = have_spec ? *--sp : NULL;
    PyObject *value = *--sp;
    if (conv != NULL) {
        PyObject *converted = conv(value);
        Py_DECREF(value);
        if (converted == NULL) {
            Py_XDECREF(spec);
            return ERROR_AT(sp);
        }
        value = converted;
    }
    PyObject *result;
    if (PyUnicode_CheckExact(value) && spec == NULL) {
        result = value;
    }
    else {
        result = PyObject_Format(value, spec);
        Py_DECREF(value);
        Py_XDECREF(spec);
        if (result == NULL)
            return ERROR_AT(sp);
    }
    *sp++ = result;
    return sp;
}

PyObject **
accel_op_load_assertion_error(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    *sp++ = Py_NewRef(PyExc_AssertionError);
    return sp;
}

/* ---- the symbol table the code generator binds calls with ---- */

#define SYM(name) {#name, (void *)accel_op_##name}
const accel_symbol accel_bjit_symbols[] = {
    SYM(load_global), SYM(store_global), SYM(load_attr_cached), SYM(store_attr_cached), SYM(delete_attr),
    SYM(load_method_cached),
    SYM(call), SYM(call_py), SYM(call_exact), SYM(call_c), SYM(call_function_ex), SYM(binary_op), SYM(compare_op), SYM(is_op),
    SYM(contains_op), SYM(unary_negative), SYM(unary_positive), SYM(unary_invert), SYM(unary_not), SYM(truth),
    SYM(binary_subscr), SYM(store_subscr), SYM(delete_subscr), SYM(build_tuple), SYM(build_list),
    SYM(build_set), SYM(build_map), SYM(build_const_key_map), SYM(build_slice), SYM(build_string),
    SYM(list_append), SYM(set_add), SYM(map_add), SYM(list_extend), SYM(list_to_tuple), SYM(unpack_sequence),
    SYM(get_iter), SYM(for_iter), SYM(load_deref), SYM(store_deref), SYM(make_cell), SYM(copy_free_vars),
    SYM(make_function), SYM(format_value), SYM(load_assertion_error), SYM(before_with), SYM(dict_update),
    SYM(dict_merge), SYM(import_name), SYM(import_from), SYM(set_update), SYM(raise_varargs), SYM(reraise),
    SYM(reraise_handled), SYM(push_exc_info), SYM(pop_except), SYM(check_exc_match), SYM(with_except_start),
    SYM(load_build_class), SYM(load_name_cached), SYM(store_name), SYM(delete_name),
    SYM(get_yield_from_iter), SYM(send), SYM(get_awaitable),
    {"handle_pending", (void *)accel_bjit_handle_pending},
    {"load_global_cache_size", (void *)sizeof(load_global_cache)},
    {"attr_cache_size", (void *)(ACCEL_ATTR_WAYS * sizeof(accel_attr_cache) + sizeof(accel_attr_site_ic))},
    {"call_cache_size", (void *)sizeof(accel_call_cache)},
    {"_Py_Dealloc", (void *)_Py_Dealloc},
    {"unicode_equal", (void *)_PyUnicode_Equal},  /* (a leaf: two exact strs, no exception) */
    {NULL, NULL},
};
