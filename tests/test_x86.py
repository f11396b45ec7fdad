"""The x86-64 assembler (accel.bjit.x86), checked against objdump as a reference disassembler, and by running code.

Every instruction form is encoded on its own, all encodings are concatenated and decoded by one objdump run; each
must come back as exactly one instruction of the same length with the expected Intel-syntax text.  Where the
assembler promises the *shortest* encoding (disp8 vs disp32, imm8 vs imm32, mov r32 vs movabs) lengths are checked.
"""

from __future__ import annotations

import ctypes
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accel.bjit import disasm
from accel.bjit.x86 import (
    AL,
    ALU_OPS,
    BL,
    CL,
    CONDITIONS,
    DIL,
    EAX,
    ECX,
    EDX,
    GPR8,
    GPR32,
    GPR64,
    R8,
    R8B,
    R9,
    R9D,
    R10,
    R11D,
    R12,
    R13,
    R15,
    R15B,
    RAX,
    RBP,
    RBX,
    RCX,
    RDI,
    RDX,
    RSI,
    RSP,
    SIL,
    SPL,
    AsmError,
    Assembler,
    Label,
    Mem,
    Reg,
    invert,
    rel32_bytes,
)

needs_objdump = pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump (binutils) not installed")

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
CANON = {4: "e", 5: "ne", 0xC: "l", 0xE: "le", 0xF: "g", 0xD: "ge", 2: "b", 6: "be", 7: "a", 3: "ae", 8: "s",
         9: "ns", 0: "o", 1: "no", 0xA: "p", 0xB: "np"}
DISPS = (0, 1, 8, -8, 0x7F, 0x80, -0x80, -0x81, 0x1000, -0x1000, 0x7FFFFFFF, -0x80000000)


@dataclass
class Case:
    emit: Callable[[Assembler], object]
    expected: str
    length: int | None = None  # checked when the assembler promises a particular (shortest) encoding


def h(value: int, mask: int = M64) -> str:
    return hex(value & mask)


def fmt_mem(base: Reg | None, disp: int = 0, index: Reg | None = None, scale: int = 1) -> str:
    """objdump's spelling of a memory operand, after `normalize`."""
    parts = [r.name for r in (base,) if r is not None]
    if index is not None:
        parts.append(index.name if scale == 1 else f"{index.name}*{scale}")
    text = "+".join(parts)
    if disp or not parts:
        text += ("-" if disp < 0 else "+" if parts else "") + hex(abs(disp))
    return f"[{text}]"


def normalize(text: str) -> str:
    text = text.split("#")[0].strip()
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\*1(?=[\]+-])", "", text)     # [rsp+rax*1] -> [rsp+rax]
    text = text.replace("+0x0]", "]")             # [rbp+0x0] -> [rbp] (rbp/r13 always carry a displacement)
    text = re.sub(r"ds:(0x[0-9a-f]+)", r"[\1]", text)
    return text


def mem_length(base: Reg | None, disp: int, index: Reg | None) -> int:
    """Bytes of ModRM + SIB + displacement the shortest encoding uses."""
    if base is None:
        return 1 + 1 + 4
    sib = index is not None or base.code & 7 == 4
    dsize = 0 if disp == 0 and base.code & 7 != 5 else 1 if -0x80 <= disp < 0x80 else 4
    return 1 + sib + dsize


def memory_operands() -> list[tuple[Reg | None, int, Reg | None, int]]:
    out: list[tuple[Reg | None, int, Reg | None, int]] = [(b, d, None, 1) for b in GPR64 for d in DISPS]
    for base in (RAX, RSP, RBP, R12, R13, R15):
        for index in GPR64:
            if index is not RSP and index.code != 4:
                for scale in (1, 2, 4, 8):
                    out.append((base, (0, 8, -0x100)[(index.code + scale) % 3], index, scale))
    out += [(None, 0x10, None, 1), (None, 0x12345678, None, 1), (None, 0x40, RCX, 8), (None, -0x40, R9, 2)]
    return out


