"""The import hook registers every code object of selected modules, and marks excluded ones."""

from __future__ import annotations

import functools
import sys
import textwrap
import time

import pytest

import accel
from accel.runtime import core, importhook
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


def test_uninstall_removes_the_hook(installed, module_dir):
    from importlib.machinery import SourceFileLoader, SourcelessFileLoader
    from importlib.util import spec_from_file_location

    originals = (SourceFileLoader.get_code, SourcelessFileLoader.get_code)
    accel.install()
    assert importhook.installed()
    assert (SourceFileLoader.get_code, SourcelessFileLoader.get_code) == originals  # through the class: the same
    accel.uninstall()
    assert not importhook.installed()
    assert "get_code" not in vars(SourceFileLoader) and SourcelessFileLoader.get_code is originals[1]
    (module_dir / "hooked_f.py").write_text(MODULE)
    spec = spec_from_file_location("hooked_f", str(module_dir / "hooked_f.py"))
    assert not isinstance(spec.loader.get_code, functools.partial)  # no registration once uninstalled


def test_module_spec_equals_a_fresh_spec_for_the_same_file(installed, module_dir):
    """CPython's test_pydoc test_importfile: ModuleSpec equality compares loaders, which compare their instance
    dictionaries; the hook must leave loaders as they would be without it."""
    import importlib.util
    import py_compile

    (module_dir / "hooked_d.py").write_text(MODULE)
    src = module_dir / "hooked_e_src.py"
    src.write_text(MODULE)
    py_compile.compile(str(src), cfile=str(module_dir / "hooked_e.pyc"))
    src.unlink()
    accel.install()
    import hooked_d
    import hooked_e

    for module, path in ((hooked_d, "hooked_d.py"), (hooked_e, "hooked_e.pyc")):
        spec = importlib.util.spec_from_file_location(module.__name__, str(module_dir / path))
        assert module.__spec__ == spec
        assert module.__loader__ == spec.loader and vars(module.__loader__) == vars(spec.loader)
        assert accel.info(module.outer)["flags"] & core().CS_FROM_IMPORT


def test_pydoc_importfile_spec_is_equal(installed, module_dir):
    import importlib.util
    import pydoc

    path = module_dir / "hooked_g.py"
    path.write_text(MODULE)
    accel.install()
    import hooked_g

    module = pydoc.importfile(str(path))  # (a loader made directly, not found through sys.meta_path)
    assert module is not hooked_g and module.__spec__ == hooked_g.__spec__
    assert module.__spec__ == importlib.util.spec_from_file_location("hooked_g", str(path))


def test_loader_subclasses_and_class_access_are_left_alone(installed, module_dir):
    import importlib.util
    from importlib.machinery import SourceFileLoader

    class MyLoader(SourceFileLoader):
        pass

    path = module_dir / "hooked_h.py"
    path.write_text(MODULE)
    accel.install()
    loader = MyLoader("hooked_h", str(path))
    assert not isinstance(loader.get_code, functools.partial)
    spec = importlib.util.spec_from_loader("hooked_h", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    assert not accel.info(module.outer) or not accel.info(module.outer)["flags"] & core().CS_FROM_IMPORT
    plain = SourceFileLoader("hooked_h", str(path))
    assert SourceFileLoader.get_code(plain, "hooked_h").co_name == "<module>"  # through the class: the original


def test_syntax_error_traceback_has_no_accel_or_importlib_frames(installed, module_dir):
    import traceback

    (module_dir / "hooked_bad.py").write_text("def f(:\n    pass\n")
    accel.install()
    with pytest.raises(SyntaxError) as info:
        import hooked_bad  # noqa: F401
    files = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
    assert files == [__file__], files


def test_imports_run_no_traced_accel_code(installed, module_dir):
    (module_dir / "hooked_i.py").write_text(MODULE)
    accel.install()
    seen = []

    def tracer(frame, event, arg):
        seen.append(frame.f_code.co_filename)
        return None

    sys.settrace(tracer)
    try:
        import hooked_i  # noqa: F401
    finally:
        sys.settrace(None)
    assert not [f for f in seen if "/accel/" in f], seen


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
