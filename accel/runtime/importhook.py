"""The import hook: registers every code object of each selected module as it is loaded.

CPython's own file loaders for plain .py and .pyc modules (SourceFileLoader, SourcelessFileLoader) get, while
accel is installed, a class-level `get_code` that also walks the module's code objects (functions, methods, nested
functions, lambdas, comprehensions, class bodies) and registers them with the C runtime, marked selected or
excluded.  Nothing is put on loader instances: a module's `__loader__` keeps its type and compares equal to a fresh
loader for the same file, so `importlib.util.spec_from_file_location(name, path) == module.__spec__` holds as
without accel (ModuleSpec equality compares loaders, and file loaders compare their instance dictionaries).
Loaders of any other kind (extension modules, zip imports, custom loaders, subclasses of these two) are left
alone; their code is registered by the eval hook the first time it runs.  The IR itself is built when a function
gets hot, so an import pays only for a walk over co_consts.
"""

from __future__ import annotations

import functools
import time
from importlib.machinery import SourceFileLoader, SourcelessFileLoader
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.runtime import compiler, core
from accel.stats import STATS

TYPE_CHECKING = False  # (typing is not imported at start-up; see accel/config.py)
if TYPE_CHECKING:
    from typing import Any


def walk_code(code: CodeType) -> list[CodeType]:
    """`code` and every code object nested in its constants, depth first."""
    out = []
    todo = [code]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(k for k in c.co_consts if isinstance(k, CodeType))
    return out


def register_module_code(code: CodeType, module: str) -> int:
    """Register all code objects of a module; returns how many."""
    start = time.perf_counter()
    c = core()
    flags = c.CS_FROM_IMPORT | (c.CS_INCLUDED if compiler.selection()(module) else c.CS_EXCLUDED)
    codes = walk_code(code)
    for each in codes:
        c.register_code(each, flags)
    STATS.modules_hooked += 1
    STATS.import_hook_seconds += time.perf_counter() - start
    return len(codes)


_HOOKED = (SourceFileLoader, SourcelessFileLoader)


class _RegisteringGetCode:
    """The class-level get_code of one of the _HOOKED loader classes while accel is installed.

    A non-data descriptor: `loader.get_code` (a loader of exactly that class) gives
    partial(call_and_register, <the original bound method>, register_module_code), a C function: it adds no
    Python frame to the call, because CPython strips importlib's frames from import tracebacks (a SyntaxError in
    an imported module), and a frame of ours in the middle would stop that.  Subclasses and access through the
    class (`SourceFileLoader.get_code(loader, name)`) get the original.  `__get__` itself runs with tracing
    suspended (install() sets it): a program tracing or measuring coverage must not see accel's code run inside
    its imports."""

    def __init__(self, cls: type, original: Any) -> None:
        self.cls = cls
        self.original = original  # the function the class had (its own, or inherited) before
        self.own = "get_code" in cls.__dict__  # whether the class had one of its own, to put back

    def _get(self, loader: Any, owner: type | None = None) -> Any:
        if loader is None:
            return self.original
        bound = self.original.__get__(loader, owner)
        if type(loader) is not self.cls:
            return bound
        return functools.partial(core().call_and_register, bound, register_module_code)


def install() -> None:
    """Put the registering get_code on the hooked loader classes (idempotent)."""
    if "__get__" not in vars(_RegisteringGetCode):
        _RegisteringGetCode.__get__ = functools.partial(  # type: ignore[attr-defined]
            core().call_untraced, _RegisteringGetCode._get)
    for cls in _HOOKED:
        if not isinstance(cls.__dict__.get("get_code"), _RegisteringGetCode):
            cls.get_code = _RegisteringGetCode(cls, cls.get_code)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Give the loader classes their own get_code back."""
    for cls in _HOOKED:
        hook = cls.__dict__.get("get_code")
        if isinstance(hook, _RegisteringGetCode):
            if hook.own:
                cls.get_code = hook.original  # type: ignore[method-assign]
            else:
                del cls.get_code


def installed() -> bool:
    return all(isinstance(cls.__dict__.get("get_code"), _RegisteringGetCode) for cls in _HOOKED)
