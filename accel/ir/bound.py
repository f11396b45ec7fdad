"""Definite assignment: which locals are bound on every path into each block, and which on none.

A LOAD_FAST of a local that may be unbound tests it and raises UnboundLocalError; a STORE_FAST releases the value
the local held, if any.  Tier 1 emits the test and its out-of-line exit for every such load, and the NULL test
before every release.  Most loads read a local that every path has stored first, or an argument; most stores
write a local that holds nothing yet (a first assignment) or one that surely holds a value.  The IR marks them
(the record's target field): a LOAD_FAST ALWAYS_BOUND needs no test; a STORE_FAST ALWAYS_BOUND releases without
the NULL test, ALWAYS_UNBOUND releases nothing.

Forward dataflow over the blocks, with Python-int bitsets (bit n = localsplus[n]), for the first `TRACKED`
locals.  Bound on every path (`bound_at_entry`, the greatest solution)::

    in(entry) = the arguments
    in(B)     = & out(P) for every normal predecessor P  &  in(C) for every block C whose handler B is
    out(B)    = in(B) | what B stores | what B loads (a load that did not raise leaves the local bound)

An exception can leave a block C at any instruction; since nothing here unbinds a local (a local the code ever
deletes, DELETE_FAST, is never counted as bound), what holds at C's start holds at each of its instructions, so
in(C) is what the handler may rely on.  Bound on some path (`may_be_bound_at_entry`, the least solution): the
same with unions, what C stores counted for its handler, and only stores (a frame's locals start out empty).
Arguments the code never deletes are bound from the call on, whatever their index.

Only the interpreter can change a local behind the code's back -- a debugger writing f_locals -- and machine code
never runs while tracing.  Before csrc/osr.c moves a running frame into machine code at a loop header, it checks
that the locals the header's block counts as bound are, and those it counts as empty are; a generator frame that
ran under a tracer never goes back into machine code (csrc/eval_hook.c).  csrc/bjit_plan.c computes the same marks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .function import ALWAYS_BOUND, ALWAYS_UNBOUND, F_ARG, F_OP, F_TARGET, REC
from .opcodes import OPMAP

if TYPE_CHECKING:
    from collections.abc import Sequence

TRACKED = 64  # locals the dataflow follows (a uint64 in C)
_ALL = (1 << TRACKED) - 1
_LOAD_FAST, _STORE_FAST, _DELETE_FAST = OPMAP["LOAD_FAST"], OPMAP["STORE_FAST"], OPMAP["DELETE_FAST"]


class _Scan:
    """One pass over the records: each block's local accesses, what it binds, what it stores."""

    def __init__(self, records: Sequence[int], firsts: Sequence[int]) -> None:
        ops, args = records[F_OP::REC], records[F_ARG::REC]
        touching = [i for i, op in enumerate(ops) if op == _LOAD_FAST or op == _STORE_FAST or op == _DELETE_FAST]
        self.deleted = {args[i] for i in touching if ops[i] == _DELETE_FAST}  # (every index)
        keep = _ALL & ~sum(1 << local for local in self.deleted if local < TRACKED)
        nb = len(firsts) - 1
        self.accesses: list[list[tuple[int, int, int]]] = [[] for _ in range(nb)]  # (instruction, op, local)
        self.gen = [0] * nb  # stored or loaded (a load that did not raise leaves the local bound), not deleted
        self.stores = [0] * nb
        b = 0
        for i in touching:
            while i >= firsts[b + 1]:
                b += 1
            op, local = ops[i], args[i]
            self.accesses[b].append((i, op, local))
            if local < TRACKED and op != _DELETE_FAST:
                self.gen[b] |= (1 << local) & keep
                if op == _STORE_FAST:
                    self.stores[b] |= 1 << local
        self.keep = keep
        self.preds: list[list[int]] | None = None  # (_edges, once)
        self.covered: list[list[int]] = []

    def edges(self, succs: Sequence[Sequence[int]], handlers: Sequence[int]) -> tuple[list[list[int]], list[list[int]]]:
        if self.preds is None:
            self.preds, self.covered = _edges(succs, handlers)
        return self.preds, self.covered


