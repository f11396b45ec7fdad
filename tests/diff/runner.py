"""Differential test runner: run each corpus program under plain CPython and under accel, compare.

Usable as a library (``tests/diff/test_diff.py``) and from the command line::

    python tests/diff/runner.py                 # whole corpus, plain vs accel
    python tests/diff/runner.py generators -v   # selected programs, show diffs
    python tests/diff/runner.py --self-check    # plain vs plain: determinism + timing of the corpus
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
DEFAULT_TIMEOUT = 120.0
MAX_DIFF_LINES = 200
HASH_SEED = "0"

ACCEL_SETTINGS: dict[str, str] = {
    "ACCEL": "1",
    "ACCEL_BJIT_THRESHOLD": "0",
    "ACCEL_LLVM_THRESHOLD": "0",
}


@dataclass
class RunResult:
    """Outcome of one subprocess run of a corpus program."""

    stdout: str
    stderr: str
    returncode: int
    elapsed: float
    timed_out: bool = False


@dataclass
class DiffResult:
    """Comparison of the plain run and the accel (or second plain) run of one program."""

    name: str
    plain: RunResult
    other: RunResult
    stats: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        return "\n".join(self.problems)


def list_programs(names: Iterable[str] | None = None) -> list[Path]:
    """Corpus programs, sorted; ``names`` may be stems ("generators") or file names."""
    available = {p.stem: p for p in sorted(CORPUS_DIR.glob("*.py"))}
    if not names:
        return list(available.values())
    selected = []
    for name in names:
        stem = Path(name).stem
        if stem not in available:
            raise KeyError(f"no corpus program named {name!r} in {CORPUS_DIR}")
        selected.append(available[stem])
    return selected


def plain_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the reference run: every ACCEL* variable removed, fixed hash seed."""
    env = {k: v for k, v in (base if base is not None else os.environ).items() if not k.startswith("ACCEL")}
    env["PYTHONHASHSEED"] = HASH_SEED
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def accel_env(stats_file: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the accel run: thresholds 0 (compile at first call), stats written to stats_file."""
    env = plain_env()
    env.update(ACCEL_SETTINGS)
    env["ACCEL_STATS_FILE"] = str(stats_file)
    env.update(extra or {})
    return env


def run_program(path: Path, env: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT) -> RunResult:
    """Run one program with sys.executable in a subprocess; cwd is the corpus directory."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(path)],
            cwd=path.parent,
            env=dict(env),
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        return RunResult(_decode(exc.stdout), _decode(exc.stderr), -1, time.perf_counter() - start, True)
    return RunResult(_decode(proc.stdout), _decode(proc.stderr), proc.returncode, time.perf_counter() - start)


def _decode(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")


def unified_diff(expected: str, actual: str, label: str) -> str:
    """Unified diff of two outputs, truncated to MAX_DIFF_LINES lines."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"plain/{label}",
            tofile=f"accel/{label}",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)\n"]
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# Programs that end with an uncaught exception or an exit code on purpose; any other program that does so under
# plain CPython stopped half-way (a bug in the program) and would pass while checking only part of itself.
EXPECTED_FAILURES = frozenset({"exit_codes_atexit", "uncaught_exception"})


def compare_runs(name: str, plain: RunResult, other: RunResult) -> list[str]:
    """Problems found when comparing stdout, stderr and exit code of two runs."""
    problems = []
    if name not in EXPECTED_FAILURES and (plain.returncode != 0 or "Traceback (most recent call last)" in plain.stderr):
        problems.append(f"{name}: plain CPython did not run it to its end (exit code {plain.returncode}):\n"
                        f"{plain.stderr[-2000:]}")
    for label, run in (("plain", plain), ("accel", other)):
        if run.timed_out:
            problems.append(f"{name}: {label} run timed out after {run.elapsed:.1f}s")
    for label in ("stdout", "stderr"):
        expected, actual = getattr(plain, label), getattr(other, label)
        if expected != actual:
            problems.append(f"{name}: {label} differs\n{unified_diff(expected, actual, label)}")
    if plain.returncode != other.returncode:
        problems.append(f"{name}: exit code differs: plain={plain.returncode} accel={other.returncode}")
    return problems


def check_stats(name: str, stats_file: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """Load the accel stats JSON and verify accel was active (registered and compiled something)."""
    if not stats_file.exists():
        return None, [
            f"{name}: accel was not active: no stats file written to {stats_file} "
            "(is accel installed, e.g. `pip install -e .`, and does ACCEL=1 enable it?)"
        ]
    try:
        stats = json.loads(stats_file.read_text())
    except (OSError, ValueError) as exc:
        return None, [f"{name}: accel stats file {stats_file} is unreadable: {exc}"]
    problems = []
    for key in ("code_objects_registered", "functions_compiled"):
        value = stats.get(key)
        if not isinstance(value, int) or value <= 0:
            problems.append(f"{name}: accel stats {key}={value!r}, expected > 0 (accel not really active?)")
    # Failures of accel's own making (the IR must build for any code; an exception inside the compiler is a bug)
    # are defects even when the output matches, because the function silently stayed in the interpreter.
    for reason, count in sorted((stats.get("compile_failures") or {}).items()):
        if reason.startswith(("ir:", "internal:")):
            problems.append(f"{name}: compile failure {reason} x{count} (accel bug: see ACCEL_LOG=info)")
    if stats.get("compile_callback_errors"):
        problems.append(f"{name}: the compile callback raised {stats['compile_callback_errors']} times")
    return stats, problems


def compare_program(
    path: Path, timeout: float = DEFAULT_TIMEOUT, extra_env: Mapping[str, str] | None = None
) -> DiffResult:
    """Run a program plain and under accel; collect output mismatches and stats problems."""
    plain = run_program(path, plain_env(), timeout)
    with tempfile.TemporaryDirectory(prefix="accel-diff-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        accel = run_program(path, accel_env(stats_file, extra_env), timeout)
        stats, stat_problems = check_stats(path.stem, stats_file)
    problems = compare_runs(path.stem, plain, accel) + stat_problems
    return DiffResult(path.stem, plain, accel, stats, problems)


def self_check_program(path: Path, timeout: float = DEFAULT_TIMEOUT, max_seconds: float = 1.0) -> DiffResult:
    """Run a program plain twice: output must be identical and each run must stay under max_seconds."""
    first = run_program(path, plain_env(), timeout)
    second = run_program(path, plain_env(), timeout)
    problems = compare_runs(path.stem, first, second)
    slowest = max(first.elapsed, second.elapsed)
    if slowest > max_seconds:
        problems.append(f"{path.stem}: too slow ({slowest:.2f}s > {max_seconds:.1f}s)")
    if not first.stdout.strip():
        problems.append(f"{path.stem}: prints nothing to stdout")
    return DiffResult(path.stem, first, second, None, problems)


def run_corpus(
    names: Iterable[str] | None = None,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    extra_env: Mapping[str, str] | None = None,
    self_check: bool = False,
) -> list[DiffResult]:
    """Compare every selected program, in parallel; results come back in corpus order."""
    programs = list_programs(names)
    workers = max(1, jobs or os.cpu_count() or 2)

    def one(path: Path) -> DiffResult:
        if self_check:
            return self_check_program(path, timeout)
        return compare_program(path, timeout, extra_env)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, programs))


def _summary_line(result: DiffResult, other_label: str) -> str:
    status = "PASS" if result.ok else "FAIL"
    times = f"plain {result.plain.elapsed:5.2f}s  {other_label} {result.other.elapsed:5.2f}s"
    extra = ""
    if result.stats is not None:
        failures = result.stats.get("compile_failures") or {}
        extra = f"  compiled={result.stats.get('functions_compiled')}"
        if failures:
            extra += f" compile_failures={sum(failures.values())}"
    return f"{status}  {result.name:<28} {times}{extra}"


def _compile_failure_totals(results: Iterable[DiffResult]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for result in results:
        for reason, count in ((result.stats or {}).get("compile_failures") or {}).items():
            totals[reason] = totals.get(reason, 0) + count
    return totals


def _parse_env(pairs: Sequence[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--env expects KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="corpus program names (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="parallel programs (default: CPU count)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print diffs of failing programs")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="per-run timeout in seconds")
    parser.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for the accel run")
    parser.add_argument("--self-check", action="store_true", help="plain vs plain (determinism, < 1 s)")
    parser.add_argument("--list", action="store_true", help="list corpus programs and exit")
    args = parser.parse_args(argv)

    if args.list:
        for path in list_programs(args.names):
            print(path.stem)
        return 0
    start = time.perf_counter()
    results = run_corpus(args.names, args.jobs, args.timeout, _parse_env(args.env), args.self_check)
    for result in results:
        print(_summary_line(result, "plain" if args.self_check else "accel"))
    failed = [r for r in results if not r.ok]
    if args.verbose:
        for result in failed:
            print(f"\n===== {result.name} =====\n{result.report()}")
    elif failed:
        print("\n(use -v to see diffs)")
        for result in failed:
            print(f"  {result.name}: {result.problems[0].splitlines()[0]}")
    failure_totals = _compile_failure_totals(results)
    if failure_totals:
        print("\ncompile failures by reason (all programs):")
        for reason, count in sorted(failure_totals.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {count:5d}  {reason}")
    elapsed = time.perf_counter() - start
    print(f"\n{len(results) - len(failed)}/{len(results)} passed, {len(failed)} failed in {elapsed:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
