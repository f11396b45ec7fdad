"""Tier 1: functions really run as machine code, give CPython's answers, and hand frames back correctly."""

from __future__ import annotations

import dis
import json
import sys
import textwrap
import traceback

import pytest

import accel
from accel.runtime import core
from tests.conftest import clean_env, run_python


def _compiled(source: str, name: str, namespace: dict | None = None):
    namespace = {"__name__": "tests.bjit_generated"} if namespace is None else namespace
    exec(textwrap.dedent(source), namespace)
    fn = namespace[name]
    assert accel.compile(fn) == 1
    assert accel.tier(fn) == 1
    return fn


def _frames_run_by_machine_code() -> int:
    return core().counters()["frames_entered_jit"]


def test_arithmetic_loops_and_calls_run_as_machine_code(installed):
    accel.install(bjit_threshold=1000)
    fib = _compiled("""
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
    """, "fib")
    before = _frames_run_by_machine_code()
    assert fib(15) == 610
    assert _frames_run_by_machine_code() - before == 1973  # every call of fib(15) ran as machine code
    loop = _compiled("""
        def loop(xs):
            total, names = 0, []
            for i, x in enumerate(xs):
                if x is None or not x:
                    continue
                total += x * i - (x // 3) % 7
                names.append(f"{x:>3}|{i!r}")
            return total, {n: len(n) for n in names[:3]}, [y for y in xs if y and y > 2], (1, *xs[:2])
    """, "loop")
    data = [3, None, 0, 5, 8, 13]
    expected = (3 * 0 - 1 + 5 * 3 - 1 + 8 * 4 - 2 + 13 * 5 - 4,
                {"  3|0": 5, "  5|3": 5, "  8|4": 5}, [3, 5, 8, 13], (1, 3, None))
    assert loop(data) == expected


