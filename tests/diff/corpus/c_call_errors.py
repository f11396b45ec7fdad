"""Errors raised by C functions that tier 1 calls inline (a quickened len(), a method descriptor): the operands are
released on the error path too (a __del__ runs at the same point), and the exception reaches the handler."""

import sys


def f(x):
    try:
        return len(x)
    except TypeError as e:
        return str(e)
def g(s, x):
    try:
        return s.startswith(x)
    except TypeError as e:
        return str(e)
class D:
    def __del__(self):
        print("del", flush=True)

out = []
for i in range(60):
    out.append(f([1] * (i % 3)))
    out.append(g("abc", "a"))
out.append(f(5))
out.append(g("abc", 5))
out.append(g("abc", D()))
print(out[-6:], sys.getrefcount(D))
