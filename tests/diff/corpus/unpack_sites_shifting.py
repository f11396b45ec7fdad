"""UNPACK_SEQUENCE sites whose operand changes under them.

Run warm (threshold 30), each site is first quickened by CPython as UNPACK_SEQUENCE_TUPLE / _TWO_TUPLE / _LIST,
so tier 1 unpacks an exact tuple or list of that length inline (fastpaths.py: emit_unpack_sequence). Then the
sites get the other kind, wrong lengths (CPython's ValueError), iterators, strings, subclasses, temporaries that
die in the unpacking, and objects whose items are freed by it.
"""


def three(s):
    a, b, c = s
    return c, b, a


def two(s):
    x, y = s
    return y, x


def from_list(s):
    p, q, r, t = s
    return p + q + r + t


def made():
    return three((object(), [1], "x"))[1]


for i in range(200):
    three((i, i + 1, i + 2))
    two((i, -i))
    from_list([i, 1, 2, 3])
    made()

print("warm", three((1, 2, 3)), two(("a", "b")), from_list([1, 2, 3, 4]), made())
print("other kinds", three([4, 5, 6]), two("xy"), three(iter(range(3))), from_list((1, 1, 1, 1)),
      two({"k": 1, "j": 2}), three(range(7, 10)))


class T(tuple):
    pass


class LL(list):
    pass


print("subclasses", three(T((7, 8, 9))), from_list(LL([1, 2, 3, 4])))
for s in ((1, 2), (1, 2, 3, 4), [1], [], "abcd", iter([1])):
    try:
        print(three(s))
    except ValueError as e:
        print("ValueError", e)
for s in ([1, 2, 3], (1, 2, 3, 4, 5), 5, None):
    try:
        print(from_list(s))
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("freed", self.name)


def unpack_temporary():
    a, b = (Noisy("left"), Noisy("right"))
    return a.name + b.name


print(unpack_temporary())
print(two((Noisy("n1"), 5))[0])
