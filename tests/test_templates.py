"""Tier-1 templates (accel/bjit/templates.py): made once per key, placed by copying and filling holes."""

from __future__ import annotations

import types

import pytest

from accel.bjit import codegen, templates
from accel.bjit.codegen import Runtime, data_size, generate
from accel.ir import build
from accel.runtime import core
from accel.stats import STATS
from tests.conftest import module_codes


def _codes(modules: list[str], generators: bool = False) -> list[types.CodeType]:
    """The functions of `modules` (or their generator and coroutine functions)."""
    return [code for code in module_codes(modules)
            if code.co_flags & 0x1 and bool(code.co_flags & codegen.GENERATOR_FLAGS) == generators]


@pytest.fixture
def fresh_cache():
    saved = templates.CACHE
    templates.CACHE = templates.TemplateCache()
    try:
        yield templates.CACHE
    finally:
        templates.CACHE = saved
        saved.runtime_array = None  # (C is told the opcode flags again: a test may have changed them)


def _generate_all(codes: list[types.CodeType]) -> tuple[int, int]:
    rt = Runtime.load()
    c = core()
    instructions = size = 0
    for code in codes:
        fn = build(code)
        result = generate(fn, code, rt, c.alloc_jit_data(code, data_size(fn, rt)))
        instructions += result.instructions
        size += len(result.code)
    return instructions, size


def test_templates_agree_under_two_marker_sets(fresh_cache: templates.TemplateCache) -> None:
    """Every template of a few stdlib modules comes out the same with both marker sets: the generator decided
    nothing on a value the key leaves to a hole; csrc/bjit_place.c's key of every instruction is the Python
    reference's (templates.instruction_key; checked at each miss); every function was placed from templates."""
    fresh_cache.check = True
    placed, fallbacks = STATS.bjit_pieces_templated, STATS.bjit_pieces_fallback
    codes = _codes(["json.decoder", "json.encoder", "textwrap", "string", "fractions", "heapq", "bisect"])
    instructions, _ = _generate_all(codes)
    assert not fresh_cache.failures, fresh_cache.failures
    assert STATS.bjit_pieces_templated - placed == len(codes)
    assert STATS.bjit_pieces_fallback == fallbacks
    # reuse is the point: far fewer templates than instructions
    assert len(fresh_cache.templates) < instructions / 4


def test_runtime_addresses_are_rip_relative_and_short_branches_stay_in_their_part(
        fresh_cache: templates.TemplateCache) -> None:
    """Templates load the runtime's entries (types, None, the eval breaker...) with a 7-byte RIP-relative lea (a
    RUNTIME_REL hole after 8D /r), never a 10-byte movabs (a RUNTIME hole); their rel8 branches land in the part,
    hot or cold, they are in."""
    from accel.bjit.disasm import available_backends, decode

    _generate_all(_codes(["textwrap", "json.decoder"]))
    made = []  # (hot, cold, holes) of each template, from its packed form
    for packed in fresh_cache.templates.values():
        if packed is None:
            continue
        hot_size, cold_size, n_holes = templates.TEMPLATE_HEAD.unpack_from(packed)[:3]
        code = packed[templates.TEMPLATE_HEAD.size:templates.TEMPLATE_HEAD.size + hot_size + cold_size]
        holes = list(templates.HOLE.iter_unpack(packed[templates.TEMPLATE_HEAD.size + len(code):]))
        assert len(holes) == n_holes
        made.append((code[:hot_size], code[hot_size:], holes))
    assert made
    kinds = [hole[1] for _, _, holes in made for hole in holes]
    assert templates.RUNTIME not in kinds
    leas = [hole for hot, cold, holes in made for hole in holes
            if hole[1] == templates.RUNTIME_REL and (hot + cold)[hole[0] - 2] == 0x8D]
    assert len(leas) > 20
    if "objdump" not in available_backends():
        return
    short = 0
    for hot, cold, _ in [t for t in made if t[0] or t[1]][:150]:
        for address, raw, text in decode(hot + cold, 0, "objdump"):
            if len(raw) == 2 and text.startswith("j"):
                short += 1
                target = int(text.split()[-1], 16)
                assert target <= len(hot) if address < len(hot) else target >= len(hot), text
    assert short > 50


