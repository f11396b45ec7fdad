"""Tier-1 driver: generate machine code for a code object, place it in the code arena, attach it.

Most functions are compiled a basic block at a time (codegen.compiles_lazily): first a head (prologue, entry
block, exits), then each further block when the machine code first reaches it.  Usually all of it happens in C
(compile_tier1_in_c: csrc/bjit_plan.c builds the function's plan from its bytecode, csrc/bjit_lazy_place.c places
the head and, later, each block from templates).  What C declines comes here: compile_tier1 builds the IR and
places the head with the Python generator (handing C the plan for the blocks), and compile_block places a block C
could not (csrc/bjit_lazy.c asks for it).  A block's code is placed in its own arena chunk and linked to the code
placed before it; jumps that were aimed at its stub are patched to go straight there."""

from __future__ import annotations

import opcode
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import Function, build
from accel.ir.bound import TRACKED, entry_sets
from accel.ir.builder import code_nargs
from accel.ir.exctable import parse_exception_table
from accel.ir.function import F_OFFSET, F_OP, F_TARGET, REC, int_array
from accel.runtime import core
from accel.stats import STATS

from . import lazy_place, perfmap
from .codegen import (
    CO_OPTIMIZED,
    GENERATOR_FLAGS,
    CodegenResult,
    LazyLinks,
    Runtime,
    compiles_lazily,
    data_size,
    generate,
    generate_block,
    generate_head,
    near_calls,
)

_runtime: Runtime | None = None


def reset_runtime() -> None:
    """Forget the cached runtime layout (it records whether instruction counting is on)."""
    global _runtime
    _runtime = None


class MachineCode:
    __slots__ = ("address", "size", "result", "seconds")

    def __init__(self, address: int, size: int, result: CodegenResult, seconds: float) -> None:
        self.address = address
        self.size = size
        self.result = result
        self.seconds = seconds


