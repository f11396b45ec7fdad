"""Big ints: factorial, pow with mod, bit ops, negative floor-div/mod, int<->str, small int edges."""

import math

f = 1
for i in range(1, 101):
    f *= i
    if i % 25 == 0:
        print(i, f)
print(f == math.factorial(100), f.bit_length(), len(str(f)))
print(pow(3, 1000, 10**9 + 7), pow(2, -1, 97), pow(7, 123456789, 2**61 - 1))
a = 2**200 + 12345
b = -(3**100)
print(a + b, a - b, a * b)
print(a // b, a % b, divmod(a, b), divmod(b, a))
print(a >> 150, a << 10, a & 0xFFFFFFFF, a | 1, a ^ b, ~b)
for x, y in [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 5), (-1, 3)]:
    print(x, y, x // y, x % y, divmod(x, y), x / y, -x // y)
try:
    1 // 0
except ZeroDivisionError as e:
    print("ZDE", e)
try:
    5 % 0
except ZeroDivisionError as e:
    print("ZDE", e)
print(int("123456789" * 5), int("-0x1F", 16), int("0b1011", 0), int("z", 36), int(" 42 "))
print(hex(a), oct(-255), bin(37), f"{a:_}", f"{2**64:#x}", format(-123456789, ","))
try:
    int("12a")
except ValueError as e:
    print(e)
print(str(10**100).count("0"), (10**100 - 1) % 9, abs(b) == -b)
print((2**63 - 1) + 1, -(2**63) - 1, 2**64 * 2**64)
edge = [2**30 - 1, 2**30, 2**31, 2**62, 2**63, -(2**30), 256, 257, -5, -6]
for e in edge:
    print(e, e + 1, e - 1, e * 3, e // 7, e % 7, e >> 1, hash(e) == hash(e + 0))
s = 0
for i in range(1000):
    s += i * i * i
    s ^= i << 40
print("acc", s)
print(math.gcd(2**100, 6**50), math.isqrt(10**50), math.comb(100, 50), math.perm(20, 5))
print((255).to_bytes(2, "big"), int.from_bytes(b"\xff\x00", "little"), (-1).to_bytes(2, "big", signed=True))
print((12345).bit_count(), (-12345).bit_length(), True + True, True * 10, -True)
print(round(123456, -2), round(-2.5), round(3.5), round(1234.5678, 2))
print(sum(range(10**6)), sum(i for i in range(-100, 100, 3)))
x = 1
for _ in range(70):
    x = x * 3 + 1
print(x, x.bit_length())
print(10**20 == 1e20, 2**53 + 1 == float(2**53 + 1), 2**53 + 1 > float(2**53))
print(int(1e20), int(-3.99), int(3.99), float(2**1000) > 1e300)
try:
    float(2**2000)
except OverflowError as e:
    print("OverflowError", e)
print(7**2**2, (-2) ** 3, 2**-2, (-8) ** (1 / 3) == (-8) ** (1 / 3))
