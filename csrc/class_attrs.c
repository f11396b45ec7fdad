/* class_attrs.c -- attribute-site cases of classes and super objects, for site_cache.c.
 *
 * Two kinds of receiver whose lookups the generic getattro makes slow and CPython 3.11 does not specialise:
 * - a class whose metaclass is not exactly `type` (an Enum, a sympy class, an ORM model) or any class's
 *   `__name__`-like attribute, which type_getattro finds on the metaclass (KIND_META_ATTR);
 * - `super().name`, which walks the MRO through class dicts and, for a method, makes a bound method at every call
 *   (KIND_SUPER; at a LOAD_METHOD site, the function and super's object are pushed instead).
 * Entries are filled and checked under the same rules as site_cache.c's: version tags of the types whose
 * contents decide, borrowed descriptors that live as long as those tags hold, nothing that runs Python code while
 * filling.  These kinds are the helper's only: machine code never checks them inline.
 */
#include "site_cache.h"

/* An attribute of a class, read through type_getattro (the getattro of `type` and of every metaclass that
 * overrides neither __getattribute__ nor __getattr__).  type_getattro asks the metaclass first: a data
 * descriptor there (`__name__`, `__mro__`, `__dict__`...) wins for every class of that metaclass (META_DATA).
 * Otherwise the class's MRO (`__get__(None, cls)` of what it finds, if its type has one: KIND_TYPE_ATTR for an
 * exact `type`, else META_CLASS), and last the metaclass's other attributes (META_ATTR; a method descriptor at a
 * LOAD_METHOD site as [descr, class], META_METHOD).  What the metaclass and the class hold is fixed while their
 * version tags are unchanged (tags are never reused, and any change to a type or a base zeroes its tag); the
 * metaclass's attribute must be of an immutable type, since one of a mutable class could gain __set__ and turn
 * into a data descriptor without a change to the metaclass.  The class's own attribute's __get__ is looked up
 * at each use (its class may be mutable). */
void
accel_fill_type_attr(attr_cache *c, PyTypeObject *cls, PyObject *name, int method)
{
    PyTypeObject *meta = Py_TYPE(cls);
    if (!PyUnicode_CheckExact(name))
        return;
    PyObject *meta_attr = _PyType_Lookup(meta, name);
    if (!PyType_HasFeature(meta, Py_TPFLAGS_VALID_VERSION_TAG))
        return;
    if (meta_attr != NULL && !PyType_HasFeature(Py_TYPE(meta_attr), Py_TPFLAGS_IMMUTABLETYPE))
        return;
    if (meta_attr != NULL && Py_TYPE(meta_attr)->tp_descr_set != NULL) {
        if (Py_TYPE(meta_attr)->tp_descr_get == NULL)
            return;
        c->type_version = meta->tp_version_tag;
        c->dict_version = meta->tp_version_tag;
        c->descr = meta_attr;
        c->shadow = META_DATA;
        c->kind = KIND_META_ATTR;
        return;
    }
    PyObject *descr = _PyType_Lookup(cls, name);
    if (!PyType_HasFeature(cls, Py_TPFLAGS_VALID_VERSION_TAG))
        return;
    c->type_version = cls->tp_version_tag;
    c->dict_version = meta->tp_version_tag;
    if (descr != NULL) {
        c->descr = descr;
        if (meta == &PyType_Type)
            c->kind = KIND_TYPE_ATTR;
        else {
            c->shadow = META_CLASS;
            c->kind = KIND_META_ATTR;
        }
        return;
    }
    if (meta_attr == NULL)
        return;  /* AttributeError: the generic path says it */
    c->descr = meta_attr;
    c->shadow = method && PyType_HasFeature(Py_TYPE(meta_attr), Py_TPFLAGS_METHOD_DESCRIPTOR) ? META_METHOD
                                                                                            : META_ATTR;
    c->kind = KIND_META_ATTR;
}

/* super(): the object's layout (typeobject.c's superobject, private). */
typedef struct {
    PyObject_HEAD
    PyTypeObject *type;      /* the class super() was called in: the MRO walk starts after it */
    PyObject *obj;
    PyTypeObject *obj_type;  /* the start type: obj's type, or obj itself when it is a class */
} super_object;

