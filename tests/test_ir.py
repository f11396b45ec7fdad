"""Tests for accel.ir: offsets, jumps, exception edges, stack effects, text, liveness."""

from __future__ import annotations

import dis
import importlib.util
import opcode
import os
import sys
import sysconfig
import textwrap
import warnings
from types import CodeType

import pytest

try:
    import accel.ir as ir
except ImportError:  # accel/__init__.py mid-edit by someone else: load the subpackage by path
    _root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "accel")
    _spec = importlib.util.spec_from_file_location(
        "accel.ir", os.path.join(_root, "ir", "__init__.py"),
        submodule_search_locations=[os.path.join(_root, "ir")],
    )
    ir = importlib.util.module_from_spec(_spec)
    sys.modules["accel.ir"] = ir
    _spec.loader.exec_module(ir)

from accel.ir.function import ALWAYS_BOUND, ALWAYS_UNBOUND, F_OP, F_TARGET, REC  # noqa: E402
from accel.ir.opcodes import COMPILER_DIFFERENCES, JUMP_FIXED  # noqa: E402

OPS = opcode.opmap
HASJREL = frozenset(opcode.hasjrel)

# ---------------------------------------------------------------------------
# sample code covering the 3.11 instruction set

SAMPLE_SRC = '''
import os
from sys import *
x: int = 1

def plain(a, b=2, *args, c, d=4, **kw):
    del a
    global x
    x = b + c
    return [args, kw, d, x]

def branches(a, b):
    if a and b or not a:
        r = 1 if a is None else 2
    elif a is not None:
        r = a < b < 3
    else:
        r = a in b
    while r:
        r -= 1
        if r == 5:
            break
        continue
    assert r, "msg"
    return r

def trys(a):
    try:
        a()
    except ValueError as e:
        print(e)
    except (TypeError, KeyError):
        pass
    else:
        a = 2
    finally:
        a = 3
    try:
        return a
    finally:
        print("x")

def trystar(a):
    try:
        a()
    except* ValueError as eg:
        print(eg)
    except* TypeError:
        pass

def withs(p):
    with open(p) as f, open(p) as g:
        return f.read() + g.read()

async def asyncs(aiter, cm):
    async with cm as c:
        async for v in aiter:
            await c(v)
    return [v async for v in aiter]

def gen(n):
    yield 1
    x = yield from range(n)
    for i in range(n):
        yield i * x

async def agen():
    yield 1
    await agen()

def comps(xs):
    return ([x for x in xs if x], {x: 1 for x in xs}, {x for x in xs}, (x for x in xs))

def closures(a):
    b = 1
    def inner(c):
        nonlocal b
        b += c
        del b
        return a
    lam = lambda: a + b
    return inner, lam

def classderef():
    v = 1
    class C:
        w = v
    return C

class K(object, metaclass=type):
    attr = 1
    def m(self):
        return super().m() + __class__.attr

def matcher(cmd):
    match cmd:
        case [1, 2, *rest]:
            return rest
        case {"k": v, **kw}:
            return v, kw
        case K(attr=1) | K(attr=2):
            return 1
        case str() as s if s:
            return s
        case (1 | 2) as n:
            return n
        case _:
            return None

def calls(f, a, kw):
    f(*a, **kw)
    f(1, 2, x=3, **kw)
    f(*a, 1)
    o = {**kw, "a": 1, **kw}
    s = f"{a!r:>{f}} {kw}"
    sl = a[1:2], a[1:2:3]
    a[0] = 1
    a[1:2] = []
    del a[0]
    a.x = 1
    del a.x
    return (o, s, sl, -a, +a, ~a, *a)

def unpack(t):
    a, *b, c = t
    d, e = t
    (f := 3)
    return a, b, c, d, e, f

def loop_else(xs):
    for x in xs:
        if x:
            break
    else:
        return 0
    while xs:
        xs = xs[1:]
    else:
        return 1
    return 2

def nested_try(a):
    for i in a:
        try:
            try:
                i()
            finally:
                continue
        except Exception:
            return i
    with a:
        with a:
            pass
'''


