"""Parser for CPython 3.11's ``co_exceptiontable``.

Format (``Objects/exception_handling_notes.txt``, ``Python/compile.c``
``assemble_emit_exception_table_entry``): a sequence of entries, each four
varints ``start, size, target, depth_lasti``, all in code units.  A varint is
big-endian in 6-bit groups; bit 6 (0x40) of a byte means "more bytes follow"
and bit 7 (0x80) marks the first byte of an entry.  The protected range is
``[start, start + size)`` (end exclusive, as ``get_exception_handler`` in
``ceval.c`` tests ``start + size > index``); ``depth_lasti`` is
``depth << 1 | lasti``.  ``dis._parse_exception_table`` returns the same
numbers multiplied by 2 (byte offsets).
"""

from __future__ import annotations

from typing import NamedTuple

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .errors import IRBuildError


class ExcEntry(NamedTuple):
    start: int  # first protected code unit
    end: int  # one past the last protected code unit
    target: int  # handler code unit
    depth: int  # stack depth the handler unwinds to
    lasti: bool  # push the raising instruction's offset before the exception


def parse_exception_table(table: bytes) -> list[ExcEntry]:
    """Decode a 3.11 exception table into entries in code units."""
    out: list[ExcEntry] = []
    n = len(table)
    pos = 0
    vals = [0, 0, 0, 0]
    while pos < n:
        for k in range(4):
            if pos >= n:
                raise IRBuildError("bad-exception-table", "truncated entry")
            b = table[pos]
            pos += 1
            v = b & 63
            while b & 64:
                if pos >= n:
                    raise IRBuildError("bad-exception-table", "truncated varint")
                b = table[pos]
                pos += 1
                v = (v << 6) | (b & 63)
            vals[k] = v
        start, size, target, dl = vals
        out.append(ExcEntry(start, start + size, target, dl >> 1, bool(dl & 1)))
    return out
