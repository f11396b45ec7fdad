"""The one exception type of the IR package."""

from __future__ import annotations

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py


class IRBuildError(Exception):
    """A code object (or IR text) the IR cannot represent.

    ``reason`` is a short stable tag (e.g. ``"stack-depth-mismatch"``,
    ``"unknown-opcode"``) meant for counting failures in statistics;
    ``detail`` is free text for humans.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
