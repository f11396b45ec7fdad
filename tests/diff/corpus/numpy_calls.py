"""Python code calling into NumPy from machine code: ufuncs on tiny arrays and on NumPy and Python scalars,
array methods, scalar indexing and item assignment of 1-D and 2-D arrays, slicing, iteration over rows, a NumPy
scalar as a loop bound and as a dict key, errors NumPy raises (shape mismatch, index out of range) -- printed
with reprs, so NumPy scalar types show."""

import numpy as np


def vectors(steps):
    pos = [np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 0.0])]
    vel = [np.zeros(3), np.ones(3)]
    for _ in range(steps):
        d = pos[1] - pos[0]
        r2 = np.dot(d, d) + 0.01
        f = d / (r2 * np.sqrt(r2))
        vel[0] += f * 0.01
        vel[1] -= f * 0.01
        pos[0] = pos[0] + vel[0] * 0.01
        pos[1] = pos[1] + vel[1] * 0.01
    return [p.round(6).tolist() for p in pos]


def reads(n):
    a = np.arange(n, dtype=np.float64)
    m = np.zeros((6, 6), dtype=np.int64)
    total = 0.0
    for i in range(n):
        total += a[i] * 0.5
    for i in range(6):
        for j in range(6):
            m[i, j] = m[j, i] + i * j
    rows = [int(row.sum()) for row in m]
    return total, rows, m[2], m[:, 1].tolist(), m[1:3, 2:4].tolist()


def scalars(n):
    out = []
    for i in range(n):
        x = np.float64(i) * 0.25
        k = np.int64(i)
        out.append((np.sqrt(x), np.maximum(x, 0.5), k % 3, x > 1, type(x + 1).__name__, type(k + 1.5).__name__))
    counts = {}
    for v in np.arange(4).repeat(3):
        counts[v] = counts.get(v, 0) + 1
    for i in range(np.int64(3)):
        out.append(i)
    return out, counts


def errors():
    out = []
    for bad in (lambda: np.ones(3) + np.ones(4), lambda: np.zeros(3)[5], lambda: np.zeros((2, 2))[0, 0, 0]):
        try:
            bad()
        except (ValueError, IndexError) as e:
            out.append(type(e).__name__)
    return out


for _ in range(30):
    v = vectors(20)
    r = reads(50)
    s = scalars(12)
    e = errors()
print(v)
print(r)
print(s)
print(e)
