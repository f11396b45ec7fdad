"""Calls of C functions from compiled code (bjit_entry.c call_c_function, as ceval's PRECALL_NO_KW_* do):
type(x), builtins with METH_O / METH_NOARGS / METH_FASTCALL, method descriptors on an object of exactly their
class or of a subclass (the ordinary path), wrong argument counts (CPython's own TypeErrors), errors raised inside,
C recursion reaching the limit (repr of a deep structure), and a builtin replaced by a Python function."""

import sys


class MyList(list):
    def append(self, x):
        super().append(("wrapped", x))


def calls(n):
    out = []
    d = {"a": 1}
    lst = []
    for i in range(n):
        out.append((type(i).__name__, type(d) is dict, len(d), isinstance(i, int), d.get("a", 0), d.get("zz", i)))
        lst.append(i)  # METH_O descriptor, exact list
        if i % 3 == 0:
            lst.pop()  # METH_FASTCALL
    out.append((lst, sorted(d.keys()), "abc".startswith("a"), "x,y".split(","), abs(-n), divmod(n, 3)))
    m = MyList()
    for i in range(3):
        m.append(i)  # a Python method: not a C call
        list.append(m, -i)  # the descriptor on a subclass instance: the ordinary path
    out.append(m)
    return out


def errors():
    out = []
    for call in (lambda: len(), lambda: len(1, 2), lambda: [].append(), lambda: {}.get(), lambda: len(5),
                 lambda: "".join([1]), lambda: type(), lambda: abs("x"), lambda: list.append(1, 2)):
        try:
            out.append(call())
        except TypeError as exc:
            out.append(str(exc))
    return out


def deep_repr(depth):
    x = []
    for _ in range(depth):
        x = [x]
    try:
        return len(repr(x))
    except RecursionError as exc:
        return "RecursionError: " + str(exc)


def replaced():
    global len
    saved = len
    len = lambda x: -1  # noqa: E731
    try:
        return len([1, 2, 3])
    finally:
        len = saved


for _ in range(3):
    for row in calls(8):
        print(row)
    for row in errors():
        print(row)
    print(replaced(), len([1, 2, 3]))
print(deep_repr(50))
limit = sys.getrecursionlimit()
sys.setrecursionlimit(200)
print(deep_repr(1000))
sys.setrecursionlimit(limit)
