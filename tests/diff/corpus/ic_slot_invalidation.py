"""Executable inline-cache slots (a site's second and later receiver types) under every kind of invalidation."""

import sys
import types


def warm(fn, objs, n=40):
    r = None
    for _ in range(n):
        r = [fn(o) for o in objs]
    return r


# ---- class attributes and methods, also through a base class ----
class Base:
    k = "base-k"

    def m(self):
        return "Base.m"


class A(Base):
    def __init__(self):
        self.x = "A.x"


class B(Base):
    def __init__(self):
        self.y = 0
        self.x = "B.x"


class C(Base):
    __slots__ = ("x",)

    def __init__(self):
        self.x = "C.x"


def read_x(o):
    return o.x


def read_k(o):
    return o.k


def call_m(o):
    return o.m()


objs = [A(), B(), C()]
print("x", warm(read_x, objs))
print("k", warm(read_k, objs))
print("m", warm(call_m, objs))

Base.k = "base-k2"  # a base class changes: every subclass's version tag changes
print("k after Base.k =", warm(read_k, objs, 3))
B.k = "B.k"  # a subclass gets its own
print("k after B.k =", warm(read_k, objs, 3))
del B.k
print("k after del B.k", warm(read_k, objs, 3))

B.m = lambda self: "B.m (patched)"
print("m after B.m =", warm(call_m, objs, 3))
C.m = lambda self: "C.m (patched)"
print("m after C.m =", warm(call_m, objs, 3))
del B.m
print("m after del B.m", warm(call_m, objs, 3))
Base.m = lambda self: "Base.m (patched)"
print("m after Base.m =", warm(call_m, objs, 3))

# a descriptor added later beats the instance's own value
B.x = property(lambda self: "B.x (property)")
print("x after property", warm(read_x, objs, 3))
del B.x
print("x after del property", warm(read_x, objs, 3))

# __slots__ member deleted: the read raises
del objs[2].x
try:
    read_x(objs[2])
except AttributeError as e:
    print("AttributeError", e)
objs[2].x = "C.x again"
print("x after slot restored", warm(read_x, objs, 3))


# ---- __class__ assignment ----
class B2(Base):
    def __init__(self):
        self.y = 0
        self.x = "B2.x"

    def m(self):
        return "B2.m"


b = objs[1]
b.__class__ = B2
print("after __class__ =", warm(read_x, objs, 3), warm(call_m, objs, 3), warm(read_k, objs, 3))
b.__class__ = B
print("and back", warm(read_x, objs, 3), warm(call_m, objs, 3))


# ---- split-dict instances shadowing class attributes (shared keys grow) ----
class P:
    tag = "P.tag"

    def __init__(self):
        self.a = 1


class Q:
    tag = "Q.tag"

    def __init__(self):
        self.a = 2


class R:
    tag = "R.tag"

    def __init__(self):
        self.a = 3


def read_tag(o):
    return o.tag


pq = [P(), Q(), R()]
print("tag", warm(read_tag, pq))
pq[1].tag = "instance tag"  # the shared keys gain 'tag': Q's class-attribute slot must miss
print("tag after instance attr", warm(read_tag, pq, 3))
fresh = Q()
print("fresh Q", read_tag(fresh), warm(read_tag, [fresh, pq[2]], 3))
del pq[1].tag
print("tag after del", warm(read_tag, pq, 3))


# ---- methods of instances with a materialised dict (the slot probes the dict) ----
class D:
    def __init__(self, n):
        for i in range(n):
            setattr(self, "attr%d" % i, i)
        self.__dict__  # materialised

    def who(self):
        return "D.who"


class E(D):
    def who(self):
        return "E.who"


def call_who(o):
    return o.who()


ds = [D(3), E(5), E(12), D(0)]
print("who", warm(call_who, ds))
ds[1].who = lambda: "instance who"
print("who shadowed", warm(call_who, ds, 3))
ds[2].__dict__["".join(["w", "ho"])] = lambda: "equal key who"
print("who equal key", warm(call_who, ds, 3))
del ds[1].who
del ds[2].__dict__["who"]
print("who restored", warm(call_who, ds, 3))
for i in range(40):
    setattr(ds[3], "grow%d" % i, i)  # the dict resizes past one-byte indices
