"""Definite assignment: the locals bound on every path into each block, so their LOAD_FASTs need no unbound check.

A LOAD_FAST of a local that may be unbound tests it and raises UnboundLocalError; tier 1 emits that test and its
out-of-line exit for every such load.  Most loads read a local that every path has stored first, or an argument,
so the IR marks those loads ALWAYS_BOUND (the record's target field) and tier 1 drops the test.

Forward dataflow over the blocks, with Python-int bitsets (bit n = localsplus[n]), for the first `TRACKED`
locals::

    in(entry) = the arguments
    in(B)     = & out(P) for every normal predecessor P  &  in(C) for every block C whose handler B is
    out(B)    = in(B) | what B stores | what B loads (a load that did not raise leaves the local bound)

An exception can leave a block C at any instruction; since nothing here unbinds a local (a local the code ever
deletes, DELETE_FAST, is never counted as bound), what holds at C's start holds at each of its instructions, so
in(C) is what the handler may rely on.  A load is marked when its local is in the running set of its block.
Arguments the code never deletes are bound from the call on, whatever their index.

Only the interpreter can unbind a local behind the code's back -- a debugger writing f_locals -- and machine code
never runs while tracing; csrc/osr.c checks, before it moves a running frame into machine code at a loop header,
that every local the header's block counts as bound (`osr_bound`) is.  csrc/bjit_plan.c computes the same marks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .function import ALWAYS_BOUND, F_ARG, F_OP, F_TARGET, REC
from .opcodes import OPMAP

if TYPE_CHECKING:
    from collections.abc import Sequence

TRACKED = 64  # locals the dataflow follows (a uint64 in C)
_ALL = (1 << TRACKED) - 1
_LOAD_FAST, _STORE_FAST, _DELETE_FAST = OPMAP["LOAD_FAST"], OPMAP["STORE_FAST"], OPMAP["DELETE_FAST"]


def bound_at_entry(records: Sequence[int], firsts: Sequence[int], succs: Sequence[Sequence[int]],
                   handlers: Sequence[int], nargs: int) -> list[int]:
    """Per block, the bitset of the tracked locals bound on every path into it.  `firsts`: each block's first
    instruction (and the end, len(firsts) = blocks + 1); `handlers`: each block's handler block or -1."""
    nb = len(firsts) - 1
    deleted = 0
    for i in range(0, len(records), REC):
        if records[i + F_OP] == _DELETE_FAST and records[i + F_ARG] < TRACKED:
            deleted |= 1 << records[i + F_ARG]
    keep = _ALL & ~deleted
    gen = [0] * nb
    for b in range(nb):
        mask = 0
        for i in range(firsts[b], firsts[b + 1]):
            op = records[i * REC + F_OP]
            if (op == _STORE_FAST or op == _LOAD_FAST) and records[i * REC + F_ARG] < TRACKED:
                mask |= 1 << records[i * REC + F_ARG]
        gen[b] = mask & keep
    # the constraints of each block: normal predecessors (their out) and blocks it handles (their in)
    preds: list[list[int]] = [[] for _ in range(nb)]
    covered: list[list[int]] = [[] for _ in range(nb)]
    for b in range(nb):
        for s in succs[b]:
            preds[s].append(b)
        if handlers[b] >= 0:
            covered[handlers[b]].append(b)
    entry = ((1 << min(nargs, TRACKED)) - 1) & keep
    bound = [_ALL] * nb
    changed = True
    while changed:
        changed = False
        for b in range(nb):
            mask = entry if b == 0 else _ALL
            for p in preds[b]:
                mask &= bound[p] | gen[p]
            for c in covered[b]:
                mask &= bound[c]
            if mask != bound[b]:
                bound[b] = mask
                changed = True
    return bound


def mark_always_bound(records: list[int], firsts: Sequence[int], succs: Sequence[Sequence[int]],
                      handlers: Sequence[int], nargs: int) -> list[int]:
    """Set the target field of every LOAD_FAST that cannot find its local unbound to ALWAYS_BOUND; returns
    bound_at_entry's sets."""
    bound = bound_at_entry(records, firsts, succs, handlers, nargs)
    deleted = {records[i + F_ARG] for i in range(0, len(records), REC) if records[i + F_OP] == _DELETE_FAST}
    for b in range(len(firsts) - 1):
        running = bound[b]
        for i in range(firsts[b], firsts[b + 1]):
            op = records[i * REC + F_OP]
            local = records[i * REC + F_ARG]
            if op == _LOAD_FAST:
                if (local < TRACKED and running >> local & 1) or (local < nargs and local not in deleted):
                    records[i * REC + F_TARGET] = ALWAYS_BOUND
            if (op == _STORE_FAST or op == _LOAD_FAST) and local < TRACKED and local not in deleted:
                running |= 1 << local
    return bound
