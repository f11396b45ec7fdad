/* site_cache.c -- per-site attribute caches for tier 1: LOAD_ATTR, STORE_ATTR, LOAD_METHOD.
 *
 * Every attribute site of a compiled function owns one `attr_cache` in its code object's jit_data block.  The
 * helper first tries what the cache says the last access was (a "kind" such as "value i of the instance's
 * split-dict values" or "method of the type, the instance cannot shadow it"), guarded by the owner's type
 * version tag; anything else runs the generic path -- exactly what the interpreter does -- and then re-fills the
 * cache from the object it just handled.  This is the monomorphic first layer of inline caching, in the spirit
 * of CPython 3.11's own specialised instructions (read Python/specialize.c and the *_INSTANCE_VALUE, *_SLOT,
 * *_WITH_VALUES cases of ceval.c for the reference semantics).  The guards:
 *
 * - tp_version_tag: any change to a type or one of its bases (set/delete an attribute, __class__ of the type's
 *   bases, a new descriptor) gives it a new tag, so every kind that depends on what the type's MRO holds checks
 *   it; a valid tag is never 0, so an empty cache never matches.
 * - The instance's split-dict values pointer: non-NULL means the instance has no materialised __dict__ and its
 *   attributes are exactly the entries of the type's shared keys (assigning __class__ materialises the dict).
 *   Shared keys only ever grow, so "name is not an instance attribute" holds while dk_nentries is unchanged.
 * - Modules: the module dict's ma_version_tag, which changes with every mutation of that dict.
 *
 * - Classes with a __getattr__ hook (and object's __getattribute__): what the generic lookup finds is cached as
 *   for any class; what only the hook answers (KIND_GETATTR_HOOK) calls the hook from the entry, once the type's
 *   version and the instance (its value at the name's index, the shared keys' size, or its dict) say the generic
 *   lookup would fail -- slot_tp_getattr_hook's work without the AttributeError it makes and clears.
 *
 * Nothing here runs Python code while filling a cache; descriptors found are borrowed from the type's dict and
 * stay alive while its version tag is unchanged (they are held for the duration of a call into them).
 * The analysis that fills an entry is site_fill.c's; classes read through a metaclass and super() objects have
 * their kinds in class_attrs.c.  A site's miss looks in
 * a table shared by all sites before the generic path (below, "the shared table"), so megamorphic sites hit too.
 */
#include "bjit.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_moduleobject.h"
#include "internal/pycore_object.h"
#include "structmember.h"
#include "site_cache.h"

accel_site_counters_t accel_site_counters;

#define NAME(f, i) PyTuple_GET_ITEM((f)->f_code->co_names, (i))
#define ERROR_AT(sp_) (_PyFrame_SetStackPointer(f, (sp_)), (PyObject **)NULL)

static inline void
count_hit(attr_cache *c)
{
    accel_site_counters.hits++;
    accel_site_counters.helper_hits++;
    if (c->hits != UINT32_MAX)
        c->hits++;
}

/* A hit in the shared table, for the process (shared_promote counts it for the site). */
static inline void
count_shared_hit(void)
{
    accel_site_counters.hits++;
    accel_site_counters.helper_hits++;
    accel_site_counters.shared_hits++;
}

static inline void
count_miss(attr_cache *c)
{
    accel_site_counters.misses++;
    if (c->misses != UINT32_MAX)
        c->misses++;
}

/* ---- lookups (hits) ---- */

void
accel_remember_entry(PyDictObject *dict, PyObject *name, Py_ssize_t *hint)
{
    PyDictKeysObject *keys = dict->ma_keys;
    if (!DK_IS_UNICODE(keys))
        return;
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries && i < 64; i++)
        if (entries[i].me_key == name) {
            *hint = i;
            return;
        }
}

