/* bjit.h -- the contract between tier-1 machine code and the C runtime.
 *
 * Machine code for a code object is one C-callable function, `int fn(accel_jit_ctx *ctx)`, run by the
 * trampoline accel_bjit_execute() (bjit_entry.c) on CPython's own _PyInterpreterFrame.  It keeps
 *   rbx = ctx, rbp = frame + ACCEL_FRAME_BIAS, r14 = tstate (the value stack lives in the frame, at offsets fixed per instruction),
 * stores prev_instr before anything that can raise, call out or be inspected, and ends in one of three ways:
 *   ACCEL_EXIT_RETURN:   ctx->retval holds the return value; the value stack is empty;
 *   ACCEL_EXIT_ERROR:    an exception is set, frame->prev_instr is the failing instruction and
 *                        frame->stacktop the depth CPython's error path expects (the helper that failed set it);
 *   ACCEL_EXIT_HANDBACK: nothing of instruction ctx->resume_unit onwards has run; the interpreter takes the frame
 *                        from there with ctx->resume_depth values on the stack;
 *   ACCEL_EXIT_YIELD / ACCEL_EXIT_NO_ENTRY: generator frames (below).
 * A generator frame is resumed with ctx->resume_unit = the code unit to continue at (0 for a fresh call); the
 * machine code jumps to its entry for that point.
 * Op helpers (bjit_ops.c) share one signature: they get the stack pointer and return the new one, NULL for an
 * error (exception set, frame->stacktop written), or ACCEL_HANDBACK when they did nothing and the interpreter
 * should run the instruction itself (used where CPython's exact error text or a rare case is not worth copying).
 */
#ifndef ACCEL_BJIT_H
#define ACCEL_BJIT_H

#include "accel.h"
#include "internal/pycore_pystate.h"

enum {
    ACCEL_EXIT_RETURN = 0,
    ACCEL_EXIT_ERROR = 1,
    ACCEL_EXIT_HANDBACK = 2,
    ACCEL_EXIT_YIELD = 3,     /* a generator frame suspended: ctx->retval is the yielded value; the machine code set
                                 prev_instr (the YIELD_VALUE), stacktop and the generator's frame state */
    ACCEL_EXIT_NO_ENTRY = 4,  /* resumed where the machine code has no entry: the interpreter resumes the frame */
    ACCEL_EXIT_COMPILE_BLOCK = 5,  /* a jump reached a block without machine code yet: ctx->reason is the block,
                                      resume_unit/resume_depth its start; run it once compiled (bjit_lazy.c) */
    ACCEL_EXIT_COUNT
};

#define ACCEL_HANDBACK ((PyObject **)1)

typedef struct {
    PyThreadState *tstate;
    _PyInterpreterFrame *frame;
    PyObject *retval;
    int32_t resume_unit;    /* hand-back: code unit of the first instruction the interpreter runs */
    int32_t resume_depth;   /* hand-back: value-stack depth at that point */
    int32_t reason;         /* hand-back: why, ACCEL_HB_* * 256 + opcode, for the stats */
    int32_t _pad;
    void *entry;            /* NULL: start at the function's entry (or a generator's resume point); else jump here
                               (a block compiled while the frame ran, bjit_lazy.c) */
    uint64_t call_site;     /* a hand-back from a helper call's shared glue (ACCEL_RESUME_FROM_CALL_SITE): the call
                               site's packed description, decoded by the trampoline */
} accel_jit_ctx;

typedef int (*accel_jit_fn)(accel_jit_ctx *ctx);

/* ctx->resume_unit of a hand-back at the instruction frame->prev_instr points to (a helper declined; only for an
 * instruction without EXTENDED_ARG prefix, which starts where prev_instr points) */
#define ACCEL_RESUME_AT_PREV_INSTR (-1)
/* ctx->resume_unit of a hand-back from a helper call's glue (codegen.py: HelperGlue), which stores the call site's
 * packed description in ctx->call_site: its code unit (bits 0-31), stack depth (32-47), the distance to the next
 * instruction (48-55) and the stack effect (56-63, signed).  DECLINED: the helper did nothing, the interpreter runs
 * the instruction; TRACING: it ran, and tracing switched on, so the interpreter goes on after it. */
