"""accel's CFG IR for CPython 3.11 code objects.

``build(code)`` turns a code object into a :class:`Function`; ``parse(text)``
reads the text form produced by ``Function.dump()``.  See ``README.md`` here.
"""

from __future__ import annotations

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .builder import build, localsplus_names
from .errors import IRBuildError
from .exctable import ExcEntry, parse_exception_table
from .function import REC, Block, Function, Instr, Liveness
from .liveness import bits
from .opcodes import stack_effect
from .text import parse

__all__ = [
    "REC", "Block", "ExcEntry", "Function", "IRBuildError", "Instr", "Liveness", "bits", "build",
    "localsplus_names", "parse", "parse_exception_table", "stack_effect",
]
