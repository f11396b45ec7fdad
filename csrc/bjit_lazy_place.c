/* bjit_lazy_place.c -- a block of a function compiled a block at a time, placed without Python.
 *
 * Why: with templates (bjit_place.c) the per-instruction work of compiling a block is a few hundred nanoseconds
 * of C, but asking the Python compiler for each block still cost 50-70 us of driver (a generator object, label
 * objects, the cold area's links, snippets, arena calls, stats) on real programs, where blocks are 6 instructions
 * long on average: 8-11 us per instruction, most of tier 1's compile time.  So when a block is first reached
 * (bjit_lazy.c), it is placed here first, and only what this file cannot do goes to Python: a key without a
 * template yet, neither in the dict nor in the template file (Python makes it, and places that block), a key with
 * none, a hand-back that is not compact, a helper or block out of rel32 reach, a failed allocation.  Python is the
 * reference: it places the same bytes in the same order (tests/test_lazy_place.py compares the two block by
 * block).
 *
 * What it needs is made once per function by the Python compiler when it compiles the head (lazy_plan): the IR's
 * instruction records and per-block facts, copied into a plan owned by the function's lazy state; and once per
 * process (lazy_place_setup): the templates dict, the runtime table, the three snippets (the hand-back tail, the
 * declined-helper tail, the stub of a block without code) and the attribute sites' feedback tables.  Type
 * feedback is read from the code object's quickened instructions when the block is placed, as Python reads it.
 *
 * A piece is laid out as Python lays it out: the block's hot code (and a jump to its fall-through successor),
 * the cold parts, the hand-back tail and the declined tail when used, then a stub per target block without code
 * (each jump to one is registered to be re-aimed when that block is placed).
 */
#include "bjit.h"
#include "bjit_place.h"
#include "bjit_plan.h"
#include "opcode.h"

#include <time.h>



enum { SNIPPET_HANDBACK, SNIPPET_DECLINED, SNIPPET_COMPILE_BLOCK, SNIPPET_HEAD, SNIPPET_EXITS, SNIPPET_COUNT };
typedef struct {
    uint8_t *code;
    Py_ssize_t size;
    int nvalues, nexits;
    int32_t value_at[3];
    int32_t exit_at[2];
    int64_t exit_which[2];  /* which: 0 the exit, 1 the error exit, else the address of shared code (glue.py) */
} snippet;
/* SNIPPET_HEAD: the prologue of a head, which goes on at ctx->entry when set; SNIPPET_EXITS: the error exit
 * (its first byte) and the exit (at exits_exit_offset) every piece of the function leaves through */
static int32_t exits_exit_offset;

static struct {
    int enabled;
    PyObject *templates;           /* strong: templates.CACHE.templates */
    uint64_t *runtime;
    Py_ssize_t nruntime;
    snippet snippets[SNIPPET_COUNT];
    uint32_t attr_mask[2][256];    /* [STORE_ATTR?][quickened opcode]: the kinds checked inline */
    uint32_t method_mask;
    uint16_t prefill_kind[2][256]; /* [STORE_ATTR?][quickened opcode]: KIND_* of a first entry, 0 none */
    placement scratch;
} lp;

accel_lazy_place_counters_t accel_lazy_place_counters;

accel_block_plan *
accel_plan_new(Py_ssize_t n, Py_ssize_t nb)
{
    accel_block_plan *plan = accel_calloc(1, sizeof *plan);
    size_t words = (size_t)(8 * n + n + (2 + BI_FIELDS) * nb);
    int32_t *all = plan == NULL ? NULL : accel_calloc(words ? words : 1, 4);
    if (all == NULL) {
        accel_free(plan);
        PyErr_NoMemory();
        return NULL;
    }
    plan->n = (int32_t)n;
    plan->nblocks = (int32_t)nb;
    plan->rec = all;
    plan->site_offset = all + 8 * n;
    plan->block_first = plan->site_offset + n;
    plan->block_start = plan->block_first + nb;
    plan->block_info = plan->block_start + nb;
    return plan;
}

