"""accel.dis for compiled functions: bytecode offset, IR and machine code side by side.

The machine code is generated again for the listing (generation is deterministic for a given code object and
process, so it is byte for byte what runs) and disassembled at its real address, so jump targets read true.
"""

from __future__ import annotations

from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import build

from .codegen import Runtime, generate
from .disasm import decode


def listing(code: CodeType, address: int | None, data: int = 0) -> str:
    """The IR of `code` with each instruction's machine code under it; `address` is where the code lives (None:
    not compiled, IR only)."""
    fn = build(code)
    text = fn.dump()
    if address is None:
        return text
    result = generate(fn, code, Runtime.load(), data)
    decoded = decode(result.code, address)
    # each IR instruction's machine code runs from its offset to the next one's; stubs follow the blocks
    bounds = [offset for offset, _ in result.offsets] + [result.blocks_end]
    span = {index: (address + bounds[k], address + bounds[k + 1]) for k, (_, index) in enumerate(result.offsets)}
    lines = [f"; tier 1: {len(result.code)} bytes at {address:#x}, {result.blocks} blocks"]
    index = 0
    for line in text.splitlines():
        lines.append(line)
        if line.startswith(("function ", "locals:", "bb")):
            continue
        lo, hi = span.get(index, (0, 0))  # (not compiled: an exception handler, or unreachable)
        lines.extend(f"          {a:#x}  {raw.hex():<24} {asm}" for a, raw, asm in decoded if lo <= a < hi)
        index += 1
    lines.append("; out of line: exits, hand-backs, deallocations")
    lines.extend(f"          {a:#x}  {raw.hex():<24} {asm}" for a, raw, asm in decoded
                 if a >= address + result.blocks_end)
    return "\n".join(lines) + "\n"
