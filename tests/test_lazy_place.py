"""Blocks placed by csrc/bjit_lazy_place.c without Python: the same machine code as the Python compiler places."""

from __future__ import annotations

import textwrap
import types

import accel
from accel.bjit import codegen, lazy_place
from accel.bjit.codegen import LazyLinks, Runtime, compiles_lazily, generate_block
from accel.bjit.compiler import compile_tier1
from accel.ir import build
from accel.runtime import core
from tests.conftest import module_codes


def _functions(modules: list[str]) -> list[types.CodeType]:
    return [code for code in module_codes(modules)
            if code.co_flags & 0x1 and not code.co_flags & codegen.GENERATOR_FLAGS]


def test_c_places_every_head_and_block_as_the_python_compiler_does() -> None:
    """For the head and every block of the functions of a few stdlib modules (compiled a block at a time, never
    run): the bytes C would place, linked at one address, equal the Python compiler's linked there, and so do the
    jumps left aimed at stubs of blocks without code.  The Python compiler goes first: it makes the templates."""
    rt = Runtime.load()
    c = core()
    compared = skipped = heads = 0
    for code in _functions(["json.decoder", "json.encoder", "textwrap", "string", "fractions", "heapq", "bisect",
                            "argparse"]):
        fn = build(code)
        if not compiles_lazily(fn, code):
            continue
        head = compile_tier1(code, fn, lazy=True)
        assert lazy_place.applies(rt, code)
        dry = c.lazy_place_dry(code, -1)
        if dry is not None:
            address, placed, externals, patches = dry
            assert address == head.address
            assert placed == c.place_link(head.result.code, address, head.result.externals), code.co_qualname
            assert sorted(patches) == sorted(head.result.patch_sites)
            heads += 1
        data = c.code_info(code)["jit_data"]
        for block in fn.blocks[1:]:
            if block.unreachable or block.depth < 0:
                continue
            info = c.lazy_info(code)
            result = generate_block(fn, code, rt, data, block.id, LazyLinks(info["blocks"], info["exit"],
                                                                              info["error"]))
            dry = c.lazy_place_dry(code, block.id)
            if dry is None:  # (a piece the templates cannot place: generated directly, both ways)
                skipped += 1
                continue
            address, placed, externals, patches = dry
            assert placed == c.place_link(result.code, address, result.externals), (code.co_qualname, block.id)
            assert sorted(patches) == sorted(result.patch_sites)
            assert sorted(externals) == sorted(result.externals)
            compared += 1
    assert compared > 1000 and skipped < compared / 50, (compared, skipped)
    assert heads > 150, heads


def test_blocks_reached_later_are_placed_without_the_python_compiler(installed, monkeypatch) -> None:
    """Once the templates exist, a block first reached while the program runs is placed by C: the Python
    compiler is not called, the stats count it as a compiled block, and the program's results are right.  A
    block C cannot place (here: the templates dict emptied, and no template file to read them from) still goes to
    the Python compiler."""
    from accel.bjit import compiler as bjit_compiler
    from accel.bjit import templates

    accel.install(bjit_threshold=1000)
    source = textwrap.dedent("""
        class Point:
            def __init__(self, x, y):
                self.x = x
                self.y = y

        def classify(points, limit):
            out = []
            for p in points:
                if p.x < 0:
                    out.append(("left", p.y))
                elif p.x > limit:
                    out.append(("right", p.x - limit))
                else:
                    out.append(p.x * p.y)
            return out
    """)

    def fresh() -> types.FunctionType:
        namespace: dict = {"__name__": "tests.lazy_place_generated"}
        exec(source, namespace)
        return namespace["classify"], namespace["Point"]

    warm, point = fresh()
    points = [point(-1, 2), point(5, 3), point(2, 3)]
    assert accel.compile(warm) == 1
    assert warm(points, 4) == [("left", 2), ("right", 1), 6]  # (the Python compiler makes the templates)
    calls = []
    original = bjit_compiler.compile_block
    monkeypatch.setattr(bjit_compiler, "compile_block", lambda code, b: calls.append(b) or original(code, b))
    fn, point = fresh()
    points = [point(-1, 2), point(5, 3), point(2, 3)]
    before = accel.stats()
    assert accel.compile(fn) == 1
    assert fn(points, 4) == [("left", 2), ("right", 1), 6]
    after = accel.stats()
    placed = after["bjit_blocks_placed_in_c"] - before["bjit_blocks_placed_in_c"]
    assert placed >= 4 and calls == []
    assert after["bjit_heads_placed_in_c"] - before["bjit_heads_placed_in_c"] == 1
    assert after["bjit_blocks_compiled"] - before["bjit_blocks_compiled"] == placed
    assert sum(1 for a in core().lazy_info(fn.__code__)["blocks"] if a > 0) == placed + 1  # (+ the head's block)
    assert fn(points * 3, 1) == [("left", 2), ("right", 4), ("right", 1)] * 3

    # a block C declines goes to the Python compiler, which places it
    fn, point = fresh()
    assert accel.compile(fn) == 1
    saved = dict(templates.CACHE.templates)
    templates.CACHE.templates.clear()
    core().template_file_setup(None)  # (C would read the templates again from the file)
    try:
        assert fn([point(-1, 2)], 4) == [("left", 2)]
    finally:
        templates.CACHE.templates.update(saved)
        if templates.CACHE.file is not None:
            templates.CACHE.load()
    assert calls and accel.stats()["bjit_blocks_to_python"].get("template_missing", 0) > 0


