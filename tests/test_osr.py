"""On-stack replacement (csrc/osr.c): a call that loops long in the interpreter moves into machine code at a loop
back-edge.  Each program runs under plain CPython and under accel (thresholds high, so nothing compiles the usual
way, and OSR after one watchdog tick); the outputs must be identical, and accel's counters must show the moves."""

from __future__ import annotations

import json
import textwrap

from tests.conftest import clean_env, run_python

ACCEL_HEADER = """
import accel, json, sys
accel.install(bjit_threshold=100000, compile_budget=0, osr_us=1)
ACCEL = True
"""
PLAIN_HEADER = "\nimport json, sys\n\nACCEL = False\n"  # as many lines: the same line numbers
REPORT = """
if ACCEL:
    stats = accel.stats()
    print(json.dumps({k: v for k, v in stats.items() if k.startswith("osr_")}), file=sys.stderr)
"""


def run_both(body: str) -> tuple[str, dict[str, int], str]:
    """(stdout, osr counters, stderr) of `body` under accel, after checking that plain CPython prints the same."""
    body = textwrap.dedent(body)
    plain = run_python(["-c", PLAIN_HEADER + body], timeout=120)
    accelerated = run_python(["-c", ACCEL_HEADER + body + REPORT], timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert accelerated.returncode == 0, accelerated.stderr
    assert accelerated.stdout == plain.stdout
    counters = json.loads(accelerated.stderr.strip().splitlines()[-1])
    return accelerated.stdout, counters, accelerated.stderr


LOOPS = """
import sys, traceback

def for_loop(n):
    t = 0
    for i in range(n):
        t += i % 7
    return t

def while_loop(n):                      # POP_JUMP_BACKWARD_IF_TRUE at the bottom
    t = 0
    i = 0
    while i < n:
        t += i & 3
        i += 1
    return t

def nested(rows):                       # two iterators on the stack at the inner loop's header
    t = 0
    for row in rows:
        for x in row:
            t += x
    return t

def try_in_body(n):                     # a handler inside the body; the loop header is not covered
    t = 0
    for i in range(n):
        try:
            if i % 1000 == 999:
                raise ValueError(i)
            t += 1
        except ValueError:
            t += 2
    return t

def loop_in_try(n):                     # covered by a handler where the interpreter would look: stays
    t = 0
    try:
        for i in range(n):
            t += i
    finally:
        print("finally", t)
    return t

def raises_late(n):                     # an exception after the move: the same traceback
    t = 0
    for i in range(n):
        t += i
        if i == n - 1:
            t / 0

def keeps_locals(n):
    d = {}
    for i in range(n):
        d[i % 10] = i
    return sorted(locals()), d

def gen(n):                             # generators are never moved
    for i in range(n):
        yield i

rows = [list(range(300)) for _ in range(5000)]
before = [sys.getrefcount(r) for r in rows[:3]] + [sys.getrefcount(rows)]
print(for_loop(2000000), while_loop(2000000), nested(rows), try_in_body(1000000), loop_in_try(2000000))
print(before == [sys.getrefcount(r) for r in rows[:3]] + [sys.getrefcount(rows)])
try:
    raises_late(2000000)
except ZeroDivisionError:
    print(traceback.format_exc())
print(keeps_locals(1000000))
print(sum(gen(300000)))
namespace = {}
exec(compile("total = 0\\nfor k in range(400000):\\n    total += k\\n", "<toplevel>", "exec"), namespace)
print(namespace["total"])
if ACCEL:
    print([accel.tier(f) for f in (for_loop, while_loop, nested, try_in_body, raises_late, keeps_locals)],
          file=sys.stderr)
"""


def test_long_calls_move_into_machine_code_at_a_loop_and_give_the_same_results() -> None:
    out, counters, err = run_both(LOOPS)
    assert "ZeroDivisionError" in out and "in raises_late" in out
    assert "[1, 1, 1, 1, 1, 1]" in err, err
    # for, while, nested, try_in_body, raises_late, keeps_locals, the exec'd module-level loop (+ the list
    # comprehension making `rows`, when it runs long)
    assert counters["osr_entered"] >= 7, counters
    # loop_in_try (its code is compiled, the frame stays); on a loaded machine sometimes one more (CI once saw 2:
    # the watchdog's timing decides which frames it catches, and where)
    assert 1 <= counters["osr_declined"] <= 2, counters


MODULE_LEVEL = """
import builtins

class Namespace(dict):                  # exec's locals: any mapping, its methods seen by LOAD_NAME/STORE_NAME
    def __getitem__(self, key):
        self.reads = getattr(self, "reads", 0) + 1
        return dict.__getitem__(self, key)

code = sys._getframe().f_code
total = 0
for i in range(1500000):                 # the program's own module body: LOAD_NAME / STORE_NAME
    total += i % 7
    if i == 1499999:
        last = len(str(i))
print(total, last)

class Body:                             # a class body's loop
    acc = 0
    for j in range(800000):
        acc += j & 5
    del j
print(Body.acc, hasattr(Body, "j"))

ns = Namespace(start=3)
exec("t = start\\nfor k in range(600000):\\n    t += k % 3\\ndel k\\n", {"__builtins__": builtins}, ns)
print(ns["t"], ns.reads > 600000, "k" in ns)

try:
    for n in range(2000000):            # a NameError raised in machine code: the same message and name
        if n == 1999999:
            print(not_defined_anywhere)
except NameError as e:
    print(e, e.name)
try:
    for n in range(2000000):
        if n == 1999999:
            del not_defined_either
except NameError as e:
    print(e, e.name)
if ACCEL:
    print("module tier", accel.tier(code), file=sys.stderr)
"""


def test_module_and_class_body_loops_move_into_machine_code() -> None:
    """The program's own module body: accel is installed before it starts (ACCEL=1), as users run scripts."""
    body = textwrap.dedent(MODULE_LEVEL)
    plain = run_python(["-c", PLAIN_HEADER + body], timeout=120)
    env = clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="100000", ACCEL_COMPILE_BUDGET="0", ACCEL_OSR_US="1")
    accelerated = run_python(["-c", "\nimport accel, json, sys\n\nACCEL = True\n" + body + REPORT], env=env,
                             timeout=120)
    assert plain.returncode == 0 and accelerated.returncode == 0, plain.stderr + accelerated.stderr
    assert accelerated.stdout == plain.stdout
    assert "name 'not_defined_anywhere' is not defined not_defined_anywhere" in plain.stdout
    assert "module tier 1" in accelerated.stderr, accelerated.stderr
    counters = json.loads(accelerated.stderr.strip().splitlines()[-1])
    # the module body (its first loop; the later ones run on in machine code), the class body, the exec'd code
    assert counters["osr_entered"] >= 3, counters


