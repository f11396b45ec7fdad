"""List/set/dict comprehensions, nested, conditions, walrus, scoping, generator expressions."""

print([x * x for x in range(10)])
print([x for x in range(30) if x % 2 if x % 3])
print([(i, j) for i in range(4) for j in range(i) if (i + j) % 2])
print([[i * j for j in range(4)] for i in range(4)])
print({x % 5 for x in range(100)}, sorted({c for c in "mississippi"}))
print({k: v for k, v in zip("abcde", range(5)) if v != 2})
print({i: {j: i * j for j in range(3)} for i in range(3)})
print(sorted({(a, b) for a in range(3) for b in range(3) if a != b}))
matrix = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print([row[i] for i in range(3) for row in matrix], [list(col) for col in zip(*matrix)])
print([z for row in matrix for y in row if (z := y * 10) > 30], "walrus leaked z:", z)
print([last := v for v in range(5)], last)
x = "outer"
print([x for x in range(3)], x)
print([[x for x in range(i)] for i in range(4)])


class K:
    base = 10
    vals = [base + i for i in range(3)] if False else None
    try:
        bad = [base + i for i in range(3)]
    except NameError as e:
        err = str(e)


print(K.vals, K.err)


def in_function(n):
    scale = 3
    data = [scale * i for i in range(n)]
    lookup = {v: i for i, v in enumerate(data)}
    flags = {v % 2 == 0 for v in data}
    gen = sum(v for v in data if v in lookup)
    return data, lookup, flags, gen


print(in_function(6))


def comp_closure():
    fs = [lambda: i for i in range(3)]
    gs = [(lambda j: lambda: j)(i) for i in range(3)]
    return [f() for f in fs], [g() for g in gs]


print(comp_closure())
words = "the cat sat on the mat with the hat".split()
freq = {}
for w in words:
    freq[w] = freq.get(w, 0) + 1
print(sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])))
print({w: len(w) for w in words}, [w.upper() for w in words if len(w) == 3][:4])
print(sum([i for i in range(1000) if i % 7 == 0]), max(j for j in range(50) if j % 13 == 0))
print(list(map(lambda t: t[0] * t[1], enumerate("abc"))), list(filter(None, [0, 1, "", "x", None, [], [0]])))
nested_gen = ((i, (j for j in range(i))) for i in range(3))
print([(i, list(g)) for i, g in nested_gen])
try:
    [1 // (x - 3) for x in range(5)]
except ZeroDivisionError as e:
    print("error inside comprehension:", e)
print([i for i in range(5) for _ in range(i) if i > 2])
print(dict.fromkeys("aab", 0), {**{"a": 1}, **{"b": 2, "a": 3}}, [*range(3), *"ab"], {*range(3), 5})
big = [i ^ (i >> 1) for i in range(2000)]
print(sum(big), big[1000:1010], len(set(big)))
print([f"{a}{b}" for a, b in zip("abc", "xyz", strict=True)])
try:
    list(zip("ab", "xyz", strict=True))
except ValueError as e:
    print("ValueError", e)
