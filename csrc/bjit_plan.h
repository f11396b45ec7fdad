/* bjit_plan.h -- a function's plan: what placing its head and blocks in C needs (bjit_lazy_place.c), made by the
 * Python compiler from its IR (lazy_plan) or built in C from the bytecode (bjit_plan.c). */
#ifndef ACCEL_BJIT_PLAN_H
#define ACCEL_BJIT_PLAN_H

#include "accel.h"

typedef struct accel_block_plan {
    int32_t n, nblocks;
    int64_t nlp, localsplus, units, code_units, data;
    int shape;  /* ACCEL_SHAPE_* */
    int32_t *rec;          /* n * 8: the IR's instruction records */
    int32_t *site_offset;  /* n */
    int32_t *block_first, *block_start;   /* nblocks each */
    int32_t *block_info;   /* nblocks * 5: end, depth, nsuccs, succ0, succ1 (-1 when absent) */
} accel_block_plan;
enum { BI_END, BI_DEPTH, BI_NSUCCS, BI_SUCC0, BI_SUCC1, BI_FIELDS };

accel_block_plan *accel_plan_new(Py_ssize_t n, Py_ssize_t nblocks);  /* zeroed arrays; NULL + MemoryError */

#endif
