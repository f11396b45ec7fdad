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
