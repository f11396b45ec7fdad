"""Sites whose types change after CPython has specialised them (accel/bjit/feedback.py).

Each function first runs long enough, with one kind of operand, for the interpreter to quicken it (and, at a
threshold above zero, for tier 1 to compile it with only that case inline); then it gets every other kind.
Under ACCEL_BJIT_THRESHOLD=0 the same program checks the unspecialised code.  Float results written into
temporaries (an operand only the stack holds) must never change a value someone else can see."""

import sys


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Plain:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Sub(float):
    pass


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def div(a, b):
    try:
        return a / b
    except ZeroDivisionError as e:
        return f"ZeroDivisionError({e})"


def chain(a, b, c, d):
    # temporaries: (a - b) and (c - d) are held by the stack only, so their objects may hold the results
    return (a - b) * (c - d) + (a + b) / (c + d or 1)


def keeps_locals(a, b):
    s = a + b  # held by a local: must stay as it is
    t = s * 2.0
    u = s - t
    return s, t, u, s is t


def get_x(o):
    return o.x


def set_y(o, v):
    o.y = v
    return o.y


def module_attr():
    return sys.maxsize > 0


OPERANDS = [(3, 4), (-7, 2), (2**40, 3), (True, 2), (1.5, 2.25), (2.0, -0.0), (-0.0, 0.0), (1e308, 10.0),
            (float("inf"), float("-inf")), (3, 0.5), (0.25, 8), (Sub(1.5), 2.0), ("ab", "cd"), ([1], [2]),
            (5, 0), (5.0, 0), (0, 0.0), (2**31, 2**31)]


def show(fn, a, b):
    try:
        r = fn(a, b)
    except TypeError as e:
        r = f"TypeError({e})"
    print(fn.__name__, repr(a)[:12], repr(b)[:12], repr(r)[:60], type(r).__name__)


def warm(fn, a, b, n=60):
    for _ in range(n):
        try:
            fn(a, b)
        except TypeError:  # (str - str: the warm-up of an unsupported pair still quickens the other sites)
            pass


for fn in (add, sub, mul, div):
    for first in ((3, 4), (1.5, 2.5), ("x", "y")):  # each specialisation first, in a fresh copy of the function
        copy = type(fn)(fn.__code__.replace(), fn.__globals__, fn.__name__)
        warm(copy, *first)
        for a, b in OPERANDS:
            show(copy, a, b)

for first in ((1.0, 2.0, 3.0, 4.0), (1, 2, 3, 4)):
    c = type(chain)(chain.__code__.replace(), chain.__globals__, "chain")
    for _ in range(60):
        c(*first)
    for args in ((1.0, 2.0, 3.0, 4.0), (1, 2, 3, 4), (1.5, 2, 3, 4.5), (2**40, 1.0, 3, 2), (1, 1, 1, 1)):
        print("chain", args, repr(c(*args)))

x = 10.0
y = 0.5
for _ in range(60):
    keeps_locals(x, y)
print(keeps_locals(x, y), x, y)
print(keeps_locals(3, 4))

for first in (Plain(1, 2), Slotted(1, 2)):
    g = type(get_x)(get_x.__code__.replace(), get_x.__globals__, "get_x")
    s = type(set_y)(set_y.__code__.replace(), set_y.__globals__, "set_y")
    for _ in range(60):
        g(first)
        s(first, 5)
    p = Plain(3, 4)
    materialised = Plain(5, 6)
    materialised.__dict__["z"] = 7  # a real __dict__ now: the split values are gone
    q = Slotted(8, 9)
    for o in (first, p, materialised, q, Slotted(10, 11)):
        print("get_x", type(o).__name__, g(o), s(o, g(o) * 2), o.y)
    del q.x
    try:
        g(q)
    except AttributeError as e:
        print("AttributeError", e)
    Plain.x = property(lambda self: "class property")
    print("get_x after a property", g(p))
    del Plain.x

for _ in range(60):
    module_attr()
print("module_attr", module_attr())
sys.maxsize, saved = -1, sys.maxsize
print("module_attr patched", module_attr())
sys.maxsize = saved


# list.append specialised (PRECALL_NO_KW_LIST_APPEND), then other receivers
class Appender(list):
    def append(self, v):
        super().append(("sub", v))


class NotAList:
    def __init__(self):
        self.items = []

    def append(self, v):
        self.items.append(v)

    def __len__(self):
        return len(self.items)


def add_to(xs, v):
    xs.append(v)
    return len(xs)


def fresh_list_append(v):
    [].append(v)  # a temporary list: freed right after
    return v


def comprehension(n):
    return [i * i for i in range(n)]


import collections  # noqa: E402

for _ in range(60):
    add_to([], 1)
    fresh_list_append(2)
    comprehension(3)
grow = []
for i in range(100):  # through many re-allocations
    add_to(grow, i)
print("grow", len(grow), grow[:3], grow[-3:])
for xs in (Appender([1]), collections.deque([1]), NotAList(), [], list(range(10))):
    print(type(xs).__name__, add_to(xs, "v"), list(xs) if not isinstance(xs, NotAList) else xs.items)
try:
    add_to((), 1)
except AttributeError as e:
    print("AttributeError", e)
print(fresh_list_append("x"), comprehension(0), comprehension(20)[-1], len(comprehension(1000)))


# list[int] = v specialised (STORE_SUBSCR_LIST_INT), then other containers and indexes
class Loud:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("freed", self.tag)


class ListSub(list):
    def __setitem__(self, i, v):
        super().__setitem__(i, ("sub", v))


def set_item(xs, i, v):
    xs[i] = v
    return xs


for _ in range(60):
    set_item([0, 1, 2], 1, 5)
items = [Loud("a"), Loud("b")]
set_item(items, 0, "replaced")  # the old item is freed here
print(items[0])
for xs, i in (([1, 2, 3], 0), ([1, 2, 3], 2), ([1, 2, 3], -1), ({}, 0), ({}, "k"), (ListSub([1, 2]), 1),
              ([1, 2], True), ([0] * 40, 2**31 - 1 - (2**31 - 1) + 39)):
    print(type(xs).__name__, set_item(xs, i, "v"))
for xs, i in (([1], 5), ([1], 2**40), ((1, 2), 0), ([1], "x")):
    try:
        set_item(xs, i, "v")
    except (IndexError, TypeError) as e:
        print(type(e).__name__, e)
