"""Attribute sites that read through a metaclass, through super(), or find a class attribute that is an instance of
a mutable class -- each cached case checked after the change that must end it:
- a metaclass's data descriptor (__name__, a property), the class's own attribute, the metaclass's plain attribute
  and method (LOAD_METHOD), with the metaclass, the class and a base changed in turn;
- super() of a method, a classmethod, a staticmethod, a property, a class attribute and super's own attributes,
  with a base class's method replaced and the MRO's class deleted from;
- a class attribute whose class later gains __get__, then __set__ (polymorphic sites too: executable slots);
- a class with __getattr__ whose class attributes are singletons of a mutable class (sympy's registry);
- a bound method's attributes, which it forwards to its function (`m.__name__`), one changed on the function."""


class Meta(type):
    extra = "meta-extra"

    def meth(cls):
        return "meth of " + cls.__name__

    @property
    def mprop(cls):
        return "mprop " + cls.__name__


class M(metaclass=Meta):
    attr = 1

    def f(self):
        return 2


class N(M):
    attr = 3


def read_meta(cls):
    return (cls.attr, cls.__name__, cls.__qualname__, cls.extra, cls.meth(), cls.mprop, cls.f.__name__,
            len(cls.__mro__))


out = []
for i in range(240):
    for cls in (M, N):
        out.append(read_meta(cls))
    if i == 60:
        Meta.extra = "changed"
    if i == 90:
        Meta.mprop = property(lambda cls: "mprop2 " + cls.__name__)
        N.attr = 7
    if i == 120:
        M.meth = lambda: "own meth"  # the class's own attribute now beats the metaclass's method
    if i == 150:
        del M.attr  # N keeps its own
        M.attr = "again"
    if i == 180:
        Meta.__qualname__ = "MetaQ"  # the metaclass's own name; classes keep theirs
        M.__qualname__ = "Mq"
for k in (0, 121, 122, 181, 182, 300, 301, -2, -1):
    print(out[k])


class A:
    x = "A.x"

    def __init__(self):
        self.v = 1

    def get(self, k):
        return ("A", k)

    @classmethod
    def make(cls):
        return "made " + cls.__name__

    @staticmethod
    def st(x):
        return x * 2

    @property
    def prop(self):
        return "prop of " + type(self).__name__


class B(A):
    def __init__(self):
        super().__init__()
        self.w = 2

    def get(self, k):
        return ("B",) + super().get(k)

    @classmethod
    def make(cls):
        return "B+" + super().make()

    def others(self):
        return (super().st(3), super().prop, super().x, super().__class__.__name__, super().__thisclass__.__name__,
                super().__self_class__.__name__)

    def missing(self):
        try:
            return super().nothing
        except AttributeError as e:
            return str(e)


class C(B):
    def get(self, k):
        return ("C",) + super().get(k)


out = []
for i in range(240):
    b, c = B(), C()
    out.append((B.make(), C.make(), b.others(), c.others(), b.missing(), b.v + c.w))
    if i == 80:
        A.get = lambda self, k: ("A2", k)
    if i == 120:
        del A.get  # B.get's super().get now finds nothing: AttributeError, caught below
    if i == 121:
        A.get = lambda self, k: ("A3", k)
    if i == 160:
        A.st = staticmethod(lambda x: -x)
        A.x = "A.x2"
    if i == 200:
        A.prop = "not a property"
    try:
        out.append((b.get(i), c.get(i)))
    except AttributeError as e:
        out.append(str(e))
for k in (0, 161, 162, 241, 242, 243, 321, 322, 401, 402, -1):
    print(out[k])


class Value:  # instances are class attributes below; the class is mutable
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Value(%s)" % self.name


class P:
    val = Value("P")


class Q:
    val = Value("Q")


class R(P):
    pass


def read_val(owner):
    return owner.val


out = []
for i in range(200):
    for owner in (P, Q, R, P(), Q(), R()):  # polymorphic: classes and instances at one site
        out.append(read_val(owner))
    if i == 100:
        Value.__get__ = lambda self, inst, cls: "got " + self.name + (" on instance" if inst is not None else "")
    if i == 150:
        Value.__set__ = lambda self, inst, v: None  # now a data descriptor: beats the instances' dicts
        p = P()
        p.__dict__["val"] = "own"
        out.append(read_val(p))
print(out[599:608], out[-7:])


class Singleton:
    def __repr__(self):
        return type(self).__name__


class One(Singleton):
    pass


class Registry:
    __slots__ = ()

    def __getattr__(self, name):
        value = {"One": One(), "Two": Singleton()}.get(name)
        if value is None:
            raise AttributeError(name)
        setattr(type(self), name, value)
        return value


S = Registry()


def use_registry():
    try:
        return (S.One, S.Two, S.Three)
    except AttributeError as e:
        return (S.One, S.Two, "no " + str(e))


out = [use_registry() for _ in range(150)]
One.__get__ = lambda self, inst, cls: "One via __get__"
out += [use_registry() for _ in range(50)]
Singleton.__get__ = lambda self, inst, cls: (_ for _ in ()).throw(AttributeError("from __get__"))
out += [use_registry() for _ in range(50)]
print(out[0], out[149], out[150], out[-1])


class Unit:
    pass


class Lazy:
    __slots__ = ()

    def __getattr__(self, name):  # installs a singleton on the class, as sympy's S does
        setattr(type(self), name, Unit())
        return getattr(self, name)


L = Lazy()


def use_lazy():
    return L.first


out = [type(use_lazy()).__name__ for _ in range(150)]
Unit.__get__ = lambda self, inst, cls: "via __get__"
out += [use_lazy() for _ in range(5)]
print(out[0], out[-1])


class Greeter:
    def hello(self):
        return "hello"


def method_attrs(m):
    return m.__name__, m.__qualname__, m.__doc__, m.__func__.__name__, m.__self__.__class__.__name__


g = Greeter()
out = [method_attrs(g.hello) for _ in range(100)]
Greeter.hello.__doc__ = "documented later"
out += [method_attrs(g.hello) for _ in range(20)]
out.append(method_attrs(Greeter().hello))
try:
    g.hello.missing_attribute
except AttributeError as e:
    out.append(str(e))
print(out[0], out[100], out[-2:])
