"""python -m accel: run a script or module the way `python` would, with accel installed.

    python -m accel [--stats] [--include PAT] [--exclude PAT] [--threshold N] script.py [args...]
    python -m accel [options] -m module [args...]
    python -m accel --compare [-n N] (script.py | -m module) [args...]   (accel/compare.py)

sys.argv, sys.path[0], __main__, exit codes and uncaught exceptions behave as with plain `python`: tracebacks
start at the program's own frames, not at this runner's.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from types import TracebackType

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

USAGE = """usage: python -m accel [options] (script.py | -m module) [args...]

options:
  --stats            print accel's counters to stderr at exit (ACCEL_STATS=1)
  --stats-file PATH  write them as JSON at exit (ACCEL_STATS_FILE)
  --include PAT      compile only modules matching PAT (repeatable; ACCEL_INCLUDE)
  --exclude PAT      never compile modules matching PAT (repeatable; ACCEL_EXCLUDE)
  --threshold N      calls before the baseline JIT compiles a function (ACCEL_BJIT_THRESHOLD)
  --max-tier N       0: hook only, count calls; 1: baseline JIT; 2: LLVM tier too (ACCEL_MAX_TIER)
  --compare [-n N]   run the program N times (5) with plain CPython and with accel (ACCEL=1, options from
                     ACCEL_* variables), alternating, output hidden, and print both times, the speed-up and
                     accel's counters (the first option, alone)
  --options          print the table of every option and its environment variable
  --version          print accel's version
"""


class UsageError(Exception):
    pass


def _parse(argv: list[str]) -> tuple[dict, str | None, str | None, list[str]]:
    options: dict = {}
    include: list[str] = []
    exclude: list[str] = []
    i = 0

    def value() -> str:
        nonlocal i
        if i + 1 >= len(argv):
            raise UsageError(f"{argv[i]} needs a value")
        i += 1
        return argv[i]

    while i < len(argv):
        arg = argv[i]
        if arg == "-m":
            if i + 1 >= len(argv):
                raise UsageError("-m needs a module name")
            _merge(options, include, exclude)
            return options, None, argv[i + 1], argv[i + 2:]
        if not arg.startswith("-") or arg == "-":
            _merge(options, include, exclude)
            return options, arg, None, argv[i + 1:]
        if arg == "--stats":
            options["stats"] = True
        elif arg == "--stats-file":
            options["stats_file"] = value()
        elif arg == "--include":
            include.append(value())
        elif arg == "--exclude":
            exclude.append(value())
        elif arg == "--threshold":
            options["bjit_threshold"] = value()
        elif arg == "--max-tier":
            options["max_tier"] = value()
        else:
            raise UsageError(f"unknown option {arg}")
        i += 1
    raise UsageError("no script or -m module given")


def _merge(options: dict, include: list[str], exclude: list[str]) -> None:
    if include:
        options["include"] = include
    if exclude:
        options["exclude"] = exclude


def _program_traceback(tb: TracebackType | None, program_file: str | None) -> TracebackType | None:
    """Drop this runner's and runpy's frames from the top of a traceback."""
    here = {os.path.abspath(__file__), os.path.abspath(runpy.__file__)}
    while tb is not None and tb.tb_next is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith("<frozen"):
            tb = tb.tb_next
            continue
        filename = os.path.abspath(filename)
        if filename == program_file or filename not in here:
            break
        tb = tb.tb_next
    return tb


def _run(script: str | None, module: str | None, args: list[str]) -> int:
    program_file = None
    if script is not None and not os.path.exists(script):
        # as `python missing.py` says it
        sys.stderr.write(f"{sys.executable}: can't open file {os.path.abspath(script)!r}: "
                         "[Errno 2] No such file or directory\n")
        return 2
    try:
        if module is not None:
            sys.argv = [module, *args]  # runpy puts the module's file in argv[0]
            sys.path[0] = os.getcwd()
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            assert script is not None
            sys.argv = [script, *args]
            program_file = os.path.abspath(script)
            sys.path[0] = os.path.dirname(os.path.realpath(script))
            runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt as exc:
        _report(exc, program_file)
        _exit_by_sigint()
    except ImportError as exc:
        if module is not None and _raised_by_runpy(exc):
            sys.stderr.write(f"{sys.executable}: {exc}\n")  # as `python -m missing` says it
        else:
            _report(exc, program_file)
        return 1
    except BaseException as exc:
        _report(exc, program_file)
        return 1
    return 0


def _raised_by_runpy(exc: BaseException) -> bool:
    """True when the module could not be found (runpy itself raised), not when the module's own code did."""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith("<frozen") or os.path.abspath(filename) == os.path.abspath(__file__)):
            return False
        tb = tb.tb_next
    return True


def _report(exc: BaseException, program_file: str | None) -> None:
    # The display uses the exception's own __traceback__, so trim that one.
    exc.__traceback__ = _program_traceback(exc.__traceback__, program_file)
    sys.excepthook(type(exc), exc, exc.__traceback__)


def _exit_by_sigint() -> None:
    # Like the interpreter: an uncaught KeyboardInterrupt ends the process by SIGINT, after atexit handlers.
    import atexit

    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    if argv[:1] == ["--version"]:
        import accel

        print(f"accel {accel.__version__}")
        return 0
    if argv[:1] == ["--compare"]:
        from accel.compare import compare

        runs = 5
        rest = argv[1:]
        if rest[:1] == ["-n"] and len(rest) > 1 and rest[1].isdigit() and int(rest[1]) > 0:
            runs, rest = int(rest[1]), rest[2:]
        return compare(rest, runs)
    if argv[:1] == ["--options"]:
        from accel.config import options_table

        print(options_table())
        return 0
    try:
        options, script, module, args = _parse(argv)
        import accel

        accel.install(**options)
    except (UsageError, TypeError, ValueError) as exc:
        sys.stderr.write(f"accel: error: {exc}\n{USAGE}")
        return 2
    except Exception as exc:
        sys.stderr.write(f"accel: warning: could not start ({type(exc).__name__}: {exc}); running without accel\n")
    return _run(script, module, args)


if __name__ == "__main__":
    sys.exit(main())
