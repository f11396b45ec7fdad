"""Instance attributes stored for the first time by compiled STORE_ATTR sites (fastpaths.py: the value enters
the instance's inline values and their insertion order, as _PyDictValues_AddToInsertionOrder does): __dict__ and
vars() order when instances set the same attributes in different orders, a deleted attribute set again (it moves
to the end), attributes added after the class's shared keys grew, copies, pickling, and many instances."""

import copy
import pickle


class P:
    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z


class Q:
    def __init__(self, flip):
        if flip:
            self.b = 1
            self.a = 2
        else:
            self.a = 3
            self.b = 4

    def extra(self):
        self.c = self.a + self.b
        return self


def reset(p):
    del p.x
    p.x = "again"
    return p


def grow(n):
    out = []
    for i in range(n):
        q = Q(i % 2).extra()
        if i % 3 == 0:
            q.late = i
        out.append(list(vars(q).items()))
    return out


def main():
    ps = [P(i, i * 2, str(i)) for i in range(5)]
    print([list(p.__dict__) for p in ps[:2]], [vars(p) for p in ps[-2:]])
    print(list(reset(P(1, 2, 3)).__dict__.items()))
    for row in grow(7):
        print(row)
    q = Q(True).extra()
    print(vars(copy.copy(q)), vars(copy.deepcopy(q)), vars(pickle.loads(pickle.dumps(q))))
    total = 0
    for i in range(3000):
        p = P(i, -i, i & 7)
        total += p.x + p.y + p.z + len(p.__dict__)
    print(total)


for _ in range(3):
    main()