#define ACCEL_RESUME_CALL_DECLINED (-2)
#define ACCEL_RESUME_CALL_TRACING (-3)
/* The word's fields, from either of its forms (accel/bjit/glue.py: wide, or compact with bit 31 set and bits 32-63
 * clear: unit 0-15, depth 16-22, distance 23-26, effect 27-30 signed). */
static inline void
accel_call_site_fields(uint64_t word, int32_t *unit, int32_t *depth, int32_t *to_next, int32_t *effect)
{
    if (word >> 31 == 1) {
        *unit = (int32_t)(word & 0xFFFF);
        *depth = (int32_t)((word >> 16) & 0x7F);
        *to_next = (int32_t)((word >> 23) & 0xF);
        *effect = (int32_t)((word >> 27) & 0xF) - (((word >> 27) & 0x8) ? 16 : 0);
        return;
    }
    *unit = (int32_t)(uint32_t)word;
    *depth = (int32_t)((word >> 32) & 0xFFFF);
    *to_next = (int32_t)((word >> 48) & 0xFF);
    *effect = (int8_t)(word >> 56);
}
int accel_opcode_at(PyCodeObject *co, int32_t unit);  /* code_state.c */

/* A plan record's target field of a LOAD_FAST whose local cannot be unbound there (accel/ir/bound.py ALWAYS_BOUND):
 * no unbound check; of a STORE_FAST whose local holds a value: no NULL test before its release.  The arguments
 * are the first accel_code_nargs(co) locals. */
#define ACCEL_ALWAYS_BOUND (-2)
#define ACCEL_ALWAYS_UNBOUND (-3)  /* a STORE_FAST's: the local holds no value before it (no release) */

/* Tier-1 code's frame register points this many bytes past the frame, so that one-byte displacements reach the
 * frame's fields and localsplus[0..22] (accel/bjit/registers.py).  A function's shape (templates' key): narrow
 * when all its localsplus entries and stack slots are so reached (its templates take disp8 frame operands),
 * compact words when its code units and stack depths fit a 32-bit call-site word (glue.py). */
#define ACCEL_FRAME_BIAS 128
enum { ACCEL_SHAPE_NARROW = 1, ACCEL_SHAPE_COMPACT_WORDS = 2, ACCEL_SHAPE_UNITS32 = 4 };
static inline int
accel_function_shape(PyCodeObject *co, int64_t code_units)
{
    int64_t last = (int64_t)offsetof(_PyInterpreterFrame, localsplus) - ACCEL_FRAME_BIAS +
                   8 * ((int64_t)co->co_nlocalsplus + co->co_stacksize);
    /* units32: prev_instr is stored in 32 bits, since every value a frame of this code holds there (the unit
     * before the first, where a new frame points, to the last) has the same upper half (registers.py) */
    uintptr_t units = (uintptr_t)_PyCode_CODE(co);
    return (last <= 127 ? ACCEL_SHAPE_NARROW : 0) |
           (code_units < (1 << 16) && co->co_stacksize < (1 << 7) ? ACCEL_SHAPE_COMPACT_WORDS : 0) |
           ((units - 2) >> 32 == (units + 2 * (uintptr_t)code_units) >> 32 ? ACCEL_SHAPE_UNITS32 : 0);
}
static inline int32_t
accel_code_nargs(PyCodeObject *co)
{
    return co->co_argcount + co->co_kwonlyargcount + !!(co->co_flags & CO_VARARGS) + !!(co->co_flags & CO_VARKEYWORDS);
}

/* Why machine code handed a frame back to the interpreter. */
enum {
    ACCEL_HB_UNSUPPORTED = 0,   /* an instruction tier 1 does not compile */
    ACCEL_HB_HELPER,            /* a helper declined (rare case / exact error text) */
    ACCEL_HB_TRACING,           /* sys.settrace/setprofile switched on while compiled code ran */
    ACCEL_HB_RESUME,            /* entered at a point compiled code has no entry for (generator, throw) */
    ACCEL_HB_BLOCK,             /* a block that could not be compiled when first reached (bjit_lazy.c) */
    ACCEL_HB_HANDLER,           /* an exception handler whose block has no machine code (bjit_exceptions.c) */
    ACCEL_HB_COUNT
};