void
accel_block_plan_free(accel_block_plan *plan)
{
    if (plan == NULL)
        return;
    accel_free(plan->rec);
    accel_free(plan);
}

static void
snippet_clear(snippet *s)
{
    accel_free(s->code);
    memset(s, 0, sizeof *s);
}

static uint64_t
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void
put32(uint8_t *p, int32_t v)
{
    memcpy(p, &v, 4);
}

/* ---- building a piece ------------------------------------------------------------------------------------- */

typedef struct {
    place_buf code;
    place_buf externals;       /* place_external: rel32 fields aimed at absolute addresses */
    place_buf patches;         /* place_link_rec (at, block): fields aimed at a stub of a block without code */
    int32_t stub_block[64];    /* the stubs emitted, in order, and where */
    int32_t stub_at[64];
    int nstubs;
    int head;                  /* the function's head: the exits are in the piece (local), not absolute */
    place_buf exit_fields;     /* head: place_link_rec (at, which) of fields aimed at the exits, until placed */
    Py_ssize_t hot_base;       /* where the block's code starts in the piece */
    Py_ssize_t exits_at;       /* head: where the exits start (the error exit) */
} piece;

static int
add_external(piece *p, Py_ssize_t at, uint64_t target)
{
    place_external rec = {(int32_t)at, 0, target};
    return place_buf_put(&p->externals, &rec, sizeof rec);
}

/* Aim the rel32 field at `at` at the exit (which 0) or the error exit (1): in the head's piece, or placed. */
static int
link_to_exit(piece *p, const accel_lazy_blocks *lz, Py_ssize_t at, int64_t which)
{
    if (which > 1)  /* shared code of the process */
        return add_external(p, at, (uint64_t)which);
    if (p->head) {
        place_link_rec rec = {(int32_t)at, (int32_t)which, 0};
        return place_buf_put(&p->exit_fields, &rec, sizeof rec);
    }
    return add_external(p, at, (uint64_t)(uintptr_t)(which == 0 ? lz->exit_address : lz->error_address));
}

/* Append snippet `k` with `values`; its exit fields aim at the function's exits. */
static int
emit_snippet(piece *p, int k, const int32_t *values, const accel_lazy_blocks *lz)
{
    const snippet *s = &lp.snippets[k];
    Py_ssize_t base = p->code.len;
    if (place_buf_put(&p->code, s->code, s->size) < 0)
        return -1;
    for (int v = 0; v < s->nvalues; v++)
        put32(p->code.p + base + s->value_at[v], values[v]);
    for (int e = 0; e < s->nexits; e++)
        if (link_to_exit(p, lz, base + s->exit_at[e], s->exit_which[e]) < 0)
            return -1;
    return 0;
}

/* Aim the rel32 field at `at` at block `target`: the block itself, code placed earlier, or a stub (emitted at the
 * end, see finish_stubs). */
static int
link_block(piece *p, const accel_lazy_blocks *lz, int32_t b, Py_ssize_t at, int32_t target)
{
    if (target < 0 || target >= lz->nblocks)
        return -1;
    if (target == b) {
        put32(p->code.p + at, (int32_t)(p->hot_base - (at + 4)));
        return 0;
    }
    void *code = lz->code[target];
    if (code != NULL && code != ACCEL_BLOCK_INTERPRET && code != ACCEL_BLOCK_COMPILING)
        return add_external(p, at, (uint64_t)(uintptr_t)code);
    int s = 0;
    while (s < p->nstubs && p->stub_block[s] != target)
        s++;
    if (s == p->nstubs) {
        if (p->nstubs == (int)(sizeof p->stub_block / sizeof p->stub_block[0]))
            return -1;
        p->stub_block[p->nstubs++] = target;
    }
    place_link_rec rec = {(int32_t)at, 0, target};
    return place_buf_put(&p->patches, &rec, sizeof rec);
}

