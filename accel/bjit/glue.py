"""Helper-call glue: what every call of an op helper needs beyond the call itself, shared by all call sites.

Why
---
A helper call used to be some 110 bytes at every site: prev_instr stored (15), the helper's arguments set up (tstate,
frame, stack pointer, oparg: 19), the call, the result tested (10), an out-of-line exit for "declined" (12), a
tracing check after it (14) and its hand-back stub (15) -- and a CALL adds an eval-breaker poll and its stub.  Only
the numbers differ between sites: the instruction's code unit, its stack depth, the stack effect, how far the next
instruction is.  The seed's rule for a baseline tier is small code over fast code, so a site now is

    mov ecx, oparg ; [mov r8/r9, extras] ; mov rax, <call-site word> ; call glue     (20 bytes, 30-40 with extras)

and the rest is one piece of glue per (helper, what follows the call), made once per process and placed in the code
arena.  The extra call and return cost a few cycles against a helper that costs dozens.

The call-site word (the template HANDBACK hole: codegen.call_helper)
---------------------------------------------------------------------
    bits 0-31   the instruction's code unit (it has no EXTENDED_ARG prefix, so it also starts there)
    bits 32-47  the value-stack depth before it
    bits 48-55  code units to the next instruction (1 + its inline cache entries)
    bits 56-63  its stack effect, signed (the depth after it, minus the depth before)

The glue
--------
Entered by `call` from machine code (rbx = ctx, r12 = frame, r14 = tstate; rax = the word; ecx = oparg; r8, r9 =
the helper's extra arguments).  It stores prev_instr (frame->f_code's units + 2 * unit), computes the stack pointer
(localsplus + 8 * (co_nlocalsplus + depth)), calls the helper and returns its result in rax.  What the helper
returned decides the rest, as the inline sequence did:
* NULL (an exception; the helper set stacktop): the error exit.  1 (ACCEL_HANDBACK: the helper declined): a
  hand-back at the instruction (ctx->resume_unit = ACCEL_RESUME_CALL_DECLINED, the word in ctx->call_site; the
  trampoline in csrc/bjit_entry.c decodes it).  The glue leaves the machine code itself: it drops its return address
  and runs the epilogue every tier-1 function shares (codegen._Generator.prologue/exits).
* "poll" glue then polls the eval breaker, as ceval does after a call (a failing handler: the error exit with
  stacktop at the depth after the call).
* "tracing" and "poll" glue then check the tracing flag: switched on, the frame goes back to the interpreter after
  the instruction (ACCEL_RESUME_CALL_TRACING).
"""

