"""+, -, * (and in-place forms) on the inline fast paths' edges: one-digit ints at their limits, results that
need more digits, signs, bools and int/float subclasses (generic path), floats with signed zeros, inf and nan."""

import math

BIG = 2**30 - 1


class MyInt(int):
    def __add__(self, other):
        return f"MyInt.__add__({int(self)}, {other})"


class MyFloat(float):
    def __mul__(self, other):
        return "MyFloat.__mul__"


def ops(a, b):
    x = a
    x += b
    y = a
    y -= b
    z = a
    z *= b
    return a + b, a - b, a * b, x, y, z


VALUES = [0, 1, -1, 7, BIG, -BIG, BIG + 1, -(BIG + 1), 2**62, True, False, MyInt(3), 0.0, -0.0, 1.5, -2.25,
          math.inf, -math.inf, math.nan, MyFloat(2.0), 1e308]
for a in VALUES:
    for b in VALUES:
        try:
            print(repr(a), repr(b), ops(a, b))
        except (TypeError, OverflowError) as e:
            print(repr(a), repr(b), type(e).__name__, e)


def accumulate(n):
    total = 0
    ftotal = 0.0
    for i in range(n):
        total = total * 3 - i + 7
        total -= total // 2 * 2 if total > BIG else 0
        ftotal = ftotal * 0.5 + i * 1.25 - 0.75
    return total, ftotal


print(accumulate(100), accumulate(1000))