extern uint64_t accel_bjit_exits[ACCEL_EXIT_COUNT];

/* ---- exceptions raised in machine code (bjit_exceptions.c) ---- */
enum {
    ACCEL_UNWIND_CAUGHT_JIT = 0,  /* a handler of the frame entered in machine code */
    ACCEL_UNWIND_CAUGHT_INTERP,   /* a handler of the frame run by the interpreter (its block has no machine code) */
    ACCEL_UNWIND_LEFT,            /* no handler: the frame left with the exception */
    ACCEL_UNWIND_TO_INTERP,       /* tracing: the interpreter's own unwinding */
    ACCEL_UNWIND_COUNT
};
extern uint64_t accel_unwind_counts[ACCEL_UNWIND_COUNT];
/* ceval's error path from `error:` to a handler: 1 with the handler's code unit (the stack as it expects,
 * frame->stacktop set), 0 when the frame has none (stack emptied, the frame to be left with NULL). */
int accel_unwind_to_handler(PyThreadState *tstate, _PyInterpreterFrame *frame, int32_t *handler_unit);
int accel_unwind_is_reraise(_PyInterpreterFrame *frame);  /* the error is a re-raise (no traceback entry) */
/* One varint of a code object's exception table (3.11's parse_varint; bit 7 marks an entry's first byte): the
 * position after it, or NULL when the table ends inside it or it is out of range. */
static inline const uint8_t *
accel_exc_varint(const uint8_t *p, const uint8_t *end, int *value)
{
    if (p >= end)
        return NULL;
    uint8_t b = *p++;
    int v = b & 63;
    while (b & 64) {
        if (p >= end || v > (1 << 24))
            return NULL;
        b = *p++;
        v = (v << 6) | (b & 63);
    }
    *value = v;
    return p;
}
extern uint64_t accel_bjit_handbacks[ACCEL_HB_COUNT][256];  /* by reason and opcode */

PyObject *accel_bjit_execute(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag);
int accel_bjit_handle_pending(PyThreadState *tstate, _PyInterpreterFrame *frame);
struct accel_call_cache;
PyObject **accel_op_call(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t, PyObject *kwnames,
                         struct accel_call_cache *);
/* the same, first trying what CPython's quickened PRECALL says the site called: a Python function, a C function */
PyObject **accel_op_call_py(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t, PyObject *kwnames,
                            struct accel_call_cache *);
/* CALL where CPython's PRECALL_PYFUNC ran, without keywords: the callee's code of last time, entered straight */
PyObject **accel_op_call_exact(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t, PyObject *kwnames,
                               struct accel_call_cache *);
PyObject **accel_op_call_c(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t, PyObject *kwnames,
                           struct accel_call_cache *);
/* CALL_FUNCTION_EX into a compiled function or a bound method of one, binding any parameter list (1: done) */
int accel_call_ex_direct(PyThreadState *, PyObject *func, PyObject *callargs, PyObject *kwargs, PyObject **result);
/* obj[key], obj[key] = value, value in obj with the class's own compiled __getitem__/__setitem__/__contains__ */
enum { ACCEL_DUNDER_GETITEM, ACCEL_DUNDER_SETITEM, ACCEL_DUNDER_CONTAINS };
int accel_call_dunder_direct(PyThreadState *, int which, PyObject *const *args, PyObject **result);
/* a compiled Python function called with borrowed positional arguments (1: done) */
int accel_call_python_direct(PyThreadState *, PyObject *func, PyObject *const *args, Py_ssize_t nargs,
                             PyObject **result);
/* descr.__get__(instance, owner) of a property with a compiled getter or a Python descriptor class (1: done) */
int accel_descr_get_direct(PyObject *descr, PyObject *instance, PyObject *owner, PyObject **result);
/* descr.__set__(instance, value) of a property with a compiled setter or a Python descriptor class (1: done) */
int accel_descr_set_direct(PyObject *descr, PyObject *instance, PyObject *value, int *err);