def test_c_builds_the_plan_the_ir_builder_gives() -> None:
    """csrc/bjit_plan.c's plan of every function (generators too) of a dozen stdlib modules is the IR's: the
    records' first six fields, the blocks, the site offsets, the data size and the OSR entries; and its stack
    windows are accel/ir/opcodes.py's for every opcode and many opargs.  Where the IR builder refuses bytecode,
    C declines (None)."""
    import array
    import struct

    from accel.bjit.codegen import data_size, site_offsets
    from accel.bjit.compiler import osr_entries
    from accel.ir import IRBuildError, opcodes

    rt = Runtime.load()
    lazy_place.setup(rt)
    c = core()
    for op in range(256):
        for arg in (0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 255, 256, 257, 0x1234):
            try:
                expected = opcodes.stack_effect(op, arg) if opcodes.KNOWN[op] else None
            except KeyError:
                expected = None
            assert c.plan_window(op, arg) == expected, (opcodes.OPNAME[op], arg)
    compared = 0
    modules = ["json.decoder", "json.encoder", "textwrap", "argparse", "ast", "tokenize", "fractions", "string",
               "asyncio.tasks", "email.message", "difflib", "inspect", "typing", "dataclasses", "re._compiler"]
    for code in module_codes(modules):
        try:
            fn = build(code)
        except IRBuildError:
            assert c.plan_dry(code) is None
            continue
        plan = c.plan_dry(code)
        assert plan is not None, code.co_qualname
        records, first, start, sites, info, osr, size = (
            array.array("i", part) if isinstance(part, bytes) else part for part in plan)
        n = fn.n_instructions
        assert len(records) == 8 * n
        for i in range(n):
            assert records[8 * i:8 * i + 6] == fn.records[8 * i:8 * i + 6], (code.co_qualname, i)
        assert list(first) == [b.first for b in fn.blocks]
        assert list(start) == [b.start for b in fn.blocks]
        expected_info = []
        for b in fn.blocks:
            succs = tuple(b.succs) + (-1, -1)
            expected_info += [b.end, b.depth, len(b.succs), succs[0], succs[1]]
        assert list(info) == expected_info, code.co_qualname
        offsets = site_offsets(fn, rt)
        assert list(sites) == [offsets.get(i, -1) for i in range(n)]
        assert size == data_size(fn, rt)
        osr_fields = [v & 0xFFFF_FFFF for v in osr]  # (the bound's halves are unsigned)
        assert [tuple(osr_fields[k:k + 8]) for k in range(0, len(osr), 8)] == osr_entries(fn, code)
        compared += 1
    assert compared > 1000, compared
    assert struct.calcsize("i") == 4


def test_functions_are_compiled_without_building_their_ir(installed, monkeypatch) -> None:
    """With the templates made, a function reaches tier 1 without the IR builder: C builds its plan, places its
    head and then its blocks; the results are right."""
    from accel.runtime import compiler as driver

    accel.install(bjit_threshold=1000)
    source = textwrap.dedent("""
        def histogram(words):
            counts = {}
            for w in words:
                if len(w) > 3:
                    counts[w] = counts.get(w, 0) + 1
                else:
                    counts["short"] = counts.get("short", 0) + 1
            return sorted(counts.items())
    """)

    def fresh() -> types.FunctionType:
        namespace: dict = {"__name__": "tests.lazy_place_generated"}
        exec(source, namespace)
        return namespace["histogram"]

    words = "a tree is a tree and a house".split()
    expected = [("house", 1), ("short", 5), ("tree", 2)]
    warm = fresh()
    assert accel.compile(warm) == 1 and warm(words) == expected  # (the templates are made)
    built = []
    original = driver.build_ir
    monkeypatch.setattr(driver, "build_ir", lambda code: built.append(code) or original(code))
    before = accel.stats()
    fn = fresh()
    assert accel.compile(fn) == 1 and accel.tier(fn) == 1
    assert fn(words) == expected and fn(words * 2)[1] == ("short", 10)
    after = accel.stats()
    assert built == []
    assert after["bjit_plans_built_in_c"] - before["bjit_plans_built_in_c"] == 1
    assert after["bjit_blocks_placed_in_c"] - before["bjit_blocks_placed_in_c"] >= 3
