"""__add__/__radd__/__iadd__, __eq__/__hash__, rich comparisons with NotImplemented, unary, containers."""


class Vec:
    def __init__(self, *c):
        self.c = tuple(c)

    def __repr__(self):
        return f"Vec{self.c}"

    def __add__(self, o):
        if isinstance(o, Vec):
            return Vec(*(a + b for a, b in zip(self.c, o.c)))
        if isinstance(o, (int, float)):
            return Vec(*(a + o for a in self.c))
        return NotImplemented

    def __radd__(self, o):
        print("  __radd__ with", o)
        return self + o

    def __iadd__(self, o):
        print("  __iadd__")
        self.c = (self + o).c
        return self

    def __mul__(self, k):
        return Vec(*(a * k for a in self.c)) if isinstance(k, (int, float)) else NotImplemented

    __rmul__ = __mul__

    def __matmul__(self, o):
        return sum(a * b for a, b in zip(self.c, o.c))

    def __neg__(self):
        return Vec(*(-a for a in self.c))

    def __abs__(self):
        return sum(a * a for a in self.c) ** 0.5

    def __bool__(self):
        return any(self.c)

    def __eq__(self, o):
        return isinstance(o, Vec) and self.c == o.c

    def __hash__(self):
        return hash(self.c)

    def __len__(self):
        return len(self.c)

    def __getitem__(self, i):
        return self.c[i]


v, w = Vec(1, 2), Vec(3, 4)
print(v + w, v + 1, 1 + v, v * 3, 3 * v, v @ w, -v, abs(w), bool(Vec(0, 0)), bool(v))
print(sum([v, w, Vec(1, 1)], Vec(0, 0)), sum([v, w], 0) if False else "skip")
alias = v
v += w
print(v, alias, v is alias)
v += 10
print(v, len(v), v[0], v[-1], list(v))
try:
    v + "s"
except TypeError as e:
    print("TypeError:", e)
try:
    v * v
except TypeError as e:
    print("TypeError:", e)
print(Vec(1) == Vec(1), Vec(1) != Vec(2), Vec(1) == (1,), len({Vec(1), Vec(1), Vec(2)}))


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __lt__(self, o):
        print(f"  Money.__lt__({self.cents}, {o!r})")
        if isinstance(o, Money):
            return self.cents < o.cents
        return NotImplemented

    def __gt__(self, o):
        print(f"  Money.__gt__({self.cents}, {o!r})")
        if isinstance(o, int):
            return self.cents > o
        return NotImplemented

    def __repr__(self):
        return f"M{self.cents}"


print(Money(1) < Money(2))
print(5 < Money(3))
try:
    print(Money(1) < "x")
except TypeError as e:
    print("TypeError:", e)
print(sorted([Money(3), Money(1), Money(2)]))


class NoHash:
    def __eq__(self, o):
        return True


try:
    hash(NoHash())
except TypeError as e:
    print("TypeError:", e)


class Both:
    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        print(f"  {self.name}.__eq__")
        return NotImplemented


print(Both("a") == Both("b"), Both("c") != Both("d"))


class Sub(Vec):
    def __radd__(self, o):
        return "Sub.__radd__ preferred"


print(Vec(1) + Sub(2))


class Acc:
    def __init__(self):
        self.items = []

    def __iadd__(self, x):
        self.items.append(x)
        return self

    def __contains__(self, x):
        return x in self.items

    def __iter__(self):
        return iter(self.items)


a = Acc()
for i in range(5):
    a += i * i
print(list(a), 9 in a, 10 in a)
lst = [1]
t = (lst,)
try:
    t[0] += [2]
except TypeError as e:
    print("TypeError:", e, "but list is now", lst)


class Num:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v

    def __int__(self):
        return self.v + 1000

    def __float__(self):
        return self.v / 2

    def __format__(self, spec):
        return f"Num<{format(self.v, spec)}>"

    def __round__(self, n=None):
        return f"rounded {n}"


n = Num(3)
print([10, 20, 30, 40][n], bin(n), int(n), float(n), f"{n:>4}", round(n), round(n, 2), range(n))
print(list(range(10))[Num(1) : Num(4)], "ab" * Num(2))


class Cmp:
    def __init__(self, v):
        self.v = v

    def __eq__(self, o):
        return self.v == getattr(o, "v", o)

    __hash__ = None

    def __lt__(self, o):
        return self.v < o.v


total = 0
items = [Cmp(i % 7) for i in range(200)]
for x in items:
    if x == 3:
        total += 1
    if x < Cmp(2):
        total += 100
print("hot compare", total, min(items).v, max(items).v)
