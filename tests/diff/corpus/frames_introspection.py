"""sys._getframe, f_lineno, f_locals, f_back chains, f_code, locals(), inspect of the call stack."""

import sys


def where():
    f = sys._getframe(1)
    return f.f_code.co_name, f.f_lineno


def chain(depth=0):
    names = []
    f = sys._getframe()
    while f is not None:
        names.append((f.f_code.co_name, f.f_lineno))
        f = f.f_back
    return names


def level3(a):
    b = a * 2
    return chain(), sorted(sys._getframe().f_locals.items()), where()


def level2(x):
    y = x + 1
    return level3(y)


def level1():
    return level2(10)


for item in level1():
    print(item)


def lineno_progression():
    lines = []
    lines.append(sys._getframe().f_lineno)
    for _ in range(2):
        lines.append(sys._getframe().f_lineno)
    lines.append(sys._getframe().f_lineno)
    return lines


print(lineno_progression())


def show_locals(p, q=5, *args, **kw):
    r = p + q
    snap1 = dict(locals())
    del r
    snap2 = sorted(locals())
    return snap1, snap2


print(show_locals(1, 2, 3, z=4))


def caller_locals():
    return sorted(sys._getframe(1).f_locals.items())


def has_locals():
    alpha = 1
    beta = [2]
    return caller_locals()


print(has_locals())


def modify_caller():
    f = sys._getframe(1)
    f.f_locals["injected"] = 1
    return "injected" in f.f_locals


def target():
    x = 1
    ok = modify_caller()
    return ok, sorted(locals())


print(target())


def gen_frames():
    f = sys._getframe()
    yield f.f_code.co_name, f.f_lineno
    yield f.f_back.f_code.co_name if f.f_back else None, sys._getframe().f_lineno


print(list(gen_frames()))


class Tracker:
    def method(self):
        f = sys._getframe()
        return f.f_code.co_name, f.f_code.co_varnames, "self" in f.f_locals, f.f_code.co_argcount


print(Tracker().method())


def code_attrs(a, b=2, *c, d, **e):
    z = 1

    def inner():
        return z

    return inner


co = code_attrs.__code__
print(co.co_name, co.co_argcount, co.co_kwonlyargcount, co.co_varnames, co.co_cellvars, co.co_firstlineno)
print(code_attrs(1, d=2).__code__.co_freevars, code_attrs.__defaults__, code_attrs.__kwdefaults__)


def frame_in_exception():
    try:
        1 / 0
    except ZeroDivisionError as e:
        tb = e.__traceback__
        return tb.tb_lineno, tb.tb_frame.f_code.co_name, tb.tb_frame is sys._getframe()


print(frame_in_exception())


def hot_getframe():
    total = 0
    for i in range(300):
        total += sys._getframe().f_lineno + i
    return total


print(hot_getframe())
print(sys._getframe().f_code.co_name, sys._getframe().f_back)
print(sorted(k for k in locals() if not k.startswith("__"))[:8])
lambda_frame = (lambda: sys._getframe().f_code.co_name)()
print(lambda_frame, [sys._getframe().f_code.co_name for _ in range(1)])