/* Attribute-site caches (site_cache.c) and cache-free fast paths (bjit_numeric.c). */
typedef struct {
    uint64_t hits;      /* attribute sites: the cached case applied */
    uint64_t misses;    /* attribute sites: the generic path ran (and re-filled the cache) */
    uint64_t fast_ops;  /* operators and subscripts that took a fast path for their operand types */
    uint64_t helper_hits;  /* attribute sites: of `hits`, those the helper's entries served (not machine code) */
    uint64_t shared_hits;  /* attribute sites: of `helper_hits`, those the shared table served (site_cache.c) */
} accel_site_counters_t;
extern accel_site_counters_t accel_site_counters;
/* LOAD_GLOBAL's per-site cache: the value found last time, valid while neither dict has changed since (a dict's
 * ma_version_tag changes with every mutation, so the borrowed value cannot have been removed meanwhile) -- the
 * check machine code makes inline.  When a dict did change (a module that assigns its own globals changes its
 * version all the time), the helper looks at the entry where the name was: still there, it refreshes the cache. */
typedef struct {
    uint64_t globals_version;
    uint64_t builtins_version;
    uint64_t module_version;  /* globals_version while the value is the globals' own, else 0 (no dict's version):
                                 all a site CPython found a module global at checks */
    PyObject *value;          /* borrowed */
    PyDictObject *globals;    /* the dicts it was found in (a code object can run with other globals) */
    PyDictObject *builtins;
    Py_ssize_t index;         /* the name's entry in the dict it was found in, or -1 */
    int in_builtins;          /* found in builtins (so absent from globals) */
    uint32_t globals_keys_version;  /* in_builtins: the globals' dk_version when the name was absent, if it had
                                       one (set by CPython's specializer; any insertion resets it) */
    PyObject *name;           /* borrowed (the code's co_names holds it): for the entry check of glue.py */
} accel_load_global_cache;

/* CALL's per-site cache: the state of the code the site last called, so that the next call of the same function
 * finds it without walking function -> code -> co_extra.  Valid while no code state has been freed since it was
 * filled (accel_code_epoch: a state's code object, and with it the state, could otherwise be a new one at the
 * same address) and while the function still has that code (__code__ can be assigned). */
typedef struct accel_call_cache {
    PyObject *func;             /* borrowed, compared only */
    PyObject *code;             /* borrowed, compared only */
    accel_code_state *st;
    uint64_t epoch;
    int64_t argcount;           /* accel_op_call_exact: `code`'s positional parameters when its machine code is
                                   entered straight with them (self included; defaults for the missing ones, filled
                                   with the rest of `st`); -1: never */
    /* accel_op_call_exact: the callee before, for a site that alternates between two (valid under the same
       epoch; code2 NULL: none) */
    PyObject *code2;
    accel_code_state *st2;
    int64_t argcount2;
} accel_call_cache;
extern uint64_t accel_code_epoch;  /* code_state.c: +1 whenever a code state is freed */

/* Attribute-cache kinds (site_cache.c explains them); tier-1 machine code checks the commonest inline. */
enum {
    KIND_EMPTY = 0,
    /* LOAD_ATTR (and LOAD_METHOD of a non-method attribute: [NULL, attr]) */
    KIND_INSTANCE_VALUE,   /* values->values[index] of a split-dict instance */
    KIND_INSTANCE_DICT,    /* the instance's materialised dict (offset 0: managed), else the type attribute */
    KIND_SLOT,             /* *(owner + offset): a __slots__ member (T_OBJECT_EX) */
    KIND_DATA_DESCR,       /* a data descriptor of the type (property, getset...): descr.__get__(owner, type) */
    KIND_CLASS_ATTR,       /* a type attribute the instance cannot shadow: the value, or its __get__ */
    KIND_MODULE,           /* a module's global, under the module dict's version */
    /* LOAD_METHOD: [descr, owner] */
    KIND_METHOD,           /* a method of the type the instance cannot shadow */
    KIND_METHOD_DICT,      /* a method of the type, when the instance's dict does not hold the name */
    /* STORE_ATTR */
    KIND_STORE_VALUE,      /* values->values[index] of a split-dict instance */
    KIND_STORE_SLOT,       /* *(owner + offset) */
    KIND_STORE_DICT,       /* the instance's materialised dict (offset 0: managed) */
    /* LOAD_ATTR / LOAD_METHOD ([NULL, attr]) on a class whose metaclass is `type` */
    KIND_TYPE_ATTR,        /* an attribute of the class's MRO (type_version is the class's own tag) */
    /* helper-only kinds (no inline check, no executable slot) */
    KIND_META_ATTR,        /* an attribute of a class read through its metaclass's type_getattro: META_* in shadow */
    KIND_SUPER,            /* an attribute found through a super object's MRO walk: SUPER_* in shadow */
    KIND_METHOD_FORWARD,   /* a bound method's attribute its type lacks (`m.__name__`): the function's */
    KIND_STORE_DESCR,      /* STORE_ATTR to a data descriptor of the type (a property's setter, a C getset such as
                              Element.text): its __set__, called directly */
    KIND_GETATTR_HOOK,     /* neither the type (version) nor the instance (its value at index, or nentries; its
                              dict) has it: the class's __getattr__, called directly, without the generic lookup's
                              AttributeError */
};

