"""Compiles leave no gc-tracked objects behind: programs that count gc.get_objects() (markupsafe's leak test,
CPython's own refleak hunting) must not see the compiler's work, whenever compiles happen.

Each program runs in a subprocess: the count is of the whole process.  The same program without accel (accel's
calls made no-ops) is the control: its counts must not move, or the harness itself leaks.
"""

from __future__ import annotations

import textwrap

from tests.conftest import clean_env, run_python

# 60 functions, each of its own size; 20 are compiled first (the compiler's modules imported, its one-time tables
# built), then each of the other 40 is compiled and run between two counts, which must be equal.
PROGRAM = textwrap.dedent("""
    import gc, sys

    if sys.argv[1] == "accel":
        import accel
        compile_now = accel.compile
    else:
        def compile_now(f):
            return 0

    # (each function its own size -- its IR its own number of blocks -- and its own frame layout, so the machine
    # code uses operands at offsets no earlier function used)
    def source(i):
        names = [f"v{k}" for k in range(i)]
        body = "".join(f"    {n} = a + {k}\\n    if {n} % 3 == 0:\\n        a += {n}\\n" for k, n in enumerate(names))
        return f"def f{i}(a, s='x'):\\n{body}    return (a, s * 2, {{'n': {i}}})\\n"

    namespace = {}
    for i in range(60):
        exec(source(i + 1), namespace)
    functions = [namespace[f"f{i + 1}"] for i in range(60)]

    def run(i):
        f = functions[i]
        for a in range(4):
            f(a)

    for i in range(60):
        run(i)
    for i in range(20):
        compile_now(functions[i])
        run(i)
    deltas = [0] * 40
    gc.collect()
    for j in range(40):
        i = 20 + j
        gc.collect()
        before = len(gc.get_objects())
        compile_now(functions[i])
        run(i)
        gc.collect()
        deltas[j] = len(gc.get_objects()) - before
    print(" ".join(map(str, deltas)))
    if sys.argv[1] == "accel":
        print(sum(accel.tier(f) for f in functions[20:]))
""")


def _deltas(mode: str, **env: str) -> tuple[list[int], str]:
    proc = run_python(["-c", PROGRAM, mode], env=clean_env(**env))
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    return [int(d) for d in lines[0].split()], "\n".join(lines[1:])


def test_the_harness_itself_leaves_nothing():
    deltas, _ = _deltas("plain")
    assert deltas == [0] * 40


def test_compiles_leave_no_gc_tracked_objects_behind(tmp_path):
    """(From an empty template cache: the first 20 compiles make the templates the others are placed from, by C,
    which keeps no Python object per compile -- nor does the driver keep their IR.)"""
    deltas, tiers = _deltas("accel", ACCEL="1", ACCEL_BJIT_THRESHOLD="1000000", ACCEL_BJIT_LOOP_THRESHOLD="1000000",
                            ACCEL_OSR_US="0", ACCEL_COMPILE_BUDGET="0", ACCEL_CACHE_DIR=str(tmp_path))
    assert tiers == "40"  # (every one of them was compiled)
    # (the first count may drop by an object or two the collector untracks then: fewer is no leak)
    assert max(deltas) == 0 and deltas[1:] == [0] * 39 and deltas[0] >= -4, deltas
