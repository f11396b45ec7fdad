"""Tier-1 templates: the code generator runs once per *kind* of instruction, and placing a function is copying.

Why
---
codegen.py makes the machine code of one bytecode instruction with a few dozen Python-level assembler calls,
tens of microseconds per instruction: on real programs (thousands of functions) that cost more than the machine
code won back.  Yet the code of two `LOAD_FAST`s differs only in numbers: which local, the stack depth, the
instruction's address.  So, as CPython's copy-and-patch JIT does with its stencils, the machine code of an
instruction is made once per **key** -- everything that decides what code the generator emits: the opcode, the
oparg where it chooses the code (a `BINARY_OP`'s operator, a `CALL`'s argument count), the quickened name
CPython's feedback gives the site, its neighbours where the generator looks at them (a `COMPARE_OP` fused with
the jump after it, a `FOR_ITER` followed by `STORE_FAST`, the pushes an operator may read from their locals),
whether its jumps go backward, and what register the instruction before left a stack slot in -- and reused for
every instruction with that key, with its **holes** filled in: frame-slot and local displacements, depths,
code-unit addresses, constants and names, the site's cache, jump targets, helper calls.

How a template is made (`make_template`)
----------------------------------------
The generator is not taught a second language.  It runs as usual on a *synthetic* function built from the key
alone -- a window of instruction records around the one compiled, made-up blocks, a code object whose constants
and names are stand-ins -- in which every number that is a hole is a **marker**: a value from a range nothing
else uses (the depth is 0x6480000, the frame has 0xC00000 locals, code units are 0x4000000 + role, runtime
addresses 0x5858... + index).  Any field of the synthetic function the key does not hold raises when the
generator reads it (`_Records`, `_Poison`), so the key is complete by construction: an opcode that starts to
look at something new gets no template (counted, and generated directly) instead of a wrong one.  The emitted
bytes are scanned for markers, each decoded into a hole (kind, role, offset from the marker); rel32 fields aimed
at marker addresses are holes too.  In check mode (the tests) every template is made twice with two marker sets
that must agree -- otherwise the generator decided something on a value meant to be a hole -- and the C key of
every instruction must equal `instruction_key`'s.  The assembler runs in *template mode*: every branch is rel32
and every field aimed at a label is logged, so the fast path (hot) and its stubs (cold) can be placed apart.

How a block is placed (csrc/bjit_place.c)
-----------------------------------------
A C loop over the block's instruction records: the key (the same bytes as `instruction_key`), the template from
the dict or else the file (a miss returns to Python, which makes it and calls again from that instruction), the
hot part appended to the code, the cold part to the piece's cold area, the value holes filled.  What waits for
positions -- branches between the hot and cold parts, cold calls to helpers -- is resolved when the cold area is
placed after the blocks (`place_cold`); branches to block and exit labels go back to the generator's label
machinery.  The assembler's store-then-load rule across instructions is kept by the key's *entry state* (the slot
the previous template stored last, and from which register).

Kept on disk
------------
Templates hold no address of this process (helpers, `None`, types and counters are RUNTIME holes into
`RuntimeTable`), so they are the same in every process of one build: `TemplateCache` keeps them in ACCEL_CACHE_DIR,
one file per fingerprint of the generator's source, the C layout and the Python build.  A program's first run
makes its templates (a few hundred microseconds each); later runs of it, or of any program using the same kinds of
instruction, only place them.

The file holds every template the programs of its build made -- thousands, over a megabyte, and growing -- while
one program uses a fraction of them, so it is read on demand.  Its layout (FILE_HEADER, INDEX_ENTRY): a header
(the magic, whose last byte is the format's version; the entry count; the index's checksum), an index of 48-byte
entries sorted by key (the key; flags -- 1: the key has no template; the entry's offset in the file and length;
its checksum), then the entries (`Template.pack`'s bytes).  At a process's first compile `load` reads the header
and the index only, checks them, and hands the index and the open file (O_CLOEXEC, O_NOFOLLOW; a regular file of
this user, not writable by others) to csrc/bjit_template_file.c.  A template is read from the file (pread) the
first time its key misses the dict -- in the C placer, so that blocks placed without Python find it too, or in
`get` -- its checksum checked, and put in the dict.  The file stays open: a new one another process renames over it
meanwhile does not disturb this process.  At exit a process that made templates reads the file whole as it is then
(another process may have grown it), adds its own, and writes a new file renamed over the old one.  A damaged,
foreign or truncated file is a miss with one warning; so is a damaged entry (its template is made afresh).
"""

from __future__ import annotations

import dis
import opcode as _opcode
import os
import re
import stat
import struct
import time
from collections.abc import Callable
from typing import Any

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import Function

from .registers import FRAME, SHAPE_NARROW, localsplus_disp
from .x86 import GPR64, Label, fits_s8

OP = _opcode.opmap

# Opcodes whose oparg is only a value (a local, a constant, a name, a jump's distance -- the IR has the target
# block): a hole, not part of the key.  LOAD_GLOBAL's low bit (push a NULL) stays in the key.  (An oparg the
# stack effect depends on, BUILD_TUPLE's say, must stay: the depth after the instruction is computed from it.)
ARG_HOLE_OPS = frozenset(OP[name] for name in (
    "LOAD_FAST", "LOAD_CLOSURE", "STORE_FAST", "DELETE_FAST", "LOAD_CONST", "LOAD_GLOBAL", "LOAD_ATTR",
    "STORE_ATTR", "LOAD_METHOD", "LOAD_DEREF", "STORE_DEREF")) | frozenset(_opcode.hasjrel) | frozenset(
    _opcode.hasjabs)

# What the generator may know of the instructions before the one compiled (operand() and precall_feedback()):
# a LOAD_FAST (whose local the operator may read), a LOAD_CONST, a PRECALL, or anything else.
_PREV_CLASS = {OP["LOAD_FAST"]: OP["LOAD_FAST"], OP["LOAD_CONST"]: OP["LOAD_CONST"], OP["PRECALL"]: OP["PRECALL"]}
_OTHER = OP["NOP"]

# The synthetic window's records: the first instructions of blocks 3 and 4 (only their start units: a backward
# jump's tracing check reads them; a backward target must start at or before the instruction), the 2 records
# before the compiled one, it, and the one after.
TARGET_FIRST, NEXT_TARGET_FIRST = 0, 1
HERE = 4
WINDOW = HERE + 2

