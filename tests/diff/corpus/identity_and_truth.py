"""IS_OP inline (fused with the jump after it, or making a bool), truth tests of every kind of object in
conditional jumps and in `and` / `or` (JUMP_IF_*_OR_POP), operands freed by the test (a __del__ that prints),
and __bool__ / __len__ that raise."""


class Noisy:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)


class Truthy:
    def __init__(self, value):
        self.value = value

    def __bool__(self):
        if self.value is None:
            raise ValueError("no truth")
        return self.value

    def __repr__(self):
        return f"Truthy({self.value})"


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __repr__(self):
        return f"Sized({self.n})"


def identity(a, b):
    out = []
    if a is b:
        out.append("is")
    if a is not b:
        out.append("is not")
    out.append(a is b)
    out.append(a is not b)
    flag = a is None
    out.append(flag)
    return out


def frees_in_test(n):
    hits = 0
    for i in range(n):
        if Noisy(i) is None:
            hits += 1
        if Noisy(-i) is not None:
            hits += 2
    return hits


def truth(x):
    r = []
    if x:
        r.append("yes")
    if not x:
        r.append("no")
    r.append(x and "and")
    r.append(x or "or")
    r.append(bool(x))
    return r


def main():
    s = object()
    for a, b in ((None, None), (s, s), (s, object()), (1, 1), ("a", "a" * 1), (True, 1), ([], [])):
        print(identity(a, b))
    print(frees_in_test(3))
    for x in (0, 1, -1, 0.0, 2.5, "", "x", [], [0], (), {}, {1: 2}, set(), None, True, False, Sized(0), Sized(3),
              Truthy(True), Truthy(False), 10**30, 0j):
        print(type(x).__name__, truth(x))
    for bad in (Truthy(None), Sized(-1)):
        try:
            truth(bad)
        except (ValueError, TypeError) as e:
            print(type(e).__name__, e)


main()
