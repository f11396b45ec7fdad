"""Disassembly of generated machine code, for `accel.dis` and the tests.

Uses capstone if it is importable, else binutils' objdump on a temporary file, else plain hex dumps.  Text is Intel
syntax; `decode` gives (address, bytes, text) triples and `disassemble` formatted lines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

Insn = tuple[int, bytes, str]  # address, encoding, "mnemonic operands"

_OBJDUMP_LINE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$")


def available_backends() -> list[str]:
    backends = []
    try:
        import capstone  # noqa: F401
        backends.append("capstone")
    except ImportError:
        pass
    if shutil.which("objdump"):
        backends.append("objdump")
    return [*backends, "hex"]


def decode(code: bytes, address: int = 0, backend: str | None = None) -> list[Insn]:
    """Decode `code` as if loaded at `address`.  `backend`: "capstone", "objdump", "hex" or None (best available)."""
    backend = backend or available_backends()[0]
    if backend == "capstone":
        return _decode_capstone(code, address)
    if backend == "objdump":
        return _decode_objdump(code, address)
    if backend == "hex":
        return [(address + i, code[i:i + 8], ".byte " + code[i:i + 8].hex(" ")) for i in range(0, len(code), 8)]
    raise ValueError(f"unknown disassembler backend {backend!r}")


def disassemble(code: bytes, address: int = 0, backend: str | None = None) -> list[str]:
    """One line per instruction: address, hex bytes, Intel-syntax text."""
    return [f"{addr:#8x}:  {raw.hex(' '):<30} {text}" for addr, raw, text in decode(code, address, backend)]


def _decode_capstone(code: bytes, address: int) -> list[Insn]:
    import capstone

    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    out: list[Insn] = []
    offset = 0
    while offset < len(code):
        insns = list(md.disasm(code[offset:], address + offset))
        for insn in insns:
            out.append((insn.address, bytes(insn.bytes), f"{insn.mnemonic} {insn.op_str}".strip()))
            offset += insn.size
        if offset < len(code):  # undecodable byte: show it and carry on after it
            out.append((address + offset, code[offset:offset + 1], f".byte {code[offset]:#04x}"))
            offset += 1
    return out


def _decode_objdump(code: bytes, address: int) -> list[Insn]:
    fd, path = tempfile.mkstemp(suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(code)
        proc = subprocess.run(
            ["objdump", "-D", "-b", "binary", "-mi386:x86-64", "-M", "intel", "--insn-width=16",
             f"--adjust-vma={address:#x}", path], capture_output=True, text=True, check=True)
    finally:
        os.unlink(path)
    out: list[Insn] = []
    for line in proc.stdout.splitlines():
        match = _OBJDUMP_LINE.match(line)
        if match:
            addr, raw, text = match.groups()
            out.append((int(addr, 16), bytes.fromhex(raw), " ".join(text.split(None, 1))))
    return out