# hole kinds
SLOT = 0          # disp32: localsplus offset of value-stack slot depth + k
STACKTOP = 1      # imm32: nlocalsplus + depth + k
DEPTH = 2         # imm32: depth + k
LOCAL = 3         # disp32: localsplus offset of local arg(role)
ARG = 4           # imm32: oparg of record role
UNIT = 5          # imm32: code unit (role: record * 2 + field, field 0 the opcode's unit, 1 its start)
UNIT_ADDR = 6     # imm64: address of that code unit in the code object
CONST = 7         # imm64: address of co_consts[arg(role)]
NAME = 8          # imm64: address of co_names[arg(role) (>> 1 for LOAD_GLOBAL)]
SITE = 9          # imm64: the instruction's site cache
KWNAMES = 10      # imm64: the KW_NAMES tuple before a CALL
HANDBACK = 11     # imm64: unit(role) | (depth + k) << 32 | packed << 48 (a compact hand-back stub)
BLOCK = 12        # rel32: block role (1 the fall-through successor, 2 the other, 3 the jump target, 4 the next's)
EXIT = 13         # rel32: exit label (0 exit, 1 error, 2 declined, 3 handback tail)
TO_COLD = 14      # rel32 in the hot part: cold offset
TO_HOT = 15       # rel32 in the cold part: hot offset
RUNTIME = 16      # imm64: this process's address of RuntimeTable.names[arg] (None, a type, a counter...)
RUNTIME_REL = 17  # rel32: a call or jump to RuntimeTable.names[arg] (a helper), or a lea of its address
SLOT8 = 18        # disp8: SLOT, in a narrow function (registers.py)
LOCAL8 = 19       # disp8: LOCAL, in a narrow function
HANDBACK32 = 20   # imm32: a compact call-site word (glue.py), as HANDBACK's (role, extra)
UNIT_ADDR32 = 21  # imm32: the lower half of UNIT_ADDR's address (prev_instr in a registers.SHAPE_UNITS32 function)

# Unit roles beyond the window's records (2 * record + field): the start of the jump target's block, of the next
# instruction's jump target's block, and the code's length (next_start of the last instruction).
TARGET_ROLE, NEXT_TARGET_ROLE, END_ROLE = 17, 19, 20

_SPAN = 128  # offsets k of depth-relative markers: -_SPAN < k < _SPAN


class TemplateError(Exception):
    """The generator made a decision on a marker, or read outside the synthetic function: no template."""


_LIST_APPEND = list.__dict__["append"]


class RuntimeTable:
    """The runtime addresses templates refer to, by index: the C layout's entries that are addresses, the
    helpers, and the few objects the generator embeds.  Templates hold indices, never addresses, so they are
    the same in every process of one build (and can be kept on disk)."""

    def __init__(self, layout: dict[str, int], symbols: dict[str, int], address: Callable[[object], int]) -> None:
        names = [f"lay:{k}" for k in sorted(layout) if layout[k] > 1 << 32]
        names += [f"sym:{k}" for k in sorted(symbols) if symbols[k] > 1 << 32]
        names.append("obj:list.append")
        self.names = tuple(names)
        values = {**{f"lay:{k}": v for k, v in layout.items()}, **{f"sym:{k}": v for k, v in symbols.items()},
                  "obj:list.append": address(_LIST_APPEND)}
        self.values = tuple(values[name] for name in self.names)
        self.index = {name: k for k, name in enumerate(self.names)}
        self.constants = tuple(sorted((k, v) for k, v in layout.items() if not v > 1 << 32))


class Markers:
    """One set of marker values; `variant` 0 and 1 differ everywhere, for the consistency check."""

    def __init__(self, variant: int, localsplus: int, table: RuntimeTable | None = None,
                 layout: dict[str, int] | None = None, symbols: dict[str, int] | None = None) -> None:
        # 32-bit markers and what they become (x8, for displacements) keep to a few top bytes, which is what the
        # scan for them looks at: depth 0x06, stack index (nlocalsplus + depth) 0x07 and x8 0x38, oparg 0x05 and
        # x8 0x28, code unit 0x04
        v = variant
        self.localsplus = localsplus
        self.depth = 0x0648_0000 + v * 0x0008_0000
        self.nlp = 0x00C0_0000 + v * 0x0004_0000
        self.arg_base = 0x0500_0000 + v * 0x0010_0000
        self.unit_base = 0x0400_0000 + v * 0x0010_0000
        self.end_unit = self.unit(END_ROLE)
        self.units = 0x5A5A_0000_0000_0000 + v * 0x0100_0000_0000  # address of code unit 0
        self.addr_base = {CONST: 0x5B5B_0000_0000_0000, NAME: 0x5C5C_0000_0000_0000, SITE: 0x5D5D_0000_0000_0000,
                          KWNAMES: 0x5E5E_0000_0000_0000}
        self.addr_base = {k: b + v * 0x0100_0000_0000 for k, b in self.addr_base.items()}
        self.label_base = 0x5F5F_0000_0000_0000 + v * 0x0100_0000_0000
        self.handback_base = 0x5959_0000_0000_0000 + v * 0x0001_0000_0000_0000
        self.runtime_base = 0x5858_0000_0000_0000 - v * 0x0101_0000_0000_0000  # (variant 1: 0x5757...)
        # the layout and symbols the generator sees: addresses replaced by markers
        self.layout = dict(layout or {})
        self.symbols = dict(symbols or {})
        self.table = table
        if table is not None:
            for name, k in table.index.items():
                kind, _, entry = name.partition(":")
                if kind == "lay":
                    self.layout[entry] = self.runtime(k)
                elif kind == "sym":
                    self.symbols[entry] = self.runtime(k)

    def runtime(self, k: int) -> int:
        return self.runtime_base + (k + 1) * 0x1_0000

    def arg(self, role: int, low_bit: int = 0) -> int:
        return self.arg_base + (role + 8) * 0x200 + low_bit

    def unit(self, role: int) -> int:
        return self.unit_base + (role + 16) * 0x100

    def address(self, kind: int, role: int = 0) -> int:
        return self.addr_base[kind] + (role + 8) * 0x1000

    def label_address(self, kind: int, role: int) -> int:
        return self.label_base + kind * 0x1_0000 + role * 0x100

    def packed_handback(self, resume_unit: int, depth: int, packed: int) -> int:
        """A compact hand-back's imm64 (unit | depth << 32 | packed << 48) as a marker: unit role and depth offset."""
        role = (resume_unit - self.unit_base) // 0x100
        k = depth - self.depth
        if not (0 <= role < 0x40 and -_SPAN < k < _SPAN and 0 <= packed < 1 << 16):
            raise TemplateError("hand-back with a resume unit or depth that is not a marker")
        return self.handback_base | role << 40 | (k + _SPAN) << 32 | packed

    # ---- decoding ------------------------------------------------------------------------------------------

    def is_frame_displacement(self, value: int) -> bool:
        """`value` is a SLOT or LOCAL marker (what a narrow template encodes in one byte)."""
        decoded = self.decode32(value & 0xFFFF_FFFF)
        return decoded is not None and decoded[0] in (SLOT, LOCAL)

    def decode32(self, value: int) -> tuple[int, int] | None:
        """(kind, argument) of a 32-bit field holding a marker, else None."""
        signed = value - (1 << 32) if value >= 1 << 31 else value
        stack = self.nlp + self.depth
        rel = signed - self.localsplus
        if rel % 8 == 0:
            index = rel // 8
            if -_SPAN < index - stack < _SPAN:
                return SLOT, index - stack
            if self.arg_base <= index < self.arg_base + 0x2000 and (index - self.arg_base) % 0x200 == 0:
                return LOCAL, (index - self.arg_base) // 0x200 - 8
        if -_SPAN < signed - stack < _SPAN:
            return STACKTOP, signed - stack
        if -_SPAN < signed - self.depth < _SPAN:
            return DEPTH, signed - self.depth
        if self.arg_base <= signed < self.arg_base + 0x2000 and (signed - self.arg_base) % 0x200 < 2:
            return ARG, (signed - self.arg_base) // 0x200 - 8
        if self.unit_base <= signed < self.unit_base + 0x4000 and signed % 0x100 == 0:
            return UNIT, (signed - self.unit_base) // 0x100 - 16
        return None

    def decode64(self, value: int) -> tuple[int, int, int] | None:
        """(kind, argument, extra) of a 64-bit field holding a marker, else None."""
        if value >> 48 == self.handback_base >> 48:
            return HANDBACK, ((value >> 40) & 0xFF) - 16, ((value >> 32) & 0xFF) - _SPAN << 16 | value & 0xFFFF
        if value >> 40 == self.runtime_base >> 40 and not value & 0xFFFF:
            return RUNTIME, ((value - self.runtime_base) >> 16) - 1, 0
        if value >> 40 == self.units >> 40:
            unit = (value - self.units) // 2
            decoded = self.decode32(unit)
            if decoded is not None and decoded[0] == UNIT:
                return UNIT_ADDR, decoded[1], 0
            return None
        for kind, base in self.addr_base.items():
            if value >> 40 == base >> 40:
                return kind, (value - base) // 0x1000 - 8, 0
        return None


