/* Placing tier-1 templates: the per-instruction loop of code generation, in C.
 *
 * accel/bjit/templates.py makes each *kind* of instruction's machine code once (a template: hot bytes, cold bytes
 * and holes); this file places a basic block made of them.  For each instruction it computes the template's key
 * (the same bytes as templates.instruction_key: what the code generator decides the code by), looks it up in
 * the templates dict, appends the hot part to the block's code and the cold part to the piece's stub area, and
 * fills the holes that are values: frame-slot and local displacements, depths, code units and their addresses,
 * constants, names, the site's cache, compact hand-backs, runtime addresses.  Branches to labels the Python side
 * owns (blocks, exits) are handed back as a list; branches between the hot and the cold part, and calls from the
 * cold part, wait in a byte array until the cold area is placed (place_cold).  A key the dict does not have is
 * read from the template file when it is there (bjit_template_file.c: once per key and process); else it stops
 * the loop: Python makes the template and calls again from that instruction.  Nothing here allocates a Python
 * object per instruction but the offsets list's entries (accel.dis, the perf map).
 *
 * The layouts below are templates.KEY, TEMPLATE_HEAD and HOLE; tests/test_templates.py checks the sizes.
 */
#include "bjit_place.h"
#include "opcode.h"

enum { ROLE_TARGET = 17, ROLE_NEXT_TARGET = 19, ROLE_END = 20 };
enum { KEY_SIZE = TEMPLATE_KEY_SIZE, HEAD_SIZE = TEMPLATE_HEAD_SIZE };
#define NO_ARG ((int32_t)0x80000000u)

/* per opcode: F_* flags (templates.place_setup) */
uint8_t accel_place_op_flags[256];
int accel_placer_ready;
#define op_flags accel_place_op_flags

