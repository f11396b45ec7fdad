"""A small table-driven x86-64 assembler for the baseline JIT.

Design
------
x86 looks irregular, but the integer instructions the JIT needs are a handful of *shapes* filled in from tables:

    [66/F3 prefix] [REX] opcode [ModRM [SIB] [disp8|disp32]] [imm8|imm32|imm64]

* REX (0100WRXB) supplies the 4th bit of each register number (R: ModRM.reg, X: SIB.index, B: ModRM.rm or SIB.base)
  and W (64-bit operand size).  It is also what turns byte registers 4-7 from ah..bh into spl..dil.
* ModRM names two operands: `reg` (a register, or for one-operand groups an opcode extension "/digit") and `rm`
  (a register, or a memory operand built from mod/rm plus an optional SIB byte and displacement).  The holes in
  that scheme (rsp/r12 need a SIB, rbp/r13 need a displacement) are all handled in one place, `encode_rm` in
  x86_enc.py, so the instruction methods never think about them.
* Whole families share an encoding and differ only in a number.  The eight classic ALU ops (`ALU_OPS`) are
  opcode `digit*8 + {0,1,2,3}` for r/m<-r and r<-r/m forms, and `80/81/83 /digit` with an immediate; the shifts
  are `C1 /digit`; not/neg/mul/div are `F7 /digit`; Jcc/SETcc/CMOVcc add a 4-bit condition code (`CONDITIONS`)
  to a base opcode.  The low opcode bit selects byte (0) vs. 16/32/64-bit (1) operands, hence the `op8` helpers.

Operand size comes from the register operands (RAX is 64-bit, EAX 32-bit, AL 8-bit).  When the only operands are
memory and an immediate, the keyword `size=` says how wide (default 64, a qword).

Branches: `jmp`/`jcc`/`call` to a `Label`.  A backward branch whose target is within reach gets the 2-byte rel8
form; everything else uses rel32 so a forward reference never needs re-layout (fixed at `bind`, checked at
`finish`) -- except in template mode, where the generator runs twice and the second run makes rel8 the branches
the first found within reach (`short_plan`, templates.short_branches).  "Patchable" sites (`jmp_patchable`,
`jcc_patchable`, `mov_imm64`) always use the long form and return the offset of their rel32/imm64 field, so once
the code lives at some address the runtime can retarget them with `rel32_bytes(field_address, new_target)`.

Usage::

    a = Assembler()
    done = a.label()
    a.mov(RAX, RDI); a.test(RSI, RSI); a.jcc("z", done); a.add(RAX, RSI)
    a.bind(done); a.ret()
    code = a.finish()
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .x86_enc import *  # noqa: F403  re-exported: x86 is the one module the code generator imports
from .x86_enc import (
    CL,
    GPR64,
    R11,
    AsmError,
    Mem,
    Reg,
    cond_code,
    encode,
    fits_s8,
    fits_s32,
    fits_u32,
    imm_bytes,
    nop_bytes,
    rel32_bytes,
    rex,
)

Operand = Reg | Mem

# Opcode tables.  ALU: the /digit of the immediate group 80/81/83, and opcode row (digit*8) of the r/m forms.
ALU_OPS: dict[str, int] = {"add": 0, "or": 1, "adc": 2, "sbb": 3, "and": 4, "sub": 5, "xor": 6, "cmp": 7}
SHIFT_OPS: dict[str, int] = {"rol": 0, "ror": 1, "shl": 4, "shr": 5, "sar": 7}  # C0/C1 ib, D0/D1 (by 1), D2/D3 (cl)
UNARY_OPS: dict[str, int] = {"not": 2, "neg": 3, "mul": 4, "div": 6, "idiv": 7}  # F6/F7 /digit
INC_DEC: dict[str, int] = {"inc": 0, "dec": 1}                                     # FE/FF /digit


class Label:
    """A position in the code, possibly not known yet.  Bind it exactly once with `Assembler.bind`.

    A label made with an `address` is outside the code being assembled (machine code placed earlier): branches
    to it are resolved by `Assembler.link` once the code's own address is known."""

    __slots__ = ("name", "position", "address")

    def __init__(self, name: str = "", address: int | None = None) -> None:
        self.name = name
        self.position: int | None = None
        self.address = address

    def __repr__(self) -> str:
        return f"<Label {self.name or hex(id(self))} @ {self.position}>"