class Template:
    __slots__ = ("hot", "cold", "holes", "leaves", "exit_state", "handback_site", "uses_exits")

    def __init__(self, hot: bytes, cold: bytes, holes: tuple[tuple[int, int, int, int], ...], leaves: bool,
                 exit_state: tuple[int, int] | None, handback_site: str = "", uses_exits: int = 0) -> None:
        self.hot = hot
        self.cold = cold
        self.holes = holes  # (position: hot offset or len(hot) + cold offset, kind, arg, extra)
        self.leaves = leaves  # control does not fall through to the next instruction
        self.exit_state = exit_state  # (slot k, register code) the hot part stored last, for the next key
        self.handback_site = handback_site  # opname, when the instruction is not compiled (hands back)
        self.uses_exits = uses_exits  # bit per EXIT label referenced

    def pack(self) -> bytes:
        """The form csrc/bjit_place.c copies from: TEMPLATE_HEAD, hot bytes, cold bytes, holes (4 x int32)."""
        state = self.exit_state or (0, 0)
        head = TEMPLATE_HEAD.pack(len(self.hot), len(self.cold), len(self.holes), self.leaves,
                                  self.exit_state is not None, state[0], state[1], self.uses_exits,
                                  bool(self.handback_site))
        return head + self.hot + self.cold + b"".join(HOLE.pack(*hole) for hole in self.holes)


# hot size, cold size, holes, leaves, has exit state, its slot k and register, exit labels used, hands back
TEMPLATE_HEAD = struct.Struct("<HHHBBhBBB")
HOLE = struct.Struct("<iiii")


class _Records:
    """The synthetic window's records: reads outside it, or of a field the key does not hold, raise (Python's
    negative indices would not)."""

    __slots__ = ("data", "poison")

    def __init__(self, data: list[int], poison: set[int]) -> None:
        self.data = data
        self.poison = poison

    def __getitem__(self, index: Any) -> Any:
        if type(index) is slice and 0 <= index.start <= index.stop <= len(self.data) and index.step is None:
            if any(k in self.poison for k in range(index.start, index.stop)):
                raise TemplateError(f"record fields {index!r} are not in the key")
            return self.data[index]
        if type(index) is not int or not 0 <= index < len(self.data) or index in self.poison:
            raise TemplateError(f"record field {index!r} is not in the key")
        return self.data[index]

    def __len__(self) -> int:
        return len(self.data)


class _Poison:
    """A value the key does not hold: any use raises."""

    def _raise(self, *args: object) -> Any:
        raise TemplateError("a block field that is not in the key")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __hash__ = __index__ = __int__ = _raise
    __add__ = __radd__ = __sub__ = __rsub__ = __bool__ = __getitem__ = __len__ = __iter__ = _raise


_POISON: Any = _Poison()


class _Block:
    __slots__ = ("id", "first", "end", "start", "depth", "succs")

    def __init__(self, id: int, first: int, end: int, start: int, depth: int, succs: tuple[int, ...]) -> None:
        self.id, self.first, self.end, self.start, self.depth, self.succs = id, first, end, start, depth, succs


class _Stand:
    """A constant or name stand-in: its address is a marker."""

    __slots__ = ("address",)

    def __init__(self, address: int) -> None:
        self.address = address


class _Pool:
    """co_consts / co_names of the synthetic code: index arg(role) -> a stand-in."""

    def __init__(self, markers: Markers, kind: int) -> None:
        self.markers = markers
        self.kind = kind

    def __getitem__(self, index: int) -> _Stand:
        m = self.markers
        role, low = divmod(index - m.arg_base, 0x200)
        if self.kind == NAME and not 0 <= role < 16:  # LOAD_GLOBAL: co_names[arg >> 1]
            role, low = divmod(2 * index - m.arg_base, 0x200)
        if not 0 <= role < 16 or low > 1:
            raise TemplateError(f"co_consts/co_names[{index:#x}]: not a marker")
        return _Stand(m.address(self.kind, role - 8))


