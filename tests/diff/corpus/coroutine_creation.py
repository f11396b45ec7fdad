"""Coroutines made by compiled callers (bjit_entry.c make_generator): driven by send/throw/close and await,
recursion through await (bm_coroutines' shape), never awaited (the RuntimeWarning), origin tracking switched on
(then CPython makes them), coroutine introspection, exceptions, and closures."""

import gc
import inspect
import sys
import types
import warnings


async def fib(n):
    if n <= 1:
        return n
    return await fib(n - 1) + await fib(n - 2)


@types.coroutine
def suspend(value):
    got = yield value
    return got


async def echo(tag, times):
    out = []
    for i in range(times):
        out.append(await suspend(f"{tag}{i}"))
    return out


async def boom(n):
    if n == 0:
        raise ValueError("boom at the bottom")
    return await boom(n - 1)


def make(n):
    return fib(n)


def run(coro):
    try:
        coro.send(None)
    except StopIteration as e:
        return e.value
    raise AssertionError("suspended")


def drive(coro):
    sent = None
    log = []
    while True:
        try:
            log.append(coro.send(sent))
        except StopIteration as e:
            log.append(("done", e.value))
            return log
        sent = len(log)


for n in range(15):
    print("fib", n, run(make(n)))
print("echo", drive(echo("t", 4)))

c = make(3)
print(type(c).__name__, c.__name__, c.__qualname__, inspect.getcoroutinestate(c), c.cr_frame is not None,
      c.cr_code is fib.__code__, c.cr_await, c.cr_origin)
print(run(c), inspect.getcoroutinestate(c), c.cr_frame)

try:
    run(boom(5))
except ValueError as e:
    print("ValueError", e, len([f for f in __import__("traceback").extract_tb(e.__traceback__) if f.name == "boom"]))

e = echo("x", 3)
print(e.send(None))
try:
    e.throw(KeyError("thrown"))
except KeyError as k:
    print("KeyError back", k, inspect.getcoroutinestate(e))
e.close()
print("closed", inspect.getcoroutinestate(e))

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(3):
        make(2)  # never awaited
    gc.collect()
print("never awaited warnings", len(caught), sorted({str(w.message) for w in caught}))

sys.set_coroutine_origin_tracking_depth(2)
c = make(2)
print("origin", c.cr_origin is not None, len(c.cr_origin), c.cr_origin[0][2])
print(run(c))
sys.set_coroutine_origin_tracking_depth(0)
c = make(2)
print("origin off", c.cr_origin)
print(run(c))


def outer(k):
    async def inner(m):
        return k * m
    return [run(inner(i)) for i in range(4)]


print("closures", outer(3), outer(5))


async def awaits_itself():
    return await me


me = awaits_itself()
try:
    run(me)
except ValueError as err:
    print("ValueError", err)
