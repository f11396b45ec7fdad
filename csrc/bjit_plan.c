/* bjit_plan.c -- a function's plan built in C from its bytecode, and its head placed: a tier-1 compile without
 * the Python compiler.
 *
 * Why: once C placed the blocks (bjit_lazy_place.c), what a compile still cost was building the function's IR in
 * Python -- a tight loop, but 2-3 us per instruction of the whole function, 60% of a compile -- and turning it
 * into the plan C places from.  The plan needs only part of the IR: the instruction records (opcode, oparg,
 * code unit, start unit, jump target block, stack depth), the blocks (first instruction, start unit, end,
 * depth, successors), each site's offset in the data block, and the loop entries on-stack replacement may use.
 * This file builds exactly that, the way accel/ir/builder.py does (decode with EXTENDED_ARG folded, leaders,
 * blocks, successors with their depth changes, the exception table's handlers, entry depths by dataflow, depths
 * for blocks no edge reaches); the stack effects of the fixed-window opcodes, flows and site sizes come from
 * the Python tables once per process (plan_setup), the opcodes whose window depends on the oparg are written out
 * below and checked against the Python ones by the tests, as the plans are against the Python compiler's.
 *
 * Anything unusual -- bytecode the builder would reject, a function that needs its IR for something else --
 * makes this decline: the Python compiler then builds the IR and compiles as before (and raises its own,
 * precise error when there is one).
 */
#include "bjit.h"
#include "bjit_plan.h"
#include "opcode.h"

enum { FLOW_NONE, FLOW_JUMP, FLOW_COND, FLOW_EXIT, FLOW_YIELD };

static struct {
    int ready;
    uint8_t known[256], size[256], flow[256], jrel[256], backward[256];
    int16_t pops[256], pushes[256];            /* the fall-through window; -1: depends on the oparg */
    int16_t jump_pops[256], jump_pushes[256];  /* a conditional jump's taken edge; -1: as the fall-through */
    int32_t site_size[256];                    /* bytes of per-site data (codegen.SITE_DATA), 0: none */
} t;

accel_plan_counters_t accel_plan_counters;

/* The window (pops, pushes) of the opcodes whose window depends on the oparg (accel/ir/opcodes.py _STACK). */
static int
variable_window(int op, int32_t a, int *p, int *q)
{
    switch (op) {
    case UNPACK_SEQUENCE: *p = 1; *q = a; return 0;
    case UNPACK_EX: *p = 1; *q = (a & 0xFF) + (a >> 8) + 1; return 0;
    case SWAP: *p = a; *q = a; return 0;
    case COPY: *p = a; *q = a + 1; return 0;
    case BUILD_TUPLE: case BUILD_LIST: case BUILD_SET: case BUILD_STRING: case BUILD_SLICE:
        *p = a; *q = 1; return 0;
    case BUILD_MAP: *p = 2 * a; *q = 1; return 0;
    case BUILD_CONST_KEY_MAP: *p = a + 1; *q = 1; return 0;
    case LOAD_GLOBAL: *p = 0; *q = 1 + (a & 1); return 0;
    case RERAISE: *p = a + 1; *q = a; return 0;
    case RAISE_VARARGS: *p = a; *q = 0; return 0;
    case MAKE_FUNCTION: *p = 1 + __builtin_popcount((unsigned)(a & 0xF)); *q = 1; return 0;
    case CALL_FUNCTION_EX: *p = 3 + (a & 1); *q = 1; return 0;
    case PRECALL: *p = a + 2; *q = a + 2; return 0;
    case CALL: *p = a + 2; *q = 1; return 0;
    case LIST_APPEND: case SET_ADD: case LIST_EXTEND: case SET_UPDATE: case DICT_UPDATE:
        *p = a + 1; *q = a; return 0;
    case MAP_ADD: *p = a + 2; *q = a; return 0;
    case DICT_MERGE: *p = a + 3; *q = a + 2; return 0;
    case FORMAT_VALUE: *p = (a & 0x04) ? 2 : 1; *q = 1; return 0;
    default: return -1;
    }
}