def test_exceptions_keep_cpython_tracebacks_and_handlers(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    source = """
        def inner(d, k):
            x = 1
            return d[k] + x

        def outer(d, keys):
            out = []
            for k in keys:
                try:
                    out.append(inner(d, k))
                except KeyError as e:
                    out.append(("missing", e.args[0]))
            return out
    """
    exec(textwrap.dedent(source), ns)
    plain_outer = ns["outer"]
    compiled = _compiled(source, "outer")
    args = ({"a": 1}, ["a", "b", "a"])
    assert compiled(*args) == plain_outer(*args) == [2, ("missing", "b"), 2]
    inner = _compiled(source, "inner")
    with pytest.raises(KeyError) as info:
        inner({}, "zz")
    frames = traceback.extract_tb(info.tb)
    assert frames[-1].name == "inner" and frames[-1].lineno == 4
    assert accel.stats()["bjit_errors"] >= 1


def test_unsupported_instruction_hands_the_frame_back(installed):
    accel.install(bjit_threshold=1000)
    fn = _compiled("""
        def fn(x):
            y = x + 1
            if x < 0:
                match x:
                    case int(real=r):    # MATCH_CLASS: left to the interpreter
                        return r
            if x > 5:
                raise ValueError(y)      # RAISE_VARARGS 1: compiled (bjit_blocks.c)
            if x == 0:
                raise                    # a bare re-raise (RAISE_VARARGS 0): compiled (bjit_exceptions.c)
            from os import path          # IMPORT_FROM: compiled
            return y * 2 + len(path.sep)
    """, "fn")
    assert fn(1) == 5
    assert fn(-3) == -3
    try:
        fn(0)
    except RuntimeError as e:
        assert str(e) == "No active exception to reraise"
    try:
        fn(9)
    except ValueError as e:
        assert e.args == (10,)
    stats = accel.stats()
    assert stats["fallbacks"].get("unsupported:MATCH_CLASS", 0) >= 1
    assert stats["bjit_unsupported_sites"]["MATCH_CLASS"] >= 1
    for compiled in ("IMPORT_FROM", "RAISE_VARARGS"):
        assert compiled not in stats["bjit_unsupported_sites"] and f"unsupported:{compiled}" not in stats["fallbacks"]


def test_with_import_and_keyword_merges_run_in_machine_code(installed):
    accel.install(bjit_threshold=1000)
    fn = _compiled("""
        import contextlib
        @contextlib.contextmanager
        def managed(log):
            log.append("enter")
            try:
                yield 5
            finally:
                log.append("exit")
        def kw(**kwargs):
            return sorted(kwargs.items())
        def fn(log, opts):
            import math
            with managed(log) as v:
                log.append(v)
            merged = {**opts, "z": 0}
            return math.floor(2.5), kw(**opts), merged, f(*[1, 2], **opts)
        def f(*args, **kwargs):
            return args, sorted(kwargs)
    """, "fn")
    log = []
    before = dict(accel.stats()["fallbacks"])
    assert fn(log, {"a": 1}) == (2, [("a", 1)], {"a": 1, "z": 0}, ((1, 2), ["a"]))
    assert log == ["enter", 5, "exit"]
    assert accel.stats()["fallbacks"] == before  # no hand-back
    with pytest.raises(TypeError) as info:  # a repeated keyword: the interpreter's own message
        fn([], {"a": 1, 2: 3})
    assert "keywords must be strings" in str(info.value)


def test_frames_look_like_interpreter_frames(installed):
    accel.install(bjit_threshold=1000)
    fn = _compiled("""
        import sys
        def fn(a):
            b = a * 2
            frame = sys._getframe()
            here = frame.f_lineno
            return b, sorted(locals()), here - frame.f_code.co_firstlineno, sys._getframe(1).f_code.co_name
    """, "fn")
    assert fn(4) == (8, ["a", "b", "frame", "here"], 3, "test_frames_look_like_interpreter_frames")


def test_deep_recursion_raises_recursion_error(installed):
    accel.install(bjit_threshold=1000)
    down = _compiled("""
        def down(n):
            return down(n + 1) if n >= 0 else 0
    """, "down")
    with pytest.raises(RecursionError):
        down(0)
    assert down(-1) == 0


def test_a_block_first_reached_at_the_recursion_limit_is_compiled_later(installed):
    accel.install(bjit_threshold=1000)
    deep = _compiled("""
        def deep(n):
            if n > 0:
                return deep(n - 1)
            return "bottom"
    """, "deep")
    depth = sys.getrecursionlimit() - 40
    for _ in range(3):  # near the limit the compiler may not have the stack to compile the last block: not yet
        assert deep(depth) == "bottom"
    assert deep(2) == "bottom"
    assert all(address > 0 for address in core().lazy_info(deep.__code__)["blocks"])


def test_tracing_switched_on_inside_compiled_code_sees_every_event(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated", "sys": sys}
    source = """
        def start_tracing(tracer):
            sys.settrace(tracer)
            sys._getframe(1).f_trace = tracer  # the running caller is traced from its next line on

        def body(tracer):
            start_tracing(tracer)
            a = 1
            b = a + 1
            sys.settrace(None)
            return b
    """
    body = _compiled(source, "body", ns)
    events = []

    def tracer(frame, event, arg):
        if frame.f_code.co_name == "body":
            events.append((event, frame.f_lineno - frame.f_code.co_firstlineno))
        return tracer

    assert body(tracer) == 2
    assert events == [("line", 2), ("line", 3), ("line", 4)]
    assert accel.stats()["fallbacks"].get("tracing:CALL", 0) >= 1


@pytest.mark.parametrize("loop", [
    "while True:\n        n += 1",                     # JUMP_BACKWARD
    "while n < 10 ** 12:\n        n += 1",             # POP_JUMP_BACKWARD_IF_TRUE (the fused int compare)
    "while n is not None:\n        n += 1",            # POP_JUMP_BACKWARD_IF_NOT_NONE
    "while n.bit_length() < 60:\n        n += 1",      # POP_JUMP_BACKWARD_IF_TRUE on a generic value
])
def test_keyboard_interrupt_stops_a_compiled_loop(loop: str):
    prog = textwrap.dedent("""
        import _thread, threading, accel
        accel.install(bjit_threshold=0)
        def spin():
            n = 0
            LOOP
        threading.Timer(0.3, _thread.interrupt_main).start()
        try:
            spin()
        except KeyboardInterrupt:
            print("interrupted", accel.tier(spin))
    """).replace("LOOP", loop)
    proc = run_python(["-c", prog], timeout=60)
    assert proc.stdout.strip() == "interrupted 1", proc.stderr


def test_threads_share_the_gil_while_compiled_loops_run():
    prog = textwrap.dedent("""
        import threading, accel
        accel.install(bjit_threshold=0)
        results = {}
        def spin(name, n):
            t = 0
            for i in range(n):
                t += i % 7
            results[name] = t
        threads = [threading.Thread(target=spin, args=(k, 300000)) for k in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(sorted(results.items()), accel.tier(spin))
    """)
    proc = run_python(["-c", prog], timeout=120)
    expected = sum(i % 7 for i in range(300000))
    assert proc.stdout.strip() == f"{[(k, expected) for k in range(4)]} 1", proc.stderr


def test_generator_frames_resume_in_machine_code(installed):
    accel.install(bjit_threshold=1000)
    gen = _compiled("""
        def gen(n):
            total = 0
            for i in range(n):
                try:
                    x = yield i * 2
                except KeyError:
                    x = 100
                if x is not None:
                    total += x
            return total
    """, "gen")
    before = accel.stats()["bjit_yields"]
    g = gen(4)
    out = [next(g), g.send(1), g.throw(KeyError), g.send(None)]
    with pytest.raises(StopIteration) as stop:
        g.send(5)
    assert out == [0, 2, 4, 6] and stop.value.value == 106
    assert accel.stats()["bjit_yields"] - before >= 3  # suspended by machine code
    assert list(gen(3)) == [0, 2, 4] and sum(gen(100)) == 9900
    g = gen(2)
    next(g)
    assert g.gi_frame.f_lineno - g.gi_frame.f_code.co_firstlineno == 4  # suspended at the yield's line
    g.close()


def test_compiled_send_and_for_iter_resume_compiled_generators_directly(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    leaf = _compiled("""
        def leaf(n):
            for i in range(n):
                yield i
            return n
    """, "leaf", ns)
    middle = _compiled("""
        def middle(n):
            got = yield from leaf(n)
            yield -got
    """, "middle", ns)
    consume = _compiled("""
        def consume(n):
            out = []
            for x in middle(n):
                out.append(x)
            return out
    """, "consume", ns)
    assert accel.tier(leaf) == accel.tier(middle) == 1
    before = core().counters()["generator_resumes_direct"]
    assert consume(3) == [0, 1, 2, -3]
    # middle: 5 resumptions by consume's FOR_ITER; leaf: 4 by middle's SEND (3 yields, then its return)
    assert core().counters()["generator_resumes_direct"] - before == 9
    leaky = _compiled("""
        def leaky():
            yield 1
            raise StopIteration
    """, "leaky", ns)
    drain = _compiled("""
        def drain(gen):
            out = []
            for x in gen:
                out.append(x)
            return out
    """, "drain", ns)
    before = core().counters()["generator_resumes_direct"]
    with pytest.raises(RuntimeError, match="generator raised StopIteration"):
        drain(leaky())
    assert core().counters()["generator_resumes_direct"] - before == 2


def test_tuple_list_set_and_join_of_a_compiled_generator_drive_it_directly(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    _compiled("""
        def gen(n):
            for i in range(n):
                yield i % 5
    """, "gen", ns)
    _compiled("""
        def strs(n):
            for i in gen(n):
                yield str(i)
    """, "strs", ns)
    collect = _compiled("""
        def collect(n):
            return tuple(gen(n)), list(gen(n)), set(gen(n)), "".join(strs(n)), sorted(gen(n))
    """, "collect", ns)
    counters = core().counters
    before = counters()["generators_collected_direct"], counters()["generator_resumes_direct"]
    assert collect(7) == ((0, 1, 2, 3, 4, 0, 1), [0, 1, 2, 3, 4, 0, 1], {0, 1, 2, 3, 4}, "0123401",
                          [0, 0, 1, 1, 2, 3, 4])
    # tuple, list, set, join: 4 collections (sorted() drives its generator the ordinary way), of 8 resumptions
    # each (7 items, then the end)
    assert counters()["generators_collected_direct"] - before[0] == 4
    assert counters()["generator_resumes_direct"] - before[1] == 4 * 8 + 8  # + strs's FOR_ITER driving gen
    # an error in the body comes out of the builtin's call with the generator's traceback entry
    _compiled("""
        def fails(n):
            for i in range(n):
                yield 10 // (2 - i)
    """, "fails", ns)
    use = _compiled("""
        def use():
            return tuple(fails(5))
    """, "use", ns)
    with pytest.raises(ZeroDivisionError) as info:
        use()
    assert [entry.name for entry in traceback.extract_tb(info.value.__traceback__)][-2:] == ["use", "fails"]


def test_polymorphic_attribute_sites_and_class_attributes_hit_their_caches(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        class A:
            def __init__(self): self.v = 1
            def m(self): return 1
        class B:
            def __init__(self): self.w = 0; self.v = 2
            def m(self): return 2
        class C:
            __slots__ = ("v",)
            def __init__(self): self.v = 3
            def m(self): return 3
        class K:
            LIMIT = 5
            @staticmethod
            def f(): return 7
    """), ns)
    walk = _compiled("""
        def walk(objs):
            total = 0
            for o in objs:
                total += o.v + o.m() + K.LIMIT + K.f()
            return total
    """, "walk", ns)
    objs = [ns["A"](), ns["B"](), ns["C"]()] * 100
    walk(objs)  # fills the sites
    before = accel.stats()
    assert walk(objs) == 100 * (2 + 4 + 6 + 3 * 12)
    after = accel.stats()
    misses = after["ic_misses"] - before["ic_misses"]
    slot_hits = after["ic_slot_hits"] - before["ic_slot_hits"]  # (the inline checks' hits are not counted)
    assert misses == 0 and slot_hits >= 200 * 2, (slot_hits, misses)  # three receiver types share each site
    ns["K"].LIMIT = 6  # a class attribute changes: the class's version tag changes with it
    assert walk(objs) == 100 * (2 + 4 + 6 + 3 * 13)


def test_attributes_a_getattr_hook_serves_call_it_from_the_site_cache(installed):
    """A class with __getattr__: what the normal lookup cannot find is the hook's, called from the site's entry
    (kind getattr_hook) without the generic lookup and its AttributeError; a value the instance gets later wins."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        class Proxy:
            def __init__(self, target): self._target = target
            def __getattr__(self, name): return self._target[name]
    """), ns)
    read = _compiled("""
        def read(objs):
            out = []
            for o in objs:
                out.append(o.k)
            return out
    """, "read", ns)
    objs = [ns["Proxy"]({"k": i}) for i in range(50)]
    read(objs)  # fills the site
    before = accel.stats()
    assert read(objs) == list(range(50))
    after = accel.stats()
    assert after["ic_misses"] == before["ic_misses"]
    (site,) = [s for s in accel.site_feedback(read) if s["name"] == "k"]
    assert [e["kind"] for e in site["entries"]] == ["getattr_hook"] and site["hits"] >= 50
    objs[3].k = "own"  # the shared keys gain the name: this instance's value, the others' hook
    assert read(objs)[2:5] == [2, "own", 4]


def test_blocks_are_compiled_when_first_reached_and_jumps_patched(installed):
    accel.install(bjit_threshold=1000)
    fn = _compiled("""
        def classify(values):
            out = []
            for v in values:
                if v < 0:
                    out.append("negative")
                elif v == 0:
                    out.append("zero")
                else:
                    out.append(v * 2)
            return out
    """, "classify")
    info = core().lazy_info(fn.__code__)
    assert info is not None and info["blocks"][0] > 0
    assert sum(1 for a in info["blocks"] if a > 0) == 1  # only the head's entry block so far
    before = accel.stats()["bjit_blocks_compiled"]
    assert fn([1, 2, 3]) == [2, 4, 6]
    hot = core().lazy_info(fn.__code__)
    compiled = sum(1 for a in hot["blocks"] if a > 0)
    assert accel.stats()["bjit_blocks_compiled"] - before == compiled - 1
    assert hot["patched"] >= 1  # e.g. the loop's back edge now jumps straight to the loop header
    assert fn([1, 2, 3]) == [2, 4, 6] and accel.stats()["bjit_blocks_compiled"] - before == compiled - 1
    # the cold paths were never compiled, until they run
    assert fn([-1, 0, 5]) == ["negative", "zero", 10]
    assert sum(1 for a in core().lazy_info(fn.__code__)["blocks"] if a > 0) > compiled
    assert accel.tier(fn) == 1


def test_a_block_that_cannot_be_compiled_runs_in_the_interpreter(installed, monkeypatch):
    from accel.bjit import compiler as bjit_compiler
    from accel.bjit import lazy_place

    accel.install(bjit_threshold=1000)
    monkeypatch.setattr(lazy_place, "applies", lambda rt, code: False)  # (C would place the blocks otherwise)
    fn = _compiled("""
        def pick(flag):
            if flag:
                return "rare " + str(flag)
            return "common"
    """, "pick")

    def broken(code, block):
        raise RuntimeError("injected")

    monkeypatch.setattr(bjit_compiler, "compile_block", broken)
    before = accel.stats()
    assert [fn(0), fn(1), fn(2)] == ["common", "rare 1", "rare 2"]
    after = accel.stats()
    key = "internal:RuntimeError"
    assert after["block_failures"].get(key, 0) - before["block_failures"].get(key, 0) == 2  # each block once
    assert after["fallbacks"].get("block", 0) > before["fallbacks"].get("block", 0)
    assert -1 in core().lazy_info(fn.__code__)["blocks"]  # marked: the interpreter runs it from now on


def test_calling_a_class_enters_its_compiled_init_directly(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        class P:
            def __init__(self, x, y=1):
                self.x = x
                self.y = y
    """), ns)
    accel.compile(ns["P"].__init__)
    make = _compiled("""
        def make(n):
            return [P(i) for i in range(n)] + [P(1, 2)]
    """, "make", ns)
    accel.compile(make.__code__.co_consts[1])  # the list comprehension
    before = core().counters()["calls_direct"]
    points = make(10)
    assert [(p.x, p.y) for p in points] == [(i, 1) for i in range(10)] + [(1, 2)]
    assert core().counters()["calls_direct"] - before >= 11  # every __init__ entered from machine code
    assert type(points[0]) is ns["P"] and points[0].__dict__ == {"x": 0, "y": 1}


def test_a_call_site_follows_a_function_whose_code_is_replaced(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec("def callee(x):\n    return x + 1\ndef other(x):\n    return x * 10\n", ns)
    caller = _compiled("""
        def caller(n):
            return [callee(i) for i in range(n)]
    """, "caller", ns)
    for name in ("callee", "other"):
        accel.compile(ns[name])
    accel.compile(caller.__code__.co_consts[1])  # the comprehension, which holds the call site
    before = core().counters()["calls_direct"]
    assert caller(3) == [1, 2, 3]
    kept = ns["callee"].__code__  # (alive: no code state is freed, so only the code check can tell)
    ns["callee"].__code__ = ns["other"].__code__  # same function object, other code: the site's cache is stale
    assert caller(3) == [0, 10, 20]
    assert core().counters()["calls_direct"] - before >= 6  # both ways entered directly
    assert kept.co_name == "callee"


def test_machine_code_is_freed_with_its_code_object(installed):
    import gc
    import weakref

    accel.install(bjit_threshold=1000)
    fn = _compiled("def f(x):\n    return [x] * 3\n", "f")
    size = accel.info(fn)["jit_size"]
    code = weakref.ref(fn.__code__)
    gc.collect()
    before = core().counters()
    del fn
    gc.collect()
    after = core().counters()
    assert code() is None  # the IR kept in the code's state does not keep the code alive
    assert after["arena_frees"] > before["arena_frees"]
    assert before["arena_used_bytes"] - after["arena_used_bytes"] >= size


def test_threshold_zero_whole_program_matches_cpython(tmp_path):
    prog = tmp_path / "p.py"
    prog.write_text(textwrap.dedent("""
        class V:
            __slots__ = ("x", "y")
            def __init__(self, x, y):
                self.x, self.y = x, y
            def __add__(self, o):
                return V(self.x + o.x, self.y + o.y)
            def __repr__(self):
                return f"V({self.x}, {self.y})"
        acc = V(0, 0)
        for i in range(50):
            acc = acc + V(i, -i)
        print(acc, {k: v for k, v in zip("abc", range(3))}, sorted({3, 1, 2}))
        try:
            V(1, 2) + 3
        except AttributeError as e:
            print("error", e)
    """))
    plain = run_python([str(prog)])
    fast = run_python([str(prog)], env=clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="0"))
    assert (fast.stdout, fast.stderr, fast.returncode) == (plain.stdout, plain.stderr, plain.returncode)
    assert "V(1225, -1225)" in plain.stdout


def test_exception_handed_to_the_interpreter_while_tracing_adds_no_call_event(installed):
    """CPython's own test_sys_settrace case: the callee turns tracing on and raises into compiled code."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated", "sys": sys}
    source = """
        def _settrace_and_raise(tracefunc):
            sys.settrace(tracefunc)
            sys._getframe().f_back.f_trace = tracefunc
            raise RuntimeError

        def settrace_and_raise(tracefunc):
            try:
                _settrace_and_raise(tracefunc)
            except RuntimeError:
                pass
    """
    fn = _compiled(source, "settrace_and_raise", ns)
    events = []

    def tracer(frame, event, arg):
        if frame.f_code is fn.__code__:
            events.append((frame.f_lineno - frame.f_code.co_firstlineno, event))
        return tracer

    try:
        fn(tracer)
    finally:
        sys.settrace(None)
    assert events == [(2, "exception"), (3, "line"), (4, "line"), (4, "return")]


def test_compiling_leaves_no_gc_objects_behind(installed):
    """CPython's leak tests count gc objects around code that compiles functions (test_descr.test_slots)."""
    import gc
    import types

    ns: dict = {"__name__": "tests.bjit_generated"}
    exec("def template(a, b):\n    return [a, b]\n", ns)
    template = ns["template"].__code__
    kept: list = []
    serial = iter(range(1, 1000))

    def define_and_call(tier: int) -> int:
        """gc objects added by making and calling 20 new functions that stay alive."""
        gc.collect()
        before = len(gc.get_objects())
        for _ in range(20):
            fn = types.FunctionType(template.replace(co_firstlineno=next(serial)), ns)
            if tier:
                accel.compile(fn)
            assert fn(1, 2) == [1, 2]
            assert accel.tier(fn) == tier
            kept.append(fn)
        del fn
        gc.collect()
        return len(gc.get_objects()) - before

    accel.install(bjit_threshold=10**9, bjit_loop_threshold=10**9, osr_us=0)  # only what the test compiles
    define_and_call(1)  # the first round loads the compiler's modules and fills its caches
    compiled = define_and_call(1)
    interpreted = define_and_call(0)
    # the 20 functions themselves and nothing of the compiler's (keeping the IR alone would add hundreds)
    assert abs(compiled - interpreted) <= 2 and interpreted <= 22


def test_c_functions_called_directly_keep_cpythons_result_check(installed):
    """A C function called straight from machine code (METH_NOARGS here) that returns NULL without an exception,
    or a result with one set, is a SystemError naming it, as after PyObject_Vectorcall."""
    _testcapi = pytest.importorskip("_testcapi")
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated", "_testcapi": _testcapi}
    call = _compiled("""
        def call(f):
            try:
                f()
            except SystemError as exc:
                return str(exc)
    """, "call", ns)
    assert "return_null_without_error" in call(_testcapi.return_null_without_error)
    assert "returned a result with an exception set" in call(_testcapi.return_result_with_error)


def test_a_compile_that_fails_half_way_leaves_no_cyclic_garbage(installed, monkeypatch, tmp_path):
    """The code generator's pending stubs are closures over it: a compile that raises must not leave them in a
    cycle for the collector (CPython's test_gc counts what gc.collect() finds)."""
    import gc

    from accel.bjit import fastpaths, templates

    real = fastpaths.FastPaths.emit_binary_fast_path

    def fails_after_adding_stubs(self, *args):  # noqa: ANN001, ANN002, ANN202
        real(self, *args)  # (it adds an out-of-line error stub)
        raise KeyError("simulated code generation failure")

    monkeypatch.setattr(fastpaths.FastPaths, "emit_binary_fast_path", fails_after_adding_stubs)
    monkeypatch.setattr(templates, "CACHE", templates.TemplateCache())  # (no template of `a + b` made before)
    accel.install(bjit_threshold=2, compile_budget=0, cache_dir=str(tmp_path))  # (nor read from a file)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec("def add(a, b):\n    return a + b\n", ns)
    add = ns["add"]
    failures = accel.stats()["compile_failures_total"]
    gc.collect()
    assert [add(i, 1) for i in range(5)] == [1, 2, 3, 4, 5]  # compiled (and failing) at the third call
    assert accel.tier(add) == 0 and accel.stats()["compile_failures_total"] == failures + 1
    assert gc.collect() == 0


def test_direct_calls_between_compiled_functions(installed):
    """Compiled code calls compiled callees without the C eval path; frames must stay exact."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated", "sys": sys}
    source = """
        kept = []

        def leaf(a, b=10, c=20):
            frame = sys._getframe()
            if a == 2:
                kept.append(frame)           # this frame object outlives the call
            return a + b + c, frame.f_back.f_code.co_name

        def fails(x):
            return 1 // x

        def caller(n):
            out = [leaf(i) for i in range(n)]
            out.append(leaf(2))                # a direct call whose frame object outlives it
            out.append(leaf(1, 2))
            out.append(leaf(1, 2, 3))
            try:
                fails(0)
            except ZeroDivisionError as e:
                out.append(traceback_names(e))
            return out

        def traceback_names(e):
            tb, names = e.__traceback__, []
            while tb is not None:
                names.append((tb.tb_frame.f_code.co_name, tb.tb_lineno - tb.tb_frame.f_code.co_firstlineno))
                tb = tb.tb_next
            return names
    """
    plain: dict = {"__name__": "tests.bjit_plain", "sys": sys}
    exec(textwrap.dedent(source), plain)
    expected = plain["caller"](2)  # the same code, interpreted
    assert expected[-1] == [("caller", 6), ("fails", 1)] and expected[2] == (32, "caller")
    exec(textwrap.dedent(source), ns)
    for name in ("leaf", "fails", "caller", "traceback_names"):
        assert accel.compile(ns[name]) == 1
    before = _frames_run_by_machine_code()
    assert ns["caller"](2) == expected
    assert _frames_run_by_machine_code() - before >= 7
    (kept,) = ns["kept"]
    assert kept.f_locals == {"a": 2, "b": 10, "c": 20, "frame": kept}
    assert kept.f_back.f_code.co_name == "caller"
    assert kept.f_back.f_back.f_code is sys._getframe().f_code
    assert kept.f_lineno - kept.f_code.co_firstlineno == 4
    ns["kept"].clear()


def test_any_parameter_list_and_call_function_ex_are_direct(installed):
    """*args, **kwargs and keyword-only callees, and f(*args, **kwargs), are bound by tier 1 itself
    (bjit_entry.c bind_any_parameters): entered from machine code, not through PyObject_Vectorcall and the hook."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    target = _compiled("""
        def target(a, b=2, *rest, c, d=4, **kw):
            return (a, b, rest, c, d, sorted(kw.items()))
    """, "target", ns)
    wrapper = _compiled("""
        def wrapper(*args, **kwargs):
            return target(*args, **kwargs)
    """, "wrapper", ns)
    caller = _compiled("""
        def caller(x):
            return [wrapper(x, c=1), wrapper(x, 5, 6, c=7, e=8), target(x, c=2, f=3)]
    """, "caller", ns)
    assert accel.tier(target) == accel.tier(wrapper) == 1
    before = core().counters()["calls_direct_bound"]
    assert caller(9) == [(9, 2, (), 1, 4, []), (9, 5, (6,), 7, 4, [("e", 8)]), (9, 2, (), 2, 4, [("f", 3)])]
    # two calls of wrapper, two f(*args, **kwargs) calls of target from it, one keyword call of target
    assert core().counters()["calls_direct_bound"] - before == 5
    # a missing keyword-only argument: the ordinary path's own TypeError, no direct call
    before = core().counters()["calls_direct_bound"]
    try:
        wrapper(1)
    except TypeError as exc:
        message = str(exc)
    assert core().counters()["calls_direct_bound"] == before  # (wrapper called from here: the hook's call)
    assert message == "target() missing 1 required keyword-only argument: 'c'"


def test_subscript_and_contains_enter_compiled_dunders_directly(installed):
    """obj[k], obj[k] = v and k in obj on a class with Python __getitem__/__setitem__/__contains__ enter the
    compiled methods from machine code (bjit_entry.c accel_call_dunder_direct), not through the type's slot."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        class Store:
            def __init__(self):
                self.d = {}
            def __getitem__(self, key):
                return self.d[key] * 2
            def __setitem__(self, key, value):
                self.d[key] = value
            def __contains__(self, key):
                return key in self.d
    """), ns)
    for name in ("__getitem__", "__setitem__", "__contains__"):
        method = getattr(ns["Store"], name)
        assert accel.compile(method), name
    use = _compiled("""
        def use(store):
            store["a"] = 21
            return store["a"], "a" in store, "b" in store
    """, "use", ns)
    before = core().counters()["calls_direct_bound"]
    assert use(ns["Store"]()) == (42, True, False)
    assert core().counters()["calls_direct_bound"] - before == 4


def test_property_getters_and_python_descriptors_enter_compiled_getters_directly(installed):
    """obj.attr served by a property with a compiled getter, or by a descriptor class's compiled __get__, enters the
    getter from the attribute cache directly (bjit_entry.c accel_descr_get_direct), not through the hook."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        class Field:
            def __get__(self, instance, owner=None):
                return self if instance is None else instance.__dict__.get("_f", 7)
            def __set__(self, instance, value):
                instance.__dict__["_f"] = value
        class Thing:
            f = Field()
            def __init__(self, n):
                self.n = n
            @property
            def twice(self):
                return self.n * 2
    """), ns)
    assert accel.compile(ns["Field"].__get__) and accel.compile(ns["Thing"].twice.fget)
    read = _compiled("""
        def read(things):
            out = []
            for t in things:
                out.append((t.twice, t.f))
            return out
    """, "read", ns)
    things = [ns["Thing"](n) for n in range(10)]
    read(things)  # (the sites' caches are filled on their first misses)
    before = core().counters()["calls_direct_bound"]
    assert read(things) == [(2 * n, 7) for n in range(10)]
    assert core().counters()["calls_direct_bound"] - before == 20


def test_keyword_calls_between_compiled_functions_are_direct(installed):
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    callee = _compiled("""
        def callee(a, b=2, /, c=3, d=4):
            return (a, b, c, d)
    """, "callee", ns)
    caller = _compiled("""
        def caller(x):
            return [callee(x, d=1), callee(x, 5, d=6, c=7), callee(x, c=x)]
    """, "caller", ns)
    bad = _compiled("""
        def bad(x):
            return callee(x, b=1)
    """, "bad", ns)
    assert accel.tier(callee) == 1
    before = core().counters()["calls_direct"]
    assert caller(9) == [(9, 2, 3, 1), (9, 5, 7, 6), (9, 2, 9, 4)]
    assert core().counters()["calls_direct"] - before == 3
    # a positional-only parameter passed by keyword: the ordinary path's own TypeError, not a direct call
    # (no pytest.raises here: its own code, compiled by earlier tests, makes direct calls of its own)
    before = core().counters()["calls_direct"]
    try:
        bad(1)
    except TypeError as exc:
        message = str(exc)
    assert core().counters()["calls_direct"] == before
    assert "positional-only" in message


def test_direct_calls_recurse_to_the_limit(installed):
    accel.install(bjit_threshold=1000)
    depth = _compiled("""
        def depth(n):
            try:
                return depth(n + 1)
            except RecursionError:
                return n
    """, "depth")
    reached = depth(0)
    assert 0.8 * sys.getrecursionlimit() < reached < sys.getrecursionlimit()


def test_audit_hooks_do_not_see_the_compiler():
    prog = textwrap.dedent("""
        import sys, accel
        accel.install(bjit_threshold=0)
        def warm(x):
            return x
        warm(1)
        events, listening = [], [True]
        sys.addaudithook(lambda event, args: listening[0] and events.append(event))
        def g(x):
            y = [x, 2]
            if x > 0:  # a second block, compiled when first reached (also in the hook's view)
                y.append(3)
            return {y[0]: x}, f"{x!r}"
        result = g(1)   # compiled at this first call, inside the program's audit hook's view
        listening[0] = False
        print(result, accel.tier(g), sorted(set(events)))
    """)
    proc = run_python(["-c", prog])
    assert proc.stdout.strip() == "({1: 1}, '1') 1 []", proc.stderr


def test_perf_map_names_compiled_code(tmp_path):
    prog = textwrap.dedent("""
        import os, accel
        from accel.bjit import perfmap
        def hot(x):
            return x + 1
        for i in range(5):
            hot(i)
        print(perfmap.path())
        # perf consults the map only for code in anonymous executable memory ("//anon" in perf's terms)
        kinds = set()
        for line in open("/proc/self/maps"):
            fields = line.split()
            if "x" in fields[1] and (len(fields) == 5 or "memfd:" in line):
                kinds.add("anonymous" if len(fields) == 5 else "memfd")
        print(sorted(kinds))
    """)
    proc = run_python(["-c", prog], env=clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="0", ACCEL_PERF_MAP="1"))
    assert proc.returncode == 0, proc.stderr
    map_path, kinds = proc.stdout.strip().splitlines()
    assert "memfd" not in kinds and "anonymous" in kinds, kinds
    try:
        lines = open(map_path).read().splitlines()
    finally:
        import os

        os.unlink(map_path)
    hot = [line for line in lines if line.endswith("py::hot:<string>:4")]
    assert len(hot) == 1
    start, size, _ = hot[0].split(" ", 2)
    assert int(start, 16) > 0 and int(size, 16) > 16


def test_dis_shows_ir_and_machine_code_side_by_side(installed, capsys):
    accel.install(bjit_threshold=1000)
    fn = _compiled("""
        def fn(a, b):
            return a + b
    """, "fn")
    accel.dis(fn)
    out = capsys.readouterr().out
    address = accel.info(fn)["jit_address"]
    assert out.startswith(f"; tier 1: {accel.info(fn)['jit_size']} bytes at {address:#x}")
    lines = out.splitlines()
    binary_op = next(i for i, line in enumerate(lines) if "BINARY_OP" in line)
    assert lines[binary_op + 1].strip().startswith(hex(address)[:6])  # machine code listed under the instruction
    assert "RETURN_VALUE" in out and "out of line" in out


def test_dis_of_a_function_compiled_a_block_at_a_time_shows_the_blocks_reached(installed, capsys):
    accel.install(bjit_threshold=1000)
    fn = _compiled("""
        def fn(x):
            if x > 0:
                return x * 3
            return -x
    """, "fn")
    assert fn(2) == 6
    accel.dis(fn)
    out = capsys.readouterr().out
    assert "a block at a time: 2 of 3 blocks compiled so far" in out.splitlines()[0]
    lines = out.splitlines()
    reached = next(i for i, line in enumerate(lines) if "BINARY_OP" in line and "*" in line)
    assert lines[reached + 1].strip().startswith("0x")  # the block that ran has machine code under it
    unreached = next(i for i, line in enumerate(lines) if "UNARY_NEGATIVE" in line)
    assert not lines[unreached + 1].strip().startswith("0x")  # the one that did not, none


def test_after_uninstall_calls_reach_the_default_evaluator(installed):
    """Direct calls between compiled functions only happen while accel's hook is the frame evaluator."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec("def callee(x):\n    return x + 1\ndef caller(n):\n    return [callee(i) for i in range(n)]\n", ns)
    for name in ("callee", "caller"):
        accel.compile(ns[name])
    before = _frames_run_by_machine_code()
    assert ns["caller"](3) == [1, 2, 3]
    assert _frames_run_by_machine_code() - before == 4  # caller, and callee three times
    accel.uninstall()
    before = _frames_run_by_machine_code()
    assert ns["caller"](3) == [1, 2, 3]
    assert _frames_run_by_machine_code() == before


def test_global_loads_follow_every_change_of_globals_and_builtins(installed):
    import builtins

    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec("def read():\n    return (FACTOR, len('abc'))\n", ns)
    fn = ns["read"]
    accel.compile(fn)
    ns["FACTOR"] = 2
    assert [fn() for _ in range(3)] == [(2, 3)] * 3          # cached after the first call
    ns["FACTOR"] = 5
    assert fn() == (5, 3)                                     # module global rebound
    ns["len"] = lambda s: -1
    assert fn() == (5, -1)                                    # a module global now shadows the builtin
    del ns["len"]
    real_len = builtins.len
    builtins.len = lambda s: 99
    try:
        assert fn() == (5, 99)                                # builtins monkeypatched
    finally:
        builtins.len = real_len
    assert fn() == (5, 3)
    del ns["FACTOR"]
    with pytest.raises(NameError, match="FACTOR"):
        fn()
    other = {"__name__": "other", "FACTOR": 7}
    import types

    assert types.FunctionType(fn.__code__, other)() == (7, 3)  # same code, other globals


def test_signal_handler_runs_right_after_the_call_that_received_it():
    """As ceval: after a call returns, pending signal handlers run before the next instruction."""
    prog = textwrap.dedent("""
        import os, signal, time, accel
        accel.install(bjit_threshold=0)
        called = []
        signal.signal(signal.SIGUSR1, lambda signum, frame: called.append(time.monotonic()))
        def signal_then_sleep():
            start = time.monotonic()
            os.kill(os.getpid(), signal.SIGUSR1)  # delivered before kill returns; the handler is pending
            time.sleep(0.3)                       # must not start before the handler has run
            return called[0] - start < 0.15
        print(signal_then_sleep(), accel.tier(signal_then_sleep))
    """)
    proc = run_python(["-c", prog], timeout=60)
    assert proc.stdout.strip() == "True 1", proc.stderr


def test_instruction_counting_mode_measures_the_machine_code_share(tmp_path):
    """ACCEL_COUNT_INSTRUCTIONS: machine code and interpreter count the same instructions the same way, so the
    instructions a workload adds are the same number whether tier 1 runs them or not, and the share says where
    they ran.  (Comparing two workload sizes cancels what startup runs before counting begins.)"""
    prog = textwrap.dedent("""
        import sys
        def work(n):
            total = 0
            for i in range(n):
                if i % 3 == 0:
                    total += i
            return total
        def with_handler(n):
            total = 0
            for i in range(n):
                try:
                    total += i
                except ValueError:
                    pass
            return total
        n = int(sys.argv[1])
        print(work(n), with_handler(n))
    """)

    def counts(size: int, **extra: str) -> tuple[int, int]:
        stats_file = tmp_path / "stats.json"
        env = clean_env(ACCEL="1", ACCEL_COUNT_INSTRUCTIONS="1", ACCEL_STATS_FILE=str(stats_file), **extra)
        proc = run_python(["-c", prog, str(size)], env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"{sum(i for i in range(size) if i % 3 == 0)} {sum(range(size))}"
        data = json.loads(stats_file.read_text())
        return data["insn_jit"], data["insn_interp"]

    interp = [counts(n, ACCEL_MAX_TIER="0") for n in (1000, 3000)]
    jit = [counts(n, ACCEL_BJIT_THRESHOLD="0") for n in (1000, 3000)]
    assert interp[0][0] == interp[1][0] == 0
    added_interp = interp[1][1] - interp[0][1]
    added_jit_machine_code = jit[1][0] - jit[0][0]
    assert added_interp > 2000 * 10
    assert added_jit_machine_code == added_interp, (interp, jit)
    assert jit[1][1] == jit[0][1]  # the workload added nothing to the interpreter's share


def test_a_function_that_loops_long_is_compiled_at_its_second_call():
    """The interpreter cannot count loop iterations, so a function with a loop whose interpreted calls took
    bjit_loop_us (a benchmark's main loop, a kernel) is compiled at its second call -- a generator at its next
    resumption, so one generator object driving a long loop gets there too; a loop over a few items (startup code)
    and loop-free code wait for bjit_threshold calls.  (OSR is off here: it would move the first call.)"""
    prog = textwrap.dedent("""
        import accel
        accel.install(bjit_threshold=25, compile_budget=0, bjit_loop_us=500, osr_us=0)
        def long_loop(n):
            total = 0
            while n:
                total += n
                n -= 1
            return total
        def short_loop(n):
            total = 0
            for i in range(n):
                total += i
            return total
        def straight(n):
            return n + 1
        def producer(n):  # its time goes by in resumptions (list() drives it), not in the call that makes it
            while n:
                yield n
                n -= 1
        tiers = []
        for _ in range(3):
            long_loop(300000); short_loop(3); straight(1); list(producer(100000))
            tiers.append((accel.tier(long_loop), accel.tier(short_loop), accel.tier(straight),
                          accel.tier(producer)))
        for _ in range(30):
            short_loop(3); straight(1)
        tiers.append((accel.tier(short_loop), accel.tier(straight)))
        print(tiers)
    """)
    proc = run_python(["-c", prog], timeout=60)
    assert proc.stdout.strip() == "[(0, 0, 0, 1), (1, 0, 0, 1), (1, 0, 0, 1), (1, 1)]", proc.stderr


def test_the_compile_budget_puts_compiles_off_and_lets_them_happen_later():
    """With a budget, automatic compiles wait while they have taken more than that share of the process's CPU
    time (each wait doubles the function's threshold); the program's own running time earns them back.
    f is one long basic block, so that its compile surely takes more than 2% of the process's time so far, even
    where the process started slowly (a fresh clone imports without .pyc files: CI) and compiles are cheap (warm
    templates read on demand, small code: 2000 lines took 6% of a young process's time, against a 5% budget
    that once made this test fail on a loaded machine)."""
    body = "".join(f"    x = (x ^ {i}) + {i + 1}\n" for i in range(2000))
    prog = textwrap.dedent("""
        import time, accel
        from accel.runtime import compiler
        accel.install(bjit_threshold=2, compile_budget=0.02, startup_ms=0)
        def g(x):
            return x * 2
    """) + "def f(x):\n" + body + "    return x\n" + textwrap.dedent("""
        for i in range(5):
            f(i)
        first = accel.tier(f)
        share = compiler._compile_seconds / time.process_time()
        for i in range(5):
            g(i)       # f's compile took more than 2% of this young process's time: g waits
        waited = accel.tier(g)
        deadline = time.process_time() + 20
        while accel.tier(g) == 0 and time.process_time() < deadline:
            end = time.process_time() + 0.05
            while time.process_time() < end:  # the program runs on (a module-level loop: not compiled)
                pass
            for i in range(100):
                g(i)
        print(first, waited, accel.tier(g), accel.stats()["compiles_deferred"] >= 1)
        print(f"compiles took {share:.1%} of the process's time when g came", file=__import__("sys").stderr)
    """)
    proc = run_python(["-c", prog], timeout=60)
    assert proc.stdout.strip() == "1 0 1 True", proc.stderr


def test_code_out_of_direct_call_reach_is_made_again_with_register_calls():
    """Helper calls are `call rel32` while the arena lies within 2 GB of the C code; when code lands out of
    reach (simulated: its first link fails), it is generated again calling through registers, and so is all code
    after it -- the function still runs as machine code, with the right results."""
    prog = textwrap.dedent("""
        import accel
        from accel.bjit import codegen, compiler, lazy_place
        from accel.runtime import core
        accel.install(bjit_threshold=0)
        lazy_place.applies = lambda rt, code: False  # (C's placing declines code out of reach by itself)
        real_link = core().place_link
        failed = []
        def place_link(code, base, externals):
            if not failed:
                failed.append(base)
                raise OverflowError("rel32 out of reach (simulated)")
            return real_link(code, base, externals)
        core().place_link = place_link
        def f(n):
            t = 0
            for i in range(n):
                t += i * 3 % 7
            return t
        def g(x):
            return f(x) + len(str(x))
        print(g(100), accel.tier(f), accel.tier(g), codegen.near_calls[0], accel.stats()["bjit_far_calls"],
              len(failed))
        import io, contextlib
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            accel.dis(f)
        print("call   r11" in out.getvalue() or "41ffd3" in out.getvalue())
    """)
    proc = run_python(["-c", prog])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(sum(i * 3 % 7 for i in range(100)) + 3), "1", "1", "False", "1", "1",
                                   "True"], proc.stdout + proc.stderr


def test_a_builtin_shadowed_by_a_new_global_after_specialization():
    """LOAD_GLOBAL of a builtin in a module whose globals change all the time (their version does) trusts the
    globals' keys version for the name's absence -- CPython's specializer gave them one while the function ran in
    the interpreter -- and must notice the new global that shadows the builtin (an insertion resets it)."""
    prog = textwrap.dedent("""
        counter = 0
        def f(x):
            global counter
            counter += 1
            return len(x)
        out = []
        for i in range(200):
            out.append(f("abc"))
            if i == 150:
                globals()["len"] = lambda x: -1
        import accel
        print(out[148:153], counter, accel.tier(f))
    """)
    proc = run_python(["-c", prog], env=clean_env(ACCEL="1", ACCEL_COMPILE_BUDGET="0"), timeout=60)
    assert proc.stdout.strip() == "[3, 3, 3, -1, -1] 200 1", proc.stderr


def _fresh(source: str, name: str):
    namespace = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent(source), namespace)
    return namespace[name]


def _first_unit_of(fn, opname: str) -> int:
    import dis

    return next(i.offset // 2 for i in dis.get_instructions(fn) if i.opname == opname)


def test_an_operator_reads_its_first_operand_from_the_local_it_was_copied_from(installed):
    """`a + b` (LOAD_FAST a; LOAD_FAST b; BINARY_OP): the inline path reads a from the local, not from the stack
    slot LOAD_FAST stored it in two instructions before (a load that would wait for that store), and b from the
    register LOAD_FAST b just stored.  With anything but such pushes in between (a walrus: COPY, STORE_FAST),
    the slot."""
    from accel.bjit import disasm
    from accel.bjit.codegen import Runtime, generate
    from accel.ir import build

    def operand_loads(fn) -> list[str]:
        code = fn.__code__
        machine = generate(build(code), code, Runtime.load(), 0).code
        loads = [asm for _, _, asm in disasm.decode(machine, 0) if asm.startswith(("mov rdi,", "mov rsi,"))]
        first = next(k for k, asm in enumerate(loads) if asm.startswith("mov rsi,"))  # (BINARY_OP's first load)
        return loads[first:first + 2]

    local_a = "mov rdi,QWORD PTR [rbp-0x38]"  # localsplus[0]
    slot_0 = "mov rdi,QWORD PTR [rbp-0x28]"  # the value stack's bottom (2 locals)
    plain = _fresh("""
        def f(a, b):
            return a + b
    """, "f")
    assert operand_loads(plain)[:2] == ["mov rsi,rax", local_a]
    stored_between = _fresh("""
        def g(a, b):
            return a + (b := 2)
    """, "g")
    assert operand_loads(stored_between)[:2] == ["mov rsi,QWORD PTR [rbp-0x20]", slot_0]
    accel.install(bjit_threshold=0)
    assert plain(2, 3) == 5 and plain(2.5, 1) == 3.5 and plain("x", "y") == "xy" and accel.tier(plain) == 1


def test_a_load_attr_result_reaches_the_next_instruction_in_a_register(installed):
    """LOAD_ATTR leaves its result in r13 on every path to its end (the inline hit, the owner's deallocation, the
    helper's miss path), so the STORE_FAST after it takes r13 instead of loading the slot just stored; and a
    site that misses gives the right value all the same."""
    from accel.bjit import disasm
    from accel.bjit.codegen import Runtime, generate
    from accel.ir import build

    fn = _fresh("""
        def f(p):
            t = p.x
            return t
    """, "f")
    code = fn.__code__
    listing = [asm for _, _, asm in disasm.decode(generate(build(code), code, Runtime.load(), 0).code, 0)]
    assert "mov rax,r13" in listing

    class P:
        def __init__(self, x):
            self.x = x

    class Q:
        __slots__ = ("x",)

        def __init__(self, x):
            self.x = x

    accel.install(bjit_threshold=0)
    assert [fn(P(1)), fn(Q(2)), fn(P(3)), fn(Q("q"))] == [1, 2, 3, "q"] and accel.tier(fn) == 1


def test_builtin_call_sites_call_the_c_function_inline(installed):
    """A call site CPython quickened for a builtin (id(x), isinstance(x, t), divmod, len) or a method descriptor
    (d.get(x), d.keys()) calls the C function from the machine code itself; the same site given something else
    -- a Python function in the builtin's place, a builtin that raises -- gets the generic CALL."""
    import builtins

    from accel.bjit import disasm
    from accel.bjit.codegen import Runtime, generate
    from accel.ir import build

    accel.install(bjit_threshold=100_000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        def f(x):
            d = {x: 1}
            return id(x), isinstance(x, int), divmod(x, 7), len(str(x)), d.get(x), len(d.keys())
    """), ns)
    f = ns["f"]
    for k in range(60):
        f(k)
    code = f.__code__
    listing = [asm for _, _, asm in disasm.decode(generate(build(code), code, Runtime.load(), 0).code, 0)]
    # id, isinstance, divmod, len (twice); d.get (METH_FASTCALL), d.keys (METH_NOARGS): method descriptors
    assert listing.count("call r11") == 7, listing.count("call r11")
    assert accel.compile(f) == 1 and accel.tier(f) == 1
    value = 10**30
    assert f(value) == (id(value), True, divmod(value, 7), 31, 1, 1)
    assert f(3.5) == (id(3.5), False, divmod(3.5, 7), 3, 1, 1)
    try:
        f("x")
    except TypeError as exc:
        assert "unsupported operand" in str(exc)
    else:
        raise AssertionError("divmod('x', 7) must raise")
    ns["divmod"] = lambda a, b: ("python", a, b)  # a global shadowing the builtin at the same site
    assert f(9) == (id(9), True, ("python", 9, 7), 1, 1, 1)
    del ns["divmod"]
    original_len = builtins.len
    builtins.len = lambda s: -1  # monkeypatched builtins
    try:
        assert f(5)[3] == -1
    finally:
        builtins.len = original_len
    assert f(5) == (id(5), True, (0, 5), 1, 1, 1) and accel.tier(f) == 1


def test_python_function_call_sites_enter_the_callee_straight(installed):
    """A CALL whose PRECALL CPython quickened as PRECALL_PYFUNC calls accel_op_call_exact, whose fast case is the
    callee's code of last time (any function object with that code, defaults filling the missing arguments);
    an unquickened site calls the generic helper.  Either way, every callee gets its own answer."""
    from accel.bjit.codegen import Runtime, generate
    from accel.ir import build

    accel.install(bjit_threshold=100_000)
    source = """
        def caller(g, x):
            return g(x, 1)
    """

    def helpers_called(fn) -> set[str]:
        rt = Runtime.load()
        targets = {target for _, target in generate(build(fn.__code__), fn.__code__, rt, 0).externals}
        from accel.bjit.glue import enter_name

        return {name for name in ("call", "call_py", "call_exact")
                if {rt.symbols[name], rt.symbols[enter_name(name)]} & targets}

    def make(k):
        def callee(a, b, c=k):
            return a * 100 + b * 10 + c

        return callee

    cold = _fresh(source, "caller")
    assert helpers_called(cold) == {"call"}
    warm = _fresh(source, "caller")
    first = make(5)
    for _ in range(60):
        warm(first, 1)
    assert helpers_called(warm) == {"call_exact"}
    assert accel.compile(first) == 1 and accel.compile(warm) == 1 and accel.tier(warm) == 1
    direct_before = accel.stats()["calls_direct"]
    assert [warm(make(k), 2) for k in range(4)] == [210, 211, 212, 213]  # fresh closures, same code
    assert accel.stats()["calls_direct"] >= direct_before + 3
    assert warm(lambda a, b: (a, b), 3) == (3, 1)
    assert warm(max, 7) == 7
    assert warm(first, 4) == 415


def test_quickened_instructions_choose_which_cases_are_inline(installed):
    """CPython's specialised BINARY_OP / LOAD_ATTR (feedback.py) leave one case inline: smaller code, and a site
    that later sees other types still gets the right answers from the out-of-line paths."""
    from accel.bjit.feedback import ALL_NUMERIC, Feedback

    accel.install(bjit_threshold=100_000)
    source = """
        def f(a, b, o):
            return (a + b) * (a - b) / (b or 1) + o.x
    """

    class P:
        def __init__(self, x):
            self.x = x

    sizes = {}
    for kind, args in (("none", None), ("int", (3, 4)), ("float", (1.5, 2.5))):
        fn = _fresh(source, "f")
        for _ in range(0 if args is None else 60):
            fn(*args, P(1))
        feedback = Feedback(fn.__code__)
        unit = _first_unit_of(fn, "BINARY_OP")
        expected = ALL_NUMERIC if args is None else (kind,)
        assert feedback.binary_op_kinds(unit) == expected
        assert feedback.attr_kinds(_first_unit_of(fn, "LOAD_ATTR")) == ("values",)  # (silent: the commonest)
        assert accel.compile(fn) == 1 and accel.tier(fn) == 1
        sizes[kind] = accel.info(fn)["jit_size"]
        for a, b in ((3, 4), (1.5, 2.5), (2, 0.5), (0.25, 4), (2**70, 3), ("x", "y"), (7, 0), (7.0, 0.0)):
            try:
                expected_value = (a + b) * (a - b) / (b or 1) + 1
            except TypeError as e:
                expected_value = repr(e)
            try:
                value = fn(a, b, P(1))
            except TypeError as e:
                value = repr(e)
            assert value == expected_value, (kind, a, b)
        assert accel.tier(fn) == 1
    assert sizes["int"] < 0.85 * sizes["none"] and sizes["float"] < 0.85 * sizes["none"], sizes
    accel.install(bjit_threshold=100_000, type_feedback=False)  # ACCEL_TYPE_FEEDBACK=0: every case everywhere
    fn = _fresh(source, "f")
    for _ in range(60):
        fn(3, 4, P(1))
    assert accel.compile(fn) == 1 and accel.info(fn)["jit_size"] == sizes["none"]
    assert fn(2, 0.5, P(1)) == (2 + 0.5) * (2 - 0.5) / 0.5 + 1


def test_compiled_callers_make_coroutines_directly(installed):
    """A compiled call of a compiled coroutine function makes the coroutine itself (no trip through the hook and
    the interpreter for RETURN_GENERATOR); with coroutine origin tracking on, CPython makes it (cr_origin)."""
    accel.install(bjit_threshold=1000)
    ns: dict = {"__name__": "tests.bjit_generated"}
    fib = _compiled("""
        async def fib(n):
            if n <= 1:
                return n
            return await fib(n - 1) + await fib(n - 2)
    """, "fib", ns)
    make = _compiled("""
        def make(n):
            return fib(n)
    """, "make", ns)

    def run(coro):
        with pytest.raises(StopIteration) as stop:
            coro.send(None)
        return stop.value.value

    assert accel.tier(fib) == 1
    before = core().counters()["generators_made_direct"]
    coro = make(10)
    assert type(coro).__name__ == "coroutine" and coro.cr_origin is None
    assert run(coro) == 55
    assert core().counters()["generators_made_direct"] - before == 177  # every fib() call of fib(10)
    sys.set_coroutine_origin_tracking_depth(1)
    try:
        before = core().counters()["generators_made_direct"]
        coro = make(1)
        assert coro.cr_origin is not None and core().counters()["generators_made_direct"] == before
        assert run(coro) == 1
    finally:
        sys.set_coroutine_origin_tracking_depth(0)


def test_a_spent_budget_holds_hot_code_back_without_calling_the_compiler():
    """After a compile is put off, the budget says how long until it allows the next (core.defer's wait): until
    then code past its threshold does not call into the compiler at all; after it, the next calls compile.
    Deferrals double a threshold at most twice."""
    prog = textwrap.dedent("""
        import time, accel
        from accel.runtime import core
        accel.install(bjit_threshold=4, compile_budget=0)
        def g(x):
            return x + 1
        g(0)
        c = core()
        for _ in range(10):
            c.defer(g.__code__, 0)  # (deferrals are capped: the threshold is at most 4 << 2)
        c.defer(g.__code__, 300_000_000)  # the budget is spent for 0.3 s
        requests = c.counters()["compile_requests"]
        start = time.monotonic()
        for i in range(200):
            g(i)
        held = accel.tier(g), c.counters()["compile_requests"] - requests, time.monotonic() - start < 0.3
        time.sleep(0.35)
        for i in range(4 << 2):
            g(i)
        print(held, accel.tier(g))
    """)
    proc = run_python(["-c", prog], timeout=60)
    assert proc.stdout.strip() == "(0, 0, True) 1", proc.stdout + proc.stderr


def test_inline_paths_keep_reference_counts_balanced(installed):
    """IS_OP, list.append, LIST_APPEND, list[i] = v, surely-bound locals and float results written in place:
    compiled with CPython's feedback, each object's reference count is back where it was afterwards."""
    accel.install(bjit_threshold=20)
    ns: dict = {"__name__": "tests.bjit_generated"}
    exec(textwrap.dedent("""
        def work(o, xs, n):
            t = 0.0
            for i in range(n):
                if o is not None and o is not xs:
                    xs.append(o)
                xs[0] = o
                ys = [o for _ in range(3)]
                t = (t + 1.5) * 2.0 - (t - 0.5) / 4.0
            del xs[:]
            return t, ys is None
    """), ns)
    work = ns["work"]
    o, xs = object(), [None]
    for _ in range(30):  # interpreted first: CPython quickens it, then tier 1 compiles it with that feedback
        work(o, xs, 3)
    assert accel.tier(work) == 1
    before = sys.getrefcount(o), sys.getrefcount(xs)
    for _ in range(200):
        result = work(o, xs, 10)
    assert (sys.getrefcount(o), sys.getrefcount(xs)) == before and result[1] is False


def test_the_compilers_own_frames_are_not_counted_as_the_programs():
    """`frames seen by the hook` counts the program's frames: an automatic compile runs thousands of the
    compiler's Python frames through the hook, which are not the program's."""
    prog = textwrap.dedent("""
        import accel
        from accel.runtime import core
        accel.install(bjit_threshold=5, compile_budget=0)
        def f(x):
            return x + 1
        f(0)  # (the first call creates the code's state)
        before = core().counters()["frames_seen"]
        for i in range(20):
            f(i)
        print(accel.tier(f), core().counters()["frames_seen"] - before)
    """)
    proc = run_python(["-c", prog], timeout=60)
    tier, seen = map(int, proc.stdout.split())
    assert tier == 1 and seen <= 40, proc.stdout + proc.stderr  # (f, and accel.tier's own few; thousands before)

def test_an_attribute_site_takes_its_owner_from_the_register_the_push_used():
    """The owner an attribute site reads is the slot the LOAD_FAST just before it stored: the load must stay right
    after that store for the assembler to make it a register move (x86.py, Assembler.mov).  Putting anything in
    between (the site's cache address, once) makes every attribute access wait for store forwarding."""
    from accel.bjit import disasm
    from accel.bjit.codegen import Runtime, generate
    from accel.ir import build

    for source in ("def f(p):\n    return p.x\n", "def f(p):\n    return p.m()\n", "def f(p, v):\n    p.x = v\n"):
        fn = _fresh(source, "f")
        code = fn.__code__
        listing = [asm for _, _, asm in disasm.decode(generate(build(code), code, Runtime.load(), 0).code, 0)]
        first_site = next(i for i, asm in enumerate(listing) if asm.startswith("mov ecx,") or "movabs rcx," in asm)
        push = max(i for i in range(first_site) if listing[i].startswith("mov QWORD PTR [rbp"))
        assert listing[push + 1] == "mov rdi,rax", (source, listing[push:first_site + 1])


def test_helper_calls_go_through_the_shared_glue_and_still_decline_and_raise(installed):
    """A generic helper call is a call-site word and two calls into glue made once per process (glue.py), not
    ~110 bytes of set-up, checks and stubs at every site; a helper that declines (an instruction it leaves to the
    interpreter) or raises still ends the machine code exactly as before."""
    from accel.bjit.codegen import Runtime, generate
    from accel.bjit.glue import after_name, enter_name
    from accel.ir import build

    fn = _compiled("""
        def f(a, b):
            return a[b] + b
    """, "f")
    code = fn.__code__
    rt = Runtime.load()
    targets = {target for _, target in generate(build(code), code, rt, 0).externals}
    assert {rt.symbols[enter_name("binary_op")], rt.symbols[after_name("tracing")]} <= targets
    assert rt.symbols["binary_op"] not in targets  # (the helper itself only through its glue)
    assert accel.compile(fn) == 1 and accel.tier(fn) == 1
    assert fn({1: 2}, 1) == 3
    assert fn([10, 20], 1) == 21 and fn({"k": "v"}, "k") == "vk"
    with pytest.raises(TypeError):
        fn({1: "s"}, 1)  # str + int: the helper raises, the error exit unwinds in the interpreter
    with pytest.raises(KeyError):
        fn({}, 5)
    assert accel.tier(fn) == 1


def test_machine_code_stays_small():
    """Bytes of machine code per bytecode instruction over every function of a few stdlib modules compiled whole:
    the fast paths inline, slow paths and exits shared (glue.py).  147 bytes per instruction on the real-world list
    before session 10; about 70 after."""
    from accel.bjit.codegen import Runtime, data_size, generate
    from accel.ir import build
    from tests.conftest import module_codes

    rt = Runtime.load()
    total = instructions = 0
    for co in module_codes(["json.decoder", "textwrap", "string", "fractions"]):
        if not co.co_flags & 0x2 or co.co_flags & 0x2A0:  # functions, no generators or coroutines
            continue
        fn = build(co)
        result = generate(fn, co, rt, core().alloc_jit_data(co, data_size(fn, rt)))
        total += len(result.code)
        instructions += fn.n_instructions
    assert total / instructions < 85, total / instructions


def test_frame_operands_take_one_byte_displacements_where_the_frame_fits(installed):
    """registers.py: the frame register points 128 bytes into the frame, so a function whose locals and stack
    slots all lie within a signed byte of it (narrow) reads and writes them with one-byte displacements -- a
    LOAD_FAST is 11 bytes -- and a wider one (32 locals) with four-byte ones (17 bytes); both compute right."""
    from accel.bjit.codegen import Runtime, generate
    from accel.ir import build

    narrow = _fresh("""
        def f(a, b):
            c = a
            return c, b
    """, "f")
    wide = _fresh("def g(a, b):\n" + "".join(f"    x{k} = a + {k}\n" for k in range(30)) + "    return x29, b\n", "g")

    def first_load_size(fn) -> int:  # machine-code bytes of the first LOAD_FAST (of argument a)
        code = fn.__code__
        ir = build(code)
        result = generate(ir, code, Runtime.load(), 0)
        starts = sorted(result.offsets)
        index = next(i for i in range(ir.n_instructions) if ir.records[i * 8] == dis.opmap["LOAD_FAST"])
        k = next(k for k, (_, i) in enumerate(starts) if i == index)
        return starts[k + 1][0] - starts[k][0]

    assert first_load_size(narrow) == 11
    assert first_load_size(wide) == 17
    accel.install(bjit_threshold=0)
    for _ in range(3):
        assert narrow(1, 2) == (1, 2) and wide(1, 2) == (30, 2)
    assert accel.tier(narrow) == 1 and accel.tier(wide) == 1


def test_every_op_helper_gets_glue_wherever_the_shim_is_mapped():
    """Helpers are told from the symbol table's sizes by name: under valgrind the shim lies below 4 GiB, and an
    address test left every helper without its `enter_` glue (every compile failed with KeyError)."""
    from accel.bjit.codegen import Runtime, op_helpers

    symbols = core().bjit_symbols()
    helpers = op_helpers(symbols)
    assert "load_global" in helpers and "call" in helpers
    assert not any(name.endswith("_size") for name in helpers) and "_Py_Dealloc" not in helpers
    low = {name: (index + 1) * 4096 for index, name in enumerate(symbols)}  # every address below 4 GiB
    assert op_helpers(low) == helpers
    assert all(f"enter_{name}" in Runtime.load().symbols for name in helpers)