/* An attribute read from a super object (super_getattro): the first class after `type` in the start type's MRO
 * whose dict has the name decides, then its __get__(obj, or NULL when obj is the start type itself, start type).
 * The walk's result is fixed while the start type's version tag is unchanged (a change to any class of its MRO
 * zeroes it), and `type` is held by the start type's MRO, so comparing its address is safe.  At a LOAD_METHOD site
 * a function or method descriptor found for an instance is pushed as [descr, obj], which calls exactly as the
 * bound method super would have made.  `__class__` and names the MRO lacks go to super's own generic lookup. */
void
accel_fill_super(attr_cache *c, PyObject *owner, PyObject *name, int method)
{
    super_object *su = (super_object *)owner;
    PyTypeObject *start = su->obj_type;
    if (start == NULL || !PyUnicode_CheckExact(name) || _PyUnicode_EqualToASCIIString(name, "__class__"))
        return;
    _PyType_Lookup(start, name);  /* (assigns the start type a version tag if it can) */
    PyObject *mro = start->tp_mro;
    if (!PyType_HasFeature(start, Py_TPFLAGS_VALID_VERSION_TAG) || mro == NULL)
        return;
    Py_ssize_t n = PyTuple_GET_SIZE(mro), i = 0;
    while (i + 1 < n && PyTuple_GET_ITEM(mro, i) != (PyObject *)su->type)
        i++;
    for (i++; i < n; i++) {
        PyObject *dict = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        if (dict == NULL || !PyDict_CheckExact(dict))
            return;
        PyObject *found = _PyDict_GetItem_KnownHash(dict, name, ((PyASCIIObject *)name)->hash);
        if (found == NULL) {
            if (PyErr_Occurred())
                PyErr_Clear();
            continue;
        }
        c->type_version = start->tp_version_tag;
        c->index = (Py_ssize_t)su->type;
        c->descr = found;
        c->shadow = method && su->obj != (PyObject *)start
                            && PyType_HasFeature(Py_TYPE(found), Py_TPFLAGS_METHOD_DESCRIPTOR) ? SUPER_METHOD
                                                                                              : SUPER_ATTR;
        c->kind = KIND_SUPER;
        return;
    }
}

/* KIND_META_ATTR (accel_fill_type_attr): cached_load's contract. */
int
accel_cached_meta_attr(attr_cache *c, PyObject *owner, PyObject **res)
{
    PyTypeObject *meta = Py_TYPE(owner);
    if (meta->tp_version_tag != (uint32_t)c->dict_version || meta->tp_getattro != PyType_Type.tp_getattro)
        return 0;
    switch (c->shadow) {
    case META_DATA:
        *res = descr_get_or_self(c->descr, owner, (PyObject *)meta);
        return 1;
    case META_CLASS:
        if (((PyTypeObject *)owner)->tp_version_tag != c->type_version)
            return 0;
        *res = descr_get_or_self(c->descr, NULL, owner);
        return 1;
    case META_METHOD:
        if (((PyTypeObject *)owner)->tp_version_tag != c->type_version)
            return 0;
        *res = c->descr;
        return 2;
    default:  /* META_ATTR */
        if (((PyTypeObject *)owner)->tp_version_tag != c->type_version)
            return 0;
        *res = descr_get_or_self(c->descr, owner, (PyObject *)meta);
        return 1;
    }
}

/* KIND_SUPER (accel_fill_super): cached_load's contract; SUPER_METHOD's 2 pushes [descr, obj] (*obj set, borrowed). */
int
accel_cached_super(attr_cache *c, PyObject *owner, PyObject **res)
{
    if (Py_TYPE(owner) != &PySuper_Type)
        return 0;
    super_object *su = (super_object *)owner;
    PyTypeObject *start = su->obj_type;
    if (start == NULL || start->tp_version_tag != c->type_version || (Py_ssize_t)su->type != c->index)
        return 0;
    PyObject *instance = su->obj == (PyObject *)start ? NULL : su->obj;
    if (c->shadow == SUPER_METHOD && instance != NULL) {
        *res = c->descr;
        return 3;
    }
    *res = descr_get_or_self(c->descr, instance, (PyObject *)start);
    return 1;
}


PyObject *
accel_super_instance(PyObject *super)
{
    return ((super_object *)super)->obj;
}