int
accel_plan_window(int op, int32_t arg, int *pops, int *pushes)
{
    if (op < 0 || op > 255 || !t.ready || !t.known[op])
        return -1;
    if (t.pops[op] >= 0) {
        *pops = t.pops[op];
        *pushes = t.pushes[op];
        return 0;
    }
    return variable_window(op, arg, pops, pushes);
}

/* One exception-table entry (accel/ir/exctable.py). */
typedef struct { int32_t start, end, target, depth, lasti; } exc_entry;

static Py_ssize_t
parse_exception_table(PyObject *table, exc_entry **out)
{
    const uint8_t *p = (const uint8_t *)PyBytes_AS_STRING(table);
    const uint8_t *end = p + PyBytes_GET_SIZE(table);
    Py_ssize_t count = 0, cap = 0;
    exc_entry *entries = NULL;
    while (p < end) {
        int v[4];
        for (int k = 0; k < 4; k++)
            if ((p = accel_exc_varint(p, end, &v[k])) == NULL)
                goto bad;
        if (count == cap) {
            cap = cap ? 2 * cap : 8;
            exc_entry *grown = accel_realloc(entries, (size_t)cap * sizeof *entries);
            if (grown == NULL)
                goto bad;
            entries = grown;
        }
        entries[count++] = (exc_entry){(int32_t)v[0], (int32_t)((int64_t)v[0] + v[1]), (int32_t)v[2],
                                       (int32_t)(v[3] >> 1), (int32_t)(v[3] & 1)};
    }
    *out = entries;
    return count;
bad:
    accel_free(entries);
    return -1;
}

/* Scratch arrays of one build (accel_calloc; freed together). */
typedef struct {
    int32_t *ops, *args, *offs, *starts, *pops, *pushes, *cum, *jump, *idx_at, *blk_at;
    int32_t *bstart, *bfirst, *succ, *nsuccs, *delta, *handler, *hdepth, *depth, *work;
    uint8_t *lead, *live, *resume;
    exc_entry *exc;
} scratch;

static void
scratch_free(scratch *s)
{
    void *all[] = {s->ops, s->args, s->offs, s->starts, s->pops, s->pushes, s->cum, s->jump, s->idx_at, s->blk_at,
                   s->bstart, s->bfirst, s->succ, s->nsuccs, s->delta, s->handler, s->hdepth, s->depth, s->work,
                   s->lead, s->live, s->resume, s->exc};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        accel_free(all[k]);
}

#define NEW(array, count) ((array) = accel_calloc((size_t)(count) + 1, sizeof *(array)))

/* Push b on the work stack when its entry depth is new; -1 when it disagrees with the one it has. */
static int
reach(scratch *s, Py_ssize_t *nwork, int32_t b, int32_t d)
{
    if (s->depth[b] < 0) {
        s->depth[b] = d;
        s->work[(*nwork)++] = b;
        return 0;
    }
    return s->depth[b] == d ? 0 : -1;
}

/* The code deletes local `local` somewhere (DELETE_FAST). */
static int
is_deleted(const scratch *s, Py_ssize_t ni, int32_t local)
{
    for (Py_ssize_t i = 0; i < ni; i++)
        if (s->ops[i] == DELETE_FAST && s->args[i] == local)
            return 1;
    return 0;
}

/* Definite assignment (accel/ir/bound.py, the same sets): bound[b] = the first 64 locals bound on every path
 * into block b, may[b] = those bound on some path.  Every LOAD_FAST of a local bound where it runs, or of an
 * argument the code never deletes, gets ACCEL_ALWAYS_BOUND; every STORE_FAST of a local bound there too, or
 * ACCEL_ALWAYS_UNBOUND when no path bound it.  -1: out of memory. */
