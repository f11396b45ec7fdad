"""Build accel IR for every code object of every stdlib module; print totals.

Usage: python bench/ir_sweep.py [--limit N] [--sample-every K] [--verify]

Compiles every ``.py`` under ``sysconfig.get_paths()['stdlib']`` (files that do
not compile, e.g. lib2to3 test data, are counted separately), walks every code
object recursively through ``co_consts`` and builds its IR.  Reports failures
by ``IRBuildError.reason``, build time per instruction (excluding
``compile()``), ``Function.nbytes()`` per instruction, and the tracemalloc peak
per instruction for a sample.  ``--verify`` also checks text round-trips.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import sysconfig
import time
import tracemalloc
import warnings
from types import CodeType

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from stdlib_codes import iter_codes, stdlib_files  # noqa: E402  (bench/, the script's folder)

from accel.ir import IRBuildError, build, parse  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("--sample-every", type=int, default=50, help="tracemalloc every K-th code object")
    ap.add_argument("--verify", action="store_true", help="also check parse(dump) round trips")
    ns = ap.parse_args()

    root = sysconfig.get_paths()["stdlib"]
    files = stdlib_files(root)
    if ns.limit:
        files = files[: ns.limit]
    codes: list[CodeType] = []
    bad_files = 0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            try:
                with open(path, "rb") as f:
                    src = f.read()
                top = compile(src, path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
                bad_files += 1
                continue
            codes.extend(iter_codes(top))
    t_compile = time.perf_counter() - t0

    failures: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    n_instr = 0
    n_units = 0
    n_blocks = 0
    nbytes = 0
    n_built = 0
    t_build = 0.0
    perf = time.perf_counter
    for co in codes:
        t = perf()
        try:
            fn = build(co)
        except IRBuildError as e:
            t_build += perf() - t
            failures[e.reason] += 1
            examples.setdefault(e.reason, f"{co.co_filename}:{co.co_firstlineno} {co.co_qualname}: {e}")
            continue
        t_build += perf() - t
        n_instr += fn.n_instructions
        n_units += fn.code_units
        n_blocks += len(fn.blocks)
        nbytes += fn.nbytes()
        if ns.verify:
            text = fn.dump()
            back = parse(text)
            if back.dump() != text or not back.same_encoding(fn):
                failures["roundtrip"] += 1
                examples.setdefault("roundtrip", co.co_qualname)
        n_built += 1
        del fn

    # tracemalloc on a sample: peak bytes while building, per instruction
    sample = codes[:: max(1, ns.sample_every)]
    tm_bytes = 0
    tm_instr = 0
    tm_kept = 0
    for co in sample:
        tracemalloc.start()
        try:
            fn = build(co)
        except IRBuildError:
            tracemalloc.stop()
            continue
        cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tm_bytes += peak
        tm_kept += cur
        tm_instr += fn.n_instructions
        del fn

    print(f"stdlib:            {root}")
    print(f"files:             {len(files)} ({bad_files} failed to compile, skipped)")
    print(f"code objects:      {len(codes)}")
    print(f"built:             {n_built}")
    print(f"instructions:      {n_instr}  (code units {n_units}, blocks {n_blocks})")
    print(f"failures:          {sum(failures.values())}")
    for reason, k in failures.most_common():
        print(f"  {reason:<24} {k:>6}   e.g. {examples[reason]}")
    print(f"compile() time:    {t_compile:.2f} s (not counted)")
    print(f"build time:        {t_build:.2f} s = {1e6 * t_build / max(1, n_instr):.2f} us/instruction")
    print(f"nbytes():          {nbytes / max(1, n_instr):.1f} bytes/instruction "
          f"({nbytes / 2**20:.1f} MiB total)")
    print(f"tracemalloc:       peak {tm_bytes / max(1, tm_instr):.1f} bytes/instruction during build, "
          f"retained {tm_kept / max(1, tm_instr):.1f} bytes/instruction "
          f"(sample of {len(sample)} code objects, {tm_instr} instructions)")


if __name__ == "__main__":
    main()
