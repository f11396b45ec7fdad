"""FOR_ITER over lists and ranges and LOAD_DEREF, which compiled code does inline or in a short path: a list
that grows, shrinks or is cleared while it is iterated, an exhausted iterator whose list grows again (it stays
exhausted), list subclasses, ranges with negative and big steps and values past the small-int cache, reversed
ranges, and a closure variable deleted before it is read (NameError)."""


def walk_growing(items):
    seen = []
    for x in items:
        seen.append(x)
        if x < 5:
            items.append(x + 10)
    return seen


def walk_shrinking(items):
    seen = []
    for x in items:
        seen.append(x)
        if items:
            items.pop()
    return seen


def walk_cleared(items):
    seen = []
    for x in items:
        seen.append(x)
        items.clear()
    return seen


def exhausted_stays_exhausted():
    items = [1, 2]
    it = iter(items)
    first = [x for x in it]
    items.append(3)
    return first, [x for x in it], list(it)


class MyList(list):
    def __iter__(self):
        return iter([-1] + list(super().__iter__()))


def ranges():
    out = []
    for r in (range(5), range(10, 0, -3), range(-5, 5, 2), range(0, 10**12, 10**11), range(250, 270, 7),
              reversed(range(300, 310)), range(2**62, 2**62 + 3)):
        total = 0
        for v in r:
            total += v
        out.append(total)
    return out


def deref_after_del():
    value = 1

    def read():
        return value

    got = [read()]
    del value
    try:
        read()
    except NameError as exc:
        got.append(type(exc).__name__)
    return got


def nested_cells(n):
    acc = 0

    def add(k):
        nonlocal acc
        acc += k
        return acc

    for i in range(n):
        add(i)
    return acc, [f() for f in [lambda i=i: i * acc for i in range(3)]]


for _ in range(3):
    print(walk_growing([1, 2, 3]))
    print(walk_shrinking([1, 2, 3, 4, 5]))
    print(walk_cleared([1, 2, 3]))
    print(exhausted_stays_exhausted())
    print([x for x in MyList([1, 2])])
    print(ranges())
    print(deref_after_del())
    print(nested_cells(1000))
