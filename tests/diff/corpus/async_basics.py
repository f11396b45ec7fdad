"""asyncio.run, gather, async generators, async with/for, tasks, exceptions in coroutines."""

import asyncio


class Resource:
    def __init__(self, name, log):
        self.name = name
        self.log = log

    async def __aenter__(self):
        self.log.append(f"enter {self.name}")
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, et, ev, tb):
        self.log.append(f"exit {self.name} {et.__name__ if et else None}")
        return et is KeyError


class Ticker:
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        self.i = 0
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        await asyncio.sleep(0)
        return self.i * self.i


async def agen(n):
    try:
        for i in range(n):
            received = yield i
            if received:
                print("  agen received", received)
            await asyncio.sleep(0)
    finally:
        print("  agen finally")


async def worker(name, n, results):
    total = 0
    for i in range(n):
        total += i
        await asyncio.sleep(0)
    results[name] = total
    return name, total


async def failing(x):
    await asyncio.sleep(0)
    if x % 2:
        raise ValueError(f"odd {x}")
    return x


async def main():
    log = []
    async with Resource("a", log) as r:
        log.append(f"inside {r.name}")
    async with Resource("b", log):
        raise KeyError("suppressed")
    try:
        async with Resource("c", log):
            raise ValueError("kept")
    except ValueError as e:
        log.append(f"caught {e}")
    print(log)

    print([x async for x in Ticker(5)])
    print([x async for x in agen(4) if x % 2 == 0])

    g = agen(5)
    print(await g.__anext__())
    print(await g.asend("hello"))
    await g.aclose()

    results = {}
    out = await asyncio.gather(*(worker(f"w{i}", i * 3, results) for i in range(5)))
    print(out)
    print(sorted(results.items()))

    res = await asyncio.gather(*(failing(i) for i in range(4)), return_exceptions=True)
    print([repr(r) for r in res])
    try:
        await failing(3)
    except ValueError as e:
        print("awaited error", e)

    task = asyncio.create_task(worker("t", 10, results))
    print("task result", await task, task.done())

    q = asyncio.Queue()

    async def producer():
        for i in range(5):
            await q.put(i)
        await q.put(None)

    async def consumer():
        got = []
        while (item := await q.get()) is not None:
            got.append(item * 10)
        return got

    _, got = await asyncio.gather(producer(), consumer())
    print("queue", got)

    async def slow():
        await asyncio.sleep(10)

    try:
        await asyncio.wait_for(slow(), timeout=0.001)
    except TimeoutError:
        print("timeout")

    t = asyncio.create_task(slow())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled", t.cancelled())

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(failing(1))
            tg.create_task(failing(2))
    except* ValueError as eg:
        print("taskgroup", [str(e) for e in eg.exceptions])
    return "done"


print(asyncio.run(main()))


async def coro_chain(n):
    if n == 0:
        return 0
    return n + await coro_chain(n - 1)


print(asyncio.run(coro_chain(50)))


def drive(coro):
    """Run a coroutine by hand, without an event loop."""
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


class Awaitable:
    def __await__(self):
        v = yield "suspended"
        return v or 7


async def uses_awaitable():
    a = await Awaitable()
    return a * 6


print(drive(uses_awaitable()))
c = uses_awaitable()
print(c.send(None))
try:
    c.send(3)
except StopIteration as e:
    print("manual send", e.value)
c2 = uses_awaitable()
c2.send(None)
try:
    c2.throw(OSError("thrown in"))
except OSError as e:
    print("coroutine throw", e)
