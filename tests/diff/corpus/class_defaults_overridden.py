"""A class-level default that some instances override with their own value (sqlalchemy's `_soft_closed = False`,
set to True on close): the instances that have not set it read the class attribute although their shared keys
hold the name. Each change below must be seen: an instance setting it, deleting it again, the class default
replaced, a method of the same name set on some instances, and the default turned into a property."""


class Result:
    closed = False
    label = "default"

    def __init__(self, i):
        self.i = i
        if i % 3 == 0:
            self.closed = True

    def describe(self):
        return "method describe"


def read(r):
    return r.closed, r.label, r.describe()


out = []
rs = [Result(i) for i in range(6)]
for step in range(200):
    for r in rs:
        out.append(read(r))
    if step == 50:
        rs[1].closed = "set later"
        rs[3].label = "own label"
    if step == 80:
        del rs[1].closed, rs[0].closed
    if step == 110:
        Result.closed = "new default"
        rs[2].describe = lambda: "instance describe"
    if step == 150:
        Result.label = property(lambda self: "property label")  # beats the instances' own values now
print(out[:6], out[306:312], out[486:492], out[666:672], out[906:912], out[-6:], sep="\n")
