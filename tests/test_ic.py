"""Executable inline caches (csrc/inline_cache.c, accel/bjit/ic_slots.py): slots are written, hit, evicted, freed,
turned off, shown by accel.dis -- and stay correct when what they cached changes."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from accel.bjit import ic_slots
from accel.runtime import core
from tests.conftest import clean_env, run_python

POLYMORPHIC = textwrap.dedent("""
    import json, sys
    class A:
        def __init__(self): self.x = 1
        def m(self): return 10
    class B:
        def __init__(self): self.y = 0; self.x = 2
        def m(self): return 20
    class C:
        __slots__ = ("x",)
        def __init__(self): self.x = 3
        def m(self): return 30
    def f(objs):
        t = 0
        for o in objs:
            t += o.x + o.m()
        return t
    objs = [A(), B(), C()] * 10
    print(sum(f(objs) for _ in range(50)))
    from accel.runtime import core
    sites = {ic["site"]: sorted((s["kind"], s["type"], s["hits"] > 0) for s in ic["slots"])
             for ic in core().ic_describe(f.__code__)}
    print(json.dumps(sites, sort_keys=True))
    import accel
    print(json.dumps([(s["op"], s["name"], s["state"], len(s["region"]["slots"]) if s["region"] else 0)
                      for s in accel.site_feedback(f)]))