/* KIND_META_ATTR cases (in `shadow`): type_version is the class's tag, dict_version the metaclass's */
enum { META_CLASS = 0,     /* the class's MRO has it, the metaclass no data descriptor: descr, or its __get__ */
       META_DATA,          /* a data descriptor of the metaclass (__name__, __mro__...): any class of it */
       META_ATTR,          /* only the metaclass has it (not as a data descriptor): descr, or its __get__ */
       META_METHOD };      /* as META_ATTR at a LOAD_METHOD site, a method descriptor: [descr, class] */
/* KIND_SUPER cases: type_version is super's start type's tag, index super's own type (the class it skips) */
enum { SUPER_ATTR = 0,     /* descr, or its __get__(obj or NULL, start type) */
       SUPER_METHOD };     /* at a LOAD_METHOD site, instance mode, a function or method descriptor: [descr, obj] */

enum { SHADOW_NONE = 0, SHADOW_VALUES, SHADOW_DICT,  /* how an instance could shadow a type attribute */
       SHADOW_VALUE_AT,   /* the shared keys hold the name, at `index`: the instance shadows it when its value there
                             is set (a class-level default some instances override); helper only */
       SHADOW_CHECKED };  /* KIND_INSTANCE_DICT and stores whose type attribute is an instance of a mutable class
                             (dict_version 1): only the helper serves them, checking that class at each use */

/* ACCEL_ATTR_WAYS entries per LOAD_ATTR / STORE_ATTR / LOAD_METHOD site, in the code's jit_data block
 * (site_cache.c): a polymorphic site keeps one per receiver type; machine code checks the first inline.  The
 * first entry's hits/misses count for the whole site. */
#define ACCEL_ATTR_WAYS 4
struct accel_attr_cache {
    uint32_t type_version;   /* the owner's type's tp_version_tag when filled */
    uint16_t kind;
    uint16_t shadow;         /* KIND_CLASS_ATTR / KIND_METHOD: SHADOW_* */
    Py_ssize_t index;        /* split-dict values index, or slot offset, or dict offset (0: managed dict) */
    Py_ssize_t nentries;     /* SHADOW_VALUES, KIND_GETATTR_HOOK: the shared keys' dk_nentries when the name was
                                absent (-1: the instance had no values) */
    PyObject *descr;         /* borrowed: the type attribute; KIND_MODULE: the value */
    PyDictObject *dict;      /* KIND_MODULE: the module dict */
    uint64_t dict_version;   /* KIND_MODULE: its ma_version_tag; KIND_META_ATTR: the metaclass's version tag;
                                KIND_CLASS_ATTR, KIND_INSTANCE_DICT, stores: 1 when descr's class is mutable
                                (checked at each use); KIND_DATA_DESCR: 0, or DESCR_CLASS_CHECKED | the version
                                tag of descr's (mutable) class */
    Py_ssize_t dict_hint;    /* KIND_INSTANCE_DICT / KIND_STORE_DICT: where the name was in the last dict */
    uint32_t hits, misses;   /* type feedback for later tiers (saturating) */
};
typedef struct accel_attr_cache accel_attr_cache;

