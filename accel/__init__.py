"""accel: a tiered JIT compiler for stock CPython 3.11.

    import accel
    accel.install()              # or ACCEL=1 in the environment, or python -m accel script.py

Tier 0 is CPython's interpreter with a PEP 523 hook that counts calls; hot functions are compiled from accel's
CFG IR by the baseline JIT (tier 1) and, hotter still, by the LLVM tier (tier 2).  See README.md.
"""

from __future__ import annotations

import atexit
import sys
from types import CodeType

from accel import config as _config
from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.stats import STATS as _STATS

TYPE_CHECKING = False  # (typing is not imported at start-up; see accel/config.py)
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"
__all__ = ["install", "uninstall", "enabled", "stats", "tier", "compile", "dis", "info", "site_feedback",
           "current_config"]

_current: _config.Config | None = None
_from_environ: _config.Config | None = None
_atexit_registered = False


def _environ_config() -> _config.Config:
    global _from_environ
    if _from_environ is None:
        _from_environ = _config.from_environ()
    return _from_environ


def current_config() -> _config.Config:
    """The options in force: those of the last install(), else the environment's."""
    return _current if _current is not None else _environ_config()


def install(include: list[str] | None = None, exclude: list[str] | None = None, **options: Any) -> None:
    """Turn accel on for this process (idempotent; a second call replaces the options of the first).

    Options are the environment's (ACCEL_*), overridden by the arguments.  include/exclude: module-name patterns
    ("myapp", "myapp.*"); default from ACCEL_INCLUDE/ACCEL_EXCLUDE, else every module.  Other keyword options are
    those of accel.config (bjit_threshold=0, max_tier=1, stats=True...).
    Raises TypeError/ValueError for bad options, RuntimeError if another PEP 523 evaluator is installed.
    """
    global _current
    from accel.runtime import compiler, core
    from accel.runtime.selection import ModuleSelection

    cfg = _environ_config()
    if include is not None:
        options["include"] = include
    if exclude is not None:
        options["exclude"] = exclude
    cfg = cfg.with_options(**options)
    c = core()
    # (a zero threshold means "compile everything at its first call": no budget then)
    budget = cfg.compile_budget if cfg.bjit_threshold > 0 else 0.0
    compiler.configure(ModuleSelection(cfg.include, cfg.exclude), cfg.log, cfg.max_tier, budget, cfg.lazy_blocks,
                       cfg.type_feedback, cfg.bjit_templates, cfg.cache_dir, cfg.startup_ms / 1000)
    if cfg.perf_map:
        from accel.bjit import perfmap

        perfmap.enabled = True
        # perf reads /tmp/perf-<pid>.map only for code in anonymous memory, not in the arena's memfd views
        # (it names those "memfd:accel-jit"): one private mapping per chunk, W^X kept by flipping its pages
        # around each write, which happens with the GIL held, so no thread runs code on a page while it is
        # writable.  Possible only before the first chunk is mapped.
        try:
            c.arena_force_flip_mode()
        except RuntimeError:
            compiler.log(1, "ACCEL_PERF_MAP: code already compiled stays where perf cannot name it")
    c.set_options(cfg.bjit_threshold, cfg.max_tier, cfg.bjit_loop_threshold, cfg.bjit_loop_us * 1000)
    c.ic_enable(cfg.ic_slots)
    # OSR needs the block-at-a-time entries; the watchdog ticks every millisecond
    c.set_osr(cfg.osr_us // 1000 + 1 if cfg.osr_us and cfg.lazy_blocks and cfg.max_tier else 0)
    if cfg.count_instructions and not c.bjit_layout()["counting"]:
        from accel.bjit import compiler as bjit_compiler

        c.count_instructions()
        bjit_compiler.reset_runtime()  # code generated from now on counts (code compiled before does not)
    c.set_block_compiler(compiler.on_block)
    c.install(compiler.on_hot)
    _current = cfg
    _register_atexit()


def uninstall() -> None:
    """Give frames back to CPython's own evaluator; compiled code stays attached but is no longer entered."""
    if "accel._core" not in sys.modules:
        return
    from accel.runtime import core

    core().uninstall()
    core().osr_stop()


def enabled() -> bool:
    """Is accel's eval-frame hook in place?"""
    if "accel._core" not in sys.modules:
        return False
    from accel.runtime import core

    return bool(core().installed())


def stats() -> dict[str, Any]:
    """accel's counters (see accel.stats for the keys)."""
    from accel.stats import snapshot

    return snapshot()


def _code_of(func: Any) -> CodeType:
    code = getattr(func, "__code__", func)
    code = getattr(code, "__func__", code)
    code = getattr(code, "__code__", code)
    if not isinstance(code, CodeType):
        raise TypeError(f"accel: expected a Python function or code object, got {type(func).__name__}")
    return code


def info(func: Any) -> dict[str, Any] | None:
    """The runtime's state for a function: calls counted, tier, flags; None if the runtime never saw it."""
    from accel.runtime import core

    return core().code_info(_code_of(func))


def tier(func: Any) -> int:
    """0 interpreter, 1 baseline JIT, 2 LLVM."""
    state = info(func) if "accel._core" in sys.modules else None
    return state["tier"] if state else 0


def compile(func: Any, tier: int = 1) -> int:  # noqa: A001 - the public name is deliberate
    """Compile now, whatever the counters say; return the tier reached.  Raises if compiling fails.

    Until tier 1 lands this builds and keeps the IR and returns 0.
    """
    if tier not in (1, 2):
        raise ValueError(f"accel.compile: tier must be 1 or 2, not {tier!r}")
    from accel.runtime import compiler, core

    code = _code_of(func)
    c = core()
    c.register_code(code, c.CS_INCLUDED)
    try:
        return compiler.compile_code(code, tier)
    except Exception as exc:
        compiler.record_failure(code, exc)
        raise


def dis(func: Any, file: Any = None) -> None:
    """Print the function's IR, and under each instruction its machine code when the function is at tier 1
    (disassembled with capstone or objdump when available, hex otherwise)."""
    from accel.bjit.listing import listing

    code = _code_of(func)
    state = info(func) if "accel._core" in sys.modules else None
    compiled = state is not None and state["tier"] >= 1
    address = state["jit_address"] if state is not None and compiled else None
    data = state["jit_data"] if state is not None and compiled else 0
    size = state["jit_size"] if state is not None and compiled else 0
    if compiled:
        from accel.runtime import core

        lazy = core().lazy_info(code)
    else:
        lazy = None
    (file or sys.stdout).write(listing(code, address, data, size, lazy))


def site_feedback(func: Any) -> list[dict[str, Any]]:
    """What the attribute sites of a function at tier 1 have seen, in bytecode order: for each, the instruction,
    its bytecode offset, the name, the state (monomorphic / polymorphic / megamorphic), hits and misses, the cache
    entries (kind and type version; the first is checked inline) and the executable inline-cache region's slots
    (kind, type, type version, hits).  Empty for a function not compiled."""
    from accel.bjit.listing import site_feedback as _site_feedback
    from accel.ir import build

    code = _code_of(func)
    state = info(func) if "accel._core" in sys.modules else None
    if state is None or state["tier"] < 1 or not state["jit_data"]:
        return []
    fn = build(code)
    return [site for _, site in sorted(_site_feedback(fn, code, state["jit_data"]).items())]


def _at_exit() -> None:
    cfg = _current
    if cfg is None:
        return
    if "accel._core" in sys.modules:
        from accel.runtime import core

        core().osr_stop()  # its watchdog must not queue calls while the interpreter finalizes
        # nothing is compiled from here on: what runs at exit (the stats writer's json, other atexit handlers)
        # runs once, and templates made now would not be kept
        core().set_options(cfg.bjit_threshold, 0, cfg.bjit_loop_threshold, cfg.bjit_loop_us * 1000)
    from accel.stats import print_summary, write_json  # accel.stats the name is the function below

    try:
        if cfg.stats:
            print_summary()
        if cfg.stats_file:
            write_json(cfg.stats_file)
    except Exception as exc:
        _config.warn(f"could not write stats: {exc}")


def _register_atexit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        atexit.register(_at_exit)
        _atexit_registered = True


del _STATS
