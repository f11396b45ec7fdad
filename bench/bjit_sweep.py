"""Force every function of the standard library through tier 1 and report what code generation costs.

Usage::

    python bench/bjit_sweep.py                 # the whole standard library (several minutes)
    python bench/bjit_sweep.py --quick         # every 20th file (~5% of the functions; well under a minute)
    python bench/bjit_sweep.py --sample 5 --limit 300 --json bench/results/sweep.json

Every ``.py`` under ``sysconfig.get_paths()['stdlib']`` (site-packages and __pycache__ left out) is compiled with
``compile()`` (files that do not compile, such as lib2to3's test data, are counted apart), every code object is
reached recursively through ``co_consts``, and each one is compiled by tier 1 with ``accel.compile(code)``, with
``max_tier=0`` (so nothing is compiled automatically, not even the sweep's own code; accel.compile() names its tier
itself). ``--mode lazy`` (the default) compiles as a program gets it: the function's head (block-at-a-time
compiling, placed by C from a plan C builds when it can), then every other block as if machine code had reached it
(``compile_block_now``: placed by C, else by the Python compiler). ``--mode whole`` compiles each function as a whole
by the Python compiler (``lazy_blocks=False``), as the sweeps before C placing did. Module and class bodies are left
to the interpreter by design and counted as skipped, not failed.

Per function, accel's counters (accel/stats.py) before and after the compile give: tier-1 code-generation seconds
(``bjit_compile_seconds``), IR instructions compiled (``bjit_instructions``), machine-code bytes
(``bjit_code_bytes``), and the IR build's seconds and instructions (``ir_build_seconds``, ``ir_instructions``). The
report: functions compiled, failures by reason (``stage:reason`` as accel counts them), the median and the mean over
functions of code-generation microseconds per IR instruction, all code generation's seconds / all instructions, mean
and overall bytes per instruction, and the IR build's microseconds per instruction, kept apart.

Files are handed to fresh worker processes in chunks (``--chunk``); a worker writes one JSON line per finished file,
so if it dies (a crash in the compiler or in generated code it never runs, a timeout) only the file it was on is lost:
that file is counted as ``crash:<how>`` for every function it holds and a new worker carries on after it. The timings
are wall-clock (``time.perf_counter`` inside accel), so a loaded machine inflates them.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from inspect import CO_OPTIMIZED
from pathlib import Path
from types import CodeType
from typing import Any

from stdlib_codes import iter_codes, stdlib_files  # (bench/, the script's folder)

COUNTERS = ("bjit_compile_seconds", "bjit_instructions", "bjit_code_bytes", "ir_build_seconds", "ir_instructions")


def compile_source(path: str) -> CodeType | None:
    try:
        with open(path, "rb") as f:
            src = f.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compile(src, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None


# ---------------------------------------------------------------- worker (one fresh process per chunk)


def worker(paths: list[str], out: Path, mode: str) -> None:
    import accel

    lazy = mode == "lazy"
    accel.install(lazy_blocks=lazy, max_tier=0)
    from accel.runtime import core
    from accel.stats import STATS  # the counters, read directly (accel.stats() would build the whole dict)

    c = core()

    def counters() -> tuple[float, ...]:
        placed = c.lazy_place_counters()  # (what C placed: the blocks' time, every head's bytes and instructions)
        return (STATS.bjit_compile_seconds + placed["seconds"], STATS.bjit_instructions + placed["instructions"],
                STATS.bjit_code_bytes + placed["bytes"], STATS.ir_build_seconds, STATS.ir_instructions)

    with out.open("a") as fh:
        for path in paths:
            top = compile_source(path)
            record: dict[str, Any] = {"file": path}
            if top is None:
                record["bad_file"] = True
            else:
                funcs: list[list[float]] = []  # per compiled function: codegen s, insns, bytes, IR s, IR insns
                failures: collections.Counter[str] = collections.Counter()
                skipped: collections.Counter[str] = collections.Counter()
                examples: dict[str, str] = {}
                for code in iter_codes(top):
                    before = counters()
                    try:
                        accel.compile(code)
                        info = c.lazy_info(code) if lazy else None
                        for b in range(1, len(info["blocks"]) if info else 0):
                            c.compile_block_now(code, b)
                    except Exception as exc:
                        reason = f"{getattr(exc, 'stage', 'internal')}:{getattr(exc, 'reason', type(exc).__name__)}"
                        if getattr(exc, "is_failure", True):
                            failures[reason] += 1
                            examples.setdefault(reason, f"{code.co_qualname} ({path}:{code.co_firstlineno}): {exc}")
                        else:
                            skipped[reason] += 1
                        continue
                    after = counters()
                    funcs.append([a - b for a, b in zip(after, before, strict=True)])
                record.update(funcs=funcs, failures=failures, skipped=skipped, examples=examples)
                del top, code
            fh.write(json.dumps(record) + "\n")
            fh.flush()


# ---------------------------------------------------------------- parent


def run_chunk(paths: list[str], timeout: float, env: dict[str, str],
              mode: str = "lazy") -> tuple[list[dict[str, Any]], str | None]:
    """Records of the files a worker finished, and how it died (None: it finished them all)."""
    with tempfile.TemporaryDirectory(prefix="accel-sweep-") as tmp:
        out, listing, log = Path(tmp) / "out.jsonl", Path(tmp) / "files.txt", Path(tmp) / "log.txt"
        listing.write_text("\n".join(paths) + "\n")
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(listing), str(out), mode]
        with log.open("w") as logf:
            proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                proc.wait(timeout)
                died = None if proc.returncode == 0 else f"exit {proc.returncode}"
                if proc.returncode < 0:
                    died = f"signal {signal.Signals(-proc.returncode).name}"
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                died = "timeout"
            except BaseException:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise
        records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        if died:
            tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
            died = f"{died}: {tail}" if tail else died
    return records, died


def sweep(files: list[str], chunk: int, timeout: float, env: dict[str, str], verbose: bool,
          mode: str = "lazy") -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    crashes: list[dict[str, Any]] = []
    pending = list(files)
    start = time.perf_counter()
    while pending:
        paths, pending = pending[:chunk], pending[chunk:]
        done, died = run_chunk(paths, timeout, env, mode)
        records.extend(done)
        if died:
            culprit = paths[len(done)] if len(done) < len(paths) else None
            if culprit is None:  # died after its last file (at exit)
                crashes.append({"file": None, "after": paths[-1], "how": died, "functions": 0})
            else:
                top = compile_source(culprit)
                # the functions it held (module and class bodies would have been skipped, not compiled)
                n = sum(1 for c in iter_codes(top) if c.co_flags & CO_OPTIMIZED) if top is not None else 0
                crashes.append({"file": culprit, "how": died, "functions": n})
                pending = paths[len(done) + 1 :] + pending
            if verbose:
                print(f"  ! worker died ({died}) on {culprit}", file=sys.stderr)
        if verbose:
            n_done = len(records) + len(crashes)
            print(f"  {n_done}/{len(files)} files, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return summarize(records, crashes, time.perf_counter() - start)


def summarize(records: list[dict[str, Any]], crashes: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    failures: collections.Counter[str] = collections.Counter()
    skipped: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    funcs: list[list[float]] = []
    for r in records:
        funcs.extend(r.get("funcs", []))
        failures.update(r.get("failures", {}))
        skipped.update(r.get("skipped", {}))
        for k, v in r.get("examples", {}).items():
            examples.setdefault(k, v)
    for c in crashes:
        if c["functions"]:
            failures[f"crash:{c['how'].split(':')[0]}"] += c["functions"]
    compiled = [f for f in funcs if f[1] > 0]
    us = [f[0] * 1e6 / f[1] for f in compiled]
    bpi = [f[2] / f[1] for f in compiled]
    with_ir = [f for f in funcs if f[4] > 0]
    ir_us = [f[3] * 1e6 / f[4] for f in with_ir]
    insns = sum(f[1] for f in compiled)
    ir_insns = sum(f[4] for f in with_ir)

    def quantiles(xs: list[float]) -> dict[str, float] | None:
        if len(xs) < 2:
            return None
        q = statistics.quantiles(xs, n=20)
        return {"p5": q[0], "p25": q[4], "p75": q[14], "p95": q[18]}

    return {
        "files": len(records) + len(crashes),
        "bad_files": sum(1 for r in records if r.get("bad_file")),
        "functions_compiled": len(funcs),
        "functions_failed": sum(failures.values()),
        "functions_skipped": sum(skipped.values()),
        "failures": dict(failures.most_common()),
        "skipped": dict(skipped.most_common()),
        "failure_examples": examples,
        "crashes": crashes,
        "instructions": insns,
        "code_bytes": sum(f[2] for f in compiled),
        "codegen_seconds": sum(f[0] for f in compiled),
        "ir_build_seconds": sum(f[3] for f in with_ir),
        "median_us_per_insn": statistics.median(us) if us else None,
        "mean_us_per_insn": statistics.fmean(us) if us else None,
        "overall_us_per_insn": sum(f[0] for f in compiled) * 1e6 / insns if insns else None,
        "us_per_insn_quantiles": quantiles(us),
        "median_bytes_per_insn": statistics.median(bpi) if bpi else None,
        "mean_bytes_per_insn": statistics.fmean(bpi) if bpi else None,
        "overall_bytes_per_insn": sum(f[2] for f in compiled) / insns if insns else None,
        "median_ir_us_per_insn": statistics.median(ir_us) if ir_us else None,
        "mean_ir_us_per_insn": statistics.fmean(ir_us) if ir_us else None,
        "overall_ir_us_per_insn": sum(f[3] for f in with_ir) * 1e6 / ir_insns if ir_insns else None,
        "sweep_seconds": seconds,
    }


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(s: dict[str, Any]) -> str:
    lines = [
        f"files {s['files']} ({s['bad_files']} do not compile), functions compiled {s['functions_compiled']},"
        f" failed {s['functions_failed']}, skipped by design {s['functions_skipped']}"
        f" ({', '.join(f'{k}: {v}' for k, v in s['skipped'].items()) or 'none'})",
        f"failures: {', '.join(f'{k}: {v}' for k, v in s['failures'].items()) or 'none'}",
        *(f"  e.g. {k}: {v}" for k, v in list(s["failure_examples"].items())[:10]),
        *(f"  crash: {c['how']} on {c['file']} ({c['functions']} functions)" for c in s["crashes"]),
        f"tier-1 code generation: median {fmt(s['median_us_per_insn'], '.1f')} us/insn, mean"
        f" {fmt(s['mean_us_per_insn'], '.1f')} (all: {s['codegen_seconds']:.1f} s / {s['instructions']} insns ="
        f" {fmt(s['overall_us_per_insn'], '.1f')})",
        f"machine code: mean {fmt(s['mean_bytes_per_insn'], '.1f')} B/insn, median"
        f" {fmt(s['median_bytes_per_insn'], '.1f')} (all: {s['code_bytes']} B ="
        f" {fmt(s['overall_bytes_per_insn'], '.1f')})",
        f"IR build: median {fmt(s['median_ir_us_per_insn'], '.2f')} us/insn,"
        f" mean {fmt(s['mean_ir_us_per_insn'], '.2f')}"
        f" (all: {s['ir_build_seconds']:.1f} s = {fmt(s['overall_ir_us_per_insn'], '.2f')})",
        f"sweep took {s['sweep_seconds']:.0f} s",
    ]
    if (q := s.get("us_per_insn_quantiles")) is not None:
        lines.insert(-3, "  us/insn quantiles: " + ", ".join(f"{k} {v:.1f}" for k, v in q.items()))
    return "\n".join(lines)


def accel_revision() -> str | None:
    import importlib.util

    spec = importlib.util.find_spec("accel")
    if spec is None or not spec.origin:
        return None
    rev = subprocess.run(
        ["git", "-C", str(Path(spec.origin).parent), "describe", "--always", "--dirty", "--abbrev=12"],
        capture_output=True,
        text=True,
    )
    return rev.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        worker(Path(argv[1]).read_text().split(), Path(argv[2]), argv[3])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="see bench/README.md")
    p.add_argument("--sample", type=int, default=1, metavar="K", help="every K-th file only (default: all)")
    p.add_argument("--limit", type=int, default=0, metavar="N", help="at most N files (after --sample)")
    p.add_argument("--quick", action="store_true", help="--sample 20")
    p.add_argument("--chunk", type=int, default=40, help="files per worker process (default 40)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per worker process (default 900)")
    p.add_argument("--root", default=sysconfig.get_paths()["stdlib"], help="directory to sweep (default: stdlib)")
    p.add_argument("--mode", choices=("lazy", "whole"), default="lazy",
                   help="lazy: head then every block, as programs compile (default); whole: the Python compiler")
    p.add_argument("--json", type=Path, help="write the summary (and the settings) here")
    p.add_argument("--note", default="", help="free text stored in the JSON (machine load...)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    sample = 20 if args.quick else max(1, args.sample)
    files = stdlib_files(args.root)[::sample]
    if args.limit:
        files = files[: args.limit]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL")}
    revision = accel_revision()
    print(f"accel {revision}: {len(files)} files of {args.root} (every {sample}th), {args.chunk} per process",
          file=sys.stderr)
    summary = sweep(files, args.chunk, args.timeout, env, not args.quiet, args.mode)
    print(report(summary))
    if args.json:
        meta = {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "python": sys.version,
            "machine": platform.platform(),
            "cpu_count": os.cpu_count(),
            "accel_revision": revision,
            "root": args.root,
            "sample_every": sample,
            "limit": args.limit,
            "chunk": args.chunk,
            "mode": args.mode,
            "note": args.note,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"meta": meta, "summary": summary}, indent=2) + "\n")
        print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
