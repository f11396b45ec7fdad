"""Calls into compiled functions with *args, **kwargs and keyword-only parameters, and f(*args, **kwargs) into any
compiled function or bound method: tier 1 binds these itself (bjit_entry.c bind_any_parameters) instead of going
through PyObject_Vectorcall and the hook.  Every way a binding can go wrong must end in CPython's own TypeError,
and every default, name and leftover must land where the interpreter puts it."""

import functools


def star(*args):
    return args


def star_kw(*args, **kwargs):
    return args, sorted(kwargs.items())


def mixed(a, b=2, *rest, c, d=4, **kw):
    return a, b, rest, c, d, sorted(kw.items())


def kwonly(x, *, key=None, reverse=False):
    return x, key, reverse


def posonly_kw(a, b, /, **kw):
    return a, b, sorted(kw.items())


def options(*, verbose=False, **extra):
    return verbose, sorted(extra)


def plain(a, b, c=3):
    return a + b + c


def closure_maker(n):
    def inner(*args, scale=1, **kw):
        return (n + sum(args)) * scale + len(kw)
    return inner


def decorator(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


@decorator
def decorated(a, b=10, *, c=100):
    return a + b + c


class Box:
    def __init__(self, v):
        self.v = v

    def method(self, *args, **kw):
        return self.v, args, sorted(kw.items())

    def plain_method(self, a, b=1):
        return self.v + a + b


def deep(n, *acc, **tags):
    if n == 0:
        return len(acc), sorted(tags)
    return deep(n - 1, *acc, n, **tags, **{f"t{n}": n})


def attempt(label, thunk):
    try:
        print(label, thunk())
    except TypeError as exc:
        print(label, "TypeError:", exc)


def run(round_no):
    print(star(), star(1), star(1, 2, 3))
    print(star_kw(), star_kw(1, x=2), star_kw(x=1, y=2))
    print(mixed(1, c=3), mixed(1, 2, 3, 4, c=5, e=6), mixed(a=1, b=2, c=3, d=5, z=0))
    print(kwonly(1), kwonly(1, key=len), kwonly(1, reverse=True, key=abs))
    print(posonly_kw(1, 2), posonly_kw(1, 2, a=3, b=4, c=5))
    f = closure_maker(round_no)
    print(f(), f(1, 2), f(1, scale=3, z=1, w=2))
    print(decorated(1), decorated(1, 2), decorated(1, c=5), decorated(a=1, b=2, c=3))
    box = Box(round_no)
    print(box.method(), box.method(1, k=2), Box.method(box, 3))
    # f(*args, **kwargs): tuples, lists, dicts, bound methods, plain functions
    args, kwargs = (1, 2), {"c": 7}
    print(plain(*args), plain(*args, **kwargs), plain(*[1], **{"b": 5}), plain(**{"a": 1, "b": 2}))
    print(box.plain_method(*args), box.method(*args, **kwargs), star(*range(5)), star_kw(*"ab", **{"q": 1}))
    print(deep(6), deep(3, 0, x=1))
    # every error the interpreter reports, with its words
    attempt("too many", lambda: plain(1, 2, 3, 4))
    attempt("missing", lambda: plain(1))
    attempt("twice", lambda: plain(1, 2, a=3))
    attempt("unknown", lambda: plain(1, 2, z=3))
    attempt("kwonly missing", lambda: mixed(1))
    attempt("kwonly twice", lambda: mixed(1, c=1, **{"c": 2}))
    attempt("posonly by name", lambda: plain.__call__ and kwonly(x=1, y=2))
    attempt("posonly no kw", lambda: (lambda a, /: a)(a=1))
    attempt("non-str key", lambda: star_kw(**{1: 2}))
    attempt("non-str key plain", lambda: plain(1, 2, **{3: 4}))
    attempt("star not iterable", lambda: plain(*5))
    attempt("mapping not dict", lambda: plain(1, 2, **[("c", 3)]))
    attempt("decorated twice", lambda: decorated(1, a=2))
    # a name equal to a parameter's, made at run time (not the same object)
    name = "".join(["k", "e", "y"])
    print(kwonly(1, **{name: "built"}))
    print(mixed(1, **{"".join(["c"]): 9, "".join(["extra"]): 1}))
    print(options(**{"".join(["verb", "ose"]): True, "".join(["oth", "er"]): 1}))
    # kw-only defaults changed under compiled callers
    kwonly.__kwdefaults__ = {"key": "changed", "reverse": None} if round_no % 2 else {"key": None, "reverse": False}
    print(kwonly(2))
    saved = kwonly.__kwdefaults__
    kwonly.__kwdefaults__ = None
    attempt("kwdefaults gone", lambda: kwonly(3))
    kwonly.__kwdefaults__ = saved


for round_no in range(4):
    run(round_no)
