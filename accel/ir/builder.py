"""Build accel's CFG IR from a CPython 3.11 code object.

Why the IR looks like this
--------------------------
accel's tiers never own the frame: the baseline JIT runs on CPython's own
``_PyInterpreterFrame`` and must be able to hand a half-executed frame back to
the interpreter at any instruction (deoptimisation, tracing, exceptions,
generator suspension).  The interpreter's state at an instruction boundary is
nothing but ``prev_instr`` plus ``localsplus[0 : nlocalsplus + depth]``.  So the
IR does not invent names: **vreg n is ``localsplus[n]``**.  Locals, cells and
free variables keep their slot numbers, and the value-stack slot ``d`` is vreg
``nlocalsplus + d``.  Every instruction lists the vregs it reads and writes,
obtained by simulating the stack, so data flow is explicit (enough for
liveness, register allocation and the LLVM tier's SSA construction) while the
mapping back to the frame stays the identity.  Temporaries therefore reuse
stack-slot vregs; that is the price of a free, exact frame reconstruction and
it is what a stack machine's "registers" are anyway.

Offsets are kept in code units exactly as the interpreter sees them
(``offset`` = the opcode's unit, what ``prev_instr`` points at and what the
exception table is searched with; ``start`` = the first ``EXTENDED_ARG``, what
jumps land on).  Nothing is re-laid-out, so a JIT can map any IR position to
``first_instr + offset`` and back.

Blocks are split wherever control can enter from elsewhere: jump targets,
after jumps and terminators, at exception-table boundaries (so each block has
exactly one handler, and unwinding is a per-block property), at handler
entries, and after ``YIELD_VALUE``/``RETURN_GENERATOR`` (generator resume
points are block entries, which is where a JIT places its re-entry stubs).
Entry stack depths are computed by dataflow and must agree on every edge,
including exception edges (``depth + lasti + 1``); the stack effects are an
explicit runtime table in ``opcodes.py``, checked against ``dis`` in the tests.

The instructions are stored as fixed-width int records plus an operand pool
(see ``function.py``): building allocates no object per instruction, the JIT
walks plain arrays, and a function's IR costs a few dozen bytes per
instruction.  Everything unsupported raises ``IRBuildError`` with a stable
``reason`` tag so the runtime can count why code stayed in the interpreter.
"""

from __future__ import annotations

from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .bound import mark_always_bound
from .errors import IRBuildError
from .exctable import parse_exception_table
from .function import REC, Block, Function, int_array
from .opcodes import BACKWARD as _BACKWARD
from .opcodes import (
    EXTENDED_ARG,
    FIXED,
    FLOW,
    FLOW_COND,
    FLOW_EXIT,
    FLOW_JUMP,
    FLOW_YIELD,
    HAVE_ARGUMENT,
    JREL,
    JUMP_FIXED,
    KNOWN,
    OPMAP,
    SIZE,
    VARIABLE,
)


def code_nargs(code: CodeType) -> int:
    """The arguments: the first locals, bound by the call (csrc/bjit.h accel_code_nargs)."""
    return code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)


def localsplus_names(code: CodeType) -> tuple[str, ...]:
    """Names of ``localsplus`` in slot order, as 3.11's compiler lays them out.

    Locals (``co_varnames``) first, then cell variables that are not also
    arguments/locals (a cell that is an argument shares the argument's slot),
    then free variables.
    """
    varnames = code.co_varnames
    cellvars = code.co_cellvars
    if cellvars:
        vs = set(varnames)
        extra = tuple(c for c in cellvars if c not in vs)
        return varnames + extra + code.co_freevars
    return varnames + code.co_freevars


# ---------------------------------------------------------------------------
# operand shapes that differ from the plain stack window (see opcodes.py).
# Each appends outputs then inputs to ``pool`` and returns the output count;
# ``t`` is the vreg of the first free stack slot, ``a`` the oparg,
# ``nl`` = nlocalsplus.


