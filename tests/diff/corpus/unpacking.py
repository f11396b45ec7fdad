"""Unpacking: star, nested, swap, in for-loops, in calls, errors."""

a, b = 1, 2
a, b = b, a
print(a, b)
first, *mid, last = range(10)
print(first, mid, last)
*init, tail = "hello"
print(init, tail)
head, *rest = [1]
print(head, rest)
(x, y), [z, *w] = (1, 2), [3, 4, 5]
print(x, y, z, w)
for i, (k, v) in enumerate({"a": 1, "b": 2}.items()):
    print(i, k, v)
for (p, q), *others in [((1, 2), 3, 4), ((5, 6),)]:
    print(p, q, others)
try:
    a, b = [1, 2, 3]
except ValueError as e:
    print("ValueError", e)
try:
    a, b, c = [1, 2]
except ValueError as e:
    print("ValueError", e)
try:
    a, *b, c = [1]
except ValueError as e:
    print("ValueError", e)
try:
    a, b = 5
except TypeError as e:
    print("TypeError", e)


def f(*args, **kwargs):
    return args, kwargs


print(f(*[1, 2], *(3,), **{"a": 1}, **{"b": 2}))
print(f(*"ab", 0, *range(2), k=1))
try:
    f(**{"a": 1}, a=2)
except TypeError as e:
    print("TypeError", e)
print([*range(3), *[4, 5]], (*"ab",), {*"aba"} == {"a", "b"}, {**dict(a=1), "b": 2})
m = [[1, 2, 3], [4, 5, 6]]
print(list(zip(*m)), [(*row, sum(row)) for row in m])
a = b = c = [0]
a.append(1)
print(a, b, c, a is c)
n1 = n2 = 5
n1 += 1
print(n1, n2)
lst = [0, 1, 2, 3]
i = 0
i, lst[i] = 2, "set"
print(i, lst)
data = [("x", (1, [2, 3])), ("y", (4, [5, 6]))]
for name, (num, [aa, bb]) in data:
    print(name, num, aa, bb, num + aa + bb)
d = {}
d["k"], d["j"] = "v1", "v2"
print(d)


class Obj:
    pass


o = Obj()
o.a, o.b = divmod(17, 5)
print(o.a, o.b)


def gen():
    yield from range(3)


one, two, three = gen()
print(one, two, three)
big_first, *big_rest = range(10000)
print(big_first, len(big_rest), big_rest[-1])


def returns_tuple():
    return 1, (2, 3), [4, *range(5, 7)]


r1, (r2, r3), [r4, *r5] = returns_tuple()
print(r1, r2, r3, r4, r5)
print(*[1, 2, 3], sep="|", end="!\n")
try:
    print(*None)
except TypeError as e:
    print("TypeError", e)