static int
mark_always_bound(scratch *s, accel_block_plan *plan, Py_ssize_t ni, Py_ssize_t nb, int32_t nargs, uint64_t *bound,
                  uint64_t *may)
{
    uint64_t deleted = 0;
    for (Py_ssize_t i = 0; i < ni; i++)
        if (s->ops[i] == DELETE_FAST && s->args[i] < 64)
            deleted |= (uint64_t)1 << s->args[i];
    uint64_t *gen = accel_calloc((size_t)nb + 1, sizeof(uint64_t));
    uint64_t *stores = accel_calloc((size_t)nb + 1, sizeof(uint64_t));
    uint64_t *next = accel_calloc((size_t)nb + 1, sizeof(uint64_t));
    if (gen == NULL || stores == NULL || next == NULL) {
        accel_free(gen);
        accel_free(stores);
        accel_free(next);
        return -1;
    }
    for (Py_ssize_t b = 0; b < nb; b++) {
        for (Py_ssize_t i = s->bfirst[b]; i < s->bfirst[b + 1]; i++)
            if ((s->ops[i] == STORE_FAST || s->ops[i] == LOAD_FAST) && s->args[i] < 64) {
                gen[b] |= (uint64_t)1 << s->args[i];
                if (s->ops[i] == STORE_FAST)
                    stores[b] |= (uint64_t)1 << s->args[i];
            }
        gen[b] &= ~deleted;
        bound[b] = ~(uint64_t)0;
        may[b] = 0;
    }
    uint64_t args = nargs >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << nargs) - 1;
    /* bound: from all-bound down to the greatest fixed point; may: from none up to the least (as bound.py) */
    for (int changed = 1; changed;) {
        for (Py_ssize_t b = 0; b < nb; b++)
            next[b] = b == 0 ? args & ~deleted : ~(uint64_t)0;
        for (Py_ssize_t p = 0; p < nb; p++) {
            for (int k = 0; k < 2; k++)
                if (s->succ[2 * p + k] >= 0)
                    next[s->succ[2 * p + k]] &= bound[p] | gen[p];
            if (s->handler[p] >= 0)
                next[s->handler[p]] &= bound[p];
        }
        changed = 0;
        for (Py_ssize_t b = 0; b < nb; b++) {
            changed |= next[b] != bound[b];
            bound[b] = next[b];
        }
    }
    for (int changed = 1; changed;) {
        for (Py_ssize_t b = 0; b < nb; b++)
            next[b] = b == 0 ? args : 0;
        for (Py_ssize_t p = 0; p < nb; p++) {
            for (int k = 0; k < 2; k++)
                if (s->succ[2 * p + k] >= 0)
                    next[s->succ[2 * p + k]] |= may[p] | stores[p];
            if (s->handler[p] >= 0)
                next[s->handler[p]] |= may[p] | stores[p];
        }
        changed = 0;
        for (Py_ssize_t b = 0; b < nb; b++) {
            changed |= next[b] != may[b];
            may[b] = next[b];
        }
    }
    for (Py_ssize_t b = 0; b < nb; b++) {
        uint64_t running = bound[b], maybe = may[b];
        for (Py_ssize_t i = s->bfirst[b]; i < s->bfirst[b + 1]; i++) {
            int op = s->ops[i];
            int32_t local = s->args[i];
            if (op == LOAD_FAST) {
                int known = local < 64 ? (running >> local & 1) || (local < nargs && !(deleted >> local & 1))
                                       : local < nargs && !is_deleted(s, ni, local);
                if (known)
                    plan->rec[8 * i + 4] = ACCEL_ALWAYS_BOUND;
            }
            else if (op == STORE_FAST && local < 64) {
                if (!(maybe >> local & 1))
                    plan->rec[8 * i + 4] = ACCEL_ALWAYS_UNBOUND;
                else if (running >> local & 1)
                    plan->rec[8 * i + 4] = ACCEL_ALWAYS_BOUND;
                maybe |= (uint64_t)1 << local;
            }
            if ((op == STORE_FAST || op == LOAD_FAST) && local < 64 && !(deleted >> local & 1))
                running |= (uint64_t)1 << local;
        }
    }
    accel_free(gen);
    accel_free(stores);
    accel_free(next);
    return 0;
}

