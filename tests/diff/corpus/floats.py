"""Float repr, arithmetic, division by zero, inf/nan comparisons, rounding, int/float mixing."""

import math

vals = [0.1, 0.2, 0.1 + 0.2, 1 / 3, 2 / 3, 1e16, 1e-7, 123456789.123456789, -0.0]
vals += [5e-324, 1.7976931348623157e308]
for v in vals:
    print(repr(v), str(v), f"{v:.3e}", f"{v:g}", v.hex(), v.is_integer())
inf, nan = float("inf"), float("nan")
print(inf, -inf, nan, inf - inf, inf * 0, -inf < 0 < inf, inf == inf)
print(nan == nan, nan != nan, nan < 1, nan > 1, nan is nan, [nan] == [nan], nan in [nan])
print(math.isnan(nan), math.isinf(-inf), math.isfinite(1e308 * 10), 1e308 * 10)
print(max(1.0, nan), max(nan, 1.0), min([3.0, nan, 1.0]), sorted([3.0, 1.0, 2.0]))
for a, b in [(1.0, 0.0), (1, 0.0), (0.0, 0.0), (-1.5, 0), (5.5, 0.0)]:
    for op in ("/", "//", "%"):
        try:
            r = eval(f"a {op} b")
            print(a, op, b, "=", r)
        except ZeroDivisionError as e:
            print(a, op, b, "ZeroDivisionError:", e)
for x, y in [(7.5, 2), (-7.5, 2), (7.5, -2), (-7.5, -2.0), (1e300, 1e-300), (0.3, 0.1)]:
    print(x, y, x // y, x % y, divmod(x, y), math.fmod(x, y), x**0.5 if x > 0 else None)
print(0.1 * 3 == 0.3, math.isclose(0.1 * 3, 0.3), abs(-0.0), math.copysign(1, -0.0))
print(round(2.675, 2), round(0.5), round(1.5), round(-0.5), round(1e20), round(2.5, 0))
print(int(2.9999), int(-2.9999), math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5))
print(float("1e500"), float("-1e500"), float(" 3.25 "), float("nan") != float("nan"))
try:
    float("abc")
except ValueError as e:
    print("ValueError", e)
try:
    math.sqrt(-1)
except ValueError as e:
    print("ValueError", e)
try:
    math.exp(1000)
except OverflowError as e:
    print("OverflowError", e)
try:
    2.0**10000
except OverflowError as e:
    print("OverflowError", e)
acc = 0.0
for i in range(1, 10001):
    acc += 1.0 / (i * i)
print("basel", acc, math.pi**2 / 6 - acc)
kahan, c = 0.0, 0.0
for i in range(10000):
    y = 0.1 - c
    t = kahan + y
    c = (t - kahan) - y
    kahan = t
print("kahan", kahan, sum([0.1] * 10000), math.fsum([0.1] * 10000))
print(1 + 2.0, 3 * 1.5, 7 / 2, 2**0.5, 10 / 5, type(10 / 5).__name__, 1 == 1.0, hash(1.0) == hash(1))
print((0.5).as_integer_ratio(), (0.1).as_integer_ratio(), float.fromhex("0x1.8p1"))
print(complex(1, 2) * complex(3, -1), abs(3 + 4j), (1j) ** 2, complex("1+2j").conjugate())
print(math.log(1024, 2), math.log10(1e-5), math.atan2(-1, -1), math.hypot(3, 4), math.degrees(math.pi))
print(f"{math.pi:10.4f}|{-math.e:+.2f}|{1234567.891:,.2f}|{0.000123:.2%}|{1e-10:e}")
print(sum(x / 7 for x in range(100)), [round(x * 0.1, 10) for x in range(5)])
print(1e16 + 1 - 1e16, 1e16 + 2 - 1e16, 2**53 + 1.0, float(10**20) == 10**20)
neg_zero = -0.0
print(neg_zero == 0.0, str(neg_zero), repr(-0.0 * 1), 0.0 * -1, math.atan2(0.0, -0.0))
m = [[1.5, 2.25], [3.125, -4.0]]
print([[a * b for a, b in zip(r, c)] for r in m for c in zip(*m)])
