"""Tier-1 code generation: x86-64 machine code from the CFG IR, one basic block after another.

The machine code is a "call-threaded" baseline: every instruction becomes either a few inline instructions (loads
and stores of locals, constants, stack shuffles, jumps, None/True/False tests) or a call to the generic helper for
its opcode in csrc/bjit_ops.c.  What makes it safe to mix freely with CPython's interpreter:

* The frame is always exact.  Values live in the frame's own value stack, never only in registers, and the IR
  knows the stack depth before every instruction, so each stack slot is a fixed offset from the frame register
  (rbp, biased: registers.py): no stack-pointer register is kept at all.  prev_instr is stored before anything
  that can raise, call out or run a destructor, so tracebacks, line numbers, sys._getframe() and the exception
  table see what they would see in the interpreter.
* Three ways out (csrc/bjit.h): return; error (the helper set the exception and frame->stacktop; the trampoline
  unwinds as ceval does -- traceback entry, exception table -- and enters the handler's block, which is compiled
  like any other: csrc/bjit_exceptions.c); hand-back (an instruction tier 1 does not compile, or a helper that
  declined: the interpreter runs the frame on from that instruction).
* Generator frames: the interpreter runs a generator function's call (RETURN_GENERATOR needs CPython's private
  _Py_MakeCoro); every resumption enters the machine code at the instruction after the YIELD_VALUE (or the
  RETURN_GENERATOR) it stopped at, through a small dispatch on ctx->resume_unit, and YIELD_VALUE suspends the
  frame as ceval does.  Since the frame holds all state, any instruction boundary can be an entry.
* Helpers that can run Python code are followed by a check of the thread's tracing flag; when sys.settrace or
  setprofile switched on meanwhile, the frame goes back to the interpreter at the next instruction.  Loop
  back-edges and RESUME poll the eval breaker (signals, GIL hand-off, async exceptions) as ceval does.

The inline fast paths in front of some helpers (attribute sites, globals, arithmetic, int compares) are in
fastpaths.py, a mixin of the generator.

Registers (registers.py): rbx = ctx (accel_jit_ctx *), rbp = the frame + 128, r14 = tstate; r12 is unused;
rax, rcx, rdx, rsi, rdi, r8, r11 are scratch;
r13 and r15 hold values within one instruction (r13 also a LOAD_ATTR result for the next one); r15 carries a
helper call's site word into its glue (glue.py).
"""

from __future__ import annotations

import dis
import opcode as _opcode
import struct
from collections.abc import Callable
from types import CodeType
from typing import Any

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import Function
from accel.ir.function import ALWAYS_BOUND, ALWAYS_UNBOUND, int_array
from accel.stats import STATS

from . import templates
from .fastpaths import INLINE_ATTR_OPS, FastPaths
from .feedback import Feedback
from .feedback import call_helper as call_helper_for
from .glue import (
    COMPACT_WORD_FLAG,
    DEALLOC_REGISTERS,
    after_name,
    compact_word,
    enter_name,
    epilogue,
    place_glue,
    unpack_handback,
)
from .registers import (
    CTX,
    FRAME_BIAS,
    SHAPE_COMPACT_WORDS,
    SHAPE_UNITS32,
    TSTATE,
    frame_mem,
    frame_pointer,
    function_shape,
    localsplus_disp,
    set_frame,
)
from .x86 import (
    EAX,
    ECX,
    EDX,
    R8,
    R8D,
    R9,
    R11,
    R12,
    R13,
    R13B,
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
    Label,
    Mem,
    Reg,
)
from .x86 import mem as _mem

OP = _opcode.opmap
_CACHE_ENTRIES: list[int] = getattr(_opcode, "_inline_cache_entries")  # noqa: B009  opcode -> inline cache units


class BjitError(Exception):
    """The baseline JIT cannot compile this code object; `reason` is short and stable (stats key).
    `is_failure` False means "not compiled by design" (counted as skipped, not as a failure)."""

    stage = "bjit"

    def __init__(self, reason: str, detail: str = "", is_failure: bool = True) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.is_failure = is_failure


# Opcodes compiled as a call to a generic helper: opcode -> (helper name, whether it can run Python code).
HELPER_OPS: dict[int, tuple[str, bool]] = {
    OP["STORE_GLOBAL"]: ("store_global", True),
    OP["DELETE_ATTR"]: ("delete_attr", True),
    OP["BINARY_OP"]: ("binary_op", True),
    OP["COMPARE_OP"]: ("compare_op", True),
    OP["IS_OP"]: ("is_op", True),
    OP["CONTAINS_OP"]: ("contains_op", True),
    OP["UNARY_NEGATIVE"]: ("unary_negative", True),
    OP["UNARY_POSITIVE"]: ("unary_positive", True),
    OP["UNARY_INVERT"]: ("unary_invert", True),
    OP["UNARY_NOT"]: ("unary_not", True),
    OP["BINARY_SUBSCR"]: ("binary_subscr", True),
    OP["STORE_SUBSCR"]: ("store_subscr", True),
    OP["DELETE_SUBSCR"]: ("delete_subscr", True),
    OP["BUILD_TUPLE"]: ("build_tuple", False),
    OP["BUILD_LIST"]: ("build_list", False),
    OP["BUILD_SET"]: ("build_set", True),
    OP["BUILD_MAP"]: ("build_map", True),
    OP["BUILD_CONST_KEY_MAP"]: ("build_const_key_map", True),
    OP["BUILD_SLICE"]: ("build_slice", False),
    OP["BUILD_STRING"]: ("build_string", False),
    OP["LIST_APPEND"]: ("list_append", False),
    OP["SET_ADD"]: ("set_add", True),
    OP["MAP_ADD"]: ("map_add", True),
    OP["LIST_EXTEND"]: ("list_extend", True),
    OP["LIST_TO_TUPLE"]: ("list_to_tuple", False),
    OP["UNPACK_SEQUENCE"]: ("unpack_sequence", True),  # (an iterator's __next__ may switch tracing on)
    OP["GET_ITER"]: ("get_iter", True),
    OP["LOAD_DEREF"]: ("load_deref", False),
    OP["STORE_DEREF"]: ("store_deref", True),
    OP["MAKE_CELL"]: ("make_cell", False),
    OP["COPY_FREE_VARS"]: ("copy_free_vars", False),
    OP["MAKE_FUNCTION"]: ("make_function", False),
    OP["FORMAT_VALUE"]: ("format_value", True),
    OP["LOAD_ASSERTION_ERROR"]: ("load_assertion_error", False),
    OP["BEFORE_WITH"]: ("before_with", True),
    OP["DICT_UPDATE"]: ("dict_update", True),
    OP["DICT_MERGE"]: ("dict_merge", True),
    OP["IMPORT_NAME"]: ("import_name", True),
    OP["IMPORT_FROM"]: ("import_from", True),
    OP["SET_UPDATE"]: ("set_update", True),
    OP["GET_YIELD_FROM_ITER"]: ("get_yield_from_iter", True),
    OP["GET_AWAITABLE"]: ("get_awaitable", True),  # (__await__ may switch tracing on)
    OP["LOAD_BUILD_CLASS"]: ("load_build_class", True),
    # module and class bodies (compiled when a loop in them gets hot: csrc/osr.c; LOAD_NAME is a cached op)
    OP["STORE_NAME"]: ("store_name", True),
    OP["DELETE_NAME"]: ("delete_name", True),
    # exception handlers' instructions (csrc/bjit_exceptions.c; the handler's block is entered by the trampoline)
    OP["PUSH_EXC_INFO"]: ("push_exc_info", False),
    OP["POP_EXCEPT"]: ("pop_except", False),
    OP["CHECK_EXC_MATCH"]: ("check_exc_match", False),
    OP["WITH_EXCEPT_START"]: ("with_except_start", True),
}

# Opcodes that always raise: opcode -> {oparg: helper}.  The helper takes the error exit, or declines.
RAISING_OPS: dict[int, dict[int, str]] = {
    OP["RAISE_VARARGS"]: {0: "reraise_handled", 1: "raise_varargs", 2: "raise_varargs"},
    OP["RERAISE"]: {0: "reraise", 1: "reraise", 2: "reraise", 3: "reraise"},
}

# Opcodes whose helper gets a per-site cache (csrc/site_cache.c, bjit_ops.c) as its fifth argument:
# opcode -> (helper name, symbol giving the cache's size).  All of them can run Python code.
CACHED_OPS: dict[int, tuple[str, str]] = {
    OP["LOAD_GLOBAL"]: ("load_global", "load_global_cache_size"),
    OP["LOAD_NAME"]: ("load_name_cached", "load_global_cache_size"),  # (LOAD_GLOBAL's in a module body)
    OP["LOAD_ATTR"]: ("load_attr_cached", "attr_cache_size"),
    OP["STORE_ATTR"]: ("store_attr_cached", "attr_cache_size"),
    OP["LOAD_METHOD"]: ("load_method_cached", "attr_cache_size"),
}

