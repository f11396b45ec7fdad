"""The standard library's source files and the code objects in a module: what bench/ir_sweep.py and
bench/bjit_sweep.py walk."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import CodeType


def stdlib_files(root: str) -> list[str]:
    """Every .py file under `root` (site-packages and __pycache__ left out), in a stable order."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        out.extend(os.path.join(d, f) for f in sorted(files) if f.endswith(".py"))
    return out


def iter_codes(co: CodeType) -> Iterator[CodeType]:
    """`co` and every code object nested in its constants."""
    stack = [co]
    while stack:
        c = stack.pop()
        yield c
        stack.extend(k for k in c.co_consts if isinstance(k, CodeType))
