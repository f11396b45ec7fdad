"""Microbenchmark kernels shared by the pyperf script (micro.py) and pytest-benchmark (test_micro.py).

Each kernel is a plain function taking one size argument; ``KERNELS`` maps a short name to
``(function, default_size)``. Sizes are chosen so one call takes a few milliseconds on CPython 3.11.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator


def fib(n: int) -> int:
    """Naive recursion: call overhead, compare, int add."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def inc(self, step: int) -> None:
        self.value += step

    def get(self) -> int:
        return self.value


def method_calls(n: int) -> int:
    """Bound method calls on a small Python object."""
    c = Counter()
    for i in range(n):
        c.inc(1)
        c.inc(i & 3)
    return c.get()


class Point:
    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y


def attributes(n: int) -> float:
    """Instance attribute loads and stores."""
    p = Point(1.0, 2.0)
    q = Point(0.5, 0.25)
    for _ in range(n):
        p.x = p.y + q.x
        p.y = p.x - q.y
        q.x = q.y
    return p.x + p.y


def int_arith(n: int) -> int:
    """Integer arithmetic loop (small ints, no overflow)."""
    total = 0
    for i in range(n):
        total = (total + i * 7 - (i >> 1)) % 1_000_003
    return total


def float_arith(n: int) -> float:
    """Float arithmetic loop."""
    x = 0.0
    y = 1.0
    for i in range(n):
        x = x * 0.5 + y * 1.25
        y = y - x * 0.125 + float(i & 7)
    return x + y


def list_comp(n: int) -> int:
    """List comprehensions with a filter."""
    total = 0
    for _ in range(n // 1000):
        squares = [i * i for i in range(1000) if i % 3]
        total += len(squares)
    return total


def _countdown(n: int) -> Iterator[int]:
    while n > 0:
        yield n
        n -= 1


def generator(n: int) -> int:
    """Generator creation and iteration."""
    total = 0
    for _ in range(n // 1000):
        for v in _countdown(1000):
            total += v
    return total


class Model(type):
    """A metaclass, as ORMs and sympy have: class attribute reads go through it."""


class Base(metaclass=Model):
    kind = "base"

    def get(self, k: int) -> int:
        return k


class Child(Base):
    def get(self, k: int) -> int:
        return super().get(k) + 1


def super_calls(n: int) -> int:
    """super().method() calls and class attribute reads through a metaclass (no bound method, no MRO walk)."""
    c = Child()
    t = 0
    for i in range(n):
        t += c.get(i)
        if Base.kind is Child.__name__:
            t += 1
    return t


NODE_CLASSES = [type(f"Node{i}", (), {"weight": i}) for i in range(60)]


def megamorphic_attrs(n: int) -> int:
    """Attribute stores and loads at sites that see 60 classes (a tree walker's `node.parent`): megamorphic."""
    nodes = [cls() for cls in NODE_CLASSES]
    t = 0
    for r in range(n):
        for node in nodes:
            node.parent = r
            t += node.parent + node.weight
    return t


class Record:
    def __init__(self, i: int) -> None:
        self.key = i
        self.value = 2 * i
        self.__dict__  # noqa: B018 -- materialises the dict, as __dict__ users and attribute-heavy classes do


class Row:
    def __init__(self, i: int) -> None:
        self.key = i
        self.value = -i


def dict_attrs(n: int) -> int:
    """Attribute reads of instances with materialised dicts, at sites that also see split-values instances."""
    objs = [Record(1), Row(2), Record(3), Row(4)]
    t = 0
    for _ in range(n):
        for o in objs:
            t += o.key + o.value
    return t


KERNELS: dict[str, tuple[Callable[[int], object], int]] = {
    "fib": (fib, 22),
    "method_calls": (method_calls, 50_000),
    "attributes": (attributes, 50_000),
    "int_arith": (int_arith, 100_000),
    "float_arith": (float_arith, 100_000),
    "list_comp": (list_comp, 100_000),
    "generator": (generator, 100_000),
    "super_calls": (super_calls, 100_000),
    "megamorphic_attrs": (megamorphic_attrs, 1_000),
    "dict_attrs": (dict_attrs, 25_000),
}