/* The hand-back and declined tails are emitted once, after the cold area; fields aimed at them wait until then. */
static int
link_exit(piece *p, const accel_lazy_blocks *lz, Py_ssize_t at, int64_t which, place_buf *tail_fields)
{
    if (which == EXIT_LABEL_EXIT || which == EXIT_LABEL_ERROR)
        return link_to_exit(p, lz, at, which == EXIT_LABEL_EXIT ? 0 : 1);
    if (which != EXIT_LABEL_DECLINED && which != EXIT_LABEL_HANDBACK)
        return -1;
    place_link_rec rec = {(int32_t)at, (int32_t)which, 0};
    return place_buf_put(tail_fields, &rec, sizeof rec);
}

/* ---- the attribute sites' feedback (FastPaths.describe_site) ---------------------------------------------- */

static void
describe_attr_sites(const placement *o, const accel_block_plan *plan, const uint8_t *adaptive, Py_ssize_t len)
{
    const int32_t *sites = (const int32_t *)o->attr_sites.p;
    for (Py_ssize_t k = 0; k < o->attr_sites.len / 4; k++) {
        int32_t i = sites[k];
        int op = plan->rec[i * 8];
        Py_ssize_t unit = plan->rec[i * 8 + 2];
        if (plan->site_offset[i] < 0 || 2 * unit + 1 >= len)
            continue;
        accel_attr_cache *c = (accel_attr_cache *)(uintptr_t)(plan->data + plan->site_offset[i]);
        int quickened = adaptive[2 * unit];
        if (op == LOAD_METHOD) {
            ATTR_SITE_IC(c)->inline_kinds = lp.method_mask;
            continue;
        }
        int store = op == STORE_ATTR;
        ATTR_SITE_IC(c)->inline_kinds = lp.attr_mask[store][quickened];
        int kind = lp.prefill_kind[store][quickened];
        if (kind && 2 * (unit + 4) <= len) {
            uint16_t cache[4];  /* _PyAttrCache: counter, version (two units), index */
            memcpy(cache, adaptive + 2 * (unit + 1), sizeof cache);
            accel_attr_site_prefill(c, kind, (uint32_t)cache[1] | (uint32_t)cache[2] << 16, cache[3]);
        }
    }
}

/* ---- placing a block ------------------------------------------------------------------------------------- */

