"""__getattr__, __getattribute__, __setattr__, __delattr__, __dir__, attribute errors."""


class Proxy:
    def __init__(self, target):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_log", [])

    def __getattr__(self, name):
        self._log.append(f"get {name}")
        return getattr(self._target, name)

    def __setattr__(self, name, value):
        self._log.append(f"set {name}={value!r}")
        setattr(self._target, name, value)

    def __delattr__(self, name):
        self._log.append(f"del {name}")
        delattr(self._target, name)


class Target:
    def __init__(self):
        self.a = 1

    def method(self, x):
        return self.a + x


t = Target()
p = Proxy(t)
print(p.a, p.method(10))
p.a = 5
print(t.a, p.method(1))
p.b = "new"
del p.a
try:
    p.a
except AttributeError as e:
    print("AttributeError", e)
print(p._log)


class Counting:
    def __init__(self):
        self.hits = {}
        self.x = 1

    def __getattribute__(self, name):
        if name != "hits":
            hits = object.__getattribute__(self, "hits")
            hits[name] = hits.get(name, 0) + 1
        if name == "virtual":
            return "virtual value"
        return object.__getattribute__(self, name)

    def __getattr__(self, name):
        return f"fallback:{name}"


c = Counting()
for _ in range(50):
    c.x
    c.virtual
print(c.missing, c.x, sorted(c.hits.items()))


class Frozen:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    def __setattr__(self, name, value):
        raise AttributeError(f"frozen: cannot set {name}")

    def __repr__(self):
        return f"Frozen({self.a}, {self.b})"


f = Frozen(1, 2)
try:
    f.a = 3
except AttributeError as e:
    print(e)
print(f)


class Dyn:
    def __getattr__(self, name):
        if name.startswith("double_"):
            n = int(name[7:])
            return n * 2
        raise AttributeError(name)

    def __dir__(self):
        return ["double_1", "double_2"]


d = Dyn()
print(d.double_21, getattr(d, "double_5"), getattr(d, "nothing", "default"), hasattr(d, "zzz"))
print(dir(d))


class RaisesInProperty:
    @property
    def broken(self):
        raise AttributeError("inner attribute error")

    def __getattr__(self, name):
        return f"__getattr__ rescued {name}"


print(RaisesInProperty().broken)


class Mod:
    pass


m = Mod()
names = [f"attr{i}" for i in range(20)]
for i, n in enumerate(names):
    setattr(m, n, i * i)
print(sum(getattr(m, n) for n in names), len(vars(m)))
for n in names[::2]:
    delattr(m, n)
print(sorted(vars(m))[:5], len(m.__dict__))
m.__dict__.update(zz=99)
print(m.zz)
try:
    object().foo = 1
except AttributeError as e:
    print(e)
try:
    (1).real = 5
except AttributeError as e:
    print(e)
try:
    del Target().nonexistent
except AttributeError as e:
    print(e)


class Getitem:
    def __getitem__(self, i):
        if i >= 4:
            raise IndexError
        return i * 11

    def __len__(self):
        return 4

    def __contains__(self, x):
        return x == "magic"


gi = Getitem()
print(list(gi), 22 in gi, "magic" in gi, len(gi), gi[2])
