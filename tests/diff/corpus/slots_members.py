"""__slots__ members read and written by compiled attribute sites inline: a slot never set and one deleted
(AttributeError on read, a store fills it again), two slotted classes with the member at different offsets
through one site, a subclass adding slots, and a member replaced by a property on the class (its version
changes)."""


class P:
    __slots__ = ("x", "y")

    def __init__(self, x):
        self.x = x


class Q:
    __slots__ = ("pad", "x")  # x at another offset than in P

    def __init__(self, x):
        self.pad = None
        self.x = x


class R(P):
    __slots__ = ("z",)


def read_x(o):
    return o.x


def write_x(o, v):
    o.x = v


def read_y(o):
    try:
        return o.y
    except AttributeError as exc:
        return f"AttributeError: {exc}"


def write_y(o, v):
    o.y = v


def bump_all(objs, n):
    for _ in range(n):
        for o in objs:
            o.x = o.x + 1
    return [o.x for o in objs]


for round_ in range(3):
    p, q, r = P(1), Q(2), R(3)
    print(bump_all([p, q, r], 100))
    print(read_y(p), end=" | ")
    write_y(p, "set")
    print(read_y(p), end=" | ")
    del p.y
    print(read_y(p))
    del q.x
    try:
        read_x(q)
    except AttributeError as exc:
        print("AttributeError:", exc)
    write_x(q, 40)
    print(read_x(q), read_x(p), read_x(r))
    r.z = [round_]
    print(r.z)

P.x = property(lambda self: "replaced")  # the member descriptor is gone; the class version changed
p = P.__new__(P)
print(read_x(p))
try:
    write_x(p, 1)
except AttributeError as exc:
    print("AttributeError:", exc)
