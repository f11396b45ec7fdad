"""Deep recursion near the limit, RecursionError caught and program continues; mutual recursion."""

import sys

sys.setrecursionlimit(2000)
print("limit", sys.getrecursionlimit())


def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)


print("depth 1500", depth(1500))


def infinite(n):
    return infinite(n + 1) + 1


for attempt in range(3):
    try:
        infinite(0)
    except RecursionError as e:
        print("caught RecursionError", attempt, str(e)[:40])
print("still alive", depth(1000))


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


print([is_even(n) for n in (0, 1, 10, 501, 1200)])


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


print("ackermann", [ackermann(2, n) for n in range(5)], ackermann(3, 3))


def hanoi(n, src, dst, via, moves):
    if n:
        hanoi(n - 1, src, via, dst, moves)
        moves.append((src, dst))
        hanoi(n - 1, via, dst, src, moves)
    return moves


m = hanoi(10, "A", "C", "B", [])
print("hanoi", len(m), m[:5], m[-3:])


def recursive_with_exc(n):
    if n == 0:
        raise ValueError("bottom")
    try:
        return recursive_with_exc(n - 1)
    finally:
        if n % 200 == 0:
            print("  unwinding through", n)


try:
    recursive_with_exc(900)
except ValueError as e:
    print("propagated", e)


class Node:
    def __init__(self, v, children=()):
        self.v = v
        self.children = list(children)

    def total(self):
        return self.v + sum(c.total() for c in self.children)

    def __repr__(self):
        return f"N({self.v}{', ' if self.children else ''}{', '.join(map(repr, self.children))})"


def build(d):
    return Node(d, [build(d - 1) for _ in range(2)] if d else [])


tree = build(8)
print("tree total", tree.total())
print(repr(build(2)))

nested = []
cur = nested
for _ in range(100):
    cur.append([])
    cur = cur[0]
print(str(nested)[:30], len(str(nested)))


def rec_repr():
    x = []
    x.append(x)
    d = {}
    d["self"] = d
    return repr(x), repr(d)


print(rec_repr())


def memo_fib(n, memo={}):  # noqa: B006
    if n < 2:
        return n
    if n not in memo:
        memo[n] = memo_fib(n - 1) + memo_fib(n - 2)
    return memo[n]


print(memo_fib(300))


def gen_recursion(n):
    if n == 0:
        yield "leaf"
        return
    yield from gen_recursion(n - 1)


print(list(gen_recursion(400)))
sys.setrecursionlimit(200)
try:
    depth(500)
except RecursionError:
    print("lowered limit hit")
sys.setrecursionlimit(3000)
print("raised limit", depth(2500))