class _Code:
    co_flags = 0x1 | 0x2  # CO_OPTIMIZED | CO_NEWLOCALS (generators never come here)

    def __init__(self, markers: Markers) -> None:
        self.co_consts = _Pool(markers, CONST)
        self.co_names = _Pool(markers, NAME)


class _Feedback:
    """Quickened names of the window's records, from the key."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names

    def name_at(self, unit: int) -> str:
        name = self.names.get(unit)
        if name is None:
            raise TemplateError(f"feedback asked at unit {unit:#x}, not in the key")
        return name

    def attr_case(self, unit: int) -> None:
        return None

    def binary_op_kinds(self, unit: int) -> tuple[str, ...]:
        from .feedback import Feedback

        return Feedback.binary_op_kinds(self, unit)  # type: ignore[arg-type]

    def attr_kinds(self, unit: int) -> tuple[str, ...]:
        from .feedback import Feedback

        return Feedback.attr_kinds(self, unit)  # type: ignore[arg-type]

    def subscr_inline(self, unit: int) -> bool:
        from .feedback import Feedback

        return Feedback.subscr_inline(self, unit)  # type: ignore[arg-type]

    def compare_str_inline(self, unit: int, oparg: int) -> bool:
        from .feedback import Feedback

        return Feedback.compare_str_inline(self, unit, oparg)  # type: ignore[arg-type]

    def compare_int_inline(self, unit: int) -> bool:
        from .feedback import Feedback

        return Feedback.compare_int_inline(self, unit)  # type: ignore[arg-type]


class _Sites:
    def __init__(self, address: int) -> None:
        self.address = address

    def __getitem__(self, i: int) -> int:
        if i != HERE:
            raise TemplateError("site data of another instruction")
        return self.address


class _Labels(dict):
    def __missing__(self, b: int) -> Label:
        raise TemplateError(f"block {b} is not in the key")


# ---- keys ---------------------------------------------------------------------------------------------------

# A key is a tuple: op, arg (None: a hole; LOAD_GLOBAL: its low bit), no EXTENDED_ARG, quickened name (for the
# opcodes that read it), the PRECALL's quickened name (CALL), kwnames, the classes of the 2 records before (for
# the operators that may read an operand from its local), whether a record follows, the next record (op, arg key,
# no EXTENDED_ARG, backward; for the opcodes fused with it), where the block starts and ends relative to the
# instruction (same opcodes), whether its jump goes backward, the block's successor count, the entry state, and
# the function's shape (registers.py: one-byte frame displacements, 32-bit call-site words).
KEY_ENTRY = 13  # (index in the unpacked key)
KEY_SHAPE = 14
_CALL_OP = OP["CALL"]
_PRECALL = OP["PRECALL"]
READS_PREV = frozenset(OP[n] for n in ("BINARY_OP", "BINARY_SUBSCR", "COMPARE_OP", "IS_OP"))
READS_NEXT = frozenset(OP[n] for n in ("COMPARE_OP", "IS_OP", "FOR_ITER"))
READS_FEEDBACK = frozenset(OP[n] for n in ("LOAD_ATTR", "STORE_ATTR", "LOAD_METHOD", "BINARY_OP", "STORE_SUBSCR",
                                           "LOAD_GLOBAL", "BINARY_SUBSCR", "COMPARE_OP"))
ATTR_SITE_OPS = frozenset(OP[n] for n in ("LOAD_ATTR", "STORE_ATTR", "LOAD_METHOD"))  # (placing describes them)


def _arg_key(op: int, arg: int) -> int | None:
    if op in ARG_HOLE_OPS:
        return arg & 1 if op == OP["LOAD_GLOBAL"] else None
    return arg


def _backward(fn: Any, target: int, i: int) -> int:
    """-1 no target (-2: a LOAD_FAST that needs no unbound check, ALWAYS_BOUND); 1 a jump to a block starting at
    or before instruction i; 0 forward."""
    if target < 0:
        return target
    return 1 if fn.blocks[target].first <= i else 0


NO_ARG = -0x8000_0000  # a key's arg when it is a hole
# The key as bytes (csrc/bjit_place.c makes the same): op, arg (NO_ARG: a hole), no EXTENDED_ARG, quickened
# opcode (0: not read), PRECALL's quickened opcode (0: none), kwnames, the 2 records before (-2: not read, -1:
# before the function, else LOAD_FAST / LOAD_CONST / PRECALL / NOP for anything else), a record follows, the
# next record (op, 0: not read; arg; no EXTENDED_ARG; backward), block start and end relative to it, backward,
# successor count (-1: not read), entry state (flag, slot k, register), shape.
KEY = struct.Struct("<BiBBBBhhBBiBbbbbbBhBB")


def _pack_arg(op: int, arg: int) -> int:
    key = _arg_key(op, arg)
    return NO_ARG if key is None else key


def instruction_key(fn: Function, adaptive: bytes, i: int, block: Any, kwnames: bool,
                    entry: tuple[int, int] | None, shape: int) -> bytes:
    """Everything the generator decides instruction i's code by (make_template gives it nothing else: a read of
    anything the key leaves out raises there).  `adaptive`: the code units feedback is read from; `shape`: the
    function's registers.SHAPE_* bits."""
    rec = fn.records
    base = i * 8
    op, arg, offset, start, target = rec[base:base + 5]
    prev0 = prev1 = -2
    first_rel = 0
    if op in READS_PREV:
        prev0 = _PREV_CLASS.get(rec[base - 16], _OTHER) if i >= 2 else -1
        prev1 = _PREV_CLASS.get(rec[base - 8], _OTHER) if i >= 1 else -1
        first_rel = max(block.first - i, -2)
    has_next = i + 1 < len(rec) // 8
    nxt_op = nxt_ext = nxt_back = end_rel = 0
    nxt_arg = NO_ARG
    if op in READS_NEXT and has_next:
        j = base + 8
        nxt_op = rec[j]
        nxt_arg = _pack_arg(nxt_op, rec[j + 1])
        nxt_ext = rec[j + 2] == rec[j + 3]
        nxt_back = max(_backward(fn, rec[j + 4], i + 1), -1)  # (a next LOAD_FAST's ALWAYS_BOUND: not read)
        end_rel = min(block.end - i, 3)
    name = adaptive[2 * offset] if op in READS_FEEDBACK else 0
    precall = adaptive[2 * rec[base - 6]] if op == _CALL_OP and i > 0 and rec[base - 8] == _PRECALL else 0
    nsuccs = len(block.succs) if target >= 0 or op in READS_NEXT else -1
    k, reg = entry if entry is not None else (0, 0)
    return KEY.pack(op, _pack_arg(op, arg), offset == start, name, precall, kwnames, prev0, prev1, has_next, nxt_op,
                    nxt_arg, nxt_ext, nxt_back, first_rel, end_rel, _backward(fn, target, i), nsuccs,
                    entry is not None, k, reg, shape)


