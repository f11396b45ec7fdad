"""Templates of the executable inline-cache slots (csrc/inline_cache.c writes them into sites' regions).

A slot is one case of an attribute site -- "an instance of the type with version tag V keeps this attribute at
index I of its split-dict values" -- as a straight run of machine code: guards, the load, `ret`.  The rewriter in
C fills a slot in at run time from the case the generic path just handled, so it has to be quick and must not
call back into Python: it copies a template assembled here once per process and stores the case's numbers into
the template's *holes*.  A hole is assembled with a placeholder no real operand has and found again in the bytes
(imm64 holes: the offset `mov_imm64` reports), which checks that each placeholder occurs exactly once.

Contract (inline_cache.c's header says more): rdi = the owner, rcx = the site (kept); out: rax = a borrowed
attribute, or for stores the address of the instance's slot for the value, or 0 (no slot applies: the
generic path runs; a NULL attribute -- deleted -- reads the same way); edx = 1 for an
attribute, 0 for a method (LOAD_METHOD sites).  Clobbers rax, rdx, rsi, r8-r11 (the call site keeps nothing
in them).  A guard that fails falls into the next
slot: every template ends at its own miss label.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .glue import unicode_entry_address
from .x86 import CL, EAX, ECX, EDX, R8, R9, R10, R11, RAX, RCX, RDI, RDX, RSI, Assembler, Label, Mem

# Placeholders for 32-bit holes: positive as signed imm32 (cmp qword sign-extends) and unlike any layout offset.
_PLACEHOLDER32 = {"version": 0x5A17A001, "disp": 0x5A17A002, "nentries": 0x5A17A003, "flag": 0x5A17A004}
_PLACEHOLDER64 = 0x7C3B9E5500000000

# in csrc/bjit.h IC_HOLE_* order
HOLES = ("version", "disp", "value", "nentries", "dict", "dict_version", "hits", "flag", "hash", "name")


class _Template:
    def __init__(self, lay: dict[str, int]) -> None:
        self.a = Assembler()
        self.lay = lay
        self.miss: Label = self.a.label("next_slot")
        self.imm64: dict[str, int] = {}

    def hole64(self, name: str, reg) -> None:  # noqa: ANN001
        self.imm64[name] = self.a.mov_imm64(reg, _PLACEHOLDER64 + HOLES.index(name))

    def version_guard(self) -> None:
        """The owner's type has the version tag of the case (rax = the type after it)."""
        a = self.a
        a.mov(RAX, Mem(RDI, self.lay["ob_type"]))
        a.cmp(Mem(RAX, self.lay["type_version_tag"]), _PLACEHOLDER32["version"], size=32)
        a.jcc("ne", self.miss)

    def exact_type(self, type_address: int) -> None:
        """The owner is exactly of this (static) type, else the next slot."""
        self.a.mov(RDX, type_address)
        self.a.cmp(Mem(RDI, self.lay["ob_type"]), RDX)
        self.a.jcc("ne", self.miss)

    def values(self) -> None:
        """rax = the owner's split-dict values (no materialised __dict__), else the next slot."""
        a = self.a
        a.mov(RAX, Mem(RDI, self.lay["values_pointer"]))
        a.test(RAX, RAX)
        a.jcc("z", self.miss)

    def materialised_dict(self, no_dict: Label) -> None:
        """rax = the owner's materialised managed dict, an exact dict (no split values left), else the next slot; to
        `no_dict` when the owner has neither values nor a dict.  Clobbers rdx."""
        a, lay = self.a, self.lay
        a.cmp(Mem(RDI, lay["values_pointer"]), 0)
        a.jcc("ne", self.miss)
        a.mov(RAX, Mem(RDI, lay["managed_dict_pointer"]))
        a.test(RAX, RAX)
        a.jcc("z", no_dict)
        a.mov(RDX, lay["dict_type"])
        a.cmp(Mem(RAX, lay["ob_type"]), RDX)
        a.jcc("ne", self.miss)

    def finish(self, flag: bool) -> tuple[bytes, tuple[int, ...]]:
        a = self.a
        self.hole64("hits", R8)
        a.inc(Mem(R8, 0), size=32)
        if flag:
            a.mov(EDX, _PLACEHOLDER32["flag"])
        a.ret()
        a.bind(self.miss)
        code = a.finish()
        holes = []
        for name in HOLES:
            if name in self.imm64:
                holes.append(self.imm64[name])
            elif name in _PLACEHOLDER32:
                holes.append(_find_once(code, _PLACEHOLDER32[name]))
            else:
                holes.append(-1)
        return code, tuple(holes)


