"""Helper-call glue: what every call of an op helper needs beyond the call itself, shared by all call sites.

Why
---
A helper call used to be some 110 bytes at every site: prev_instr stored (15), the helper's arguments set up (tstate,
frame, stack pointer, oparg: 19), the call, the result tested (10), an out-of-line exit for "declined" (12), a
tracing check after it (14) and its hand-back stub (15) -- and a CALL adds an eval-breaker poll and its stub.  Only
the numbers differ between sites: the instruction's code unit, its stack depth, the stack effect, how far the next
instruction is.  The seed's rule for a baseline tier is small code over fast code, so a site now is

    mov ecx, oparg ; [mov r8/r9, extras] ; mov r15, <call-site word> ; call enter_<helper> ; call after_<what>

(25 bytes, 35-45 with extras) on out-of-line paths, and the rest is glue made once per process and placed in the
code arena.

Two pieces, not one: `enter_<helper>` sets prev_instr and the arguments up and *jumps* into the helper, which
returns straight to the machine code; `after_<what>` is a leaf call that looks at the result.  (A first version
called the helper from one glue and returned after it: one more frame between every compiled function and the
Python code its helper runs, and bm_generators' tree of `yield from`s ran 20% slower.)

Where each piece is used: the `enter_` glue costs a few nanoseconds a call (its arithmetic on the word, one more
call), which showed wherever a helper call *is* an instruction's main path -- calls, SEND, FOR_ITER, an
unspecialised UNPACK_SEQUENCE (bm_unpack_sequence 36 -> 46 ns a statement).  So only out-of-line paths (after an
inline fast case missed) go through `enter_`; main paths set the arguments inline and call the helper directly,
and SEND and FOR_ITER also test the result inline.  `after_` is used by both.

Other shared pieces made here: deallocations with prev_instr exact (`dealloc_rdi/rsi/r13`), the hand-back stubs'
tail, the stubs of blocks without machine code, the eval-breaker poll, LOAD_GLOBAL's entry check (a leaf), a
LOAD_METHOD whose inline-cache slot found an attribute, and the exit after a main-path helper declined.

The call-site word (in r15, callee-saved: the helper keeps it for `after_`; the template HANDBACK hole)
-----------------------------------------------------------------------------------------------------
    bits 0-31   the instruction's code unit (it has no EXTENDED_ARG prefix, so it also starts there)
    bits 32-47  the value-stack depth before it
    bits 48-55  code units to the next instruction (1 + its inline cache entries)
    bits 56-63  its stack effect, signed (the depth after it, minus the depth before)
or, loaded in 6 bytes instead of 10 (`mov r15d, imm32`; a function of registers.SHAPE_COMPACT_WORDS, when the
distance and the effect fit; the template HANDBACK32 hole), the compact form:
    bits 0-15 the unit, 16-22 the depth, 23-26 the distance, 27-30 the effect (signed), bit 31 set, 32-63 clear.
A wide word is never of that form (its distance, or else its unit, which would be past 2**31, makes it differ),
so the glue that reads the fields widens a compact word first (`_widen_word`), and csrc/bjit.h's
accel_call_site_fields reads both.  r15 is free at instruction boundaries: machine code keeps values in it only
within one instruction's fast path.

The glue
--------
`enter_<helper>` (rbx = ctx, rbp = frame + 128, r14 = tstate; r15 = the word; ecx = oparg; r8, r9 = the helper's extra
arguments): prev_instr = frame->f_code's units + 2 * unit, rdx = localsplus + 8 * (co_nlocalsplus + depth), rdi =
tstate, rsi = frame, then a jump to the helper.

`after_<what>` (rax = what the helper returned) decides the rest, as the inline sequence did:
* NULL (an exception; the helper set stacktop): the error exit.  1 (ACCEL_HANDBACK: the helper declined): a
  hand-back at the instruction (ctx->resume_unit = ACCEL_RESUME_CALL_DECLINED, the word in ctx->call_site; the
  trampoline in csrc/bjit_entry.c decodes it).  The glue leaves the machine code itself: it drops its return address
  and runs the epilogue every tier-1 function shares (codegen._Generator.prologue/exits).
* `after_poll` then polls the eval breaker, as ceval does after a call (a failing handler: the error exit with
  stacktop at the depth after the call).
* `after_tracing` and `after_poll` then check the tracing flag: switched on, the frame goes back to the interpreter
  after the instruction (ACCEL_RESUME_CALL_TRACING).
rax is returned unchanged (FOR_ITER and SEND compare it with their stack pointer).
"""

