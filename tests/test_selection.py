from accel.runtime.selection import ModuleSelection


def test_default_selects_everything_but_accel_and_its_dependencies():
    sel = ModuleSelection()
    assert sel("__main__") and sel("json.decoder") and sel("myapp")
    for name in ("accel", "accel.runtime.compiler", "llvmlite.binding", "bytecode", "cffi", "_cffi_backend"):
        assert not sel(name), name
    assert sel(None)  # exec() with globals lacking __name__


def test_plain_pattern_covers_the_package_and_submodules():
    sel = ModuleSelection(include=["myapp"])
    assert sel("myapp") and sel("myapp.db.models")
    assert not sel("myapplication") and not sel("other") and not sel(None)


def test_wildcard_pattern_is_fnmatch_on_the_dotted_name():
    sel = ModuleSelection(include=["myapp.*"])
    assert sel("myapp.db") and not sel("myapp")


def test_exclude_wins():
    sel = ModuleSelection(include=["myapp"], exclude=["myapp.slow*"])
    assert sel("myapp.fast") and not sel("myapp.slow") and not sel("myapp.slowest")
    assert not ModuleSelection(include=["accel"])("accel")
