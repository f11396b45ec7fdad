"""Attributes served by a class's __getattr__ (no __getattribute__ of its own): tier 1 calls the hook directly
once the type (its version) and the instance (its value at the name's shared-keys index, the shared keys' size, its
dict) are known not to hold the name -- each of those can change, and each change must reach the normal lookup."""


class Proxy:
    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)


class Target:
    k = 1
    other = "o"


def read_k(objs):
    return [o.k for o in objs]


def read_other(o, n):
    out = []
    for _ in range(n):
        out.append(o.other)
    return out


t = Target()
plain = [Proxy(t) for _ in range(4)]
for _ in range(60):
    r = read_k(plain)
print(r)

# the same name set on one instance (an entry of the shared keys) -- that instance's value wins, the others ask
mixed = [Proxy(t) for _ in range(4)]
mixed[1].k = "own k"
for _ in range(60):
    r = read_k(mixed)
print(r)
del mixed[1].k
print(read_k(mixed))


def read_k_fresh(objs):  # a site first filled while the name is among the shared keys, valueless here
    return [o.k for o in objs]


fresh = [Proxy(t) for _ in range(3)]
for _ in range(60):
    r = read_k_fresh(fresh)
fresh[1].k = "k at its index"  # (no new key: only this instance's value at that index says so)
print(r, read_k_fresh(fresh))

# the shared keys grow (another instance adds an attribute), then an instance gets the name itself
late = [Proxy(t) for _ in range(3)]
for _ in range(60):
    r = read_k(late)
late[0].extra = 1
print(read_k(late))
late[2].k = "late k"
print(read_k(late))

# an instance whose dict is materialised, then holds the name
d = Proxy(t)
for _ in range(60):
    r = read_k([d])
vars(d)["k"] = "dict k"
print(read_k([d]), read_k(plain[:1]))


# the class gets the attribute itself; then the hook is replaced, by a callable object (called without self)
class Loud(Proxy):
    pass


loud = [Loud(t) for _ in range(2)]
for _ in range(60):
    r = read_k(loud)
print(r)
Loud.k = "class k"
print(read_k(loud))
del Loud.k
Loud.__getattr__ = lambda self, name: f"lambda {name}"
print(read_k(loud))


class Named:
    def __call__(self, name):
        return f"callable {name}"


Loud.__getattr__ = Named()
print(read_k(loud))
Loud.__getattr__ = staticmethod(lambda name: f"static {name}")
print(read_k(loud))


# the hook refuses: AttributeError with its own message, and a missing name on the target
class Strict:
    def __getattr__(self, name):
        if name == "k":
            raise AttributeError(f"no {name} here")
        return 0


for o in (Strict(), Proxy(object())):
    try:
        read_k([o] * 3)
    except AttributeError as exc:
        print("AttributeError:", exc, exc.__context__ is None)


# no instance dict (slots), a dict at the type's offset (an exception subclass), a LOAD_METHOD site
class Slotted:
    __slots__ = ("x",)

    def __getattr__(self, name):
        return f"slotted {name}"


class Err(Exception):
    def __getattr__(self, name):
        return f"err {name}"


def call_k(objs):
    return [o.k.upper() for o in objs]


objs = [Slotted(), Err("e"), Proxy(Target)]
for _ in range(60):
    r = read_k(objs), call_k(objs[:2])
print(r)
objs[1].k = "set on the exception"
print(read_k(objs), call_k(objs[:2]))
print(read_other(Proxy(t), 40)[-1])