def unpack_key(key: bytes) -> tuple:
    """(op, arg_key, ext, name, precall, kwnames, prev, has_next, nxt, first_rel, end_rel, backward, nsuccs,
    entry, shape) with None for what the key leaves out."""
    (op, arg, ext, name, precall, kwnames, prev0, prev1, has_next, nxt_op, nxt_arg, nxt_ext, nxt_back, first_rel,
     end_rel, backward, nsuccs, has_entry, k, reg, shape) = KEY.unpack(key)
    names = dis._all_opname  # type: ignore[attr-defined]  # specialised names included
    nxt = (nxt_op, None if nxt_arg == NO_ARG else nxt_arg, bool(nxt_ext), nxt_back) if nxt_op else None
    return (op, None if arg == NO_ARG else arg, bool(ext), names[name] if name else None,
            names[precall] if precall else "", bool(kwnames), None if prev0 == -2 else (prev0, prev1),
            bool(has_next), nxt, first_rel, end_rel, backward, nsuccs, (k, reg) if has_entry else None, shape)


# ---- making a template --------------------------------------------------------------------------------------

class _SyntheticFunction:
    def __init__(self, records: _Records, blocks: list[_Block], n: int, nlp: int, code_units: int) -> None:
        self.records = records
        self.blocks = blocks
        self.n_instructions = n
        self.nlocalsplus = nlp
        self.code_units = code_units
        self.derived: dict[str, object] = {}


def _synthetic(key: tuple, m: Markers) -> tuple[_SyntheticFunction, dict[int, str], _Labels]:  # (unpacked key)
    """The function the generator sees for `key` with markers `m`: (fn, feedback names, block labels).  Blocks:
    0 the current one, 1 and 2 its successors, 3 the instruction's jump target, 4 the next instruction's."""
    (op, arg_key, ext, name, precall, _kw, prev, has_next, nxt, first_rel, end_rel, backward, nsuccs,
     _entry, _shape) = key
    data = [0] * (8 * WINDOW)
    poison = set(range(len(data)))
    names: dict[int, str] = {}

    def put(j: int, fields: dict[int, int]) -> None:
        for field, value in fields.items():
            data[j * 8 + field] = value
            poison.discard(j * 8 + field)

    def units(r: int, ext_: bool) -> dict[int, int]:
        return {2: m.unit(2 * r), 3: m.unit(2 * r) if ext_ else m.unit(2 * r + 1)}

    if prev is not None:
        for k, cls in enumerate(prev):
            if cls >= 0:
                put(HERE - 2 + k, {0: cls, 1: m.arg(k - 2)})
    if precall:
        put(HERE - 1, {0: _PRECALL, 2: m.unit(-2)})
        names[m.unit(-2)] = precall
    if op in ARG_HOLE_OPS:
        arg = m.arg(0, arg_key if op == OP["LOAD_GLOBAL"] else 0)
    else:
        arg = arg_key
    put(HERE, {0: op, 1: arg, **units(0, ext), 4: 3 if backward >= 0 else backward, 5: m.depth})
    if name is not None:
        names[m.unit(0)] = name
    next_back = -1
    if has_next:
        put(HERE + 1, {3: m.unit(3)})  # next_start()
    if nxt is not None:
        nop, narg_key, next_ext, next_back = nxt
        narg = m.arg(1, narg_key or 0) if nop in ARG_HOLE_OPS else narg_key
        put(HERE + 1, {0: nop, 1: narg, **units(1, next_ext), 4: 4 if next_back >= 0 else -1})
    put(TARGET_FIRST, {3: m.unit(TARGET_ROLE)})
    put(NEXT_TARGET_FIRST, {3: m.unit(NEXT_TARGET_ROLE)})
    beyond = WINDOW + 8  # a forward target: after everything
    first: Any = _POISON if prev is None else HERE + max(first_rel, -2)
    end: Any = _POISON if nxt is None else HERE + end_rel
    succs: Any = _POISON if nsuccs < 0 else (1, 2)[:nsuccs]
    blocks = [
        _Block(0, first, end, _POISON, _POISON, succs),
        _Block(1, beyond, beyond + 1, 0, 0, ()),
        _Block(2, beyond, beyond + 1, 0, 0, ()),
        _Block(3, TARGET_FIRST if backward == 1 else beyond, beyond + 1, 0, 0, ()),
        _Block(4, NEXT_TARGET_FIRST if next_back == 1 else beyond, beyond + 1, 0, 0, ()),
    ]
    fn = _SyntheticFunction(_Records(data, poison), blocks, HERE + 1 + has_next, m.nlp, m.end_unit)
    labels = _Labels({b: Label(f"bb{b}", address=m.label_address(BLOCK, b)) for b in range(1, 5)})
    return fn, names, labels