def _load_local(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(t)
    pool.append(a)
    return 1


def _store_fast(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(a)
    pool.append(t - 1)
    return 1


def _delete_fast(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(a)
    return 1


def _make_cell(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(a)  # the cell replaces the slot's value ...
    pool.append(a)  # ... and wraps it
    return 1


def _store_deref(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(a)  # the cell is mutated, not replaced: an input
    pool.append(t - 1)
    return 0


def _delete_deref(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(a)  # empties the cell; the slot still holds the same cell
    return 0


def _copy_free_vars(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend(range(nl - a, nl))
    return a


def _copy(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(t)
    pool.append(t - a)
    return 1


def _swap(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t - a, t - 1, t - a, t - 1))
    return 2


def _container_add(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(t - 1 - a)  # container below the popped value, mutated in place
    pool.append(t - 1)
    return 0


def _map_add(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t - 2 - a, t - 2, t - 1))
    return 0


def _dict_merge(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t - 3 - a, t - 1 - a, t - 1))  # callable (for the error message), dict, update
    return 0


def _precall(pool: list, t: int, a: int, nl: int) -> int:
    b = t - a - 2
    pool.append(b)  # may unpack a bound method into (func, self) in place
    pool.append(b + 1)
    pool.extend(range(b, t))
    return 2


def _peek1(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(t)
    pool.append(t - 1)
    return 1


def _match_keys(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t, t - 2, t - 1))
    return 1


def _check_exc_match(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t - 1, t - 2, t - 1))
    return 1


def _with_except_start(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t, t - 4, t - 1))  # result; exit function, exception
    return 1


def _reraise(pool: list, t: int, a: int, nl: int) -> int:
    if a:
        pool.append(t - 1 - a)  # saved lasti
    pool.append(t - 1)
    return 0


def _send(pool: list, t: int, a: int, nl: int) -> int:
    pool.extend((t - 2, t - 1, t - 2, t - 1))  # outs: union of both edges
    return 2


def _pop_or_keep(pool: list, t: int, a: int, nl: int) -> int:
    pool.append(t - 1)
    return 0


_SPECIAL: list = [None] * 256
for _names, _fn in (
    (("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE", "LOAD_CLASSDEREF"), _load_local),
    (("STORE_FAST",), _store_fast),
    (("DELETE_FAST",), _delete_fast),
    (("MAKE_CELL",), _make_cell),
    (("STORE_DEREF",), _store_deref),
    (("DELETE_DEREF",), _delete_deref),
    (("COPY_FREE_VARS",), _copy_free_vars),
    (("COPY",), _copy),
    (("SWAP",), _swap),
    (("LIST_APPEND", "SET_ADD", "LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE"), _container_add),
    (("MAP_ADD",), _map_add),
    (("DICT_MERGE",), _dict_merge),
    (("PRECALL",), _precall),
    (("IMPORT_FROM", "GET_ANEXT", "GET_LEN", "MATCH_MAPPING", "MATCH_SEQUENCE", "FOR_ITER"), _peek1),
    (("MATCH_KEYS",), _match_keys),
    (("CHECK_EXC_MATCH",), _check_exc_match),
    (("WITH_EXCEPT_START",), _with_except_start),
    (("RERAISE",), _reraise),
    (("SEND",), _send),
    (("JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP"), _pop_or_keep),
):
    for _n in _names:
        _SPECIAL[OPMAP[_n]] = _fn
del _names, _fn, _n

_INT_MAX = 2**31 - 1


def build(code: CodeType) -> Function:
    """Build the IR of one code object (not of the code objects nested in it)."""
    raw = code.co_code
    nbytes = len(raw)
    n_units = nbytes >> 1
    local_names = localsplus_names(code)
    nl = len(local_names)
    stacksize = code.co_stacksize

    # -- 1. decode: fold EXTENDED_ARG, skip CACHE, find leaders --------------
    ops: list[int] = []
    args: list[int] = []
    offs: list[int] = []
    starts: list[int] = []
    wins: list[tuple[int, int]] = []
    cum: list[int] = []  # stack depth change before instruction i, relative to instruction 0
    jumps: dict[int, int] = {}  # instruction index -> target unit
    idx_at = [-1] * (n_units + 1)  # start unit -> instruction index
    lead = bytearray(n_units + 1)
    lead[0] = 1
    running = 0
    ext = 0
    st = -1
    pos = 0
    ni = 0
    while pos < nbytes:
        op = raw[pos]
        if op == EXTENDED_ARG:
            if st < 0:
                st = pos >> 1
            ext = (ext | raw[pos + 1]) << 8
            if ext > _INT_MAX:
                raise IRBuildError("oparg-overflow", f"at unit {pos >> 1}")
            pos += 2
            continue
        if not KNOWN[op]:
            raise IRBuildError("unknown-opcode", f"opcode {op} at unit {pos >> 1}")
        u = pos >> 1
        if op >= HAVE_ARGUMENT:
            arg = raw[pos + 1] | ext
        elif ext:
            raise IRBuildError("bad-extended-arg", f"EXTENDED_ARG before no-arg opcode at {u}")
        else:
            arg = 0
        start = u if st < 0 else st
        st = -1
        ext = 0
        idx_at[start] = ni
        ops.append(op)
        args.append(arg)
        offs.append(u)
        starts.append(start)
        w = FIXED[op]
        if w is None:
            w = VARIABLE[op](arg)  # type: ignore[misc]  # FIXED is None exactly where VARIABLE is set
        wins.append(w)
        cum.append(running)
        running += w[1] - w[0]
        pos += SIZE[op] << 1
        if FLOW[op]:
            nxt = pos >> 1
            if nxt <= n_units:
                lead[nxt] = 1
            if JREL[op]:
                if _BACKWARD[op]:
                    tgt = nxt - arg
                else:
                    tgt = nxt + arg
                if tgt < 0 or tgt >= n_units:
                    raise IRBuildError("bad-jump-target", f"unit {u} jumps to {tgt}")
                jumps[ni] = tgt
                lead[tgt] = 1
        ni += 1
    if st >= 0:
        raise IRBuildError("bad-extended-arg", "trailing EXTENDED_ARG")
    if pos != nbytes:
        raise IRBuildError("truncated-code", "inline caches run past the end")
    if ni == 0:
        raise IRBuildError("empty-code")
    cum.append(running)
    idx_at[n_units] = ni

    for i, tgt in jumps.items():
        if idx_at[tgt] < 0:
            raise IRBuildError("bad-jump-target", f"unit {offs[i]} jumps into an instruction ({tgt})")

    entries = parse_exception_table(code.co_exceptiontable)
    for e in entries:
        if not (0 <= e.start < e.end <= n_units) or e.target >= n_units:
            raise IRBuildError("bad-exception-table", f"entry {e} out of range")
        if idx_at[e.start] < 0 or idx_at[e.end] < 0 or idx_at[e.target] < 0:
            raise IRBuildError("exc-table-misaligned", f"entry {e} not on instruction starts")
        lead[e.start] = 1
        lead[e.end] = 1
        lead[e.target] = 1

    # -- 2. blocks ------------------------------------------------------------
    bstart: list[int] = []
    bfirst: list[int] = []
    blk_at: dict[int, int] = {}
    u = 0
    find = lead.find
    while 0 <= u < n_units:
        blk_at[u] = len(bstart)
        bstart.append(u)
        bfirst.append(idx_at[u])
        u = find(1, u + 1)
    nb = len(bstart)
    bfirst.append(ni)

    # successors and per-edge depth deltas
    succs: list[tuple[int, ...]] = []
    deltas: list[tuple[int, ...]] = []
    resume = bytearray(nb)
    for b in range(nb):
        last = bfirst[b + 1] - 1
        op = ops[last]
        fl = FLOW[op]
        body = cum[last] - cum[bfirst[b]]
        w = wins[last]
        fall = body + w[1] - w[0]
        if fl == FLOW_EXIT:
            succs.append(())
            deltas.append(())
            continue
        if fl == FLOW_JUMP:
            succs.append((blk_at[jumps[last]],))
            deltas.append((fall,))
            continue
        if b + 1 >= nb:
            raise IRBuildError("falls-off-end", f"block at unit {bstart[b]}")
        if fl == FLOW_COND:
            jw = JUMP_FIXED[op]
            succs.append((b + 1, blk_at[jumps[last]]))
            deltas.append((fall, body + jw[1] - jw[0]))  # type: ignore[index]
        else:
            if fl == FLOW_YIELD:
                resume[b + 1] = 1
            succs.append((b + 1,))
            deltas.append((fall,))

    # exception handlers
    handler: list[int] = [-1] * nb
    hdepth = [0] * nb
    hlasti = bytearray(nb)
    depth = [-1] * nb
    work = [0]
    depth[0] = 0
    for e in entries:
        hb = blk_at[e.target]
        hd = e.depth + e.lasti + 1
        if depth[hb] < 0:
            depth[hb] = hd
            work.append(hb)
        elif depth[hb] != hd:
            raise IRBuildError("stack-depth-mismatch", f"handler at unit {e.target}")
        b = blk_at[e.start]
        while b < nb and bstart[b] < e.end:
            if handler[b] >= 0:
                raise IRBuildError("bad-exception-table", f"overlapping entries at unit {bstart[b]}")
            handler[b] = hb
            hdepth[b] = e.depth
            hlasti[b] = e.lasti
            b += 1

    # -- 3. entry depths (dataflow) -------------------------------------------
    while work:
        b = work.pop()
        d = depth[b]
        for s, dd in zip(succs[b], deltas[b], strict=True):
            nd = d + dd
            ds = depth[s]
            if ds < 0:
                depth[s] = nd
                work.append(s)
            elif ds != nd:
                raise IRBuildError(
                    "stack-depth-mismatch",
                    f"bb{s} at unit {bstart[s]}: {ds} vs {nd} from bb{b}",
                )
    # Blocks no edge reaches from the entry (CPython leaves a few, e.g. the
    # cleanup of ``except E as x: pass``) are kept, flagged unreachable, and
    # given a depth consistent with a successor, or else the least depth that
    # their instructions (and their handler) need.
    live = bytearray(nb)
    live[0] = 1
    work = [0]
    while work:
        b = work.pop()
        reach: tuple[int, ...] = succs[b] + (handler[b],) if handler[b] >= 0 else succs[b]
        for s in reach:
            if not live[s]:
                live[s] = 1
                work.append(s)
    for b in range(nb):
        if depth[b] >= 0:
            continue
        d = -1
        for s, dd in zip(succs[b], deltas[b], strict=True):
            if depth[s] >= 0:
                d = depth[s] - dd
                break
        if d < 0:
            rel = 0
            d = hdepth[b] if handler[b] >= 0 else 0
            for i in range(bfirst[b], bfirst[b + 1]):
                p, q = wins[i]
                d = max(d, p - rel)
                rel += q - p
        depth[b] = d
        work = [b]
        while work:
            c = work.pop()
            for s, dd in zip(succs[c], deltas[c], strict=True):
                nd = depth[c] + dd
                if depth[s] < 0:
                    depth[s] = nd
                    work.append(s)
                elif depth[s] != nd:
                    raise IRBuildError("stack-depth-mismatch", f"unreachable bb{s} at unit {bstart[s]}")

    # -- 4. operands and records ----------------------------------------------
    pool: list[int] = []
    rec: list[int] = []
    special = _SPECIAL
    for b in range(nb):
        d = depth[b]
        if handler[b] >= 0 and d < hdepth[b] and live[b]:
            raise IRBuildError("stack-depth-mismatch", f"bb{b} shallower than its handler's depth")
        first = bfirst[b]
        end = bfirst[b + 1]
        for i in range(first, end):
            op = ops[i]
            p, q = wins[i]
            if d < p:
                raise IRBuildError("stack-underflow", f"unit {offs[i]}")
            t = nl + d
            pp = len(pool)
            sp = special[op]
            if sp is None:
                base = t - p
                pool.extend(range(base, base + q))
                pool.extend(range(base, t))
                nout = q
            else:
                nout = sp(pool, t, args[i], nl)
            rec += (op, args[i], offs[i], starts[i], -1, d, nout, pp)
            d += q - p
            if d > stacksize:
                raise IRBuildError("stack-overflow", f"unit {offs[i]}: depth {d} > {stacksize}")
        last = end - 1
        if last in jumps:
            rec[last * REC + 4] = blk_at[jumps[last]]

    # LOAD_FASTs of locals bound on every path to them need no unbound check (bound.py)
    mark_always_bound(rec, bfirst, succs, handler, code_nargs(code))

    preds: list[list[int]] = [[] for _ in range(nb)]
    for b in range(nb):
        for s in succs[b]:
            if not preds[s] or preds[s][-1] != b:
                preds[s].append(b)
    blocks = [
        Block(
            b, bstart[b], bfirst[b], bfirst[b + 1], depth[b], succs[b], tuple(sorted(set(preds[b]))),
            handler[b] if handler[b] >= 0 else None, hdepth[b], bool(hlasti[b]), bool(resume[b]),
            not live[b],
        )
        for b in range(nb)
    ]
    return Function(
        code.co_name, code.co_qualname, code.co_flags, nl, stacksize, n_units, local_names,
        blocks, int_array(rec), int_array(pool), code,
    )