def runtime() -> Runtime:
    """The C runtime's layout and helper addresses (loaded once)."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime.load()
    return _runtime


def compile_tier1_in_c(code: CodeType, lazy: bool = True) -> MachineCode | None:
    """Compile and attach without the Python compiler, when csrc/bjit_plan.c can (its plan built from the bytecode,
    its head placed by csrc/bjit_lazy_place.c); None when it declines: compile_tier1 then does it."""
    if not lazy or code.co_flags & GENERATOR_FLAGS or not code.co_flags & CO_OPTIMIZED:
        return None
    rt = runtime()
    if not lazy_place.applies(rt, code):
        return None
    start = time.perf_counter()
    lazy_place.setup(rt)
    placed = core().compile_in_c(code)
    if placed is None:
        return None
    seconds = time.perf_counter() - start
    STATS.functions_tier1 += 1
    STATS.bjit_compile_seconds += seconds  # (its bytes and instructions are C's counters)
    return MachineCode(placed[0], placed[1], CodegenResult(b""), seconds)


def compile_tier1(code: CodeType, fn: Function, lazy: bool = True) -> MachineCode:
    """Compile and attach (a block at a time when `lazy` and the function suits it); raises BjitError (or anything
    else: a bug) and then leaves the code alone."""
    rt = runtime()
    start = time.perf_counter()
    c = core()
    data = c.alloc_jit_data(code, data_size(fn, rt))  # owned by the code object from here on
    lazy = lazy and compiles_lazily(fn, code)
    result, address, placed = _generate_and_link(
        lambda: generate_head(fn, code, rt, data) if lazy else generate(fn, code, rt, data))
    try:
        c.arena_write(address, placed)
        if lazy:
            entries = int_array([field for block in fn.blocks for field in (block.start, block.depth)])
            c.lazy_init(code, len(fn.blocks), address + result.exit_offset, address + result.error_offset, entries)
        c.set_jit(code, address, len(result.code))
        if lazy:
            sites = [(b, address + offset) for b, offset in result.patch_sites]
            c.lazy_place(code, 0, address + result.block_offset, 0, 0, sites)
            c.lazy_osr(code, osr_entries(fn, code))
            _remember_ir(code, fn)
            if lazy_place.applies(rt, code):
                lazy_place.give_plan(fn, code, rt, data)  # (csrc/bjit_lazy_place.c places its blocks from now on)
    except BaseException:
        c.arena_free(address, len(result.code))
        raise
    seconds = time.perf_counter() - start
    perfmap.record(address, len(result.code), code)
    STATS.functions_tier1 += 1
    _count(result, seconds)
    return MachineCode(address, len(result.code), result, seconds)


def _generate_and_link(generate_code: Callable[[], CodegenResult]) -> tuple[CodegenResult, int, bytes]:
    """Generate, allocate arena space, link there: (result, address, the bytes to write).  Code whose direct
    calls cannot reach the C helpers from where it landed (the arena is mapped far from libpython) is made once
    more, calling through registers -- as is everything after it."""
    c = core()
    while True:
        result = generate_code()
        address = c.arena_alloc(len(result.code))
        try:
            # (csrc/bjit_place.c: a direct call or branch per instruction or so; OverflowError when out of reach)
            linked = c.place_link(result.code, address, result.externals) if result.externals else result.code
            return result, address, linked
        except OverflowError:
            c.arena_free(address, len(result.code))
            if not near_calls[0]:
                raise
            near_calls[0] = False
            lazy_place.turn_off(c)  # (C links blocks with direct calls only)
            STATS.bjit_far_calls += 1


_BACKWARD_JUMPS = frozenset(
    opcode.opmap[name] for name in ("JUMP_BACKWARD", "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE"))


def osr_entries(fn: Function, code: CodeType) -> list[tuple[int, ...]]:
    """(jump_unit, block, unit, depth, bound low, bound high, empty low, empty high) of each loop back-edge where a
    running interpreted frame may move into the machine code (csrc/osr.c): the interpreter leaves the frame there
    through its error path, which looks for a handler at the loop header's unit - 1, so no handler may cover that
    unit.  `bound` and `empty`: the plain locals the header's block counts as bound on every path and on none
    (ir/bound.py), which osr.c checks (32-bit halves)."""
    table = parse_exception_table(code.co_exceptiontable)
    blocks = fn.blocks
    shape = ([b.first for b in blocks] + [fn.n_instructions], [b.succs for b in blocks],
             [-1 if b.handler is None else b.handler for b in blocks], code_nargs(code))
    bound, may = entry_sets(fn.records, *shape)
    plain = (1 << min(code.co_nlocals, TRACKED)) - 1  # (cells and free variables are filled by the frame's set-up)
    out: list[tuple[int, ...]] = []
    records = fn.records
    for i in range(0, len(records), REC):
        if records[i + F_OP] not in _BACKWARD_JUMPS or records[i + F_TARGET] < 0:
            continue
        block = fn.blocks[records[i + F_TARGET]]
        if block.unreachable or block.resume or block.depth < 0:
            continue
        if any(e.start <= block.start - 1 < e.end for e in table):
            continue
        full, empty = bound[block.id], plain & ~may[block.id]
        out.append((records[i + F_OFFSET], block.id, block.start, block.depth, full & 0xFFFF_FFFF, full >> 32,
                    empty & 0xFFFF_FFFF, empty >> 32))
    return out


def compile_block(code: CodeType, b: int) -> MachineCode:
    """Compile block `b` of a function compiled a block at a time, place it and patch the jumps to it."""
    rt = runtime()
    start = time.perf_counter()
    c = core()
    info = c.lazy_info(code)
    if info is None:
        raise RuntimeError("compile_block: not compiled a block at a time")
    fn = _ir_of(code)
    links = LazyLinks(info["blocks"], info["exit"], info["error"])
    data = c.code_info(code)["jit_data"]
    result, address, placed = _generate_and_link(lambda: generate_block(fn, code, rt, data, b, links))
    try:
        c.arena_write(address, placed)
        sites = [(target, address + offset) for target, offset in result.patch_sites]
        c.lazy_place(code, b, address + result.block_offset, address, len(result.code), sites)
    except BaseException:
        c.arena_free(address, len(result.code))
        raise
    seconds = time.perf_counter() - start
    perfmap.record(address, len(result.code), code, f" bb{b}")
    STATS.bjit_blocks_compiled += 1
    _count(result, seconds)
    return MachineCode(address, len(result.code), result, seconds)


def _count(result: CodegenResult, seconds: float) -> None:
    STATS.bjit_code_bytes += len(result.code)
    STATS.bjit_compile_seconds += seconds
    STATS.bjit_instructions += result.instructions
    for name, count in result.handback_sites.items():
        STATS.bjit_unsupported_sites[name] += count


# The IR of functions that may still have blocks to compile.  Rebuilding it costs far more than placing a block
# from templates (a workload of 155 functions rebuilt 33 functions' IR, 10,065 instructions, 16 ms of its 107 ms
# of compiling, with 16 kept; 3 with 64), so the last 64 are kept -- no more: the IR is many small objects, and
# programs that count gc objects (CPython's own leak tests) see a cache that grows.
_IR_CACHE_SIZE = 64
_ir_cache: OrderedDict[int, tuple[weakref.ref[CodeType], Function]] = OrderedDict()


def _remember_ir(code: CodeType, fn: Function) -> None:
    key = core().address(code)  # (id() would raise an audit event the program's hooks would see)
    _ir_cache[key] = (weakref.ref(code), fn)
    _ir_cache.move_to_end(key)
    while len(_ir_cache) > _IR_CACHE_SIZE:
        _ir_cache.popitem(last=False)


def _ir_of(code: CodeType) -> Function:
    key = core().address(code)
    entry = _ir_cache.get(key)
    if entry is not None and entry[0]() is code:
        _ir_cache.move_to_end(key)
        return entry[1]
    fn = build(code)
    _remember_ir(code, fn)
    return fn
