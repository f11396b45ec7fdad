"""A LOAD_GLOBAL site CPython quickened for a module global (LOAD_GLOBAL_MODULE), which tier 1 checks by the globals'
version only: the global deleted (the builtin of that name from then on), defined again, then the builtin itself
replaced while the site holds the builtin (the cache's module_version must not vouch for a builtin)."""

import builtins


def len(x):  # a module global shadowing the builtin
    return -1
def f(s):
    return len(s)
out = []
for i in range(200):
    if i == 100:
        del globals()["len"]  # now the builtin
    if i == 150:
        exec("def len(x): return -2", globals())
    out.append(f("abc"))
print(out[95:105], out[145:155], out[-1])
builtins.len, old = (lambda x: -3), builtins.len
del globals()["len"]
print(f("abc"))
builtins.len = old
print(f("abc"))