def test_generators_and_coroutines_are_placed_from_templates(fresh_cache: templates.TemplateCache) -> None:
    """Generator and coroutine functions (compiled whole: their resume points start blocks, which get the entries
    the resume dispatch jumps to) are placed from templates too, with the same checks."""
    fresh_cache.check = True
    placed, fallbacks = STATS.bjit_pieces_templated, STATS.bjit_pieces_fallback
    codes = _codes(["json.encoder", "heapq", "argparse", "ast", "tokenize", "asyncio.tasks", "asyncio.streams"],
                   generators=True)
    assert len(codes) > 40
    _generate_all(codes)
    assert not fresh_cache.failures, fresh_cache.failures
    assert STATS.bjit_pieces_templated - placed == len(codes)
    assert STATS.bjit_pieces_fallback == fallbacks


def test_templated_code_size_is_close_to_direct() -> None:
    """Code placed from templates is within 10% of the directly generated code's size (holes are always full
    width).  That it computes the same is the differential corpus's job (tests/diff)."""
    codes = _codes(["textwrap"])
    codegen.use_templates[0] = True
    templated_instructions, templated_size = _generate_all(codes)
    codegen.use_templates[0] = False
    try:
        direct_instructions, direct_size = _generate_all(codes)
    finally:
        codegen.use_templates[0] = True
    assert templated_instructions == direct_instructions
    assert templated_size < direct_size * 1.10


def test_prev_instr_in_32_bits_only_where_the_upper_half_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """SHAPE_UNITS32 (prev_instr's lower half stored alone) needs every address from the unit before the code to its
    end in one 4 GB span; a function without it stores the full address and its code is 7 bytes longer a store."""
    from accel.bjit import registers

    assert registers.units_share_upper_half(0x7F00_0000_0010, 100)
    assert not registers.units_share_upper_half(0x7F01_0000_0000, 100)  # (a new frame's unit before: 0x7F00_FFFF_FFFE)
    assert not registers.units_share_upper_half(0x7F00_FFFF_FF00, 0x100)
    codes = _codes(["textwrap"])
    codegen.use_templates[0] = False
    try:
        _, size32 = _generate_all(codes)
        real_shape = codegen.function_shape
        monkeypatch.setattr(codegen, "function_shape",
                            lambda *args: real_shape(*args) & ~registers.SHAPE_UNITS32)
        _, size64 = _generate_all(codes)
    finally:
        codegen.use_templates[0] = True
    assert size64 > size32 * 1.01


def test_a_read_outside_the_key_refuses_the_template(monkeypatch: pytest.MonkeyPatch,
                                                     fresh_cache: templates.TemplateCache) -> None:
    """The synthetic function holds only what the key holds: were FOR_ITER not known to read the instruction
    after it (the STORE_FAST of its range fast path), making its template raises instead of guessing."""
    monkeypatch.setattr(templates, "READS_NEXT", templates.READS_NEXT - {templates.OP["FOR_ITER"]})

    def loop(n):  # noqa: ANN001, ANN202
        total = 0
        for i in range(n):
            total += i
        return total

    fallbacks = STATS.bjit_pieces_fallback
    _generate_all([loop.__code__])
    assert STATS.bjit_pieces_fallback == fallbacks + 1
    assert any(reason.startswith("FOR_ITER") for reason in fresh_cache.failures), fresh_cache.failures


