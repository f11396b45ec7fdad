"""The share of executed bytecode instructions that ran in machine code, and the inline caches' hit rate, per
benchmark.

Each benchmark runs once as a single pyperf worker that calibrates its loop count as pyperf does
(``--worker --calibrate-loops``: values of at least 0.1 s, so a 25 us benchmark runs thousands of times) under ``ACCEL=1
ACCEL_COUNT_INSTRUCTIONS=1``: machine code counts the instructions of each straight-line run it enters, a C
trace function counts the interpreter's (csrc/eval_hook.c), and accel writes both counts to a stats file at exit.
The counting slows the interpreter's share down (it traces), which shifts when code becomes hot: read the shares
as what runs where, not as speed.  The hit rate is that of the attribute sites' inline caches (LOAD_ATTR,
LOAD_METHOD, STORE_ATTR: the inline entry, the executable slots and the helper's entries count as hits, the
generic path as a miss), over the whole process.

Usage: ``python bench/coverage.py [--env VAR=VAL ...] [names...]`` (names as for bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import config_environ, discover, select  # noqa: E402  (bench/run.py: the same benchmark list)


def share(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, int] | str:
    """(percent in machine code, instructions executed, IC hits, IC misses), or why it could not be measured."""
    with tempfile.TemporaryDirectory(prefix="accel-coverage-") as tmp:
        stats = Path(tmp) / "stats.json"
        run_env = config_environ({"ACCEL": "1", "ACCEL_COUNT_INSTRUCTIONS": "1", "ACCEL_STATS_FILE": str(stats),
                                  **env})
        cmd = [sys.executable, *argv, "--worker", "--calibrate-loops"]
        proc = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not stats.exists():
            return f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"
        data = json.loads(stats.read_text())
    executed = data.get("insn_jit", 0) + data.get("insn_interp", 0)
    if not executed:
        return "no instructions counted"
    return 100.0 * data["insn_jit"] / executed, executed, data.get("ic_hits", 0), data.get("ic_misses", 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks or groups (default: all)")
    parser.add_argument("--env", action="append", default=[], metavar="VAR=VAL",
                        help="extra environment for the accel run, e.g. ACCEL_COMPILE_BUDGET=0")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    print(f"{'benchmark':<24} {'machine code':>12} {'instructions':>14} {'IC hit rate':>12} {'IC lookups':>12}")
    shares = []
    rates = []
    hits = lookups = 0
    for bench in select(discover(), args.names):
        if bench.skip:
            print(f"{bench.name:<24} skipped: {bench.skip}")
            continue
        result = share(bench.argv, env)
        if isinstance(result, str):
            print(f"{bench.name:<24} ! {result}")
            continue
        shares.append(result[0])
        seen = result[2] + result[3]
        rate = 100.0 * result[2] / seen if seen else 100.0
        rates.append(rate)
        hits += result[2]
        lookups += seen
        print(f"{bench.name:<24} {result[0]:>11.1f}% {result[1]:>14,} {rate:>11.2f}% {seen:>12,}")
    if shares:
        at_95 = sum(s >= 95 for s in shares)
        print(f"{'lowest':<24} {min(shares):>11.1f}%   ({at_95} of {len(shares)} at 95% or more)"
              f"   IC hit rate: lowest {min(rates):.2f}%, all lookups {100.0 * hits / max(lookups, 1):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