/* The plan of `co` (data 0: the caller allocates the data block, *data_size bytes), its OSR entries (*osr,
 * ACCEL_OSR_FIELDS int32 each); NULL when the builder would reject the bytecode or memory ran out (no exception set). */
accel_block_plan *
accel_plan_build(PyCodeObject *co, Py_ssize_t *data_size, int32_t **osr, int32_t *nosr)
{
    if (!t.ready)
        return NULL;
    PyObject *code = PyCode_GetCode(co);  /* (the bytecode without CPython's quickening) */
    if (code == NULL) {
        PyErr_Clear();
        return NULL;
    }
    const uint8_t *raw = (const uint8_t *)PyBytes_AS_STRING(code);
    Py_ssize_t nbytes = PyBytes_GET_SIZE(code), n_units = nbytes >> 1;
    scratch s = {0};
    accel_block_plan *plan = NULL;
    uint64_t *bound = NULL, *may = NULL;
    *osr = NULL;
    *nosr = 0;
    if (!NEW(s.ops, n_units) || !NEW(s.args, n_units) || !NEW(s.offs, n_units) || !NEW(s.starts, n_units) ||
            !NEW(s.pops, n_units) || !NEW(s.pushes, n_units) || !NEW(s.cum, n_units + 1) ||
            !NEW(s.jump, n_units) || !NEW(s.idx_at, n_units + 1) || !NEW(s.blk_at, n_units + 1) ||
            !NEW(s.lead, n_units + 1) || !NEW(s.bstart, n_units) || !NEW(s.bfirst, n_units + 1))
        goto fail;

    /* -- 1. decode: fold EXTENDED_ARG, skip the inline caches, find the leaders -- */
    for (Py_ssize_t u = 0; u <= n_units; u++)
        s.idx_at[u] = s.blk_at[u] = -1;
    s.lead[0] = 1;
    int64_t running = 0, ext = 0;
    Py_ssize_t st = -1, pos = 0, ni = 0;
    while (pos < nbytes) {
        int op = raw[pos];
        if (op == EXTENDED_ARG) {
            if (st < 0)
                st = pos >> 1;
            ext = (ext | raw[pos + 1]) << 8;
            if (ext > INT32_MAX)
                goto fail;
            pos += 2;
            continue;
        }
        if (!t.known[op])
            goto fail;
        Py_ssize_t u = pos >> 1;
        int32_t arg;
        if (op >= HAVE_ARGUMENT)
            arg = (int32_t)(raw[pos + 1] | ext);
        else if (ext)
            goto fail;
        else
            arg = 0;
        Py_ssize_t start = st < 0 ? u : st;
        st = -1;
        ext = 0;
        s.idx_at[start] = (int32_t)ni;
        s.ops[ni] = op;
        s.args[ni] = arg;
        s.offs[ni] = (int32_t)u;
        s.starts[ni] = (int32_t)start;
        int p, q;
        if (accel_plan_window(op, arg, &p, &q) < 0)
            goto fail;
        s.pops[ni] = p;
        s.pushes[ni] = q;
        s.cum[ni] = (int32_t)running;
        running += q - p;
        s.jump[ni] = -1;
        pos += (Py_ssize_t)t.size[op] << 1;
        if (t.flow[op]) {
            Py_ssize_t nxt = pos >> 1;
            if (nxt <= n_units)
                s.lead[nxt] = 1;
            if (t.jrel[op]) {
                Py_ssize_t target = t.backward[op] ? nxt - arg : nxt + arg;
                if (target < 0 || target >= n_units)
                    goto fail;
                s.jump[ni] = (int32_t)target;
                s.lead[target] = 1;
            }
        }
        ni++;
    }
    if (st >= 0 || pos != nbytes || ni == 0)
        goto fail;
    s.cum[ni] = (int32_t)running;
    s.idx_at[n_units] = (int32_t)ni;
    for (Py_ssize_t i = 0; i < ni; i++)
        if (s.jump[i] >= 0 && s.idx_at[s.jump[i]] < 0)
            goto fail;
    Py_ssize_t nexc = parse_exception_table(co->co_exceptiontable, &s.exc);
    if (nexc < 0)
        goto fail;
    for (Py_ssize_t k = 0; k < nexc; k++) {
        exc_entry *e = &s.exc[k];
        if (!(0 <= e->start && e->start < e->end && e->end <= n_units) || e->target < 0 || e->target >= n_units)
            goto fail;
        if (s.idx_at[e->start] < 0 || s.idx_at[e->end] < 0 || s.idx_at[e->target] < 0)
            goto fail;
        s.lead[e->start] = s.lead[e->end] = s.lead[e->target] = 1;
    }

    /* -- 2. blocks, their successors and depth changes -- */
    Py_ssize_t nb = 0;
    for (Py_ssize_t u = 0; u < n_units; u++) {
        if (!s.lead[u])
            continue;
        s.blk_at[u] = (int32_t)nb;
        s.bstart[nb] = (int32_t)u;
        s.bfirst[nb] = s.idx_at[u];
        nb++;
    }
    s.bfirst[nb] = (int32_t)ni;
    if (!NEW(s.succ, 2 * nb) || !NEW(s.nsuccs, nb) || !NEW(s.delta, 2 * nb) || !NEW(s.handler, nb) ||
            !NEW(s.hdepth, nb) || !NEW(s.depth, nb) || !NEW(s.work, nb + nexc + 1) || !NEW(s.live, nb) ||
            !NEW(s.resume, nb))
        goto fail;
    for (Py_ssize_t b = 0; b < nb; b++) {
        Py_ssize_t last = s.bfirst[b + 1] - 1;
        if (last < s.bfirst[b])
            goto fail;
        int op = s.ops[last], fl = t.flow[op];
        int32_t body = s.cum[last] - s.cum[s.bfirst[b]];
        int32_t fall = body + s.pushes[last] - s.pops[last];
        s.succ[2 * b] = s.succ[2 * b + 1] = -1;
        if (fl == FLOW_EXIT)
            continue;
        if (fl == FLOW_JUMP) {
            if (s.jump[last] < 0 || s.blk_at[s.jump[last]] < 0)
                goto fail;
            s.succ[2 * b] = s.blk_at[s.jump[last]];
            s.delta[2 * b] = fall;
            s.nsuccs[b] = 1;
            continue;
        }
        if (b + 1 >= nb)
            goto fail;  /* falls off the end */
        s.succ[2 * b] = (int32_t)(b + 1);
        s.delta[2 * b] = fall;
        s.nsuccs[b] = 1;
        if (fl == FLOW_COND) {
            if (s.jump[last] < 0 || s.blk_at[s.jump[last]] < 0)
                goto fail;
            int jp = t.jump_pops[op] >= 0 ? t.jump_pops[op] : s.pops[last];
            int jq = t.jump_pops[op] >= 0 ? t.jump_pushes[op] : s.pushes[last];
            s.succ[2 * b + 1] = s.blk_at[s.jump[last]];
            s.delta[2 * b + 1] = body + jq - jp;
            s.nsuccs[b] = 2;
        }
        else if (fl == FLOW_YIELD)
            s.resume[b + 1] = 1;
    }

    /* -- 3. exception handlers, then the entry depths (dataflow) -- */
    Py_ssize_t nwork = 0;
    for (Py_ssize_t b = 0; b < nb; b++)
        s.handler[b] = s.depth[b] = -1;
    s.depth[0] = 0;
    s.work[nwork++] = 0;
    for (Py_ssize_t k = 0; k < nexc; k++) {
        exc_entry *e = &s.exc[k];
        int32_t hb = s.blk_at[e->target];
        if (reach(&s, &nwork, hb, e->depth + e->lasti + 1) < 0)
            goto fail;
        for (int32_t b = s.blk_at[e->start]; b < nb && s.bstart[b] < e->end; b++) {
            if (s.handler[b] >= 0)
                goto fail;
            s.handler[b] = hb;
            s.hdepth[b] = e->depth;
        }
    }
    while (nwork > 0) {
        int32_t b = s.work[--nwork];
        for (int k = 0; k < s.nsuccs[b]; k++)
            if (reach(&s, &nwork, s.succ[2 * b + k], s.depth[b] + s.delta[2 * b + k]) < 0)
                goto fail;
    }
    /* blocks no edge reaches: flagged, and given a depth as the builder gives them */
    s.live[0] = 1;
    s.work[nwork++] = 0;
    while (nwork > 0) {
        int32_t b = s.work[--nwork];
        int32_t targets[3] = {s.succ[2 * b], s.succ[2 * b + 1], s.handler[b]};
        for (int k = 0; k < 3; k++) {
            int32_t c = targets[k];
            if (c >= 0 && (k < s.nsuccs[b] || k == 2) && !s.live[c]) {
                s.live[c] = 1;
                s.work[nwork++] = c;
            }
        }
    }
    for (Py_ssize_t b = 0; b < nb; b++) {
        if (s.depth[b] >= 0)
            continue;
        int32_t d = -1;
        for (int k = 0; k < s.nsuccs[b]; k++) {
            if (s.depth[s.succ[2 * b + k]] >= 0) {
                d = s.depth[s.succ[2 * b + k]] - s.delta[2 * b + k];
                break;
            }
        }
        if (d < 0) {
            int32_t rel = 0;
            d = s.handler[b] >= 0 ? s.hdepth[b] : 0;
            for (int32_t i = s.bfirst[b]; i < s.bfirst[b + 1]; i++) {
                if (s.pops[i] - rel > d)
                    d = s.pops[i] - rel;
                rel += s.pushes[i] - s.pops[i];
            }
        }
        s.depth[b] = d;
        s.work[nwork++] = (int32_t)b;
        while (nwork > 0) {
            int32_t c = s.work[--nwork];
            for (int k = 0; k < s.nsuccs[c]; k++) {
                int32_t x = s.succ[2 * c + k], nd = s.depth[c] + s.delta[2 * c + k];
                if (s.depth[x] < 0) {
                    s.depth[x] = nd;
                    s.work[nwork++] = x;
                }
                else if (s.depth[x] != nd)
                    goto fail;
            }
        }
    }

    /* -- 4. the plan: records, blocks, sites -- */
    plan = accel_plan_new(ni, nb);
    if (plan == NULL)
        goto fail;
    Py_ssize_t data = 0;
    for (Py_ssize_t b = 0; b < nb; b++) {
        int32_t d = s.depth[b];
        if (s.handler[b] >= 0 && d < s.hdepth[b] && s.live[b])
            goto fail;
        for (int32_t i = s.bfirst[b]; i < s.bfirst[b + 1]; i++) {
            if (d < s.pops[i])
                goto fail;
            int32_t *r = plan->rec + 8 * i;
            r[0] = s.ops[i];
            r[1] = s.args[i];
            r[2] = s.offs[i];
            r[3] = s.starts[i];
            r[4] = -1;
            r[5] = d;  /* (r[6], r[7]: the IR's operands, which placing does not read) */
            d += s.pushes[i] - s.pops[i];
            if (d > co->co_stacksize)
                goto fail;
            int32_t size = t.site_size[s.ops[i]];
            plan->site_offset[i] = size ? (int32_t)data : -1;
            data += size;
        }
        int32_t last = s.bfirst[b + 1] - 1;
        if (s.jump[last] >= 0)
            plan->rec[8 * last + 4] = s.blk_at[s.jump[last]];
        plan->block_first[b] = s.bfirst[b];
        plan->block_start[b] = s.bstart[b];
        int32_t *bi = plan->block_info + BI_FIELDS * b;
        bi[BI_END] = s.bfirst[b + 1];
        bi[BI_DEPTH] = s.depth[b];
        bi[BI_NSUCCS] = s.nsuccs[b];
        bi[BI_SUCC0] = s.succ[2 * b];
        bi[BI_SUCC1] = s.succ[2 * b + 1];
    }
    /* LOAD_FASTs of locals bound on every path to them cannot find them unbound (accel/ir/bound.py) */
    if (!NEW(bound, nb) || !NEW(may, nb) || mark_always_bound(&s, plan, ni, nb, accel_code_nargs(co), bound, may) < 0)
        goto fail;
    plan->nlp = co->co_nlocalsplus;
    plan->localsplus = (int64_t)offsetof(_PyInterpreterFrame, localsplus) - ACCEL_FRAME_BIAS;
    plan->shape = accel_function_shape(co, n_units);
    plan->units = (int64_t)(uintptr_t)_PyCode_CODE(co);
    plan->code_units = n_units;
    *data_size = data;

    /* -- 5. loop entries for OSR (bjit/compiler.py osr_entries) -- */
    Py_ssize_t n_osr = 0;
    for (Py_ssize_t i = 0; i < ni; i++) {
        int op = s.ops[i];
        if ((op == JUMP_BACKWARD || op == POP_JUMP_BACKWARD_IF_TRUE || op == POP_JUMP_BACKWARD_IF_FALSE) &&
                plan->rec[8 * i + 4] >= 0)
            n_osr++;
    }
    *osr = accel_malloc((size_t)(ACCEL_OSR_FIELDS * n_osr + 1) * sizeof(int32_t));
    if (*osr == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < ni; i++) {
        int op = s.ops[i];
        int32_t b = plan->rec[8 * i + 4];
        if (!(op == JUMP_BACKWARD || op == POP_JUMP_BACKWARD_IF_TRUE || op == POP_JUMP_BACKWARD_IF_FALSE) || b < 0)
            continue;
        if (!s.live[b] || s.resume[b] || s.depth[b] < 0)
            continue;
        int covered = 0;
        for (Py_ssize_t k = 0; k < nexc && !covered; k++)
            covered = s.exc[k].start <= s.bstart[b] - 1 && s.bstart[b] - 1 < s.exc[k].end;
        if (covered)
            continue;
        int32_t *e = *osr + ACCEL_OSR_FIELDS * *nosr;
        e[0] = s.offs[i];
        e[1] = b;
        e[2] = s.bstart[b];
        e[3] = s.depth[b];
        uint64_t plain = co->co_nlocals >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << co->co_nlocals) - 1;
        uint64_t empty = plain & ~may[b];  /* (cells and free variables are filled by the frame's set-up) */
        e[4] = (int32_t)(uint32_t)bound[b];
        e[5] = (int32_t)(uint32_t)(bound[b] >> 32);
        e[6] = (int32_t)(uint32_t)empty;
        e[7] = (int32_t)(uint32_t)(empty >> 32);
        (*nosr)++;
    }
    accel_free(bound);
    accel_free(may);
    scratch_free(&s);
    Py_DECREF(code);
    accel_plan_counters.built++;
    accel_plan_counters.instructions += (uint64_t)ni;
    return plan;
