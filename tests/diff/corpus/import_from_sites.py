"""`from m import name` (IMPORT_FROM) and `{*a, *b}` (SET_UPDATE) in functions hot enough to run in machine code:
an attribute, a module __getattr__ (PEP 562), a submodule found only in sys.modules (a circular import's
fallback), and each of ImportError's messages (unknown location, a file, a partially initialised module)."""

import importlib.machinery
import sys
import types

lazy = types.ModuleType("lazy_mod")
lazy.__file__ = "/nowhere/lazy_mod.py"
calls = []


def module_getattr(name):
    calls.append(name)
    if name.startswith("dyn_"):
        return name.upper()
    raise AttributeError(name)


lazy.__getattr__ = module_getattr
sys.modules["lazy_mod"] = lazy

pkg = types.ModuleType("pkg_only")
pkg.__path__ = []
pkg.__file__ = "/nowhere/pkg_only/__init__.py"
sys.modules["pkg_only"] = pkg
sub = types.ModuleType("pkg_only.sub")
sys.modules["pkg_only.sub"] = sub  # not an attribute of the package: the sys.modules fallback finds it

nofile = types.ModuleType("no_file_mod")
sys.modules["no_file_mod"] = nofile

initializing = types.ModuleType("half_mod")
initializing.__file__ = "/nowhere/half_mod.py"
initializing.__spec__ = importlib.machinery.ModuleSpec("half_mod", None)
initializing.__spec__._initializing = True
sys.modules["half_mod"] = initializing


def imports(k):
    from os import path, sep

    from lazy_mod import dyn_value
    from pkg_only import sub as found
    out = [path.basename("/a/b"), sep, dyn_value, found.__name__]
    for mod, name in (("lazy_mod", "missing"), ("no_file_mod", "x"), ("half_mod", "y"), ("json", "nothing")):
        try:
            exec(f"from {mod} import {name}", {})
        except ImportError as e:
            out.append((type(e).__name__, str(e), e.name, e.path))
    try:
        from lazy_mod import not_there  # noqa: F401
    except ImportError as e:
        out.append((str(e), e.name, e.path))
    try:
        from half_mod import nope  # noqa: F401
    except ImportError as e:
        out.append((str(e), e.name, e.path))
    return out


def sets(a, b):
    try:
        return sorted({*a, *b}, key=repr)
    except TypeError as e:
        return str(e)


for k in range(60):
    result = imports(k)
    s = [sets([1, 2], (2, 3)), sets("ab", {3}), sets((x for x in range(3)), []), sets(1, [2]), sets([], {"k": 1})]
    if k in (0, 59):
        print(k, result, s)
print(sorted(set(calls)))
