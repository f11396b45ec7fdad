/* inline_cache.c -- executable inline caches for attribute sites: per-site regions of machine-code slots.
 *
 * A LOAD_ATTR / LOAD_METHOD / STORE_ATTR site checks one case inline, in the code stream (its first cache
 * entry: what CPython's quickening or the first access saw; site_cache.c).  When that check fails, the machine
 * code calls the site's *region*: a few hundred bytes of the code arena holding one slot per further case the
 * site has met, each a straight run of guards and a load, ending in a `ret` -- and, after the last slot, code
 * that returns 0: "no slot applies", whereupon the site calls the generic helper.  The helper, having handled
 * the case the slow way, describes it (fill_load / fill_store) and hands the description to accel_ic_learn
 * here -- the rewriter -- which writes a slot for it, so the next object of that type is served in machine code.
 *
 * Slots are copies of templates that bjit/ic_slots.py assembles once per process and registers here, with the
 * offsets of their holes (the type's version tag, an index or offset, a value, a dict and its version, the
 * name's hash, the address of the slot's hit counter); writing a slot is a memcpy and a few stores.  The
 * guards are the ones site_cache.c's C code makes for the same kind, so a slot is correct exactly when that
 * entry would be:
 * `tp_version_tag` for everything the type's MRO decides (any change to the type or a base gives it a new
 * tag, and tags are never reused), the instance's values pointer and the shared keys' length for split-dict
 * instances, the module dict's identity and `ma_version_tag` for module attributes.  An invalidated slot simply
 * never matches again; it is the first to be overwritten.
 *
 * Register contract: called with rdi = the owner, rcx = the site; returns rax = a borrowed attribute (loads),
 * the address of the instance's slot for the value (stores), or 0; edx = 1 for an attribute, 0 for a method
 * (LOAD_METHOD sites).  Slots clobber rax, rdx, rsi and r8-r11 only, and never call anything.
 *
 * Rewriting and threads.  Every rewrite regenerates the whole region from the site's slot list (new order:
 * the hottest first; evicted: the slot with the fewest hits since the last rewrite -- an invalidated one has
 * none), through the arena's writable view, so W^X holds.  That is safe because a region is leaf code: no slot
 * makes a call, so no thread can ever be suspended inside one (a slot runs with the GIL held, start to `ret`),
 * and the rewriter runs with the GIL held too.  A slot's case that needs a call (a property, a bound method
 * made by __get__) stays with the generic helper.  A site rewritten ACCEL_IC_MAX_REWRITES times with fewer than
 * 64 hits per rewrite is megamorphic: its region stays as it is and misses go to the generic path only, until
 * enough hits have come in since.
 */
#include "bjit.h"
#include "internal/pycore_moduleobject.h"

#define ACCEL_IC_MAX_REWRITES 32

struct accel_ic {
    accel_ic *next_in_code;      /* the code state's list (freed with it) */
    accel_ic *prev, *next;       /* every live IC (stats) */
    char *code;                  /* ACCEL_IC_REGION_BYTES of arena */
    int32_t unit;                /* the site's code unit */
    uint8_t site_kind;           /* IC_SITE_* */
    uint8_t megamorphic;
    uint16_t nslots;
    uint32_t used, rewrites;
    struct ic_slot {
        accel_attr_cache entry;  /* the case the slot was written from */
        uint32_t hits;           /* incremented by the slot's code */
        uint64_t earlier_hits;   /* hits before the last rewrite */
        Py_hash_t name_hash;     /* the attribute name's (a METHOD_DICT slot compares the dict's keys with it) */
        PyObject *name;          /* borrowed from the code's co_names, which outlive the region (freed with it) */
        uint8_t tpl;
        uint16_t offset, size;
        char type_name[40];
    } slots[ACCEL_IC_SLOTS];
};

typedef struct {
    unsigned char *bytes;
    uint16_t size;
    int16_t holes[IC_HOLE_COUNT];  /* byte offset of each hole, or -1 */
} ic_template;

