"""The encoder core under `accel.bjit.x86`: registers, memory operands, condition codes, REX/ModRM/SIB.

Everything here is a pure function of its operands; the `Assembler` in x86.py strings these pieces together.
"""

from __future__ import annotations

import struct

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

__all__ = [
    "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
    "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI",
    "R8D", "R9D", "R10D", "R11D", "R12D", "R13D", "R14D", "R15D",
    "AL", "CL", "DL", "BL", "SPL", "BPL", "SIL", "DIL", "R8B", "R9B", "R10B", "R11B", "R12B", "R13B", "R14B", "R15B",
    "GPR64", "GPR32", "GPR8", "ARG_REGS", "CALLER_SAVED", "CALLEE_SAVED",
    "AsmError", "Reg", "Mem", "CONDITIONS", "CANONICAL_CONDITION", "cond_code", "invert",
    "fits_s8", "fits_s32", "fits_u32", "imm_bytes", "rel32_bytes", "rex", "modrm", "encode_rm", "encode", "NOPS",
    "nop_bytes",
]


class AsmError(ValueError):
    """An operand combination x86-64 cannot encode, an immediate out of range, or an unbound label."""


# ---------------------------------------------------------------------------------------------------- registers

_NAMES = {
    64: "rax rcx rdx rbx rsp rbp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15",
    32: "eax ecx edx ebx esp ebp esi edi r8d r9d r10d r11d r12d r13d r14d r15d",
    8: "al cl dl bl spl bpl sil dil r8b r9b r10b r11b r12b r13b r14b r15b",
}


class Reg:
    """A general-purpose register: its 4-bit number (bit 3 goes into a REX prefix) and its width in bits.

    There is one object per register (the tables below; r64/r32/r8 return them), so identity is equality, and
    hashing is CPython's own identity hash: registers key the encoding cache, and a Python-level __hash__ was a
    tenth of code generation's time.  (Plain classes here, not dataclasses: a dataclass costs a millisecond or
    two of exec at import, which every process that compiles pays.)"""

    __slots__ = ("code", "bits")

    def __init__(self, code: int, bits: int) -> None:
        self.code = code
        self.bits = bits

    @property
    def name(self) -> str:
        return _NAMES[self.bits].split()[self.code]

    @property
    def r64(self) -> Reg:
        return GPR64[self.code]

    @property
    def r32(self) -> Reg:
        return GPR32[self.code]

    @property
    def r8(self) -> Reg:
        return GPR8[self.code]

    @property
    def needs_rex_for_byte(self) -> bool:
        # Without any REX prefix, byte registers 4-7 mean ah/ch/dh/bh; with one (even 0x40) they mean spl/bpl/sil/dil.
        return self.bits == 8 and 4 <= self.code <= 7

    def __repr__(self) -> str:
        return self.name


RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 = (Reg(i, 64) for i in range(16))
EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D = (
    Reg(i, 32) for i in range(16))
AL, CL, DL, BL, SPL, BPL, SIL, DIL, R8B, R9B, R10B, R11B, R12B, R13B, R14B, R15B = (Reg(i, 8) for i in range(16))

GPR64 = (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15)
GPR32 = (EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D)
GPR8 = (AL, CL, DL, BL, SPL, BPL, SIL, DIL, R8B, R9B, R10B, R11B, R12B, R13B, R14B, R15B)

# System V AMD64: integer arguments, and the registers a callee may clobber / must preserve.
ARG_REGS = (RDI, RSI, RDX, RCX, R8, R9)
CALLER_SAVED = (RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11)
CALLEE_SAVED = (RBX, RBP, R12, R13, R14, R15)


# ---------------------------------------------------------------------------------------------------- memory


