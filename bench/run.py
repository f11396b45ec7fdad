"""Compare plain CPython against accel on pyperformance's pure-Python benchmarks and local micro kernels.

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

Usage: ``python bench/run.py [--hook-tax] [--config NAME:VAR=VAL,...] [-r N] [names...]`` (``--list``).
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
MICRO = ["fib", "method_calls", "attributes", "int_arith", "float_arith", "list_comp", "generator"]

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


def discover() -> dict[str, Benchmark]:
    benchmarks: dict[str, Benchmark] = {}
    root = pyperformance_dir()
    for name in PYPERFORMANCE:
        script = root / f"bm_{name}" / "run_benchmark.py" if root else None
        if script is None:
            skip = "pyperformance is not installed (pip install pyperformance)"
        elif not script.is_file():
            skip = f"not in this pyperformance version ({script} missing)"
        elif missing := missing_dependencies(script.parent):
            skip = f"missing dependencies: {', '.join(missing)}"
        else:
            skip = None
        benchmarks[name] = Benchmark(name, [str(script)], skip)
    for kernel in MICRO:
        benchmarks[f"micro_{kernel}"] = Benchmark(f"micro_{kernel}", [str(MICRO_SCRIPT), kernel])
    if importlib.util.find_spec("pyperf") is None:
        for bench in benchmarks.values():
            bench.skip = bench.skip or "pyperf is not installed (pip install pyperf)"
    return benchmarks


def select(benchmarks: dict[str, Benchmark], names: list[str]) -> list[Benchmark]:
    groups = {"pyperformance": PYPERFORMANCE, "micro": [f"micro_{k}" for k in MICRO]}
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
    return configs


def describe(env: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in env.items()) or "no ACCEL vars"


def config_environ(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL")}
    base.update(env)
    return base


# ---------------------------------------------------------------- running


def parse_pyperf_json(path: Path, stat: str) -> tuple[dict[str, float], int | None]:
    """Per-benchmark time (median or mean of pyperf values, seconds) and max worker RSS (bytes)."""
    data = json.loads(path.read_text())
    suite_meta = data.get("metadata", {})
    times: dict[str, float] = {}
    rss: list[int] = []
    for bench in data["benchmarks"]:
        bench_meta = {**suite_meta, **bench.get("metadata", {})}
        values: list[float] = []
        for run in bench["runs"]:
            values.extend(run.get("values", []))
            if (mem := {**bench_meta, **run.get("metadata", {})}.get("mem_max_rss")) is not None:
                rss.append(int(mem))
        if values:
            name = bench_meta.get("name", f"bench{len(times)}")
            times[name] = statistics.median(values) if stat == "median" else statistics.fmean(values)
    return times, max(rss) if rss else None


def run_one(bench: Benchmark, env: Env, pyperf_args: list[str], stat: str, timeout: float) -> Sample:
    with tempfile.TemporaryDirectory(prefix="accel-bench-") as tmp:
        out, log = Path(tmp) / "out.json", Path(tmp) / "log.txt"
        cmd = [sys.executable, *bench.argv, *pyperf_args, "-o", str(out)]
        if env:
            cmd.append("--inherit-environ=" + ",".join(env))
        with log.open("w") as logf:
            proc = subprocess.Popen(
                cmd, env=config_environ(env), stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
            )
            timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:  # Ctrl-C: don't leave the benchmark's session running
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise
            finally:
                timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        tree_rss = usage.ru_maxrss * 1024  # Linux reports KiB
        if proc.returncode != 0 or not out.exists():
            tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
            why = "timeout" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
            return Sample(None, tree_rss, error=f"{why}: {tail}")
        subtimes, rss = parse_pyperf_json(out, stat)
    if not subtimes:
        return Sample(None, tree_rss, error="no values in pyperf output")
    # Scripts reporting several benchmarks (deepcopy: 3) count as the geometric mean of their parts.
    total = math.exp(statistics.fmean(math.log(t) for t in subtimes.values()))
    return Sample(total, rss or tree_rss, subtimes)


def summarize(samples: dict[str, list[Sample]]) -> dict[str, Any]:
    out: dict[str, Any] = {"configs": {}, "ratios": {}}
    for cfg, runs in samples.items():
        times = [s.time_s for s in runs if s.time_s is not None]
        rss = [s.rss_bytes for s in runs if s.rss_bytes is not None]
        out["configs"][cfg] = {
            "median_s": statistics.median(times) if times else None,
            "times_s": times,
            "max_rss_mb": max(rss) / 2**20 if rss else None,
            "rss_mb": [r / 2**20 for r in rss],
            "subtimes_s": [s.subtimes for s in runs if s.subtimes],
            "errors": [s.error for s in runs if s.error],
        }
    base = out["configs"].get(BASELINE, {}).get("median_s")
    for cfg, res in out["configs"].items():
        if cfg != BASELINE:
            out["ratios"][cfg] = base / res["median_s"] if base and res["median_s"] else None
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
    errors = [f"{c}: {e}" for c in configs for e in res[c]["errors"]]
    return line + ("".join(f"\n    ! {e}" for e in errors[:2]) if errors else "")


def geomeans(results: dict[str, Any], configs: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for cfg in configs:
        if cfg == BASELINE:
            continue
        ratios = [r["ratios"][cfg] for r in results.values() if r.get("ratios", {}).get(cfg)]
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
    p.add_argument("names", nargs="*", help="benchmarks or groups: pyperformance, micro (default: all)")
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
    print("configs:", ", ".join(f"{n}({describe(e)})" for n, e in configs.items()))
    print(f"pyperf: {' '.join(pyperf_args)}; {args.repetitions} alternating repetitions; stat={args.stat}\n")
    print(table_header(names))

    results: dict[str, Any] = {}
    for bench in select(benchmarks, args.names):
        if bench.skip:
            results[bench.name] = {"skipped": bench.skip}
        else:
            samples: dict[str, list[Sample]] = {c: [] for c in names}
            for _ in range(args.repetitions):
                for cfg in names:  # alternate: cpython, accel, cpython, accel, ...
                    samples[cfg].append(run_one(bench, configs[cfg], pyperf_args, args.stat, args.timeout))
            results[bench.name] = summarize(samples)
        print(table_row(bench.name, results[bench.name], names), flush=True)

    gm = geomeans(results, names)
    print("\n" + "".join(f"geometric mean {BASELINE}/{c}: {fmt(v, '.3f')}\n" for c, v in gm.items()), end="")

    report = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "python": sys.version,
            "machine": platform.platform(),
            "cpu_count": os.cpu_count(),
            "configs": configs,
            "pyperf_args": pyperf_args,
            "repetitions": args.repetitions,
            "stat": args.stat,
        },
        "benchmarks": results,
        "geomean": gm,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results written to {args.json}")
    if args.chart:
        draw_chart(args.chart, results, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
