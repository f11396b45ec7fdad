/* bjit_numeric.c -- BINARY_OP, COMPARE_OP and subscripts for tier 1, with fast paths for the common types.
 *
 * The fast paths cover what CPython 3.11 specialises (BINARY_OP_ADD_INT, COMPARE_OP_FLOAT_JUMP,
 * BINARY_SUBSCR_LIST_INT, ...) and a little more, and need no cache: the checks are on exact types.  Ints are
 * handled when both are "compact" (at most one 30-bit digit, as ceval's own fast paths require), so every
 * result fits comfortably in a C long long and PyLong_FromLongLong makes it (small ints come from its cache).
 * Mixed int/float uses the int's exact double value, as float's own methods do.  Anything else, and every case
 * that raises (division by zero, an index out of range), takes the generic abstract-object-API path, so errors,
 * subclasses and operator overloading behave exactly as in the interpreter.
 */
#include "bjit.h"
#include "opcode.h"

#define ERROR_AT(sp_) (_PyFrame_SetStackPointer(f, (sp_)), (PyObject **)NULL)

static inline int
is_compact_int(PyObject *o)
{
    return Py_IS_TYPE(o, &PyLong_Type) && (size_t)(Py_SIZE(o) + 1) <= 2;
}

static inline long long
compact_value(PyObject *o)
{
    return (long long)Py_SIZE(o) * (long long)((PyLongObject *)o)->ob_digit[0];
}

/* The operation on two compact ints, or NULL (no exception) when it is not a fast case. */
static PyObject *
int_binary(int op, long long a, long long b)
{
    switch (op) {
    case NB_ADD: return PyLong_FromLongLong(a + b);
    case NB_SUBTRACT: return PyLong_FromLongLong(a - b);
    case NB_MULTIPLY: return PyLong_FromLongLong(a * b);  /* |a|, |b| < 2**30 */
    case NB_AND: return PyLong_FromLongLong(a & b);
    case NB_OR: return PyLong_FromLongLong(a | b);
    case NB_XOR: return PyLong_FromLongLong(a ^ b);
    case NB_FLOOR_DIVIDE:
    case NB_REMAINDER: {
        if (b == 0)
            return NULL;
        long long q = a / b, r = a % b;
        if (r != 0 && ((r < 0) != (b < 0))) {  /* Python rounds the quotient towards minus infinity */
            q -= 1;
            r += b;
        }
        return PyLong_FromLongLong(op == NB_FLOOR_DIVIDE ? q : r);
    }
    case NB_LSHIFT:
        if (b < 0 || b > 32)
            return NULL;
        return PyLong_FromLongLong(a * (1LL << b));
    case NB_RSHIFT:
        if (b < 0)
            return NULL;
        return PyLong_FromLongLong(b >= 63 ? (a < 0 ? -1 : 0) : a >> b);  /* arithmetic shift = floor */
    case NB_TRUE_DIVIDE:
        if (b == 0)
            return NULL;
        return PyFloat_FromDouble((double)a / (double)b);  /* both exact in a double: correctly rounded */
    default:
        return NULL;
    }
}

static PyObject *
float_binary(int op, double a, double b)
{
    switch (op) {
    case NB_ADD: return PyFloat_FromDouble(a + b);
    case NB_SUBTRACT: return PyFloat_FromDouble(a - b);
    case NB_MULTIPLY: return PyFloat_FromDouble(a * b);
    case NB_TRUE_DIVIDE:
        if (b == 0.0)
            return NULL;
        return PyFloat_FromDouble(a / b);
    default:
        return NULL;
    }
}

/* A float operand's value, or a compact int's; 0 when the object is neither. */
static inline int
as_double(PyObject *o, double *out)
{
    if (Py_IS_TYPE(o, &PyFloat_Type)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 1;
    }
    if (is_compact_int(o)) {
        *out = (double)compact_value(o);
        return 1;
    }
    return 0;
}

/* The result of a fast case, or NULL without an exception when there is none. */
static PyObject *
fast_binary(int op, PyObject *lhs, PyObject *rhs)
{
    if (op >= NB_INPLACE_ADD)
        op -= NB_INPLACE_ADD - NB_ADD;  /* ints, floats and strs are immutable: in-place is the same */
    if (is_compact_int(lhs) && is_compact_int(rhs))
        return int_binary(op, compact_value(lhs), compact_value(rhs));
    double a, b;
    if ((Py_IS_TYPE(lhs, &PyFloat_Type) || Py_IS_TYPE(rhs, &PyFloat_Type)) && as_double(lhs, &a)
        && as_double(rhs, &b))
        return float_binary(op, a, b);
    if (op == NB_ADD && PyUnicode_CheckExact(lhs) && PyUnicode_CheckExact(rhs))
        return PyUnicode_Concat(lhs, rhs);
    return NULL;
}

