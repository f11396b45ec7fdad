"""Classes: diamond MRO, cooperative super, __new__, __init_subclass__, metaclasses, dataclasses, ABCs."""

import abc
from dataclasses import dataclass, field


class Base:
    def __init__(self, log):
        log.append("Base")
        self.log = log

    def who(self):
        return ["Base"]


class Left(Base):
    def __init__(self, log):
        log.append("Left>")
        super().__init__(log)
        log.append("<Left")

    def who(self):
        return ["Left"] + super().who()


class Right(Base):
    def __init__(self, log):
        log.append("Right>")
        super().__init__(log)
        log.append("<Right")

    def who(self):
        return ["Right"] + super().who()


class Diamond(Left, Right):
    def who(self):
        return ["Diamond"] + super().who()


d = Diamond([])
print(d.log, d.who(), [k.__name__ for k in Diamond.__mro__])
try:
    type("Bad", (Left, Diamond), {})
except TypeError as e:
    print("TypeError:", e)


class Singleton:
    _inst = None

    def __new__(cls, *a):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
            cls._inst.count = 0
        return cls._inst

    def __init__(self, v):
        self.count += 1
        self.v = v


s1, s2 = Singleton(1), Singleton(2)
print(s1 is s2, s1.count, s1.v)


class Plugin:
    registry = []

    def __init_subclass__(cls, name=None, **kw):
        super().__init_subclass__(**kw)
        Plugin.registry.append(name or cls.__name__.lower())


class PA(Plugin):
    pass


class PB(Plugin, name="bee"):
    pass


print(Plugin.registry)


class CountingMeta(type):
    created = []

    def __new__(mcls, name, bases, ns, **kw):
        ns["meta_tag"] = f"tag:{name}"
        cls = super().__new__(mcls, name, bases, ns)
        mcls.created.append(name)
        return cls

    def __call__(cls, *a, **k):
        inst = super().__call__(*a, **k)
        inst.via_meta = True
        return inst

    def __instancecheck__(cls, obj):
        return hasattr(obj, "quack")


class Duck(metaclass=CountingMeta):
    def __init__(self, x=0):
        self.x = x


class Mallard(Duck):
    pass


class Quacker:
    quack = True


m = Mallard(5)
print(CountingMeta.created, m.meta_tag, m.via_meta, m.x, isinstance(Quacker(), Duck), isinstance(m, Duck))


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self): ...

    def describe(self):
        return f"{type(self).__name__} area={self.area():.2f}"


class Sq(Shape):
    def __init__(self, s):
        self.s = s

    def area(self):
        return self.s**2


try:
    Shape()
except TypeError as e:
    print("TypeError:", e)
print(Sq(3).describe(), isinstance(Sq(1), Shape), issubclass(Sq, Shape))


@dataclass(frozen=True)
class P:
    x: int
    y: int = 0
    tags: tuple = field(default=())

    def moved(self, dx):
        return P(self.x + dx, self.y, self.tags)


p = P(1)
print(p, p.moved(5), p == P(1, 0), hash(p) == hash(P(1)), sorted({P(2), P(1), P(1)}, key=lambda q: q.x))
try:
    p.x = 5
except Exception as e:
    print(type(e).__name__, e)


class Stack(list):
    def push(self, v):
        self.append(v)
        return self

    def __repr__(self):
        return f"Stack({list.__repr__(self)})"


st = Stack().push(1).push(2)
print(st, len(st), st + [3], type(st + [3]).__name__, isinstance(st, list))


class MyDict(dict):
    def __missing__(self, k):
        return f"missing:{k}"


md = MyDict(a=1)
print(md["a"], md["zz"], md.get("zz"), "zz" in md)


class MyInt(int):
    def __add__(self, o):
        return MyInt(int(self) + int(o) + 1000)


mi = MyInt(5)
print(mi + 1, 1 + mi, type(mi + 1).__name__, mi * 2, type(mi * 2).__name__)


class Attrs:
    cls_attr = [1]

    def __init__(self):
        self.inst = 1


a1, a2 = Attrs(), Attrs()
a1.cls_attr.append(2)
a2.cls_attr = ["own"]
print(Attrs.cls_attr, a1.cls_attr, a2.cls_attr, vars(a2))
print(Diamond.__qualname__, Diamond.who.__qualname__, Duck.__class__.__name__, type(type).__name__)
print([c.__name__ for c in Base.__subclasses__()], issubclass(Diamond, (Right, int)))
