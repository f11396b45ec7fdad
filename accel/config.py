"""Every tunable of accel, in one place.

Each option has an environment variable, a default, a parser and one line of documentation; `accel.install()`
takes the same options as keyword arguments.  The README's options table is generated from OPTIONS
(`python -m accel --options`), so this file is the single source of truth.

Bad values never stop a program: a variable that does not parse, or is set to nothing, gets one warning naming
the variable, the value and the default used instead, and the program runs on.  Unknown ACCEL_* variables
(typos) get a warning too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

TYPE_CHECKING = False  # (typing is not imported at start-up: mypy's always_true makes this True for it)
if TYPE_CHECKING:
    from typing import Any


class OptionError(ValueError):
    """A value that does not parse; the message says what was expected."""


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise OptionError("expected 1/0, true/false, yes/no or on/off")


def _parse_count(text: str) -> int:
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise OptionError("expected a whole number >= 0") from None
    if value < 0:
        raise OptionError("expected a whole number >= 0")
    return value


def _parse_fraction(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise OptionError("expected a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise OptionError("expected a number from 0 to 1")
    return value


def _parse_tier(text: str) -> int:
    value = _parse_count(text)
    if value > 2:
        raise OptionError("expected 0, 1 or 2")
    return value


def _parse_patterns(text: str) -> tuple[str, ...]:
    patterns = tuple(p.strip() for p in text.split(",") if p.strip())
    if not patterns:
        raise OptionError("expected comma-separated module patterns")
    return patterns


LOG_LEVELS = {"off": 0, "0": 0, "info": 1, "1": 1, "debug": 2, "2": 2}


def _parse_log(text: str) -> int:
    try:
        return LOG_LEVELS[text.strip().lower()]
    except KeyError:
        raise OptionError("expected off, info or debug (or 0, 1, 2)") from None


def _parse_path(text: str) -> str:
    if not text.strip():
        raise OptionError("expected a path")
    return os.path.expanduser(text.strip())


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "accel")


class Option:
    """One tunable.  (Plain classes here, not dataclasses: this module is imported at every ACCEL=1 start-up,
    and dataclasses brings inspect, ast and dis with it -- 5 ms.)"""

    __slots__ = ("name", "env", "default", "parse", "doc")

    def __init__(self, name: str, env: str, default: Any, parse: Callable[[str], Any], doc: str) -> None:
        self.name = name  # attribute of Config and keyword of accel.install()
        self.env = env  # environment variable
        self.default = default
        self.parse = parse
        self.doc = doc


OPTIONS: tuple[Option, ...] = (
    Option("enabled", "ACCEL", False, _parse_bool,
           "turn accel on for the whole process at startup (the .pth hook)"),
    Option("include", "ACCEL_INCLUDE", None, _parse_patterns,
           "comma-separated module patterns to compile (default: every module)"),
    Option("exclude", "ACCEL_EXCLUDE", (), _parse_patterns,
           "comma-separated module patterns never to compile (accel and its dependencies always are)"),
    Option("bjit_threshold", "ACCEL_BJIT_THRESHOLD", 25, _parse_count,
           "calls before a function is compiled by the baseline JIT; 0 compiles at the first call"),
    Option("bjit_loop_threshold", "ACCEL_BJIT_LOOP_THRESHOLD", 1, _parse_count,
           "the same for functions with a loop once they have shown that they loop (see bjit_loop_us); never "
           "above bjit_threshold"),
    Option("bjit_loop_us", "ACCEL_BJIT_LOOP_US", 500, _parse_count,
           "microseconds a function with a loop must have spent in the interpreter, in all its calls, before "
           "bjit_loop_threshold applies to it (the interpreter cannot count loop iterations for us)"),
    Option("osr_us", "ACCEL_OSR_US", 1000, _parse_count,
           "a call of a function with a loop that has run this long in the interpreter moves into machine code at "
           "a loop back-edge (on-stack replacement; main thread, whole milliseconds); 0: off"),
    Option("lazy_blocks", "ACCEL_LAZY_BLOCKS", True, _parse_bool,
           "tier 1 compiles a function a basic block at a time, each block when first reached (off: all of a "
           "function's blocks at once)"),
    Option("bjit_templates", "ACCEL_BJIT_TEMPLATES", True, _parse_bool,
           "tier 1 places each instruction's machine code from a template made once per kind of instruction "
           "(off: the code generator runs for every instruction)"),
    Option("type_feedback", "ACCEL_TYPE_FEEDBACK", True, _parse_bool,
           "tier 1 reads CPython's quickened instructions as type feedback and puts only the cases a site saw "
           "inline (off: every case at every site)"),
    Option("ic_slots", "ACCEL_IC_SLOTS", True, _parse_bool,
           "attribute sites grow executable inline-cache slots for the cases their inline check does not cover "
           "(off: those go to the generic helper's data cache)"),
    Option("compile_budget", "ACCEL_COMPILE_BUDGET", 0.25, _parse_fraction,
           "the most of the process's CPU time automatic compiles may take (later ones wait); 0: no limit, and "
           "none with bjit_threshold 0"),
    Option("startup_ms", "ACCEL_STARTUP_MS", 100, _parse_count,
           "milliseconds of the process's CPU time before automatic compiles start (start-up code is not compiled "
           "for the little of it that runs again); part of the budget: none with compile_budget 0 or "
           "bjit_threshold 0"),
    Option("llvm_threshold", "ACCEL_LLVM_THRESHOLD", 2500, _parse_count,
           "calls (or loop back-edges) before a function goes to the LLVM tier"),
    Option("max_tier", "ACCEL_MAX_TIER", 2, _parse_tier,
           "highest tier to compile to; 0 installs the hook and counts calls but compiles nothing"),
    Option("stats", "ACCEL_STATS", False, _parse_bool, "print a summary of accel's counters to stderr at exit"),
    Option("stats_file", "ACCEL_STATS_FILE", None, _parse_path, "write accel's counters as JSON to this file at exit"),
    Option("perf_map", "ACCEL_PERF_MAP", False, _parse_bool,
           "write /tmp/perf-<pid>.map so `perf report` names compiled code"),
    Option("cache_dir", "ACCEL_CACHE_DIR", None, _parse_path,
           "where the LLVM tier caches object files (default ~/.cache/accel)"),
    Option("log", "ACCEL_LOG", 0, _parse_log, "log compiler events to stderr: off, info or debug"),
    Option("count_instructions", "ACCEL_COUNT_INSTRUCTIONS", False, _parse_bool,
           "measurement mode: count bytecode instructions run by machine code and by the interpreter (main "
           "thread; slows the interpreter's share down, as a C trace function does)"),
)

OPTIONS_BY_NAME = {o.name: o for o in OPTIONS}
KNOWN_ENV = {o.env for o in OPTIONS}


class Config:
    """The options, one frozen object (accel.install() makes it; tiers get what they need from it)."""

    enabled: bool = False
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    bjit_threshold: int = 25
    bjit_loop_threshold: int = 1
    bjit_loop_us: int = 500
    osr_us: int = 1000
    lazy_blocks: bool = True
    bjit_templates: bool = True
    type_feedback: bool = True
    ic_slots: bool = True
    compile_budget: float = 0.25
    startup_ms: int = 100
    llvm_threshold: int = 2500
    max_tier: int = 2
    stats: bool = False
    stats_file: str | None = None
    perf_map: bool = False
    cache_dir: str = ""  # (made from the environment when the object is: ~/.cache/accel)
    log: int = 0
    count_instructions: bool = False

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(OPTIONS_BY_NAME)
        if unknown:
            raise TypeError(f"Config: unknown options {sorted(unknown)}")
        for name in OPTIONS_BY_NAME:
            if name in values:
                value = values[name]
            else:
                value = _default_cache_dir() if name == "cache_dir" else getattr(Config, name)
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Config is frozen: {name} cannot be set (use with_options)")

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in OPTIONS_BY_NAME}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().items()))

    def __repr__(self) -> str:
        return "Config(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"

    def with_options(self, **options: Any) -> Config:
        """A copy with keyword options applied; unknown names or bad values raise TypeError/OptionError."""
        checked: dict[str, Any] = {}
        for name, value in options.items():
            if name not in OPTIONS_BY_NAME:
                known = ", ".join(sorted(OPTIONS_BY_NAME))
                raise TypeError(f"accel: unknown option {name!r} (known: {known})")
            checked[name] = _check_value(OPTIONS_BY_NAME[name], value)
        return Config(**{**self.as_dict(), **checked})


def _check_value(option: Option, value: Any) -> Any:
    if option.name in ("include", "exclude"):
        if value is None:
            return None if option.name == "include" else ()
        if isinstance(value, str):
            try:
                return _parse_patterns(value)
            except OptionError as exc:
                raise OptionError(f"accel: {option.name}={value!r}: {exc}") from None
        if not all(isinstance(p, str) and p.strip() for p in value):
            raise OptionError(f"accel: {option.name} must be a list of module-name patterns, got {value!r}")
        if option.name == "include" and not value:
            # (an include list that names nothing would compile nothing: max_tier=0 says that, if it is meant)
            raise OptionError("accel: include=[] names no module: leave it out to compile every module "
                              "(max_tier=0 compiles nothing)")
        return tuple(p.strip() for p in value)
    if option.name in ("stats_file", "cache_dir") and not isinstance(value, str):
        return None if value is None else os.fspath(value)
    if isinstance(option.default, bool) and isinstance(value, bool):
        return value
    if isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(option.default, bool)):
        try:
            return option.parse(str(value))
        except OptionError as exc:
            raise OptionError(f"accel: {option.name}={value!r}: {exc}") from None
    raise OptionError(f"accel: {option.name}={value!r}: expected {type(option.default).__name__}")


_warned: set[str] = set()


def warn(message: str) -> None:
    """One line on stderr, once per process; accel never raises into the program for a bad setting."""
    if message in _warned:
        return
    _warned.add(message)
    try:
        sys.stderr.write(f"accel: warning: {message}\n")
    except Exception:
        pass


def _default_text(option: Option) -> str:
    if option.name == "include":
        return "every module"
    return repr(option.default if option.name != "cache_dir" else _default_cache_dir())


def from_environ(environ: Mapping[str, str] | None = None) -> Config:
    """Read every option from the environment, warning once for each bad value or unknown variable.

    A variable set to nothing (or blanks) counts as unset, with a warning: `ACCEL_INCLUDE=` means every module,
    not none, and `ACCEL_LAZY_BLOCKS=` leaves the default on."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for option in OPTIONS:
        raw = environ.get(option.env)
        if raw is None:
            continue
        if not raw.strip():
            warn(f"{option.env}={raw!r} is empty; using the default ({_default_text(option)})")
            continue
        try:
            values[option.name] = option.parse(raw)
        except OptionError as exc:
            warn(f"{option.env}={raw!r} is not valid ({exc}); using the default ({_default_text(option)})")
    for key in environ:
        if key.startswith("ACCEL_") and key not in KNOWN_ENV:
            warn(f"unknown environment variable {key} ignored (known: {', '.join(sorted(KNOWN_ENV))})")
    if values.get("cache_dir") is None:
        values.pop("cache_dir", None)
    return Config(**values)


def options_table() -> str:
    """The README's options table, in Markdown."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for option in OPTIONS:
        default = "`~/.cache/accel`" if option.name == "cache_dir" else f"`{option.default!r}`"
        rows.append(f"| `{option.env}` | {default} | {option.doc} |")
    return "\n".join(rows)


assert set(Config.__annotations__) == set(OPTIONS_BY_NAME), "Config and OPTIONS disagree"