static PyObject *
power_no_mod(PyObject *a, PyObject *b)
{
    return PyNumber_Power(a, b, Py_None);
}

static PyObject *
inplace_power_no_mod(PyObject *a, PyObject *b)
{
    return PyNumber_InPlacePower(a, b, Py_None);
}

/* Indexed by BINARY_OP's oparg (NB_* in opcode.h). */
static binaryfunc const binary_ops[] = {
    [NB_ADD] = PyNumber_Add,
    [NB_AND] = PyNumber_And,
    [NB_FLOOR_DIVIDE] = PyNumber_FloorDivide,
    [NB_LSHIFT] = PyNumber_Lshift,
    [NB_MATRIX_MULTIPLY] = PyNumber_MatrixMultiply,
    [NB_MULTIPLY] = PyNumber_Multiply,
    [NB_REMAINDER] = PyNumber_Remainder,
    [NB_OR] = PyNumber_Or,
    [NB_POWER] = power_no_mod,
    [NB_RSHIFT] = PyNumber_Rshift,
    [NB_SUBTRACT] = PyNumber_Subtract,
    [NB_TRUE_DIVIDE] = PyNumber_TrueDivide,
    [NB_XOR] = PyNumber_Xor,
    [NB_INPLACE_ADD] = PyNumber_InPlaceAdd,
    [NB_INPLACE_AND] = PyNumber_InPlaceAnd,
    [NB_INPLACE_FLOOR_DIVIDE] = PyNumber_InPlaceFloorDivide,
    [NB_INPLACE_LSHIFT] = PyNumber_InPlaceLshift,
    [NB_INPLACE_MATRIX_MULTIPLY] = PyNumber_InPlaceMatrixMultiply,
    [NB_INPLACE_MULTIPLY] = PyNumber_InPlaceMultiply,
    [NB_INPLACE_REMAINDER] = PyNumber_InPlaceRemainder,
    [NB_INPLACE_OR] = PyNumber_InPlaceOr,
    [NB_INPLACE_POWER] = inplace_power_no_mod,
    [NB_INPLACE_RSHIFT] = PyNumber_InPlaceRshift,
    [NB_INPLACE_SUBTRACT] = PyNumber_InPlaceSubtract,
    [NB_INPLACE_TRUE_DIVIDE] = PyNumber_InPlaceTrueDivide,
    [NB_INPLACE_XOR] = PyNumber_InPlaceXor,
};

PyObject **
accel_op_binary_op(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    if (oparg < 0 || (size_t)oparg >= sizeof(binary_ops) / sizeof(binary_ops[0]) || binary_ops[oparg] == NULL)
        return ACCEL_HANDBACK;
    PyObject *rhs = sp[-1], *lhs = sp[-2];
    PyObject *res = fast_binary((int)oparg, lhs, rhs);
    if (res != NULL)
        accel_site_counters.fast_ops++;
    else if (!PyErr_Occurred())  /* (only allocation can fail in a fast case) */
        res = binary_ops[oparg](lhs, rhs);
    Py_DECREF(lhs);
    Py_DECREF(rhs);
    sp[-2] = res;
    sp -= 1;
    return res == NULL ? ERROR_AT(sp) : sp;
}

/* -1: not a fast case; else the comparison's truth. */
static int
fast_compare(int op, PyObject *left, PyObject *right)
{
    double a, b;
    if (is_compact_int(left) && is_compact_int(right)) {
        long long x = compact_value(left), y = compact_value(right);
        switch (op) {
        case Py_LT: return x < y;
        case Py_LE: return x <= y;
        case Py_EQ: return x == y;
        case Py_NE: return x != y;
        case Py_GT: return x > y;
        case Py_GE: return x >= y;
        }
        return -1;
    }
    if ((Py_IS_TYPE(left, &PyFloat_Type) || Py_IS_TYPE(right, &PyFloat_Type)) && as_double(left, &a)
        && as_double(right, &b)) {
        switch (op) {  /* a NaN compares false except for != , as in Python */
        case Py_LT: return a < b;
        case Py_LE: return a <= b;
        case Py_EQ: return a == b;
        case Py_NE: return a != b;
        case Py_GT: return a > b;
        case Py_GE: return a >= b;
        }
        return -1;
    }
    if ((op == Py_EQ || op == Py_NE) && PyUnicode_CheckExact(left) && PyUnicode_CheckExact(right))
        return _PyUnicode_Equal(left, right) == (op == Py_EQ);
    return -1;
}

