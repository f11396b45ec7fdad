"""raise in machine code (RAISE_VARARGS 1 and 2): an instance, a class, `from` an instance, a class, None or a
non-exception, a non-exception raised, a raise inside a handler (its __context__), with the traceback printed."""

import sys
import traceback


class E(Exception): pass
class Bad:
    pass
def r(k):
    if k == 0: raise ValueError("v")
    if k == 1: raise KeyError
    if k == 2: raise E("x") from KeyError("cause")
    if k == 3: raise E from None
    if k == 4: raise Bad()
    if k == 5: raise E("y") from 5
    if k == 6: raise E("z") from ValueError
    if k == 7:
        try:
            raise ValueError("inner")
        except ValueError:
            raise E("outer")
    return k
out = []
for rep in range(50):
    for k in range(9):
        try:
            out.append(r(k))
        except BaseException as e:
            out.append((type(e).__name__, str(e), repr(e.__cause__), repr(e.__context__), e.__suppress_context__,
                        len(traceback.extract_tb(e.__traceback__))))
    if rep in (0, 49):
        print(out[-9:])
try:
    r(7)
except E:
    traceback.print_exc(file=sys.stdout)
