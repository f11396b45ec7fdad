"""Iterator protocol: __iter__/__next__, iter(callable, sentinel), itertools, StopIteration edge cases."""

import itertools


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n + 1


class Reiterable:
    def __init__(self, data):
        self.data = data

    def __iter__(self):
        for x in self.data:
            yield x * 2


print(list(Countdown(5)), sum(Countdown(100)))
c = Countdown(3)
print(list(c), list(c))
r = Reiterable([1, 2, 3])
print(list(r), list(r), 4 in r, 5 in r)
it = iter([1, 2, 3])
print(next(it), next(it), next(it), next(it, "default"))
try:
    next(it)
except StopIteration:
    print("StopIteration raised")
state = {"n": 0}


def tick():
    state["n"] += 1
    return state["n"]


print(list(iter(tick, 6)))
print(list(itertools.islice(itertools.count(10, 3), 5)), list(itertools.repeat("x", 3)))
print(list(itertools.chain([1, 2], "ab", range(2))), list(itertools.chain.from_iterable([[1], [2, 3]])))
print(list(itertools.accumulate([1, 2, 3, 4])), list(itertools.accumulate([3, 1, 4, 1, 5], max)))
print([(k, list(g)) for k, g in itertools.groupby("aaabbcaa")])
print(list(itertools.product("ab", range(2))), len(list(itertools.permutations(range(5), 3))))
print(list(itertools.combinations("abcd", 2)), list(itertools.combinations_with_replacement("ab", 2)))
print(list(itertools.zip_longest("abc", [1], fillvalue="-")), list(itertools.pairwise(range(5))))
print(list(itertools.takewhile(lambda x: x < 4, range(10))))
print(list(itertools.dropwhile(lambda x: x < 7, range(10))))
print(list(itertools.compress("abcdef", [1, 0, 1, 0, 1, 1])), list(itertools.filterfalse(None, [0, 1, 0, 2])))
print(list(itertools.starmap(pow, [(2, 3), (3, 2)])), [list(t) for t in itertools.tee(range(3), 2)])
cyc = itertools.cycle("xy")
print([next(cyc) for _ in range(5)])
print(list(enumerate("abc", start=10)), list(reversed(range(5))), list(reversed([1, 2, 3])))
print(list(map(pow, [2, 3], [5, 6])), list(zip(range(3), "abcdef")))


class BadIter:
    def __iter__(self):
        return 42


try:
    iter(BadIter())
except TypeError as e:
    print("TypeError:", e)
try:
    for _ in 5:
        pass
except TypeError as e:
    print("TypeError:", e)


class SeqOnly:
    def __getitem__(self, i):
        if i > 3:
            raise IndexError(i)
        return i * 100


print(list(SeqOnly()), list(reversed([*SeqOnly()])), 200 in SeqOnly())


class RaisesMidway:
    def __init__(self):
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i == 4:
            raise ValueError("broken iterator at 4")
        return self.i


got = []
try:
    for v in RaisesMidway():
        got.append(v)
except ValueError as e:
    print("ValueError:", e, "got", got)
for i in range(3):
    for j in range(3):
        if j == 2:
            break
        if (i + j) == 1:
            continue
        print("nested loop", i, j)
    else:
        print("inner else (never)", i)
else:
    print("outer else ran")
total = 0
for x in Countdown(1000):
    total += x if x % 2 else -x
print("hot iter", total)
d = {"a": 1, "b": 2, "c": 3}
ki, vi, ii = iter(d.keys()), iter(d.values()), iter(d.items())
print(next(ki), next(vi), next(ii), list(ki), list(vi), list(ii))
print(list(map(len, ["a", "bb"])), any(x > 2 for x in range(5)), all([]), all(x for x in [1, 0]))
gen = (x for x in range(3))
print(iter(gen) is gen, list(gen), list(gen))
print(sorted(iter([3, 1, 2])), min(iter([5, 4])), "".join(reversed("stressed")))
