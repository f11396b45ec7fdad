"""Attribute stores into instances whose __dict__ is a real dict (site_cache.c store_hinted, as ceval's
STORE_ATTR_WITH_HINT): the entry at the remembered place must still hold the name (attributes deleted and added
again, the dict replaced, a dict with a non-str key, a key equal to the name but not the same object), the old
value's destructor sees the new one, and module-level globals caches still notice changes."""

import gc


class Noisy:
    log = []

    def __init__(self, tag, owner=None):
        self.tag = tag
        self.owner = owner

    def __del__(self):
        seen = getattr(self.owner, "x", None) if self.owner is not None else None
        Noisy.log.append((self.tag, seen.tag if isinstance(seen, Noisy) else seen))


class Plain:
    def __init__(self, i):
        self.__dict__ = {}  # a combined dict of its own from the start (not one sharing the class's keys)
        self.x = i
        self.y = -i


def bump(objs, n):
    for _ in range(n):
        for o in objs:
            o.x = o.x + 1
            o.y = o.y - 1
    return [(o.x, o.y) for o in objs]


def churn(o):
    out = []
    for step in range(6):
        if step == 2:
            del o.x
            o.z = "z"
            o.x = 100  # a new entry, after z
        if step == 4:
            o.__dict__ = {"y": 7, "x": 8}
        o.x = o.x * 2
        out.append(sorted(o.__dict__.items()))
    return out


def odd_keys(o):
    o.__dict__[1] = "int key"  # general (non-str) keys from now on
    for _ in range(3):
        o.x = o.x + 10
    name = "".join(["x"])  # equal to "x", maybe not the same object
    o.__dict__[name] = o.x + 1
    o.x = o.x + 1
    return o.x, sorted(k for k in o.__dict__ if isinstance(k, str))


def destructors():
    holder = Plain(0)
    holder.x = Noisy("first", holder)
    for i in range(3):
        holder.x = Noisy(f"n{i}", holder)
    holder.x = 5
    gc.collect()
    return Noisy.log


def orders():
    a = Plain(1)  # x at entry 0, y at 1
    a.tag = []  # (a container: the collector tracks the dict, the stores' inline path needs that)
    b = Plain(2)
    b.__dict__ = {"y": 20, "x": 10, "tag": []}  # the other way round: one site's hint fits only one of them
    for o in (a, b, a, b, b, a):
        o.x = o.x + 1
    return sorted(a.__dict__.items()), sorted(b.__dict__.items())  # (tags compare as [] == [])


def tracking():
    c = Plain(3)  # ints only: the collector does not track the dict yet
    before = gc.is_tracked(c.__dict__)
    for v in (1, 2, [3]):
        c.x = v  # the list makes CPython track it
    return before, gc.is_tracked(c.__dict__)


def globals_seen_through_an_instance_dict():
    ns = Plain(0)  # its __dict__ serves as the globals of getx: LOAD_GLOBAL caches watch its version
    exec("def getx():\n    return x\n", ns.__dict__)
    getx = ns.__dict__["getx"]
    out = []
    for i in range(6):
        ns.x = i * 11
        out.append(getx())
    return out


objs = [Plain(i) for i in range(4)]
print(globals_seen_through_an_instance_dict())
print(orders())
print(tracking())
print(bump(objs, 50))
print(churn(Plain(3)))
print(odd_keys(Plain(1)))
print(destructors())
print(bump([Plain(9)], 1000))
