"""CPython 3.11 opcode tables for the IR builder.

Stack effects are written out by hand as a *window* ``(pops, pushes)``: the
instruction operates on the top ``pops`` value-stack slots and leaves ``pushes``
slots in their place (net effect ``pushes - pops``).  An instruction that only
peeks at a slot below the top counts it in both numbers (e.g. ``FOR_ITER``
falls through with ``(1, 2)``: iterator in, iterator + next value out).  The
builder narrows the operand lists of such "peeking" instructions so that
unchanged slots are inputs only (see ``builder._special_operands``).

The numbers follow the *runtime* behaviour of ``Python/ceval.c`` (3.11), which
is what the frame's stack pointer does, and differ from
``dis.stack_effect`` (the compiler's accounting) in exactly two places:

* ``PRECALL n`` leaves the stack alone at run time (net 0) and ``CALL n``
  pops the callable/NULL pair and all arguments (net ``-(n + 1)``); the
  compiler instead books ``-n`` on PRECALL and ``-1`` on CALL.  The sum over
  the pair is the same.
* ``RETURN_GENERATOR`` is booked as pushing one value: when the generator is
  first resumed ``gen_send_ex2`` pushes the sent value (``None``), which the
  following ``POP_TOP`` discards.  ``dis`` says 0.

``COMPILER_DIFFERENCES`` lists these so tests can check everything else
against ``dis.stack_effect``.
"""

from __future__ import annotations

import opcode as _opcode
from collections.abc import Callable

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

OPNAME: list[str] = list(_opcode.opname)
OPMAP: dict[str, int] = dict(_opcode.opmap)
HAVE_ARGUMENT: int = _opcode.HAVE_ARGUMENT
EXTENDED_ARG: int = _opcode.EXTENDED_ARG

# code units taken by an instruction (opcode unit + inline CACHE units)
_CACHE_ENTRIES: list[int] = _opcode._inline_cache_entries  # type: ignore[attr-defined]
SIZE: list[int] = [1 + _CACHE_ENTRIES[i] for i in range(256)]

# control-flow kind of an opcode
FLOW_NONE = 0  # falls through to the next instruction
FLOW_JUMP = 1  # unconditional jump, ends the block
FLOW_COND = 2  # conditional jump: successors (fallthrough, target)
FLOW_EXIT = 3  # leaves the function or raises: no successors
FLOW_YIELD = 4  # suspends; the next instruction is a resume point

_Spec = tuple[int, int] | Callable[[int], tuple[int, int]]

