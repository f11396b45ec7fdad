"""UNPACK_SEQUENCE of iterables that are not an exact tuple or list of the right size, in a function called often
enough to run in machine code: generators, dicts, strings, ranges, sets, custom iterators and sequences, subclasses
of tuple and list, and every error CPython raises (non-iterable, too few, too many, an iterator that raises, a
wrong-size tuple); one iterator turns tracing on while it is unpacked."""

import sys


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n == 0:
            raise StopIteration
        self.n -= 1
        return self.n


class OldSequence:  # iterable through __getitem__ only
    def __getitem__(self, i):
        if i >= 2:
            raise IndexError(i)
        return i * 10


class Tup(tuple):
    pass


class Broken:
    def __iter__(self):
        return self

    def __next__(self):
        raise KeyError("from __next__")


def gen(n):
    yield from range(n)


def two(value):
    try:
        a, b = value
        return a, b
    except (ValueError, TypeError, KeyError) as e:
        return type(e).__name__, str(e)


def three(value):
    try:
        a, b, c = value
        return a + b + c
    except (ValueError, TypeError) as e:
        return type(e).__name__, str(e)


for round_ in range(60):
    out = [two(v() if callable(v) and not isinstance(v, type) else v) for v in
           [lambda: gen(2), lambda: {"x": 1, "y": 2}, "ab", range(2), lambda: Countdown(2), OldSequence(),
            Tup((1, 2)), [1, 2], (3, 4), lambda: gen(1), lambda: gen(3), 5, None, Broken(), (1, 2, 3), [1], "abc",
            frozenset([7])]]
    out += [three(v) for v in ("xyz", [1, 2, 3], (1, 2), range(3), {1, 2, 3})]
    if round_ in (0, 59):
        print(round_, out)

traced = []


class TracingOn:
    """An iterator whose __next__ switches tracing on halfway: the rest of the unpacking frame is traced."""

    def __init__(self):
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i == 2:
            sys.settrace(lambda frame, event, arg: traced.append((frame.f_code.co_name, event)) or None)
        if self.i > 2:
            raise StopIteration
        return self.i


def unpack_traced():
    a, b = TracingOn()
    c = a + b
    return c


for _ in range(40):
    sys.settrace(None)
    result = unpack_traced()
sys.settrace(None)
print(result, traced[:4], len(traced) > 0)
