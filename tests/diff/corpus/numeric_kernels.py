"""Numeric loop kernels typical for JIT tiers: sieve, matmul, mandelbrot, nbody step, crc, collatz."""


def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    for i in range(2, int(n**0.5) + 1):
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = False
    return [i for i, f in enumerate(flags) if f]


primes = sieve(20000)
print(len(primes), primes[:10], primes[-5:], sum(primes))


def matmul(a, b):
    n, m, p = len(a), len(b), len(b[0])
    out = [[0] * p for _ in range(n)]
    for i in range(n):
        row = a[i]
        for k in range(m):
            aik = row[k]
            brow = b[k]
            for j in range(p):
                out[i][j] += aik * brow[j]
    return out


A = [[(i * 7 + j * 3) % 11 - 5 for j in range(20)] for i in range(20)]
B = [[(i * 2 - j) % 13 for j in range(20)] for i in range(20)]
M = matmul(A, B)
print(M[0][:8], M[19][-5:], sum(map(sum, M)))
F = matmul([[x / 3 for x in r] for r in A], B)
print(F[3][:4], sum(map(sum, F)))


def mandel(w, h, iters):
    rows = []
    for y in range(h):
        row = []
        ci = y * 2.0 / h - 1.0
        for x in range(w):
            cr = x * 3.0 / w - 2.0
            zr = zi = 0.0
            n = 0
            while n < iters and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            row.append(" .:-=+*#%@"[n % 10])
        rows.append("".join(row))
    return rows


for line in mandel(60, 20, 50):
    print(line)


def nbody_step(bodies, dt, steps):
    for _ in range(steps):
        for i, (p1, v1, m1) in enumerate(bodies):
            for j in range(i + 1, len(bodies)):
                p2, v2, m2 = bodies[j]
                dx, dy = p1[0] - p2[0], p1[1] - p2[1]
                d2 = dx * dx + dy * dy + 0.01
                mag = dt / (d2 * d2**0.5)
                v1[0] -= dx * m2 * mag
                v1[1] -= dy * m2 * mag
                v2[0] += dx * m1 * mag
                v2[1] += dy * m1 * mag
        for p, v, _m in bodies:
            p[0] += dt * v[0]
            p[1] += dt * v[1]
    return bodies


bodies = [([float(i), float(i * i % 5)], [0.0, 0.1 * i], 1.0 + i) for i in range(5)]
for p, v, m in nbody_step(bodies, 0.01, 200):
    print([round(c, 9) for c in p], [round(c, 9) for c in v], m)


def crc32(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


import zlib  # noqa: E402

payload = bytes(range(256)) * 4
print(hex(crc32(payload)), crc32(payload) == zlib.crc32(payload))


def collatz_max(limit):
    best, best_n = 0, 0
    for n in range(1, limit):
        steps, x = 0, n
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
        if steps > best:
            best, best_n = steps, n
    return best_n, best


print(collatz_max(5000))


def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


print([fib_iter(n) for n in (10, 50, 90, 93, 94, 200)])


def gcd_loop(pairs):
    out = []
    for a, b in pairs:
        while b:
            a, b = b, a % b
        out.append(a)
    return out


print(gcd_loop([(48, 18), (2**64, 6**30), (-12, 8), (17, 0), (0, 0)]))


def float_accum(n):
    s, c = 0.0, 1.0
    for i in range(1, n):
        s += c / i
        c = -c
    return s


print(float_accum(10000), float_accum(10001))
