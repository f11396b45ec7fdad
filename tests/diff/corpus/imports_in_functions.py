"""Imports inside functions (stdlib, repeated, from-imports, importlib), module attributes, sys.modules."""

import sys


def use_json(obj):
    import json

    return json.dumps(obj, sort_keys=True)


def use_from_import(n):
    from math import factorial, sqrt

    return factorial(n), sqrt(n)


def use_alias():
    import collections.abc as cabc

    return isinstance([], cabc.Sequence), isinstance({}, cabc.Mapping)


for i in range(5):
    print(use_json({"i": i, "sq": [i] * i}), use_from_import(i), use_alias())


def conditional_import(flag):
    if flag:
        import textwrap as mod
    else:
        import string as mod
    return mod.__name__


print([conditional_import(i % 2 == 0) for i in range(4)])


def import_missing():
    try:
        import definitely_not_a_module_xyz  # noqa: F401
    except ImportError as e:
        return type(e).__name__, e.name
    return None


print(import_missing())


def from_import_missing():
    try:
        from math import no_such_function  # noqa: F401
    except ImportError as e:
        return str(e).split(" (")[0]
    return None


print(from_import_missing())


def importlib_usage():
    import importlib

    m = importlib.import_module("fractions")
    return m.Fraction(3, 9) + m.Fraction(1, 3)


print(importlib_usage())


def module_identity():
    import os.path
    import os.path as p2

    return os.path is p2, "os.path" in sys.modules


print(module_identity())


def patched_module_attr():
    import math

    orig = math.pi
    out = []
    for i in range(4):
        if i == 2:
            math.pi = 3
        out.append(math.pi)
    math.pi = orig
    return out


print(patched_module_attr())


def import_star_via_exec():
    ns = {}
    exec("from string import *", ns)
    return sorted(k for k in ns if not k.startswith("_"))[:5]


print(import_star_via_exec())


def fake_module():
    import types

    mod = types.ModuleType("fake_mod")
    exec("VALUE = 41\ndef get():\n    return VALUE + 1\n", mod.__dict__)
    sys.modules["fake_mod"] = mod
    import fake_mod

    r = fake_mod.get()
    fake_mod.VALUE = 0
    r2 = fake_mod.get()
    del sys.modules["fake_mod"]
    return r, r2


print(fake_module())


def dataclass_inside():
    from dataclasses import asdict, dataclass, field

    @dataclass(order=True)
    class Item:
        priority: int
        name: str = field(compare=False)
        tags: list = field(default_factory=list, compare=False)

    items = sorted([Item(3, "c"), Item(1, "a", ["x"]), Item(2, "b")])
    return [asdict(i) for i in items], Item(1, "z") == Item(1, "y")


print(dataclass_inside())


def enum_inside():
    import enum

    class Color(enum.Enum):
        RED = 1
        GREEN = 2
        BLUE = 3

    class Perm(enum.IntFlag):
        R = 4
        W = 2
        X = 1

    return [c.name for c in Color], Color(2), Color["BLUE"].value, Perm.R | Perm.W, 7 & Perm.X


print(enum_inside())


def decimal_fraction():
    from decimal import Decimal, getcontext
    from fractions import Fraction

    getcontext().prec = 30
    return str(Decimal(1) / Decimal(7)), Fraction(1, 3) + Fraction(1, 6), Decimal("0.1") * 3


print(decimal_fraction())


def heapq_bisect():
    import bisect
    import heapq

    h = []
    for v in [5, 1, 8, 3, 9, 2]:
        heapq.heappush(h, v)
    out = [heapq.heappop(h) for _ in range(3)]
    s = [1, 3, 5, 7]
    bisect.insort(s, 4)
    return out, heapq.nlargest(2, [4, 9, 1, 7]), s, bisect.bisect_left(s, 5)


print(heapq_bisect())


def re_usage():
    import re

    pat = re.compile(r"(\w+)@(\w+)\.com")
    text = "alice@example.com, bob@test.com; nope@bad.org"
    return pat.findall(text), re.sub(r"\d+", lambda m: str(int(m.group()) * 2), "a1b22c333")


print(re_usage())
print(__name__, sys.modules["__main__"].__name__, "json" in sys.modules)