def instruction_cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    some = (RAX, RCX, RSP, RBP, RSI, R8, R12, R13, R15)

    # mov
    for d in GPR64:
        for s in GPR64:
            add(Case(lambda a, d=d, s=s: a.mov(d, s), f"mov {d.name},{s.name}", 3))
        for v in (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, -1, -0x80000000, -0x80000001, 1 << 32, (1 << 63) - 1,
                  -(1 << 63), M64):
            if 0 <= v <= M32:
                add(Case(lambda a, d=d, v=v: a.mov(d, v), f"mov {d.r32.name},{h(v)}", 5 + (d.code >= 8)))
            elif -0x80000000 <= v < 0x80000000:
                add(Case(lambda a, d=d, v=v: a.mov(d, v), f"mov {d.name},{h(v)}", 7))
            else:
                add(Case(lambda a, d=d, v=v: a.mov(d, v), f"movabs {d.name},{h(v)}", 10))
        add(Case(lambda a, d=d: a.mov_imm64(d, 5), f"movabs {d.name},0x5", 10))
        add(Case(lambda a, d=d: a.mov(d.r32, -1), f"mov {d.r32.name},0xffffffff"))
        add(Case(lambda a, d=d: a.mov(d.r32, RDX.r32), f"mov {d.r32.name},edx"))
        add(Case(lambda a, d=d: a.mov(d.r8, 0x7F), f"mov {d.r8.name},0x7f"))
    for base, disp, index, scale in memory_operands():
        m = Mem(base, disp, index, scale)
        text = fmt_mem(base, disp, index, scale)
        n = mem_length(base, disp, index)
        for r in (RAX, R9):
            add(Case(lambda a, r=r, m=m: a.mov(r, m), f"mov {r.name},QWORD PTR {text}", 2 + n))
            add(Case(lambda a, r=r, m=m: a.mov(m, r), f"mov QWORD PTR {text},{r.name}", 2 + n))
            add(Case(lambda a, r=r, m=m: a.mov(r.r32, m), f"mov {r.r32.name},DWORD PTR {text}"))
            add(Case(lambda a, r=r, m=m: a.mov(m, r.r32), f"mov DWORD PTR {text},{r.r32.name}"))
        add(Case(lambda a, m=m: a.lea(RDX, m), f"lea rdx,{text}", 2 + n))
        add(Case(lambda a, m=m: a.lea(R13, m), f"lea r13,{text}", 2 + n))
        add(Case(lambda a, m=m: a.mov(m, SIL), f"mov BYTE PTR {text},sil"))
    for v in (0, 5, -1, 0x7FFFFFFF, -0x80000000):
        add(Case(lambda a, v=v: a.mov(Mem(RBX, 8), v), f"mov QWORD PTR [rbx+0x8],{h(v)}", 8))
        add(Case(lambda a, v=v: a.mov(Mem(R12, -8), v, size=32), f"mov DWORD PTR [r12-0x8],{h(v, M32)}", 9))
    add(Case(lambda a: a.mov(Mem(RBP, 8), 5, size=8), "mov BYTE PTR [rbp+0x8],0x5"))

    # ALU group, test, unary, shifts, multiply
    for op in ALU_OPS:
        for d in GPR64:
            for s in (RAX, RSP, RBP, R8, R12, R15):
                add(Case(lambda a, op=op, d=d, s=s: a.alu(op, d, s), f"{op} {d.name},{s.name}", 3))
            add(Case(lambda a, op=op, d=d: a.alu(op, d.r32, R9.r32), f"{op} {d.r32.name},r9d"))
        for d in some:
            for v in (0, 1, -1, 0x7F, -0x80):
                add(Case(lambda a, op=op, d=d, v=v: a.alu(op, d, v), f"{op} {d.name},{h(v)}", 4))
                add(Case(lambda a, op=op, d=d, v=v: a.alu(op, d.r32, v), f"{op} {d.r32.name},{h(v, M32)}",
                         3 + (d.code >= 8)))
            for v in (0x80, -0x81, 0x7FFFFFFF, -0x80000000):
                add(Case(lambda a, op=op, d=d, v=v: a.alu(op, d, v), f"{op} {d.name},{h(v)}", 7))
            for v in (0x80000000, 0xFFFFFFFF):
                add(Case(lambda a, op=op, d=d, v=v: a.alu(op, d.r32, v), f"{op} {d.r32.name},{h(v, M32)}"))
            add(Case(lambda a, op=op, d=d: a.alu(op, d, Mem(R13, 0x10)), f"{op} {d.name},QWORD PTR [r13+0x10]"))
            add(Case(lambda a, op=op, d=d: a.alu(op, Mem(RSP, -0x200), d), f"{op} QWORD PTR [rsp-0x200],{d.name}"))
        for base, disp, index, scale in memory_operands()[::7]:
            m, text = Mem(base, disp, index, scale), fmt_mem(base, disp, index, scale)
            n = mem_length(base, disp, index)
            add(Case(lambda a, op=op, m=m: a.alu(op, m, 3), f"{op} QWORD PTR {text},0x3", 3 + n))
            add(Case(lambda a, op=op, m=m: a.alu(op, m, -0x1000), f"{op} QWORD PTR {text},{h(-0x1000)}", 6 + n))
            add(Case(lambda a, op=op, m=m: a.alu(op, m, 7, size=32), f"{op} DWORD PTR {text},0x7"))
        add(Case(lambda a, op=op: a.alu(op, Mem(RDI, 1), 7, size=8), f"{op} BYTE PTR [rdi+0x1],0x7"))
    for name in ("add", "or_", "adc", "sbb", "and_", "sub", "xor", "cmp"):
        add(Case(lambda a, name=name: getattr(a, name)(R12, 1), f"{name.rstrip('_')} r12,0x1"))
    for d in GPR64:
        add(Case(lambda a, d=d: a.test(d, R13), f"test {d.name},r13", 3))
        add(Case(lambda a, d=d: a.test(d.r32, d.r32), f"test {d.r32.name},{d.r32.name}"))
        add(Case(lambda a, d=d: a.test(d, 0x100), f"test {d.name},0x100"))
        add(Case(lambda a, d=d: a.test(d.r8, 1), f"test {d.r8.name},0x1"))
        for op in ("inc", "dec", "neg", "not_"):
            add(Case(lambda a, d=d, op=op: getattr(a, op)(d), f"{op.rstrip('_')} {d.name}", 3))
        for op in ("shl", "shr", "sar"):
            add(Case(lambda a, d=d, op=op: getattr(a, op)(d, 1), f"{op} {d.name},1", 3))
            for count in (2, 31, 63):
                add(Case(lambda a, d=d, op=op, c=count: getattr(a, op)(d, c), f"{op} {d.name},{hex(count)}", 4))
            add(Case(lambda a, d=d, op=op: getattr(a, op)(d, CL), f"{op} {d.name},cl", 3))
            add(Case(lambda a, d=d, op=op: getattr(a, op)(d.r32, 3), f"{op} {d.r32.name},0x3"))
        for s in (RAX, RBP, R12, R15):
            add(Case(lambda a, d=d, s=s: a.imul(d, s), f"imul {d.name},{s.name}", 4))
        add(Case(lambda a, d=d: a.imul(d, RCX, 10), f"imul {d.name},rcx,0xa", 4))
        add(Case(lambda a, d=d: a.imul(d, Mem(R12), 1000), f"imul {d.name},QWORD PTR [r12],0x3e8", 8))
        add(Case(lambda a, d=d: a.imul(d, Mem(RAX, 0x20)), f"imul {d.name},QWORD PTR [rax+0x20]", 5))
        add(Case(lambda a, d=d: a.mov(Mem(RSI, 0x18), d.r32), f"mov DWORD PTR [rsi+0x18],{d.r32.name}"))
        add(Case(lambda a, d=d: a.mov(Mem(R8, -2), d.r8), f"mov BYTE PTR [r8-0x2],{d.r8.name}"))
        add(Case(lambda a, d=d: a.cvtsi2sd(1, d), f"cvtsi2sd xmm1,{d.name}"))
        add(Case(lambda a, d=d: a.movzx(d.r32, Mem(R8, -2), src_size=8), f"movzx {d.r32.name},BYTE PTR [r8-0x2]"))
        add(Case(lambda a, d=d: a.idiv(d), f"idiv {d.name}"))
    for base, disp, index, scale in memory_operands()[::5]:
        m, text = Mem(base, disp, index, scale), fmt_mem(base, disp, index, scale)
        add(Case(lambda a, m=m: a.test(m, 0x7FFFFFFF), f"test QWORD PTR {text},0x7fffffff"))
        add(Case(lambda a, m=m: a.test(m, 4, size=32), f"test DWORD PTR {text},0x4"))
        add(Case(lambda a, m=m: a.inc(m), f"inc QWORD PTR {text}"))
        add(Case(lambda a, m=m: a.dec(m), f"dec QWORD PTR {text}"))
        add(Case(lambda a, m=m: a.dec(m, size=32), f"dec DWORD PTR {text}"))
        add(Case(lambda a, m=m: a.neg(m), f"neg QWORD PTR {text}"))
        add(Case(lambda a, m=m: a.call(m), f"call QWORD PTR {text}"))
        add(Case(lambda a, m=m: a.jmp(m), f"jmp QWORD PTR {text}"))
        add(Case(lambda a, m=m: a.movzx(RAX, m), f"movzx rax,BYTE PTR {text}"))
        add(Case(lambda a, m=m: a.movzx(R9D, m, src_size=16), f"movzx r9d,WORD PTR {text}"))
        add(Case(lambda a, m=m: a.movsxd(R10, m), f"movsxd r10,DWORD PTR {text}"))
        add(Case(lambda a, m=m: a.setcc("ne", m), f"setne BYTE PTR {text}"))
        add(Case(lambda a, m=m: a.cmov("g", R8, m), f"cmovg r8,QWORD PTR {text}"))
    add(Case(lambda a: a.inc(Mem(RBP)), "inc QWORD PTR [rbp]", 4))
    add(Case(lambda a: a.test(RAX, -1), "test rax,0xffffffffffffffff"))

    # conditions
    for cond, cc in CONDITIONS.items():
        canon = CANON[cc]
        for r in (AL, BL, SPL, DIL, R8B, R15B):
            add(Case(lambda a, c=cond, r=r: a.setcc(c, r), f"set{canon} {r.name}"))
        add(Case(lambda a, c=cond: a.cmov(c, RAX, R15), f"cmov{canon} rax,r15", 4))
        add(Case(lambda a, c=cond: a.cmov(c, R12, RBX), f"cmov{canon} r12,rbx", 4))
        add(Case(lambda a, c=cond: a.cmov(c, ECX, EDX), f"cmov{canon} ecx,edx", 3))
    for r8 in GPR8:
        add(Case(lambda a, r=r8: a.movzx(EAX, r), f"movzx eax,{r8.name}"))
        add(Case(lambda a, r=r8: a.movzx(R11D, r), f"movzx r11d,{r8.name}"))
    for r32 in GPR32:
        add(Case(lambda a, r=r32: a.movsxd(RBX, r), f"movsxd rbx,{r32.name}", 3))
        add(Case(lambda a, r=r32: a.cmp(r, 0), f"cmp {r32.name},0x0"))

    # stack, calls, indirect jumps, one-byte wonders
    for r in GPR64:
        add(Case(lambda a, r=r: a.push(r), f"push {r.name}", 1 + (r.code >= 8)))
        add(Case(lambda a, r=r: a.pop(r), f"pop {r.name}", 1 + (r.code >= 8)))
        add(Case(lambda a, r=r: a.call(r), f"call {r.name}", 2 + (r.code >= 8)))
        add(Case(lambda a, r=r: a.jmp(r), f"jmp {r.name}", 2 + (r.code >= 8)))
    add(Case(lambda a: a.push(5), "push 0x5", 2))
    add(Case(lambda a: a.push(0x12345), "push 0x12345", 5))
    # scalar doubles
    for op in ("movsd", "addsd", "subsd", "mulsd", "divsd"):
        for x in (0, 1, 7, 8, 15):
            for base, disp in ((RAX, 0), (RDI, 16), (RSI, 16), (R12, 8), (R13, 0), (RSP, -0x200)):
                sign = "+" if disp >= 0 else "-"
                addr = f"{base.name}{sign}{h(abs(disp))}" if disp else base.name
                add(Case(lambda a, op=op, x=x, b=base, d=disp: a.sd(op, x, Mem(b, d)),
                         f"{op} xmm{x},QWORD PTR [{addr}]"))
            add(Case(lambda a, op=op, x=x: a.sd(op, x, 9), f"{op} xmm{x},xmm9"))
    for x in (0, 1, 8, 15):
        for base, disp in ((RAX, 0), (RDI, 16), (R12, 8), (R13, 0), (RSP, -0x200)):
            sign = "+" if disp >= 0 else "-"
            addr = f"{base.name}{sign}{h(abs(disp))}" if disp else base.name
            add(Case(lambda a, x=x, b=base, d=disp: a.movsd_store(Mem(b, d), x), f"movsd QWORD PTR [{addr}],xmm{x}"))
    for emit, text in ((Assembler.ret, "ret"), (Assembler.int3, "int3"), (Assembler.ud2, "ud2"),
                       (Assembler.cqo, "cqo"), (Assembler.nop, "nop")):
        add(Case(emit, text))
    return cases


