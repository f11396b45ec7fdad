/* bjit_blocks.c -- tier-1 helpers for statement-level instructions: `with` entry, imports, ** merges, the
 * argument conversion of f(*iterable), the class statement's LOAD_BUILD_CLASS, and the name instructions of
 * module and class bodies (LOAD_NAME, STORE_NAME, DELETE_NAME: tier 1 compiles those bodies when a loop in them
 * gets hot, osr.c).
 *
 * Same contract as bjit_ops.c (see its header): each follows CPython 3.11's ceval.c for the instruction, leaves
 * the value stack as ceval's error path expects when it fails, and returns ACCEL_HANDBACK -- before touching
 * anything -- in the cases where CPython's own error message comes from a private helper of ceval.c
 * (format_kwargs_error, check_args_iterable, the "does not support the context manager protocol" message).
 */
#include "bjit.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_object.h"
#include "opcode.h"

#define ERROR_AT(sp_) (_PyFrame_SetStackPointer(f, (sp_)), (PyObject **)NULL)

/* BEFORE_WITH: [mgr] -> [mgr.__exit__, mgr.__enter__()] */
PyObject **
accel_op_before_with(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    static PyObject *enter_name, *exit_name;
    if (enter_name == NULL && ((enter_name = PyUnicode_InternFromString("__enter__")) == NULL
                               || (exit_name = PyUnicode_InternFromString("__exit__")) == NULL))
        return ERROR_AT(sp);
    PyObject *mgr = sp[-1];
    PyObject *enter = _PyObject_LookupSpecial(mgr, enter_name);
    if (enter == NULL)
        return PyErr_Occurred() ? ERROR_AT(sp) : ACCEL_HANDBACK;
    PyObject *exit = _PyObject_LookupSpecial(mgr, exit_name);
    if (exit == NULL) {
        Py_DECREF(enter);
        return PyErr_Occurred() ? ERROR_AT(sp) : ACCEL_HANDBACK;
    }
    sp[-1] = exit;
    Py_DECREF(mgr);
    PyObject *res = PyObject_CallNoArgs(enter);
    Py_DECREF(enter);
    if (res == NULL)
        return ERROR_AT(sp);
    *sp++ = res;
    return sp;
}

/* DICT_UPDATE ({**a}): [dict, ..., update] -> [dict, ...] */
PyObject **
accel_op_dict_update(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *update = *--sp;
    PyObject *dict = sp[-oparg];
    if (PyDict_Update(dict, update) < 0) {
        if (PyErr_ExceptionMatches(PyExc_AttributeError))
            PyErr_Format(PyExc_TypeError, "'%.200s' object is not a mapping", Py_TYPE(update)->tp_name);
        Py_DECREF(update);
        return ERROR_AT(sp);
    }
    Py_DECREF(update);
    return sp;
}

/* DICT_MERGE (f(**a)): as DICT_UPDATE, but a repeated or non-string keyword is an error whose message
 * (naming the function) ceval formats itself: anything but a dict of new string keys goes to the interpreter. */
PyObject **
accel_op_dict_merge(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *update = sp[-1];
    PyObject *dict = sp[-1 - oparg];
    if (!PyDict_CheckExact(update) || !PyDict_CheckExact(dict))
        return ACCEL_HANDBACK;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(update, &pos, &key, &value)) {
        if (!PyUnicode_Check(key))
            return ACCEL_HANDBACK;
        int present = PyDict_Contains(dict, key);
        if (present != 0)
            return present < 0 ? ERROR_AT(sp) : ACCEL_HANDBACK;
    }
    sp--;
    int err = PyDict_Update(dict, update);  /* (can only fail for lack of memory now) */
    Py_DECREF(update);
    return err < 0 ? ERROR_AT(sp) : sp;
}

