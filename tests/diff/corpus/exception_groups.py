"""ExceptionGroup, except*, nested groups, split/subgroup, notes."""

import sys
import traceback


def make_group():
    return ExceptionGroup(
        "outer",
        [
            ValueError("v1"),
            TypeError("t1"),
            ExceptionGroup("inner", [ValueError("v2"), KeyError("k1")]),
        ],
    )


def handle(eg):
    try:
        raise eg
    except* ValueError as g:
        print("ValueError group:", repr(g), [str(x) for x in g.exceptions])
    except* TypeError as g:
        print("TypeError group:", [str(x) for x in g.exceptions])
    except* KeyError as g:
        print("KeyError group:", g.exceptions)


handle(make_group())

try:
    try:
        raise make_group()
    except* ValueError:
        print("only values handled")
except ExceptionGroup as rest:
    print("rest:", rest.message, [type(x).__name__ for x in rest.exceptions])
    for sub in rest.exceptions:
        if isinstance(sub, ExceptionGroup):
            print("  sub group", sub.message, sub.exceptions)

eg = make_group()
match, rest = eg.split(ValueError)
print("split match:", match)
print("split rest:", rest)
print("subgroup:", eg.subgroup(lambda e: isinstance(e, KeyError)))
print("derive:", eg.derive([OSError("o")]))

try:
    raise ExceptionGroup("one", [OSError(2, "nofile")])
except* OSError as g:
    e = g.exceptions[0]
    print("errno", e.errno, e.strerror)

# naked exception caught by except*
try:
    raise ValueError("naked")
except* ValueError as g:
    print("naked wrapped:", type(g).__name__, g.exceptions)

# raise inside except*
try:
    try:
        raise ExceptionGroup("x", [ValueError(1)])
    except* ValueError:
        raise RuntimeError("from handler")  # noqa: B904
except ExceptionGroup as e:
    print("handler raised group:", e, [repr(x) for x in e.exceptions])
except RuntimeError as e:
    print("handler raised plain:", e)

# notes
try:
    e = ValueError("with notes")
    e.add_note("note one")
    e.add_note("note two")
    raise e
except ValueError:
    traceback.print_exc(file=sys.stdout)

try:
    raise ExceptionGroup("printed", [ZeroDivisionError("z"), NameError("n")])
except ExceptionGroup:
    traceback.print_exc(file=sys.stdout)


def count_leaves(g):
    n = 0
    for x in g.exceptions:
        n += count_leaves(x) if isinstance(x, BaseExceptionGroup) else 1
    return n


print("leaves:", count_leaves(make_group()))
for i in range(5):
    try:
        raise ExceptionGroup(f"loop{i}", [ValueError(i)] * (i + 1))
    except* ValueError as g:
        print(i, len(g.exceptions))
