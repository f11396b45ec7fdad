# Exceptions in generators and coroutines compiled whole: handlers are entries of the resume dispatch (the
# trampoline unwinds to them), a `yield` inside a handler resumes in machine code, and generator.throw()/close()
# go through the same unwinding without the interpreter.  Output must equal plain CPython's, tracebacks included.
import asyncio
import sys
import traceback


def tb_lines(e):
    return [(fs.name, fs.lineno) for fs in traceback.extract_tb(e.__traceback__)]


def catcher(n):
    for i in range(n):
        try:
            if i % 3 == 2:
                raise ValueError(i)
            got = yield i
            if got == "boom":
                raise KeyError(got)
        except ValueError as e:
            yield "handled %s" % e      # a yield inside a handler
            yield "still in handler, exc %s" % sys.exc_info()[0].__name__
        except KeyError as e:
            yield "key %s" % e
    yield "exc after loop: %s" % (sys.exc_info()[0],)


def thrown_into(n):
    total = 0
    for i in range(n):
        try:
            total += yield total
        except ZeroDivisionError:
            total -= 100
        except GeneratorExit:
            print("  closing at", total)
            raise
        finally:
            total += 1


def ignores_exit():
    try:
        yield 1
    except GeneratorExit:
        yield 2


def with_cleanup(log):
    class Res:
        def __enter__(self):
            log.append("enter")
            return self

        def __exit__(self, *exc):
            log.append("exit %s" % (exc[0].__name__ if exc[0] else None))

    with Res():
        yield 1
        yield 2


def pep479():
    yield 1
    raise StopIteration("inside")


for round_ in range(25):
    out = []
    g = catcher(7)
    out.append(next(g))
    try:
        while True:
            out.append(g.send("boom" if len(out) == 3 else None))
    except StopIteration:
        pass
    g = thrown_into(10)
    next(g)
    out.append(g.send(5))
    out.append(g.throw(ZeroDivisionError))
    out.append(g.send(7))
    if round_ == 24:
        g.close()
        print(out)
    else:
        del g
try:
    g = thrown_into(3)
    next(g)
    g.throw(KeyError("unhandled"))
except KeyError as e:
    print("KeyError", e, tb_lines(e))
g = thrown_into(3)
try:
    g.throw(ZeroDivisionError)          # into a generator that never started: no handler covers it
except ZeroDivisionError as e:
    print("not started", tb_lines(e))
g = ignores_exit()
next(g)
try:
    g.close()
except RuntimeError as e:
    print(e)
log = []
g = with_cleanup(log)
next(g)
g.close()
print(log)
try:
    list(pep479())
except RuntimeError as e:
    print(e, type(e.__cause__).__name__, tb_lines(e))


async def may_fail(x):
    await asyncio.sleep(0)
    if x % 2:
        raise ValueError(x)
    return x


async def gather_caught(n):
    total = []
    for i in range(n):
        try:
            total.append(await may_fail(i))
        except ValueError as e:
            total.append(-e.args[0])
            await asyncio.sleep(0)      # an await inside a handler
        finally:
            total.append("f")
    return total


async def agen(n):
    for i in range(n):
        try:
            yield i
        except KeyError:
            yield "caught"


async def drive_agen():
    a = agen(5)
    out = [await a.__anext__(), await a.athrow(KeyError), await a.__anext__()]
    await a.aclose()
    return out


for _ in range(20):
    r1 = asyncio.run(gather_caught(6))
    r2 = asyncio.run(drive_agen())
print(r1, r2)
