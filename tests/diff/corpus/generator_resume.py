"""Resuming compiled generators and coroutines directly from compiled SEND / FOR_ITER: every way a resumption
can end (yield, return, return with a value, exception, PEP 479 StopIteration), exception state across yields,
frame objects that outlive a finished generator, and the states the fast path must leave to CPython."""

import sys


def count(n):
    for i in range(n):
        yield i


def returns_value(n):
    yield from count(n)
    return n * 10


def delegate(n):
    got = yield from returns_value(n)
    yield ("returned", got)


def leaky():
    yield 1
    raise StopIteration("inside")  # PEP 479: becomes RuntimeError


def raises():
    yield 1
    raise KeyError("boom")


def exc_info_across_yield():
    try:
        raise ValueError("held")
    except ValueError:
        yield sys.exc_info()[0].__name__
        yield sys.exc_info()[0].__name__
    yield sys.exc_info()[0]


def echo():
    received = []
    while True:
        value = yield len(received)
        if value is None:
            return received
        received.append(value)


def keep_frame():
    yield sys._getframe()


def main():
    for _ in range(3):
        print(list(count(4)), list(delegate(3)))
        total = 0
        for x in delegate(5):
            total += x if isinstance(x, int) else x[1]
        print("total", total)
        try:
            for x in leaky():
                print("leaky", x)
        except RuntimeError as e:
            print("RuntimeError", e, type(e.__cause__).__name__, e.__cause__)
        try:
            for x in raises():
                print("raises", x)
        except KeyError as e:
            print("KeyError", e)
        try:
            raise TypeError("outer")
        except TypeError:
            for name in exc_info_across_yield():
                print("exc_info", name, sys.exc_info()[0].__name__)
        print("after", sys.exc_info())
        g = echo()
        print(next(g), g.send("a"), g.send("b"))
        try:
            g.send(None)
        except StopIteration as e:
            print("stop", e.value)
        fresh = count(2)
        try:
            fresh.send(5)
        except TypeError as e:
            print("TypeError", e)
        done = count(1)
        print(list(done), list(done), next(done, "exhausted"))
        frames = [f for f in keep_frame()]
        print("frame kept", frames[0].f_code.co_name, frames[0].f_back, frames[0].f_lineno)
        g = count(3)
        print(next(g), g.gi_frame.f_lineno)
        g.close()
        print("closed", g.gi_frame)

        def running():
            yield next(self_ref)

        self_ref = running()
        try:
            next(self_ref)
        except ValueError as e:
            print("ValueError", e)


main()


async def leaf(x):
    return x + 1


async def middle(x):
    return await leaf(x) * 2


async def top():
    out = []
    for i in range(5):
        out.append(await middle(i))
    return out


def run(coro):
    try:
        coro.send(None)
    except StopIteration as e:
        return e.value


for _ in range(3):
    print(run(top()))
