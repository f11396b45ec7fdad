"""The import hook registers every code object of selected modules, and marks excluded ones."""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

import accel
from accel.runtime import core
from accel.runtime.importhook import walk_code

MODULE = textwrap.dedent("""
    class Shape:
        sides = [n for n in range(3)]
        def area(self):
            return sum(x * x for x in self.sides)
        @property
        def name(self):
            return "shape"
    def outer(a):
        def inner(b):
            return (lambda c: a + b + c)(1)
        return inner
    squares = {k: k * k for k in range(3)}
""")


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("hooked_")]:
        del sys.modules[name]


def _all_codes(module):
    return walk_code(compile(open(module.__file__).read(), module.__file__, "exec"))


def test_every_code_object_of_an_imported_module_is_registered(installed, module_dir):
    (module_dir / "hooked_a.py").write_text(MODULE)
    accel.install()
    import hooked_a  # noqa: F401

    c = core()
    codes = walk_code(hooked_a.__loader__.get_code("hooked_a"))
    names = {code.co_name for code in codes}
    assert {"<module>", "Shape", "area", "name", "outer", "inner", "<lambda>", "<listcomp>", "<genexpr>",
            "<dictcomp>"} <= names
    # the code objects the module really runs are the registered ones
    for fn in (hooked_a.Shape.area, hooked_a.outer, hooked_a.outer(1), hooked_a.Shape.name.fget):
        state = accel.info(fn)
        assert state is not None and state["flags"] & c.CS_FROM_IMPORT and state["flags"] & c.CS_INCLUDED
    from importlib.machinery import SourceFileLoader

    assert type(hooked_a.__loader__) is SourceFileLoader  # the loader keeps its type
    assert hooked_a.outer(1)(2) == 4


def test_excluded_module_is_registered_as_excluded(installed, module_dir):
    (module_dir / "hooked_b.py").write_text(MODULE)
    accel.install(exclude=["hooked_b"])
    import hooked_b

    state = accel.info(hooked_b.outer)
    assert state["flags"] & core().CS_EXCLUDED and not state["flags"] & core().CS_INCLUDED


def test_sourceless_modules_are_hooked(installed, module_dir):
    import py_compile

    src = module_dir / "hooked_c_src.py"
    src.write_text(MODULE)
    py_compile.compile(str(src), cfile=str(module_dir / "hooked_c.pyc"))
    src.unlink()
    accel.install()
    import hooked_c

    assert accel.info(hooked_c.outer)["flags"] & core().CS_FROM_IMPORT


def test_uninstall_removes_the_finder(installed):
    accel.install()
    assert any(type(f).__name__ == "AccelFinder" for f in sys.meta_path)
    accel.uninstall()
    assert not any(type(f).__name__ == "AccelFinder" for f in sys.meta_path)


def test_import_overhead_is_small(installed):
    """Importing a batch of standard-library modules with the hook costs a walk over co_consts, no more."""
    names = ["csv", "difflib", "fractions", "ipaddress", "pprint", "statistics", "string", "textwrap"]
    for name in names:
        sys.modules.pop(name, None)
    accel.install(max_tier=0)
    before = accel.stats()["import_hook_seconds"]
    start = time.perf_counter()
    for name in names:
        __import__(name)
    total = time.perf_counter() - start
    spent = accel.stats()["import_hook_seconds"] - before
    assert spent < 0.25 * total + 0.005, (spent, total)
