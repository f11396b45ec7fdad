"""Calling classes from compiled code: __init__ entered directly (object.__new__ instances), and every case
that must keep CPython's behaviour: __init__ returning a value, raising, wrong arguments, defaults, __slots__,
a custom __new__, a metaclass __call__, abstract classes, __init__ replaced or deleted later, subclasses."""

import abc


class V:
    def __init__(self, x, y=0):
        self.x = x
        self.y = y

    def __add__(self, o):
        return V(self.x + o.x, self.y + o.y)

    def __repr__(self):
        return f"V({self.x}, {self.y})"


class Bad:
    def __init__(self):
        return 5


class Raises:
    def __init__(self, a):
        raise ValueError(a)


class Slots:
    __slots__ = ("a",)

    def __init__(self, a=3):
        self.a = a


class WithNew:
    def __new__(cls, *args):
        inst = super().__new__(cls)
        inst.made_by_new = args
        return inst

    def __init__(self, a):
        self.a = a


class Meta(type):
    def __call__(cls, *args):
        return ("meta", args)


class M(metaclass=Meta):
    def __init__(self, a):
        self.a = a


class Abstract(abc.ABC):
    @abc.abstractmethod
    def f(self):
        pass

    def __init__(self):
        self.ok = True


class Sub(V):
    pass


class KwOnly:
    def __init__(self, *, k):
        self.k = k


def attempt(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as e:
        return f"{type(e).__name__}: {e}"


def run():
    v = V(0, 0)
    for i in range(200):
        v = v + V(i, 1)
    out = [v, V(5), Sub(1, 2), type(Sub(1)).__name__, vars(V(3, 4))]
    out.append(attempt(Bad))
    out.append(attempt(Raises, "boom"))
    out.append(attempt(V))
    out.append(attempt(V, 1, 2, 3))
    out.append((Slots().a, Slots(7).a))
    w = WithNew(9)
    out.append((w.a, w.made_by_new))
    out.append(M(1))
    out.append(attempt(Abstract))
    out.append(attempt(KwOnly, k=3).k)
    out.append(attempt(KwOnly, 3))
    return out


for round_ in range(4):
    print(run())
    if round_ == 1:
        def new_init(self, x, y=0):
            self.x = -x
            self.y = y
        V.__init__ = new_init
    if round_ == 2:
        del V.__init__
        print(attempt(V, 1, 2), type(attempt(V)).__name__)
        V.__init__ = lambda self, x, y=0: setattr(self, "x", x) or setattr(self, "y", y)
