"""Inline fast paths of tier-1 code generation: the commonest cases of dynamic operations, checked and done in
machine code before (or instead of) a call to their helper.

Each guards on exactly what the C side relies on (csrc/site_cache.c explains the attribute-cache guards) and
falls back, out of line or through, to the helper that handles every case and re-fills the site's cache:

* LOAD_GLOBAL: the site's cached value, while both dicts are the ones and at the versions it was found in.
* LOAD_ATTR / STORE_ATTR / LOAD_METHOD: an instance's split-dict value, a materialised dict's entry at the site's
  hint, a method the instance cannot shadow.
* BINARY_OP +, -, *, / of two floats, a float and a one-digit int, or two one-digit ints (result objects from
  PyFloat_FromDouble / PyLong_FromLongLong).
* COMPARE_OP of two one-digit ints fused with the conditional jump after it.

This is a mixin of codegen._Generator: it uses the generator's assembler, frame addressing, helper calls, exits
and stubs.
"""

from __future__ import annotations

import dis
import opcode as _opcode
from typing import Any

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

from .feedback import ALL_ATTR_KINDS, Feedback
from .glue import unicode_entry_address
from .registers import frame_mem
from .x86 import AL, DL, EAX, ECX, EDX, ESI, R8, R11, R13, R14, R15, R15D, RAX, RCX, RDI, RDX, RSI, Label, Mem
from .x86 import mem as _mem

OP = _opcode.opmap
_LIST_APPEND = list.__dict__["append"]  # the method descriptor (static: lives as long as the process)

# BINARY_OP opargs (NB_*) computed inline (floats, one-digit ints, or one of each): oparg -> operation
INLINE_BINARY_OPS: dict[int, str] = {0: "add", 10: "sub", 5: "mul", 11: "div",
                                     13: "add", 23: "sub", 18: "mul", 24: "div"}

# Attribute sites whose commonest cached case is checked inline, and their helpers (csrc/site_cache.c)
# (feedback kind, a STORE_ATTR site) -> the layout name of the attribute-cache kind (csrc/bjit.h KIND_*)
ATTR_KIND_NAMES = {("values", False): "kind_instance_value", ("slot", False): "kind_slot",
                    ("dict", False): "kind_instance_dict", ("values", True): "kind_store_value",
                    ("slot", True): "kind_store_slot", ("dict", True): "kind_store_dict"}
INLINE_ATTR_OPS: dict[int, str] = {OP["LOAD_ATTR"]: "load_attr_cached", OP["LOAD_METHOD"]: "load_method_cached",
                                   OP["STORE_ATTR"]: "store_attr_cached"}


