"""CPython's own quickened bytecode as type feedback for tier-1 code generation.

A function reaches tier 1 after it has run in the interpreter for a while, and 3.11's interpreter has by then
rewritten its adaptive instructions (``co_code_adaptive``) into specialised ones: ``BINARY_OP_ADD_INT`` says
that site added two ints, ``LOAD_ATTR_INSTANCE_VALUE`` that it read a split-dict value.  Code generation reads
that record for free and puts only the case that was seen inline; the other cases go out of line, to the same
helpers that handle everything, so a site that later sees other types is slower but never wrong.

A site CPython did not specialise (it never ran, it saw a mix, or 3.11 has no specialisation for it, such as
``/`` or a float with an int) gets every inline case, as with no feedback at all.  The feedback is read when the
code is generated: a block compiled on demand sees its own sites' latest state.
"""

from __future__ import annotations

import dis
import struct
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.runtime import compiler as runtime_compiler

ALL_NUMERIC = ("float", "int", "mixed")  # BINARY_OP: floats, one-digit ints, a float with an int
ALL_ATTR_KINDS = ("values", "slot", "dict")  # LOAD_ATTR / STORE_ATTR: split-dict value, __slots__ member, hint

# PRECALL's specialisations -> the CALL helper that tries that kind of callee first (csrc/bjit_entry.c)
_CALL_HELPERS = {
    "PRECALL_PYFUNC": "call_py", "PRECALL_BOUND_METHOD": "call_py",
    "PRECALL_NO_KW_BUILTIN_O": "call_c", "PRECALL_NO_KW_BUILTIN_FAST": "call_c", "PRECALL_NO_KW_LEN": "call_c",
    "PRECALL_NO_KW_ISINSTANCE": "call_c", "PRECALL_NO_KW_TYPE_1": "call_c", "PRECALL_NO_KW_LIST_APPEND": "call_c",
    "PRECALL_NO_KW_METHOD_DESCRIPTOR_O": "call_c", "PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST": "call_c",
    "PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS": "call_c",
}


_PREFILLED = {"LOAD_ATTR_INSTANCE_VALUE": "values", "LOAD_ATTR_SLOT": "slot", "STORE_ATTR_INSTANCE_VALUE": "values",
              "STORE_ATTR_SLOT": "slot"}


class Feedback:
    """The specialised instruction names of one code object, read once per code generation."""

    def __init__(self, code: CodeType) -> None:
        self._code = code
        self._adaptive: bytes | None = None

    def name_at(self, unit: int) -> str:
        """The (possibly specialised) opcode name at code unit `unit` of the adaptive bytecode."""
        adaptive = self._adaptive
        if adaptive is None:
            # (off: the unquickened bytecode, whose names say nothing)
            quickened = getattr(self._code, "_co_code_adaptive", b"") if runtime_compiler.type_feedback else b""
            adaptive = self._adaptive = quickened or self._code.co_code
        op = adaptive[2 * unit]
        return dis._all_opname[op]  # type: ignore[attr-defined]  # specialised names included

    def attr_case(self, unit: int) -> tuple[str, int, int] | None:
        """("values" or "slot", type version, index) from the inline cache of a LOAD_ATTR / STORE_ATTR CPython
        specialised for a split-dict value or a __slots__ member (_PyAttrCache: counter, version as two code
        units, index -- the values index or the member's offset), else None."""
        kind = prefilled_kind(self.name_at(unit))
        if kind is None:
            return None
        _, low, high, index = struct.unpack_from("<4H", self._adaptive or b"", 2 * (unit + 1))
        return kind, low | high << 16, index

    def binary_op_kinds(self, unit: int) -> tuple[str, ...]:
        """Which of BINARY_OP's numeric cases to put inline."""
        name = self.name_at(unit)
        if name.endswith("_INT"):
            return ("int",)
        if name.endswith("_FLOAT"):
            return ("float",)
        if name.endswith("_UNICODE"):
            return ()
        return ALL_NUMERIC

    def subscr_inline(self, unit: int) -> bool:
        """Whether BINARY_SUBSCR's list/tuple[int] case goes inline: not at a site CPython found subscripting a
        dict or a class with __getitem__, where those ~130 bytes of checks would only fail before every call of
        the generic helper (library code's subscripts are mostly dicts)."""
        return self.name_at(unit) not in ("BINARY_SUBSCR_DICT", "BINARY_SUBSCR_GETITEM")

    def compare_str_inline(self, unit: int, oparg: int) -> bool:
        """Whether a fused COMPARE_OP + jump compares two strs for == or != inline: where CPython did
        (COMPARE_OP_STR_JUMP)."""
        return oparg in (2, 3) and self.name_at(unit) == "COMPARE_OP_STR_JUMP"  # (Py_EQ, Py_NE)

    def compare_int_inline(self, unit: int) -> bool:
        """Whether a fused COMPARE_OP + jump checks for two small ints inline: not where CPython found floats or
        strs compared."""
        return self.name_at(unit) not in ("COMPARE_OP_FLOAT_JUMP", "COMPARE_OP_STR_JUMP")

    def attr_kinds(self, unit: int) -> tuple[str, ...]:
        """Which of LOAD_ATTR's / STORE_ATTR's cached kinds to check inline."""
        return attr_kinds_of(self.name_at(unit))


def attr_kinds_of(name: str) -> tuple[str, ...]:
    """Which cached kinds a LOAD_ATTR / STORE_ATTR site whose quickened name is `name` checks inline (also the
    table csrc/bjit_lazy_place.c reads).  A site that says nothing (not quickened, adaptive: often a block that
    never ran in the interpreter) checks only the commonest kind, an instance's split-dict value: the others take
    the site's executable slots out of line rather than some 200 bytes of inline checks at every site."""
    if name.endswith("_SLOT"):
        return ("slot",)
    if name.endswith("_WITH_HINT"):
        return ("dict",)
    if name.endswith("_MODULE"):
        return ()
    return ("values",)


def prefilled_kind(name: str) -> str | None:
    """The kind of first entry a site quickened as `name` starts from (attr_case), or None."""
    return _PREFILLED.get(name)


def call_helper(precall_name: str, keywords: bool = False) -> str:
    """The CALL helper for a call whose PRECALL quickened into `precall_name`: the generic one unless specialised.
    A Python function called without keywords gets the helper whose fast case is the code of a callee the site
    called before, given its positional parameters (what CALL_PY_EXACT_ARGS / _WITH_DEFAULTS would be, which 3.11
    does not specialise while a PEP 523 hook is installed)."""
    if precall_name == "PRECALL_PYFUNC" and not keywords:
        return "call_exact"
    return _CALL_HELPERS.get(precall_name, "call")
