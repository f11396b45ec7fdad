"""Compare plain CPython against accel on pyperformance's benchmarks (pure-Python and real-world) and micro kernels.

Method
------
* Every measurement is a fresh process tree (a pyperf script, which itself spawns pyperf workers), so a
  configuration is nothing but a set of environment variables (``ACCEL=1`` ...). ACCEL* variables from the
  caller's environment are removed first, and pyperf is told to pass the configuration's variables on to its
  workers (``--inherit-environ``), which it otherwise filters out.
* Configurations are run **alternately** (cpython, accel, cpython, accel, ...): on a small, noisy machine
  the background load drifts over minutes; alternating spreads that drift evenly over the configurations
  instead of penalising whichever ran last.
* Each process reports pyperf's own timing (median of its values, warmups excluded). Across the N
  repetitions we take the **median**, which ignores the odd run disturbed by another process.
* Results are reported as **ratios** ``time(cpython) / time(config)`` (> 1 means faster than CPython):
  absolute times move with machine load, ratios from interleaved runs much less. The summary line is the
  geometric mean of the ratios, the right mean for ratios.
* Memory is the peak RSS of the benchmark worker (pyperf's ``mem_max_rss`` metadata), falling back to the
  ``wait4`` rusage of the whole process tree.
* ``--cold`` measures programs run once instead: each measurement is ONE process running the benchmark a fixed
  number of loops (``run_benchmark.py --worker -l L -n 1 -w 0``: no warm-up, no calibration, no child
  processes), timed as the wall time from just before the process is spawned to its exit, so interpreter
  start-up, imports, accel's own start-up, warm-up and every compile are inside the figure. ``L`` comes from
  COLD_LOOPS (chosen so the benchmark's own work is ~0.5 s on CPython here) or ``--loops``.
* Tier-1 counters: for every configuration with ``ACCEL`` set, accel writes its counters at exit to the file
  named by ``ACCEL_STATS_FILE``. In cold mode every accel process writes one; in steady mode pyperf runs many
  workers (and its parent), so after the timed runs one extra pyperf worker process (``--worker -l L -n N -w W``
  with the loops, values and warm-ups of the timed runs) runs with the stats file set, and its counters are
  reported: compile seconds, us and bytes of machine code per IR instruction, functions compiled, compiles put
  off by the compile budget.
* ``--fixed-malloc`` runs every configuration with glibc's heap trimming and mmap threshold fixed: template
  renderers otherwise pay page faults on every render, by an amount that moves with the heap's layout (mako: 10-20%
  between builds that run the same instructions, and plain CPython too).

Usage: ``python bench/run.py [--cold] [--hook-tax] [--fixed-malloc] [--config NAME:VAR=VAL,...] [-r N] [names...]``
(``--list``).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
MICRO_SCRIPT = BENCH_DIR / "micro" / "micro.py"
DEFAULT_JSON = BENCH_DIR / "results" / "latest.json"

PYPERFORMANCE = [
    "nbody", "float", "spectral_norm", "richards", "deltablue", "chaos", "go", "raytrace", "fannkuch",
    "nqueens", "hexiom", "unpack_sequence", "generators", "coroutines", "json_dumps", "deepcopy", "pyflate",
]  # fmt: skip
MICRO = ["fib", "method_calls", "attributes", "int_arith", "float_arith", "list_comp", "generator", "super_calls",
         "megamorphic_attrs", "dict_attrs"]
# NumPy programs (bench/numpy_programs/programs.py), part of the real-world group as `numpy_NAME`.
NUMPY_SCRIPT = BENCH_DIR / "numpy_programs" / "run_numpy.py"
NUMPY = ["small_arrays", "matmul", "element_reads", "scalar_calls"]
# pyperformance's real-world programs: name -> (directory under data-files/benchmarks, the script's own arguments).
# Their third-party requirements are the `bench` extra of pyproject.toml (pinned as pyperformance 1.14 pins them).
REALWORLD: dict[str, tuple[str, list[str]]] = {
    "django_template": ("bm_django_template", []),
    "mako": ("bm_mako", []),
    "genshi_text": ("bm_genshi", ["text"]),
    "genshi_xml": ("bm_genshi", ["xml"]),
    "chameleon": ("bm_chameleon", []),
    "sqlalchemy_declarative": ("bm_sqlalchemy_declarative", []),
    "sqlalchemy_imperative": ("bm_sqlalchemy_imperative", []),
    "sympy_expand": ("bm_sympy", ["expand"]),
    "html5lib": ("bm_html5lib", []),
    "regex_compile": ("bm_regex_compile", []),
    "json_loads": ("bm_json_loads", []),
    "logging_simple": ("bm_logging", ["simple"]),
    "pickle_pure_python": ("bm_pickle", ["--pure-python", "pickle"]),
    "tornado_http": ("bm_tornado_http", []),
    "dulwich_log": ("bm_dulwich_log", []),
    "docutils": ("bm_docutils", []),
    "pathlib": ("bm_pathlib", []),
    "xml_etree_parse": ("bm_xml_etree", ["parse"]),
}
# --cold: loops per process (pyperf's -l), chosen once so that the benchmark's own work (beyond start-up, imports and
# set-up: whole process at L loops minus whole process at 1 loop) takes ~0.3-0.7 s on CPython 3.11 on the 2-core
# machine this was written on; docutils (one loop ~3.5 s) and sympy_expand (one loop ~0.6 s, imports ~0.8 s) run one.
# Fixed numbers, so that figures from different days measure the same work. Others: --loops, else calibrated.
COLD_LOOPS: dict[str, int] = {
    "django_template": 10, "mako": 45, "genshi_text": 25, "genshi_xml": 10, "chameleon": 35,
    "sqlalchemy_declarative": 5, "sqlalchemy_imperative": 40, "sympy_expand": 1, "html5lib": 8,
    "regex_compile": 3, "json_loads": 1000, "logging_simple": 6000, "pickle_pure_python": 70,
    "tornado_http": 3, "dulwich_log": 10, "docutils": 1, "pathlib": 20, "xml_etree_parse": 3,
    "numpy_small_arrays": 15, "numpy_matmul": 30, "numpy_element_reads": 20, "numpy_scalar_calls": 20,
}  # fmt: skip
COLD_TARGET_S = 0.5  # what a calibrated cold loop count aims at (CPython time of the benchmark's own work)

# pyperf options per preset. pyperf's own --fast would override -p/-n, so it is not passed.
PRESETS: dict[str, list[str]] = {
    "fast": ["-p", "2", "-n", "4", "-w", "2", "--min-time", "0.1"],
    "rigorous": ["-p", "6", "-n", "6", "-w", "3", "--min-time", "0.2"],
}
BASELINE = "cpython"
Env = dict[str, str]  # a configuration: environment variables to set


@dataclass
class Benchmark:
    name: str
    argv: list[str]  # script and its own arguments, without the interpreter
    skip: str | None = None  # reason when it cannot run


@dataclass
class Sample:
    """One process tree: one benchmark under one configuration."""

    time_s: float | None
    rss_bytes: int | None
    subtimes: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    loops: int | None = None  # pyperf's loop count (steady mode; for the stats worker)
    stats: dict[str, Any] | None = None  # accel's counters (ACCEL_STATS_FILE) of this process, when written


# ---------------------------------------------------------------- discovery


def pyperformance_dir() -> Path | None:
    spec = importlib.util.find_spec("pyperformance")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data-files" / "benchmarks"


def missing_dependencies(bm_dir: Path) -> list[str]:
    """Dependencies from the benchmark's pyproject.toml that are not installed."""
    try:
        project = tomllib.loads((bm_dir / "pyproject.toml").read_text())["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return []
    missing = []
    for req in project.get("dependencies", []):
        dist = re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]
        try:
            importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            missing.append(dist)
    return missing


