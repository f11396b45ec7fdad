"""Calls with keyword arguments between compiled functions (bjit_entry.c call_direct_kw: the callee's frame set
up directly): keywords in any order, mixed with positional ones and defaults, methods, generator functions,
recursion, and every binding error CPython reports (a duplicate, an unknown name, a positional-only parameter by
keyword, a missing argument, too many arguments), plus a default changed after the call site got warm."""


def f(a, b=2, c=3):
    return a * 100 + b * 10 + c


def posonly(a, b, /, c=0):
    return (a, b, c)


class Square:
    def __init__(self, pos):
        self.pos = pos
        self.reference = self

    def find(self, update=False):
        reference = self.reference
        if reference.pos != self.pos:
            reference = reference.find(update=update)
            if update:
                self.reference = reference
        return reference


def counting(start, step=1, stop=10):
    while start < stop:
        yield start
        start += step


def depth(n, acc=0):
    return acc if n == 0 else depth(n - 1, acc=acc + n)


def errors():
    out = []
    for call in (lambda: f(1, a=2), lambda: f(1, d=4), lambda: posonly(1, b=2), lambda: f(b=1),
                 lambda: f(1, 2, 3, c=4), lambda: posonly(1, 2, 3, c=4)):
        try:
            out.append(call())
        except TypeError as exc:
            out.append(str(exc))
    return out


def main():
    out = [f(1, b=5), f(1, c=7), f(1, c=7, b=8), f(a=4), f(c=1, a=2, b=3), posonly(1, 2, c=9)]
    squares = [Square(i) for i in range(5)]
    for i in range(1, 5):
        squares[i].reference = squares[i - 1]
    out.append([s.find(update=True).pos for s in squares])
    out.append([s.reference.pos for s in squares])
    out.append(list(counting(3, stop=8)) + list(counting(0, stop=9, step=4)))
    out.append(depth(200, acc=1))
    return out


for _ in range(3):
    print(main())
    print(errors())
f.__defaults__ = (20, 30)
print(f(1), f(1, c=5), f(a=2, b=1))
