"""Uncaught exception: traceback goes to stderr, exit code 1; stdout before it must match."""

import sys


def level_c(x):
    return {"a": 1}[x]


def level_b(x):
    try:
        return level_c(x)
    except KeyError as e:
        raise ValueError(f"wrapped {x!r}") from e


def level_a(xs):
    out = []
    for x in xs:
        out.append(level_b(x))
        print("ok", x, out)
    return out


print("starting")
sys.stdout.flush()
print("to stderr before crash", file=sys.stderr)
level_a(["a", "a", "b", "a"])
print("never printed")