def pyperformance_benchmark(root: Path | None, name: str, directory: str, args: list[str]) -> Benchmark:
    script = root / directory / "run_benchmark.py" if root else None
    if script is None:
        skip = "pyperformance is not installed (pip install pyperformance)"
    elif not script.is_file():
        skip = f"not in this pyperformance version ({script} missing)"
    elif missing := missing_dependencies(script.parent):
        skip = f"missing dependencies: {', '.join(missing)} (pip install -e '.[bench]')"
    else:
        skip = None
    return Benchmark(name, [str(script), *args], skip)


def discover() -> dict[str, Benchmark]:
    benchmarks: dict[str, Benchmark] = {}
    root = pyperformance_dir()
    for name in PYPERFORMANCE:
        benchmarks[name] = pyperformance_benchmark(root, name, f"bm_{name}", [])
    for name, (directory, args) in REALWORLD.items():
        benchmarks[name] = pyperformance_benchmark(root, name, directory, args)
    for kernel in MICRO:
        benchmarks[f"micro_{kernel}"] = Benchmark(f"micro_{kernel}", [str(MICRO_SCRIPT), kernel])
    no_numpy = None if importlib.util.find_spec("numpy") else "numpy is not installed (pip install -e '.[bench]')"
    for program in NUMPY:
        benchmarks[f"numpy_{program}"] = Benchmark(f"numpy_{program}", [str(NUMPY_SCRIPT), program], no_numpy)
    if importlib.util.find_spec("pyperf") is None:
        for bench in benchmarks.values():
            bench.skip = bench.skip or "pyperf is not installed (pip install pyperf)"
    return benchmarks


