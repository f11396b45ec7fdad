"""accel's runtime: the C shim (eval hook, code state, executable memory), module selection and the compile
driver that the hook calls when a function gets hot."""

from __future__ import annotations

from types import ModuleType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

_core: ModuleType | None = None


def core() -> ModuleType:
    """accel._core, attaching the cffi-built shim on first use."""
    global _core
    if _core is None:
        try:
            from accel._shim import lib  # type: ignore[import-not-found]
        except ModuleNotFoundError as exc:
            import os

            package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            if os.path.exists(os.path.join(package_dir, "..", "csrc", "build_shim.py")):
                raise ImportError(
                    f"accel is imported from the source checkout {os.path.dirname(package_dir)}, where the C shim "
                    "is not built: use `pip install -e .`, or run from another directory") from exc
            raise

        if lib.accel_shim_attach() != 0:
            raise ImportError("accel: the C shim failed to initialise (see the message above)")
        import accel._core as attached  # type: ignore[import-not-found]

        _core = attached
    return _core