PyObject **
accel_op_compare_op(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    if (oparg < Py_LT || oparg > Py_GE)
        return ACCEL_HANDBACK;
    PyObject *right = sp[-1], *left = sp[-2];
    PyObject *res;
    int truth = fast_compare((int)oparg, left, right);
    if (truth >= 0) {
        accel_site_counters.fast_ops++;
        res = Py_NewRef(truth ? Py_True : Py_False);
    }
    else
        res = PyObject_RichCompare(left, right, (int)oparg);
    sp[-2] = res;
    Py_DECREF(left);
    Py_DECREF(right);
    sp -= 1;
    return res == NULL ? ERROR_AT(sp) : sp;
}

/* ---- subscripts ---- */

/* A non-negative compact int index below `size`, or -1. */
static inline Py_ssize_t
fast_index(PyObject *sub, Py_ssize_t size)
{
    if (!is_compact_int(sub))
        return -1;
    long long i = compact_value(sub);
    return i >= 0 && i < size ? (Py_ssize_t)i : -1;
}

PyObject **
accel_op_binary_subscr(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    PyObject *res = NULL;
    Py_ssize_t i;
    if (PyList_CheckExact(container) && (i = fast_index(sub, PyList_GET_SIZE(container))) >= 0)
        res = Py_NewRef(PyList_GET_ITEM(container, i));
    else if (PyTuple_CheckExact(container) && (i = fast_index(sub, PyTuple_GET_SIZE(container))) >= 0)
        res = Py_NewRef(PyTuple_GET_ITEM(container, i));
    else if (PyUnicode_CheckExact(container) && (i = fast_index(sub, PyUnicode_GET_LENGTH(container))) >= 0) {
        /* a character of a str: CPython 3.11 does not specialise it (tokenizers and parsers index strs all the
         * time); one below 256 is the runtime's own one-character string, as unicode_getitem returns it */
        Py_UCS4 ch = PyUnicode_READ_CHAR(container, i);
        if (ch < 128)
            res = Py_NewRef((PyObject *)&_Py_SINGLETON(strings).ascii[ch]);
        else if (ch < 256)
            res = Py_NewRef((PyObject *)&_Py_SINGLETON(strings).latin1[ch - 128]);
    }
    else if (PyDict_CheckExact(container)) {
        res = PyDict_GetItemWithError(container, sub);
        if (res != NULL)
            Py_INCREF(res);
        else if (PyErr_Occurred())
            goto done;  /* (an unhashable key) */
    }
    if (res != NULL)
        accel_site_counters.fast_ops++;
    else if (!accel_call_dunder_direct(ts, ACCEL_DUNDER_GETITEM, sp - 2, &res))
        res = PyObject_GetItem(container, sub);  /* incl. a missing dict key: KeyError, exactly as CPython says */
done:
    Py_DECREF(container);
    Py_DECREF(sub);
    sp[-2] = res;
    sp -= 1;
    return res == NULL ? ERROR_AT(sp) : sp;
}

PyObject **
accel_op_store_subscr(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **sp, intptr_t oparg)
{
    PyObject *sub = sp[-1], *container = sp[-2], *v = sp[-3];
    sp -= 3;
    int err;
    Py_ssize_t i;
    if (PyList_CheckExact(container) && (i = fast_index(sub, PyList_GET_SIZE(container))) >= 0) {
        accel_site_counters.fast_ops++;
        PyObject *old = PyList_GET_ITEM(container, i);
        PyList_SET_ITEM(container, i, v);  /* the stack's reference moves in */
        Py_DECREF(old);
        Py_DECREF(container);
        Py_DECREF(sub);
        return sp;
    }
    if (PyDict_CheckExact(container)) {
        accel_site_counters.fast_ops++;
        err = PyDict_SetItem(container, sub, v);
    }
    else {
        PyObject *args[3] = {container, sub, v}, *res;
        if (accel_call_dunder_direct(ts, ACCEL_DUNDER_SETITEM, args, &res)) {
            err = res == NULL ? -1 : 0;
            Py_XDECREF(res);
        }
        else
            err = PyObject_SetItem(container, sub, v);
    }
    Py_DECREF(v);
    Py_DECREF(container);
    Py_DECREF(sub);
    return err ? ERROR_AT(sp) : sp;
}