from __future__ import annotations

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .registers import FRAME, frame_mem, frame_pointer, localsplus_disp
from .x86 import (
    CL,
    EAX,
    ECX,
    EDX,
    R8,
    R10,
    R10D,
    R11,
    R11D,
    R12,
    R13,
    R14,
    R15,
    R15D,
    RAX,
    RBP,
    RBX,
    RCX,
    RDI,
    RDX,
    RSI,
    RSP,
    Assembler,
    Mem,
)
from .x86 import mem as _mem

COMPACT_WORD_FLAG = 1 << 31


def compact_word(unit: int, depth: int, to_next: int, effect: int) -> int:
    """The call-site word's compact form (a function of registers.SHAPE_COMPACT_WORDS guarantees unit and depth
    fit; the caller checks the distance and the effect)."""
    assert unit < 1 << 16 and depth < 1 << 7 and to_next < 1 << 4 and -8 <= effect < 8
    return unit | depth << 16 | to_next << 23 | (effect & 0xF) << 27 | COMPACT_WORD_FLAG


def _widen_word(a: Assembler) -> None:
    """r15 = the wide form of the call-site word in r15 (unchanged when wide).  Clobbers r10, r11."""
    done = a.label("wide")
    a.mov(R10, R15)
    a.shr(R10, 31)
    a.cmp(R10, 1)
    a.jcc("ne", done)  # (only bit 31 set above bit 30: compact)
    a.mov(R11D, R15D)
    a.shr(R11D, 16)
    a.and_(R11D, 0x7F)
    a.shl(R11, 32)  # the depth
    a.mov(R10D, R15D)
    a.shr(R10D, 23)
    a.and_(R10D, 0xF)
    a.shl(R10, 48)  # the distance
    a.or_(R11, R10)
    a.mov(R10D, R15D)
    a.shl(R10D, 1)
    a.sar(R10D, 28)  # the effect, sign-extended
    a.shl(R10, 56)
    a.or_(R11, R10)
    a.and_(R15D, 0xFFFF)  # the unit
    a.or_(R15, R11)
    a.bind(done)


# What follows the helper call: the `after_` glue's variants
AFTER = ("none", "tracing", "poll")

# The helper address in the `enter_` glue's template, patched per helper (a value no layout entry has)
_HELPER_MARKER = 0x4A4A_4A4A_4A4A_4A4A


def enter_name(helper: str) -> str:
    """The symbol (codegen Runtime.symbols) of the glue that enters `helper`."""
    return f"enter_{helper}"


def after_name(after: str) -> str:
    """The symbol of the glue that checks a helper's result and does what `after` says."""
    return f"after_{after}"


def epilogue(a: Assembler) -> None:
    """The epilogue every tier-1 function shares (codegen._Generator.prologue's pushes undone; eax = the exit
    kind): the functions' own exits, and glue that leaves the machine code after dropping its return address."""
    a.add(RSP, 8)
    for reg in (R15, R14, R13, R12, RBX, RBP):
        a.pop(reg)
    a.ret()


def _tracing_check(a: Assembler, lay: dict[str, int], tracing_on) -> None:  # noqa: ANN001
    """To `tracing_on` when the thread traces (as codegen.check_tracing)."""
    if lay["counting"]:  # the instruction counter's trace function is not "tracing" (csrc/accel.h)
        a.mov(R10, _mem(R14, lay["tstate_c_tracefunc"]))
        a.mov(R11, lay["count_trace"])
        a.cmp(R10, R11)
        a.jcc("ne", tracing_on)
        a.cmp(_mem(R14, lay["tstate_c_profilefunc"]), 0)
        a.jcc("ne", tracing_on)
        return
    a.mov(R10, _mem(R14, lay["tstate_cframe"]))
    a.cmp(_mem(R10, lay["cframe_use_tracing"]), 0, size=8)
    a.jcc("ne", tracing_on)


def enter_template(lay: dict[str, int]) -> bytes:
    """The `enter_` glue, jumping to _HELPER_MARKER."""
    a = Assembler()
    _enter_prologue(a, lay)
    a.mov(RDI, R14)
    frame_pointer(a, RSI)
    a.mov(R11, _HELPER_MARKER)
    a.jmp(R11)  # the helper returns to the machine code
    return a.finish()