/* dict[name] for an exact dict and an exact str name (borrowed; NULL: absent, or an error is set), trying the
 * entry where the name was last time first, as ceval's LOAD_ATTR_WITH_HINT does: instances made alike keep their
 * attributes at the same places, and a pointer comparison then replaces hashing and probing. */
static inline PyObject *
dict_lookup_hinted(PyDictObject *dict, PyObject *name, Py_ssize_t *hint)
{
    PyDictKeysObject *keys = dict->ma_keys;
    Py_ssize_t h = *hint;
    if (h < keys->dk_nentries) {
        PyObject *v = NULL;
        if (DK_IS_UNICODE(keys)) {
            if (DK_UNICODE_ENTRIES(keys)[h].me_key == name)
                v = dict->ma_values != NULL ? dict->ma_values->values[h] : DK_UNICODE_ENTRIES(keys)[h].me_value;
        }
        else if (DK_ENTRIES(keys)[h].me_key == name)
            v = DK_ENTRIES(keys)[h].me_value;
        if (v != NULL)
            return v;
    }
    PyObject *v = _PyDict_GetItem_KnownHash((PyObject *)dict, name, ((PyASCIIObject *)name)->hash);
    if (v != NULL && keys == dict->ma_keys)
        accel_remember_entry(dict, name, hint);
    return v;
}

/* A dict's version tag after a store that bypassed PyDict_SetItem.  CPython's own counter (DICT_NEXT_VERSION) is
 * private to libpython, so these come from a range it never reaches (it counts up from 0, by one per dict made or
 * changed): every tag is still unique, which is all that PEP 509 users -- accel's own global caches, Cython's --
 * compare. */
uint64_t accel_dict_version = (uint64_t)1 << 63;  /* (machine code's inline store bumps it too: fastpaths.py) */

/* dict[name] = v where entry `hint` of a combined str-keyed dict already holds name, as ceval's
 * STORE_ATTR_WITH_HINT: no hashing, no probing (the value's reference moves in).  0: not so, nothing done. */
static inline int
store_hinted(PyDictObject *dict, PyObject *name, PyObject *v, Py_ssize_t hint)
{
    PyDictKeysObject *keys = dict->ma_keys;
    if (dict->ma_values != NULL || !DK_IS_UNICODE(keys) || hint < 0 || hint >= keys->dk_nentries)
        return 0;
    PyDictUnicodeEntry *e = &DK_UNICODE_ENTRIES(keys)[hint];
    PyObject *old = e->me_value;
    if (e->me_key != name || old == NULL)
        return 0;
    e->me_value = v;
    if (!_PyObject_GC_IS_TRACKED(dict) && _PyObject_GC_MAY_BE_TRACKED(v))
        _PyObject_GC_TRACK(dict);
    dict->ma_version_tag = ++accel_dict_version;  /* (before the old value's destructor can look) */
    Py_DECREF(old);
    return 1;
}

/* Is the type attribute visible, i.e. not shadowed by the instance?  1 yes, 0 no/unknown (miss), -1 error. */
static inline int
not_shadowed(attr_cache *c, PyObject *owner, PyObject *name)
{
    switch (c->shadow) {
    case SHADOW_NONE:
        return 1;
    case SHADOW_VALUES:
        return *_PyObject_ValuesPointer(owner) != NULL && cached_keys(Py_TYPE(owner))->dk_nentries == c->nentries;
    case SHADOW_VALUE_AT: {
        PyDictValues *values = *_PyObject_ValuesPointer(owner);
        return values != NULL && values->values[c->index] == NULL;
    }
    default: {
        PyObject *dict = instance_dict(c, owner);
        if (dict == NULL)
            return 1;
        if (dict == (PyObject *)-1 || !PyDict_CheckExact(dict))
            return 0;
        PyObject *v = _PyDict_GetItem_KnownHash(dict, name, ((PyASCIIObject *)name)->hash);
        if (v != NULL)
            return 0;
        return PyErr_Occurred() ? -1 : 1;
    }
    }
}

