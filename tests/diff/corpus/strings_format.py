"""Strings, f-strings (nested, conversions, =), format specs, % formatting, str methods, bytes."""

name, n, pi = "accel", 42, 3.14159265
print(f"{name!r} {name!s} {name!a} {n:>8} {n:<8}| {n:^8}| {n:08.3f} {n:+} {n:x} {n:#o} {n:b}")
print(f"{pi:.2f} {pi:10.3} {pi:e} {pi:%} {-pi:=+12.4f} {1234567:,} {1234567:_}")
width, prec = 12, 4
print(f"[{pi:{width}.{prec}f}] [{name:*^{width}}] [{n=}] [{pi * 2 = :.1f}] [{'nested ' + f'{n}'}]")
print(f"{{literal}} {'q'!r} {[1, 2][1]} {dict(a=1)['a']} {3 if n else 4} {(lambda x: x * 2)(5)}")
print("%s %r %d %5.2f %-5s| %05d %x %%" % ("s", "r", 7, 2.5, "ab", 42, 255))
print("%(a)s and %(b)d" % {"a": "A", "b": 2}, "{0}{1}{0}".format("x", "y"), "{name}!".format(name="n"))
print(format(0.5, ".0%"), format(12, "c") if False else format(65, "c"), format("s", "^5"), format(3, "03"))
s = "  The Quick Brown Fox  "
print(repr(s.strip()), s.lower(), s.upper(), s.title(), s.swapcase(), repr(s.lstrip()), repr(s.rstrip()))
print(s.split(), s.strip().split(" ", 2), s.rsplit(None, 1), "a,b,,c".split(","), "a\nb\r\nc".splitlines())
print(s.find("Quick"), s.find("zzz"), s.rfind("o"), s.count("o"), s.index("F"), s.startswith("  T"))
try:
    s.index("zzz")
except ValueError as e:
    print("ValueError", e)
print("-".join(str(i) for i in range(10)), "ab" * 3, "abc"[::-1], "hello"[1:4], "hello"[-3:])
print("x".center(9, "."), "x".ljust(4, "-"), "x".rjust(4, "-"), "42".zfill(6), "-42".zfill(6))
print("hello world".replace("o", "0"), "hello".replace("l", "L", 1), "tab\tsep".expandtabs(4))
print("abc".isalpha(), "123".isdigit(), "a1".isalnum(), " ".isspace(), "Title Case".istitle(), "ß".upper())
print(ord("a"), chr(8364), "é".encode(), b"caf\xc3\xa9".decode(), "naïve".encode("ascii", "replace"))
print(str.maketrans("abc", "xyz"), "aabbcc".translate(str.maketrans("abc", "xyz", "c")))
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "a", sorted(["b", "A", "a", "B"], key=str.lower))
print(len("日本語"), "日本語"[1], "😀".encode("utf-8"), len("😀".encode("utf-16-le")))
b = bytearray(b"hello")
b[0] = ord("J")
b.extend(b" world")
print(b, bytes(b).upper(), b.hex(), bytes.fromhex("deadbeef"), b"a" in b, list(b"ab"))
parts = []
for i in range(200):
    parts.append(f"{i:03d}" if i % 7 else f"<{i}>")
joined = "".join(parts)
print(len(joined), joined[:60], joined[-30:], hash(joined) == hash("".join(parts)))
acc = ""
for i in range(300):
    acc += chr(ord("a") + i % 26)
print(acc[:52], len(acc), acc.count("z"))
print("%s" % (1,), "%s" % [1, 2], "%c" % 97, "%.3s" % "abcdef", "%*d" % (5, 3), "%-*d|" % (5, 3))
print(str(1.0), str(10**20), str(None), str(b"x"), repr("it's"), repr('say "hi"'), repr("\n\t\\"))
print("{:>{w}}|{:<{w}}|".format("r", "l", w=5), "{0!r:^10}".format("c"), "{:,.3f}".format(1234.5))
print("{x.real} {y[1]}".format(x=3 + 4j, y=[7, 8]), "{:{fill}{align}8}".format("m", fill="~", align="^"))
print("partition", "key=value=x".partition("="), "key=value=x".rpartition("="), "abc".partition("z"))
print("casefold", "Straße".casefold(), "removeprefix", "prefix_body".removeprefix("prefix_"))
tmpl = "{greeting}, {who}!"
print([tmpl.format(greeting=g, who=w) for g in ("hi", "yo") for w in ("a", "b")])
