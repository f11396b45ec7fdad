# GET_AWAITABLE of coroutines in every state, in machine code: not started (its own iterator), finished ("cannot
# reuse already awaited coroutine" from the SEND that follows), suspended in its own await ("coroutine is being
# awaited already"), generator-based coroutines (types.coroutine), and a plain generator (TypeError, from the
# interpreter).  The "being awaited" check must read the quickened RESUME_QUICK as RESUME: without that this
# program hangs (at threshold 30, in about half the runs: the coroutine gets driven by two tasks).
import asyncio
import types


async def inner(delay):
    await asyncio.sleep(delay)
    return delay


async def waiter(fut):
    return await fut


@types.coroutine
def legacy(n):
    for _ in range(n):
        yield
    return "legacy %d" % n


def plain_gen():
    yield 1


async def main(round_):
    out = [await inner(0)]
    done = inner(0)
    out.append(await done)
    try:
        await done
    except RuntimeError as e:
        out.append(str(e))
    fut = asyncio.get_running_loop().create_future()
    busy = waiter(fut)
    task = asyncio.ensure_future(busy)
    await asyncio.sleep(0)          # the task started `busy`: it is suspended in its own await now
    try:
        await busy
    except RuntimeError as e:
        out.append(str(e))
    fut.set_result(round_)
    out.append(await task)
    out.append(await legacy(round_ % 3))
    try:
        await plain_gen()
    except TypeError as e:
        out.append(str(e))
    return out


for r in range(30):
    res = asyncio.run(main(r))
print(res)