/* IMPORT_NAME: [level, fromlist] -> [module], through builtins.__import__ as ceval's import_name() does. */
PyObject **
accel_op_import_name(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    static PyObject *import_str;
    if (import_str == NULL && (import_str = PyUnicode_InternFromString("__import__")) == NULL)
        return ERROR_AT(sp);
    PyObject *name = PyTuple_GET_ITEM(f->f_code->co_names, oparg);
    PyObject *fromlist = sp[-1], *level = sp[-2];
    if (!PyDict_CheckExact(f->f_builtins))
        return ACCEL_HANDBACK;
    PyObject *import_func = PyDict_GetItemWithError(f->f_builtins, import_str);
    if (import_func == NULL)
        return PyErr_Occurred() ? ERROR_AT(sp) : ACCEL_HANDBACK;  /* "__import__ not found": the interpreter's */
    PyObject *locals = f->f_locals == NULL ? Py_None : f->f_locals;
    PyObject *res;
    Py_INCREF(import_func);
    if (import_func == ts->interp->import_func) {
        int ilevel = _PyLong_AsInt(level);
        res = ilevel == -1 && PyErr_Occurred()
                  ? NULL
                  : PyImport_ImportModuleLevelObject(name, f->f_globals, locals, fromlist, ilevel);
    }
    else {
        PyObject *args[5] = {name, f->f_globals, locals, fromlist, level};
        res = PyObject_Vectorcall(import_func, args, 5, NULL);
    }
    Py_DECREF(import_func);
    Py_DECREF(level);
    Py_DECREF(fromlist);
    sp -= 1;
    sp[-1] = res;
    return res == NULL ? ERROR_AT(sp) : sp;
}

/* The spec says the module is still being initialised (importlib's ModuleSpec._initializing), as CPython's
 * _PyModuleSpec_IsInitializing reads it; errors read as no. */
static int
spec_is_initializing(PyObject *spec)
{
    if (spec == NULL)
        return 0;
    PyObject *value = PyObject_GetAttrString(spec, "_initializing");
    int yes = value != NULL && PyObject_IsTrue(value) == 1;
    Py_XDECREF(value);
    PyErr_Clear();
    return yes;
}

/* IMPORT_FROM: [module] -> [module, module.name], as ceval's import_from(): the attribute, else (a circular
 * relative import) the submodule from sys.modules, else its ImportError, word for word. */
PyObject **
accel_op_import_from(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *name = PyTuple_GET_ITEM(f->f_code->co_names, oparg);
    PyObject *v = sp[-1], *x;
    if (_PyObject_LookupAttr(v, name, &x) != 0) {
        *sp++ = x;
        return x == NULL ? ERROR_AT(sp - 1) : sp;
    }
    PyObject *pkgname = PyObject_GetAttrString(v, "__name__");
    if (pkgname != NULL && !PyUnicode_Check(pkgname))
        Py_CLEAR(pkgname);
    if (pkgname != NULL) {
        PyObject *fullmodname = PyUnicode_FromFormat("%U.%U", pkgname, name);
        if (fullmodname == NULL) {
            Py_DECREF(pkgname);
            return ERROR_AT(sp);
        }
        x = PyImport_GetModule(fullmodname);
        Py_DECREF(fullmodname);
        if (x != NULL || PyErr_Occurred()) {
            Py_DECREF(pkgname);
            *sp++ = x;
            return x == NULL ? ERROR_AT(sp - 1) : sp;
        }
    }
    PyObject *pkgpath = PyModule_GetFilenameObject(v);
    PyObject *pkgname_or_unknown = pkgname != NULL ? Py_NewRef(pkgname) : PyUnicode_FromString("<unknown module name>");
    if (pkgname_or_unknown == NULL) {
        Py_XDECREF(pkgpath);
        Py_XDECREF(pkgname);
        return ERROR_AT(sp);
    }
    PyObject *errmsg;
    if (pkgpath == NULL || !PyUnicode_Check(pkgpath)) {
        PyErr_Clear();
        errmsg = PyUnicode_FromFormat("cannot import name %R from %R (unknown location)", name, pkgname_or_unknown);
        PyErr_SetImportError(errmsg, pkgname, NULL);
    }
    else {
        PyObject *spec = PyObject_GetAttrString(v, "__spec__");
        PyErr_Clear();
        const char *fmt = spec_is_initializing(spec)
                              ? "cannot import name %R from partially initialized module %R "
                                "(most likely due to a circular import) (%S)"
                              : "cannot import name %R from %R (%S)";
        Py_XDECREF(spec);
        errmsg = PyUnicode_FromFormat(fmt, name, pkgname_or_unknown, pkgpath);
        PyErr_SetImportError(errmsg, pkgname, pkgpath);
    }
    Py_XDECREF(errmsg);
    Py_DECREF(pkgname_or_unknown);
    Py_XDECREF(pkgname);
    Py_XDECREF(pkgpath);
    return ERROR_AT(sp);
}