/* class_attrs.c: KIND_META_ATTR and KIND_SUPER for site_cache.c (fills; hits with cached_load's contract). */
void accel_fill_type_attr(accel_attr_cache *c, PyTypeObject *cls, PyObject *name, int method);
void accel_fill_super(accel_attr_cache *c, PyObject *owner, PyObject *name, int method);
int accel_cached_meta_attr(accel_attr_cache *c, PyObject *owner, PyObject **res);
int accel_cached_super(accel_attr_cache *c, PyObject *owner, PyObject **res);
PyObject *accel_super_instance(PyObject *super);  /* a super object's obj (borrowed) */

/* Executable inline caches (inline_cache.c explains them).  After the ACCEL_ATTR_WAYS entries of every
 * attribute site: what its machine code calls when the inline check misses. */
enum { IC_TPL_LOAD_VALUE, IC_TPL_LOAD_SLOT, IC_TPL_LOAD_CONST, IC_TPL_LOAD_CONST_VALUES, IC_TPL_LOAD_MODULE,
       IC_TPL_LOAD_TYPE_ATTR, IC_TPL_STORE_VALUE, IC_TPL_STORE_SLOT, IC_TPL_LOAD_METHOD_DICT, IC_TPL_LOAD_DICT_HINT,
       IC_TPL_COUNT };
enum { IC_HOLE_VERSION, IC_HOLE_DISP, IC_HOLE_VALUE, IC_HOLE_NENTRIES, IC_HOLE_DICT, IC_HOLE_DICT_VERSION,
       IC_HOLE_HITS, IC_HOLE_FLAG, IC_HOLE_HASH, IC_HOLE_NAME, IC_HOLE_COUNT };
enum { IC_SITE_LOAD = 0, IC_SITE_METHOD = 1, IC_SITE_STORE = 2 };
#define ACCEL_IC_SLOTS 8
#define ACCEL_IC_REGION_BYTES 512
typedef struct accel_ic accel_ic;
typedef struct {
    void *code;      /* the site's IC region (called with rdi = owner, rcx = the site), or NULL before its first */
    accel_ic *ic;
    uint32_t inline_kinds;  /* 1 << KIND_*: the kinds the site's machine code checks its first entry for inline
                               (written by the code generator) */
} accel_attr_site_ic;
#define ATTR_SITE_IC(site) ((accel_attr_site_ic *)((site) + ACCEL_ATTR_WAYS))

/* An empty site's first entry from CPython's quickened cache (an instance value or a __slots__ member: no
 * pointers, valid while the type has that version). */
static inline void
accel_attr_site_prefill(accel_attr_cache *c, int kind, uint32_t version, Py_ssize_t index)
{
    if (c->kind == KIND_EMPTY && version != 0) {
        c->kind = (uint16_t)kind;
        c->shadow = SHADOW_NONE;
        c->type_version = version;
        c->index = index;
    }
}
/* A miss the generic path just handled, as `entry` (fill_load / fill_store): 1 if a slot for it was written
 * into the site's region (the site's inline entry stays what it was), 0 if not. */
int accel_ic_learn(accel_attr_cache *site, const accel_attr_cache *entry, int site_kind, PyTypeObject *tp,
                   PyObject *name, _PyInterpreterFrame *f);
typedef struct {
    uint64_t rewrites, slots_written, evictions, regions, region_bytes, megamorphic, freed_hits;
} accel_ic_counters_t;
extern accel_ic_counters_t accel_ic_counters;
extern int accel_ic_enabled;  /* config ic_slots */
uint64_t accel_ic_slot_hits(void);         /* hits counted by every slot so far */
PyObject *accel_ic_describe(PyCodeObject *co);  /* [{unit, site, state, rewrites, bytes, region, slots}] */
const char *accel_attr_kind_name(int kind);
int accel_ic_set_template(int tpl, const char *bytes, Py_ssize_t n, const int *holes);