@needs_objdump
def test_every_form_matches_objdump() -> None:
    cases = instruction_cases()
    blob = bytearray()
    spans = []
    for case in cases:
        a = Assembler()
        case.emit(a)
        spans.append((len(blob), a.code))
        blob += a.code
    decoded = {addr: (raw, text) for addr, raw, text in disasm.decode(bytes(blob), 0, backend="objdump")}
    failures = []
    for case, (offset, code) in zip(cases, spans, strict=True):
        raw, text = decoded.get(offset, (b"", "<no instruction starts here>"))
        if raw != code or normalize(text) != case.expected or (case.length is not None and len(code) != case.length):
            failures.append(f"{code.hex(' ')}: {normalize(text)!r} != {case.expected!r} "
                            f"(len {len(code)}, want {case.length}, decoded {raw.hex(' ')})")
    assert not failures, f"{len(failures)} of {len(cases)} failed:\n" + "\n".join(failures[:40])
    assert len(cases) > 3000


@needs_objdump
def test_multibyte_nops_and_align() -> None:
    for count in range(1, 24):
        a = Assembler()
        a.nop(count)
        insns = disasm.decode(a.code, 0, backend="objdump")
        assert a.size == count and sum(len(raw) for _, raw, _ in insns) == count
        assert all(text.split()[0] in ("nop", "xchg") for _, _, text in insns), insns
        assert len(insns) == -(-count // 9)
    a = Assembler()
    for boundary in (1, 2, 4, 8, 16, 32):
        a.int3()
        a.align(boundary)
        assert a.size % boundary == 0


def _jump_targets(code: bytes, address: int) -> list[str]:
    return [normalize(text) for _, _, text in disasm.decode(code, address, backend="objdump")]


@needs_objdump
def test_labels_forward_backward_short_and_long() -> None:
    a = Assembler()
    top, fwd, far_back, end = a.label("top"), a.label("fwd"), a.label(), a.label()
    a.bind(far_back)
    a.nop(200)
    a.bind(top)                      # 200
    a.jmp(fwd)                       # 200: forward, rel32 (5)
    a.jcc("ne", fwd)                 # 205: forward, rel32 (6)
    a.jcc("l", top)                  # 211: backward, near: rel8 (2)
    a.jmp(top)                       # 213: rel8 (2)
    a.jmp(far_back)                  # 215: too far for rel8: rel32 (5)
    a.jcc("a", far_back)             # 220: rel32 (6)
    a.call(end)                      # 226: call rel32 (5)
    a.bind(fwd)                      # 231
    a.lea_label(RAX, end)            # 231: 7 bytes
    a.bind(end)                      # 238
    a.ret()
    code = a.finish()
    base = 0x400000
    texts = _jump_targets(code[200:], base + 200)
    assert texts[:8] == [
        f"jmp {base + 231:#x}", f"jne {base + 231:#x}", f"jl {base + 200:#x}", f"jmp {base + 200:#x}",
        f"jmp {base:#x}", f"ja {base:#x}", f"call {base + 238:#x}", "lea rax,[rip]"]
    assert [fwd.position, end.position, top.position] == [231, 238, 200]
    assert code[211] == 0x7C and code[213] == 0xEB and code[215] == 0xE9 and code[220:222] == b"\x0f\x87"


def test_label_errors() -> None:
    a = Assembler()
    never = a.label("never")
    a.jmp(never)
    with pytest.raises(AsmError, match="never"):
        a.finish()
    a.bind(never)
    assert a.finish() == b"\xe9\x00\x00\x00\x00"
    with pytest.raises(AsmError):
        a.bind(never)
    assert isinstance(a.here(), Label)


def test_patchable_sites_and_rel32_bytes() -> None:
    assert rel32_bytes(0x1000, 0x1004) == b"\0\0\0\0"
    assert rel32_bytes(0x1000, 0x1000) == (-4).to_bytes(4, "little", signed=True)
    assert rel32_bytes(0x1000, 0x1000 + 4 + 0x7FFFFFFF) == b"\xff\xff\xff\x7f"
    assert rel32_bytes(0x1000 + 0x80000000 - 4, 0x1000) == b"\x00\x00\x00\x80"
    with pytest.raises(AsmError):
        rel32_bytes(0x1000, 0x1000 + 4 + 0x80000000)
    with pytest.raises(AsmError):
        rel32_bytes(0x1000 + 0x80000001 - 4, 0x1000)
    a = Assembler()
    back = a.here()
    j = a.jmp_patchable(back)        # long form even though rel8 would reach
    c = a.jcc_patchable("ge")
    assert (j, c) == (1, 7) and a.size == 11 and a.code[0] == 0xE9 and a.code[5:7] == b"\x0f\x8d"
    assert a.code[1:5] == rel32_bytes(1, 0) and a.code[7:11] == b"\0\0\0\0"
    assert invert("l") == "ge" and invert("z") == "ne" and invert("a") == "be"


def test_operand_errors() -> None:
    a = Assembler()
    for bad in (lambda: Mem(RAX, index=RSP), lambda: Mem(RAX, scale=3), lambda: Mem(RAX.r32),
                lambda: Mem(RAX, 1 << 31), lambda: a.mov(Mem(RAX), Mem(RBX)), lambda: a.mov(RAX, 1 << 64),
                lambda: a.add(RAX, 1 << 31), lambda: a.add(RAX, ECX), lambda: a.jcc("xx", a.label()),
                lambda: a.shl(RAX, RCX), lambda: a.push(ECX), lambda: a.lea(RAX, RBX),  # type: ignore[arg-type]
                lambda: a.mov(Mem(RAX), 1 << 31), lambda: a.cmp(Mem(RAX), 1, size=16)):
        with pytest.raises(AsmError):
            bad()
    assert a.size == 0


# ------------------------------------------------------------------------------------------ running the code


def _run(a: Assembler, restype: type = ctypes.c_long, *argtypes: type) -> tuple[Callable[..., int], int]:
    from accel.runtime import core

    c = core()
    code = a.finish()
    address = c.arena_alloc(len(code))
    c.arena_write(address, code)
    return ctypes.CFUNCTYPE(restype, *argtypes)(address), address


def test_executes_add() -> None:
    a = Assembler()
    a.mov(RAX, RDI)
    a.add(RAX, RSI)
    a.ret()
    fn, _ = _run(a, ctypes.c_long, ctypes.c_long, ctypes.c_long)
    assert fn(2, 3) == 5 and fn(-7, 3) == -4


def test_executes_loop_memory_and_setcc() -> None:
    # sum(range(n)) with a backward jcc, a stack slot addressed off rsp, and setcc/movzx for "2*sum > 200".
    a = Assembler()
    loop, done = a.label(), a.label()
    a.push(R12)
    a.xor(RAX.r32, RAX.r32)  # zero-extends: clears all of rax
    a.mov(R12, RDI)
    a.mov(Mem(RSP, -16), 0)
    a.bind(loop)
    a.test(R12, R12)
    a.jcc("z", done)
    a.dec(R12)
    a.add(Mem(RSP, -16), R12)
    a.jmp(loop)
    a.bind(done)
    a.mov(RAX, Mem(RSP, -16))
    a.shl(RAX, 1)
    a.cmp(RAX, 200)
    a.setcc("g", RCX.r8)
    a.movzx(RCX.r32, RCX.r8)
    a.imul(RCX, RCX, 1000)
    a.add(RAX, RCX)
    a.pop(R12)
    a.ret()
    fn, _ = _run(a, ctypes.c_long, ctypes.c_long)
    assert fn(10) == 90 and fn(15) == 1210 and fn(0) == 0


def test_executes_call_abs_and_patched_jump() -> None:
    from accel.runtime import core

    libc = ctypes.CDLL(None)
    labs = ctypes.cast(libc.labs, ctypes.c_void_p).value
    assert labs is not None
    a = Assembler()
    one, two = a.label(), a.label()
    a.push(RBX)                      # re-align the stack to 16 for the call
    a.call_abs(labs)
    a.pop(RBX)
    field = a.jmp_patchable(one)
    a.bind(one)
    a.ret()
    a.bind(two)
    a.add(RAX, 1000)
    a.ret()
    fn, address = _run(a, ctypes.c_long, ctypes.c_long)
    assert fn(-42) == 42
    assert two.position is not None
    core().arena_write(address + field, rel32_bytes(address + field, address + two.position))
    assert fn(-42) == 1042


def test_call_near_is_linked_where_the_code_is_placed() -> None:
    """call rel32 to an absolute address: 5 bytes, resolved by link(); out of reach is an AsmError."""
    from accel.runtime import core

    libc = ctypes.CDLL(None)
    labs = ctypes.cast(libc.labs, ctypes.c_void_p).value
    assert labs is not None
    a = Assembler()
    a.push(RBX)
    start = a.size
    a.call_near(labs)
    assert a.size - start == 5 and a.code[start] == 0xE8
    a.pop(RBX)
    a.ret()
    c = core()
    code = a.finish()
    address = c.arena_alloc(len(code))
    c.arena_write(address, a.link(address))
    fn = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long)(address)
    assert fn(-42) == 42 and fn(7) == 7
    with pytest.raises(AsmError):
        a.link(labs + (1 << 33))