/* KIND_GETATTR_HOOK: does the instance hold `name` after all?  1: it may (the generic path decides), 0: no,
 * -1: its dict's lookup raised. */
static inline int
instance_may_hold(attr_cache *c, PyTypeObject *tp, PyObject *owner, PyObject *name)
{
    PyObject *dict = NULL;
    if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        PyDictValues *values = *_PyObject_ValuesPointer(owner);
        if (values != NULL) {
            /* shared keys only grow: the name keeps its index, and while they have as many entries as when the
             * name was absent, it still is */
            if (c->index >= 0)
                return values->values[c->index] != NULL;
            PyDictKeysObject *keys = cached_keys(tp);
            return keys == NULL || keys->dk_nentries != c->nentries;
        }
        dict = *_PyObject_ManagedDictPointer(owner);
    }
    else if (tp->tp_dictoffset != 0) {
        PyObject **where = _PyObject_GetDictPtr(owner);
        dict = where == NULL ? NULL : *where;
    }
    if (dict == NULL)
        return 0;
    if (!PyDict_CheckExact(dict))
        return 1;
    if (PyDict_GetItemWithError(dict, name) != NULL)
        return 1;
    return PyErr_Occurred() ? -1 : 0;
}

/* What slot_tp_getattr_hook's call_attribute does with the class's __getattr__ (a new reference or NULL). */
static PyObject *
call_getattr_hook(PyTypeObject *tp, PyObject *owner, PyObject *name)
{
    PyObject *hook = _PyType_Lookup(tp, &_Py_ID(__getattr__));
    if (hook == NULL)
        return PyObject_GetAttr(owner, name);  /* (not while the type's version holds) */
    Py_INCREF(hook);  /* (the call may change the class) */
    PyObject *res;
    if (PyFunction_Check(hook)) {
        PyObject *args[2] = {owner, name};
        res = PyObject_Vectorcall(hook, args, 2, NULL);
    }
    else {
        descrgetfunc get = Py_TYPE(hook)->tp_descr_get;
        PyObject *bound = get == NULL ? Py_NewRef(hook) : get(hook, owner, (PyObject *)tp);
        res = bound == NULL ? NULL : PyObject_CallOneArg(bound, name);
        Py_XDECREF(bound);
    }
    Py_DECREF(hook);
    return res;
}

/* 1: *res is the attribute (a new reference, NULL with an exception set); 2: method, *res = descr (borrowed) and
 * the owner is `self`; 3: method, *res = descr (borrowed) and `self` is the super object's obj (KIND_SUPER);
 * 0: the cache does not apply. */
