"""Class attributes that are instances of mutable classes, as ORMs have them: a default value the instances
overwrite (sqlalchemy's InstanceState.load_options = EMPTY_SET), and a memoizing descriptor of Python code whose
__get__ stores into the instance's dict (sqlalchemy's memoized_property). Reads and stores are cached with a check
of the class attribute's class at each use; each case below changes that class so the check must see it:
the default's class gains __set__ (stores go to it), the memoizer's class gains __set__ (a data descriptor beats
the instance dict), and __get__ is added to a plain default's class."""


class Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Marker(%s)" % self.name


calls = iter(range(10**9))


class memoized:
    def __init__(self, fget):
        self.fget = fget
        self.name = fget.__name__

    def __get__(self, obj, cls):
        if obj is None:
            return self
        obj.__dict__[self.name] = value = "%s #%d" % (self.fget(obj), next(calls))
        return value


class State:
    options = Marker("default options")  # a default the instances overwrite
    path = Marker("root")

    def __init__(self, n):
        self.n = n

    @memoized
    def constructor(self):
        return "built %d" % self.n


class Manager(dict):  # a dict subclass with a __dict__ (sqlalchemy's ClassManager)
    @memoized
    def constructor(self):
        return "manager %d" % len(self)


def cycle(i):
    s = State(i)
    before = s.options
    s.options = ("opts", i)
    s.path = ("path", i)
    m = Manager(a=i)
    return before, s.options, s.path, s.constructor, s.constructor, m.constructor, m.constructor


out = []
log = []
for i in range(200):
    out.append(cycle(i))
    if i == 80:
        Marker.__set__ = lambda self, obj, value: log.append((self.name, value))
        Marker.__get__ = lambda self, obj, cls: "got " + self.name
    if i == 120:
        del Marker.__set__, Marker.__get__
    if i == 150:
        memoized.__set__ = lambda self, obj, value: log.append(("memo set", value))
print(out[0], out[80], out[81], out[82], out[121], out[151], out[-1], sep="\n")
print(len(log), log[:3], log[-3:])