print("who big dict", warm(call_who, ds, 3))


# ---- module attributes ----
mods = []
for name in ("m1", "m2", "m3"):
    mod = types.ModuleType(name)
    mod.value = name + ".value"
    mods.append(mod)


def read_value(mod):
    return mod.value


def call_value_func(mod):
    return mod.func()


print("mod", warm(read_value, mods))
mods[1].value = "m2.value (patched)"
print("mod patched", warm(read_value, mods, 3))
del mods[2].value
try:
    read_value(mods[2])
except AttributeError as e:
    print("AttributeError", e)
mods[2].value = "m3 back"
for i, mod in enumerate(mods):
    mod.func = lambda i=i: "func%d" % i
print("mod funcs", warm(call_value_func, mods))
mods[0].func = lambda: "func0 (patched)"
print("mod funcs patched", warm(call_value_func, mods, 3))


# ---- class attributes read from classes; a metaclass with __getattr__ ----
class Meta(type):
    def __getattr__(cls, name):
        return "Meta.__getattr__(%s)" % name


class K1:
    attr = "K1.attr"

    def f():
        return "K1.f"


class K2:
    attr = "K2.attr"

    def f():
        return "K2.f"


class K3(metaclass=Meta):
    attr = "K3.attr"

    def f():
        return "K3.f"


def read_attr(cls):
    return cls.attr


def call_f(cls):
    return cls.f()


def read_missing(cls):
    try:
        return cls.missing
    except AttributeError:
        return "AttributeError"


ks = [K1, K2, K3]
print("cls attr", warm(read_attr, ks), warm(call_f, ks), warm(read_missing, ks))
K2.attr = "K2.attr (patched)"
K1.f = staticmethod(lambda: "K1.f (static)")
print("cls attr patched", warm(read_attr, ks, 3), warm(call_f, ks, 3))
Meta.attr = property(lambda cls: "Meta.attr property")  # a data descriptor on the metaclass wins
print("metaclass property", warm(read_attr, ks, 3))
K1.missing = "K1.missing"
print("missing", warm(read_missing, ks, 3))


# ---- stores: slots for the second and third types, then a setter, then __setattr__ ----
def store_x(o, v):
    o.x = v
    return o.x


def store_round(objs, tag):
    return [store_x(o, "%s-%d" % (tag, i)) for i, o in enumerate(objs)]


objs = [A(), B(), C()]
for _ in range(40):
    r = store_round(objs, "s")
print("stores", r)
B.x = property(lambda self: "B.x getter", lambda self, v: print("B setter", v))
print("stores with a setter", store_round(objs, "t"))
del B.x


def noisy_setattr(self, name, value):
    print("C __setattr__", name, value)
    object.__setattr__(self, name, value)


C.__setattr__ = noisy_setattr
print("stores with __setattr__", store_round(objs, "u"))
del C.__setattr__
print("stores restored", store_round(objs, "v"))


# ---- many types at one site: slots evicted, then megamorphic ----
classes = [type("T%d" % i, (), {"v": i, "__init__": lambda self, i=i: setattr(self, "w", i * 10)}) for i in range(48)]
many = [cls() for cls in classes]


def read_vw(o):
    return o.v + o.w


total = 0
for rnd in range(6):
    for o in many[: 8 + rnd * 8]:
        total += read_vw(o)
print("many", total)
classes[5].v = 500
classes[40].v = 4000
print("many patched", [read_vw(o) for o in many[:12]], read_vw(many[40]))
sys.stdout.flush()


# ---- attributes of classes that `type` itself also has (type.__repr__ does not beat the class's own) ----
class Kr:
    """Kr's doc"""

    def __repr__(self):
        return "Kr()"


def repr_via_class(cls, obj):
    return cls.__repr__(obj), cls.__doc__ is not None, cls.__name__


pairs = [(float, 1.5), (Kr, Kr()), (int, 7), (Kr, Kr())]
print("type attrs", warm(lambda p: repr_via_class(*p), pairs))
Kr.__repr__ = lambda self: "Kr (patched)"
Kr.__doc__ = None
print("type attrs patched", warm(lambda p: repr_via_class(*p), pairs, 3))
sys.stdout.flush()