static int
build_piece(piece *p, const placement *o, accel_lazy_blocks *lz, const accel_block_plan *plan, int32_t b,
            int falls_through)
{
    const int32_t *info = plan->block_info + BI_FIELDS * b;
    if (p->head && emit_snippet(p, SNIPPET_HEAD, NULL, lz) < 0)
        return -1;
    Py_ssize_t hot = p->hot_base = p->code.len;
    if (place_buf_put(&p->code, o->hot.p, o->hot.len) < 0)
        return -1;
    const place_external *ext = (const place_external *)o->externals.p;
    for (Py_ssize_t k = 0; k < o->externals.len / (Py_ssize_t)sizeof *ext; k++)
        if (add_external(p, hot + ext[k].at, ext[k].target) < 0)
            return -1;
    if (falls_through && info[BI_NSUCCS] > 0) {  /* jmp rel32 to the fall-through successor */
        static const uint8_t jmp[5] = {0xE9, 0, 0, 0, 0};
        if (place_buf_put(&p->code, jmp, 5) < 0 || link_block(p, lz, b, p->code.len - 4, info[BI_SUCC0]) < 0)
            return -1;
    }
    Py_ssize_t cold_base = p->code.len;
    if (place_buf_put(&p->code, o->cold.p, o->cold.len) < 0)
        return -1;
    const place_deferred *d = (const place_deferred *)o->deferred.p;
    for (Py_ssize_t k = 0; k < o->deferred.len / (Py_ssize_t)sizeof *d; k++) {
        Py_ssize_t field = d[k].kind == HOLE_TO_COLD ? hot + d[k].at : cold_base + d[k].at;
        if (field < 0 || field + 4 > p->code.len)
            return -1;
        if (d[k].kind == HOLE_RUNTIME_REL) {
            if (add_external(p, field, (uint64_t)d[k].value) < 0)
                return -1;
            continue;
        }
        Py_ssize_t target = d[k].kind == HOLE_TO_COLD ? cold_base + d[k].value : hot + d[k].value;
        put32(p->code.p + field, (int32_t)(target - (field + 4)));
    }
    place_buf tail_fields = {0};
    const place_link_rec *lk = (const place_link_rec *)o->links.p;
    int rc = 0;
    for (Py_ssize_t k = 0; k < o->links.len / (Py_ssize_t)sizeof *lk && rc == 0; k++) {
        Py_ssize_t at = lk[k].at >= 0 ? hot + lk[k].at : cold_base + (-1 - lk[k].at);
        rc = lk[k].kind == HOLE_BLOCK ? link_block(p, lz, b, at, (int32_t)lk[k].value)
                                      : link_exit(p, lz, at, lk[k].value, &tail_fields);
    }
    /* the tails, in Python's order: hand-back, then declined */
    const place_link_rec *tf = (const place_link_rec *)tail_fields.p;
    Py_ssize_t ntails = tail_fields.len / (Py_ssize_t)sizeof *tf;
    int order[2] = {EXIT_LABEL_HANDBACK, EXIT_LABEL_DECLINED};
    for (int t = 0; t < 2 && rc == 0; t++) {
        Py_ssize_t at = -1;
        for (Py_ssize_t k = 0; k < ntails; k++) {
            if (tf[k].kind != order[t])
                continue;
            if (at < 0) {
                at = p->code.len;
                rc = emit_snippet(p, order[t] == EXIT_LABEL_HANDBACK ? SNIPPET_HANDBACK : SNIPPET_DECLINED, NULL, lz);
                if (rc < 0)
                    break;
            }
            put32(p->code.p + tf[k].at, (int32_t)(at - (tf[k].at + 4)));
        }
    }
    place_buf_free(&tail_fields);
    if (rc < 0)
        return -1;
    /* a stub per target block without code */
    for (int s = 0; s < p->nstubs; s++) {
        int32_t t = p->stub_block[s];
        int32_t values[1] = {t};
        p->stub_at[s] = (int32_t)p->code.len;
        if (emit_snippet(p, SNIPPET_COMPILE_BLOCK, values, lz) < 0)
            return -1;
    }
    const place_link_rec *pt = (const place_link_rec *)p->patches.p;
    for (Py_ssize_t k = 0; k < p->patches.len / (Py_ssize_t)sizeof *pt; k++) {
        int s = 0;
        while (p->stub_block[s] != (int32_t)pt[k].value)
            s++;
        put32(p->code.p + pt[k].at, p->stub_at[s] - (pt[k].at + 4));
    }
    if (p->head) {  /* the exits, last, as Python places them */
        Py_ssize_t error_at = p->code.len;
        if (emit_snippet(p, SNIPPET_EXITS, NULL, lz) < 0)
            return -1;
        const place_link_rec *ef = (const place_link_rec *)p->exit_fields.p;
        for (Py_ssize_t k = 0; k < p->exit_fields.len / (Py_ssize_t)sizeof *ef; k++) {
            Py_ssize_t target = ef[k].kind == 0 ? error_at + exits_exit_offset : error_at;
            put32(p->code.p + ef[k].at, (int32_t)(target - (ef[k].at + 4)));
        }
        p->exits_at = error_at;
    }
    return 0;
}

static void
piece_free(piece *p)
{
    place_buf_free(&p->code);
    place_buf_free(&p->externals);
    place_buf_free(&p->patches);
    place_buf_free(&p->exit_fields);
}

/* Why a block went to Python (accel_lazy_place_counters.declined). */
enum { DECLINE_MISSING, DECLINE_NO_TEMPLATE, DECLINE_NOT_COMPACT, DECLINE_REACH, DECLINE_ERROR, DECLINE_COUNT };

static int
decline(int why)
{
    accel_lazy_place_counters.declined[why]++;
    return 0;
}

