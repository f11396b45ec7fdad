"""Tier-1 register convention, and how machine code addresses the frame.

Compiled code, its glue and its templates agree on three registers that hold for a whole function: the context
(`CTX`, accel_jit_ctx *), the thread state (`TSTATE`) and the frame (`FRAME`).  Everything else is scratch or
carries a value within one instruction (codegen.py's essay).

The frame register is biased
----------------------------
Tier 1 keeps every value in the frame: a typical instruction touches two or three frame slots, so how many bytes a
frame operand takes decides much of the code's size.  x86-64 encodes `[reg + disp8]` in 3 bytes (ModRM + disp8),
`[reg + disp32]` in 6, and a base of rsp or r12 costs a SIB byte more.  So the frame register is rbp (no SIB) and
points `FRAME_BIAS` bytes *past* the frame: the frame's own fields (prev_instr, stacktop, globals...) land at
-128..-56 and localsplus[0..22] at -56..+120, all within a signed byte.  A function whose locals and value stack
fit there is **narrow**: its templates are made with one-byte frame displacements (templates.SLOT8/LOCAL8 holes);
the others use four-byte ones.  C only ever sees the unbiased frame pointer: code that hands the frame to a helper
subtracts the bias again (`frame_pointer`).
"""

from __future__ import annotations

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .x86 import R14, RBP, RBX, Assembler, Mem, Reg
from .x86 import mem as _mem

CTX = RBX  # accel_jit_ctx *
TSTATE = R14  # PyThreadState *
FRAME = RBP  # _PyInterpreterFrame * + FRAME_BIAS
FRAME_BIAS = 128


def frame_mem(offset: int) -> Mem:
    """The frame's byte `offset` (a field of _PyInterpreterFrame, or a localsplus entry) as an operand."""
    return _mem(FRAME, offset - FRAME_BIAS)


def localsplus_disp(layout: dict[str, int]) -> int:
    """localsplus[0]'s displacement from the frame register (what templates' SLOT and LOCAL holes are made of)."""
    return layout["frame_localsplus"] - FRAME_BIAS


def is_narrow(layout: dict[str, int], nlocalsplus: int, stacksize: int) -> bool:
    """Every localsplus entry and value-stack slot of a function with these sizes is within a disp8 of FRAME."""
    return localsplus_disp(layout) + 8 * (nlocalsplus + stacksize) <= 127


# A function's shape (templates' key): what of its code's encoding depends on its sizes
SHAPE_NARROW = 1  # is_narrow: one-byte frame displacements
SHAPE_COMPACT_WORDS = 2  # call-site words (glue.py) in 32 bits: code units < 2**16, stack depth < 2**7
# prev_instr stored in 32 bits (7 bytes, not a 10-byte movabs and a 4-byte store): the code's units, and the unit
# before them where a new frame's prev_instr points, share the upper half of their addresses, so a frame of this
# code always holds the right upper half (nothing but an instruction of its own code is ever stored there)
SHAPE_UNITS32 = 4


def units_share_upper_half(units: int, code_units: int) -> bool:
    """Every address from the unit before the code's first (`units` - 2) to its end has the same upper 32 bits."""
    return (units - 2) >> 32 == (units + 2 * code_units) >> 32


def function_shape(layout: dict[str, int], nlocalsplus: int, stacksize: int, code_units: int, units: int) -> int:
    """The function's SHAPE_* bits (csrc/bjit.h accel_function_shape computes the same); `units` is the address of
    the code's first unit."""
    return (SHAPE_NARROW if is_narrow(layout, nlocalsplus, stacksize) else 0) | (
        SHAPE_COMPACT_WORDS if code_units < 1 << 16 and stacksize < 1 << 7 else 0) | (
        SHAPE_UNITS32 if units_share_upper_half(units, code_units) else 0)


def set_frame(a: Assembler, frame: Reg | Mem) -> None:
    """FRAME = the frame pointer `frame` (a register or a memory operand holding it), biased."""
    a.mov(FRAME, frame)
    a.sub(FRAME, -FRAME_BIAS)  # (sub of an imm8 -128: 4 bytes, where add of +128 needs an imm32)


def frame_pointer(a: Assembler, dst: Reg) -> None:
    """dst = the frame pointer C sees (FRAME unbiased)."""
    a.lea(dst, _mem(FRAME, -FRAME_BIAS))