# F2 0F xx /r: scalar-double SSE2 operations (Intel SDM vol. 2), xmm destination
SD_OPS: dict[str, bytes] = {"movsd": b"\x0f\x10", "addsd": b"\x0f\x58", "mulsd": b"\x0f\x59",
                            "subsd": b"\x0f\x5c", "divsd": b"\x0f\x5e"}

_ENCODED: dict[tuple, bytes] = {}  # (method, operands) -> bytes, for instructions that do not depend on position


def _memoized(method):  # noqa: ANN001, ANN202
    """Cache the bytes of a position-independent instruction: the JIT emits the same few hundred forms again
    and again (a load from the frame, a store to a stack slot), and encoding is the code generator's main cost.
    Registers, Mem operands and ints are hashable values, so the operands are the key."""
    name = method.__name__

    def encode_cached(self: Assembler, *args: object, **kwargs: object) -> None:
        if self.narrow is not None:  # (narrow template mode: the bytes of an operand depend on the mode)
            method(self, *args, **kwargs)
            return
        key = (name, args, tuple(kwargs.items()) if kwargs else None)
        encoded = _ENCODED.get(key)
        if encoded is not None:
            self.buf += encoded
            return
        if any(type(arg) is int and not -0x80000000 <= arg < 0x80000000 for arg in args):
            # an address or a pointer constant: unique to its site, so caching it would only grow the cache
            method(self, *args, **kwargs)
            return
        start = len(self.buf)
        method(self, *args, **kwargs)
        if len(_ENCODED) < 1 << 16:
            _ENCODED[key] = bytes(self.buf[start:])

    encode_cached.__name__ = name
    encode_cached.__doc__ = method.__doc__
    return encode_cached


_OPERANDS: dict[tuple, Mem] = {}


def mem(base: Reg, disp: int = 0) -> Mem:
    """[base + disp], shared: the same few operands recur in every function (and key the encoding cache)."""
    operand = _OPERANDS.get((base, disp))
    if operand is None:
        operand = _OPERANDS[(base, disp)] = Mem(base, disp)
    return operand


_pack_rel32 = struct.Struct("<i").pack_into
_MOVABS = tuple(rex(True, code >> 3) + bytes([0xB8 + (code & 7)]) for code in range(16))  # REX.W B8+r: movabs
_JCC_REL32 = tuple(bytes([0x0F, 0x80 + cc]) for cc in range(16))  # 0F 80+cc: jcc rel32