def _find_once(code: bytes, value: int) -> int:
    pattern = struct.pack("<I", value)
    at = code.find(pattern)
    if at >= 0 and code.find(pattern, at + 1) >= 0:
        raise AssertionError(f"ic_slots: placeholder {value:#x} twice")
    return at


def _load_value(t: _Template) -> None:
    t.version_guard()
    t.values()
    t.a.mov(RAX, Mem(RAX, _PLACEHOLDER32["disp"]))  # NULL (no value: deleted) reads as "no slot applies"


def _load_slot(t: _Template) -> None:
    t.version_guard()
    t.a.mov(RAX, Mem(RDI, _PLACEHOLDER32["disp"]))  # NULL: as above


def _load_const(t: _Template) -> None:
    """A class attribute or method the instance cannot shadow (no instance dict, or a __slots__ class)."""
    t.version_guard()
    t.hole64("value", RAX)


def _load_const_values(t: _Template) -> None:
    """A class attribute or method a split-dict instance does not shadow: the instance has no materialised dict
    and the shared keys have not grown since the name was found absent from them."""
    a, lay = t.a, t.lay
    t.version_guard()
    a.mov(RDX, Mem(RAX, lay["ht_cached_keys"]))
    a.cmp(Mem(RDX, lay["dk_nentries"]), _PLACEHOLDER32["nentries"])
    a.jcc("ne", t.miss)
    a.cmp(Mem(RDI, lay["values_pointer"]), 0)
    a.jcc("e", t.miss)
    t.hole64("value", RAX)


def _load_module(t: _Template) -> None:
    """A module's global: an exact module whose dict is the one seen, at the version seen."""
    a, lay = t.a, t.lay
    t.exact_type(lay["module_type"])
    a.mov(RAX, Mem(RDI, lay["md_dict"]))
    t.hole64("dict", RDX)
    a.cmp(RAX, RDX)
    a.jcc("ne", t.miss)
    t.hole64("dict_version", RDX)
    a.cmp(Mem(RAX, lay["ma_version_tag"]), RDX)
    a.jcc("ne", t.miss)
    t.hole64("value", RAX)


def _load_type_attr(t: _Template) -> None:
    """An attribute read from a class (an exact `type` instance) whose own version tag is the one seen."""
    a, lay = t.a, t.lay
    t.exact_type(lay["type_type"])
    a.cmp(Mem(RDI, lay["type_version_tag"]), _PLACEHOLDER32["version"], size=32)
    a.jcc("ne", t.miss)
    t.hole64("value", RAX)


def _load_method_dict(t: _Template) -> None:
    """A method of the type, for an instance with a materialised managed dict that does not hold the name: the
    dict's keys probed as CPython's lookup for str keys probes them (tables of up to 128 entries, one-byte
    indices).  A key with the name's hash is the name or may equal it: the helper decides then."""
    a, lay = t.a, t.lay
    visible, shadowed, probe, special, step = (a.label(n) for n in ("visible", "shadowed", "probe", "special",
                                                                      "step"))
    t.version_guard()
    t.materialised_dict(visible)  # (none: no attributes at all)
    a.mov(RAX, Mem(RAX, lay["ma_keys"]))
    a.cmp(Mem(RAX, lay["dk_kind"]), 0, size=8)
    a.jcc("e", t.miss)  # keys that are not all str
    a.cmp(Mem(RAX, lay["dk_log2_size"]), 7, size=8)
    a.jcc("a", t.miss)  # wider indices
    a.push(RCX)
    a.movzx(ECX, Mem(RAX, lay["dk_log2_size"]), src_size=8)
    a.mov(R9, 1)
    a.shl(R9, CL)
    a.sub(R9, 1)  # mask
    a.lea(R10, Mem(RAX, lay["dk_indices"]))  # one-byte indices, then the entries
    a.lea(RSI, Mem(R10, 1, R9, 1))
    t.hole64("hash", R11)
    a.mov(RDX, R11)  # perturb
    a.mov(R8, R11)
    a.and_(R8, R9)  # i
    a.bind(probe)
    a.movzx(EAX, Mem(R10, 0, R8, 1), src_size=8)
    a.cmp(EAX, 0xFE)
    a.jcc("ae", special)  # DKIX_DUMMY (-2) or DKIX_EMPTY (-1)
    a.shl(EAX, 4)  # 16-byte entries: the key first
    a.mov(RAX, Mem(RSI, 0, RAX, 1))
    a.cmp(Mem(RAX, lay["str_hash"]), R11)
    a.jcc("e", shadowed)  # the name, or a key that may equal it: the helper decides
    a.bind(step)
    a.shr(RDX, 5)
    a.lea(R8, Mem(R8, 1, R8, 4))
    a.add(R8, RDX)
    a.and_(R8, R9)
    a.jmp(probe)
    a.bind(special)
    a.jcc("e", step)  # a deleted entry: go on probing
    a.pop(RCX)  # an empty one: the name is not there
    a.jmp(visible)
    a.bind(shadowed)
    a.pop(RCX)
    a.jmp(t.miss)
    a.bind(visible)
    t.hole64("value", RAX)


