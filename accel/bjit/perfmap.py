"""perf map files: let `perf record`/`perf report` name tier-1 machine code.

With ACCEL_PERF_MAP=1, each compiled function adds a line `START SIZE py::qualname:file:line` to
/tmp/perf-<pid>.map, the format perf reads for JIT-generated code (tools/perf/Documentation/jit-interface.txt).
A forked child gets a file of its own, as its pid differs.
"""

from __future__ import annotations

import os
from types import CodeType
from typing import TextIO

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

enabled = False
_file: TextIO | None = None
_file_pid = -1


def path(pid: int | None = None) -> str:
    return f"/tmp/perf-{os.getpid() if pid is None else pid}.map"


def record(address: int, size: int, code: CodeType, suffix: str = "") -> None:
    global _file, _file_pid
    if not enabled:
        return
    if _file is None or _file_pid != os.getpid():
        _file = open(path(), "a", buffering=1)  # line-buffered: perf may read it while we run
        _file_pid = os.getpid()
    _file.write(f"{address:x} {size:x} py::{code.co_qualname}:{code.co_filename}:{code.co_firstlineno}{suffix}\n")
