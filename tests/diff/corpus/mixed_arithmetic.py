"""Float arithmetic compiled inline (fastpaths.py emit_binary_fast_path): true division of floats and of one-digit
ints, a float with a one-digit int on either side of + - * /, in-place forms, zero divisors (+0.0, -0.0, 0: the
ZeroDivisionError), signed zeros, inf and nan, and operands that must take the generic path (big ints, bools,
subclasses of float and int)."""

import math


class F(float):
    def __truediv__(self, other):
        return "F.__truediv__"


class I(int):  # noqa: E742
    def __add__(self, other):
        return "I.__add__"


def div_ints(pairs):
    return [a / b for a, b in pairs]


def mixed(x, k):
    return (x + k, k + x, x - k, k - x, x * k, k * x, x / k if k else None, k / x if x else None)


def inplace(n):
    t = 1.0
    u = 3
    for i in range(1, n):
        t /= i
        t += i
        t *= 2
        u += 0.5
        u /= 3
    return t, u


def divide(a, b):
    try:
        return a / b
    except ZeroDivisionError as exc:  # (the rest of this call runs in the interpreter: one call per case)
        return f"ZeroDivisionError: {exc}"


def zeros():
    return [divide(a, b) for a, b in ((1.0, 0.0), (1.0, -0.0), (3, 0), (2.5, 0), (0, 0.0), (-0.0, 0), (4, 2.0))]


def specials():
    inf, nan = math.inf, math.nan
    vals = [inf / 2, 2 / inf, -inf * 0.0, inf - inf, nan + 1, 1 - nan, (0 / -5), (-0.0) * 3, 3 * (-0.0), 0 - 0.0,
            -0.0 - 0, 7 / 7, -9 / 3, 2**31 / 3, 10**30 / 7, True / 2, 2 / True, True + 0.5, F(1.0) / 2, I(3) + 0.5]
    return [repr(v) for v in vals]


for _ in range(3):
    print(div_ints([(1, 3), (-7, 2), (0, -5), (2, 4), (1073741823, 3), (-1073741823, 1073741823), (5, -1)]))
    for x in (2.5, -0.0, 1e300, -3.75):
        for k in (3, -7, 0, 1073741823):
            print(x, k, mixed(x, k))
    print(inplace(40))
    print(zeros())
    print(specials())
