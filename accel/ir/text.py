"""Text form of the IR: ``dump(fn)`` and its inverse ``parse(text)``.

See ``README.md`` in this package for the grammar and an example.  Comments
(after ``;``) carry local/const/name information for humans and never affect
the parsed IR; a parsed ``Function`` keeps them verbatim so that
``parse(t).dump() == t`` for any dump ``t``.
"""

from __future__ import annotations

import dis as _dis
import opcode as _opcode
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .errors import IRBuildError
from .function import ALWAYS_BOUND, ALWAYS_UNBOUND, REC, Block, Function, int_array
from .opcodes import FIXED, HAVE_ARGUMENT, LOCAL_OPS, OPMAP, OPNAME, VARIABLE

_HASNAME = frozenset(_opcode.hasname)
_LOAD_GLOBAL = OPMAP["LOAD_GLOBAL"]
_CONST_OPS = frozenset((OPMAP["LOAD_CONST"], OPMAP["KW_NAMES"]))
_COMPARE_OP = OPMAP["COMPARE_OP"]
_BINARY_OP = OPMAP["BINARY_OP"]
_NB_OPS = [sym for _, sym in _dis._nb_ops]  # type: ignore[attr-defined]
_MAXREPR = 40
_COL = 36


def _short(x: object) -> str:
    if isinstance(x, CodeType):
        return f"<code {x.co_qualname}>"
    s = repr(x)
    if len(s) > _MAXREPR:
        s = s[: _MAXREPR - 3].rstrip() + "..."
    return s


def _comment(fn: Function, code: CodeType, op: int, arg: int) -> str:
    try:
        if op in LOCAL_OPS:
            return fn.local_names[arg]
        if op in _CONST_OPS:
            return _short(code.co_consts[arg])
        if op == _LOAD_GLOBAL:
            name = code.co_names[arg >> 1]
            return f"NULL + {name}" if arg & 1 else name
        if op in _HASNAME:
            return code.co_names[arg]
        if op == _COMPARE_OP:
            return _opcode.cmp_op[arg]
        if op == _BINARY_OP:
            return _NB_OPS[arg]
    except IndexError:
        return "?"
    return ""


def dump(fn: Function) -> str:
    nl = fn.nlocalsplus
    out = [
        f"function name={fn.name} qualname={fn.qualname} flags={fn.flags:#x} nlocalsplus={nl} "
        f"stacksize={fn.stacksize} units={fn.code_units}",
        "locals:" + "".join(f" l{i}={n}" for i, n in enumerate(fn.local_names)),
    ]
    code = fn.code
    comments = fn.comments
    r = fn.records
    ops = fn.operands
    nops = len(ops)
    nrec = len(r)

    def vr(v: int) -> str:
        return f"l{v}" if v < nl else f"s{v - nl}"

    for blk in fn.blocks:
        h = "-" if blk.handler is None else (
            f"bb{blk.handler} hdepth={blk.handler_depth} lasti={int(blk.handler_lasti)}")
        line = (
            f"bb{blk.id} @{blk.start} depth={blk.depth} "
            f"preds={','.join(f'bb{p}' for p in blk.preds) or '-'} "
            f"succs={','.join(f'bb{s}' for s in blk.succs) or '-'} handler={h}"
        )
        if blk.resume:
            line += " resume"
        if blk.unreachable:
            line += " unreachable"
        out.append(line)
        for i in range(blk.first, blk.end):
            b = i * REC
            op, arg, off, start, tgt, _d, nout, p = r[b:b + REC]
            q = r[b + REC + 7] if b + REC < nrec else nops
            m = p + nout
            pos = str(off) if start == off else f"{start}:{off}"
            body = OPNAME[op]
            if nout:
                body = ", ".join(vr(v) for v in ops[p:m]) + " = " + body
            if op >= HAVE_ARGUMENT:
                body += f" {arg}"
            if q > m:
                body += " " + ", ".join(vr(v) for v in ops[m:q])
            if tgt >= 0:
                body += f" -> bb{tgt}"
            elif tgt == ALWAYS_BOUND:
                body += " !bound"
            elif tgt == ALWAYS_UNBOUND:
                body += " !unbound"
            if comments is not None:
                c = comments.get(i, "")
            elif code is not None:
                c = _comment(fn, code, op, arg)
            else:
                c = ""
            line = f"{pos:>7}  {body}"
            out.append(f"{line:<{_COL}} ; {c}" if c else line)
    return "\n".join(out) + "\n"


def _fail(lineno: int, msg: str) -> IRBuildError:
    return IRBuildError("parse-error", f"line {lineno}: {msg}")