class FastPaths:
    # provided by codegen._Generator: state ...
    a: Any
    lay: dict[str, int]
    fn: Any
    rt: Any
    code: Any
    site_data: Any  # instruction index -> its site cache address
    feedback: Feedback
    stubs: list[Any]
    block_labels: dict[int, Label]
    # ... and what it emits with
    slot: Any
    operand: Any
    local: Any
    incref: Any
    decref: Any
    set_prev_instr: Any
    call_helper: Any
    call_c: Any
    check_tracing: Any
    error_with_stacktop: Any
    jump_label: Any
    next_start: Any
    depth_after: Any

    def emit_load_global(self, i: int, arg: int, depth: int) -> None:
        """The site's cached value while both dicts are at the versions it was found at -- only the globals' at
        a site CPython found a module global at (LOAD_GLOBAL_MODULE: a value found in the globals does not
        depend on the builtins; the cache's module_version is 0, no dict's version, while it holds a builtin);
        otherwise (out of line) the value in the entry where the name was (glue.global_entry_glue), else the
        helper, which looks it up and re-fills the cache."""
        a = self.a
        lay = self.lay
        slow, hit, done = a.label("global_miss"), a.label("global_hit"), a.label("global_done")
        a.mov(RCX, self.site_data[i])
        # Only the versions: a dict's version tag is unique among all dicts (PEP 509: a global counter, bumped
        # for every dict made or changed; csrc/site_cache.c's own tags come from a range CPython never reaches),
        # so the frame's dict at the version the cache was filled at is the cache's dict, unchanged since.
        checks: tuple[tuple[str, str], ...] = (("frame_globals", "global_cache_globals_version"),
                                               ("frame_builtins", "global_cache_builtins_version"))
        if self.feedback.name_at(self.fn.records[i * 8 + 2]) == "LOAD_GLOBAL_MODULE":
            checks = (("frame_globals", "global_cache_module_version"),)
        for frame_field, version_field in checks:
            a.mov(RAX, frame_mem(lay[frame_field]))
            a.mov(RDX, _mem(RAX, lay["dict_version"]))
            a.cmp(RDX, _mem(RCX, lay[version_field]))
            a.jcc("ne", slow)
        a.mov(RAX, _mem(RCX, lay["global_cache_value"]))
        a.bind(hit)
        self.incref(RAX)
        if arg & 1:
            a.mov(self.slot(depth), 0)
        a.mov(self.slot(depth + (arg & 1)), RAX)
        a.bind(done)

        def stub() -> None:
            a.bind(slow)  # (rcx = the site's cache)
            self.call_c(self.rt.symbols["global_entry"])  # the value in the entry where the name was (keeps rcx)
            a.test(RAX, RAX)
            a.jcc("nz", hit)
            self.call_helper("load_global", i, arg, depth, extra=RCX, after="tracing")
            a.jmp(done)

        self.stubs.append(stub)

    def emit_attr_site(self, i: int, op: int, arg: int, depth: int) -> None:
        """LOAD_ATTR / LOAD_METHOD / STORE_ATTR: the cached kinds CPython's quickened instruction says the site saw
        (feedback.py; all of them when it says nothing) checked and done inline -- an instance's split-dict value,
        a __slots__ member, a materialised dict's entry at the hint, a method the instance cannot shadow.  When
        that misses (another type, another kind, a cache not filled yet), the site's executable inline-cache
        region (csrc/inline_cache.c) is called: one machine-code slot per further case the site has met.  When
        no slot applies, the site's helper runs the generic path out of line, and its rewriter adds a slot."""
        a = self.a
        lay = self.lay
        offset = self.fn.records[i * 8 + 2]
        site = self.site_data[i]
        kinds = self.feedback.attr_kinds(offset) if op != OP["LOAD_METHOD"] else ()
        self.describe_site(site, op, offset, kinds)
        inline = op == OP["LOAD_METHOD"] or bool(kinds)  # else a module attribute, say: the region first
        slow, done, generic = a.label("attr_miss"), a.label("attr_done"), a.label("attr_generic")
        hit = a.label("attr_hit")
        a.mov(RDI, self.slot(depth - 1))  # the owner (first: it may come from the register the last store used)
        a.mov(RCX, site)
        if inline:
            a.mov(RAX, _mem(RDI, lay["ob_type"]))
            a.mov(EAX, _mem(RAX, lay["type_version_tag"]))
            a.cmp(EAX, _mem(RCX, lay["attr_type_version"]))
            a.jcc("ne", slow)
        else:
            self.emit_region_call(generic)
        if op == OP["LOAD_ATTR"]:
            if inline:
                self.emit_load_attr_kinds(arg, site, kinds, slow)
                a.test(RAX, RAX)
                a.jcc("z", slow)  # deleted: the generic path raises
            a.bind(hit)  # rax = the attribute (borrowed), rdi = the owner, rcx = the site
            self.incref(RAX)
            a.mov(self.slot(depth - 1), RAX)
            a.mov(R13, RAX)  # callee-saved: the result is in r13 at `done` on every path (bind_known below)
            self.count_site_hit(RCX)
            self.decref(RDI, offset)
        elif op == OP["LOAD_METHOD"]:
            kind_shadow = _mem(RCX, lay["attr_kind_shadow"])
            method = a.label("method")
            a.mov(EAX, kind_shadow)
            a.cmp(EAX, lay["kind_method"] | lay["shadow_none"] << 16)
            a.jcc("e", method)
            a.cmp(EAX, lay["kind_method"] | lay["shadow_values"] << 16)
            a.jcc("ne", slow)
            a.cmp(_mem(RDI, lay["values_pointer"]), 0)
            a.jcc("e", slow)
            a.mov(RAX, _mem(RDI, lay["ob_type"]))
            a.mov(RAX, _mem(RAX, lay["ht_cached_keys"]))
            a.mov(RAX, _mem(RAX, lay["dk_nentries"]))
            a.cmp(RAX, _mem(RCX, lay["attr_nentries"]))
            a.jcc("ne", slow)  # new instance attributes since: one may shadow the method
            a.bind(method)
            a.mov(RAX, _mem(RCX, lay["attr_descr"]))
            a.bind(hit)  # rax = the method (borrowed), rdi = the owner, rcx = the site
            self.incref(RAX)
            a.mov(self.slot(depth - 1), RAX)
            a.mov(self.slot(depth), RDI)  # [method, self]: the owner's reference moves up
            self.count_site_hit(RCX)
        elif inline:
            self.emit_store_attr_kinds(arg, offset, depth, kinds, slow, done)
        else:
            self.emit_region_store(offset, depth, generic, done)
        result_known = op == OP["LOAD_ATTR"]
        if result_known:
            # the next instruction reads the result from r13 (also after the owner's deallocation, which ends
            # at the label decref() bound here: r13 is callee-saved)
            a.bind_known(done, self.slot(depth - 1), R13, labels_here_too=True)
        else:
            a.bind(done)

        def stub() -> None:
            if inline:
                a.bind(slow)
                if "dict" in kinds:  # (the inline dict check used rcx; the others keep rcx and rdi)
                    a.mov(RCX, site)
                self.emit_region_call(generic)
                if op == OP["LOAD_ATTR"]:
                    a.jmp(hit)
                elif op == OP["LOAD_METHOD"]:
                    a.test(EDX, EDX)
                    a.jcc("z", hit)
                    a.lea(RSI, self.slot(depth - 1))  # an attribute, not a method: [NULL, attr]
                    a.mov(EDX, offset)
                    self.call_c(self.rt.symbols["method_attr"])
                    a.jmp(done)
                else:
                    self.emit_region_store(offset, depth, generic, done)
            a.bind(generic)  # (rcx = the site on every way here: the region keeps it)
            self.call_helper(INLINE_ATTR_OPS[op], i, arg, depth, extra=RCX, after="tracing")
            if result_known:
                a.mov(R13, self.slot(depth - 1))
            a.jmp(done)

        self.stubs.append(stub)

    def describe_site(self, site: int, op: int, offset: int, kinds: tuple[str, ...]) -> None:
        """Tell the site's rewriter (csrc/inline_cache.c) which cases the inline check covers -- the others get
        slots in the site's executable region -- and start the inline entry from CPython's own cache when that
        says what the site saw (no first miss)."""
        core, lay = self.rt.core, self.lay
        if core is None or site < 1 << 16:  # (tests generate code without a data block)
            return
        store = op == OP["STORE_ATTR"]
        names = ["kind_method"] if op == OP["LOAD_METHOD"] else [ATTR_KIND_NAMES[k, store] for k in kinds]
        core.attr_site_set_inline(site, sum(1 << lay[name] for name in names))
        case = self.feedback.attr_case(offset) if op != OP["LOAD_METHOD"] else None
        if case is not None:
            core.attr_site_prefill(site, lay[ATTR_KIND_NAMES[case[0], store]], case[1], case[2])

    def emit_region_call(self, generic: Label) -> None:
        """Call the site's (rcx) executable inline-cache region with the owner (rdi): rax = what its slot for
        the owner's case found (edx: 1 an attribute, 0 a method), or to `generic` (no region, no slot)."""
        a = self.a
        a.mov(RAX, _mem(RCX, self.lay["attr_ic_code"]))
        a.test(RAX, RAX)
        a.jcc("z", generic)
        a.call(RAX)
        a.test(RAX, RAX)
        a.jcc("z", generic)

    def emit_region_store(self, offset: int, depth: int, generic: Label, done: Label) -> None:
        """STORE_ATTR [value, owner] into the place a region slot found (rax; rdi = the owner, rcx = the site).
        A place without a value yet goes to `generic` (a split dict's insertion order needs keeping)."""
        a = self.a
        a.mov(RSI, _mem(RAX, 0))
        a.test(RSI, RSI)
        a.jcc("z", generic)
        a.mov(RDX, self.slot(depth - 2))
        a.mov(_mem(RAX, 0), RDX)  # the stack's reference moves in
        self.count_site_hit(RCX)
        self.decref(RSI, offset)
        a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)
        a.jmp(done)

    def emit_load_attr_kinds(self, arg: int, site: int, kinds: tuple[str, ...], slow: Label) -> None:
        """rax = the attribute of the owner (rdi) as the site's first entry (rcx) found it, for the entry kinds in
        `kinds`, tested in a fixed order; to `slow` for any other kind."""
        a = self.a
        lay = self.lay
        kind_shadow = _mem(RCX, lay["attr_kind_shadow"])
        found = a.label("found")
        tests = [k for k in ALL_ATTR_KINDS if k in kinds]
        for n, kind in enumerate(tests):
            last = n == len(tests) - 1
            other = slow if last else a.label("other_kind")
            if kind == "values":
                a.cmp(kind_shadow, lay["kind_instance_value"], size=32)
                a.jcc("ne", other)
                a.mov(RAX, _mem(RDI, lay["values_pointer"]))
                a.test(RAX, RAX)
                a.jcc("z", slow)  # the instance has a materialised __dict__
                a.mov(RDX, _mem(RCX, lay["attr_index"]))
                a.mov(RAX, Mem(RAX, 0, RDX, 8))
            elif kind == "slot":
                a.cmp(kind_shadow, lay["kind_slot"] | lay["shadow_none"] << 16, size=32)
                a.jcc("ne", other)
                a.mov(RDX, _mem(RCX, lay["attr_index"]))  # a __slots__ member: *(owner + offset)
                a.mov(RAX, Mem(RDI, 0, RDX, 1))
            else:
                self.emit_instance_dict_hint(arg, site, other)
            if not last:
                a.jmp(found)
                a.bind(other)
        a.bind(found)

    def emit_store_attr_kinds(self, arg: int, offset: int, depth: int, kinds: tuple[str, ...], slow: Label,
                              done: Label) -> None:
        """STORE_ATTR [value, owner] (owner in rdi, the site's first entry in rcx) for the entry kinds in `kinds`;
        to `slow` for any other kind."""
        a = self.a
        lay = self.lay
        kind_shadow = _mem(RCX, lay["attr_kind_shadow"])
        tests = [k for k in ALL_ATTR_KINDS if k in kinds]
        for n, kind in enumerate(tests):
            other = slow if n == len(tests) - 1 else a.label("other_kind")
            if kind == "values":
                a.cmp(kind_shadow, lay["kind_store_value"], size=32)
                a.jcc("ne", other)
                self.emit_store_value(offset, depth, slow, done)
            elif kind == "slot":
                a.cmp(kind_shadow, lay["kind_store_slot"] | lay["shadow_none"] << 16, size=32)
                a.jcc("ne", other)
                a.mov(RDX, _mem(RCX, lay["attr_index"]))  # a __slots__ member: *(owner + offset)
                a.lea(RAX, Mem(RDI, 0, RDX, 1))
                a.mov(RSI, _mem(RAX, 0))
                a.mov(RDX, self.slot(depth - 2))
                a.mov(_mem(RAX, 0), RDX)  # the stack's reference moves in
                self.count_site_hit(RCX)
                was_empty = a.label("was_empty")
                a.test(RSI, RSI)
                a.jcc("z", was_empty)
                self.decref(RSI, offset)
                a.bind(was_empty)
                a.mov(RDI, self.slot(depth - 1))
                self.decref(RDI, offset)
                a.jmp(done)
            else:
                a.cmp(kind_shadow, lay["kind_store_dict"] | lay["shadow_none"] << 16, size=32)
                a.jcc("ne", other)
                self.emit_store_dict_hint(arg, offset, depth, slow, done)
            if other is not slow:
                a.bind(other)

    def emit_store_value(self, offset: int, depth: int, slow: Label, done: Label) -> None:
        """STORE_ATTR into the owner's (rdi) split-dict values at the site's (rcx) index."""
        a = self.a
        lay = self.lay
        a.mov(R8, _mem(RDI, lay["values_pointer"]))
        a.test(R8, R8)
        a.jcc("z", slow)
        a.mov(RDX, _mem(RCX, lay["attr_index"]))
        a.mov(RSI, Mem(R8, 0, RDX, 8))
        a.mov(RAX, self.slot(depth - 2))
        a.mov(Mem(R8, 0, RDX, 8), RAX)  # the stack's reference moves in
        self.count_site_hit(RCX)
        first, stored = a.label("first_value"), a.label("stored")
        a.test(RSI, RSI)
        a.jcc("z", first)
        self.decref(RSI, offset)
        a.bind(stored)
        a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)
        a.jmp(done)
        # A value where there was none also enters the values' insertion order (a byte array below them:
        # its length at values[-2], the indexes before it), as _PyDictValues_AddToInsertionOrder does.
        a.bind(first)
        a.movzx(EAX, _mem(R8, -2), src_size=8)
        a.add(EAX, 1)
        a.mov(_mem(R8, -2), AL)
        a.mov(RSI, R8)
        a.sub(RSI, RAX)
        a.mov(_mem(RSI, -2), DL)
        a.jmp(stored)

    def emit_store_dict_hint(self, arg: int, offset: int, depth: int, slow: Label, done: Label) -> None:
        """STORE_ATTR into the owner's (rdi) own combined, str-keyed managed dict, at the entry of the site's hint
        (rcx = the cache) when it holds the name with a value: site_cache.c's store_hinted inline (as ceval's
        STORE_ATTR_WITH_HINT), its version tag from accel_dict_version.  A dict the collector does not track yet
        is left to the helper, which tracks it when the value needs that."""
        a = self.a
        lay = self.lay
        self.load_managed_dict(slow)
        a.cmp(_mem(RAX, lay["ma_values"]), 0)
        a.jcc("ne", slow)
        a.cmp(_mem(RAX, lay["gc_next_from_object"]), 0)
        a.jcc("e", slow)  # not tracked by the collector
        a.mov(RSI, _mem(RAX, lay["ma_keys"]))
        a.cmp(_mem(RSI, lay["dk_kind"]), lay["dict_keys_unicode"], size=8)
        a.jcc("ne", slow)
        a.mov(RDX, _mem(RCX, lay["attr_dict_hint"]))
        a.cmp(RDX, _mem(RSI, lay["dk_nentries"]))
        a.jcc("ae", slow)  # (unsigned: a negative hint too)
        a.mov(R11, RCX)  # the cache, kept for the hit counter (cl is the shift count)
        self.unicode_entry_of(self.code.co_names[arg], slow, name_reg=RCX)
        a.mov(RSI, _mem(R8, lay["dk_indices"] + 8))  # the old value
        a.test(RSI, RSI)
        a.jcc("z", slow)
        a.mov(RDX, self.slot(depth - 2))
        a.mov(_mem(R8, lay["dk_indices"] + 8), RDX)  # the stack's reference moves in
        a.mov(RDX, lay["dict_version_counter"])
        a.mov(RCX, _mem(RDX, 0))
        a.add(RCX, 1)
        a.mov(_mem(RDX, 0), RCX)
        a.mov(_mem(RAX, lay["dict_version"]), RCX)  # (before the old value's destructor can look)
        self.count_site_hit(R11)
        self.decref(RSI, offset)
        a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)
        a.jmp(done)

    def load_managed_dict(self, slow: Label) -> None:
        """rax = the owner's (rdi) materialised managed dict, an exact dict, for a site (rcx = its cache) whose
        entry is about the managed dict; otherwise to `slow`.  Clobbers rdx."""
        a = self.a
        lay = self.lay
        a.cmp(_mem(RCX, lay["attr_index"]), 0)
        a.jcc("ne", slow)  # a dict at tp_dictoffset: the helper
        a.cmp(_mem(RDI, lay["values_pointer"]), 0)
        a.jcc("ne", slow)
        a.mov(RAX, _mem(RDI, lay["managed_dict_pointer"]))
        a.test(RAX, RAX)
        a.jcc("z", slow)
        a.mov(RDX, lay["dict_type"])
        a.cmp(_mem(RAX, lay["ob_type"]), RDX)
        a.jcc("ne", slow)

    def unicode_entry_of(self, name: str, miss: Label, name_reg=R11) -> None:  # noqa: ANN001
        """r8 = entry rdx of the str-keyed dict keys in rsi (rdx already checked against dk_nentries), or to `miss`
        unless that entry's key is `name` (the same object).  Keeps rdx; clobbers rcx (the shift count) and
        name_reg."""
        a = self.a
        lay = self.lay
        unicode_entry_address(a, lay)
        a.mov(name_reg, self.rt.address(name))
        a.cmp(_mem(R8, lay["dk_indices"]), name_reg)
        a.jcc("ne", miss)

    def emit_instance_dict_hint(self, arg: int, site: int, slow: Label) -> None:
        """rax = the value at the site's hint in the owner's (rdi) materialised managed dict, when the entry there
        is the name (a split dict's value, or a combined dict's); otherwise to `slow`.  rcx = the cache, used and
        then loaded again."""
        a = self.a
        lay = self.lay
        combined, done = a.label("combined"), a.label("dict_value")
        a.cmp(_mem(RCX, lay["attr_kind_shadow"]), lay["kind_instance_dict"] | lay["shadow_dict"] << 16, size=32)
        a.jcc("ne", slow)
        self.load_managed_dict(slow)
        a.mov(RSI, _mem(RAX, lay["ma_keys"]))
        a.mov(RDX, _mem(RCX, lay["attr_dict_hint"]))
        a.cmp(RDX, _mem(RSI, lay["dk_nentries"]))
        a.jcc("ae", slow)
        a.cmp(_mem(RSI, lay["dk_kind"]), 0, size=8)
        a.jcc("e", slow)  # general (non-str) keys
        self.unicode_entry_of(self.code.co_names[arg], slow)
        a.mov(RCX, _mem(RAX, lay["ma_values"]))
        a.test(RCX, RCX)
        a.jcc("z", combined)
        a.mov(RAX, Mem(RCX, 0, RDX, 8))
        a.jmp(done)
        a.bind(combined)
        a.mov(RAX, _mem(R8, lay["dk_indices"] + 8))
        a.bind(done)
        a.mov(RCX, site)

    def load_one_digit_ints(self, generic: Label) -> None:
        """r13, r15 = the values of the ints in rdi, rsi (both known to be exact ints), or to `generic` when either
        has more than one 30-bit digit.  Callee-saved: they survive calls that free the operands."""
        self.load_one_digit_int(R13, RDI, generic)
        self.load_one_digit_int(R15, RSI, generic)

    def load_one_digit_int(self, value, obj, generic: Label) -> None:  # noqa: ANN001
        """value = the int in register obj (known to be an exact int), or to `generic` past one digit."""
        a = self.a
        a.mov(value, _mem(obj, self.lay["ob_size"]))
        a.lea(RCX, _mem(value, 1))
        a.cmp(RCX, 2)
        a.jcc("a", generic)  # not -1, 0 or 1 digits
        a.mov(ECX, _mem(obj, self.lay["long_digit"]))
        a.imul(value, RCX)

    def count_site_hit(self, cache) -> None:  # noqa: ANN001
        """The site's own hit count (its rewriter weighs hits against misses); the process-wide count only while
        instructions are counted (13 bytes and a shared memory increment at every hit otherwise)."""
        self.a.inc(_mem(cache, self.lay["attr_hits"]), size=32)
        if self.lay["counting"]:
            self.a.mov(RAX, self.lay["site_hits_counter"])
            self.a.inc(_mem(RAX, 0))

    def emit_binary_op(self, i: int, arg: int, depth: int) -> None:
        """BINARY_OP: +, -, *, / inline for the numeric cases CPython's quickened instruction says the site saw
        (feedback.py: all three -- two floats, two one-digit ints, a float with a one-digit int -- when it says
        nothing); anything else calls the generic BINARY_OP out of line."""
        a = self.a
        offset = self.fn.records[i * 8 + 2]
        kinds = self.feedback.binary_op_kinds(offset) if arg in INLINE_BINARY_OPS else ()
        if not kinds:
            self.call_helper("binary_op", i, arg, depth, after="tracing")
            return
        generic, done = a.label("binop_generic"), a.label("binop_done")
        self.emit_binary_fast_path(i, arg, depth, kinds, generic, done)
        a.bind_known(done, self.slot(depth - 2), R13)  # every path leaves the result in r13 too

        def stub() -> None:
            a.bind(generic)
            self.call_helper("binary_op", i, arg, depth, after="tracing")
            a.mov(R13, self.slot(depth - 2))
            a.jmp(done)

        self.stubs.append(stub)

    def emit_binary_fast_path(self, i: int, arg: int, depth: int, kinds: tuple[str, ...], generic: Label,
                              done: Label) -> None:
        """The inline cases of emit_binary_op.  Two one-digit ints: +, -, * cannot overflow a 64-bit register; /
        of two such ints is the correctly rounded quotient of their exact doubles, as long_true_divide's fast path.
        A float and an int: the int is converted exactly, as float's own methods do.  A zero divisor goes to
        `generic`, for the ZeroDivisionError.  An int result comes from PyLong_FromLongLong (small ints from its
        cache); a float result is written into an operand that is an exact float held only by the stack (as
        3.12's float specialisations do), else comes from PyFloat_FromDouble."""
        a = self.a
        lay = self.lay
        make_float, made = a.label("make_float"), a.label("made")
        kind = INLINE_BINARY_OPS[arg]
        offset = self.fn.records[i * 8 + 2]
        a.mov(RSI, self.slot(depth - 1))  # (first: the slot the instruction before wrote, see Assembler.mov)
        a.mov(RDI, self.operand(i, depth, depth - 2))
        a.mov(RAX, _mem(RDI, lay["ob_type"]))
        a.mov(RDX, _mem(RSI, lay["ob_type"]))
        if "mixed" in kinds:
            mixed = a.label("mixed")
            a.cmp(RAX, RDX)
            a.jcc("ne", mixed)
        else:
            a.cmp(RAX, RDX)
            a.jcc("ne", generic)
        if "float" in kinds:
            not_float = a.label("not_float") if "int" in kinds else generic
            a.mov(RCX, lay["float_type"])
            a.cmp(RAX, RCX)
            a.jcc("ne", not_float)
            if kind == "div":
                self.nonzero_float_divisor(generic)
            a.sd("movsd", 0, _mem(RDI, lay["float_value"]))
            a.sd(kind + "sd", 0, _mem(RSI, lay["float_value"]))
            if "int" in kinds:
                a.jmp(make_float)
                a.bind(not_float)
        if "int" in kinds:
            a.mov(RCX, lay["long_type"])
            a.cmp(RAX, RCX)
            a.jcc("ne", generic)
            self.load_one_digit_ints(generic)
            if kind == "div":
                a.test(R15, R15)
                a.jcc("z", generic)
                a.cvtsi2sd(0, R13)
                a.cvtsi2sd(1, R15)
                a.sd("divsd", 0, 1)
            else:
                if kind == "add":
                    a.add(R13, R15)
                elif kind == "sub":
                    a.sub(R13, R15)
                else:
                    a.imul(R13, R15)  # |a|, |b| < 2**30
                self.set_prev_instr(offset)  # (a MemoryError is raised here)
                a.mov(RDI, R13)
                self.call_c(lay["long_from_long_long"])
                a.jmp(made)
        a.bind(make_float)
        self.emit_float_result(depth, offset, done)
        self.set_prev_instr(offset)
        self.call_c(lay["float_from_double"])
        a.bind(made)
        a.test(RAX, RAX)
        a.jcc("z", self.error_with_stacktop(depth))  # the operands are still on the stack: the unwinding frees them
        a.mov(R13, RAX)  # callee-saved: survives the operands' deallocation
        a.mov(RDI, self.slot(depth - 2))
        self.replace_two_operands(depth, offset)
        if "mixed" in kinds:
            a.jmp(done)

            def stub() -> None:  # a float and an int, in either order (rax, rdx: the operands' types)
                int_float = a.label("int_float")
                a.bind(mixed)
                a.mov(RCX, lay["float_type"])
                a.cmp(RAX, RCX)
                a.jcc("ne", int_float)
                a.mov(RCX, lay["long_type"])
                a.cmp(RDX, RCX)
                a.jcc("ne", generic)
                self.load_one_digit_int(R15, RSI, generic)
                if kind == "div":
                    a.test(R15, R15)
                    a.jcc("z", generic)
                a.sd("movsd", 0, _mem(RDI, lay["float_value"]))
                a.cvtsi2sd(1, R15)
                a.sd(kind + "sd", 0, 1)
                a.jmp(make_float)
                a.bind(int_float)
                a.mov(RCX, lay["long_type"])
                a.cmp(RAX, RCX)
                a.jcc("ne", generic)
                a.mov(RCX, lay["float_type"])
                a.cmp(RDX, RCX)
                a.jcc("ne", generic)
                self.load_one_digit_int(R13, RDI, generic)
                if kind == "div":
                    self.nonzero_float_divisor(generic)
                a.cvtsi2sd(0, R13)
                a.sd(kind + "sd", 0, _mem(RSI, lay["float_value"]))
                a.jmp(make_float)

            self.stubs.append(stub)

    def emit_float_result(self, depth: int, offset: int, done: Label) -> None:
        """The double in xmm0 is the result of the operands in rdi, rsi: when one of them is an exact float that
        only the stack holds, it becomes the result in place (nobody else can see it change), the other is
        released, and control goes to `done`; otherwise falls through (rdi, rsi, xmm0 unchanged)."""
        a = self.a
        lay = self.lay
        right, alloc = a.label("reuse_right"), a.label("new_float")
        a.mov(RCX, lay["float_type"])
        a.cmp(_mem(RDI, lay["ob_type"]), RCX)
        a.jcc("ne", right)
        a.cmp(_mem(RDI, lay["ob_refcnt"]), 1)
        a.jcc("ne", right)
        a.movsd_store(_mem(RDI, lay["float_value"]), 0)  # the left operand's slot now holds the result
        a.mov(R13, RDI)  # (callee-saved: the result is in r13 at `done`, as on the other paths)
        a.mov(RDI, RSI)
        self.decref(RDI, offset)
        a.jmp(done)
        a.bind(right)
        a.cmp(_mem(RSI, lay["ob_type"]), RCX)
        a.jcc("ne", alloc)
        a.cmp(_mem(RSI, lay["ob_refcnt"]), 1)
        a.jcc("ne", alloc)
        a.movsd_store(_mem(RSI, lay["float_value"]), 0)
        a.mov(R13, RSI)  # callee-saved: survives the left operand's deallocation
        self.decref(RDI, offset)
        a.mov(self.slot(depth - 2), R13)
        a.jmp(done)
        a.bind(alloc)

    def nonzero_float_divisor(self, generic: Label) -> None:
        """To `generic` when the float in rsi is +0.0 or -0.0 (all bits but the sign clear)."""
        a = self.a
        a.mov(RCX, _mem(RSI, self.lay["float_value"]))
        a.shl(RCX, 1)
        a.jcc("z", generic)

    def replace_two_operands(self, depth: int, offset: int) -> None:
        """The result is in r13 and the first operand in rdi: release both operands, the result takes their
        place."""
        a = self.a
        self.decref(RDI, offset)
        a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)
        a.mov(self.slot(depth - 2), R13)

    def emit_subscr_fast_path(self, i: int, depth: int) -> Label:
        """list[i] / tuple[i] with a one-digit non-negative int index inside the bounds, done inline (as ceval's
        BINARY_SUBSCR_LIST_INT / _TUPLE_INT).  Anything else -- negative or big indexes, other types, out of
        range (the IndexError) -- falls through to the generic BINARY_SUBSCR that follows."""
        a = self.a
        lay = self.lay
        generic, is_list, load, done = a.label("subscr_generic"), a.label("list"), a.label("load"), a.label()
        offset = self.fn.records[i * 8 + 2]
        a.mov(RSI, self.slot(depth - 1))
        a.mov(RDI, self.operand(i, depth, depth - 2))
        self.load_small_index(generic)
        a.mov(RAX, _mem(RDI, lay["ob_type"]))
        a.mov(RCX, lay["list_type"])
        a.cmp(RAX, RCX)
        a.jcc("e", is_list)
        a.mov(RCX, lay["tuple_type"])
        a.cmp(RAX, RCX)
        a.jcc("ne", generic)
        a.cmp(R15, _mem(RDI, lay["ob_size"]))
        a.jcc("ae", generic)
        a.lea(RAX, _mem(RDI, lay["tuple_items"]))
        a.jmp(load)
        a.bind(is_list)
        a.cmp(R15, _mem(RDI, lay["ob_size"]))
        a.jcc("ae", generic)
        a.mov(RAX, _mem(RDI, lay["list_items"]))
        a.bind(load)
        a.shl(R15, 3)
        a.add(RAX, R15)
        a.mov(R13, _mem(RAX, 0))  # callee-saved: survives the operands' deallocation
        self.incref(R13)
        self.replace_two_operands(depth, offset)
        a.jmp(done)
        a.bind(generic)
        return done

    def load_small_index(self, generic: Label) -> None:
        """r15 = the index in rsi when it is an exact int of at most one digit and not negative; else to
        `generic`.  Clobbers rax, rcx."""
        a = self.a
        lay = self.lay
        a.mov(RAX, lay["long_type"])
        a.cmp(_mem(RSI, lay["ob_type"]), RAX)
        a.jcc("ne", generic)
        a.mov(R15, _mem(RSI, lay["ob_size"]))
        a.cmp(R15, 1)
        a.jcc("a", generic)  # negative (unsigned: huge) or more than one digit
        a.mov(ECX, _mem(RSI, lay["long_digit"]))
        a.imul(R15, RCX)  # the index (0 has no digit)

    def emit_store_subscr_list_int(self, i: int, depth: int) -> None:
        """STORE_SUBSCR [value, list, index] at a site CPython specialised as STORE_SUBSCR_LIST_INT: an exact list
        and a one-digit non-negative int inside its bounds, inline (the old item released after the new one is
        in, as ceval does); anything else calls the generic STORE_SUBSCR out of line."""
        a = self.a
        lay = self.lay
        generic, done = a.label("store_subscr_generic"), a.label("stored_item")
        offset = self.fn.records[i * 8 + 2]
        a.mov(RDI, self.slot(depth - 2))  # the list
        a.mov(RSI, self.slot(depth - 1))  # the index
        self.load_small_index(generic)
        a.mov(RAX, lay["list_type"])
        a.cmp(_mem(RDI, lay["ob_type"]), RAX)
        a.jcc("ne", generic)
        a.cmp(R15, _mem(RDI, lay["ob_size"]))
        a.jcc("ae", generic)
        a.mov(RAX, _mem(RDI, lay["list_items"]))
        a.lea(RAX, Mem(RAX, 0, R15, 8))
        a.mov(R13, _mem(RAX, 0))  # the old item (callee-saved: survives the deallocations)
        a.mov(RCX, self.slot(depth - 3))
        a.mov(_mem(RAX, 0), RCX)  # the value's reference moves in
        self.decref(R13, offset)
        a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)
        a.mov(RDI, self.slot(depth - 2))
        self.decref(RDI, offset)
        a.bind(done)

        def stub() -> None:
            a.bind(generic)
            self.call_helper("store_subscr", i, 0, depth, after="tracing")
            a.jmp(done)

        self.stubs.append(stub)

    def emit_load_deref_fast_path(self, index: int, depth: int) -> Label:
        """LOAD_DEREF of a cell that holds a value: its value pushed inline (an empty cell falls through to the
        helper that follows)."""
        a = self.a
        empty, done = a.label("deref_empty"), a.label()
        a.mov(RAX, self.local(index))
        a.mov(RAX, _mem(RAX, self.lay["cell_ref"]))
        a.test(RAX, RAX)
        a.jcc("z", empty)
        self.incref(RAX)
        a.mov(self.slot(depth), RAX)
        a.jmp(done)
        a.bind(empty)
        return done

    def emit_for_iter_list_fast_path(self, depth: int, body: Label) -> None:
        """FOR_ITER over a list iterator with an item left, inline (as ceval's FOR_ITER_LIST): push the item and
        go on to the loop body.  Other iterators and the end of the list fall through to the generic FOR_ITER."""
        a = self.a
        lay = self.lay
        if not lay["listiter_type"]:
            return
        generic = a.label("for_iter_generic")
        a.mov(RAX, self.slot(depth - 1))
        a.mov(RCX, lay["listiter_type"])
        a.cmp(_mem(RAX, lay["ob_type"]), RCX)
        a.jcc("ne", generic)
        a.mov(RDX, _mem(RAX, lay["listiter_seq"]))
        a.test(RDX, RDX)
        a.jcc("z", generic)
        a.mov(RCX, _mem(RAX, lay["listiter_index"]))
        a.cmp(RCX, _mem(RDX, lay["ob_size"]))
        a.jcc("ge", generic)
        a.mov(RSI, _mem(RDX, lay["list_items"]))
        a.mov(R8, RCX)
        a.shl(R8, 3)
        a.add(RSI, R8)
        a.mov(RSI, _mem(RSI, 0))
        a.inc(_mem(RAX, lay["listiter_index"]))
        self.incref(RSI)
        a.mov(self.slot(depth), RSI)
        a.jmp(body)
        a.bind(generic)

    def emit_for_iter_range_fast_path(self, depth: int, body: Label, store_local: int) -> None:
        """FOR_ITER over a range iterator whose value the loop body's first instruction, STORE_FAST, stores into
        local `store_local`: as ceval's FOR_ITER_RANGE with _PyLong_AssignValue, a small int comes from the
        interpreter's cache and any other one-digit non-negative value is written into the local's own int in
        place when only the local holds it -- no allocation, no deallocation per iteration.  The int is pushed
        with a reference, so the STORE_FAST that follows (compiled, or run by the interpreter after a hand-back)
        stores the same object back.  Anything else, the end included, falls through to the generic FOR_ITER."""
        a = self.a
        lay = self.lay
        if not lay["rangeiter_type"] or lay["long_size_log2"] < 0:
            return
        generic, small, push = a.label("for_iter_generic"), a.label("range_small"), a.label("range_push")
        a.mov(RAX, self.slot(depth - 1))
        a.mov(RCX, lay["rangeiter_type"])
        a.cmp(_mem(RAX, lay["ob_type"]), RCX)
        a.jcc("ne", generic)
        a.mov(RCX, _mem(RAX, lay["rangeiter_index"]))
        a.cmp(RCX, _mem(RAX, lay["rangeiter_len"]))
        a.jcc("ge", generic)
        a.mov(RDX, RCX)
        a.imul(RDX, _mem(RAX, lay["rangeiter_step"]))
        a.add(RDX, _mem(RAX, lay["rangeiter_start"]))  # value = start + index * step (wrapping, as ceval's)
        a.lea(RSI, _mem(RDX, lay["small_ints_negative"]))
        a.cmp(RSI, lay["small_ints_count"])
        a.jcc("b", small)
        a.cmp(RDX, lay["long_digit_mask"])  # (unsigned: a negative value is above it)
        a.jcc("a", generic)
        a.mov(RSI, self.local(store_local))
        a.test(RSI, RSI)
        a.jcc("z", generic)
        a.mov(R8, lay["long_type"])
        a.cmp(_mem(RSI, lay["ob_type"]), R8)
        a.jcc("ne", generic)
        a.cmp(_mem(RSI, lay["ob_refcnt"]), 1)
        a.jcc("ne", generic)
        a.cmp(_mem(RSI, lay["ob_size"]), 1)
        a.jcc("ne", generic)
        a.mov(_mem(RSI, lay["long_digit"]), EDX)  # only the local holds it: nobody sees it change
        a.jmp(push)
        a.bind(small)
        a.shl(RSI, lay["long_size_log2"])
        a.mov(R8, lay["small_ints"])
        a.add(RSI, R8)
        a.bind(push)
        a.inc(_mem(RAX, lay["rangeiter_index"]))
        self.incref(RSI)
        a.mov(self.slot(depth), RSI)
        a.jmp(body)
        a.bind(generic)

    def emit_list_append_fast_path(self, depth: int, offset: int, done: Label) -> None:
        """`xs.append(v)` at a site CPython specialised as PRECALL_NO_KW_LIST_APPEND: [list.append, xs, v] with
        xs an exact list that has room -- the item's reference moves in (as _PyList_AppendTakeRef), the result is
        None -- then to `done`.  Anything else (another callable, a subclass, a full list) falls through to the
        generic CALL."""
        a = self.a
        lay = self.lay
        generic = a.label("append_generic")
        append = self.rt.address(_LIST_APPEND)
        a.mov(RAX, append)
        a.cmp(self.slot(depth - 3), RAX)
        a.jcc("ne", generic)
        a.mov(RDI, self.slot(depth - 2))
        a.mov(RCX, lay["list_type"])
        a.cmp(_mem(RDI, lay["ob_type"]), RCX)
        a.jcc("ne", generic)
        self.append_if_room(RDI, self.slot(depth - 1), generic)
        a.dec(_mem(RAX, lay["ob_refcnt"]))  # list.append: its type holds it too
        a.mov(RAX, lay["none"])
        self.incref(RAX)
        a.mov(self.slot(depth - 3), RAX)
        self.decref(RDI, offset)  # (a temporary list may go now)
        a.jmp(done)
        a.bind(generic)

    def emit_c_call_fast_path(self, i: int, oparg: int, depth: int, descriptor: bool, flags: str) -> Label:
        """A call of a C function at a site CPython specialised for one (PRECALL_NO_KW_BUILTIN_O / _FAST, _LEN,
        _ISINSTANCE; PRECALL_NO_KW_METHOD_DESCRIPTOR_O / _FAST / _NOARGS), made from the machine code itself as
        ceval's specialised instructions make it: [NULL, builtin, args...] with an exact builtin function
        (PyCFunction), or [descriptor, self, args...] with a method descriptor of exactly self's class, whose
        flags are exactly `flags` ("o": METH_O, "fast": METH_FASTCALL, "noargs": METH_NOARGS; the first and the
        last with the recursion check).  Then, as after PyObject_Vectorcall, a NULL result without an exception
        or a result with one goes through _Py_CheckFunctionResult (the SystemError), out of line.  The arguments
        and the callable are released, the result (r13, callee-saved, survives that) takes their place, and
        control falls through (to the eval-breaker poll after every call).  Anything else jumps to the label
        returned, which the caller binds out of line, before the generic CALL."""
        a = self.a
        lay = self.lay
        generic, checked = a.label("c_call_generic"), a.label("c_call_checked")
        offset = self.fn.records[i * 8 + 2]
        method_slot, callable_slot = self.slot(depth - oparg - 2), self.slot(depth - oparg - 1)
        self.set_prev_instr(offset)  # (first: it takes rax)
        if descriptor:
            a.mov(RAX, method_slot)
            a.test(RAX, RAX)
            a.jcc("z", generic)
            a.mov(RCX, lay["methoddescr_type"])
            a.cmp(_mem(RAX, lay["ob_type"]), RCX)
            a.jcc("ne", generic)
            a.mov(RDI, callable_slot)  # self
            a.mov(RCX, _mem(RAX, lay["descr_type"]))
            a.cmp(_mem(RDI, lay["ob_type"]), RCX)
            a.jcc("ne", generic)
            a.mov(RAX, _mem(RAX, lay["descr_method"]))
        else:
            a.cmp(method_slot, 0, size=64)  # (a method-form call: the generic CALL)
            a.jcc("ne", generic)
            a.mov(RDI, callable_slot)
            a.mov(RAX, lay["cfunction_type"])
            a.cmp(_mem(RDI, lay["ob_type"]), RAX)
            a.jcc("ne", generic)
            a.mov(RAX, _mem(RDI, lay["cfunction_ml"]))
        a.cmp(_mem(RAX, lay["ml_flags"]), lay["meth_" + flags], size=32)
        a.jcc("ne", generic)
        recursion = _mem(R14, lay["tstate_recursion_remaining"])
        if flags != "fast":
            a.cmp(recursion, 0, size=32)
            a.jcc("le", generic)  # the generic path raises the RecursionError
            a.dec(recursion, size=32)
        a.mov(R11, _mem(RAX, lay["ml_meth"]))
        if not descriptor:
            a.mov(RDI, _mem(RDI, lay["cfunction_self"]))
        if flags == "o":
            a.mov(RSI, self.slot(depth - 1))
        elif flags == "noargs":
            a.xor(ESI, ESI)
        else:
            a.lea(RSI, self.slot(depth - oparg))
            a.mov(EDX, oparg)
        a.call(R11)
        if flags != "fast":
            a.inc(recursion, size=32)
        a.mov(R13, RAX)
        check = a.label("c_call_check")
        a.test(RAX, RAX)
        a.jcc("z", check)
        a.cmp(_mem(R14, lay["tstate_curexc_type"]), 0, size=64)
        a.jcc("ne", check)
        a.bind(checked)
        operands = [self.slot(depth - oparg + k) for k in range(oparg)] + [callable_slot] + (
            [method_slot] if descriptor else [])
        for slot in operands:
            a.mov(RDI, slot)
            self.decref(RDI, offset)
        a.mov(method_slot, R13)

        def stub() -> None:
            a.bind(check)
            a.mov(RDI, R14)
            a.mov(RSI, method_slot if descriptor else callable_slot)
            a.mov(RDX, R13)
            a.xor(ECX, ECX)
            self.call_c(lay["check_function_result"])
            a.mov(R13, RAX)
            a.test(RAX, RAX)
            a.jcc("nz", checked)
            # an exception: the operands released here (the hot path never tests for it again), then the stack as
            # ceval's error path finds it after a call, [NULL] where the call was
            for slot in operands:
                a.mov(RDI, slot)
                self.decref(RDI, offset)
            a.mov(method_slot, 0, size=64)
            a.jmp(self.error_with_stacktop(depth - oparg - 1))

        self.stubs.append(stub)
        return generic

    def append_if_room(self, lst, item: Mem, full: Label) -> None:  # noqa: ANN001
        """Append the reference in `item` to the exact list in register `lst` when it has room; else to `full`.
        Clobbers rcx, rdx, rsi."""
        a = self.a
        lay = self.lay
        a.mov(RDX, _mem(lst, lay["ob_size"]))
        a.cmp(RDX, _mem(lst, lay["list_allocated"]))
        a.jcc("ge", full)
        a.mov(RSI, _mem(lst, lay["list_items"]))
        a.mov(RCX, item)
        a.mov(Mem(RSI, 0, RDX, 8), RCX)
        a.add(RDX, 1)
        a.mov(_mem(lst, lay["ob_size"]), RDX)

    def emit_list_append_op(self, i: int, arg: int, depth: int) -> None:
        """LIST_APPEND (comprehensions): into a list with room inline, else the helper (out of line)."""
        a = self.a
        full, done = a.label("list_full"), a.label("appended")
        a.mov(RDI, self.slot(depth - 1 - arg))
        self.append_if_room(RDI, self.slot(depth - 1), full)
        a.bind(done)

        def stub() -> None:
            a.bind(full)
            self.call_helper("list_append", i, arg, depth)
            a.jmp(done)

        self.stubs.append(stub)

    def fusable_compare(self, i: int, block) -> bool:  # noqa: ANN001
        """COMPARE_OP (<, <=, ==, !=, >, >=) directly followed by a POP_JUMP_*_IF_TRUE/FALSE ending the block."""
        rec = self.fn.records
        if i + 1 != block.end - 1 or rec[i * 8 + 1] > 5:
            return False
        name = dis.opname[rec[(i + 1) * 8]]
        return name.startswith("POP_JUMP_") and name.endswith(("_IF_TRUE", "_IF_FALSE"))

    _INT_CONDITIONS = ("l", "le", "e", "ne", "g", "ge")  # Py_LT .. Py_GE, signed
    _NEGATED = {"l": "ge", "le": "g", "e": "ne", "ne": "e", "g": "le", "ge": "l"}

    def _compare_operands_of_type(self, i: int, depth: int, type_name: str, generic: Label) -> None:
        """rdi, rsi = a fused compare's operands; to `generic` unless both are exactly of layout type `type_name`."""
        a = self.a
        lay = self.lay
        a.mov(RSI, self.slot(depth - 1))
        a.mov(RDI, self.operand(i, depth, depth - 2))
        a.mov(RAX, lay[type_name])
        a.cmp(_mem(RDI, lay["ob_type"]), RAX)
        a.jcc("ne", generic)
        a.cmp(_mem(RSI, lay["ob_type"]), RAX)
        a.jcc("ne", generic)

    def _release_operands(self, i: int, depth: int) -> None:
        """Release a fused compare's two operands, the first in rdi (what was compared is in callee-saved
        registers or flags the caller sets afterwards)."""
        offset = self.fn.records[i * 8 + 2]
        self.decref(RDI, offset)
        self.a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)

    def _branch(self, i: int, depth: int, block, cond: str) -> None:  # noqa: ANN001
        """Take the fused compare's jump when `cond` (the comparison's truth) says so -- negated for a
        POP_JUMP_*_IF_FALSE -- else go on to the next block."""
        rec = self.fn.records
        if dis.opname[rec[(i + 1) * 8]].endswith("_IF_FALSE"):
            cond = self._NEGATED[cond]
        self.a.jcc(cond, self.jump_label(i + 1, rec[(i + 1) * 8 + 4], depth - 2))
        self.a.jmp(self.block_labels[block.succs[0]])

    def emit_compare_str_fast_path(self, i: int, arg: int, depth: int, block) -> None:  # noqa: ANN001
        """Two exact strs compared for == or != and branched on inline, as ceval's COMPARE_OP_STR_JUMP: one call of
        _PyUnicode_Equal (a leaf: no exception, no Python code), no bool made, no generic helper; anything else
        falls through to the generic COMPARE_OP + jump."""
        a = self.a
        generic = a.label("compare_generic")
        self._compare_operands_of_type(i, depth, "unicode_type", generic)
        self.call_c(self.rt.symbols["unicode_equal"])
        a.mov(R15D, EAX)  # (callee-saved: survives the operands' deallocations)
        a.mov(RDI, self.operand(i, depth, depth - 2))  # (the call clobbered rdi)
        self._release_operands(i, depth)
        a.test(R15D, R15D)
        self._branch(i, depth, block, "ne" if arg == 2 else "e")  # (Py_EQ: true when r15, "equal", is not 0)
        a.bind(generic)

    def emit_compare_int_fast_path(self, i: int, arg: int, depth: int, block) -> None:  # noqa: ANN001
        """Two compact ints (at most one digit, as ceval's COMPARE_OP_INT_JUMP requires) compared and branched
        on inline, without making a bool; anything else falls through to the generic COMPARE_OP + jump."""
        a = self.a
        generic = a.label("compare_generic")
        self._compare_operands_of_type(i, depth, "long_type", generic)
        self.load_one_digit_ints(generic)
        # r13/r15 are callee-saved: they survive the deallocations of the two operands
        self._release_operands(i, depth)
        a.cmp(R13, R15)
        self._branch(i, depth, block, self._INT_CONDITIONS[arg])
        a.bind(generic)