static inline int
cached_load(attr_cache *c, PyObject *owner, PyObject *name, PyObject **res)
{
    PyTypeObject *tp = Py_TYPE(owner);
    switch (c->kind) {  /* the kinds whose guard is not the owner's type's version tag */
    case KIND_MODULE: {
        PyDictObject *dict = (PyDictObject *)((PyModuleObject *)owner)->md_dict;
        if (tp != &PyModule_Type || dict != c->dict || dict->ma_version_tag != c->dict_version)
            return 0;
        *res = Py_NewRef(c->descr);
        return 1;
    }
    case KIND_TYPE_ATTR:
        if (tp != &PyType_Type || ((PyTypeObject *)owner)->tp_version_tag != c->type_version)
            return 0;
        *res = descr_get_or_self(c->descr, NULL, owner);
        return 1;
    case KIND_META_ATTR:
        return accel_cached_meta_attr(c, owner, res);
    case KIND_SUPER:
        return accel_cached_super(c, owner, res);
    case KIND_METHOD_FORWARD: {
        if (tp != &PyMethod_Type)
            return 0;
        PyObject *func = Py_NewRef(((PyMethodObject *)owner)->im_func);
        *res = PyObject_GetAttr(func, name);
        Py_DECREF(func);
        return 1;
    }
    default:
        break;
    }
    if (tp->tp_version_tag != c->type_version)
        return 0;
    switch (c->kind) {
    case KIND_INSTANCE_VALUE: {
        PyDictValues *values = *_PyObject_ValuesPointer(owner);
        if (values == NULL || values->values[c->index] == NULL)
            return 0;
        *res = Py_NewRef(values->values[c->index]);
        return 1;
    }
    case KIND_SLOT: {
        PyObject *v = *(PyObject **)((char *)owner + c->index);
        if (v == NULL)
            return 0;
        *res = Py_NewRef(v);
        return 1;
    }
    case KIND_DATA_DESCR:
        if (c->dict_version != 0 && !descr_class_unchanged(c))
            return 0;
        *res = descr_get_or_self(c->descr, owner, (PyObject *)tp);
        return 1;
    case KIND_GETATTR_HOOK: {
        int held = instance_may_hold(c, tp, owner, name);
        if (held > 0)
            return 0;
        if (held < 0) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                *res = NULL;
                return 1;
            }
            PyErr_Clear();  /* (an AttributeError from a key's __eq__: the hook is asked, as after the generic lookup) */
        }
        *res = call_getattr_hook(tp, owner, name);
        return 1;
    }
    case KIND_INSTANCE_DICT: {
        if (c->dict_version != 0 && Py_TYPE(c->descr)->tp_descr_set != NULL)
            return 0;  /* the type attribute's class became a data descriptor's (fill_mutable_class_attr) */
        PyObject *dict = instance_dict(c, owner);
        if (dict == (PyObject *)-1 || (dict != NULL && !PyDict_CheckExact(dict)))
            return 0;
        if (dict != NULL && tp->tp_getattro != PyObject_GenericGetAttr
            && !DK_IS_UNICODE(((PyDictObject *)dict)->ma_keys))
            return 0;  /* (a __getattr__ hook: a key's __eq__ raising AttributeError would have to reach it) */
        if (dict != NULL) {
            PyObject *v = dict_lookup_hinted((PyDictObject *)dict, name, &c->dict_hint);
            if (v != NULL) {
                *res = Py_NewRef(v);
                return 1;
            }
            if (PyErr_Occurred()) {
                *res = NULL;
                return 1;
            }
        }
        if (c->descr == NULL)
            return 0;  /* AttributeError: the generic path says it */
        *res = descr_get_or_self(c->descr, owner, (PyObject *)tp);
        return 1;
    }
    case KIND_CLASS_ATTR:
    case KIND_METHOD:
    case KIND_METHOD_DICT: {
        int visible = not_shadowed(c, owner, name);
        if (visible <= 0) {
            if (visible < 0) {
                *res = NULL;
                return 1;
            }
            return 0;
        }
        if (c->kind != KIND_CLASS_ATTR) {
            *res = c->descr;
            return 2;
        }
        if (c->dict_version) {  /* an instance of a mutable class (fill_mutable_class_attr) */
            if (Py_TYPE(c->descr)->tp_descr_set != NULL
                || (Py_TYPE(c->descr)->tp_descr_get != NULL && tp->tp_getattro != PyObject_GenericGetAttr))
                return 0;
        }
        *res = descr_get_or_self(c->descr, owner, (PyObject *)tp);
        return 1;
    }
    default:
        return 0;
    }
}

/* ---- polymorphic sites ---- */

/* The first entry of the site that applies: entries are kept from the front, the most recently filled first. */
static inline int
site_load(attr_cache *site, PyObject *owner, PyObject *name, PyObject **res)
{
    for (int k = 0; k < ACCEL_ATTR_WAYS && site[k].kind != KIND_EMPTY; k++) {
        int hit = cached_load(&site[k], owner, name, res);
        if (hit)
            return hit;
    }
    return 0;
}

/* A site that misses more than it hits after many tries is megamorphic: it stops filling (and evicting). */
static inline int
megamorphic(attr_cache *site)
{
    return site->misses > 64 * ACCEL_ATTR_WAYS && site->misses > site->hits;
}

