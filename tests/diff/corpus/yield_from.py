"""yield from: sub-generators returning values, send(), throw(), plain iterables, recursive delegation."""

def inner(n):
    for i in range(n):
        x = yield i
        if x:
            print("got", x)
    return "inner done"
def outer(n):
    r = yield from inner(n)
    print("outer got", r)
    r2 = yield from [10, 20]
    return r2
def tree(d):
    if d == 0:
        yield 0
        return
    yield from tree(d - 1)
    yield d
    yield from tree(d - 1)
for k in range(4):
    g = outer(3)
    print(next(g), g.send("hello"), list(g))
    print(sum(tree(6)))
try:
    g = outer(2)
    next(g)
    g.throw(ValueError("boom"))
except ValueError as e:
    print("raised", e)