def _load_dict_hint(t: _Template) -> None:
    """An attribute of an instance whose managed dict is materialised (an instance given more attributes than its
    class's shared keys hold, or whose __dict__ was used): the dict's entry at the hint -- where the name was when
    the slot was written; instances made alike keep it there -- when that entry's key is the name (as CPython's
    LOAD_ATTR_WITH_HINT), the value from the split values or the entry."""
    a, lay = t.a, t.lay
    combined, done = a.label("combined"), a.label("dict_value")
    t.version_guard()
    t.materialised_dict(t.miss)
    a.mov(RSI, Mem(RAX, lay["ma_keys"]))
    a.cmp(Mem(RSI, lay["dk_kind"]), 0, size=8)
    a.jcc("e", t.miss)  # keys that are not all str
    a.mov(EDX, _PLACEHOLDER32["disp"])  # the hint
    a.cmp(Mem(RSI, lay["dk_nentries"]), RDX)
    a.jcc("be", t.miss)
    a.push(RCX)
    unicode_entry_address(a, lay)  # r8 (less dk_indices)
    a.pop(RCX)
    t.hole64("name", R11)
    a.cmp(Mem(R8, lay["dk_indices"]), R11)
    a.jcc("ne", t.miss)
    a.mov(RSI, Mem(RAX, lay["ma_values"]))
    a.test(RSI, RSI)
    a.jcc("z", combined)
    a.mov(RAX, Mem(RSI, 0, RDX, 8))  # a split dict's value (NULL: deleted, reads as "no slot applies")
    a.jmp(done)
    a.bind(combined)
    a.mov(RAX, Mem(R8, lay["dk_indices"] + 8))
    a.bind(done)


def _store_value(t: _Template) -> None:
    t.version_guard()
    t.values()
    t.a.lea(RAX, Mem(RAX, _PLACEHOLDER32["disp"]))


def _store_slot(t: _Template) -> None:
    t.version_guard()
    t.a.lea(RAX, Mem(RDI, _PLACEHOLDER32["disp"]))


TEMPLATES: dict[str, tuple[Callable[[_Template], None], bool]] = {  # name (layout "ic_tpl_<name>") -> (body, flag)
    "load_value": (_load_value, True),
    "load_slot": (_load_slot, True),
    "load_const": (_load_const, True),
    "load_const_values": (_load_const_values, True),
    "load_module": (_load_module, True),
    "load_type_attr": (_load_type_attr, True),
    "store_value": (_store_value, False),
    "store_slot": (_store_slot, False),
    "load_method_dict": (_load_method_dict, True),
    "load_dict_hint": (_load_dict_hint, True),
}


def build(lay: dict[str, int]) -> dict[str, tuple[bytes, tuple[int, ...]]]:
    """Every template: name -> (code, hole offsets in HOLES order, -1 for a hole it does not have)."""
    out = {}
    for name, (body, flag) in TEMPLATES.items():
        t = _Template(lay)
        body(t)
        out[name] = t.finish(flag)
    return out


def register(core, lay: dict[str, int]) -> None:  # noqa: ANN001
    """Hand the templates to the C rewriter (once per process; later calls replace them)."""
    assert lay["ic_hole_count"] == len(HOLES)
    for name, (code, holes) in build(lay).items():
        core.ic_set_template(lay[f"ic_tpl_{name}"], code, holes)
