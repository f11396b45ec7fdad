# Exceptions caught in machine code: the trampoline unwinds as ceval does (traceback entry, exception table,
# stack popped to the handler's level, lasti pushed) and enters the handler's block, whose instructions
# (PUSH_EXC_INFO, CHECK_EXC_MATCH, POP_EXCEPT, RERAISE, WITH_EXCEPT_START, a bare raise) are compiled too.
# Everything printed must be what plain CPython prints: results, tracebacks line by line, __context__ chains,
# sys.exc_info() where it is looked at, and destructors run while the stack unwinds.
import sys
import traceback


def show_tb(exc):
    out = []
    tb = exc.__traceback__
    while tb is not None:
        # (not tb_lasti: at a call, CPython's own interpreter leaves it past CALL's cache entries only when it
        # inlines the call, which no PEP 523 hook allows); a finished frame's f_lineno is its lasti's line, which
        # RERAISE 1 restores
        out.append((tb.tb_frame.f_code.co_name, tb.tb_lineno, tb.tb_frame.f_lineno))
        tb = tb.tb_next
    return out


def lookups(d, keys):
    n = 0
    for k in keys:
        try:
            n += d[k]
        except KeyError:
            n -= 1
        except (TypeError, ValueError) as e:
            n += 100 + len(type(e).__name__)
    return n


def nested(x):
    try:
        try:
            if x % 3 == 0:
                raise ValueError(x)
            if x % 3 == 1:
                raise KeyError(x)
            return "none"
        except ValueError as e:
            return "inner %s %s" % (e, sys.exc_info()[0].__name__)
        finally:
            x += 1000
    except KeyError as e:
        return "outer %r %r" % (e.args, x)


def reraised(x):
    try:
        1 / x
    except ZeroDivisionError:
        if x == 0:
            raise           # a bare re-raise: no traceback entry for this line
        return "never"


def reraise_as(x):
    try:
        reraised(x)
    except ZeroDivisionError as e:
        raise LookupError("wrapped") from e


def finally_paths(items):
    out = []
    for it in items:
        try:
            if it == "break":
                break
            if it == "continue":
                continue
            if it == "raise":
                raise RuntimeError(it)
            out.append(it)
        finally:
            out.append("f")
    return out


def handler_raises(x):
    try:
        raise ValueError("first")
    except ValueError:
        if x:
            raise KeyError("second")   # __context__ is the first
        return "ok"


class Manager:
    def __init__(self, swallow, fail_exit=False):
        self.swallow = swallow
        self.fail_exit = fail_exit

    def __enter__(self):
        return self

    def __exit__(self, tp, value, tb):
        print("  exit", tp.__name__ if tp else None, value, tb is not None)
        if self.fail_exit and tp is not None:
            raise OSError("from __exit__")
        return self.swallow


def with_blocks(swallow, fail_exit=False):
    with Manager(swallow, fail_exit):
        raise ValueError("in with")
    return "after with"


class Noisy:
    def __init__(self, items):
        self.items = iter(items)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.items)

    def __del__(self):
        print("  Noisy freed while", sys.exc_info()[0])


def unwinding_pops_iterators(n):
    try:
        for x in Noisy(range(n)):
            if x == 2:
                raise IndexError(x)
    except IndexError as e:
        return "caught %s" % e


def bad_except_clause():
    try:
        raise KeyError("k")
    except 42:  # noqa: B030  (CHECK_EXC_MATCH's TypeError)
        pass


def exc_name_deleted():
    try:
        raise ValueError
    except ValueError as e:
        pass
    try:
        return e
    except UnboundLocalError as u:
        return "unbound: %s" % u


def gen_with_handlers(n):
    for i in range(n):
        try:
            if i % 2:
                raise ValueError(i)
            yield i
        except ValueError as e:
            yield -e.args[0]


def stop_iteration_loop(its):
    total = 0
    for it in its:
        while True:
            try:
                total += next(it)
            except StopIteration:
                break
    return total


def attribute_default(objs):
    return [getattr(o, "missing", None) for o in objs] + [hasattr(o, "real") for o in objs]


