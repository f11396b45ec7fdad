"""Python-function call sites whose callee changes under them.

Run warm (threshold 30), each site first calls one plain function many times, so CPython quickens its PRECALL as
PRECALL_PYFUNC and tier 1 compiles the site with the fast case "the callee's code of last time, entered
straight" (csrc/bjit_entry.c: accel_op_call_exact). Then the site gets: the same code in a fresh closure, with
other defaults, with other globals; a function whose __code__ or __defaults__ was replaced; generator and
keyword-only callees; bound methods, classes and builtins at the same site; and callers deep in recursion.
"""

import sys
import types


def add(a, b=10, c=100):
    return a + b + c


def call_two(f, x, y):
    return f(x, y)  # the site under test: two positional arguments


def call_one(f, x):
    return f(x)  # one positional argument: the callee's defaults fill the rest


def warm():
    total = 0
    for i in range(200):
        total += call_two(add, i, 1)
        total += call_one(add, i)
    return total


print("warm", warm())


# The same code in fresh function objects: closures made per call, and with their own defaults.
def make_adder(k):
    def adder(a, b=k, c=0):
        return a * k + b + c

    return adder


print("closures", [call_two(make_adder(k), k, 1) for k in range(5)], [call_one(make_adder(k), 3) for k in range(5)])

# The same code under other globals: the machine code must read the frame's globals.
src = "def g(a, b=2):\n    return SCALE * a + b\n"
ns1 = {"SCALE": 1}
ns2 = {"SCALE": 1000}
exec(src, ns1)
exec(src, ns2)
g_other = types.FunctionType(ns1["g"].__code__, ns2, "g_other", (7,))
for f in (ns1["g"], ns2["g"], g_other):
    print("globals", call_two(f, 3, 4), call_one(f, 3))

# __defaults__ changed between calls, then removed: too few arguments is CPython's TypeError.
def dflt(a, b=1, c=2):
    return (a, b, c)


for _ in range(50):
    call_one(dflt, 0)
dflt.__defaults__ = (5, 6)
print("defaults", call_one(dflt, 1), call_two(dflt, 1, 2))
dflt.__defaults__ = (9,)
try:
    print(call_one(dflt, 1))
except TypeError as e:
    print("TypeError", e)
print("defaults kept", call_two(dflt, 1, 2))
dflt.__defaults__ = None
try:
    call_two(dflt, 1, 2)
except TypeError as e:
    print("TypeError", e)


# __code__ replaced: the site must run the new code.
def swap_target(a, b):
    return "old", a, b


for _ in range(50):
    call_two(swap_target, 1, 2)
swap_target.__code__ = (lambda a, b: ("new", b, a)).__code__
print("code", call_two(swap_target, 1, 2))
swap_target.__code__ = (lambda *args: ("varargs", args)).__code__
print("code", call_two(swap_target, 1, 2))


# Generators, keyword-only parameters, too many arguments at the same sites.
def gen(a, b):
    yield a
    yield b


def kwonly(a, b, *, c=3):
    return a + b + c


def too_few(a):
    return a


print("gen", list(call_two(gen, 1, 2)), "kwonly", call_two(kwonly, 1, 2))
try:
    call_two(too_few, 1, 2)
except TypeError as e:
    print("TypeError", e)


# Bound methods, classes, builtins, callables with __call__.
class Box:
    def __init__(self, a, b=0):
        self.v = (a, b)

    def pair(self, b):
        return ("pair", self.v, b)

    def __call__(self, a, b):
        return ("called", a, b)

    def __repr__(self):
        return f"Box{self.v}"


box = Box(1)
print("others", call_two(box.pair.__func__, box, 5), call_one(box.pair, 6), call_two(Box, 1, 2), call_two(max, 3, 9),
      call_two(box, 1, 2), call_one(len, "abc"))


# The callee's frame is kept (a frame object outlives the call) and locals() is taken inside it.
def keeps_frame(a, b):
    return sys._getframe()


def takes_locals(a, b):
    c = a + b
    return sorted(locals().items())


for _ in range(50):
    call_two(add, 1, 2)
fr = call_two(keeps_frame, 1, 2)
print("frame", fr.f_code.co_name, sorted(fr.f_locals.items()), fr.f_back is not None)
print("locals", call_two(takes_locals, 1, 2))


# Deep recursion through the site: the data stack grows new chunks, RecursionError stays CPython's.
def down(n, acc):
    if n == 0:
        return acc
    return call_two(down, n - 1, acc + 1)


print("deep", down(300, 0))


def forever(n, acc):
    return call_two(forever, n + 1, acc)


try:
    forever(0, 0)
except RecursionError:
    print("RecursionError")


# Exceptions raised by the callee travel through the site.
def raiser(a, b):
    raise ValueError(a, b)


for i in range(3):
    try:
        call_two(raiser, i, i * 2)
    except ValueError as e:
        print("ValueError", e.args)
print("warm again", warm())


# One site alternating between callees (the site keeps two): different parameter counts, defaults, a generator,
# a callee whose defaults change, a callee redefined under the same name.
def two(a, b):
    return ("two", a, b)


def three(a, b, c=30):
    return ("three", a, b, c)


def gen2(a, b):
    yield a + b


def one_only(a):
    return ("one", a)


cycle = [two, three, two, three, gen2, two, one_only, three]
for round_ in range(40):
    out = []
    for k, f in enumerate(cycle):
        try:
            r = call_two(f, round_, k)
            out.append(list(r) if f is gen2 else r)
        except TypeError as e:
            out.append(str(e))
    if round_ == 20:
        three.__defaults__ = (99,)
        cycle[0] = lambda a, b: ("lambda", a, b)
    if round_ % 10 == 0 or round_ == 21:
        print("alternating", round_, out)