def parse(text: str) -> Function:
    """Read the ``dump`` format back into a ``Function`` (comments kept verbatim)."""
    header: dict[str, str] | None = None
    local_names: tuple[str, ...] = ()
    blocks: list[Block] = []
    rec: list[int] = []
    pool: list[int] = []
    comments: dict[int, str] = {}
    nl = 0
    d = 0
    ni = 0
    for lineno, raw in enumerate(text.split("\n"), 1):
        body, sep, comment = raw.partition(";")
        s = body.strip()
        if not s or s.startswith("#"):
            continue
        try:
            if s.startswith("function "):
                header = dict(tok.split("=", 1) for tok in s.split()[1:])
                nl = int(header["nlocalsplus"])
            elif s.startswith("locals:"):
                names = []
                for k, tok in enumerate(s[7:].split()):
                    v, _, name = tok.partition("=")
                    if v != f"l{k}":
                        raise _fail(lineno, f"expected l{k}, got {v}")
                    names.append(name)
                local_names = tuple(names)
            elif s.startswith("bb"):
                toks = s.split()
                bid = int(toks[0][2:])
                if bid != len(blocks):
                    raise _fail(lineno, f"block bb{bid} out of order")
                kv = dict(t.split("=", 1) for t in toks[1:] if "=" in t)
                h = kv.get("handler", "-")

                def ids(x: str) -> tuple[int, ...]:
                    return () if x == "-" else tuple(int(y[2:]) for y in x.split(","))

                if blocks:
                    blocks[-1].end = ni
                blk = Block(
                    bid, int(toks[1][1:]), ni, ni, int(kv["depth"]), ids(kv["succs"]),
                    ids(kv["preds"]), None if h == "-" else int(h[2:]), int(kv.get("hdepth", 0)),
                    bool(int(kv.get("lasti", 0))), "resume" in toks[1:], "unreachable" in toks[1:],
                )
                blocks.append(blk)
                d = blk.depth
            elif s[0].isdigit():
                if not blocks:
                    raise _fail(lineno, "instruction before the first block")
                pos, _, rest = s.partition(" ")
                if ":" in pos:
                    start_s, off_s = pos.split(":")
                    start, off = int(start_s), int(off_s)
                else:
                    start = off = int(pos)
                rest = rest.strip()
                tgt = -1
                if rest.endswith("!bound"):  # a LOAD_FAST that cannot read an unbound local (ALWAYS_BOUND)
                    rest, tgt = rest[:-len("!bound")].rstrip(), ALWAYS_BOUND
                elif rest.endswith("!unbound"):  # a STORE_FAST to a local that holds nothing yet
                    rest, tgt = rest[:-len("!unbound")].rstrip(), ALWAYS_UNBOUND
                if "->" in rest:
                    rest, _, t = rest.partition("->")
                    tgt = int(t.strip()[2:])
                outs: list[str] = []
                if " = " in rest:
                    lhs, _, rest = rest.partition(" = ")
                    outs = [x.strip() for x in lhs.split(",")]
                toks = rest.replace(",", " ").split()
                op = OPMAP.get(toks[0], -1)
                if op < 0:
                    raise IRBuildError("unknown-opcode", f"line {lineno}: {toks[0]}")
                k = 1
                arg = 0
                if op >= HAVE_ARGUMENT:
                    arg = int(toks[1])
                    k = 2
                ins = toks[k:]
                p = len(pool)
                for v in outs + ins:
                    if v[0] == "l":
                        pool.append(int(v[1:]))
                    elif v[0] == "s":
                        pool.append(nl + int(v[1:]))
                    else:
                        raise _fail(lineno, f"bad vreg {v!r}")
                rec += (op, arg, off, start, tgt, d, len(outs), p)
                w = FIXED[op]
                if w is None:
                    w = VARIABLE[op](arg)  # type: ignore[misc]
                d += w[1] - w[0]
                if sep:
                    c = comment.strip()
                    if c:
                        comments[ni] = c
                ni += 1
            else:
                raise _fail(lineno, f"cannot read {s!r}")
        except (ValueError, KeyError, IndexError) as e:
            raise _fail(lineno, f"{type(e).__name__}: {e}") from None
    if header is None:
        raise IRBuildError("parse-error", "missing 'function' header")
    if blocks:
        blocks[-1].end = ni
    for blk in blocks:
        if blk.first == blk.end:
            raise IRBuildError("parse-error", f"empty block bb{blk.id}")
        if rec[blk.first * REC + 3] != blk.start:
            raise IRBuildError("parse-error", f"bb{blk.id} starts at {blk.start}, first instruction does not")
    return Function(
        header["name"], header["qualname"], int(header["flags"], 0), nl, int(header["stacksize"]),
        int(header["units"]), local_names, blocks, int_array(rec), int_array(pool), None, comments,
    )