# What the interpreter never reports as an executed instruction to a trace function (the counting mode's
# interpreter side): RESUME, and the frame-setup prefix before co._co_firsttraceable.
UNTRACED_OPS = frozenset({OP["RESUME"], OP["MAKE_CELL"], OP["COPY_FREE_VARS"], OP["RETURN_GENERATOR"]})

CO_OPTIMIZED = 0x1
GENERATOR_FLAGS = 0x20 | 0x80 | 0x100 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE, CO_ASYNC_GENERATOR

# csrc/bjit.h ACCEL_HB_*
HB_UNSUPPORTED, HB_HELPER, HB_TRACING = 0, 1, 2


_GLUE: dict[int, dict[str, int]] = {}  # counting mode -> the helper glue's addresses (glue.py)
# Entries of the C symbol table that are not op helpers: C functions called otherwise, and sizes
_NOT_HELPERS = frozenset(("_Py_Dealloc", "handle_pending", "unicode_equal", "attr_cache_size", "call_cache_size",
                          "load_global_cache_size"))
# Helpers a hot path calls every time (no inline fast case in front): called directly, not through `enter_` glue
_HOT_HELPERS = frozenset(("call", "call_exact", "call_py", "call_c", "call_function_ex", "send", "for_iter"))


def op_helpers(symbols: dict[str, int]) -> tuple[str, ...]:
    """The op helpers among the C symbols, each of which gets `enter_` glue.  Told apart by name, not by address:
    under valgrind (and wherever the shim is mapped low) helper addresses lie below 4 GiB too."""
    return tuple(sorted(k for k in symbols if k not in _NOT_HELPERS))


class Runtime:
    """What code generation needs from the C runtime: struct layout, helper addresses, constants."""

    __slots__ = ("layout", "symbols", "address", "core")

    def __init__(self, layout: dict[str, int], symbols: dict[str, int], address: Callable[[object], int],
                 core: Any = None) -> None:
        self.layout = layout
        self.symbols = symbols
        self.address = address  # an object's address (id() without its audit event)
        self.core = core  # the C runtime (accel.runtime.core()), for what code generation tells it

    @classmethod
    def load(cls) -> Runtime:
        from accel.runtime import core

        from . import ic_slots

        c = core()
        layout = c.bjit_layout()
        if layout["frame_bias"] != FRAME_BIAS:  # (csrc/bjit.h's ACCEL_FRAME_BIAS: a shim built from other sources)
            raise RuntimeError(f"accel: the C shim's frame bias {layout['frame_bias']} is not {FRAME_BIAS}")
        ic_slots.register(c, layout)  # the templates the inline-cache rewriter copies slots from
        symbols = c.bjit_symbols()
        glue = _GLUE.get(layout["counting"])
        if glue is None:  # (once per process and counting mode: the glue stays in the arena for good)
            glue = _GLUE[layout["counting"]] = place_glue(c, layout, symbols, op_helpers(symbols))
        return cls(layout, {**symbols, **glue}, c.address, c)


class CodegenResult:
    """A piece of machine code and what placing it needs.  (Plain classes, not dataclasses, in the modules a
    compile imports: a dataclass costs a millisecond or two of exec at import.)"""

    def __init__(self, code: bytes) -> None:
        self.code = code
        self.handback_sites: dict[str, int] = {}  # opname -> sites that hand back (unsupported)
        self.blocks = 0
        self.instructions = 0
        self.offsets: list[tuple[int, int]] = []  # (machine-code offset, IR instruction index)
        self.blocks_end = 0  # where the blocks end and the out-of-line stubs begin
        # a block at a time (lazy): branches to earlier machine code, resolved by `linked`; jumps still aimed at
        # the stub of a block without code, (block, rel32 field offset); where the block and the head's exits start
        self.externals: list[tuple[int, int]] = []
        self.patch_sites: list[tuple[int, int]] = []
        self.block_offset = 0
        self.exit_offset = 0
        self.error_offset = 0


class LazyLinks:
    """What a block compiled on its own needs of the code placed before it (csrc/bjit_lazy.c: lazy_info)."""

    __slots__ = ("blocks", "exit", "error")

    def __init__(self, blocks: list[int], exit: int, error: int) -> None:
        self.blocks = blocks  # per block: its machine code's address, 0 when it has none yet, -1 when interpreted
        self.exit = exit
        self.error = error


class _BlockTargets(dict):
    """Block -> the label a branch to it uses.  Compiling a whole function: the blocks' own labels.  A block at a
    time: the block being compiled, blocks placed earlier (external labels), or a stub that leaves the machine
    code to have the block compiled (ACCEL_EXIT_COMPILE_BLOCK), one per target block."""

    def __init__(self, lazy: LazyLinks | None) -> None:
        super().__init__()
        self.lazy = lazy
        self.stubs: dict[int, Label] = {}

    def __missing__(self, b: int) -> Label:
        if self.lazy is None:
            raise KeyError(b)
        address = self.lazy.blocks[b]
        label = Label(f"bb{b}", address=address) if address > 0 else Label(f"compile_bb{b}")
        if address <= 0:
            self.stubs[b] = label
        self[b] = label
        return label


def _frame_operand(offset: int) -> Mem:
    return frame_mem(offset)


# Calls to C helpers are direct (`call rel32`) until some code lands out of their reach: then every later
# compile calls through a register.  (A list: one mutable flag, shared with compiler.py.)
near_calls = [True]


