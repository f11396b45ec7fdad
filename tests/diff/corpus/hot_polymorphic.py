"""Functions made hot with one type, then fed other types (deopt paths); small-int -> bigint overflow."""


def add(a, b):
    return a + b


def mul_acc(n, start):
    acc = start
    for i in range(1, n):
        acc = acc * 3 + i
    return acc


def index_it(seq, i):
    return seq[i]


def compare(a, b):
    if a < b:
        return -1
    if a == b:
        return 0
    return 1


def truth(x):
    return "T" if x else "F"


for i in range(500):
    add(i, i)
    index_it([1, 2, 3], i % 3)
    compare(i, 250)
    truth(i)
print("ints", add(2, 3), add(2**62, 2**62), add(-(2**63), -1), add(True, True))
print("floats", add(0.1, 0.2), add(1, 0.5), add(float("inf"), -1))
print("strs", add("a", "b"), add([1], [2]), add((1,), (2,)))
try:
    add(1, "x")
except TypeError as e:
    print("TypeError:", e)
print("overflow", mul_acc(10, 1), mul_acc(50, 1), mul_acc(50, 1.0), mul_acc(45, -7))
print("index", index_it("abc", -1), index_it({"k": 5}, "k"), index_it(range(10), 7), index_it([0, 1], True))
try:
    index_it([1], 5)
except IndexError as e:
    print("IndexError:", e)
try:
    index_it([1], "x")
except TypeError as e:
    print("TypeError:", e)
print("compare", compare(1.5, 2), compare("b", "a"), compare((1, 2), (1, 2)), compare(2**70, 2**70 + 1))
print("truth", [truth(v) for v in (0, 0.0, "", [], {}, None, 1, "0", [0], -0.0, float("nan"))])


class Weird:
    def __bool__(self):
        raise RuntimeError("no truth")


try:
    truth(Weird())
except RuntimeError as e:
    print("RuntimeError:", e)


def counter_loop(n):
    i = 0
    total = 0
    while i < n:
        total += i
        i += 1
    return total, i


for n in (0, 1, 10, 100000):
    print("counter", n, counter_loop(n))


def sum_squares(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


print([sum_squares(n) for n in (0, 1, 10, 3_000_000 // 30)])
print("big range", sum_squares(3_100_000 // 31) == sum(i * i for i in range(100_000)))


def int_edge_math():
    out = []
    for x in (2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64):
        out.append((x + 1, x - 1, x * 2, x * -1, x // 3, x % 3, -x, x >> 3, x << 3, abs(x)))
    return out


for row in int_edge_math():
    print(row)


def float_int_mix(n):
    vals = []
    x = 1
    for i in range(n):
        x = x / 2 if i % 3 == 0 else x * 3
        vals.append(x)
    return vals


print(float_int_mix(8))


def poly_attr(objs):
    return [o.val for o in objs]


class A:
    val = "class A"


class B:
    def __init__(self):
        self.val = "instance B"


class C:
    @property
    def val(self):
        return "property C"


class D:
    __slots__ = ("val",)

    def __init__(self):
        self.val = "slot D"


class E:
    def __getattr__(self, n):
        return f"getattr E {n}"


objs = [A(), B(), C(), D(), E()]
for _ in range(100):
    poly_attr(objs[:1])
print(poly_attr(objs))


def poly_call(fs, x):
    return [f(x) for f in fs]


print(poly_call([len, str.upper, lambda s: s * 2, "{}!".format, sorted, type, list], "abc"))


def shift_and_bits(n):
    out = []
    for s in (0, 1, 31, 32, 63, 64, 100):
        out.append((n << s) >> s == n)
        out.append((n >> s, n & ((1 << s) - 1)))
    return out


print(shift_and_bits(123456789), shift_and_bits(-98765))
try:
    1 << -1
except ValueError as e:
    print("ValueError:", e)
x = 0
for i in range(1000):
    x = (x * 31 + i) & 0xFFFFFFFFFFFFFFFF
print("hash-like", x, hex(x))