""")


def _run(source: str, tmp_path, **env: str):  # noqa: ANN001, ANN202
    stats = tmp_path / "stats.json"
    proc = run_python(["-c", source], env=clean_env(**{"ACCEL": "1", "ACCEL_BJIT_THRESHOLD": "0",
                                                       "ACCEL_STATS_FILE": str(stats), **env}))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines(), json.loads(stats.read_text())


def test_templates_have_the_holes_the_rewriter_fills() -> None:
    lay = core().bjit_layout()
    assert lay["ic_hole_count"] == len(ic_slots.HOLES)
    built = ic_slots.build(lay)
    assert set(built) == set(ic_slots.TEMPLATES)
    for name, (code, holes) in built.items():
        named = dict(zip(ic_slots.HOLES, holes, strict=True))
        assert named["hits"] >= 0, name  # every slot counts its hits
        assert code.endswith(b"\xc3"), name  # ret: the miss label is the end, where the next slot starts
        guarded = named["version"] >= 0 or named["dict"] >= 0
        assert guarded, f"{name} has no guard"
        for hole in holes:
            assert hole < 0 or hole + 4 <= len(code)


def test_a_polymorphic_site_serves_its_other_types_from_slots(tmp_path) -> None:  # noqa: ANN001
    out, stats = _run(POLYMORPHIC, tmp_path)
    assert out[0] == str(50 * 10 * (11 + 22 + 33))
    sites = json.loads(out[1])
    # A is the inline entry's case; B and C got slots, and they were hit
    assert sites["LOAD_ATTR"] == [["instance_value", "B", True], ["slot", "C", True]]
    assert sites["LOAD_METHOD"] == [["method", "B", True], ["method", "C", True]]
    assert json.loads(out[2]) == [["LOAD_ATTR", "x", "polymorphic", 2], ["LOAD_METHOD", "m", "polymorphic", 2]]
    assert stats["ic_slot_hits"] >= 2 * 2 * 10 * 49
    assert stats["ic_regions"] >= 2 and stats["ic_bytes"] >= 2 * core().bjit_layout()["ic_region_bytes"]


def test_slots_can_be_turned_off(tmp_path) -> None:  # noqa: ANN001
    out, stats = _run(POLYMORPHIC, tmp_path, ACCEL_IC_SLOTS="0")
    assert out[0] == str(50 * 10 * (11 + 22 + 33))
    assert json.loads(out[1]) == {}
    assert stats["ic_regions"] == 0 and stats["ic_slot_hits"] == 0
    assert stats["ic_helper_hits"] > 0  # the helper's entries serve B and C instead


def test_many_types_evict_slots_then_the_site_goes_megamorphic(tmp_path) -> None:  # noqa: ANN001
    source = textwrap.dedent("""
        classes = [type("T%d" % i, (), {"v": i}) for i in range(60)]
        objs = [cls() for cls in classes]
        def read(o):
            return o.v
        total = 0
        for rnd in range(3):
            for o in objs:
                total += read(o)
        print(total)
        from accel.runtime import core
        (ic,) = core().ic_describe(read.__code__)
        print(ic["state"], len(ic["slots"]))
    """)
    out, stats = _run(source, tmp_path)
    assert out[0] == str(3 * sum(range(60)))
    state, nslots = out[1].split()
    assert state == "megamorphic" and 1 <= int(nslots) <= 8
    assert stats["ic_evictions"] > 0 and stats["ic_megamorphic"] >= 1


def test_regions_are_freed_with_their_code(tmp_path) -> None:  # noqa: ANN001
    source = textwrap.dedent("""
        from gc import collect  # (no attribute site in the module body, compiled at threshold 0 too)
        from accel.runtime import core
        class A: pass
        class B: pass
        a, b = A(), B()
        a.x = b.x = 1
        def regions():
            return core().bjit_counters()["ic_regions"]
        before = regions()
        for k in range(20):
            ns = {}
            exec("def read(o):\\n    return o.x", ns)
            for o in (a, b, a, b):
                ns["read"](o)
        during = regions()
        del ns
        collect()
        print(before, during, regions())
    """)
    out, _ = _run(source, tmp_path)
    before, during, after = map(int, out[0].split())
    assert during >= before + 1 and after == before


def test_dis_shows_each_site_state_and_slots(tmp_path) -> None:  # noqa: ANN001
    source = POLYMORPHIC.replace("from accel.runtime import core",
                                 "import accel; accel.dis(f); from accel.runtime import core")
    out, _ = _run(source, tmp_path)
    text = "\n".join(out)
    assert "; inline cache: polymorphic" in text
    assert "slot +0: instance_value of B" in text and "method of C" in text
    assert "; region 0x" in text and "2 slots in" in text


@pytest.mark.skipif(sys.platform != "linux", reason="the stress script is Linux-only (it reads /proc for RSS)")
def test_threads_rewriting_shared_sites_while_classes_change() -> None:
    """The short version of tests/stress_ic_threads.py (the closing note quotes its 60-second run)."""
    proc = run_python(["tests/stress_ic_threads.py", "--seconds", "4"], env=clean_env(ACCEL="1"), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok" in proc.stdout.splitlines()[-1]


def test_quickened_caches_fill_the_inline_entry_before_its_first_run(tmp_path) -> None:  # noqa: ANN001
    """CPython's LOAD_ATTR_INSTANCE_VALUE / _SLOT and STORE_ATTR_* caches say what the site saw: tier 1 starts
    the inline entry from them, so the compiled site never misses."""
    source = textwrap.dedent("""
        import json, accel
        class P:
            __slots__ = ("s",)
        class V:
            pass
        def f(p, v):
            v.x = p.s
            return v.x
        p, v = P(), V()
        p.s = 5
        print(sum(f(p, v) for _ in range(200)), accel.tier(f))
        print(json.dumps([(s["op"], s["name"], s["misses"], [e["kind"] for e in s["entries"]])
                          for s in accel.site_feedback(f)]))
    """)
    out, _ = _run(source, tmp_path, ACCEL_BJIT_THRESHOLD="30", ACCEL_STARTUP_MS="0")
    assert out[0] == "1000 1"
    assert json.loads(out[1]) == [["LOAD_ATTR", "s", 0, ["slot"]], ["STORE_ATTR", "x", 0, ["store_value"]],
                                  ["LOAD_ATTR", "x", 0, ["instance_value"]]]


def test_classes_with_getattr_have_their_attribute_sites_cached(installed) -> None:  # noqa: ANN001
    """A class that defines __getattr__ (not __getattribute__) looks attributes up generically first: the values,
    slots and methods found that way are cached like any class's (CPython 3.11 leaves these sites generic), and so
    is the hook itself for what only it answers, while a property is not -- its AttributeError must reach
    __getattr__ (tests/diff/corpus/getattr_hook_caching.py, getattr_hook_direct.py)."""
    import accel

    accel.install(bjit_threshold=1000)
    namespace: dict = {"__name__": "tests.ic_generated"}
    exec(textwrap.dedent("""
        class Proxy:
            __slots__ = ("target", "hits")
            def __init__(self, target):
                self.target = target
                self.hits = 0
            def __getattr__(self, name):
                return getattr(self.target, name)
            def ping(self):
                return 1
            @property
            def prop(self):
                return 2
        class Record:
            def __init__(self, v):
                self.v = v
            def __getattr__(self, name):
                return None
        def use(p, r):
            return p.target, p.hits, p.ping(), p.prop, r.v, r.missing
    """), namespace)
    use = namespace["use"]
    p, r = namespace["Proxy"]("t"), namespace["Record"](5)
    assert accel.compile(use) == 1
    for _ in range(50):
        assert use(p, r) == ("t", 0, 1, 2, 5, None)
    sites = {s["name"]: s for s in accel.site_feedback(use)}
    for name in ("target", "hits", "ping", "v"):
        assert sites[name]["entries"] and sites[name]["hits"] >= 40, (name, sites[name])
    # a property: the generic path (its AttributeError would have to reach __getattr__)
    assert not sites["prop"]["entries"] or sites["prop"]["hits"] == 0, sites["prop"]
    # what only __getattr__ answers: the hook, called from the site's entry
    assert [e["kind"] for e in sites["missing"]["entries"]] == ["getattr_hook"] and sites["missing"]["hits"] >= 40


def test_megamorphic_sites_hit_in_the_shared_table(tmp_path) -> None:  # noqa: ANN001
    """A site over 60 classes is megamorphic (no entry or slot fits it), yet its reads and stores are served by the
    table all sites share, and a class changed half-way through is read right (its entry no longer applies)."""
    source = textwrap.dedent("""
        classes = [type("T%d" % i, (), {"v": i}) for i in range(60)]
        objs = [cls() for cls in classes]
        def touch(o, n):
            o.parent = n
            return o.parent + o.v
        total = 0
        for rnd in range(40):
            if rnd == 20:
                classes[7].parent = property(lambda self: 1000, lambda self, v: None)
            for o in objs:
                total += touch(o, rnd)
        print(total)
        from accel.runtime import core
        print(core().bjit_counters()["ic_shared_hits"])
        import accel
        for site in accel.site_feedback(touch):
            print(site["op"], site["name"], site["state"], site["misses"])
    """)
    out, _ = _run(source, tmp_path)
    expected = sum(rnd + i for rnd in range(40) for i in range(60)) + sum(1000 - rnd for rnd in range(20, 40))
    assert out[0] == str(expected)
    assert int(out[1]) > 2 * 60 * 40  # most of the 3 * 2,400 lookups
    for line in out[2:]:  # each site missed about once per class, and for T7 after its change
        op, name, state, misses = line.split()
        assert state == "megamorphic" and int(misses) < 150, line


def test_metaclass_and_super_sites_are_cached(tmp_path) -> None:  # noqa: ANN001
    """A class attribute read through a metaclass (its own, the metaclass's data descriptor __name__, the
    metaclass's method) and super() reads and method calls are served by the site's entries, with the right
    results (tests/diff/corpus/class_attribute_kinds.py checks every change that must end them)."""
    source = textwrap.dedent("""
        import json
        class Meta(type):
            def describe(cls):
                return "class " + cls.__name__
        class Model(metaclass=Meta):
            table = "models"
        class Base:
            def save(self, n):
                return n + 1
        class Child(Base):
            def save(self, n):
                return super().save(n) * 2
        def use(c):
            return (Model.table, Model.__name__, Model.describe(), c.save(1))
        c = Child()
        results = {use(c) for _ in range(100)}
        print(json.dumps(sorted(results)))
        import accel
        print(json.dumps({s["name"]: [e["kind"] for e in s["entries"]] + [s["hits"]]
                          for s in accel.site_feedback(use) + accel.site_feedback(Child.save)}))
    """)
    out, stats = _run(source, tmp_path)
    assert json.loads(out[0]) == [["models", "Model", "class Model", 4]]
    sites = json.loads(out[1])
    assert sites["table"][:1] == ["meta_attr"] and sites["__name__"][:1] == ["meta_attr"]
    assert sites["describe"][:1] == ["meta_attr"] and sites["save"][:1] == ["super"]
    assert all(site[-1] >= 95 for site in sites.values()), sites
