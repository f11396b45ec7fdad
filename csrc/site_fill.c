/* site_fill.c -- the analysis behind site_cache.c's entries: given an object the generic path just handled and an
 * attribute name, which case of its type (and its instance) the attribute was -- a split-dict value, a __slots__
 * member, a method the instance cannot shadow, a module global, a class attribute read through type_getattro or
 * super() (class_attrs.c) -- described as an entry whose guards make it hold exactly while the case does.
 * site_cache.c's top comment gives the guards; nothing here runs Python code.
 */
#include "site_cache.h"
#include "internal/pycore_moduleobject.h"
#include "structmember.h"


/* Index of `name` in a type's shared keys, or -1. */
static Py_ssize_t
shared_keys_index(PyDictKeysObject *keys, PyObject *name)
{
    if (keys == NULL || keys->dk_kind != DICT_KEYS_SPLIT)
        return -1;
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++)
        if (entries[i].me_key == name)
            return i;
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++)
        if (entries[i].me_key != NULL && _PyUnicode_Equal(entries[i].me_key, name))
            return i;
    return -1;
}


/* The type's version tag after a lookup of `name` (which assigns one), or 0 when it has none -- or when what
 * the lookup found is an instance of a mutable class: that class may gain or lose __get__/__set__ later (turning
 * a plain class attribute into a data descriptor that beats the instance dict) without any change to `tp`'s
 * version, so nothing about it can be cached (as specialize.c's analyze_descriptor: MUTABLE). */
static uint32_t
type_lookup(PyTypeObject *tp, PyObject *name, PyObject **descr)
{
    if (!PyUnicode_CheckExact(name))
        return 0;
    *descr = _PyType_Lookup(tp, name);
    if (!PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG))
        return 0;
    if (*descr != NULL && !PyType_HasFeature(Py_TYPE(*descr), Py_TPFLAGS_IMMUTABLETYPE))
        return 0;
    return tp->tp_version_tag;
}

static int
is_plain_member(PyObject *descr, PyObject *owner)
{
    if (Py_TYPE(descr) != &PyMemberDescr_Type)
        return 0;
    PyMemberDef *m = ((PyMemberDescrObject *)descr)->d_member;
    return m->type == T_OBJECT_EX && m->flags == 0
           && PyObject_TypeCheck(owner, ((PyMemberDescrObject *)descr)->d_common.d_type);
}

/* How the instances of `tp` can hold `name` themselves: fills c->shadow (and nentries / index). 0: unknown. */
static int
analyze_shadowing(attr_cache *c, PyTypeObject *tp, PyObject *owner, PyObject *name)
{
    if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        PyDictValues *values = *_PyObject_ValuesPointer(owner);
        if (values != NULL) {
            PyDictKeysObject *keys = cached_keys(tp);
            if (keys == NULL)
                return 0;
            Py_ssize_t index = shared_keys_index(keys, name);
            if (index >= 0) {
                if (values->values[index] != NULL)
                    return 0;  /* (the instance's value: not a type attribute's case) */
                c->shadow = SHADOW_VALUE_AT;
                c->index = index;
                return 1;
            }
            c->shadow = SHADOW_VALUES;
            c->nentries = keys->dk_nentries;
            return 1;
        }
        c->shadow = SHADOW_DICT;
        c->index = 0;
        return 1;
    }
    if (tp->tp_dictoffset == 0) {
        c->shadow = SHADOW_NONE;
        return 1;
    }
    if (tp->tp_dictoffset > 0) {
        c->shadow = SHADOW_DICT;
        c->index = tp->tp_dictoffset;
        return 1;
    }
    return 0;
}

/* A class that defines __getattr__ but not __getattribute__ (sqlalchemy's proxies and event dispatchers, many
 * more): its tp_getattro is typeobject.c's slot_tp_getattr_hook, which runs the generic lookup and calls
 * __getattr__ only when that raises AttributeError.  So what the generic lookup finds without being able to raise
 * -- an instance's value or __slots__ member (absent: the generic path runs, and with it __getattr__), a method or
 * a plain class attribute -- may be cached as for any class; a descriptor whose __get__ might raise
 * AttributeError (a property) may not, since __getattr__ would then be asked.  CPython 3.11 does not specialise
 * these sites at all.  (__getattribute__ resolving to object's own means no class on the MRO overrides it, and a
 * heap type then has no other getattro; either method assigned later changes the version tag.) */