def _generate(key: tuple, m: Markers, make_generator: Callable[..., Any],  # (key unpacked)
              short_plan: frozenset[int] = frozenset()) -> tuple[Any, int, bool]:
    """Run the generator on the synthetic function: (generator, hot size, leaves); the branches numbered in
    `short_plan` are rel8 (`short_branches`)."""
    fn, names, labels = _synthetic(key, m)

    table = m.table

    def address(obj: object) -> int:
        if isinstance(obj, _Stand):
            return obj.address
        if obj is _LIST_APPEND and table is not None:
            return m.runtime(table.index["obj:list.append"])
        raise TemplateError(f"the address of {type(obj).__name__} object")

    exits = [Label(name, address=m.label_address(EXIT, k))
             for k, name in enumerate(("exit", "error", "declined", "handback_exit"))]
    gen = make_generator(fn, m.layout, m.symbols, address, m, _Code(m), _Feedback(names), _Sites(m.address(SITE)),
                         labels, exits)
    try:
        a = gen.a
        a.fields = []
        a.narrow = m.is_frame_displacement if key[KEY_SHAPE] & SHAPE_NARROW else None
        a.narrow_fields = []
        a.logged_holes = []
        a.short_plan = short_plan
        # the runtime's entries (types, singletons, flags in libpython; the shim's counters; glue) by RIP-relative
        # lea: RUNTIME_REL holes, placed as direct calls to helpers are (templates apply only while those reach)
        runtime_top = m.runtime_base >> 40
        a.near_addresses = lambda value: value >> 40 == runtime_top and not value & 0xFFFF
        gen.shape = key[KEY_SHAPE]
        entry = key[KEY_ENTRY]
        if entry is not None:
            k, reg = entry
            a._stored = (gen.slot(m.depth + k), GPR64[reg], 0)  # the instruction before stored it from that register
            a._last_bind = -1
        gen.block_first = fn.blocks[0].first
        kwnames = m.address(KWNAMES) if key[5] else None
        leaves = gen.emit_instruction(HERE, key[0], kwnames, fn.blocks[0])
        hot = a.size
        stored = a._stored if a._stored[2] == hot and a._last_bind < hot else None
        a.cold_labels = set()
        gen.out_of_line = True
        while gen.stubs:
            stubs, gen.stubs = gen.stubs, []
            for stub in stubs:
                stub()
        gen.exit_stored = stored
    finally:
        gen.out_of_line = False
        gen.stubs.clear()  # (closures over the generator: no cycle left for the collector, even on failure)
    return gen, hot, bool(leaves)


def short_branches(a: Any, hot: int) -> frozenset[int]:
    """The numbers of the branches (Assembler.branches) a second run of the generator can emit as rel8: aimed at a
    label in the same part as themselves, hot or cold -- each part is copied whole, so the distance holds wherever
    it lands -- and within reach.  (The second run's code is the first's with branches shortened, so no distance
    grows: the numbering and the reach hold.)  A template is mostly branches over a few instructions -- skipping a
    release, from one type test to the next -- which rel32 made 4 bytes longer each."""
    cold = a.cold_labels or set()
    plan = []
    for number, (start, label) in enumerate(a.branches):
        if label.position is not None and (start >= hot) == (label in cold) and fits_s8(label.position - start - 2):
            plan.append(number)
    return frozenset(plan)


_WIDE = frozenset((UNIT_ADDR, CONST, NAME, SITE, KWNAMES, HANDBACK, RUNTIME))
_TOP64 = re.compile(b"[\x57-\x5f]")
_TOP32 = re.compile(b"[\x04-\x07\x28\x38]")


def _holes(m: Markers, a: Any, hot: int) -> tuple[bytes, list[tuple[int, int, int, int]], int]:
    """(the bytes with every hole zeroed, the holes, bit set of the exit labels used)."""
    code = bytearray(a.finish())
    holes: list[tuple[int, int, int, int]] = []
    taken = bytearray(len(code))
    exits = 0
    for field, target in a._external:
        kind = (target - m.label_base) >> 16 if target >> 40 == m.label_base >> 40 else -1
        if kind == BLOCK or kind == EXIT:
            role = (target - m.label_base - (kind << 16)) >> 8
            holes.append((field, kind, role, 0))
            if kind == EXIT:
                exits |= 1 << role
        elif target >> 40 == m.runtime_base >> 40 and not target & 0xFFFF:
            holes.append((field, RUNTIME_REL, ((target - m.runtime_base) >> 16) - 1, 0))
        else:
            raise TemplateError(f"a branch to {target:#x}, not a runtime entry")
        taken[field:field + 4] = b"\1\1\1\1"
    cold_labels = a.cold_labels or set()
    for field, label in a.fields:
        if label.position is None:
            raise TemplateError(f"unbound label {label!r}")
        to_cold = label in cold_labels
        if field < hot and to_cold:
            holes.append((field, TO_COLD, label.position - hot, 0))
        elif field >= hot and not to_cold:
            holes.append((field, TO_HOT, label.position, 0))
        else:
            continue
        taken[field:field + 4] = b"\1\1\1\1"
    for hole in a.logged_holes:  # (holes the generator placed itself: compact call-site words)
        holes.append(hole)
        taken[hole[0]:hole[0] + 4] = b"\1\1\1\1"
    for match in _TOP64.finditer(code, 7):  # a 64-bit marker's top byte
        j = match.start() - 7
        if not any(taken[j:j + 8]):
            decoded = m.decode64(int.from_bytes(code[j:j + 8], "little"))
            if decoded is not None:
                holes.append((j, decoded[0], decoded[1], decoded[2]))
                taken[j:j + 8] = b"\1" * 8
    for match in _TOP32.finditer(code, 3):
        j = match.start() - 3
        if not any(taken[j:j + 4]):
            decoded32 = m.decode32(int.from_bytes(code[j:j + 4], "little"))
            if decoded32 is not None:
                holes.append((j, decoded32[0], decoded32[1], 0))
                taken[j:j + 4] = b"\1\1\1\1"
    for field, displacement in a.narrow_fields:
        decoded32 = m.decode32(displacement & 0xFFFF_FFFF)
        assert decoded32 is not None and decoded32[0] in (SLOT, LOCAL)
        holes.append((field, SLOT8 if decoded32[0] == SLOT else LOCAL8, decoded32[1], 0))
        taken[field] = 1
    for position, kind, _, _ in holes:
        width = 8 if kind in _WIDE else 1 if kind in (SLOT8, LOCAL8) else 4  # (HANDBACK32: 4)
        code[position:position + width] = bytes(width)
    holes.sort()
    return bytes(code), holes, exits


def make_template(packed_key: bytes, markers: list[Markers], make_generator: Callable[..., Any],
                  check: bool = False) -> Template:
    """The template for `key` (TemplateError when the generator cannot be templated for it).  With `check`, made
    twice with two marker sets that must give the same template (tests/test_templates.py checks every template
    of its corpus so)."""
    key = unpack_key(packed_key)
    results = []
    for m in markers[:2 if check else 1]:
        try:
            gen, hot, leaves = _generate(key, m, make_generator)
            plan = short_branches(gen.a, hot)
            if plan:
                gen, hot, leaves = _generate(key, m, make_generator, plan)
        except (IndexError, KeyError, AttributeError, TypeError, ValueError) as exc:
            raise TemplateError(f"{type(exc).__name__}: {exc}") from exc
        code, found, exits = _holes(m, gen.a, hot)
        state = None
        if gen.exit_stored is not None:
            memory, register, _ = gen.exit_stored
            if memory.base == FRAME and memory.index is None:
                decoded = m.decode32(memory.disp & 0xFFFF_FFFF)
                if decoded is not None and decoded[0] == SLOT:
                    state = (decoded[1], register.code)
        handback = dis.opname[key[0]] if gen.handed_back else ""
        results.append((code, tuple(found), hot, leaves, state, handback, exits))
    if check and results[0] != results[1]:
        raise TemplateError("the two marker sets disagree: a decision was made on a hole")
    code, holes, hot, leaves, state, handback, exits = results[0]
    return Template(code[:hot], code[hot:], holes, leaves, state, handback, exits)