/* The entry, from `first` on, that a fresh `entry` replaces: an empty one, or one for the same case (type or
 * module dict, kind and shadow), which is stale -- it just missed; otherwise the last.  (Two cases of one type
 * both stay: instances with split values and instances with a materialised dict, say.) */
static int
entry_to_drop(const attr_cache *site, const attr_cache *entry, int first)
{
    for (int k = first; k < ACCEL_ATTR_WAYS; k++)
        if (site[k].kind == KIND_EMPTY
            || (site[k].type_version == entry->type_version && site[k].dict == entry->dict
                && site[k].kind == entry->kind && site[k].shadow == entry->shadow))
            return k;
    return ACCEL_ATTR_WAYS - 1;
}

/* Put a freshly filled entry first, dropping entry_to_drop's.  The site's counters stay with the first entry. */
static void
site_insert(attr_cache *site, const attr_cache *entry)
{
    if (entry->kind == KIND_EMPTY)
        return;
    int drop = entry_to_drop(site, entry, 0);
    uint32_t hits = site[0].hits, misses = site[0].misses;
    memmove(&site[1], &site[0], drop * sizeof(attr_cache));
    site[0] = *entry;
    site[0].hits = hits;
    site[0].misses = misses;
    if (drop > 0)
        site[1].hits = site[1].misses = 0;
}

/* As site_insert, but behind the first entry, which the machine code checks inline: the case also got a slot
 * in the site's executable region (inline_cache.c), and the inline entry keeps the case it had. */
static void
site_insert_behind(attr_cache *site, const attr_cache *entry)
{
    int drop = entry_to_drop(site, entry, 1);
    memmove(&site[2], &site[1], (drop - 1) * sizeof(attr_cache));
    site[1] = *entry;
    site[1].hits = site[1].misses = 0;
}

/* A miss was handled the generic way: remember the case -- as a slot of the site's executable region when it
 * can be one (the inline entry stays), else as the new first entry. */
static void
site_learn(attr_cache *site, const attr_cache *entry, int site_kind, PyObject *owner, PyObject *name,
           _PyInterpreterFrame *f)
{
    if (entry->kind == KIND_EMPTY)
        return;
    if (accel_ic_learn(site, entry, site_kind, Py_TYPE(owner), name, f) && site->kind != KIND_EMPTY)
        site_insert_behind(site, entry);
    else
        site_insert(site, entry);
}

/* ---- the shared table: what megamorphic sites miss ----
 *
 * A site that meets more receivers than its entries and slots hold (a tree walker over a hundred node classes
 * reading `node.parent`, a cls.__name__ of every class) would run the generic lookup for most of them.  Every
 * miss is also remembered in one table shared by all sites, 2048 buckets of two entries, indexed by (receiver
 * type -- or the class or module itself --, name, site kind), as V8's megamorphic stub cache does; a site's miss looks there before the generic
 * path.  An entry is a site entry like any other (same fill, same guards, checked in full at each use), with a
 * reference to its name, so a name's address is never reused while an entry holds it. */
#define SHARED_BUCKETS 2048  /* a power of two; two entries each (two cases that hash alike both stay) */
typedef struct {
    PyObject *name;  /* strong */
    int site_kind;   /* IC_SITE_*: a method site's entries push [descr, self] */
    attr_cache entry;
} shared_entry;
static struct {
    shared_entry way[2];
    int recent;  /* the way used or filled last: the other is replaced */
} shared_table[SHARED_BUCKETS];

static inline int
shared_bucket(PyObject *owner, PyObject *name, int site_kind)
{
    PyTypeObject *tp = Py_TYPE(owner);
    uintptr_t key = tp == &PyModule_Type || PyType_FastSubclass(tp, Py_TPFLAGS_TYPE_SUBCLASS) ? (uintptr_t)owner
                                                                                             : (uintptr_t)tp;
    uint64_t h = ((uint64_t)key * 0x9E3779B97F4A7C15u) ^ ((uint64_t)(uintptr_t)name * 0xC2B2AE3D27D4EB4Fu);
    return (int)(((h >> 32) + (uint64_t)site_kind) & (SHARED_BUCKETS - 1));
}