class _Generator(FastPaths):
    def __init__(self, fn: Function, code: CodeType, rt: Runtime, data: int, lazy: LazyLinks | None = None) -> None:
        self.fn = fn
        self.site_data = _SiteAddresses(data, site_offsets(fn, rt))  # per-site caches
        self.code = code
        self.feedback = Feedback(code)
        self.rt = rt
        self.lay = rt.layout
        self.a = Assembler()
        self.nlp = fn.nlocalsplus
        self.units = rt.address(code) + rt.layout["code_units_offset"]
        self.shape = function_shape(rt.layout, fn.nlocalsplus, fn.stacksize, fn.code_units, self.units)
        self.lazy = lazy
        self.exit = Label("exit", address=lazy.exit or None if lazy else None)  # (0: this is the head)
        self.error_exit = Label("error", address=lazy.error or None if lazy else None)
        self.declined_exit = Label("declined")  # a helper returned NULL or ACCEL_HANDBACK: one per piece of code
        self.handback_exit = Label("handback_exit")  # the compact hand-back stubs' shared tail: one per piece
        self.handbacks: dict[tuple[int, int, int, int], Label] = {}  # one stub per distinct hand-back
        self.block_labels: dict[int, Label] = _BlockTargets(lazy)
        self.entries: dict[int, Label] = {}  # generator resume points: code unit -> label
        self.stubs: list[Callable[[], None]] = []  # out-of-line code, emitted after the blocks
        self.out_of_line = False  # emitting stubs (helper calls there go through their `enter_` glue)
        self.result = CodegenResult(b"")
        self.segment_count = 0  # instruction counting: instructions in the current straight-line run
        self.segment_patch = 0
        self.handed_back = False
        self.markers: Any = None  # template mode (templates.py): the marker values holes are made of
        self.exit_stored: Any = None

    @classmethod
    def for_template(cls, fn: Any, layout: dict[str, int], symbols: dict[str, int], address: Callable[[object], int],
                     markers: Any, code: Any, feedback: Any, sites: Any, labels: Any, exits: list[Label]) -> _Generator:
        """A generator running on a synthetic function in template mode (templates.make_template)."""
        gen = cls.__new__(cls)
        gen.fn = fn
        gen.site_data = sites
        gen.code = code
        gen.feedback = feedback
        gen.rt = Runtime(layout, symbols, address, None)
        gen.lay = layout
        gen.a = Assembler()
        gen.nlp = fn.nlocalsplus
        gen.shape = 0  # (templates._generate sets the key's)
        gen.units = markers.units
        gen.lazy = None
        gen.exit, gen.error_exit, gen.declined_exit, gen.handback_exit = exits
        gen.handbacks = {}
        gen.block_labels = labels
        gen.entries = {}
        gen.stubs = []
        gen.out_of_line = False
        gen.result = CodegenResult(b"")
        gen.segment_count = gen.segment_patch = 0
        gen.handed_back = False
        gen.markers = markers
        gen.exit_stored = None
        return gen

    # ---- addressing -------------------------------------------------------------------------------------

    def local(self, index: int) -> Mem:
        return _frame_operand(self.lay["frame_localsplus"] + 8 * index)

    def slot(self, depth: int) -> Mem:
        """Value-stack slot `depth` (0 = bottom) in the frame."""
        return _frame_operand(self.lay["frame_localsplus"] + 8 * (self.nlp + depth))

    def operand(self, i: int, depth: int, slot_depth: int) -> Mem:
        """Where instruction i (at stack depth `depth`) reads the value in slot `slot_depth`: the slot, or the
        local a LOAD_FAST copied into it when only LOAD_FAST/LOAD_CONST pushes came after, in this block.  The
        local holds the same reference (nothing stored to it since) and was not just written: a load of it does
        not wait for store-to-load forwarding, as one of the slot stored a few instructions back does.  (For the
        slot written by the instruction right before, the assembler's own store-then-load rule does better.)"""
        rec = self.fn.records
        first = i - (depth - slot_depth)
        if first < self.block_first or depth - slot_depth < 2:
            return self.slot(slot_depth)
        for k in range(first, i):
            if rec[k * 8] not in _SINGLE_PUSHES:
                return self.slot(slot_depth)
        if rec[first * 8] == OP["LOAD_FAST"]:
            return self.local(rec[first * 8 + 1])
        return self.slot(slot_depth)

    def call_c(self, address: int) -> None:
        """Call a C function: `call rel32` (linked where the code is placed) while the arena lies within reach
        of the C code, else through a register (near_calls turned off: compiler.py regenerates)."""
        if near_calls[0]:
            self.a.call_near(address)
        else:
            self.a.call_abs(address)

    def jump_c(self, address: int) -> None:
        """Tail-call a C function (jmp rel32, or through a register: as call_c)."""
        if near_calls[0]:
            self.a.jmp(Label(address=address))
        else:
            self.a.mov(R11, address)
            self.a.jmp(R11)

    def set_prev_instr(self, unit: int) -> None:
        """frame->prev_instr = code unit `unit`'s address: its lower half only where the upper half is the frame's
        already (SHAPE_UNITS32; a template's UNIT_ADDR32 hole)."""
        a = self.a
        address = self.units + 2 * unit
        if self.shape & SHAPE_UNITS32:
            a.mov(frame_mem(self.lay["frame_prev_instr"]), address & 0xFFFF_FFFF, size=32)
            if self.markers is not None:
                decoded = self.markers.decode64(address)
                if decoded is None or decoded[0] != templates.UNIT_ADDR:
                    raise templates.TemplateError("prev_instr at a unit that is not a marker")
                a.logged_holes.append((a.size - 4, templates.UNIT_ADDR32, decoded[1], 0))
            return
        a.mov(RAX, address)
        a.mov(frame_mem(self.lay["frame_prev_instr"]), RAX)

    # ---- reference counting ----------------------------------------------------------------------------

    def incref(self, reg) -> None:  # noqa: ANN001
        self.a.inc(_mem(reg, self.lay["ob_refcnt"]))

    def decref(self, reg, unit: int) -> None:  # noqa: ANN001
        """Release the reference in `reg`; a dealloc runs out of line with prev_instr exact (a __del__ may look):
        the stub calls the register's shared deallocation glue (glue.py) with the code unit in eax."""
        a = self.a
        a.dec(_mem(reg, self.lay["ob_refcnt"]))
        dealloc = a.label("dealloc")
        back = a.label("back")
        a.jcc("z", dealloc)
        a.bind(back)

        def stub() -> None:
            a.bind(dealloc)
            a.mov(EAX, unit)
            self.call_c(self.rt.symbols[DEALLOC_REGISTERS[reg]])
            a.jmp(back)

        self.stubs.append(stub)

    # ---- exits -------------------------------------------------------------------------------------------

    def handback(self, resume_unit: int, depth: int, reason: int, opcode: int) -> Label:
        """An out-of-line exit that gives the frame to the interpreter at `resume_unit`: one per distinct exit in
        a piece of code, a single `mov rax, imm64` (unit | depth << 32 | reason, opcode << 48) into the shared
        handback glue (glue.py) that unpacks it."""
        key = (resume_unit, depth, reason, opcode)
        label = self.handbacks.get(key)
        if label is not None:
            return label
        a = self.a
        label = self.handbacks[key] = a.label("handback")
        packed = reason * 256 + opcode
        compact = resume_unit < 1 << 32 and depth < 1 << 16 and packed < 1 << 16
        if self.markers is not None:  # (placing the template checks that it is compact)
            compact = True
            value = self.markers.packed_handback(resume_unit, depth, packed)
        else:
            value = resume_unit | depth << 32 | packed << 48

        def stub() -> None:
            a.bind(label)
            if compact:  # the process's shared tail (glue.handback_glue)
                a.mov(RAX, value)
                self.jump_c(self.rt.symbols["handback_glue"])
                return
            a.mov(_mem(RBX, self.lay["ctx_resume_unit"]), resume_unit, size=32)
            a.mov(_mem(RBX, self.lay["ctx_resume_depth"]), depth, size=32)
            a.mov(_mem(RBX, self.lay["ctx_reason"]), packed, size=32)
            a.mov(EAX, self.lay["exit_handback"])
            a.jmp(self.exit)

        self.stubs.append(stub)
        return label

    def emit_snippet(self, name: str, values: tuple[int, ...]) -> None:
        """Code that only a few numbers and the exits tell apart, assembled once per process (_SNIPPETS)."""
        glue = self.rt.symbols["compile_block_glue"]
        snippet = _SNIPPETS.get((name, glue))
        if snippet is None:
            snippet = _SNIPPETS[name, glue] = make_snippet(name, self.lay, glue)
        code, value_fields, exit_fields = snippet
        a = self.a
        base = len(a.buf)
        a.buf += code
        for at, value in zip(value_fields, values, strict=True):
            _pack_s32(a.buf, base + at, value)
        for at, which in exit_fields:
            a.field_to(base + at, self.exit if which == 0 else self.error_exit if which == 1 else Label(address=which))
        a._stored = (None, None, -1)

    @staticmethod
    def emit_tail(a: Assembler, name: str, lay: dict[str, int], exit: Label, error: Label,
                  values: tuple[int, ...], glue: int) -> None:
        """The snippets: the hand-back stubs' shared tail; the helper calls' declined exit; a jump to a block
        without machine code yet."""
        if name == "handback_exit":  # rax = resume unit | depth << 32 | reason, opcode << 48
            unpack_handback(a, lay)
            a.jmp(exit)
        elif name == "declined_exit":
            # shared by the helper calls: NULL is an error (exception set, stacktop written by the helper), 1 a
            # hand-back at the instruction prev_instr points to, with the depth the site stored
            a.test(RAX, RAX)
            a.jcc("z", error)
            a.mov(_mem(RBX, lay["ctx_resume_unit"]), lay["resume_at_prev_instr"], size=32)
            a.mov(EAX, lay["exit_handback"])
            a.jmp(exit)
        else:  # compile_block: the block, to the shared glue.compile_block_glue
            a.mov(EDX, values[0])
            a.jmp(Label(address=glue))

    def error_with_stacktop(self, depth: int) -> Label:
        """An exit for errors raised by code that did not set frame->stacktop itself."""
        a = self.a
        label = a.label("error_at")

        def stub() -> None:
            a.bind(label)
            a.mov(frame_mem(self.lay["frame_stacktop"]), self.nlp + depth, size=32)
            a.jmp(self.error_exit)

        self.stubs.append(stub)
        return label

    def check_tracing(self, resume_unit: int, depth: int, opcode: int) -> None:
        a = self.a
        if self.lay["counting"]:  # the instruction counter's trace function is not "tracing" (csrc/accel.h)
            handback = self.handback(resume_unit, depth, HB_TRACING, opcode)
            a.mov(RAX, _mem(R14, self.lay["tstate_c_tracefunc"]))
            a.mov(RCX, self.lay["count_trace"])
            a.cmp(RAX, RCX)
            a.jcc("ne", handback)
            a.cmp(_mem(R14, self.lay["tstate_c_profilefunc"]), 0)
            a.jcc("ne", handback)
            return
        a.mov(RAX, _mem(R14, self.lay["tstate_cframe"]))
        a.cmp(_mem(RAX, self.lay["cframe_use_tracing"]), 0, size=8)
        a.jcc("ne", self.handback(resume_unit, depth, HB_TRACING, opcode))

    def poll_eval_breaker(self, unit: int, depth: int) -> None:
        a = self.a
        a.mov(RAX, self.lay["eval_breaker"])
        a.cmp(_mem(RAX, 0), 0, size=32)
        pending = a.label("pending")
        back = a.label("back")
        a.jcc("ne", pending)
        a.bind(back)

        word = self.call_site_word(unit, depth, 0)

        def stub() -> None:
            a.bind(pending)
            if word is not None:  # the shared glue (glue.pending_glue)
                self.load_word(word)
                self.call_c(self.rt.symbols["handle_pending_glue"])
                a.jmp(back)
                return
            self.set_prev_instr(unit)
            a.mov(RDI, R14)
            frame_pointer(a, RSI)
            self.call_c(self.rt.symbols["handle_pending"])
            a.test(EAX, EAX)
            a.jcc("ne", self.error_with_stacktop(depth))
            a.jmp(back)

        self.stubs.append(stub)

    # ---- helpers -----------------------------------------------------------------------------------------

    def call_helper(self, name: str, i: int, oparg: int, depth: int, extra: int | Reg | None = None,
                    extra2: int | Reg | None = None, after: str = "none", glue: bool = False) -> None:
        """Call helper `name` for instruction i; NULL -> error exit, ACCEL_HANDBACK -> hand the instruction back.
        Then, for `after` "poll", the eval breaker is polled; for "tracing" and "poll", a tracing check hands the
        frame back after the instruction.  What follows the call is the shared `after_` glue (glue.py) when the
        call-site word can describe the site; the call's set-up too (`enter_` glue) on out-of-line paths -- a
        helper called on an instruction's main path (no inline fast case in front: calls, SEND, an unspecialised
        UNPACK_SEQUENCE...) is called directly, the glue's few nanoseconds showed there (bm_unpack_sequence 36 ->
        46 ns, bm_generators 10%), unless `glue` says that this out-of-line call is not the instruction's main
        way (the generic CALL behind an inline C call) -- else all of it is inline."""
        a = self.a
        fn = self.fn
        rec = fn.records
        op, unit = rec[i * 8], rec[i * 8 + 2]
        effect = self.depth_after(i, depth) - depth if after != "none" else 0
        to_next = 1 + _CACHE_ENTRIES[op]
        word = self.call_site_word(unit, depth, to_next | (effect & 0xFF) << 8) \
            if unit == rec[i * 8 + 3] and -128 <= effect < 128 else None
        if word is not None:
            assert self.markers is not None or after == "none" or self.next_start(i) == unit + to_next
            hot = not self.out_of_line or (name in _HOT_HELPERS and not glue)
            self.helper_arguments(unit, depth, oparg, extra, extra2, frame_arguments=hot)
            self.load_word(word)
            self.call_c(self.rt.symbols[name if hot else enter_name(name)])
            if hot and after == "none":  # (a leaf call less on SEND's and FOR_ITER's way)
                a.cmp(RAX, 1)
                declined = a.label("declined")
                a.jcc("be", declined)

                def declined_stub() -> None:
                    a.bind(declined)
                    self.jump_c(self.rt.symbols["helper_declined"])

                self.stubs.append(declined_stub)
                return
            self.call_c(self.rt.symbols[after_name(after)])
            return
        self.helper_arguments(unit, depth, oparg, extra, extra2, frame_arguments=True)
        self.call_c(self.rt.symbols[name])
        a.cmp(RAX, 1)
        slow = a.label("slow")
        a.jcc("be", slow)
        if unit == rec[i * 8 + 3]:
            # No EXTENDED_ARG prefix: the instruction starts at prev_instr, so the trampoline finds the resume
            # point (and the opcode) there; only the depth is the site's own (csrc/bjit.h: RESUME_AT_PREV_INSTR).
            def stub() -> None:
                a.bind(slow)
                a.mov(_mem(RBX, self.lay["ctx_resume_depth"]), depth, size=32)
                a.jmp(self.declined_exit)
        else:
            handback = self.handback(rec[i * 8 + 3], depth, HB_HELPER, op)

            def stub() -> None:
                a.bind(slow)
                a.test(RAX, RAX)
                a.jcc("z", self.error_exit)
                a.jmp(handback)

        self.stubs.append(stub)
        if after == "poll":
            self.poll_eval_breaker(unit, self.depth_after(i, depth))
        if after != "none":
            self.check_tracing(self.next_start(i), self.depth_after(i, depth), op)

    def helper_arguments(self, unit: int, depth: int, oparg: int, extra: int | Reg | None,
                         extra2: int | Reg | None, frame_arguments: bool) -> None:
        """An op helper's arguments (csrc/bjit.h): prev_instr and (tstate, frame, stack pointer) when
        `frame_arguments` (else the `enter_` glue sets them), the oparg, the extras (a value, or a register
        holding it: rcx, say, where a site's cache is still there -- moved before the oparg takes ecx)."""
        a = self.a
        if frame_arguments:
            self.set_prev_instr(unit)
            a.mov(RDI, R14)
            frame_pointer(a, RSI)
            a.lea(RDX, self.slot(depth))
        if extra is not None:
            if isinstance(extra, int) and extra == 0:
                a.xor(R8D, R8D)  # (3 bytes, not 6: no flags are live at a call)
            else:
                a.mov(R8, extra)
        if extra2 is not None:
            a.mov(R9, extra2)
        a.mov(ECX, oparg)

    def call_site_word(self, unit: int, depth: int, low16: int) -> tuple[int, int, int] | None:
        """glue.py's call-site word for the instruction at `unit`, stack depth `depth`, `low16` = the distance to
        the next instruction | the stack effect << 8, as load_word takes it; None if it does not fit."""
        if self.markers is None and (unit >= 1 << 32 or depth >= 1 << 16):
            return None  # (placing a template checks that it fits: PLACE_NOT_COMPACT)
        return unit, depth, low16

    def load_word(self, word: tuple[int, int, int]) -> None:
        """r15 = the call-site word: in 32 bits (`mov r15d`, 6 bytes) in a function of SHAPE_COMPACT_WORDS when
        the distance and the effect fit, else in 64 (glue.py: the two forms)."""
        unit, depth, low16 = word
        to_next, effect = low16 & 0xFF, ((low16 >> 8) ^ 0x80) - 0x80
        a = self.a
        if self.shape & SHAPE_COMPACT_WORDS and to_next < 16 and -8 <= effect < 8:
            if self.markers is not None:  # a HANDBACK32 hole, as HANDBACK's role and extra say
                decoded = self.markers.decode64(self.markers.packed_handback(unit, depth, low16))
                a.mov(R15, COMPACT_WORD_FLAG)
                a.logged_holes.append((a.size - 4, templates.HANDBACK32, decoded[1], decoded[2]))
                return
            a.mov(R15, compact_word(unit, depth, to_next, effect))
            return
        if self.markers is not None:
            a.mov(R15, self.markers.packed_handback(unit, depth, low16))
            return
        a.mov(R15, unit | depth << 32 | low16 << 48)

    # ---- the function ------------------------------------------------------------------------------------

    def reachable_blocks(self) -> list[int]:
        """Blocks reachable from the entry: along normal edges, and in a generator (whose resume dispatch gives each
        handler an entry the trampoline unwinds to, csrc/bjit_exceptions.c) along exception edges too.  (A function
        compiled whole has no such entry: its handlers run in the interpreter.)"""
        handlers = bool(self.code.co_flags & GENERATOR_FLAGS)
        seen = {0}
        todo = [0]
        while todo:
            block = self.fn.blocks[todo.pop()]
            for s in block.succs + ((block.handler,) if handlers and block.handler is not None else ()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return sorted(seen)

    def emit_prologue(self) -> None:
        self.prologue(self.a, self.lay)

    @staticmethod
    def prologue(a: Assembler, lay: dict[str, int]) -> None:
        for reg in (RBP, RBX, R12, R13, R14, R15):
            a.push(reg)
        a.sub(RSP, 8)  # 6 pushes + return address: keep rsp 16-byte aligned at calls
        a.mov(CTX, RDI)
        a.mov(TSTATE, _mem(CTX, lay["ctx_tstate"]))
        set_frame(a, _mem(CTX, lay["ctx_frame"]))

    @staticmethod
    def head_prologue(a: Assembler, lay: dict[str, int]) -> None:
        """A block at a time: the prologue jumps to ctx->entry when set (the frame comes back after a block was
        compiled)."""
        _Generator.prologue(a, lay)
        a.mov(RAX, _mem(RBX, lay["ctx_entry"]))
        a.test(RAX, RAX)
        start = a.label("start")
        a.jcc("z", start)
        a.jmp(RAX)
        a.bind(start)

    @staticmethod
    def exits(a: Assembler, lay: dict[str, int], error: Label, exit: Label) -> None:
        """The error exit (the exit with ACCEL_EXIT_ERROR), then the exit (eax: how the machine code ended)."""
        a.bind(error)
        a.mov(EAX, lay["exit_error"])
        a.bind(exit)
        epilogue(a)

    def emit_stubs_and_exits(self, with_exits: bool) -> None:
        a = self.a
        self.out_of_line = True
        while self.stubs:
            stubs, self.stubs = self.stubs, []
            for stub in stubs:
                stub()
        self.out_of_line = False
        if a.pending_fields(self.handback_exit):
            a.bind(self.handback_exit)
            self.emit_snippet("handback_exit", ())
        if a.pending_fields(self.declined_exit):
            a.bind(self.declined_exit)
            self.emit_snippet("declined_exit", ())
        targets = self.block_labels
        assert isinstance(targets, _BlockTargets)
        for b, label in targets.stubs.items():  # blocks without machine code yet: leave to have them compiled
            self.result.patch_sites.extend((b, field) for field in a.pending_fields(label))
            a.bind(label)
            self.emit_snippet("compile_block", (b,))
        if with_exits:
            self.exits(a, self.lay, self.error_exit, self.exit)
            self.result.error_offset = self.error_exit.position or 0
            self.result.exit_offset = self.exit.position or 0
        self.result.code = a.finish()
        self.result.externals = list(a._external)

    def generate_head(self) -> CodegenResult:
        """A block at a time: the prologue, the entry block, the exits.  The prologue jumps to ctx->entry when set
        (the frame comes back after a block was compiled)."""
        self.head_prologue(self.a, self.lay)
        return self._one_block(0, with_exits=True)

    def generate_block(self, b: int) -> CodegenResult:
        """A block at a time: block `b` alone, placed after the head."""
        return self._one_block(b, with_exits=False)

    def _one_block(self, b: int, with_exits: bool) -> CodegenResult:
        a = self.a
        label = a.label(f"bb{b}")
        self.block_labels[b] = label
        a.bind(label)
        self.result.block_offset = label.position or 0
        self.emit_block(b, None)
        self.result.blocks_end = a.size
        self.emit_stubs_and_exits(with_exits)
        self.result.blocks = 1
        return self.result

    def generate(self) -> CodegenResult:
        a = self.a
        self.emit_prologue()
        order = self.reachable_blocks()
        if self.code.co_flags & GENERATOR_FLAGS:
            self.emit_resume_dispatch(order)
        for b in order:
            self.block_labels[b] = a.label(f"bb{b}")
        for position, b in enumerate(order):
            a.bind(self.block_labels[b])
            self.emit_block(b, order[position + 1] if position + 1 < len(order) else None)
        for label in self.entries.values():
            # resume points inside code that was not emitted (after a hand-back in the same block)
            a.bind(label)
            a.mov(EAX, self.lay["exit_no_entry"])
            a.jmp(self.exit)
        self.result.blocks_end = a.size
        self.emit_stubs_and_exits(with_exits=True)
        self.result.blocks = len(order)
        return self.result

    def emit_resume_dispatch(self, order: list[int]) -> None:
        """Jump to the entry for ctx->resume_unit: after each YIELD_VALUE, after RETURN_GENERATOR, and at each
        exception handler (where the trampoline's unwinding continues the frame)."""
        a = self.a
        fn = self.fn
        handlers = {fn.blocks[b].handler for b in order} - {None}
        for b in order:
            block = fn.blocks[b]
            if b in handlers:
                self.entries.setdefault(block.start, a.label("handler"))
            for i in range(block.first, block.end):
                if fn.records[i * 8] in (OP["YIELD_VALUE"], OP["RETURN_GENERATOR"]) and i + 1 < fn.n_instructions:
                    self.entries.setdefault(fn.records[(i + 1) * 8 + 3], a.label("resume"))
        a.mov(EAX, _mem(RBX, self.lay["ctx_resume_unit"]))
        for unit, label in sorted(self.entries.items()):
            a.cmp(EAX, unit)
            a.jcc("e", label)
        a.mov(EAX, self.lay["exit_no_entry"])  # (the fresh call never gets here: the interpreter runs it)
        a.jmp(self.exit)

    def emit_block(self, b: int, next_block: int | None) -> None:
        if self.templated:
            self.place_block(b, next_block)
            return
        fn = self.fn
        block = fn.blocks[b]
        kwnames: int | None = None
        self.block_first = block.first  # (operand(): a push before the block's start is not looked at)
        self.start_count_segment()
        for i in range(block.first, block.end):
            entry = self.entries.get(fn.records[i * 8 + 3])
            if entry is not None:
                # a generator's resume point (control never falls into it: the instruction before suspended)
                self.end_count_segment()
                self.a.bind(entry)
                self.start_count_segment()
                del self.entries[fn.records[i * 8 + 3]]
            self.result.offsets.append((self.a.size, i))
            self.result.instructions += 1
            op = fn.records[i * 8]
            if op == OP["KW_NAMES"]:
                kwnames = self.rt.address(self.code.co_consts[fn.records[i * 8 + 1]])
                self.segment_count += 1
                continue
            self.handed_back = False
            done = self.emit_instruction(i, op, kwnames, block)
            if not self.handed_back and op not in UNTRACED_OPS:
                self.segment_count += 1
            if op == OP["CALL"]:
                kwnames = None
            if done:  # control left the block (jump, return, hand-back)
                self.end_count_segment()
                return
        self.end_count_segment()
        # fall through to the successor
        if block.succs and block.succs[0] != next_block:
            self.a.jmp(self.block_labels[block.succs[0]])

    # ---- placing templates (templates.py) ----------------------------------------------------------------------

    templated = False

    def place_block(self, b: int, next_block: int | None) -> None:
        """emit_block made of templates: csrc/bjit_place.c computes each instruction's key, copies its template
        and fills the holes that are values; a key without a template comes back here to have it made (then the
        C loop goes on from there).  Raises NotTemplated when an instruction has none: the piece is then
        generated directly."""
        fn = self.fn
        block = fn.blocks[b]
        a = self.a
        result = self.result
        cache = templates.CACHE
        core = self.rt.core
        if self.cold is None:
            self.start_cold_area()
        if self.entries:  # a generator's resume points start blocks (the IR ends a block at each YIELD_VALUE)
            resume = self.entries.pop(fn.records[block.first * 8 + 3], None)
            if resume is not None:
                a.bind(resume)
            if any(fn.records[i * 8 + 3] in self.entries for i in range(block.first + 1, block.end)):
                raise templates.NotTemplated("resume point inside a block")
        info = self.place_info()
        shape = (block.first, block.end, len(block.succs), *(tuple(block.succs) + (-1, -1))[:2])
        outputs = (a._external, self.links, result.offsets, self.deferred, self.attr_sites, self.handed_back_at)
        start, entry, kwnames = block.first, -1, -1
        while True:
            status, i, entry, kwnames, key = core.place_block(a.buf, self.cold, cache.templates, info, shape, start,
                                                              entry, kwnames, outputs)
            if status != 2:
                break
            if cache.check:  # (tests) the C key is the reference's, byte for byte
                state = None if entry < 0 else ((entry >> 8) - 0x8000, entry & 0xFF)
                expected = templates.instruction_key(fn, self.feedback._adaptive or b"", i, block, kwnames >= 0, state,
                                                     self.shape)
                if key != expected:
                    raise AssertionError(f"bjit_place.c's key {key.hex()} != {expected.hex()} at instruction {i}")
            cache.get(key, self.rt, _Generator.for_template)  # made (or None: no template), then on from i
            start = i
        result.instructions += i - block.first
        if status >= 3:
            op = dis.opname[fn.records[i * 8]]
            raise templates.NotTemplated(cache.reason(op) if status == 3 else f"{op}: hand-back not compact")
        rec = fn.records
        for site in self.attr_sites:
            op, offset = rec[site * 8], rec[site * 8 + 2]
            self.describe_site(self.site_data[site], op, offset,
                               self.feedback.attr_kinds(offset) if op != OP["LOAD_METHOD"] else ())
        self.attr_sites.clear()
        for site in self.handed_back_at:
            name = dis.opname[rec[site * 8]]
            result.handback_sites[name] = result.handback_sites.get(name, 0) + 1
        self.handed_back_at.clear()
        a._stored = (None, None, -1)
        if status == 0 and block.succs and block.succs[0] != next_block:
            a.jmp(self.block_labels[block.succs[0]])

    cold: bytearray | None = None

    def start_cold_area(self) -> None:
        """The templates' cold parts go to one area placed with the stubs, where the branches to labels and the
        cold calls are resolved."""
        self.cold = bytearray()
        self.deferred = bytearray()
        self.links: list[tuple[int, int, int]] = []
        self.attr_sites: list[int] = []
        self.handed_back_at: list[int] = []  # instructions placed as hand-backs (not compiled)
        a = self.a
        exits = (self.exit, self.error_exit, self.declined_exit, self.handback_exit)

        def stub() -> None:
            buf = a.buf
            base = self.rt.core.place_cold(buf, self.cold, self.deferred, a._external)
            labels = self.block_labels
            external = a._external
            pending = a._pending
            block = templates.BLOCK
            for at, kind, value in self.links:  # (field_to, inline: a few per instruction)
                position = at if at >= 0 else base - 1 - at
                label = labels[value] if kind == block else exits[value]
                if label.position is not None:
                    _pack_s32(buf, position, label.position - position - 4)
                elif label.address is not None:
                    external.append((position, label.address))
                else:
                    pending.setdefault(label, []).append(position)
            self.links.clear()

        self.stubs.append(stub)

    def place_info(self) -> tuple:
        """What csrc/bjit_place.c needs of this function (bjit_place.c: unpack_info)."""
        fn = self.fn
        static = fn.derived.get("bjit_place")
        if static is None:
            offsets = [-1] * fn.n_instructions
            for i, offset in site_offsets(fn, self.rt).items():
                offsets[i] = offset
            static = fn.derived["bjit_place"] = (
                int_array([blk.first for blk in fn.blocks]), int_array([blk.start for blk in fn.blocks]),
                int_array(offsets))
        self.feedback.name_at(0)  # (read now: a block compiled later reads its sites' state then)
        cache = templates.CACHE
        cache.markers(self.rt)
        return (fn.records, *static, self.feedback._adaptive, cache.runtime_values(self.rt.core), self.nlp,
                localsplus_disp(self.lay), self.units, fn.code_units, self.site_data.data, self.code.co_consts,
                self.code.co_names, self.shape)

    # ---- instruction counting (ACCEL_COUNT_INSTRUCTIONS) ----------------------------------------------------

    def start_count_segment(self) -> None:
        """In the counting mode, a straight-line run of instructions adds its length to the machine-code counter
        on entry (patched in when the run ends)."""
        self.segment_count = 0
        if not self.lay["counting"]:
            return
        self.a.mov(RAX, self.lay["insn_jit_counter"])
        self.a.add(_mem(RAX, 0), 0x7FFFFFFF)  # imm32, the last 4 bytes: patched
        self.segment_patch = self.a.size - 4

    def end_count_segment(self) -> None:
        if self.lay["counting"]:
            self.a.buf[self.segment_patch : self.segment_patch + 4] = self.segment_count.to_bytes(4, "little")

    def next_start(self, i: int) -> int:
        """Code unit where the instruction after i starts (its fall-through)."""
        if i + 1 < self.fn.n_instructions:
            return self.fn.records[(i + 1) * 8 + 3]
        return self.fn.code_units

    def emit_instruction(self, i: int, op: int, kwnames: int | None, block) -> bool:  # noqa: ANN001, C901
        """Emit instruction i; True when control does not fall through to the next instruction."""
        a = self.a
        rec = self.fn.records
        arg, offset, start, target, depth = rec[i * 8 + 1 : i * 8 + 6]
        name = dis.opname[op]

        if op in (OP["NOP"], OP["PRECALL"]):  # PRECALL's method split is done by CALL
            return False
        if op == OP["RESUME"]:
            if arg < 2:
                self.poll_eval_breaker(offset, depth)
            return False
        if op in (OP["LOAD_FAST"], OP["LOAD_CLOSURE"]):
            a.mov(RAX, self.local(arg))
            if target != ALWAYS_BOUND:
                a.test(RAX, RAX)
                a.jcc("z", self.handback(start, depth, HB_HELPER, op))  # unbound: the interpreter's error
            self.incref(RAX)
            a.mov(self.slot(depth), RAX)
            return False
        if op == OP["LOAD_CONST"]:
            a.mov(RAX, self.rt.address(self.code.co_consts[arg]))
            self.incref(RAX)
            a.mov(self.slot(depth), RAX)
            return False
        if op == OP["STORE_FAST"]:  # (the old value: none, surely one, or maybe one -- ir/bound.py)
            a.mov(RAX, self.slot(depth - 1))
            if target == ALWAYS_UNBOUND:
                a.mov(self.local(arg), RAX)
                return False
            a.mov(RDI, self.local(arg))
            a.mov(self.local(arg), RAX)
            done = a.label()
            if target != ALWAYS_BOUND:
                a.test(RDI, RDI)
                a.jcc("z", done)
            self.decref(RDI, offset)
            a.bind(done)
            return False
        if op == OP["DELETE_FAST"]:
            a.mov(RDI, self.local(arg))
            a.test(RDI, RDI)
            a.jcc("z", self.handback(start, depth, HB_HELPER, op))
            a.mov(self.local(arg), 0)
            self.decref(RDI, offset)
            return False
        if op == OP["POP_TOP"]:
            a.mov(RDI, self.slot(depth - 1))
            self.decref(RDI, offset)
            return False
        if op == OP["PUSH_NULL"]:
            a.mov(self.slot(depth), 0)
            return False
        if op == OP["COPY"]:
            a.mov(RAX, self.slot(depth - arg))
            self.incref(RAX)
            a.mov(self.slot(depth), RAX)
            return False
        if op == OP["SWAP"]:
            a.mov(RAX, self.slot(depth - 1))
            a.mov(RCX, self.slot(depth - arg))
            a.mov(self.slot(depth - 1), RCX)
            a.mov(self.slot(depth - arg), RAX)
            return False
        if op == OP["YIELD_VALUE"]:
            # suspend as ceval does: the frame keeps the stack below the value, prev_instr at this instruction
            self.set_prev_instr(offset)
            a.mov(RAX, self.slot(depth - 1))
            a.mov(_mem(RBX, self.lay["ctx_retval"]), RAX)
            a.mov(frame_mem(self.lay["frame_stacktop"]), self.nlp + depth - 1, size=32)
            a.mov(frame_mem(self.lay["gen_frame_state_from_frame"]), self.lay["frame_suspended"] & 0xFF, size=8)
            a.mov(EAX, self.lay["exit_yield"])
            a.jmp(self.exit)
            return False  # the instruction after it is the resume entry: keep emitting the block
        if op == OP["RETURN_VALUE"]:
            self.set_prev_instr(offset)  # a frame object that outlives the call reports this line
            a.mov(RAX, self.slot(depth - 1))
            a.mov(_mem(RBX, self.lay["ctx_retval"]), RAX)
            a.mov(EAX, self.lay["exit_return"])
            a.jmp(self.exit)
            return True
        if op == OP["JUMP_FORWARD"]:
            a.jmp(self.block_labels[target])
            return True
        if op in (OP["JUMP_BACKWARD"], OP["JUMP_BACKWARD_NO_INTERRUPT"]):
            if op == OP["JUMP_BACKWARD"]:
                self.poll_eval_breaker(offset, depth)
                self.check_tracing(start, depth, op)
            a.jmp(self.block_labels[target])
            return True
        if name.startswith("POP_JUMP_") and name.endswith(("_IF_NONE", "_IF_NOT_NONE")):
            self.emit_none_branch(i, op, name.endswith("_IF_NONE"), depth, offset, target, block)
            return True
        if name.startswith("POP_JUMP_"):
            self.emit_truth_branch(i, op, jump_if=name.endswith("_IF_TRUE"), pop_always=True, depth=depth,
                                   offset=offset, target=target, block=block)
            return True
        if op in (OP["JUMP_IF_FALSE_OR_POP"], OP["JUMP_IF_TRUE_OR_POP"]):
            self.emit_truth_branch(i, op, jump_if=op == OP["JUMP_IF_TRUE_OR_POP"], pop_always=False,
                                   depth=depth, offset=offset, target=target, block=block)
            return True
        if op == OP["FOR_ITER"]:
            self.emit_for_iter_list_fast_path(depth, self.block_labels[block.succs[0]])
            if self.fn.records[(i + 1) * 8] == OP["STORE_FAST"]:
                self.emit_for_iter_range_fast_path(depth, self.block_labels[block.succs[0]],
                                                   self.fn.records[(i + 1) * 8 + 1])
            self.call_helper("for_iter", i, arg, depth)
            a.lea(RCX, self.slot(depth + 1))
            a.cmp(RAX, RCX)
            a.jcc("ne", self.block_labels[target])  # exhausted: the iterator was popped
            a.jmp(self.block_labels[block.succs[0]])
            return True
        if op == OP["SEND"]:
            self.call_helper("send", i, arg, depth)
            a.lea(RCX, self.slot(depth))
            a.cmp(RAX, RCX)
            a.jcc("ne", self.block_labels[target])  # the receiver returned: its result replaced it
            a.jmp(self.block_labels[block.succs[0]])  # it yielded: on to YIELD_VALUE
            return True
        if op == OP["LOAD_GLOBAL"]:
            self.emit_load_global(i, arg, depth)
            return False
        if op == OP["BINARY_OP"]:
            self.emit_binary_op(i, arg, depth)
            return False
        if op == OP["BINARY_SUBSCR"]:
            inline = self.feedback.subscr_inline(offset)
            done = self.emit_subscr_fast_path(i, depth) if inline else None
            self.call_helper("binary_subscr", i, arg, depth, after="tracing")  # anything else: the generic one
            if done is not None:
                a.bind(done)
            return False
        if op == OP["IS_OP"]:
            return self.emit_is_op(i, arg, depth, block)
        if op == OP["COMPARE_OP"] and self.fusable_compare(i, block):  # a fast path, then the generic one and jump
            if self.feedback.compare_str_inline(offset, arg):
                self.emit_compare_str_fast_path(i, arg, depth, block)
            elif self.feedback.compare_int_inline(offset):
                self.emit_compare_int_fast_path(i, arg, depth, block)
        if op in INLINE_ATTR_OPS:
            self.emit_attr_site(i, op, arg, depth)
            return False
        if op in CACHED_OPS:
            self.call_helper(CACHED_OPS[op][0], i, arg, depth, extra=self.site_data[i], after="tracing")
            return False
        if op == OP["STORE_SUBSCR"] and self.feedback.name_at(offset) == "STORE_SUBSCR_LIST_INT":
            self.emit_store_subscr_list_int(i, depth)
            return False
        if op == OP["LIST_APPEND"]:
            self.emit_list_append_op(i, arg, depth)
            return False
        if op == OP["CALL"]:
            appended = None
            precall = self.precall_feedback(i)
            if arg == 1 and kwnames is None and precall == "PRECALL_NO_KW_LIST_APPEND":
                appended = a.label("appended")
                self.emit_list_append_fast_path(depth, offset, appended)
            elif kwnames is None and precall in _C_CALLS:
                descriptor, flags = _C_CALLS[precall]
                if {"o": arg == 1, "noargs": arg == 0, "fast": True}[flags]:
                    # The C function called inline, then the same poll and tracing check as after the generic
                    # CALL; the generic CALL (another callee) out of line, through the helper's glue.
                    generic = self.emit_c_call_fast_path(i, arg, depth, descriptor, flags)
                    done = a.label("call_done")

                    def generic_call() -> None:
                        a.bind(generic)
                        self.call_helper_call(i, arg, depth, kwnames, glue=True)
                        a.jmp(done)

                    self.stubs.append(generic_call)
                    self.poll_eval_breaker(offset, depth - arg - 1)
                    self.check_tracing(self.next_start(i), depth - arg - 1, op)
                    a.bind(done)
                    return False
            # (then, as ceval after every call: a signal that arrived during the call runs its handler now, not at
            # the next loop edge -- time.sleep() right after signal.setitimer() must not sleep through it)
            self.call_helper_call(i, arg, depth, kwnames)
            if appended is not None:
                a.bind(appended)
            return False
        raising = RAISING_OPS.get(op, {}).get(arg)
        if raising is not None:
            # always an exception: the after_ glue takes the error exit (the trampoline unwinds as ceval's `goto
            # error` does, or `exception_unwind` for a re-raise); a helper that declines (tracing) returns
            # ACCEL_HANDBACK, and the interpreter runs the instruction
            self.call_helper(raising, i, arg, depth)
            a.jmp(self.handback(start, depth, HB_HELPER, op))
            return True
        if op == OP["CALL_FUNCTION_EX"]:
            self.call_helper("call_function_ex", i, arg, depth, after="poll")
            return False
        if op == OP["LOAD_DEREF"]:
            done = self.emit_load_deref_fast_path(arg, depth)
            self.call_helper("load_deref", i, arg, depth)  # an empty cell: the helper hands back (NameError)
            a.bind(done)
            return False
        helper = HELPER_OPS.get(op)
        if helper is not None:
            self.call_helper(helper[0], i, arg, depth, after="tracing" if helper[1] else "none")
            return False
        # Not compiled: the interpreter runs the frame from here.
        self.handed_back = True
        self.result.handback_sites[name] = self.result.handback_sites.get(name, 0) + 1
        a.jmp(self.handback(start, depth, HB_UNSUPPORTED, op))
        return True

    def jump_label(self, i: int, target: int, depth: int) -> Label:
        """Where instruction i's jump to block `target` goes: the block itself, or for a backward jump a stub that
        polls the eval breaker first, as ceval does for every backward jump (a `while` loop's test is one)."""
        label = self.block_labels[target]
        if self.fn.blocks[target].first > i:
            return label
        a = self.a
        stub_label = a.label("backward")
        offset = self.fn.records[i * 8 + 2]
        op = self.fn.records[i * 8]

        def stub() -> None:
            a.bind(stub_label)
            self.poll_eval_breaker(offset, depth)
            self.check_tracing(self.fn.records[self.fn.blocks[target].first * 8 + 3], depth, op)
            a.jmp(label)

        self.stubs.append(stub)
        return stub_label

    def depth_after(self, i: int, depth: int) -> int:
        from accel.ir import stack_effect

        pops, pushes = stack_effect(self.fn.records[i * 8], self.fn.records[i * 8 + 1], jump=False)
        return depth - pops + pushes

    def precall_feedback(self, i: int) -> str:
        """The quickened name of the PRECALL before CALL i ("" when there is none)."""
        rec = self.fn.records
        if i > 0 and rec[(i - 1) * 8] == OP["PRECALL"]:
            return self.feedback.name_at(rec[(i - 1) * 8 + 2])
        return ""

    def call_helper_call(self, i: int, oparg: int, depth: int, kwnames: int | None, glue: bool = False) -> None:
        helper = call_helper_for(self.precall_feedback(i), kwnames is not None)
        self.call_helper(helper, i, oparg, depth, extra=kwnames if kwnames is not None else 0,
                         extra2=self.site_data[i], after="poll", glue=glue)

    def emit_none_branch(self, i: int, op: int, jump_if_none: bool, depth: int, offset: int, target: int,
                         block) -> None:  # noqa: ANN001
        a = self.a
        jump = self.jump_label(i, target, depth - 1)
        fall = self.block_labels[block.succs[0]]
        a.mov(RDI, self.slot(depth - 1))
        a.mov(RAX, self.lay["none"])
        a.cmp(RDI, RAX)
        is_none = a.label("is_none")
        a.jcc("e", is_none)
        self.decref(RDI, offset)
        a.jmp(fall if jump_if_none else jump)
        a.bind(is_none)
        a.dec(_mem(RDI, self.lay["ob_refcnt"]))  # None is never freed
        a.jmp(jump if jump_if_none else fall)

    def emit_truth_branch(self, i: int, op: int, jump_if: bool, pop_always: bool, depth: int, offset: int,
                          target: int, block) -> None:  # noqa: ANN001
        """POP_JUMP_IF_TRUE/FALSE (pop_always) and JUMP_IF_TRUE/FALSE_OR_POP (value kept when jumping): True and
        False inline, anything else through PyObject_IsTrue out of line."""
        a = self.a
        # (JUMP_IF_*_OR_POP keeps the value when it jumps; those only jump forward)
        jump = self.jump_label(i, target, depth - 1) if pop_always else self.block_labels[target]
        fall = self.block_labels[block.succs[0]]
        is_true, generic = a.label("true"), a.label("truth_generic")
        a.mov(RDI, self.slot(depth - 1))
        a.mov(RAX, self.lay["true"])
        a.cmp(RDI, RAX)
        a.jcc("e", is_true)
        a.mov(RAX, self.lay["false"])
        a.cmp(RDI, RAX)
        a.jcc("ne", generic)
        if pop_always:
            # bools: drop the reference (never the last one), then branch
            a.dec(_mem(RDI, self.lay["ob_refcnt"]))
            a.jmp(fall if jump_if else jump)
            a.bind(is_true)
            a.dec(_mem(RDI, self.lay["ob_refcnt"]))
            a.jmp(jump if jump_if else fall)
            when_true, when_false = (jump, fall) if jump_if else (fall, jump)
        else:
            # JUMP_IF_*_OR_POP: jumping keeps the value on the stack; falling through pops it
            popped = a.label("popped")
            a.jmp(jump if not jump_if else popped)  # False
            a.bind(is_true)
            a.jmp(jump if jump_if else popped)
            a.bind(popped)
            a.mov(RDI, self.slot(depth - 1))
            self.decref(RDI, offset)
            a.jmp(fall)
            when_true, when_false = (jump, popped) if jump_if else (popped, jump)

        word = self.call_site_word(offset, depth, 0) if offset == self.fn.records[i * 8 + 3] else None

        def stub() -> None:  # anything else: PyObject_IsTrue through the helper (pops and releases when pop_always)
            a.bind(generic)
            a.mov(ECX, 1 if pop_always else 0)
            if word is not None:  # (prev_instr and the arguments by the shared glue)
                self.load_word(word)
                self.call_c(self.rt.symbols[enter_name("truth")])
            else:
                self.set_prev_instr(offset)
                a.mov(RDI, R14)
                frame_pointer(a, RSI)
                a.lea(RDX, self.slot(depth))
                self.call_c(self.rt.symbols["truth"])
            a.test(EAX, EAX)
            a.jcc("s", self.error_exit)
            a.jcc("nz", when_true)
            a.jmp(when_false)

        self.stubs.append(stub)

    def emit_is_op(self, i: int, arg: int, depth: int, block) -> bool:  # noqa: ANN001
        """IS_OP inline (identity needs no call); fused with a POP_JUMP_*_IF_TRUE/FALSE after it, which is then
        not emitted: True when the block ends here."""
        a = self.a
        offset = self.fn.records[i * 8 + 2]
        a.mov(RDI, self.operand(i, depth, depth - 2))
        a.xor(R13, R13)
        a.cmp(RDI, self.slot(depth - 1))
        a.setcc("ne" if arg else "e", R13B)  # r13 (callee-saved: survives the deallocations) = the result
        self.decref(RDI, offset)
        a.mov(RDI, self.slot(depth - 1))
        self.decref(RDI, offset)
        if self.fusable_compare(i, block):
            jump = self.fn.records[(i + 1) * 8]
            target = self.fn.records[(i + 1) * 8 + 4]
            a.test(R13, R13)
            a.jcc("z" if dis.opname[jump].endswith("_IF_FALSE") else "nz", self.jump_label(i + 1, target, depth - 2))
            a.jmp(self.block_labels[block.succs[0]])
            self.segment_count += 1  # (the jump, counted here: it is not emitted on its own)
            return True
        a.mov(RAX, self.lay["true"])
        a.mov(RCX, self.lay["false"])
        a.test(R13, R13)
        a.cmov("z", RAX, RCX)
        self.incref(RAX)
        a.mov(self.slot(depth - 2), RAX)
        return False


# PRECALL's specialisations for C functions -> (a method descriptor rather than a builtin function, the flags):
# the CALL after one calls the C function inline (fastpaths.py: emit_c_call_fast_path checks it all again).
_C_CALLS = {
    "PRECALL_NO_KW_BUILTIN_O": (False, "o"), "PRECALL_NO_KW_LEN": (False, "o"),
    "PRECALL_NO_KW_BUILTIN_FAST": (False, "fast"), "PRECALL_NO_KW_ISINSTANCE": (False, "fast"),
    "PRECALL_NO_KW_METHOD_DESCRIPTOR_O": (True, "o"), "PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST": (True, "fast"),
    "PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS": (True, "noargs"),
}


_pack_s32 = struct.Struct("<i").pack_into

# Snippets (emit_snippet): name -> (code, fields of its values, (field, 0 exit / 1 error) of its jumps)
_SNIPPETS: dict[tuple[str, int], tuple[bytes, tuple[int, ...], tuple[tuple[int, int], ...]]] = {}
_SNIPPET_VALUES = (0x7A7A_7A01, 0x7A7A_7A02, 0x7A7A_7A03)
_SNIPPET_EXITS = (0x5E5E_5E5E_0000_1000, 0x5E5E_5E5E_0000_2000)


def make_snippet(name: str, lay: dict[str, int],
                 glue: int) -> tuple[bytes, tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Snippet `name` (emit_tail) assembled once: its code, the offsets of its value fields, and its exit fields
    as (offset, 0 for the exit, 1 for the error exit, or the address of the shared compile-block glue)."""
    a = Assembler()
    exit, error = (Label(address=address) for address in _SNIPPET_EXITS)
    _Generator.emit_tail(a, name, lay, exit, error, _SNIPPET_VALUES, glue)
    code = a.code
    values = tuple(code.find(v.to_bytes(4, "little")) for v in _SNIPPET_VALUES if v.to_bytes(4, "little") in code)
    exits = tuple((field, _SNIPPET_EXITS.index(target) if target in _SNIPPET_EXITS else target)
                  for field, target in a._external)
    return code, values, exits

# Instructions that push one value and do nothing else that operand() must know of (no store to a local).
_SINGLE_PUSHES = frozenset((OP["LOAD_FAST"], OP["LOAD_CONST"]))

# Opcode -> the runtime symbol giving the size of its per-site data (the cached ops, and CALL's callee cache).
SITE_DATA: dict[int, str] = {**{op: size for op, (_, size) in CACHED_OPS.items()}, OP["CALL"]: "call_cache_size"}


def site_offsets(fn: Function, runtime: Runtime) -> dict[int, int]:
    """Instruction index -> offset of its cache in the per-code data block, for every site with data (computed
    once per IR: every block compiled later needs it)."""
    known = fn.derived.get("bjit_site_offsets")
    if known is not None:
        return known  # type: ignore[return-value]
    offsets: dict[int, int] = {}
    size = 0
    records = fn.records
    symbols = runtime.symbols
    for i in range(fn.n_instructions):
        cached = SITE_DATA.get(records[i * 8])
        if cached is not None:
            offsets[i] = size
            size += symbols[cached]
    fn.derived["bjit_site_offsets"] = offsets
    return offsets


class _SiteAddresses:
    """Instruction index -> address of its site's cache (data block + offset), looked up as needed."""

    __slots__ = ("data", "offsets")

    def __init__(self, data: int, offsets: dict[int, int]) -> None:
        self.data = data
        self.offsets = offsets

    def __getitem__(self, i: int) -> int:
        return self.data + self.offsets[i]


def data_size(fn: Function, runtime: Runtime) -> int:
    """Bytes of per-site cache data the machine code for `fn` needs (csrc: accel_code_state.jit_data)."""
    return sum(runtime.symbols[SITE_DATA[fn.records[i * 8]]] for i in site_offsets(fn, runtime))


def _run(gen: _Generator, step: Callable[[], CodegenResult]) -> CodegenResult:
    """step(), and whatever happens the generator's pending stubs are dropped: they are closures over the
    generator, so a failed compile would otherwise leave a reference cycle (fn, labels, stubs) for the cycle
    collector -- garbage that programs counting gc.collect() results (CPython's test_gc) would see."""
    try:
        return step()
    finally:
        gen.stubs.clear()


# Tier-1 code from templates (templates.py) when possible: [on] (ACCEL_BJIT_TEMPLATES; accel.install sets it)
use_templates = [True]


def _templated(gen: _Generator, step: Callable[[_Generator], CodegenResult],
               make: Callable[[], _Generator]) -> CodegenResult:
    """step(gen) from templates when they apply, else on a fresh generator that makes the code directly."""
    if use_templates[0] and near_calls[0] and not gen.lay["counting"]:
        gen.templated = True
        cache = templates.CACHE
        made, seconds = cache.made, cache.seconds
        try:
            result = _run(gen, lambda: step(gen))
            STATS.bjit_pieces_templated += 1
            return result
        except templates.NotTemplated as exc:
            STATS.bjit_pieces_fallback += 1
            STATS.bjit_template_failures[str(exc)] += 1
        finally:
            STATS.bjit_templates_made += cache.made - made
            STATS.bjit_template_seconds += cache.seconds - seconds
        gen = make()
    else:
        STATS.bjit_pieces_direct += 1
    return _run(gen, lambda: step(gen))


def generate(fn: Function, code: CodeType, runtime: Runtime | None = None, data: int = 0) -> CodegenResult:
    """Machine code for `code` (whose IR is `fn`), position independent except for absolute addresses; `data` is
    the address of its per-site cache block (data_size bytes, zeroed)."""
    rt = runtime or Runtime.load()
    return _templated(_Generator(fn, code, rt, data), _Generator.generate, lambda: _Generator(fn, code, rt, data))


def compiles_lazily(fn: Function, code: CodeType) -> bool:
    """Whether to compile a block at a time: not generators (their resume points would each need an entry).  A
    function of one block is all head, which is placed by C (csrc/bjit_lazy_place.c) as a head is."""
    return not code.co_flags & GENERATOR_FLAGS


def generate_head(fn: Function, code: CodeType, runtime: Runtime, data: int) -> CodegenResult:
    """A block at a time: prologue, entry block and exits.  The other blocks are stubs until first reached."""
    def make() -> _Generator:
        return _Generator(fn, code, runtime, data, LazyLinks([0] * len(fn.blocks), 0, 0))

    return _templated(make(), _Generator.generate_head, make)


def generate_block(fn: Function, code: CodeType, runtime: Runtime, data: int, b: int,
                   links: LazyLinks) -> CodegenResult:
    """Block `b` on its own, linked to the code placed before it (`linked(address)` resolves the branches)."""

    def make() -> _Generator:
        return _Generator(fn, code, runtime, data, links)

    return _templated(make(), lambda gen: gen.generate_block(b), make)
