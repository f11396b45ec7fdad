"""A LOAD_METHOD site whose name is a method of the class and, on the instances it meets, also an instance
attribute (genshi's Context: `self.push = self.frames.appendleft` over the class's push()): the instance's value
is called -- cached as the instance's value -- until an instance without it, a data descriptor put on the class, the
instance attributes deleted, or an instance of a subclass without them comes by."""

from collections import deque


class Context:
    def __init__(self):
        self.frames = deque([0])
        self.push = self.frames.appendleft
        self.pop = self.frames.popleft

    def push(self, data):  # noqa: F811 -- the instances' own attribute shadows it
        return "class push"

    def pop(self):  # noqa: F811
        return "class pop"


class Plain(Context):
    def __init__(self):
        self.frames = deque([0])


def use(ctx, i):
    r = ctx.push(i)
    return r, ctx.pop()


out = []
ctxs = [Context(), Context()]
for i in range(200):
    out.append(use(ctxs[i % 2], i))
    if i == 100:
        out.append(use(Plain(), i))  # the class's methods
    if i == 120:
        del ctxs[0].push, ctxs[0].pop  # the class's methods again, for this one
    if i == 150:
        Context.pop = property(lambda self: (lambda: "data descriptor pop"))  # now beats the instance's value
    if i == 170:
        Context.pop = lambda self: "class pop 2"  # a method again: the instances' own pop beats it
print(out[:3], out[100:104], out[121:125], out[151:155], out[-3:])


class Materialized(Context):  # instances whose dict exists as a dict (no split values): sqlalchemy's InstanceState
    def __init__(self):
        super().__init__()
        self.__dict__["extra"] = 1


out = []
mats = [Materialized(), Materialized(), Context()]
for i in range(150):
    out.append(use(mats[i % 3], i))
    if i == 60:
        del mats[0].push, mats[0].pop  # the class's methods again, for this one
    if i == 100:
        mats[1].__dict__["push"] = lambda x: mats[1].frames.appendleft(("dict push", x))
print(out[:3], out[60:64], out[100:104], out[-3:])