def big_source(n: int = 300) -> str:
    """A function with > 256 constants and > 256-unit jumps (EXTENDED_ARG everywhere)."""
    lines = ["def big(a):", "    r = 0", "    if a:"]
    lines += [f"        r += {i}.5" for i in range(n)]
    lines += ["    while r > 0:"]
    lines += [f"        r -= {i + n}.25" for i in range(n)]
    lines += ["    try:"]
    lines += [f"        r += a[{i}]" for i in range(n // 3)]
    lines += ["    except Exception:", "        r = -1", "    return r"]
    return "\n".join(lines) + "\n"


def all_codes(co: CodeType) -> list[CodeType]:
    out = []
    stack = [co]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(k for k in c.co_consts if isinstance(k, CodeType))
    return out


SAMPLE_CODES = all_codes(compile(SAMPLE_SRC, "<sample>", "exec")) + all_codes(
    compile(big_source(), "<big>", "exec")
)
SAMPLE_IDS = [f"{c.co_qualname}@{c.co_firstlineno}" for c in SAMPLE_CODES]


# ---------------------------------------------------------------------------
# checks against dis


def check_against_dis(co: CodeType) -> ir.Function:
    fn = ir.build(co)
    dins = list(dis.get_instructions(co))
    real = []
    ext_start = None
    for d in dins:
        if d.opname == "EXTENDED_ARG":
            if ext_start is None:
                ext_start = d.offset // 2
            continue
        real.append((d, d.offset // 2 if ext_start is None else ext_start))
        ext_start = None
    ours = list(fn.instructions())
    assert len(ours) == len(real)
    block_of = {}
    for blk in fn.blocks:
        for i in range(blk.first, blk.end):
            block_of[i] = blk
    entries = dis._parse_exception_table(co)
    for ins, (d, start) in zip(ours, real, strict=True):
        assert ins.offset == d.offset // 2
        assert ins.start == start
        assert ins.opname == d.opname
        assert ins.arg == (d.arg if d.arg is not None else 0)
        if d.opcode in HASJREL:
            assert ins.target >= 0
            assert fn.blocks[ins.target].start == d.argval // 2
            assert block_of[ins.index].end == ins.index + 1, "a jump ends its block"
        else:
            assert ins.target == -1 or (ins.target == ALWAYS_BOUND and ins.opname in ("LOAD_FAST", "STORE_FAST")) \
                or (ins.target == ALWAYS_UNBOUND and ins.opname == "STORE_FAST")
        blk = block_of[ins.index]
        cover = [e for e in entries if e.start <= d.offset < e.end]
        assert len(cover) <= 1
        if cover:
            e = cover[0]
            assert blk.handler is not None
            assert fn.blocks[blk.handler].start == e.target // 2
            assert blk.handler_depth == e.depth
            assert blk.handler_lasti == e.lasti
            assert fn.blocks[blk.handler].depth == e.depth + e.lasti + 1
        else:
            assert blk.handler is None
    check_consistency(fn)
    return fn


def check_consistency(fn: ir.Function) -> None:
    """Depths agree on every edge; operands are in range; blocks tile the instructions."""
    nl = fn.nlocalsplus
    assert fn.blocks[0].first == 0 and fn.blocks[-1].end == fn.n_instructions
    for a, b in zip(fn.blocks, fn.blocks[1:]):  # noqa: B905
        assert a.end == b.first and a.start < b.start
    for blk in fn.blocks:
        d = blk.depth
        for ins in fn.instructions(blk):
            assert ins.depth == d
            p, q = ir.stack_effect(ins.opcode, ins.arg)
            assert d >= p
            for v in ins.outs + ins.ins:
                assert 0 <= v < nl + fn.stacksize
            for v in ins.ins:  # stack inputs are below the depth
                assert v < nl + d
            d += q - p
            assert d <= fn.stacksize
        last = fn.instr(blk.end - 1)
        if len(blk.succs) == 2:
            jp, jq = ir.stack_effect(last.opcode, last.arg, jump=True)
            assert fn.blocks[blk.succs[0]].depth == d
            assert fn.blocks[blk.succs[1]].depth == d - (q - p) + (jq - jp)
            assert blk.succs[1] == last.target
        elif len(blk.succs) == 1:
            assert fn.blocks[blk.succs[0]].depth == d
        for s in blk.succs:
            assert blk.id in fn.blocks[s].preds
        if blk.id and fn.instr(blk.first - 1).opname in ("YIELD_VALUE", "RETURN_GENERATOR"):
            assert blk.resume
        else:
            assert not blk.resume


@pytest.mark.parametrize("co", SAMPLE_CODES, ids=SAMPLE_IDS)
def test_sample_against_dis(co: CodeType) -> None:
    fn = check_against_dis(co)
    text = fn.dump()
    back = ir.parse(text)
    assert back.dump() == text
    assert back.same_encoding(fn)


def test_sample_covers_interesting_things() -> None:
    seen = set()
    for co in SAMPLE_CODES:
        for ins in ir.build(co).instructions():
            seen.add(ins.opname)
    for name in ("SEND", "FOR_ITER", "CHECK_EG_MATCH", "PREP_RERAISE_STAR", "MATCH_CLASS", "MATCH_KEYS",
                 "WITH_EXCEPT_START", "BEFORE_ASYNC_WITH", "END_ASYNC_FOR", "GET_ANEXT", "MAKE_CELL",
                 "COPY_FREE_VARS", "LOAD_CLASSDEREF", "DELETE_DEREF", "DICT_MERGE", "CALL_FUNCTION_EX",
                 "IMPORT_STAR", "SETUP_ANNOTATIONS", "RETURN_GENERATOR", "ASYNC_GEN_WRAP", "KW_NAMES",
                 "JUMP_IF_FALSE_OR_POP", "POP_JUMP_BACKWARD_IF_TRUE", "UNPACK_EX", "BUILD_CONST_KEY_MAP"):
        assert name in seen, name


def test_extended_args() -> None:
    co = next(c for c in SAMPLE_CODES if c.co_name == "big")
    fn = check_against_dis(co)
    ext = [i for i in fn.instructions() if i.start != i.offset]
    assert any(i.target >= 0 for i in ext), "a jump with EXTENDED_ARG"
    assert any(i.opname == "LOAD_CONST" and i.arg > 255 for i in ext)
    assert "  " in fn.dump() and any(":" in line.split()[0] for line in fn.dump().split("\n")[2:] if line)


def test_generator_resume_blocks() -> None:
    co = next(c for c in SAMPLE_CODES if c.co_name == "gen")
    fn = ir.build(co)
    resumes = [b for b in fn.blocks if b.resume]
    assert len(resumes) >= 3  # after RETURN_GENERATOR, after each yield, inside yield from
    for b in resumes:
        prev = fn.instr(b.first - 1).opname
        assert fn.instr(b.first).opname == ("POP_TOP" if prev == "RETURN_GENERATOR" else "RESUME")


def test_localsplus_layout() -> None:
    for co in SAMPLE_CODES:
        names = ir.localsplus_names(co)
        assert [co._varname_from_oparg(i) for i in range(len(names))] == list(names)
        with pytest.raises(IndexError):
            co._varname_from_oparg(len(names))


# ---------------------------------------------------------------------------
# stack effects


def _args_for(op: int) -> list[int]:
    if op < opcode.HAVE_ARGUMENT:
        return [None]  # type: ignore[list-item]
    return [0, 1, 2, 3, 4, 5, 7, 8, 15, 255, 256, 0x102, 0x305]


def test_stack_effect_table_is_complete() -> None:
    for op, name in enumerate(opcode.opname):
        if name.startswith("<"):
            with pytest.raises(KeyError):
                ir.stack_effect(op, 0)
        else:
            ir.stack_effect(op, 1)


def test_stack_effects_match_dis() -> None:
    for op, name in enumerate(opcode.opname):
        if name.startswith("<"):
            continue
        for arg in _args_for(op):
            a = 0 if arg is None else arg
            if name == "BUILD_SLICE" and a not in (2, 3):
                continue
            for jump in (False, True):
                p, q = ir.stack_effect(op, a, jump)
                assert p >= 0 and q >= 0
                expect = dis.stack_effect(op, arg, jump=jump)
                if name == "PRECALL":
                    pc, qc = ir.stack_effect(OPS["CALL"], a, jump)
                    assert (q - p) + (qc - pc) == expect + dis.stack_effect(OPS["CALL"], a, jump=jump)
                elif name == "CALL":
                    assert q - p == -(a + 1)
                elif name == "RETURN_GENERATOR":
                    assert q - p == expect + 1
                else:
                    assert op not in COMPILER_DIFFERENCES
                    assert q - p == expect, (name, arg, jump)
            if JUMP_FIXED[op] is None:
                assert ir.stack_effect(op, a, True) == ir.stack_effect(op, a, False)


def test_stack_effects_per_instruction_in_samples() -> None:
    """Net effect of every built instruction equals dis.stack_effect (both edges)."""
    n = 0
    for co in SAMPLE_CODES:
        fn = ir.build(co)
        for ins in fn.instructions():
            if ins.opcode in COMPILER_DIFFERENCES:
                continue
            arg = ins.arg if ins.opcode >= opcode.HAVE_ARGUMENT else None
            for jump in (False, True):
                p, q = ir.stack_effect(ins.opcode, ins.arg, jump)
                assert q - p == dis.stack_effect(ins.opcode, arg, jump=jump)
            n += 1
    assert n > 1000


# ---------------------------------------------------------------------------
# text form


def _add(a, b):
    return a + b


ADD_IR = """\
function name=_add qualname=_add flags=0x1000003 nlocalsplus=2 stacksize=2 units=6
locals: l0=a l1=b
bb0 @0 depth=0 preds=- succs=- handler=-
      0  RESUME 0
      1  s0 = LOAD_FAST 0 l0 !bound  ; a
      2  s1 = LOAD_FAST 1 l1 !bound  ; b
      3  s0 = BINARY_OP 0 s0, s1     ; +
      5  RETURN_VALUE s0
"""


def _branch(x, y):
    if x:
        y = x.attr
    return y


BRANCH_IR = """\
function name=_branch qualname=_branch flags=0x1000003 nlocalsplus=2 stacksize=1 units=12
locals: l0=x l1=y
bb0 @0 depth=0 preds=- succs=bb1,bb2 handler=-
      0  RESUME 0
      1  s0 = LOAD_FAST 0 l0 !bound  ; x
      2  POP_JUMP_FORWARD_IF_FALSE 7 s0 -> bb2
bb1 @3 depth=0 preds=bb0 succs=bb2 handler=-
      3  s0 = LOAD_FAST 0 l0 !bound  ; x
      4  s0 = LOAD_ATTR 0 s0         ; attr
      9  l1 = STORE_FAST 1 s0 !bound ; y
bb2 @10 depth=0 preds=bb0,bb1 succs=- handler=-
     10  s0 = LOAD_FAST 1 l1 !bound  ; y
     11  RETURN_VALUE s0
"""


def test_literal_ir_add() -> None:
    assert ir.build(_add.__code__).dump() == ADD_IR
    assert ir.parse(ADD_IR).same_encoding(ir.build(_add.__code__))


def test_literal_ir_branch() -> None:
    fn = ir.build(_branch.__code__)
    assert fn.dump() == BRANCH_IR
    assert ir.parse(BRANCH_IR).same_encoding(fn)


def test_parse_ignores_comments_and_blank_lines() -> None:
    text = "# a comment\n" + ADD_IR.replace("; a", ";whatever").replace("\nbb0", "\n\nbb0")
    fn = ir.parse(text)
    assert fn.same_encoding(ir.build(_add.__code__))
    assert fn.comments[1] == "whatever"


def test_parse_errors() -> None:
    with pytest.raises(ir.IRBuildError) as ei:
        ir.parse(ADD_IR.replace("BINARY_OP", "BINARY_NOPE"))
    assert ei.value.reason == "unknown-opcode"
    with pytest.raises(ir.IRBuildError) as ei:
        ir.parse(ADD_IR.replace("s0 = LOAD_FAST 0 l0", "s0 = LOAD_FAST 0 x0"))
    assert ei.value.reason == "parse-error"
    with pytest.raises(ir.IRBuildError) as ei:
        ir.parse("bb0 @0 depth=0 preds=- succs=- handler=-\n")
    assert ei.value.reason == "parse-error"


def test_instruction_view() -> None:
    fn = ir.build(_add.__code__)
    i = fn.instr(3)
    assert (i.opname, i.arg, i.offset, i.start, i.depth, i.outs, i.ins) == ("BINARY_OP", 0, 3, 3, 2, (2,), (2, 3))
    assert list(fn.ins(3)) == [2, 3] and list(fn.outs(3)) == [2]
    assert fn.n_instructions == 5 and fn.code_units == 6 and fn.nlocalsplus == 2
    assert fn.nbytes() > 0


# ---------------------------------------------------------------------------
# liveness


def _live(x, y):
    z = x + 1
    if y:
        return z
    return x


def test_liveness_by_hand() -> None:
    fn = ir.build(_live.__code__)
    assert [b.start for b in fn.blocks] == [0, 8, 10]
    lv = fn.liveness()
    names = lambda s: {fn.vreg_name(v) for v in ir.bits(s)}  # noqa: E731
    # bb0 reads x and y and defines z; bb1 returns z; bb2 returns x
    assert names(lv.live_in[0]) == {"l0", "l1"}
    assert names(lv.live_out[0]) == {"l0", "l2"}
    assert names(lv.live_in[1]) == {"l2"}
    assert names(lv.live_in[2]) == {"l0"}
    assert lv.live_out[1] == lv.live_out[2] == 0


LOOP_WITH_HANDLER = """\
function name=t qualname=t flags=0x3 nlocalsplus=2 stacksize=3 units=9
locals: l0=a l1=b
bb0 @0 depth=0 preds=- succs=bb1 handler=-
      0  s0 = LOAD_FAST 0 l0
      1  s1 = LOAD_FAST 1 l1
bb1 @2 depth=2 preds=bb0 succs=bb2 handler=bb3 hdepth=1 lasti=0
      2  s1 = LOAD_FAST 1 l1
      3  l0 = STORE_FAST 0 s1
bb2 @4 depth=2 preds=bb1 succs=- handler=-
      4  POP_TOP s1
      5  RETURN_VALUE s0
bb3 @6 depth=2 preds=- succs=- handler=-
      6  l0 = STORE_FAST 0 s1
      7  s1 = LOAD_FAST 0 l0
      8  RETURN_VALUE s1
"""


def test_liveness_exception_edges() -> None:
    fn = ir.parse(LOOP_WITH_HANDLER)
    lv = fn.liveness()
    names = lambda s: {fn.vreg_name(v) for v in ir.bits(s)}  # noqa: E731
    # handler needs s0 (below its depth 1) and the incoming exception s1 (pushed by unwinding)
    assert names(lv.live_in[3]) == {"s0", "s1"}
    # through the protected block only s0 is needed by the handler edge; l0 is dead (overwritten)
    assert names(lv.live_in[1]) == {"s0", "s1", "l1"}
    assert names(lv.live_out[1]) == {"s0", "s1"}
    assert names(lv.live_in[0]) == {"l0", "l1"}
    assert fn.dump() == LOOP_WITH_HANDLER


# ---------------------------------------------------------------------------
# errors


def test_unknown_opcode() -> None:
    co = _add.__code__
    bad = bytearray(co.co_code)
    bad[2] = 200  # "<200>" (not even a specialized opcode, which co_code would deoptimize)
    with pytest.raises(ir.IRBuildError) as ei:
        ir.build(co.replace(co_code=bytes(bad)))
    assert ei.value.reason == "unknown-opcode"


def test_depth_mismatch() -> None:
    co = _branch.__code__
    bad = bytearray(co.co_code)
    # turn the STORE_FAST in the fallthrough arm into a NOP: bb2 is entered at depth 1 and 0
    k = bad.index(bytes([OPS["STORE_FAST"], 1]))
    bad[k] = OPS["NOP"]
    bad[k + 1] = 0
    with pytest.raises(ir.IRBuildError) as ei:
        ir.build(co.replace(co_code=bytes(bad)))
    assert ei.value.reason == "stack-depth-mismatch"


def test_bad_jump() -> None:
    co = _branch.__code__
    bad = bytearray(co.co_code)
    k = bad.index(bytes([OPS["POP_JUMP_FORWARD_IF_FALSE"]]))
    bad[k + 1] = 200
    with pytest.raises(ir.IRBuildError) as ei:
        ir.build(co.replace(co_code=bytes(bad)))
    assert ei.value.reason == "bad-jump-target"


def test_exception_table_parser() -> None:
    for co in SAMPLE_CODES:
        mine = [(e.start * 2, e.end * 2, e.target * 2, e.depth, e.lasti)
                for e in ir.parse_exception_table(co.co_exceptiontable)]
        theirs = [(e.start, e.end, e.target, e.depth, e.lasti) for e in dis._parse_exception_table(co)]
        assert mine == theirs


# ---------------------------------------------------------------------------
# stdlib sweep

STDLIB_MODULES = [
    "argparse", "ast", "asyncio.base_events", "asyncio.tasks", "calendar", "collections", "configparser",
    "contextlib", "csv", "dataclasses", "datetime", "decimal", "difflib", "email.message", "enum",
    "fractions", "ftplib", "functools", "gettext", "glob", "heapq", "http.client", "inspect", "ipaddress",
    "json.decoder", "logging", "os", "pathlib", "pickle", "pprint", "random", "re._compiler", "shutil",
    "smtplib", "statistics", "string", "subprocess", "tarfile", "textwrap", "threading", "typing",
    "unittest.case", "urllib.parse", "uuid", "zipfile",
]


def _stdlib_code(mod: str) -> CodeType:
    root = sysconfig.get_paths()["stdlib"]
    parts = mod.split(".")
    path = os.path.join(root, *parts) + ".py"
    if not os.path.exists(path):
        path = os.path.join(root, *parts, "__init__.py")
    with open(path, "rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(f.read(), path, "exec")


@pytest.mark.parametrize("mod", STDLIB_MODULES)
def test_stdlib_sweep(mod: str) -> None:
    failures = []
    for co in all_codes(_stdlib_code(mod)):
        try:
            fn = check_against_dis(co)
            text = fn.dump()
            back = ir.parse(text)
            assert back.dump() == text and back.same_encoding(fn)
            fn.liveness()
        except (ir.IRBuildError, AssertionError) as e:
            failures.append(f"{co.co_qualname}: {e!r}")
    assert not failures, failures[:5]


def test_module_level_code() -> None:
    src = textwrap.dedent("""
        from os import *
        class A:
            x = 1
            def f(self): return x
        try:
            import nothing_here
        except ImportError:
            pass
        """)
    for co in all_codes(compile(src, "<m>", "exec")):
        check_against_dis(co)


def test_loads_of_locals_bound_on_every_path_need_no_unbound_check():
    """bound.py: a LOAD_FAST is marked ALWAYS_BOUND (tier 1 leaves its NULL check out) when its local is an
    argument the code never deletes, or was stored or loaded on every path to it -- an exception handler counts
    what held where the protected code began.  A deleted argument, a local bound on some paths only (z), one
    bound only inside the protected code (u, in the handler), a loop variable read after the loop (i) stay
    unmarked; a second load right after a checked one (z again) is marked.  A STORE_FAST is marked ALWAYS_UNBOUND
    when no path bound its local (nothing to release), ALWAYS_BOUND when every path did.  C's plan marks the
    same."""
    def f(a, b, *rest, c, **kw):
        x = a + c
        del b
        if a:
            y = 1
        else:
            y = 2
        if c:
            z = 1
        for i in rest:  # noqa: B007  (read after the loop)
            pass
        t = 0
        x = -x
        try:
            u = a / c
        except ZeroDivisionError:
            return t, u
        return x, y, z, z, i, rest, kw

    fn = ir.build(f.__code__)
    names = fn.local_names
    loads = [i for i in range(fn.n_instructions) if fn.records[i * REC + F_OP] == dis.opmap["LOAD_FAST"]]
    marks = [(names[fn.records[i * REC + 1]], fn.records[i * REC + F_TARGET] == ALWAYS_BOUND) for i in loads]
    assert marks == [("a", True), ("c", True), ("a", True), ("c", True), ("rest", True), ("x", True), ("a", True),
                     ("c", True), ("t", True), ("u", False), ("x", True), ("y", True), ("z", False), ("z", True),
                     ("i", False), ("rest", True), ("kw", True)], marks
    # stores: into a local no path bound (no old value to release), one bound on every path, or maybe bound
    stores = [i for i in range(fn.n_instructions) if fn.records[i * REC + F_OP] == dis.opmap["STORE_FAST"]]
    store_marks = [(names[fn.records[i * REC + 1]], fn.records[i * REC + F_TARGET]) for i in stores]
    assert store_marks == [("x", ALWAYS_UNBOUND), ("y", ALWAYS_UNBOUND), ("y", ALWAYS_UNBOUND), ("z", ALWAYS_UNBOUND),
                           ("i", -1), ("t", ALWAYS_UNBOUND), ("x", ALWAYS_BOUND), ("u", ALWAYS_UNBOUND)], store_marks
    loads += stores
    import array

    from accel.bjit import lazy_place
    from accel.bjit.codegen import Runtime
    from accel.runtime import core

    lazy_place.setup(Runtime.load())
    plan = core().plan_dry(f.__code__)
    c_records = array.array("i", plan[0])
    assert [c_records[i * REC + F_TARGET] for i in loads] == [fn.records[i * REC + F_TARGET] for i in loads]