/* A case the shared table served at `site`: it goes into the site as a miss's case would (a slot when it can be
 * one, else an entry), so that next time the site's own machine code or entries serve it, and it counts as the
 * site's hit -- a site the table serves well is not megamorphic, and learns again (one flagged during a
 * program's set-up, when classes were still changing, would otherwise stay flagged). */
static void
shared_promote(attr_cache *site, const attr_cache *entry, int site_kind, PyObject *owner, PyObject *name,
               _PyInterpreterFrame *f)
{
    if (site->hits != UINT32_MAX)
        site->hits++;
    site_learn(site, entry, site_kind, owner, name, f);
}

static inline int
shared_load(attr_cache *site, PyObject *owner, PyObject *name, int site_kind, PyObject **res,
            _PyInterpreterFrame *f)
{
    int bucket = shared_bucket(owner, name, site_kind);
    for (int w = 0; w < 2; w++) {
        shared_entry *e = &shared_table[bucket].way[w];
        if (e->name != name || e->site_kind != site_kind || e->entry.kind == KIND_EMPTY)
            continue;
        attr_cache entry = e->entry;
        int hit = cached_load(&entry, owner, name, res);
        if (hit) {
            shared_table[bucket].recent = w;
            count_shared_hit();
            shared_promote(site, &entry, site_kind, owner, name, f);
            return hit;
        }
    }
    return 0;
}

static void
shared_remember(PyObject *owner, PyObject *name, int site_kind, const attr_cache *entry)
{
    if (entry->kind == KIND_EMPTY)
        return;
    int bucket = shared_bucket(owner, name, site_kind), w;
    for (w = 0; w < 2; w++) {  /* the same case gone stale: replace it */
        shared_entry *e = &shared_table[bucket].way[w];
        if (e->name == name && e->site_kind == site_kind && e->entry.type_version == entry->type_version
            && e->entry.dict == entry->dict && e->entry.kind == entry->kind && e->entry.shadow == entry->shadow)
            break;
    }
    if (w == 2)
        w = 1 - shared_table[bucket].recent;
    shared_entry *e = &shared_table[bucket].way[w];
    Py_INCREF(name);
    Py_XSETREF(e->name, name);
    e->site_kind = site_kind;
    e->entry = *entry;
    e->entry.hits = e->entry.misses = 0;
    shared_table[bucket].recent = w;
}

static void
site_fill_load(attr_cache *site, PyObject *owner, PyObject *name, int method, _PyInterpreterFrame *f)
{
    attr_cache entry = {0};
    accel_fill_load(&entry, owner, name, method);
    shared_remember(owner, name, method ? IC_SITE_METHOD : IC_SITE_LOAD, &entry);
    if (!megamorphic(site))
        site_learn(site, &entry, method ? IC_SITE_METHOD : IC_SITE_LOAD, owner, name, f);
}

/* ---- the helpers ---- */

/* An entry that says `owner`'s attribute is a __slots__ member that is empty now (pathlib's `try: return
 * self._str except AttributeError: ...`): raise what the generic path would -- member_get's AttributeError,
 * augmented with `name` and `obj` as 3.11's PyObject_GetAttr augments it -- without the generic lookup.  Only for
 * a class without a __getattr__ hook (which the generic path would ask), at LOAD_ATTR sites.  1: raised. */
