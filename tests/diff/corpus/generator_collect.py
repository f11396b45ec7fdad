"""tuple(), list(), set() and str.join() of generators, which compiled calls drive directly (bjit_entry.c
collect_generator): items in order, duplicates in sets, a generator already started or exhausted, a return value,
errors from the body (tracebacks), an unhashable item, a non-str item for join, StopIteration inside (PEP 479),
a tracer switched on half-way, a shadowed builtin, subclasses, and a generator collected while it collects."""

import sys
import traceback


def squares(n):
    return tuple(i * i for i in range(n))


def listed(n):
    return list(i % 3 for i in range(n))


def as_set(n):
    return sorted(set(i % 4 for i in range(n)))


def joined(words):
    return "-".join(w.upper() for w in words)


def with_return(n):
    for i in range(n):
        yield i
    return "ignored"


def raises_at(n, bad):
    for i in range(n):
        if i == bad:
            raise ValueError(f"item {i}")
        yield i


def stop_inside(n):
    for i in range(n):
        if i == 2:
            raise StopIteration
        yield i


def started_then_collected():
    g = (i for i in range(6))
    first = next(g)
    return first, tuple(g), tuple(g)


def errors():
    out = []
    for make in (lambda: tuple(raises_at(5, 3)), lambda: list(raises_at(5, 0)), lambda: set(raises_at(5, 4)),
                 lambda: "".join(str(i) for i in raises_at(5, 2))):
        try:
            out.append(make())
        except ValueError:
            out.append(traceback.format_exc().splitlines())
    try:
        set([i] for i in range(3))
    except TypeError as exc:
        out.append(("unhashable", str(exc)))
    try:
        ",".join(x for x in ("a", 1, "b"))
    except TypeError as exc:
        out.append(("join", str(exc)))
    try:
        tuple(stop_inside(5))
    except RuntimeError as exc:
        out.append(("PEP 479", str(exc), type(exc.__cause__).__name__))
    return out


events = []


def tracer(frame, event, arg):
    if frame.f_code.co_name in ("<genexpr>", "traced_gen"):
        events.append((frame.f_code.co_name, event))
    return tracer


def traced_gen(n):
    for i in range(n):
        if i == 2:
            sys.settrace(tracer)
        yield i


def tracing_half_way():
    try:
        return tuple(traced_gen(5)), events[:8]
    finally:
        sys.settrace(None)


class MyTuple(tuple):
    pass


class MyList(list):
    def append(self, x):  # never called by list(): extending does not use it
        raise AssertionError


def subclasses():
    return type(MyTuple(i for i in range(3))).__name__, MyTuple(i for i in range(3)), MyList(i for i in range(3))


def shadowed():
    global tuple
    saved = tuple
    tuple = lambda g: ["shadowed", *g]  # noqa: E731
    try:
        return tuple(i for i in range(3))
    finally:
        tuple = saved


def nested(n):
    return tuple(tuple(j for j in range(i)) for i in range(n))


def many(n):
    total = 0
    for i in range(n):
        total += len(tuple(x for x in range(i % 7)))
        total += len(set(x % 3 for x in range(i % 11)))
        total += len("".join(str(x) for x in range(i % 5)))
        total += sum(list(x for x in range(i % 4)))
    return total


for _ in range(3):
    print(squares(10), listed(7), as_set(20), joined(["a", "bc", "def"]))
    print(tuple(with_return(4)), list(with_return(0)), set(with_return(2)))
    print(started_then_collected())
    for row in errors():
        print(row)
    print(subclasses())
    print(shadowed(), tuple(i for i in range(2)))
    print(nested(5))
    print(many(3000))
print(tracing_half_way())