int
place_buf_put(place_buf *b, const void *data, Py_ssize_t n)
{
    if (b->len + n > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = accel_realloc(b->p, (size_t)cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, (size_t)n);
    b->len += n;
    return 0;
}

void
place_buf_free(place_buf *b)
{
    accel_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

#define PLACEMENT_BUFFERS(o) {&(o)->hot, &(o)->cold, &(o)->offsets, &(o)->externals, &(o)->links, &(o)->deferred, \
                              &(o)->attr_sites, &(o)->handbacks}

void
placement_clear(placement *o)
{
    place_buf *all[] = PLACEMENT_BUFFERS(o);
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
        all[k]->len = 0;
}

void
placement_free(placement *o)
{
    place_buf *all[] = PLACEMENT_BUFFERS(o);
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
        place_buf_free(all[k]);
}

static int32_t
pack_arg(int op, int32_t arg)
{
    if (op_flags[op] & F_ARG_HOLE)
        return op == LOAD_GLOBAL ? (arg & 1) : NO_ARG;
    return arg;
}

static int
backward(const place_fn *f, int32_t target, Py_ssize_t i)
{
    if (target < 0)
        return target;  /* -1 no target, or ACCEL_ALWAYS_BOUND */
    return f->block_first[target] <= i;
}

static int
prev_class(int op)
{
    return (op == LOAD_FAST || op == LOAD_CONST || op == PRECALL) ? op : NOP;
}

static void
put8(uint8_t *p, int v) { p[0] = (uint8_t)v; }
static void
put16(uint8_t *p, int v) { int16_t x = (int16_t)v; memcpy(p, &x, 2); }
static void
put32(uint8_t *p, int32_t v) { memcpy(p, &v, 4); }
static void
put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* templates.instruction_key, byte for byte */
static void
make_key(uint8_t *key, const place_fn *f, Py_ssize_t i, Py_ssize_t first, Py_ssize_t end, int nsuccs_block,
         int kwnames, int has_entry, int entry_k, int entry_reg)
{
    const int32_t *r = f->rec + i * 8;
    int op = r[0];
    int prev0 = -2, prev1 = -2, first_rel = 0, end_rel = 0;
    int has_next = i + 1 < f->n;
    int nxt_op = 0, nxt_ext = 0, nxt_back = 0;
    int32_t nxt_arg = NO_ARG;
    uint8_t flags = op_flags[op];
    if (flags & F_READS_PREV) {
        prev0 = i >= 2 ? prev_class(r[-16]) : -1;
        prev1 = i >= 1 ? prev_class(r[-8]) : -1;
        first_rel = (int)(first - i) < -2 ? -2 : (int)(first - i);
    }
    if ((flags & F_READS_NEXT) && has_next) {
        nxt_op = r[8];
        nxt_arg = pack_arg(nxt_op, r[9]);
        nxt_ext = r[10] == r[11];
        nxt_back = backward(f, r[12], i + 1);
        if (nxt_back < -1)
            nxt_back = -1;  /* (a next LOAD_FAST's ACCEL_ALWAYS_BOUND: not read) */
        end_rel = (int)(end - i) > 3 ? 3 : (int)(end - i);
    }
    int name = 0, precall = 0;
    if ((flags & F_READS_FEEDBACK) && 2 * (Py_ssize_t)r[2] < f->adaptive_len)
        name = f->adaptive[2 * r[2]];
    if (op == CALL && i > 0 && r[-8] == PRECALL && 2 * (Py_ssize_t)r[-6] < f->adaptive_len)
        precall = f->adaptive[2 * r[-6]];
    int nsuccs = (r[4] >= 0 || (flags & F_READS_NEXT)) ? nsuccs_block : -1;
    put8(key + 0, op);
    put32(key + 1, pack_arg(op, r[1]));
    put8(key + 5, r[2] == r[3]);
    put8(key + 6, name);
    put8(key + 7, precall);
    put8(key + 8, kwnames);
    put16(key + 9, prev0);
    put16(key + 11, prev1);
    put8(key + 13, has_next);
    put8(key + 14, nxt_op);
    put32(key + 15, nxt_arg);
    put8(key + 19, nxt_ext);
    put8(key + 20, nxt_back);
    put8(key + 21, first_rel);
    put8(key + 22, end_rel);
    put8(key + 23, backward(f, r[4], i));
    put8(key + 24, nsuccs);
    put8(key + 25, has_entry);
    put16(key + 26, has_entry ? entry_k : 0);
    put8(key + 28, has_entry ? entry_reg : 0);
    put8(key + 29, f->shape);
}

static int
floor_half(int role)
{
    return role >= 0 ? role / 2 : -((-role + 1) / 2);
}

/* the code unit a hole's role names (templates.TARGET_ROLE ... or record * 2 + field); -1 when out of range */
static int64_t
unit_of(const place_fn *f, int role, Py_ssize_t i)
{
    if (role == ROLE_TARGET || role == ROLE_NEXT_TARGET) {
        Py_ssize_t j = role == ROLE_TARGET ? i : i + 1;
        if (j >= f->n || f->rec[j * 8 + 4] < 0)
            return -1;
        return f->block_start[f->rec[j * 8 + 4]];
    }
    if (role == ROLE_END)
        return f->code_units;
    int r = floor_half(role);
    Py_ssize_t j = i + r;
    if (j < 0 || j >= f->n)
        return -1;
    return f->rec[j * 8 + 2 + (role - 2 * r)];
}

static int
put_int32(place_buf *b, int32_t v)
{
    return place_buf_put(b, &v, 4);
}

int
place_instructions(const place_fn *f, PyObject *templates, Py_ssize_t first, Py_ssize_t end, int nsuccs,
                   const int32_t succ[2], Py_ssize_t *i_io, long *entry_io, Py_ssize_t *kwnames_io, placement *o,
                   PyObject **miss_key)
{
    Py_ssize_t i = *i_io, kwnames = *kwnames_io;
    long entry = *entry_io;
    int status = PLACED_FALLS_THROUGH;
    *miss_key = NULL;
    if (first < 0 || end > f->n || i < first || i > end) {
        PyErr_SetString(PyExc_ValueError, "place_block: instruction range");
        return -1;
    }
    for (; i < end; i++) {
        const int32_t *r = f->rec + i * 8;
        int op = r[0];
        if (op == KW_NAMES) {
            place_offset rec = {(int32_t)o->hot.len, (int32_t)i};
            if (place_buf_put(&o->offsets, &rec, sizeof rec) < 0)
                return -1;
            kwnames = i;
            continue;
        }
        uint8_t key[KEY_SIZE];
        make_key(key, f, i, first, end, nsuccs, kwnames >= 0, entry >= 0, (int)(entry >> 8) - 0x8000,
                 (int)(entry & 0xFF));
        PyObject *key_bytes = PyBytes_FromStringAndSize((const char *)key, KEY_SIZE);
        if (key_bytes == NULL)
            return -1;
        PyObject *t = PyDict_GetItemWithError(templates, key_bytes);  /* borrowed */
        if (t == NULL) {
            /* not made or read yet: from the template file, when it has the key (bjit_template_file.c) */
            int found = PyErr_Occurred() ? -1 : accel_template_fetch(templates, key_bytes, &t);
            if (found < 0) {
                Py_DECREF(key_bytes);
                return -1;
            }
            if (found != FETCH_FOUND) {
                status = PLACE_MISSING;
                *miss_key = key_bytes;
                break;
            }
        }
        Py_DECREF(key_bytes);
        if (t == Py_None) {
            status = PLACE_NO_TEMPLATE;
            break;
        }
        if (!PyBytes_Check(t) || PyBytes_GET_SIZE(t) < HEAD_SIZE) {
            PyErr_SetString(PyExc_TypeError, "place_block: a template is not bytes");
            return -1;
        }
        const uint8_t *p = (const uint8_t *)PyBytes_AS_STRING(t);
        uint16_t hot_size, cold_size, nholes;
        int16_t state_k;
        memcpy(&hot_size, p, 2);
        memcpy(&cold_size, p + 2, 2);
        memcpy(&nholes, p + 4, 2);
        int leaves = p[6], has_state = p[7], state_reg = p[10], handed_back = p[12];
        memcpy(&state_k, p + 8, 2);
        if (PyBytes_GET_SIZE(t) != HEAD_SIZE + hot_size + cold_size + 16 * (Py_ssize_t)nholes) {
            PyErr_SetString(PyExc_ValueError, "place_block: a template's size does not add up");
            return -1;
        }
        const uint8_t *holes = p + HEAD_SIZE + hot_size + cold_size;
        Py_ssize_t hot_base = o->hot.len, cold_base = o->cold.len;
        place_offset offset_rec = {(int32_t)hot_base, (int32_t)i};
        if (place_buf_put(&o->offsets, &offset_rec, sizeof offset_rec) < 0 ||
                place_buf_put(&o->hot, p + HEAD_SIZE, hot_size) < 0 ||
                place_buf_put(&o->cold, p + HEAD_SIZE + hot_size, cold_size) < 0)
            return -1;
        int64_t depth = r[5];
        for (int h = 0; h < nholes; h++) {
            int32_t position, kind, arg, extra;
            memcpy(&position, holes + 16 * h, 4);
            memcpy(&kind, holes + 16 * h + 4, 4);
            memcpy(&arg, holes + 16 * h + 8, 4);
            memcpy(&extra, holes + 16 * h + 12, 4);
            int in_cold = position >= hot_size;
            Py_ssize_t at = in_cold ? cold_base + (position - hot_size) : hot_base + position;
            uint8_t *field = (in_cold ? o->cold.p : o->hot.p) + at;
            int width = kind == HOLE_UNIT_ADDR || kind == HOLE_CONST || kind == HOLE_NAME || kind == HOLE_SITE ||
                        kind == HOLE_KWNAMES || kind == HOLE_HANDBACK || kind == HOLE_RUNTIME ? 8
                        : kind == HOLE_SLOT8 || kind == HOLE_LOCAL8 ? 1 : 4;
            if (position < 0 || position + width > hot_size + cold_size ||
                    (!in_cold && position + width > hot_size)) {
                PyErr_SetString(PyExc_ValueError, "place_block: a hole outside its template");
                return -1;
            }
            Py_ssize_t j;
            int64_t unit, disp;
            switch (kind) {
            case HOLE_SLOT:
                put32(field, (int32_t)(f->localsplus + 8 * (f->nlp + depth + arg)));
                break;
            case HOLE_SLOT8:
            case HOLE_LOCAL8:
                /* (a narrow function's frame fits: a displacement that does not is a wrong key, never a wrap) */
                if (kind == HOLE_SLOT8) {
                    disp = f->localsplus + 8 * (f->nlp + depth + arg);
                } else {
                    j = i + arg;
                    if (j < 0 || j >= f->n)
                        goto bad_hole;
                    disp = f->localsplus + 8 * (int64_t)f->rec[j * 8 + 1];
                }
                if (disp < -128 || disp > 127)
                    goto bad_hole;
                *field = (uint8_t)(int8_t)disp;
                break;
            case HOLE_STACKTOP:
                put32(field, (int32_t)(f->nlp + depth + arg));
                break;
            case HOLE_DEPTH:
                put32(field, (int32_t)(depth + arg));
                break;
            case HOLE_LOCAL:
            case HOLE_ARG:
                j = i + arg;
                if (j < 0 || j >= f->n)
                    goto bad_hole;
                put32(field, kind == HOLE_ARG ? f->rec[j * 8 + 1] : (int32_t)(f->localsplus + 8 * f->rec[j * 8 + 1]));
                break;
            case HOLE_UNIT:
            case HOLE_UNIT_ADDR:
            case HOLE_UNIT_ADDR32:
                unit = unit_of(f, arg, i);
                if (unit < 0)
                    goto bad_hole;
                if (kind == HOLE_UNIT)
                    put32(field, (int32_t)unit);
                else if (kind == HOLE_UNIT_ADDR32)  /* (a SHAPE_UNITS32 function: the upper half is the frame's) */
                    put32(field, (int32_t)(uint32_t)(f->units + 2 * unit));
                else
                    put64(field, (uint64_t)(f->units + 2 * unit));
                break;
            case HOLE_CONST:
            case HOLE_NAME:
            case HOLE_KWNAMES:
                j = kind == HOLE_KWNAMES ? kwnames : i + arg;
                if (j < 0 || j >= f->n)
                    goto bad_hole;
                {
                    Py_ssize_t index = f->rec[j * 8 + 1];
                    PyObject *pool = kind == HOLE_NAME ? f->names : f->consts;
                    if (kind == HOLE_NAME && f->rec[j * 8] == LOAD_GLOBAL)
                        index >>= 1;
                    if (index < 0 || index >= PyTuple_GET_SIZE(pool))
                        goto bad_hole;
                    put64(field, (uint64_t)(uintptr_t)PyTuple_GET_ITEM(pool, index));
                }
                break;
            case HOLE_SITE:
                if (f->site_offset[i] < 0)
                    goto bad_hole;
                put64(field, (uint64_t)(f->data + f->site_offset[i]));
                break;
            case HOLE_HANDBACK:
                unit = unit_of(f, arg, i);
                {
                    int64_t d = depth + (extra >> 16);
                    if (unit < 0 || unit >= ((int64_t)1 << 32) || d < 0 || d >= (1 << 16)) {
                        status = PLACE_NOT_COMPACT;
                        goto done;
                    }
                    put64(field, (uint64_t)unit | (uint64_t)d << 32 | (uint64_t)(extra & 0xFFFF) << 48);
                }
                break;
            case HOLE_HANDBACK32:  /* the compact call-site word (glue.py) */
                unit = unit_of(f, arg, i);
                {
                    int64_t d = depth + (extra >> 16);
                    int to_next = extra & 0xFF, effect = (int8_t)((extra >> 8) & 0xFF);
                    if (unit < 0 || unit >= (1 << 16) || d < 0 || d >= (1 << 7) || to_next >= 16 || effect < -8 ||
                            effect > 7) {
                        status = PLACE_NOT_COMPACT;
                        goto done;
                    }
                    put32(field, (int32_t)((uint32_t)unit | (uint32_t)d << 16 | (uint32_t)to_next << 23 |
                                           (uint32_t)(effect & 0xF) << 27 | (uint32_t)1 << 31));
                }
                break;
            case HOLE_RUNTIME:
            case HOLE_RUNTIME_REL:
                if (arg < 0 || arg >= f->nruntime)
                    goto bad_hole;
                if (kind == HOLE_RUNTIME)
                    put64(field, f->runtime[arg]);
                else if (!in_cold) {
                    place_external rec = {(int32_t)at, 0, f->runtime[arg]};
                    if (place_buf_put(&o->externals, &rec, sizeof rec) < 0)
                        return -1;
                }
                else {
                    place_deferred rec = {HOLE_RUNTIME_REL, (int32_t)at, (int64_t)f->runtime[arg]};
                    if (place_buf_put(&o->deferred, &rec, sizeof rec) < 0)
                        return -1;
                }
                break;
            case HOLE_TO_COLD:  /* a field in the hot part aimed at the cold part */
            case HOLE_TO_HOT:   /* a field in the cold part aimed at the hot part */
                if (in_cold != (kind == HOLE_TO_HOT))
                    goto bad_hole;
                {
                    place_deferred rec = {kind, (int32_t)at, (kind == HOLE_TO_COLD ? cold_base : hot_base) + arg};
                    if (place_buf_put(&o->deferred, &rec, sizeof rec) < 0)
                        return -1;
                }
                break;
            case HOLE_BLOCK:
            case HOLE_EXIT: {
                int64_t value = arg;
                if (kind == HOLE_BLOCK) {
                    if (arg == 1 || arg == 2) {
                        if (arg > nsuccs)
                            goto bad_hole;
                        value = succ[arg - 1];
                    }
                    else {
                        j = arg == 3 ? i : i + 1;
                        if (j >= f->n || f->rec[j * 8 + 4] < 0)
                            goto bad_hole;
                        value = f->rec[j * 8 + 4];
                    }
                }
                place_link_rec rec = {(int32_t)(in_cold ? -1 - at : at), kind, value};
                if (place_buf_put(&o->links, &rec, sizeof rec) < 0)
                    return -1;
                break;
            }
            default:
                goto bad_hole;
            }
            continue;
        bad_hole:
            PyErr_Format(PyExc_ValueError, "place_block: hole kind %d (%d) at instruction %zd does not apply",
                         (int)kind, (int)arg, i);
            return -1;
        }
        if ((op_flags[op] & F_ATTR_SITE) && put_int32(&o->attr_sites, (int32_t)i) < 0)
            return -1;
        if (handed_back && put_int32(&o->handbacks, (int32_t)i) < 0)
            return -1;
        if (op == CALL)
            kwnames = -1;
        if (leaves) {
            status = PLACED_LEAVES;
            i++;
            break;
        }
        if (has_state && i + 1 < end)
            entry = ((long)(state_k + r[5] - r[13] + 0x8000) << 8) | state_reg;
        else
            entry = -1;
    }
done:
    *i_io = i;
    *entry_io = entry;
    *kwnames_io = kwnames;
    return status;
}

static int
unpack_info(PyObject *t, place_fn *f, Py_buffer *views)
{
    /* (records, block_first, block_start, site_offset, adaptive, runtime, nlp, localsplus, units, code_units,
     *  data, consts, names, shape) */
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 14) {
        PyErr_SetString(PyExc_TypeError, "place_block: bad function info");
        return -1;
    }
    for (int k = 0; k < 6; k++) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(t, k), &views[k], PyBUF_SIMPLE) < 0) {
            for (int j = 0; j < k; j++)
                PyBuffer_Release(&views[j]);
            return -1;
        }
    }
    f->rec = views[0].buf;
    f->n = views[0].len / (8 * 4);
    f->block_first = views[1].buf;
    f->block_start = views[2].buf;
    f->site_offset = views[3].buf;
    f->adaptive = views[4].buf;
    f->adaptive_len = views[4].len;
    f->runtime = views[5].buf;
    f->nruntime = views[5].len / 8;
    f->nlp = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 6));
    f->localsplus = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 7));
    f->units = (int64_t)PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(t, 8));
    f->code_units = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 9));
    f->data = (int64_t)PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(t, 10));
    f->consts = PyTuple_GET_ITEM(t, 11);
    f->names = PyTuple_GET_ITEM(t, 12);
    f->shape = (int)PyLong_AsLong(PyTuple_GET_ITEM(t, 13));
    if (PyErr_Occurred() || !PyTuple_Check(f->consts) || !PyTuple_Check(f->names)) {
        for (int j = 0; j < 6; j++)
            PyBuffer_Release(&views[j]);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "place_block: bad function info");
        return -1;
    }
    return 0;
}

