"""Adding/removing methods and attributes on classes and bases in hot loops, __class__ assignment, slots."""


class Base:
    kind = "base"

    def speak(self):
        return "base speaks"


class Mid(Base):
    pass


class Leaf(Mid):
    def __init__(self, v):
        self.v = v


obj = Leaf(1)
trace = []
for i in range(12):
    if i == 2:
        Base.speak = lambda self: f"patched base {self.v}"
    if i == 4:
        Mid.speak = lambda self: "mid override"
    if i == 6:
        del Mid.speak
    if i == 8:
        Leaf.speak = lambda self: "leaf own"
    if i == 10:
        del Leaf.speak
        del Base.speak
    try:
        trace.append(obj.speak())
    except AttributeError as e:
        trace.append(f"AE:{e}")
print(trace)

kinds = []
for i in range(8):
    if i == 2:
        Mid.kind = "mid"
    if i == 4:
        obj.kind = "instance"
    if i == 5:
        del obj.kind
    if i == 6:
        del Mid.kind
        Base.kind = "base2"
    kinds.append(obj.kind)
print(kinds)


class A:
    def who(self):
        return "A"

    def val(self):
        return 1


class B:
    def who(self):
        return "B"

    def val(self):
        return 2


x = A()
seq = []
for i in range(6):
    if i == 3:
        x.__class__ = B
    seq.append((x.who(), x.val(), type(x).__name__, isinstance(x, A)))
print(seq)


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1


s = Slotted()
print(s.a, hasattr(s, "b"), hasattr(s, "__dict__"))
try:
    s.c = 3
except AttributeError as e:
    print("slots AE:", e)
try:
    s.b
except AttributeError as e:
    print("unset slot AE:", e)
s.b = 5
total = 0
for i in range(100):
    s.a = i
    total += s.a + s.b
print(total)
del s.a
try:
    s.a
except AttributeError as e:
    print("deleted slot AE:", e)


class SlotChild(Slotted):
    pass


sc = SlotChild()
sc.extra = "has dict"
print(sc.a, sc.extra, sorted(vars(sc)))


# bases swapping
class P1:
    def m(self):
        return "P1"


class P2:
    def m(self):
        return "P2"


class C(P1):
    pass


ci = C()
res = [ci.m()]
C.__bases__ = (P2,)
res.append(ci.m())
C.__bases__ = (P1,)
res.append(ci.m())
print(res, [k.__name__ for k in C.__mro__])


# method cache invalidation through setattr on type in loop
class Counter:
    def step(self):
        return 1


cnt = Counter()
acc = []
for i in range(20):
    if i % 5 == 0:
        n = i

        def step(self, n=n):
            return n

        Counter.step = step
    acc.append(cnt.step())
print(acc)

# instance dict shadowing a method
cnt.step = lambda: "instance callable"
print(cnt.step())
del cnt.step
print(cnt.step())

# class attribute lookup via type() in loop with dynamic class creation
classes = [type(f"T{i}", (Base,), {"kind": f"t{i}"}) for i in range(4)]
print([c().kind for c in classes], [c.__name__ for c in classes])
Base.extra = property(lambda self: f"extra for {type(self).__name__}")
print([c().extra for c in classes])
del Base.extra
print([hasattr(c(), "extra") for c in classes])