def _declined(a: Assembler, lay: dict[str, int]) -> None:
    """Leave the machine code after a helper returned NULL (rax: an exception, stacktop set) or 1 (it declined: a
    hand-back at the instruction of the call-site word in r15)."""
    error = a.label("error")
    a.test(RAX, RAX)
    a.jcc("z", error)
    a.mov(_mem(RBX, lay["ctx_call_site"]), R15)
    a.mov(_mem(RBX, lay["ctx_resume_unit"]), lay["resume_call_declined"], size=32)
    a.mov(EAX, lay["exit_handback"])
    epilogue(a)
    a.bind(error)
    a.mov(EAX, lay["exit_error"])
    epilogue(a)


def declined_glue(lay: dict[str, int]) -> bytes:
    """`_declined`, jumped to from the machine code (`helper_declined`: a hot helper's own check of its result)."""
    a = Assembler()
    _declined(a, lay)
    return a.finish()


def after_glue(lay: dict[str, int], after: str, handle_pending: int) -> bytes:
    """The `after_` glue for one variant (rax = the helper's result, r15 = the call-site word)."""
    a = Assembler()
    declined, tracing_on, pending = a.label("declined"), a.label("tracing_on"), a.label("pending")
    resume = a.label("resume")
    a.cmp(RAX, 1)
    a.jcc("be", declined)
    if after == "poll":
        a.mov(R10, lay["eval_breaker"])
        a.cmp(_mem(R10, 0), 0, size=32)
        a.jcc("ne", pending)
    a.bind(resume)
    if after != "none":
        _tracing_check(a, lay, tracing_on)
    a.ret()

    a.bind(declined)  # rax: NULL an error (stacktop set), 1 a hand-back at the instruction
    a.add(RSP, 8)  # leave the machine code's call: the function's own frame from here
    _declined(a, lay)

    if after != "none":
        a.bind(tracing_on)
        a.add(RSP, 8)
        a.mov(_mem(RBX, lay["ctx_call_site"]), R15)
        a.mov(_mem(RBX, lay["ctx_resume_unit"]), lay["resume_call_tracing"], size=32)
        a.mov(EAX, lay["exit_handback"])
        epilogue(a)
    if after == "poll":
        a.bind(pending)  # a signal handler, a GIL drop request...: run it (prev_instr is still exact)
        a.push(RAX)  # (and rsp 16-byte aligned for the call)
        a.mov(RDI, R14)
        frame_pointer(a, RSI)
        a.mov(R11, handle_pending)
        a.call(R11)
        a.test(EAX, EAX)
        a.pop(RAX)
        a.jcc("z", resume)
        a.add(RSP, 8)  # the handler raised: the error exit, the stack as after the instruction
        _widen_word(a)
        a.mov(RAX, R15)
        a.shr(RAX, 32)
        a.and_(EAX, 0xFFFF)
        a.mov(RDX, R15)
        a.sar(RDX, 56)
        a.add(EAX, EDX)
        a.mov(R10, frame_mem(lay["frame_code"]))
        a.add(EAX, _mem(R10, lay["code_nlocalsplus"]))
        a.mov(frame_mem(lay["frame_stacktop"]), EAX)
        a.mov(EAX, lay["exit_error"])
        epilogue(a)
    return a.finish()


# The registers a released reference may be in when it reaches zero (codegen.decref), and their glue's symbols
DEALLOC_REGISTERS = {RDI: "dealloc_rdi", RSI: "dealloc_rsi", R13: "dealloc_r13"}


def dealloc_glue(lay: dict[str, int], reg, dealloc: int) -> bytes:  # noqa: ANN001
    """Deallocate the object in `reg` whose count reached zero, with prev_instr at code unit eax (a __del__ or a
    weakref callback may look at the frame).  Called from a release's out-of-line stub; _Py_Dealloc returns to it."""
    a = Assembler()
    _store_prev_instr(a, lay, RAX)
    if reg != RDI:
        a.mov(RDI, reg)
    a.mov(R11, dealloc)
    a.jmp(R11)
    return a.finish()


def _store_prev_instr(a: Assembler, lay: dict[str, int], unit) -> None:  # noqa: ANN001
    """frame->prev_instr = the code's units + 2 * `unit` (a 64-bit register holding the code unit); leaves r10 = the
    code.  Clobbers r11."""
    a.mov(R10, frame_mem(lay["frame_code"]))
    a.lea(R11, Mem(R10, lay["code_units_offset"], unit, 2))
    a.mov(frame_mem(lay["frame_prev_instr"]), R11)