def exc_info_after():
    try:
        raise ValueError
    except ValueError:
        pass
    return sys.exc_info()


def deep_handlers(depth):
    try:
        if depth == 0:
            raise KeyError(depth)
        return deep_handlers(depth - 1)
    except KeyError as e:
        if depth < 3:
            raise
        return "caught at %d: %r" % (depth, e.args)


d = {i: i for i in range(0, 40, 2)}
for round_ in range(30):
    r1 = lookups(d, list(range(40)) + [None, [1], "x"])
    r2 = [nested(x) for x in range(6)]
    r3 = finally_paths(["a", "continue", "b", "break", "c"])
    r4 = handler_raises(round_ % 2) if round_ % 2 == 0 else None
    r5 = list(gen_with_handlers(6))
    r6 = stop_iteration_loop([iter(range(5)), iter([]), iter("ab" and range(3))])
    r7 = attribute_default([1, "s", object(), 2.5])
    r8 = exc_info_after()
    r9 = deep_handlers(6)
print(r1, r2, r3, r4, r5, r6, r7, r8, r9, sep="\n")

for x in (0,):
    for fn in (reraised, reraise_as, bad_except_clause, lambda: handler_raises(1), lambda: deep_handlers(2)):
        try:
            fn(x) if fn in (reraised, reraise_as) else fn()
        except Exception as e:
            print(type(e).__name__, e, show_tb(e))
            if e.__cause__ is not None:
                print("  cause", type(e.__cause__).__name__, show_tb(e.__cause__))
            if e.__context__ is not None:
                print("  context", type(e.__context__).__name__, show_tb(e.__context__))
            traceback.print_exception(e, file=sys.stdout)

for swallow, fail in ((True, False), (False, False), (False, True)):
    try:
        print(with_blocks(swallow, fail))
    except Exception as e:
        print(type(e).__name__, e, show_tb(e), type(e.__context__).__name__)

print(unwinding_pops_iterators(5))
print(exc_name_deleted())

# Tracing or profiling switched on while a compiled frame runs: its later exceptions are unwound by the
# interpreter, which reports them.
events = []


def profiler(frame, event, arg):
    if frame.f_code.co_name in ("switch_on_then_raise", "raiser"):
        events.append((frame.f_code.co_name, event))


def tracer(frame, event, arg):
    if frame.f_code.co_name in ("switch_on_then_raise", "raiser", "switch_on_in_lookup"):
        events.append((frame.f_code.co_name, event, frame.f_lineno - frame.f_code.co_firstlineno))
        return tracer
    return None


def raiser(x):
    raise ValueError(x)


def switch_on_then_raise(n, on, off):
    out = []
    for i in range(n):
        if i == n - 2:
            on()
        try:
            raiser(i)
        except ValueError as e:
            out.append(e.args[0])
            if i == n - 1:
                try:
                    raise
                except ValueError:
                    out.append("again")
    off()
    return out


for _ in range(40):
    switch_on_then_raise(3, lambda: None, lambda: None)
print(switch_on_then_raise(3, lambda: sys.setprofile(profiler), lambda: sys.setprofile(None)))
print(switch_on_then_raise(3, lambda: sys.settrace(tracer), lambda: sys.settrace(None)))
for e in events:
    print(e)

# pdb's way: a tracer set on the running (compiled) frame itself, by code a helper called, which then raises;
# the frame's 'exception' event and its handler's lines are reported.
events.clear()


class TracingMap:
    def __getitem__(self, key):
        sys._getframe(1).f_trace = tracer
        sys.settrace(tracer)
        raise KeyError(key)


def switch_on_in_lookup(m, n):
    total = 0
    for i in range(n):
        try:
            total += m[i] if i == n - 1 else i
        except KeyError:
            total -= 1
            total *= 2
    sys.settrace(None)
    return total


for _ in range(40):
    switch_on_in_lookup({}, 3)
print(switch_on_in_lookup(TracingMap(), 3))
for e in events:
    print(e)
