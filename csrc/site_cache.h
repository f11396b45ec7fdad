/* site_cache.h -- what site_cache.c (the attribute sites' helpers and entries), site_fill.c (the analysis that
 * fills an entry from an object the generic path just handled) and class_attrs.c share. */
#ifndef ACCEL_SITE_CACHE_H
#define ACCEL_SITE_CACHE_H
#include "bjit.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_object.h"

typedef accel_attr_cache attr_cache;  /* (bjit.h) */

/* Fill `c` (zeroed) with the case of `owner`'s attribute `name` (loads: method = a LOAD_METHOD site), or leave it
 * KIND_EMPTY; runs no Python code. */
void accel_fill_load(attr_cache *c, PyObject *owner, PyObject *name, int method);
void accel_fill_store(attr_cache *c, PyObject *owner, PyObject *name);

/* Where `name` is among a str-keyed dict's entries (the first 64), into *hint. */
void accel_remember_entry(PyDictObject *dict, PyObject *name, Py_ssize_t *hint);

/* `descr`'s __get__(instance, owner) if its type has one (looked up at each use: the type may be mutable), else
 * descr itself (a new reference; NULL with an exception set). */
static inline PyObject *
descr_get_or_self(PyObject *descr, PyObject *instance, PyObject *owner)
{
    descrgetfunc get = Py_TYPE(descr)->tp_descr_get;
    if (get == NULL)
        return Py_NewRef(descr);
    Py_INCREF(descr);  /* the getter may change the type and drop its reference */
    PyObject *res;
    if (!accel_descr_get_direct(descr, instance, owner, &res))  /* (a compiled getter entered directly) */
        res = get(descr, instance, owner);
    Py_DECREF(descr);
    return res;
}

/* KIND_DATA_DESCR of a descriptor whose class is mutable (a Python class): dict_version holds this flag and that
 * class's version tag when filled; the entry applies while the class is unchanged. */
#define DESCR_CLASS_CHECKED ((uint64_t)1 << 32)

static inline int
descr_class_unchanged(const accel_attr_cache *c)
{
    PyTypeObject *dt = Py_TYPE(c->descr);
    return PyType_HasFeature(dt, Py_TPFLAGS_VALID_VERSION_TAG)
           && c->dict_version == (DESCR_CLASS_CHECKED | dt->tp_version_tag);
}

static inline PyDictKeysObject *
cached_keys(PyTypeObject *tp)
{
    return ((PyHeapTypeObject *)tp)->ht_cached_keys;
}

/* The instance's own dict for SHADOW_DICT (borrowed, may be NULL). */
static inline PyObject *
instance_dict(attr_cache *c, PyObject *owner)
{
    if (c->index == 0) {
        if (*_PyObject_ValuesPointer(owner) != NULL)
            return (PyObject *)-1;  /* values came back?  (not possible, but never guess) */
        return *_PyObject_ManagedDictPointer(owner);
    }
    return *(PyObject **)((char *)owner + c->index);
}

#endif
