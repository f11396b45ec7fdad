"""python -m accel --compare [-n N] (script.py | -m module) [args...]: is accel worth it for this program?

Runs the program as whole processes, N times each (default 5), plain CPython and accel alternating (so a machine
that slows down or speeds up meanwhile affects both alike), with the program's output hidden; then prints the
median wall time of each, the speed-up (CPython time / accel time: above 1 is faster with accel) and accel's
counters from its last run.  The accel runs are the program run as `ACCEL=1 python program...` (the start-up
hook turns accel on, as a user would), with the caller's ACCEL_* variables as its options; the CPython runs have
none of them.  A program that fails, or exits differently under accel, is reported as such.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, errors="replace")
    return time.perf_counter() - start, proc.returncode, proc.stderr


def compare(argv: list[str], runs: int = 5) -> int:
    """argv: python -m accel's arguments without --compare (options, then the program and its arguments)."""
    from accel.stats import format_summary

    program = argv
    if not program or program == ["-m"] or (program[0].startswith("-") and program[0] != "-m"):
        sys.stderr.write("accel: error: --compare needs a script or -m module to run (options: ACCEL_* variables)\n")
        return 2
    plain_env = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL")}
    with tempfile.TemporaryDirectory(prefix="accel-compare-") as tmp:
        stats_file = os.path.join(tmp, "stats.json")
        plain_cmd = [sys.executable, *program]
        accel_env = {**os.environ, "ACCEL": "1", "ACCEL_STATS_FILE": stats_file}
        times: dict[str, list[float]] = {"cpython": [], "accel": []}
        codes: dict[str, set[int]] = {"cpython": set(), "accel": set()}
        errors: dict[str, str] = {}
        sys.stderr.write(f"accel: comparing {' '.join(program)}: {runs} runs each, CPython and accel alternating, "
                         "output hidden\n")
        for _ in range(runs):
            for name, env in (("cpython", plain_env), ("accel", accel_env)):
                seconds, code, err = _timed(plain_cmd, env)
                times[name].append(seconds)
                codes[name].add(code)
                if code != 0:
                    errors.setdefault(name, err.strip().splitlines()[-1] if err.strip() else f"exit code {code}")
        plain, accelerated = statistics.median(times["cpython"]), statistics.median(times["accel"])
        print(f"CPython {plain:8.3f} s   (median of {runs}; {min(times['cpython']):.3f}-{max(times['cpython']):.3f})")
        print(f"accel   {accelerated:8.3f} s   (median of {runs}; {min(times['accel']):.3f}-{max(times['accel']):.3f})")
        verdict = "faster" if plain > accelerated else "slower"
        print(f"speed-up {plain / accelerated:.2f}x  (CPython time / accel time: accel is {verdict} on this program,"
              " start-up, imports and compiling included)")
        if codes["cpython"] != codes["accel"]:
            print(f"exit codes differ: CPython {sorted(codes['cpython'])}, accel {sorted(codes['accel'])}")
        for name, message in errors.items():
            print(f"{name} runs failed: {message}")
        try:
            import json

            with open(stats_file) as f:
                print(format_summary(json.load(f)))
        except (OSError, ValueError):
            print("(no counters from accel's last run)")
    return 0 if not errors and codes["cpython"] == codes["accel"] else 1