class Assembler:
    """Accumulates machine code.  Methods are named after the instruction, Intel operand order (dst, src)."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self._pending: dict[Label, list[int]] = {}  # unbound label -> offsets of rel32 fields that refer to it
        self._external: list[tuple[int, int]] = []  # (rel32 field offset, absolute target) for `link`
        # (memory, register, end): the last instruction, ending at `end`, stored 64-bit `register` to `memory`
        self._stored: tuple[Mem | None, Reg | None, int] = (None, None, -1)
        self._last_bind = -1  # where the last label was bound
        # Template mode (templates.py): branches always rel32, every rel32 field aimed at a label of the code
        # logged (field, label), and the labels bound once the cold part (the stubs) began.
        self.fields: list[tuple[int, Label]] | None = None
        self.cold_labels: set[Label] | None = None
        # Narrow template mode: memory operands whose displacement `narrow` accepts (a frame-slot marker) take a
        # disp8, its position logged (field, displacement) for the template to make a one-byte hole of.
        self.narrow: Callable[[int], bool] | None = None
        self.narrow_fields: list[tuple[int, int]] = []
        self.logged_holes: list[tuple[int, int, int, int]] = []  # (template mode: holes logged by the generator)
        # Short branches in template mode (templates.py makes a template twice): every jmp/jcc to a label of the
        # code is numbered, and logged (its first byte, its label); the numbers in `short_plan` -- those whose
        # target the first pass found within rel8 reach in the same part, hot or cold -- are emitted as rel8.
        self.branches: list[tuple[int, Label]] = []
        self.short_plan: frozenset[int] = frozenset()
        self._short_pending: dict[Label, list[int]] = {}  # unbound label -> offsets of rel8 fields aimed at it
        # Addresses a 64-bit `mov reg, imm` loads with a RIP-relative lea instead, resolved by `link` as a direct
        # call's target is (the runtime's static objects, in the reach the code's direct calls need anyway)
        self.near_addresses: Callable[[int], bool] | None = None

    # ------------------------------------------------------------------------------------------ buffer and labels

    @property
    def code(self) -> bytes:
        return bytes(self.buf)

    @property
    def size(self) -> int:
        return len(self.buf)

    def emit(self, data: bytes) -> None:
        """Raw bytes (data, or an instruction this assembler lacks)."""
        self.buf += data

    def label(self, name: str = "") -> Label:
        return Label(name)

    def here(self, name: str = "") -> Label:
        """A label bound at the current position."""
        label = Label(name)
        self.bind(label)
        return label

    def bind(self, label: Label) -> None:
        if label.position is not None:
            raise AsmError(f"{label!r} is already bound")
        position = label.position = self._last_bind = len(self.buf)
        if self.cold_labels is not None:
            self.cold_labels.add(label)
        buf = self.buf
        for field in self._pending.pop(label, ()):  # (a branch within the code: always in rel32 reach)
            _pack_rel32(buf, field, position - field - 4)
        for field in self._short_pending.pop(label, ()):
            self._pack_rel8(field, position)

    def bind_known(self, label: Label, memory: Mem, register: Reg, labels_here_too: bool = False) -> None:
        """Bind `label` where every path that arrives -- the fall-through and each jump to it -- has the 64-bit
        `register` equal to `memory`, so that a load of `memory` right after becomes a register move (see `mov`).
        The caller guarantees it, for the jumps to other labels bound at this very place too when
        `labels_here_too` (otherwise such labels leave the load as it is)."""
        labels_here = self._last_bind == len(self.buf) and not labels_here_too
        self.bind(label)
        if not labels_here:
            self._stored = (memory, register, len(self.buf))
            self._last_bind = len(self.buf) - 1

    def finish(self) -> bytes:
        """The finished code; raises AsmError if a referenced label was never bound."""
        if self._pending or self._short_pending:
            names = ", ".join(repr(label) for label in (*self._pending, *self._short_pending))
            raise AsmError(f"unbound labels: {names}")
        return self.code

    def field_to(self, field: int, target: Label) -> None:
        """Aim the rel32 field already at `field` (a template's hole) at `target`, as a branch emitted there."""
        if target.position is not None:
            self.buf[field:field + 4] = rel32_bytes(field, target.position)
        elif target.address is not None:
            self._external.append((field, target.address))
        else:
            self._pending.setdefault(target, []).append(field)

    def pending_fields(self, label: Label) -> list[int]:
        """Offsets of the rel32 fields that will refer to `label` (not bound yet)."""
        return list(self._pending.get(label, ()))

    def link(self, base: int) -> bytes:
        """The finished code as it must be placed at address `base`: branches to external labels resolved.
        Raises AsmError when one is out of rel32 reach."""
        code = bytearray(self.finish())
        for field, target in self._external:
            code[field:field + 4] = rel32_bytes(base + field, target)
        return bytes(code)

    def _rel32(self, target: Label | None) -> int:
        """Emit a rel32 field aimed at `target` (None: the next instruction, i.e. disp 0); returns its offset."""
        field = len(self.buf)
        self.buf += b"\0\0\0\0"
        if self.fields is not None and target is not None and target.address is None:
            self.fields.append((field, target))
        if target is None:
            pass
        elif target.position is None and target.address is None:  # (the commonest: a forward branch)
            self._pending.setdefault(target, []).append(field)
        elif target.position is not None:
            self.buf[field:field + 4] = rel32_bytes(field, target.position)
        elif target.address is not None:
            self._external.append((field, target.address))
        else:
            self._pending.setdefault(target, []).append(field)
        return field

    # ------------------------------------------------------------------------------------------ shape helpers

    @staticmethod
    def _bits(*operands: Operand | int, size: int | None = None) -> int:
        """Operand size in bits: from the register operands, else `size`, else 64."""
        widths = {op.bits for op in operands if isinstance(op, Reg)}
        if len(widths) > 1:
            raise AsmError(f"operand sizes differ: {operands}")
        if widths:
            bits = widths.pop()
            if size is not None and size != bits:
                raise AsmError(f"size={size} contradicts register operands {operands}")
            return bits
        if size not in (None, 8, 32, 64):
            raise AsmError(f"unsupported operand size {size}")
        return size or 64

    def _op8(self, op8: int, reg: int | Reg, rm: Operand, bits: int, imm: bytes = b"",
             prefix: bytes = b"") -> None:
        """A ModRM instruction whose byte form is `op8` and whose 32/64-bit form is `op8 + 1`."""
        regs = (reg, rm)
        reg_num = reg.code if isinstance(reg, Reg) else reg
        opcode = bytes([op8 if bits == 8 else op8 + 1])
        self._encode(opcode, reg_num, rm, w=bits == 64, byte_regs=regs if bits == 8 else (), imm=imm,
                           prefix=prefix)

    def _encode(self, opcode: bytes, reg: int, rm: Reg | Mem, **kwargs: Any) -> None:
        """Append a ModRM-form instruction (x86_enc.encode); in narrow template mode, a frame-slot marker's
        displacement becomes a logged one-byte field."""
        if self.narrow is not None and type(rm) is Mem and self.narrow(rm.disp):
            code = encode(opcode, reg, Mem(rm.base, 0x7F, rm.index, rm.scale), **kwargs)
            self.narrow_fields.append((len(self.buf) + len(code) - len(kwargs.get("imm", b"")) - 1, rm.disp))
            self.buf += code
            return
        self.buf += encode(opcode, reg, rm, **kwargs)

    def _imm(self, value: int, bits: int) -> bytes:
        """The imm8/imm32 that sign-extends to `value` at operand size `bits` (64-bit ops take a simm32)."""
        if bits == 8:
            return imm_bytes(value, 1)
        if bits == 64 and not fits_s32(value):
            raise AsmError(f"immediate {value:#x} does not fit in a sign-extended 32-bit field")
        return imm_bytes(value, 4)

    @staticmethod
    def _signed(value: int, bits: int) -> int:
        """Reduce an unsigned spelling of a 32-bit immediate (0xffffffff for a 32-bit op) to its signed value."""
        if bits == 32 and fits_u32(value) and not fits_s32(value):
            return value - (1 << 32)
        return value

    # ------------------------------------------------------------------------------------------ data movement

    def mov(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        """mov dst, src (the shortest encoding).  A 64-bit immediate -- an address, most of the time, and the code
        generator loads thousands of them, each unique to its site -- is emitted straight from a table; every
        other form goes through the memoized encoder."""
        if type(src) is int and type(dst) is Reg and dst.bits == 64 and (
                0xFFFF_FFFF < src < 1 << 64 or -(1 << 63) <= src < -0x8000_0000):
            if self.near_addresses is not None and self.near_addresses(src):
                # lea dst, [rip + rel32] (7 bytes, not 10): mod=00 rm=101 is RIP-relative; resolved as a call's
                self.buf += rex(True, (dst.code >> 3) << 2) + b"\x8d" + bytes([((dst.code & 7) << 3) | 0b101])
                self._external.append((len(self.buf), src))
                self.buf += b"\0\0\0\0"
                return
            self.buf += _MOVABS[dst.code] + (src & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")
            return
        src_type = type(src)
        if src_type is Mem and type(dst) is Reg:
            memory, register, end = self._stored
            if end == len(self.buf) and memory == src and dst.bits == 64 and self._last_bind < end:
                # A load of what the instruction just before stored (the code generator keeps the frame exact,
                # so the next instruction often reads back the slot the last one wrote): take the register,
                # sparing the load its wait for store-to-load forwarding.
                if register != dst:
                    self._mov(dst, register)
                self._stored = (memory, register, len(self.buf))
                return
        # (the memoized encoder's own lookup, made here: mov is the commonest instruction by far)
        encoded = None if self.narrow is not None else _ENCODED.get(
            ("_mov", (dst, src), None if size is None else (("size", size),)))
        if encoded is not None:
            self.buf += encoded
        elif size is None:
            self._mov(dst, src)
        else:
            self._mov(dst, src, size=size)
        if isinstance(src, Reg) and isinstance(dst, Mem) and src.bits == 64:
            self._stored = (dst, src, len(self.buf))

    @_memoized
    def _mov(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        bits = self._bits(dst, src, size=size)
        if isinstance(src, int):
            if isinstance(dst, Reg):
                self._mov_reg_imm(dst, src)
            else:
                self._op8(0xC6, 0, dst, bits, self._imm(src, bits))
        elif isinstance(src, Reg):
            self._op8(0x88, src, dst, bits)            # 88/89: r/m <- r
        elif isinstance(dst, Reg):
            self._op8(0x8A, dst, src, bits)            # 8A/8B: r <- r/m
        else:
            raise AsmError("mov cannot copy memory to memory")

    def _mov_reg_imm(self, dst: Reg, value: int) -> None:
        low = dst.code & 7
        b = dst.code >> 3
        if dst.bits == 8:
            self.buf += rex(False, b, dst.needs_rex_for_byte) + bytes([0xB0 + low]) + imm_bytes(value, 1)
        elif dst.bits == 32 or fits_u32(value):
            # Writing a 32-bit register zero-extends into the full 64-bit one: 5-6 bytes for any u32 value.
            self.buf += rex(False, b) + bytes([0xB8 + low]) + imm_bytes(value, 4)
        elif fits_s32(value):
            self._op8(0xC6, 0, dst, 64, imm_bytes(value, 4))    # REX.W C7 /0: sign-extended simm32, 7 bytes
        else:
            self.mov_imm64(dst, value)

    def mov_imm64(self, dst: Reg, value: int) -> int:
        """movabs dst, imm64 (always 10 bytes).  Returns the offset of the imm64 field, for patching."""
        if dst.bits != 64:
            raise AsmError("mov_imm64 needs a 64-bit register")
        self.buf += rex(True, dst.code >> 3) + bytes([0xB8 + (dst.code & 7)]) + imm_bytes(value, 8)
        return self.size - 8

    @_memoized
    def movzx(self, dst: Reg, src: Operand, *, src_size: int = 8) -> None:
        """Zero-extend a byte (or with src_size=16 a word) into a 32/64-bit register."""
        if isinstance(src, Reg):
            src_size = src.bits
        if dst.bits not in (32, 64) or src_size not in (8, 16):
            raise AsmError(f"movzx {dst!r}, {src!r}: unsupported sizes")
        opcode = b"\x0f\xb6" if src_size == 8 else b"\x0f\xb7"
        self._encode(opcode, dst.code, src, w=dst.bits == 64, byte_regs=(src,))

    @_memoized
    def movsxd(self, dst: Reg, src: Operand) -> None:
        """Sign-extend a 32-bit register or dword in memory (a C int) into a 64-bit register."""
        if dst.bits != 64 or (isinstance(src, Reg) and src.bits != 32):
            raise AsmError("movsxd wants r64, r32/m32")
        self._encode(b"\x63", dst.code, src, w=True)

    @_memoized
    def lea(self, dst: Reg, src: Mem) -> None:
        if not isinstance(src, Mem) or dst.bits == 8:
            raise AsmError("lea wants r32/r64, Mem")
        self._encode(b"\x8d", dst.code, src, w=dst.bits == 64)

    def lea_label(self, dst: Reg, target: Label) -> int:
        """lea dst, [rip + target]: the run-time address of a label.  Returns the offset of the rel32 field."""
        if dst.bits != 64:
            raise AsmError("lea_label needs a 64-bit register")
        # mod=00 rm=101 without SIB is RIP-relative in 64-bit mode.
        self.buf += rex(True, (dst.code >> 3) << 2) + b"\x8d" + bytes([((dst.code & 7) << 3) | 0b101])
        return self._rel32(target)

    @_memoized
    def push(self, src: Reg | int) -> None:
        if isinstance(src, int):
            self.buf += b"\x6a" + imm_bytes(src, 1) if fits_s8(src) else b"\x68" + self._imm(src, 64)
            return
        if src.bits != 64:
            raise AsmError("push wants a 64-bit register")
        self.buf += rex(False, src.code >> 3) + bytes([0x50 + (src.code & 7)])

    @_memoized
    def pop(self, dst: Reg) -> None:
        if dst.bits != 64:
            raise AsmError("pop wants a 64-bit register")
        self.buf += rex(False, dst.code >> 3) + bytes([0x58 + (dst.code & 7)])

    # ------------------------------------------------------------------------------------------ arithmetic

    @_memoized
    def alu(self, op: str, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        """One of ALU_OPS: add or adc sbb and sub xor cmp."""
        digit = ALU_OPS[op]
        bits = self._bits(dst, src, size=size)
        if isinstance(src, int):
            value = self._signed(src, bits)
            if bits == 8:
                self._op8(0x80, digit, dst, 8, imm_bytes(value, 1))
            elif fits_s8(value):
                self._encode(b"\x83", digit, dst, w=bits == 64, imm=imm_bytes(value, 1))  # short form
            else:
                self._op8(0x80, digit, dst, bits, self._imm(value, bits))
        elif isinstance(src, Reg):
            self._op8(digit * 8, src, dst, bits)          # op r/m, r
        elif isinstance(dst, Reg):
            self._op8(digit * 8 + 2, dst, src, bits)      # op r, r/m
        else:
            raise AsmError(f"{op} cannot take two memory operands")

    def add(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("add", dst, src, size=size)

    def or_(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("or", dst, src, size=size)

    def adc(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("adc", dst, src, size=size)

    def sbb(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("sbb", dst, src, size=size)

    def and_(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("and", dst, src, size=size)

    def sub(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("sub", dst, src, size=size)

    def xor(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("xor", dst, src, size=size)

    def cmp(self, dst: Operand, src: Operand | int, *, size: int | None = None) -> None:
        self.alu("cmp", dst, src, size=size)

    @_memoized
    def test(self, dst: Operand, src: Reg | int, *, size: int | None = None) -> None:
        bits = self._bits(dst, src, size=size)
        if isinstance(src, int):
            self._op8(0xF6, 0, dst, bits, self._imm(self._signed(src, bits), bits))
        else:
            self._op8(0x84, src, dst, bits)

    @_memoized
    def unary(self, op: str, dst: Operand, *, size: int | None = None) -> None:
        """One of UNARY_OPS (not neg mul div idiv) or INC_DEC (inc dec)."""
        bits = self._bits(dst, size=size)
        if op in INC_DEC:
            self._op8(0xFE, INC_DEC[op], dst, bits)
        else:
            self._op8(0xF6, UNARY_OPS[op], dst, bits)

    def inc(self, dst: Operand, *, size: int | None = None) -> None:
        self.unary("inc", dst, size=size)

    def dec(self, dst: Operand, *, size: int | None = None) -> None:
        self.unary("dec", dst, size=size)

    def neg(self, dst: Operand, *, size: int | None = None) -> None:
        self.unary("neg", dst, size=size)

    def not_(self, dst: Operand, *, size: int | None = None) -> None:
        self.unary("not", dst, size=size)

    def idiv(self, src: Operand, *, size: int | None = None) -> None:
        """Signed divide rdx:rax by src: quotient in rax, remainder in rdx (sign-extend first with cqo)."""
        self.unary("idiv", src, size=size)

    # ------------------------------------------------------------------------------------------ scalar doubles

    @_memoized
    def sd(self, op: str, xmm: int, src: Mem | int) -> None:
        """Scalar-double SSE2 `op xmm<n>, src` (src: a memory operand or another xmm number), F2-prefixed:
        movsd (a load), addsd, subsd, mulsd, divsd."""
        rm = src if isinstance(src, Mem) else GPR64[src]  # an xmm register is encoded like a GPR number
        self._encode(SD_OPS[op], xmm, rm, prefix=b"\xf2")

    def movsd_store(self, dst: Mem, xmm: int) -> None:
        """Store the low double of xmm<n> to memory (F2 0F 11 /r)."""
        self._encode(b"\x0f\x11", xmm, dst, prefix=b"\xf2")

    def cvtsi2sd(self, xmm: int, src: Reg) -> None:
        """xmm<n> = (double) a 64-bit register (F2 REX.W 0F 2A /r)."""
        if src.bits != 64:
            raise AsmError("cvtsi2sd converts a 64-bit register")
        self._encode(b"\x0f\x2a", xmm, src, w=True, prefix=b"\xf2")

    def cqo(self) -> None:
        self.buf += b"\x48\x99"   # rdx:rax <- sign-extended rax

    @_memoized
    def imul(self, dst: Reg, src: Operand, imm: int | None = None) -> None:
        """dst = dst * src, or with `imm`, dst = src * imm (signed, low 64/32 bits)."""
        bits = self._bits(dst, src)
        if bits == 8:
            raise AsmError("imul has no two-operand byte form")
        w = bits == 64
        if imm is not None:
            imm = self._signed(imm, bits)
        if imm is None:
            self._encode(b"\x0f\xaf", dst.code, src, w=w)
        elif fits_s8(imm):
            self._encode(b"\x6b", dst.code, src, w=w, imm=imm_bytes(imm, 1))
        else:
            self._encode(b"\x69", dst.code, src, w=w, imm=self._imm(imm, bits))

    @_memoized
    def shift(self, op: str, dst: Operand, count: int | Reg, *, size: int | None = None) -> None:
        """One of SHIFT_OPS by an immediate count or by cl."""
        digit = SHIFT_OPS[op]
        bits = self._bits(dst, size=size)
        if isinstance(count, Reg):
            if count != CL:
                raise AsmError("variable shift counts must be in cl")
            self._op8(0xD2, digit, dst, bits)
        elif count == 1:
            self._op8(0xD0, digit, dst, bits)
        elif 0 <= count < 256:
            self._op8(0xC0, digit, dst, bits, imm_bytes(count, 1))
        else:
            raise AsmError(f"shift count {count} out of range")

    def shl(self, dst: Operand, count: int | Reg, *, size: int | None = None) -> None:
        self.shift("shl", dst, count, size=size)

    def shr(self, dst: Operand, count: int | Reg, *, size: int | None = None) -> None:
        self.shift("shr", dst, count, size=size)

    def sar(self, dst: Operand, count: int | Reg, *, size: int | None = None) -> None:
        self.shift("sar", dst, count, size=size)

    # ------------------------------------------------------------------------------------------ conditions

    @_memoized
    def setcc(self, cond: str, dst: Operand) -> None:
        """dst (a byte register or byte in memory) = 1 if cond else 0."""
        if isinstance(dst, Reg) and dst.bits != 8:
            raise AsmError("setcc writes a byte register")
        self._encode(bytes([0x0F, 0x90 + cond_code(cond)]), 0, dst, byte_regs=(dst,))

    @_memoized
    def cmov(self, cond: str, dst: Reg, src: Operand) -> None:
        bits = self._bits(dst, src)
        if bits == 8:
            raise AsmError("cmov has no byte form")
        self._encode(bytes([0x0F, 0x40 + cond_code(cond)]), dst.code, src, w=bits == 64)

    # ------------------------------------------------------------------------------------------ control flow

    def _short_back(self, target: Label, size: int) -> int | None:
        """The rel8 for a `size`-byte branch to an already bound label within reach, else None."""
        if target.position is None or self.fields is not None:
            return None
        disp = target.position - (self.size + size)
        return disp if fits_s8(disp) else None

    def _planned_short(self, target: Label) -> bool:
        """Template mode: log the branch to `target` about to be emitted; whether the plan makes it rel8."""
        if self.fields is None or target.address is not None:
            return False
        number = len(self.branches)
        self.branches.append((len(self.buf), target))
        return number in self.short_plan

    def _short_field(self, target: Label) -> None:
        """A rel8 field aimed at `target` (bound now, or at its `bind`)."""
        field = len(self.buf)
        self.buf += b"\0"
        if target.position is not None:
            self._pack_rel8(field, target.position)
        else:
            self._short_pending.setdefault(target, []).append(field)

    def _pack_rel8(self, field: int, position: int) -> None:
        disp = position - (field + 1)
        if not fits_s8(disp):  # (the plan came from a first pass whose code was longer: only if it differed)
            raise AsmError(f"a planned short branch at {field - 1} cannot reach {position}")
        self.buf[field] = disp & 0xFF

    def jmp(self, target: Label | Operand) -> None:
        if isinstance(target, Label):
            disp = self._short_back(target, 2)
            if disp is not None:
                self.buf += b"\xeb" + imm_bytes(disp, 1)
            elif self._planned_short(target):
                self.buf += b"\xeb"
                self._short_field(target)
            else:
                self.buf += b"\xe9"
                self._rel32(target)
        else:
            self._indirect(4, target)                    # FF /4

    def jcc(self, cond: str, target: Label) -> None:
        cc = cond_code(cond)
        position = target.position
        if position is not None and self.fields is None and -128 <= position - (len(self.buf) + 2) <= 127:
            self.buf += bytes((0x70 + cc, (position - (len(self.buf) + 2)) & 0xFF))
        elif self._planned_short(target):
            self.buf += bytes((0x70 + cc,))
            self._short_field(target)
        else:
            self.buf += _JCC_REL32[cc]
            self._rel32(target)

    def jmp_patchable(self, target: Label | None = None) -> int:
        """jmp rel32 (5 bytes) to `target`, or to the next instruction; returns the offset of the rel32 field."""
        self.buf += b"\xe9"
        return self._rel32(target)

    def jcc_patchable(self, cond: str, target: Label | None = None) -> int:
        """jcc rel32 (6 bytes); returns the offset of the rel32 field."""
        self.buf += bytes([0x0F, 0x80 + cond_code(cond)])
        return self._rel32(target)

    def call(self, target: Label | Operand) -> None:
        if isinstance(target, Label):
            self.buf += b"\xe8"
            self._rel32(target)
        else:
            self._indirect(2, target)                    # FF /2

    def call_abs(self, address: int, scratch: Reg = R11) -> None:
        """Call an absolute address through `scratch` (r11 by default: never an argument register, and unlike
        rax it does not carry the vector-register count al of a varargs call)."""
        self.mov(scratch, address)
        self.call(scratch)

    def call_near(self, address: int) -> None:
        """call rel32 to an absolute address, resolved by `link` (which raises AsmError when the code lands out
        of reach).  A direct call is predicted even when the branch predictor has no entry for it; an indirect
        one is not, and generated code has thousands of call sites."""
        self.buf += b"\xe8"
        self._external.append((self.size, address))
        self.buf += b"\0\0\0\0"

    def _indirect(self, digit: int, target: Operand) -> None:
        if isinstance(target, Reg) and target.bits != 64:
            raise AsmError("indirect branches go through 64-bit registers")
        self._encode(b"\xff", digit, target)       # 64-bit operand size is the default: no REX.W

    def ret(self) -> None:
        self.buf += b"\xc3"

    def int3(self) -> None:
        self.buf += b"\xcc"

    def ud2(self) -> None:
        self.buf += b"\x0f\x0b"

    def nop(self, count: int = 1) -> None:
        """`count` bytes of NOPs, using multi-byte NOPs."""
        self.buf += nop_bytes(count)

    def align(self, boundary: int) -> None:
        """Pad with NOPs to a multiple of `boundary` (relative to the start of the code)."""
        self.nop(-self.size % boundary)

    def data64(self, value: int) -> None:
        self.buf += struct.pack("<Q", value & 0xFFFF_FFFF_FFFF_FFFF)
