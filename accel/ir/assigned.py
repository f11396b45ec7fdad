"""Definitely-assigned locals: which fast locals hold a value on every path to a block's entry.

Forward "must" dataflow over normal and exception edges, as Python-int bitsets (bit n = local n)::

    in(B)      = AND of out(P) over normal predecessors P, and of in(P) & ~deleted(P) over blocks P whose
                 handler B is (an exception can leave P anywhere, before any of its stores); for the entry
                 block also the arguments
    out(B)     = (in(B) | stored(B)) & ~deleted-after-last-store(B), walked in order

A LOAD_FAST of a definitely-assigned local cannot find it unbound, so tier 1 leaves out the check (CPython 3.12's
compiler makes the same distinction, LOAD_FAST vs LOAD_FAST_CHECK).  Frames only enter machine code at a
function's start or where the interpreter stood at a loop header (OSR, csrc/osr.c, which checks the frame's
locals against the header's set first: a tracer may have deleted one); generator frames, which resume wherever
they yielded, get no such sets.
"""

from __future__ import annotations

import opcode
from types import CodeType
from typing import TYPE_CHECKING

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .function import F_ARG, F_OP, REC

if TYPE_CHECKING:
    from .function import Function

_STORE_FAST = opcode.opmap["STORE_FAST"]
_DELETE_FAST = opcode.opmap["DELETE_FAST"]
_GENERATOR_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
_VARARGS, _VARKEYWORDS = 0x04, 0x08


def argument_mask(code: CodeType) -> int:
    """The locals that hold a value when a call's frame starts: its parameters."""
    n = code.co_argcount + code.co_kwonlyargcount
    n += bool(code.co_flags & _VARARGS) + bool(code.co_flags & _VARKEYWORDS)
    return (1 << n) - 1


def step(mask: int, op: int, arg: int) -> int:
    """The set after one instruction."""
    if op == _STORE_FAST:
        return mask | 1 << arg
    if op == _DELETE_FAST:
        return mask & ~(1 << arg)
    return mask


def assigned_at_entry(fn: Function, code: CodeType) -> list[int] | None:
    """Per block, the locals definitely assigned when it starts (None for generators and coroutines)."""
    if code.co_flags & _GENERATOR_FLAGS:
        return None
    blocks = fn.blocks
    records = fn.records
    everything = (1 << fn.nlocalsplus) - 1
    out_of = [everything] * len(blocks)
    deleted = [0] * len(blocks)
    for b, blk in enumerate(blocks):
        for i in range(blk.first, blk.end):
            if records[i * REC + F_OP] == _DELETE_FAST:
                deleted[b] |= 1 << records[i * REC + F_ARG]
    into = [everything] * len(blocks)
    handled_by: dict[int, list[int]] = {}
    for b, blk in enumerate(blocks):
        if blk.handler is not None:
            handled_by.setdefault(blk.handler, []).append(b)
    changed = True
    while changed:
        changed = False
        for b, blk in enumerate(blocks):
            mask = argument_mask(code) if b == 0 else everything  # (the entry block may also be a loop's header)
            for p in blk.preds:
                mask &= out_of[p]
            for p in handled_by.get(b, ()):
                mask &= into[p] & ~deleted[p]
            out = mask
            for i in range(blk.first, blk.end):
                out = step(out, records[i * REC + F_OP], records[i * REC + F_ARG])
            if mask != into[b] or out != out_of[b]:
                into[b], out_of[b] = mask, out
                changed = True
    return into
