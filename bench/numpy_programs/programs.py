"""NumPy programs for bench/run.py's real-world list: the shapes of NumPy use where a JIT for Python code can win
or lose -- Python loops making many short calls into NumPy, and one that spends its time inside NumPy.

Each program is a plain function of one size; ``PROGRAMS`` maps its name to ``(function, size)``, sized so one
call takes tens of milliseconds on CPython 3.11.  Every function returns a value computed from all its work, so
a result can be checked and nothing is dead.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def small_arrays(steps: int) -> float:
    """An n-body style integration on 3-vectors: ufunc arithmetic, np.dot and np.sqrt on tiny arrays, in a Python
    loop (the call overhead into NumPy, not the arithmetic, is the work)."""
    rng = np.random.default_rng(1)
    pos = [rng.standard_normal(3) for _ in range(5)]
    vel = [np.zeros(3) for _ in range(5)]
    mass = [1.0 + 0.1 * k for k in range(5)]
    dt = 0.001
    for _ in range(steps):
        for i in range(5):
            acc = np.zeros(3)
            for j in range(5):
                if i != j:
                    d = pos[j] - pos[i]
                    r2 = np.dot(d, d) + 0.01
                    acc += d * (mass[j] / (r2 * np.sqrt(r2)))
            vel[i] += acc * dt
        for i in range(5):
            pos[i] = pos[i] + vel[i] * dt
    return float(sum(np.sum(p) for p in pos))


def matmul(n: int) -> float:
    """Vectorised linear algebra: matrix products, a transpose, reductions -- the time is NumPy's own (BLAS)."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    total = 0.0
    for _ in range(4):
        c = a @ b
        a = (c / np.abs(c).max()).T
        total += float(c.trace())
    return total


def element_reads(n: int) -> float:
    """Element reads and writes of 1-D and 2-D arrays in Python loops (scalar indexing, NumPy scalars back)."""
    a = np.arange(n, dtype=np.float64)
    m = np.ones((64, 64))
    total = 0.0
    for i in range(n):
        total += a[i] * 0.5
    for i in range(64):
        for j in range(64):
            m[i, j] = m[j, i] + i
    for row in m[:8]:
        total += row[3]
    return total + float(m.sum())


def scalar_calls(n: int) -> float:
    """Short calls into NumPy with Python scalars and NumPy scalars: np.sqrt, np.float64, np.maximum, methods of
    small arrays (.sum(), .item()), np.array of a short list."""
    total = 0.0
    v = np.array([1.0, 2.0, 3.0])
    for i in range(n):
        x = np.float64(i) * 0.001
        total += np.sqrt(x) + np.maximum(x, 0.5)
        if i % 8 == 0:
            w = np.array([x, x + 1.0, 2.0])
            total += (v * w).sum() + w.max().item()
    return float(total)


PROGRAMS: dict[str, tuple[Callable[[int], float], int]] = {
    "small_arrays": (small_arrays, 400),
    "matmul": (matmul, 160),
    "element_reads": (element_reads, 60_000),
    "scalar_calls": (scalar_calls, 20_000),
}