static ic_template templates[IC_TPL_COUNT];
static accel_ic *all_ics;
accel_ic_counters_t accel_ic_counters;
int accel_ic_enabled = 1;

static const unsigned char region_tail[] = {0x31, 0xC0, 0xC3};  /* xor eax, eax; ret: no slot applies */

int
accel_ic_set_template(int tpl, const char *bytes, Py_ssize_t n, const int *holes)
{
    if (tpl < 0 || tpl >= IC_TPL_COUNT || n <= 0 || n > 256)
        return -1;
    for (int h = 0; h < IC_HOLE_COUNT; h++)
        if (holes[h] < -1 || holes[h] > n - 4)
            return -1;
    unsigned char *copy = accel_malloc((size_t)n);
    if (copy == NULL)
        return -1;
    memcpy(copy, bytes, (size_t)n);
    accel_free(templates[tpl].bytes);
    templates[tpl].bytes = copy;
    templates[tpl].size = (uint16_t)n;
    for (int h = 0; h < IC_HOLE_COUNT; h++)
        templates[tpl].holes[h] = (int16_t)holes[h];
    return 0;
}

/* The template that serves `e` at a site of this kind, or -1 (the case needs a call, or no template). */
static int
template_for(const accel_attr_cache *e, int site_kind)
{
    int tpl = -1;
    if (site_kind == IC_SITE_STORE) {
        if (e->kind == KIND_STORE_VALUE && e->dict_version == 0)  /* (1: the helper checks the class attribute) */
            tpl = IC_TPL_STORE_VALUE;
        else if (e->kind == KIND_STORE_SLOT)
            tpl = IC_TPL_STORE_SLOT;
    }
    else {
        switch (e->kind) {
        case KIND_INSTANCE_VALUE:
            tpl = IC_TPL_LOAD_VALUE;
            break;
        case KIND_SLOT:
            tpl = IC_TPL_LOAD_SLOT;
            break;
        case KIND_MODULE:
            tpl = IC_TPL_LOAD_MODULE;
            break;
        case KIND_TYPE_ATTR:
            /* the class attribute itself: no __get__, or a plain function (whose __get__ without an instance
             * returns the function) -- and an immutable type's value: a mutable one's class may gain __get__,
             * and only the helper looks for it at each use */
            if (PyFunction_Check(e->descr) || (Py_TYPE(e->descr)->tp_descr_get == NULL
                                               && PyType_HasFeature(Py_TYPE(e->descr), Py_TPFLAGS_IMMUTABLETYPE)))
                tpl = IC_TPL_LOAD_TYPE_ATTR;
            break;
        case KIND_METHOD_DICT:
            if (e->index == 0)  /* the managed dict (not one at tp_dictoffset) */
                tpl = IC_TPL_LOAD_METHOD_DICT;
            break;
        case KIND_INSTANCE_DICT:  /* the managed dict's entry at the hint (not a CHECKED entry: helper only) */
            if (e->index == 0 && e->shadow == SHADOW_DICT && e->dict_version == 0 && e->dict_hint < INT32_MAX)
                tpl = IC_TPL_LOAD_DICT_HINT;
            break;
        case KIND_CLASS_ATTR:
            if (Py_TYPE(e->descr)->tp_descr_get != NULL || e->dict_version != 0)
                break;  /* a bound method or another __get__ result: made by a call; or a mutable class's value */
            /* fall through */
        case KIND_METHOD:
            if (e->shadow == SHADOW_NONE)
                tpl = IC_TPL_LOAD_CONST;
            else if (e->shadow == SHADOW_VALUES)
                tpl = IC_TPL_LOAD_CONST_VALUES;
            break;
        default:
            break;
        }
    }
    return tpl >= 0 && templates[tpl].bytes != NULL ? tpl : -1;
}

