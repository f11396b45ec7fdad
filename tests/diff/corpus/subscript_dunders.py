"""obj[key], obj[key] = value and value in obj on classes whose __getitem__, __setitem__ and __contains__ are
written in Python: tier 1 enters the compiled methods directly (bjit_entry.c accel_call_dunder_direct), so every
way the interpreter's slot functions behave must hold -- errors raised inside, truth of odd results, methods
replaced or removed at run time, subclasses of dict and list with and without their own methods, methods that
are not plain functions."""


class Context:
    def __init__(self):
        self.dicts = [{"base": 0}]

    def __getitem__(self, key):
        for d in reversed(self.dicts):
            if key in d:
                return d[key]
        raise KeyError(key)

    def __setitem__(self, key, value):
        self.dicts[-1][key] = value
        return "ignored"

    def __contains__(self, key):
        return any(key in d for d in self.dicts)


class OddTruth:
    def __init__(self, answer):
        self.answer = answer

    def __contains__(self, item):
        return self.answer


class Raises:
    def __bool__(self):
        raise ValueError("no truth")


class Defaults(dict):
    def __getitem__(self, key):
        return dict.get(self, key, "default")


class PlainDict(dict):
    pass


class Squares(list):
    def __getitem__(self, i):
        return i * i


class Static:
    __getitem__ = staticmethod(lambda key: ("static", key))


class CallableAttr:
    class _Get:
        def __call__(self, key):
            return ("callable", key)
    __getitem__ = _Get()


class WithDefaults:
    def __getitem__(self, key, scale=10):
        return key * scale

    def __setitem__(self, key, value, *extra, **kw):
        self.last = (key, value, extra, kw)


class KwOnly:
    def __getitem__(self, key, *, missing):
        return key


def use_context(n):
    c = Context()
    out = []
    for i in range(n):
        c[f"k{i}"] = i
        out.append(c[f"k{i}"] + c["base"])
        out.append(f"k{i}" in c)
        out.append("nope" in c)
        try:
            c["nope"]
        except KeyError as exc:
            out.append(repr(exc))
    return out


def truths():
    out = []
    for answer in ([], [0], 0, 2, "", "x", None):
        out.append(1 in OddTruth(answer))
        out.append(1 not in OddTruth(answer))
    try:
        out.append(1 in OddTruth(Raises()))
    except ValueError as exc:
        out.append(str(exc))
    return out


def others():
    d = Defaults(a=1)
    p = PlainDict(a=1)
    s = Squares([1, 2, 3])
    w = WithDefaults()
    w["k"] = "v"
    out = [d["a"], d["b"], p["a"], s[5], Static()["s"], CallableAttr()["c"], w[3], w.last]
    try:
        p["missing"]
    except KeyError as exc:
        out.append(repr(exc))
    try:
        KwOnly()[1]
    except TypeError as exc:
        out.append(str(exc))
    return out


def replaced():
    out = []

    class Box:
        def __getitem__(self, key):
            return ("first", key)
    box = Box()
    out.append(box[1])
    Box.__getitem__ = lambda self, key: ("second", key)
    out.append(box[2])
    del Box.__getitem__
    try:
        box[3]
    except TypeError as exc:
        out.append(str(exc))
    Box.__getitem__ = lambda self, key: ("third", key)
    out.append(box[4])
    Box.__contains__ = None
    try:
        out.append(1 in box)
    except TypeError as exc:
        out.append(str(exc))
    return out


for round_no in range(3):
    print(use_context(4 + round_no))
    print(truths())
    print(others())
    print(replaced())
