"""for-loops over range() whose loop variable compiled FOR_ITER rewrites in place (fastpaths.py
emit_for_iter_range_fast_path, as ceval's FOR_ITER_RANGE): values kept elsewhere must never change (appended to a
list, bound to another name, in a closure's default, a dict key), small ints, negative and huge steps, values past
one digit (2**30) and negative ones, the loop variable deleted or rebound inside the body (to an int, a float, a
bool), nested loops over one name, and an iterator made outside the loop."""

import sys


def kept(n):
    seen = []
    for i in range(250, 250 + n):  # past the small ints: in place when nobody else holds i
        seen.append(i)
    return seen[:3], seen[-3:], len(set(map(id, seen))) == len(seen)


def aliased(n):
    pairs = []
    for i in range(1000, 1000 + n):
        j = i
        pairs.append((j, i, j is i))
    return pairs[:2], pairs[-1]


def defaults(n):
    fs = []
    for i in range(300, 300 + n):
        fs.append(lambda i=i: i)
    return [f() for f in fs]


def keys(n):
    d = {}
    for i in range(5000, 5000 + n):
        d[i] = i * 2
    return sorted(d.items())[:3], len(d)


def steps():
    out = []
    for start, stop, step in ((0, 20, 3), (300, 250, -7), (-10, 10, 4), (2**30 - 3, 2**30 + 3, 1),
                              (-(2**30) - 2, -(2**30) + 2, 1), (0, 2**62, 2**60), (2**62, -(2**62), -(2**61)),
                              (-300, -260, 9), (250, 262, 2)):
        total = matches = 0
        i = None
        for i in range(start, stop, step):
            total += i  # (only the local holds i: rewritten in place where it can be)
            matches += i == start + step or i == stop - 1 or i == stop + 1
        out.append((start, stop, step, total, matches, i, type(i).__name__))
    return out


def deleted(n):
    out = []
    for i in range(400, 400 + n):
        out.append(i)
        del i
    try:
        return out, i  # noqa: F821
    except UnboundLocalError as exc:
        return out, str(exc)


def rebound(n):
    out = []
    for i in range(500, 500 + n):
        if i % 3 == 0:
            i = i + 0.5
        elif i % 3 == 1:
            i = True
        out.append(i)
    return out


def nested(n):
    out = []
    for i in range(600, 600 + n):
        for i in range(700, 700 + n):  # noqa: B007
            pass
        out.append(i)
    return out


def outer_iterator(n):
    it = iter(range(800, 800 + 2 * n))
    out = []
    for i in it:
        out.append(i)
        next(it, None)
    return out


def refcounts(n):
    before = None
    for i in range(900, 900 + n):
        if before is None:
            before = sys.getrefcount(i)
    return before == sys.getrefcount(i), i


for _ in range(3):
    print(kept(40))
    print(aliased(40))
    print(defaults(5))
    print(keys(30))
    for row in steps():
        print(row)
    print(deleted(4))
    print(rebound(7))
    print(nested(4))
    print(outer_iterator(5))
    print(refcounts(50))
