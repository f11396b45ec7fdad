"""The micro kernels under pytest-benchmark, CPython and accel side by side.

Run explicitly (the project's default ``pytest`` only collects ``tests/``)::

    pytest bench/micro --benchmark-only

Each kernel is its own benchmark group, holding a ``cpython`` and an ``accel`` row. The accel mode wraps
the measurement in ``accel.install()`` / ``accel.uninstall()`` and is skipped when accel cannot be imported.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kernels import KERNELS  # pytest's default "prepend" import mode puts this directory on sys.path

WARMUP_CALLS = 60  # > ACCEL_BJIT_THRESHOLD (25), so accel has compiled the hot code before timing starts

try:
    import accel
except Exception as exc:  # any failure to import means "no accel"
    accel = None
    ACCEL_ERROR = f"import accel failed: {type(exc).__name__}: {exc}"
else:
    ACCEL_ERROR = ""


@pytest.fixture(params=["cpython", "accel"])
def mode(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "cpython":
        yield "cpython"
        return
    if accel is None:
        pytest.skip(ACCEL_ERROR)
    accel.install()
    try:
        yield "accel"
    finally:
        accel.uninstall()


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_micro(benchmark, kernel: str, mode: str) -> None:
    func, size = KERNELS[kernel]
    benchmark.group = kernel
    benchmark.extra_info["mode"] = mode
    expected = func(size)
    for _ in range(WARMUP_CALLS):
        func(size)
    assert benchmark(func, size) == expected