fail:
    accel_free(bound);
    accel_free(may);
    scratch_free(&s);
    Py_DECREF(code);
    accel_block_plan_free(plan);
    accel_free(*osr);
    *osr = NULL;
    *nosr = 0;
    if (PyErr_Occurred())
        PyErr_Clear();
    accel_plan_counters.declined++;
    return NULL;
}

/* plan_setup(known, size, flow, jrel, backward, pops, pushes, jump_pops, jump_pushes, site_size): 256-entry
 * bytes (int16 for the windows, -1 where none; int32 for the site sizes) from accel/ir/opcodes.py and
 * codegen.SITE_DATA. */
int
accel_plan_setup(PyObject *args)
{
    PyObject *b[10];
    if (!PyArg_ParseTuple(args, "SSSSSSSSSS", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8], &b[9]))
        return -1;
    void *dest[10] = {t.known, t.size, t.flow, t.jrel, t.backward, t.pops, t.pushes, t.jump_pops, t.jump_pushes,
                      t.site_size};
    size_t sizes[10] = {256, 256, 256, 256, 256, 512, 512, 512, 512, 1024};
    for (int k = 0; k < 10; k++) {
        if (PyBytes_GET_SIZE(b[k]) != (Py_ssize_t)sizes[k]) {
            PyErr_SetString(PyExc_ValueError, "plan_setup: bad table size");
            return -1;
        }
    }
    for (int k = 0; k < 10; k++)
        memcpy(dest[k], PyBytes_AS_STRING(b[k]), sizes[k]);
    t.ready = 1;
    return 0;
}

