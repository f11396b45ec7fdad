"""Which modules accel compiles: include/exclude patterns matched against a module's name.

A pattern without wildcards names a module and everything below it ("myapp" matches myapp and myapp.db); a
pattern with `*`, `?` or `[` is an fnmatch pattern on the full dotted name ("myapp.*" matches only submodules).
Exclusion wins over inclusion.  accel and the libraries it runs on are always excluded: compiling the compiler
would recurse, and their code runs while a compile is under way.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

ALWAYS_EXCLUDED = ("accel", "llvmlite", "bytecode", "cffi", "_cffi_backend", "pycparser")


def _matches(name: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern + ".")


class ModuleSelection:
    """Decides, once per module name, whether its code may be compiled."""

    def __init__(self, include: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> None:
        self.include = tuple(include) if include is not None else None
        self.exclude = ALWAYS_EXCLUDED + tuple(exclude)
        self._cache: dict[str | None, bool] = {}

    def __call__(self, module: str | None) -> bool:
        try:
            return self._cache[module]
        except KeyError:
            pass
        if module is None or not isinstance(module, str):
            decision = self.include is None
        elif any(_matches(module, p) for p in self.exclude):
            decision = False
        else:
            decision = self.include is None or any(_matches(module, p) for p in self.include)
        self._cache[module] = decision
        return decision

    def __repr__(self) -> str:
        return f"ModuleSelection(include={self.include!r}, exclude={self.exclude!r})"
