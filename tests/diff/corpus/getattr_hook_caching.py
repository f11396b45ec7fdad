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


class Alias:  # typing's _GenericAlias: __getattr__, instances with a materialised dict, plain class attributes
    default = 7

    def __init__(self, origin):
        self.__origin__ = origin
        self.__dict__  # materialise

    def __getattr__(self, name):
        return "hook: " + name


def read_alias(a):
    return a.__origin__, a.default, a.missing


aliases = [Alias("list"), Alias("dict")]
out = []
for i in range(150):
    out.append(read_alias(aliases[i % 2]))
    if i == 60:
        del aliases[0].__origin__  # __getattr__ answers for it now
    if i == 90:
        aliases[1].default = "own default"
        del Alias.default  # __getattr__ for the other
    if i == 120:
        aliases[0].__dict__[3] = "non-str key"
print(out[:2], out[61:63], out[91:93], out[-2:])