/* Place block `b` of `co` (compiled a block at a time) from templates -- or, with `head`, the function's head: the
 * prologue, block 0 and the exits.  1: placed (lz->code[b] set, the jumps to its stub re-aimed; a head's address
 * and size in *head_out, its exits in lz); 0: not, for whatever reason (the Python compiler then takes it).  With
 * `dry_out`, nothing is placed: *dry_out gets (address, code as if placed there, externals, patch sites), at the
 * address of the function's machine code (in reach of what the code calls, as placed code is). */
static int
place_piece(accel_code_state *st, PyCodeObject *co, int32_t b, int head, PyObject **dry_out, void **head_out,
            size_t *head_size)
{
    accel_lazy_blocks *lz = st->lazy;
    accel_block_plan *plan = lz == NULL ? NULL : lz->plan;
    if (!lp.enabled || plan == NULL || b < 0 || b >= plan->nblocks || plan->nblocks != lz->nblocks)
        return 0;
    uint64_t start = now_ns();
    PyObject *exc_type, *exc_value, *exc_tb;
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    const uint8_t *adaptive = (const uint8_t *)_PyCode_CODE(co);
    Py_ssize_t adaptive_len = _PyCode_NBYTES(co);
    place_fn f = {
        .rec = plan->rec, .n = plan->n, .block_first = plan->block_first, .block_start = plan->block_start,
        .site_offset = plan->site_offset, .adaptive = adaptive, .adaptive_len = adaptive_len,
        .runtime = lp.runtime, .nruntime = lp.nruntime, .nlp = plan->nlp, .localsplus = plan->localsplus, .shape = plan->shape,
        .units = plan->units, .code_units = plan->code_units, .data = plan->data,
        .consts = co->co_consts, .names = co->co_names,
    };
    const int32_t *info = plan->block_info + BI_FIELDS * b;
    int32_t succ[2] = {info[BI_SUCC0], info[BI_SUCC1]};
    Py_ssize_t first = plan->block_first[b], i = first, kwnames = -1;
    long entry = -1;
    placement *o = &lp.scratch;
    placement_clear(o);
    PyObject *miss_key = NULL;
    piece p = {0};
    p.head = head;
    int placed = 0;
    int status = place_instructions(&f, lp.templates, first, info[BI_END], info[BI_NSUCCS], succ, &i, &entry,
                                    &kwnames, o, &miss_key);
    Py_XDECREF(miss_key);
    if (status < 0 || status > PLACED_LEAVES) {
        decline(status == PLACE_MISSING ? DECLINE_MISSING : status == PLACE_NO_TEMPLATE ? DECLINE_NO_TEMPLATE
                : status == PLACE_NOT_COMPACT ? DECLINE_NOT_COMPACT : DECLINE_ERROR);
        goto out;
    }
    if (build_piece(&p, o, lz, plan, b, status == PLACED_FALLS_THROUGH) < 0) {
        decline(DECLINE_ERROR);
        goto out;
    }
    uint8_t *address = dry_out ? (uint8_t *)(head ? st->jit_fn : lz->code[0])
                               : accel_arena_alloc((size_t)p.code.len);
    if (address == NULL || address == ACCEL_BLOCK_COMPILING || address == ACCEL_BLOCK_INTERPRET) {
        decline(DECLINE_ERROR);
        goto out;
    }
    const place_external *ext = (const place_external *)p.externals.p;
    Py_ssize_t next = p.externals.len / (Py_ssize_t)sizeof *ext;
    for (Py_ssize_t k = 0; k < next; k++) {
        int64_t disp = (int64_t)(ext[k].target - ((uint64_t)(uintptr_t)address + (uint64_t)ext[k].at + 4));
        if (disp < INT32_MIN || disp > INT32_MAX) {
            if (!dry_out)
                accel_arena_free(address, (size_t)p.code.len);
            decline(DECLINE_REACH);
            goto out;
        }
        put32(p.code.p + ext[k].at, (int32_t)disp);
    }
    const place_link_rec *pt = (const place_link_rec *)p.patches.p;
    Py_ssize_t npatches = p.patches.len / (Py_ssize_t)sizeof *pt;
    if (dry_out) {
        PyObject *externals = PyList_New(0), *patches = PyList_New(0);
        int ok = externals != NULL && patches != NULL;
        for (Py_ssize_t k = 0; k < next && ok; k++) {
            PyObject *pair = Py_BuildValue("(nK)", (Py_ssize_t)ext[k].at, (unsigned long long)ext[k].target);
            ok = pair != NULL && PyList_Append(externals, pair) == 0;
            Py_XDECREF(pair);
        }
        for (Py_ssize_t k = 0; k < npatches && ok; k++) {
            PyObject *pair = Py_BuildValue("(in)", (int)pt[k].value, (Py_ssize_t)pt[k].at);
            ok = pair != NULL && PyList_Append(patches, pair) == 0;
            Py_XDECREF(pair);
        }
        *dry_out = ok ? Py_BuildValue("(NNNN)", PyLong_FromVoidPtr(address),
                                      PyBytes_FromStringAndSize((const char *)p.code.p, p.code.len), externals,
                                      patches) : NULL;
        if (*dry_out == NULL) {
            Py_XDECREF(externals);
            Py_XDECREF(patches);
            PyErr_Clear();
        }
        placed = *dry_out != NULL;
        goto out;
    }
    if (accel_arena_write(address, p.code.p, (size_t)p.code.len) < 0 ||
            (!head && accel_lazy_add_chunk(lz, address, (size_t)p.code.len) < 0)) {
        accel_arena_free(address, (size_t)p.code.len);
        decline(DECLINE_ERROR);
        goto out;
    }
    if (head) {
        lz->error_address = address + p.exits_at;
        lz->exit_address = address + p.exits_at + exits_exit_offset;
    }
    /* from here a block's chunk belongs to the function: a failure below leaves the block to the interpreter (a
     * head's memory goes back: nothing else aims at it yet) */
    for (Py_ssize_t k = 0; k < npatches; k++) {
        if (accel_lazy_add_patch(lz, (int32_t)pt[k].value, address + pt[k].at) < 0) {
            if (head) {
                lz->npatches = 0;
                accel_arena_free(address, (size_t)p.code.len);
            }
            goto out;
        }
    }
    if (accel_lazy_place(lz, b, address + p.hot_base) < 0)
        goto out;
    describe_attr_sites(o, plan, adaptive, adaptive_len);
    const int32_t *handbacks = (const int32_t *)o->handbacks.p;
    for (Py_ssize_t k = 0; k < o->handbacks.len / 4; k++)
        accel_lazy_place_counters.handback_sites[plan->rec[handbacks[k] * 8] & 0xFF]++;
    if (head) {
        accel_lazy_place_counters.heads++;
        *head_out = address;
        *head_size = (size_t)p.code.len;
    }
    else
        accel_lazy_place_counters.blocks++;
    accel_lazy_place_counters.instructions += (uint64_t)(i - first);
    accel_lazy_place_counters.bytes += (uint64_t)p.code.len;
    placed = 1;
out:
    piece_free(&p);
    if (PyErr_Occurred())
        PyErr_Clear();
    PyErr_Restore(exc_type, exc_value, exc_tb);
    if (head)  /* (part of the Python compiler's time for the function) */
        accel_lazy_place_counters.head_ns += now_ns() - start;
    else
        accel_lazy_place_counters.ns += now_ns() - start;
    return placed;
}

