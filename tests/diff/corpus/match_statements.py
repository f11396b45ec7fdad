"""Structural pattern matching: literals, captures, sequences, mappings, classes, guards, or-patterns."""

from dataclasses import dataclass


@dataclass
class Point:
    x: int
    y: int


@dataclass
class Circle:
    center: Point
    r: float


class Plain:
    __match_args__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b

    def __repr__(self):
        return f"Plain({self.a!r}, {self.b!r})"


def describe(obj):
    match obj:
        case None:
            return "none"
        case True | False as flag:
            return f"bool {flag}"
        case 0:
            return "zero"
        case int(n) if n < 0:
            return f"negative int {n}"
        case int() | float() as num:
            return f"number {num}"
        case "":
            return "empty string"
        case str(s) if s.isdigit():
            return f"digit string {s}"
        case str():
            return f"string {obj!r}"
        case []:
            return "empty list"
        case [x]:
            return f"singleton {x}"
        case [1, 2, *rest]:
            return f"starts 1,2 rest={rest}"
        case [first, *_, last] if first == last:
            return f"same ends {first}"
        case (a, b):
            return f"pair {a},{b}"
        case {"type": "user", "name": str(name), **extra}:
            return f"user {name} extra={extra}"
        case {"type": t}:
            return f"typed {t}"
        case Point(x=0, y=0):
            return "origin"
        case Point(x=0, y=yy) | Point(x=yy, y=0):
            return f"on axis {yy}"
        case Point(x, y) if x == y:
            return f"diagonal {x}"
        case Circle(Point(x=cx), r=r) if r > 10:
            return f"big circle at x={cx}"
        case Circle(center=c, r=r):
            return f"circle {c} {r}"
        case Plain(1, b):
            return f"plain with a=1 b={b}"
        case Plain(a=aa):
            return f"plain a={aa}"
        case _:
            return f"other {type(obj).__name__}"


cases = [
    None,
    True,
    0,
    -5,
    7,
    2.5,
    "",
    "123",
    "abc",
    [],
    [9],
    [1, 2, 3, 4],
    [5, 6, 5],
    (7, 8),
    [1, 2],
    {"type": "user", "name": "ann", "age": 3},
    {"type": "admin"},
    {"name": "x"},
    Point(0, 0),
    Point(0, 4),
    Point(3, 0),
    Point(2, 2),
    Point(1, 5),
    Circle(Point(1, 2), 20),
    Circle(Point(1, 2), 1),
    Plain(1, "b"),
    Plain(2, 3),
    {1, 2},
    (1, 2, 3),
    range(2),
    b"bytes",
]
for c in cases:
    print(repr(c), "->", describe(c))

OK = 200


class Status:
    NOT_FOUND = 404


def http(code):
    match code:
        case Status.NOT_FOUND:
            return "not found"
        case 200 | 201 | 204:
            return "success"
        case int(c) if 500 <= c < 600:
            return "server error"
        case _:
            return "unknown"


print([http(c) for c in (200, 404, 503, 418, 204)])


def commands(line):
    match line.split():
        case ["go", ("north" | "south" | "east" | "west") as direction]:
            return f"going {direction}"
        case ["pick", "up", *items] if items:
            return f"picking {', '.join(items)}"
        case ["quit" | "exit"]:
            return "bye"
        case [cmd, *args]:
            return f"unknown {cmd} {args}"
        case []:
            return "empty"


for line in ["go north", "go up", "pick up sword shield", "pick up", "exit", "", "dance a b"]:
    print(repr(line), commands(line))
total = 0
for i in range(500):
    match (i % 3, i % 5):
        case (0, 0):
            total += 15
        case (0, _):
            total += 3
        case (_, 0):
            total += 5
        case _:
            total += 1
print("fizzbuzz total", total)
match {"a": 1, "b": 2}:
    case {"a": 1} as whole:
        print("mapping partial match", whole)
match "abc":
    case [*chars]:
        print("string as sequence?", chars)
    case _:
        print("strings are not sequences in match")
