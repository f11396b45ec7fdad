"""pyperf script for one NumPy program: ``python bench/numpy_programs/run_numpy.py NAME [pyperf options]``.

bench/run.py runs it as benchmark ``numpy_NAME``, in its real-world group.  NAME is a key of
``programs.PROGRAMS``.
"""

from __future__ import annotations

import argparse

import pyperf
from programs import PROGRAMS  # this script's directory is sys.path[0]


def add_cmdline_args(cmd: list[str], args: argparse.Namespace) -> None:
    cmd.append(args.program)


def main() -> None:
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("program", choices=sorted(PROGRAMS))
    args = runner.parse_args()
    func, size = PROGRAMS[args.program]
    runner.metadata["description"] = "accel NumPy program: " + " ".join((func.__doc__ or "").split())
    runner.bench_func(f"numpy_{args.program}", func, size)


if __name__ == "__main__":
    main()
