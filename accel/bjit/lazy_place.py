"""The Python side of compiling in C (csrc/bjit_plan.c, csrc/bjit_lazy_place.c explain why).

A function compiled a block at a time has its plan (instruction records, block facts) built from its bytecode and
its head and blocks placed from templates by C, without calling back into Python, once this module has given C
  * once per process (`setup`): the templates dict, the runtime table, the snippets a piece may start or end with
    (the head's prologue and exits, the hand-back and declined tails, a block's stub), the attribute sites' tables
    (which kinds to check inline and which first entry to start from, by the quickened opcode:
    `feedback.attr_kinds_of` and `feedback.prefilled_kind` made into arrays) and the IR's opcode tables;
  * once per function, only when Python built the IR and placed the head itself (C declined the plan or the head:
    `give_plan`): the IR's instruction records and per-block facts, so that C still places the blocks reached
    later.
C hands a head or block back to Python (codegen.generate_head / generate_block) whenever it cannot place it; and
when a setting that C does not model is on -- templates off, instruction counting, the perf map, type feedback
off, calls through registers -- nothing is given and Python places everything, as before.
"""

from __future__ import annotations

import dis
import struct
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import Function, opcodes
from accel.ir.function import int_array
from accel.runtime import compiler as runtime_compiler

from . import perfmap, templates
from .codegen import (
    GENERATOR_FLAGS,
    SITE_DATA,
    Runtime,
    _Generator,
    make_snippet,
    near_calls,
    site_offsets,
    use_templates,
)
from .fastpaths import ATTR_KIND_NAMES
from .feedback import attr_kinds_of, prefilled_kind
from .registers import function_shape, localsplus_disp
from .x86 import Assembler

# csrc/bjit_lazy_place.c: SNIPPET_HANDBACK, SNIPPET_DECLINED, SNIPPET_COMPILE_BLOCK (codegen.make_snippet's)
SNIPPETS = ("handback_exit", "declined_exit", "compile_block")

_configured: object = None  # the CACHE.templates dict C was given (None: C is off)


def applies(rt: Runtime, code: CodeType) -> bool:
    """Whether C may place this function's blocks: the settings it models, and templates placing them."""
    return bool(use_templates[0] and near_calls[0] and not rt.layout["counting"] and not perfmap.enabled
                and runtime_compiler.type_feedback and not code.co_flags & GENERATOR_FLAGS)


def setup(rt: Runtime) -> None:
    """Give C what it needs once per process (again if the templates dict changed)."""
    global _configured
    cache = templates.CACHE
    if _configured is cache.templates:
        return
    _plan_setup(rt)
    cache.markers(rt)
    runtime = cache.runtime_values(rt.core)  # (also tells C the opcode flags: place_setup)
    lay = rt.layout
    masks = bytearray()
    prefills = bytearray()
    for store in (False, True):
        for quickened in range(256):
            name = dis._all_opname[quickened]  # type: ignore[attr-defined]  # specialised names included
            kinds = attr_kinds_of(name)
            masks += struct.pack("<I", sum(1 << lay[ATTR_KIND_NAMES[k, store]] for k in kinds))
            first = prefilled_kind(name)
            prefills += struct.pack("<H", lay[ATTR_KIND_NAMES[first, store]] if first else 0)
    head = Assembler()
    _Generator.head_prologue(head, lay)
    exits = Assembler()
    error, exit = exits.label("error"), exits.label("exit")
    _Generator.exits(exits, lay, error, exit)
    glue = rt.symbols["compile_block_glue"]
    snippets = (*(make_snippet(name, lay, glue) for name in SNIPPETS), (head.finish(), (), ()),
                (exits.finish(), (), ()))
    rt.core.lazy_place_setup((cache.templates, runtime, snippets, exit.position, bytes(masks), 1 << lay["kind_method"],
                              bytes(prefills)))
    _configured = cache.templates


def _plan_setup(rt: Runtime) -> None:
    """csrc/bjit_plan.c's tables: accel/ir/opcodes.py's, and the per-site data sizes (codegen.SITE_DATA)."""
    windows = []
    for table in (opcodes.FIXED, opcodes.JUMP_FIXED):
        pops, pushes = bytearray(), bytearray()
        for window in table:
            pops += struct.pack("<h", -1 if window is None else window[0])
            pushes += struct.pack("<h", -1 if window is None else window[1])
        windows += [bytes(pops), bytes(pushes)]
    site_sizes = bytearray()
    for op in range(256):
        size = rt.symbols[SITE_DATA[op]] if op in SITE_DATA else 0
        assert size > 0 or op not in SITE_DATA
        site_sizes += struct.pack("<i", size)
    rt.core.plan_setup((bytes(opcodes.KNOWN), bytes(opcodes.SIZE), bytes(opcodes.FLOW), bytes(opcodes.JREL),
                        bytes(opcodes.BACKWARD), *windows, bytes(site_sizes)))


def turn_off(core: object) -> None:
    """C places no more blocks (machine code must call helpers through registers from now on)."""
    global _configured
    core.lazy_place_setup(None)  # type: ignore[attr-defined]
    _configured = None


def give_plan(fn: Function, code: CodeType, rt: Runtime, data: int) -> None:
    """Hand C the facts about `code` it needs to place its blocks (after its head is placed)."""
    setup(rt)
    offsets = [-1] * fn.n_instructions
    for i, offset in site_offsets(fn, rt).items():
        offsets[i] = offset
    info: list[int] = []
    for block in fn.blocks:
        succs = tuple(block.succs) + (-1, -1)
        info += (block.end, block.depth, len(block.succs), succs[0], succs[1])
    lay = rt.layout
    units = rt.address(code) + lay["code_units_offset"]
    rt.core.lazy_plan(code, (
        fn.records, int_array([block.first for block in fn.blocks]), int_array([block.start for block in fn.blocks]),
        int_array(offsets), int_array(info), fn.nlocalsplus, localsplus_disp(lay), units, fn.code_units, data,
        function_shape(lay, fn.nlocalsplus, fn.stacksize, fn.code_units, units)))