def bound_at_entry(records: Sequence[int], firsts: Sequence[int], succs: Sequence[Sequence[int]],
                   handlers: Sequence[int], nargs: int, scan: _Scan | None = None) -> list[int]:
    """Per block, the bitset of the tracked locals bound on every path into it.  `firsts`: each block's first
    instruction (and the end, len(firsts) = blocks + 1); `handlers`: each block's handler block or -1."""
    scan = scan or _Scan(records, firsts)
    gen = scan.gen
    nb = len(firsts) - 1
    entry = ((1 << min(nargs, TRACKED)) - 1) & scan.keep
    if nb == 1:
        return [entry]
    preds, covered = scan.edges(succs, handlers)  # (normal predecessors: their out; blocks handled: their in)
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


def may_be_bound_at_entry(records: Sequence[int], firsts: Sequence[int], succs: Sequence[Sequence[int]],
                          handlers: Sequence[int], nargs: int, scan: _Scan | None = None) -> list[int]:
    """Per block, the bitset of the tracked locals bound on some path into it (the others hold nothing there: a
    frame's locals start out empty, and only STORE_FAST fills one)."""
    scan = scan or _Scan(records, firsts)
    stores = scan.stores
    nb = len(firsts) - 1
    entry = (1 << min(nargs, TRACKED)) - 1
    if nb == 1:
        return [entry]
    preds, covered = scan.edges(succs, handlers)
    may = [0] * nb
    changed = True
    while changed:
        changed = False
        for b in range(nb):
            mask = entry if b == 0 else 0
            for p in preds[b]:
                mask |= may[p] | stores[p]
            for c in covered[b]:  # (a raise anywhere in c: after any of its stores)
                mask |= may[c] | stores[c]
            if mask != may[b]:
                may[b] = mask
                changed = True
    return may


def _edges(succs: Sequence[Sequence[int]], handlers: Sequence[int]) -> tuple[list[list[int]], list[list[int]]]:
    """(normal predecessors, blocks handled) of each block."""
    nb = len(succs)
    preds: list[list[int]] = [[] for _ in range(nb)]
    covered: list[list[int]] = [[] for _ in range(nb)]
    for b in range(nb):
        for s in succs[b]:
            preds[s].append(b)
        if handlers[b] >= 0:
            covered[handlers[b]].append(b)
    return preds, covered


def entry_sets(records: Sequence[int], firsts: Sequence[int], succs: Sequence[Sequence[int]],
               handlers: Sequence[int], nargs: int, scan: _Scan | None = None) -> tuple[list[int], list[int]]:
    """(bound_at_entry's sets, may_be_bound_at_entry's), from one scan of the records."""
    scan = scan or _Scan(records, firsts)
    return (bound_at_entry(records, firsts, succs, handlers, nargs, scan),
            may_be_bound_at_entry(records, firsts, succs, handlers, nargs, scan))


def mark_always_bound(records: list[int], firsts: Sequence[int], succs: Sequence[Sequence[int]],
                      handlers: Sequence[int], nargs: int) -> tuple[list[int], list[int]]:
    """Set the target field of every LOAD_FAST that cannot find its local unbound to ALWAYS_BOUND, and of every
    STORE_FAST to ALWAYS_BOUND when its local holds a value on every path, ALWAYS_UNBOUND when on none; returns
    entry_sets'."""
    scan = _Scan(records, firsts)
    bound, may = entry_sets(records, firsts, succs, handlers, nargs, scan)
    deleted = scan.deleted
    for b, accesses in enumerate(scan.accesses):
        running, maybe = bound[b], may[b]
        for i, op, local in accesses:
            if op == _LOAD_FAST:
                if (local < TRACKED and running >> local & 1) or (local < nargs and local not in deleted):
                    records[i * REC + F_TARGET] = ALWAYS_BOUND
            elif op == _STORE_FAST and local < TRACKED:
                if not maybe >> local & 1:
                    records[i * REC + F_TARGET] = ALWAYS_UNBOUND
                elif running >> local & 1:
                    records[i * REC + F_TARGET] = ALWAYS_BOUND
                maybe |= 1 << local
            if op != _DELETE_FAST and local < TRACKED and local not in deleted:
                running |= 1 << local
    return bound, may