def _enter_prologue(a: Assembler, lay: dict[str, int]) -> None:
    """prev_instr from the call-site word in r15 (widened), and rdx = the stack pointer at its depth (r10 = the
    code)."""
    _widen_word(a)
    a.mov(EAX, R15D)  # rax = the unit (zero-extended)
    _store_prev_instr(a, lay, RAX)
    a.mov(RAX, R15)
    a.shr(RAX, 32)
    a.and_(EAX, 0xFFFF)
    a.add(EAX, _mem(R10, lay["code_nlocalsplus"]))
    a.lea(RDX, Mem(FRAME, localsplus_disp(lay), RAX, 8))


def unicode_entry_address(a: Assembler, lay: dict[str, int]) -> None:
    """r8 = the address of entry rdx of the str-keyed dict keys in rsi, less dk_indices (the entry's key is at
    [r8 + dk_indices], its value 8 bytes further).  Keeps rdx; clobbers rcx (the shift count)."""
    a.movzx(ECX, _mem(RSI, lay["dk_log2_index_bytes"]), src_size=8)
    a.mov(R8, 1)
    a.shl(R8, CL)
    a.add(R8, RSI)  # + dk_indices: the first entry
    a.mov(RCX, RDX)
    a.shl(RCX, 4)  # 16-byte PyDictUnicodeEntry
    a.add(R8, RCX)


def global_entry_glue(lay: dict[str, int]) -> bytes:
    """LOAD_GLOBAL's second chance, a leaf its sites' out-of-line paths call first: a module global whose dict
    changed since the site's cache was filled (a module assigning its own globals changes its version all the
    time) still has its value in the entry where the name was, while that entry holds the name -- a dict has one
    entry per key, deleting a name empties its entry and adding it again appends a new one.  In: rcx = the site's
    cache (its name filled by the helper); out: rax = the value (borrowed), or 0 (the helper looks it up).
    Keeps rcx; clobbers rdx, rsi, r8, r10, r11."""
    a = Assembler()
    miss = a.label("miss")
    a.cmp(_mem(RCX, lay["global_cache_in_builtins"]), 0, size=32)
    a.jcc("ne", miss)
    a.mov(R10, frame_mem(lay["frame_globals"]))
    a.cmp(R10, _mem(RCX, lay["global_cache_globals"]))
    a.jcc("ne", miss)
    a.cmp(_mem(R10, lay["ma_values"]), 0)
    a.jcc("ne", miss)
    a.mov(RSI, _mem(R10, lay["ma_keys"]))
    a.mov(RDX, _mem(RCX, lay["global_cache_index"]))
    a.cmp(RDX, _mem(RSI, lay["dk_nentries"]))
    a.jcc("ae", miss)  # (unsigned: also an index of -1, no entry known)
    a.cmp(_mem(RSI, lay["dk_kind"]), lay["dict_keys_unicode"], size=8)
    a.jcc("ne", miss)
    a.mov(R11, _mem(RCX, lay["global_cache_name"]))
    a.push(RCX)  # (kept for the caller, which hands it to the helper next)
    unicode_entry_address(a, lay)
    a.pop(RCX)
    a.cmp(_mem(R8, lay["dk_indices"]), R11)
    a.jcc("ne", miss)
    a.mov(RAX, _mem(R8, lay["dk_indices"] + 8))
    a.ret()
    a.bind(miss)
    a.xor(EAX, EAX)
    a.ret()
    return a.finish()


def method_attr_glue(lay: dict[str, int]) -> bytes:
    """A LOAD_METHOD site whose executable region found an attribute, not a method (a module's function, an
    instance's callable): [NULL, attribute], the owner released.  In: rax = the attribute (borrowed), rdi = the
    owner, rcx = the site's cache, rsi = the address of the owner's stack slot, edx = the instruction's code unit
    (prev_instr, should the owner be deallocated)."""
    a = Assembler()
    dealloc = a.label("dealloc")
    a.inc(_mem(RAX, lay["ob_refcnt"]))
    a.mov(_mem(RSI, 0), 0, size=64)
    a.mov(_mem(RSI, 8), RAX)
    a.inc(_mem(RCX, lay["attr_hits"]), size=32)
    if lay["counting"]:  # (as fastpaths.count_site_hit)
        a.mov(R11, lay["site_hits_counter"])
        a.inc(_mem(R11, 0))
    a.dec(_mem(RDI, lay["ob_refcnt"]))
    a.jcc("z", dealloc)
    a.ret()
    a.bind(dealloc)
    _store_prev_instr(a, lay, RDX)
    a.mov(R11, lay["dealloc"])
    a.jmp(R11)  # (it returns to the site)
    return a.finish()