/* RAISE_VARARGS 1 and 2 (`raise exc`, `raise exc from cause`), as ceval's do_raise(): always NULL, the exception
 * set, the stack without its operands -- then, as for ceval's `goto error`, the interpreter adds this frame's
 * traceback entry.  (A bare `raise` re-raises without one: the interpreter does that one.) */
PyObject **
accel_op_raise_varargs(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *cause = oparg == 2 ? sp[-1] : NULL;
    PyObject *exc = sp[-oparg];
    sp -= oparg;
    PyObject *type = NULL, *value = NULL;
    if (PyExceptionClass_Check(exc)) {
        type = exc;  /* (the stack's reference) */
        value = PyObject_CallNoArgs(exc);
        if (value == NULL)
            goto raise_error;
        if (!PyExceptionInstance_Check(value)) {
            PyErr_Format(PyExc_TypeError, "calling %R should have returned an instance of BaseException, not %R",
                         type, Py_TYPE(value));
            goto raise_error;
        }
    }
    else if (PyExceptionInstance_Check(exc)) {
        value = exc;  /* (the stack's reference) */
        type = Py_NewRef(PyExceptionInstance_Class(exc));
    }
    else {
        Py_DECREF(exc);
        PyErr_SetString(PyExc_TypeError, "exceptions must derive from BaseException");
        goto raise_error;
    }
    if (cause != NULL) {
        PyObject *fixed_cause;
        if (PyExceptionClass_Check(cause)) {
            fixed_cause = PyObject_CallNoArgs(cause);
            if (fixed_cause == NULL)
                goto raise_error;
            Py_DECREF(cause);
        }
        else if (PyExceptionInstance_Check(cause)) {
            fixed_cause = cause;
        }
        else if (Py_IsNone(cause)) {
            Py_DECREF(cause);
            fixed_cause = NULL;
        }
        else {
            PyErr_SetString(PyExc_TypeError, "exception causes must derive from BaseException");
            goto raise_error;
        }
        PyException_SetCause(value, fixed_cause);  /* (steals it) */
    }
    PyErr_SetObject(type, value);
    Py_DECREF(value);
    Py_DECREF(type);
    return ERROR_AT(sp);
raise_error:
    Py_XDECREF(value);
    Py_XDECREF(type);
    Py_XDECREF(cause);
    return ERROR_AT(sp);
}

/* SET_UPDATE: [set, ..., iterable] -> [set, ...] ({*a, *b}) */
PyObject **
accel_op_set_update(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *iterable = sp[-1];
    int err = _PySet_Update(sp[-1 - oparg], iterable);
    sp -= 1;
    Py_DECREF(iterable);
    return err < 0 ? ERROR_AT(sp) : sp;
}

/* LOAD_BUILD_CLASS: [] -> [builtins.__build_class__], NameError "__build_class__ not found" as ceval */
PyObject **
accel_op_load_build_class(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    static PyObject *name;
    if (name == NULL && (name = PyUnicode_InternFromString("__build_class__")) == NULL)
        return ERROR_AT(sp);
    PyObject *builtins = f->f_builtins, *bc;
    if (PyDict_CheckExact(builtins)) {
        bc = PyDict_GetItemWithError(builtins, name);
        if (bc == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_NameError, "__build_class__ not found");
            return ERROR_AT(sp);
        }
        Py_INCREF(bc);
    }
    else {
        bc = PyObject_GetItem(builtins, name);
        if (bc == NULL) {
            if (PyErr_ExceptionMatches(PyExc_KeyError))
                PyErr_SetString(PyExc_NameError, "__build_class__ not found");
            return ERROR_AT(sp);
        }
    }
    *sp++ = bc;
    return sp;
}
/* ceval's format_exc_check_arg for NameError: the message, and the name on the exception (for suggestions) */
static void
set_name_error(PyObject *name)
{
    static PyObject *name_attr;
    const char *text = PyUnicode_AsUTF8(name);
    if (text == NULL)
        return;
    PyErr_Format(PyExc_NameError, "name '%.200s' is not defined", text);
    if (name_attr == NULL && (name_attr = PyUnicode_InternFromString("name")) == NULL)
        return;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (PyErr_GivenExceptionMatches(value, PyExc_NameError) && ((PyNameErrorObject *)value)->name == NULL)
        (void)PyObject_SetAttr(value, name_attr, name);  /* (a failure is dropped: the NameError is restored) */
    PyErr_Restore(type, value, tb);
}

