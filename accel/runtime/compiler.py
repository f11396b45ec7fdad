"""The compile driver: what happens when the eval hook finds a function hot, or a user calls accel.compile().

The C hook calls `on_hot(function, code)` once per code object, past the call threshold, with a thread-local
flag set so that nothing this module runs is itself counted or compiled.  The driver:
  1. decides whether the function's module is selected (from its globals' __name__, once per module); an
     excluded code object is marked and never asked about again;
  2. hands the code object to the highest tier allowed: tier 1 compiles it in C when it can (no IR built:
     accel/bjit/compiler.py compile_tier1_in_c), else from the CFG IR (accel.ir) built here, timed and counted;
     tier 2 plugs in here.
Any exception is a compile failure: counted by reason, the code object is marked so it is never tried again, and
the function goes on in the interpreter.  KeyboardInterrupt and SystemExit pass through: they belong to the
program, and the code object stays eligible.
"""

from __future__ import annotations

import sys
import time
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.runtime import core
from accel.runtime.selection import ModuleSelection
from accel.stats import STATS

TYPE_CHECKING = False  # (typing is not imported at start-up; see accel/config.py)
if TYPE_CHECKING:
    from typing import Any

_selection = ModuleSelection()
_log_level = 0
_max_tier = 2
_budget = 0.0  # the most of the process's CPU time automatic compiles may take; 0: no limit
_lazy_blocks = True  # tier 1 a basic block at a time (ACCEL_LAZY_BLOCKS)
type_feedback = True  # tier 1 reads CPython's quickened instructions (ACCEL_TYPE_FEEDBACK; bjit/feedback.py)
_compile_seconds = 0.0  # what automatic compiles took so far
_startup = 0.0  # seconds of the process's CPU time before automatic compiles start (with a budget)
_tier1_options: tuple[bool, str | None] = (True, None)  # templates on, the template cache's folder
_tier1_configured: tuple[bool, str | None] | None = None  # what the tier was last told (at a compile)


def configure(selection: ModuleSelection, log_level: int, max_tier: int, budget: float = 0.0,
              lazy_blocks: bool = True, feedback: bool = True, templates: bool = True,
              cache_dir: str | None = None, startup: float = 0.0) -> None:
    global _selection, _log_level, _max_tier, _budget, _lazy_blocks, type_feedback, _tier1_options, _startup
    _startup = startup
    type_feedback = feedback
    _tier1_options = (templates, cache_dir)
    _selection = selection
    _log_level = log_level
    _max_tier = max_tier
    _budget = budget
    _lazy_blocks = lazy_blocks


def _configure_tier1() -> None:
    """Tell tier 1 its options at its first compile (importing it at install would cost every process's start)."""
    global _tier1_configured
    if _tier1_configured != _tier1_options:
        from accel.bjit import codegen, templates

        codegen.use_templates[0], templates.CACHE.path = _tier1_options
        _tier1_configured = _tier1_options


def over_budget() -> bool:
    """Compiling costs far more per instruction than running it: a short program that compiled everything past
    the threshold would spend most of its time in the compiler.  Automatic compiles are put off while they have
    taken more than the budget's share of the process's CPU time (blocks placed by csrc/bjit_lazy_place.c count
    too); the program's own time grows the allowance.  Nor do they start before the process has run `_startup`
    seconds: the functions start-up calls 25 times (the import system's) mostly do not run again, and a short
    process would pay the compiler's import for them."""
    if _budget <= 0:
        return False
    now = time.process_time()
    return now < _startup or _compile_seconds + core().lazy_place_seconds() > _budget * now


def budget_wait_ns() -> int:
    """How long the program must run before the budget allows compiles again (its CPU time can grow no faster
    than the clock on one thread; with more, the next request just checks again)."""
    if _budget <= 0:
        return 0
    spent = _compile_seconds + core().lazy_place_seconds()
    return max(0, int((max(spent / _budget, _startup) - time.process_time()) * 1e9))


def selection() -> ModuleSelection:
    return _selection


def log(level: int, message: str) -> None:
    if _log_level >= level:
        sys.stderr.write(f"accel: {message}\n")


def _failure_reason(exc: BaseException) -> str:
    # Compiler errors (accel.ir.IRBuildError and later tiers' own) carry a short stable `reason` and a `stage`.
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str):
        return f"{getattr(exc, 'stage', 'ir')}:{reason}"
    return f"internal:{type(exc).__name__}"