static int
getattr_hook_only(PyTypeObject *tp)
{
    static PyObject *getattribute_name, *getattr_name, *object_getattribute;
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return 0;
    if (object_getattribute == NULL) {
        getattribute_name = PyUnicode_InternFromString("__getattribute__");
        getattr_name = PyUnicode_InternFromString("__getattr__");
        object_getattribute = getattribute_name ? _PyType_Lookup(&PyBaseObject_Type, getattribute_name) : NULL;
        if (object_getattribute == NULL || getattr_name == NULL) {
            PyErr_Clear();
            return 0;
        }
    }
    return _PyType_Lookup(tp, getattribute_name) == object_getattribute && _PyType_Lookup(tp, getattr_name) != NULL;
}

static void fill_load_generic(attr_cache *c, PyObject *owner, PyObject *name, int method);

/* A class with a __getattr__ hook (getattr_hook_only) whose instance got `name` from it: the type has no such
 * attribute and the instance's values or dict do not hold it.  KIND_GETATTR_HOOK calls the hook directly, as
 * slot_tp_getattr_hook does once the generic lookup failed -- without that lookup's AttributeError, whose message
 * alone cost more than the rest (django's LazySettings, sqlalchemy's and werkzeug's proxies use such hooks). */
static void
fill_getattr_hook(attr_cache *c, PyTypeObject *tp, PyObject *owner, PyObject *name)
{
    PyObject *descr = NULL;
    uint32_t version = type_lookup(tp, name, &descr);
    if (version == 0 || descr != NULL || !PyUnicode_CheckExact(name))
        return;
    c->nentries = -1;
    c->index = -1;
    if ((tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) && *_PyObject_ValuesPointer(owner) != NULL) {
        PyDictKeysObject *keys = cached_keys(tp);
        if (keys == NULL)
            return;
        c->index = shared_keys_index(keys, name);  /* (another instance may have a value there: not this one) */
        c->nentries = keys->dk_nentries;
    }
    c->type_version = version;
    c->descr = NULL;
    c->kind = KIND_GETATTR_HOOK;
}

/* Does the instance dict (borrowed, NULL or (PyObject *)-1 for none) hold `name` now?  (Errors count as no.) */
static int
dict_holds(PyObject *dict, PyObject *name)
{
    if (dict == NULL || dict == (PyObject *)-1 || !PyDict_CheckExact(dict))
        return 0;
    PyObject *v = _PyDict_GetItem_KnownHash(dict, name, ((PyASCIIObject *)name)->hash);
    if (v == NULL && PyErr_Occurred())
        PyErr_Clear();
    return v != NULL;
}

void
accel_fill_load(attr_cache *c, PyObject *owner, PyObject *name, int method)
{
    PyTypeObject *tp = Py_TYPE(owner);
    if (tp->tp_getattro == PyObject_GenericGetAttr || tp->tp_getattro == PyType_Type.tp_getattro
            || tp == &PyModule_Type || tp == &PySuper_Type || tp == &PyMethod_Type || !getattr_hook_only(tp)) {
        fill_load_generic(c, owner, name, method);
        return;
    }
    fill_load_generic(c, owner, name, method);
    /* (an entry of the shared keys without a value in this instance: the hook served it too) */
    if (c->kind == KIND_EMPTY
        || (c->kind == KIND_INSTANCE_VALUE && (*_PyObject_ValuesPointer(owner))->values[c->index] == NULL)) {
        c->kind = KIND_EMPTY;
        fill_getattr_hook(c, tp, owner, name);
        return;
    }
    int cannot_raise = c->kind == KIND_INSTANCE_VALUE || c->kind == KIND_SLOT || c->kind == KIND_METHOD ||
                       c->kind == KIND_METHOD_DICT ||
                       (c->kind == KIND_CLASS_ATTR && c->descr != NULL &&
                        (Py_TYPE(c->descr)->tp_descr_get == NULL || PyFunction_Check(c->descr))) ||
                       /* the instance dict's value, else nothing (a miss: the generic path asks __getattr__) or a
                        * class attribute without __get__ (typing's _GenericAlias.__origin__) */
                       (c->kind == KIND_INSTANCE_DICT && c->dict_version == 0 &&
                        (c->descr == NULL || Py_TYPE(c->descr)->tp_descr_get == NULL));
    if (!cannot_raise) {
        c->kind = KIND_EMPTY;
        c->shadow = SHADOW_NONE;
    }
}

