"""The import hook: registers every code object of each selected module as it is loaded.

A meta-path finder placed first on sys.meta_path asks the finders behind it for the spec, exactly as the import
system would, and when the loader is CPython's own SourceFileLoader or SourcelessFileLoader (plain .py and .pyc
modules) gives that loader instance a get_code() that also walks the module's code objects (functions, methods,
nested functions, lambdas, comprehensions, class bodies) and registers them with the C runtime, marked selected
or excluded.  The loader keeps its type; only its instance dictionary shows the wrapper.  Loaders of any other
kind (extension modules, zip imports, custom loaders) are left alone; their code is registered by the eval hook
the first time it runs.  The IR itself is built when a function gets hot, so an import pays only for a walk over
co_consts.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, SourceFileLoader, SourcelessFileLoader
from types import CodeType, ModuleType
from typing import Any

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.runtime import compiler, core
from accel.stats import STATS


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


class _RegisteringGetCode(functools.partial):
    """Stands in for a loader's get_code, as an attribute of that one loader instance: the loader keeps its own
    type (programs and CPython's tests look at type(module.__loader__)), and registration happens as the code
    object is made.  A functools.partial over a C function, so it adds no Python frame: CPython strips
    importlib's frames from import tracebacks (a SyntaxError in an imported module), and a frame of ours in the
    middle would stop that."""

    # File loaders compare equal when their instance dictionaries do (ModuleSpec equality relies on it), so
    # any two of these are equal: the loaders' names and paths still tell them apart.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, _RegisteringGetCode)

    def __hash__(self) -> int:
        return hash(_RegisteringGetCode)


class AccelFinder:
    """First on sys.meta_path; finds specs through the finders behind it and wraps plain file loaders.

    Its find_spec runs with tracing suspended (a C trampoline): a program tracing or measuring coverage must not
    see accel's code run inside its imports."""

    def __init__(self) -> None:
        self.find_spec = functools.partial(core().call_untraced, self._find_spec)

    def _find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        try:
            index = sys.meta_path.index(self)
        except ValueError:
            return None
        for finder in sys.meta_path[index + 1:]:
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                return None  # a legacy finder: let the import system handle the rest in its own order
            spec = find_spec(fullname, path, target)
            if spec is not None:
                return _wrap(spec)
        return None

    def invalidate_caches(self) -> None:
        pass


def _wrap(spec: ModuleSpec) -> ModuleSpec:
    loader: Any = spec.loader
    if type(loader) in (SourceFileLoader, SourcelessFileLoader) and "get_code" not in vars(loader):
        loader.get_code = _RegisteringGetCode(core().call_and_register, loader.get_code, register_module_code)
    return spec


_finder: AccelFinder | None = None


def install() -> None:
    global _finder
    if _finder is None:
        _finder = AccelFinder()
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