def pending_glue(lay: dict[str, int], handle_pending: int) -> bytes:
    """The eval breaker was set at a loop's back edge, a RESUME or after a call (codegen.poll_eval_breaker): run
    what is pending (signal handlers, a GIL drop request) with prev_instr at the code unit of the call-site word
    in r15; when a handler raised, the error exit with the word's stack depth."""
    a = Assembler()
    error = a.label("error")
    a.sub(RSP, 8)  # (rsp 16-byte aligned for the call)
    _widen_word(a)
    a.mov(EAX, R15D)
    _store_prev_instr(a, lay, RAX)
    a.mov(RDI, R14)
    frame_pointer(a, RSI)
    a.mov(R11, handle_pending)
    a.call(R11)
    a.test(EAX, EAX)
    a.jcc("nz", error)
    a.add(RSP, 8)
    a.ret()
    a.bind(error)
    a.add(RSP, 16)  # (and the machine code's call)
    a.mov(RAX, R15)
    a.shr(RAX, 32)
    a.and_(EAX, 0xFFFF)
    a.mov(R10, frame_mem(lay["frame_code"]))
    a.add(EAX, _mem(R10, lay["code_nlocalsplus"]))
    a.mov(frame_mem(lay["frame_stacktop"]), EAX)
    a.mov(EAX, lay["exit_error"])
    epilogue(a)
    return a.finish()


def handback_glue(lay: dict[str, int]) -> bytes:
    """The compact hand-back stubs' shared tail (codegen.handback), jumped to with rax = resume unit | depth << 32 |
    (reason * 256 + opcode) << 48: the frame goes back to the interpreter there."""
    a = Assembler()
    unpack_handback(a, lay)
    epilogue(a)
    return a.finish()


def unpack_handback(a: Assembler, lay: dict[str, int]) -> None:
    """ctx's hand-back fields from rax = resume unit | depth << 32 | (reason * 256 + opcode) << 48; eax = the
    hand-back exit."""
    a.mov(_mem(RBX, lay["ctx_resume_unit"]), EAX)
    a.shr(RAX, 32)
    a.mov(ECX, EAX)
    a.and_(ECX, 0xFFFF)
    a.mov(_mem(RBX, lay["ctx_resume_depth"]), ECX)
    a.shr(EAX, 16)
    a.mov(_mem(RBX, lay["ctx_reason"]), EAX)
    a.mov(EAX, lay["exit_handback"])


def compile_block_glue(lay: dict[str, int]) -> bytes:
    """The stubs of blocks without machine code yet (codegen.emit_tail "compile_block"), jumped to with edx = the
    block: leave to have it compiled (csrc/bjit_lazy.c; where the block starts, should the interpreter run it,
    the lazy state knows)."""
    a = Assembler()
    a.mov(_mem(RBX, lay["ctx_reason"]), EDX)
    a.mov(EAX, lay["exit_compile_block"])
    epilogue(a)
    return a.finish()


def place_glue(core, lay: dict[str, int], symbols: dict[str, int], helpers: tuple[str, ...]) -> dict[str, int]:  # noqa: ANN001
    """Make and place the helper-call glue, the deallocation glue and the attribute and global routines in the
    code arena: {symbol: address}."""
    template = enter_template(lay)
    marker = _HELPER_MARKER.to_bytes(8, "little")
    assert template.count(marker) == 1
    pieces = [(enter_name(helper), template.replace(marker, symbols[helper].to_bytes(8, "little")))
              for helper in helpers]
    pieces.append(("global_entry", global_entry_glue(lay)))
    pieces += [(after_name(after), after_glue(lay, after, symbols["handle_pending"])) for after in AFTER]
    pieces.append(("helper_declined", declined_glue(lay)))
    pieces.append(("handback_glue", handback_glue(lay)))
    pieces.append(("compile_block_glue", compile_block_glue(lay)))
    pieces.append(("handle_pending_glue", pending_glue(lay, symbols["handle_pending"])))
    for reg, name in DEALLOC_REGISTERS.items():
        pieces.append((name, dealloc_glue(lay, reg, lay["dealloc"])))
    pieces.append(("method_attr", method_attr_glue(lay)))
    return _place(core, pieces)


def _place(core, pieces: list[tuple[str, bytes]]) -> dict[str, int]:  # noqa: ANN001
    blob = bytearray()
    offsets = {}
    for name, code in pieces:
        offsets[name] = len(blob)
        blob += code
        blob += b"\xcc" * (-len(blob) % 16)  # each glue on its own 16-byte line start
    base = core.arena_alloc(len(blob))
    core.arena_write(base, bytes(blob))
    return {name: base + offset for name, offset in offsets.items()}
