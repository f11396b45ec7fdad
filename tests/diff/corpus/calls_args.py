"""Positional/keyword/default/*args/**kwargs calls, kw-only/pos-only, mutable defaults, errors."""


def f(a, b=2, *args, c, d=4, **kwargs):
    return a, b, args, c, d, kwargs


print(f(1, c=3))
print(f(1, 5, 6, 7, c=3, e=9))
print(f(c=1, a=0, d=None, zz="x"))
print(f(*range(4), c="c", **{"y": 1}))


def pos_only(a, b, /, c, *, d):
    return a + b + c + d


print(pos_only(1, 2, 3, d=4), pos_only(1, 2, c=3, d=4))
for bad in (
    lambda: pos_only(1, b=2, c=3, d=4),
    lambda: pos_only(1, 2, 3, 4),
    lambda: f(),
    lambda: f(1, 2),
    lambda: f(1, a=1, c=1),
    lambda: pos_only(1, 2, 3, d=4, e=5),
    lambda: (lambda: 0)(1),
    lambda: len(),
    lambda: len([], []),
    lambda: "x".join(),
    lambda: dict(1, 2),
):
    try:
        bad()
    except TypeError as e:
        print("TypeError:", e)


def mutable_default(x, acc=[]):  # noqa: B006
    acc.append(x)
    return acc


print(mutable_default(1), mutable_default(2), mutable_default(3, []), mutable_default(4))
print(mutable_default.__defaults__)
mutable_default.__defaults__ = ([100],)
print(mutable_default(5))


def kw_default_eval(x, y=len("abc")):
    return x * y


print(kw_default_eval(2), kw_default_eval(2, y=10), kw_default_eval.__defaults__)


def varargs_only(*args):
    return len(args), args


print(varargs_only(), varargs_only(*[], *()), varargs_only(*range(50))[0])


def kwargs_only(**kw):
    return sorted(kw.items())


print(kwargs_only(), kwargs_only(**{"b": 1, "a": 2}), kwargs_only(**dict.fromkeys("xyz", 0)))


class Callable:
    def __init__(self):
        self.calls = 0

    def __call__(self, *a, **k):
        self.calls += 1
        return a, k


c = Callable()
print(c(1, x=2), c(), c.calls, callable(c), callable(1))


class Meth:
    def m(self, a, b=1):
        return self.__class__.__name__, a, b

    @staticmethod
    def s(*a):
        return a

    @classmethod
    def cm(cls, **k):
        return cls.__name__, k


mo = Meth()
bound = mo.m
print(bound(1), Meth.m(mo, 2, b=3), mo.s(1, 2), Meth.cm(k=1), mo.cm(), bound.__self__ is mo)
funcs = [len, str.upper, mo.m, Meth.s, lambda *a: a, c, print.__call__, sorted, max]
for fn in funcs[:-3]:
    try:
        print(fn("ab"))
    except TypeError as e:
        print("TypeError:", e)
print(max(3, 1, 2, key=lambda v: -v), max([], default="empty"), sorted("bca", reverse=True))


def recurse_kw(n, *, acc=0):
    return acc if n == 0 else recurse_kw(n - 1, acc=acc + n)


print(recurse_kw(100))
total = 0
for i in range(1000):
    total += f(i, c=i)[0] + len(f(i, i, i, c=0, k=i)[5])
print("hot call total", total)


def annotated(x: int, y: "str" = "s") -> list:
    return [x, y]


print(annotated(1), annotated.__annotations__)


def many(a, b, c, d, e, f, g, h, i, j, k=11, l=12):  # noqa: E741
    return a + b + c + d + e + f + g + h + i + j + k + l


print(many(*range(10)), many(*range(12)), many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, l=0))
args = (1, 2)
kw = {"c": 3}
print(f(*args, **kw), f(*args, d=5, **kw), (lambda *a, **k: (a, k))(*args, **kw))