static int
append_pair(PyObject *list, Py_ssize_t a, int64_t b)
{
    PyObject *t = Py_BuildValue("(nL)", a, (long long)b);
    if (t == NULL)
        return -1;
    int rc = PyList_Append(list, t);
    Py_DECREF(t);
    return rc;
}

static int
grow(PyObject *array, const uint8_t *data, Py_ssize_t size, Py_ssize_t *base)
{
    *base = PyByteArray_GET_SIZE(array);
    if (PyByteArray_Resize(array, *base + size) < 0)
        return -1;
    memcpy(PyByteArray_AS_STRING(array) + *base, data, size);
    return 0;
}

static int
append_index(PyObject *list, int32_t i)
{
    PyObject *index = PyLong_FromLong(i);
    int rc = index == NULL ? -1 : PyList_Append(list, index);
    Py_XDECREF(index);
    return rc;
}

/* The placement's results appended to the Python generator's code, cold area and lists (place_block's outputs). */
static int
hand_over(const placement *o, PyObject *hot, PyObject *cold, PyObject *externals, PyObject *links,
          PyObject *offsets, PyObject *deferred, PyObject *attr_sites, PyObject *handbacks)
{
    Py_ssize_t hot_base, cold_base, ignored;
    if (grow(hot, o->hot.p, o->hot.len, &hot_base) < 0 || grow(cold, o->cold.p, o->cold.len, &cold_base) < 0)
        return -1;
    const place_offset *offs = (const place_offset *)o->offsets.p;
    for (Py_ssize_t k = 0; k < o->offsets.len / (Py_ssize_t)sizeof *offs; k++)
        if (append_pair(offsets, hot_base + offs[k].at, offs[k].i) < 0)
            return -1;
    const place_external *ext = (const place_external *)o->externals.p;
    for (Py_ssize_t k = 0; k < o->externals.len / (Py_ssize_t)sizeof *ext; k++)
        if (append_pair(externals, hot_base + ext[k].at, (int64_t)ext[k].target) < 0)
            return -1;
    const place_link_rec *lk = (const place_link_rec *)o->links.p;
    for (Py_ssize_t k = 0; k < o->links.len / (Py_ssize_t)sizeof *lk; k++) {
        Py_ssize_t at = lk[k].at >= 0 ? hot_base + lk[k].at : -1 - (cold_base + (-1 - lk[k].at));
        PyObject *link = Py_BuildValue("(niL)", at, (int)lk[k].kind, (long long)lk[k].value);
        if (link == NULL || PyList_Append(links, link) < 0) {
            Py_XDECREF(link);
            return -1;
        }
        Py_DECREF(link);
    }
    const place_deferred *d = (const place_deferred *)o->deferred.p;
    for (Py_ssize_t k = 0; k < o->deferred.len / (Py_ssize_t)sizeof *d; k++) {
        place_deferred rec = d[k];
        if (rec.kind == HOLE_TO_COLD) {
            rec.at += (int32_t)hot_base;
            rec.value += cold_base;
        }
        else {
            rec.at += (int32_t)cold_base;
            if (rec.kind == HOLE_TO_HOT)
                rec.value += hot_base;
        }
        if (grow(deferred, (const uint8_t *)&rec, sizeof rec, &ignored) < 0)
            return -1;
    }
    const int32_t *sites = (const int32_t *)o->attr_sites.p;
    for (Py_ssize_t k = 0; k < o->attr_sites.len / 4; k++)
        if (append_index(attr_sites, sites[k]) < 0)
            return -1;
    const int32_t *hb = (const int32_t *)o->handbacks.p;
    for (Py_ssize_t k = 0; k < o->handbacks.len / 4; k++)
        if (append_index(handbacks, hb[k]) < 0)
            return -1;
    return 0;
}