/* Compile `co` at tier 1, a block at a time, without the Python compiler: its plan, data block, lazy state, OSR
 * entries, and its head placed (bjit_lazy_place.c).  1: done (*address, *size: the head, which Python attaches
 * with set_jit); 0: declined, nothing left behind (the Python compiler compiles it). */
int
accel_compile_in_c(accel_code_state *st, PyCodeObject *co, void **address, size_t *size)
{
    if (st->jit_fn != NULL || st->lazy != NULL)
        return 0;
    Py_ssize_t data_size;
    int32_t *osr, nosr;
    accel_block_plan *plan = accel_plan_build(co, &data_size, &osr, &nosr);
    if (plan == NULL)
        return 0;
    accel_free(st->jit_data);  /* (an earlier compile stopped before attaching code: nothing uses it) */
    st->jit_data = accel_calloc(1, data_size ? (size_t)data_size : 1);
    int32_t *entries = accel_calloc(2 * (size_t)plan->nblocks + 1, sizeof(int32_t));
    for (int32_t b = 0; entries != NULL && b < plan->nblocks; b++) {
        entries[2 * b] = plan->block_start[b];
        entries[2 * b + 1] = plan->block_info[BI_FIELDS * b + BI_DEPTH];
    }
    st->lazy = st->jit_data == NULL || entries == NULL ? NULL : accel_lazy_new(plan->nblocks, NULL, NULL, entries);
    accel_free(entries);
    if (st->lazy == NULL) {
        accel_block_plan_free(plan);
        goto declined;
    }
    plan->data = (int64_t)(uintptr_t)st->jit_data;
    st->lazy->plan = plan;
    if (!accel_lazy_place_head(st, co, NULL, address, size) || accel_lazy_set_osr(st->lazy, nosr, osr) < 0) {
        if (st->lazy->code[0] != NULL)  /* placed, but no OSR table: the head goes back too */
            accel_arena_free(*address, *size);
        goto declined;
    }
    accel_free(osr);
    return 1;
declined:
    accel_lazy_free(st->lazy);
    st->lazy = NULL;
    accel_free(st->jit_data);
    st->jit_data = NULL;
    accel_free(osr);
    return 0;
}