def test_markers_decode() -> None:
    for variant in (0, 1):
        m = templates.Markers(variant, 72)
        assert m.decode64(m.runtime(5)) == (templates.RUNTIME, 5, 0)
        stack = m.nlp + m.depth
        assert m.decode32(72 + 8 * (stack - 3)) == (templates.SLOT, -3)
        assert m.decode32(stack + 2) == (templates.STACKTOP, 2)
        assert m.decode32(m.depth - 1) == (templates.DEPTH, -1)
        assert m.decode32(72 + 8 * m.arg(-2)) == (templates.LOCAL, -2)
        assert m.decode32(m.arg(1, 1)) == (templates.ARG, 1)
        assert m.decode32(m.unit(3)) == (templates.UNIT, 3)
        assert m.decode32(0x1234) is None
        assert m.decode64(m.units + 2 * m.unit(-1)) == (templates.UNIT_ADDR, -1, 0)
        assert m.decode64(m.address(templates.CONST, 0)) == (templates.CONST, 0, 0)
        value = m.packed_handback(m.unit(1), m.depth - 2, 0x0105)
        kind, role, extra = m.decode64(value)
        assert (kind, role, extra >> 16, extra & 0xFFFF) == (templates.HANDBACK, 1, -2, 0x0105)


_PROGRAM = """
def work(n):
    total = 0
    for i in range(n):
        if i % 3:
            total += i * 2
        else:
            total -= len(str(i))
    return total
print(work(2000))
"""


def _run(cache_dir: str, tmp_path, **extra: str) -> tuple[str, str, dict]:  # noqa: ANN001
    import json

    from tests.conftest import clean_env, run_python

    stats = tmp_path / "stats.json"
    env = clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="0", ACCEL_CACHE_DIR=cache_dir, ACCEL_STATS_FILE=str(stats),
                    **extra)
    proc = run_python(["-c", _PROGRAM], env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr, json.loads(stats.read_text())


def _plain_output() -> str:
    from tests.conftest import run_python

    return run_python(["-c", _PROGRAM]).stdout


def test_templates_are_kept_for_the_next_process(tmp_path) -> None:  # noqa: ANN001
    cache = tmp_path / "cache"
    out1, err1, first = _run(str(cache), tmp_path)
    out2, err2, second = _run(str(cache), tmp_path)
    assert out1 == out2 == _plain_output() and not err1 and not err2
    assert first["bjit_templates_made"] > 20 and first["bjit_templates_loaded"] == 0
    # (nothing is compiled at exit, after the file was written: accel's own stats writer runs in the interpreter)
    assert second["bjit_templates_made"] < first["bjit_templates_made"] / 10
    assert second["bjit_templates_loaded"] >= first["bjit_templates_made"] * 0.7
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].stat().st_mode & 0o077 == 0 and cache.stat().st_mode & 0o077 == 0


def _index(path) -> list[tuple[bytes, int, int, int, int]]:  # noqa: ANN001
    """The template file's index: (key, flags, offset, length, checksum) per entry."""
    data = path.read_bytes()
    magic, count, _ = templates.FILE_HEADER.unpack_from(data)
    assert magic == templates.FILE_MAGIC
    start = templates.FILE_HEADER.size
    return list(templates.INDEX_ENTRY.iter_unpack(data[start:start + count * templates.INDEX_ENTRY.size]))


@pytest.mark.parametrize("damage", ["truncated", "index_flipped", "count_flipped", "old_version", "garbage",
                                    "writable_by_others", "a_folder", "a_symlink"])
