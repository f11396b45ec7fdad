"""Compare-and-branch on ints at the edges of the one-digit fast path, floats, bools, mixed and odd types."""

VALUES = [0, 1, -1, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**62, -(2**64), True, False, 1.0, -0.0,
          float("nan"), float("inf"), 3 + 0j, "a", None]


def branches(a, b):
    out = []
    if a < b:
        out.append("<")
    if a <= b:
        out.append("<=")
    if a == b:
        out.append("==")
    if a != b:
        out.append("!=")
    if a > b:
        out.append(">")
    if a >= b:
        out.append(">=")
    if not a < b:
        out.append("!<")
    if not a >= b:
        out.append("!>=")
    return "".join(out)


def count_down(n, stop):
    steps = 0
    while n > stop:
        n -= 1
        steps += 1
    while n != stop - 3:
        n -= 1
    return steps, n


for a in VALUES:
    row = []
    for b in VALUES:
        try:
            row.append(branches(a, b))
        except TypeError as e:
            row.append(f"TypeError({e})")
    print(repr(a), row)
print(count_down(100, 0), count_down(2**30 + 3, 2**30 - 4), count_down(-(2**30) + 2, -(2**30) - 2), count_down(-5, -2))
