"""Deep recursion under accel behaves as in plain CPython or raises RecursionError: never a signal.

With a PEP 523 hook every Python call is a C call, so a program that raises sys.setrecursionlimit() runs out of C
stack long before Python's limit; the eval hook's C-stack guard (csrc/eval_hook.c) turns that into RecursionError.
Every program here runs in a subprocess, since the failure being tested is the process dying.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import clean_env, run_python

SETTINGS = {
    "hook only": {"ACCEL_MAX_TIER": "0"},
    "default thresholds": {},
    "compile at first call": {"ACCEL_BJIT_THRESHOLD": "0"},
}

DEEP = textwrap.dedent("""
    import sys
    sys.setrecursionlimit(100000)

    def f(n):
        return 0 if n == 0 else 1 + f(n - 1)

    try:
        print(f({depth}))
    except RecursionError as exc:
        print("RecursionError:", exc)
    print(f(1000))  # the program goes on as before
""")


def _run(source: str, **env: str):
    proc = run_python(["-c", source], env=clean_env(ACCEL="1", **env), timeout=300)
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {proc.stderr[-2000:]}"
    return proc


def _result_or_recursion_error(line: str, expected: str) -> None:
    assert line == expected or line.startswith("RecursionError: maximum recursion depth exceeded"), line


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_recursion_50000_deep_is_the_result_or_recursion_error(setting):
    proc = _run(DEEP.format(depth=50000), **SETTINGS[setting])
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 2, proc.stdout
    _result_or_recursion_error(lines[0], "50000")
    assert lines[1] == "1000"


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_uncaught_deep_recursion_is_a_traceback_not_a_crash(setting):
    source = textwrap.dedent("""
        import sys
        sys.setrecursionlimit(100000)

        def f(n):
            return 0 if n == 0 else 1 + f(n - 1)

        print(f(50000))
    """)
    proc = _run(source, **SETTINGS[setting])
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    if proc.returncode == 1:
        assert proc.stderr.rstrip().splitlines()[-1].startswith("RecursionError: maximum recursion depth exceeded")
    else:
        assert proc.stdout.splitlines()[0] == "50000"


def test_compiles_wait_for_a_shallower_call():
    """Compiling needs C stack too: a function first called deep down runs interpreted there, and is compiled at a
    later, shallower call."""
    source = textwrap.dedent("""
        import sys, accel
        sys.setrecursionlimit(100000)

        def g(n):
            return 0 if n == 0 else 1 + g(n - 1)

        def deep(n):
            try:
                return deep(n + 1)
            except RecursionError:
                return g(0), n  # (RecursionError again in the levels still too deep for g)

        print(deep(0)[1] > 1000, accel.tier(g))
        for _ in range(50):
            g(3)
        print(accel.tier(g))
    """)
    proc = _run(source, ACCEL_BJIT_THRESHOLD="0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["True", "0", "1"]


def test_a_compile_that_cannot_start_at_the_recursion_limit_is_retried():
    """At Python's own limit (no setrecursionlimit here) the compile callback cannot even start: that is not a
    compile failure, and the function is compiled at a later call (it was marked failed for good)."""
    source = textwrap.dedent("""
        import accel

        def g(n):
            return 0 if n == 0 else 1 + g(n - 1)

        def deep(n):
            try:
                return deep(n + 1)
            except RecursionError:
                return g(0), n

        print(deep(0)[1] > 900, accel.tier(g))
        for _ in range(50):
            g(3)
        print(accel.tier(g), accel.stats()["compile_callback_errors"])
    """)
    proc = _run(source, ACCEL_BJIT_THRESHOLD="0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["True", "0", "1", "0"]


THREADS = textwrap.dedent("""
    import sys, threading
    sys.setrecursionlimit(1000000)

    def f(n):
        return 0 if n == 0 else 1 + f(n - 1)

    def body(out):
        for depth in (10, 100, 1000, 100000):
            try:
                out.append(str(f(depth)))
            except RecursionError as exc:
                out.append(f"RecursionError: {{exc}}")

    threading.stack_size({size})
    out = []
    t = threading.Thread(target=body, args=(out,))
    t.start()
    t.join()
    print("\\n".join(out))
""")


def _check_thread_output(proc) -> None:
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 4, proc.stdout
    for line, depth in zip(lines, ("10", "100", "1000", "100000"), strict=True):
        _result_or_recursion_error(line, depth)
    assert lines[0] == "10"


@pytest.mark.parametrize("size", [32768, 256 * 1024, 1 << 20, 0])
def test_threads_guard_their_own_stacks_hook_only(size):
    """Threads have stacks of their own size (threading.stack_size; 0 is the default, RLIMIT_STACK here)."""
    _check_thread_output(_run(THREADS.format(size=size), ACCEL_MAX_TIER="0"))


@pytest.mark.parametrize("size", [256 * 1024, 1 << 20, 0])
@pytest.mark.parametrize("threshold", ["25", "0"])
def test_threads_guard_their_own_stacks_compiled(size, threshold):
    _check_thread_output(_run(THREADS.format(size=size), ACCEL_BJIT_THRESHOLD=threshold))


@pytest.mark.parametrize("size", [32768, 65536])
def test_threads_with_tiny_stacks_compiled(size):
    """Machine code's direct calls (csrc/bjit_entry.c run_machine_code) check the C stack too: with stacks this
    small the run between two hook entries would overflow it."""
    _check_thread_output(_run(THREADS.format(size=size), ACCEL_BJIT_THRESHOLD="0"))


def test_stack_limit_raised_at_run_time_is_used():
    """The main thread's bounds follow RLIMIT_STACK: a program that raises it recurses as deep as plain CPython."""
    source = textwrap.dedent("""
        import resource, sys
        soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
        want = 256 << 20
        if hard != resource.RLIM_INFINITY and hard < want:
            print(100000)  # (cannot raise it here: nothing to test)
            raise SystemExit
        sys.setrecursionlimit(1000000)

        def f(n):
            return 0 if n == 0 else 1 + f(n - 1)

        print(f(100))  # the bounds are read at the first call, under the old limit
        resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
        print(f(100000))
    """)
    for setting in SETTINGS.values():
        proc = _run(source, **setting)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.split()[-1] == "100000"