def test_disassemble_backends() -> None:
    code = bytes.fromhex("4889f8c3")
    for backend in disasm.available_backends():
        lines = disasm.disassemble(code, 0x1000, backend=backend)
        assert lines and "0x1000" in lines[0]
        if backend != "hex":
            assert "mov" in lines[0] and "ret" in lines[1]
    assert disasm.disassemble(code)


def test_a_load_of_the_slot_just_stored_takes_the_register() -> None:
    """mov [m], r; mov r2, [m] -> mov [m], r; mov r2, r (nothing at all when r2 is r): the load would wait for
    store-to-load forwarding.  Not across a label (a jump may arrive with other values), nor for a narrower load,
    another address, or when anything was emitted in between."""
    slot = Mem(R12, 0x68)

    def assembled(*steps: Callable[[Assembler], None]) -> bytes:
        a = Assembler()
        for step in steps:
            step(a)
        return a.code

    def store(a: Assembler) -> None:
        a.mov(slot, RAX)

    plain = assembled(store)
    assert assembled(store, lambda a: a.mov(RAX, slot)) == plain
    assert assembled(store, lambda a: a.mov(RDI, slot)) == plain + bytes.fromhex("4889c7")  # mov rdi, rax
    # the register stays what memory holds: a second load takes it too
    assert assembled(store, lambda a: a.mov(RDI, slot), lambda a: a.mov(RSI, slot)) == plain + bytes.fromhex(
        "4889c74889c6")
    loads = bytes.fromhex("498b7c2468")  # mov rdi, [r12+0x68]
    assert assembled(store, lambda a: a.here(), lambda a: a.mov(RDI, slot)) == plain + loads
    assert assembled(store, lambda a: a.inc(RAX), lambda a: a.mov(RDI, slot)) == plain + bytes.fromhex(
        "48ffc0") + loads
    assert assembled(store, lambda a: a.mov(RDI, Mem(R12, 0x70))) == plain + bytes.fromhex("498b7c2470")
    assert assembled(store, lambda a: a.mov(EDX, slot)) == plain + bytes.fromhex("418b542468")  # 32-bit load
    assert assembled(lambda a: a.mov(slot, EAX), lambda a: a.mov(RDI, slot)) == bytes.fromhex("4189442468") + loads
    # and it runs: store, then "load" the slot back
    a = Assembler()
    a.push(R12)
    a.sub(RSP, 16)
    a.mov(R12, RSP)
    a.mov(Mem(R12, 0), RDI)
    a.mov(RAX, Mem(R12, 0))
    a.add(RSP, 16)
    a.pop(R12)
    a.ret()
    fn, _ = _run(a, ctypes.c_long, ctypes.c_long)
    assert fn(41) == 41