# ---- the cache --------------------------------------------------------------------------------------------

from _blake2 import blake2b as _blake2b  # noqa: E402  (hashlib's import would load OpenSSL: ~3 ms)

FILE_MAGIC = b"ACCELTPL\x02"  # the on-disk format's version is the last byte
# The file ("Kept on disk" above; csrc/bjit_template_file.c reads it): FILE_HEADER (magic, entries, the index's
# checksum), then the index -- an INDEX_ENTRY per key, sorted by key: the key, flags, the entry's offset in the file
# and length, its checksum -- then the entries' bytes (packed templates).  Checksums are core.template_checksum's.
FILE_HEADER = struct.Struct("<9s3xIQ")
INDEX_ENTRY = struct.Struct("<30sHIIQ")  # (30: KEY.size)
ENTRY_NO_TEMPLATE = 1  # flag: the key has no template (None), and no bytes
_GENERATOR_MODULES = ("codegen", "fastpaths", "glue", "registers", "x86", "x86_enc", "templates", "feedback")


def fingerprint(table: RuntimeTable) -> str:
    """What templates depend on besides their keys: the Python build, the code generator's own source, the C
    layout's offsets and the names of the runtime entries.  A template file is only read by a process whose
    fingerprint is the one in its name (a new accel, another Python: another file)."""
    import importlib
    import sys

    h = _blake2b(digest_size=16)
    h.update(FILE_MAGIC + sys.version.encode() + repr((table.names, table.constants)).encode())
    for name in _GENERATOR_MODULES:
        module = importlib.import_module(f"accel.bjit.{name}")
        with open(module.__file__ or "", "rb") as f:
            h.update(f.read())
    return h.hexdigest()


TEMPLATE_FILES_KEPT = 8  # template files of other builds kept in ACCEL_CACHE_DIR (other accel or Python versions)
TEMPLATE_FILE_MAX_AGE = 30 * 86400  # ... unless unused this long (seconds since last written or used)


