"""Subscripts that the inline list/tuple path takes and the ones it must leave to the generic path: negative,
out of range, bool and big-int indexes, subclasses with __getitem__, slices, lists mutated in the loop, and
items whose last reference goes with the container."""


class MyList(list):
    def __getitem__(self, i):
        return ("mine", super().__getitem__(i))


class Item:
    def __del__(self):
        print("item freed")


def reads(seq):
    out = []
    for i in range(len(seq) + 1):
        try:
            out.append(seq[i])
        except IndexError as e:
            out.append(f"IndexError: {e}")
    for i in (-1, -len(seq), True, False, 2**40, 2**70):
        try:
            out.append(seq[i])
        except IndexError as e:
            out.append(f"IndexError: {e}")
    out.append(seq[1:3])
    return out


def mutate(n):
    xs = list(range(n))
    total = 0
    for i in range(n):
        total += xs[i]
        if i % 3 == 0:
            xs.append(i)
        if i % 5 == 0 and len(xs) > i + 1:
            xs.pop()
    return total, len(xs)


def last_reference():
    return [Item()][0]


for _ in range(3):
    print(reads([10, 20, 30]))
    print(reads((1, 2, 3, 4)))
    print(reads(MyList([7, 8])))
    print(mutate(50))
    it = last_reference()
    print("got", type(it).__name__)
    del it