static inline void
patch32(unsigned char *at, int16_t hole, uint32_t v)
{
    if (hole >= 0)
        memcpy(at + hole, &v, 4);
}

static inline void
patch64(unsigned char *at, int16_t hole, uint64_t v)
{
    if (hole >= 0)
        memcpy(at + hole, &v, 8);
}

/* Write the whole region from the slot list: 0, or -1 when the slots do not fit (nothing written). */
static int
write_region(accel_ic *ic)
{
    unsigned char buf[ACCEL_IC_REGION_BYTES];
    size_t n = 0;
    for (int k = 0; k < ic->nslots; k++) {
        struct ic_slot *s = &ic->slots[k];
        const ic_template *t = &templates[s->tpl];
        if (n + t->size + sizeof(region_tail) > sizeof(buf))
            return -1;
        unsigned char *at = buf + n;
        memcpy(at, t->bytes, t->size);
        const accel_attr_cache *e = &s->entry;
        int disp = s->tpl == IC_TPL_LOAD_VALUE || s->tpl == IC_TPL_STORE_VALUE ? (int)(e->index * 8)
                   : s->tpl == IC_TPL_LOAD_DICT_HINT ? (int)e->dict_hint : (int)e->index;
        patch32(at, t->holes[IC_HOLE_VERSION], e->type_version);
        patch32(at, t->holes[IC_HOLE_DISP], (uint32_t)disp);
        patch64(at, t->holes[IC_HOLE_VALUE], (uint64_t)(uintptr_t)e->descr);
        patch32(at, t->holes[IC_HOLE_NENTRIES], (uint32_t)e->nentries);
        patch64(at, t->holes[IC_HOLE_DICT], (uint64_t)(uintptr_t)e->dict);
        patch64(at, t->holes[IC_HOLE_DICT_VERSION], e->dict_version);
        patch64(at, t->holes[IC_HOLE_HITS], (uint64_t)(uintptr_t)&s->hits);
        patch32(at, t->holes[IC_HOLE_FLAG], e->kind == KIND_METHOD || e->kind == KIND_METHOD_DICT ? 0 : 1);
        patch64(at, t->holes[IC_HOLE_HASH], (uint64_t)s->name_hash);
        patch64(at, t->holes[IC_HOLE_NAME], (uint64_t)(uintptr_t)s->name);
        s->offset = (uint16_t)n;
        s->size = t->size;
        n += t->size;
    }
    memcpy(buf + n, region_tail, sizeof(region_tail));
    n += sizeof(region_tail);
    if (accel_arena_write(ic->code, buf, n) < 0)
        return -1;
    ic->used = (uint32_t)n;
    return 0;
}

static accel_ic *
new_ic(accel_attr_cache *site, int site_kind, _PyInterpreterFrame *f)
{
    accel_code_state *st = accel_code_state_get(f->f_code);
    if (st == NULL)
        return NULL;
    accel_ic *ic = accel_calloc(1, sizeof(accel_ic));
    if (ic == NULL)
        return NULL;
    ic->code = accel_arena_alloc(ACCEL_IC_REGION_BYTES);
    if (ic->code == NULL) {
        accel_free(ic);
        return NULL;
    }
    ic->unit = (int32_t)(f->prev_instr - _PyCode_CODE(f->f_code));
    ic->site_kind = (uint8_t)site_kind;
    ic->next_in_code = st->ics;
    st->ics = ic;
    ic->next = all_ics;
    if (all_ics != NULL)
        all_ics->prev = ic;
    all_ics = ic;
    accel_ic_counters.regions++;
    accel_ic_counters.region_bytes += ACCEL_IC_REGION_BYTES;
    return ic;
}

static inline int
same_case(const accel_attr_cache *a, const accel_attr_cache *b)
{
    return a->type_version == b->type_version && a->dict == b->dict && a->kind == b->kind && a->shadow == b->shadow;
}