def prune_template_files(folder: str, keep: str) -> None:
    """Remove the template files of other builds that went unused for TEMPLATE_FILE_MAX_AGE, and the oldest beyond
    TEMPLATE_FILES_KEPT: each upgrade of accel or of Python makes a new file, and nothing else would remove the old
    ones.  Done when a build writes its first file, so once per build and cache folder."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith("tier1-templates-") and n.endswith(".bin")]
        files = []
        for name in names:
            path = os.path.join(folder, name)
            if path != keep:
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                    files.append((info.st_mtime, path))
        files.sort(reverse=True)
        now = time.time()
        for rank, (mtime, path) in enumerate(files):
            if rank >= TEMPLATE_FILES_KEPT - 1 or now - mtime > TEMPLATE_FILE_MAX_AGE:
                os.unlink(path)
    except OSError:
        pass  # (another process pruning at once, a read-only folder: nothing to do)


class TemplateCache:
    """Packed templates by packed key (a key that cannot be templated maps to None).  Templates hold no address,
    only holes, so they are kept on disk too (`path`: a folder, set by accel.install from ACCEL_CACHE_DIR): the
    file's index is read at the first compile of a process and each template when first looked up
    (csrc/bjit_template_file.c), and the file is written again at exit when this process made new ones.  A
    damaged, foreign or unreadable file is a miss (one warning), never loaded; so is a damaged entry."""

    def __init__(self) -> None:
        self.templates: dict[bytes, bytes | None] = {}
        self.failures: dict[str, int] = {}
        self.check = False  # make each template twice, with two marker sets (tests)
        self.seconds = 0.0  # spent making templates
        self.last_failure = ""
        self.table: RuntimeTable | None = None
        self.marker_sets: list[Markers] | None = None
        self.runtime_array: Any = None
        self.path: str | None = None  # folder of the template files; None: memory only
        self.file: str | None = None
        self.core: Any = None  # the C runtime: reads the file's entries (and checksums them)
        self.made = 0  # templates made by this process
        self.saving = False
        self.warned = False

    @property
    def loaded(self) -> int:
        """Templates read from the file by this process (on demand, by C or by `get`)."""
        return self.core.template_file_counts(self.templates)[1] if self.core is not None else 0

    def markers(self, runtime: Any) -> list[Markers]:
        """The two marker sets for this process's runtime (made once)."""
        if self.marker_sets is None:
            table = self.table = RuntimeTable(runtime.layout, runtime.symbols, runtime.address)
            localsplus = localsplus_disp(runtime.layout)
            self.marker_sets = [Markers(v, localsplus, table, runtime.layout, runtime.symbols) for v in (0, 1)]
        if self.core is None:
            self.core = getattr(runtime, "core", None)
        if self.file is None and self.path is not None and self.table is not None and self.core is not None:
            self.file = os.path.join(self.path, f"tier1-templates-{fingerprint(self.table)}.bin")
            self.load()
        return self.marker_sets

    # ---- the file -------------------------------------------------------------------------------------------

    def _open(self) -> tuple[int, bytes, float] | None:
        """(descriptor, index, mtime) of the file, its header and index checked; None when there is none; raises
        ValueError when it is damaged or not ours (the descriptor then closed)."""
        assert self.file is not None and self.core is not None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.file, flags)
        except FileNotFoundError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ValueError("not a regular file")
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                raise ValueError("owned by another user or writable by others")
            head = os.pread(fd, FILE_HEADER.size, 0)
            if len(head) < FILE_HEADER.size or head[:len(FILE_MAGIC)] != FILE_MAGIC:
                raise ValueError("not a template file of this version")
            _, count, checksum = FILE_HEADER.unpack(head)
            size = count * INDEX_ENTRY.size
            index = os.pread(fd, size, FILE_HEADER.size) if size <= info.st_size - FILE_HEADER.size else b""
            if len(index) != size:
                raise ValueError("truncated")
            if self.core.template_checksum(index) != checksum:
                raise ValueError("checksum mismatch (damaged index)")
        except BaseException:
            os.close(fd)
            raise
        return fd, index, info.st_mtime

    def load(self) -> None:
        """Set the file up to be read on demand: its header and index now, a template when first looked up (by
        csrc/bjit_place.c or `get`).  The file stays open: one renamed over it by another process is not read."""
        try:
            opened = self._open()
            if opened is None:
                return
            fd, index, mtime = opened
            try:
                self.core.template_file_setup((self.templates, fd, index))  # (the descriptor is C's from now on)
            except BaseException:
                os.close(fd)
                raise
        except (OSError, ValueError) as exc:
            self.warn(f"tier-1 template file {self.file} not used: {exc}")
            return
        if index and self.file is not None and time.time() - mtime > 86400:
            try:  # in use: not pruned as stale (a file is only written when its build made new templates)
                os.utime(self.file)
            except OSError:
                pass

    def _read_all(self) -> dict[bytes, Any]:
        """Every entry of the file as it is now (another process may have grown it since this one read its
        index): bytes-like or None by key, damaged entries left out.  FileNotFoundError when there is none,
        ValueError when it is damaged or not ours.  Only `save` reads the file whole."""
        opened = self._open()
        if opened is None:
            raise FileNotFoundError(self.file)
        fd, index, _ = opened
        try:
            start = FILE_HEADER.size + len(index)
            data = memoryview(os.pread(fd, max(os.fstat(fd).st_size - start, 0), start))  # (entries: views of it)
        finally:
            os.close(fd)
        checksum = self.core.template_checksum
        entries: dict[bytes, Any] = {}
        for key, flags, offset, length, check in INDEX_ENTRY.iter_unpack(index):
            if flags & ENTRY_NO_TEMPLATE:
                entries[key] = None
                continue
            entry = data[offset - start:offset - start + length]
            if offset >= start and len(entry) == length and checksum(entry) == check:
                entries[key] = entry
        return entries

    def save(self) -> None:
        """Write this process's templates (with the file's, which another process may have grown meanwhile)."""
        if self.file is None and self.path is not None and self.table is not None:
            self.file = os.path.join(self.path, f"tier1-templates-{fingerprint(self.table)}.bin")
        if self.file is None or not self.made or self.core is None:
            return
        try:
            os.makedirs(os.path.dirname(self.file), mode=0o700, exist_ok=True)
            entries: dict[bytes, Any] = {}
            first = False  # the first file of this build here
            try:
                entries = self._read_all()
            except FileNotFoundError:
                first = True
            except ValueError:
                entries = {}  # damaged: replaced
            entries.update(self.templates)
            keys = sorted(entries)  # (bytes order: memcmp's, as the C lookup's binary search)
            index = bytearray()
            offset = FILE_HEADER.size + len(keys) * INDEX_ENTRY.size
            checksum = self.core.template_checksum
            for key in keys:
                value = entries[key]
                if value is None:
                    index += INDEX_ENTRY.pack(key, ENTRY_NO_TEMPLATE, 0, 0, 0)
                else:
                    index += INDEX_ENTRY.pack(key, 0, offset, len(value), checksum(value))
                    offset += len(value)
            if offset >= 1 << 32:
                raise ValueError("over 4 GiB")  # (offsets are 32-bit)
            import tempfile

            fd, temp = tempfile.mkstemp(prefix=".tier1-", dir=os.path.dirname(self.file))
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(FILE_HEADER.pack(FILE_MAGIC, len(keys), checksum(index)))
                    f.write(index)
                    for key in keys:
                        if entries[key] is not None:
                            f.write(entries[key])
                os.replace(temp, self.file)  # readers see the old file or the new one, never a part
            except BaseException:
                os.unlink(temp)
                raise
            self.made = 0
            if first:
                prune_template_files(os.path.dirname(self.file), self.file)
        except (OSError, ValueError) as exc:
            self.warn(f"tier-1 templates not saved to {self.file}: {exc}")

    def warn(self, message: str) -> None:
        """One warning per process about the template file: the first thing that went wrong."""
        if not self.warned:
            self.warned = True
            _warn(message)

    def runtime_values(self, core: Any) -> Any:
        """The runtime table's values as an array for csrc/bjit_place.c; tells it the opcode sets once."""
        if self.runtime_array is None:
            from array import array

            assert self.table is not None
            values = array("Q")
            values.fromlist(list(self.table.values))
            self.runtime_array = values
            flags = bytearray(256)
            for ops, flag in ((ARG_HOLE_OPS, 1), (READS_PREV, 2), (READS_NEXT, 4), (READS_FEEDBACK, 8),
                              (ATTR_SITE_OPS, 16)):
                for op in ops:
                    flags[op] |= flag
            core.place_setup(bytes(flags))
        return self.runtime_array

    def get(self, key: bytes, runtime: Any, make_generator: Callable[..., Any]) -> bytes | None:
        """The template for `key`: from the dict, else from the file (csrc/bjit_template_file.c), else made."""
        try:
            return self.templates[key]
        except KeyError:
            pass
        markers = self.markers(runtime)  # (the first call sets the file up)
        if self.core is not None:
            try:
                return self.core.template_fetch(self.templates, key)  # (and now in the dict)
            except KeyError:
                pass  # not in the file
            except ValueError as exc:
                self.warn(f"tier-1 template file {self.file}: {exc}; its template is made afresh")
        start = time.perf_counter()
        template: bytes | None
        try:
            template = make_template(key, markers, make_generator, self.check).pack()
        except TemplateError as exc:
            template = None
            reason = f"{dis.opname[key[0]]}: {str(exc)[:60]}"  # (key[0]: the opcode)
            self.failures[reason] = self.failures.get(reason, 0) + 1
            self.last_failure = reason
        self.templates[key] = template
        self.seconds += time.perf_counter() - start
        self.made += 1
        if self.path is not None and not self.saving:
            import atexit

            atexit.register(self.save)
            self.saving = True
        return template

    def reason(self, opname: str) -> str:
        """Why the last key of `opname` had no template."""
        return self.last_failure if self.last_failure.startswith(opname + ":") else opname


CACHE = TemplateCache()


def _warn(message: str) -> None:
    from accel.config import warn

    warn(message)


class NotTemplated(Exception):
    """A piece of code the templates cannot place (the generator makes it directly)."""