def test_a_loop_moved_into_machine_code_still_gets_keyboard_interrupt() -> None:
    prog = textwrap.dedent("""
        import _thread, threading, accel
        accel.install(bjit_threshold=100000, compile_budget=0, osr_us=1)
        def spin():
            n = 0
            while True:
                n += 1
        threading.Timer(0.3, _thread.interrupt_main).start()
        try:
            spin()
        except KeyboardInterrupt:
            print("interrupted", accel.tier(spin), accel.stats()["osr_entered"])
    """)
    proc = run_python(["-c", prog], timeout=60)
    assert proc.stdout.strip() == "interrupted 1 1", proc.stderr


def test_no_move_with_osr_off_or_on_other_threads() -> None:
    prog = textwrap.dedent("""
        import threading, accel, sys
        accel.install(bjit_threshold=100000, compile_budget=0, osr_us=int(sys.argv[1]))
        def loop(n):
            t = 0
            for i in range(n):
                t += i
            return t
        def other(n):
            t = 0
            for i in range(n):
                t += i
            out.append(t)
        out = []
        if sys.argv[1] == "0":
            out.append(loop(400000))
        th = threading.Thread(target=other, args=(400000,))
        th.start(); th.join()
        print(out, accel.tier(loop), accel.tier(other), accel.stats()["osr_entered"])
    """)
    off = run_python(["-c", prog, "0"], timeout=60)
    assert off.stdout.strip() == "[79999800000, 79999800000] 0 0 0", off.stderr
    on = run_python(["-c", prog, "1"], timeout=60)
    assert on.stdout.strip() == "[79999800000] 0 0 0", on.stderr


# A program prefix after which the OSR watchdog thread runs (a frame was watched), and `spin` loops.
WATCHDOG_RUNNING = textwrap.dedent("""
    import os, accel
    accel.install(bjit_threshold=100000, compile_budget=0, osr_us=1)
    def spin(n):
        t = 0
        for i in range(n):
            t += i
        return t
    spin(300000)
""")


def test_a_child_forked_from_a_thread_ends_when_that_thread_does() -> None:
    """The watchdog thread must never keep a process alive: in a child forked from a thread, that thread is the
    only one, and the process ends when it returns (the interpreter is not finalized, accel's atexit never runs)."""
    prog = textwrap.dedent("""
        import threading
        def worker():
            pid = os.fork()
            if pid:
                print("child exited with", os.waitpid(pid, 0)[1], flush=True)
                return
            spin(300000)  # the forking thread is the child's main thread: a watchdog starts there too
        w = threading.Thread(target=worker)
        w.start()
        w.join()
    """)
    proc = run_python(["-c", WATCHDOG_RUNNING + prog], timeout=60)
    assert proc.stdout.strip() == "child exited with 0", proc.stderr


def test_the_watchdog_thread_never_takes_the_programs_signals() -> None:
    """A signal sent to the process goes to a thread that does not block it: the watchdog blocks them all, so a
    program that blocks a signal and waits for it (sigtimedwait) still gets it."""
    prog = textwrap.dedent("""
        import signal
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
        os.kill(os.getpid(), signal.SIGUSR1)
        info = signal.sigtimedwait([signal.SIGUSR1], 5)
        print(info is not None and info.si_signo == signal.SIGUSR1)
    """)
    proc = run_python(["-c", WATCHDOG_RUNNING + prog], timeout=60)
    assert proc.stdout.strip() == "True", proc.stderr