static void
drop_slot(accel_ic *ic, int k)
{
    accel_ic_counters.freed_hits += ic->slots[k].hits + ic->slots[k].earlier_hits;
    memmove(&ic->slots[k], &ic->slots[k + 1], (size_t)(ic->nslots - k - 1) * sizeof(struct ic_slot));
    ic->nslots--;
}

static int
by_recent_hits(const void *a, const void *b)
{
    uint32_t x = ((const struct ic_slot *)a)->hits, y = ((const struct ic_slot *)b)->hits;
    return x < y ? 1 : x > y ? -1 : 0;
}

int
accel_ic_learn(accel_attr_cache *site, const accel_attr_cache *entry, int site_kind, PyTypeObject *tp,
               PyObject *name, _PyInterpreterFrame *f)
{
    accel_attr_site_ic *link = ATTR_SITE_IC(site);
    uint32_t inline_kinds = link->inline_kinds;
    if (entry->kind == KIND_EMPTY || !accel_ic_enabled)
        return 0;
    if ((inline_kinds >> entry->kind & 1)
        && (site->kind == KIND_EMPTY || same_case(site, entry) || !(inline_kinds >> site->kind & 1)))
        return 0;  /* the inline entry takes it: a first case, a fresh one for its type, or one it can check */
    int tpl = template_for(entry, site_kind);
    if (tpl < 0 || !PyUnicode_CheckExact(name))
        return 0;
    accel_ic *ic = link->ic;
    if (ic == NULL) {
        ic = link->ic = new_ic(site, site_kind, f);
        if (ic == NULL)
            return 0;
    }
    /* Megamorphic: many rewrites, and not many hits for each.  A site that keeps hitting between rare changes
     * (a class patched now and then) is rewritten again; one that only misses is left to the generic path. */
    int mega = ic->rewrites >= ACCEL_IC_MAX_REWRITES && (uint64_t)ic->rewrites * 64 > site->hits;
    if (mega != ic->megamorphic) {
        ic->megamorphic = (uint8_t)mega;
        if (mega)
            accel_ic_counters.megamorphic++;
        else
            accel_ic_counters.megamorphic--;
    }
    if (mega)
        return 0;
    ic->rewrites++;
    accel_ic_counters.rewrites++;
    for (int k = 0; k < ic->nslots; k++)
        if (same_case(&ic->slots[k].entry, entry)) {  /* stale: that type's case changed */
            drop_slot(ic, k);
            break;
        }
    qsort(ic->slots, ic->nslots, sizeof(struct ic_slot), by_recent_hits);
    if (ic->nslots == ACCEL_IC_SLOTS) {
        drop_slot(ic, ic->nslots - 1);  /* the fewest hits since the last rewrite */
        accel_ic_counters.evictions++;
    }
    struct ic_slot *s = &ic->slots[ic->nslots++];
    memset(s, 0, sizeof(*s));
    s->entry = *entry;
    s->tpl = (uint8_t)tpl;
    s->name_hash = PyObject_Hash(name);  /* (an exact str: cannot fail) */
    s->name = name;
    if (tp != NULL)
        snprintf(s->type_name, sizeof(s->type_name), "%s", tp->tp_name);
    while (write_region(ic) < 0) {  /* too many bytes: evict from the cold end (never the new slot) */
        if (ic->nslots <= 1) {
            while (ic->nslots > 0)
                drop_slot(ic, 0);
            link->code = NULL;
            return 0;
        }
        drop_slot(ic, ic->nslots - 2);
        accel_ic_counters.evictions++;
    }
    for (int k = 0; k < ic->nslots; k++) {
        ic->slots[k].earlier_hits += ic->slots[k].hits;
        ic->slots[k].hits = 0;
    }
    accel_ic_counters.slots_written++;
    link->code = ic->code;
    return 1;
}

