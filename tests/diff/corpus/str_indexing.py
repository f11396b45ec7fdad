"""Indexing strs one character at a time, as tokenizers do: ASCII, Latin-1 and wider characters, negative and
out-of-range indices, bool and big-int indices, str subclasses; the one-character results are the runtime's
own (identity as in CPython)."""


class Tagged(str):
    def __getitem__(self, i):
        return "<" + str.__getitem__(self, i) + ">"


def scan(src):
    pos, out = 0, []
    while pos < len(src):
        ch = src[pos]
        if ch == "#":
            out.append("comment")
        elif ch in " \t":
            pass
        else:
            out.append(ch)
        pos += 1
    return out


def probes(s):
    out = []
    for i in (0, 1, len(s) - 1, -1, -len(s), True, False):
        out.append(s[i])
    for bad in (len(s), -len(s) - 1, 10**20, 2**63):
        try:
            s[bad]
        except IndexError as exc:
            out.append(f"IndexError {exc}")
    out.append(s[0] is "abc"[0])  # noqa: F632
    out.append(s[-1] is s[-1])
    return out


texts = ["abc # x\tdef", "caf\xe9 \xff\xa0", "\u20ac\u4e2d\U0001f600 z", "xy"]
for _ in range(60):
    results = [scan(t) for t in texts] + [probes(t) for t in texts]
print(results)
print(probes(Tagged("hello")))
print([ord(c) for c in "caf\xe9\u20ac"[1:]], "\xe9"[0] is "caf\xe9"[3])  # noqa: F632
