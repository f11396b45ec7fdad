"""accel.dis for compiled functions: bytecode offset, IR and machine code side by side.

For each piece of machine code the code generator runs again to learn where each IR instruction's code starts
(generation is deterministic for a given code object and process); the bytes shown are read from the code arena,
so they are what runs, jumps patched since included, and they are disassembled at their real addresses.  A
function compiled a block at a time shows the blocks that have machine code so far.
"""

from __future__ import annotations

import ctypes
from types import CodeType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py
from accel.ir import Function, build

from .codegen import CodegenResult, LazyLinks, Runtime, generate, generate_block, generate_head, site_offsets
from .disasm import Insn, decode


def _pieces(fn: Function, code: CodeType, rt: Runtime, address: int, size: int, data: int,
            lazy: dict | None) -> list[tuple[int, int, CodegenResult]]:
    """(address, size, generated) of each piece of machine code: the whole function, or a head and its blocks."""
    if lazy is None:
        return [(address, size, generate(fn, code, rt, data))]
    pieces = [(address, size, generate_head(fn, code, rt, data))]
    chunk_sizes = dict(lazy["chunks"])
    links = LazyLinks([0] * len(fn.blocks), lazy["exit"], lazy["error"])
    for b, block_address in enumerate(lazy["blocks"]):
        if b > 0 and block_address > 0 and block_address in chunk_sizes:
            pieces.append((block_address, chunk_sizes[block_address], generate_block(fn, code, rt, data, b, links)))
    return pieces


_ATTR_OPS = {"LOAD_ATTR", "LOAD_METHOD", "STORE_ATTR"}


def site_state(entries: list[dict], ic: dict | None) -> str:
    """monomorphic / polymorphic / megamorphic, as the tiers above read an attribute site's feedback."""
    if ic is not None and ic["state"] == "megamorphic":
        return "megamorphic"
    cases = {(e["kind"], e["type_version"]) for e in entries}
    cases.update((s["kind"], s["type_version"]) for s in (ic["slots"] if ic is not None else ()))
    if len(cases) > 1:
        return "polymorphic"
    return "monomorphic" if cases else "not run"


def site_feedback(fn: Function, code: CodeType, data: int) -> dict[int, dict]:
    """IR instruction index -> what its attribute site has seen, for the tiers above (and accel.dis): the
    instruction, the name, the state, the helper's entries (the first is the one checked inline), and the
    executable region's slots with their hits (csrc/inline_cache.c)."""
    import dis as _dis

    from accel.runtime import core

    c = core()
    regions = {ic["unit"]: ic for ic in c.ic_describe(code)}
    out: dict[int, dict] = {}
    for i, offset in site_offsets(fn, Runtime.load()).items():
        op = _dis.opname[fn.records[i * 8]]
        if op not in _ATTR_OPS:
            continue
        site = c.attr_site(data + offset)
        ic = regions.get(fn.records[i * 8 + 2])
        arg = fn.records[i * 8 + 1]
        out[i] = {"op": op, "offset": 2 * fn.records[i * 8 + 2], "name": code.co_names[arg],
                  "state": site_state(site["entries"], ic), "hits": site["hits"], "misses": site["misses"],
                  "entries": site["entries"], "region": ic}
    return out


def _attr_sites(fn: Function, code: CodeType, data: int) -> dict[int, list[str]]:
    """IR instruction index -> lines describing its attribute site (site_feedback) and the region's code."""
    out: dict[int, list[str]] = {}
    for i, site in site_feedback(fn, code, data).items():
        ic = site["region"]
        entries = ", ".join(f"{e['kind']} (type version {e['type_version']})" for e in site["entries"]) or "none"
        lines = [f"          ; inline cache: {site['state']}; {site['hits']} hits, {site['misses']} misses;"
                 f" entries: {entries}"]
        if ic is not None:
            lines.append(f"          ; region {ic['region']:#x}: {len(ic['slots'])} slots in {ic['bytes']} bytes,"
                         f" {ic['rewrites']} rewrites")
            for slot in ic["slots"]:
                lines.append(f"          ;   slot +{slot['offset']}: {slot['kind']} of {slot['type']} (type version"
                             f" {slot['type_version']}), {slot['hits']} hits, {slot['size']} bytes")
            if ic["bytes"]:
                region = ic["region"]
                lines.extend(f"          ;   {a:#x}  {raw.hex():<24} {asm}"
                             for a, raw, asm in decode(ctypes.string_at(region, ic["bytes"]), region))
        out[i] = lines
    return out


def listing(code: CodeType, address: int | None, data: int = 0, size: int = 0, lazy: dict | None = None) -> str:
    """The IR of `code` with each instruction's machine code under it; `address`/`size` are where the code lives
    (None: not compiled, IR only); `lazy` is core.lazy_info(code) for a function compiled a block at a time."""
    fn = build(code)
    text = fn.dump()
    if address is None:
        return text
    span: dict[int, tuple[int, int]] = {}
    decoded: list[Insn] = []
    out_of_line: list[Insn] = []
    for base, length, result in _pieces(fn, code, Runtime.load(), address, size, data, lazy):
        real = ctypes.string_at(base, length)
        lines = decode(real, base)
        decoded.extend(lines)
        # each IR instruction's machine code runs from its offset to the next one's; stubs follow the blocks
        bounds = [offset for offset, _ in result.offsets] + [result.blocks_end]
        for k, (_, index) in enumerate(result.offsets):
            span[index] = (base + bounds[k], base + bounds[k + 1])
        out_of_line.extend(line for line in lines if line[0] >= base + result.blocks_end)
    if lazy is None:
        header = f"; tier 1: {size} bytes at {address:#x}, {len(fn.blocks)} blocks"
    else:
        done = sum(1 for a in lazy["blocks"] if a > 0)
        header = (f"; tier 1: {size} bytes at {address:#x} (head), a block at a time: {done} of"
                  f" {len(fn.blocks)} blocks compiled so far, {lazy['chunk_bytes']} more bytes")
    out = [header]
    sites = _attr_sites(fn, code, data) if data else {}
    index = 0
    for line in text.splitlines():
        out.append(line)
        if line.startswith(("function ", "locals:", "bb")):
            continue
        lo, hi = span.get(index, (0, 0))  # (no code: an exception handler, unreachable, or not reached yet)
        out.extend(f"          {a:#x}  {raw.hex():<24} {asm}" for a, raw, asm in decoded if lo <= a < hi)
        out.extend(sites.get(index, ()))
        index += 1
    out.append("; out of line: exits, hand-backs, deallocations, stubs of blocks not compiled yet")
    out.extend(f"          {a:#x}  {raw.hex():<24} {asm}" for a, raw, asm in out_of_line)
    return "\n".join(out) + "\n"
