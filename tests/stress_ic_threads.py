"""Stress test: 8 threads over shared polymorphic attribute sites while other threads change the classes.

Usage: ACCEL=1 python tests/stress_ic_threads.py [--seconds N]   (tests/test_ic.py runs it for a few seconds;
the inline-cache issue's closing note quotes a 60-second run).

Every value read is checked against what it may be at that moment (a class attribute or method is one of the
two it is switched between; an attribute a thread wrote to its own object reads back exactly), and the sites are
checked to have really grown executable slots and been rewritten while the threads ran.  The switch interval is
tiny so that threads change hands inside the loops all the time; methods sometimes sleep (releasing the GIL)
while other threads rewrite the very sites that called them.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import types


class Base:
    shared = "s0"

    def method(self):
        return "base"


class A(Base):
    def __init__(self):
        self.own = 0


class B(Base):
    def __init__(self):
        self.pad = None
        self.own = 0


class C(Base):
    __slots__ = ("own",)

    def __init__(self):
        self.own = 0


class D(Base):
    def __init__(self):
        self.own = 0
        self.__dict__  # noqa: B018  a materialised dict: methods are looked up past it


class A2(Base):
    def __init__(self):
        self.own = 0


SHARED_VALUES = {"s0", "s1", "B-own", "C-own"}
METHOD_RESULTS = {"base", "base2", "B.method", "C.method", "sleepy"}
modules = [types.ModuleType(f"mod{i}") for i in range(3)]
for m in modules:
    m.value = "v0"


def read_shared(o):
    return o.shared


def call_method(o):
    return o.method()


def store_and_read(o, v):
    o.own = v
    return o.own


def read_module(m):
    return m.value


def sleepy(self):
    time.sleep(0)  # releases the GIL while the calling site may be rewritten
    return "sleepy"


errors: list[str] = []
iterations = [0] * 8
stop = threading.Event()


def worker(k: int) -> None:
    mine = [A(), B(), C(), D(), A2()]
    shared = shared_objects
    n = 0
    try:
        while not stop.is_set():
            for o in shared:
                v = read_shared(o)
                if v not in SHARED_VALUES:
                    errors.append(f"thread {k}: {type(o).__name__}.shared = {v!r}")
                r = call_method(o)
                if r not in METHOD_RESULTS:
                    errors.append(f"thread {k}: {type(o).__name__}.method() = {r!r}")
            for i, o in enumerate(mine):
                want = k * 1_000_000 + n * 10 + i
                got = store_and_read(o, want)
                if got != want:
                    errors.append(f"thread {k}: {type(o).__name__}.own = {got!r}, wrote {want!r}")
            for m in modules:
                if read_module(m) not in ("v0", "v1"):
                    errors.append(f"thread {k}: module value {read_module(m)!r}")
            n += 1
            if len(errors) > 20:
                return
    except BaseException as e:  # noqa: BLE001
        errors.append(f"thread {k}: {type(e).__name__}: {e}")
    iterations[k] = n


def mutator() -> None:
    flip = 0
    while not stop.is_set():
        flip ^= 1
        Base.shared = f"s{flip}"
        if flip:
            B.shared = "B-own"
            C.method = lambda self: "C.method"
            Base.method = lambda self: "base2"
            A.method = sleepy
        else:
            del B.shared
            del C.method
            Base.method = lambda self: "base"
            del A.method
        for m in modules:
            m.value = f"v{flip}"
        for o in shared_objects:  # __class__ assignment between layout-compatible classes
            if type(o) is A:
                o.__class__ = A2
            elif type(o) is A2:
                o.__class__ = A
        time.sleep(0.0005)


shared_objects = [A(), B(), C(), D(), A2()] * 3


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    sys.setswitchinterval(1e-5)
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    threads.append(threading.Thread(target=mutator))
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    if errors:
        print("\n".join(errors[:20]))
        print("FAILED")
        return 1
    slots = rewrites = 0
    if "accel._core" in sys.modules:
        from accel.runtime import core

        for fn in (read_shared, call_method, store_and_read):
            for ic in core().ic_describe(fn.__code__):
                slots += len(ic["slots"])
                rewrites += ic["rewrites"]
        if slots == 0 or rewrites < 4:
            print(f"FAILED: the sites did not grow slots ({slots} slots, {rewrites} rewrites)")
            return 1
    print(f"ok: {sum(iterations)} rounds over 8 threads, {slots} slots at the end, {rewrites} rewrites")
    return 0


if __name__ == "__main__":
    sys.exit(main())