/* place_setup(flags: bytes of 256): the F_* flags of each opcode (templates.py's sets) */
PyObject *
accel_place_setup(PyObject *self, PyObject *flags)
{
    Py_buffer view;
    if (PyObject_GetBuffer(flags, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    if (view.len != 256) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "place_setup: 256 flags expected");
    }
    memcpy(op_flags, view.buf, 256);
    PyBuffer_Release(&view);
    accel_placer_ready = 1;
    Py_RETURN_NONE;
}

/* place_block(hot, cold, templates, info, (first, end, nsuccs, succ0, succ1), start, entry, kwnames,
 *             (externals, links, offsets, deferred, attr_sites, handbacks))
 *   -> (status, i, entry, kwnames, key)
 * status 0: the block is placed and falls through to its successor; 1: it is placed and ends in a jump, return
 * or hand-back; 2: no template for instruction i's key yet (make it, then call again from i with entry and
 * kwnames); 3: the key has no template (None); 4: a hand-back that cannot be compact.
 * entry: -1, or (slot k + 0x8000) << 8 | register.  links: (hole position in hot or (in cold) -1 - position,
 * HOLE_BLOCK or HOLE_EXIT, block id or exit label). */
PyObject *
accel_place_block(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9 || !PyByteArray_Check(args[0]) || !PyByteArray_Check(args[1]) || !PyDict_Check(args[2]) ||
            !PyTuple_Check(args[4]) || PyTuple_GET_SIZE(args[4]) != 5 || !PyTuple_Check(args[8]) ||
            PyTuple_GET_SIZE(args[8]) != 6) {
        PyErr_SetString(PyExc_TypeError, "place_block: bad arguments");
        return NULL;
    }
    if (!accel_placer_ready) {
        PyErr_SetString(PyExc_RuntimeError, "place_block before place_setup");
        return NULL;
    }
    PyObject *hot = args[0], *cold = args[1], *templates = args[2];
    PyObject *externals = PyTuple_GET_ITEM(args[8], 0), *links = PyTuple_GET_ITEM(args[8], 1);
    PyObject *offsets = PyTuple_GET_ITEM(args[8], 2), *deferred = PyTuple_GET_ITEM(args[8], 3);
    PyObject *attr_sites = PyTuple_GET_ITEM(args[8], 4), *handbacks = PyTuple_GET_ITEM(args[8], 5);
    if (!PyList_Check(externals) || !PyList_Check(links) || !PyList_Check(offsets) || !PyByteArray_Check(deferred)
            || !PyList_Check(attr_sites) || !PyList_Check(handbacks)) {
        PyErr_SetString(PyExc_TypeError, "place_block: bad output lists");
        return NULL;
    }
    Py_ssize_t first = PyLong_AsSsize_t(PyTuple_GET_ITEM(args[4], 0));
    Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(args[4], 1));
    int nsuccs = (int)PyLong_AsLong(PyTuple_GET_ITEM(args[4], 2));
    int32_t succ[2] = {(int32_t)PyLong_AsLong(PyTuple_GET_ITEM(args[4], 3)),
                       (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(args[4], 4))};
    Py_ssize_t i = PyLong_AsSsize_t(args[5]);
    long entry = PyLong_AsLong(args[6]);
    Py_ssize_t kwnames = PyLong_AsSsize_t(args[7]);
    if (PyErr_Occurred())
        return NULL;

    place_fn f;
    Py_buffer views[6];
    if (unpack_info(args[3], &f, views) < 0)
        return NULL;
    placement o = {0};
    PyObject *miss_key = NULL;
    int status = place_instructions(&f, templates, first, end, nsuccs, succ, &i, &entry, &kwnames, &o, &miss_key);
    for (int k = 0; k < 6; k++)
        PyBuffer_Release(&views[k]);
    if (status < 0 || hand_over(&o, hot, cold, externals, links, offsets, deferred, attr_sites, handbacks) < 0) {
        placement_free(&o);
        Py_XDECREF(miss_key);
        return NULL;
    }
    placement_free(&o);
    if (miss_key == NULL) {
        miss_key = Py_None;
        Py_INCREF(miss_key);
    }
    return Py_BuildValue("(inlnN)", status, i, entry, kwnames, miss_key);
}