class Mem:
    """[base + index*scale + disp].  `base=None` means an absolute 32-bit address (sign-extended).  Immutable by
    convention: operands key the encoding cache."""

    __slots__ = ("base", "disp", "index", "scale", "_hash")

    def __hash__(self) -> int:  # computed once: operands key the encoding cache
        return self._hash

    def __eq__(self, other: object) -> bool:
        return type(other) is Mem and (self.base, self.disp, self.index, self.scale) == (
            other.base, other.disp, other.index, other.scale)

    def __repr__(self) -> str:
        return f"Mem(base={self.base!r}, disp={self.disp!r}, index={self.index!r}, scale={self.scale!r})"

    def __init__(self, base: Reg | None, disp: int = 0, index: Reg | None = None, scale: int = 1) -> None:
        self.base = base
        self.disp = disp
        self.index = index
        self.scale = scale
        self._hash = hash((base, disp, index, scale))
        for reg in (self.base, self.index):
            if reg is not None and (not isinstance(reg, Reg) or reg.bits != 64):
                raise AsmError(f"address registers must be 64-bit registers, not {reg!r}")
        if self.index is not None and self.index.code == 4:
            raise AsmError("rsp cannot be an index register (SIB index 100 means 'no index')")
        if self.scale not in (1, 2, 4, 8):
            raise AsmError(f"scale must be 1, 2, 4 or 8, not {self.scale}")
        if not fits_s32(self.disp):
            raise AsmError(f"displacement {self.disp:#x} does not fit in 32 bits signed")

    def __str__(self) -> str:
        parts = [p for p in (self.base and self.base.name, self.index and f"{self.index.name}*{self.scale}") if p]
        text = "+".join(parts)
        if self.disp or not parts:
            text += f"{'-' if self.disp < 0 else '+' if parts else ''}{abs(self.disp):#x}"
        return f"[{text}]"


# ---------------------------------------------------------------------------------------------------- conditions

# The 4-bit condition field shared by Jcc (0F 80+cc), SETcc (0F 90+cc) and CMOVcc (0F 40+cc).
# Flipping the low bit negates a condition, hence `invert`.
CONDITIONS: dict[str, int] = {
    "o": 0x0, "no": 0x1,
    "b": 0x2, "c": 0x2, "nae": 0x2, "ae": 0x3, "nb": 0x3, "nc": 0x3,   # unsigned <, >=
    "e": 0x4, "z": 0x4, "ne": 0x5, "nz": 0x5,
    "be": 0x6, "na": 0x6, "a": 0x7, "nbe": 0x7,                        # unsigned <=, >
    "s": 0x8, "ns": 0x9, "p": 0xA, "pe": 0xA, "np": 0xB, "po": 0xB,
    "l": 0xC, "nge": 0xC, "ge": 0xD, "nl": 0xD,                        # signed <, >=
    "le": 0xE, "ng": 0xE, "g": 0xF, "nle": 0xF,                        # signed <=, >
}
CANONICAL_CONDITION = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")


def cond_code(cond: str) -> int:
    try:
        return CONDITIONS[cond]
    except KeyError:
        raise AsmError(f"unknown condition {cond!r}") from None


def invert(cond: str) -> str:
    """The condition that holds exactly when `cond` does not ('l' -> 'ge')."""
    return CANONICAL_CONDITION[cond_code(cond) ^ 1]


# ---------------------------------------------------------------------------------------------------- immediates


def fits_s8(value: int) -> bool:
    return -0x80 <= value < 0x80


def fits_s32(value: int) -> bool:
    return -0x8000_0000 <= value < 0x8000_0000


def fits_u32(value: int) -> bool:
    return 0 <= value < 0x1_0000_0000


def imm_bytes(value: int, size: int) -> bytes:
    """`value` as a little-endian immediate of `size` bytes; signed or unsigned spelling both accepted."""
    bits = size * 8
    if not -(1 << (bits - 1)) <= value < (1 << bits):
        raise AsmError(f"immediate {value:#x} does not fit in {bits} bits")
    return (value & ((1 << bits) - 1)).to_bytes(size, "little")


def rel32_bytes(site_field_address: int, target_address: int) -> bytes:
    """The 4 bytes to store in a rel32 field at `site_field_address` so that the jump/call lands on `target_address`.

    x86 displacements count from the end of the instruction, and the rel32 field is always its last 4 bytes.
    """
    disp = target_address - (site_field_address + 4)
    if not fits_s32(disp):
        raise AsmError(f"target {target_address:#x} is out of rel32 range of {site_field_address:#x}")
    return struct.pack("<i", disp)


# ---------------------------------------------------------------------------------------------------- REX / ModRM / SIB


