"""Block-level liveness of vregs, as Python-int bitsets (bit n = vreg n).

Backward dataflow over normal edges and exception edges::

    live_out(B) = U live_in(S) for S in succs(B)  |  H(B)
    live_in(B)  = use(B) | (live_out(B) & ~def(B)) | stack(B) | H(B)

``stack(B)`` = the stack slots below B's entry depth (values on the stack are
live by construction).  ``H(B)`` is what B's exception handler needs from the
protected block: the handler's live-in minus the stack slots at or above the
handler depth (those are discarded or overwritten by unwinding).  Since any
instruction of B may raise, ``H(B)`` is live throughout B.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .function import F_NOUT, F_POOL, REC, Liveness

if TYPE_CHECKING:
    from .function import Function


def block_use_def(fn: Function, b: int) -> tuple[int, int]:
    """``(use, def)`` bitsets of block ``b``: vregs read before written, vregs written."""
    blk = fn.blocks[b]
    r = fn.records
    ops = fn.operands
    use = 0
    defs = 0
    q = r[blk.end * REC + F_POOL] if blk.end < fn.n_instructions else len(ops)
    for i in range(blk.end - 1, blk.first - 1, -1):
        p = r[i * REC + F_POOL]
        m = p + r[i * REC + F_NOUT]
        for k in range(p, m):
            bit = 1 << ops[k]
            defs |= bit
            use &= ~bit
        for k in range(m, q):
            use |= 1 << ops[k]
        q = p
    return use, defs


def compute_liveness(fn: Function) -> Liveness:
    blocks = fn.blocks
    nb = len(blocks)
    nl = fn.nlocalsplus
    local_mask = (1 << nl) - 1
    use = [0] * nb
    kill = [0] * nb
    stack = [0] * nb
    for b in range(nb):
        use[b], d = block_use_def(fn, b)
        kill[b] = ~d
        stack[b] = ((1 << blocks[b].depth) - 1) << nl
    live_in = [0] * nb
    live_out = [0] * nb
    # handler-edge masks: locals plus the stack below the handler depth
    hmask = [0] * nb
    for b in range(nb):
        if blocks[b].handler is not None:
            hmask[b] = local_mask | (((1 << blocks[b].handler_depth) - 1) << nl)
    changed = True
    order = range(nb - 1, -1, -1)
    while changed:
        changed = False
        for b in order:
            blk = blocks[b]
            out = 0
            for s in blk.succs:
                out |= live_in[s]
            h = blk.handler
            hin = live_in[h] & hmask[b] if h is not None else 0
            out |= hin
            new_in = use[b] | (out & kill[b]) | stack[b] | hin
            if out != live_out[b] or new_in != live_in[b]:
                live_out[b] = out
                live_in[b] = new_in
                changed = True
    return Liveness(live_in, live_out)


def bits(x: int) -> list[int]:
    """The members of a bitset, ascending."""
    out = []
    n = 0
    while x:
        if x & 1:
            out.append(n)
        x >>= 1
        n += 1
    return out
