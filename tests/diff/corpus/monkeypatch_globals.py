"""Rebinding module globals and builtins mid-loop (len/print/abs), then restoring; globals() mutation."""

import builtins

SCALE = 2


def scaled(x):
    return x * SCALE


def measure(seq):
    return len(seq)


def absolute(x):
    return abs(x)


out = []
for i in range(10):
    if i == 4:
        SCALE = 10
    if i == 7:
        globals()["SCALE"] = -1
    out.append(scaled(i))
print("scaled", out)

orig_len = builtins.len
res = []
for i in range(8):
    if i == 3:
        builtins.len = lambda s: 1000 + orig_len(s)
    if i == 6:
        builtins.len = orig_len
    res.append(measure("abc" * i))
print("builtin len patched", res)

res = []
for i in range(8):
    if i == 2:
        len = lambda s: -1  # noqa: E731
    if i == 5:
        del len
    res.append(measure([0] * i))
print("module len shadow", res)

orig_print = builtins.print
captured = []


def fake_print(*args, **kw):
    captured.append(" ".join(map(str, args)))


def talk(i):
    print("talking", i)


for i in range(6):
    if i == 2:
        builtins.print = fake_print
    if i == 4:
        builtins.print = orig_print
    talk(i)
print("captured", captured)


def absolute_loop():
    vals = []
    for i in range(-3, 4):
        vals.append(absolute(i))
        if i == 0:
            globals()["abs"] = lambda x: "patched"
    del globals()["abs"]
    return vals


print(absolute_loop(), absolute(-9))


def uses_missing():
    return undefined_name  # noqa: F821


for attempt in range(3):
    try:
        print("got", uses_missing())
    except NameError as e:
        print("NameError", e)
        globals()["undefined_name"] = attempt * 100
del undefined_name  # noqa: F821
try:
    uses_missing()
except NameError as e:
    print("NameError again", e)

saved_builtin = builtins.sorted
del builtins.sorted
try:
    sorted([2, 1])
except NameError as e:
    print("deleted builtin:", e)
builtins.sorted = saved_builtin
print(sorted([3, 1, 2]))


def call_helper(n):
    return helper(n)  # noqa: F821


def helper(n):
    return n + 1


vals = [call_helper(i) for i in range(3)]
helper_orig = helper


def helper(n):  # noqa: F811
    return n * 100


vals += [call_helper(i) for i in range(3)]
helper = helper_orig
vals += [call_helper(i) for i in range(3)]
print(vals)

ns = {"__builtins__": {"len": lambda x: 42, "print": builtins.print, "range": range}}
exec("print('custom builtins len:', len('abc'))", ns)
exec("def f(): return len([1])\nr = [f() for _ in range(3)]", ns)
print(ns["r"])
print(scaled.__globals__ is globals(), "SCALE" in scaled.__globals__)
