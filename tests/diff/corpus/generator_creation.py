"""Generators made by calls from compiled code (bjit_entry.c make_generator, in place of the interpreter's
RETURN_GENERATOR): arguments and defaults, closures (COPY_FREE_VARS), parameters captured by inner functions
(MAKE_CELL), what an unstarted generator shows (name, qualname, code, frame, locals), closing or dropping it
unstarted, an error at its first resumption, the recursion limit, and many generators made in a loop."""

import gc
import sys


def plain(a, b=10):
    yield a
    yield b


def captures_param(x):  # MAKE_CELL for x: the inner lambda closes over it
    get = lambda: x  # noqa: E731
    yield get()
    x += 1
    yield get()


def outer(scale):
    def scaled(items):  # COPY_FREE_VARS for scale
        for item in items:
            yield item * scale
    return scaled


def fails_at_start(n):
    yield 1 / n


class Holder:
    def gen(self, k):
        yield self, k


def show(g):
    return (g.__name__, g.__qualname__, g.gi_code.co_name, g.gi_running, g.gi_frame is not None,
            sorted(g.gi_frame.f_locals) if g.gi_frame is not None else None)


def make_all():
    out = []
    p = plain(1)
    out.append(show(p))
    out.append(list(p))
    out.append(list(plain(1, 2)))
    c = captures_param(5)
    out.append(show(c))
    out.append(list(c))
    s = outer(3)([1, 2, 3])
    out.append(show(s))
    out.append(list(s))
    unstarted = plain(7)
    unstarted.close()
    out.append((unstarted.gi_frame, list(unstarted)))
    f = fails_at_start(0)
    try:
        next(f)
    except ZeroDivisionError as exc:
        out.append(("first resume raised", str(exc), f.gi_frame))
    h = Holder()
    g = h.gen(4)
    out.append((next(g)[1], g.__qualname__))
    return out


def many(n):
    total = 0
    for i in range(n):
        total += sum(x for x in (i, i + 1, i + 2))
        total += len(set(v * 2 for v in range(i % 5)))
    return total


def dropped(n):
    made = [plain(i) for i in range(n)]
    del made
    return gc.collect() >= 0


def deep(n):
    if n == 0:
        return plain(0)
    return deep(n - 1)


for _ in range(3):
    for row in make_all():
        print(row)
print(many(2000))
print(dropped(100))
print(list(deep(50)))
limit = sys.getrecursionlimit()
sys.setrecursionlimit(120)
try:
    deep(200)
except RecursionError as exc:
    print("RecursionError", "maximum recursion depth" in str(exc))
sys.setrecursionlimit(limit)