/* A class attribute that is an instance of a mutable class (a singleton object, a registry, a default value, a
 * memoizing descriptor of Python code): its class may gain __get__ or __set__ at any time without a change to
 * `tp`'s version, which type_lookup refuses.  Such an attribute is still cached, with dict_version 1 and a check at
 * each use that its class has no __set__ (it is no data descriptor, so the instance's own value wins):
 * - instances with a dict of their own: KIND_INSTANCE_DICT (SHADOW_CHECKED, helper only), the dict's value, else
 *   descr's __get__ as found then;
 * - instances that cannot hold the name: KIND_CLASS_ATTR, descr's __get__ as found then -- except for classes
 *   with a __getattr__ hook, where a __get__ that raises AttributeError would have to reach the hook: there descr
 *   must have no __get__ at all. */
static void
fill_mutable_class_attr(attr_cache *c, PyTypeObject *tp, PyObject *owner, PyObject *name, PyObject *descr)
{
    PyTypeObject *dt = descr == NULL ? NULL : Py_TYPE(descr);
    if (dt != NULL && dt->tp_descr_set != NULL && dt->tp_descr_get != NULL
        && PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG) && PyType_HasFeature(dt, Py_TPFLAGS_VALID_VERSION_TAG)) {
        /* A data descriptor of a class written in Python (an ORM's instrumented attribute): it beats the instance
         * dict while its class keeps __get__ and __set__, which any change to that class (its version tag, kept
         * here) may take away. */
        c->type_version = tp->tp_version_tag;
        c->descr = descr;
        c->dict_version = DESCR_CLASS_CHECKED | dt->tp_version_tag;
        c->kind = KIND_DATA_DESCR;
        return;
    }
    if (descr == NULL || !PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG) || Py_TYPE(descr)->tp_descr_set != NULL
        || !analyze_shadowing(c, tp, owner, name)) {
        c->shadow = SHADOW_NONE;
        return;
    }
    c->type_version = tp->tp_version_tag;
    c->descr = descr;
    c->dict_version = 1;
    if (c->shadow == SHADOW_DICT) {
        c->shadow = SHADOW_CHECKED;
        c->kind = KIND_INSTANCE_DICT;
    }
    else
        c->kind = KIND_CLASS_ATTR;
}

static void
fill_load_generic(attr_cache *c, PyObject *owner, PyObject *name, int method)
{
    PyTypeObject *tp = Py_TYPE(owner);
    c->kind = KIND_EMPTY;
    c->shadow = SHADOW_NONE;  /* (machine code compares kind and shadow as one 32-bit word) */
    if (PyType_Check(owner) && tp->tp_getattro == PyType_Type.tp_getattro) {
        accel_fill_type_attr(c, (PyTypeObject *)owner, name, method);
        return;
    }
    if (tp == &PySuper_Type) {
        accel_fill_super(c, owner, name, method);
        return;
    }
    if (tp == &PyMethod_Type) {
        /* method_getattro: what the bound-method type (static, immutable) lacks is the function's attribute */
        if (PyUnicode_CheckExact(name) && _PyType_Lookup(&PyMethod_Type, name) == NULL && !PyErr_Occurred())
            c->kind = KIND_METHOD_FORWARD;
        return;
    }
    if (tp == &PyModule_Type) {
        PyDictObject *dict = (PyDictObject *)((PyModuleObject *)owner)->md_dict;
        PyObject *descr;
        if (dict == NULL || !PyDict_CheckExact(dict) || type_lookup(&PyModule_Type, name, &descr) == 0
            || descr != NULL)
            return;
        PyObject *value = PyDict_GetItemWithError((PyObject *)dict, name);
        if (value == NULL) {
            PyErr_Clear();
            return;
        }
        c->descr = value;
        c->dict = dict;
        c->dict_version = dict->ma_version_tag;
        c->kind = KIND_MODULE;
        return;
    }
    if (tp->tp_getattro != PyObject_GenericGetAttr && !getattr_hook_only(tp))
        return;
    PyObject *descr = NULL;
    uint32_t version = type_lookup(tp, name, &descr);
    if (version == 0) {
        fill_mutable_class_attr(c, tp, owner, name, descr);
        return;
    }
    c->type_version = version;
    c->descr = descr;
    if (descr != NULL && Py_TYPE(descr)->tp_descr_set != NULL) {  /* data descriptor: the instance cannot win */
        if (Py_TYPE(descr)->tp_descr_get == NULL)
            return;
        if (is_plain_member(descr, owner)) {
            c->index = ((PyMemberDescrObject *)descr)->d_member->offset;
            c->kind = KIND_SLOT;
        }
        else {
            c->kind = KIND_DATA_DESCR;
            c->dict_version = 0;  /* (descr's class is immutable: nothing more to check) */
        }
        return;
    }
    if (method && descr != NULL && PyType_HasFeature(Py_TYPE(descr), Py_TPFLAGS_METHOD_DESCRIPTOR)
        && analyze_shadowing(c, tp, owner, name)) {
        c->kind = c->shadow == SHADOW_DICT ? KIND_METHOD_DICT : KIND_METHOD;
        if (c->shadow == SHADOW_DICT && dict_holds(instance_dict(c, owner), name))
            c->kind = KIND_INSTANCE_DICT;  /* its value beats the method (sqlalchemy's InstanceState._instance_dict) */
        return;
    }
    /* (else the instance's own value, which beats a method -- a non-data descriptor -- as genshi's Context sets
     * `self.push = self.frames.appendleft` over its class's push(): [NULL, value] at a LOAD_METHOD site) */
    if ((tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) && *_PyObject_ValuesPointer(owner) != NULL) {
        Py_ssize_t index = shared_keys_index(cached_keys(tp), name);
        if (index >= 0 && ((*_PyObject_ValuesPointer(owner))->values[index] != NULL || descr == NULL)) {
            c->index = index;
            c->kind = KIND_INSTANCE_VALUE;
            return;
        }  /* (an empty value over a class attribute: the class attribute, SHADOW_VALUE_AT, below) */
    }
    if (!analyze_shadowing(c, tp, owner, name))
        return;
    if (c->shadow == SHADOW_DICT) {
        c->kind = KIND_INSTANCE_DICT;
        PyObject *dict = instance_dict(c, owner);
        if (dict != NULL && dict != (PyObject *)-1 && PyDict_CheckExact(dict))
            accel_remember_entry((PyDictObject *)dict, name, &c->dict_hint);  /* (an executable slot's hint) */
    }
    else if (descr != NULL)
        c->kind = KIND_CLASS_ATTR;
}