def select(benchmarks: dict[str, Benchmark], names: list[str]) -> list[Benchmark]:
    micro = [f"micro_{k}" for k in MICRO]
    numpy = [f"numpy_{p}" for p in NUMPY]
    groups = {
        "pyperformance": PYPERFORMANCE,
        "micro": micro,
        "numpy": numpy,
        "realworld": list(REALWORLD) + numpy,
        "all": PYPERFORMANCE + list(REALWORLD) + numpy + micro,
    }
    wanted: list[str] = []
    for name in names or ["pyperformance", "micro"]:
        for item in groups.get(name, [name]):
            if item not in benchmarks:
                sys.exit(f"unknown benchmark {item!r}; see --list")
            if item not in wanted:
                wanted.append(item)
    return [benchmarks[n] for n in wanted]


# ---------------------------------------------------------------- configurations


def parse_config(text: str) -> tuple[str, dict[str, str]]:
    """``NAME:VAR=VAL,VAR=VAL`` -> (NAME, {VAR: VAL}); ``NAME:`` is a configuration without variables."""
    name, sep, assignments = text.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME:VAR=VAL,... got {text!r}")
    env: dict[str, str] = {}
    for item in filter(None, assignments.split(",")):
        var, eq, value = item.partition("=")
        if not eq or not var:
            raise argparse.ArgumentTypeError(f"expected VAR=VAL in {text!r}, got {item!r}")
        env[var.strip()] = value
    return name, env


