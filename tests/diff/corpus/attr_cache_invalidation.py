"""Attribute-site caches: each cached case, then the change that must invalidate it, read by the same site."""

import types


class Plain:
    label = "class label"

    def __init__(self, x):
        self.x = x

    def method(self):
        return f"method {self.x}"


def read_x(o):
    return o.x


def read_label(o):
    return o.label


def call_method(o):
    return o.method()


def bound(o):
    return o.method


def write_x(o, v):
    o.x = v


p = Plain(1)
for _ in range(3):
    print(read_x(p), read_label(p), call_method(p), bound(p)())
p.label = "instance label"          # a new instance attribute shadows the class attribute (shared keys grow)
print(read_label(p), read_label(Plain(2)))
p.method = lambda: "instance method"  # shadows the method
print(call_method(p), bound(p)(), call_method(Plain(3)))
Plain.method = lambda self: f"patched {self.x}"  # class mutation
print(call_method(Plain(4)), bound(Plain(5))())
del p.x                             # deleted instance value
try:
    read_x(p)
except AttributeError as e:
    print("AttributeError", e)
write_x(p, 7)
print(read_x(p))
vars(p)["x"] = 8                    # materialised instance dict
print(read_x(p), call_method(p))
Plain.x = property(lambda self: "property wins")  # a data descriptor added later beats the instance dict
print(read_x(p))
try:
    write_x(p, 10)
except AttributeError as e:
    print("AttributeError", e)
del Plain.x
print(read_x(p))


class Other:
    def __init__(self):
        self.x = "other x"

    def method(self):
        return "other method"


q = Plain(11)
for _ in range(2):
    print(read_x(q), call_method(q))
q.__class__ = Other                 # __class__ assignment
print(read_x(q), call_method(q))


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x):
        self.x = x

    def method(self):
        return "slotted"


s = Slotted(12)
for _ in range(2):
    print(read_x(s), call_method(s))
    write_x(s, 13)
del s.x
try:
    read_x(s)
except AttributeError as e:
    print("AttributeError", e)
write_x(s, 14)
print(read_x(s))
Slotted.method = lambda self: "slotted patched"
print(call_method(s))


class WithGetattr:
    def __getattr__(self, name):
        return f"__getattr__({name})"


w = WithGetattr()
print(read_x(w), read_label(w))
WithGetattr.x = "class x now"
print(read_x(w))


class Meta(type):
    def __getattr__(cls, name):
        return f"meta {name}"


class ViaMeta(metaclass=Meta):
    pass


print(read_x(ViaMeta), read_label(ViaMeta))
ViaMeta.x = "set on class"
print(read_x(ViaMeta))

mod = types.ModuleType("mod")
mod.x = "module x"
mod.method = lambda: "module function"
for _ in range(2):
    print(read_x(mod), call_method(mod))
mod.x = "module x changed"
mod.method = lambda: "module function changed"
print(read_x(mod), call_method(mod))
del mod.x
try:
    read_x(mod)
except AttributeError as e:
    print("AttributeError", e)


class Base:
    def method(self):
        return "base"


class Derived(Base):
    def __init__(self):
        self.x = "derived"


d = Derived()
for _ in range(2):
    print(call_method(d), read_label(Plain(0)))
Base.method = lambda self: "base patched"  # a base-class change
print(call_method(d))
Plain.label = "class label changed"
print(read_label(Plain(0)))


class Counter:
    def __init__(self):
        self.n = 0


def bump(c, k):
    for _ in range(k):
        c.n += 1
    return c.n


c = Counter()
print(bump(c, 100))
Counter.n = property(lambda self: 42, lambda self, v: print("setter got", v))
print(bump(c, 2))


class Many:
    pass


def fill(o, k):
    for i in range(k):
        setattr(o, f"a{i}", i)
    return o.a0


objs = [Many() for _ in range(3)]
for o in objs:
    print(fill(o, 40), read_x(Plain(15)))   # more attributes than shared keys can hold
print(sum(getattr(objs[2], f"a{i}") for i in range(40)))


class Bag:
    pass


def store_and_read(o, v):
    o.a = v
    return o.a, o.b


first, second = Bag(), Bag()
first.__dict__.update({"a": 0, "b": 1})     # materialised dicts, names in different orders
second.__dict__.update({"b": 10, "a": 0})
for k in range(4):
    print(store_and_read(first, k), store_and_read(second, k), read_x(Plain(k)))
Bag.a = property(lambda self: "from property", lambda self, v: print("property setter", v))
print(store_and_read(first, 5), store_and_read(second, 6))
del Bag.a
del first.a
print(store_and_read(first, 7), sorted(vars(first)))
first.__dict__.clear()
first.b = 100
print(store_and_read(first, 8))


class LateDescriptor:
    pass


class Holder:
    x = LateDescriptor()          # a plain class attribute, shadowed by the instance's own x...
    method = LateDescriptor()

    def __init__(self):
        self.x = 1


def call_it(o):
    try:
        return o.method()
    except TypeError as e:
        return f"TypeError {e}"


h = Holder()
for _ in range(3):
    print(read_x(h), call_it(h))
LateDescriptor.__get__ = lambda self, instance, owner: "descriptor get"  # ...until its class becomes a data
LateDescriptor.__set__ = lambda self, instance, value: print("descriptor set", value)  # descriptor
LateDescriptor.__call__ = lambda self: "called"
print(read_x(h), call_it(h))
write_x(h, 5)
del LateDescriptor.__set__
print(read_x(h))