/* plan_dry(code) -> (records, block_first, block_start, site_offset, block_info, osr, data_size) as bytes of int32
 * (osr: ACCEL_OSR_FIELDS per entry), or None: what accel_plan_build makes of the code (tests compare it with the IR's). */
PyObject *
accel_plan_dry(PyCodeObject *co)
{
    Py_ssize_t data_size;
    int32_t *osr, nosr;
    accel_block_plan *plan = accel_plan_build(co, &data_size, &osr, &nosr);
    if (plan == NULL)
        Py_RETURN_NONE;
    Py_ssize_t n = plan->n, nb = plan->nblocks;
    PyObject *out = Py_BuildValue(
        "(NNNNNNn)", PyBytes_FromStringAndSize((const char *)plan->rec, 32 * n),
        PyBytes_FromStringAndSize((const char *)plan->block_first, 4 * nb),
        PyBytes_FromStringAndSize((const char *)plan->block_start, 4 * nb),
        PyBytes_FromStringAndSize((const char *)plan->site_offset, 4 * n),
        PyBytes_FromStringAndSize((const char *)plan->block_info, 4 * BI_FIELDS * nb),
        PyBytes_FromStringAndSize((const char *)osr, 4 * ACCEL_OSR_FIELDS * (Py_ssize_t)nosr), data_size);
    accel_block_plan_free(plan);
    accel_free(osr);
    return out;
}