# (pops, pushes) on the fallthrough path (for every opcode) ...
_STACK: dict[str, _Spec] = {
    "CACHE": (0, 0),  # not an instruction: skipped by the decoder
    "EXTENDED_ARG": (0, 0),  # not an instruction: folded into the next oparg
    "NOP": (0, 0),
    "RESUME": (0, 0),
    "POP_TOP": (1, 0),
    "PUSH_NULL": (0, 1),
    "UNARY_POSITIVE": (1, 1),
    "UNARY_NEGATIVE": (1, 1),
    "UNARY_NOT": (1, 1),
    "UNARY_INVERT": (1, 1),
    "BINARY_SUBSCR": (2, 1),
    "BINARY_OP": (2, 1),
    "GET_LEN": (1, 2),
    "MATCH_MAPPING": (1, 2),
    "MATCH_SEQUENCE": (1, 2),
    "MATCH_KEYS": (2, 3),
    "MATCH_CLASS": (3, 1),
    "PUSH_EXC_INFO": (1, 2),
    "CHECK_EXC_MATCH": (2, 2),
    "CHECK_EG_MATCH": (2, 2),
    "PREP_RERAISE_STAR": (2, 1),
    "POP_EXCEPT": (1, 0),
    "WITH_EXCEPT_START": (4, 5),
    "GET_AITER": (1, 1),
    "GET_ANEXT": (1, 2),
    "BEFORE_ASYNC_WITH": (1, 2),
    "BEFORE_WITH": (1, 2),
    "END_ASYNC_FOR": (2, 0),
    "STORE_SUBSCR": (3, 0),
    "DELETE_SUBSCR": (2, 0),
    "GET_ITER": (1, 1),
    "GET_YIELD_FROM_ITER": (1, 1),
    "GET_AWAITABLE": (1, 1),
    "PRINT_EXPR": (1, 0),
    "LOAD_BUILD_CLASS": (0, 1),
    "LOAD_ASSERTION_ERROR": (0, 1),
    "RETURN_GENERATOR": (0, 1),
    "LIST_TO_TUPLE": (1, 1),
    "RETURN_VALUE": (1, 0),
    "IMPORT_STAR": (1, 0),
    "SETUP_ANNOTATIONS": (0, 0),
    "YIELD_VALUE": (1, 1),
    "ASYNC_GEN_WRAP": (1, 1),
    "STORE_NAME": (1, 0),
    "DELETE_NAME": (0, 0),
    "UNPACK_SEQUENCE": lambda a: (1, a),
    "UNPACK_EX": lambda a: (1, (a & 0xFF) + (a >> 8) + 1),
    "STORE_ATTR": (2, 0),
    "DELETE_ATTR": (1, 0),
    "STORE_GLOBAL": (1, 0),
    "DELETE_GLOBAL": (0, 0),
    "SWAP": lambda a: (a, a),
    "COPY": lambda a: (a, a + 1),
    "LOAD_CONST": (0, 1),
    "LOAD_NAME": (0, 1),
    "BUILD_TUPLE": lambda a: (a, 1),
    "BUILD_LIST": lambda a: (a, 1),
    "BUILD_SET": lambda a: (a, 1),
    "BUILD_STRING": lambda a: (a, 1),
    "BUILD_MAP": lambda a: (2 * a, 1),
    "BUILD_CONST_KEY_MAP": lambda a: (a + 1, 1),
    "BUILD_SLICE": lambda a: (a, 1),
    "LOAD_ATTR": (1, 1),
    "LOAD_METHOD": (1, 2),
    "COMPARE_OP": (2, 1),
    "IS_OP": (2, 1),
    "CONTAINS_OP": (2, 1),
    "IMPORT_NAME": (2, 1),
    "IMPORT_FROM": (1, 2),
    "JUMP_FORWARD": (0, 0),
    "JUMP_BACKWARD": (0, 0),
    "JUMP_BACKWARD_NO_INTERRUPT": (0, 0),
    "JUMP_IF_FALSE_OR_POP": (1, 0),
    "JUMP_IF_TRUE_OR_POP": (1, 0),
    "POP_JUMP_FORWARD_IF_FALSE": (1, 0),
    "POP_JUMP_FORWARD_IF_TRUE": (1, 0),
    "POP_JUMP_FORWARD_IF_NOT_NONE": (1, 0),
    "POP_JUMP_FORWARD_IF_NONE": (1, 0),
    "POP_JUMP_BACKWARD_IF_NOT_NONE": (1, 0),
    "POP_JUMP_BACKWARD_IF_NONE": (1, 0),
    "POP_JUMP_BACKWARD_IF_FALSE": (1, 0),
    "POP_JUMP_BACKWARD_IF_TRUE": (1, 0),
    "FOR_ITER": (1, 2),
    "SEND": (2, 2),
    "LOAD_GLOBAL": lambda a: (0, 1 + (a & 1)),
    "RERAISE": lambda a: (a + 1, a),
    "RAISE_VARARGS": lambda a: (a, 0),
    "LOAD_FAST": (0, 1),
    "STORE_FAST": (1, 0),
    "DELETE_FAST": (0, 0),
    "MAKE_CELL": (0, 0),
    "LOAD_CLOSURE": (0, 1),
    "LOAD_DEREF": (0, 1),
    "LOAD_CLASSDEREF": (0, 1),
    "STORE_DEREF": (1, 0),
    "DELETE_DEREF": (0, 0),
    "COPY_FREE_VARS": (0, 0),
    "MAKE_FUNCTION": lambda a: (1 + bin(a & 0xF).count("1"), 1),
    "CALL_FUNCTION_EX": lambda a: (3 + (a & 1), 1),
    "PRECALL": lambda a: (a + 2, a + 2),
    "CALL": lambda a: (a + 2, 1),
    "KW_NAMES": (0, 0),
    "LIST_APPEND": lambda a: (a + 1, a),
    "SET_ADD": lambda a: (a + 1, a),
    "MAP_ADD": lambda a: (a + 2, a),
    "LIST_EXTEND": lambda a: (a + 1, a),
    "SET_UPDATE": lambda a: (a + 1, a),
    "DICT_UPDATE": lambda a: (a + 1, a),
    "DICT_MERGE": lambda a: (a + 3, a + 2),
    "FORMAT_VALUE": lambda a: (2 if (a & 0x04) else 1, 1),
}

