"""Code objects are registered by the eval hook at their first run; imports are left exactly as CPython does them."""

from __future__ import annotations

import sys
import textwrap

import pytest

import accel
from accel.runtime import core

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
    def never_called():
        return 1
    squares = {k: k * k for k in range(3)}
""")


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("hooked_")]:
        del sys.modules[name]


def test_code_is_registered_at_its_first_run_and_code_that_never_runs_costs_nothing(installed, module_dir):
    (module_dir / "hooked_a.py").write_text(MODULE)
    accel.install(max_tier=0)
    registered = core().counters()["code_objects_registered"]
    import hooked_a

    assert accel.info(hooked_a.never_called) is None  # imported, never run: no state
    assert accel.info(hooked_a.Shape.area) is None
    assert hooked_a.Shape().area() == 5 and hooked_a.outer(1)(2) == 4
    for fn in (hooked_a.Shape.area, hooked_a.outer, hooked_a.outer(1)):
        state = accel.info(fn)
        assert state is not None and state["calls"] >= 1
    assert accel.info(hooked_a.never_called) is None
    # the module body, the class body, the comprehensions, area, outer, inner, the lambda, the generator expression
    assert core().counters()["code_objects_registered"] - registered >= 8
    from importlib.machinery import SourceFileLoader

    assert type(hooked_a.__loader__) is SourceFileLoader and "get_code" not in vars(SourceFileLoader)


def test_excluded_module_is_marked_excluded_when_hot_and_never_compiled(installed, module_dir):
    (module_dir / "hooked_b.py").write_text(MODULE)
    (module_dir / "hooked_c.py").write_text(MODULE)
    accel.install(exclude=["hooked_b"], bjit_threshold=2, compile_budget=0)
    import hooked_b
    import hooked_c

    for _ in range(5):
        hooked_b.outer(1)
        hooked_c.outer(1)
    excluded, included = accel.info(hooked_b.outer), accel.info(hooked_c.outer)
    assert excluded["flags"] & core().CS_EXCLUDED and excluded["tier"] == 0
    assert included["flags"] & core().CS_INCLUDED and included["tier"] == 1


def test_module_spec_equals_a_fresh_spec_for_the_same_file(installed, module_dir):
    """CPython's test_pydoc test_importfile: ModuleSpec equality compares loaders, which compare their instance
    dictionaries; loaders are as they would be without accel."""
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
