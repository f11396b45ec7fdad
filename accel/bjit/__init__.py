"""Tier 1, the baseline JIT: x86-64 machine code from the CFG IR, a basic block at a time."""

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