int
accel_lazy_place_block(accel_code_state *st, PyCodeObject *co, int32_t b, PyObject **dry_out)
{
    return place_piece(st, co, b, 0, dry_out, NULL, NULL);
}

int
accel_lazy_place_head(accel_code_state *st, PyCodeObject *co, PyObject **dry_out, void **address, size_t *size)
{
    if (st->lazy == NULL || (!dry_out && st->lazy->code[0] != NULL))
        return 0;
    return place_piece(st, co, 0, 1, dry_out, address, size);
}

/* ---- set-up (module.c wraps these for Python) ------------------------------------------------------------ */

/* The plan of a function compiled a block at a time: (records, block_first, block_start, site_offset,
 * block_info, nlp, localsplus, units, code_units, data, shape), buffers of int32 but the numbers. */
int
accel_lazy_set_plan(accel_lazy_blocks *lz, PyObject *t)
{
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 11) {
        PyErr_SetString(PyExc_TypeError, "lazy_plan: bad plan");
        return -1;
    }
    Py_buffer v[5];
    for (int k = 0; k < 5; k++) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(t, k), &v[k], PyBUF_SIMPLE) < 0) {
            for (int j = 0; j < k; j++)
                PyBuffer_Release(&v[j]);
            return -1;
        }
    }
    Py_ssize_t n = v[0].len / 32, nb = v[1].len / 4;
    int rc = -1;
    accel_block_plan *plan = NULL;
    if (v[0].len != 32 * n || v[3].len != 4 * n || v[1].len != 4 * nb || v[2].len != 4 * nb ||
            v[4].len != 4 * BI_FIELDS * nb || nb != lz->nblocks) {
        PyErr_SetString(PyExc_ValueError, "lazy_plan: sizes do not agree");
        goto done;
    }
    plan = accel_plan_new(n, nb);
    if (plan == NULL)
        goto done;
    memcpy(plan->rec, v[0].buf, (size_t)v[0].len);
    memcpy(plan->site_offset, v[3].buf, (size_t)v[3].len);
    memcpy(plan->block_first, v[1].buf, (size_t)v[1].len);
    memcpy(plan->block_start, v[2].buf, (size_t)v[2].len);
    memcpy(plan->block_info, v[4].buf, (size_t)v[4].len);
    plan->nlp = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 5));
    plan->localsplus = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 6));
    plan->units = (int64_t)PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(t, 7));
    plan->code_units = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 8));
    plan->data = (int64_t)PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(t, 9));
    plan->shape = (int)PyLong_AsLong(PyTuple_GET_ITEM(t, 10));
    for (Py_ssize_t b = 0; b < nb && !PyErr_Occurred(); b++) {
        const int32_t *bi = plan->block_info + BI_FIELDS * b;
        if (plan->block_first[b] < 0 || bi[BI_END] < plan->block_first[b] || bi[BI_END] > n ||
                bi[BI_NSUCCS] < 0 || bi[BI_NSUCCS] > 2 || bi[BI_SUCC0] >= nb || bi[BI_SUCC1] >= nb)
            PyErr_SetString(PyExc_ValueError, "lazy_plan: a block out of range");
    }
    if (PyErr_Occurred()) {
        accel_block_plan_free(plan);
        goto done;
    }
    accel_block_plan_free(lz->plan);
    lz->plan = plan;
    rc = 0;
