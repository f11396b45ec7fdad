"""LOAD_GLOBAL sites after their dicts change: values reassigned in a loop (the module's version changes all the
time), names deleted and added again, builtins shadowed and unshadowed while the site is warm, the module dict
growing (its keys are reallocated), and the same code run under other globals."""

import builtins

COUNTER = 0
LIMIT = 10


def bump():
    global COUNTER
    COUNTER += 1
    return COUNTER


def reader():
    return COUNTER, LIMIT, len("abc"), abs(-2)


def main():
    out = []
    for step in range(40):
        bump()
        out.append(reader())
        if step == 5:
            global LIMIT
            del LIMIT
            try:
                reader()
            except NameError as e:
                out.append(("NameError", str(e)))
            LIMIT = 20  # added again: a new entry at another place
        if step == 10:
            globals()["len"] = lambda s: 99  # shadows the builtin
        if step == 15:
            del globals()["len"]  # the builtin again
        if step == 20:
            for k in range(200):  # the module dict grows: its keys are reallocated
                globals()[f"filler_{k}"] = k
        if step == 25:
            builtins.abs = lambda x: "patched"
        if step == 30:
            del builtins.abs
            builtins.abs = __builtins_abs
    print(out[:3], out[6:9], out[11:13], out[16:18], out[22:24], out[26:28], out[-2:])


__builtins_abs = abs
main()

other = {"__builtins__": builtins, "COUNTER": -5, "LIMIT": -6}
clone = type(reader)(reader.__code__, other)
print([clone() for _ in range(3)])
other["COUNTER"] = -50
print(clone(), reader())