/* place_cold(hot, cold, deferred, externals): append the cold area to the piece at its end and resolve what
 * waited for its position.  Returns the cold area's offset in the piece. */
PyObject *
accel_place_cold(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyByteArray_Check(args[0]) || !PyByteArray_Check(args[1]) || !PyByteArray_Check(args[2])
            || !PyList_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "place_cold: bad arguments");
        return NULL;
    }
    PyObject *hot = args[0], *cold = args[1], *deferred = args[2], *externals = args[3];
    Py_ssize_t base;
    if (grow(hot, (const uint8_t *)PyByteArray_AS_STRING(cold), PyByteArray_GET_SIZE(cold), &base) < 0)
        return NULL;
    uint8_t *code = (uint8_t *)PyByteArray_AS_STRING(hot);
    Py_ssize_t size = PyByteArray_GET_SIZE(hot);
    const uint8_t *d = (const uint8_t *)PyByteArray_AS_STRING(deferred);
    Py_ssize_t n = PyByteArray_GET_SIZE(deferred) / 16;
    for (Py_ssize_t k = 0; k < n; k++) {
        int32_t kind, at;
        int64_t value;
        memcpy(&kind, d + 16 * k, 4);
        memcpy(&at, d + 16 * k + 4, 4);
        memcpy(&value, d + 16 * k + 8, 8);
        Py_ssize_t field = kind == HOLE_TO_COLD ? at : base + at;  /* TO_COLD's field is in the hot part */
        if (field < 0 || field + 4 > size)
            return PyErr_Format(PyExc_ValueError, "place_cold: a field outside the code");
        if (kind == HOLE_RUNTIME_REL) {
            if (append_pair(externals, field, value) < 0)
                return NULL;
            continue;
        }
        int64_t target = kind == HOLE_TO_COLD ? base + value : value;
        put32(code + field, (int32_t)(target - (field + 4)));
    }
    return PyLong_FromSsize_t(base);
}

