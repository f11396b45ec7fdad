"""pyperf script for one microbenchmark kernel: ``python bench/micro/micro.py NAME [pyperf options]``.

bench/run.py runs it as benchmark ``micro_NAME``. NAME is a key of ``kernels.KERNELS``.
"""

from __future__ import annotations

import argparse

import pyperf
from kernels import KERNELS  # this script's directory is sys.path[0]


def add_cmdline_args(cmd: list[str], args: argparse.Namespace) -> None:
    cmd.append(args.kernel)


def main() -> None:
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("kernel", choices=sorted(KERNELS))
    args = runner.parse_args()
    func, size = KERNELS[args.kernel]
    runner.metadata["description"] = f"accel microbenchmark: {func.__doc__}"
    runner.bench_func(f"micro_{args.kernel}", func, size)


if __name__ == "__main__":
    main()
