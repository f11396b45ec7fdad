"""Locals that may be unbound where they are read: conditional assignments, `del`, loop-carried first assignments,
an `except ... as e` name after its handler, a handler reading what its `try` body assigned, and a tracer deleting
a local through frame.f_locals while the frame runs in the interpreter, before it moves into machine code at its
loop (OSR).  Loads of locals bound on every path skip their check (accel/ir/bound.py); the others must raise."""

import sys


def maybe(flag):
    if flag:
        value = "set"
    try:
        return value
    except UnboundLocalError as e:
        return f"UnboundLocalError: {e}"


def deleted(n):
    x = n
    out = [x]
    del x
    try:
        out.append(x)
    except UnboundLocalError as e:
        out.append(str(e))
    x = n * 2
    out.append(x)
    return out


def first_in_loop(n):
    for i in range(n):
        if i == 2:
            last = i
    try:
        return last
    except UnboundLocalError as e:
        return str(e)


def handler_name():
    try:
        raise KeyError("k")
    except KeyError as e:
        seen = repr(e)
    try:
        return seen, e
    except UnboundLocalError as err:
        return seen, str(err)


def assigned_in_try(d, k):
    before = "before"
    try:
        got = d[k]
        after = "after"
    except KeyError:
        try:
            return before, got
        except UnboundLocalError as e:
            return before, str(e)
    return before, got, after


def carried_through_loop(n):
    out = []
    i = 0
    while i < n:
        if i:
            out.append(prev)  # bound from the second iteration on, never on the first path
        prev = i * i
        i += 1
    total = 0
    for k in range(n):
        total += k
        last = k
    out.append(total)
    try:
        out.append(last)
    except UnboundLocalError as e:
        out.append(str(e))
    return out


def both_branches(flag):
    if flag:
        v = "yes"
    else:
        v = "no"
    w = v + "!"
    return v, w, v


def deleted_by_tracer(n):
    kept = "bound"
    i = 0
    while i < n:
        if i == 10:
            arm()
        if i == n - 1:
            return kept
        i += 1
    return None


def deleted_argument(a, b):
    out = [a, b]
    del a  # an argument the code deletes: its loads keep their unbound check
    try:
        out.append(a)
    except UnboundLocalError as e:
        out.append(str(e))
    return out, b


def argument_deleted_by_tracer(kept, n):
    # `kept` is an argument the code never deletes: machine code loads it unchecked, so the frame must not move
    # back into machine code (OSR) once the tracer unbound it
    i = 0
    while i < n:
        if i == 10:
            arm()
        if i == n - 1:
            return kept
        i += 1
    return None


def counting():
    kept = "kept"  # bound on every path: machine code reads it unchecked
    i = 0
    while True:
        yield kept, i
        i += 1


def deleted_in_suspended_generator():
    # a tracer deletes `kept` when the generator yields (the "return" event), then stops tracing: the generator's
    # next resumption must not enter machine code that counts `kept` as bound
    for _ in range(60):
        list(zip(range(40), counting()))
    g = counting()
    next(g)

    def tracer(frame, event, arg):
        if frame.f_code is counting.__code__ and event == "return":
            del frame.f_locals["kept"]  # written back when the tracer returns
        return tracer

    sys.settrace(tracer)
    next(g)
    sys.settrace(None)
    try:
        return next(g)
    except UnboundLocalError as e:
        return "UnboundLocalError", str(e)


def arm():
    target = sys._getframe(1)

    def tracer(frame, event, arg):
        if frame is target and event == "line":
            del frame.f_locals["kept"]  # written back when the tracer returns: `kept` is unbound
            sys.settrace(None)
            frame.f_trace = None
        return tracer

    target.f_trace = tracer
    sys.settrace(tracer)


for f in (maybe, first_in_loop):
    print(f.__name__, [f(k) for k in (0, 1, 5)])
print(deleted(3), deleted(4))
print(handler_name())
print(assigned_in_try({1: "one"}, 1), assigned_in_try({}, 1))
print(carried_through_loop(0), carried_through_loop(4))
print(both_branches(True), both_branches(False))
try:
    print(deleted_by_tracer(3_000_000))
except UnboundLocalError as e:
    print("UnboundLocalError", e)
print(deleted_argument(1, 2), deleted_argument("x", "y"))
print(deleted_in_suspended_generator())
try:
    print(argument_deleted_by_tracer("bound", 3_000_000))
except UnboundLocalError as e:
    print("UnboundLocalError", e)
