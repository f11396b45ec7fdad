"""property, classmethod, staticmethod, custom descriptors, data vs non-data precedence, __set_name__."""


class Typed:
    def __set_name__(self, owner, name):
        self.name = "_" + name
        print(f"  set_name {owner.__name__}.{name}")

    def __init__(self, kind):
        self.kind = kind

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.name, None)

    def __set__(self, obj, value):
        if not isinstance(value, self.kind):
            raise TypeError(f"{self.name[1:]} must be {self.kind.__name__}")
        setattr(obj, self.name, value)

    def __delete__(self, obj):
        print(f"  deleting {self.name}")
        delattr(obj, self.name)


class NonData:
    def __get__(self, obj, objtype=None):
        return "from non-data descriptor"


class DataOnlySet:
    def __get__(self, obj, objtype=None):
        return "from data descriptor"

    def __set__(self, obj, value):
        print("  DataOnlySet.__set__", value)


class Point:
    x = Typed(int)
    y = Typed(int)
    nd = NonData()
    dd = DataOnlySet()
    instances = 0

    def __init__(self, x, y):
        self.x = x
        self.y = y
        Point.instances += 1

    @property
    def norm2(self):
        return self.x**2 + self.y**2

    @property
    def label(self):
        return self._label

    @label.setter
    def label(self, v):
        self._label = v.upper()

    @label.deleter
    def label(self):
        print("  label deleter")
        del self._label

    @classmethod
    def origin(cls):
        return cls(0, 0)

    @staticmethod
    def dist(a, b):
        return abs(a.x - b.x) + abs(a.y - b.y)


p = Point(3, 4)
print(p.x, p.y, p.norm2)
try:
    p.x = "s"
except TypeError as e:
    print("TypeError", e)
del p.x
print("after del", p.x)
p.x = 6
print(p.nd)
p.__dict__["nd"] = "instance wins over non-data"
print(p.nd)
print(p.dd)
p.__dict__["dd"] = "ignored: data descriptor wins"
print(p.dd)
p.dd = 42
p.label = "hello"
print(p.label)
del p.label
try:
    p.label
except AttributeError as e:
    print("AttributeError", e)
try:
    p.norm2 = 1
except AttributeError as e:
    print("AttributeError", e)
print(Point.origin().norm2, Point.dist(p, Point(1, 1)), p.dist(p, p))
print(Point.instances, type(Point.__dict__["origin"]).__name__, type(Point.__dict__["dist"]).__name__)
print(isinstance(Point.x, Typed), Point.norm2.__class__.__name__)

total = 0
for i in range(300):
    q = Point(i, i + 1)
    total += q.norm2 - q.x
print("hot loop total", total)

# swap the descriptor on the class mid-loop
results = []
for i in range(6):
    if i == 3:
        Point.nd = property(lambda self: "now a property")
    try:
        results.append(p.nd)
    except AttributeError as e:
        results.append(str(e))
print(results)


class Lazy:
    def __init__(self, fn):
        self.fn = fn

    def __get__(self, obj, owner):
        if obj is None:
            return self
        val = self.fn(obj)
        obj.__dict__[self.fn.__name__] = val
        return val


class Calc:
    calls = 0

    @Lazy
    def expensive(self):
        Calc.calls += 1
        return sum(range(1000))


c = Calc()
print([c.expensive for _ in range(5)], Calc.calls)


class Meta(type):
    @property
    def meta_prop(cls):
        return f"meta prop of {cls.__name__}"


class WithMeta(metaclass=Meta):
    pass


print(WithMeta.meta_prop)
print(hasattr(WithMeta(), "meta_prop"))


class Bound:
    def m(self):
        return self


b = Bound()
f = Bound.__dict__["m"].__get__(b, Bound)
print(f() is b, Bound.m.__get__(None, Bound) is Bound.m)
sm = staticmethod(len)
print(sm.__get__(None, object)("abc"), classmethod(lambda cls: cls.__name__).__get__(None, Bound)())
