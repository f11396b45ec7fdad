"""Tier-1 driver: generate machine code for a code object, place it in the code arena, attach it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import Function
from accel.runtime import core
from accel.stats import STATS

from . import perfmap
from .codegen import CodegenResult, Runtime, data_size, generate

_runtime: Runtime | None = None


def reset_runtime() -> None:
    """Forget the cached runtime layout (it records whether instruction counting is on)."""
    global _runtime
    _runtime = None


@dataclass
class MachineCode:
    address: int
    size: int
    result: CodegenResult
    seconds: float


def runtime() -> Runtime:
    """The C runtime's layout and helper addresses (loaded once)."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime.load()
    return _runtime


def compile_tier1(code: CodeType, fn: Function) -> MachineCode:
    """Compile and attach; raises BjitError (or anything else: a bug) and then leaves the code alone."""
    rt = runtime()
    start = time.perf_counter()
    c = core()
    data = c.alloc_jit_data(code, data_size(fn, rt))  # owned by the code object from here on
    result = generate(fn, code, rt, data)
    address = c.arena_alloc(len(result.code))
    try:
        c.arena_write(address, result.code)
        c.set_jit(code, address, len(result.code))
    except BaseException:
        c.arena_free(address, len(result.code))
        raise
    seconds = time.perf_counter() - start
    perfmap.record(address, len(result.code), code)
    STATS.functions_tier1 += 1
    STATS.bjit_code_bytes += len(result.code)
    STATS.bjit_compile_seconds += seconds
    STATS.bjit_instructions += result.instructions
    for name, count in result.handback_sites.items():
        STATS.bjit_unsupported_sites[name] += count
    return MachineCode(address, len(result.code), result, seconds)
