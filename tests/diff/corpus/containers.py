"""dict/set/list/tuple operations, ordering, mutation-during-iteration errors, slicing, sorting."""

d = {}
for i in range(10):
    d[f"k{i}"] = i * i
del d["k3"]
d["k3"] = "back at end"
d["k0"] = "updated in place"
print(list(d), d.pop("k5"), d.pop("zz", "dflt"), d.popitem(), len(d))
print(d.setdefault("new", []), d.setdefault("k1", "ignored"), d.get("nope"), "k2" in d)
d2 = d | {"k1": "merged"}
d |= {"k9": 9}
print(d2["k1"], d["k9"], list(reversed(d))[:3], {1: "a"} == {1: "a"}, dict(zip("ab", [1, 2])))
try:
    d["missing"]
except KeyError as e:
    print("KeyError", e)
try:
    for k in d:
        d["added_" + k] = 1
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    s = {1, 2, 3}
    for x in s:
        s.add(x + 10)
except RuntimeError as e:
    print("RuntimeError:", e)
lst = list(range(10))
for x in lst:
    if x % 2 == 0:
        lst.remove(x)
print("list mutated while iterating", lst)
lst = list(range(20))
print(lst[::3], lst[-5:], lst[5:2], lst[::-4], lst[100:], lst[-100:2])
lst[2:5] = ["a", "b"]
del lst[::4]
lst[1:1] = [99, 98]
print(lst, len(lst))
try:
    lst[1:8:2] = [1]
except ValueError as e:
    print("ValueError", e)
try:
    lst[100]
except IndexError as e:
    print("IndexError", e)
nums = [5, -3, 2, -8, 7, 0, 2]
print(sorted(nums), sorted(nums, key=abs), sorted(nums, reverse=True), sorted(nums, key=lambda v: (v % 3, v)))
nums.sort(key=str)
print(nums, nums.index(2), nums.count(2), min(nums), max(nums, key=abs))
recs = [("bob", 25), ("alice", 30), ("carol", 25), ("dave", 30), ("eve", 22)]
print(sorted(recs, key=lambda r: r[1]), sorted(recs, key=lambda r: (-r[1], r[0])))
a, b = {1, 2, 3, 4}, {3, 4, 5}
print(a | b, a & b, a - b, a ^ b, a <= b, {3} < a, a.isdisjoint({9}), frozenset(b) == b)
s = set()
for i in range(100):
    s.add(i * 7 % 31)
    if i % 10 == 0:
        s.discard(i % 31)
print(sorted(s), len(s))
try:
    s.remove(-1)
except KeyError as e:
    print("KeyError", e)
t = (1, 2, [3, 4])
t[2].append(5)
try:
    t[0] = 9
except TypeError as e:
    print("TypeError", e)
try:
    hash(t)
except TypeError as e:
    print("TypeError", e)
print(t, t + (6,), t * 2, t.index(2), (1, 2) < (1, 3), (1, 2) < (1, 2, 0), () < (0,))
print([1, 2] == [1, 2], [1, [2]] < [1, [3]], [0] * 3, [[0]] * 2, list("abc") + ["d"])
grid = [[0] * 3 for _ in range(3)]
alias = [[0] * 3] * 3
grid[0][0] = alias[0][0] = 1
print(grid, alias)
stack, queue = [], []
for i in range(5):
    stack.append(i)
    queue.insert(0, i)
print([stack.pop() for _ in range(3)], queue.pop(), stack, queue)
from collections import Counter, OrderedDict, defaultdict, deque, namedtuple  # noqa: E402

dd = defaultdict(list)
for i, w in enumerate("one two three four five six".split()):
    dd[len(w)].append((i, w))
print(dict(dd), dd[99], len(dd))
c = Counter("abracadabra")
print(c.most_common(3), c["z"], sorted((c + Counter("aaa")).items()), sorted(c.elements())[:6])
dq = deque(range(5), maxlen=5)
dq.append(5)
dq.appendleft(-1)
dq.rotate(2)
print(dq, dq[0], list(reversed(dq)))
od = OrderedDict.fromkeys("abcde")
od.move_to_end("b")
od.move_to_end("e", last=False)
print(list(od), od.popitem(last=False))
Pt = namedtuple("Pt", "x y")
p = Pt(3, y=4)
print(p, p._replace(x=9), p._asdict(), p.x + p[1], Pt._fields)
keys = [(i * 37) % 101 for i in range(50)]
m = {}
for k in keys:
    m[k] = m.get(k, 0) + k
for k in list(m)[::3]:
    del m[k]
print(list(m.items())[:10], len(m), sum(m.values()))
print(list(dict.fromkeys([3, 1, 3, 2, 1])), {True: "a", 1: "b", 1.0: "c"})