done:
    for (int k = 0; k < 5; k++)
        PyBuffer_Release(&v[k]);
    return rc;
}

static int
set_snippet(snippet *s, PyObject *t)
{
    /* (code, value fields, ((exit field, which), ...)) */
    PyObject *code, *values, *exits;
    if (!PyTuple_Check(t) || !PyArg_ParseTuple(t, "SO!O!", &code, &PyTuple_Type, &values, &PyTuple_Type, &exits))
        return -1;
    Py_ssize_t nv = PyTuple_GET_SIZE(values), ne = PyTuple_GET_SIZE(exits), size = PyBytes_GET_SIZE(code);
    if (nv > 3 || ne > 2) {
        PyErr_SetString(PyExc_ValueError, "lazy_place_setup: a snippet with too many fields");
        return -1;
    }
    snippet_clear(s);
    s->code = accel_malloc(size ? (size_t)size : 1);
    if (s->code == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(s->code, PyBytes_AS_STRING(code), (size_t)size);
    s->size = size;
    for (Py_ssize_t k = 0; k < nv; k++)
        s->value_at[k] = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(values, k));
    for (Py_ssize_t k = 0; k < ne; k++) {
        PyObject *pair = PyTuple_GET_ITEM(exits, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "lazy_place_setup: snippet exits are (field, which) pairs");
            return -1;
        }
        s->exit_at[k] = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(pair, 0));
        s->exit_which[k] = (int64_t)PyLong_AsLongLong(PyTuple_GET_ITEM(pair, 1));
    }
    s->nvalues = (int)nv;
    s->nexits = (int)ne;
    for (int k = 0; k < s->nvalues; k++)
        if (s->value_at[k] < 0 || s->value_at[k] + 4 > size)
            goto bad;
    for (int k = 0; k < s->nexits; k++)
        if (s->exit_at[k] < 0 || s->exit_at[k] + 4 > size || s->exit_which[k] < 0)
            goto bad;
    return PyErr_Occurred() ? -1 : 0;