typedef PyObject **(*accel_op_fn)(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_binary_op(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_compare_op(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_binary_subscr(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_store_subscr(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_before_with(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_dict_update(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_dict_merge(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_import_name(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_import_from(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_set_update(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_reraise(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_reraise_handled(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_push_exc_info(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_pop_except(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_check_exc_match(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_with_except_start(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_load_build_class(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_load_name(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_load_name_cached(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t,
                                     accel_load_global_cache *);
PyObject **accel_op_store_name(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_delete_name(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_raise_varargs(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_call_function_ex(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_get_yield_from_iter(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_send(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
#define ACCEL_GEN_NOT_DIRECT (-2)
int accel_gen_send(PyThreadState *, PyObject *receiver, PyObject *arg, PyObject **presult);
PyObject **accel_op_get_awaitable(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t);
PyObject **accel_op_load_attr_cached(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t,
                                     accel_attr_cache *);
PyObject **accel_op_load_method_cached(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t,
                                       accel_attr_cache *);
PyObject **accel_op_store_attr_cached(PyThreadState *, _PyInterpreterFrame *, PyObject **, intptr_t,
                                      accel_attr_cache *);

/* The list and range iterators' layouts (private to listobject.c / rangeobject.c in 3.11); FOR_ITER's fast paths
 * use them only when the types' sizes match (accel_iterators_known). */
typedef struct {
    PyObject_HEAD
    Py_ssize_t it_index;
    PyListObject *it_seq;  /* NULL when exhausted */
} accel_listiter;
typedef struct {
    PyObject_HEAD
    long index, start, step, len;
} accel_rangeiter;
int accel_iterators_known(void);
extern uint64_t accel_dict_version;  /* version tags for dict stores that bypass PyDict_SetItem (site_cache.c) */

/* ---- tier 1 a block at a time (bjit_lazy.c) ---- */
#define ACCEL_BLOCK_INTERPRET ((void *)1)  /* lazy->code[b]: never compiled, the interpreter runs it */
#define ACCEL_BLOCK_COMPILING ((void *)2)  /* being compiled (maybe by another thread) */
typedef struct accel_lazy_blocks {
    int32_t nblocks;
    void **code;                /* per block: its machine code, NULL (not yet), or one of the markers above */
    void *exit_address, *error_address;  /* the head's shared exits, which later blocks jump to */
    int32_t *entries;           /* per block: its first code unit and its entry depth, where the interpreter takes
                                   over when the block gets no machine code (its stubs give only the block) */
    struct { void *address; size_t size; } *chunks;  /* arena memory of the blocks placed after the head */
    int32_t nchunks, chunks_cap;
    struct { int32_t block; uint8_t *site; } *patches;  /* rel32 fields aimed at a block's stub, until placed */
    int32_t npatches, patches_cap;
    uint64_t patched;           /* jumps re-aimed at their block */
    struct accel_osr_entry *osr;  /* loop back-edges a running interpreted frame may leave at (osr.c) */
    int32_t nosr;
    struct accel_block_plan *plan;  /* what placing a block in C needs (bjit_lazy_place.c), or NULL */
} accel_lazy_blocks;
accel_lazy_blocks *accel_lazy_new(int32_t nblocks, void *exit_address, void *error_address,
                                  const int32_t *entries);  /* (entries: nblocks pairs, copied) */
int accel_lazy_add_chunk(accel_lazy_blocks *, void *address, size_t size);
int accel_lazy_add_patch(accel_lazy_blocks *, int32_t block, uint8_t *site);
int accel_lazy_place(accel_lazy_blocks *, int32_t block, void *address);
void *accel_bjit_block_code(PyThreadState *, accel_code_state *, PyCodeObject *, int32_t block);
int accel_request_block(PyCodeObject *co, int32_t block);  /* eval_hook.c: 0 failed, 1 compiled */
int accel_set_block_callback(PyObject *callback);
int accel_lazy_set_osr(accel_lazy_blocks *, int32_t n, const int32_t *quads);

/* ---- a lazily compiled block placed entirely in C (bjit_lazy_place.c) ---- */
struct accel_block_plan;
void accel_block_plan_free(struct accel_block_plan *);
int accel_lazy_set_plan(accel_lazy_blocks *, PyObject *plan);  /* -1 + exception */
int accel_lazy_place_setup(PyObject *args);                      /* -1 + exception */
int accel_lazy_place_block(accel_code_state *, PyCodeObject *, int32_t block, PyObject **dry_out);
int accel_lazy_place_head(accel_code_state *, PyCodeObject *, PyObject **dry_out, void **address, size_t *size);
typedef struct {
    uint64_t blocks, heads, instructions, bytes;
    uint64_t ns, head_ns;           /* placing blocks (tries that went to Python included); heads */
    uint64_t declined[5];           /* to Python: template missing, none, hand-back not compact, reach, error */
    uint64_t handback_sites[256];   /* instructions placed as hand-backs, by opcode */
} accel_lazy_place_counters_t;
extern accel_lazy_place_counters_t accel_lazy_place_counters;
/* bjit_plan.c: the plan built from the bytecode, and a whole tier-1 compile in C */
int accel_plan_setup(PyObject *args);                              /* -1 + exception */
int accel_plan_window(int op, int32_t arg, int *pops, int *pushes);  /* -1: not an opcode */
int accel_compile_in_c(accel_code_state *, PyCodeObject *, void **address, size_t *size);
PyObject *accel_plan_dry(PyCodeObject *);
typedef struct { uint64_t built, declined, instructions; } accel_plan_counters_t;
extern accel_plan_counters_t accel_plan_counters;
int accel_set_jit(accel_code_state *, PyCodeObject *, void *address, size_t size);  /* module.c; -1 + exception */

/* ---- on-stack replacement (osr.c) ---- */
/* A backward jump at `jump_unit` to block `block`, which starts at `unit` with `depth` values on the stack, and
 * which no exception handler covers at unit - 1 (where the interpreter looks for one when it leaves). */
typedef struct accel_osr_entry {
    int32_t jump_unit, block, unit, depth;
    uint64_t bound;  /* the first 64 locals the block's code counts as bound (accel/ir/bound.py): checked on entry */
    uint64_t empty;  /* and the plain locals it counts as holding nothing (a STORE_FAST releases no value) */
} accel_osr_entry;
#define ACCEL_OSR_FIELDS 8  /* int32s per entry as plans and lazy_osr give them: the fields, the masks in halves */
typedef struct {
    uint64_t requests;             /* pending calls that ran */
    uint64_t not_at_loop;          /* ...when the watched frame was not at a loop's back-edge (tried again) */
    uint64_t declined;             /* ...at a back-edge, but the code or the block could not be compiled */
    uint64_t put_off;              /* ...at a back-edge, but the compile was put off (budget): tried again later */
    uint64_t entered;              /* frames moved into machine code at a loop header */
    uint64_t resumed_interpreted;  /* frames that left, then went back to the interpreter (tracing came on) */
} accel_osr_counters_t;
extern accel_osr_counters_t accel_osr_counters;
extern uint64_t accel_osr_ticks;  /* watchdog ticks (ms) a frame runs before it is moved; 0: off */
int accel_osr_init(PyObject *module);
int accel_osr_only_request(PyInterpreterState *interp);
void accel_osr_stop(void);
/* Could `frame` (fresh, about to be interpreted, its code not compiled) be moved into machine code later?  Inline:
 * the eval hook asks for every interpreted call, and most code has no loop. */
static inline int
accel_osr_watchable(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code_state *st)
{
    return (st->flags & ACCEL_CS_HAS_LOOP) && !(st->flags & (ACCEL_CS_EXCLUDED | ACCEL_CS_FAILED | ACCEL_CS_COMPILING))
           && __atomic_load_n(&accel_osr_ticks, __ATOMIC_RELAXED) != 0
           && !(frame->f_code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR))
           /* (functions, and module and class bodies: a script's loop at module level) */
           && frame->owner == FRAME_OWNED_BY_THREAD && _Py_ThreadCanHandleSignals(tstate->interp);
}
PyObject *accel_osr_interpret(PyThreadState *, _PyInterpreterFrame *, accel_code_state *);
/* bjit_entry.c: run the machine code of `st` on `frame` from `entry` (a block's code; the frame is exact) */
PyObject *accel_bjit_run_from(PyThreadState *, _PyInterpreterFrame *, accel_code_state *, void *entry);
/* eval_hook.c */
int accel_request_compile(_PyInterpreterFrame *frame, accel_code_state *st);
int accel_in_compiler(void);

/* name -> address table of op helpers for the code generator (bjit_ops.c) */
typedef struct {
    const char *name;
    void *address;
} accel_symbol;
extern const accel_symbol accel_bjit_symbols[];

#endif
