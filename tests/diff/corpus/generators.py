"""Generators: send/throw/close, yield from (with return values), genexprs, finally in generators."""


def counter(start):
    n = start
    while True:
        got = yield n
        print("  counter got", got)
        if got is None:
            n += 1
        elif got == "reset":
            n = start
        else:
            n += got


c = counter(10)
print(next(c))
print(c.send(5))
print(c.send(None))
print(c.send("reset"))
print(next(c))
c.close()
print("closed state", c.gi_frame is None)


def guarded():
    try:
        for i in range(5):
            try:
                yield i
            except ValueError as e:
                print("  guarded caught", e)
                yield -i
    finally:
        print("  guarded finally")


g = guarded()
print(next(g), next(g))
print(g.throw(ValueError("boom")))
print(next(g))
g.close()
try:
    next(g)
except StopIteration:
    print("exhausted after close")


def no_catch():
    yield 1
    yield 2


g = no_catch()
next(g)
try:
    g.throw(KeyError("k"))
except KeyError as e:
    print("throw propagated", e)


def ignores_close():
    while True:
        try:
            yield
        except GeneratorExit:
            yield "bad"


g = ignores_close()
next(g)
try:
    g.close()
except RuntimeError as e:
    print("RuntimeError:", e)


def inner(n):
    total = 0
    for i in range(n):
        x = yield i
        if x:
            total += x
    return total * 10


def outer():
    r1 = yield from inner(3)
    print("  inner returned", r1)
    r2 = yield from inner(2)
    print("  inner returned", r2)
    return r1 + r2


g = outer()
vals = [next(g)]
try:
    while True:
        vals.append(g.send(len(vals)))
except StopIteration as e:
    print("outer returned", e.value)
print(vals)


def delegating_throw():
    try:
        yield from guarded()
    except ValueError:
        print("never")


g = delegating_throw()
print(next(g), g.throw(ValueError("via yield from")), next(g))
g.close()


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def take(n, it):
    for i, v in enumerate(it):
        if i >= n:
            return
        yield v


print(list(take(15, fib())))
print(sum(x * x for x in range(100) if x % 3))
gen = (i * j for i in range(4) for j in range(i))
print(list(gen), list(gen))
print(list(zip(fib(), "abcde")))
print(max((len(w), w) for w in "the quick brown foxes jumped".split()))
x = 5
lazy = (x + i for i in range(3))
x = 100
print(list(lazy))


def gen_return_in_finally():
    try:
        yield 1
    finally:
        print("  cleanup on gc/close")


g = gen_return_in_finally()
next(g)
del g
print("after del")


def recursive_gen(n):
    if n:
        yield n
        yield from recursive_gen(n - 1)
        yield -n


print(list(recursive_gen(6)))
it = iter(range(3))
print(list(yield_ for yield_ in it), list(it))


def stop_iter_in_gen():
    yield 1
    raise StopIteration("bad")


try:
    list(stop_iter_in_gen())
except RuntimeError as e:
    print("RuntimeError:", e, "cause", repr(e.__cause__))
g = counter(0)
print(g.gi_running, g.gi_frame.f_lineno if g.gi_frame else None)
next(g)
print(g.gi_frame.f_lineno, sorted(g.gi_frame.f_locals))