/* LOAD_NAME: [] -> [the name from the frame's locals (any mapping), else its globals, else its builtins] */
PyObject **
accel_op_load_name(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *name = PyTuple_GET_ITEM(f->f_code->co_names, oparg);
    PyObject *locals = f->f_locals, *v;
    if (locals == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals when loading %R", name);
        return ERROR_AT(sp);
    }
    if (PyDict_CheckExact(locals)) {
        v = Py_XNewRef(PyDict_GetItemWithError(locals, name));
        if (v == NULL && PyErr_Occurred())
            return ERROR_AT(sp);
    }
    else {
        v = PyObject_GetItem(locals, name);
        if (v == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError))
                return ERROR_AT(sp);
            PyErr_Clear();
        }
    }
    if (v == NULL) {
        v = Py_XNewRef(PyDict_GetItemWithError(f->f_globals, name));
        if (v == NULL && PyErr_Occurred())
            return ERROR_AT(sp);
    }
    if (v == NULL) {
        if (PyDict_CheckExact(f->f_builtins)) {
            v = Py_XNewRef(PyDict_GetItemWithError(f->f_builtins, name));
            if (v == NULL) {
                if (!PyErr_Occurred())
                    set_name_error(name);
                return ERROR_AT(sp);
            }
        }
        else {
            v = PyObject_GetItem(f->f_builtins, name);
            if (v == NULL) {
                if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                    PyErr_Clear();
                    set_name_error(name);
                }
                return ERROR_AT(sp);
            }
        }
    }
    *sp++ = v;
    return sp;
}

/* STORE_NAME: [value] -> [], into the frame's locals */
PyObject **
accel_op_store_name(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *name = PyTuple_GET_ITEM(f->f_code->co_names, oparg);
    PyObject *v = *--sp, *ns = f->f_locals;
    int err;
    if (ns == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals found when storing %R", name);
        Py_DECREF(v);
        return ERROR_AT(sp);
    }
    err = PyDict_CheckExact(ns) ? PyDict_SetItem(ns, name, v) : PyObject_SetItem(ns, name, v);
    Py_DECREF(v);
    return err != 0 ? ERROR_AT(sp) : sp;
}

/* DELETE_NAME: the name removed from the frame's locals; any failure becomes ceval's NameError */
PyObject **
accel_op_delete_name(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *name = PyTuple_GET_ITEM(f->f_code->co_names, oparg);
    PyObject *ns = f->f_locals;
    if (ns == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals when deleting %R", name);
        return ERROR_AT(sp);
    }
    if (PyObject_DelItem(ns, name) != 0) {
        set_name_error(name);
        return ERROR_AT(sp);
    }
    return sp;
}

/* CALL_FUNCTION_EX: [NULL, func, args(, kwargs_dict)] -> [result]; *args made a tuple first when it is not one */
PyObject **
accel_op_call_function_ex(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *kwargs = (oparg & 1) ? sp[-1] : NULL;
    PyObject **args_slot = &sp[-1 - (oparg & 1)];
    PyObject *func = sp[-2 - (oparg & 1)];
    if (kwargs != NULL && !PyDict_CheckExact(kwargs))
        return ACCEL_HANDBACK;  /* a mapping: the conversion's errors name the function (format_kwargs_error) */
    if (!PyTuple_CheckExact(*args_slot)) {
        PyObject *iterable = *args_slot;
        if (Py_TYPE(iterable)->tp_iter == NULL && !PySequence_Check(iterable))
            return ACCEL_HANDBACK;  /* "argument after * must be an iterable": the interpreter's words */
        PyObject *tuple = PySequence_Tuple(iterable);
        if (tuple == NULL)
            return ERROR_AT(sp);
        *args_slot = tuple;
        Py_DECREF(iterable);
    }
    PyObject *callargs = *args_slot;
    PyObject *result;
    if (!accel_call_ex_direct(ts, func, callargs, kwargs, &result))
        result = PyObject_Call(func, callargs, kwargs);
    Py_DECREF(func);
    Py_DECREF(callargs);
    Py_XDECREF(kwargs);
    sp -= 3 + (oparg & 1);
    *sp++ = result;
    return result == NULL ? ERROR_AT(sp) : sp;
}

