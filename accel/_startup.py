"""Process-wide start for ACCEL=1: run by the accel.pth line in site-packages at interpreter startup.

The .pth line only imports this module when an ACCEL variable is set, so a process without it pays one
dictionary lookup.  Nothing here may raise into the interpreter's startup: any problem is one line on stderr and
the program runs without accel.
"""

from __future__ import annotations

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py


def _in_main_interpreter() -> bool:
    try:
        import _xxsubinterpreters as interpreters
    except ImportError:
        return True
    return bool(interpreters.get_current() == interpreters.get_main())


def start() -> None:
    from accel import config

    if not _in_main_interpreter():
        return  # accel runs in the main interpreter; subinterpreters (and their site imports) go without it
    try:
        cfg = config.from_environ()
        if not cfg.enabled:
            return
        import accel

        accel.install()
    except Exception as exc:  # never a traceback at startup
        config.warn(f"could not start ({type(exc).__name__}: {exc}); running without accel")


start()
