"""What importing costs under accel: import a batch of standard-library modules in fresh processes, plain and under
accel (eval hook installed, nothing compiled: module bodies run through it, and each code object that runs gets its
state), alternating, and report medians and the ratio.

    python bench/import_overhead.py [-n 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

MODULES = ("argparse asyncio csv dataclasses decimal difflib email.parser fractions http.client ipaddress json "
           "logging pathlib pprint shutil statistics string tarfile textwrap typing unittest urllib.request "
           "xml.etree.ElementTree zipfile").split()

PROGRAM = f"""
import time, json, sys
start = time.perf_counter()
for name in {MODULES!r}:
    __import__(name)
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""


def run_once(accel: bool, stats_file: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL")}
    if accel:
        env.update(ACCEL="1", ACCEL_MAX_TIER="0", ACCEL_STATS_FILE=stats_file)
    # -B: no new .pyc files, so every run imports from the same cached bytecode
    out = subprocess.run([sys.executable, "-B", "-c", PROGRAM], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="runs of each (default 7)")
    args = parser.parse_args()
    plain, accel = [], []
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = os.path.join(tmp, "stats.json")
        for _ in range(args.n):
            plain.append(run_once(False, stats_file))
            accel.append(run_once(True, stats_file))
            with open(stats_file) as fh:
                stats = json.load(fh)
    p, a = statistics.median(plain), statistics.median(accel)
    print(f"{len(MODULES)} top-level imports ({stats['code_objects_registered']} code objects ran and were registered)")
    print(f"plain CPython  {p * 1e3:8.1f} ms")
    print(f"accel          {a * 1e3:8.1f} ms   ratio accel/plain {a / p:.2f}x")


if __name__ == "__main__":
    main()