/* ---- yield from / await ---- */

/* GET_YIELD_FROM_ITER: [iterable] -> [iterator] (a generator or coroutine stays itself) */
PyObject **
accel_op_get_yield_from_iter(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *iterable = sp[-1];
    if (PyCoro_CheckExact(iterable)) {
        if (!(f->f_code->co_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE)))
            return ACCEL_HANDBACK;  /* "cannot 'yield from' a coroutine object...": the interpreter's TypeError */
    }
    else if (!PyGen_CheckExact(iterable)) {
        PyObject *iter = PyObject_GetIter(iterable);
        Py_DECREF(iterable);
        sp[-1] = iter;
        if (iter == NULL)
            return ERROR_AT(sp);
    }
    return sp;
}

/* GET_AWAITABLE: [awaitable] -> [iterator], as ceval's _PyCoro_GetAwaitableIter and its "already awaited" check:
 * a coroutine object (its own iterator; a RuntimeError when it is suspended in an await of its own), a
 * generator-based coroutine (types.coroutine: asyncio.sleep(0)'s), an object whose type has __await__ (asyncio's
 * and tornado's futures...) -- __await__ called, its result checked with the same TypeErrors.  The messages of
 * objects that cannot be awaited (ceval's format_awaitable_error) are the interpreter's. */
PyObject **
accel_op_get_awaitable(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *awaitable = sp[-1];
    if (PyCoro_CheckExact(awaitable)) {
        /* itself -- unless it is suspended in an await of its own (ceval's _PyGen_yf: the instruction after the
         * one it stopped at is a RESUME with oparg >= 2, quickened or not), which is ceval's RuntimeError */
        PyGenObject *coro = (PyGenObject *)awaitable;
        if (coro->gi_frame_state == FRAME_CREATED || coro->gi_frame_state >= FRAME_CLEARED)
            return sp;
        _Py_CODEUNIT next = ((_PyInterpreterFrame *)coro->gi_iframe)->prev_instr[1];
        if ((_Py_OPCODE(next) != RESUME && _Py_OPCODE(next) != RESUME_QUICK) || _Py_OPARG(next) < 2)
            return sp;
        PyErr_SetString(PyExc_RuntimeError, "coroutine is being awaited already");
        sp[-1] = NULL;
        Py_DECREF(awaitable);
        return ERROR_AT(sp);
    }
    if (PyGen_CheckExact(awaitable))  /* a generator-based coroutine is its own iterator; others: ceval's error */
        return (((PyGenObject *)awaitable)->gi_code->co_flags & CO_ITERABLE_COROUTINE) ? sp : ACCEL_HANDBACK;
    PyTypeObject *type = Py_TYPE(awaitable);
    unaryfunc getter = type->tp_as_async != NULL ? type->tp_as_async->am_await : NULL;
    if (getter == NULL)
        return ACCEL_HANDBACK;
    PyObject *iter = getter(awaitable);
    if (iter != NULL) {
        if (PyCoro_CheckExact(iter) ||
                (PyGen_CheckExact(iter) && (((PyGenObject *)iter)->gi_code->co_flags & CO_ITERABLE_COROUTINE))) {
            PyErr_SetString(PyExc_TypeError, "__await__() returned a coroutine");
            Py_CLEAR(iter);
        }
        else if (!PyIter_Check(iter)) {
            PyErr_Format(PyExc_TypeError, "__await__() returned non-iterator of type '%.100s'",
                         Py_TYPE(iter)->tp_name);
            Py_CLEAR(iter);
        }
    }
    Py_DECREF(awaitable);
    sp[-1] = iter;  /* (NULL on an error, as ceval leaves it) */
    return iter == NULL ? ERROR_AT(sp) : sp;
}
