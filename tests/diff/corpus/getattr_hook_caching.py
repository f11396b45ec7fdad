"""Classes with __getattr__ (and not __getattribute__): attributes the normal lookup finds are cached like any
class's; what it does not find, and what a property refuses with AttributeError, goes to __getattr__."""


class Lazy:
    kind = "lazy"

    def __init__(self, n):
        self.n = n
        self.calls = 0

    def __getattr__(self, name):
        self.calls += 1
        if name.startswith("x") or name == "flaky":
            return f"made {name}"
        raise AttributeError(name)

    def double(self):
        return self.n * 2

    @property
    def flaky(self):
        if self.n % 3 == 0:
            raise AttributeError("flaky")
        return self.n


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a):
        self.a = a

    def __getattr__(self, name):
        return f"rescued {name}"


def use(objs):
    out = []
    for o in objs:
        out.append((o.n, o.kind, o.double(), o.xyz, o.flaky, o.calls))
    return out


def slots(objs):
    return [(s.a, s.b) for s in objs]


objs = [Lazy(i) for i in range(7)]
for _ in range(40):
    result = use(objs)
print(result)
ss = [Slotted(i) for i in range(5)]
for _ in range(40):
    r = slots(ss)
print(r)
ss[2].b = "set"
print(slots(ss))
del ss[2].b
print(slots(ss))
# the class changes: __getattr__ replaced, then removed; a class attribute shadowed by an instance value
Lazy.__getattr__ = lambda self, name: f"new {name}"
print(use(objs)[:2])
del Lazy.__getattr__
try:
    use(objs)
except AttributeError as exc:
    print("AttributeError", exc)
objs[1].kind = "own"
Lazy.xyz = "class xyz"
print(use(objs[1:3]))