from __future__ import annotations

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .x86 import (
    CL,
    EAX,
    ECX,
    EDX,
    R8,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
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

# What follows the helper call, the glue's variants
AFTER = ("none", "tracing", "poll")

# The helper address in a glue template, patched per helper (a value no layout entry has)
_HELPER_MARKER = 0x4A4A_4A4A_4A4A_4A4A


def glue_name(after: str, helper: str) -> str:
    """The symbol (codegen Runtime.symbols) of the glue calling `helper`."""
    return f"glue_{after}_{helper}"


def _epilogue(a: Assembler) -> None:
    """codegen._Generator.exits' epilogue (eax = the exit kind), run after the glue dropped its return address."""
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


def glue_template(lay: dict[str, int], after: str, handle_pending: int) -> bytes:
    """The glue for one `after` variant, calling _HELPER_MARKER."""
    a = Assembler()
    declined, tracing_on, pending = a.label("declined"), a.label("tracing_on"), a.label("pending")
    resume, error = a.label("resume"), a.label("error")
    a.push(RAX)  # the call-site word (and rsp 16-byte aligned for the helper)
    a.mov(R10, _mem(R12, lay["frame_code"]))
    a.mov(EAX, EAX)  # rax = the unit (zero-extended)
    a.lea(R11, Mem(R10, lay["code_units_offset"], RAX, 2))
    a.mov(_mem(R12, lay["frame_prev_instr"]), R11)
    a.mov(RAX, _mem(RSP, 0))
    a.shr(RAX, 32)
    a.and_(EAX, 0xFFFF)
    a.add(EAX, _mem(R10, lay["code_nlocalsplus"]))
    a.lea(RDX, Mem(R12, lay["frame_localsplus"], RAX, 8))
    a.mov(RDI, R14)
    a.mov(RSI, R12)
    a.mov(R11, _HELPER_MARKER)
    a.call(R11)
    a.cmp(RAX, 1)
    a.jcc("be", declined)
    if after == "poll":
        a.mov(R10, lay["eval_breaker"])
        a.cmp(_mem(R10, 0), 0, size=32)
        a.jcc("ne", pending)
    a.bind(resume)
    if after != "none":
        _tracing_check(a, lay, tracing_on)
    a.add(RSP, 8)
    a.ret()

    a.bind(declined)  # rax: NULL an error (stacktop set), 1 a hand-back at the instruction
    a.pop(RDX)
    a.add(RSP, 8)  # leave the machine code's call: the function's own frame from here
    a.test(RAX, RAX)
    a.jcc("z", error)
    a.mov(_mem(RBX, lay["ctx_call_site"]), RDX)
    a.mov(_mem(RBX, lay["ctx_resume_unit"]), lay["resume_call_declined"], size=32)
    a.mov(EAX, lay["exit_handback"])
    _epilogue(a)
    a.bind(error)
    a.mov(EAX, lay["exit_error"])
    _epilogue(a)

    if after != "none":
        a.bind(tracing_on)
        a.pop(RDX)
        a.add(RSP, 8)
        a.mov(_mem(RBX, lay["ctx_call_site"]), RDX)
        a.mov(_mem(RBX, lay["ctx_resume_unit"]), lay["resume_call_tracing"], size=32)
        a.mov(EAX, lay["exit_handback"])
        _epilogue(a)
    if after == "poll":
        a.bind(pending)  # a signal handler, a GIL drop request...: run it (prev_instr is still exact)
        a.push(RAX)
        a.sub(RSP, 8)
        a.mov(RDI, R14)
        a.mov(RSI, R12)
        a.mov(R11, handle_pending)
        a.call(R11)
        a.add(RSP, 8)
        a.test(EAX, EAX)
        a.pop(RAX)
        a.jcc("z", resume)
        a.pop(RDX)  # the handler raised: the error exit, the stack as after the instruction
        a.add(RSP, 8)
        a.mov(RAX, RDX)
        a.shr(RAX, 32)
        a.and_(EAX, 0xFFFF)
        a.sar(RDX, 56)
        a.add(EAX, EDX)
        a.mov(R10, _mem(R12, lay["frame_code"]))
        a.add(EAX, _mem(R10, lay["code_nlocalsplus"]))
        a.mov(_mem(R12, lay["frame_stacktop"]), EAX)
        a.mov(EAX, lay["exit_error"])
        _epilogue(a)
    return a.finish()


# The registers a released reference may be in when it reaches zero (codegen.decref), and their glue's symbols
DEALLOC_REGISTERS = {RDI: "dealloc_rdi", RSI: "dealloc_rsi", R13: "dealloc_r13"}


def dealloc_glue(lay: dict[str, int], reg, dealloc: int) -> bytes:  # noqa: ANN001
    """Deallocate the object in `reg` whose count reached zero, with prev_instr at code unit eax (a __del__ or a
    weakref callback may look at the frame).  Called from a release's out-of-line stub; _Py_Dealloc returns to it."""
    a = Assembler()
    a.mov(R10, _mem(R12, lay["frame_code"]))
    a.lea(R11, Mem(R10, lay["code_units_offset"], RAX, 2))
    a.mov(_mem(R12, lay["frame_prev_instr"]), R11)
    if reg != RDI:
        a.mov(RDI, reg)
    a.mov(R11, dealloc)
    a.jmp(R11)
    return a.finish()


def global_entry_glue(lay: dict[str, int]) -> bytes:
    """LOAD_GLOBAL's second chance, shared by its sites' out-of-line paths: a module global whose dict changed
    since the site's cache was filled (a module assigning its own globals changes its version all the time) still
    has its value in the entry where the name was, while that entry holds the name -- a dict has one entry per
    key, deleting a name empties its entry and adding it again appends a new one.  In: rcx = the site's cache,
    r11 = the name; out: rax = the value (borrowed), or 0 (the helper looks it up).  Clobbers rcx, rdx, rsi, r8,
    r10."""
    a = Assembler()
    miss = a.label("miss")
    a.cmp(_mem(RCX, lay["global_cache_in_builtins"]), 0, size=32)
    a.jcc("ne", miss)
    a.mov(R10, _mem(R12, lay["frame_globals"]))
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
    a.movzx(ECX, _mem(RSI, lay["dk_log2_index_bytes"]), src_size=8)
    a.mov(R8, 1)
    a.shl(R8, CL)
    a.add(R8, RSI)  # + dk_indices: the first entry
    a.shl(RDX, 4)  # 16-byte PyDictUnicodeEntry
    a.add(R8, RDX)
    a.cmp(_mem(R8, lay["dk_indices"]), R11)
    a.jcc("ne", miss)
    a.mov(RAX, _mem(R8, lay["dk_indices"] + 8))
    a.ret()
    a.bind(miss)
    a.xor(EAX, EAX)
    a.ret()
    return a.finish()


# The attribute sites' out-of-line glue (attr_miss_glue), by opcode name, and the helper each falls back to
ATTR_GLUE = {"LOAD_ATTR": ("attr_miss_load", "load_attr_cached"), "LOAD_METHOD": ("attr_miss_method",
             "load_method_cached"), "STORE_ATTR": ("attr_miss_store", "store_attr_cached")}


def attr_miss_glue(lay: dict[str, int], op: str, generic: int) -> bytes:
    """What an attribute site does when its inline check misses (fastpaths.emit_attr_site), shared by all sites:
    the site's executable inline-cache region (csrc/inline_cache.c) for the owner, and the hit's work -- the
    result stored, the owner released -- or, when no slot applies, a tail jump to the helper's "tracing" glue
    (`generic`), which runs the generic path and re-fills the site.  Entered as a helper's glue is (rax = the
    call-site word, ecx = the oparg, r8 = the site's cache)."""
    a = Assembler()
    word, sp, oparg, site = (_mem(RSP, 8 * k) for k in range(4))
    to_generic, done = a.label("generic"), a.label("done")
    a.sub(RSP, 40)  # the four values above (and rsp 16-byte aligned for calls)
    a.mov(word, RAX)
    a.mov(oparg, RCX)
    a.mov(site, R8)
    a.mov(R10, _mem(R12, lay["frame_code"]))
    a.mov(EAX, EAX)
    a.lea(R11, Mem(R10, lay["code_units_offset"], RAX, 2))
    a.mov(_mem(R12, lay["frame_prev_instr"]), R11)  # (a deallocation below may look)
    a.mov(RAX, word)
    a.shr(RAX, 32)
    a.and_(EAX, 0xFFFF)
    a.add(EAX, _mem(R10, lay["code_nlocalsplus"]))
    a.lea(RSI, Mem(R12, lay["frame_localsplus"], RAX, 8))
    a.mov(sp, RSI)
    a.mov(RDI, _mem(RSI, -8))  # the owner
    a.mov(RCX, R8)
    a.mov(RAX, _mem(RCX, lay["attr_ic_code"]))
    a.test(RAX, RAX)
    a.jcc("z", to_generic)
    a.call(RAX)  # rdi = the owner, rcx = the site (both kept): rax = what the slot found, or 0
    a.test(RAX, RAX)
    a.jcc("z", to_generic)
    a.mov(RSI, sp)

    def count_hit() -> None:
        a.inc(_mem(RCX, lay["attr_hits"]), size=32)
        a.mov(R11, lay["site_hits_counter"])
        a.inc(_mem(R11, 0))

    def release(reg) -> None:  # noqa: ANN001
        kept = a.label("kept")
        a.dec(_mem(reg, lay["ob_refcnt"]))
        a.jcc("nz", kept)
        if reg != RDI:
            a.mov(RDI, reg)
        a.mov(R11, lay["dealloc"])
        a.call(R11)
        a.bind(kept)

    if op == "LOAD_ATTR":  # rax = the attribute (borrowed)
        a.inc(_mem(RAX, lay["ob_refcnt"]))
        a.mov(_mem(RSI, -8), RAX)
        count_hit()
        release(RDI)
    elif op == "LOAD_METHOD":  # rax = a method (edx 0: [method, self]) or an attribute (edx 1: [NULL, attr])
        attribute = a.label("attribute")
        a.inc(_mem(RAX, lay["ob_refcnt"]))
        count_hit()
        a.test(EDX, EDX)
        a.jcc("nz", attribute)
        a.mov(_mem(RSI, -8), RAX)
        a.mov(_mem(RSI, 0), RDI)  # the owner's reference moves up
        a.jmp(done)
        a.bind(attribute)
        a.mov(_mem(RSI, -8), 0, size=64)
        a.mov(_mem(RSI, 0), RAX)
        release(RDI)
    else:  # STORE_ATTR [value, owner]: rax = the place of the value
        a.mov(RDX, _mem(RAX, 0))
        a.test(RDX, RDX)
        a.jcc("z", to_generic)  # no value there yet: a split dict's insertion order needs keeping
        a.mov(R8, _mem(RSI, -16))
        a.mov(_mem(RAX, 0), R8)  # the stack's reference moves in
        count_hit()
        a.mov(oparg, RDI)  # (the owner, kept across the old value's deallocation)
        release(RDX)
        a.mov(RDI, oparg)
        release(RDI)
    a.bind(done)
    a.add(RSP, 40)
    a.ret()
    a.bind(to_generic)  # as if the site had called the helper's glue itself
    a.mov(RAX, word)
    a.mov(RCX, oparg)
    a.mov(R8, site)
    a.add(RSP, 40)
    a.mov(R11, generic)
    a.jmp(R11)
    return a.finish()


def place_glue(core, lay: dict[str, int], symbols: dict[str, int], helpers: tuple[str, ...]) -> dict[str, int]:  # noqa: ANN001
    """Make and place the glue of every (variant, helper) and the deallocation glue in the code arena:
    {symbol: address}."""
    templates = {after: glue_template(lay, after, symbols["handle_pending"]) for after in AFTER}
    marker = _HELPER_MARKER.to_bytes(8, "little")
    pieces: list[tuple[str, bytes]] = []
    for helper in helpers:
        target = symbols[helper].to_bytes(8, "little")
        for after, template in templates.items():
            assert template.count(marker) == 1
            pieces.append((glue_name(after, helper), template.replace(marker, target)))
    for reg, name in DEALLOC_REGISTERS.items():
        pieces.append((name, dealloc_glue(lay, reg, lay["dealloc"])))
    pieces.append(("global_entry", global_entry_glue(lay)))
    placed = _place(core, pieces)
    return {**placed, **_place(core, [(name, attr_miss_glue(lay, op, placed[glue_name("tracing", helper)]))
                                      for op, (name, helper) in ATTR_GLUE.items()])}


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
