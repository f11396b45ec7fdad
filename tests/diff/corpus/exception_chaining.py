"""__cause__, __context__, __suppress_context__, chained tracebacks printed to stdout."""

import sys
import traceback


def low(x):
    return {"a": 1}[x]


def mid(x):
    try:
        return low(x)
    except KeyError as e:
        raise ValueError(f"bad key {x!r}") from e


def mid_implicit(x):
    try:
        return low(x)
    except KeyError:
        raise RuntimeError("while handling")  # noqa: B904


def top(f, x):
    try:
        return f(x)
    except Exception as e:
        print("type:", type(e).__name__, "msg:", e)
        print("cause:", repr(e.__cause__), "context:", repr(e.__context__))
        print("suppress:", e.__suppress_context__)
        traceback.print_exc(file=sys.stdout)
        tb = traceback.extract_tb(e.__traceback__)
        print("frames:", [(fs.name, fs.lineno, fs.line) for fs in tb])
        if e.__context__ is not None:
            ctb = traceback.extract_tb(e.__context__.__traceback__)
            print("context frames:", [(fs.name, fs.lineno) for fs in ctb])
        return None


print(top(mid, "a"))
print(top(mid, "b"))
print(top(mid_implicit, "c"))


def from_none():
    try:
        1 / 0
    except ZeroDivisionError:
        raise TypeError("clean") from None


top(lambda _: from_none(), None)


def context_in_finally():
    try:
        raise OSError("first")
    finally:
        pass


def context_chain(depth):
    if depth == 0:
        raise LookupError("bottom")
    try:
        context_chain(depth - 1)
    except LookupError as e:
        if depth % 2:
            raise LookupError(f"level {depth}") from e
        raise LookupError(f"level {depth}")  # noqa: B904


try:
    context_chain(4)
except LookupError as e:
    cur = e
    while cur is not None:
        print("chain:", cur, "explicit" if cur.__cause__ is not None else "implicit")
        cur = cur.__cause__ or cur.__context__
    print("".join(traceback.format_exception(e)).count("Traceback"))

try:
    context_in_finally()
except OSError as e:
    print("OSError", e, e.__context__)


# exception raised inside except handler inside a generator
def gen():
    try:
        yield 1
        raise ValueError("in gen")
    except ValueError as e:
        yield f"caught {e}"
        raise KeyError("from gen handler")  # noqa: B904


g = gen()
print(next(g))
print(next(g))
try:
    next(g)
except KeyError as e:
    print("gen raised", repr(e), "context", repr(e.__context__))
    traceback.print_exc(file=sys.stdout)


# with_traceback and tb line numbers
def raiser():
    err = ValueError("wt")
    raise err


try:
    raiser()
except ValueError as e:
    lines = [f.lineno for f in traceback.extract_tb(e.__traceback__)]
    print("tb lines", lines)
    e2 = RuntimeError("re").with_traceback(e.__traceback__)
    print("with_traceback lines", [f.lineno for f in traceback.extract_tb(e2.__traceback__)])
print("sys.exc_info outside:", sys.exc_info())