def test_a_damaged_template_file_is_a_miss_with_one_warning(tmp_path, damage: str) -> None:  # noqa: ANN001
    """A file whose header or index is damaged, that is not of this format's version, that another user could
    have written or that is not a regular file is not used at all: every template made afresh, one warning that
    says why; the file is then replaced by a good one (when it can be)."""
    import os

    cache = tmp_path / "cache"
    _run(str(cache), tmp_path)
    (path,) = cache.iterdir()
    data = bytearray(path.read_bytes())
    header, index_size = templates.FILE_HEADER.size, len(_index(path)) * templates.INDEX_ENTRY.size
    why = {"truncated": "truncated", "index_flipped": "checksum mismatch", "count_flipped": "truncated",
           "old_version": "not a template file of this version", "garbage": "not a template file of this version",
           "writable_by_others": "writable by others", "a_folder": "not a regular file", "a_symlink": "symbolic links"}
    if damage == "truncated":  # (the data cut: the index names entries beyond the end)
        path.write_bytes(data[:header + index_size + (len(data) - header - index_size) // 2])
    elif damage == "index_flipped":
        data[header + index_size // 2] ^= 0x40
        path.write_bytes(data)
    elif damage == "count_flipped":  # (the entry count's high byte: an index larger than the file)
        data[len(templates.FILE_MAGIC) + 3 + 3] ^= 0x40
        path.write_bytes(data)
    elif damage == "old_version":
        data[len(templates.FILE_MAGIC) - 1] = 1
        path.write_bytes(data)
    elif damage == "garbage":
        path.write_bytes(os.urandom(4000))
    elif damage == "writable_by_others":
        path.chmod(0o666)
    elif damage == "a_folder":
        path.unlink()
        path.mkdir()
    else:  # (O_NOFOLLOW: a link planted in the cache folder is not followed, even to a good file)
        good = tmp_path / "elsewhere.bin"
        path.rename(good)
        path.symlink_to(good)
    out, err, stats = _run(str(cache), tmp_path)
    assert out == _plain_output()
    assert stats["bjit_templates_loaded"] == 0 and stats["bjit_templates_made"] > 20
    assert err.count("accel: warning:") == 1 and why[damage] in err, err
    assert "Traceback" not in err
    if damage not in ("a_folder", "a_symlink"):  # replaced by a good one
        assert _run(str(cache), tmp_path)[2]["bjit_templates_loaded"] > 20


_REPORT = """
import json, os
from accel.bjit import templates
with open(os.environ["REPORT"], "w") as report:
    json.dump({"templates": {k.hex(): v and v.hex() for k, v in list(templates.CACHE.templates.items())},
               "loaded": templates.CACHE.loaded, "made": templates.CACHE.made}, report)
"""


def _run_reporting(cache_dir: str, tmp_path) -> tuple[str, str, dict]:  # noqa: ANN001
    """_PROGRAM run as _run does, and what its TemplateCache holds at its end (before it writes the file)."""
    import json

    from tests.conftest import clean_env, run_python

    report = tmp_path / "report.json"
    env = clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="0", ACCEL_CACHE_DIR=cache_dir, REPORT=str(report))
    proc = run_python(["-c", _PROGRAM + _REPORT], env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr, json.loads(report.read_text())


def test_a_damaged_entry_is_made_afresh_with_one_warning(tmp_path) -> None:  # noqa: ANN001
    """A byte flipped inside one template of the file: that template alone is a miss (made afresh: the same bytes
    as the file held before the damage), the others are read from the file; one warning; and the file written at
    exit has the good template again."""
    cache = tmp_path / "cache"
    _run_reporting(str(cache), tmp_path)  # (the file made, with the report's own templates)
    out, err, clean = _run_reporting(str(cache), tmp_path)
    assert out == _plain_output() and not err and clean["loaded"] > 20
    (path,) = cache.iterdir()
    used = [entry for entry in _index(path)
            if not entry[1] & templates.ENTRY_NO_TEMPLATE and entry[0].hex() in clean["templates"]]
    key, _, offset, length, _ = max(used, key=lambda entry: entry[3])  # (the largest this program reads)
    data = bytearray(path.read_bytes())
    good = bytes(data[offset:offset + length])
    assert clean["templates"][key.hex()] == good.hex()
    data[offset + length // 2] ^= 0x40
    path.write_bytes(data)

    out, err, damaged = _run_reporting(str(cache), tmp_path)
    assert out == _plain_output()
    assert err.count("accel: warning:") == 1 and "damaged" in err and "Traceback" not in err, err
    assert damaged["templates"][key.hex()] == good.hex()
    assert damaged["loaded"] == clean["loaded"] - 1 and damaged["made"] == clean["made"] + 1
    assert set(damaged["templates"]) == set(clean["templates"])

    out, err, again = _run_reporting(str(cache), tmp_path)
    assert out == _plain_output() and not err
    assert again["loaded"] == clean["loaded"] and again["templates"][key.hex()] == good.hex()


_MANY = """
import types
import accel
accel.install(lazy_blocks=False, max_tier=0)
for name in ("json.decoder", "json.encoder", "textwrap", "string", "fractions", "heapq", "argparse", "difflib"):
    module = __import__(name, fromlist=["_"])
    with open(module.__file__) as f:
        stack = [compile(f.read(), module.__file__, "exec")]
    while stack:
        code = stack.pop()
        stack.extend(k for k in code.co_consts if isinstance(k, types.CodeType))
        if code.co_flags & 1:
            accel.compile(code)
"""

_LITTLE = """
import json, os, sys
import accel
from accel.bjit import templates
from accel.runtime import core

def mean(xs):
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs)

def words(text):
    counts = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items())

def squares(n):
    return [i * i for i in range(n) if i % 2]

cache = templates.CACHE
report = {}
accel.compile(mean)
report["mean"] = mean([1.0, 2.0, 4.5])
report["entries"] = core().template_file_counts(cache.templates)[0]
report["loaded_first"] = cache.loaded
pid = os.fork()
if pid == 0:  # a child reads templates through the descriptor it inherited
    accel.compile(words)
    ok = words("b a b") == [("a", 1), ("b", 2)] and accel.tier(words) == 1 and cache.loaded > report["loaded_first"]
    os._exit(0 if ok else 1)
report["child"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
if os.environ.get("REPLACE"):  # another process renames its file over this one's: this one reads the file it opened
    with open(cache.file + ".new", "wb") as f:
        f.write(b"not a template file")
    os.replace(cache.file + ".new", cache.file)
loaded = cache.loaded
accel.compile(squares)
report["squares"] = squares(8)
report["loaded_after_replace"] = cache.loaded - loaded
report["words"] = words("b a b")
report.update(in_dict=len(cache.templates), loaded=cache.loaded, made=cache.made)
stats = accel.stats()
report.update(in_c=stats["bjit_blocks_placed_in_c"], missing=stats["bjit_blocks_to_python"].get("template_missing", 0))
print(json.dumps(report))
"""


def test_a_process_reads_only_the_templates_it_uses(tmp_path) -> None:  # noqa: ANN001
    """After a file of many templates exists, a process that compiles a little code reads its header and index
    and only the templates it places (in C, for the blocks placed without Python, or in Python): its dict holds
    a small fraction of the file, each of them read from it (or made); a forked child reads more through the
    inherited descriptor, and a file renamed over the one it opened does not disturb it.  The code is right."""
    import json

    from tests.conftest import clean_env, run_python

    cache = tmp_path / "cache"
    env = clean_env(ACCEL_CACHE_DIR=str(cache))
    proc = run_python(["-c", _MANY], env=env)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    env.update(ACCEL="1", ACCEL_MAX_TIER="0")  # (only what the program compiles: no automatic compiles)
    proc = run_python(["-c", _LITTLE], env=env)  # (its templates join the file)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    (path,) = cache.iterdir()
    entries = len(_index(path))
    assert entries > 500
    proc = run_python(["-c", _LITTLE], env={**env, "REPLACE": "1"})
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert report["mean"] == 2.5 and report["words"] == [["a", 1], ["b", 2]] and report["squares"] == [1, 9, 25, 49]
    assert report["entries"] == entries and report["child"] == 0
    assert 0 < report["loaded_first"] and report["loaded_after_replace"] > 0
    assert report["made"] == 0 and report["loaded"] == report["in_dict"] < entries / 10
    assert report["in_c"] > 0 and report["missing"] == 0  # (C found the templates of the blocks it placed)


def test_template_files_of_other_builds_are_pruned(tmp_path) -> None:  # noqa: ANN001
    """Each upgrade makes a new template file; the first process of a build removes the other builds' files unused
    for a month, and all but the most recent beyond TEMPLATE_FILES_KEPT.  Other files are left alone."""
    import os
    import time

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    now = time.time()
    recent = [cache / f"tier1-templates-{k:032x}.bin" for k in range(10)]
    for age, path in enumerate(recent):  # an hour apart, the first the most recent
        path.write_bytes(b"old build")
        os.utime(path, (now - 3600 * (age + 1),) * 2)
    stale = cache / f"tier1-templates-{99:032x}.bin"
    stale.write_bytes(b"unused for 40 days")
    os.utime(stale, (now - 40 * 86400,) * 2)
    other = cache / "something-else.bin"
    other.write_bytes(b"not ours")
    os.utime(other, (now - 40 * 86400,) * 2)
    out, err, stats = _run(str(cache), tmp_path)
    assert out == _plain_output() and not err and stats["bjit_templates_made"] > 20
    left = set(cache.iterdir())
    kept = templates.TEMPLATE_FILES_KEPT - 1  # (and this build's own)
    assert set(recent[:kept]) <= left and not (set(recent[kept:]) & left) and stale not in left and other in left
    assert len([p for p in left if p.name.startswith("tier1-templates-")]) == templates.TEMPLATE_FILES_KEPT


def test_an_unwritable_cache_folder_costs_one_warning(tmp_path) -> None:  # noqa: ANN001
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    out, err, stats = _run(str(blocker / "cache"), tmp_path)
    assert out == _plain_output() and stats["bjit_templates_made"] > 20
    assert err.count("accel: warning:") == 1 and "Traceback" not in err, err


def test_layouts_shared_with_c() -> None:
    """csrc/bjit_place.c reads keys, template heads and holes at these sizes; csrc/bjit_template_file.c the
    template file's header and index entries."""
    assert (templates.KEY.size, templates.TEMPLATE_HEAD.size, templates.HOLE.size) == (30, 13, 16)
    assert (templates.FILE_HEADER.size, templates.INDEX_ENTRY.size) == (24, 48)
    assert templates.INDEX_ENTRY.unpack(bytes(48))[0] == bytes(templates.KEY.size)


def test_template_checksum_sees_every_byte() -> None:
    """The file's checksum (csrc/bjit_template_file.c): any one byte changed, or the length, changes it."""
    c = core()
    data = bytes(range(256)) * 3 + b"tail"
    base = c.template_checksum(data)
    assert base == c.template_checksum(bytearray(data)) and 0 <= base < 1 << 64
    for k in range(0, len(data), 7):
        assert c.template_checksum(data[:k] + bytes([data[k] ^ 1]) + data[k + 1:]) != base
    assert c.template_checksum(data + b"\0") != base and c.template_checksum(b"") != c.template_checksum(b"\0")


def test_place_link_aims_fields_at_absolute_targets() -> None:
    c = core()
    out = c.place_link(bytes(10), 0x1000, [(1, 0x2000), (6, 0x10)])
    assert int.from_bytes(out[1:5], "little", signed=True) == 0x2000 - (0x1000 + 1 + 4)
    assert int.from_bytes(out[6:10], "little", signed=True) == 0x10 - (0x1000 + 6 + 4)
    assert out[0] == out[5] == 0
    with pytest.raises(OverflowError):
        c.place_link(bytes(10), 0x1000, [(1, 0x1000 + (1 << 33))])
    with pytest.raises(ValueError):
        c.place_link(bytes(10), 0x1000, [(8, 0x2000)])