bad:
    PyErr_SetString(PyExc_ValueError, "lazy_place_setup: a snippet field outside it");
    return -1;
}

/* lazy_place_setup(None): off.  lazy_place_setup(templates, runtime, (handback, declined, compile_block, head,
 * exits snippets), offset of the exit in the exits, attr_masks, method_mask, prefill_kinds): attr_masks 2 x 256
 * uint32 (load, store), prefill_kinds 2 x 256 uint16. */
int
accel_lazy_place_setup(PyObject *args)
{
    lp.enabled = 0;
    if (args == Py_None)
        return 0;
    PyObject *templates, *runtime, *snippets, *masks, *prefills;
    unsigned long method_mask;
    int exits_offset;
    if (!PyArg_ParseTuple(args, "O!OO!iSkS", &PyDict_Type, &templates, &runtime, &PyTuple_Type, &snippets,
                          &exits_offset, &masks, &method_mask, &prefills))
        return -1;
    if (PyTuple_GET_SIZE(snippets) != SNIPPET_COUNT || PyBytes_GET_SIZE(masks) != (Py_ssize_t)sizeof lp.attr_mask
            || PyBytes_GET_SIZE(prefills) != (Py_ssize_t)sizeof lp.prefill_kind) {
        PyErr_SetString(PyExc_ValueError, "lazy_place_setup: bad table sizes");
        return -1;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(runtime, &view, PyBUF_SIMPLE) < 0)
        return -1;
    uint64_t *values = accel_malloc(view.len ? (size_t)view.len : 1);
    if (values == NULL) {
        PyBuffer_Release(&view);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(values, view.buf, (size_t)view.len);
    accel_free(lp.runtime);
    lp.runtime = values;
    lp.nruntime = view.len / 8;
    PyBuffer_Release(&view);
    for (int k = 0; k < SNIPPET_COUNT; k++)
        if (set_snippet(&lp.snippets[k], PyTuple_GET_ITEM(snippets, k)) < 0)
            return -1;
    if (lp.snippets[SNIPPET_COMPILE_BLOCK].nvalues != 1 || exits_offset < 0 ||
            exits_offset >= lp.snippets[SNIPPET_EXITS].size) {
        PyErr_SetString(PyExc_ValueError, "lazy_place_setup: the block stub takes 1 value, the exits 1 offset");
        return -1;
    }
    exits_exit_offset = (int32_t)exits_offset;
    memcpy(lp.attr_mask, PyBytes_AS_STRING(masks), sizeof lp.attr_mask);
    memcpy(lp.prefill_kind, PyBytes_AS_STRING(prefills), sizeof lp.prefill_kind);
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 256; k++)
            if (lp.prefill_kind[s][k] != 0 && lp.prefill_kind[s][k] != KIND_INSTANCE_VALUE &&
                    lp.prefill_kind[s][k] != KIND_SLOT && lp.prefill_kind[s][k] != KIND_STORE_VALUE &&
                    lp.prefill_kind[s][k] != KIND_STORE_SLOT) {
                PyErr_SetString(PyExc_ValueError, "lazy_place_setup: a prefill kind that is not one");
                return -1;
            }
    lp.method_mask = (uint32_t)method_mask;
    Py_INCREF(templates);
    Py_XSETREF(lp.templates, templates);
    lp.enabled = accel_placer_ready;
    if (!lp.enabled) {
        PyErr_SetString(PyExc_RuntimeError, "lazy_place_setup before place_setup");
        return -1;
    }
    return 0;
}
