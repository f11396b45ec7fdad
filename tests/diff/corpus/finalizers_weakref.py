"""__del__ ordering under refcounting, weakref callbacks, WeakValueDictionary, finalize, gc of cycles."""

import gc
import weakref

log = []


class Tracked:
    def __init__(self, name):
        self.name = name
        log.append(f"init {name}")

    def __del__(self):
        log.append(f"del {self.name}")

    def __repr__(self):
        return f"T({self.name})"


def scope():
    a = Tracked("local")  # noqa: F841
    log.append("leaving scope")


scope()
log.append("after scope")
b = Tracked("rebound")
b = Tracked("second")
log.append("after rebind")
del b
log.append("after del")
lst = [Tracked(f"item{i}") for i in range(3)]
lst.pop(1)
log.append("after pop")
lst.clear()
log.append("after clear")
print("\n".join(log))
log.clear()

obj = Tracked("weak target")
r = weakref.ref(obj, lambda ref: log.append(f"callback, ref dead={ref() is None}"))
print(r() is obj, weakref.getweakrefcount(obj))
del obj
print(r(), log)
log.clear()

wvd = weakref.WeakValueDictionary()
keep = []
for i in range(5):
    t = Tracked(f"wv{i}")
    wvd[i] = t
    if i % 2 == 0:
        keep.append(t)
del t
print(sorted(wvd.keys()), [wvd[k].name for k in sorted(wvd.keys())])
keep.pop()
print(sorted(wvd.keys()))
log.clear()


class Node:
    def __init__(self, name):
        self.name = name
        self.other = None

    def __del__(self):
        log.append(f"collected {self.name}")


gc.disable()
n1, n2 = Node("n1"), Node("n2")
n1.other, n2.other = n2, n1
wr = weakref.ref(n1)
del n1, n2
print("cycle alive before collect:", wr() is not None, log)
found = gc.collect()
print("collected something:", found > 0, sorted(log), wr() is None)
gc.enable()
log.clear()


def cleanup(name):
    log.append(f"finalize {name}")


holder = Tracked("finalized")
fin = weakref.finalize(holder, cleanup, "holder")
print(fin.alive)
del holder
print(fin.alive, log)
log.clear()
f2 = weakref.finalize(Tracked("explicit"), cleanup, "explicit")
print(log)
log.clear()


class Target:
    def method(self):
        return "method result"


t = Target()
wm = weakref.WeakMethod(t.method)
print(wm()())
del t
print(wm())
proxy_target = Target()
p = weakref.proxy(proxy_target)
print(p.method())
del proxy_target
try:
    p.method()
except ReferenceError as e:
    print("ReferenceError:", e)


def hot_allocations():
    count = 0
    for i in range(200):
        x = Tracked(f"hot{i}")
        count += len(x.name)
    return count


print(hot_allocations(), len(log), log[:4], log[-2:])
log.clear()


class Resurrect:
    saved = []

    def __del__(self):
        Resurrect.saved.append(self)
        log.append("resurrected")


Resurrect()
print(log, len(Resurrect.saved))
Resurrect.saved.clear()
print(log)
ws = weakref.WeakSet()
objs = [Target() for _ in range(4)]
for o in objs:
    ws.add(o)
del objs[:2]
print(len(ws))
print("end")