def build_configs(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    configs: dict[str, dict[str, str]] = {BASELINE: {}}
    if args.hook_tax:
        configs["hooktax"] = {"ACCEL": "1", "ACCEL_MAX_TIER": "0"}
    else:
        configs["accel"] = {"ACCEL": "1"}
    for name, env in args.config:
        configs[name] = env
    if args.fixed_malloc:
        for env in configs.values():
            env.setdefault("GLIBC_TUNABLES", FIXED_MALLOC)
    return configs


# glibc's heap trimming and mmap threshold, fixed (--fixed-malloc): template renderers (bm_mako verified) otherwise
# give memory back to the kernel and fault it in again on every render, a cost that depends on the heap's layout --
# so unrelated changes move them by 10-20%, plain CPython included (shared/NOTES.md, session 15).
FIXED_MALLOC = "glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=268435456"


def describe(env: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in env.items()) or "no ACCEL vars"


def python_of(env: Env) -> str:
    """The interpreter a configuration runs (BENCH_PYTHON=path: another build, for before/after in one run)."""
    return env.get("BENCH_PYTHON") or sys.executable


def config_environ(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL")}
    base.update(env)
    return base


# ---------------------------------------------------------------- running


def accel_enabled(env: Env) -> bool:
    """Does this configuration turn accel on (so that it has counters to report)?"""
    return env.get("ACCEL", "").strip().lower() in ("1", "true", "yes", "on")


def parse_pyperf_json(path: Path, stat: str) -> tuple[dict[str, float], int | None, int | None]:
    """Per-benchmark time (median or mean of pyperf values, seconds), max worker RSS (bytes) and loop count."""
    data = json.loads(path.read_text())
    suite_meta = data.get("metadata", {})
    times: dict[str, float] = {}
    rss: list[int] = []
    loops: list[int] = []
    for bench in data["benchmarks"]:
        bench_meta = {**suite_meta, **bench.get("metadata", {})}
        values: list[float] = []
        for run in bench["runs"]:
            values.extend(run.get("values", []))
            run_meta = {**bench_meta, **run.get("metadata", {})}
            if (mem := run_meta.get("mem_max_rss")) is not None:
                rss.append(int(mem))
            if run.get("values") and run_meta.get("loops"):
                loops.append(int(run_meta["loops"]))
        if values:
            name = bench_meta.get("name", f"bench{len(times)}")
            times[name] = statistics.median(values) if stat == "median" else statistics.fmean(values)
    return times, max(rss) if rss else None, max(loops) if loops else None


def spawn(cmd: list[str], env: Env, log: Path, timeout: float, extra_env: Env | None = None) -> tuple[int, float, Any]:
    """Run one process tree to its end: (exit code, wall seconds from just before the spawn, wait4 rusage).
    The tree runs in its own session and is killed whole on timeout or Ctrl-C."""
    environ = config_environ(env)
    environ.update(extra_env or {})
    with log.open("w") as logf:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=environ, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        except BaseException:  # Ctrl-C: don't leave the benchmark's session running
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage


def failure(log: Path, returncode: int) -> str:
    tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
    why = "timeout" if returncode == -signal.SIGKILL else f"exit {returncode}"
    return f"{why}: {tail}"


def read_stats(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def run_one(bench: Benchmark, env: Env, pyperf_args: list[str], stat: str, timeout: float) -> Sample:
    """Steady state: one full pyperf run (parent + workers); pyperf's own timing of the warmed-up loops."""
    with tempfile.TemporaryDirectory(prefix="accel-bench-") as tmp:
        out, log = Path(tmp) / "out.json", Path(tmp) / "log.txt"
        cmd = [python_of(env), *bench.argv, *pyperf_args, "-o", str(out)]
        if env:
            cmd.append("--inherit-environ=" + ",".join(env))
        returncode, _, usage = spawn(cmd, env, log, timeout)
        tree_rss = usage.ru_maxrss * 1024  # Linux reports KiB
        if returncode != 0 or not out.exists():
            return Sample(None, tree_rss, error=failure(log, returncode))
        subtimes, rss, loops = parse_pyperf_json(out, stat)
    if not subtimes:
        return Sample(None, tree_rss, error="no values in pyperf output")
    # Scripts reporting several benchmarks (deepcopy: 3) count as the geometric mean of their parts.
    total = math.exp(statistics.fmean(math.log(t) for t in subtimes.values()))
    return Sample(total, rss or tree_rss, subtimes, loops=loops)


def pyperf_option(pyperf_args: list[str], names: tuple[str, ...], default: int) -> int:
    """The value of a pyperf option (-n/--values, -w/--warmups) in an argument list, else pyperf's default."""
    value = default
    for i, arg in enumerate(pyperf_args):
        for name in names:
            if arg == name and i + 1 < len(pyperf_args):
                value = int(pyperf_args[i + 1])
            elif arg.startswith(name + "=") and name.startswith("--"):
                value = int(arg.split("=", 1)[1])
    return value


def worker_cmd(bench: Benchmark, loops: int, values: int, warmups: int, python: str | None = None) -> list[str]:
    """One pyperf worker in this process: no calibration, no child processes."""
    return [python or sys.executable, *bench.argv, "--worker", "-l", str(loops), "-n", str(values), "-w",
            str(warmups)]


def run_stats_worker(bench: Benchmark, env: Env, loops: int, pyperf_args: list[str], timeout: float) -> Sample:
    """Steady mode's counters: one worker process like those of the timed runs, with ACCEL_STATS_FILE set."""
    values = pyperf_option(pyperf_args, ("-n", "--values"), 3)
    warmups = pyperf_option(pyperf_args, ("-w", "--warmups"), 1)
    with tempfile.TemporaryDirectory(prefix="accel-bench-") as tmp:
        log, stats_file = Path(tmp) / "log.txt", Path(tmp) / "stats.json"
        cmd = worker_cmd(bench, loops, values, warmups, python_of(env))
        returncode, wall, usage = spawn(cmd, env, log, timeout, {"ACCEL_STATS_FILE": str(stats_file)})
        if returncode != 0:
            return Sample(None, usage.ru_maxrss * 1024, error=failure(log, returncode))
        return Sample(wall, usage.ru_maxrss * 1024, stats=read_stats(stats_file))


def run_cold(bench: Benchmark, env: Env, loops: int, timeout: float) -> Sample:
    """Cold: the benchmark as one whole process running `loops` loops; wall time including process start."""
    with tempfile.TemporaryDirectory(prefix="accel-bench-") as tmp:
        log, stats_file = Path(tmp) / "log.txt", Path(tmp) / "stats.json"
        extra = {"ACCEL_STATS_FILE": str(stats_file)} if accel_enabled(env) else {}
        returncode, wall, usage = spawn(worker_cmd(bench, loops, 1, 0, python_of(env)), env, log, timeout, extra)
        rss = usage.ru_maxrss * 1024
        if returncode != 0:
            return Sample(None, rss, error=failure(log, returncode))
        cpu = usage.ru_utime + usage.ru_stime
        return Sample(wall, rss, {"cpu_s": cpu}, loops=loops, stats=read_stats(stats_file))


def calibrate_cold_loops(bench: Benchmark, timeout: float) -> int:
    """Loops for a benchmark without a COLD_LOOPS entry: ~COLD_TARGET_S of CPython time (one CPython worker
    running 3 single-loop values)."""
    with tempfile.TemporaryDirectory(prefix="accel-bench-") as tmp:
        out, log = Path(tmp) / "out.json", Path(tmp) / "log.txt"
        returncode, _, _ = spawn([*worker_cmd(bench, 1, 3, 1), "-o", str(out)], {}, log, timeout)
        if returncode != 0 or not out.exists():
            return 1
        times, _, _ = parse_pyperf_json(out, "median")
    per_loop = max(times.values()) if times else COLD_TARGET_S
    return max(1, round(COLD_TARGET_S / per_loop))


# Tier-1 counters of one process, derived from accel's stats (accel/stats.py keys).
def tier1_counters(stats: dict[str, Any]) -> dict[str, Any]:
    insns = stats.get("bjit_instructions", 0)
    seconds = stats.get("bjit_compile_seconds", 0.0)
    compiled = stats.get("functions_tier1", 0)
    deferred = stats.get("compiles_deferred", 0)
    return {
        "compile_s": seconds,
        "ir_build_s": stats.get("ir_build_seconds", 0.0),
        "instructions": insns,
        "code_bytes": stats.get("bjit_code_bytes", 0),
        "us_per_insn": seconds * 1e6 / insns if insns else None,
        "bytes_per_insn": stats.get("bjit_code_bytes", 0) / insns if insns else None,
        "functions_tier1": compiled,
        "compiles_deferred": deferred,
        # compiles_deferred counts each time the budget put a hot function off (a function put off twice counts
        # twice): the share is deferrals / (deferrals + functions compiled), an upper bound of the functions' share
        "deferred_share": deferred / (deferred + compiled) if deferred + compiled else None,
        "compile_failures": stats.get("compile_failures_total", 0),
        "blocks_compiled": stats.get("bjit_blocks_compiled", 0),
    }


def median_counters(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Per key, the median over the processes that reported counters (cold mode has one per repetition)."""
    if not runs:
        return None
    out: dict[str, Any] = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r.get(key) is not None]
        out[key] = statistics.median(values) if values else None
    return out


def summarize(samples: dict[str, list[Sample]], stats_runs: dict[str, Sample] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"configs": {}, "ratios": {}}
    for cfg, runs in samples.items():
        times = [s.time_s for s in runs if s.time_s is not None]
        rss = [s.rss_bytes for s in runs if s.rss_bytes is not None]
        stats = [s.stats for s in runs if s.stats]
        extra = (stats_runs or {}).get(cfg)
        if extra is not None and extra.stats:
            stats.append(extra.stats)
        counters = [tier1_counters(s) for s in stats]
        out["configs"][cfg] = {
            "median_s": statistics.median(times) if times else None,
            "times_s": times,
            "max_rss_mb": max(rss) / 2**20 if rss else None,
            "rss_mb": [r / 2**20 for r in rss],
            "subtimes_s": [s.subtimes for s in runs if s.subtimes],
            "loops": sorted({s.loops for s in runs if s.loops}),
            "errors": [s.error for s in runs if s.error]
            + ([f"stats worker: {extra.error}"] if extra is not None and extra.error else []),
            "tier1": median_counters(counters),
            "tier1_runs": counters,
            "stats": stats,
        }
    base = out["configs"].get(BASELINE, {}).get("median_s")
    for cfg, res in out["configs"].items():
        if cfg != BASELINE:
            out["ratios"][cfg] = base / res["median_s"] if base and res["median_s"] else None
    # Secondary figures, kept in the JSON: the median of the ratios of runs made one after the other (repetition i
    # of the baseline against repetition i of the configuration, which shares its stretch of background load), and
    # in cold mode the same ratio of median CPU times (user + system) of the processes.
    out["paired_ratios"] = {}
    out["cpu_ratios"] = {}
    base_runs = samples.get(BASELINE, [])
    base_cpu = [s.subtimes["cpu_s"] for s in base_runs if s.time_s is not None and "cpu_s" in s.subtimes]
    for cfg, runs in samples.items():
        if cfg == BASELINE:
            continue
        pairs = [b.time_s / r.time_s for b, r in zip(base_runs, runs, strict=False) if b.time_s and r.time_s]
        out["paired_ratios"][cfg] = statistics.median(pairs) if pairs else None
        cpu = [s.subtimes["cpu_s"] for s in runs if s.time_s is not None and "cpu_s" in s.subtimes]
        out["cpu_ratios"][cfg] = statistics.median(base_cpu) / statistics.median(cpu) if base_cpu and cpu else None
    return out


# ---------------------------------------------------------------- reporting


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds / 1e-9:.4g} ns"


def table_header(configs: list[str]) -> str:
    others = [c for c in configs if c != BASELINE]
    cols = [f"{c}" for c in configs] + [f"x {c}" for c in others] + [f"{c} MB" for c in configs]
    return f"{'benchmark':<22}" + "".join(f"{c:>14}" for c in cols)


def table_row(name: str, result: dict[str, Any], configs: list[str]) -> str:
    if "skipped" in result:
        return f"{name:<22}  skipped: {result['skipped']}"
    res = result["configs"]
    cells = [fmt_time(res[c]["median_s"]) for c in configs]
    cells += [fmt(result["ratios"][c], ".3f") for c in configs if c != BASELINE]
    cells += [fmt(res[c]["max_rss_mb"], ".1f") for c in configs]
    line = f"{name:<22}" + "".join(f"{c:>14}" for c in cells)
    for cfg in configs:
        if (t1 := res[cfg].get("tier1")) is not None:
            line += f"\n    {cfg}: {tier1_line(t1)}"
    errors = [f"{c}: {e}" for c in configs for e in res[c]["errors"]]
    return line + ("".join(f"\n    ! {e}" for e in errors[:2]) if errors else "")


def tier1_line(t1: dict[str, Any]) -> str:
    share = t1["deferred_share"]
    return (
        f"tier 1 {fmt(t1['compile_s'], '.3f')} s compiling (IR {fmt(t1['ir_build_s'], '.3f')} s),"
        f" {fmt(t1['us_per_insn'], '.1f')} us/insn, {fmt(t1['bytes_per_insn'], '.0f')} B/insn"
        f" ({fmt(t1['instructions'], '.0f')} insns), {fmt(t1['functions_tier1'], '.0f')} functions,"
        f" {fmt(t1['compiles_deferred'], '.0f')} put off by the budget"
        f" ({'-' if share is None else format(100 * share, '.0f')}% of hot)"
    )


def tier1_overall(results: dict[str, Any], configs: list[str]) -> dict[str, dict[str, Any]]:
    """Per configuration, the tier-1 counters over all programs: median of the programs' us per instruction,
    machine-code bytes per instruction (all programs' bytes / all their instructions, and the mean of the
    programs' figures), the largest share of hot functions put off."""
    out: dict[str, dict[str, Any]] = {}
    for cfg in configs:
        t1s = [r["configs"][cfg]["tier1"] for r in results.values() if r.get("configs", {}).get(cfg, {}).get("tier1")]
        t1s = [t for t in t1s if t["instructions"]]
        if not t1s:
            continue
        us = [t["us_per_insn"] for t in t1s if t["us_per_insn"] is not None]
        bpi = [t["bytes_per_insn"] for t in t1s if t["bytes_per_insn"] is not None]
        shares = [t["deferred_share"] for t in t1s if t["deferred_share"] is not None]
        insns = sum(t["instructions"] for t in t1s)
        out[cfg] = {
            "programs": len(t1s),
            "median_us_per_insn": statistics.median(us) if us else None,
            "overall_us_per_insn": sum(t["compile_s"] for t in t1s) * 1e6 / insns,
            "overall_bytes_per_insn": sum(t["code_bytes"] for t in t1s) / insns,
            "mean_bytes_per_insn": statistics.fmean(bpi) if bpi else None,
            "max_deferred_share": max(shares) if shares else None,
            "compile_s_total": sum(t["compile_s"] for t in t1s),
        }
    return out


def geomeans(results: dict[str, Any], configs: list[str], key: str = "ratios") -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for cfg in configs:
        if cfg == BASELINE:
            continue
        ratios = [r[key][cfg] for r in results.values() if r.get(key, {}).get(cfg)]
        out[cfg] = math.exp(statistics.fmean(math.log(x) for x in ratios)) if ratios else None
    return out


def draw_chart(path: Path, results: dict[str, Any], configs: list[str]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("--chart needs matplotlib: pip install matplotlib")
    names = [n for n, r in results.items() if "configs" in r]
    others = [c for c in configs if c != BASELINE]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(max(8, 0.6 * len(names)), 9), constrained_layout=True)
    for ax, cfgs, key, ylabel in (
        (ax1, others, "ratio", f"speedup vs {BASELINE} (>1 = faster)"),
        (ax2, configs, "rss", "max RSS (MB)"),
    ):
        width = 0.8 / max(1, len(cfgs))
        for i, cfg in enumerate(cfgs):
            if key == "ratio":
                vals = [results[n]["ratios"][cfg] or 0 for n in names]
            else:
                vals = [results[n]["configs"][cfg]["max_rss_mb"] or 0 for n in names]
            ax.bar([x + i * width for x in range(len(names))], vals, width, label=cfg)
        centers = [x + width * (len(cfgs) - 1) / 2 for x in range(len(names))]
        ax.set_xticks(centers, names, rotation=60, ha="right")
        ax.set_ylabel(ylabel)
        ax.legend()
    ax1.axhline(1.0, color="black", linewidth=0.8)
    fig.savefig(path, dpi=120)
    print(f"chart written to {path}")


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="see bench/README.md")
    p.add_argument(
        "names",
        nargs="*",
        help="benchmarks or groups: pyperformance, realworld (with numpy), numpy, micro, all "
        "(default: pyperformance micro)",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="programs run once: one process per measurement, a fixed number of loops, no warm-up, wall time of "
        "the whole process (start-up, imports, compiles included)",
    )
    p.add_argument("--loops", type=int, help="--cold: loops per process for every benchmark (default: COLD_LOOPS)")
    p.add_argument(
        "--no-stats",
        dest="stats",
        action="store_false",
        help="steady mode: skip the extra worker process that collects accel's tier-1 counters",
    )
    p.add_argument("--note", default="", help="free text stored in the JSON's meta (machine load...)")
    p.add_argument("--fixed-malloc", action="store_true",
                   help="every configuration, CPython's too, runs with glibc's trim and mmap thresholds fixed "
                        "(GLIBC_TUNABLES): no heap trimming churn that moves with the heap's layout")
    p.add_argument("-r", "--repetitions", type=int, default=3, help="processes per configuration (default 3)")
    p.add_argument(
        "--config",
        action="append",
        default=[],
        type=parse_config,
        metavar="NAME:VAR=VAL,...",
        help="add or override a configuration (repeatable); 'cpython' is the baseline",
    )
    p.add_argument(
        "--hook-tax",
        action="store_true",
        help="compare cpython against ACCEL=1 ACCEL_MAX_TIER=0 (config 'hooktax') instead of accel",
    )
    preset = p.add_mutually_exclusive_group()
    preset.add_argument(
        "--fast",
        dest="preset",
        action="store_const",
        const="fast",
        default="fast",
        help="short pyperf runs (default): " + " ".join(PRESETS["fast"]),
    )
    preset.add_argument(
        "--rigorous",
        dest="preset",
        action="store_const",
        const="rigorous",
        help="longer pyperf runs: " + " ".join(PRESETS["rigorous"]),
    )
    preset.add_argument("--pyperf-args", type=shlex.split, help="pyperf options replacing the preset")
    p.add_argument("--stat", choices=["median", "mean"], default="median", help="statistic of pyperf values")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per process tree (default 600)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})")
    p.add_argument("--chart", type=Path, help="write speedup and memory bar charts to this PNG")
    p.add_argument("--list", action="store_true", help="list benchmarks and exit")
    return p.parse_args(argv)


def accel_revision() -> str | None:
    """The git commit of the accel checkout this interpreter imports (editable installs), if any."""
    spec = importlib.util.find_spec("accel")
    if spec is None or not spec.origin:
        return None
    try:
        rev = subprocess.run(
            ["git", "-C", str(Path(spec.origin).parent), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return rev.stdout.strip() or None if rev.returncode == 0 else None


def measure(bench: Benchmark, configs: dict[str, Env], args: argparse.Namespace, pyperf_args: list[str]) -> dict:
    names = list(configs)
    samples: dict[str, list[Sample]] = {c: [] for c in names}
    if args.cold:
        loops = args.loops or COLD_LOOPS.get(bench.name) or calibrate_cold_loops(bench, args.timeout)
        for _ in range(args.repetitions):
            for cfg in names:  # alternate: cpython, accel, cpython, accel, ...
                samples[cfg].append(run_cold(bench, configs[cfg], loops, args.timeout))
        return summarize(samples)
    for _ in range(args.repetitions):
        for cfg in names:  # alternate: cpython, accel, cpython, accel, ...
            samples[cfg].append(run_one(bench, configs[cfg], pyperf_args, args.stat, args.timeout))
    stats_runs: dict[str, Sample] = {}
    if args.stats:
        for cfg in names:
            if accel_enabled(configs[cfg]):
                loops = max((s.loops for s in samples[cfg] if s.loops), default=1)
                stats_runs[cfg] = run_stats_worker(bench, configs[cfg], loops, pyperf_args, args.timeout)
    return summarize(samples, stats_runs)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    benchmarks = discover()
    if args.list:
        for b in benchmarks.values():
            print(f"{b.name:<22} {'skipped: ' + b.skip if b.skip else ' '.join(b.argv)}")
        return 0
    if args.chart and importlib.util.find_spec("matplotlib") is None:  # fail before benchmarking, not after
        sys.exit("--chart needs matplotlib: pip install matplotlib")
    configs = build_configs(args)
    names = list(configs)
    pyperf_args = args.pyperf_args if args.pyperf_args is not None else PRESETS[args.preset]
    revision = accel_revision()
    print("configs:", ", ".join(f"{n}({describe(e)})" for n, e in configs.items()), f"; accel {revision}")
    if args.cold:
        print(f"cold: one process per measurement (--worker -l L -n 1 -w 0), wall time of the whole process;"
              f" {args.repetitions} alternating repetitions; median\n")
    else:
        print(f"pyperf: {' '.join(pyperf_args)}; {args.repetitions} alternating repetitions; stat={args.stat}\n")
    print(table_header(names))

    results: dict[str, Any] = {}
    for bench in select(benchmarks, args.names):
        results[bench.name] = {"skipped": bench.skip} if bench.skip else measure(bench, configs, args, pyperf_args)
        print(table_row(bench.name, results[bench.name], names), flush=True)

    gm = geomeans(results, names)
    print("\n" + "".join(f"geometric mean {BASELINE}/{c}: {fmt(v, '.3f')}\n" for c, v in gm.items()), end="")
    secondary = {key: geomeans(results, names, key) for key in ("paired_ratios", "cpu_ratios")}
    for c in gm:
        print(f"  (geometric mean of paired-run ratios: {fmt(secondary['paired_ratios'][c], '.3f')}"
              + (f"; of CPU-time ratios: {fmt(secondary['cpu_ratios'][c], '.3f')})" if args.cold else ")"))
    overall = tier1_overall(results, names)
    for cfg, t in overall.items():
        print(
            f"{cfg} tier 1 over {t['programs']} programs: median {fmt(t['median_us_per_insn'], '.1f')} us/insn"
            f" (all compiles: {fmt(t['overall_us_per_insn'], '.1f')}), {fmt(t['overall_bytes_per_insn'], '.0f')}"
            f" B/insn (mean of programs {fmt(t['mean_bytes_per_insn'], '.0f')}), at most"
            f" {fmt(100 * t['max_deferred_share'] if t['max_deferred_share'] is not None else None, '.0f')}%"
            " of hot functions put off"
        )

    report = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "python": sys.version,
            "machine": platform.platform(),
            "cpu_count": os.cpu_count(),
            "accel_revision": revision,
            "mode": "cold" if args.cold else "steady",
            "note": args.note,
            "configs": configs,
            "pyperf_args": None if args.cold else pyperf_args,
            "cold_loops": {n: r["configs"][BASELINE]["loops"] for n, r in results.items() if "configs" in r}
            if args.cold
            else None,
            "repetitions": args.repetitions,
            "stat": args.stat,
        },
        "benchmarks": results,
        "geomean": gm,
        "geomean_paired": secondary["paired_ratios"],
        "geomean_cpu": secondary["cpu_ratios"] if args.cold else None,
        "tier1_overall": overall,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results written to {args.json}")
    if args.chart:
        draw_chart(args.chart, results, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
