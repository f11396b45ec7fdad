"""``Function`` and ``Block``: the built IR and its compact encoding.

Instructions are fixed-width records of ``REC`` ints in ``Function.records``
(an ``array('i')``); instruction ``i`` occupies ``records[i*REC : (i+1)*REC]``:

========  ====================================================================
F_OP      base opcode (never CACHE / EXTENDED_ARG)
F_ARG     full oparg, EXTENDED_ARG prefixes folded in (0 for no-arg opcodes)
F_OFFSET  code unit of the opcode itself (``dis`` offset // 2)
F_START   code unit of the first EXTENDED_ARG prefix (== F_OFFSET without one)
F_TARGET  jump target block id, or -1; for LOAD_FAST, ``ALWAYS_BOUND`` (-2) when its local
          cannot be unbound there; for STORE_FAST, ``ALWAYS_BOUND`` when the local holds a
          value before it, ``ALWAYS_UNBOUND`` (-3) when it cannot (bound.py)
F_DEPTH   value-stack depth before the instruction
F_NOUT    number of output vregs
F_POOL    index into ``Function.operands`` where its outputs start; its inputs
          follow and end where the next instruction's operands begin
========  ====================================================================

``Function.operands`` (``array('i')``) holds, per instruction, the output vregs
then the input vregs.  vreg ``n < nlocalsplus`` is ``localsplus[n]``; vreg
``nlocalsplus + d`` is value-stack slot ``d``.
"""

from __future__ import annotations

import sys
import weakref
from array import array
from collections.abc import Iterator
from types import CodeType
from typing import NamedTuple

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .opcodes import OPNAME

REC = 8

_EMPTY_INT_ARRAY = array("i")


def int_array(values: list[int]) -> array:
    """array('i') of `values`, made by copying an empty one: array's constructor raises a "array.__new__" audit
    event, and the compiler runs inside the program, where audit hooks must not see its work."""
    out = _EMPTY_INT_ARRAY[:]
    out.fromlist(values)
    return out

F_OP, F_ARG, F_OFFSET, F_START, F_TARGET, F_DEPTH, F_NOUT, F_POOL = range(REC)
ALWAYS_BOUND = -2  # F_TARGET of a LOAD_FAST that needs no unbound check, of a STORE_FAST whose local holds a value
ALWAYS_UNBOUND = -3  # F_TARGET of a STORE_FAST whose local cannot hold one yet (bound.py; csrc/bjit_plan.c the same)


class Block:
    """A basic block.  ``first:end`` is its instruction index range."""

    __slots__ = (
        "id", "start", "depth", "succs", "preds", "handler", "handler_depth",
        "handler_lasti", "resume", "unreachable", "first", "end",
    )

    def __init__(
        self, id: int, start: int, first: int, end: int, depth: int = -1,
        succs: tuple[int, ...] = (), preds: tuple[int, ...] = (), handler: int | None = None,
        handler_depth: int = 0, handler_lasti: bool = False, resume: bool = False,
        unreachable: bool = False,
    ) -> None:
        self.id = id
        self.start = start  # code unit of the first instruction's start
        self.first = first
        self.end = end
        self.depth = depth  # entry stack depth
        self.succs = succs  # (fallthrough, target) for conditional jumps
        self.preds = preds  # normal-edge predecessors, sorted, no duplicates
        self.handler = handler  # exception handler block id, or None
        self.handler_depth = handler_depth
        self.handler_lasti = handler_lasti
        self.resume = resume  # generator resume point (follows YIELD_VALUE/RETURN_GENERATOR)
        self.unreachable = unreachable  # no path from the entry (dead code CPython left in)

    def _key(self) -> tuple:
        return tuple(getattr(self, k) for k in Block.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Block) and self._key() == other._key()

    def __repr__(self) -> str:
        return f"<Block bb{self.id} @{self.start} depth={self.depth} [{self.first}:{self.end}]>"


class Instr(NamedTuple):
    """Read-only view of one instruction, built on demand."""

    index: int  # type: ignore[assignment]  # shadows tuple.index on purpose
    opcode: int
    arg: int
    offset: int
    start: int
    target: int  # block id or -1
    depth: int  # stack depth before
    outs: tuple[int, ...]
    ins: tuple[int, ...]

    @property
    def opname(self) -> str:
        return OPNAME[self.opcode]


class Liveness(NamedTuple):
    live_in: list[int]  # per block id: bitset of vregs (bit n = vreg n)
    live_out: list[int]


