/* code_state.c -- accel's per-code-object state, stored in co_extra.
 *
 * Every code object the runtime has seen carries one small C struct (accel.h: accel_code_state): call and
 * back-edge counters, its tier, flags, the machine-code entry and a strong reference to what the compiler
 * keeps for it.  co_extra is CPython's slot for exactly this (PEP 523); the struct is freed, and its reference
 * dropped, when the code object dies, so accel never keeps code alive.
 */
#include "accel.h"
#define NEED_OPCODE_TABLES  /* _PyOpcode_Deopt and _PyOpcode_Caches, which libpython does not export */
#include "internal/pycore_opcode.h"

Py_ssize_t accel_extra_index = -1;
uint64_t accel_code_epoch = 1;
uint64_t accel_codes_registered = 0;

/* The base opcode (not its quickened form) of the instruction at code unit `unit`. */
int
accel_opcode_at(PyCodeObject *co, int32_t unit)
{
    return _PyOpcode_Deopt[_Py_OPCODE(_PyCode_CODE(co)[unit])];
}

static void
accel_code_state_free(void *ptr)
{
    accel_code_state *st = (accel_code_state *)ptr;
    if (st == NULL)
        return;
    accel_code_epoch++;  /* call-site caches may point at this state */
    Py_CLEAR(st->compiled);
    if (st->jit_fn != NULL)
        accel_arena_free(st->jit_fn, st->jit_size);
    accel_ic_free_code(st->ics);
    accel_free(st->jit_data);
    accel_lazy_free(st->lazy);
    accel_free(st);
}

int
accel_code_state_init(void)
{
    if (accel_extra_index >= 0)
        return 0;
    accel_extra_index = _PyEval_RequestCodeExtraIndex(accel_code_state_free);
    if (accel_extra_index < 0) {
        PyErr_SetString(PyExc_RuntimeError, "accel: no co_extra slot left (too many PEP 523 users)");
        return -1;
    }
    return 0;
}

/* Does the code have a loop (a backward jump)?  Reads the adaptive bytecode through the deoptimisation table and
 * skips inline cache entries, whose contents are not instructions. */
static int
has_backward_jump(PyCodeObject *co)
{
    _Py_CODEUNIT *code = _PyCode_CODE(co);
    for (Py_ssize_t i = 0; i < Py_SIZE(co); i++) {
        int op = _PyOpcode_Deopt[_Py_OPCODE(code[i])];
        switch (op) {
        case JUMP_BACKWARD:
        case JUMP_BACKWARD_NO_INTERRUPT:
        case POP_JUMP_BACKWARD_IF_NOT_NONE:
        case POP_JUMP_BACKWARD_IF_NONE:
        case POP_JUMP_BACKWARD_IF_FALSE:
        case POP_JUMP_BACKWARD_IF_TRUE:
            return 1;
        }
        i += _PyOpcode_Caches[op];
    }
    return 0;
}

accel_code_state *
accel_code_state_create(PyCodeObject *co)
{
    accel_code_state *st = accel_code_state_get(co);
    if (st != NULL)
        return st;
    st = (accel_code_state *)accel_calloc(1, sizeof(*st));
    if (st == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    st->direct_argcount = -1;
    st->gen_start = -1;
    if (co->co_extra == NULL) {
        /* Allocate the extras array just large enough for our slot.  _PyCode_SetExtra would size it for every
         * co_extra user registered so far, and code_dealloc calls each user's free function for every slot of
         * the array, NULL or not: another PEP 523 user's free function would then run for every code object
         * accel touched, even during interpreter shutdown (CPython's test_code registers a Python one). */
        accel_code_extra *extra = PyMem_Malloc(sizeof(accel_code_extra) + accel_extra_index * sizeof(void *));
        if (extra == NULL) {
            accel_free(st);
            PyErr_NoMemory();
            return NULL;
        }
        extra->ce_size = accel_extra_index + 1;
        for (Py_ssize_t i = 0; i < accel_extra_index; i++)
            extra->ce_extras[i] = NULL;
        extra->ce_extras[accel_extra_index] = st;
        co->co_extra = extra;
    }
    else if (_PyCode_SetExtra((PyObject *)co, accel_extra_index, st) < 0) {
        accel_free(st);
        return NULL;
    }
    if (has_backward_jump(co))
        st->flags |= ACCEL_CS_HAS_LOOP;
    accel_codes_registered++;
    return st;
}
