"""A small n-body simulation of the outer planets (accel --compare examples/nbody.py 200000: where tier 1 wins).

Usage: python examples/nbody.py [steps]   (prints the system's energy before and after)
"""

from __future__ import annotations

import sys

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24


class Body:
    __slots__ = ("x", "y", "z", "vx", "vy", "vz", "mass")

    def __init__(self, position, velocity, mass):
        self.x, self.y, self.z = position
        self.vx, self.vy, self.vz = (v * DAYS_PER_YEAR for v in velocity)
        self.mass = mass * SOLAR_MASS


def make_system() -> list[Body]:
    return [
        Body((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 1.0),
        Body((4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01),
             (1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05),
             9.54791938424326609e-04),
        Body((8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01),
             (-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05),
             2.85885980666130812e-04),
        Body((1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01),
             (2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05),
             4.36624404335156298e-05),
        Body((1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01),
             (2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05),
             5.15138902046611451e-05),
    ]


def pairs(bodies: list[Body]) -> list[tuple[Body, Body]]:
    return [(a, b) for i, a in enumerate(bodies) for b in bodies[i + 1:]]


def offset_momentum(bodies: list[Body]) -> None:
    px = sum(b.vx * b.mass for b in bodies)
    py = sum(b.vy * b.mass for b in bodies)
    pz = sum(b.vz * b.mass for b in bodies)
    sun = bodies[0]
    sun.vx, sun.vy, sun.vz = -px / SOLAR_MASS, -py / SOLAR_MASS, -pz / SOLAR_MASS


def energy(bodies: list[Body]) -> float:
    e = 0.0
    for b in bodies:
        e += 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
    for a, b in pairs(bodies):
        dx, dy, dz = a.x - b.x, a.y - b.y, a.z - b.z
        e -= a.mass * b.mass / (dx * dx + dy * dy + dz * dz) ** 0.5
    return e


def advance(bodies: list[Body], body_pairs: list[tuple[Body, Body]], dt: float) -> None:
    for a, b in body_pairs:
        dx, dy, dz = a.x - b.x, a.y - b.y, a.z - b.z
        mag = dt / (dx * dx + dy * dy + dz * dz) ** 1.5
        bm, am = b.mass * mag, a.mass * mag
        a.vx -= dx * bm
        a.vy -= dy * bm
        a.vz -= dz * bm
        b.vx += dx * am
        b.vy += dy * am
        b.vz += dz * am
    for b in bodies:
        b.x += dt * b.vx
        b.y += dt * b.vy
        b.z += dt * b.vz


def main(steps: int) -> None:
    bodies = make_system()
    offset_momentum(bodies)
    body_pairs = pairs(bodies)
    print(f"energy before: {energy(bodies):.9f}")
    for _ in range(steps):
        advance(bodies, body_pairs, 0.01)
    print(f"energy after:  {energy(bodies):.9f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