void
accel_ic_free_code(void *ics)
{
    accel_ic *ic = (accel_ic *)ics;
    while (ic != NULL) {
        accel_ic *next = ic->next_in_code;
        for (int k = 0; k < ic->nslots; k++)
            accel_ic_counters.freed_hits += ic->slots[k].hits + ic->slots[k].earlier_hits;
        if (ic->prev != NULL)
            ic->prev->next = ic->next;
        else
            all_ics = ic->next;
        if (ic->next != NULL)
            ic->next->prev = ic->prev;
        accel_arena_free(ic->code, ACCEL_IC_REGION_BYTES);
        accel_ic_counters.regions--;
        accel_ic_counters.region_bytes -= ACCEL_IC_REGION_BYTES;
        if (ic->megamorphic)
            accel_ic_counters.megamorphic--;
        accel_free(ic);
        ic = next;
    }
}

uint64_t
accel_ic_slot_hits(void)
{
    uint64_t total = accel_ic_counters.freed_hits;
    for (accel_ic *ic = all_ics; ic != NULL; ic = ic->next)
        for (int k = 0; k < ic->nslots; k++)
            total += ic->slots[k].hits + ic->slots[k].earlier_hits;
    return total;
}

static const char *const kind_names[] = {
    [KIND_EMPTY] = "empty", [KIND_INSTANCE_VALUE] = "instance_value", [KIND_INSTANCE_DICT] = "instance_dict",
    [KIND_SLOT] = "slot", [KIND_DATA_DESCR] = "data_descr", [KIND_CLASS_ATTR] = "class_attr",
    [KIND_MODULE] = "module", [KIND_METHOD] = "method", [KIND_METHOD_DICT] = "method_dict",
    [KIND_STORE_VALUE] = "store_value", [KIND_STORE_SLOT] = "store_slot", [KIND_STORE_DICT] = "store_dict",
    [KIND_TYPE_ATTR] = "type_attr", [KIND_META_ATTR] = "meta_attr", [KIND_SUPER] = "super",
    [KIND_METHOD_FORWARD] = "method_forward", [KIND_STORE_DESCR] = "store_descr",
    [KIND_GETATTR_HOOK] = "getattr_hook",
};

const char *
accel_attr_kind_name(int kind)
{
    return kind >= 0 && kind < (int)(sizeof(kind_names) / sizeof(kind_names[0])) && kind_names[kind] != NULL
               ? kind_names[kind] : "?";
}

PyObject *
accel_ic_describe(PyCodeObject *co)
{
    static const char *const site_kinds[] = {"LOAD_ATTR", "LOAD_METHOD", "STORE_ATTR"};
    accel_code_state *st = accel_code_state_get(co);
    PyObject *out = PyList_New(0);
    for (accel_ic *ic = st == NULL ? NULL : st->ics; out != NULL && ic != NULL; ic = ic->next_in_code) {
        PyObject *slots = PyList_New(0);
        for (int k = 0; slots != NULL && k < ic->nslots; k++) {
            struct ic_slot *s = &ic->slots[k];
            PyObject *d = Py_BuildValue("{s:s,s:s,s:I,s:K,s:H,s:H}", "kind", accel_attr_kind_name(s->entry.kind),
                                        "type", s->type_name, "type_version", s->entry.type_version,
                                        "hits", (unsigned long long)(s->hits + s->earlier_hits),
                                        "offset", s->offset, "size", s->size);
            if (d == NULL || PyList_Append(slots, d) < 0)
                Py_CLEAR(slots);
            Py_XDECREF(d);
        }
        PyObject *d = slots == NULL ? NULL
            : Py_BuildValue("{s:i,s:s,s:s,s:I,s:I,s:K,s:N}", "unit", ic->unit, "site", site_kinds[ic->site_kind],
                            "state", ic->megamorphic ? "megamorphic" : "polymorphic", "rewrites", ic->rewrites,
                            "bytes", ic->used, "region", (unsigned long long)(uintptr_t)ic->code, "slots", slots);
        if (d == NULL || PyList_Append(out, d) < 0)
            Py_CLEAR(out);
        Py_XDECREF(d);
    }
    return out;
}
