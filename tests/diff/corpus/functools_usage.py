"""functools: lru_cache, cache, partial, wraps, reduce, total_ordering, singledispatch, cached_property."""

import functools
import operator


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(80), fib.cache_info())
fib.cache_clear()
print(fib(10), fib.cache_info())


@functools.lru_cache(maxsize=3)
def square(x):
    print("  computing", x)
    return x * x


for v in [1, 2, 3, 1, 4, 2, 1, 5]:
    print(v, square(v))
print(square.cache_info())


def power(base, exp, mod=None):
    return pow(base, exp, mod)


sq = functools.partial(power, exp=2)
cube_mod = functools.partial(power, exp=3, mod=7)
print(sq(9), cube_mod(5), sq.func is power, sq.keywords, functools.partial(sq, 3)())
print([functools.partial(operator.mul, i)(10) for i in range(5)])


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        result = fn(*a, **k)
        print(f"  {fn.__name__}{a} -> {result}")
        return result

    return wrapper


@logged
def add(a, b):
    """Add two numbers."""
    return a + b


print(add(2, 3), add.__name__, add.__doc__, add.__wrapped__(1, 1))
print(functools.reduce(operator.add, range(101)), functools.reduce(lambda a, b: a * b, range(1, 20), 1))
print(functools.reduce(lambda acc, x: acc + [acc[-1] + x], [1, 2, 3, 4], [0]))
try:
    functools.reduce(operator.add, [])
except TypeError as e:
    print("TypeError:", e)


@functools.total_ordering
class Version:
    def __init__(self, s):
        self.parts = tuple(int(p) for p in s.split("."))

    def __eq__(self, other):
        return self.parts == other.parts

    def __lt__(self, other):
        return self.parts < other.parts

    def __repr__(self):
        return "V" + ".".join(map(str, self.parts))


vs = [Version(s) for s in ["1.10.0", "1.2.3", "1.2.10", "0.9", "1.2.3"]]
print(sorted(vs), max(vs), vs[1] >= vs[4], vs[0] > vs[1], vs[3] <= vs[2])


@functools.singledispatch
def show(x):
    return f"object {x!r}"


@show.register
def _(x: int):
    return f"int {x}"


@show.register(list)
def _(x):
    return f"list of {len(x)}: " + ", ".join(show(i) for i in x)


print(show(1), show("s"), show([1, "a", [2]]), show(True))


class Data:
    computed = 0

    def __init__(self, n):
        self.n = n

    @functools.cached_property
    def total(self):
        Data.computed += 1
        return sum(range(self.n))


d = Data(100)
print(d.total, d.total, Data.computed)
del d.total
print(d.total, Data.computed)


@functools.cache
def ways(n, coins=(1, 2, 5)):
    if n == 0:
        return 1
    if n < 0 or not coins:
        return 0
    return ways(n - coins[0], coins) + ways(n, coins[1:])


print(ways(100), ways(200))
keyfn = functools.cmp_to_key(lambda a, b: (a % 10 - b % 10) or (b - a))
print(sorted([15, 21, 33, 45, 11, 2, 12], key=keyfn))
print(list(map(operator.itemgetter(1), [(1, "a"), (2, "b")])), operator.attrgetter("real")(3 + 4j))
print(operator.methodcaller("split", ",")("a,b,c"), [operator.neg(x) for x in range(3)])
pm = functools.partialmethod


class Cell:
    def set_state(self, v):
        self.state = v
        return self

    on = pm(set_state, True)
    off = pm(set_state, False)


print(Cell().on().state, Cell().off().state)
