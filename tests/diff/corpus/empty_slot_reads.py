"""Reads of an empty __slots__ member caught as AttributeError, as pathlib caches `_str` (`try: return self._str
except AttributeError: ...`): the error's text, `name` and `obj` are what the generic lookup makes -- for the
class, a subclass, a member descriptor put on another class under another name, and a class with __getattr__
(which must still be asked)."""


class Path:
    __slots__ = ("_str", "parts")

    def __init__(self, parts):
        self.parts = parts

    def __str__(self):
        try:
            return self._str
        except AttributeError as e:
            self._str = "/".join(self.parts)
            return "made (%s, %s, %s)" % (e, e.name, e.obj is self)


class SubPath(Path):
    __slots__ = ()


class Alias:
    __slots__ = ("value",)


Alias.other = Alias.value  # the member descriptor "value" read as "other"


class Lazy:
    __slots__ = ("cached",)

    def __getattr__(self, name):
        return "from __getattr__: " + name


def read(o, attr):
    try:
        return getattr(o, attr) if attr != "_str" else o._str
    except AttributeError as e:
        return "error (%s, %s, %s)" % (e, e.name, type(e.obj).__name__)


def read_other(o):
    try:
        return o.other
    except AttributeError as e:
        return "error (%s, %s, %s)" % (e, e.name, type(e.obj).__name__)


def read_cached(o):
    return o.cached


out = []
for i in range(120):
    out.append(str(Path(["a", str(i)])))
    out.append(str(SubPath(["b", str(i)])))
    out.append(read(Path(["c"]), "_str"))
    out.append(read_other(Alias()))
    out.append(read_cached(Lazy()))
    if i == 60:
        lazy = Lazy()
        lazy.cached = "set"
        out.append(read_cached(lazy))
print(out[:6], out[300:306], out[-6:], sep="\n")