def rex(w: bool, rxb: int, force: bool = False) -> bytes:
    """0100WRXB.  R, X, B extend ModRM.reg, SIB.index and ModRM.rm/SIB.base to reach r8-r15; W selects 64-bit.

    Omitted when it would be 0x40 unless `force` (needed to address spl/bpl/sil/dil)."""
    byte = 0x40 | (w << 3) | rxb
    return bytes([byte]) if byte != 0x40 or force else b""


def modrm(mod: int, reg: int, rm: int) -> int:
    return (mod << 6) | ((reg & 7) << 3) | (rm & 7)


def encode_rm(reg: int, rm: Reg | Mem) -> tuple[int, bytes]:
    """ModRM (+ SIB + displacement) for ModRM.reg = `reg` (a register number or an opcode's /digit) and r/m = `rm`.

    Returns (REX.RXB bits, bytes).  The special cases come from how the 3-bit fields are reused:
    - rm=100 means "a SIB byte follows", so a base of rsp or r12 (low bits 100) can only be expressed via a SIB
      with base=100 and index=100 ("no index").
    - mod=00 with rm=101 (or SIB base=101) means "no base, disp32" (RIP-relative without a SIB), so a base of rbp
      or r13 (low bits 101) always needs a displacement: we use mod=01 with disp8=0.
    - mod=01 takes a sign-extended disp8, mod=10 a disp32: we pick the shortest.
    """
    rxb = (reg >> 3) << 2
    if isinstance(rm, Reg):
        return rxb | (rm.code >> 3), bytes([modrm(0b11, reg, rm.code)])
    index = rm.index.code if rm.index is not None else 0b100
    scale_bits = (1, 2, 4, 8).index(rm.scale)
    rxb |= (index >> 3) << 1
    if rm.base is None:
        # Absolute [index*scale + disp32]: SIB with base=101 and mod=00.
        sib = (scale_bits << 6) | ((index & 7) << 3) | 0b101
        return rxb, bytes([modrm(0b00, reg, 0b100), sib]) + struct.pack("<i", rm.disp)
    base = rm.base.code
    rxb |= base >> 3
    if rm.disp == 0 and base & 7 != 0b101:
        mod, disp = 0b00, b""
    elif fits_s8(rm.disp):
        mod, disp = 0b01, struct.pack("<b", rm.disp)
    else:
        mod, disp = 0b10, struct.pack("<i", rm.disp)
    if rm.index is None and base & 7 != 0b100:
        return rxb, bytes([modrm(mod, reg, base)]) + disp
    sib = (scale_bits << 6) | ((index & 7) << 3) | (base & 7)
    return rxb, bytes([modrm(mod, reg, 0b100), sib]) + disp


def encode(opcode: bytes, reg: int, rm: Reg | Mem, *, w: bool = False, prefix: bytes = b"",
           byte_regs: tuple[Reg | Mem | int, ...] = (), imm: bytes = b"") -> bytes:
    """A whole ModRM-form instruction: [legacy prefix] [REX] opcode ModRM [SIB] [disp] [imm].

    `byte_regs` lists the operands that are 8-bit registers, to force a REX prefix for spl/bpl/sil/dil."""
    rxb, tail = encode_rm(reg, rm)
    force = any(isinstance(r, Reg) and r.needs_rex_for_byte for r in byte_regs)
    return prefix + rex(w, rxb, force) + opcode + tail + imm


# Multi-byte NOPs recommended by the Intel optimisation manual (0F 1F /0 is "nop r/m32").
NOPS: tuple[bytes, ...] = (
    b"",
    bytes.fromhex("90"),
    bytes.fromhex("6690"),
    bytes.fromhex("0f1f00"),
    bytes.fromhex("0f1f4000"),
    bytes.fromhex("0f1f440000"),
    bytes.fromhex("660f1f440000"),
    bytes.fromhex("0f1f8000000000"),
    bytes.fromhex("0f1f840000000000"),
    bytes.fromhex("660f1f840000000000"),
)


def nop_bytes(count: int) -> bytes:
    """`count` bytes of NOPs in as few instructions as possible."""
    out = b""
    while count > 0:
        chunk = min(count, len(NOPS) - 1)
        out += NOPS[chunk]
        count -= chunk
    return out