void
accel_fill_store(attr_cache *c, PyObject *owner, PyObject *name)
{
    PyTypeObject *tp = Py_TYPE(owner);
    c->kind = KIND_EMPTY;
    c->shadow = SHADOW_NONE;
    if (tp->tp_setattro != PyObject_GenericSetAttr)
        return;
    PyObject *descr = NULL;
    uint32_t version = type_lookup(tp, name, &descr);
    int checked = 0;  /* a mutable class's instance as the type attribute (fill_mutable_class_attr) */
    if (version == 0) {
        PyTypeObject *dt = descr == NULL ? NULL : Py_TYPE(descr);
        if (dt != NULL && dt->tp_descr_set != NULL && PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG)
            && PyType_HasFeature(dt, Py_TPFLAGS_VALID_VERSION_TAG) && !is_plain_member(descr, owner)) {
            /* a data descriptor of a class written in Python: while that class is unchanged (fill_mutable_class_attr) */
            c->type_version = tp->tp_version_tag;
            c->descr = descr;
            c->dict_version = DESCR_CLASS_CHECKED | dt->tp_version_tag;
            c->kind = KIND_STORE_DESCR;
            return;
        }
        if (descr == NULL || !PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG)
            || Py_TYPE(descr)->tp_descr_set != NULL)
            return;
        version = tp->tp_version_tag;
        checked = 1;
    }
    c->type_version = version;
    if (checked) {
        c->descr = descr;
        c->dict_version = 1;
        c->shadow = SHADOW_CHECKED;
    }
    if (descr != NULL && Py_TYPE(descr)->tp_descr_set != NULL) {
        if (is_plain_member(descr, owner)) {
            c->index = ((PyMemberDescrObject *)descr)->d_member->offset;
            c->kind = KIND_STORE_SLOT;
        }
        else if (!checked) {  /* (type_lookup vouched for its type: immutable, so its __set__ stays) */
            c->descr = descr;
            c->dict_version = 0;
            c->kind = KIND_STORE_DESCR;
        }
        return;
    }
    if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        if (*_PyObject_ValuesPointer(owner) != NULL) {
            Py_ssize_t index = shared_keys_index(cached_keys(tp), name);
            if (index >= 0) {
                c->index = index;
                c->kind = KIND_STORE_VALUE;
            }
            return;
        }
        c->index = 0;
        c->kind = KIND_STORE_DICT;
    }
    else if (tp->tp_dictoffset > 0) {
        c->index = tp->tp_dictoffset;
        c->kind = KIND_STORE_DICT;
    }
}