def build_ir(code: CodeType) -> Any:
    """The CFG IR of `code`, timed and counted."""
    from accel import ir  # imported at the first compile, not at startup

    start = time.perf_counter()
    function_ir = ir.build(code)
    elapsed = time.perf_counter() - start
    STATS.ir_build_seconds += elapsed
    STATS.ir_instructions += function_ir.n_instructions
    STATS.ir_bytes += function_ir.nbytes()
    log(2, f"IR for {code.co_qualname} ({code.co_filename}:{code.co_firstlineno}): "
           f"{function_ir.n_instructions} instructions in {elapsed * 1e6:.0f} us")
    return function_ir


def compile_code(code: CodeType, tier: int) -> int:
    """Compile `code` up to `tier`; return the tier it is at afterwards.  Raises on failure.

    Nothing the compiler builds outlives the compile: the machine code lives in the code arena, owned by the
    code object's C state, and the IR is dropped (accel.dis rebuilds it).  So compiling allocates no lasting
    Python objects, which programs that count gc objects (CPython's own leak tests do) would notice.
    """
    c = core()
    info = c.code_info(code)
    current = info["tier"] if info else 0
    if tier >= 1 and current < 1:
        from accel.bjit.compiler import compile_tier1, compile_tier1_in_c

        _configure_tier1()
        # (csrc/bjit_plan.c compiles most functions without building the IR; the others go the long way)
        machine = compile_tier1_in_c(code, _lazy_blocks) or compile_tier1(code, build_ir(code), _lazy_blocks)
        current = 1
        STATS.functions_compiled += 1
        log(1, f"tier 1: {code.co_qualname} ({code.co_filename}:{code.co_firstlineno}), "
               f"{machine.size} bytes in {machine.seconds * 1e6:.0f} us")
    # Tier 2 (accel.llvm) plugs in here.
    c.set_state(code, c.CS_COMPILED, 0, current, NotImplemented)
    return current


def _load_compiler() -> None:
    from accel.bjit import compiler

    compiler.runtime()  # (loaded once, then cached)


def on_hot(globals_: dict, code: CodeType) -> None:
    """Called by the C eval hook with the frame's globals (never raises, except KeyboardInterrupt/SystemExit).

    (The globals come from the frame rather than `function.__globals__`, whose access raises an audit event.)"""
    c = core()
    try:
        info = c.code_info(code)
        flags = info["flags"] if info else 0
        if not flags & (c.CS_INCLUDED | c.CS_EXCLUDED):
            module = globals_.get("__name__") if isinstance(globals_, dict) else None
            if not _selection(module):
                c.set_state(code, c.CS_EXCLUDED, 0, -1, NotImplemented)
                STATS.functions_excluded += 1
                return
            c.set_state(code, c.CS_INCLUDED, 0, -1, NotImplemented)
        if over_budget():
            STATS.compiles_deferred += 1
            c.defer(code, budget_wait_ns())
            return
        _load_compiler()  # (the one-time import is not charged to the budget)
        start = time.process_time()
        try:
            compile_code(code, _max_tier)
        finally:
            global _compile_seconds
            _compile_seconds += time.process_time() - start
    except RecursionError:
        # Deep in the program's recursion the compiler itself runs out of stack: try again at a later call.
        STATS.compiles_deferred += 1
        c.defer(code, 0)
    except Exception as exc:
        record_failure(code, exc)


def on_block(code: CodeType, block: int) -> int:
    """Called from machine code (csrc/bjit_lazy.c) when it first reaches block `block` of a function compiled a
    block at a time.  1: compiled and placed; 0: failed, the interpreter runs that block from now on; -1: not
    now (never raises, except KeyboardInterrupt/SystemExit)."""
    start = time.process_time()
    try:
        from accel.bjit.compiler import compile_block

        _configure_tier1()

        compile_block(code, block)
        return 1
    except RecursionError:
        return -1  # the program is deep in recursion: compiling needs stack too; the interpreter runs it this time
    except Exception as exc:
        reason = _failure_reason(exc)
        STATS.block_failures[reason] += 1
        log(1, f"could not compile block {block} of {code.co_qualname} "
               f"({code.co_filename}:{code.co_firstlineno}): {reason}: {exc}")
        return 0
    finally:
        global _compile_seconds
        _compile_seconds += time.process_time() - start


def record_failure(code: CodeType, exc: BaseException) -> None:
    reason = _failure_reason(exc)
    if getattr(exc, "is_failure", True):
        STATS.compile_failures[reason] += 1
    else:
        STATS.compile_skipped[reason] += 1
    try:
        core().set_state(code, core().CS_FAILED, 0, -1, NotImplemented)
    except Exception:
        pass
    log(1, f"could not compile {code.co_qualname} ({code.co_filename}:{code.co_firstlineno}): {reason}: {exc}")
