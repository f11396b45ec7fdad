"""Builtin-function call sites whose callee changes under them.

Run warm (threshold 30), each site is first quickened by CPython as PRECALL_NO_KW_BUILTIN_O / _FAST / _LEN /
_ISINSTANCE, so tier 1 calls the C function inline (fastpaths.py: emit_builtin_call_fast_path). Then the same
sites get: builtins that raise, a Python function in the builtin's place (a global, then builtins itself),
bound builtin methods (a builtin with a self), a builtin of other flags, and calls at the recursion limit.
"""

import builtins
import sys


def one(f, x):
    return f(x)  # METH_O site (id, len, repr, abs, ord ...)


def two(f, x, y):
    return f(x, y)  # METH_FASTCALL site (divmod, isinstance, getattr, pow ...)


def direct(x):
    return id(x) == id(x), len(x), isinstance(x, str), divmod(len(x), 2)


for i in range(200):
    one(abs, -i)
    one(len, "ab")
    two(divmod, i, 7)
    two(isinstance, i, int)
    direct("abc")

print("builtins", one(abs, -5), one(len, [1, 2]), two(divmod, 17, 5), two(isinstance, "s", str), direct("hello"))
print("other builtins", one(ord, "a"), one(repr, (1,)), two(getattr, 1, "real"), two(pow, 2, 10), one(chr, 65))
print("builtin methods", one("a,b".split, ","), two("abc".replace, "b", "B"), one([3, 1].index, 1))
for f, x in ((ord, "ab"), (abs, "x"), (len, 5), (chr, -1)):
    try:
        print(one(f, x))
    except (TypeError, ValueError) as e:
        print(type(e).__name__, e)
for f, x, y in ((divmod, 1, 0), (divmod, "a", 1), (getattr, 1, "nope"), (isinstance, 1, 5)):
    try:
        print(two(f, x, y))
    except (TypeError, ZeroDivisionError, AttributeError) as e:
        print(type(e).__name__, e)
print("python callees", one(lambda x: ("py", x), 3), two(lambda x, y: ("py", x, y), 1, 2))
print("no-args builtin at a METH_O site", one(globals().get, "nope"))


# A global shadowing the builtin, then builtins itself monkeypatched, at the warmed sites of direct().
def shadow_len(x):
    return -1


globals()["len"] = shadow_len
print("shadowed", direct("abc"))
del globals()["len"]
real_isinstance = builtins.isinstance
builtins.isinstance = lambda x, t: "patched"
try:
    print("patched", direct("abc"))
finally:
    builtins.isinstance = real_isinstance
print("restored", direct("abc"))


# Deep recursion through a METH_O builtin site: repr of nested lists, and a Python recursion calling len.
def down(n):
    if n == 0:
        return 0
    return one(len, "x") + down(n - 1)


print("deep", down(300))
limit = sys.getrecursionlimit()
sys.setrecursionlimit(120)


def forever(n):
    one(len, "x")
    return forever(n + 1)


try:
    forever(0)
except RecursionError as e:
    print("RecursionError", e)
nested = []
for _ in range(500):
    nested = [nested]
try:
    one(repr, nested)
except RecursionError as e:
    print("RecursionError", e)
sys.setrecursionlimit(limit)
print("after", one(len, "abc"), two(divmod, 9, 4))


# Method descriptors (PRECALL_NO_KW_METHOD_DESCRIPTOR_O / _FAST / _NOARGS): warmed on exact types, then given
# subclasses (the type check), objects with Python methods of the same names, and C methods that raise.
def get2(o, k):
    return o.get(k)  # dict.get: METH_FASTCALL


def keys0(o):
    return o.keys()  # dict.keys: METH_NOARGS


def count1(o, x):
    return o.count(x)  # list.count: METH_O


def pop0(o):
    return o.pop()  # list.pop: METH_FASTCALL with no arguments


for i in range(200):
    get2({"a": i}, "a")
    keys0({"k": 1})
    count1([1, 2, 1], 1)
    pop0([1, 2, 3])


class D(dict):
    def get(self, k):
        return ("D.get", k)


class Counter:
    def count(self, x):
        return ("Counter.count", x)

    def keys(self):
        return "Counter.keys"

    def pop(self):
        return "Counter.pop"


class L(list):
    pass


print("descriptors", get2({"a": 1}, "a"), get2({}, "zz"), list(keys0({"x": 1, "y": 2})), count1([1, 1, 2], 1),
      pop0([4, 5]))
print("subclasses", get2(D(a=1), "a"), get2(type("E", (dict,), {})(a=2), "a"), count1(L([1, 1]), 1), pop0(L([7])))
print("python methods", count1(Counter(), 3), keys0(Counter()), pop0(Counter()), get2(Counter, "x")
      if hasattr(Counter, "get") else "no get")
for o in ([], L()):
    try:
        pop0(o)
    except IndexError as e:
        print("IndexError", e)
try:
    count1((1, 2), 1, )
    print("tuple.count at a list.count site", count1((1, 2, 1), 1))
except TypeError as e:
    print("TypeError", e)
try:
    get2([], "a")
except AttributeError as e:
    print("AttributeError", e)
print("str methods at the same sites", count1("banana", "a"), get2({"k": "v"}.items().mapping, "k"))
