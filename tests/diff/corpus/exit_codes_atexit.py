"""sys.exit with a code from nested frames through finally blocks; atexit handlers; stderr output."""

import atexit
import sys

trail = []


def handler(name):
    print("atexit", name, trail)


atexit.register(handler, "first registered")
atexit.register(handler, "second registered")


def deep(n):
    try:
        if n == 0:
            print("calling sys.exit(3)")
            sys.exit(3)
        deep(n - 1)
    finally:
        trail.append(n)
        print("finally", n)


def catches_systemexit():
    try:
        sys.exit("string exit")
    except SystemExit as e:
        return repr(e.code)


print(catches_systemexit())
try:
    raise SystemExit(7)
except SystemExit as e:
    print("caught SystemExit", e.code)
for i in range(3):
    try:
        sys.exit(i)
    except BaseException as e:
        print(type(e).__name__, e.code, isinstance(e, Exception))
print("warning line", file=sys.stderr)
sys.stderr.write("raw stderr write\n")
deep(4)
print("unreachable")