# ... and on the jump edge of conditional jumps
_JUMP_STACK: dict[str, tuple[int, int]] = {
    "FOR_ITER": (1, 0),  # iterator exhausted: popped
    "SEND": (2, 1),  # sub-iterator returned: receiver replaced by the result
    "JUMP_IF_FALSE_OR_POP": (1, 1),  # value kept
    "JUMP_IF_TRUE_OR_POP": (1, 1),
    "POP_JUMP_FORWARD_IF_FALSE": (1, 0),
    "POP_JUMP_FORWARD_IF_TRUE": (1, 0),
    "POP_JUMP_FORWARD_IF_NOT_NONE": (1, 0),
    "POP_JUMP_FORWARD_IF_NONE": (1, 0),
    "POP_JUMP_BACKWARD_IF_NOT_NONE": (1, 0),
    "POP_JUMP_BACKWARD_IF_NONE": (1, 0),
    "POP_JUMP_BACKWARD_IF_FALSE": (1, 0),
    "POP_JUMP_BACKWARD_IF_TRUE": (1, 0),
}

_FLOW: dict[str, int] = {
    "JUMP_FORWARD": FLOW_JUMP,
    "JUMP_BACKWARD": FLOW_JUMP,
    "JUMP_BACKWARD_NO_INTERRUPT": FLOW_JUMP,
    "RETURN_VALUE": FLOW_EXIT,
    "RAISE_VARARGS": FLOW_EXIT,
    "RERAISE": FLOW_EXIT,
    "YIELD_VALUE": FLOW_YIELD,
    "RETURN_GENERATOR": FLOW_YIELD,
}
for _name in _JUMP_STACK:
    _FLOW[_name] = FLOW_COND

# opcodes whose oparg is a localsplus index (vreg)
LOCAL_OPS: frozenset[int] = frozenset(
    OPMAP[n]
    for n in (
        "LOAD_FAST", "STORE_FAST", "DELETE_FAST", "MAKE_CELL", "LOAD_CLOSURE",
        "LOAD_DEREF", "LOAD_CLASSDEREF", "STORE_DEREF", "DELETE_DEREF",
    )
)

# per-opcode flat tables, indexed by opcode number (None = not a 3.11 instruction)
KNOWN: bytearray = bytearray(256)
FIXED: list[tuple[int, int] | None] = [None] * 256  # constant fallthrough window
VARIABLE: list[Callable[[int], tuple[int, int]] | None] = [None] * 256  # oparg-dependent window
JUMP_FIXED: list[tuple[int, int] | None] = [None] * 256
FLOW: bytearray = bytearray(256)
BACKWARD: bytearray = bytearray(256)
JREL: bytearray = bytearray(256)

for _name, _spec in _STACK.items():
    _op = OPMAP[_name]
    KNOWN[_op] = 1
    if callable(_spec):
        VARIABLE[_op] = _spec
    else:
        FIXED[_op] = _spec
    FLOW[_op] = _FLOW.get(_name, FLOW_NONE)
    if "JUMP_BACKWARD" in _name:
        BACKWARD[_op] = 1
# CACHE and EXTENDED_ARG have table entries (for completeness) but never appear in the IR
KNOWN[OPMAP["CACHE"]] = KNOWN[EXTENDED_ARG] = 0
for _name, _spec in _JUMP_STACK.items():
    JUMP_FIXED[OPMAP[_name]] = _spec
for _op in _opcode.hasjrel:
    JREL[_op] = 1
    if not FLOW[_op]:
        raise AssertionError(f"jump opcode {OPNAME[_op]} without flow kind")
del _name, _spec, _op


def stack_effect(op: int, arg: int = 0, jump: bool = False) -> tuple[int, int]:
    """Runtime stack window ``(pops, pushes)`` of ``op`` with ``arg``.

    ``jump=True`` gives the window on the jump edge of a conditional jump
    (for any other opcode it is the same as the fallthrough window).
    Raises ``KeyError`` for the ``<n>`` gaps of the opcode space.
    """
    if FIXED[op] is None and VARIABLE[op] is None:
        raise KeyError(op)
    if jump and JUMP_FIXED[op] is not None:
        return JUMP_FIXED[op]  # type: ignore[return-value]
    fixed = FIXED[op]
    if fixed is not None:
        return fixed
    return VARIABLE[op](arg)  # type: ignore[misc]


# opcodes where the net effect differs from dis.stack_effect by design (see module doc)
COMPILER_DIFFERENCES: frozenset[int] = frozenset(
    OPMAP[n] for n in ("PRECALL", "CALL", "RETURN_GENERATOR")
)