/* place_link(code, base, externals) -> bytes: the code as placed at `base`, each (offset, target) rel32 field of
 * `externals` aimed at its absolute target (a helper, code placed earlier).  OverflowError when one is out of
 * rel32 reach (the caller then generates code that calls through registers). */
PyObject *
accel_place_link(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyBytes_Check(args[0]) || !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "place_link(code: bytes, base: int, externals: list)");
        return NULL;
    }
    uint64_t base = PyLong_AsUnsignedLongLong(args[1]);
    if (PyErr_Occurred())
        return NULL;
    Py_ssize_t size = PyBytes_GET_SIZE(args[0]);
    PyObject *out = PyBytes_FromStringAndSize(PyBytes_AS_STRING(args[0]), size);
    if (out == NULL)
        return NULL;
    uint8_t *code = (uint8_t *)PyBytes_AS_STRING(out);
    PyObject *externals = args[2];
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(externals); k++) {
        PyObject *item = PyList_GET_ITEM(externals, k);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "place_link: externals are (offset, target) pairs");
            return NULL;
        }
        Py_ssize_t offset = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
        uint64_t target = PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(item, 1));
        if (PyErr_Occurred() || offset < 0 || offset + 4 > size) {
            Py_DECREF(out);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "place_link: a field outside the code");
            return NULL;
        }
        int64_t disp = (int64_t)(target - (base + (uint64_t)offset + 4));
        if (disp < INT32_MIN || disp > INT32_MAX) {
            Py_DECREF(out);
            PyErr_Format(PyExc_OverflowError, "place_link: target %#llx out of rel32 reach of %#llx",
                         (unsigned long long)target, (unsigned long long)(base + offset));
            return NULL;
        }
        put32(code + offset, (int32_t)disp);
    }
    return out;
}
