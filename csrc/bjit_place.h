/* bjit_place.h -- placing tier-1 templates (bjit_place.c), shared by the two callers of its loop: the Python
 * generator's place_block (codegen.py) and the all-C placing of a lazily compiled block (bjit_lazy_place.c). */
#ifndef ACCEL_BJIT_PLACE_H
#define ACCEL_BJIT_PLACE_H

#include "accel.h"

enum {
    HOLE_SLOT, HOLE_STACKTOP, HOLE_DEPTH, HOLE_LOCAL, HOLE_ARG, HOLE_UNIT, HOLE_UNIT_ADDR, HOLE_CONST, HOLE_NAME,
    HOLE_SITE, HOLE_KWNAMES, HOLE_HANDBACK, HOLE_BLOCK, HOLE_EXIT, HOLE_TO_COLD, HOLE_TO_HOT, HOLE_RUNTIME,
    HOLE_RUNTIME_REL, HOLE_SLOT8, HOLE_LOCAL8, HOLE_HANDBACK32, HOLE_UNIT_ADDR32,
};
/* templates.EXIT's labels */
enum { EXIT_LABEL_EXIT, EXIT_LABEL_ERROR, EXIT_LABEL_DECLINED, EXIT_LABEL_HANDBACK };
/* place_instructions' statuses */
enum { PLACED_FALLS_THROUGH, PLACED_LEAVES, PLACE_MISSING, PLACE_NO_TEMPLATE, PLACE_NOT_COMPACT };

/* A growable byte buffer (accel_malloc memory). */
typedef struct {
    uint8_t *p;
    Py_ssize_t len, cap;
} place_buf;

int place_buf_put(place_buf *b, const void *data, Py_ssize_t n);  /* -1 + MemoryError */
void place_buf_free(place_buf *b);

/* One function's facts (templates.py's function info, or bjit_lazy_place.c's plan). */
typedef struct {
    const int32_t *rec;
    Py_ssize_t n;                /* instructions */
    const int32_t *block_first;  /* per block: its first instruction */
    const int32_t *block_start;  /* per block: its first code unit */
    const int32_t *site_offset;  /* per instruction: its site cache's offset in the data block, or -1 */
    const uint8_t *adaptive;     /* code units type feedback is read from */
    Py_ssize_t adaptive_len;
    const uint64_t *runtime;     /* templates.RuntimeTable values */
    Py_ssize_t nruntime;
    int64_t nlp, localsplus, units, code_units, data;  /* localsplus: localsplus[0]'s displacement from the frame register */
    int shape;                   /* ACCEL_SHAPE_* (registers.function_shape): the key's last byte */
    PyObject *consts, *names;
} place_fn;

/* What placing a run of instructions produced.  Offsets are relative to `hot` and `cold` (a link's `at` is a
 * hot offset, or -1 - a cold offset). */
typedef struct { int32_t at, i; } place_offset;          /* an instruction's first byte */
typedef struct { int32_t at, pad; uint64_t target; } place_external;  /* a hot rel32 aimed at an address */
typedef struct { int32_t at, kind; int64_t value; } place_link_rec;  /* HOLE_BLOCK (block id) or HOLE_EXIT */
typedef struct { int32_t kind, at; int64_t value; } place_deferred;  /* waits for the cold area's position */
typedef struct {
    place_buf hot, cold;
    place_buf offsets, externals, links, deferred;  /* of the records above */
    place_buf attr_sites, handbacks;                /* int32 instruction indices */
} placement;

void placement_clear(placement *o);  /* empty, memory kept */
void placement_free(placement *o);

extern uint8_t accel_place_op_flags[256];
extern int accel_placer_ready;
enum { F_ARG_HOLE = 1, F_READS_PREV = 2, F_READS_NEXT = 4, F_READS_FEEDBACK = 8, F_ATTR_SITE = 16 };

/* A template's key and head (templates.KEY, TEMPLATE_HEAD) */
enum { TEMPLATE_KEY_SIZE = 30, TEMPLATE_HEAD_SIZE = 13 };

/* The template for `key` from the file set up for the dict `templates` (bjit_template_file.c), put in the dict:
 * FETCH_FOUND with *out borrowed from the dict (bytes, or None: the key has no template), FETCH_ABSENT (not in
 * the file, or no file for this dict), FETCH_DAMAGED (its entry is damaged: a miss), or -1 with an exception. */
enum { FETCH_FOUND, FETCH_ABSENT, FETCH_DAMAGED };
int accel_template_fetch(PyObject *templates, PyObject *key, PyObject **out);
uint64_t accel_template_checksum(const uint8_t *p, size_t n);

/* Place instructions *i .. end-1 of the block [first, end) into `o`.  Returns a status (above; *i, *entry,
 * *kwnames say where to go on from after PLACE_MISSING, whose key is then in *miss_key) or -1 with an exception.
 * A key the dict misses is looked up in the template file (accel_template_fetch) before it is PLACE_MISSING. */
int place_instructions(const place_fn *f, PyObject *templates, Py_ssize_t first, Py_ssize_t end, int nsuccs,
                       const int32_t succ[2], Py_ssize_t *i, long *entry, Py_ssize_t *kwnames, placement *o,
                       PyObject **miss_key);

#endif
