"""with statements: __enter__/__exit__, suppression, nesting, contextlib helpers, ExitStack."""

import contextlib
import io
import sys


class CM:
    def __init__(self, name, suppress=False, log=None):
        self.name, self.suppress, self.log = name, suppress, log if log is not None else []

    def __enter__(self):
        self.log.append(f"enter {self.name}")
        return self.name.upper()

    def __exit__(self, et, ev, tb):
        self.log.append(f"exit {self.name} {et.__name__ if et else None} {ev}")
        return self.suppress


log = []
with CM("a", log=log) as v1, CM("b", log=log) as v2:
    log.append(f"body {v1} {v2}")
print(log)

log = []
with CM("outer", suppress=True, log=log):
    with CM("inner", log=log):
        raise ValueError("inner error")
    log.append("not reached")
log.append("after")
print(log)


def returns_from_with():
    log = []
    with CM("r", log=log):
        return log, "returned"


print(returns_from_with())


def loop_with():
    log = []
    for i in range(4):
        with CM(f"l{i}", suppress=True, log=log):
            if i == 1:
                continue
            if i == 2:
                raise KeyError(i)
            if i == 3:
                break
            log.append(f"body {i}")
    return log


print(loop_with())


@contextlib.contextmanager
def tagged(tag, log):
    log.append(f"<{tag}>")
    try:
        yield tag * 2
    except ZeroDivisionError as e:
        log.append(f"handled {e}")
    finally:
        log.append(f"</{tag}>")


log = []
with tagged("p", log) as t:
    log.append(t)
with tagged("q", log):
    1 / 0
try:
    with tagged("r", log):
        raise IndexError("not handled")
except IndexError as e:
    log.append(f"outside {e}")
print(log)

with contextlib.suppress(KeyError, IndexError):
    {}["x"]
print("suppressed KeyError")
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    print("captured line")
    print("second", 2)
print("redirected:", repr(buf.getvalue()))
with contextlib.ExitStack() as stack:
    log = []
    cms = [stack.enter_context(CM(f"s{i}", log=log)) for i in range(3)]
    stack.callback(log.append, "callback ran")
    print("inside stack", cms)
print(log)


class Resource:
    closed = []

    def __init__(self, n):
        self.n = n

    def close(self):
        Resource.closed.append(self.n)


with contextlib.closing(Resource(1)), contextlib.closing(Resource(2)):
    pass
print("closed", Resource.closed)
with contextlib.nullcontext(5) as five:
    print("nullcontext", five)


class ExitRaises:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        raise RuntimeError("from __exit__")


try:
    with ExitRaises():
        raise ValueError("original")
except RuntimeError as e:
    print("exit raised", e, "context", repr(e.__context__))
try:
    with object():
        pass
except TypeError as e:
    print("TypeError", e)


class Reusable:
    depth = 0

    def __enter__(self):
        Reusable.depth += 1
        return Reusable.depth

    def __exit__(self, *a):
        Reusable.depth -= 1


r = Reusable()
with r as d1, r as d2, r as d3:
    print("nested depths", d1, d2, d3)
print("final depth", Reusable.depth)
print(sys.exc_info()[0])
total = 0
for i in range(200):
    with CM("hot", suppress=i % 2 == 0):
        total += i
        if i % 4 == 0:
            raise ArithmeticError
print("hot total", total)
