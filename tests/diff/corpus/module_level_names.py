# Module and class bodies in machine code (compiled at their first run at threshold 0, or when a loop in them gets
# hot): LOAD_NAME / STORE_NAME / DELETE_NAME.  In a module body LOAD_NAME is LOAD_GLOBAL's lookup with its cache
# (the frame's locals are its globals); a class body or exec with other locals looks in the locals first.
import builtins

shadow = "module"
results = []

# a global shadowing a builtin appears and disappears while the loop reads the name
for i in range(6):
    if i == 2:
        len = lambda x: -1  # noqa: E731
    if i == 4:
        del len
    results.append(len("abc"))
print(results)

# names stored through globals() and deleted, read by the loop
for i in range(5):
    if i % 2:
        globals()["late"] = i
    elif "late" in globals():
        del globals()["late"]
    try:
        results.append(late)  # noqa: F821
    except NameError as e:
        results.append(str(e))
print(results[-5:])


class Body:
    shadow = "class"            # a class-local shadowing the module's name
    first = shadow              # the class's (a module body's lookup would find the module's)
    seen = []
    for k in range(3):
        seen.append(shadow)     # the class's, not the module's
    del k
    outer = [shadow for _ in range(2)]  # (a comprehension is a function: it sees the module's)


print(Body.first, Body.seen, Body.outer, shadow)


class Mapping(dict):
    def __getitem__(self, key):
        log.append(key)
        return dict.__getitem__(self, key)


log = []
ns = Mapping(a=1)
exec("b = a + 1\nfor j in range(3):\n    b += j\nc = len([b])\ndel j\n", {"__builtins__": builtins}, ns)
print(sorted(ns.items()), log)

g = {"__builtins__": builtins}
exec("total = 0\nfor j in range(4):\n    total += j\nprint(total, 'j' in globals())\n", g)
try:
    exec("print(missing_name)", {"__builtins__": builtins})
except NameError as e:
    print(e, e.name)
try:
    exec("del missing_name", {"__builtins__": builtins}, {})
except NameError as e:
    print(e, e.name)


class NoItem:                    # locals that cannot be read or written: the errors of the mapping itself
    def __getitem__(self, key):
        raise TypeError("no reading %s" % key)

    def __setitem__(self, key, value):
        raise TypeError("no writing %s" % key)

    def __delitem__(self, key):
        raise TypeError("no deleting %s" % key)


for src in ("x", "x = 1", "del x"):
    try:
        exec(src, {"__builtins__": builtins}, NoItem())
    except Exception as e:
        print(type(e).__name__, e)