class Function:
    """The IR of one code object."""

    __slots__ = (
        "name", "qualname", "flags", "nlocalsplus", "stacksize", "code_units", "local_names",
        "blocks", "records", "operands", "_code_ref", "comments", "_liveness", "derived",
    )

    def __init__(
        self, name: str, qualname: str, flags: int, nlocalsplus: int, stacksize: int,
        code_units: int, local_names: tuple[str, ...], blocks: list[Block], records: array,
        operands: array, code: CodeType | None = None, comments: dict[int, str] | None = None,
    ) -> None:
        self.name = name
        self.qualname = qualname
        self.flags = flags
        self.nlocalsplus = nlocalsplus
        self.stacksize = stacksize
        self.code_units = code_units
        self.local_names = local_names
        self.blocks = blocks
        self.records = records
        self.operands = operands
        # The source code object, held weakly: the runtime keeps the IR in the code object's own state, and a
        # strong reference back would be a cycle the garbage collector cannot see (co_extra is not traversed).
        self._code_ref = weakref.ref(code) if code is not None else None
        self.comments = comments  # per-instruction comments (parsed functions only)
        self._liveness: Liveness | None = None
        self.derived: dict[str, object] = {}  # what a backend computed once from this IR (each block compile reuses it)

    @property
    def code(self) -> CodeType | None:
        """The code object this IR was built from (None when parsed from text, or once it is gone)."""
        return self._code_ref() if self._code_ref is not None else None

    @property
    def n_instructions(self) -> int:
        return len(self.records) // REC

    @property
    def nvregs(self) -> int:
        return self.nlocalsplus + self.stacksize

    def vreg_name(self, v: int) -> str:
        n = self.nlocalsplus
        return f"l{v}" if v < n else f"s{v - n}"

    def instr(self, i: int) -> Instr:
        r = self.records
        b = i * REC
        p = r[b + F_POOL]
        q = r[b + REC + F_POOL] if b + REC < len(r) else len(self.operands)
        m = p + r[b + F_NOUT]
        ops = self.operands
        return Instr(i, r[b], r[b + 1], r[b + 2], r[b + 3], r[b + 4], r[b + 5],
                     tuple(ops[p:m]), tuple(ops[m:q]))

    def instructions(self, block: Block | int | None = None) -> Iterator[Instr]:
        """Iterate the instructions of ``block`` (or of the whole function)."""
        if block is None:
            lo, hi = 0, self.n_instructions
        else:
            if isinstance(block, int):
                block = self.blocks[block]
            lo, hi = block.first, block.end
        for i in range(lo, hi):
            yield self.instr(i)

    def outs(self, i: int) -> array:
        r = self.records
        p = r[i * REC + F_POOL]
        return self.operands[p:p + r[i * REC + F_NOUT]]

    def ins(self, i: int) -> array:
        r = self.records
        b = i * REC
        q = r[b + REC + F_POOL] if b + REC < len(r) else len(self.operands)
        return self.operands[r[b + F_POOL] + r[b + F_NOUT]:q]

    def liveness(self) -> Liveness:
        """Per-block live-in / live-out vreg bitsets (computed once, cached)."""
        if self._liveness is None:
            from .liveness import compute_liveness

            self._liveness = compute_liveness(self)
        return self._liveness

    def dump(self) -> str:
        from .text import dump

        return dump(self)

    def nbytes(self) -> int:
        """Estimate of the memory held by this IR (excluding the code object)."""
        size = sys.getsizeof(self) + sys.getsizeof(self.records) + sys.getsizeof(self.operands)
        size += sys.getsizeof(self.blocks) + sys.getsizeof(self.local_names)
        bsize = sys.getsizeof(Block.__new__(Block))
        for b in self.blocks:
            size += bsize + sys.getsizeof(b.succs) + sys.getsizeof(b.preds)
        return size

    def same_encoding(self, other: Function) -> bool:
        """True when both functions have identical headers, blocks and encodings."""
        return (
            self.name == other.name and self.qualname == other.qualname and self.flags == other.flags
            and self.nlocalsplus == other.nlocalsplus and self.stacksize == other.stacksize
            and self.code_units == other.code_units and self.local_names == other.local_names
            and self.blocks == other.blocks and self.records == other.records
            and self.operands == other.operands
        )

    def __repr__(self) -> str:
        return (f"<accel.ir.Function {self.qualname} blocks={len(self.blocks)} "
                f"instructions={self.n_instructions}>")
