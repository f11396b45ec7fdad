"""Attribute reads served by a property with a Python getter, or by a descriptor class written in Python (its
__get__): tier 1 enters the compiled getter directly (bjit_entry.c accel_descr_get_direct), so what the
interpreter's property_descr_get and slot_tp_descr_get do must hold -- reads through the class, getters that
raise, getters replaced or removed at run time, __get__ with unusual signatures, functools.cached_property."""

import functools


class Typed:
    """A data descriptor class, as ORMs write them (SQLAlchemy's instrumented attributes)."""

    def __init__(self, default):
        self.default = default
        self.name = None

    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, instance, owner=None):
        if instance is None:
            return ("class access", owner.__name__)
        return getattr(instance, self.name, self.default)

    def __set__(self, instance, value):
        setattr(instance, self.name, value)


class Lazy:
    """A non-data descriptor with *args in its __get__."""

    def __get__(self, *args):
        instance, owner = args
        return ("lazy", instance is None, owner.__name__ if owner is not None else None)


class Model:
    x = Typed(0)
    y = Typed("why")
    lazy = Lazy()

    def __init__(self, n):
        self.n = n

    @property
    def double(self):
        return self.n * 2

    @double.setter
    def double(self, value):
        self.n = value // 2

    @property
    def fails(self):
        raise AttributeError("fails on purpose")

    @property
    def value_error(self):
        raise ValueError(self.n)

    @functools.cached_property
    def expensive(self):
        return ("computed", self.n)

    unreadable = property(None, lambda self, v: None)


class WithGetattr:
    def __getattr__(self, name):
        return ("fallback", name)

    @property
    def prop(self):
        raise AttributeError("no")


class Toggle:
    """A data descriptor whose class later loses __set__: the instance's own value must then win."""

    def __get__(self, instance, owner=None):
        return "from the descriptor"

    def __set__(self, instance, value):
        raise AttributeError("read-only")


class Holder:
    t = Toggle()


def read_t(holders):
    out = []
    for k, h in enumerate(holders):
        try:
            h.t = "stored %d" % k
            out.append("stored")
        except AttributeError as exc:
            out.append(str(exc))
        out.append(h.t)
    return out


class Recorder:
    """A data descriptor whose __set__ works, then goes away: later stores must reach the instance dict."""

    def __get__(self, instance, owner=None):
        return "recorded" if instance is None else instance.__dict__.get("_seen", "nothing")

    def __set__(self, instance, value):
        instance.__dict__["_seen"] = value


class Recorded:
    r = Recorder()


def store_r(objs, value):
    for o in objs:
        o.r = value
    return [(o.r, sorted(o.__dict__.items())) for o in objs]


def read_all(m):
    out = [m.double, m.x, m.y, m.lazy, m.expensive, Model.x, Model.lazy]
    m.x = m.n + 1
    out.append(m.x)
    try:
        m.double = 10
        out.append((m.n, m.double))
    except AttributeError as exc:
        out.append(str(exc))
    try:
        m.fails
    except AttributeError as exc:
        out.append(str(exc))
    try:
        m.value_error
    except ValueError as exc:
        out.append(("value error", exc.args))
    try:
        m.unreadable
    except AttributeError as exc:
        out.append(str(exc))
    out.append(WithGetattr().prop)
    out.append(type(Model.double).__name__)
    return ["<Typed>" if isinstance(v, Typed) else v for v in out]  # (no addresses in the output)


def loop(n):
    total = 0
    for i in range(n):
        m = Model(i)
        total += len(str(m.double)) + len(str(m.x))
    return total


holders = [Holder() for _ in range(3)]
recorded = [Recorded() for _ in range(3)]
for h in holders:
    h.__dict__["t"] = "from the instance"

for round_no in range(4):
    print(read_all(Model(round_no)))
    print(read_t(holders))
    print(store_r(recorded, round_no))
    if round_no == 1:
        del Recorder.__set__
    if round_no == 1:
        del Toggle.__set__
    if round_no == 2:
        Toggle.__set__ = lambda self, instance, value: None
    print(loop(50))
    if round_no == 1:
        Model.double = property(lambda self: -self.n)
        Typed.__get__ = lambda self, instance, owner=None: ("replaced", instance is None)
    if round_no == 2:
        del Typed.__get__
        Model.double = property(lambda self: "third")