static int
raise_empty_slot(attr_cache *site, PyObject *owner, PyObject *name)
{
    PyTypeObject *tp = Py_TYPE(owner);
    if (tp->tp_getattro != PyObject_GenericGetAttr)
        return 0;
    for (int k = 0; k < ACCEL_ATTR_WAYS && site[k].kind != KIND_EMPTY; k++) {
        attr_cache *e = &site[k];
        if (e->kind != KIND_SLOT || e->type_version != tp->tp_version_tag || e->descr == NULL
            || Py_TYPE(e->descr) != &PyMemberDescr_Type || *(PyObject **)((char *)owner + e->index) != NULL)
            continue;
        PyErr_Format(PyExc_AttributeError, "'%.200s' object has no attribute '%s'", tp->tp_name,
                     ((PyMemberDescrObject *)e->descr)->d_member->name);
        PyObject *type, *value, *traceback;
        PyErr_Fetch(&type, &value, &traceback);
        PyErr_NormalizeException(&type, &value, &traceback);
        if (value != NULL && PyErr_GivenExceptionMatches(value, PyExc_AttributeError)
            && (PyObject_SetAttrString(value, "name", name) < 0 || PyObject_SetAttrString(value, "obj", owner) < 0)) {
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(traceback);
            return 1;  /* (that error instead, as set_attribute_error_context does) */
        }
        PyErr_Restore(type, value, traceback);
        return 1;
    }
    return 0;
}

PyObject **
accel_op_load_attr_cached(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg, attr_cache *c)
{
    PyObject *owner = sp[-1], *name = NAME(f, oparg), *res;
    int hit = site_load(c, owner, name, &res);
    if (hit != 0)
        count_hit(c);
    else
        hit = shared_load(c, owner, name, IC_SITE_LOAD, &res, f);
    if (hit == 1) {
        if (res == NULL)
            return ERROR_AT(sp);
        Py_DECREF(owner);
        sp[-1] = res;
        return sp;
    }
    if (raise_empty_slot(c, owner, name)) {
        count_hit(c);
        return ERROR_AT(sp);
    }
    count_miss(c);
    res = PyObject_GetAttr(owner, name);
    if (res == NULL)
        return ERROR_AT(sp);
    site_fill_load(c, owner, name, 0, f);
    Py_DECREF(owner);
    sp[-1] = res;
    return sp;
}

/* LOAD_METHOD: [obj] -> [meth, obj] when obj's type has a plain method, else [NULL, attr] */
PyObject **
accel_op_load_method_cached(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg,
                            attr_cache *c)
{
    PyObject *owner = sp[-1], *name = NAME(f, oparg), *res;
    int hit = site_load(c, owner, name, &res);
    if (hit != 0)
        count_hit(c);
    else
        hit = shared_load(c, owner, name, IC_SITE_METHOD, &res, f);
    if (hit != 0) {
        if (hit == 2) {
            sp[-1] = Py_NewRef(res);
            *sp++ = owner;
            return sp;
        }
        if (hit == 3) {  /* super().name(...): the function and super's obj, no bound method */
            sp[-1] = Py_NewRef(res);
            *sp++ = Py_NewRef(accel_super_instance(owner));
            Py_DECREF(owner);
            return sp;
        }
        if (res == NULL)
            return ERROR_AT(sp);
        sp[-1] = NULL;
        Py_DECREF(owner);
        *sp++ = res;
        return sp;
    }
    count_miss(c);
    PyObject *meth = NULL;
    int found = _PyObject_GetMethod(owner, name, &meth);
    if (meth == NULL)
        return ERROR_AT(sp);
    site_fill_load(c, owner, name, 1, f);
    if (found) {
        sp[-1] = meth;
        *sp++ = owner;
    }
    else {
        sp[-1] = NULL;
        Py_DECREF(owner);
        *sp++ = meth;
    }
    return sp;
}

/* One entry's store: 1 done (*err set: 0, or -1 with an exception), 0 does not apply.  The stack's reference
 * to `v` moves into the instance on success. */
