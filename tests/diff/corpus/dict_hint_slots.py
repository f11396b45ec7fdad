"""Executable slots for instances whose managed dict is materialised (LOAD_ATTR_WITH_HINT's case), at a site that
also sees split-values instances of another class: each change below must send the read to the generic path --
the attribute deleted (and added again at another index), the dict's keys reordered, a non-str key added, the
dict replaced, the instance's values coming back (a new instance), the name turned into a class data descriptor
or shadowing a method."""


class A:
    def __init__(self, i):
        self.x = i
        self.y = i * 2
        self.__dict__  # materialise the dict


class B:
    def __init__(self, i):
        self.x = -i
        self.y = -2 * i


def read(o):
    return o.x, o.y


out = []
a1, a2, b = A(1), A(2), B(3)
for i in range(240):
    for o in (a1, b, a2):
        out.append(read(o))
    if i == 40:
        del a1.x
        a1.x = "re-added"  # now after y
    if i == 80:
        a2.__dict__ = {"y": "new dict y", "x": "new dict x"}
    if i == 120:
        a1.__dict__[1] = "non-str key"
    if i == 160:
        A.y = property(lambda self: "class property y")
    if i == 200:
        del A.y
        a1 = A(7)  # a fresh instance (materialised again by __init__)
print(out[:6], out[120:126], out[240:246], out[360:366], out[480:486], out[600:606], out[-3:])