static inline int
cached_store(attr_cache *c, PyObject *owner, PyObject *name, PyObject *v, int *err)
{
    if (Py_TYPE(owner)->tp_version_tag != c->type_version
        || (c->dict_version != 0 && c->kind != KIND_STORE_DESCR && Py_TYPE(c->descr)->tp_descr_set != NULL))
        return 0;  /* (a mutable class's data descriptor: its class's version, below) */
    *err = 0;
    if (c->kind == KIND_STORE_VALUE) {
        PyDictValues *values = *_PyObject_ValuesPointer(owner);
        if (values == NULL)
            return 0;
        PyObject *old = values->values[c->index];
        values->values[c->index] = v;
        if (old == NULL)
            _PyDictValues_AddToInsertionOrder(values, c->index);
        else
            Py_DECREF(old);
        return 1;
    }
    if (c->kind == KIND_STORE_DICT) {
        /* as PyObject_GenericSetAttr once the instance has a dict (it keeps the dict alive meanwhile) */
        PyObject *dict = instance_dict(c, owner);
        if (dict == NULL || dict == (PyObject *)-1 || !PyDict_CheckExact(dict))
            return 0;
        if (store_hinted((PyDictObject *)dict, name, v, c->dict_hint))
            return 1;
        Py_INCREF(dict);
        *err = PyDict_SetItem(dict, name, v);
        if (*err == 0)
            accel_remember_entry((PyDictObject *)dict, name, &c->dict_hint);
        Py_DECREF(dict);
        Py_DECREF(v);
        return 1;
    }
    if (c->kind == KIND_STORE_DESCR) {  /* as PyObject_GenericSetAttr does with a data descriptor */
        if (c->dict_version != 0 && !descr_class_unchanged(c))
            return 0;
        PyObject *descr = Py_NewRef(c->descr);
        if (!accel_descr_set_direct(descr, owner, v, err))  /* (a compiled setter entered directly) */
            *err = Py_TYPE(descr)->tp_descr_set(descr, owner, v);
        Py_DECREF(descr);
        Py_DECREF(v);
        return 1;
    }
    if (c->kind == KIND_STORE_SLOT) {
        PyObject **addr = (PyObject **)((char *)owner + c->index);
        PyObject *old = *addr;
        *addr = v;
        Py_XDECREF(old);
        return 1;
    }
    return 0;
}

/* STORE_ATTR: [value, owner] -> [] */
PyObject **
accel_op_store_attr_cached(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg,
                           attr_cache *c)
{
    PyObject *owner = sp[-1], *v = sp[-2], *name = NAME(f, oparg);
    int err;
    sp -= 2;
    for (int k = 0; k < ACCEL_ATTR_WAYS && c[k].kind != KIND_EMPTY; k++)
        if (cached_store(&c[k], owner, name, v, &err)) {
            count_hit(c);
            Py_DECREF(owner);
            return err ? ERROR_AT(sp) : sp;
        }
    int bucket = shared_bucket(owner, name, IC_SITE_STORE);
    attr_cache entry;
    for (int w = 0; w < 2; w++) {
        shared_entry *e = &shared_table[bucket].way[w];
        if (e->name != name || e->site_kind != IC_SITE_STORE || e->entry.kind == KIND_EMPTY)
            continue;
        entry = e->entry;
        if (cached_store(&entry, owner, name, v, &err)) {
            shared_table[bucket].recent = w;
            count_shared_hit();
            shared_promote(c, &entry, IC_SITE_STORE, owner, name, f);
            Py_DECREF(owner);
            return err ? ERROR_AT(sp) : sp;
        }
    }
    count_miss(c);
    err = PyObject_SetAttr(owner, name, v);
    if (!err) {
        memset(&entry, 0, sizeof(entry));
        accel_fill_store(&entry, owner, name);
        shared_remember(owner, name, IC_SITE_STORE, &entry);
        if (!megamorphic(c))
            site_learn(c, &entry, IC_SITE_STORE, owner, name, f);
    }
    Py_DECREF(v);
    Py_DECREF(owner);
    return err ? ERROR_AT(sp) : sp;
}
